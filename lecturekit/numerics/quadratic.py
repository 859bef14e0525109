"""Theory of gradient descent on the quadratic f(w) = w^T A w, A = diag(lams).

The gradient is 2 A w, so along eigen-direction i gradient descent multiplies the
coordinate by (1 - 2 lr lam_i) each step: the curvature GD sees is 2 lam_i.
All eigenvalues are assumed positive (a bowl).
"""
import numpy as np


def _lams(lams):
    """Eigenvalues as a float array."""
    return np.asarray(lams, dtype=float)


def condition_number(lams):
    """kappa = lam_max / lam_min: how elongated the bowl is."""
    lams = _lams(lams)
    return float(lams.max() / lams.min())


def max_stable_lr(lams):
    """Largest lr with |1 - 2 lr lam| < 1 in every direction: lr < 1 / lam_max (boundary excluded)."""
    return float(1.0 / _lams(lams).max())


def step_factors(lams, lr):
    """Per-direction contraction |1 - 2 lr lam_i| of one gradient step (> 1 diverges)."""
    return np.abs(1.0 - 2.0 * lr * _lams(lams))


def best_lr(lams):
    """The lr minimizing max_i |1 - 2 lr lam_i|: 1 / (lam_min + lam_max).

    The max is attained at lam_min or lam_max; it is smallest where the two
    factors balance, 1 - 2 lr lam_min = 2 lr lam_max - 1.
    """
    lams = _lams(lams)
    return float(1.0 / (lams.min() + lams.max()))


def best_rate(lams):
    """Per-step contraction at best_lr: (kappa - 1) / (kappa + 1)."""
    kappa = condition_number(lams)
    return (kappa - 1.0) / (kappa + 1.0)


def heavy_ball(lams):
    """Optimal Polyak (lr, beta, rate) for v <- beta v - lr grad, w <- w + v.

    With curvatures L = 2 lam_max, mu = 2 lam_min: lr = 4 / (sqrt L + sqrt mu)^2,
    beta = ((sqrt L - sqrt mu) / (sqrt L + sqrt mu))^2, rate = sqrt(beta)
    = (sqrt kappa - 1) / (sqrt kappa + 1). The extreme directions then have a
    double root (a Jordan block), so errors shrink like k rate^k, not rate^k.
    """
    lams = _lams(lams)
    sL, smu = np.sqrt(2.0 * lams.max()), np.sqrt(2.0 * lams.min())
    lr = 4.0 / (sL + smu) ** 2
    beta = ((sL - smu) / (sL + smu)) ** 2
    return float(lr), float(beta), float(np.sqrt(beta))


def momentum_rate(lams, lr, beta):
    """Asymptotic per-step contraction of heavy ball with any (lr, beta) on this quadratic.

    Along direction i the pair (w_k, w_{k-1}) evolves by [[1 + beta - 2 lr lam_i, -beta], [1, 0]];
    the rate is the largest root modulus of z^2 - (1 + beta - 2 lr lam_i) z + beta.
    With beta = 0 this is max_i step_factors(lams, lr).
    """
    a = 1.0 + beta - 2.0 * lr * _lams(lams)
    disc = np.sqrt((a * a - 4.0 * beta).astype(complex))
    roots = np.abs(np.stack([(a + disc) / 2.0, (a - disc) / 2.0]))
    return float(roots.max())


def measured_rate(path, w_star=0.0, floor=None):
    """Contraction per step measured from a path: geometric mean of e_{k+1}/e_k over the tail.

    e_k = ||w_k - w*||. The usable stretch is the leading run of points with e_k
    finite and above `floor` (default: the smallest normal float, or 1e-12 ||w*||
    below which round-off dominates); the rate is (e_end / e_mid)^(1/(end - mid))
    over its second half, which equals the geometric mean of the per-step ratios
    and so tolerates oscillating errors (momentum). Edge cases: a path that lands
    on w* (or below the floor) after one step gives e_1/e_0 (0.0 if exact); one
    that overflows after one step gives inf; a path starting at w* gives nan.
    """
    path = np.asarray(path, dtype=float)
    if path.ndim == 1:
        path = path[:, None]
    w_star = np.broadcast_to(np.asarray(w_star, dtype=float), path.shape[1:])
    if floor is None:
        floor = max(np.finfo(float).tiny, 1e-12 * float(np.linalg.norm(w_star)))
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        d = path - w_star
        # ||d|| = m ||d / m|| with m = max |d_j|: squaring 1e-200 or 1e200 would under/overflow.
        m_abs = np.abs(d).max(axis=-1)
        e = np.where(m_abs > 0, m_abs * np.linalg.norm(d / m_abs[:, None], axis=-1), 0.0)
    usable = np.isfinite(e) & (e > floor)
    m = len(e) if usable.all() else int(np.argmin(usable))
    if m == 0:
        return float("nan")
    if m == 1:
        if len(e) == 1:
            return float("nan")
        return float(e[1] / e[0]) if np.isfinite(e[1]) else float("inf")
    mid = (m - 1) // 2
    return float((e[m - 1] / e[mid]) ** (1.0 / (m - 1 - mid)))
