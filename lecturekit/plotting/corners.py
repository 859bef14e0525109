"""Where a plot's label and legend go: the corners a path and the background's lines cross least."""
import numpy as np

# Corners in axes fractions (x, y, ha, va), in order of preference.
CORNERS = {
    "upper left": (0.02, 0.975, "left", "top"),
    "upper right": (0.98, 0.975, "right", "top"),
    "lower left": (0.02, 0.025, "left", "bottom"),
    "lower right": (0.98, 0.025, "right", "bottom"),
}


def sample_polyline(points, per_segment=12):
    """Points along a polyline (NaN rows are breaks), so long straight runs count too."""
    pieces = []
    for run in np.split(points, np.flatnonzero(np.isnan(points).any(axis=1))):
        run = run[np.isfinite(run).all(axis=1)]
        if len(run) > 1:
            t = np.linspace(0, 1, per_segment)[:, None, None]
            pieces.append((run[:-1] + t * (run[1:] - run[:-1])).reshape(-1, 2))
        elif len(run) == 1:
            pieces.append(run)
    return np.concatenate(pieces) if pieces else np.empty((0, 2))


def corner_scores(ax, display_points, size):
    """How many of the display-space points fall in a box of `size` (pixels) at each corner."""
    with np.errstate(all="ignore"):
        pts = ax.transAxes.inverted().transform(display_points) if len(display_points) else display_points
    rw = (size[0] + 24) / ax.bbox.width   # the corner offset and box padding
    rh = (size[1] + 24) / ax.bbox.height
    inside = (pts[:, 0] >= 0) & (pts[:, 0] <= 1) & (pts[:, 1] >= 0) & (pts[:, 1] <= 1)
    scores = {}
    for name, (_, _, ha, va) in CORNERS.items():
        xs = (pts[:, 0] <= rw) if ha == "left" else (pts[:, 0] >= 1 - rw)
        ys = (pts[:, 1] >= 1 - rh) if va == "top" else (pts[:, 1] <= rh)
        scores[name] = int(np.count_nonzero(xs & ys & inside))
    return scores


def busy_points(ax, vertices, exclude=()):
    """Display-space samples of the whole path and of the background's lines (a 1-D curve)."""
    groups = [ax.transData.transform(sample_polyline(vertices))]
    for line in ax.get_lines():
        if line in exclude:
            continue
        xy = np.asarray(line.get_xydata(), dtype=float)
        if xy.ndim == 2 and len(xy):
            with np.errstate(all="ignore"):
                groups.append(sample_polyline(line.get_transform().transform(xy)))
    return np.concatenate(groups)
