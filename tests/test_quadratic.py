"""Theory of GD and heavy ball on f(w) = w^T diag(lams) w against brute force and measured runs."""
import numpy as np
import pytest

from lecturekit.numerics import quadratic as Q
from lecturekit.numerics.descent import descent_path, momentum_path
from reference import spectral_radius

LAMS = np.array([0.1, 1.0])
grad = lambda w: 2 * LAMS * w
START = (-4.0, -2.0)


def test_condition_number_and_stability_limit():
    assert Q.condition_number(LAMS) == pytest.approx(np.linalg.cond(np.diag(LAMS)), rel=1e-12)
    lr = Q.max_stable_lr(LAMS)
    # At the limit the stiffest direction's factor is exactly 1; every other factor is below 1.
    factors = Q.step_factors(LAMS, lr)
    assert factors.max() == pytest.approx(1.0, abs=1e-12)
    assert np.all(Q.step_factors(LAMS, 0.999 * lr) < 1) and np.any(Q.step_factors(LAMS, 1.001 * lr) > 1)


def test_step_factors_are_the_per_axis_ratios_of_a_gd_step():
    for lr in (0.3, 0.9, 1.0, 1.2):
        w = np.array([1.0, 1.0])
        ratio = np.abs((w - lr * grad(w)) / w)
        np.testing.assert_allclose(Q.step_factors(LAMS, lr), ratio, rtol=1e-12)


def test_best_lr_and_rate_match_brute_force():
    lrs = np.linspace(0.01, 1.0, 99_001)
    worst = np.abs(1 - 2 * lrs[:, None] * LAMS).max(axis=1)
    assert Q.best_lr(LAMS) == pytest.approx(lrs[np.argmin(worst)], abs=2e-5)
    assert Q.best_rate(LAMS) == pytest.approx(worst.min(), abs=1e-6)
    assert Q.best_rate(LAMS) == pytest.approx(Q.step_factors(LAMS, Q.best_lr(LAMS)).max(), rel=1e-12)


def test_heavy_ball_parameters_are_optimal():
    lr, beta, rate = Q.heavy_ball(LAMS)
    assert spectral_radius(LAMS, lr, beta) == pytest.approx(rate, rel=1e-6)
    assert rate < Q.best_rate(LAMS)  # momentum beats the best plain GD on an ill-conditioned bowl
    # No (lr, beta) on a grid does better (up to grid resolution).
    best = min(spectral_radius(LAMS, a, b) for a in np.linspace(0.05, 2.0, 60) for b in np.linspace(0.0, 0.95, 60))
    assert best >= rate - 1e-3
    assert Q.momentum_rate(LAMS, lr, beta) == pytest.approx(rate, rel=1e-6)


@pytest.mark.parametrize("lr, beta", [(0.9, 0.3), (0.5, 0.0), (0.1, 0.9), (1.0, 0.5), (1.2, 0.1)])
def test_momentum_rate_matches_full_iteration_matrix(lr, beta):
    assert Q.momentum_rate(LAMS, lr, beta) == pytest.approx(spectral_radius(LAMS, lr, beta), rel=1e-7)
    if beta == 0.0:
        assert Q.momentum_rate(LAMS, lr, 0.0) == pytest.approx(Q.step_factors(LAMS, lr).max(), rel=1e-12)


# --- measured against predicted ----------------------------------------------------------------


@pytest.mark.parametrize("lr", [0.3, 0.9, None])
def test_measured_gd_rate_matches_prediction(lr):
    lr = Q.best_lr(LAMS) if lr is None else lr
    path = descent_path(grad, START, lr, 2000, eps=0.0)
    assert Q.measured_rate(path) == pytest.approx(Q.step_factors(LAMS, lr).max(), rel=1e-3)


def test_measured_heavy_ball_rate_matches_prediction():
    lr, beta, rate = Q.heavy_ball(LAMS)
    path = momentum_path(grad, START, lr, beta, 2000, eps=0.0)
    # Double roots make errors decay like k rate^k; over a long tail that factor k barely shows.
    assert Q.measured_rate(path) == pytest.approx(rate, rel=5e-3)


def test_measured_momentum_rate_for_the_lecture_parameters():
    path = momentum_path(grad, START, 0.9, 0.3, 2000, eps=0.0)
    assert Q.measured_rate(path) == pytest.approx(Q.momentum_rate(LAMS, 0.9, 0.3), rel=1e-3)


def test_max_stable_lr_is_a_boundary():
    lr = Q.max_stable_lr(LAMS)
    below = descent_path(grad, START, lr * (1 - 1e-3), 5000, eps=0.0)
    above = descent_path(grad, START, lr * (1 + 1e-3), 5000, eps=0.0)
    assert np.linalg.norm(below[-1]) < 1e-3 * np.linalg.norm(START)
    assert np.linalg.norm(above[-1]) > 1e3 * np.linalg.norm(START)
    assert Q.measured_rate(below) < 1 < Q.measured_rate(above)
    # At exactly the limit the stiff coordinate flips sign forever without shrinking.
    at = descent_path(grad, START, lr, 200, eps=0.0)
    np.testing.assert_allclose(np.abs(at[:, 1]), abs(START[1]), rtol=1e-12)


# --- measured_rate edge cases -------------------------------------------------------------------


def test_measured_rate_is_robust():
    # Geometric sequence: exact.
    path = 3.0 * 0.7 ** np.arange(30)
    assert Q.measured_rate(path) == pytest.approx(0.7, rel=1e-12)
    # Around a nonzero minimizer.
    w_star = np.array([2.0, -1.0])
    path = w_star + np.outer(0.5 ** np.arange(20), [1.0, 1.0])
    assert Q.measured_rate(path, w_star) == pytest.approx(0.5, rel=1e-9)
    # Lands exactly on the minimizer in one step (x^2 with lr 1/2): contraction 0.
    assert Q.measured_rate(descent_path(lambda x: 2 * x, 3.0, 0.5, 10)) == 0.0
    # Reaches exactly zero later: the zeros are ignored, the rate comes from the stretch before.
    assert Q.measured_rate(np.r_[0.5 ** np.arange(10), 0.0, 0.0]) == pytest.approx(0.5, rel=1e-12)
    # Diverges into overflow: the finite stretch gives the growth factor.
    assert Q.measured_rate(descent_path(lambda x: 2 * x, 1.0, 1.5, 5000)) == pytest.approx(2.0, rel=1e-12)
    # Starts at the minimizer: no rate.
    assert np.isnan(Q.measured_rate(np.zeros((5, 2))))
    # Long converging run that underflows to 0 without the eps rule.
    r = Q.measured_rate(descent_path(lambda x: 2 * x, 1.0, 0.05, 20_000, eps=0.0))
    assert r == pytest.approx(0.9, rel=1e-9)
