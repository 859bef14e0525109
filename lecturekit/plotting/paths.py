"""Paths whose order must read: coloured by step, and their points numbered where numbers fit."""
import numpy as np

STEP_CMAP = "spring"   # magenta to yellow: a path's colour by step, read against the viridis contours


def draw_step_path(ax, path, label="descent path", cmap=STEP_CMAP, steps=None, zorder=6):
    """A path whose segments and points are coloured by step, so a path that crosses itself reads in order.

    Each segment is outlined in black, so it shows on dark and light contours
    alike. `steps` (default: the path's own) fixes the colour scale, so that
    several panels share one. Returns the points, a mappable for a colour bar.
    """
    from matplotlib.collections import LineCollection
    from matplotlib.colors import Normalize
    path = np.asarray(path, dtype=float)
    k = np.arange(len(path))
    norm = Normalize(0, max(len(path) - 1 if steps is None else steps, 1))
    segments = np.stack([path[:-1], path[1:]], axis=1)
    ax.add_collection(LineCollection(segments, colors="black", linewidths=2.8, zorder=zorder, capstyle="round"))
    line = LineCollection(segments, cmap=cmap, norm=norm, linewidths=1.5, zorder=zorder, capstyle="round")
    line.set_array(k[:-1] + 0.5)
    ax.add_collection(line)
    return ax.scatter(path[:, 0], path[:, 1], c=k, cmap=cmap, norm=norm, s=16, edgecolors="black",
                      linewidths=0.6, zorder=zorder, label=label)


def _outward(xy, k):
    """Unit vector at point k pointing away from both its neighbours (across the path where it runs straight:
    odd steps above, even ones below, so that the numbers of short steps alternate sides rather than crowd)."""
    p, away = xy[k], np.zeros(2)
    for q in (xy[k - 1] if k else None, xy[k + 1] if k + 1 < len(xy) else None):
        if q is not None and np.linalg.norm(q - p) > 0:
            away -= (q - p) / np.linalg.norm(q - p)
    if np.linalg.norm(away) < 1e-6:   # a straight stretch (or a lone point): beside it, above and below in turn
        d = xy[min(k + 1, len(xy) - 1)] - xy[max(k - 1, 0)]
        away = np.array([-d[1], d[0]]) if np.linalg.norm(d) > 0 else np.array([0.0, 1.0])
        away *= (np.sign(away[1]) or 1.0) * (1 if k % 2 else -1)
    return away / np.linalg.norm(away)


def _groups(xy, merge):
    """Step numbers gathered by place: a point within `merge` pixels of an earlier group's first point joins it."""
    groups = []
    for k, p in enumerate(xy):
        near = next((g for g in groups if np.linalg.norm(xy[g[0]] - p) <= merge), None) if merge > 0 else None
        if near is None:
            groups.append([k])
        else:
            near.append(k)
    return groups


def fix_layout(fig):
    """Lay the figure out once and keep it so: labels placed by their pixels stay where they were measured.

    Only the layout runs, and each axes' aspect is applied (what a draw would
    do first), so measuring costs no extra drawing and the save no second layout.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    engine = fig.get_layout_engine()
    if engine is not None:
        engine.execute(fig)   # needs the renderer the canvas now has
    for ax in fig.axes:
        ax.apply_aspect()
        for inset in ax.child_axes:   # where its locator puts it, as a draw does
            locator = inset.get_axes_locator()
            inset.apply_aspect(locator(inset, canvas.get_renderer()) if locator else None)
    fig.set_layout_engine("none")
    return canvas


def _crosses(box, segments):
    """Whether any of the segments ((n, 2, 2) display coordinates) passes through the box (Liang-Barsky)."""
    if not len(segments):
        return False
    start, delta = segments[:, 0], segments[:, 1] - segments[:, 0]
    low, high = np.zeros(len(segments)), np.ones(len(segments))
    inside = np.ones(len(segments), dtype=bool)
    for axis, lo, hi in ((0, box.x0, box.x1), (1, box.y0, box.y1)):
        for p, q in ((-delta[:, axis], start[:, axis] - lo), (delta[:, axis], hi - start[:, axis])):
            parallel = p == 0
            inside &= ~(parallel & (q < 0))
            with np.errstate(divide="ignore", invalid="ignore"):
                t = q / p
            low = np.where(~parallel & (p < 0), np.maximum(low, t), low)
            high = np.where(~parallel & (p > 0), np.minimum(high, t), high)
    return bool((inside & (low <= high)).any())


def _nearest_is(box, own, points, nearer):
    """Whether a label's box is nearer to its own point than to any other of `points` (others than those at its
    point), by the factor `nearer`: a number about as near another dot would be read as that dot's."""
    centre = np.array([(box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2])
    distances = np.linalg.norm(points - centre, axis=1)
    others = np.linalg.norm(points - own, axis=1) > 1.0
    return not others.any() or np.linalg.norm(own - centre) < nearer * distances[others].min()


COMPASS = np.array([(np.cos(a), np.sin(a)) for a in np.arange(8) * np.pi / 4])
LEADER_REACH = (2.5, 4.0, 6.0)   # a label with a leader line: this many `gap`s from its point


def _candidates(away, gap, leaders):
    """Where a label may go, best first: (offset in font sizes, with a leader line): along `away`, then the
    other compass directions nearest to it first, then (if `leaders`) the same farther out, on a line."""
    order = sorted(COMPASS, key=lambda d: -float(d @ away))
    near = [(gap * away, False)] + [(gap * d, False) for d in order if d @ away < 0.99]
    far = [(reach * gap * d, True) for reach in LEADER_REACH for d in [away] + order] if leaders else []
    return near + far


def label_steps(ax, points, fontsize=7, gap=0.8, avoid=(), pad=2.0, side_pad=0.5, merge=0.0, laid_out=False,
                path=None, leaders=False, nearer=1.0, **style):
    """Number the points 0, 1, 2, ... beside them, leaving out a label that would come within `pad` pixels
    above or below, or `side_pad` font sizes beside, one already placed or an artist in `avoid` (a start
    or minimum marker): two numbers side by side must not read as one ("3" and "0" as "30").

    A label sits off its point along the outward bisector of the path's turn
    there, `gap` font sizes away, reaching outwards, so it stays off the path's
    own segments. Where that spot is taken, or a segment of `path` (the whole
    path; default `points`) runs through it, or it lies nearer to another
    point than `nearer` times its distance to its own (a dense bundle needs
    less than 1), the label tries the other directions and, with `leaders`,
    farther out on a thin line to its point (a point amid a bundle of
    segments). The numbers stop at the first one left out (after the first
    placed): a number beyond a gap would be taken for a neighbouring dot's.
    With `merge` > 0 (pixels), points the path revisits share one label
    ("0 & 3 & 6", not a coordinate): a path cycling between a few places
    reads as the cycle. The figure's layout is fixed first (fix_layout;
    unless `laid_out`: the caller did, once for several panels).
    Returns the Text artists placed.
    """
    from matplotlib.text import Text
    from matplotlib.transforms import Bbox
    points = np.asarray(points, dtype=float)
    fig = ax.figure
    canvas = fix_layout(fig) if not laid_out else fig.canvas   # overlaps measured where the figure will be drawn
    renderer = canvas.get_renderer()
    xy = ax.transData.transform(points)   # display space: offsets and overlaps as the reader sees them
    line = ax.transData.transform(np.asarray(points if path is None else path, dtype=float))
    segments = np.stack([line[:-1], line[1:]], axis=1)
    taken = [artist.get_window_extent(renderer) for artist in avoid]
    beside = side_pad * fontsize * fig.dpi / 72   # pixels
    leader = dict(arrowstyle="-", linewidth=0.8, color=style.get("color", "black"), shrinkA=1,
                  shrinkB=0.4 * fontsize, path_effects=style.get("path_effects"))
    placed = []
    for group in _groups(xy, merge):
        k = group[0]
        for offset, with_line in _candidates(_outward(xy, k), gap, leaders):
            direction = offset / np.linalg.norm(offset)
            ha = "left" if direction[0] > 0.4 else "right" if direction[0] < -0.4 else "center"
            va = "bottom" if direction[1] > 0.4 else "top" if direction[1] < -0.4 else "center"
            text = ax.annotate(" & ".join(map(str, group)), points[k], xytext=offset, textcoords="offset fontsize",
                               ha=ha, va=va, fontsize=fontsize, zorder=11,
                               arrowprops=leader if with_line else None, **style)
            text.update_positions(renderer)
            box = Text.get_window_extent(text, renderer)   # the number's own box, without its leader line
            reach = Bbox.from_extents(box.x0 - beside, box.y0 - pad, box.x1 + beside, box.y1 + pad)
            near = Bbox.from_extents(box.x0 - pad, box.y0 - pad, box.x1 + pad, box.y1 + pad)
            if any(reach.overlaps(other) for other in taken) or _crosses(near, segments) \
                    or not (with_line or _nearest_is(box, xy[k], line, nearer)):
                text.remove()
                continue
            placed.append(text)
            taken.append(box)
            break
        else:
            if placed:   # the numbers stop at their first gap: one after it would be read as an unnumbered dot's
                break
    return placed
