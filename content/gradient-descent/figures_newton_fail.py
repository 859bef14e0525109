"""The figure of "When Newton's method fails": Newton's path on the sine convexity map, continued past the
lecture's grid where the path leaves it (compute_newton_fail.py computes it all)."""
import numpy as np

from lecturekit.engine.registry import figure
from lecturekit.plotting.style import MARK_COLORS, PAGE_WIDTH, PANEL_HEIGHT, PATH_COLOR, axes_inches, one_panel
from lecturekit.plotting.surfaces import contour_levels, mark_point

PD_COLORS = ("#bdbdbd", "#4daf4a")   # not positive definite, positive definite: the convexity map's


HEAD_PLACES = (0.6, 0.45, 0.3, 0.75)   # along a step, the places an arrowhead may take, in order
CLEARANCE = 14     # points: how far a head keeps from a mark drawn over the path (a mark is 8-9 points across)


def draw_arrow_path(ax, path, color=PATH_COLOR, label="path", min_step=0.2, avoid=()):
    """A path as a line with dots and an arrowhead on every step long enough to carry one.

    A head sits within its step, so heads and dots do not pile up: at 0.6 of it, or at the first
    of HEAD_PLACES that keeps CLEARANCE from every point of `avoid` (marks drawn over the path, which
    would hide it), or where none does, at the one farthest from them. The axes' limits must be set:
    clearance is measured in their view.
    """
    path = np.asarray(path)
    ax.plot(path[:, 0], path[:, 1], "-o", color=color, markersize=2.5, linewidth=1.2, label=label, zorder=6)
    points = np.array(axes_inches(ax)) * 72   # the axes' size in points

    def clearance(point):
        gaps = [np.abs(ax.transLimits.transform(point) - ax.transLimits.transform(mark)) * points for mark in avoid]
        return min((np.hypot(*gap) for gap in gaps), default=np.inf)

    for a, b in zip(path[:-1], path[1:]):
        if np.linalg.norm(b - a) >= min_step:
            room = {t: clearance(a + t * (b - a)) for t in HEAD_PLACES}
            place = next((t for t in HEAD_PLACES if room[t] >= CLEARANCE), max(HEAD_PLACES, key=room.get))
            ax.annotate("", xy=a + place * (b - a), xytext=a, zorder=7, arrowprops=dict(
                arrowstyle="-|>", color=color, linewidth=1.2, mutation_scale=15, shrinkA=0, shrinkB=0))


@figure
def sine_newton_failure(sine_newton_failure, sine_surface, sine_optimum, narrow=False):
    """Newton from the grid's most negative curvature: its path over where the Hessian is positive definite."""
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch, Rectangle
    failure = sine_newton_failure["newton_failure"]
    grid, path = failure["map"], failure["path"]
    fig, ax = one_panel(narrow, (PAGE_WIDTH * 0.8, PANEL_HEIGHT + 0.7), 4.8)
    ax.pcolormesh(grid["W1"], grid["W2"], grid["pd"].astype(float), cmap=ListedColormap(PD_COLORS), vmin=0, vmax=1,
                  shading="nearest", alpha=0.75)
    ax.contour(grid["W1"], grid["W2"], grid["L"], levels=contour_levels(sine_surface["grid"]["L"], 15),
               colors="0.2", linewidths=0.6, alpha=0.8)
    (x0, x1), (y0, y1) = sine_surface["grid"]["box"]
    ax.add_patch(Rectangle((x0, y0), x1 - x0, y1 - y0, fill=False, edgecolor="black", linestyle="dashed",
                           linewidth=1.2, zorder=4, label="the lecture's 30×30 grid"))
    ax.set_xlim(grid["W1"].min(), grid["W1"].max())
    ax.set_ylim(grid["W2"].min(), grid["W2"].max())
    draw_arrow_path(ax, path, label=f"Newton's path ({failure['steps']} steps)", min_step=0.05,
                    avoid=(failure["start"], failure["end"], sine_optimum["optimum"]["w"]))
    right = grid["W1"].max() - 0.05 * np.ptp(grid["W1"])  # a label there would be cut off: put it on the left
    for k in range(min(3, len(path) - 1)):    # the later points coincide with the end
        near_edge = path[k][0] > right
        ax.annotate(str(k), xy=path[k], xytext=(-6 if near_edge else 5, 5), textcoords="offset points",
                    ha="right" if near_edge else "left", fontsize=8, zorder=9,
                    bbox=dict(boxstyle="round,pad=0.15", facecolor="white", edgecolor="none", alpha=0.8))
    marks = ((failure["start"], "start: most negative curvature", "o", MARK_COLORS[0], 8),
             (failure["end"], f"end: a {failure['kind']}", "v", MARK_COLORS[2], 9),
             (sine_optimum["optimum"]["w"], "local minimum", "X", MARK_COLORS[1], 9))
    for w, label, marker, color, size in marks:
        mark_point(ax, w, label, color, marker, size, zorder=10)
    handles, _ = ax.get_legend_handles_labels()
    handles = [Patch(facecolor=PD_COLORS[1], label="Hessian positive definite"),
               Patch(facecolor=PD_COLORS[0], label="not positive definite")] + handles
    # Below: the map keeps the width; on a phone one entry to a row.
    fig.legend(handles=handles, loc="outside lower center", ncols=1 if narrow else 2, fontsize=7)
    ax.grid(False)
    ax.set(xlabel="$w_0$", ylabel="$w_1$")
    return fig
