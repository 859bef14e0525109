"""Minibatch gradients, their noise, and SGD paths (lecture spec, section 9).

The references below are plain loops over examples in pure Python, written
from the formulas and sharing no code with lecturekit.numerics.sgd, so the
vectorized code is checked against something it could not agree with by
construction. The properties then check the mathematics: batch size N is
full-batch descent, an epoch's batches average to the full gradient, and the
minibatch variance follows the finite-population formula.
"""
import itertools
import math

import numpy as np
import pytest

from lecturekit.numerics import sgd
from lecturekit.numerics.datasets import breast_cancer_features
from lecturekit.numerics.losses import logistic_nll_grad

SPEC_W = (-1.0, 2.0)                   # where section 9 measures the noise
SPEC_BATCH_SIZES = (1, 4, 16, 64, 256)


@pytest.fixture(scope="module")
def data():
    X, t, _ = breast_cancer_features(("mean radius", "mean texture"))
    return X, t


# --- plain-loop references ------------------------------------------------------------------------


def ref_sample_gradient(w, x, t):
    """(sigmoid(w.x) - t) x for one example, in plain Python."""
    z = sum(wj * xj for wj, xj in zip(w, x))
    p = 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))
    return [(p - t) * xj for xj in x]


def ref_minibatch_gradient(w, X, t, rows):
    """Mean of the per-example gradients over `rows`, one example at a time."""
    total = [0.0] * len(w)
    for i in rows:
        g = ref_sample_gradient(w, [float(v) for v in X[i]], float(t[i]))
        total = [a + b for a, b in zip(total, g)]
    return [a / len(rows) for a in total]


def ref_total_variance(vectors, ddof):
    """Sum over coordinates of sum_k (v_kj - mean_j)^2 / (K - ddof)."""
    K, d = len(vectors), len(vectors[0])
    means = [sum(v[j] for v in vectors) / K for j in range(d)]
    return sum((v[j] - means[j]) ** 2 for v in vectors for j in range(d)) / (K - ddof)


# --- minibatch gradients --------------------------------------------------------------------------


@pytest.mark.parametrize("w", [SPEC_W, (0.0, 0.0), (-3.96, -0.89), (5.0, -7.0)])
def test_minibatch_gradient_matches_loop_reference(data, w):
    X, t = data
    rng = np.random.default_rng(123)
    for rows in ([0], [568], [5, 3, 400], rng.choice(len(t), 32, replace=False), np.arange(len(t))):
        np.testing.assert_allclose(sgd.minibatch_gradient(w, X, t, rows), ref_minibatch_gradient(w, X, t, rows),
                                   rtol=1e-12, atol=1e-15)


def test_batch_of_all_rows_is_the_full_gradient_bit_for_bit(data):
    X, t = data
    np.testing.assert_array_equal(sgd.minibatch_gradient(SPEC_W, X, t, np.arange(len(t))),
                                  logistic_nll_grad(np.array(SPEC_W), X, t))
    # In another order it is the same mean, summed differently.
    shuffled = np.random.default_rng(1).permutation(len(t))
    np.testing.assert_allclose(sgd.minibatch_gradient(SPEC_W, X, t, shuffled), logistic_nll_grad(np.array(SPEC_W), X, t),
                               rtol=1e-13)


def test_per_sample_gradients_match_reference_and_average_to_the_full_gradient(data):
    X, t = data
    G = sgd.per_sample_gradients(SPEC_W, X, t)
    assert G.shape == (len(t), 2)
    for i in (0, 1, 100, 568):
        np.testing.assert_allclose(G[i], ref_sample_gradient(SPEC_W, X[i], t[i]), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(G.mean(axis=0), logistic_nll_grad(np.array(SPEC_W), X, t), rtol=1e-13)


def test_total_variance_matches_reference():
    vectors = np.random.default_rng(2).normal(size=(50, 3)) * [1.0, 2.0, 0.5]
    for ddof in (0, 1):
        assert sgd.total_variance(vectors, ddof) == pytest.approx(ref_total_variance(vectors.tolist(), ddof), rel=1e-12)


def test_epoch_batches_partition_the_data():
    order = np.random.default_rng(3).permutation(569)
    batches = sgd.epoch_batches(order, 32)
    assert [len(b) for b in batches] == [32] * 17 + [25]          # 569 = 17 * 32 + 25: the remainder last
    assert sgd.batches_per_epoch(569, 32) == 18
    np.testing.assert_array_equal(np.sort(np.concatenate(batches)), np.arange(569))
    for k, rows in enumerate(batches):                           # consecutive slices of the shuffle, sorted
        np.testing.assert_array_equal(rows, np.sort(order[32 * k: 32 * (k + 1)]))
    assert [len(b) for b in sgd.epoch_batches(order, 569)] == [569]
    assert [len(b) for b in sgd.epoch_batches(order, 1000)] == [569]
    with pytest.raises(ValueError):
        sgd.epoch_batches(order, 0)


@pytest.mark.parametrize("batch_size", [1, 8, 16, 35, 112, 560])
def test_epoch_mean_of_minibatch_gradients_is_the_full_gradient(data, batch_size):
    # 560 rows split into equal batches: the plain mean over the epoch's batches is the full gradient.
    X, t = data[0][:560], data[1][:560]
    order = np.random.default_rng(4).permutation(560)
    batches = sgd.epoch_batches(order, batch_size)
    assert len({len(b) for b in batches}) == 1
    g = sgd.minibatch_gradients(SPEC_W, X, t, batches)
    np.testing.assert_allclose(g.mean(axis=0), logistic_nll_grad(np.array(SPEC_W), X, t), rtol=1e-12)


def test_epoch_with_a_remainder_batch_averages_to_the_full_gradient_weighted_by_size(data):
    X, t = data
    batches = sgd.epoch_batches(np.random.default_rng(5).permutation(len(t)), 32)
    g = sgd.minibatch_gradients(SPEC_W, X, t, batches)
    sizes = np.array([len(b) for b in batches])
    full = logistic_nll_grad(np.array(SPEC_W), X, t)
    np.testing.assert_allclose(sizes @ g / sizes.sum(), full, rtol=1e-12)
    assert not np.allclose(g.mean(axis=0), full, rtol=1e-6)        # the smaller last batch counts for less


# --- the noise of a minibatch gradient -----------------------------------------------------------


@pytest.mark.parametrize("n", [6, 9])
def test_without_replacement_formula_is_exact_over_all_subsets(data, n):
    # Enumerate every batch: the mean of ||g_S - g||^2 over all C(n, B) subsets is the formula, exactly.
    X, t = data[0][::60][:n], data[1][::60][:n]
    G = [ref_sample_gradient(SPEC_W, X[i], t[i]) for i in range(n)]
    full = [sum(g[j] for g in G) / n for j in range(2)]
    sigma2 = sgd.total_variance(np.array(G), ddof=0)
    assert sigma2 == pytest.approx(ref_total_variance(G, ddof=0), rel=1e-12)
    for B in range(1, n + 1):
        squared = [sum((sum(G[i][j] for i in S) / B - full[j]) ** 2 for j in range(2))
                   for S in itertools.combinations(range(n), B)]
        predicted = sgd.predicted_minibatch_variance(sigma2, n, B)
        assert sum(squared) / len(squared) == pytest.approx(predicted, rel=1e-10, abs=1e-15)
    # With replacement the B draws are independent: sigma2 / B, checked over all n^B ordered draws.
    for B in (1, 2, 3):
        squared = [sum((sum(G[i][j] for i in S) / B - full[j]) ** 2 for j in range(2))
                   for S in itertools.product(range(n), repeat=B)]
        assert sum(squared) / len(squared) == pytest.approx(sgd.predicted_minibatch_variance(sigma2, n, B, replace=True),
                                                            rel=1e-10)


def test_predicted_variance_edge_cases():
    assert sgd.predicted_minibatch_variance(2.0, 10, 1) == 2.0       # one row: the per-sample variance
    assert sgd.predicted_minibatch_variance(2.0, 10, 10) == 0.0      # every row: no noise left
    assert sgd.predicted_minibatch_variance(2.0, 10, 20, replace=True) == 0.1
    for bad in (0, 11):
        with pytest.raises(ValueError):
            sgd.predicted_minibatch_variance(2.0, 10, bad)


def test_draw_minibatches(data):
    n, B, K = 569, 16, 3000
    batches = sgd.draw_minibatches(n, B, K, 7)
    assert batches.shape == (K, B) and batches.min() >= 0 and batches.max() < n
    assert all(len(set(row)) == B for row in batches.tolist())    # without replacement within a batch
    np.testing.assert_array_equal(sgd.draw_minibatches(n, n, 2, 7), [np.arange(n)] * 2)
    for bad in (0, n + 1):
        with pytest.raises(ValueError):
            sgd.draw_minibatches(n, bad, 2, 7)
    np.testing.assert_array_equal(batches, sgd.draw_minibatches(n, B, K, 7))
    assert not np.array_equal(batches, sgd.draw_minibatches(n, B, K, 8))
    # Reference: each batch is the first B of a random permutation, from n uniforms per batch in order.
    rng = np.random.default_rng(7)
    for row in batches[:20]:
        keys = rng.random(n).tolist()
        assert row.tolist() == sorted(sorted(range(n), key=lambda i: keys[i])[:B])
    # Every row is equally likely: included with probability B / n (binomial counts, 5 sigma).
    counts = np.bincount(batches.ravel(), minlength=n)
    p = B / n
    assert np.all(np.abs(counts - K * p) < 5 * math.sqrt(K * p * (1 - p)))


def test_variance_summary_matches_loop_reference(data):
    X, t = data
    K = 40
    out = sgd.minibatch_gradient_variance(SPEC_W, X, t, (1, 8, 569), K, 11)
    rng = np.random.default_rng(11)
    full = ref_minibatch_gradient(SPEC_W, X, t, range(len(t)))
    sigma2 = ref_total_variance([ref_sample_gradient(SPEC_W, X[i], t[i]) for i in range(len(t))], ddof=0)
    for entry, B in zip(out, (1, 8, 569)):
        batches = sgd.draw_minibatches(len(t), B, K, rng)            # the same draws, in the same order
        g = [ref_minibatch_gradient(SPEC_W, X, t, rows) for rows in batches]
        assert entry["batch_size"] == B and entry["n_batches"] == K
        assert entry["sigma2"] == pytest.approx(sigma2, rel=1e-12)
        assert entry["measured"] == pytest.approx(ref_total_variance(g, ddof=1), rel=1e-9, abs=1e-25)
        msd = sum(sum((gk[j] - full[j]) ** 2 for j in range(2)) for gk in g) / K
        assert entry["mean_squared_deviation"] == pytest.approx(msd, rel=1e-9, abs=1e-25)
        assert entry["predicted"] == pytest.approx(sigma2 / B * (len(t) - B) / (len(t) - 1), rel=1e-12, abs=1e-30)
    # B = N: every batch is the data, its gradient the full one exactly (the sample variance only rounds).
    assert out[-1]["predicted"] == 0.0 and out[-1]["mean_squared_deviation"] == 0.0 and out[-1]["measured"] < 1e-30


def test_variance_falls_with_batch_size_as_the_formula_says(data):
    # Many draws with a fixed seed: each estimate within 4 standard errors of the formula.
    X, t = data
    out = sgd.minibatch_gradient_variance(SPEC_W, X, t, SPEC_BATCH_SIZES, 10_000, 0)
    for entry in out:
        assert abs(entry["mean_squared_deviation"] - entry["predicted"]) < 4 * entry["standard_error"]
        assert abs(entry["measured"] - entry["predicted"]) < 4 * entry["standard_error"]
        assert entry["standard_error"] < 0.03 * entry["predicted"]   # the check is tight, not vacuous
    measured = [e["measured"] for e in out]
    assert all(a > b for a, b in zip(measured, measured[1:]))
    # Roughly 1/B: quadrupling the batch divides the noise by about 4 (a bit more, as B nears N).
    for a, b in zip(out, out[1:]):
        predicted_ratio = a["predicted"] / b["predicted"]
        assert 4.0 <= predicted_ratio and a["measured"] / b["measured"] == pytest.approx(predicted_ratio, rel=0.12)
