"""Choosing a constant SGD learning rate by trying a few: the largest whose run settles near the minimum.

With a constant learning rate, SGD does not converge: it reaches the
minimum's neighbourhood and then jitters about, the jitter growing with the
learning rate. A larger rate gets there sooner but may not stay. The rule
here makes "a good constant lr" a computed, checkable statement: on a small
grid of candidates, every one run on the same shuffles, take the largest lr
whose run is inside the neighbourhood at every epoch end from some epoch on,
no later than a deadline (half the budget, say), to the end. A run that is
inside only at its last few epoch ends has not settled: it was lucky.
"""
import numpy as np

from .losses import logistic_nll_grad
from .sgd import sgd_path


def sgd_lr_sweep(w0, X, t, lrs, batch_size, shuffles, grad=logistic_nll_grad):
    """SGD paths for several learning rates at once, on the same shuffles: (k+1, len(lrs), d).

    The candidates run as one batch of weight vectors (`grad` takes weights
    with leading batch axes, as every loss of losses.py does), so a sweep costs
    about as much as one run. Column i is sgd_path at lrs[i] up to rounding.
    A candidate that overflows would stop them all, so it is an error instead.
    """
    lrs = np.asarray(lrs, dtype=float)
    start = np.broadcast_to(np.asarray(w0, dtype=float), (len(lrs), len(w0))).copy()
    paths = sgd_path(start, X, t, lrs[:, None], batch_size, shuffles, grad)
    updates = len(shuffles) * -(-len(t) // int(batch_size))
    if len(paths) != updates + 1:
        raise ValueError(f"an SGD run with batch size {batch_size} diverged; the largest lr tried was {lrs.max():g}")
    return paths


def settled_index(losses, target):
    """The first index from which every loss is at or below `target` to the end, or None if the last is above.

    A run that dips into the neighbourhood and leaves again has not settled
    at the dip: only its last entry counts.
    """
    above = np.flatnonzero(np.asarray(losses, dtype=float) > target)
    if not len(above):
        return 0
    return None if above[-1] == len(losses) - 1 else int(above[-1] + 1)


def largest_settling(lrs, losses, target, by):
    """The index of the largest lr whose losses (row i of `losses`, one per lr) settle at or below target by index `by`.

    Returns (index, settled indices per lr); an error if no candidate settles
    in time, since then the grid, not the rule, has to change.
    """
    settled = [settled_index(row, target) for row in np.asarray(losses, dtype=float)]
    passing = [i for i, s in enumerate(settled) if s is not None and s <= by]
    if not passing:
        raise ValueError(f"no learning rate among {list(map(float, lrs))} settles below the target loss {target:g} "
                         f"by index {by}")
    return max(passing, key=lambda i: lrs[i]), settled
