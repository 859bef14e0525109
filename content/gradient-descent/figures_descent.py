"""Figures of sections 4-5: gradient fields, descent paths, loss curves, the divergence (GIFs: figures_animations.py).

Parameters name the computations a figure draws from (compute.py,
compute_runs.py, compute_descent.py).
"""
import numpy as np

from lecturekit.engine.registry import figure
from lecturekit.plotting.style import PANEL_HEIGHT, PATH_COLOR, one_panel, two_panels
from lecturekit.plotting.paths import draw_step_path, label_steps
from lecturekit.plotting.surfaces import draw_contours, draw_path, draw_surface, mark_points, surface_and_contours

AXIS_LABELS = {"logistic": ("$w_1$", "$w_2$"), "sine": ("$w_0$", "$w_1$"), "quadratic": ("$w_1$", "$w_2$")}


def _fmt(v):
    """A start point or learning rate as short text: (0, 0), 1.08."""
    return f"({', '.join(f'{x:g}' for x in v)})" if isinstance(v, (list, tuple)) else f"{v:g}"


def _run_marks(run):
    """Start and end of a run, as (label, w, loss) marks."""
    end = "converged" if run["converged"] else f"after {run['path_length'] - 1} steps"
    return [(f"start {_fmt(run['start'])}", run["path"][0], run["losses"][0]),
            (f"end ({end})", run["path"][-1], run["losses"][-1])]


def _path_figure(grid, run, labels, narrow):
    """A descent path over the loss surface and its contour map."""
    return surface_and_contours(grid, _run_marks(run), path=run["path"], path_losses=run["losses"],
                                labels=labels, path_label=f"descent path, lr {_fmt(run['lr'])}", narrow=narrow)


@figure
def logistic_gradient_field(logistic_surface, logistic_gradient, narrow=False):
    """The logistic loss surface, and the negative gradient on the 30x30 grid as arrows."""
    field = logistic_gradient["gradient_field"]
    marks = [("grid best", logistic_surface["grid_best"], logistic_surface["grid_best_loss"])]
    return surface_and_contours(logistic_surface["grid"], marks, field=(field["U"], field["V"]),
                                field_label=r"$-\nabla L$ (direction only)", narrow=narrow)


@figure
def sine_gradient_field(sine_surface, sine_gradient, narrow=False):
    """The sine loss surface, and the negative gradient on the 30x30 grid as arrows."""
    field = sine_gradient["gradient_field"]
    marks = [("grid best", sine_surface["grid_best"], sine_surface["grid_best_loss"])]
    return surface_and_contours(sine_surface["grid"], marks, field=(field["U"], field["V"]),
                                labels=AXIS_LABELS["sine"], field_label=r"$-\nabla L$ (direction only)", narrow=narrow)


@figure
def logistic_gd_path(logistic_surface, runs, narrow=False):
    """Run logistic_gd over the logistic surface and contours."""
    return _path_figure(logistic_surface["grid"], runs["logistic_gd"], AXIS_LABELS["logistic"], narrow)


FIRST_STEPS = 4   # numbered on sine_gd's map: enough to show the cycle, few enough to stay off the path


@figure
def sine_gd_path(sine_surface, runs, narrow=False):
    """Run sine_gd over the sine surface (left) and on a contour map zoomed to the path (right, wider).

    The path runs back and forth over one line, so on the map it is coloured by
    step and its first cycle is numbered: top wall, middle, bottom, top again.
    """
    from matplotlib import patheffects
    run, grid = runs["sine_gd"], sine_surface["grid"]
    path, marks = run["path"], _run_marks(run)
    fig, ax3, ax2 = two_panels(narrow, PANEL_HEIGHT + 0.9, width_ratios=(1, 1.7), projection="3d")
    draw_surface(ax3, grid["W1"], grid["W2"], grid["L"])
    draw_path(ax3, path, run["losses"], label=f"descent path, lr {_fmt(run['lr'])}")
    mark_points(ax3, marks, surface=True)
    lo, hi = path.min(axis=0), path.max(axis=0)
    pad = 0.25 * (hi - lo)
    draw_contours(ax2, grid["W1"], grid["W2"], grid["L"])
    points = draw_step_path(ax2, path, label=f"descent path, lr {_fmt(run['lr'])}, coloured by step")
    mark_points(ax2, [(label, w) for label, w, _ in marks])
    ax2.set(xlim=(lo[0] - 2 * pad[0], hi[0] + 3 * pad[0]), ylim=(lo[1] - pad[1], hi[1] + pad[1]))
    for ax in (ax3, ax2):
        ax.set(xlabel=AXIS_LABELS["sine"][0], ylabel=AXIS_LABELS["sine"][1])
    fig.colorbar(points, ax=ax2, location="bottom", shrink=0.6, aspect=30, label="step $k$")
    handles, names = ax2.get_legend_handles_labels()
    fig.legend(handles, names, loc="outside lower center", ncols=1 if narrow else 3, fontsize=7.5)
    label_steps(ax2, path[:FIRST_STEPS], avoid=ax2.get_lines(), fontsize=9, merge=20, path=path, leaders=True,
                nearer=0.6,   # amid the bundle, a number clearly by its own dot or out on a line
                color="white", path_effects=[patheffects.withStroke(linewidth=2, foreground="black")])
    return fig


@figure
def sine_gd_loss(sine_surface, runs, narrow=False):
    """Run sine_gd: the loss against the step, going up and down."""
    fig, ax = one_panel(narrow, (5.6, 2.6), 2.9)
    _draw_loss(ax, runs["sine_gd"], ("grid best loss", sine_surface["grid_best_loss"]))
    return fig


def _path_and_loss_figure(grid, run, labels, reference, narrow):
    """A run's path on the contour map (left, or above) and its loss against the step (right, or below)."""
    fig, ax_map, ax_loss = two_panels(narrow, 3.2)
    draw_contours(ax_map, grid["W1"], grid["W2"], grid["L"])
    draw_path(ax_map, run["path"], label=f"path, lr {_fmt(run['lr'])}")
    mark_points(ax_map, [(label, w) for label, w, _ in _run_marks(run)])
    ax_map.set(xlabel=labels[0], ylabel=labels[1], xlim=(grid["W1"].min(), grid["W1"].max()),
               ylim=(grid["W2"].min(), grid["W2"].max()))
    if narrow:   # under the map: inside, a phone's small map lost a corner to it (the sine's second valley)
        ax_map.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), fontsize=7)
    else:
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
def sine_curve_descent(sine_surface, runs, narrow=False):
    """Run sine_curve: path on the contours beside its loss curve."""
    return _path_and_loss_figure(sine_surface["grid"], runs["sine_curve"], AXIS_LABELS["sine"],
                                 ("grid best loss", sine_surface["grid_best_loss"]), narrow)


@figure
def logistic_curve_descent(logistic_surface, runs, narrow=False):
    """Run logistic_curve: path on the contours beside its loss curve."""
    return _path_and_loss_figure(logistic_surface["grid"], runs["logistic_curve"], AXIS_LABELS["logistic"],
                                 ("grid best loss", logistic_surface["grid_best_loss"]), narrow)


@figure
def parabola_diverge_path(parabola_divergence, parabola_curve, narrow=False):
    """x^2 + 1 with lr above 1: the path on the curve (left), and |x_k| against the closed form (right)."""
    parabola, curve = parabola_divergence, parabola_curve
    fig, ax_curve, ax_growth = two_panels(narrow, 3.0)
    ax_curve.plot(curve["x"], curve["f"], color="C0", label="$f(w) = w^2 + 1$")
    ax_curve.plot(parabola["x"], parabola["losses"], "-o", color=PATH_COLOR, markersize=3.5, linewidth=1.2,
                  label=f"path, lr {parabola['lr']:g}")
    mark_points(ax_curve, [("minimum", (0.0, 1.0))])
    # f on a log scale: |w| grows by the same factor each step, so the steps climb by equal heights
    # and their numbers do not crowd near the minimum.
    ax_curve.set(xlabel="$w$", ylabel="$f(w)$ (log scale)", yscale="log", ylim=(0.7, curve["f"].max() * 1.6))
    ax_curve.yaxis.set_major_formatter("{x:g}")
    ax_curve.legend(loc="lower right", fontsize=7)
    ax_growth.semilogy(parabola["k"], np.abs(parabola["x"]), "o", color=PATH_COLOR, markersize=4,
                       label="$|w_k|$ from the run")
    ax_growth.semilogy(parabola["k"], np.abs(parabola["closed_form"]), "-", color="0.3", linewidth=1,
                       label=f"$|w_0|\\,|1 - 2\\,\\mathrm{{lr}}|^k$, factor {parabola['factor']:.2f}")
    ax_growth.set(xlabel="step $k$", ylabel="$|w_k|$ (log scale)")
    ax_growth.yaxis.set_major_formatter("{x:g}")
    ax_growth.yaxis.set_minor_formatter("{x:g}")
    ax_growth.legend(loc="upper left", fontsize=7)
    # Each number outside the curve, away from the two steps that meet there, so none sit on each other.
    label_steps(ax_curve, np.column_stack([parabola["x"], parabola["losses"]]), fontsize=7.5)
    return fig
