"""Figures of sections 6-7: convexity, Newton, the ill-conditioned quadratic, momentum (Taylor: figures_taylor.py).

Each function draws computed results (see compute_curvature.py) and computes nothing itself.
"""
import numpy as np

from lecturekit.engine.registry import figure
from lecturekit.plotting.style import (MARK_COLORS, PAGE_WIDTH, PANEL_HEIGHT, PATH_COLOR, one_panel,
                                       panel_grid, place_legend, two_panels)
from lecturekit.plotting.paths import draw_step_path, fix_layout, label_steps
from lecturekit.plotting.surfaces import (contour_levels, draw_contours, draw_path, draw_surface, mark_point,
                                          mark_points)

SECOND_PATH = "#ff8f00"    # plain GD beside momentum
SINE_LABELS = ("$w_0$", "$w_1$")


@figure
def sine_convexity_map(sine_convexity, sine_surface, sine_optimum, narrow=False):
    """Grid points of the sine loss shaded by whether the Hessian there is positive definite."""
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch, Rectangle
    pd, grid = sine_convexity["pd_map"]["pd"], sine_surface["grid"]   # pd: on the surface's grid
    fig, ax = one_panel(narrow, (PAGE_WIDTH * 0.8, PANEL_HEIGHT + 0.6), 4.4)
    colors = ("#bdbdbd", "#4daf4a")
    ax.pcolormesh(grid["W1"], grid["W2"], pd.astype(float), cmap=ListedColormap(colors), vmin=0, vmax=1,
                  shading="nearest", alpha=0.75)
    ax.contour(grid["W1"], grid["W2"], grid["L"], levels=contour_levels(grid["L"], 15), colors="0.2",
               linewidths=0.6, alpha=0.8)
    ax.plot(grid["W1"].ravel(), grid["W2"].ravel(), ".", color="black", markersize=1.2)
    # The grid best is one of the map's cells, so its cell is outlined: the local minimum lies about a cell
    # away, where two markers would overlap (on a phone they are 11 CSS pixels apart).
    cell = np.array([grid["W1"][0, 1] - grid["W1"][0, 0], grid["W2"][1, 0] - grid["W2"][0, 0]])
    ax.add_patch(Rectangle(np.asarray(sine_surface["grid_best"]) - cell / 2, *cell, facecolor="none",
                           edgecolor="black", linewidth=1.6, zorder=8, label="grid best (its cell)"))
    mark_point(ax, sine_optimum["optimum"]["w"], "local minimum (Newton)", MARK_COLORS[2], "X",
               size=7 if narrow else 8, zorder=8)
    handles, _ = ax.get_legend_handles_labels()
    handles = [Patch(facecolor=colors[1], label="Hessian positive definite"),
               Patch(facecolor=colors[0], label="not positive definite")] + handles
    place_legend(ax, narrow, handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7)
    ax.grid(False)
    ax.set(xlabel=SINE_LABELS[0], ylabel=SINE_LABELS[1])
    return fig


@figure
def newton_vs_gd(logistic_optimum, sine_optimum, narrow=False):
    """Distance to the local minimum against step, on one linear step axis: Newton's method and gradient descent.

    A linear axis shows a constant factor per step as a straight line on the log
    distance axis; Newton's three or so steps are then a near-vertical drop at
    the left, labelled by their count. Legends sit under the panels, off the curves.
    """
    fig, *axes = two_panels(narrow, PANEL_HEIGHT + 0.5)
    for ax, (title, opt) in zip(axes, (("logistic NLL", logistic_optimum["optimum"]),
                                       ("sine MSE", sine_optimum["optimum"]))):
        floor = 1e-16  # exact hits would vanish from a log axis
        newton = np.maximum(opt["newton_distances"], floor)
        ax.semilogy(newton, "o-", color=PATH_COLOR, markersize=4, label="Newton", zorder=5)
        for key, color, style in (("gd_lecture_lr", "C0", "-"), ("gd_best_lr", SECOND_PATH, "--")):
            gd = opt[key]
            ax.semilogy(np.maximum(gd["distances"], floor), style, color=color, label=f"GD, lr {gd['lr']:.3g}")
        ax.axhline(opt["tolerance"], color="0.3", linewidth=0.8, linestyle=":", label="tolerance")
        last = max(s for s in (opt["gd_lecture_lr"]["steps"], opt["gd_best_lr"]["steps"]) if s is not None)
        ax.set_xlim(-0.02 * 1.5 * last, 1.5 * last)
        ax.set_ylim(floor * 10, 3 * opt["distance_from_grid_best"])
        steps = opt["newton_steps_to_tolerance"]
        ax.annotate(f"Newton: {steps} steps\nto the tolerance", xy=(steps, opt["tolerance"]),
                    xytext=(0.12, 0.3), textcoords="axes fraction", fontsize=8, color=PATH_COLOR,
                    arrowprops=dict(arrowstyle="->", color=PATH_COLOR, linewidth=0.8))
        ax.set(title=title, xlabel="step", ylabel="distance to the minimum")
        ax.legend(fontsize=7.5, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncols=2)
    return fig


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
def quadratic_paths(quadratic_surface, quadratic_curvatures, runs, narrow=False):
    """The four quadratic runs on the contours of w^T A w at equal scales, each coloured by step; each axis
    names the Hessian's eigenvalue along it (the page's λ). Two by two, or for a phone one below the other."""
    grid = quadratic_surface["grid"]
    fig, places = panel_grid(narrow, (2, 2), (PAGE_WIDTH * 0.9, PAGE_WIDTH * 0.9), 4 * 2.7 + 0.9)
    steps = max(len(runs[name]["path"]) - 1 for name in QUAD_RUNS)
    for place, name in zip(places, QUAD_RUNS):
        ax = fig.add_subplot(place)
        draw_contours(ax, grid["W1"], grid["W2"], grid["L"], levels=grid["levels"], colorbar=False)
        points = draw_step_path(ax, runs[name]["path"], label="path, coloured by step", steps=steps)
        mark_point(ax, runs[name]["path"][0], "start", zorder=8)
        mark_point(ax, (0.0, 0.0), "minimum", "white", "*", 13, zorder=8)
        ax.set_aspect("equal")
        ax.set_xlim(*grid["box"][0])
        ax.set_ylim(*grid["box"][1])
        title = _run_title(name, runs[name])
        lam1, lam2 = quadratic_curvatures["hessian_eigenvalues"]
        ax.set(title=title, xlabel=f"$w_1$ ($\\lambda_1 = {lam1:.2g}$)", ylabel=f"$w_2$ ($\\lambda_2 = {lam2:.2g}$)")
    handles, labels = fig.axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=2 if narrow else 3, fontsize=8)
    fig.colorbar(points, ax=fig.axes, location="bottom" if narrow else "right", shrink=0.8 if narrow else 0.5,
                 aspect=25, label="step $k$")
    fix_layout(fig)   # numbers last, where the layout put the panels
    for ax, name in zip(fig.axes, QUAD_RUNS):
        label_steps(ax, runs[name]["path"], avoid=ax.get_lines(), fontsize=8, laid_out=True, color="white")
    return fig


@figure
def quadratic_rates(quadratic_theory, runs, narrow=False):
    """Distance to the minimum against step on a log axis, beside the predicted e_0 rate^k.

    One legend entry per run (its dots and its line together), under the plot,
    so the plot keeps the page's width on a phone.
    """
    from matplotlib.legend_handler import HandlerTuple
    fig, ax = one_panel(narrow, (PAGE_WIDTH, PANEL_HEIGHT + 0.4), PANEL_HEIGHT + 1.2)
    handles, names = [], []
    for i, name in enumerate(QUAD_RUNS):
        path, rates = runs[name]["path"], quadratic_theory["runs"][name]
        e = np.linalg.norm(path, axis=-1)
        k = np.arange(len(e))
        dots, = ax.semilogy(k, e, "o", markersize=2.5, color=f"C{i}")
        # The prediction is a slope: anchor it at the last point, where the slowest direction dominates.
        line, = ax.semilogy(k, e[-1] * rates["predicted_rate"] ** (k - k[-1]), "-", color=f"C{i}", linewidth=0.9,
                            alpha=0.7)
        handles.append((dots, line))
        names.append(f"{name}: measured {rates['measured_rate']:.3f}, predicted {rates['predicted_rate']:.3f}")
    ax.set(xlabel="step $k$", ylabel="$\\|w_k - w^*\\|$")
    fig.legend(handles, names, handler_map={tuple: HandlerTuple(ndivide=None)}, loc="outside lower center",
               ncols=1 if narrow else 2, fontsize=7.5,
               title="per-step factor\n(dots: measured, lines: predicted)" if narrow else
                     "per-step factor (dots: measured, lines: predicted)",
               title_fontsize=7.5)
    return fig


@figure
def sine_momentum_path(runs, sine_momentum_baseline, sine_surface, sine_optimum, narrow=False):
    """Momentum and plain GD from (2.2, 2.2) over the sine surface and its contours."""
    grid = sine_surface["grid"]
    W1, W2, L = grid["W1"], grid["W2"], grid["L"]
    fig, ax3, ax2 = two_panels(narrow, PANEL_HEIGHT + 0.4, projection="3d")
    draw_surface(ax3, W1, W2, L)
    zoom = sine_momentum_baseline["momentum_zoom"]
    draw_contours(ax2, zoom["W1"], zoom["W2"], zoom["L"], levels=contour_levels(zoom["L"], 20))
    momentum, plain = runs["sine_momentum"], sine_momentum_baseline["momentum_baseline"]
    for run, label, color in ((plain, "plain GD", SECOND_PATH), (momentum, _momentum_label(momentum), PATH_COLOR)):
        draw_path(ax2, run["path"], label=label, color=color)
    for run, color in ((momentum, PATH_COLOR), (plain, SECOND_PATH)):   # the short plain path over the long one
        draw_path(ax3, run["path"], run["losses"], label=None, color=color)
    opt = sine_optimum["optimum"]
    mark_points(ax2, [(f"start {_point(momentum['start'])}", momentum["path"][0])])
    mark_point(ax2, opt["w"], "local minimum", MARK_COLORS[2], "X", 9, zorder=8)
    # A ring, not a filled square: the run ends next to the minimum, whose mark a filled one hid or covered.
    end = momentum["path"][-1]
    ax2.plot([end[0]], [end[1]], marker="s", markersize=14, markerfacecolor="none", markeredgecolor=MARK_COLORS[1],
             markeredgewidth=2.2, linestyle="none", zorder=9,
             label=f"momentum's end (step {len(momentum['path']) - 1})")
    for ax in (ax3, ax2):
        ax.set(xlabel=SINE_LABELS[0], ylabel=SINE_LABELS[1])
    ax2.set_xlim(zoom["W1"].min(), zoom["W1"].max())
    ax2.set_ylim(zoom["W2"].min(), zoom["W2"].max())
    ax2.set_title("contours, zoomed to the paths")
    ax3.set_title("the whole grid")
    handles, names = ax2.get_legend_handles_labels()   # under the panels: inside, it hid the paths' ends
    fig.legend(handles, names, loc="outside lower center", ncols=2 if narrow else 3, fontsize=7)
    return fig


@figure
def sine_momentum_losses(runs, sine_momentum_baseline, sine_optimum, narrow=False):
    """Loss against step for momentum and plain GD from the same start."""
    fig, ax = one_panel(narrow, (PAGE_WIDTH * 0.8, PANEL_HEIGHT - 0.3), 3.0)
    momentum = runs["sine_momentum"]
    ax.plot(momentum["losses"], "o-", markersize=2.5, color=PATH_COLOR, label=_momentum_label(momentum))
    ax.plot(sine_momentum_baseline["momentum_baseline"]["losses"], "o-", markersize=2.5, color=SECOND_PATH,
            label="plain GD")
    ax.axhline(sine_optimum["optimum"]["loss"], color="0.3", linestyle=":", linewidth=1, label="local minimum")
    ax.set(xlabel="step", ylabel="MSE")
    place_legend(ax, narrow, fontsize=7)
    return fig
