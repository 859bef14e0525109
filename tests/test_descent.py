"""Gradient descent and momentum paths: closed forms, recurrences, the eps rule, summaries."""
import json
import math
import warnings

import numpy as np
import pytest

from lecturekit.numerics import losses
from lecturekit.numerics.datasets import sine_data
from lecturekit.numerics.descent import converged, descent_path, momentum_path, run_summary

square_grad = lambda x: 2 * x  # f(x) = x^2 (+ any constant)


@pytest.mark.parametrize("x0, lr, epochs", [(2.0, 0.1, 20), (2.0, 1.08, 10), (-3.0, 0.7, 15), (1.5, 0.35, 30)])
def test_gd_on_square_matches_closed_form(x0, lr, epochs):
    path = descent_path(square_grad, x0, lr, epochs, eps=0.0)  # eps 0: the rule never fires
    assert path.shape == (epochs + 1, 1)
    expected = [x0 * (1 - 2 * lr) ** k for k in range(epochs + 1)]
    np.testing.assert_allclose(path[:, 0], expected, rtol=1e-12)


def test_too_large_step_moves_away():
    # Spec demo: f(x) = x^2 + 1 from 2 with lr 1.08; |1 - 2 lr| = 1.16 > 1, so |x| grows every step.
    path = descent_path(square_grad, 2.0, 1.08, 10)[:, 0]
    assert len(path) == 11
    assert np.all(np.abs(path[1:]) > np.abs(path[:-1]))
    assert np.all(np.sign(path[1:]) == -np.sign(path[:-1]))  # it overshoots to the other side each time


def momentum_recurrence(a, x0, lr, beta, n):
    """Independent two-term recurrence for f = a x^2: x_{k+1} = x_k - 2 a lr x_k + beta (x_k - x_{k-1})."""
    xs = [x0, x0 - lr * 2 * a * x0]
    while len(xs) < n + 1:
        xs.append(xs[-1] - lr * 2 * a * xs[-1] + beta * (xs[-1] - xs[-2]))
    return xs[: n + 1]


@pytest.mark.parametrize("a, x0, lr, beta, n", [(1.0, -4.0, 0.1, 0.9, 40), (0.1, 3.0, 0.9, 0.3, 30), (2.5, 1.0, 0.05, 0.5, 25)])
def test_momentum_matches_two_term_recurrence(a, x0, lr, beta, n):
    path = momentum_path(lambda x: 2 * a * x, x0, lr, beta, n, eps=0.0)
    assert path.shape == (n + 1, 1)
    np.testing.assert_allclose(path[:, 0], momentum_recurrence(a, x0, lr, beta, n), rtol=1e-10, atol=1e-14)


def test_momentum_with_zero_beta_is_gradient_descent():
    x, y = sine_data()
    grad = lambda w: losses.sine_mse_grad(w, x, y)
    np.testing.assert_allclose(
        momentum_path(grad, (2.2, 2.2), 0.1, 0.0, 50), descent_path(grad, (2.2, 2.2), 0.1, 50), rtol=1e-13
    )


def test_momentum_in_2d_decouples_per_axis():
    lams = np.array([0.1, 1.0])
    path = momentum_path(lambda w: 2 * lams * w, (-4.0, -2.0), 0.9, 0.3, 50, eps=0.0)
    for i, (a, x0) in enumerate(zip(lams, (-4.0, -2.0))):
        np.testing.assert_allclose(path[:, i], momentum_recurrence(a, x0, 0.9, 0.3, 50), rtol=1e-10, atol=1e-14)


# --- the eps rule -----------------------------------------------------------------------------


def halving_stop_index(x0, eps):
    """For f = x^2, lr = 1/4: x_k = x0 / 2^k and step k (1-based) has length |x0| / 2^k.

    The first step shorter than eps is the smallest n with |x0| / 2^n < eps.
    """
    n = 1
    while abs(x0) / 2**n >= eps:
        n += 1
    return n


@pytest.mark.parametrize("x0, eps", [(1.0, 1e-3), (5.0, 1e-6), (0.3, 0.01)])
def test_eps_rule_stops_after_the_first_short_step(x0, eps):
    n = halving_stop_index(x0, eps)
    path = descent_path(square_grad, x0, 0.25, 1000, eps=eps)[:, 0]
    assert len(path) == n + 1  # start + n steps, the short step included
    steps = np.abs(np.diff(path))
    assert steps[-1] < eps and np.all(steps[:-1] >= eps)
    assert path[-1] == pytest.approx(x0 / 2**n, rel=1e-12)
    assert converged(path[:, None], eps)


def test_eps_rule_firing_exactly_at_the_last_epoch_counts_as_converged():
    x0, eps = 1.0, 1e-3
    n = halving_stop_index(x0, eps)
    exact = descent_path(square_grad, x0, 0.25, n, eps=eps)
    assert len(exact) == n + 1 and converged(exact, eps)
    one_short = descent_path(square_grad, x0, 0.25, n - 1, eps=eps)
    assert len(one_short) == n and not converged(one_short, eps)


def test_eps_rule_for_momentum():
    eps = 1e-6
    path = momentum_path(square_grad, 1.0, 0.1, 0.5, 10_000, eps=eps)
    steps = np.linalg.norm(np.diff(path, axis=0), axis=1)
    assert len(path) < 10_001
    assert steps[-1] < eps and np.all(steps[:-1] >= eps)
    np.testing.assert_allclose(path[:, 0], momentum_recurrence(1.0, 1.0, 0.1, 0.5, len(path) - 1), rtol=1e-10, atol=1e-15)


def test_zero_gradient_at_start_takes_one_zero_step():
    path = descent_path(lambda w: np.zeros_like(w), (1.0, 2.0), 0.5, 10)
    np.testing.assert_array_equal(path, [[1.0, 2.0], [1.0, 2.0]])
    assert converged(path)


def test_path_length_counts_the_start():
    const = lambda w: np.ones_like(w)  # steps of constant length lr * sqrt(d): never short
    assert descent_path(const, (0.0, 0.0), 0.1, 0).shape == (1, 2)
    assert descent_path(const, (0.0, 0.0), 0.1, 7).shape == (8, 2)
    assert momentum_path(const, (0.0, 0.0), 0.1, 0.9, 7).shape == (8, 2)
    assert not converged(descent_path(const, (0.0, 0.0), 0.1, 7))
    assert not converged(descent_path(const, (0.0, 0.0), 0.1, 0))


def test_start_is_not_mutated_and_path_is_float():
    w0 = np.array([1, 2])  # integers
    path = descent_path(lambda w: 0.5 * w, w0, 0.1, 3)
    assert path.dtype == float and np.array_equal(w0, [1, 2])
    np.testing.assert_allclose(path[-1], w0 * 0.95**3)


# --- summaries and divergence ------------------------------------------------------------------


def test_run_summary_is_plain_json():
    x, y = sine_data()
    loss = lambda w: losses.sine_mse(w, x, y)
    grad = lambda w: losses.sine_mse_grad(w, x, y)
    for beta in (None, 0.9):
        path = descent_path(grad, (2.2, 2.2), 0.1, 50) if beta is None else momentum_path(grad, (2.2, 2.2), 0.1, beta, 50)
        s = run_summary(path, loss, 0.1, beta, 50)
        assert set(s) == {"start", "lr", "beta", "epochs", "path_length", "final", "final_loss", "converged"}
        assert json.loads(json.dumps(s, allow_nan=False)) == s  # round-trips: only plain types
        assert s["beta"] == beta and s["start"] == [2.2, 2.2] and s["epochs"] == 50
        assert s["path_length"] == len(path)
        assert s["final"] == path[-1].tolist()
        assert type(s["final_loss"]) is float and s["final_loss"] == pytest.approx(float(loss(path[-1])), rel=1e-14)
        assert s["converged"] is converged(path)


def test_run_summary_of_a_converged_1d_run():
    path = descent_path(square_grad, 2.0, 0.25, 100)
    s = run_summary(path, lambda x: x**2 + 1, 0.25, None, 100)
    assert s["converged"] is True and s["path_length"] < 101
    assert s["final_loss"] == pytest.approx(1.0, abs=1e-10)
    json.dumps(s, allow_nan=False)


@pytest.mark.parametrize("use_momentum", [False, True])
def test_divergence_overflows_without_crash_or_warning(use_momentum):
    # GD, lr 1.5 on x^2: factor |1 - 3| = 2, so |x| doubles until it overflows (~1030 steps).
    # Heavy ball, lr 2, beta 0.5: roots of z^2 + 2.5 z + 0.5 include z ~ -2.28, also diverging.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        if use_momentum:
            path = momentum_path(square_grad, (1.0, -1.0), 2.0, 0.5, 5000)
        else:
            path = descent_path(square_grad, (1.0, -1.0), 1.5, 5000)
        s = run_summary(path, lambda w: np.sum(w**2), 1.5, 0.5 if use_momentum else None, 5000)
    assert len(path) <= 5001
    assert np.all(np.isfinite(path[:-1]))
    assert not np.all(np.isfinite(path[-1]))
    assert not np.any(np.isnan(path))  # finite or inf, never nan
    assert s["converged"] is False
    assert type(s["final_loss"]) is float and math.isinf(s["final_loss"])
    json.dumps(s)  # inf is allowed by json.dumps' default (written as Infinity)


def test_divergence_on_sine_model_reports_inf_loss_not_nan():
    x, y = sine_data()
    blowup = lambda w: np.array([1e300, -1e300]) * (1 + np.abs(w))
    path = descent_path(blowup, (0.0, 0.0), 10.0, 50)
    s = run_summary(path, lambda w: losses.sine_mse(w, x, y), 10.0, None, 50)
    assert math.isinf(s["final_loss"]) and s["converged"] is False
