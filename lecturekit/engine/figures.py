"""Render a lecture's figures through the cache, in parallel across cores.

Each figure is stored under its key in the figure cache: `<key>.png`, or
`<key>.gif` with `<key>.poster.png` for an animation, and `<key>.json`
describing what was written. A figure whose key is present is reused.
"""
import functools
import io
import json
import multiprocessing
import os
import sys
import time
import traceback
from pathlib import Path

from .cache import atomic_write_bytes, make_key
from .errors import BuildError

DPI = 110
# Shared with forked workers: set before the pool starts, read-only after.
_WORK = {}


def figure_key(spec, computed):
    """Key of one figure: its code, its keyword arguments and the results it draws."""
    return make_key(spec.fn, {"kwargs": spec.kwargs, "deps": {d: computed.keys[d] for d in spec.deps},
                              "writers": writers_key()})


@functools.cache
def writers_key():
    """Key of the code that turns a returned figure into files (PNG saving, GIF writing)."""
    from ..plotting.animate import write_animation
    return [make_key(save_png, {}), make_key(write_animation, {})]


def save_png(fig, path):
    """Draw a figure at DPI and write it as a 256-colour PNG.

    A palette PNG is about a quarter of the size of matplotlib's RGBA one and
    looks the same for plots; Pillow writes no metadata, so equal figures give
    equal files.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image
    fig.set_dpi(DPI)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    image = Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    palette = image.convert("RGB").quantize(256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    buffer = io.BytesIO()
    palette.save(buffer, format="png", optimize=True)
    atomic_write_bytes(path, buffer.getvalue())


def image_size(path):
    """(width, height) in pixels of a PNG or GIF, read from its header."""
    from PIL import Image
    with Image.open(path) as image:
        return image.size


def render_one(spec, key, computed, folder):
    """Draw one figure and write its files; returns its manifest."""
    from ..plotting.animate import PathAnimation, write_animation
    result = spec.fn(**{dep: computed.loader[dep] for dep in spec.deps}, **spec.kwargs)
    folder = Path(folder)
    if isinstance(result, PathAnimation):
        frames = write_animation(result, folder / f"{key}.gif", folder / f"{key}.poster.png")
        manifest = {"kind": "animation", "file": f"{key}.gif", "poster": f"{key}.poster.png", "frames": frames}
    else:
        save_png(result, folder / f"{key}.png")
        result.clear()  # Figure objects made without pyplot need no plt.close
        manifest = {"kind": "image", "file": f"{key}.png"}
    manifest["width"], manifest["height"] = image_size(folder / manifest["file"])
    atomic_write_bytes(folder / f"{key}.json", json.dumps(manifest, sort_keys=True).encode())
    return manifest


def _render_in_worker(index):
    """Pool entry point: render figure `index` of the shared work list."""
    spec, key = _WORK["todo"][index]
    start = time.perf_counter()
    try:
        manifest = render_one(spec, key, _WORK["computed"], _WORK["folder"])
        return manifest, None, time.perf_counter() - start
    except Exception as error:
        return None, "".join(traceback.format_exception_only(error)).strip(), 0.0


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
    return manifest if all((Path(folder) / f).is_file() for f in files if f) else None


def render_figures(lecture, computed, folder, progress=lambda name: None, workers=None):
    """Manifests of all figures by name, rendering only those not in the cache.

    Returns (manifests, rendered_names).
    """
    source = lecture.folder
    manifests, todo = {}, []
    for spec in lecture.figures:
        for dep in spec.deps:
            if dep not in computed.keys:
                raise BuildError(f"figure '{spec.name}' needs a computation named '{dep}', and there is none", source)
        key = figure_key(spec, computed)
        manifests[spec.name] = load_manifest(folder, key)
        if manifests[spec.name] is None:
            todo.append((spec, key))
    if not todo:
        return manifests, []
    from ..plotting.style import warm_up
    warm_up()  # load matplotlib, fonts and mathtext once, before forking, so workers inherit them
    for spec, _ in todo:
        for dep in spec.deps:  # load inputs once, before forking, so workers share them
            computed.loader[dep]
    _WORK.update(todo=todo, computed=computed, folder=folder)
    workers = min(workers or os.cpu_count() or 1, len(todo))
    if workers > 1:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            outcomes = []
            for (spec, _), outcome in zip(todo, pool.imap(_render_in_worker, range(len(todo)))):
                progress(f"{spec.name} ({outcome[2]:.2f} s)")
                outcomes.append(outcome)
    else:
        outcomes = [_render_in_worker(i) for i in range(len(todo))]
    for (spec, _), (manifest, error, _) in zip(todo, outcomes):
        if error:
            raise BuildError(f"figure '{spec.name}' failed: {error}", source)
        manifests[spec.name] = manifest
    return manifests, [spec.name for spec, _ in todo]
