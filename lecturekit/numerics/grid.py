"""Loss grids and grid search."""
import numpy as np


def weight_grid(w1_range, w2_range, n):
    """The meshgrid of n points per axis over a box; returns (W1, W2)."""
    return np.meshgrid(np.linspace(*w1_range, n), np.linspace(*w2_range, n))


def loss_grid(loss, W1, W2, points_per_call=1024):
    """Loss at every grid point, by vectorized calls of `loss(w)` with w of shape (rows, n, 2).

    A band of rows at a time: a fine grid evaluated at once builds a
    (n, n, data size) temporary that costs more to allocate than to compute.
    """
    w = np.stack([W1, W2], axis=-1)
    rows = max(1, points_per_call // max(1, w.shape[1]))
    return np.concatenate([loss(w[i:i + rows]) for i in range(0, len(w), rows)])


def grid_argmin(values, W1, W2):
    """The grid point with the smallest value and that value (first one on ties)."""
    i = np.unravel_index(np.argmin(values), values.shape)
    return np.array([W1[i], W2[i]]), float(values[i])


def sine_mse_grid(W0, W1, x, y):
    """Sine-model MSE on a grid without an (n, n, N) tensor of phases.

    sin(a + b x) = sin a cos(b x) + cos a sin(b x), and on a meshgrid a varies
    along columns and b along rows, so every sum over the data reduces to
    per-row terms: O(n N + n^2) work instead of O(n^2 N).
    """
    a, b = W0[0, :], W1[:, 0]
    cos_bx, sin_bx = np.cos(np.outer(b, x)), np.sin(np.outer(b, x))
    sa, ca = np.sin(a), np.cos(a)
    # sum_i (sa c_i + ca s_i)^2 = sa^2 C + 2 sa ca M + ca^2 S, and the cross term with y.
    C, S, M = (cos_bx**2).sum(1), (sin_bx**2).sum(1), (cos_bx * sin_bx).sum(1)
    Yc, Ys = cos_bx @ y, sin_bx @ y
    square = np.outer(C, sa**2) + 2 * np.outer(M, sa * ca) + np.outer(S, ca**2)
    cross = np.outer(Yc, sa) + np.outer(Ys, ca)
    return (square - 2 * cross + np.sum(y**2)) / len(x)
