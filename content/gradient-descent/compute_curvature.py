"""Sections 6-7: second-order structure, ill-conditioning and momentum.

Taylor expansions at the grid bests, where each loss has a positive definite
Hessian, Newton's method to the true minima, and gradient descent on the
ill-conditioned quadratic with its theory beside the measured runs. The
constants live inside the functions so that changing one changes the cache key.
"""
import numpy as np

from lecturekit.engine.registry import computation
from lecturekit.numerics import quadratic as theory
from lecturekit.numerics.descent import descent_path, run_summary
from lecturekit.numerics.grid import loss_grid, sine_mse_grid, weight_grid
from lecturekit.numerics.newton import newton_path, steps_to_tolerance
from lecturekit.numerics.taylor import eigen_axes, smallest_eigenvalue, taylor_quadratic
from .compute_runs import RUN_TABLE
from .problems import QUADRATIC_LAMS, logistic_problem, sine_problem


def _floats(a):
    """An array as nested lists of Python floats, for results.json."""
    return np.asarray(a, dtype=float).tolist()


def _local_box(box, center, fraction):
    """A box around `center` spanning `fraction` of each side of `box`."""
    return [(c - fraction * (hi - lo) / 2, c + fraction * (hi - lo) / 2) for c, (lo, hi) in zip(center, box)]


def zoom_box(w_star, model_minimizer, aspect, spread=1.6):
    """A box of height/width `aspect` centred between w* and the model's minimum.

    Its shorter half-side is `spread` times their distance, so the two points sit
    well inside it and at least 1/(2 spread) of its shorter side apart.
    """
    a, b = np.asarray(w_star, dtype=float), np.asarray(model_minimizer, dtype=float)
    short = spread * max(float(np.linalg.norm(b - a)), 1e-9)
    half = (short, short * aspect) if aspect >= 1 else (short / aspect, short)
    center = (a + b) / 2
    return [[float(c - h), float(c + h)] for c, h in zip(center, half)]


def line_in_box(w, v, box):
    """The interval of s for which w + s v stays inside `box` (v a unit vector, w inside)."""
    lo, hi = -np.inf, np.inf
    for wi, vi, (a, b) in zip(w, v, box):
        if abs(vi) > 1e-12:
            s1, s2 = sorted(((a - wi) / vi, (b - wi) / vi))
            lo, hi = max(lo, s1), min(hi, s2)
    return float(lo), float(hi)


def eigen_slices(w_star, V, loss, q, box, points=241):
    """The loss and its model along each eigenvector through w*, across the whole box: 1-D cuts of both."""
    out = []
    for i in range(V.shape[1]):
        s = np.linspace(*line_in_box(w_star, V[:, i], box), points)
        line = w_star + s[:, None] * V[:, i]
        out.append({"s": s, "L": loss(line), "Q": q(line)})
    return out


def taylor_expansion(w_star, loss, grad, hessian, surface_grid, fine=80, zoom=0.3):
    """L, g, H and the eigen-structure at w*, with the quadratic model on four grids and two lines.

    `full`: the lecture's 30x30 grid, whose loss the surface already holds; `fine`: the
    same box, finer, for contours; `local`: a 30x30 grid over `zoom` of the box around
    w*, where the model is good; `zoom`: a fine grid over zoom_box, where w* and the
    model's minimum are told apart; `slices`: the loss and the model along each eigenvector.
    The eigen-axis of curvature lam is scaled by 0.5/sqrt|lam|: along it the model
    rises by lam s^2 / 2 = 1/8 (ignoring the gradient term).
    """
    w_star = np.asarray(w_star, dtype=float)
    q = taylor_quadratic(w_star, loss, grad, hessian)
    g, H = np.asarray(grad(w_star)), np.asarray(hessian(w_star))
    lams, V = eigen_axes(H)
    box = surface_grid["box"]
    model_minimizer = w_star - np.linalg.solve(H, g)   # where one Newton step lands
    W1f, W2f = weight_grid(*box, fine)
    W1l, W2l = weight_grid(*_local_box(box, w_star, zoom), 30)
    (x0, x1), (y0, y1) = box   # the zoom has the box's shape, so it can be inset in the map at equal scales
    W1z, W2z = weight_grid(*zoom_box(w_star, model_minimizer, (y1 - y0) / (x1 - x0)), fine)
    grids = {"full": (surface_grid["W1"], surface_grid["W2"]), "fine": (W1f, W2f), "local": (W1l, W2l),
             "zoom": (W1z, W2z)}
    boxes = {name: [[float(A.min()), float(A.max())], [float(B.min()), float(B.max())]]
             for name, (A, B) in grids.items()}
    losses = {"full": surface_grid["L"],
              **{name: loss_grid(loss, *grids[name]) for name in ("fine", "local", "zoom")}}
    return {
        "w": _floats(w_star), "loss": float(loss(w_star)), "grad": _floats(g), "hessian": _floats(H),
        "eigenvalues": _floats(lams), "eigenvectors": _floats(V),
        "axis_lengths": _floats(0.5 / np.sqrt(np.abs(lams))),
        "condition_number": theory.condition_number(lams),
        # The model's own minimizer, w* - H^{-1} g: where one Newton step lands.
        "model_minimizer": _floats(model_minimizer),
        **{name: {"box": boxes[name], "W1": A, "W2": B, "L": losses[name], "Q": loss_grid(q, A, B)}
           for name, (A, B) in grids.items()},
        "slices": eigen_slices(w_star, V, loss, q, box),
    }


@computation(into="logistic")
def logistic_taylor(breast_cancer, logistic_surface):
    """Second-order Taylor expansion of the logistic NLL at its grid best."""
    return {"taylor": taylor_expansion(logistic_surface["grid_best"], *logistic_problem(breast_cancer),
                                       logistic_surface["grid"])}


@computation(into="sine")
def sine_taylor(sine_dataset, sine_surface):
    """Second-order Taylor expansion of the sine MSE at its grid best."""
    # The valley is narrow across its floor, so the close-up is tighter than the logistic one.
    return {"taylor": taylor_expansion(sine_surface["grid_best"], *sine_problem(sine_dataset),
                                       sine_surface["grid"], zoom=0.12)}


def pd_map(hessian, grid):
    """Where on the grid the Hessian is positive definite (`pd`, shaped like the grid), and its
    smallest eigenvalue over the grid."""
    min_eig = smallest_eigenvalue(hessian(np.stack([grid["W1"], grid["W2"]], axis=-1)))
    pd = min_eig > 0   # positive definite: every eigenvalue, so the smallest, is positive
    return {"convex_fraction": float(pd.mean()), "smallest_hessian_eigenvalue": float(min_eig.min()),
            "pd_map": {"points": int(pd.size), "pd_points": int(pd.sum()), "pd": pd}}


@computation(into="sine")
def sine_convexity(sine_dataset, sine_surface):
    """Fraction of the sine 30x30 grid where the Hessian is positive definite."""
    return pd_map(sine_problem(sine_dataset).hessian, sine_surface["grid"])


@computation(into="logistic")
def logistic_convexity(breast_cancer, logistic_surface):
    """The same check on the logistic grid (every point should pass)."""
    return pd_map(logistic_problem(breast_cancer).hessian, logistic_surface["grid"])


def gd_to_tolerance(grad, w0, w_opt, lr, tol, budget, eps=1e-6):
    """Steps plain GD needs to get within `tol` of w_opt, with the eps rule off, and where the rule would stop.

    The spec's eps rule stops on step length, not on distance to the optimum:
    with per-step contraction r the error left is about step / (1 - r), which
    can exceed the step many times over. So the count uses distance (eps = 0),
    and the eps-rule stop is reported beside it.
    """
    path = descent_path(grad, w0, lr, budget, eps=0.0)
    # The eps rule takes the same steps and stops after the first one shorter than eps.
    short = np.flatnonzero(np.linalg.norm(np.diff(path, axis=0), axis=-1) < eps)
    stopped = path[: short[0] + 2] if len(short) else path
    return {"lr": float(lr), "steps": steps_to_tolerance(path, w_opt, tol), "eps": eps,
            "eps_rule_steps": int(len(stopped) - 1),
            "eps_rule_distance": float(np.linalg.norm(stopped[-1] - w_opt)),
            "distances": np.linalg.norm(path - w_opt, axis=-1)}


def newton_optimum(w_grid, loss, grad, hessian, lecture_lr, tol=1e-5, grad_tol=1e-10, budget=1500):
    """Newton from the grid best to the local minimum; GD to the same distance for comparison.

    GD runs at two stable rates: the lecture's lr for this model, and the best
    fixed lr 2 / (lam_min + lam_max) of the Hessian at the optimum. `budget`
    steps cover the slowest of these runs (a few hundred steps) and the 1.5
    times as many that the comparison figure shows. The rates come from the
    quadratic theory, whose f = w^T diag(lams) w has Hessian 2 diag(lams): near
    the optimum the loss is such a quadratic with lams = Hessian eigenvalues / 2.
    """
    w_grid = np.asarray(w_grid, dtype=float)
    path = newton_path(grad, hessian, w_grid, tol=grad_tol)
    w_opt = path[-1]
    lams = np.linalg.eigvalsh(hessian(w_opt))
    # Newton finds stationary points; the explorer and the page take this one for a minimum.
    if not (np.all(lams > 0) and np.linalg.norm(grad(w_opt)) < grad_tol):
        raise ValueError(f"Newton from the grid best {w_grid} did not reach a minimum: {w_opt}")
    model_lams = lams / 2.0
    best_lr = theory.best_lr(model_lams)
    return {"optimum": {
        "w": _floats(w_opt), "loss": float(loss(w_opt)), "newton_steps": int(len(path) - 1),
        "grad_norm": float(np.linalg.norm(grad(w_opt))), "grad_tolerance": grad_tol,
        "hessian_eigenvalues": _floats(lams),
        "distance_from_grid_best": float(np.linalg.norm(w_opt - w_grid)),
        "loss_gain": float(loss(w_grid) - loss(w_opt)),
        "tolerance": tol, "newton_steps_to_tolerance": steps_to_tolerance(path, w_opt, tol),
        "max_stable_lr": theory.max_stable_lr(model_lams),
        "best_lr_rate": theory.best_rate(model_lams),
        "gd_lecture_lr": gd_to_tolerance(grad, w_grid, w_opt, lecture_lr, tol, budget),
        "gd_best_lr": gd_to_tolerance(grad, w_grid, w_opt, best_lr, tol, budget),
        "newton_path": path, "newton_distances": np.linalg.norm(path - w_opt, axis=-1),
    }}


@computation(into="logistic")
def logistic_optimum(breast_cancer, logistic_surface):
    """Newton's method from the logistic grid best, against GD at lr 10 (the lecture's)."""
    return newton_optimum(logistic_surface["grid_best"], *logistic_problem(breast_cancer),
                          lecture_lr=RUN_TABLE["logistic_gd"][2])


@computation(into="sine")
def sine_optimum(sine_dataset, sine_surface):
    """Newton's method from the sine grid best, against GD at lr 0.1 (the lecture's stable one)."""
    # sine_gd's lr 0.2 exceeds 2 / lam_max at this minimum, so compare at sine_curve's 0.1.
    return newton_optimum(sine_surface["grid_best"], *sine_problem(sine_dataset),
                          lecture_lr=RUN_TABLE["sine_curve"][2])


def run_rates(run, lams):
    """Theory beside one quadratic run: per-direction factors, predicted and measured contraction.

    Only directions the start excites count: from (-4, 0) the stiff direction is never moved.
    """
    beta = run["beta"] or 0.0
    excited = np.abs(np.asarray(run["start"])) > 0
    return {"lr": run["lr"], "beta": run["beta"], "factors": _floats(theory.step_factors(lams, run["lr"])),
            "predicted_rate": theory.momentum_rate(lams[excited], run["lr"], beta),
            "measured_rate": theory.measured_rate(run["path"]),
            "final_distance": float(np.linalg.norm(run["path"][-1])),
            "path_length": run["path_length"], "converged": run["converged"]}


@computation(into="quadratic")
def quadratic_theory(runs):
    """Condition number, stable and best rates, heavy ball; and each quadratic run measured."""
    lams = QUADRATIC_LAMS
    hb_lr, hb_beta, hb_rate = theory.heavy_ball(lams)
    return {
        "eigenvalues": _floats(lams),
        "condition_number": theory.condition_number(lams),
        "max_stable_lr": theory.max_stable_lr(lams),
        "best_lr": theory.best_lr(lams), "best_rate": theory.best_rate(lams),
        "heavy_ball_lr": hb_lr, "heavy_ball_beta": hb_beta, "heavy_ball_rate": hb_rate,
        "runs": {name: run_rates(runs[name], lams)
                 for name in ("quad_axis", "quad_lr1", "quad_lr09", "quad_momentum")},
    }


@computation(into="sine")
def sine_momentum_baseline(sine_dataset, runs):
    """Plain GD from sine_momentum's start and lr (2.2, 2.2), 0.1, 50 epochs: momentum's baseline."""
    loss, grad, _ = sine_problem(sine_dataset)
    x, y = sine_dataset["x"], sine_dataset["y"]
    _, start, lr, _, epochs = RUN_TABLE["sine_momentum"]
    path = descent_path(grad, np.array(start), lr, epochs)
    # A finer grid around both paths, for a contour map zoomed to where they go.
    both = np.vstack([path, runs["sine_momentum"]["path"]])
    margin = 0.15 * np.ptp(both, axis=0)
    lo, hi = both.min(axis=0) - margin, both.max(axis=0) + margin
    W0, W1 = weight_grid((lo[0], hi[0]), (lo[1], hi[1]), 120)
    return {"momentum_baseline": {**run_summary(path, loss, lr, None, epochs), "path": path, "losses": loss(path)},
            "momentum_zoom": {"box": [[float(lo[0]), float(hi[0])], [float(lo[1]), float(hi[1])]],
                              "W1": W0, "W2": W1, "L": sine_mse_grid(W0, W1, x, y)}}
