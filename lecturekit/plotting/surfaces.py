"""Loss surfaces: a 3-D view beside a contour map, with marked points and paths."""
import numpy as np

from .paths import draw_step_path
from .style import CMAP, MARK_COLORS, PANEL_HEIGHT, PATH_COLOR, axes_inches, mark_edge, two_panels

MARKERS = ("o", "s", "D", "P", "X")


def contour_levels(L, n=25):
    """Contour levels spaced evenly in the lower part of the loss range, where the valley is."""
    lo, hi = float(np.min(L)), float(np.percentile(L, 95))
    return np.linspace(lo, hi, n)


def log_levels(L, n=20, depth=1e-3, top=95):
    """Levels spaced logarithmically above the grid's minimum, from `depth` of the range to its `top` percentile.

    A narrow valley whose floor lies far below most of the grid gets nested
    contours inside it, where evenly spaced levels would put one band there.
    The first level is the minimum itself, so the floor is shaded too.
    """
    lo, hi = float(np.min(L)), float(np.percentile(L, top))
    return np.concatenate([[lo], lo + (hi - lo) * np.geomspace(depth, 1.0, n - 1)])


def nice_ticks(lo, hi, n=5):
    """About n round tick values strictly inside [lo, hi]."""
    from matplotlib.ticker import MaxNLocator
    ticks = MaxNLocator(n).tick_values(lo, hi)
    return ticks[(ticks >= lo) & (ticks <= hi)]


def draw_contours(ax, W1, W2, L, levels=None, colorbar=True, label="loss"):
    """A filled contour map of a loss grid on `ax`; `colorbar` is True (beside it), "below" (under it: a narrow
    figure's map keeps the width), False, or the Axes to draw it in.

    Levels that are not evenly spaced (quantile_levels) get a colour bar with
    one band per level, ticked at a few of the levels themselves (see log_levels).
    """
    from matplotlib.colors import BoundaryNorm
    levels = np.asarray(contour_levels(L) if levels is None else levels)
    steps = np.diff(levels)
    even = np.allclose(steps, steps[0], rtol=1e-6)
    # Uneven levels: one colour per band (by its index), not by value, or the crowded low bands would share one.
    norm = None if even else BoundaryNorm(levels, 256, extend="max")
    shade = ax.contourf(W1, W2, L, levels=levels, cmap=CMAP, norm=norm, extend="max")
    if colorbar is not False:
        place = ({"ax": ax, "shrink": 0.9} if colorbar is True else
                 {"ax": ax, "shrink": 0.9, "location": "bottom"} if colorbar == "below" else {"cax": colorbar})
        bar = ax.figure.colorbar(shade, **place, label=label, format="{x:.3g}" if even else "{x:.2g}")
        bar.set_ticks(nice_ticks(levels[0], levels[-1]) if even else levels[::max(1, len(levels) // 5)])
    ax.contour(W1, W2, L, levels=levels, colors="white", linewidths=0.4, alpha=0.6)
    ax.grid(False)
    return ax


def draw_surface(ax, W1, W2, L):
    """A 3-D surface of a loss grid on a 3-D `ax`."""
    ax.plot_surface(W1, W2, L, cmap=CMAP, linewidth=0, antialiased=True, alpha=0.9, rcount=30, ccount=30)
    ax.set_title("loss")  # a z-axis label would be clipped by the panel's edge
    ax.tick_params(pad=0)
    ax.view_init(elev=32, azim=-125)
    return ax


def mark_point(ax, w, label=None, color=MARK_COLORS[0], marker="o", size=8, zorder=7, z=None, **style):
    """One named point as a marker with a legend entry (on a 3-D axes at height `z`), outlined in its own
    darkened hue (style.mark_edge), which reads the same in both schemes wherever the mark lies."""
    coords = [[w[0]], [w[1]]] + ([[z]] if z is not None else [])
    return ax.plot(*coords, marker=marker, color=color, markeredgecolor=mark_edge(color), markersize=size,
                   linestyle="none", label=label, zorder=zorder, **style)[0]


def mark_points(ax, marks, surface=None):
    """Mark named points: `marks` is a list of (label, w) or (label, w, loss) for 3-D axes.

    Marks sit above any path (zorder 7 > 6) and are not clipped, so a start on
    the edge of the box still shows whole.
    """
    for i, (label, w, *z) in enumerate(marks):
        style = dict(z=z[0]) if surface else dict(clip_on=False)
        mark_point(ax, w, label, MARK_COLORS[i % len(MARK_COLORS)], MARKERS[i % len(MARKERS)], **style)


def draw_path(ax, path, losses=None, label="descent path", color=PATH_COLOR):
    """A descent path as a line with dots (3-D when `losses` is given)."""
    path = np.asarray(path)
    if losses is not None:
        ax.plot(path[:, 0], path[:, 1], losses, "-o", color=color, markersize=2.5, linewidth=1.4, label=label, zorder=6)
        return
    ax.plot(path[:, 0], path[:, 1], "-o", color=color, markersize=2.5, linewidth=1.4, label=label, zorder=6)


def draw_gradient_field(ax, W1, W2, U, V, label=None, most=16):
    """Arrows (U, V) at the grid points (W1, W2) on a contour `ax`, normalized in length.

    At most `most` arrows a side (every second point of a 30x30 grid): on a
    phone's narrow panel more would shrink to specks. Every arrow keeps its
    direction in data coordinates and has one length on the page, 0.8 of the
    shorter spacing between arrows (across or up the panel, as laid out before
    the layout settles it), so it stays readable whatever the gradient's size; it
    is centred on its point, so where the field turns (across a valley floor) two
    arrows pointing at each other each keep to their own side. The arrows are white
    with a black outline: visible on the dark valley floors and on the bright
    walls alike. The legend shows the arrow itself (a quiver's own legend entry is a box).
    """
    stride = tuple(max(1, -(-n // most)) for n in np.shape(W1))
    pick = (slice(None, None, stride[0]), slice(None, None, stride[1]))
    W1, W2 = np.asarray(W1)[pick], np.asarray(W2)[pick]
    U, V = np.asarray(U, dtype=float)[pick], np.asarray(V, dtype=float)[pick]
    width, height = axes_inches(ax)
    spacing = min(width / W1.shape[1], height / W1.shape[0])   # between two arrows, across or up, inches
    size = np.hypot(U, V)
    unit = np.divide(1, size, out=np.zeros_like(size), where=size > 0)
    # Direction from the data (angles="xy"), length from (U, V)'s size in axes widths: one for every arrow.
    quiver = ax.quiver(W1, W2, U * unit, V * unit, angles="xy", scale_units="width", scale=width / (0.8 * spacing),
                       pivot="middle", color="white", edgecolor="black", linewidth=0.5, width=0.007, headwidth=3.6,
                       headlength=4, headaxislength=3.6, zorder=4)
    if label:
        ax.plot([], [], marker="$\\rightarrow$", markersize=11, color="black", linestyle="none", label=label)
    return quiver


def surface_and_contours(grid, marks=(), path=None, path_losses=None, labels=("$w_1$", "$w_2$"),
                         path_label="descent path", field=None, field_label="$-\\nabla L$", levels=None,
                         by_step=False, contour_grid=None, narrow=False):
    """Figure: 3-D surface (left) and contour map (right) of one loss grid; `narrow`: one above the other.

    `field`, a pair (U, V) of arrays shaped like the grid, adds arrows
    (normalized in length, see draw_gradient_field) to the contour map.
    `levels` are the contour map's (default contour_levels), `contour_grid` a
    finer grid for it (default `grid`); `by_step` colours the path on the map
    by step, with a step colour bar under it (see paths.py).
    """
    W1, W2, L = grid["W1"], grid["W2"], grid["L"]
    fig, ax3, ax2 = two_panels(narrow, PANEL_HEIGHT + 0.3, projection="3d")
    draw_surface(ax3, W1, W2, L)
    fine = grid if contour_grid is None else contour_grid
    draw_contours(ax2, fine["W1"], fine["W2"], fine["L"], levels=levels)
    for ax in (ax3, ax2):
        ax.set_xlabel(labels[0])
        ax.set_ylabel(labels[1])
    if marks:
        mark_points(ax3, [(lab, w, z) for lab, w, z in marks], surface=True)
        mark_points(ax2, [(lab, w) for lab, w, _ in marks])
    if path is not None:
        draw_path(ax3, path, path_losses, label=path_label)
        if by_step:
            points = draw_step_path(ax2, path, label=path_label)
            fig.colorbar(points, ax=ax2, location="bottom", shrink=0.6, aspect=30, label="step $k$")
        else:
            draw_path(ax2, path, label=path_label)
    if field is not None:
        draw_gradient_field(ax2, W1, W2, *field, label=field_label)
    ax2.set_xlim(W1.min(), W1.max())
    ax2.set_ylim(W2.min(), W2.max())
    handles, names = ax2.get_legend_handles_labels()
    if handles:  # below both panels, where it can hide no data
        fig.legend(handles, names, loc="outside lower center", ncols=min(len(handles), 2 if narrow else 4),
                   fontsize=7)
    return fig
