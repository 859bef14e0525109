"""Independent references the tests check the lecture's code against, written out plainly.

Nothing here comes from lecturekit: a test that compared the code with itself
would pass whatever the code did.
"""
import numpy as np

# Weights at which the sine model's derivatives are checked: near the truth (1.1, 2.5) and away from it.
SINE_POINTS = [(0.0, 2.0), (1.0, 3.0), (2.5, 1.9), (2.2, 2.2), (1.1, 2.5), (-1.5, 4.0)]


def fd_jacobian(f, w, h=1e-5):
    """Central differences (f(w + h e_j) - f(w - h e_j)) / 2h, one per coordinate j, along the last axis.

    For a scalar f this is its gradient; for a gradient it is the Hessian (column j = d grad / d w_j).
    """
    w = np.asarray(w, dtype=float)
    return np.stack([(np.asarray(f(w + h * e)) - np.asarray(f(w - h * e))) / (2 * h) for e in np.eye(w.size)],
                    axis=-1)


def spectral_radius(lams, lr, beta):
    """Largest |eigenvalue| of the full 2d x 2d heavy-ball iteration on (w_k, w_{k-1}) for f = w^T diag(lams) w."""
    d = len(lams)
    A = np.eye(d) - 2 * lr * np.diag(lams)
    M = np.block([[A + beta * np.eye(d), -beta * np.eye(d)], [np.eye(d), np.zeros((d, d))]])
    return np.abs(np.linalg.eigvals(M)).max()


def heavy_ball(grad, start, lr, beta, epochs, eps=1e-6):
    """Heavy-ball path with the lecture's rule: stop once a step is shorter than eps (beta = 0: plain descent)."""
    w, v = np.array(start, dtype=float), 0.0
    path = [w]
    for _ in range(epochs):
        v = beta * v - lr * grad(w)
        w_new = w + v
        path.append(w_new)
        if not np.all(np.isfinite(w_new)) or np.linalg.norm(w_new - w) < eps:
            break
        w = w_new
    return np.array(path)
