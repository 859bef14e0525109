"""Draw a lecture's figures through the cache, in worker processes.

Each figure is stored under its key in the figure cache: `<key>.png`, or
`<key>.gif` with `<key>.poster.png` for an animation, and `<key>.json`
describing what was written. A figure whose key is present is reused; the
others are drawn by a FigurePool, each as soon as the results it needs exist.
"""
import functools
import io
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

from .cache import ResultCache, digest, make_key
from ..files import atomic_write_bytes
from .errors import BuildError, describe_failure, ignore_interrupts
from ..plotting.clipping import check_edges
from ..plotting.style import DPI

# Shared with forked workers: set before the pool starts, read-only after.
_WORK = {}


def figure_key(spec, keys, siblings=()):
    """Key of one figure: its code, its keyword arguments and the results it draws.

    A figure drawn together with `siblings` is keyed by all their arguments.
    (The code that writes the files is checked separately: see writer_key.)
    """
    variants = {s.name: s.kwargs for s in siblings} if spec.group else spec.kwargs
    key = make_key(spec.fn, {"kwargs": variants, "deps": {d: keys[d] for d in spec.deps}})
    return digest(key, spec.name) if spec.group else key


@functools.cache
def writer_key(kind):
    """Key of the code that writes a figure of this kind to files.

    Stored in each figure's manifest: editing the GIF writer redraws the
    animations and no other figure.
    """
    if kind == "animation":
        from ..plotting.animate import write_animation
        return make_key(write_animation, {})
    return make_key(save_png, {})


def save_png(fig, path):
    """Draw a figure at DPI and write it as a 256-colour PNG (see save_image); returns its size."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image
    fig.set_dpi(DPI)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return save_image(Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba(), "raw", "RGBA", 0, 1),
                      path)


def save_image(image, path):
    """Check that nothing runs off a PIL image, write it as a 256-colour PNG, and return its size.

    A palette PNG is about a quarter of the size of matplotlib's RGBA one and
    looks the same for plots; Pillow writes no metadata, so equal figures give
    equal files. zlib level 7 writes files 5% larger than level 9 in a sixth
    of the time (level 9 was a seventh of a cold build's drawing time).
    """
    from PIL import Image
    rgb = image.convert("RGB")
    check_edges(np.asarray(rgb))
    palette = rgb.quantize(256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    buffer = io.BytesIO()
    palette.save(buffer, format="png", compress_level=7)
    atomic_write_bytes(path, buffer.getvalue())
    return rgb.size


def write_figure(result, key, folder):
    """Write what a figure function returned; returns the manifest."""
    from PIL.Image import Image
    from ..plotting.animate import PathAnimation, write_animation
    folder = Path(folder)
    if isinstance(result, PathAnimation):
        frames, size = write_animation(result, folder / f"{key}.gif", folder / f"{key}.poster.png")
        manifest = {"kind": "animation", "file": f"{key}.gif", "poster": f"{key}.poster.png", "frames": frames}
    elif isinstance(result, Image):
        size = save_image(result, folder / f"{key}.png")
        manifest = {"kind": "image", "file": f"{key}.png"}
    elif hasattr(result, "savefig"):
        size = save_png(result, folder / f"{key}.png")
        result.clear()  # Figure objects made without pyplot need no plt.close
        manifest = {"kind": "image", "file": f"{key}.png"}
    else:
        raise TypeError("a figure function must return a matplotlib Figure, a PIL image or a "
                        f"PathAnimation, not {type(result).__name__}")
    manifest["width"], manifest["height"] = size
    manifest["writer"] = writer_key(manifest["kind"])
    atomic_write_bytes(folder / f"{key}.json", json.dumps(manifest, sort_keys=True).encode())
    return manifest


def draw_task(task, inputs, folder):
    """Call a figure function once and write each figure it returns; name -> manifest."""
    first = task[0][0]
    if first.group is None:
        return {first.name: write_figure(first.fn(**inputs, **first.kwargs), task[0][1], folder)}
    drawn = first.fn(**inputs, variants={spec.name: spec.kwargs for spec, _ in task})
    return {spec.name: write_figure(drawn[spec.name], key, folder) for spec, key in task}


def task_inputs(task, results, keys):
    """The results a task draws, read afresh from the results cache: no figure sees another's changes."""
    inputs = {}
    for name in task[0][0].deps:
        inputs[name] = results.load(keys[name])
        if inputs[name] is None:
            raise FileNotFoundError(f"result '{name}' is missing from the results cache")
    return inputs


def _draw_in_worker(index):
    """Pool entry point: draw task `index` of the shared work list."""
    start = time.perf_counter()
    try:
        task = _WORK["tasks"][index]
        inputs = task_inputs(task, _WORK["results"], _WORK["keys"])
        return draw_task(task, inputs, _WORK["folder"]), None, time.perf_counter() - start
    except Exception as error:
        return None, describe_failure(error, _WORK["source"]), 0.0


def load_manifest(folder, key):
    """The manifest of a cached figure whose files all exist, else None."""
    path = Path(folder) / f"{key}.json"
    try:
        manifest = json.loads(path.read_text())
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        print(f"warning: figure cache entry {path} unreadable ({error}); redrawing", file=sys.stderr)
        return None
    files = [manifest.get("file"), manifest.get("poster")]
    if manifest.get("writer") != writer_key(manifest.get("kind")):
        return None  # written by code that has changed since
    return manifest if all((Path(folder) / f).is_file() for f in files if f) else None


def plan_figures(lecture, keys, folder):
    """Manifests of the cached figures, and the tasks (lists of (spec, key)) left to draw."""
    siblings = {}
    for spec in lecture.figures:
        siblings.setdefault(spec.group or spec.name, []).append(spec)
    manifests, tasks, key_of = {}, {}, {}
    for spec in lecture.figures:
        for dep in spec.deps:
            if dep not in keys:
                raise BuildError(f"figure '{spec.name}' needs a computation named '{dep}', and there is none",
                                 lecture.folder)
        key_of[spec.name] = figure_key(spec, keys, siblings[spec.group or spec.name])
        manifests[spec.name] = load_manifest(folder, key_of[spec.name])
        if manifests[spec.name] is None:
            tasks.setdefault(spec.group or spec.name, []).append((spec, key_of[spec.name]))
    for group, task in tasks.items():  # a group is redrawn whole: one call draws all its members
        task[:] = [(spec, key_of[spec.name]) for spec in siblings[group]]
    return manifests, list(tasks.values())


class FigurePool:
    """Draws a lecture's missing figures in worker processes, each as soon as its inputs exist.

    matplotlib is loaded once, before the workers fork, so they share it
    (loading it in each worker cost a core 0.4 s apiece); `ready` hands them
    every task whose results are all in the results cache, where the
    workers read them.
    """

    def __init__(self, lecture, keys, folder, results_dir, progress=lambda name: None):
        self.source, self.folder, self.progress = lecture.folder, folder, progress
        self.keys, self.results = keys, ResultCache(results_dir)
        self.manifests, self.tasks = plan_figures(lecture, keys, folder)
        self.waiting, self.running, self.available = list(range(len(self.tasks))), [], set()
        self.workers = min(os.cpu_count() or 1, len(self.tasks))
        self.pool = None

    def __enter__(self):
        if self.tasks:
            from ..plotting.style import warm_up
            warm_up()
            _WORK.update(tasks=self.tasks, folder=self.folder, source=self.source, results=self.results,
                         keys=self.keys)
            if self.workers > 1:
                import multiprocessing  # here: a build with nothing to draw never needs it
                self.pool = multiprocessing.get_context("fork").Pool(self.workers, initializer=ignore_interrupts)
            self.ready(None)  # figures that need no results start at once
        return self

    def __exit__(self, *exc):
        if self.pool is not None:
            self.pool.terminate()  # after finish() this only reaps; after an error it stops the drawing
            self.pool.join()

    @property
    def needs(self):
        """(number of images, computations drawn) of each task still to draw."""
        return [(len(self.tasks[i]), self.tasks[i][0][0].deps) for i in self.waiting]

    def ready(self, name):
        """Result `name` is in the cache: start every task whose inputs are now all there."""
        if name is not None:
            self.available.add(name)
        # Largest tasks first, so no core is left with a long one at the end.
        for index in sorted(self.waiting, key=lambda i: -len(self.tasks[i])):
            deps = self.tasks[index][0][0].deps
            if self.available.issuperset(deps):
                self.waiting.remove(index)
                if self.pool is None:
                    self.running.append((index, _draw_in_worker(index)))
                else:
                    self.running.append((index, self.pool.apply_async(_draw_in_worker, (index,))))

    def finish(self):
        """Wait for every figure; returns (manifests by name, names drawn in this build)."""
        assert not self.waiting, "figures whose inputs never became ready"
        for index, outcome in self.running:
            drawn, error, seconds = outcome if isinstance(outcome, tuple) else outcome.get()
            task = self.tasks[index]
            if error:
                raise BuildError(f"figure '{task_label(task)}' failed: {error}", self.source)
            self.progress(f"{task_label(task)} ({seconds:.2f} s)")
            self.manifests.update(drawn)
        return self.manifests, [spec.name for task in self.tasks for spec, _ in task]


def task_label(task):
    """A figure's name, or a group's first name and size."""
    return task[0][0].name if len(task) == 1 else f"{task[0][0].name} and {len(task) - 1} more"
