"""Losses of the lecture's models, their gradients and Hessians.

Weights come first and may carry leading batch axes: `w` of shape (..., 2)
evaluates the loss at every weight vector at once, which is how loss grids
are computed without Python loops.
"""
import numpy as np


def sigmoid(z):
    """Logistic function, written so that large |z| neither overflows nor warns."""
    return np.exp(-np.logaddexp(0.0, -z))


def logistic_nll(w, X, t):
    """Mean negative log-likelihood of p(t=1|x) = sigmoid(w.x), stable for any w.

    log(1 + e^z) - t z is the per-sample loss; logaddexp keeps it finite.
    """
    z = np.asarray(w) @ X.T
    return np.mean(np.logaddexp(0.0, z) - t * z, axis=-1)


def logistic_nll_grad(w, X, t):
    """Gradient (1/N) sum_i (sigmoid(w.x_i) - t_i) x_i."""
    residual = sigmoid(np.asarray(w) @ X.T) - t
    return residual @ X / len(t)


def sine_predict(w, x):
    """The sine model y_hat = sin(w0 + w1 x)."""
    w = np.asarray(w)
    return np.sin(w[..., 0, None] + w[..., 1, None] * x)


def sine_mse(w, x, y):
    """Mean squared error of the sine model."""
    return np.mean((sine_predict(w, x) - y) ** 2, axis=-1)


def sine_mse_grad(w, x, y):
    """Chain rule: dL/dw = (2/N) sum_i r_i cos(w0 + w1 x_i) (1, x_i), r = y_hat - y."""
    w = np.asarray(w)
    phase = w[..., 0, None] + w[..., 1, None] * x
    weighted = 2.0 * (np.sin(phase) - y) * np.cos(phase) / len(x)
    return np.stack([weighted.sum(axis=-1), (weighted * x).sum(axis=-1)], axis=-1)


def squared_error_1d(w, x, y):
    """Mean squared error of the line y_hat = w x through the origin."""
    w = np.asarray(w)
    return np.mean((w[..., None] * x - y) ** 2, axis=-1)


def logistic_nll_hessian(w, X, t):
    """Hessian (1/N) X^T diag(p(1-p)) X: second-order structure of the logistic loss.

    `t` does not enter (the NLL is linear in t); it is kept so every loss
    function shares the signature (w, data...). Batched: w (..., 2) -> (..., 2, 2).
    """
    p = sigmoid(np.asarray(w) @ X.T)
    # d/dw of (p_i - t_i) x_i is p_i (1 - p_i) x_i x_i^T; sum over the data.
    return np.einsum("...n,na,nb->...ab", p * (1.0 - p), X, X) / len(t)


def sine_mse_hessian(w, x, y):
    """Hessian of the sine MSE by differentiating its gradient once more.

    With u_i = w0 + w1 x_i, r_i = sin u_i - y_i and phi_i = (1, x_i):
    d2L/dwa dwb = (2/N) sum_i (cos^2 u_i - r_i sin u_i) phi_ia phi_ib.
    Batched: w (..., 2) -> (..., 2, 2).
    """
    w = np.asarray(w)
    phase = w[..., 0, None] + w[..., 1, None] * x
    # Product rule on r_i cos u_i: (d r_i) cos u_i + r_i (d cos u_i) = cos^2 u_i - r_i sin u_i.
    curvature = np.cos(phase) ** 2 - (np.sin(phase) - y) * np.sin(phase)
    phi = np.stack([np.ones_like(x), x], axis=-1)
    return 2.0 * np.einsum("...n,na,nb->...ab", curvature, phi, phi) / len(x)
