"""Newton's method on both real models, cross-checked with scipy and scikit-learn."""
import numpy as np
import pytest
from scipy.optimize import minimize
from sklearn.linear_model import LogisticRegression

from lecturekit.numerics import losses
from lecturekit.numerics.datasets import breast_cancer_features, sine_data
from lecturekit.numerics.descent import descent_path
from lecturekit.numerics.grid import grid_argmin, loss_grid, weight_grid
from lecturekit.numerics.newton import newton_path, steps_to_tolerance
from lecturekit.numerics.taylor import positive_definite

X, T, _ = breast_cancer_features()
XS, YS = sine_data()

LOGISTIC = dict(
    loss=lambda w: losses.logistic_nll(w, X, T),
    grad=lambda w: losses.logistic_nll_grad(w, X, T),
    hess=lambda w: losses.logistic_nll_hessian(w, X, T),
    box=((-10, 1), (-5, 1.3)),
)
SINE = dict(
    loss=lambda w: losses.sine_mse(w, XS, YS),
    grad=lambda w: losses.sine_mse_grad(w, XS, YS),
    hess=lambda w: losses.sine_mse_hessian(w, XS, YS),
    box=((-1.5, 3), (1, 4)),
)


def grid_best(model):
    Wa, Wb = weight_grid(*model["box"], 30)
    return grid_argmin(loss_grid(model["loss"], Wa, Wb), Wa, Wb)[0]


def bfgs(model, w0):
    res = minimize(model["loss"], w0, jac=model["grad"], method="BFGS", options={"gtol": 1e-12, "maxiter": 1000})
    return res.x


@pytest.mark.parametrize("model", [LOGISTIC, SINE], ids=["logistic", "sine"])
@pytest.mark.parametrize("start", ["grid_best", "nearby"])
def test_newton_reaches_a_true_minimum_and_agrees_with_bfgs(model, start):
    w0 = grid_best(model) if start == "grid_best" else (np.array([-3.5, -1.0]) if model is LOGISTIC else np.array([1.0, 2.45]))
    path = newton_path(model["grad"], model["hess"], w0)
    w = path[-1]
    assert np.linalg.norm(model["grad"](w)) < 1e-10
    assert len(path) <= 10  # quadratic convergence: a handful of steps
    assert positive_definite(model["hess"](w))  # a minimum, not a saddle
    np.testing.assert_allclose(w, bfgs(model, w0), atol=1e-6)
    assert model["loss"](w) <= model["loss"](w0)


def test_newton_logistic_agrees_with_sklearn():
    w = newton_path(LOGISTIC["grad"], LOGISTIC["hess"], grid_best(LOGISTIC))[-1]
    clf = LogisticRegression(C=np.inf, fit_intercept=False, tol=1e-12, max_iter=10_000).fit(X, T)
    np.testing.assert_allclose(w, clf.coef_[0], atol=1e-6)


def test_sine_minimum_is_near_the_true_parameters():
    w = newton_path(SINE["grad"], SINE["hess"], grid_best(SINE))[-1]
    # 200 noisy samples: the least-squares fit lies near, not at, the generating (1.1, 2.5).
    assert np.linalg.norm(w - np.array([1.1, 2.5])) < 0.1


def test_newton_on_a_quadratic_takes_one_step():
    A = np.array([[3.0, 1.0], [1.0, 2.0]])
    b = np.array([1.0, -2.0])
    path = newton_path(lambda w: A @ w - b, lambda w: A, (10.0, -7.0))
    assert len(path) == 2
    np.testing.assert_allclose(path[-1], np.linalg.solve(A, b), rtol=1e-12)


def test_newton_in_1d():
    # f(x) = x^4 / 4 - x: gradient x^3 - 1, root 1.
    path = newton_path(lambda x: x**3 - 1, lambda x: np.atleast_2d(3 * x**2), 2.0)
    assert path.shape[1] == 1
    assert path[-1, 0] == pytest.approx(1.0, abs=1e-12)


def test_newton_stops_at_max_steps():
    # Gradient with no root: Newton can never satisfy the tolerance.
    path = newton_path(lambda x: x**2 + 1, lambda x: np.atleast_2d(2 * x), 0.5, max_steps=7)
    assert len(path) == 8


def test_steps_to_tolerance():
    path = np.array([[4.0, 0.0], [2.0, 0.0], [1.0, 0.0], [0.5, 0.0], [0.25, 0.0]])
    assert steps_to_tolerance(path, (0.0, 0.0), 0.6) == 3
    assert steps_to_tolerance(path, (0.0, 0.0), 5.0) == 0
    assert steps_to_tolerance(path, (0.0, 0.0), 0.25) is None  # strict <
    assert steps_to_tolerance(path, (1.0, 0.0), 1e-9) == 2
    assert steps_to_tolerance(np.array([3.0, 2.0, 1.0]), 1.0, 0.5) == 2  # 1-D path


def test_newton_needs_far_fewer_steps_than_gradient_descent():
    for model, lr in ((LOGISTIC, 10.0), (SINE, 0.05)):
        w0 = grid_best(model)
        w_star = newton_path(model["grad"], model["hess"], w0)[-1]
        tol = 1e-5
        n_newton = steps_to_tolerance(newton_path(model["grad"], model["hess"], w0), w_star, tol)
        n_gd = steps_to_tolerance(descent_path(model["grad"], w0, lr, 5000, eps=0.0), w_star, tol)
        assert n_newton is not None and n_gd is not None
        assert n_newton <= 5 and n_gd > 3 * n_newton
