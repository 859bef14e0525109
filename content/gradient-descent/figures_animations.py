"""One GIF per descent run: the path growing step by step over its landscape.

Every frame shows where the run started and where the minimum is, under a
title in words; the quadratic's map has equal scales, so its circles of equal
distance look round and its ellipses keep their true shape.
"""
import numpy as np

from lecturekit.engine.registry import figure
from lecturekit.plotting.animate import PathAnimation
from lecturekit.plotting.style import DPI, MARK_COLORS, NARROW_WIDTH, PATH_COLOR, new_figure
from lecturekit.plotting.surfaces import draw_contours
from .compute_runs import RUN_TABLE
from .figures_descent import AXIS_LABELS, _fmt

GIF_DPI = 100
# Inches at GIF_DPI: 640 x 420 pixels keeps each GIF well under 300 KB. The quadratic's square
# box at equal scales needs a square plot, so its frame is narrower.
GIF_SIZE = {"contours": (6.4, 4.2), "curve": (6.4, 4.2), "square": (5.5, 4.2)}
_BOTTOM, _TOP = 0.103, 0.944
_SQUARE_RIGHT = 0.09 + (_TOP - _BOTTOM) * 4.2 / 5.5   # the plot as wide as it is high
# Every GIF of a kind has the same frame, so its layout is fixed (left, bottom, right, top, wspace)
# rather than solved per GIF; the build's edge check guards it against clipped labels.
GIF_MARGINS = {"contours": (0.08, _BOTTOM, 0.84, _TOP, 0.2), "curve": (0.085, _BOTTOM, 0.965, _TOP, 0.2),
               "square": (0.09, _BOTTOM, _SQUARE_RIGHT, _TOP, 0.2)}
GIF_COLORBAR = {"contours": (0.875, 0.145, 0.025, 0.72), "square": (_SQUARE_RIGHT + 0.04, 0.145, 0.029, 0.72)}


def _inches(width, height, left, bottom, right, top):
    """A frame's size and margins (figure fractions, as in GIF_MARGINS) from its margins in inches."""
    return (width, height), (left / width, bottom / height, 1 - right / width, 1 - top / height, 0.2)


# A phone's frames (the narrow variant): the column's width at the page's DPI and the same font sizes,
# so the text reads at a phone's scale; the title takes two lines and the legend goes under the plot,
# which it would hide much of. Margins in inches: left (tick labels and the w2 label), bottom (tick
# labels, the w1 label and two rows of legend), right (the colour bar), top (the title).
_NARROW_MARGINS = {"contours": (0.46, 0.84, 0.8, 0.46), "curve": (0.5, 0.9, 0.1, 0.46)}
_SQUARE_SIDE = NARROW_WIDTH - 0.46 - 0.8   # the quadratic's plot is as high as it is wide
NARROW_FRAMES = {"contours": _inches(NARROW_WIDTH, 3.7, *_NARROW_MARGINS["contours"]),
                 "curve": _inches(NARROW_WIDTH, 3.2, *_NARROW_MARGINS["curve"]),
                 "square": _inches(NARROW_WIDTH, _SQUARE_SIDE + 0.84 + 0.46, *_NARROW_MARGINS["contours"])}
NARROW_COLORBAR = (0.15, 0.1)   # inches: the colour bar's gap from the plot, and its width
PROBLEM_NAMES = {"logistic": "the logistic loss", "sine": "the sine loss",
                 "quadratic": r"the quadratic $\mathbf{w}^\top A \mathbf{w}$", "parabola": "$w^2 + 1$"}


def frame_kind(problem):
    """Which fixed frame a problem's GIF uses."""
    return {"parabola": "curve", "quadratic": "square"}.get(problem, "contours")


def _point(v):
    """A start point as text with true minus signs: (−4, −2)."""
    return _fmt(v).replace("-", "\u2212")


def gif_title(run, narrow=False):
    """The run in words, e.g. "Gradient descent on the sine loss: lr 0.2, from (1, 3)" (on two lines if narrow)."""
    method = "Gradient descent" if run["beta"] is None else f"Momentum (β {run['beta']:g})"
    return f"{method} on {PROBLEM_NAMES[run['problem']]}{chr(10) if narrow else ': '}lr {run['lr']:g}, " \
           f"from {_point(run['start'])}"


def _frame(kind, narrow):
    """A figure with a kind of GIF's fixed frame, wide or for a phone, and where its colour bar goes."""
    if not narrow:
        fig = new_figure(*GIF_SIZE[kind], margins=GIF_MARGINS[kind])
        fig.set_dpi(GIF_DPI)
        return fig, GIF_COLORBAR.get(kind)
    (width, height), margins = NARROW_FRAMES[kind]
    fig = new_figure(width, height, margins=margins)
    fig.set_dpi(DPI)
    _, bottom, right, top, _ = margins
    gap, bar = NARROW_COLORBAR
    return fig, (right + gap / width, bottom + 0.1 * (top - bottom), bar / width, 0.8 * (top - bottom))


def _animation_background(problem, landscapes, narrow=False):
    """A figure with the run's landscape drawn: contour map of a 2-D loss, or the curve of x^2 + 1."""
    kind = frame_kind(problem)
    fig, bar = _frame(kind, narrow)
    ax = fig.add_subplot()
    if problem == "parabola":
        x, f = landscapes["parabola"]["x"], landscapes["parabola"]["f"]
        ax.plot(x, f, color="C0", label="$f(w) = w^2 + 1$")
        ax.set(xlabel="$w$", ylabel="$f(w)$", xlim=(x.min(), x.max()), ylim=(-5, f.max() * 1.08))
        return fig, ax
    grid = landscapes[problem]["grid"]
    draw_contours(ax, grid["W1"], grid["W2"], grid["L"], levels=grid.get("levels"), colorbar=fig.add_axes(bar))
    labels = AXIS_LABELS[problem]
    ax.set(xlabel=labels[0], ylabel=labels[1], xlim=(grid["W1"].min(), grid["W1"].max()),
           ylim=(grid["W2"].min(), grid["W2"].max()))
    if kind == "square":
        ax.set_aspect("equal")   # the frame is square already: this only states it
    return fig, ax


def minimum_of(problem, logistic_optimum, sine_optimum):
    """Where the run's landscape has the minimum it heads for, as (label, point in the GIF's coordinates)."""
    return {"logistic": ("minimum", logistic_optimum["optimum"]["w"]),
            "sine": ("local minimum", sine_optimum["optimum"]["w"]),
            "quadratic": ("minimum", (0.0, 0.0)), "parabola": ("minimum", (0.0, 1.0))}[problem]


@figure(each={f"anim-{name}": {"name": name} for name in RUN_TABLE})
def descent_animation(runs, logistic_surface, sine_surface, quadratic_surface, parabola_curve,
                      logistic_optimum, sine_optimum, name, narrow):
    """One descent run as a GIF: the path growing from its marked start towards the marked minimum."""
    run = runs[name]
    fig, ax = _animation_background(run["problem"], {
        "logistic": logistic_surface, "sine": sine_surface, "quadratic": quadratic_surface,
        "parabola": parabola_curve}, narrow)
    # Centred on the frame (the square one's plot is narrower, its frame has room for the title).
    fig.suptitle(gif_title(run, narrow), y=0.985, fontsize=10, linespacing=1.15)
    path = run["path"]
    if path.shape[1] == 1:      # a 1-D run moves along its curve: columns x and f(x)
        path = np.column_stack([path[:, 0], run["losses"]])
    # Both marks are in every frame, above the path (see PathAnimation.marks). The minimum is a large
    # star, so the moving head (a smaller dot) covers only its middle when the run arrives.
    label, w_min = minimum_of(run["problem"], logistic_optimum, sine_optimum)
    minimum, = ax.plot([w_min[0]], [w_min[1]], marker="*", markersize=17, color="white", markeredgecolor="black",
                       markeredgewidth=1.2, linestyle="none", label=label)
    start, = ax.plot([path[0, 0]], [path[0, 1]], marker="o", markersize=9, color=MARK_COLORS[0],
                     markeredgecolor="black", linestyle="none", label=f"start {_point(run['start'])}", clip_on=False)
    return PathAnimation(fig, ax, path, run["losses"], color=PATH_COLOR, marks=(start, minimum),
                         label="momentum path" if run["beta"] is not None else "descent path",
                         legend_below=narrow, label_size=10 if narrow else 11)
