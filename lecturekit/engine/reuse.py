"""A lecture unchanged since the last build is taken whole from the store, its code not even imported.

Its record (keys, published results, figure manifests) is stored under a
key covering everything its results and figures can depend on: the
project's Python files and installed libraries (`code_fingerprint`), every
file of the lecture folder except its Markdown and static files, and the
files its code, computations and figures read or reached (data files, and
the source of every function their keys followed). The Markdown and the
templates are the pages' business (pages.py). With this, a no-change build
of a course costs a few file reads per lecture.
"""
import hashlib
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from .compute import full_key, resolved_key
from .pages import figure_site_files
from .keys import digest, source_closure
from .reads import import_reads
from .sources import expect, is_project_file
from .store import blob_hash

FORMAT = "1"


@dataclass(frozen=True)
class Code:
    """The project's own Python code (the engine, the numerics, build.py): its files and their fingerprint."""
    files: frozenset
    fingerprint: str


def project_code(roots):
    """Code of every Python file under `roots`, with the Python version and the installed distributions."""
    files = sorted(p.resolve() for root in map(Path, roots) for p in (root.rglob("*.py") if root.is_dir() else [root]))
    return Code(frozenset(map(os.fspath, files)), code_fingerprint(files))


def code_fingerprint(files):
    """Digest of Python files, the Python version and the installed distributions."""
    h = hashlib.sha256(f"{FORMAT} {sys.version}".encode())
    for path in files:
        data = path.read_bytes()
        expect(path, data)  # a key made later from another text would be a key for code that did not run
        h.update(str(path).encode())
        h.update(data)
    for folder in sorted({p for p in sys.path if p.endswith("site-packages") and os.path.isdir(p)}):
        h.update("\n".join(sorted(os.listdir(folder))).encode())  # dist-info names carry versions
    return h.hexdigest()


def _fingerprinted(lecture):
    """The lecture's files its fingerprint covers: all but its Markdown and its static files."""
    return [name for name in lecture.files if not name.endswith(".md") and not name.startswith("static/")]


def _folder_fingerprint(lecture, code):
    """The record's key before the files its code read are known."""
    folder = os.fspath(lecture.folder)
    files = []
    for name in _fingerprinted(lecture):
        with open(os.path.join(folder, name), "rb") as handle:
            files.append((name, hashlib.sha256(handle.read()).hexdigest()))
    return digest("lecture", code.fingerprint, lecture.slug, files)


def reuse(lecture, store, code, previous_site):
    """Fill the record from the last build if nothing it depends on changed; True if it did.

    Each figure file is taken from `previous_site` (a published.PreviousSite) where it holds it, else read
    from the store; either way checked against its hash.
    """
    lecture.fingerprint = _folder_fingerprint(lecture, code)
    key, _ = resolved_key(store, "lecture", lecture.fingerprint)
    record = store.get_json("lecture", key) if key else None
    if record is None:
        return False
    blobs = {}
    for _, site_file, blob in figure_site_files(lecture.slug, record["manifests"]):
        blobs[blob] = previous_site.copy(site_file, blob_hash(blob)) or store.get_blob(blob)
        if blobs[blob] is None:
            return False
    lecture.keys, lecture.results, lecture.manifests = record["keys"], record["results"], record["manifests"]
    lecture.results_json, lecture.content_digest = record["results_json"], record["content_digest"]
    lecture.blobs, lecture.reused = blobs, True
    store.mark_used(record["entries"])
    return True


def remember(lecture, store, code, entries):
    """Store the record of a lecture just produced, for the next build's `reuse`.

    Files of `code` and the lecture's own that its fingerprint covers are not hashed again:
    the record depends on the other files its code read or reached.
    """
    summarize(lecture)
    static = lecture.fingerprint
    reached = {f for spec in lecture.computations + lecture.figures for f in source_closure(spec.fn)[2]}
    folder = lecture.folder.resolve()
    covered = code.files | {os.path.join(folder, name) for name in _fingerprinted(lecture)}
    # Project modules outside the code roots (a course's shared helpers) count whole, and so does what
    # any project module read as it was imported this build (an earlier lecture may have imported it).
    loaded = {m.__file__ for name, m in list(sys.modules.items()) if not name.startswith("lecture_")
              and isinstance(getattr(m, "__file__", None), str) and is_project_file(m.__file__)}
    depends = sorted(f for f in set(lecture.reads) | reached | loaded | set(import_reads())
                     if os.path.realpath(f) not in covered)
    key = full_key(static, depends)
    store.put_json("lecture-reads", static, depends)
    store.put_json("lecture", key, {"keys": lecture.keys, "results": lecture.results,
                                    "manifests": lecture.manifests, "entries": sorted(entries),
                                    "results_json": lecture.results_json, "content_digest": lecture.content_digest})


def summarize(lecture):
    """What the pages need of a freshly produced lecture: its results.json and a digest of what it shows."""
    lecture.results_json = json.dumps(lecture.results, indent=1, sort_keys=True) + "\n"
    lecture.content_digest = digest(lecture.results, lecture.manifests)
