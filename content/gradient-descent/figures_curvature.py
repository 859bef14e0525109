"""Figures of sections 6-7: Taylor models, convexity, Newton, the ill-conditioned quadratic, momentum.

Each function draws computed results (see compute_curvature.py) and computes nothing itself.
"""
import numpy as np

from lecturekit.engine.registry import figure
from lecturekit.plotting.style import MARK_COLORS, PAGE_WIDTH, PANEL_HEIGHT, PATH_COLOR, new_figure
from lecturekit.plotting.surfaces import contour_levels, draw_contours, draw_path, draw_surface, mark_points

MODEL_COLOR = "#d7301f"    # the quadratic model, drawn over the true loss
AXIS_COLORS = ("#ffffff", "#ffd700")
SECOND_PATH = "#ff8f00"    # plain GD beside momentum
SINE_LABELS = ("$w_0$", "$w_1$")
LOGISTIC_LABELS = ("$w_1$", "$w_2$")


def _star(ax, w, label, z=None, color=MARK_COLORS[0], marker="*", size=13):
    """One distinctive marker with a legend entry, on a 2-D or 3-D axes."""
    coords = [[w[0]], [w[1]]] + ([[z]] if z is not None else [])
    ax.plot(*coords, marker=marker, color=color, markeredgecolor="black", markersize=size,
            linestyle="none", label=label, zorder=8)


def taylor_surface(taylor, labels):
    """True loss as a surface, the quadratic model as a wireframe: whole grid and close to w*."""
    from matplotlib.ticker import MaxNLocator
    fig = new_figure(PAGE_WIDTH, PANEL_HEIGHT + 0.4)
    fig.get_layout_engine().set(h_pad=0.1)  # the layout leaves a 3-D title no room above it
    for i, (part, title) in enumerate((("full", "whole grid"), ("local", "close to $w^*$"))):
        grid = taylor[part]
        ax = fig.add_subplot(1, 2, i + 1, projection="3d")
        L, Q = grid["L"], grid["Q"]
        draw_surface(ax, grid["W1"], grid["W2"], L)
        # Hide the model where it leaves the surface's range: a parabola outgrows any loss.
        lo, hi = L.min() - 0.1 * np.ptp(L), L.max()
        shown = np.where((Q >= lo) & (Q <= hi), Q, np.nan)
        ax.plot_wireframe(grid["W1"], grid["W2"], shown, color=MODEL_COLOR, linewidth=0.6,
                          rstride=1 if part == "local" else 2, cstride=1 if part == "local" else 2,
                          label="2nd-order Taylor model")
        _star(ax, taylor["w"], "$w^*$ (grid best)", z=taylor["loss"])
        ax.set_zlim(lo, hi)
        for axis in (ax.xaxis, ax.yaxis):  # fewer ticks, so the close-up's labels do not collide
            axis.set_major_locator(MaxNLocator(4))
        ax.set(xlabel=labels[0], ylabel=labels[1], title=f"{title} (height: loss)")
        if i == 0:
            ax.legend(loc="upper left", fontsize=7)
    return fig


@figure
def logistic_taylor_surface(logistic_taylor):
    """Logistic NLL and its Taylor model at the grid best, in 3-D."""
    return taylor_surface(logistic_taylor["taylor"], LOGISTIC_LABELS)


@figure
def sine_taylor_surface(sine_taylor):
    """Sine MSE and its Taylor model at the grid best, in 3-D."""
    return taylor_surface(sine_taylor["taylor"], SINE_LABELS)


def taylor_contours(taylor, labels):
    """Contours of the quadratic model, true contours dashed, and the eigen-axes from w*."""
    fine = taylor["fine"]
    (x0, x1), (y0, y1) = fine["box"]
    fig = new_figure(PAGE_WIDTH * 0.85, 0.8 + 4.4 * (y1 - y0) / (x1 - x0))  # equal aspect, little white space
    ax = fig.add_subplot()
    levels = contour_levels(taylor["full"]["L"])
    draw_contours(ax, fine["W1"], fine["W2"], fine["Q"], levels=levels)
    ax.contour(fine["W1"], fine["W2"], fine["L"], levels=levels, colors="0.15", linewidths=0.6,
               linestyles="dashed", alpha=0.7)
    ax.plot([], [], color="0.15", linestyle="dashed", linewidth=0.8, label="true loss (dashed)")
    w = np.asarray(taylor["w"])
    V = np.asarray(taylor["eigenvectors"])
    for i, (lam, length) in enumerate(zip(taylor["eigenvalues"], taylor["axis_lengths"])):
        end = w + length * V[:, i]
        ax.annotate("", xy=end, xytext=w, zorder=9,
                    arrowprops=dict(arrowstyle="-|>", color=AXIS_COLORS[i], linewidth=2.2, mutation_scale=14,
                                    shrinkA=0, shrinkB=0))
        ax.annotate(f"$\\lambda_{i + 1} = {lam:.3g}$", xy=end, xytext=(4, 4), textcoords="offset points",
                    color="black", fontsize=9, zorder=10,
                    bbox=dict(boxstyle="round,pad=0.2", facecolor=AXIS_COLORS[i], edgecolor="0.3", alpha=0.9))
    _star(ax, taylor["model_minimizer"], "minimum of the model", color=MARK_COLORS[2], marker="X", size=7)
    _star(ax, w, "$w^*$ (grid best)", size=10)
    ax.set_aspect("equal")
    ax.set_xlim(fine["W1"].min(), fine["W1"].max())
    ax.set_ylim(fine["W2"].min(), fine["W2"].max())
    ax.set(xlabel=labels[0], ylabel=labels[1])
    ax.legend(loc="upper left", fontsize=7)
    return fig


@figure
def logistic_taylor_contours(logistic_taylor):
    """The logistic Taylor model's contours with its eigen-axes."""
    return taylor_contours(logistic_taylor["taylor"], LOGISTIC_LABELS)


@figure
def sine_taylor_contours(sine_taylor):
    """The sine Taylor model's contours with its eigen-axes."""
    return taylor_contours(sine_taylor["taylor"], SINE_LABELS)


@figure
def sine_convexity_map(sine_convexity, sine_surface, sine_optimum):
    """Grid points of the sine loss shaded by whether the Hessian there is positive definite."""
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch
    pd, grid = sine_convexity["pd_map"]["pd"], sine_surface["grid"]   # pd: on the surface's grid
    fig = new_figure(PAGE_WIDTH * 0.8, PANEL_HEIGHT + 0.6)
    ax = fig.add_subplot()
    colors = ("#bdbdbd", "#4daf4a")
    ax.pcolormesh(grid["W1"], grid["W2"], pd.astype(float), cmap=ListedColormap(colors), vmin=0, vmax=1,
                  shading="nearest", alpha=0.75)
    ax.contour(grid["W1"], grid["W2"], grid["L"], levels=contour_levels(grid["L"], 15), colors="0.2",
               linewidths=0.6, alpha=0.8)
    ax.plot(grid["W1"].ravel(), grid["W2"].ravel(), ".", color="black", markersize=1.2)
    _star(ax, sine_surface["grid_best"], "grid best")
    _star(ax, sine_optimum["optimum"]["w"], "local minimum (Newton)", color=MARK_COLORS[2], marker="X", size=9)
    handles, _ = ax.get_legend_handles_labels()
    handles = [Patch(facecolor=colors[1], label="Hessian positive definite"),
               Patch(facecolor=colors[0], label="not positive definite")] + handles
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7)
    ax.grid(False)
    ax.set(xlabel=SINE_LABELS[0], ylabel=SINE_LABELS[1])
    return fig


@figure
def newton_vs_gd(logistic_optimum, sine_optimum):
    """Distance to the local minimum against step: Newton's method and gradient descent."""
    fig = new_figure(PAGE_WIDTH, PANEL_HEIGHT)
    for i, (title, opt) in enumerate((("logistic NLL", logistic_optimum["optimum"]),
                                      ("sine MSE", sine_optimum["optimum"]))):
        ax = fig.add_subplot(1, 2, i + 1)
        floor = 1e-16  # exact hits would vanish from a log axis
        ax.semilogy(np.maximum(opt["newton_distances"], floor), "o-", color=PATH_COLOR, label="Newton")
        for key, color, style in (("gd_lecture_lr", "C0", "-"), ("gd_best_lr", SECOND_PATH, "--")):
            gd = opt[key]
            ax.semilogy(np.maximum(gd["distances"], floor), style, color=color, label=f"GD, lr {gd['lr']:.3g}")
        ax.axhline(opt["tolerance"], color="0.3", linewidth=0.8, linestyle=":", label="tolerance")
        last = max(s for s in (opt["gd_lecture_lr"]["steps"], opt["gd_best_lr"]["steps"]) if s is not None)
        ax.set_xscale("symlog", linthresh=10, linscale=0.8)  # Newton's few steps and GD's hundreds
        ax.set_xlim(0, 1.5 * last)
        ax.set_ylim(floor * 10, 3 * opt["distance_from_grid_best"])
        ax.set(title=title, xlabel="step", ylabel="distance to the minimum")
        ax.legend(fontsize=7, loc="upper right")
    return fig


def draw_arrow_path(ax, path, color=PATH_COLOR, label="path", min_step=0.2):
    """A path as a line with dots and an arrowhead on every step long enough to carry one."""
    path = np.asarray(path)
    ax.plot(path[:, 0], path[:, 1], "-o", color=color, markersize=2.5, linewidth=1.2, label=label, zorder=6)
    for a, b in zip(path[:-1], path[1:]):
        if np.linalg.norm(b - a) >= min_step:  # head at mid-step, so heads and dots do not pile up
            ax.annotate("", xy=a + 0.6 * (b - a), xytext=a, zorder=7, arrowprops=dict(
                arrowstyle="-|>", color=color, linewidth=1.2, mutation_scale=15, shrinkA=0, shrinkB=0))


QUAD_RUNS = ("quad_axis", "quad_lr1", "quad_lr09", "quad_momentum")


def _point(w):
    """A point as text, e.g. "(−4, −2)", with true minus signs."""
    return "(" + ", ".join(f"{x:g}" for x in w).replace("-", "−") + ")"


def _momentum_label(run):
    """A momentum run's legend entry, e.g. "momentum, β 0.9", read off the run."""
    return f"momentum, β {run['beta']:g}"


def _run_title(name, run):
    """Two lines, e.g. "quad_lr09" over "from (−4, −2), lr 0.9", read off the run itself."""
    momentum = f", β {run['beta']:g}" if run["beta"] is not None else ""
    return f"{name}\nfrom {_point(run['start'])}, lr {run['lr']:g}{momentum}"


@figure
def quadratic_paths(quadratic_surface, runs):
    """The four quadratic runs on the contours of w^T H w, each step an arrow."""
    grid = quadratic_surface["grid"]
    fig = new_figure(PAGE_WIDTH * 0.9, PAGE_WIDTH * 0.85)
    for i, name in enumerate(QUAD_RUNS):
        ax = fig.add_subplot(2, 2, i + 1)
        draw_contours(ax, grid["W1"], grid["W2"], grid["L"], levels=grid["levels"], colorbar=False)
        draw_arrow_path(ax, runs[name]["path"])
        _star(ax, runs[name]["path"][0], "start", color=MARK_COLORS[0], marker="o", size=7)
        _star(ax, (0.0, 0.0), "minimum", color="white", marker="*", size=11)
        ax.set_aspect("equal")
        ax.set_xlim(*grid["box"][0])
        ax.set_ylim(*grid["box"][1])
        title = _run_title(name, runs[name])
        ax.set(title=title, xlabel="$w_1$ ($\\lambda_1 = 0.1$)", ylabel="$w_2$ ($\\lambda_2 = 1$)")
        if i == 0:
            ax.legend(loc="lower right", fontsize=7)
    return fig


@figure
def quadratic_rates(quadratic_theory, runs):
    """Distance to the minimum against step on a log axis, beside the predicted e_0 rate^k."""
    fig = new_figure(PAGE_WIDTH, PANEL_HEIGHT)
    ax = fig.add_subplot()
    for i, name in enumerate(QUAD_RUNS):
        path, rates = runs[name]["path"], quadratic_theory["runs"][name]
        e = np.linalg.norm(path, axis=-1)
        k = np.arange(len(e))
        ax.semilogy(k, e, "o", markersize=2.5, color=f"C{i}",
                    label=f"{name}: measured {rates['measured_rate']:.3f}")
        # The prediction is a slope: anchor it at the last point, where the slowest direction dominates.
        ax.semilogy(k, e[-1] * rates["predicted_rate"] ** (k - k[-1]), "-", color=f"C{i}", linewidth=0.9,
                    alpha=0.7, label=f"predicted {rates['predicted_rate']:.3f}" + " per step")
    ax.set(xlabel="step $k$", ylabel="$\\|w_k - w^*\\|$")
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return fig


@figure
def sine_momentum_path(runs, sine_momentum_baseline, sine_surface, sine_optimum):
    """Momentum and plain GD from (2.2, 2.2) over the sine surface and its contours."""
    grid = sine_surface["grid"]
    W1, W2, L = grid["W1"], grid["W2"], grid["L"]
    fig = new_figure(PAGE_WIDTH, PANEL_HEIGHT + 0.4)
    ax3 = fig.add_subplot(1, 2, 1, projection="3d")
    ax2 = fig.add_subplot(1, 2, 2)
    draw_surface(ax3, W1, W2, L)
    zoom = sine_momentum_baseline["momentum_zoom"]
    draw_contours(ax2, zoom["W1"], zoom["W2"], zoom["L"], levels=contour_levels(zoom["L"], 20))
    momentum, plain = runs["sine_momentum"], sine_momentum_baseline["momentum_baseline"]
    for run, label, color in ((plain, "plain GD", SECOND_PATH), (momentum, _momentum_label(momentum), PATH_COLOR)):
        draw_path(ax3, run["path"], run["losses"], label=label, color=color)
        draw_path(ax2, run["path"], label=label, color=color)
    opt = sine_optimum["optimum"]
    mark_points(ax2, [(f"start {_point(momentum['start'])}", momentum["path"][0])])
    _star(ax2, opt["w"], "local minimum", color=MARK_COLORS[2], marker="X", size=9)
    for ax in (ax3, ax2):
        ax.set(xlabel=SINE_LABELS[0], ylabel=SINE_LABELS[1])
    ax2.set_xlim(zoom["W1"].min(), zoom["W1"].max())
    ax2.set_ylim(zoom["W2"].min(), zoom["W2"].max())
    ax2.set_title("contours, zoomed to the paths")
    ax3.set_title("the whole grid")
    ax2.legend(loc="upper right", fontsize=7)
    return fig


@figure
def sine_momentum_losses(runs, sine_momentum_baseline, sine_optimum):
    """Loss against step for momentum and plain GD from the same start."""
    fig = new_figure(PAGE_WIDTH * 0.8, PANEL_HEIGHT - 0.3)
    ax = fig.add_subplot()
    momentum = runs["sine_momentum"]
    ax.plot(momentum["losses"], "o-", markersize=2.5, color=PATH_COLOR, label=_momentum_label(momentum))
    ax.plot(sine_momentum_baseline["momentum_baseline"]["losses"], "o-", markersize=2.5, color=SECOND_PATH,
            label="plain GD")
    ax.axhline(sine_optimum["optimum"]["loss"], color="0.3", linestyle=":", linewidth=1, label="local minimum")
    ax.set(xlabel="step", ylabel="MSE")
    ax.legend(fontsize=7)
    return fig
