"""Figures of the Taylor models at the grid bests: contour maps with eigen-axes, and cuts along the eigenvectors.

Each function draws computed results (taylor_expansion in compute_curvature.py).
"""
import numpy as np

from lecturekit.engine.registry import figure
from lecturekit.plotting.style import MARK_COLORS, NARROW_WIDTH, PAGE_WIDTH, PANEL_HEIGHT, new_figure, two_panels
from lecturekit.plotting.paths import fix_layout
from lecturekit.plotting.placement import box_edges, first_clear
from lecturekit.plotting.surfaces import contour_levels, draw_contours, mark_point

MODEL_COLOR = "#d7301f"    # the quadratic model, drawn over the true loss
AXIS_COLORS = ("#ffffff", "#ffd700")
SINE_LABELS = ("$w_0$", "$w_1$")
LOGISTIC_LABELS = ("$w_1$", "$w_2$")
TINY = 0.1   # a half-axis shorter than this fraction of the box's width is labelled in the zoom


def _outlined(width=3.4):
    """A black stroke under a line or arrow, so a white one shows on a light background too."""
    from matplotlib import patheffects
    return [patheffects.withStroke(linewidth=width, foreground="black")]


def _eigen_axes(ax, taylor, labelled):
    """Both half-axes of each eigenvector from w*, as arrows clipped to `ax`; the λ label at the `labelled` ones.

    Returns the labels, each with its candidate places (_label_places): they are placed once the figure is
    laid out and everything they must not cover is drawn (_place_labels)."""
    w, V = np.asarray(taylor["w"]), np.asarray(taylor["eigenvectors"])
    labels = []
    for i, (lam, length) in enumerate(zip(taylor["eigenvalues"], taylor["axis_lengths"])):
        for sign in (1, -1):
            arrow = ax.annotate("", xy=w + sign * length * V[:, i], xytext=w, zorder=9, annotation_clip=False,
                                arrowprops=dict(arrowstyle="-|>", color=AXIS_COLORS[i], linewidth=1.8,
                                                mutation_scale=12, shrinkA=0, shrinkB=0, path_effects=_outlined()))
            arrow.arrow_patch.set_clip_path(ax.patch)   # in the zoom, a long axis runs off the frame
        if i in labelled:
            # At the end where the axis's main component is positive (right or top), beside the arrow.
            direction = V[:, i] if V[np.argmax(np.abs(V[:, i])), i] > 0 else -V[:, i]
            places = _label_places(abs(direction[0]) >= abs(direction[1]), direction[1] >= 0)
            offset, ha, va = places[0]
            text = ax.annotate(f"$\\lambda_{i + 1} = {lam:.3g}$", xy=w + length * direction, xytext=offset,
                               textcoords="offset fontsize", ha=ha, va=va, fontsize=8, zorder=11,
                               bbox=dict(boxstyle="round,pad=0.2", facecolor=AXIS_COLORS[i],
                                         edgecolor="0.3"))   # opaque: the dark scheme keeps its colours
            labels.append((text, places))
    return labels


def _label_places(flat, rising):
    """(offset in font sizes, ha, va) places for a λ label at its axis's tip, best first.

    A flat arrow's label goes on the side its shaft leaves free (above if the
    shaft rises to the tip), reaching back along it, else the other side; a
    steep one's a font size beside the tip, clear of the arrowhead's barbs,
    right or else left; then the same farther out.
    """
    if flat:
        side = 1 if rising else -1
        near = [((0, 0.6 * s), "right", "bottom" if s > 0 else "top") for s in (side, -side)]
        return near + [((0, 1.6 * s), ha, va) for (_, s), ha, va in near]
    near = [((1.0, 0), "left", "top"), ((-1.0, 0), "right", "top")]
    return near + [((1.0, -1.0), "left", "top"), ((-1.0, -1.0), "right", "top")]


def _place_labels(renderer, panels):
    """Each λ label at the first of its places clear of the other labels, the marks, the outline of the zoomed
    box and what else a panel names; inside its panel. `panels`: (axes, labels, obstacles) triples; the
    figure is laid out for good (fix_layout), so the boxes are where they will be drawn."""
    for axes, labels, obstacles in panels:
        taken = list(obstacles) + [line.get_window_extent(renderer) for line in axes.get_lines()]
        for text, places in labels:
            taken.append(first_clear(text, places, taken, renderer, within=axes.get_window_extent(renderer)))


def _tiny(taylor):
    """Indices of the half-axes too short to read on the whole box: they are labelled in the zoom."""
    width = np.diff(taylor["fine"]["box"][0])[0]
    return {i for i, length in enumerate(taylor["axis_lengths"]) if length < TINY * width}


INSET = (0.015, 0.02, 0.4, 0.4)   # the zoom's place in the map (axes fractions): the lower left, away from w*


def taylor_contours(taylor, labels, narrow=False):
    """The model's filled contours over the box, the true loss dashed, both half-axes of each eigenvector;
    inset, a zoom on w* and the model's minimum, drawn at the map's own scale ratio (equal axes).
    On a phone (`narrow`) the zoom is a panel of its own under the map: an inset there would be too small."""
    from matplotlib.lines import Line2D
    fine, zoom = taylor["fine"], taylor["zoom"]
    (x0, x1), (y0, y1) = fine["box"]
    (zx0, zx1), (zy0, zy1) = zoom["box"]
    if narrow:   # each panel about the column's width at its own shape; the map's colour bar under it
        side = NARROW_WIDTH - 0.5
        shapes = (side * (y1 - y0) / (x1 - x0) + 0.75, side * (zy1 - zy0) / (zx1 - zx0))
        fig = new_figure(NARROW_WIDTH, sum(shapes) + 1.25)
        top, bottom = fig.add_gridspec(2, 1, height_ratios=shapes)
        ax, az = fig.add_subplot(top), fig.add_subplot(bottom)
    else:
        fig = new_figure(PAGE_WIDTH, 1.0 + 5.45 * (y1 - y0) / (x1 - x0))   # about the map's own shape
        ax = fig.add_subplot()
    levels = contour_levels(taylor["full"]["L"])
    draw_contours(ax, fine["W1"], fine["W2"], fine["Q"], levels=levels, label=r"quadratic model $q(\mathbf{w})$",
                  colorbar="below" if narrow else True)
    ax.contour(fine["W1"], fine["W2"], fine["L"], levels=levels, colors="0.15", linewidths=0.6,
               linestyles="dashed", alpha=0.7)
    tiny = _tiny(taylor)
    map_labels = _eigen_axes(ax, taylor, labelled={0, 1} - tiny)
    ax.set(xlim=(x0, x1), ylim=(y0, y1), xlabel=labels[0], ylabel=labels[1])
    ax.set_aspect("equal")

    # The zoom: the model's contours as lines (levels evenly spaced in distance from its minimum), the loss dashed.
    if not narrow:
        az = ax.inset_axes(INSET)
    q_min = float(zoom["Q"].min())
    zoom_levels = q_min + (float(zoom["Q"].max()) - q_min) * np.linspace(0, 1, 12)[1:] ** 2
    az.contour(zoom["W1"], zoom["W2"], zoom["Q"], levels=zoom_levels, colors=MODEL_COLOR, linewidths=0.9)
    az.contour(zoom["W1"], zoom["W2"], zoom["L"], levels=zoom_levels, colors="0.15", linewidths=0.7,
               linestyles="dashed")
    zoom_labels = _eigen_axes(az, taylor, labelled=tiny)
    az.set(xlim=(zx0, zx1), ylim=(zy0, zy1), xticks=[], yticks=[], facecolor="white")
    az.set_aspect("equal")
    az.grid(False)
    for spine in az.spines.values():
        spine.set(visible=True, linewidth=1.2)
    zoom_title = az.text(0.03, 0.97, "zoom", transform=az.transAxes, ha="left", va="top", fontsize=8, zorder=13,
                         bbox=dict(boxstyle="round,pad=0.2", facecolor="white", edgecolor="none"))   # its factor:
    # set once the figure is laid out, below
    # The zoomed box is outlined, without connector lines: drawn to the inset's corners, matplotlib's ran past
    # the map's edge (and through a tick label) once the equal aspect had moved the inset.
    outline = ax.indicate_inset([zx0, zy0, zx1 - zx0, zy1 - zy0], edgecolor="black", alpha=0.9, linewidth=1.0)
    for axes in (ax, az):
        # Above the arrows and contours.
        mark_point(axes, taylor["model_minimizer"], "minimum of the model", MARK_COLORS[2], "X", 8, zorder=12)
        mark_point(axes, taylor["w"], "grid best", MARK_COLORS[0], "*", 12, zorder=12)
    handles, names = ax.get_legend_handles_labels()
    proxies = [Line2D([], [], color=AXIS_COLORS[i], linewidth=1.8, path_effects=_outlined(),
                      label=f"eigenvector {i + 1}, $\\lambda_{i + 1} = {lam:.3g}$")
               for i, lam in enumerate(taylor["eigenvalues"])]
    proxies += [Line2D([], [], color="0.15", linestyle="dashed", linewidth=0.8, label="true loss"),
                Line2D([], [], color=MODEL_COLOR, linewidth=0.9, label="model (in the zoom)")]
    fig.legend(handles + proxies, names + [p.get_label() for p in proxies], loc="outside lower center",
               ncols=1 if narrow else 3, fontsize=7.5)
    renderer = fix_layout(fig).get_renderer()
    # The magnification on the page: the zoom's pixels per unit over the map's (not the boxes' ratio of sizes,
    # which the inset's own smaller size divides).
    zoom_title.set_text(f"zoom ×{(az.bbox.width / (zx1 - zx0)) / (ax.bbox.width / (x1 - x0)):.2g}")
    zoomed = box_edges(outline.rectangle.get_window_extent(renderer), width=2.0)
    inset = [] if narrow else [az.get_window_extent(renderer)]
    _place_labels(renderer, [(ax, map_labels, zoomed + inset),
                             (az, zoom_labels, [zoom_title.get_bbox_patch().get_window_extent(renderer)])])
    return fig


@figure
def logistic_taylor_contours(logistic_taylor, narrow=False):
    """The logistic Taylor model's contours with its eigen-axes, and a zoom on the grid best."""
    return taylor_contours(logistic_taylor["taylor"], LOGISTIC_LABELS, narrow)


@figure
def sine_taylor_contours(sine_taylor, narrow=False):
    """The sine Taylor model's contours with its eigen-axes, and a zoom on the grid best."""
    return taylor_contours(sine_taylor["taylor"], SINE_LABELS, narrow)


def taylor_slices(taylor, narrow=False):
    """The loss (solid) and its model (dashed) along each eigenvector through w*, across the whole grid."""
    fig, *axes = two_panels(narrow, PANEL_HEIGHT)
    axes[1].sharey(axes[0])
    for i, (ax, cut, lam) in enumerate(zip(axes, taylor["slices"], taylor["eigenvalues"])):
        ax.plot(cut["s"], cut["L"], color="C0", linewidth=1.8, label="loss $L$")
        ax.plot(cut["s"], cut["Q"], color=MODEL_COLOR, linewidth=1.5, linestyle="--", label="model $q$")
        mark_point(ax, (0, taylor["loss"]), "grid best", MARK_COLORS[0], "*", 12, zorder=5)
        ax.set(xlabel="$s$, distance from the grid best" + ("" if narrow else f" along eigenvector {i + 1}"),
               title=f"along eigenvector {i + 1}: $\\lambda_{i + 1} = {lam:.3g}$",
               xlim=(cut["s"][0], cut["s"][-1]))
        if i == 0 or narrow:   # one above the other, each needs its own
            ax.set_ylabel("loss along the line")
        if i == 0:
            ax.legend(loc="upper center", fontsize=7.5)
    # The model outgrows the loss: the axis shows the loss's range on both lines, and the model where it is inside.
    lo = min(float(np.min(c["L"])) for c in taylor["slices"])
    hi = max(float(np.max(c["L"])) for c in taylor["slices"])
    fig.axes[0].set_ylim(lo - 0.08 * (hi - lo), hi + 0.08 * (hi - lo))
    return fig


@figure
def logistic_taylor_slices(logistic_taylor, narrow=False):
    """The logistic NLL and its Taylor model along the two eigenvectors at the grid best."""
    return taylor_slices(logistic_taylor["taylor"], narrow)


@figure
def sine_taylor_slices(sine_taylor, narrow=False):
    """The sine MSE and its Taylor model along the two eigenvectors at the grid best."""
    return taylor_slices(sine_taylor["taylor"], narrow)
