"""Second-order Taylor expansions and the eigen-structure of Hessians."""
import numpy as np


def taylor_quadratic(center, loss, grad, hessian):
    """The local model q(w) = L + g.(w - c) + 1/2 (w - c)^T H (w - c) around the point c (`center`).

    L, g and H are evaluated once at c (the lecture expands around the grid best);
    the returned q accepts w of shape (..., d) and returns shape (...), like the
    losses, so it can be drawn on a grid.
    """
    center = np.asarray(center, dtype=float)
    value = float(loss(center))
    g = np.asarray(grad(center), dtype=float)
    H = np.asarray(hessian(center), dtype=float)

    def q(w):
        """Second-order Taylor polynomial of the loss at c."""
        d = np.asarray(w, dtype=float) - center
        return value + d @ g + 0.5 * np.einsum("...a,ab,...b->...", d, H, d)

    return q


def eigen_axes(H):
    """Eigenvalues ascending and orthonormal eigenvectors as columns: the principal curvatures.

    H = V diag(lams) V^T; column V[:, i] is the direction with curvature lams[i].
    """
    lams, V = np.linalg.eigh(np.asarray(H, dtype=float))
    return lams, V


def smallest_eigenvalue(H_batch):
    """The smallest eigenvalue of each symmetric matrix of (..., d, d), over the leading axes."""
    H_batch = np.asarray(H_batch, dtype=float)
    # eigvalsh assumes symmetry; symmetrize so round-off asymmetry cannot matter.
    sym = 0.5 * (H_batch + np.swapaxes(H_batch, -1, -2))
    return np.linalg.eigvalsh(sym)[..., 0]  # eigenvalues ascend


def positive_definite(H_batch):
    """Boolean array over the leading axes of (..., d, d): all eigenvalues > 0 (a strict local bowl)."""
    return smallest_eigenvalue(H_batch) > 0
