"""The numbers the exercises' solutions quote, answered again another way.

Each test solves one exercise of the lecture independently (closed forms,
simulation with the reference loop of tests/reference.py, finite differences,
random probes) and compares with what compute_exercises.py publishes.
"""
import math

import numpy as np
import pytest

from reference import fd_jacobian, heavy_ball, spectral_radius


def test_grid_search_cost(results):
    cost = results("grid_search_cost")["grid_cost"]
    evaluations = cost["points"] ** cost["weights"]          # an exact integer
    assert cost["evaluations"] == evaluations
    assert cost["years"] == pytest.approx(evaluations / cost["per_second"] / (365.25 * 86400))


def test_first_step_from_the_origin(results):
    X, t = results("breast_cancer")["X"], results("breast_cancer")["t"]
    loss = lambda w: np.mean(np.logaddexp(0, X @ w) - t * (X @ w))
    published = results("origin_gradient")["origin_gradient"]
    grad = fd_jacobian(loss, np.zeros(2), 1e-6)
    np.testing.assert_allclose(published["grad"], grad, rtol=1e-6)
    np.testing.assert_allclose(grad, -np.mean(t) * X[t == 1].mean(axis=0), rtol=1e-6)   # the identity asked for
    lr = results("runs")["logistic_gd"]["lr"]
    np.testing.assert_allclose(published["first_point"], -lr * grad, rtol=1e-6)
    assert published["first_step_length"] == pytest.approx(lr * np.linalg.norm(grad), rel=1e-6)


def test_one_step_to_the_bottom_and_the_edge_of_stability(results):
    published = results("parabola_steps")["parabola"]
    x0 = results("parabola_divergence")["x0"]
    step = lambda x, lr: x - lr * 2 * x                      # f'(x) = 2x
    assert step(x0, published["one_step_lr"]) == 0
    points = [x0]
    for _ in range(3):
        points.append(step(points[-1], 1.0))
    assert published["lr_one_points"] == points and abs(points[-1]) == abs(x0)


def test_sine_factors_at_the_minimum(results):
    x, y = results("sine_dataset")["x"], results("sine_dataset")["y"]
    loss = lambda w: np.mean((np.sin(w[0] + w[1] * x) - y) ** 2)
    w_opt = np.array(results("sine_optimum")["optimum"]["w"])
    H = fd_jacobian(lambda w: fd_jacobian(loss, w, 1e-5), w_opt, 1e-5)
    lams = np.linalg.eigvalsh((H + H.T) / 2)
    factors = results("sine_step_factors")["sine_factors"]
    for name in ("sine_gd", "sine_curve"):
        np.testing.assert_allclose(factors[name]["factors"], np.abs(1 - factors[name]["lr"] * lams), rtol=1e-4)
    assert max(factors["sine_gd"]["factors"]) > 1 > max(factors["sine_curve"]["factors"])


def test_newton_on_the_quadratic_takes_one_step(results):
    A = np.array(results("quadratic_theory")["eigenvalues"])
    published = results("newton_on_quadratic")["newton_quadratic"]
    w0 = np.array(published["start"])
    w1 = w0 - np.linalg.solve(2 * np.diag(A), 2 * A * w0)
    assert published["steps"] == 1 and np.allclose(published["end"], w1, atol=1e-15) and np.allclose(w1, 0)


def test_the_logistic_curvature_is_largest_at_the_origin(results):
    X, t = results("breast_cancer")["X"], results("breast_cancer")["t"]
    def lam_max(w):
        p = 1 / (1 + np.exp(-(X @ w)))
        return np.linalg.eigvalsh((X * (p * (1 - p))[:, None]).T @ X / len(t))[-1]
    published = results("logistic_curvature_bound")["logistic_curvature"]
    assert published["lam_max_origin"] == pytest.approx(np.linalg.eigvalsh(X.T @ X / (4 * len(t)))[-1])
    probes = np.random.default_rng(0).uniform(-10, 10, size=(500, 2))
    assert max(lam_max(w) for w in probes) <= published["lam_max_origin"] * (1 + 1e-12)
    runs = results("runs")
    for name in ("logistic_gd", "logistic_curve"):
        path = runs[name]["path"]
        steep = [k for k, w in enumerate(path) if lam_max(w) > 2 / runs[name]["lr"]]
        assert published["steep_points"][name] == len(steep)
        assert steep in ([], [0])       # "(the origin itself, which the first step leaves)"
    assert np.allclose(runs["logistic_gd"]["start"], 0)
    assert published["safe_lr"] < runs["logistic_gd"]["lr"] < published["optimum_lr_limit"]


def test_counting_steps_of_quad_axis(results):
    run = results("runs")["quad_axis"]
    A = np.array(results("quadratic_theory")["eigenvalues"])
    published = results("quad_axis_steps")["quad_axis_steps"]
    path = heavy_ball(lambda w: 2 * A * w, run["start"], run["lr"], 0.0, run["epochs"])
    taken = next(k for k, w in enumerate(path) if np.linalg.norm(w) < published["tolerance"])
    k = 0
    while np.linalg.norm(run["start"]) * published["factor"] ** k >= published["tolerance"]:
        k += 1
    assert published["taken"] == taken and published["predicted"] == k
    assert published["factor"] == pytest.approx(abs(1 - run["lr"] * 2 * A[0]))


def steps_to_shrink(grad, start, lr, beta, reduction, limit=5000):
    """Steps until the distance to 0 stays below `reduction` times the start's, by simulation."""
    path = heavy_ball(grad, start, lr, beta, limit, eps=0)
    d = np.linalg.norm(path, axis=1) / np.linalg.norm(start)
    above = np.nonzero(d >= reduction)[0]
    return int(above[-1]) + 1


def test_steps_as_the_condition_number_grows(results):
    growth = results("condition_growth")["condition_growth"]
    for case in growth["cases"]:
        lams = np.array([2 / case["kappa"], 2.0])            # Hessian eigenvalues of w^T diag(1/kappa, 1) w
        gd_rate, hb_rate = (case["kappa"] - 1) / (case["kappa"] + 1), (math.sqrt(case["kappa"]) - 1) / (math.sqrt(case["kappa"]) + 1)
        assert (case["gd_rate"], case["heavy_ball_rate"]) == pytest.approx((gd_rate, hb_rate))
        assert case["gd_steps"] == math.ceil(math.log(growth["reduction"]) / math.log(gd_rate))
        grad = lambda w: lams * w
        start = np.array(growth["start"])
        gd = steps_to_shrink(grad, start, 2 / lams.sum(), 0.0, growth["reduction"])
        hb = steps_to_shrink(grad, start, 4 / (np.sqrt(lams).sum()) ** 2, hb_rate ** 2, growth["reduction"])
        assert (case["gd_run_steps"], case["heavy_ball_run_steps"]) == (gd, hb)
        assert abs(gd - case["gd_steps"]) <= 1
        assert hb > case["heavy_ball_steps"]          # "needs more steps than its rate alone says"
    gd, hb = ([c[f"{k}_run_steps"] for c in growth["cases"]] for k in ("gd", "heavy_ball"))
    assert 8 < gd[1] / gd[0] < 12 and 2.5 < hb[1] / hb[0] < 4   # "about ten times ... only about sqrt(10)"


def test_momentum_stability_limit(results):
    A = np.array(results("quadratic_theory")["eigenvalues"])
    published = results("momentum_stability")["momentum_stability"]
    beta = published["beta"]
    assert published["lr_limit"] == pytest.approx((1 + beta) / A.max())      # 2 (1 + beta) / lambda_max, lambda = 2A
    start = results("runs")["quad_momentum"]["start"]
    for lr, rate, stable in ((published["below"], published["rate_below"], True),
                             (published["above"], published["rate_above"], False)):
        assert rate == pytest.approx(spectral_radius(A, lr, beta), rel=1e-9)
        final = np.linalg.norm(heavy_ball(lambda w: 2 * A * w, start, lr, beta, 1000, eps=0)[-1])
        assert (final < 1e-6) if stable else (final > 1e3), lr


def test_the_best_plain_step_on_the_bowl(results):
    """Plain descent's best rate on the bowl, and the heavy ball's, from the Hessian's eigenvalues (numpy)."""
    live = results("explore_live")["live"]
    hessian = 2 * np.asarray(live["A"], dtype=float)            # f(w) = w^T A w has the Hessian 2A
    low, high = np.linalg.eigvalsh(hessian)
    np.testing.assert_allclose(live["hessian_eigenvalues"], [low, high], rtol=1e-12)
    rate = lambda lr: max(abs(1 - lr * low), abs(1 - lr * high))
    lrs = np.linspace(0.01, 2 / high, 20001)                    # the best stable step, by search
    best = lrs[np.argmin([rate(lr) for lr in lrs])]
    assert live["gd_best"]["lr"] == pytest.approx(best, abs=2e-4)
    assert live["gd_best"]["rate"] == pytest.approx(rate(live["gd_best"]["lr"]), rel=1e-12)
    kappa = high / low
    assert live["optimum"]["rate"] == pytest.approx((math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1), rel=1e-12)
    assert live["optimum"]["rate"] < live["gd_best"]["rate"]


def test_the_integers_tie_by_symmetry(results):
    basics = results("basics")
    f = lambda w: w * w - 3 * w + 4                             # P1's parabola, over the integers
    values = {w: f(w) for w in range(-10, 11)}
    best = min(values.values())
    assert basics["p2"]["tie"] == (sum(v == best for v in values.values()) == 2)
    assert sorted(basics["p2"]["minimizers"]) == sorted(w for w, v in values.items() if v == best)
    assert basics["p2"]["minimum"] == best
    assert sum(basics["p2"]["minimizers"]) / 2 == basics["p1"]["minimizer"]   # equally far on either side


def test_steepest_step_beats_the_axes(results):
    X, t = results("breast_cancer")["X"], results("breast_cancer")["t"]
    loss = lambda w: np.mean(np.logaddexp(0, X @ w) - t * (X @ w))
    published = results("steepest_step")["steepest_step"]
    w, r = np.array(published["w"]), published["length"]
    grad = fd_jacobian(loss, w, 1e-6)
    assert published["grad_norm"] == pytest.approx(np.linalg.norm(grad), rel=1e-6)
    assert published["first_order"] == pytest.approx(-r * np.linalg.norm(grad), rel=1e-6)
    assert published["along_gradient"] == pytest.approx(loss(w - r * grad / np.linalg.norm(grad)) - loss(w), rel=1e-6)
    # no direction of length r does much better: probe the circle (the curvature bends the best a little)
    angles = np.linspace(0, 2 * np.pi, 721)
    changes = [loss(w + r * np.array([np.cos(a), np.sin(a)])) - loss(w) for a in angles]
    assert min(changes) == pytest.approx(published["along_gradient"], abs=1e-4)
    assert published["along_gradient"] < min(published["along_axes"]) < 0
    np.testing.assert_allclose(published["along_axes"], [loss(w - r * e) - loss(w) for e in np.eye(2)], rtol=1e-9)


def test_difference_orders_are_one_and_two_until_rounding(results):
    x, y = results("sine_dataset")["x"], results("sine_dataset")["y"]
    loss = lambda w: np.mean((np.sin(w[0] + w[1] * x) - y) ** 2)
    published = results("difference_orders")["difference_orders"]
    w = np.array(published["w"])
    u = w[0] + w[1] * x                                      # the exact gradient, by hand
    residual_slope = 2 * (np.sin(u) - y) * np.cos(u)
    exact = np.array([np.mean(residual_slope), np.mean(residual_slope * x)])
    for row in published["steps"][:3]:                      # the steps where truncation, not rounding, rules
        h, steps = row["h"], np.eye(2) * row["h"]
        forward = np.array([(loss(w + d) - loss(w)) / h for d in steps])
        central = np.array([(loss(w + d) - loss(w - d)) / (2 * h) for d in steps])
        assert row["forward_error"] == pytest.approx(np.max(np.abs(forward - exact)), rel=1e-3)
        assert row["central_error"] == pytest.approx(np.max(np.abs(central - exact)), rel=1e-3)
    small, smaller, tiny = published["steps"][1:]           # the solution's reading of the table
    assert 8 < small["forward_error"] / smaller["forward_error"] < 12
    assert 80 < small["central_error"] / smaller["central_error"] < 120
    assert tiny["central_error"] > smaller["central_error"]
    assert tiny["forward_error"] > 1e3 * smaller["forward_error"] * tiny["h"] / smaller["h"]   # far above its order
