"""A lecture as a runnable Jupyter notebook, published beside its page as `<slug>/<slug>.ipynb`.

Its Markdown cells are the lecture's prose with its placeholders filled, as the
page has it (notebook_prose.py turns the site's own markup into what Jupyter
shows); before the part of the prose that first quotes a computation's results
comes a code cell with that computation and all it reaches that no earlier cell
defined (notebook_code.py), so that the notebook runs from top to bottom in a
fresh kernel with only the libraries the build used. Each cell runs its
computation with `compute`, which hands results on as the build's store does;
the last cell collects what results.json publishes into `results`.

The notebook is stored by a key of everything it shows: a no-change build reads
it from the store. One that must be made is made in a helper process while the
pages render (nbformat alone takes a few tenths of a second to import), from its
code cells, which are stored by a key of the code alone: a prose edit does not
import the lecture's code for them.
"""
import hashlib
import math
import sys
from pathlib import Path

from . import sources
from .compute import dependency_order, resolved_key
from .crossrefs import HEADING_ATTRIBUTES, citations_as_words, label_lines, tags_for_labels
from .errors import BuildError
from .keys import DISTRIBUTIONS, digest, source_closure
from .lectures import load_code
from .macros import NO_MACROS
from .scheduler import SCHEDULER

FORMAT = "3"  # bump when what a notebook holds changes

HELPERS = '''\
stored = {}  # each computation's result, by its name


def as_stored(value):
    """A copy of a result as the site's build hands it on: numpy scalars become Python numbers, arrays are
    copied with their dtype and memory order, tuples stay tuples; nothing is shared with the original."""
    if isinstance(value, np.ndarray):
        return value.copy(order="F" if value.flags.f_contiguous and not value.flags.c_contiguous else "C")
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dict):
        return {key: as_stored(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(as_stored(item) for item in value)
    return value


def published(value):
    """What results.json shows of a result: arrays (figure data) left out, None in a list; tuples as lists."""
    if isinstance(value, dict):
        return {key: published(item) for key, item in value.items() if not isinstance(item, np.ndarray)}
    if isinstance(value, (list, tuple)):
        return [None if isinstance(item, np.ndarray) else published(item) for item in value]
    return value


def compute(name, function, *inputs):
    """Run a computation on the stored results it names, and store what it returns."""
    stored[name] = as_stored(function(**{need: as_stored(stored[need]) for need in inputs}))
'''
RESERVED = ("stored", "as_stored", "published", "compute", "results", "SimpleNamespace")


def program(lecture, store, code):
    """The notebook's code, stored by a key of the code and the lecture's results (not of its prose)."""
    record = resolved_key(store, "lecture", lecture.fingerprint)[0] or lecture.content_digest
    key = digest(FORMAT, code.fingerprint, record, lecture.keys)
    found = store.get_json("notebook-code", key)
    if found is not None:
        return found
    if not lecture.computations:
        load_code(lecture)
    specs = dependency_order(lecture.computations, lecture.folder)
    from .notebook_code import lecture_program  # here, as below: a build whose notebooks are stored never needs it
    imports, namespaces, nodes, steps = lecture_program(specs, lecture.folder, RESERVED)
    libraries = sorted({lib for spec in specs for lib in source_closure(spec.fn)[1]} - set(sys.stdlib_module_names))
    made = {"imports": _merged(imports + (["from types import SimpleNamespace"] if namespaces else [])),
            "libraries": [_version(lib) for lib in libraries],
            "nodes": nodes,
            "steps": [{"name": spec.name, "into": spec.into, "deps": list(spec.deps), "function": function,
                       "needs": needs, "publishes": _publishes(lecture, store, spec.name)}
                      for spec, function, needs in steps]}
    store.put_json("notebook-code", key, made)
    return made


def _merged(imports):
    """Import lines, `from x import a` and `from x import b` as one line, and numpy's (the helpers need it)."""
    plain, froms = [], {}
    for line in dict.fromkeys(imports + ["import numpy as np"]):
        if line.startswith("from "):
            module, _, names = line[5:].partition(" import ")
            froms.setdefault(module, []).append(names)
        else:
            plain.append(line)
    future = [f"from __future__ import {', '.join(sorted(froms.pop('__future__')))}"] if "__future__" in froms else []
    return future + sorted(plain) + [f"from {module} import {', '.join(sorted(names))}"
                                     for module, names in sorted(froms.items())]  # a __future__ import comes first


def _version(top):
    import importlib.metadata
    try:
        return f"{DISTRIBUTIONS.get(top, top)} {importlib.metadata.version(DISTRIBUTIONS.get(top, top))}"
    except importlib.metadata.PackageNotFoundError:
        return top


def _publishes(lecture, store, name):
    payload = store.get("results", lecture.keys.get(name, "")) if lecture.keys.get(name) else None
    from . import values  # here: numpy is loaded only when a notebook is made
    return list(values.published(values.decode(payload, with_arrays=False))) if payload else []


def placements(steps, first_quotes):
    """Index of the part before which each computation runs: before the first part quoting it or anything
    that needs it (math.inf: no part quotes it)."""
    place = {}
    for step in reversed(steps):  # dependents come later in dependency order
        quoted_at = [first_quotes.get((step["into"], key), math.inf) for key in step["publishes"]]
        quoted_at.append(first_quotes.get((step["into"], None), math.inf))
        dependents = [place[s["name"]] for s in steps if step["name"] in s["deps"] and s["name"] in place]
        place[step["name"]] = min(quoted_at + dependents)
    return place


def _code_cell(step, code):
    keys = [f"{step['into']}.{key}" for key in step["publishes"]]
    shown = ", ".join(keys[:5]) + (f" and {len(keys) - 5} more" if len(keys) > 5 else "")
    call = ", ".join([repr(step["name"]), step["function"], *map(repr, step["deps"])])
    comment = f"# Publishes {shown}" if keys else "# Publishes nothing: what it returns is figure data"
    return f"{code}\n\n\n{comment}\ncompute({call})" if code else f"{comment}\ncompute({call})"


def notebook_key(lecture, bodies, store, code, solutions, macros):
    """The key of everything a notebook shows: code, results, figures, prose, the course's settings."""
    return digest(FORMAT, code.fingerprint, resolved_key(store, "lecture", lecture.fingerprint)[0],
                  lecture.content_digest, lecture.meta, [[b[0], str(b[1]), b[2]] for b in bodies], solutions,
                  macros.digest)


def start_notebooks(jobs, store, code, solutions=True, macros=NO_MACROS, labels_of=lambda lecture: {}):
    """Start making the notebooks of `jobs` ((lecture, bodies) each) that the store does not hold.

    `labels_of(lecture)`: its cross-reference labels (bodies.lecture_labels), asked for before the helper
    starts, and only for a notebook to make: a notebook shows a citation as its words ("Figure 7").

    They are made in a helper process, on the core the pages leave idle; returns a function that waits
    for them and returns each notebook's bytes, in the order of `jobs`: or the BuildError that says why a
    lecture's code cannot be a notebook (its site is built without one). `bodies`: (Markdown, path, first
    line) of each part of the lecture, in order.
    """
    keys = [notebook_key(lecture, bodies, store, code, solutions, macros) for lecture, bodies in jobs]
    found = [store.get("notebook", key) for key in keys]
    todo = [(i, jobs[i], keys[i]) for i, data in enumerate(found) if data is None]
    if not todo:
        return lambda: found
    for _, (lecture, bodies), _ in todo:  # prose that shows code needs it imported (a reused lecture's is not)
        if not lecture.computations and any("source(" in text for text, _, _ in bodies):
            load_code(lecture)
    todo = [(i, (lecture, bodies, labels_of(lecture)), key) for i, (lecture, bodies), key in todo]
    helper = SCHEDULER.start("notebook helper", _notebooks_main, todo, store, code, solutions, macros)
    helper.doing = f"writing the notebook of {', '.join(jobs[i][0].slug for i, _, _ in todo)}"

    def finish():
        while True:
            for _, message in SCHEDULER.messages([helper]):
                if message[0] in ("made", "unavailable"):
                    found[message[1]] = message[2]
                    continue
                used, written, seen = message[-3:]
                store.mark_used(used)
                store.written |= written
                for filename, sha in seen.items():  # what it read of the sources is checked at the end too
                    sources._SEEN.setdefault(filename, sha)
                SCHEDULER.retire(helper)
                if message[0] == "failed":
                    raise message[1]
                return found
    return finish


def _notebooks_main(conn, todo, store, code, solutions, macros):
    """The notebook helper: make each notebook, store it, send it; then what it used and wrote."""
    try:
        for index, (lecture, bodies, labels), key in todo:
            try:
                data = make_notebook(lecture, bodies, store, code, solutions, macros, labels).encode("utf-8")
            except BuildError as error:  # the lecture is still a page; only its notebook is not made
                conn.send(("unavailable", index, error))
                continue
            store.put("notebook", key, data)
            conn.send(("made", index, data))
        conn.send(("done", store.used, store.written, dict(sources._SEEN)))
    except BuildError as error:
        conn.send(("failed", error, store.used, store.written, dict(sources._SEEN)))


def make_notebook(lecture, bodies, store, code, solutions=True, macros=NO_MACROS, labels=None):
    """The notebook's JSON text; `labels` (bodies.lecture_labels) turn its citations into words."""
    from .notebook_code import cell_text
    from .notebook_prose import Counters, notebook_markdown, quoted, rendered_parts
    import nbformat  # here: a build whose notebooks are all stored never needs it

    made = program(lecture, store, code)
    steps, counters, cells = made["steps"], Counters(), []
    parts, first_quotes = [], {}
    namespaces = {step["into"] for step in steps}
    for text, path, first_line in bodies:
        labelled = label_lines(text, path, first_line)  # a heading's {#sec:x} is no Jinja comment
        pieces, at = rendered_parts(labelled, path, first_line, lecture.results, store)
        pieces = [HEADING_ATTRIBUTES.sub(r"\1", tags_for_labels(citations_as_words(piece, labels or {}), labels or {}))
                  for piece in pieces]
        for (namespace, name), part in quoted(text, namespaces, at).items():
            key = (namespace, name)
            first_quotes[key] = min(first_quotes.get(key, math.inf), len(parts) + (part if at else 0))
        parts += pieces
    place = placements(steps, first_quotes)

    def figure_file(name):
        if name not in lecture.manifests:
            raise BuildError(f"figure '{name}' is not a figure of this lecture", lecture.source)
        files = lecture.manifests[name]["files"]
        blob = files.get("file") or next(iter(files.values()))  # the image the page shows (a GIF animates)
        data = _figure_bytes(lecture.blobs.get(blob), store, blob)
        if data is None:
            raise BuildError(f"figure '{name}': its file vanished from the store during the build; build again",
                             lecture.folder)
        suffix = blob[blob.rindex("."):]
        return f"{name}{suffix}", {".png": "image/png", ".gif": "image/gif", ".svg": "image/svg+xml",
                                   ".jpg": "image/jpeg"}.get(suffix, "application/octet-stream"), data

    def markdown(source, attachments=None):
        cells.append({"cell_type": "markdown", "id": f"prose-{len(cells)}", "metadata": {}, "source": source,
                      **({"attachments": attachments} if attachments else {})})

    def code_cell(source, cell_id):
        cells.append({"cell_type": "code", "id": cell_id, "execution_count": None, "metadata": {}, "outputs": [],
                      "source": source})

    defined = set()

    def run(step):  # the code it needs that no earlier cell defined, and the call
        new = [i for i in step["needs"] if i not in defined]
        defined.update(new)
        code = cell_text([made["nodes"][i] for i in new])
        code_cell(_code_cell(step, code), f"code-{len(cells)}")

    markdown(_introduction(lecture, made, macros))
    code_cell("\n".join(made["imports"]) + "\n\n\n" + HELPERS.rstrip(), "helpers")
    for index, piece in enumerate(parts):
        for step in steps:  # in dependency order
            if place[step["name"]] == index:
                run(step)
        text, attachments = notebook_markdown(piece, solutions, counters, figure_file)
        if text.strip():
            markdown(text, attachments)
    rest = [step for step in steps if place[step["name"]] == math.inf]
    if rest:
        markdown("## The other computations\n\nWhat these compute the prose does not quote; the page's figures "
                 "draw it, and results.json publishes it.")
        for step in rest:
            run(step)
    markdown("## All the results\n\nEvery value the lecture publishes, by namespace, as in the page's "
             "`results.json`: `results[\"namespace\"][\"name\"]`.")
    pairs = ", ".join(f"({step['name']!r}, {step['into']!r})" for step in steps)
    code_cell(f"results = {{}}\nfor name, into in [{pairs}]:\n    results.setdefault(into, {{}}).update("
              "published(stored[name]))\nsorted(results)", "results")
    notebook = nbformat.from_dict({"nbformat": 4, "nbformat_minor": 5, "cells": cells, "metadata": {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"}}})
    nbformat.validate(notebook)  # once, for the whole: nbformat's cell constructors check every cell
    return nbformat.writes(notebook)


def _figure_bytes(found, store, blob):
    """A figure file's bytes: as the build holds them, from the store, or from the previous site (checked)."""
    if isinstance(found, (bytes, bytearray)):
        return bytes(found)
    data = store.get_blob(blob)
    if data is None and found is not None:  # a published.Published: a file of the previous site
        data = Path(found.path).read_bytes()
        if hashlib.sha256(data).hexdigest() != found.sha256:
            return None
    return data


def _introduction(lecture, made, macros):
    """The notebook's first cell: the lecture's title and summary, how to run it, and the course's macros."""
    meta = lecture.meta
    names = [f"Python {sys.version_info.major}.{sys.version_info.minor}", *made["libraries"]]
    libraries = " and ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)
    definitions = "".join(
        f"\\newcommand{{{name}}}" + (f"[{arguments}]" if arguments else "") + f"{{{expansion}}}"
        for name, expansion, arguments, _ in macros.definitions)
    return "\n\n".join(filter(None, [
        f"# {meta['title']}", f"*{meta['summary']}*",
        "This notebook is the lecture as a program: the prose of its page, with the numbers the site's build "
        "computed, and before each part the code that computes the numbers it quotes, read from the source "
        "that ran. Run the cells from the top; each code cell defines what one computation needs and runs it "
        "with `compute`, which keeps its result in `stored` as the site's build does. The last cell collects "
        "the published values in `results`, as in the page's `results.json`.",
        f"It was built with {libraries}.",
        f"${definitions}$" if definitions else ""]))
