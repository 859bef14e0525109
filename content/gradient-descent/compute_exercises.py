"""Numbers the exercises' solutions quote, computed like every other number on the page.

Each computation answers one exercise (its name says which); the tests in
tests/test_lecture_exercises.py answer them again another way.
"""
import math

import numpy as np

from lecturekit.engine.registry import computation
from lecturekit.numerics import quadratic as theory
from lecturekit.numerics.descent import descent_path, momentum_path
from lecturekit.numerics.newton import newton_path, steps_to_tolerance
from .compute_descent import LOGISTIC_CHECK_W, SINE_CHECK_W, central_difference
from .problems import QUADRATIC_LAMS, logistic_problem, parabola_problem, quadratic_problem, sine_problem

DIFFERENCE_STEPS = (1e-1, 1e-2, 1e-3, 1e-11)   # three steps to read the orders from, one too small for double precision
STEEPEST_STEP = 0.1                             # the step length compared along -grad and along the axes


@computation(into="exercises")
def grid_search_cost():
    """Grid search with 30 points per weight: evaluations for d weights, and the time at a million a second."""
    points, per_second, d = 30, 1e6, 10
    evaluations = float(points) ** d
    seconds = evaluations / per_second
    return {"grid_cost": {"points": points, "weights": d, "evaluations": evaluations,
                          "per_second": per_second, "years": seconds / (365.25 * 24 * 3600)}}


@computation(into="exercises")
def origin_gradient(breast_cancer, runs):
    """The logistic gradient at w = 0, where every probability is 1/2, and the first step of logistic_gd."""
    X, t = breast_cancer["X"], breast_cancer["t"]
    grad = logistic_problem(breast_cancer).grad(np.zeros(2))
    run = runs["logistic_gd"]
    return {"origin_gradient": {"grad": grad.tolist(), "class_one_mean": X[t == 1].mean(axis=0).tolist(),
                                "class_one_fraction": float(np.mean(t == 1)),
                                "first_point": run["path"][1].tolist(),
                                "first_step_length": float(np.linalg.norm(run["path"][1] - run["path"][0]))}}


@computation(into="exercises")
def steepest_step(breast_cancer):
    """Steps of one length from the logistic check point: along -grad (first order and exact) and along each -axis."""
    problem, w, r = logistic_problem(breast_cancer), np.asarray(LOGISTIC_CHECK_W, dtype=float), STEEPEST_STEP
    grad, loss_at_w = problem.grad(w), problem.loss(w)
    norm = float(np.linalg.norm(grad))
    return {"steepest_step": {"w": w.tolist(), "length": r, "grad_norm": norm, "first_order": -r * norm,
                              "along_gradient": float(problem.loss(w - r * grad / norm) - loss_at_w),
                              "along_axes": [float(problem.loss(w - r * e) - loss_at_w) for e in np.eye(len(w))]}}


@computation(into="exercises")
def difference_orders(sine_dataset):
    """Forward and central differences of the sine loss at its check point: the worst error for each step h."""
    problem, w = sine_problem(sine_dataset), np.asarray(SINE_CHECK_W, dtype=float)
    exact, loss_at_w = problem.grad(w), problem.loss(w)
    rows = []
    for h in DIFFERENCE_STEPS:
        forward = np.array([(problem.loss(w + e) - loss_at_w) / h for e in h * np.eye(len(w))])
        central = central_difference(problem.loss, w, h)
        rows.append({"h": h, "forward_error": float(np.max(np.abs(forward - exact))),
                     "central_error": float(np.max(np.abs(central - exact)))})
    return {"difference_orders": {"w": w.tolist(), "steps": rows}}


@computation(into="exercises")
def parabola_steps(parabola_divergence):
    """x^2 + 1: the lr that reaches the minimum in one step, and what lr = 1 does from x0."""
    problem, x0 = parabola_problem(), parabola_divergence["x0"]
    curvature = float(problem.hessian(np.array([x0]))[0, 0])
    return {"parabola": {"one_step_lr": 1.0 / curvature,
                         "lr_one_points": descent_path(problem.grad, [x0], 1.0, 3)[:, 0].tolist()}}


@computation(into="exercises")
def sine_step_factors(sine_optimum, runs):
    """|1 - lr lam| at the sine minimum for the learning rates of sine_gd and sine_curve."""
    lams = np.asarray(sine_optimum["optimum"]["hessian_eigenvalues"])
    return {"sine_factors": {name: {"lr": runs[name]["lr"], "factors": np.abs(1 - runs[name]["lr"] * lams).tolist()}
                             for name in ("sine_gd", "sine_curve")}}


@computation(into="exercises")
def newton_on_quadratic(runs):
    """Newton's method on the quadratic bowl from quad_lr1's start: the steps it takes and where it ends."""
    problem = quadratic_problem()
    path = newton_path(problem.grad, problem.hessian, np.asarray(runs["quad_lr1"]["start"]))
    return {"newton_quadratic": {"start": path[0].tolist(), "steps": int(len(path) - 1), "end": path[-1].tolist()}}


@computation(into="exercises")
def logistic_curvature_bound(breast_cancer, logistic_optimum, runs):
    """The largest curvature of the logistic loss anywhere (at w = 0, where p(1 - p) = 1/4 is largest).

    H(w) = X^T diag(p(1 - p)) X / N is below X^T X / (4N) = H(0), so 2 / lam_max(H(0)) is the
    step size that no point of weight space can make unstable. Beside it: at how many points of
    each logistic run the curvature exceeded 2 / lr, the limit for that run's lr.
    """
    problem = logistic_problem(breast_cancer)
    lam_max = lambda w: np.linalg.eigvalsh(problem.hessian(np.asarray(w)))[..., -1]
    lam_max_origin, lam_max_optimum = float(lam_max(np.zeros(2))), float(lam_max(logistic_optimum["optimum"]["w"]))
    steep = {name: int(np.sum(lam_max(runs[name]["path"]) > 2.0 / runs[name]["lr"]))
             for name in ("logistic_gd", "logistic_curve")}
    return {"logistic_curvature": {"lam_max_origin": lam_max_origin, "safe_lr": 2.0 / lam_max_origin,
                                   "lam_max_optimum": lam_max_optimum, "optimum_lr_limit": 2.0 / lam_max_optimum,
                                   "steep_points": steep}}


@computation(into="exercises")
def quad_axis_steps(runs, quadratic_curvatures):
    """quad_axis shrinks by |1 - lr lam_1| per step: steps predicted and taken to come within 1e-3 of the minimum."""
    run, tol = runs["quad_axis"], 1e-3
    factor = abs(1 - run["lr"] * quadratic_curvatures["hessian_eigenvalues"][0])   # the flat direction is w1
    distance0 = float(np.linalg.norm(run["path"][0]))
    return {"quad_axis_steps": {"tolerance": tol, "factor": factor, "distance0": distance0,
                                "predicted": math.ceil(math.log(tol / distance0) / math.log(factor)),
                                "taken": steps_to_tolerance(run["path"], np.zeros(2), tol)}}


def steps_below(path, reduction):
    """Steps after which the distance to the minimum 0 stays below `reduction` times the start's."""
    d = np.linalg.norm(path, axis=-1) / np.linalg.norm(path[0])
    return int(np.flatnonzero(d >= reduction)[-1]) + 1


@computation(into="exercises")
def condition_growth():
    """Best fixed-lr and tuned heavy-ball rates for kappa = 10 and 100, the steps each rate predicts for a
    1e-6 reduction, and the steps the runs from (1, 1) take (with the lecture's descent code)."""
    reduction, start, out = 1e-6, np.array([1.0, 1.0]), []
    for kappa in (10.0, 100.0):
        lams = np.array([1.0 / kappa, 1.0])            # f = w^T diag(lams) w, as in quadratic.py
        grad = lambda w, lams=lams: 2 * lams * w
        hb_lr, hb_beta, hb_rate = theory.heavy_ball(lams)
        rates = {"gd": theory.best_rate(lams), "heavy_ball": hb_rate}
        paths = {"gd": descent_path(grad, start, theory.best_lr(lams), 1000, eps=0.0),
                 "heavy_ball": momentum_path(grad, start, hb_lr, hb_beta, 1000, eps=0.0)}
        out.append({"kappa": kappa, **{f"{k}_rate": r for k, r in rates.items()},
                    **{f"{k}_steps": math.ceil(math.log(reduction) / math.log(r)) for k, r in rates.items()},
                    **{f"{k}_run_steps": steps_below(path, reduction) for k, path in paths.items()}})
    return {"condition_growth": {"reduction": reduction, "start": start.tolist(), "cases": out}}


@computation(into="exercises")
def momentum_stability(runs, quadratic_curvatures):
    """Heavy ball with quad_momentum's beta: the lr limit 2 (1 + beta) / lam_max, and the rate either side of it."""
    beta = runs["quad_momentum"]["beta"]
    lam_max = float(quadratic_curvatures["hessian_eigenvalues"][-1])
    limit = 2 * (1 + beta) / lam_max
    below, above = 0.99 * limit, 1.01 * limit
    return {"momentum_stability": {"beta": beta, "lr_limit": limit, "below": below, "above": above,
                                   "rate_below": theory.momentum_rate(QUADRATIC_LAMS, below, beta),
                                   "rate_above": theory.momentum_rate(QUADRATIC_LAMS, above, beta)}}
