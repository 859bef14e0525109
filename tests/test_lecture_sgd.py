"""Section 9 of the Gradient Descent lecture (compute_sgd.py) against a second implementation.

The references here are written from the spec and the page's own description
(one generator, default_rng(0), drawn in the order the page states; batches
and epochs as the page defines them), with plain loops and numpy, sharing no
code with lecturekit.numerics.sgd or sgd_lr: what they reproduce, the lecture
must have computed the way the page says.
"""
import math

import numpy as np
import pytest

from lecturekit.numerics.losses import logistic_nll

SEED, NOISE_AT, NOISE_BATCHES = 0, (-1.0, 2.0), 2000      # the spec's section 9
NOISE_BATCH_SIZES, RUNS = (1, 4, 16, 64, 256), (("sgd_b1", 1), ("sgd_b32", 32))


@pytest.fixture(scope="module")
def data(results):
    bc = results("breast_cancer")
    return bc["X"], bc["t"]


@pytest.fixture(scope="module")
def sgd(results):
    return results("sgd")


def loop_sgd(w0, X, t, lr, batch_size, shuffles):
    """SGD in plain Python: each epoch walks its permutation in slices of batch_size, one step per slice."""
    w = [float(v) for v in w0]
    rows = [[float(a) for a in x] for x in X]
    targets = [float(v) for v in t]
    path = [list(w)]
    for order in shuffles:
        order = [int(i) for i in order]
        for start in range(0, len(order), batch_size):
            batch = order[start:start + batch_size]
            g = [0.0, 0.0]
            for i in batch:
                z = w[0] * rows[i][0] + w[1] * rows[i][1]
                p = 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))
                g = [g[j] + (p - targets[i]) * rows[i][j] for j in range(2)]
            w = [w[j] - lr * g[j] / len(batch) for j in range(2)]
            path.append(list(w))
    return np.array(path)


def replay_generator(n, epochs):
    """The page's order of draws: the noise batches' keys for each B, then b1's shuffles, then b32's."""
    rng = np.random.default_rng(SEED)
    keys = {B: np.array([rng.random(n) for _ in range(NOISE_BATCHES)]) for B in NOISE_BATCH_SIZES}
    shuffles = {name: [rng.permutation(n) for _ in range(epochs)] for name, _ in RUNS}
    return keys, shuffles


@pytest.fixture(scope="module")
def replay(data, sgd):
    return replay_generator(len(data[1]), sgd["epochs"])


def epoch_end_indices(n, batch_size, epochs):
    per_epoch = -(-n // batch_size)
    return [e * per_epoch for e in range(epochs + 1)]


def inside_from(losses, target):
    """The epoch from which every later loss is at or below target, by a plain backwards scan (None: never)."""
    epoch = None
    for k in range(len(losses) - 1, -1, -1):
        if losses[k] > target:
            break
        epoch = k
    return epoch


# --- the noise of a minibatch gradient ------------------------------------------------------------


def test_variance_is_that_of_the_stated_draws_and_agrees_with_the_formula(data, sgd, replay):
    X, t = data
    n = len(t)
    w = np.array(NOISE_AT)
    G = (1.0 / (1.0 + np.exp(-(X @ w))) - t)[:, None] * X          # the N per-sample gradients
    sigma2 = float(np.sum(np.mean((G - G.mean(axis=0)) ** 2, axis=0)))
    keys, _ = replay
    assert [v["batch_size"] for v in sgd["variance"]] == list(NOISE_BATCH_SIZES)
    assert sgd["sigma2"] == pytest.approx(sigma2, rel=1e-12)
    for entry in sgd["variance"]:
        B = entry["batch_size"]
        batches = np.argsort(keys[B], axis=1)[:, :B]                  # the B smallest keys: B distinct rows
        g = G[batches].mean(axis=1)
        trace = float(np.sum(np.var(g, axis=0, ddof=1)))
        assert entry["measured"] == pytest.approx(trace, rel=1e-9), B
        assert entry["predicted"] == pytest.approx(sigma2 / B * (n - B) / (n - 1), rel=1e-12), B
        # The formula holds: within the page's stated number of standard errors, and that number is small.
        gap = abs(entry["measured"] - entry["predicted"])
        assert gap <= sgd["variance_agreement"] * entry["standard_error"] * (1 + 1e-12)
    assert sgd["variance_agreement"] < 3
    assert sgd["variance_correction_last"] == pytest.approx((n - 256) / (n - 1))


# --- the runs ---------------------------------------------------------------------------------------


def test_runs_replay_from_the_stated_generator_order_with_a_loop_implementation(data, sgd, results, replay):
    X, t = data
    _, shuffles = replay
    published = results("sgd_runs")
    for name, B in RUNS:
        run = published[name]
        path = sgd["data"][name]["path"]
        reference = loop_sgd((0.0, 0.0), X, t, run["lr"], B, shuffles[name])
        np.testing.assert_allclose(path, reference, rtol=1e-9, atol=1e-12, err_msg=name)
        assert run["start"] == [0.0, 0.0] and run["beta"] is None and run["batch_size"] == B
        assert run["path_length"] == len(reference) and run["final"] == pytest.approx(reference[-1], rel=1e-9)
        assert run["final_loss"] == pytest.approx(float(logistic_nll(reference[-1], X, t)), rel=1e-9)
        assert run["converged"] is False                          # constant-lr SGD never stops on its own


def test_each_run_spends_exactly_logistic_gd_s_budget(data, sgd, results):
    n = len(data[1])
    gd = results("runs")["logistic_gd"]
    assert sgd["epochs"] == gd["path_length"] - 1 and sgd["budget"] == sgd["epochs"] * n
    for name, B in RUNS:
        run = results("sgd_runs")[name]
        batches = [min(B, n - s) for s in range(0, n, B)]          # the last batch holds the remainder
        assert run["updates"] == sgd["epochs"] * len(batches)
        assert run["gradient_evaluations"] == sgd["epochs"] * sum(batches) == sgd["budget"]
        assert run["record_evaluations"][-1] == sgd["budget"]
        # Each recorded loss is the loss at that point of the path, after that many evaluations.
        path = sgd["data"][name]["path"]
        for k in (0, 1, len(run["records"]) // 2, -1):
            i = run["records"][k]
            assert run["record_evaluations"][k] == sum(batches) * (i // len(batches)) + sum(batches[:i % len(batches)])
            assert run["record_losses"][k] == pytest.approx(float(logistic_nll(path[i], *data)), rel=1e-12)


def test_the_learning_rate_is_the_largest_candidate_that_settles_by_half_way(data, sgd, results, replay):
    # Every candidate rerun with the loop implementation; the page's rule applied by hand.
    X, t = data
    n, epochs = len(t), sgd["epochs"]
    _, shuffles = replay
    gd_lr = results("runs")["logistic_gd"]["lr"]
    minimum = results("logistic_optimum")["optimum"]["loss"]
    target = minimum + sgd["neighbourhood"]
    assert sgd["target_loss"] == pytest.approx(target, rel=1e-15) and sgd["deadline_epoch"] == epochs // 2
    for name, B in RUNS:
        choice = sgd["lr_choice"][name]
        lrs = [c * gd_lr * B / n for c in sgd["lr_factors"]]
        assert choice["base_lr"] == pytest.approx(gd_lr * B / n, rel=1e-15)      # the page's "eta = c x base"
        passing = []
        for lr, candidate in zip(lrs, choice["candidates"]):
            path = loop_sgd((0.0, 0.0), X, t, lr, B, shuffles[name])
            losses = [float(logistic_nll(path[i], X, t)) for i in epoch_end_indices(n, B, epochs)]
            settled = inside_from(losses, target)
            assert candidate["lr"] == pytest.approx(lr, rel=1e-15)
            assert candidate["settled_epoch"] == settled, (name, lr)
            assert candidate["qualifies"] == (settled is not None and settled <= sgd["deadline_epoch"])
            if candidate["qualifies"]:
                passing.append(lr)
                assert max(losses[sgd["deadline_epoch"]:]) <= target   # inside at every epoch end of the second half
        assert choice["lr"] == pytest.approx(max(passing), rel=1e-15), name
        assert results("sgd_runs")[name]["lr"] == choice["lr"]
        # The grid brackets the choice: a larger candidate exists and fails, so "the largest" means something.
        assert any(lr > choice["lr"] and not c["qualifies"] for lr, c in zip(lrs, choice["candidates"])), name
        assert any(not c["qualifies"] for c in choice["candidates"][:1]), name   # the smallest is too slow


def test_compared_numbers_mean_what_the_page_says(data, sgd, results):
    X, t = data
    n = len(t)
    minimum = sgd["minimum_loss"]
    target = sgd["target_loss"]
    gd = results("runs")["logistic_gd"]
    gd_losses = [float(logistic_nll(w, X, t)) for w in gd["path"]]
    cmp_gd = sgd["compare"]["logistic_gd"]
    assert cmp_gd["settled_epoch"] == inside_from(gd_losses, target)
    assert cmp_gd["excess_after_epoch_1"] == pytest.approx(gd_losses[1] - minimum, rel=1e-9)
    assert cmp_gd["final_excess"] == pytest.approx(gd_losses[-1] - minimum, rel=1e-6, abs=1e-15)
    assert cmp_gd["start_excess"] == pytest.approx(gd_losses[0] - minimum, rel=1e-12)
    for name, B in RUNS:
        path, c = sgd["data"][name]["path"], sgd["compare"][name]
        ends = epoch_end_indices(n, B, sgd["epochs"])
        losses = [float(logistic_nll(path[i], X, t)) for i in ends]
        assert c["settled_epoch"] == inside_from(losses, target)
        assert c["excess_after_epoch_1"] == pytest.approx(losses[1] - minimum, rel=1e-9)
        # Half an epoch of work: the updates whose batches fit in n // 2 evaluations.
        updates = (n // 2) // B
        assert c["half_epoch_updates"] == updates and c["half_epoch_evaluations"] == updates * B
        half = float(logistic_nll(path[updates], X, t)) - minimum
        assert c["excess_after_half_epoch"] == pytest.approx(half, rel=1e-9)
        # The page: SGD has improved on the start by then, while gradient descent is still there.
        assert c["excess_after_half_epoch"] < cmp_gd["start_excess"]
        # The jitter of the second half, every step against the epoch ends.
        late = path[ends[sgd["deadline_epoch"]]:]
        w_opt = np.array(results("logistic_optimum")["optimum"]["w"])
        jitter = sgd["lr_choice"][name]["second_half"]
        inside = np.mean([logistic_nll(w, X, t) <= target for w in late])
        assert jitter["fraction_of_steps_inside"] == pytest.approx(inside, abs=1e-12)
        assert jitter["rms_distance_steps"] == pytest.approx(np.sqrt(np.mean(np.sum((late - w_opt) ** 2, 1))), rel=1e-9)
        epoch_points = path[ends[sgd["deadline_epoch"]:]]
        assert jitter["rms_distance_epoch_ends"] == pytest.approx(
            np.sqrt(np.mean(np.sum((epoch_points - w_opt) ** 2, 1))), rel=1e-9)
    # The page's comparisons, as stated.
    b1, b32 = sgd["compare"]["sgd_b1"], sgd["compare"]["sgd_b32"]
    assert b1["excess_after_epoch_1"] < cmp_gd["excess_after_epoch_1"] < b32["excess_after_epoch_1"]
    assert cmp_gd["final_excess"] < min(b1["final_excess"], b32["final_excess"])     # "full-batch descent wins"
    jitter = sgd["lr_choice"]["sgd_b1"]["second_half"]
    assert jitter["rms_distance_epoch_ends"] < jitter["rms_distance_steps"]            # "stray further in between"
    assert jitter["fraction_of_steps_inside"] < 1.0                                   # "partly outside"
    assert jitter["rms_distance_steps"] > sgd["lr_choice"]["sgd_b32"]["second_half"]["rms_distance_steps"]  # "wider"
    assert all(c["settled_epoch"] is not None for c in sgd["compare"].values())   # "all three ... from some epoch on"


def test_section_9_is_deterministic(results, lecture):
    spec = {s.name: s for s in lecture.computations}["sgd"]
    again = spec.fn(**{dep: results(dep) for dep in spec.deps})
    first = results("sgd")
    for name, _ in RUNS:
        np.testing.assert_array_equal(again["data"][name]["path"], first["data"][name]["path"])
    plain = lambda d: {k: v for k, v in d.items() if k != "data"}
    assert plain(again) == plain(first)


def test_published_names_are_the_spec_s(lecture, results):
    into = {s.name: s.into for s in lecture.computations}
    assert into["sgd"] == "sgd" and into["sgd_runs"] == "runs"
    for name, _ in RUNS:
        run = results("sgd_runs")[name]
        assert set(run) >= {"start", "lr", "beta", "epochs", "path_length", "final", "final_loss", "converged"}
        assert all(not isinstance(run[k], np.ndarray) for k in ("start", "final", "lr", "epochs"))
    assert all(set(v) >= {"batch_size", "measured", "predicted"} for v in results("sgd")["variance"])
