"""Sections 6-7 of the Gradient Descent lecture against independent computations.

Every expected value is recomputed here another way (finite differences, scipy,
plain loops, brute force), never copied from an output.
"""

import sys

import numpy as np
import pytest
from scipy.optimize import minimize

from lecturekit.numerics import losses
from reference import fd_jacobian, heavy_ball, spectral_radius



def models(results):
    """(name, taylor, optimum, loss, grad, grid best) of both models, from the lecture's own data."""
    X, t = results("breast_cancer")["X"], results("breast_cancer")["t"]
    x, y = results("sine_dataset")["x"], results("sine_dataset")["y"]
    return [
        ("logistic", results("logistic_taylor")["taylor"], results("logistic_optimum")["optimum"],
         lambda w: losses.logistic_nll(w, X, t), lambda w: losses.logistic_nll_grad(w, X, t),
         results("logistic_surface")["grid_best"]),
        ("sine", results("sine_taylor")["taylor"], results("sine_optimum")["optimum"],
         lambda w: losses.sine_mse(w, x, y), lambda w: losses.sine_mse_grad(w, x, y),
         results("sine_surface")["grid_best"]),
    ]


# --- Taylor expansion at the grid best ------------------------------------------------------------


def test_taylor_values_are_those_of_the_loss_at_the_grid_best(results):
    for name, taylor, _, loss, grad, best in models(results):
        np.testing.assert_array_equal(taylor["w"], best)
        assert taylor["loss"] == pytest.approx(float(loss(np.array(best))), rel=1e-12), name
        np.testing.assert_allclose(taylor["grad"], grad(np.array(best)), rtol=1e-10, atol=1e-14)


def test_taylor_hessian_equals_differences_of_the_gradient(results):
    for name, taylor, _, _, grad, best in models(results):
        np.testing.assert_allclose(taylor["hessian"], fd_jacobian(grad, best), rtol=1e-5, atol=1e-8,
                                   err_msg=name)


def test_eigenvalues_ascend_and_eigenvectors_reconstruct_the_hessian(results):
    for name, taylor, *_ in models(results):
        H, lams, V = (np.array(taylor[k]) for k in ("hessian", "eigenvalues", "eigenvectors"))
        assert np.all(np.diff(lams) > 0), name
        np.testing.assert_allclose(V @ np.diag(lams) @ V.T, H, rtol=1e-10, atol=1e-14)
        np.testing.assert_allclose(V.T @ V, np.eye(2), atol=1e-12)
        for i in range(2):  # columns, not rows, are the eigenvectors
            np.testing.assert_allclose(H @ V[:, i], lams[i] * V[:, i], rtol=1e-9, atol=1e-14)
        # Both grid bests sit in a bowl: the page says so.
        assert lams[0] > 0
        np.testing.assert_allclose(taylor["axis_lengths"], 0.5 / np.sqrt(np.abs(lams)), rtol=1e-12)


def test_taylor_model_on_the_grid_is_the_quadratic_and_touches_the_loss_at_w_star(results):
    for name, taylor, _, loss, _, _ in models(results):
        w, g, H = (np.array(taylor[k]) for k in ("w", "grad", "hessian"))
        local = taylor["local"]
        for i, j in [(0, 0), (7, 21), (29, 29)]:
            d = np.array([local["W1"][i, j], local["W2"][i, j]]) - w
            assert local["Q"][i, j] == pytest.approx(taylor["loss"] + g @ d + 0.5 * d @ H @ d, rel=1e-12)
        # Near w* the model matches the loss to third order: far better than the loss varies there.
        gap = np.abs(local["Q"] - local["L"])
        i, j = np.unravel_index(np.argmin(np.hypot(local["W1"] - w[0], local["W2"] - w[1])), gap.shape)
        assert gap[i, j] < 1e-3 * np.ptp(local["L"]), name
        # The model's minimizer makes its gradient g + H d vanish.
        m = np.array(taylor["model_minimizer"])
        np.testing.assert_allclose(g + H @ (m - w), 0.0, atol=1e-12)


# --- Newton's method --------------------------------------------------------------------------------


def test_newton_optimum_is_a_minimum_matching_scipy(results):
    for name, _, opt, loss, grad, best in models(results):
        w = np.array(opt["w"])
        assert np.linalg.norm(grad(w)) < 1e-10, name
        reference = minimize(loss, np.array(best, dtype=float), jac=grad, method="BFGS",
                             options={"gtol": 1e-12, "maxiter": 1000}).x
        np.testing.assert_allclose(w, reference, atol=1e-6, err_msg=name)
        assert opt["loss"] == pytest.approx(float(loss(w)), rel=1e-12)
        assert opt["distance_from_grid_best"] == pytest.approx(np.linalg.norm(w - np.array(best)), rel=1e-12)
        assert np.all(np.linalg.eigvalsh(fd_jacobian(grad, w)) > 0), name
        assert 1 <= opt["newton_steps"] <= 10


def test_newton_step_count_matches_a_plain_loop(results):
    for name, _, opt, _, grad, best in models(results):
        w, steps = np.array(best, dtype=float), 0
        while np.linalg.norm(grad(w)) >= opt["grad_tolerance"]:
            w = w - np.linalg.solve(fd_jacobian(grad, w, h=1e-6), grad(w))
            steps += 1
            assert steps < 50
        assert steps == opt["newton_steps"], name


def test_gradient_descent_step_counts_to_the_tolerance(results):
    for name, _, opt, _, grad, best in models(results):
        w_opt = np.array(opt["w"])
        for key in ("gd_lecture_lr", "gd_best_lr"):
            gd = opt[key]
            w, k = np.array(best, dtype=float), 0
            while np.linalg.norm(w - w_opt) >= opt["tolerance"]:
                w, k = w - gd["lr"] * grad(w), k + 1
                assert k < 5000, (name, key)
            assert gd["steps"] == k, (name, key)
            assert gd["lr"] < opt["max_stable_lr"]  # both rates are stable, as the page says
        assert opt["newton_steps_to_tolerance"] < min(opt["gd_lecture_lr"]["steps"], opt["gd_best_lr"]["steps"])


def test_eps_rule_stop_is_that_of_a_run_with_the_rule_on(results):
    # The published stop is cut from the eps = 0 run; a run with the rule on must agree.
    from lecturekit.numerics.descent import descent_path
    for name, _, opt, _, grad, best in models(results):
        w_opt = np.array(opt["w"])
        for key in ("gd_lecture_lr", "gd_best_lr"):
            gd = opt[key]
            stopped = descent_path(grad, best, gd["lr"], 5000, eps=gd["eps"])
            assert gd["eps_rule_steps"] == len(stopped) - 1, (name, key)
            assert gd["eps_rule_distance"] == pytest.approx(np.linalg.norm(stopped[-1] - w_opt), rel=1e-9)


def test_the_eps_rule_stops_sine_descent_outside_the_tolerance(results):
    # The page says so, and it is why the step counts use the distance instead.
    opt = results("sine_optimum")["optimum"]
    assert opt["gd_lecture_lr"]["eps_rule_distance"] > opt["tolerance"]


# --- Convexity ----------------------------------------------------------------------------------------


def test_convex_fraction_equals_a_loop_over_the_grid(results):
    x, y = results("sine_dataset")["x"], results("sine_dataset")["y"]
    grid = results("sine_surface")["grid"]
    grad = lambda w: losses.sine_mse_grad(w, x, y)
    pd = [np.linalg.eigvalsh(losses.sine_mse_hessian(np.array([a, b]), x, y)).min() > 0
          for a, b in zip(grid["W1"].ravel(), grid["W2"].ravel())]
    conv = results("sine_convexity")
    assert conv["convex_fraction"] == pytest.approx(np.mean(pd), abs=1e-15)
    assert conv["pd_map"]["pd_points"] == sum(pd) and conv["pd_map"]["points"] == 900
    # The same verdict from finite differences of the gradient, at a few spread-out points.
    for k in range(0, 900, 97):
        w = np.array([grid["W1"].ravel()[k], grid["W2"].ravel()[k]])
        assert (np.linalg.eigvalsh(fd_jacobian(grad, w)).min() > 0) == pd[k]
    assert results("logistic_convexity")["convex_fraction"] == 1.0


# --- The ill-conditioned quadratic ------------------------------------------------------------------


def gd_rate(lams, lr, beta, start=(-4.0, -2.0), steps=400):
    """Contraction per step from a long run: (e_end / e_mid)^(1 / (end - mid)), eps rule off."""
    w, v, errors = np.array(start), np.zeros(2), []
    for _ in range(steps):
        v = beta * v - lr * 2 * lams * w
        w = w + v
        errors.append(np.linalg.norm(w))
    return (errors[-1] / errors[steps // 2]) ** (1 / (steps - 1 - steps // 2))


def test_quadratic_theory_matches_brute_force_and_long_runs(results):
    q = results("quadratic_theory")
    lams = np.array(q["eigenvalues"])
    assert q["condition_number"] == pytest.approx(np.linalg.cond(np.diag(lams)))
    lrs = np.linspace(0.01, 1.5, 149_001)
    worst = np.abs(1 - 2 * lrs[:, None] * lams).max(axis=1)
    assert q["max_stable_lr"] == pytest.approx(lrs[worst < 1].max(), abs=2e-5)
    assert q["best_lr"] == pytest.approx(lrs[np.argmin(worst)], abs=2e-5)
    assert q["best_rate"] == pytest.approx(worst.min(), abs=1e-4)
    assert gd_rate(lams, q["best_lr"], 0.0) == pytest.approx(q["best_rate"], rel=1e-3)
    # Heavy ball at its tuned (lr, beta): a double root, so errors shrink like k r^k; a long run still shows r.
    assert gd_rate(lams, q["heavy_ball_lr"], q["heavy_ball_beta"], steps=300) == pytest.approx(
        q["heavy_ball_rate"], rel=1e-2)
    assert q["heavy_ball_rate"] < q["best_rate"]
    # Just past the largest stable lr a run grows; just below, it shrinks.
    assert gd_rate(lams, 1.01 * q["max_stable_lr"], 0.0) > 1 > gd_rate(lams, 0.99 * q["max_stable_lr"], 0.0)


def test_each_quadratic_run_beside_its_theory(results):
    q, runs = results("quadratic_theory"), results("runs")
    lams = np.array(q["eigenvalues"])
    for name, rates in q["runs"].items():
        path = runs[name]["path"]
        beta = rates["beta"] or 0.0
        # Factors are the per-axis ratios of the first step (momentum's first step is a plain one, v0 = 0).
        moving = np.abs(path[0]) > 0
        np.testing.assert_allclose(np.array(rates["factors"])[moving], np.abs(path[1][moving] / path[0][moving]), rtol=1e-12)
        np.testing.assert_allclose(rates["factors"], np.abs(1 - 2 * rates["lr"] * lams), rtol=1e-12)
        # Predicted rate: the spectral radius of the (w_k, w_{k-1}) iteration on the moving directions.
        predicted = spectral_radius(lams[moving], rates["lr"], beta)
        assert rates["predicted_rate"] == pytest.approx(predicted, rel=1e-9), name
        assert rates["measured_rate"] == pytest.approx(rates["predicted_rate"], abs=2e-3), name
        assert rates["final_distance"] == pytest.approx(np.linalg.norm(path[-1]), rel=1e-12)


def test_sine_momentum_baseline_is_plain_descent_and_momentum_gets_lower(results):
    x, y = results("sine_dataset")["x"], results("sine_dataset")["y"]
    base = results("sine_momentum_baseline")["momentum_baseline"]
    path = heavy_ball(lambda w: losses.sine_mse_grad(w, x, y), (2.2, 2.2), 0.1, 0.0, 50)  # beta 0: plain descent
    np.testing.assert_allclose(base["path"], path, rtol=1e-12)
    assert base["lr"] == 0.1 and base["beta"] is None and base["epochs"] == 50
    momentum = results("runs")["sine_momentum"]
    assert momentum["start"] == base["start"] and momentum["lr"] == base["lr"]
    assert momentum["final_loss"] < base["final_loss"]  # the page's claim


# --- Every problem's Hessian is the derivative of its gradient -------------------------------------


def test_each_problems_hessian_matches_differences_of_its_gradient(lecture, results):
    problems = sys.modules[lecture.computations[0].fn.__module__.rsplit(".", 1)[0] + ".problems"]
    rng = np.random.default_rng(0)
    for problem, dim in ((problems.logistic_problem(results("breast_cancer")), 2),
                         (problems.sine_problem(results("sine_dataset")), 2),
                         (problems.quadratic_problem(), 2), (problems.parabola_problem(), 1)):
        for w in rng.uniform(-2, 2, size=(3, dim)):
            np.testing.assert_allclose(problem.hessian(w), fd_jacobian(problem.grad, w), rtol=1e-5, atol=1e-7)
        batch = rng.uniform(-2, 2, size=(4, 5, dim))  # batched like the losses: (..., d) -> (..., d, d)
        assert problem.hessian(batch).shape == (4, 5, dim, dim)
