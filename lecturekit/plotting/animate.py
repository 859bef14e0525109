"""Animated GIFs of gradient-descent paths, drawn over an already-drawn background.

The background (contour map, or the curve of a 1-D loss) is rendered once; each
frame restores it, updates only the moving artists (the path so far, a marker at
the current point, a "step k · loss v" label) with set_data / set_text, draws just
those (ax.draw_artist) and grabs the Agg buffer.  All frames are then quantized to
one shared palette of 64 colours, or 128 for many bands (gif_palette.py), and written
by Pillow: small, fast and byte-identical across runs.  matplotlib is imported inside
functions only, so importing this module stays cheap for a warm build.
"""
from __future__ import annotations

import io
import itertools
import math
from dataclasses import dataclass

import numpy as np

from ..files import atomic_write_bytes
from .blit import blit_frame_views, blit_frames
from .clipping import check_edges
from .corners import CORNERS, busy_points, corner_scores
from .gif_palette import FrameQuantizer, shared_palette
from .output import PNG_LEVEL

_FAR = 10             # path segments are cut this many view sizes outside the view


@dataclass
class PathAnimation:
    """A path to animate over an already-drawn background."""
    figure: object          # a matplotlib Figure with the background drawn (contours or a curve), no path yet
    ax: object              # the Axes the path moves in
    path: np.ndarray        # (k+1, 2) points in ax data coordinates (for a 1-D run: columns x and f(x))
    losses: np.ndarray      # (k+1,) loss at each point
    max_frames: int = 60     # a run of up to 60 even steps shows each: a bouncing run with a step skipped
                             # looks as if it stalled on one wall
    color: str = "C3"
    label: str = "descent path"   # legend entry for the path line
    marks: tuple = ()       # Line2D markers already on `ax` (start, minimum): redrawn above the path in every frame
    legend_below: bool = False  # the legend under the plot, two to a row, not in a corner of it (a phone's small
                                # plot, which a legend inside would hide much of); the figure leaves room for it
    label_size: float = 11  # points: the "step k · loss v" label

    def shown_steps(self):
        """The steps the frames show: frame_indices of the path's moves on the page, as the view is now."""
        return frame_indices(page_moves(self.ax, _validate(self)[0]), self.max_frames)

    def figure_files(self):
        """The GIF with its poster, as a figure output (see plotting.output)."""
        frames, (width, height), gif, poster = animation_files(self)
        return {"file": (".gif", gif), "poster": (".png", poster)}, width, height


CRAWL_SHARE = 0.25   # of the frames spread evenly over the steps, however little the path moves in them


def frame_indices(moves, max_frames) -> list[int]:
    """Which points of a path the frames show, at most max_frames: each frame moves the path about as far.

    `moves`: how far each step moves on the page (one fewer than the points).
    The frames are evenly spaced in a measure of progress that gives each step
    its share of the whole distance plus an equal share of CRAWL_SHARE, so a
    run that covers most of its way in a few long steps shows each of them,
    and its long crawl to the end still moves on (its step counter does).
    Equal moves give evenly spaced steps (every step of a short run); a short
    run's crawl is thinned too. The first and the last point are always
    shown; the indices increase strictly (a step's several shares make one frame).
    """
    moves = np.abs(np.asarray(moves, dtype=float))
    n_points, max_frames = len(moves) + 1, int(max_frames)
    if max_frames < 2:
        raise ValueError(f"max_frames must be >= 2 (first and last step), got {max_frames}")
    if not np.isfinite(moves).all():
        raise ValueError("a path's moves must be finite")
    if not len(moves):
        return [0]
    total = moves.sum()
    share = (1 - CRAWL_SHARE) * moves / total + CRAWL_SHARE / len(moves) if total > 0 else np.full(len(moves),
                                                                                                 1 / len(moves))
    progress = np.concatenate([[0.0], np.cumsum(share)])
    progress /= progress[-1]
    nearest = [int(np.argmin(np.abs(progress - target))) for target in np.linspace(0, 1, max_frames)]
    return sorted(set(nearest) | {0, n_points - 1})


def page_moves(ax, path):
    """How far each step of a path moves on the page, in pixels, as far as the view shows it: a point off
    the view counts at its edge, and a step from off the view to off the view (or to a point a diverged
    run no longer has, NaN) moves nothing the reader sees."""
    (x0, x1), (y0, y1) = sorted(ax.get_xlim()), sorted(ax.get_ylim())
    seen = (path[:, 0] >= x0) & (path[:, 0] <= x1) & (path[:, 1] >= y0) & (path[:, 1] <= y1)
    inside = np.column_stack([np.clip(path[:, 0], x0, x1), np.clip(path[:, 1], y0, y1)])
    moves = np.linalg.norm(np.diff(ax.transData.transform(inside), axis=0), axis=1)
    return np.where((seen[:-1] | seen[1:]) & np.isfinite(moves), moves, 0.0)


def _format_loss(value) -> str:
    v = float(value)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    if v == 0 or 1e-3 <= abs(v) < 1e5:
        return f"{v:.4f}"
    return f"{v:.3e}"


def _label(step, loss) -> str:
    return f"step {step} \u00b7 loss {_format_loss(loss)}"


def _validate(anim):
    path = np.asarray(anim.path, dtype=float)
    losses = np.asarray(anim.losses, dtype=float).reshape(-1)
    if path.ndim != 2 or path.shape[1] != 2 or len(path) == 0:
        raise ValueError(f"path must have shape (k+1, 2), got {path.shape}")
    if len(losses) != len(path):
        raise ValueError(f"losses has {len(losses)} entries for {len(path)} path points")
    # Non-finite points (a diverged run) are drawn as gaps, not passed to Agg as inf.
    path = np.where(np.isfinite(path), path, np.nan)
    return path, losses


def _canvas(figure):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = figure.canvas
    if not isinstance(canvas, FigureCanvasAgg):
        canvas = FigureCanvasAgg(figure)
    return canvas


def _inside(p, lo, hi):
    return bool(np.all(np.isfinite(p)) and np.all((p >= lo) & (p <= hi)))


def _exit_point(a, b, lo, hi):
    """Where the segment from a (inside the box [lo, hi]) to b leaves the box."""
    d = b - a
    t = 1.0
    for axis in range(2):
        if d[axis] > 0:
            t = min(t, (hi[axis] - a[axis]) / d[axis])
        elif d[axis] < 0:
            t = min(t, (lo[axis] - a[axis]) / d[axis])
    return a + t * d


def _drawable_polyline(path, xlim, ylim):
    """The path as line vertices with far-away parts cut off, and where each prefix ends.

    A diverging run jumps to 1e30 and beyond: its raw segments would streak across the
    plot and overflow in transforms.  With the box = the view enlarged by _FAR view sizes
    on every side, a segment with one end in the box is cut where it leaves the box
    (computed from the inner end, so it stays accurate), and a segment with both ends
    outside is dropped (a NaN break): for a blown-up run its crossing of the view is
    numerically meaningless.  Everything drawn inside the view is the true path.
    Returns (vertices, ends): the prefix path[:k+1] is drawn by vertices[:ends[k]].
    """
    x0, x1 = sorted(xlim)
    y0, y1 = sorted(ylim)
    w, h = x1 - x0, y1 - y0
    lo = np.array([x0 - _FAR * w, y0 - _FAR * h])
    hi = np.array([x1 + _FAR * w, y1 + _FAR * h])
    gap = np.array([np.nan, np.nan])
    inside = [_inside(p, lo, hi) for p in path]
    vertices, ends = [path[0] if inside[0] else gap], [1]
    for i in range(len(path) - 1):
        a, b = path[i], path[i + 1]
        if inside[i] and inside[i + 1]:
            vertices.append(b)
        elif inside[i]:
            vertices.extend([_exit_point(a, b, lo, hi), gap])
        elif inside[i + 1]:
            vertices.extend([_exit_point(b, a, lo, hi), b])
        elif not np.isnan(vertices[-1][0]):
            vertices.append(gap)
        ends.append(len(vertices))
    return np.array(vertices), ends


def _off_view(point, xlim, ylim):
    x, y = point
    if not (math.isfinite(x) and math.isfinite(y)):
        return True
    return not (min(xlim) <= x <= max(xlim) and min(ylim) <= y <= max(ylim))


def render_frames(anim) -> list:
    """RGBA arrays (height, width, 4): the path growing over the background (see module docstring)."""
    fig, dynamic, updates = _frame_updates(anim)
    return blit_frames(fig, dynamic, updates, fig.dpi)


def _frame_updates(anim):
    """(figure, moving artists, one update per frame): the background is set up and the artists placed."""
    path, losses = _validate(anim)
    fig, ax = anim.figure, anim.ax
    canvas = _canvas(fig)

    # The background decides the view: paths that diverge leave it, they do not rescale it.
    xlim, ylim = ax.get_xlim(), ax.get_ylim()
    ax.set_autoscale_on(False)
    ax.set_xlim(xlim)
    ax.set_ylim(ylim)
    vertices, ends = _drawable_polyline(path, xlim, ylim)
    indices = anim.shown_steps()

    (line,) = ax.plot([], [], "-", color=anim.color, lw=2.0, marker="o", ms=2.5,
                      label=anim.label, animated=True, zorder=5)
    (head,) = ax.plot([], [], "o", color=anim.color, ms=8, mec="white", mew=1.5,
                      animated=True, zorder=6)
    labels = [_label(k, losses[k]) + (" (off plot)" if _off_view(path[k], xlim, ylim) else "")
              for k in indices]
    # The label's box is drawn once, with the background, around the longest label:
    # it stays put while the digits change, and no frame has to redraw it.
    style = dict(transform=ax.transAxes, fontsize=anim.label_size)
    box = ax.text(0, 1, max(labels, key=len), color="none", zorder=7, **style,
                  bbox=dict(boxstyle="round,pad=0.3", facecolor="white", edgecolor="0.6", alpha=0.85))
    text = ax.text(0, 1, max(labels, key=len), color="black", zorder=8, animated=True, **style)
    # The legend is part of the static background.
    if anim.legend_below:
        handles, names = ax.get_legend_handles_labels()
        legend = fig.legend(handles, names, loc="lower center", ncols=2, fontsize=9, frameon=False,
                            borderaxespad=0.2, columnspacing=1.2, handletextpad=0.5)
    else:
        legend = ax.legend(loc="upper right", fontsize=9, framealpha=0.85)

    # Step/loss label and legend go to the corners the whole path (and any background
    # curve) crosses least; the label is opaque enough to read over contours anyway.
    renderer = canvas.get_renderer()
    busy = busy_points(ax, vertices, exclude=(line, head))
    text_box = text.get_window_extent(renderer).size
    scores = corner_scores(ax, busy, text_box)
    text_corner = min(CORNERS, key=lambda name: scores[name])  # first in preference order on ties
    x, y, ha, va = CORNERS[text_corner]
    for label_text in (box, text):
        label_text.set_position((x, y))
        label_text.set_horizontalalignment(ha)
        label_text.set_verticalalignment(va)
    if not anim.legend_below:
        legend_box = legend.get_window_extent(renderer).size
        scores = corner_scores(ax, busy, legend_box)
        # In a narrow plot the label and the legend do not both fit along one edge: then the legend takes the other.
        crowded = text_box[0] + legend_box[0] + 3 * 24 > ax.bbox.width
        free = [c for c in CORNERS if c != text_corner and not (crowded and c.split()[0] == text_corner.split()[0])]
        legend.set_loc(min(free, key=lambda name: scores[name]))

    def show(k, label):
        def update():
            drawn = vertices[: ends[k]]
            line.set_data(drawn[:, 0], drawn[:, 1])
            off = _off_view(path[k], xlim, ylim)
            head.set_data([] if off else path[k : k + 1, 0], [] if off else path[k : k + 1, 1])
            text.set_text(label)
        return update

    # The background is drawn once; each frame redraws only the path, its head and the label's text.
    # The marks go over the path, so it never hides them, and under its head, which shows where the run is now.
    return fig, [line, *anim.marks, head, text], [show(k, label) for k, label in zip(indices, labels)]


def _artist_colours(anim):
    """8-bit RGB of the path's colour, the label's black and white, and the marks' face and edge colours."""
    from matplotlib.colors import to_rgb
    colours = [anim.color, "black", "white"]
    for mark in anim.marks:
        colours += [mark.get_markerfacecolor(), mark.get_markeredgecolor()]
    unique = dict.fromkeys(tuple(round(255 * c) for c in to_rgb(colour)) for colour in colours)
    return list(unique)


def animation_files(anim, frame_ms=120, hold_ms=1500) -> tuple:
    """The looping GIF and its PNG poster (the last frame): (frame count, (width, height), gif, poster bytes).

    All frames share one palette (64 or 128 colours, no dithering), the last frame is held
    for hold_ms, and nothing time- or version-dependent is written, so the files
    are byte-identical across runs.  The figure is closed afterwards.
    """
    try:
        quantized = _quantized_frames(anim)
    finally:
        _close(anim.figure)
    durations = [int(frame_ms)] * (len(quantized) - 1) + [int(hold_ms)]
    gif = io.BytesIO()
    quantized[0].save(gif, format="GIF", save_all=True, append_images=quantized[1:],
                      duration=durations, loop=0, optimize=True, disposal=1)
    poster = io.BytesIO()
    # The GIF's own last frame; Pillow writes no Software/time chunks: deterministic bytes.
    quantized[-1].save(poster, format="PNG", compress_level=PNG_LEVEL)
    return len(quantized), quantized[0].size, gif.getvalue(), poster.getvalue()


def _quantized_frames(anim):
    """The frames on their shared palette, quantized as they are drawn: only two are held as RGBA.

    The palette is made from the first and the last frame, so those two are drawn
    first; every other frame is quantized while it is still the canvas's buffer.
    Holding all the 2x frames instead cost a second of system time per build.
    """
    fig, dynamic, updates = _frame_updates(anim)
    views = blit_frame_views(fig, dynamic, [updates[0], updates[-1], *updates[1:-1]], fig.dpi)
    first, last = next(views).copy(), next(views).copy()
    quantize = FrameQuantizer(shared_palette([first, last], keep=_artist_colours(anim)))
    quantized = []
    for k, frame in enumerate(itertools.islice(itertools.chain([first], views, [last]), len(updates))):
        check_edges(frame, f"frame {k} of the animation")
        quantized.append(quantize(frame))
    return quantized


def write_animation(anim, gif_path, poster_path, frame_ms=120, hold_ms=1500) -> tuple:
    """Write animation_files' GIF and poster to files; return (frame count, (width, height))."""
    frames, size, gif, poster = animation_files(anim, frame_ms, hold_ms)
    atomic_write_bytes(gif_path, gif)
    atomic_write_bytes(poster_path, poster)
    return frames, size


def _close(figure):
    """Free the figure without importing pyplot (deregister it if pyplot manages it)."""
    from matplotlib._pylab_helpers import Gcf

    Gcf.destroy_fig(figure)     # no-op for a Figure pyplot never saw
    figure.clear()
