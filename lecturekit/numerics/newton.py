"""Newton's method, to polish a grid best into the true local minimum."""
import numpy as np


def newton_path(grad, hessian, w0, tol=1e-10, max_steps=50):
    """Iterate w <- w - H(w)^{-1} g(w) until ||g|| < tol; the path as a (k+1, d) array.

    Solving H d = g (np.linalg.solve) is cheaper and more accurate than inverting H.
    The path ends at the first point with ||g|| < tol, or after max_steps steps;
    check the gradient at path[-1] to know which. Newton finds stationary points,
    so check the Hessian there too: it is a minimum only if H is positive definite.
    """
    w = np.atleast_1d(np.array(w0, dtype=float))
    path = [w]
    for _ in range(int(max_steps)):
        g = np.atleast_1d(np.asarray(grad(w), dtype=float))
        if not np.all(np.isfinite(g)) or np.linalg.norm(g) < tol:
            break
        # Newton step: the minimizer of the local quadratic model g.d + 1/2 d^T H d.
        w = w - np.linalg.solve(np.atleast_2d(hessian(w)), g)
        path.append(w)
    return np.array(path)


def steps_to_tolerance(path, w_star, tol):
    """First index k with ||w_k - w*|| < tol (steps taken to get there), or None if never."""
    path = np.asarray(path, dtype=float)
    if path.ndim == 1:
        path = path[:, None]
    with np.errstate(invalid="ignore"):
        close = np.linalg.norm(path - np.asarray(w_star, dtype=float), axis=-1) < tol
    return int(np.argmax(close)) if close.any() else None
