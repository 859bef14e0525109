"""Newton's method where it fails: started where the sine loss curves downward, it finds a stationary
point that is not a minimum.

The start is the point of the sine 30x30 grid where the Hessian's smallest
eigenvalue is most negative. Newton's iteration w <- w - H^-1 g runs for at
most MAX_STEPS steps, and stops after the first step shorter than STEP_TOL
(that short step included, as the descent rule does).
"""
import numpy as np

from lecturekit.engine.registry import computation
from lecturekit.numerics.losses import sine_predict
from lecturekit.numerics.newton import newton_path
from lecturekit.numerics.taylor import smallest_eigenvalue
from .problems import sine_problem

MAX_STEPS = 50
STEP_TOL = 1e-10


def until_short_step(path, tol):
    """The path up to and including its first step shorter than `tol` (all of it if there is none)."""
    steps = np.linalg.norm(np.diff(path, axis=0), axis=-1)
    short = np.flatnonzero(steps < tol)
    return path[: short[0] + 2] if len(short) else path


def stationary_kind(eigenvalues):
    """What a stationary point is, from its Hessian's eigenvalues (ascending)."""
    lo, hi = eigenvalues[0], eigenvalues[-1]
    if lo > 0:
        return "local minimum"
    if hi < 0:
        return "local maximum"
    return "saddle point" if lo < 0 < hi else "degenerate"


def extended_grid(grid, path, margin=0.6):
    """The grid's points continued, with its spacing, far enough to hold the path and a margin of `margin`
    cells: the convexity map beyond the lecture's box, where Newton's path goes."""
    a, b = grid["W1"][0, :], grid["W2"][:, 0]
    out = []
    for axis, values in ((a, path[:, 0]), (b, path[:, 1])):
        h = axis[1] - axis[0]
        below, above = axis[0] - values.min(), values.max() - axis[-1]
        below, above = (int(np.ceil(gap / h + margin)) if gap > 0 else 0 for gap in (below, above))
        out.append(axis[0] + h * np.arange(-below, len(axis) + above))
    return np.meshgrid(*out)


@computation(into="sine")
def sine_newton_failure(sine_dataset, sine_surface, sine_optimum):
    """Newton from the grid point of most negative curvature: where it ends, and what is there."""
    loss, grad, hessian = sine_problem(sine_dataset)
    grid, x = sine_surface["grid"], sine_dataset["x"]
    w_opt = np.asarray(sine_optimum["optimum"]["w"])
    points = np.stack([grid["W1"], grid["W2"]], axis=-1)
    curvature = smallest_eigenvalue(hessian(points))
    start = points[np.unravel_index(np.argmin(curvature), curvature.shape)]
    # The gradient rule of newton_path never fires with tol 0; the step rule cuts the path instead.
    path = until_short_step(newton_path(grad, hessian, start, tol=0.0, max_steps=MAX_STEPS), STEP_TOL)
    end = path[-1]
    start_eigenvalues, end_eigenvalues = np.linalg.eigvalsh(hessian(start)), np.linalg.eigvalsh(hessian(end))
    W1, W2 = extended_grid(grid, path)
    extended = np.stack([W1, W2], axis=-1)
    return {"newton_failure": {
        "start": start.tolist(), "start_loss": float(loss(start)), "start_eigenvalues": start_eigenvalues.tolist(),
        "start_kind": "negative definite" if start_eigenvalues[-1] < 0 else "indefinite",
        "end": end.tolist(), "end_loss": float(loss(end)), "steps": int(len(path) - 1),
        "last_step": float(np.linalg.norm(path[-1] - path[-2])), "step_tolerance": STEP_TOL,
        "max_steps": MAX_STEPS, "grad_norm": float(np.linalg.norm(grad(end))),
        "eigenvalues": end_eigenvalues.tolist(), "kind": stationary_kind(end_eigenvalues),
        # How far the end is from the local minimum, in each weight: sin(u + pi) = -sin(u).
        "offset_from_minimum": (end - w_opt).tolist(),
        # The fit at the end against the best fit: sin(u + pi) = -sin(u), so a correlation near -1 is upside down.
        "prediction_correlation": float(np.corrcoef(sine_predict(end, x), sine_predict(w_opt, x))[0, 1]),
        # Whether the Hessian is positive definite at each point of the path (the figure shows the path in grey).
        "path_positive_definite": [bool(v) for v in smallest_eigenvalue(hessian(path)) > 0],
        "outside_grid": bool(np.any(end < [b[0] for b in grid["box"]]) or np.any(end > [b[1] for b in grid["box"]])),
        "path": path,
        "map": {"W1": W1, "W2": W2, "pd": smallest_eigenvalue(hessian(extended)) > 0, "L": loss(extended)},
    }}
