"""The lecture's optimization problems as (loss, gradient) pairs over the lecture's data.

Shared by the descent runs, the explorer and the curvature sections, so that
every run of one problem optimizes exactly the same function.
"""
import numpy as np

from lecturekit.numerics.losses import logistic_nll, logistic_nll_grad, sine_mse, sine_mse_grad

QUADRATIC_LAMS = np.array([0.1, 1.0])   # f(w) = w^T H w, H = diag(0.1, 1)


def logistic_problem(breast_cancer):
    """Mean NLL of the two-feature logistic model and its gradient."""
    X, t = breast_cancer["X"], breast_cancer["t"]
    return (lambda w: logistic_nll(w, X, t)), (lambda w: logistic_nll_grad(w, X, t))


def sine_problem(sine_dataset):
    """MSE of the sine model and its gradient."""
    x, y = sine_dataset["x"], sine_dataset["y"]
    return (lambda w: sine_mse(w, x, y)), (lambda w: sine_mse_grad(w, x, y))


def quadratic_problem(lams=QUADRATIC_LAMS):
    """f(w) = w^T diag(lams) w, gradient 2 diag(lams) w."""
    return (lambda w: np.sum(lams * np.asarray(w) ** 2, axis=-1)), (lambda w: 2 * lams * np.asarray(w))


def parabola_problem():
    """f(x) = x^2 + 1, gradient 2x (x as a length-1 vector)."""
    return (lambda w: np.asarray(w)[..., 0] ** 2 + 1), (lambda w: 2 * np.asarray(w))
