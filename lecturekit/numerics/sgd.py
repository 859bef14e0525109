"""Stochastic gradient descent on a mean loss: minibatch gradients, their noise, SGD paths.

Lecture spec, section 9. The loss is a mean over N rows, so its gradient is
the mean of N per-sample gradients; a minibatch gradient is the same mean over
B of the rows. Everything here takes the data (X, t) and a gradient function
`grad(w, X, t)` (the logistic NLL gradient of losses.py unless told otherwise),
and gets the minibatch gradient by calling that function on the batch's rows:
no loss or gradient is written a second time.

Randomness is an argument: a seed or a numpy Generator (np.random.default_rng
returns a Generator passed to it unchanged, so callers can share one generator
across calls, drawing in a fixed order). The same seed gives the same draws.
The dynamics take their shuffles as an array, so one set of shuffles can be
replayed exactly.

Counting cost: a "gradient evaluation" is one per-sample gradient. A minibatch
step of B rows costs B of them, a full-batch step costs N, and an epoch (one
pass over a shuffled permutation, split into consecutive batches) costs N for
any batch size. When B does not divide N the last batch of an epoch is the
remainder, smaller than B, so that every row is used exactly once per epoch.

The lecture's section 9 (content/gradient-descent/compute_sgd.py) uses these
with one generator drawn from in a fixed order, and chooses its constant
learning rates with sgd_lr.py; tests/test_lecture_sgd.py checks it.
"""
import numpy as np

from .descent import run_summary
from .losses import logistic_nll_grad


# --- minibatch gradients --------------------------------------------------------------------------


def minibatch_gradient(w, X, t, rows, grad=logistic_nll_grad):
    """The mean of the per-sample gradients over `rows`: the gradient of the mean loss on the batch alone.

    `grad` of a mean loss applied to the batch's rows is exactly that mean, so
    the existing gradient function serves unchanged. A batch of every row in
    order is the data itself, passed as it is: copying it could change the
    memory layout and with it the last bits of the sum, and batch size N
    should be full-batch descent exactly.
    """
    rows, w = np.asarray(rows, dtype=int), np.asarray(w, dtype=float)
    if len(rows) == len(t) and np.array_equal(rows, np.arange(len(t))):
        return np.asarray(grad(w, X, t), dtype=float)
    return np.asarray(grad(w, X[rows], t[rows]), dtype=float)


def per_sample_gradients(w, X, t, grad=logistic_nll_grad):
    """The N per-sample gradients at w as an (N, d) array: the population a minibatch samples from."""
    return np.array([minibatch_gradient(w, X, t, [i], grad) for i in range(len(t))])


def total_variance(vectors, ddof=0):
    """Trace of the covariance of the rows of `vectors`: the summed variance of every coordinate.

    ddof=0 is the population variance (the per-sample gradients are the whole
    population); ddof=1 is the unbiased estimate from a sample of draws.
    """
    vectors = np.asarray(vectors, dtype=float)
    return float(np.sum(np.var(vectors, axis=0, ddof=ddof)))


def predicted_minibatch_variance(sigma2, n, batch_size, replace=False):
    """Total variance of the mean of B draws from N vectors of total variance sigma2.

    With replacement the draws are independent: sigma2 / B. Without, they are
    negatively correlated and the finite-population correction applies:
    (sigma2 / B) (N - B) / (N - 1), which is 0 at B = N (the batch is the data).
    sigma2 is the population variance, ddof=0.
    """
    sigma2, n, batch_size = float(sigma2), int(n), int(batch_size)
    if batch_size < 1 or (batch_size > n and not replace):
        raise ValueError(f"a batch drawn without replacement has 1 to {n} rows, not {batch_size}")
    return sigma2 / batch_size if replace else sigma2 / batch_size * (n - batch_size) / (n - 1)


def draw_minibatches(n, batch_size, n_batches, rng):
    """`n_batches` independent batches of `batch_size` distinct rows of range(n): an (n_batches, B) array.

    Each batch is the B rows with the smallest of n uniform keys (the first B
    of a uniformly random permutation), so rows within a batch are drawn
    without replacement and batches are independent of each other. Rows are
    sorted within a batch, as in epoch_batches: a batch of all N rows is then
    the data in order, whose gradient is the full gradient bit for bit.
    """
    rng = np.random.default_rng(rng)
    n, batch_size = int(n), int(batch_size)
    if not 1 <= batch_size <= n:
        raise ValueError(f"a batch drawn without replacement has 1 to {n} rows, not {batch_size}")
    keys = rng.random((int(n_batches), n))
    # argpartition finds the B smallest keys in O(n) per batch; a full argsort costs 4 times as much here.
    return np.sort(np.argpartition(keys, batch_size - 1, axis=1)[:, :batch_size], axis=1)


def minibatch_gradients(w, X, t, batches, grad=logistic_nll_grad):
    """The minibatch gradient of every batch (rows of `batches`, or a list of row arrays): (n_batches, d)."""
    return np.array([minibatch_gradient(w, X, t, rows, grad) for rows in batches])


def minibatch_gradient_variance(w, X, t, batch_sizes, n_batches, rng, grad=logistic_nll_grad):
    """How noisy a minibatch gradient is, per batch size: measured over random batches, and predicted.

    For each B (in the order given, drawing from `rng` in that order) the
    n_batches minibatch gradients at w give
    - `measured`: the trace of their sample covariance (ddof=1, about their own mean);
    - `mean_squared_deviation`: the mean of ||g_B - g||^2 about the full gradient g,
      another unbiased estimate of the same quantity, with its `standard_error`;
    - `predicted`: the finite-population formula (sigma2 / B) (N - B) / (N - 1),
      sigma2 the total variance of the N per-sample gradients (`sigma2`, same for all B).
    Returns a list of plain-float dicts, one per B, ready for results.json.
    """
    rng = np.random.default_rng(rng)
    w = np.asarray(w, dtype=float)
    n = len(t)
    full = minibatch_gradient(w, X, t, np.arange(n), grad)
    sigma2 = total_variance(per_sample_gradients(w, X, t, grad), ddof=0)
    out = []
    for batch_size in batch_sizes:
        g = minibatch_gradients(w, X, t, draw_minibatches(n, batch_size, n_batches, rng), grad)
        squared = np.sum((g - full) ** 2, axis=1)
        out.append({"batch_size": int(batch_size), "measured": total_variance(g, ddof=1),
                    "predicted": predicted_minibatch_variance(sigma2, n, batch_size),
                    "mean_squared_deviation": float(squared.mean()),
                    "standard_error": float(squared.std(ddof=1) / np.sqrt(len(squared))),
                    "n_batches": int(n_batches), "sigma2": sigma2})
    return out


def epoch_batches(order, batch_size):
    """An epoch's batches: consecutive slices of B rows of the shuffled `order`, the remainder last.

    The batches partition the data. Each batch's rows are sorted, which leaves
    its mean gradient unchanged but sums it in row order, so a batch of all N
    rows is the full gradient bit for bit (batch size N is full-batch descent).
    """
    order, batch_size = np.asarray(order, dtype=int), int(batch_size)
    if batch_size < 1:
        raise ValueError(f"batch size must be at least 1, not {batch_size}")
    return [np.sort(order[i:i + batch_size]) for i in range(0, len(order), batch_size)]


def batches_per_epoch(n, batch_size):
    """Updates per epoch: ceil(N / B), the last batch holding the remainder."""
    return -(-int(n) // int(batch_size))


# --- SGD paths -----------------------------------------------------------------------------------


def epoch_shuffles(n, epochs, rng):
    """One fresh random permutation of range(n) per epoch, drawn in order: an (epochs, n) array."""
    rng = np.random.default_rng(rng)
    return np.array([rng.permutation(int(n)) for _ in range(int(epochs))], dtype=int).reshape(int(epochs), int(n))


def sgd_path(w0, X, t, lr, batch_size, shuffles, grad=logistic_nll_grad, eps=0.0):
    """Minibatch SGD, w <- w - lr * (minibatch gradient), one pass over each row of `shuffles` per epoch.

    Every update's point is kept: the path is (k+1, d), start included, with
    k = epochs * ceil(N / B) unless it stopped early. It follows
    descent_path's rule, so it stops the same way: at the first non-finite point,
    and, if eps > 0, after the first step shorter than eps (the short step
    included). The default eps = 0 never fires: a single minibatch step can be
    tiny by chance (a well-classified sample) far from the minimum, so for SGD
    the eps rule is off unless asked for (batch size N with eps 1e-6 is
    descent_path exactly).
    """
    shuffles = np.atleast_2d(np.asarray(shuffles, dtype=int))
    w = np.atleast_1d(np.array(w0, dtype=float))
    path = [w]
    with np.errstate(over="ignore", invalid="ignore"):
        for order in shuffles:
            for rows in epoch_batches(order, batch_size):
                w_new = w - lr * minibatch_gradient(w, X, t, rows, grad)
                path.append(w_new)
                # descent_path's rule; its loop is not reused because its per-step overhead
                # doubles the time of a batch-size-1 run.
                if not np.isfinite(w_new).all() or (eps > 0 and np.linalg.norm(w_new - w) < eps):
                    return np.array(path)
                w = w_new
    return np.array(path)


def gradient_evaluations(n, batch_size, epochs):
    """Per-sample gradient evaluations spent on reaching each point of an SGD path: (epochs * ceil(N/B) + 1,).

    Starts at 0; batch i of an epoch costs its size (the remainder batch less).
    Batch size N gives a full-batch descent path's counts 0, N, 2N, ...
    A path that stopped early has the first len(path) of these.
    """
    sizes = [len(b) for b in epoch_batches(np.arange(int(n)), batch_size)]
    return np.concatenate([[0], np.cumsum(np.tile(sizes, int(epochs)))]).astype(int)


def epoch_ends(n, batch_size, epochs):
    """Indices of the path points that end each epoch, the start first: (epochs + 1,), 0, K, 2K, ..."""
    return np.arange(int(epochs) + 1) * batches_per_epoch(n, batch_size)


def losses_along(loss, path, chunk=1024):
    """The (full-data) loss at every point of a path, `chunk` points per vectorized call.

    A long path at once would build a (points, N) temporary (tens of millions
    of floats for batch size 1); bands of points keep it small.
    """
    path = np.asarray(path, dtype=float)
    return np.concatenate([np.atleast_1d(loss(path[i:i + chunk])) for i in range(0, len(path), chunk)])


def matched_lr(full_batch_lr, batch_size, n):
    """The SGD learning rate whose epoch moves about as far as one full-batch step: lr_gd * B / N.

    An epoch takes N / B steps of lr * (a minibatch gradient); while w moves
    little within the epoch their sum is about (N / B) lr times the full
    gradient, so lr = lr_gd B / N makes an epoch of SGD comparable to one
    step of full-batch descent, at the same cost in gradient evaluations.
    """
    return float(full_batch_lr) * int(batch_size) / int(n)


def sgd_summary(path, loss, lr, batch_size, epochs, n, eps=0.0):
    """A run's results.json entry: descent.run_summary's fields (beta None) plus what SGD adds.

    `path_length` counts every update's point (start included), `epochs` the
    passes over the data, and `converged` is whether the eps rule stopped the
    run (never with eps = 0). Added: `batch_size`, `updates` (steps taken) and
    `gradient_evaluations` (per-sample gradients spent).
    """
    path = np.asarray(path, dtype=float)
    return {**run_summary(path, loss, lr, None, epochs, eps), "batch_size": int(batch_size), "updates": int(len(path) - 1),
            "gradient_evaluations": int(gradient_evaluations(n, batch_size, epochs)[len(path) - 1])}
