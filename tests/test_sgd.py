"""Minibatch gradients, their noise, and SGD paths (lecture spec, section 9).

The references below are plain loops over examples in pure Python, written
from the formulas and sharing no code with lecturekit.numerics.sgd, so the
vectorized code is checked against something it could not agree with by
construction. The properties then check the mathematics: batch size N is
full-batch descent, an epoch's batches average to the full gradient, and the
minibatch variance follows the finite-population formula.
"""
import itertools
import json
import math
import warnings

import numpy as np
import pytest

from lecturekit.numerics import sgd
from lecturekit.numerics.datasets import breast_cancer_features, sine_data
from lecturekit.numerics.descent import descent_path, run_summary
from lecturekit.numerics.losses import logistic_nll, logistic_nll_grad, sine_mse_grad

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


def ref_sgd_path(w0, X, t, lr, batch_size, shuffles):
    """SGD by loops: each epoch walks its permutation in slices of batch_size, one step per slice."""
    w = [float(v) for v in w0]
    path = [list(w)]
    for order in shuffles:
        order = [int(i) for i in order]
        for start in range(0, len(order), batch_size):
            g = ref_minibatch_gradient(w, X, t, order[start:start + batch_size])
            w = [wj - lr * gj for wj, gj in zip(w, g)]
            path.append(list(w))
    return path


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


# --- SGD paths -----------------------------------------------------------------------------------


def test_epoch_shuffles_are_fresh_permutations_and_seeded():
    shuffles = sgd.epoch_shuffles(50, 6, 3)
    assert shuffles.shape == (6, 50)
    assert all(sorted(row) == list(range(50)) for row in shuffles.tolist())
    assert len({tuple(row) for row in shuffles.tolist()}) == 6
    np.testing.assert_array_equal(shuffles, sgd.epoch_shuffles(50, 6, 3))
    np.testing.assert_array_equal(shuffles, sgd.epoch_shuffles(50, 6, np.random.default_rng(3)))
    assert sgd.epoch_shuffles(50, 0, 3).shape == (0, 50)
    # One generator shared by calls draws on: the second call differs, the sequence is reproducible.
    rng = np.random.default_rng(3)
    first, second = sgd.epoch_shuffles(50, 6, rng), sgd.epoch_shuffles(50, 6, rng)
    np.testing.assert_array_equal(first, shuffles)
    assert not np.array_equal(first, second)
    np.testing.assert_array_equal(np.vstack([first, second]), sgd.epoch_shuffles(50, 12, 3))


@pytest.mark.parametrize("rows, batch_size, epochs, lr", [(60, 1, 2, 0.05), (60, 7, 3, 0.3), (60, 60, 4, 2.0),
                                                         (569, 32, 2, 0.5), (569, 1, 1, 0.02)])
def test_sgd_path_matches_loop_reference(data, rows, batch_size, epochs, lr):
    X, t = data[0][:rows], data[1][:rows]
    shuffles = sgd.epoch_shuffles(rows, epochs, 9)
    path = sgd.sgd_path((0.5, -0.5), X, t, lr, batch_size, shuffles)
    assert path.shape == (epochs * sgd.batches_per_epoch(rows, batch_size) + 1, 2)
    np.testing.assert_allclose(path, ref_sgd_path((0.5, -0.5), X, t, lr, batch_size, shuffles), rtol=1e-11, atol=1e-13)


def test_batch_size_n_is_full_batch_descent_exactly(data):
    # logistic_gd's settings: the eps rule stops both at the same step, on the same points, bit for bit.
    X, t = data
    n = len(t)
    gd = descent_path(lambda w: logistic_nll_grad(w, X, t), (0.0, 0.0), 10.0, 100)
    path = sgd.sgd_path((0.0, 0.0), X, t, 10.0, n, sgd.epoch_shuffles(n, 100, 0), eps=1e-6)
    assert len(gd) < 101                                            # the eps rule did fire
    np.testing.assert_array_equal(path, gd)
    # Without the rule, and whatever the shuffles, too.
    gd = descent_path(lambda w: logistic_nll_grad(w, X, t), (-10.0, -5.0), 10.0, 30, eps=0.0)
    np.testing.assert_array_equal(sgd.sgd_path((-10.0, -5.0), X, t, 10.0, n, sgd.epoch_shuffles(n, 30, 1)), gd)


def test_batch_size_n_is_full_batch_descent_for_another_loss():
    x, y = sine_data()
    gd = descent_path(lambda w: sine_mse_grad(w, x, y), (1.0, 3.0), 0.2, 20)
    np.testing.assert_array_equal(sgd.sgd_path((1.0, 3.0), x, y, 0.2, len(x), sgd.epoch_shuffles(len(x), 20, 0),
                                               grad=sine_mse_grad, eps=1e-6), gd)


def test_sgd_path_is_deterministic_given_the_seed(data):
    X, t = data
    n = len(t)
    runs = [sgd.sgd_path((0.0, 0.0), X, t, 0.3, 32, sgd.epoch_shuffles(n, 3, seed)) for seed in (0, 0, 1)]
    np.testing.assert_array_equal(runs[0], runs[1])
    assert not np.allclose(runs[0], runs[2])
    assert runs[0].shape == (3 * 18 + 1, 2)


def test_sgd_eps_rule_stops_after_the_first_short_step(data):
    X, t = data
    eps = 1e-3
    path = sgd.sgd_path((0.0, 0.0), X, t, 0.02, 1, sgd.epoch_shuffles(len(t), 5, 0), eps=eps)
    steps = np.linalg.norm(np.diff(path, axis=0), axis=1)
    assert len(path) < 5 * len(t) + 1
    assert steps[-1] < eps and np.all(steps[:-1] >= eps)
    full = sgd.sgd_path((0.0, 0.0), X, t, 0.02, 1, sgd.epoch_shuffles(len(t), 5, 0))
    np.testing.assert_array_equal(path, full[: len(path)])        # the same steps up to the stop


def test_sgd_path_stops_at_the_first_non_finite_point_without_warnings():
    # A gradient that doubles |w| every step: w <- w - lr * (-w) with lr 1.
    grow = lambda w, X, t: -np.asarray(w) * np.mean(X)
    X, t = np.ones(10), np.zeros(10)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        path = sgd.sgd_path((1.0, -1.0), X, t, 1.0, 2, sgd.epoch_shuffles(10, 400, 0), grad=grow)
    assert np.all(np.isfinite(path[:-1])) and not np.all(np.isfinite(path[-1]))
    assert len(path) == 1025                                        # 2^1024 overflows
    s = sgd.sgd_summary(path, lambda w: np.sum(np.asarray(w) ** 2, axis=-1), 1.0, 2, 400, 10)
    assert math.isinf(s["final_loss"]) and s["converged"] is False


def test_gradient_evaluations_and_epoch_ends():
    ev = sgd.gradient_evaluations(569, 32, 3)
    assert len(ev) == 3 * 18 + 1 and ev[0] == 0
    assert set(np.diff(ev)) == {32, 25}
    ends = sgd.epoch_ends(569, 32, 3)
    np.testing.assert_array_equal(ends, [0, 18, 36, 54])
    np.testing.assert_array_equal(ev[ends], [0, 569, 1138, 1707])   # an epoch costs N for any batch size
    np.testing.assert_array_equal(sgd.gradient_evaluations(569, 569, 4), 569 * np.arange(5))  # full-batch steps
    np.testing.assert_array_equal(sgd.gradient_evaluations(569, 1, 2), np.arange(2 * 569 + 1))
    np.testing.assert_array_equal(sgd.epoch_ends(569, 1, 2), [0, 569, 1138])


def test_losses_along_equals_one_vectorized_call(data):
    X, t = data
    path = sgd.sgd_path((0.0, 0.0), X, t, 0.02, 1, sgd.epoch_shuffles(len(t), 2, 0))
    loss = lambda w: logistic_nll(w, X, t)
    np.testing.assert_allclose(sgd.losses_along(loss, path, chunk=100), loss(path), rtol=1e-14)
    assert sgd.losses_along(loss, path[:1]).shape == (1,)


def test_matched_lr():
    assert sgd.matched_lr(10.0, 32, 569) == pytest.approx(320 / 569)
    assert sgd.matched_lr(10.0, 569, 569) == 10.0


def test_sgd_summary_is_a_run_entry(data):
    X, t = data
    n = len(t)
    loss = lambda w: logistic_nll(w, X, t)
    path = sgd.sgd_path((0.0, 0.0), X, t, 0.5, 32, sgd.epoch_shuffles(n, 4, 0))
    s = sgd.sgd_summary(path, loss, 0.5, 32, 4, n)
    assert set(s) >= set(run_summary(path, loss, 0.5, None, 4))
    assert json.loads(json.dumps(s, allow_nan=False)) == s
    assert s["beta"] is None and s["epochs"] == 4 and s["batch_size"] == 32
    assert s["path_length"] == len(path) == 4 * 18 + 1 and s["updates"] == 4 * 18
    assert s["gradient_evaluations"] == 4 * n and s["converged"] is False
    assert s["final"] == path[-1].tolist() and s["final_loss"] == pytest.approx(float(loss(path[-1])), rel=1e-14)
