"""Figures of sections 4-5: gradient fields, descent paths, loss curves, the divergence, and one GIF per run.

Parameters name the computations a figure draws from (compute.py,
compute_runs.py, compute_descent.py).
"""
import numpy as np

from lecturekit.engine.registry import figure
from lecturekit.plotting.animate import PathAnimation
from lecturekit.plotting.style import PATH_COLOR, new_figure
from lecturekit.plotting.surfaces import draw_contours, draw_path, mark_points, surface_and_contours
from .compute_runs import RUN_TABLE

GIF_SIZE = (6.4, 4.2)   # inches at GIF_DPI: 640 x 420 pixels keeps each GIF well under 300 KB
GIF_DPI = 100
# Every GIF has the same frame, so its layout is fixed (left, bottom, right, top, wspace)
# rather than solved per GIF; the build's edge check guards it against clipped labels.
GIF_MARGINS = {"contours": (0.08, 0.103, 0.84, 0.944, 0.2), "curve": (0.085, 0.103, 0.965, 0.944, 0.2)}
GIF_COLORBAR = (0.875, 0.145, 0.025, 0.72)  # left, bottom, width, height
AXIS_LABELS = {"logistic": ("$w_1$", "$w_2$"), "sine": ("$w_0$", "$w_1$"), "quadratic": ("$w_1$", "$w_2$")}


def _fmt(v):
    """A start point or learning rate as short text: (0, 0), 1.08."""
    return f"({', '.join(f'{x:g}' for x in v)})" if isinstance(v, (list, tuple)) else f"{v:g}"


def _run_marks(run):
    """Start and end of a run, as (label, w, loss) marks."""
    end = "converged" if run["converged"] else f"after {run['path_length'] - 1} steps"
    return [(f"start {_fmt(run['start'])}", run["path"][0], run["losses"][0]),
            (f"end ({end})", run["path"][-1], run["losses"][-1])]


def _path_figure(grid, run, labels):
    """A descent path over the loss surface and its contour map."""
    return surface_and_contours(grid, _run_marks(run), path=run["path"], path_losses=run["losses"],
                                labels=labels, path_label=f"descent path, lr {_fmt(run['lr'])}")


@figure
def logistic_gradient_field(logistic_surface, logistic_gradient):
    """The logistic loss surface, and the negative gradient on the 30x30 grid as arrows."""
    field = logistic_gradient["gradient_field"]
    marks = [("grid best", logistic_surface["grid_best"], logistic_surface["grid_best_loss"])]
    return surface_and_contours(logistic_surface["grid"], marks, field=(field["U"], field["V"]),
                                field_label=r"$-\nabla L$ (direction only)")


@figure
def sine_gradient_field(sine_surface, sine_gradient):
    """The sine loss surface, and the negative gradient on the 30x30 grid as arrows."""
    field = sine_gradient["gradient_field"]
    marks = [("grid best", sine_surface["grid_best"], sine_surface["grid_best_loss"])]
    return surface_and_contours(sine_surface["grid"], marks, field=(field["U"], field["V"]),
                                labels=AXIS_LABELS["sine"], field_label=r"$-\nabla L$ (direction only)")


@figure
def logistic_gd_path(logistic_surface, runs):
    """Run logistic_gd over the logistic surface and contours."""
    return _path_figure(logistic_surface["grid"], runs["logistic_gd"], AXIS_LABELS["logistic"])


@figure
def sine_gd_path(sine_surface, runs):
    """Run sine_gd over the sine surface and contours, the contour map zoomed to the path."""
    run = runs["sine_gd"]
    fig = _path_figure(sine_surface["grid"], run, AXIS_LABELS["sine"])
    contour_ax = next(ax for ax in fig.axes if ax.name == "rectilinear")   # the first 2-D axes; the colour bar comes after
    lo, hi = run["path"].min(axis=0), run["path"].max(axis=0)
    pad = 0.6 * (hi - lo).max()    # a square margin, so the zigzag is not squeezed
    contour_ax.set(xlim=(lo[0] - pad, hi[0] + pad), ylim=(lo[1] - pad / 2, hi[1] + pad / 2))
    return fig


@figure
def sine_gd_loss(sine_surface, runs):
    """Run sine_gd: the loss against the step, going up and down."""
    fig = new_figure(5.6, 2.6)
    _draw_loss(fig.add_subplot(), runs["sine_gd"], ("grid best loss", sine_surface["grid_best_loss"]))
    return fig


def _path_and_loss_figure(grid, run, labels, reference):
    """A run's path on the contour map (left) and its loss against the step (right)."""
    fig = new_figure(7.0, 3.2)
    ax_map, ax_loss = fig.add_subplot(1, 2, 1), fig.add_subplot(1, 2, 2)
    draw_contours(ax_map, grid["W1"], grid["W2"], grid["L"])
    draw_path(ax_map, run["path"], label=f"path, lr {_fmt(run['lr'])}")
    mark_points(ax_map, [(label, w) for label, w, _ in _run_marks(run)])
    ax_map.set(xlabel=labels[0], ylabel=labels[1], xlim=(grid["W1"].min(), grid["W1"].max()),
               ylim=(grid["W2"].min(), grid["W2"].max()))
    ax_map.legend(loc="upper left", fontsize=6.5)
    _draw_loss(ax_loss, run, reference)
    return fig


def _draw_loss(ax, run, reference):
    """A run's loss against the step, with a reference level (label, value) as a dashed line."""
    steps = np.arange(len(run["losses"]))
    ax.plot(steps, run["losses"], "-o", color=PATH_COLOR, markersize=2.5, linewidth=1.4, label="loss")
    label, value = reference
    ax.axhline(value, color="0.3", linestyle="--", linewidth=1, label=f"{label} ({value:.4f})")
    ax.set(xlabel="step $k$", ylabel=r"loss $L(\mathbf{w}_k)$")
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=2, fontsize=7, frameon=False)


@figure
def sine_curve_descent(sine_surface, runs):
    """Run sine_curve: path on the contours beside its loss curve."""
    return _path_and_loss_figure(sine_surface["grid"], runs["sine_curve"], AXIS_LABELS["sine"],
                                 ("grid best loss", sine_surface["grid_best_loss"]))


@figure
def logistic_curve_descent(logistic_surface, runs):
    """Run logistic_curve: path on the contours beside its loss curve."""
    return _path_and_loss_figure(logistic_surface["grid"], runs["logistic_curve"], AXIS_LABELS["logistic"],
                                 ("grid best loss", logistic_surface["grid_best_loss"]))


@figure
def parabola_diverge_path(parabola_divergence, parabola_curve):
    """x^2 + 1 with lr above 1: the path on the curve (left), and |x_k| against the closed form (right)."""
    parabola, curve = parabola_divergence, parabola_curve
    fig = new_figure(7.0, 3.0)
    ax_curve, ax_growth = fig.add_subplot(1, 2, 1), fig.add_subplot(1, 2, 2)
    ax_curve.plot(curve["x"], curve["f"], color="C0", label="$f(x) = x^2 + 1$")
    ax_curve.plot(parabola["x"], parabola["losses"], "-o", color=PATH_COLOR, markersize=3.5, linewidth=1.2,
                  label=f"path, lr {parabola['lr']:g}")
    for k, (x, f) in enumerate(zip(parabola["x"], parabola["losses"])):
        ax_curve.annotate(str(k), (x, f), textcoords="offset points", xytext=(0, 5), ha="center", fontsize=7)
    mark_points(ax_curve, [("minimum", (0.0, 1.0))])
    ax_curve.set(xlabel="$x$", ylabel="$f(x)$", ylim=(-5, curve["f"].max() * 1.08))
    ax_curve.legend(loc="upper center", fontsize=7)
    ax_growth.semilogy(parabola["k"], np.abs(parabola["x"]), "o", color=PATH_COLOR, markersize=4,
                       label="$|x_k|$ from the run")
    ax_growth.semilogy(parabola["k"], np.abs(parabola["closed_form"]), "-", color="0.3", linewidth=1,
                       label=f"$|x_0|\\,|1 - 2\\,\\mathrm{{lr}}|^k$, factor {parabola['factor']:.2f}")
    ax_growth.set(xlabel="step $k$", ylabel="$|x_k|$ (log scale)")
    ax_growth.yaxis.set_major_formatter("{x:g}")
    ax_growth.yaxis.set_minor_formatter("{x:g}")
    ax_growth.legend(loc="upper left", fontsize=7)
    return fig


def _animation_background(problem, landscapes):
    """A figure with the run's landscape drawn: contour map of a 2-D loss, or the curve of x^2 + 1."""
    fig = new_figure(*GIF_SIZE, margins=GIF_MARGINS["curve" if problem == "parabola" else "contours"])
    fig.set_dpi(GIF_DPI)
    ax = fig.add_subplot()
    if problem == "parabola":
        x, f = landscapes["parabola"]["x"], landscapes["parabola"]["f"]
        ax.plot(x, f, color="C0", label="$f(x) = x^2 + 1$")
        ax.set(xlabel="$x$", ylabel="$f(x)$", xlim=(x.min(), x.max()), ylim=(-5, f.max() * 1.08))
        return fig, ax
    grid = landscapes[problem]["grid"]
    draw_contours(ax, grid["W1"], grid["W2"], grid["L"], levels=grid.get("levels"),
                  colorbar=fig.add_axes(GIF_COLORBAR))
    labels = AXIS_LABELS[problem]
    ax.set(xlabel=labels[0], ylabel=labels[1], xlim=(grid["W1"].min(), grid["W1"].max()),
           ylim=(grid["W2"].min(), grid["W2"].max()))
    return fig, ax


@figure(each={f"anim-{name}": {"name": name} for name in RUN_TABLE})
def descent_animation(runs, logistic_surface, sine_surface, quadratic_surface, parabola_curve, name):
    """One descent run as a GIF: the path growing step by step over its landscape."""
    run = runs[name]
    fig, ax = _animation_background(run["problem"], {
        "logistic": logistic_surface, "sine": sine_surface, "quadratic": quadratic_surface,
        "parabola": parabola_curve})
    method = "gradient descent" if run["beta"] is None else f"momentum, beta {run['beta']:g}"
    ax.set_title(f"{name}: {method}, lr {run['lr']:g}, start {_fmt(run['start'])}")
    path = run["path"]
    if path.shape[1] == 1:      # a 1-D run moves along its curve: columns x and f(x)
        path = np.column_stack([path[:, 0], run["losses"]])
    return PathAnimation(fig, ax, path, run["losses"], color=PATH_COLOR,
                         label="momentum path" if run["beta"] is not None else "descent path")
