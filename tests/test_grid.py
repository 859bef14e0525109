"""Loss grids: vectorized evaluation against loops, finiteness, the data sets."""
import numpy as np
import pytest

from lecturekit.numerics.datasets import breast_cancer_features, sine_data
from lecturekit.numerics.grid import grid_argmin, loss_grid, sine_mse_grid, weight_grid
from lecturekit.numerics.losses import logistic_nll, sine_mse


@pytest.fixture(scope="module")
def cancer():
    X, t, _ = breast_cancer_features()
    return X, t


def test_grid_search_matches_brute_force(cancer):
    X, t = cancer
    W1, W2 = weight_grid((-10, 1), (-5, 1.3), 30)
    L = loss_grid(lambda w: logistic_nll(w, X, t), W1, W2)
    best, best_loss = grid_argmin(L, W1, W2)
    brute = min((logistic_nll(np.array([a, b]), X, t), a, b)
                for a in np.linspace(-10, 1, 30) for b in np.linspace(-5, 1.3, 30))
    assert best_loss == pytest.approx(brute[0])
    assert best == pytest.approx([brute[1], brute[2]])


def test_loss_grid_in_bands_equals_one_call(cancer):
    X, t = cancer
    W1, W2 = weight_grid((-10, 1), (-5, 1.3), 37)
    loss = lambda w: logistic_nll(w, X, t)  # noqa: E731
    whole = loss(np.stack([W1, W2], axis=-1))
    for per_call in (1, 40, 100, 10_000):
        np.testing.assert_allclose(loss_grid(loss, W1, W2, points_per_call=per_call), whole, rtol=1e-14)


def test_sine_grid_identity_matches_direct_evaluation():
    x, y = sine_data()
    W0, W1 = weight_grid((-1.5, 3), (1, 4), 30)
    direct = np.array([[sine_mse(np.array([a, b]), x, y) for a, b in zip(r0, r1)] for r0, r1 in zip(W0, W1)])
    assert sine_mse_grid(W0, W1, x, y) == pytest.approx(direct, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("scale", [1e2, 1e4, 1e8])
def test_logistic_loss_finite_at_extreme_weights(cancer, scale):
    X, t = cancer
    W1, W2 = weight_grid((-scale, scale), (-scale, scale), 7)
    L = loss_grid(lambda w: logistic_nll(w, X, t), W1, W2)
    assert np.all(np.isfinite(L))


def test_logistic_loss_at_moderate_weights_is_the_naive_cross_entropy(cancer):
    # Where the naive formula does not overflow, the stable one must agree with it.
    X, t = cancer
    p = 1 / (1 + np.exp(-X @ [1.0, 2.0]))
    naive = np.mean(-t * np.log(p) - (1 - t) * np.log(1 - p))
    assert logistic_nll(np.array([1.0, 2.0]), X, t) == pytest.approx(naive)


def test_sine_data_follows_the_documented_draw_order():
    rng = np.random.RandomState(42)
    x = np.sort(rng.rand(200) * 2.5 * np.pi)
    y = np.sin(1.1 + 2.5 * x) + 0.5 * rng.randn(200)
    got_x, got_y = sine_data(seed=42, n=200)
    assert np.array_equal(got_x, x) and np.array_equal(got_y, y)


def test_breast_cancer_features_are_standardized_with_sklearn_coding(cancer):
    from sklearn.datasets import load_breast_cancer
    X, t = cancer
    data = load_breast_cancer()
    assert X.shape == (len(data.target), 2)
    assert X.mean(axis=0) == pytest.approx([0, 0], abs=1e-12) and X.std(axis=0) == pytest.approx([1, 1])
    radius = data.data[:, list(data.feature_names).index("mean radius")]
    assert np.corrcoef(radius, X[:, 0])[0, 1] == pytest.approx(1)
    assert np.array_equal(t, data.target)
