"""Sections 4-5: gradients, their finite-difference check, gradient fields, descent summaries.

The descent runs themselves come from `runs` (compute_runs.py); here we only
add what the prose and figures of sections 4 and 5 need on top of them.
"""
import numpy as np

from lecturekit.engine.registry import computation
from lecturekit.numerics.grid import weight_grid
from .problems import logistic_problem, sine_problem

LOGISTIC_CHECK_W = (-1.0, 2.0)
SINE_CHECK_W = (0.0, 2.0)
FD_STEP = 1e-6          # central differences: truncation O(h^2), rounding O(eps / h)
FD_GRID = 5             # the check runs on a 5x5 sub-grid of each surface's box, plus the check point
SECTION_RUNS = ("logistic_gd", "sine_gd", "sine_curve", "logistic_curve", "parabola_diverge")
PARABOLA_CURVATURE = 2.0   # f(x) = x^2 + 1 has f''(x) = 2


def central_difference(loss, w, h=FD_STEP):
    """Gradient by central differences: (L(w + h e_j) - L(w - h e_j)) / 2h for each j."""
    w = np.asarray(w, dtype=float)
    steps = h * np.eye(len(w))
    return np.array([(loss(w + e) - loss(w - e)) / (2 * h) for e in steps])


def check_points(box, check_w, n=FD_GRID):
    """The check point and an n x n sub-grid of the box: where analytic and numeric gradients are compared."""
    W1, W2 = weight_grid(*box, n)
    return np.vstack([np.asarray(check_w, dtype=float), np.column_stack([W1.ravel(), W2.ravel()])])


def gradient_check(loss, grad, check_w, box):
    """The gradient at the check point, and the worst |analytic - central difference| over all check points."""
    points = check_points(box, check_w)
    errors = [np.max(np.abs(grad(w) - central_difference(loss, w))) for w in points]
    return {"w": [float(v) for v in check_w], "grad": [float(v) for v in grad(np.asarray(check_w))],
            "fd_grad": [float(v) for v in central_difference(loss, check_w)],
            "max_fd_error": float(max(errors)), "fd_points": len(points), "fd_step": FD_STEP}


def gradient_field(grad, grid):
    """The negative gradient at every point of a surface's grid (the direction of steepest descent)."""
    G = grad(np.stack([grid["W1"], grid["W2"]], axis=-1))
    return {"U": -G[..., 0], "V": -G[..., 1]}


@computation(into="logistic")
def logistic_gradient(breast_cancer, logistic_surface):
    """Logistic NLL gradient: quoted at (-1, 2), checked numerically, and as a field over the grid."""
    loss, grad, _ = logistic_problem(breast_cancer)
    return {"grad_check": gradient_check(loss, grad, LOGISTIC_CHECK_W, logistic_surface["grid"]["box"]),
            "gradient_field": gradient_field(grad, logistic_surface["grid"])}


@computation(into="sine")
def sine_gradient(sine_dataset, sine_surface):
    """Sine MSE gradient: quoted at (0, 2), checked numerically, and as a field over the grid."""
    loss, grad, _ = sine_problem(sine_dataset)
    return {"grad_check": gradient_check(loss, grad, SINE_CHECK_W, sine_surface["grid"]["box"]),
            "gradient_field": gradient_field(grad, sine_surface["grid"])}


def step_lengths(path):
    """Euclidean length of every step of a path."""
    return np.linalg.norm(np.diff(np.asarray(path, dtype=float), axis=0), axis=1)


@computation(into="descent")
def descent_steps(runs):
    """Per run of sections 4-5: start and lowest loss, steps taken, last step length, steps that raised the loss."""
    out = {}
    for name in SECTION_RUNS:
        run = runs[name]
        lengths = step_lengths(run["path"])
        losses = np.asarray(run["losses"])
        out[name] = {"start_loss": float(losses[0]), "min_loss": float(losses.min()),
                     "steps": int(len(lengths)), "last_step": float(lengths[-1]),
                     "loss_increases": int(np.sum(np.diff(losses) > 0))}
    return out


@computation(into="parabola")
def parabola_divergence(runs):
    """x^2 + 1 with too large a step: x_k = x0 (1 - 2 lr)^k, so |x_k| grows by |1 - 2 lr| per step."""
    run = runs["parabola_diverge"]
    x = run["path"][:, 0]
    lr, x0 = run["lr"], x[0]
    k = np.arange(len(x))
    closed_form = x0 * (1 - 2 * lr) ** k    # x - lr * 2x = (1 - 2 lr) x
    return {"lr": lr, "x0": float(x0), "factor": abs(1 - 2 * lr), "multiplier": 1 - 2 * lr,
            "steps": int(len(x) - 1), "final_x": float(x[-1]),
            "growth": float(abs(x[-1] / x0)), "max_closed_form_error": float(np.max(np.abs(x - closed_form))),
            "max_stable_lr": 2 / PARABOLA_CURVATURE,   # |1 - lr f''| < 1  <=>  0 < lr < 2 / f''
            "x": x, "k": k, "closed_form": closed_form, "losses": np.asarray(run["losses"])}
