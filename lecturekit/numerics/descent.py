"""Gradient descent and heavy-ball momentum, recorded as whole paths.

The rule (lecture spec, section 5): the path starts as [w0]; each epoch takes one
step and appends the new point; if that step was shorter than eps (Euclidean
norm of w_new - w) the run stops there, the short step included; otherwise it
runs for `epochs` steps. A path therefore has at most epochs + 1 points, and
`converged` is true exactly when its last step is shorter than eps.

A diverging run stops at the first non-finite point (included): past an
overflow the next step would be inf - inf = nan, so no further step is defined.
"""
import numpy as np


def _as_start(w0):
    """Start as a float vector, so a scalar start becomes a 1-vector (d = 1)."""
    return np.atleast_1d(np.array(w0, dtype=float))


def _run(step, w0, epochs, eps):
    """The shared loop: apply `step` until eps, overflow or `epochs`, keeping every point."""
    w = _as_start(w0)
    path = [w]
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(int(epochs)):
            w_new = np.broadcast_to(step(w), w.shape).astype(float)
            path.append(w_new)
            if not np.all(np.isfinite(w_new)) or np.linalg.norm(w_new - w) < eps:
                break
            w = w_new
    return np.array(path)


def descent_path(grad, w0, lr, epochs, eps=1e-6):
    """Plain gradient descent w <- w - lr grad(w); the path as a (k+1, d) array."""
    return _run(lambda w: w - lr * np.asarray(grad(w)), w0, epochs, eps)


def momentum_path(grad, w0, lr, beta, epochs, eps=1e-6):
    """Heavy ball: v <- beta v - lr grad(w), w <- w + v with v0 = 0; path (k+1, d)."""
    v = np.zeros_like(_as_start(w0))

    def step(w):
        nonlocal v
        v = beta * v - lr * np.asarray(grad(w))
        return w + v

    return _run(step, w0, epochs, eps)


def converged(path, eps=1e-6):
    """Whether the eps rule fired, i.e. the last recorded step is shorter than eps."""
    path = np.asarray(path, dtype=float)
    if len(path) < 2:
        return False
    with np.errstate(invalid="ignore"):
        return bool(np.linalg.norm(path[-1] - path[-2]) < eps)


def run_summary(path, loss, lr, beta, epochs, eps=1e-6):
    """A JSON-able record of one run, a (k+1, d) path as descent_path and momentum_path return it
    (plain lists, floats, ints, bools; beta None for GD).

    `final_loss` is a float that is inf for a run that overflowed (the loss at
    non-finite weights is undefined, nan for the sine model; inf says "diverged").
    Non-finite floats serialize with json.dumps' default allow_nan=True only.
    """
    path = np.asarray(path, dtype=float)
    final = path[-1]
    with np.errstate(over="ignore", invalid="ignore"):
        final_loss = float(np.asarray(loss(final)).reshape(-1)[0])
    if np.isnan(final_loss) and not np.all(np.isfinite(final)):
        final_loss = float("inf")
    return {
        "start": [float(v) for v in path[0]],
        "lr": float(lr),
        "beta": None if beta is None else float(beta),
        "epochs": int(epochs),
        "path_length": int(len(path)),
        "final": [float(v) for v in final],
        "final_loss": final_loss,
        "converged": converged(path, eps),
    }
