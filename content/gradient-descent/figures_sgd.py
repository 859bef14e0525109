"""Figures of section 9: minibatch noise against batch size, SGD paths beside full-batch descent, loss curves.

Each function draws what compute_sgd.py computed and computes nothing itself.
"""
import numpy as np

from lecturekit.engine.registry import figure
from lecturekit.numerics.sgd import epoch_ends
from lecturekit.plotting.style import (NARROW_WIDTH, PAGE_WIDTH, PANEL_HEIGHT, new_figure, one_panel,
                                       panel_grid, place_legend)

RUN_COLORS = {"logistic_gd": "#1b9e77", "sgd_b32": "#7570b3", "sgd_b1": "#d95f02"}
EPOCH_CMAP = "viridis"
MINIMUM_MARK = dict(marker="*", markersize=15, markerfacecolor="none", markeredgecolor="#e7298a", markeredgewidth=1.8,
                    linestyle="none", zorder=8)
EXCESS_LEVELS = (1e-4, 1e-2, 3e-2, 0.1, 0.3, 1.0)   # contour lines at the minimum's loss plus these
# Narrower than the page column: a phone shrinks a figure to its width, and a narrow one keeps legible text.
PHONE_FRIENDLY = (PAGE_WIDTH * 0.7, PANEL_HEIGHT * 0.95)


def _run_label(name, run):
    """Legend text read off the run: "full batch (GD), lr 10" or "SGD, B = 32, lr 0.562"."""
    if name == "logistic_gd":
        return f"full batch (GD), lr {run['lr']:.3g}"
    return f"SGD, B = {run['batch_size']}, lr {run['lr']:.3g}"


@figure
def sgd_noise(sgd, narrow=False):
    """Total variance of the minibatch gradient against batch size, measured and predicted, log-log."""
    fig, ax = one_panel(narrow, PHONE_FRIENDLY, 3.6)
    rows = sgd["variance"]
    n, sigma2 = sgd["n_samples"], sgd["sigma2"]
    B = np.arange(1, 301)
    ax.loglog(B, sigma2 / B, ":", color="0.45", linewidth=1.2, label=r"$S / B$ (with replacement)")
    ax.loglog(B, sigma2 / B * (n - B) / (n - 1), "-", color=RUN_COLORS["sgd_b32"], linewidth=1.4,
              label=r"prediction $S(N - B)\,/\,(B(N - 1))$ (without)")
    sizes = [r["batch_size"] for r in rows]
    # Open rings: two standard errors are shorter than a filled dot's radius, and would hide under it.
    ax.errorbar(sizes, [r["measured"] for r in rows], yerr=[2 * r["standard_error"] for r in rows], fmt="o",
                color=RUN_COLORS["sgd_b1"], markersize=9, markerfacecolor="none", markeredgewidth=1.5,
                elinewidth=1.5, capsize=4, zorder=5,
                label=f"measured over {sgd['n_batches']} batches (±2 s.e.)")
    ax.set_xticks(sizes, [str(s) for s in sizes])
    ax.minorticks_off()
    ax.set(xlabel="batch size $B$", ylabel="total variance of the\nminibatch gradient")
    place_legend(ax, narrow, fontsize=7, loc="lower left")
    return fig


def _excess_contours(ax, contours, minimum, neighbourhood):
    """Grey contour lines of the loss at the minimum's loss plus EXCESS_LEVELS, the neighbourhood's dashed."""
    W1, W2, L = contours["W1"], contours["W2"], contours["L"]
    ax.contour(W1, W2, L, levels=minimum + np.array(EXCESS_LEVELS), colors="0.65", linewidths=0.6)
    ax.contour(W1, W2, L, levels=[minimum + neighbourhood], colors="black", linewidths=1.1, linestyles="dashed")
    ax.grid(False)


def _epoch_dots(ax, points, epochs, norm, marker="o", size=16):
    """Points coloured by the epoch they end, on the colour bar's scale; outlined, so that the early epochs'
    dark purple stands out on the dark page too (where the outline turns light)."""
    return ax.scatter(points[:, 0], points[:, 1], c=epochs, cmap=EPOCH_CMAP, norm=norm, s=size, marker=marker,
                      edgecolors="black", linewidths=0.6, zorder=5)


@figure
def sgd_paths(sgd, sgd_runs, runs, logistic_optimum, narrow=False):
    """Full-batch descent and both SGD runs on the same logistic contours, epochs coloured; a close-up last.
    Two by two, or for a phone (`narrow`) one below the other."""
    from matplotlib.colors import PowerNorm
    from matplotlib.lines import Line2D
    from matplotlib.ticker import MaxNLocator
    contours, minimum = sgd["data"]["contours"], sgd["minimum_loss"]
    w_opt, n = logistic_optimum["optimum"]["w"], sgd["n_samples"]
    epochs, deadline = sgd["epochs"], sgd["deadline_epoch"]
    norm = PowerNorm(0.4, vmin=0, vmax=epochs)     # the early epochs, where the paths move, get most colours
    fig, places = panel_grid(narrow, (2, 2), (PAGE_WIDTH * 0.8, PAGE_WIDTH * 0.72), 4 * 2.5 + 1.6)
    axes = [fig.add_subplot(place) for place in places]
    gd = runs["logistic_gd"]
    panels = [("logistic_gd", gd, gd["path"], np.arange(len(gd["path"])))]
    for name in ("sgd_b32", "sgd_b1"):
        run = sgd_runs[name]
        panels.append((name, run, sgd["data"][name]["path"], epoch_ends(n, run["batch_size"], epochs)))
    (x0, x1), (y0, y1) = contours["box"]
    for ax, (name, run, path, ends) in zip(axes, panels):
        _excess_contours(ax, contours, minimum, sgd["neighbourhood"])
        ax.plot(path[:, 0], path[:, 1], "-", color="0.25", linewidth=0.5, alpha=0.6, zorder=3)   # every step
        dots = _epoch_dots(ax, path[ends], np.arange(len(ends)), norm)
        ax.plot(0, 0, "o", color="white", markeredgecolor="black", markersize=8, zorder=8, clip_on=False)
        ax.set(xlim=(x0, x1), ylim=(y0, y1), title=_run_label(name, run))
    # The close-up: every iterate of the second half of each SGD run, the cloud it jitters in.
    close = axes[3]
    _excess_contours(close, contours, minimum, sgd["neighbourhood"])
    for order, (name, run, path, ends) in enumerate(panels[:0:-1]):   # B = 1 first: its wider cloud underneath
        late = path[ends[deadline]:]
        # The narrow cloud on top is denser in colour, so it does not melt into the wide one beneath it.
        close.plot(late[:, 0], late[:, 1], ".", color=RUN_COLORS[name], markersize=1.5,
                   alpha=0.25 if order == 0 else 0.6, zorder=4 + order, rasterized=True)
        close.plot([], [], "o", color=RUN_COLORS[name], markersize=4, label=f"B = {run['batch_size']}")
    half = 0.6 * np.array([x1 - x0, y1 - y0]) / 5
    close.set(xlim=(w_opt[0] - half[0], w_opt[0] + half[0]), ylim=(w_opt[1] - half[1], w_opt[1] + half[1]),
              title=f"close-up: every SGD step\nof epochs {deadline}–{epochs}")
    close.xaxis.set_major_locator(MaxNLocator(4))
    close.legend(loc="upper right", fontsize=7)
    for ax in axes:   # a hollow star on top: the epoch dots and the cloud beneath it stay visible
        ax.plot(*w_opt, **MINIMUM_MARK)
        ax.set(xlabel="$w_1$", ylabel="$w_2$")
    bar = fig.colorbar(dots, ax=axes, label="epoch at a dot", shrink=0.7,
                       location="bottom" if narrow else "right")
    bar.set_ticks([0, 2, 5, 10, 20, 40, epochs] if narrow else [0, 1, 2, 5, 10, 20, 40, epochs])   # 1 and 2 met
    handles = [Line2D([], [], marker="o", color="white", markeredgecolor="black", linestyle="none",
                      label="start (0, 0)"),
               Line2D([], [], **MINIMUM_MARK, label="minimum"),
               Line2D([], [], color="0.25", linewidth=0.8, label="every step"),
               Line2D([], [], color="black", linestyle="dashed", label=f"loss = minimum + {sgd['neighbourhood']:g}"),
               Line2D([], [], color="0.65", label="loss = minimum + " + ", ".join(f"{v:g}" for v in EXCESS_LEVELS))]
    fig.legend(handles=handles, loc="outside lower center", ncols=1 if narrow else 2, fontsize=7)
    return fig


@figure
def sgd_losses(sgd, sgd_runs, runs, narrow=False):
    """Loss above the minimum's against epochs (top) and against per-sample gradient evaluations (bottom)."""
    # Stacked, so each panel keeps the width; a phone's are its column wide.
    fig = new_figure(NARROW_WIDTH if narrow else PHONE_FRIENDLY[0], 2 * PHONE_FRIENDLY[1] + 0.4)
    by_epoch, by_cost = fig.subplots(2, 1, sharey=True)
    minimum, n = sgd["minimum_loss"], sgd["n_samples"]
    gd = runs["logistic_gd"]
    steps = np.arange(len(gd["losses"]))
    curves = [("logistic_gd", gd, steps, gd["losses"], steps * n, gd["losses"])]
    for name in ("sgd_b32", "sgd_b1"):
        run = sgd_runs[name]
        curves.append((name, run, np.arange(sgd["epochs"] + 1), sgd["data"][name]["epoch_losses"],
                       run["record_evaluations"], run["record_losses"]))
    for name, run, epoch, epoch_loss, cost, cost_loss in curves:
        style = dict(color=RUN_COLORS[name], label=_run_label(name, run))
        by_epoch.semilogy(epoch, epoch_loss - minimum, "-o", markersize=2, linewidth=1.1, **style)
        # The loss of the iterate each run holds after so many evaluations: it holds the start until its first
        # step is paid for. 0 has no place on a log axis, so the curves begin at 1.
        cost = np.maximum(cost, 1)
        by_cost.step(cost, cost_loss - minimum, where="post", linewidth=1.1, **style)
    for ax in (by_epoch, by_cost):
        ax.axhline(sgd["neighbourhood"], color="black", linestyle="dashed", linewidth=1,
                   label=f"neighbourhood: {sgd['neighbourhood']:g} above the minimum" if ax is by_epoch else None)
    by_epoch.axvspan(sgd["deadline_epoch"], sgd["epochs"], color="0.85", alpha=0.5, zorder=0,
                     label="second half: where the lr was checked")
    by_epoch.set(xlabel="epoch (one pass over the data)", ylabel="loss − minimum's loss", xlim=(0, sgd["epochs"]))
    by_cost.set(xlabel="per-sample gradient evaluations", ylabel="loss − minimum's loss", xlim=(1, sgd["budget"]),
                xscale="log")
    by_cost.axvline(n, color="0.5", linestyle=":", linewidth=1)
    by_cost.annotate(f"one epoch = {n}", xy=(n, 0.02), xytext=(-4, 0), textcoords="offset points", ha="right",
                     va="bottom", fontsize=7, color="0.3", xycoords=("data", "axes fraction"))
    handles, labels = by_epoch.get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=1, fontsize=7)
    return fig
