"""Hessians against finite differences of the gradient and against sympy; Taylor and eigen tools."""
import numpy as np
import pytest
import sympy as sp

from lecturekit.numerics import losses
from lecturekit.numerics.datasets import breast_cancer_features, sine_data
from lecturekit.numerics.grid import weight_grid
from lecturekit.numerics.taylor import eigen_axes, positive_definite, taylor_quadratic
from reference import SINE_POINTS, fd_jacobian

X, T, _ = breast_cancer_features()
XS, YS = sine_data()

LOGISTIC_POINTS = [(-1.0, 2.0), (0.0, 0.0), (-10.0, -5.0), (-3.9, -0.9), (1.0, 1.3)]


@pytest.mark.parametrize("w", LOGISTIC_POINTS)
def test_logistic_hessian_matches_differences_of_gradient(w):
    H = losses.logistic_nll_hessian(np.array(w), X, T)
    numeric = fd_jacobian(lambda v: losses.logistic_nll_grad(v, X, T), w)
    np.testing.assert_allclose(H, numeric, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(H, H.T, rtol=0, atol=1e-15)


@pytest.mark.parametrize("w", SINE_POINTS)
def test_sine_hessian_matches_differences_of_gradient(w):
    H = losses.sine_mse_hessian(np.array(w), XS, YS)
    numeric = fd_jacobian(lambda v: losses.sine_mse_grad(v, XS, YS), w)
    np.testing.assert_allclose(H, numeric, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(H, H.T, rtol=0, atol=1e-12)


# --- sympy: the symbolic Hessian of the symbolic loss over a small data subset ---------------

W0, W1 = sp.symbols("w0 w1", real=True)
SUBSET = np.arange(0, 200, 23)  # 9 rows spread over the data


def sympy_hessian(expr):
    """sympy.hessian of an expression in (w0, w1), lambdified to numpy."""
    return sp.lambdify((W0, W1), sp.hessian(expr, (W0, W1)), "numpy")


def test_logistic_hessian_matches_sympy():
    Xs, ts = X[SUBSET], T[SUBSET]
    terms = []
    for (a, b), ti in zip(Xs, ts):
        z = W0 * sp.Float(a) + W1 * sp.Float(b)
        terms.append(sp.log(1 + sp.exp(z)) - sp.Float(ti) * z)
    hess = sympy_hessian(sp.Add(*terms) / len(ts))
    for w in LOGISTIC_POINTS:
        expected = np.array(hess(*w), dtype=float)
        np.testing.assert_allclose(losses.logistic_nll_hessian(np.array(w), Xs, ts), expected, rtol=1e-10, atol=1e-14)


def test_sine_hessian_matches_sympy():
    xs, ys = XS[SUBSET], YS[SUBSET]
    expr = sp.Add(*[(sp.sin(W0 + W1 * sp.Float(a)) - sp.Float(b)) ** 2 for a, b in zip(xs, ys)]) / len(xs)
    hess = sympy_hessian(expr)
    for w in SINE_POINTS:
        expected = np.array(hess(*w), dtype=float)
        np.testing.assert_allclose(losses.sine_mse_hessian(np.array(w), xs, ys), expected, rtol=1e-10, atol=1e-12)


# --- batching ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "hessian, data, box",
    [
        (losses.logistic_nll_hessian, (X, T), ((-10, 1), (-5, 1.3))),
        (losses.sine_mse_hessian, (XS, YS), ((-1.5, 3), (1, 4))),
    ],
)
def test_batched_hessian_equals_unbatched_on_the_grid(hessian, data, box):
    Wa, Wb = weight_grid(*box, 30)
    W = np.stack([Wa, Wb], axis=-1)
    batched = hessian(W, *data)
    assert batched.shape == (30, 30, 2, 2)
    for idx in np.ndindex(30, 30):
        np.testing.assert_allclose(batched[idx], hessian(W[idx], *data), rtol=1e-12, atol=1e-15)


# --- convexity on the grids ------------------------------------------------------------------


def test_logistic_hessian_positive_definite_on_whole_grid():
    Wa, Wb = weight_grid((-10, 1), (-5, 1.3), 30)
    pd = positive_definite(losses.logistic_nll_hessian(np.stack([Wa, Wb], axis=-1), X, T))
    assert pd.shape == (30, 30) and pd.all()


def test_sine_hessian_is_indefinite_somewhere_on_the_grid():
    # The sine loss is not convex: the Hessian must fail to be positive definite somewhere,
    # yet be positive definite near the true parameters (1.1, 2.5).
    Wa, Wb = weight_grid((-1.5, 3), (1, 4), 30)
    pd = positive_definite(losses.sine_mse_hessian(np.stack([Wa, Wb], axis=-1), XS, YS))
    assert pd.shape == (30, 30)
    assert 0 < pd.mean() < 1
    assert positive_definite(losses.sine_mse_hessian(np.array([1.1, 2.5]), XS, YS))


# --- eigen structure and positive definiteness --------------------------------------------


@pytest.mark.parametrize("seed", range(5))
def test_eigen_axes_reconstruct_H(seed):
    A = np.random.default_rng(seed).normal(size=(2, 2))
    H = A + A.T
    lams, V = eigen_axes(H)
    assert np.all(np.diff(lams) >= 0)
    np.testing.assert_allclose(V @ np.diag(lams) @ V.T, H, atol=1e-12)
    np.testing.assert_allclose(V.T @ V, np.eye(2), atol=1e-12)
    for i in range(2):  # columns are the eigenvectors
        np.testing.assert_allclose(H @ V[:, i], lams[i] * V[:, i], atol=1e-12)


def test_eigen_axes_of_a_real_hessian():
    H = losses.sine_mse_hessian(np.array([1.1, 2.5]), XS, YS)
    lams, V = eigen_axes(H)
    np.testing.assert_allclose(V @ np.diag(lams) @ V.T, H, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(np.sort(np.linalg.eigvals(H).real), lams, rtol=1e-10)


def test_positive_definite_known_cases():
    cases = np.array(
        [
            [[1.0, 0.0], [0.0, 2.0]],  # PD
            [[1.0, 0.0], [0.0, -1.0]],  # indefinite
            [[0.0, 0.0], [0.0, 1.0]],  # semidefinite: not PD
            [[2.0, 1.9], [1.9, 2.0]],  # PD with positive entries
            [[1.0, 2.0], [2.0, 1.0]],  # positive entries but indefinite (eigenvalues 3, -1)
            [[-1.0, 0.0], [0.0, -2.0]],  # negative definite
        ]
    )
    np.testing.assert_array_equal(positive_definite(cases), [True, False, False, True, False, False])
    assert positive_definite(cases.reshape(3, 2, 2, 2)).shape == (3, 2)


# --- Taylor ------------------------------------------------------------------------------------


def test_taylor_is_exact_for_a_quadratic():
    A = np.array([[3.0, 1.0], [1.0, 2.0]])
    b = np.array([-1.0, 0.5])
    f = lambda w: np.einsum("...a,ab,...b->...", w, A, w) + w @ b + 4.0
    q = taylor_quadratic(np.array([0.3, -0.7]), f, lambda w: 2 * A @ w + b, lambda w: 2 * A)
    W = np.random.default_rng(0).normal(size=(4, 5, 2)) * 3
    np.testing.assert_allclose(q(W), f(W), rtol=1e-12)
    assert q(W).shape == (4, 5)


@pytest.mark.parametrize(
    "loss, grad, hess, data, w_star",
    [
        (losses.sine_mse, losses.sine_mse_grad, losses.sine_mse_hessian, (XS, YS), np.array([1.3, 2.45])),
        (losses.logistic_nll, losses.logistic_nll_grad, losses.logistic_nll_hessian, (X, T), np.array([-3.9, -0.9])),
    ],
)
def test_taylor_error_is_third_order(loss, grad, hess, data, w_star):
    f = lambda w: loss(w, *data)
    q = taylor_quadratic(w_star, f, lambda w: grad(w, *data), lambda w: hess(w, *data))
    assert q(w_star) == pytest.approx(f(w_star), rel=1e-14)
    d = np.array([0.6, -0.8]) * 1e-2
    errors = [abs(q(w_star + s * d) - f(w_star + s * d)) for s in (1.0, 0.5, 0.25)]
    # Halving the offset divides a third-order remainder by about 8 (a second-order one by 4).
    for big, small in zip(errors, errors[1:]):
        assert 6 < big / small < 10
