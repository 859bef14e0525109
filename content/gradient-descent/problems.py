"""The lecture's optimization problems: loss, gradient and Hessian over the lecture's data.

Shared by the descent runs, the explorer and the curvature sections, so that
every run of one problem optimizes exactly the same function.
"""
from typing import Callable, NamedTuple

import numpy as np

from lecturekit.numerics.losses import (logistic_nll, logistic_nll_grad, logistic_nll_hessian, sine_mse,
                                        sine_mse_grad, sine_mse_hessian)

QUADRATIC_LAMS = np.array([0.1, 1.0])   # f(w) = w^T A w, A = diag(0.1, 1)


class Problem(NamedTuple):
    """A loss with its derivatives, each taking weights of shape (..., d)."""
    loss: Callable
    grad: Callable
    hessian: Callable


def logistic_problem(breast_cancer):
    """Mean NLL of the two-feature logistic model."""
    X, t = breast_cancer["X"], breast_cancer["t"]
    return Problem(lambda w: logistic_nll(w, X, t), lambda w: logistic_nll_grad(w, X, t),
                   lambda w: logistic_nll_hessian(w, X, t))


def sine_problem(sine_dataset):
    """MSE of the sine model."""
    x, y = sine_dataset["x"], sine_dataset["y"]
    return Problem(lambda w: sine_mse(w, x, y), lambda w: sine_mse_grad(w, x, y),
                   lambda w: sine_mse_hessian(w, x, y))


def quadratic_problem(lams=QUADRATIC_LAMS):
    """f(w) = w^T diag(lams) w: gradient 2 diag(lams) w, Hessian 2 diag(lams) everywhere."""
    return Problem(lambda w: np.sum(lams * np.asarray(w) ** 2, axis=-1), lambda w: 2 * lams * np.asarray(w),
                   lambda w: np.broadcast_to(2 * np.diag(lams), np.shape(w)[:-1] + (len(lams), len(lams))))


def parabola_problem():
    """f(x) = x^2 + 1 (x as a length-1 vector): gradient 2x, Hessian 2."""
    return Problem(lambda w: np.asarray(w)[..., 0] ** 2 + 1, lambda w: 2 * np.asarray(w),
                   lambda w: np.full(np.shape(w)[:-1] + (1, 1), 2.0))
