"""Analytic gradients against central finite differences, on the lecture's real data."""
import warnings

import numpy as np
import pytest

from lecturekit.numerics import losses
from lecturekit.numerics.datasets import breast_cancer_features, sine_data
from reference import SINE_POINTS, fd_jacobian

X, T, _ = breast_cancer_features()
XS, YS = sine_data()

LOGISTIC_POINTS = [(-1.0, 2.0), (0.0, 0.0), (-10.0, -5.0), (-3.9, -0.9), (1.0, 1.3), (-2.0, -4.0)]


@pytest.mark.parametrize("w", LOGISTIC_POINTS)
def test_logistic_gradient_matches_finite_differences(w):
    analytic = losses.logistic_nll_grad(np.array(w), X, T)
    numeric = fd_jacobian(lambda v: losses.logistic_nll(v, X, T), w, h=1e-6)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("w", SINE_POINTS)
def test_sine_gradient_matches_finite_differences(w):
    analytic = losses.sine_mse_grad(np.array(w), XS, YS)
    numeric = fd_jacobian(lambda v: losses.sine_mse(v, XS, YS), w, h=1e-6)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-7)


def test_gradients_are_not_trivially_zero():
    # The finite-difference checks are only meaningful where the gradients are sizeable.
    assert np.linalg.norm(losses.logistic_nll_grad(np.array([-1.0, 2.0]), X, T)) > 0.1
    assert np.linalg.norm(losses.sine_mse_grad(np.array([0.0, 2.0]), XS, YS)) > 0.1


def test_batched_gradients_match_pointwise():
    W = np.array(LOGISTIC_POINTS).reshape(2, 3, 2)
    batched = losses.logistic_nll_grad(W, X, T)
    assert batched.shape == (2, 3, 2)
    for idx in np.ndindex(2, 3):
        np.testing.assert_allclose(batched[idx], losses.logistic_nll_grad(W[idx], X, T), rtol=1e-12)
    W = np.array(SINE_POINTS).reshape(3, 2, 2)
    batched = losses.sine_mse_grad(W, XS, YS)
    assert batched.shape == (3, 2, 2)
    for idx in np.ndindex(3, 2):
        np.testing.assert_allclose(batched[idx], losses.sine_mse_grad(W[idx], XS, YS), rtol=1e-12)


@pytest.mark.parametrize("w", [(1e6, -1e6), (-1e6, 1e6), (1e6, 1e6), (-1e300, 1e300)])
def test_losses_and_gradients_finite_at_extreme_weights(w):
    w = np.array(w)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an overflow warning would fail the test
        values = [
            losses.logistic_nll(w, X, T),
            losses.logistic_nll_grad(w, X, T),
            losses.logistic_nll_hessian(w, X, T),
        ]
        if abs(w).max() < 1e10:  # sin of 1e300 is finite but meaningless; keep the sine model in range
            values += [losses.sine_mse(w, XS, YS), losses.sine_mse_grad(w, XS, YS), losses.sine_mse_hessian(w, XS, YS)]
    for v in values:
        assert np.all(np.isfinite(v))


def test_logistic_loss_at_extreme_weights_is_the_linear_asymptote():
    # For huge w, log(1 + e^z) - t z -> max(z, 0) - t z: the loss grows linearly, it is not inf.
    w = np.array([1e6, -1e6])
    z = X @ w
    expected = np.mean(np.maximum(z, 0.0) - T * z)
    assert losses.logistic_nll(w, X, T) == pytest.approx(expected, rel=1e-12)
