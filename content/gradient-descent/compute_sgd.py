"""Section 9: from gradient descent to stochastic gradient descent, on the logistic NLL.

All randomness comes from one generator, numpy.random.default_rng(SEED),
drawn from in this fixed order: the noise batches (NOISE_BATCHES batches for
each batch size of NOISE_BATCH_SIZES in turn), then one shuffle per epoch for
sgd_b1, then one per epoch for sgd_b32. Every candidate learning rate of a
run reuses that run's shuffles, so the candidates differ only in their rate
and the published run is the chosen candidate itself.

The budget is logistic_gd's: its number of steps, each of N per-sample
gradients, is the number of epochs an SGD run gets (an epoch costs N per-sample
gradients at any batch size). "The neighbourhood of the minimum" is a loss
within NEIGHBOURHOOD of the minimum's loss (Newton's, compute_curvature.py).
A candidate lr qualifies when its run is in the neighbourhood at every epoch
end from the middle of the budget (epoch epochs // 2) on; the largest that
qualifies is chosen.
"""
import numpy as np

from lecturekit.engine.registry import computation
from lecturekit.numerics.grid import loss_grid, weight_grid
from lecturekit.numerics.losses import logistic_nll
from lecturekit.numerics.sgd import (epoch_ends, epoch_shuffles, gradient_evaluations, losses_along, matched_lr,
                                     minibatch_gradient_variance, sgd_summary)
from lecturekit.numerics.sgd_lr import largest_settling, sgd_lr_sweep, settled_index

SEED = 0
NOISE_AT = (-1.0, 2.0)
NOISE_BATCH_SIZES = (1, 4, 16, 64, 256)
NOISE_BATCHES = 2000
SGD_RUNS = {"sgd_b1": 1, "sgd_b32": 32}    # run name: batch size, in the order their shuffles are drawn
START = (0.0, 0.0)
NEIGHBOURHOOD = 1e-3                        # loss at most this much above the minimum's
LR_FACTORS = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0)   # candidates: these times lr_gd B / N
LOSS_RECORDS = 400                          # points of each SGD run's loss curve against evaluations


def _loss_records(n, batch_size, epochs):
    """Path indices to take the full loss at: the start and LOSS_RECORDS more, evenly spaced in log(evaluations).

    The loss against evaluations is drawn on a log axis; evenly spaced records
    on it draw every decade alike (the full loss costs N per point, too much
    for all 42106 points of a batch-size-1 run).
    """
    last = epochs * -(-n // batch_size)
    return np.union1d([0], np.unique(np.geomspace(1, last, LOSS_RECORDS).round().astype(int)))


def _contour_box(paths, margin=0.12):
    """A box around every path, `margin` of its size wider on each side."""
    both = np.vstack(paths)
    lo, hi = both.min(axis=0), both.max(axis=0)
    pad = margin * (hi - lo)
    return [[float(lo[0] - pad[0]), float(hi[0] + pad[0])], [float(lo[1] - pad[1]), float(hi[1] + pad[1])]]


def _jitter(path, ends, loss, target, w_opt):
    """How an SGD run jitters once settled, from the first of `ends` (epoch-end indices) on: the share of its
    iterates inside the neighbourhood, and their root-mean-square distance to the minimum, at every step and at
    the epoch ends alone (a pass over every row cancels much of the noise, so the epoch ends sit closer)."""
    late = path[ends[0]:]
    rms = lambda points: float(np.sqrt(np.mean(np.sum((points - np.asarray(w_opt)) ** 2, axis=-1))))
    return {"fraction_of_steps_inside": float(np.mean(losses_along(loss, late) <= target)),
            "rms_distance_steps": rms(late), "rms_distance_epoch_ends": rms(path[ends])}


@computation(into="sgd")
def sgd(breast_cancer, runs, logistic_optimum):
    """Minibatch noise against batch size; the SGD runs, their lr chosen on a grid; figure data."""
    X, t = breast_cancer["X"], breast_cancer["t"]
    n = len(t)
    loss = lambda w: logistic_nll(w, X, t)
    gd = runs["logistic_gd"]
    epochs = gd["path_length"] - 1
    best_loss = logistic_optimum["optimum"]["loss"]
    target = best_loss + NEIGHBOURHOOD
    deadline = epochs // 2      # settled by half-way: inside for the whole second half

    rng = np.random.default_rng(SEED)
    variance = minibatch_gradient_variance(NOISE_AT, X, t, NOISE_BATCH_SIZES, NOISE_BATCHES, rng)
    shuffles = {name: epoch_shuffles(n, epochs, rng) for name in SGD_RUNS}

    choice, data = {}, {}
    for name, batch_size in SGD_RUNS.items():
        base = matched_lr(gd["lr"], batch_size, n)
        lrs = np.array(LR_FACTORS) * base
        paths = sgd_lr_sweep(START, X, t, lrs, batch_size, shuffles[name])
        ends = paths[epoch_ends(n, batch_size, epochs)]                      # (epochs + 1, candidates, 2)
        epoch_losses = np.array([losses_along(loss, ends[:, i]) for i in range(len(lrs))])
        chosen, settled = largest_settling(lrs, epoch_losses, target, by=deadline)
        choice[name] = {
            "batch_size": batch_size, "base_lr": base, "lr": float(lrs[chosen]), "factor": LR_FACTORS[chosen],
            "settled_epoch": settled[chosen],
            "candidates": [{"factor": f, "lr": float(lr), "settled_epoch": s,
                            "qualifies": s is not None and s <= deadline,
                            "final_excess": float(epoch_losses[i, -1] - best_loss),
                            "worst_excess_second_half": float(epoch_losses[i, deadline:].max() - best_loss)}
                           for i, (f, lr, s) in enumerate(zip(LR_FACTORS, lrs, settled))]}
        path = np.ascontiguousarray(paths[:, chosen])
        data[name] = {"path": path, "epoch_losses": epoch_losses[chosen], "candidate_epoch_losses": epoch_losses}
        choice[name]["second_half"] = _jitter(path, epoch_ends(n, batch_size, epochs)[deadline:], loss, target,
                                              logistic_optimum["optimum"]["w"])

    curves = {"logistic_gd": gd["losses"], **{name: d["epoch_losses"] for name, d in data.items()}}
    compare = {name: {"start_excess": float(c[0] - best_loss), "excess_after_epoch_1": float(c[1] - best_loss),
                      "final_excess": float(c[-1] - best_loss), "settled_epoch": settled_index(c, target)}
               for name, c in curves.items()}
    for name, batch_size in SGD_RUNS.items():   # half an epoch of work: gradient descent has not stepped yet
        spent = gradient_evaluations(n, batch_size, 1)
        updates = int(np.flatnonzero(spent <= n // 2)[-1])
        compare[name].update(half_epoch_updates=updates, half_epoch_evaluations=int(spent[updates]),
                             excess_after_half_epoch=float(loss(data[name]["path"][updates]) - best_loss))
    box = _contour_box([gd["path"]] + [d["path"] for d in data.values()])
    W1, W2 = weight_grid(*box, 120)   # contour lines only: finer costs time and shows nothing more
    return {
        "seed": SEED, "noise_at": list(NOISE_AT), "n_batches": NOISE_BATCHES, "variance": variance,
        "sigma2": variance[0]["sigma2"],
        # The largest |measured - predicted| in standard errors, and the finite-population factor at the largest B.
        "variance_agreement": max(abs(v["measured"] - v["predicted"]) / v["standard_error"] for v in variance),
        "variance_correction_last": (n - NOISE_BATCH_SIZES[-1]) / (n - 1),
        "epochs": epochs, "budget": epochs * n, "n_samples": n,
        "neighbourhood": NEIGHBOURHOOD, "target_loss": target, "minimum_loss": best_loss,
        "deadline_epoch": deadline,
        "compare": compare,
        "lr_factors": list(LR_FACTORS), "lr_choice": choice,
        "data": {**data, "contours": {"box": box, "W1": W1, "W2": W2, "L": loss_grid(loss, W1, W2)}},
    }


@computation(into="runs")
def sgd_runs(sgd, breast_cancer):
    """runs.sgd_b1 and runs.sgd_b32: the chosen runs' summaries, and their loss at the `records` path indices."""
    X, t = breast_cancer["X"], breast_cancer["t"]
    n, epochs = len(t), sgd["epochs"]
    loss = lambda w: logistic_nll(w, X, t)
    out = {}
    for name, batch_size in SGD_RUNS.items():
        path, lr = sgd["data"][name]["path"], sgd["lr_choice"][name]["lr"]
        records = _loss_records(n, batch_size, epochs)
        # The path itself stays in sgd["data"]: the figures take it from there, the cache holds it once.
        out[name] = {**sgd_summary(path, loss, lr, batch_size, epochs, n), "problem": "logistic",
                     "records": records, "record_losses": losses_along(loss, path[records]),
                     "record_evaluations": gradient_evaluations(n, batch_size, epochs)[records]}
    return out
