"""Section 8, the explorer: one small figure per (lr, beta) setting, path over contours + loss curve.

Axes are fixed across the settings of one problem, so that moving a slider
changes only the run, never the frame it is drawn in. The figures are small
on purpose (the explorer has a byte budget): contour lines are drawn without
anti-aliasing, which compresses several times better and reads the same.
"""
import numpy as np

from lecturekit.engine.registry import figure
from lecturekit.plotting.style import MARK_COLORS, PATH_COLOR, new_figure
from .compute_explore import settings


def quad_figure_name(i, j):
    return f"explore-quad-{i}-{j}"


def sine_figure_name(i, j):
    return f"explore-sine-{i}-{j}"


def _verdict(run, epochs):
    if run["diverged"]:
        return "diverges"
    if run["steps"] is None:
        return f"not within 1 % of w* in {epochs} steps"
    return f"within 1 % of w* after {run['steps']} steps"


def _explore_figure(run, contours, w_star, loss_limits, log_loss, labels):
    """Left: the path over contour lines; right: the loss against the step."""
    config = settings()
    W1, W2, L, levels = contours
    fig = new_figure(*config["figure_inches"], margins=(0.1, 0.18, 0.98, 0.87, 0.35))  # one frame for all
    ax, ax_loss = fig.subplots(1, 2, width_ratios=(1.0, 1.15))
    ax.contour(W1, W2, L, levels=levels, colors="0.65", linewidths=0.5, antialiased=False)
    path, losses = np.asarray(run["path"]), np.asarray(run["losses"])
    finite = np.all(np.isfinite(path), axis=1)
    ax.plot(path[finite, 0], path[finite, 1], "-", color=PATH_COLOR, linewidth=1.0, zorder=4)
    ax.plot(*path[0], "o", color=MARK_COLORS[1], markeredgecolor="black", markersize=6, zorder=5)
    ax.plot(*w_star, "*", color=MARK_COLORS[0], markeredgecolor="black", markersize=9, zorder=5)
    ax.set(xlim=(W1.min(), W1.max()), ylim=(W2.min(), W2.max()), xlabel=labels[0], ylabel=labels[1])
    ax.locator_params(nbins=5)
    ax.grid(False)
    steps, shown = np.arange(len(losses)), np.isfinite(losses)
    (ax_loss.semilogy if log_loss else ax_loss.plot)(steps[shown], losses[shown], color=PATH_COLOR, linewidth=1.2)
    ax_loss.grid(False)
    if log_loss:
        ax_loss.set_yticks([10.0 ** k for k in range(-8, 5, 4)])
        ax_loss.minorticks_off()
    ax_loss.set(xlim=(0, config["epochs"]), ylim=loss_limits, xlabel="step", ylabel="loss")
    fig.suptitle(f"lr = {run['lr']:g}, β = {run['beta']:g}: {_verdict(run, config['epochs'])}", fontsize=9)
    return fig


def _each(problem, name):
    own = settings()[problem]
    return {name(i, j): {"i": i, "j": j} for i in range(len(own["lrs"])) for j in range(len(own["betas"]))}


@figure(each=_each("quadratic", quad_figure_name))
def explore_quad(explore_quadratic, i, j):
    """One quadratic setting: the path over the ellipses of w^T diag(0.1, 1) w (circle: start,
    star: minimum), and its loss on a log scale."""
    q = explore_quadratic["quadratic"]
    axis = np.linspace(-5.0, 5.0, 30)
    W1, W2 = np.meshgrid(axis, axis)
    L = q["eigenvalues"][0] * W1 ** 2 + q["eigenvalues"][1] * W2 ** 2
    return _explore_figure(q["runs"][i][j], (W1, W2, L, (0.25, 1, 4, 16)), q["w_star"],
                           (1e-8, 1e4), True, ("$w_1$", "$w_2$"))


@figure(each=_each("sine", sine_figure_name))
def explore_sine_run(explore_sine, sine_surface, i, j):
    """One sine setting: the path over the sine-MSE contours of its 30x30 grid, and its loss."""
    s, grid = explore_sine["sine"], sine_surface["grid"]
    L = grid["L"]
    levels = np.linspace(float(L.min()), float(np.percentile(L, 95)), 8)
    return _explore_figure(s["runs"][i][j], (grid["W1"], grid["W2"], L, levels), s["w_star"],
                           (0.0, 1.4), False, ("$w_0$", "$w_1$"))
