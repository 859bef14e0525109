"""A lecture's figures through the store: their keys, which are cached, and drawing one task.

A task is one call of a figure function: a single figure, or a group drawn
together (`@figure(together=True)`). Its key covers the function's code,
its arguments, the keys of the results it draws, the code that turns its
output into files, and the files it read. Each figure's manifest, stored
under its key, names its files: blobs in the store, named by their hash.
"""
import time

from . import reads, values
from .compute import full_key, resolved_key
from .errors import BuildError, describe_failure
from .keys import Opaque, describe_arguments, digest, make_key, source_closure


def figure_tasks(lecture):
    """The lecture's figures as tasks: lists of specs drawn by one call, in declaration order."""
    tasks = {}
    for spec in lecture.figures:
        tasks.setdefault(spec.group or spec.name, []).append(spec)
    return list(tasks.values())


def label(task):
    """A task's name in messages: its figure, or a group's first figure and size."""
    return f"figure '{task[0].name}'" if len(task) == 1 else f"figure '{task[0].name}' and {len(task) - 1} more"


def check_inputs(lecture):
    """Every result a figure draws must be a computation of the lecture; the error lists those that are."""
    names = {spec.name for spec in lecture.computations}
    for spec in lecture.figures:
        for dep in spec.deps:
            if dep not in names:
                raise BuildError(f"figure '{spec.name}' needs a computation named '{dep}', and there is none; "
                                 f"the computations are: {', '.join(sorted(names)) or 'none'}", *spec.where)


def _output_code():
    from ..plotting.output import figure_files  # the code every figure's files go through
    return source_closure(figure_files)[0]


def static_key(task, keys):
    """A task's key before the files it reads are known."""
    first = task[0]
    try:
        arguments = {spec.name: describe_arguments(spec.kwargs, label(task)) for spec in task}
        return make_key(first.fn, {"deps": {dep: keys[dep] for dep in first.deps}, "arguments": arguments,
                                   "output": _output_code()}, label(task))
    except Opaque as error:
        raise BuildError(str(error), *first.where) from None


def manifest_key(task_key, name):
    return digest(task_key, name)


def cached(task, static, store, blobs):
    """(manifests, files read) of a task's figures if all are stored and sound, else (None, []).

    The figures' files go into `blobs`, read and checked.
    """
    key, read = resolved_key(store, "figure", static)
    if key is None:
        return None, []
    manifests, whole = {}, True
    for spec in task:
        manifest = store.get_json("figure", manifest_key(key, spec.name))
        if manifest is None:
            return None, []
        # Every file is read, even after one is missing: each damaged one is dropped, so that drawing
        # the figure again stores it anew (a figure has several files: light and dark, 1x and 2x).
        for blob in manifest["files"].values():
            if blob not in blobs:
                data = store.get_blob(blob)
                if data is None:
                    whole = False
                else:
                    blobs[blob] = data
        manifests[spec.name] = manifest
    return (manifests, read) if whole else (None, [])


def draw(task, inputs, static, store, source):
    """Call a task's figure function and store what it drew; returns {name: manifest}.

    Runs in a figure worker. A failure is a BuildError naming the figure.
    """
    from ..plotting.output import figure_files, with_narrow
    first = task[0]
    try:
        with reads.recording() as read:
            if first.group is None:
                wide = {"narrow": False} if first.narrow else {}   # said, so that the parameter needs no default
                drawn = {first.name: first.fn(**inputs, **first.kwargs, **wide)}
            else:
                drawn = first.fn(**inputs, variants={spec.name: spec.kwargs for spec in task})
            files = {spec.name: figure_files(drawn[spec.name]) for spec in task}
            if first.narrow:  # drawn after the wide figure's files are made, which frees that figure
                narrow = figure_files(first.fn(**inputs, **first.kwargs, narrow=True))
                files[first.name] = with_narrow(files[first.name], narrow)
    except Exception as error:
        raise BuildError(f"{label(task)} failed: {describe_failure(error, source)}", *first.where) from error
    key = full_key(static, read)
    manifests = {}
    for name, (outputs, width, height, pixels) in files.items():
        # width, height: its size on the page in CSS pixels; pixels: each file's own size (see plotting.output)
        manifest = {"files": {role: store.put_blob(data, suffix) for role, (suffix, data) in outputs.items()},
                    "width": width, "height": height, "pixels": {role: list(size) for role, size in pixels.items()}}
        store.put_json("figure", manifest_key(key, name), manifest)
        manifests[name] = manifest
    store.put_json("figure-reads", static, read)
    return manifests, read


def figure_worker(conn, store, tasks, source):
    """A figure worker's loop: draw each task it is sent, read its inputs from the store, report."""
    while True:
        message = conn.recv()
        if message is None:
            return
        index, static, keys = message
        task, start = tasks[index], time.perf_counter()
        try:
            inputs = {}
            for dep in task[0].deps:
                payload = store.get("results", keys[dep])
                if payload is None:
                    raise BuildError(f"{label(task)}: result '{dep}' vanished from the store", source)
                inputs[dep] = values.decode(payload)
            manifests, read = draw(task, inputs, static, store, source)
            conn.send(("drawn", index, manifests, read, time.perf_counter() - start, set(store.used),
                       set(store.written)))
            store.used.clear()
            store.written.clear()
        except BuildError as error:
            conn.send(("failed", index, error))
