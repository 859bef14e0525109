"""Choosing SGD's constant learning rate (lecturekit.numerics.sgd_lr): the sweep and the settling rule."""
import numpy as np
import pytest

from lecturekit.numerics import sgd_lr
from lecturekit.numerics.datasets import breast_cancer_features
from lecturekit.numerics.losses import logistic_nll_grad
from lecturekit.numerics.sgd import epoch_shuffles, sgd_path


@pytest.fixture(scope="module")
def data():
    X, t, _ = breast_cancer_features(("mean radius", "mean texture"))
    return X, t


@pytest.mark.parametrize("batch_size, epochs", [(1, 2), (32, 5), (569, 3)])
def test_sweep_columns_are_single_runs(data, batch_size, epochs):
    X, t = data
    shuffles = epoch_shuffles(len(t), epochs, 4)
    lrs = [0.01, 0.3, 2.0]
    paths = sgd_lr.sgd_lr_sweep((0.5, -1.0), X, t, lrs, batch_size, shuffles)
    assert paths.shape == (epochs * -(-len(t) // batch_size) + 1, len(lrs), 2)
    for i, lr in enumerate(lrs):
        single = sgd_path((0.5, -1.0), X, t, lr, batch_size, shuffles)
        np.testing.assert_allclose(paths[:, i], single, rtol=1e-12, atol=1e-14)
    # The candidates really differ: the sweep does not repeat one rate.
    assert not np.allclose(paths[-1, 0], paths[-1, 1])


def test_sweep_refuses_a_diverging_candidate():
    # w <- w - lr * (-w): a gradient that grows without bound for any lr > 0 overflows after enough steps.
    grow = lambda w, X, t: -np.asarray(w) * 50.0
    X, t = np.ones((4, 2)), np.zeros(4)
    with pytest.raises(ValueError, match="diverged"):
        sgd_lr.sgd_lr_sweep((1.0, 1.0), X, t, [0.001, 1.0], 2, epoch_shuffles(4, 200, 0), grad=grow)


@pytest.mark.parametrize("losses, expected", [
    ([5, 4, 3, 2, 1], 3),            # below 2.5 from index 3 on
    ([5, 1, 1, 5, 1, 1], 4),         # a dip that leaves again does not count
    ([1, 1, 1], 0),                  # inside from the start
    ([1, 1, 3], None),               # outside at the end: never settled
    ([2.5, 9, 2.5], 2),              # at the target counts as inside
])
def test_settled_index(losses, expected):
    assert sgd_lr.settled_index(losses, 2.5) == expected


def test_largest_settling_takes_the_largest_rate_that_settles_in_time():
    lrs = [0.1, 0.4, 0.2, 0.8]                            # not sorted: the rule compares rates, not positions
    losses = [[9, 9, 9, 1, 1],      # 0.1: settles at 3
              [9, 1, 1, 1, 1],      # 0.4: settles at 1
              [9, 1, 1, 1, 1],      # 0.2: settles at 1
              [9, 1, 1, 1, 9]]      # 0.8: never
    best, settled = sgd_lr.largest_settling(lrs, losses, 2.0, by=2)
    assert best == 1 and settled == [3, 1, 1, None]
    best, _ = sgd_lr.largest_settling(lrs, losses[:1] + [[9, 9, 9, 9, 1]] * 3, 2.0, by=3)
    assert best == 0                                      # only 0.1 settles by index 3
    with pytest.raises(ValueError, match="no learning rate"):
        sgd_lr.largest_settling(lrs, losses, 2.0, by=0)
