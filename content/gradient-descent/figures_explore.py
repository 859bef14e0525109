"""Section 8, the explorer: one small figure per (lr, beta) setting, path over contours + loss curve.

Axes are fixed across the settings of one problem, so that moving a slider
changes only the run, never the frame it is drawn in. The figures are small
on purpose (the explorer has a byte budget): contour lines are drawn without
anti-aliasing, which compresses several times better and reads the same.
"""
import numpy as np

from lecturekit.plotting.style import DPI
from lecturekit.engine.prose import pct
from lecturekit.engine.registry import figure
from lecturekit.plotting.blit import blit_images
from lecturekit.plotting.style import MARK_COLORS, PATH_COLOR, new_figure
from lecturekit.plotting.surfaces import contour_levels
from .compute_explore import settings


def quad_figure_name(i, j):
    return f"explore-quad-{i}-{j}"


def sine_figure_name(i, j):
    return f"explore-sine-{i}-{j}"


def _verdict(run, block):
    """A run's outcome in words; the fraction and the step budget come from its explorer block."""
    if run["diverged"]:
        return "diverges"
    within = f"within {pct(block['steps_fraction'], 1)} of w*"
    if run["steps"] is None:
        return f"not {within} in {block['epochs']} steps"
    return f"{within} after {run['steps']} steps"


def _explore_images(block, variants, contours, loss_limits, log_loss, labels):
    """Each setting's image: its path over the contour lines (left) and its loss against the step.

    The contours, axes and the start and minimum markers are drawn once; only
    the path, the loss curve and the title change from one setting to the next.
    """
    config = settings()
    W1, W2, L, levels = contours
    fig = new_figure(*config["figure_inches"], margins=(0.1, 0.18, 0.98, 0.87, 0.35))  # one frame for all
    ax, ax_loss = fig.subplots(1, 2, width_ratios=(1.0, 1.15))
    ax.contour(W1, W2, L, levels=levels, colors="0.65", linewidths=0.5, antialiased=False)
    ax.plot(*block["start"], "o", color=MARK_COLORS[1], markeredgecolor="black", markersize=6, zorder=5)
    ax.plot(*block["w_star"], "*", color=MARK_COLORS[0], markeredgecolor="black", markersize=9, zorder=5)
    ax.set(xlim=(W1.min(), W1.max()), ylim=(W2.min(), W2.max()), xlabel=labels[0], ylabel=labels[1])
    ax.locator_params(nbins=5)
    ax.grid(False)
    if log_loss:
        ax_loss.set_yscale("log")
        ax_loss.set_yticks([10.0 ** k for k in range(-8, 5, 4)])
        ax_loss.minorticks_off()
    ax_loss.grid(False)
    ax_loss.set(xlim=(0, config["epochs"]), ylim=loss_limits, xlabel="step", ylabel="loss")
    (path_line,) = ax.plot([], [], "-", color=PATH_COLOR, linewidth=1.0, zorder=4)
    (loss_line,) = ax_loss.plot([], [], color=PATH_COLOR, linewidth=1.2)
    title = fig.suptitle("", fontsize=9)

    def show(run):
        def update():
            path, losses = np.asarray(run["path"]), np.asarray(run["losses"])
            finite = np.all(np.isfinite(path), axis=1)
            path_line.set_data(path[finite, 0], path[finite, 1])
            steps, shown = np.arange(len(losses)), np.isfinite(losses)
            loss_line.set_data(steps[shown], losses[shown])
            title.set_text(f"lr = {run['lr']:g}, β = {run['beta']:g}: {_verdict(run, block)}")
        return update

    runs = [block["runs"][kw["i"]][kw["j"]] for kw in variants.values()]
    images = blit_images(fig, [path_line, loss_line, title], [show(run) for run in runs], DPI)
    return dict(zip(variants, images))


def _each(problem, name):
    own = settings()[problem]
    return {name(i, j): {"i": i, "j": j} for i in range(len(own["lrs"])) for j in range(len(own["betas"]))}


@figure(each=_each("quadratic", quad_figure_name), together=True)
def explore_quad(explore_quadratic, quadratic_surface, variants):
    """Every quadratic setting: the path over the ellipses of w^T diag(0.1, 1) w (circle: start,
    star: minimum), and its loss on a log scale. A few sparse levels: the images are small."""
    grid = quadratic_surface["grid"]
    return _explore_images(explore_quadratic["quadratic"], variants, (grid["W1"], grid["W2"], grid["L"], (0.25, 1, 4, 16)),
                           (1e-8, 1e4), True, ("$w_1$", "$w_2$"))


@figure(each=_each("sine", sine_figure_name), together=True)
def explore_sine_run(explore_sine, sine_surface, variants):
    """Every sine setting: the path over the sine-MSE contours of its 30x30 grid, and its loss."""
    s, grid = explore_sine["sine"], sine_surface["grid"]
    levels = contour_levels(grid["L"], 8)
    return _explore_images(s, variants, (grid["W1"], grid["W2"], grid["L"], levels), (0.0, 1.4), False,
                           ("$w_0$", "$w_1$"))
