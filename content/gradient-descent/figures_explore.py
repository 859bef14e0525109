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


def verdict(run, block):
    """A run's outcome in words; the fraction and the step budget come from its explorer block."""
    if run["diverged"]:
        return "diverges"
    close = f"within {pct(block['steps_fraction'], 1)} of w*"
    if run["settled"] is not None:
        return f"stays {close} from step {run['settled']}"
    if run["first_close"] is not None:
        return f"{close} at step {run['first_close']}, then leaves"
    return f"never {close} in {block['epochs']} steps"


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
            title.set_text(f"η = {run['lr']:g}, β = {run['beta']:g}: {verdict(run, block)}")
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


def _live_frame(view):
    """A figure whose one axes sits exactly where explore_live's view says (explore.js draws over it)."""
    left, bottom, right, top = view["axes"]
    fig = new_figure(*(px / DPI for px in view["image_px"]), margins=(left, bottom, right, top, 0.0))
    ax = fig.subplots()
    ax.set(xlim=view["x"], ylim=view["y"], yscale=view["y_scale"])
    assert np.allclose(ax.get_position().bounds, (left, bottom, right - left, top - bottom))
    return fig, ax


@figure
def explore_live_contours(explore_live):
    """The live explorer's background: the ellipses of w^T A w; the path, the start and the minimum
    (above the path's end) are drawn over it in the browser. The box is square on a square axes, so the ellipses keep their shape."""
    live = explore_live["live"]
    fig, ax = _live_frame(live["views"]["contours"])
    grid = live["grid"]
    ax.contour(grid["W1"], grid["W2"], grid["L"], levels=grid["levels"], colors="0.7", linewidths=0.6)
    ax.set(xlabel="$w_1$", ylabel="$w_2$")
    ax.grid(False)
    return fig


@figure
def explore_live_distance(explore_live):
    """The frame of the live distance curve: the distance to w* as a fraction of the start's, on a log
    scale, with the read-out's threshold (1 %) drawn."""
    live = explore_live["live"]
    fig, ax = _live_frame(live["views"]["distance"])
    fraction = live["steps_fraction"]
    ax.axhline(fraction, color="0.35", linestyle="--", linewidth=0.9)
    ax.text(live["epochs"] * 0.02, fraction * 1.6, pct(fraction, 1), ha="left", va="bottom", fontsize=8,
            color="0.25")
    low, high = np.log10(live["views"]["distance"]["y"])
    ax.set_yticks([10.0 ** k for k in range(int(low), int(high) + 1, 2)])
    ax.minorticks_off()
    ax.set(xlabel="step $k$", ylabel=r"distance to $\mathbf{w}^*$ / start's")
    return fig


def _label_points(grid, levels, optimum, towards=(0.25, 0.9)):
    """Where each iso-rate line is labelled: where it crosses the segment from the optimum up and to
    the left, inside the stable region, so no label sits on the stability limit or an edge."""
    from scipy.interpolate import RegularGridInterpolator
    rate = RegularGridInterpolator((grid["betas"], grid["lrs"]), grid["rates"])
    t = np.linspace(0.0, 1.0, 400)[:, None]
    segment = (1 - t) * np.array([optimum["lr"], optimum["beta"]]) + t * np.array(towards)
    along = rate(segment[:, ::-1])
    return [tuple(segment[np.argmax(along >= level)]) for level in levels]


@figure
def explore_rate_map(explore_live):
    """The heavy ball's predicted rate over (lr, beta) on the quadratic: grey where it diverges (rate > 1),
    the stability limit lr = (1 + beta) / lam_max dashed, the optimum (lr*, beta*) a star and the best
    plain gradient descent (beta = 0) a square, with a few iso-rate lines."""
    live = explore_live["live"]
    view, grid = live["views"]["map"], live["map"]
    fig, ax = _live_frame(view)
    optimum, gd = live["optimum"], live["gd_best"]
    low = np.floor(optimum["rate"] * 10) / 10
    import matplotlib
    cmap = matplotlib.colormaps["viridis"].with_extremes(over="0.82")
    lrs, betas = grid["lrs"], grid["betas"]
    half = ((lrs[1] - lrs[0]) / 2, (betas[1] - betas[0]) / 2)
    image = ax.imshow(grid["rates"], origin="lower", aspect="auto", cmap=cmap, vmin=low, vmax=1.0,
                      extent=(lrs[0] - half[0], lrs[-1] + half[0], betas[0] - half[1], betas[-1] + half[1]),
                      interpolation="nearest")
    lines = ax.contour(lrs, betas, grid["rates"], levels=np.arange(low + 0.1, 1.0, 0.1), colors="white",
                       linewidths=0.6, alpha=0.8)
    ax.clabel(lines, fmt="%.1f", fontsize=7, inline_spacing=2, manual=_label_points(grid, lines.levels, optimum))
    limit_betas = np.linspace(*view["y"], 50)
    ax.plot((1 + limit_betas) * live["stable_lr_limit"], limit_betas, "--", color="black", linewidth=1.1)
    ax.text(1.55, 0.12, "diverges", ha="center", fontsize=8, color="0.15")
    ax.plot(optimum["lr"], optimum["beta"], "*", color=MARK_COLORS[0], markeredgecolor="black", markersize=13)
    ax.annotate(r"$\eta^*, \beta^*$", (optimum["lr"], optimum["beta"]), xytext=(-8, -4), ha="right", va="top",
                textcoords="offset points", fontsize=8, color="white")
    ax.plot(gd["lr"], 0.0, "s", color="white", markeredgecolor="black", markersize=6, clip_on=False, zorder=5)
    ax.set(xlabel=r"learning rate $\eta$", ylabel=r"momentum $\beta$")
    ax.grid(False)
    bar = fig.colorbar(image, cax=fig.add_axes((0.8, view["axes"][1], 0.035, view["axes"][3] - view["axes"][1])),
                       extend="max")
    bar.set_label(r"predicted rate $\rho$ per step")
    return fig
