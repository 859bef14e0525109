"""One-variable polynomials: minimizers in closed form, stationary points by roots.

Polynomials are coefficient tuples, lowest degree first: (4, -3, 1) is 4 - 3w + w^2.
"""
import math

import numpy as np
from numpy.polynomial import Polynomial


def evaluate(coefficients, w):
    """f(w) for a coefficient tuple, elementwise."""
    return Polynomial(coefficients)(np.asarray(w, dtype=float))


def quadratic_minimizer(coefficients):
    """w* = -b / (2a) for f = c + b w + a w^2 with a > 0."""
    c, b, a = coefficients
    if a <= 0:
        raise ValueError("a quadratic has a minimum only when its leading coefficient is positive")
    return -b / (2 * a)


def integer_minimizers(coefficients):
    """All integers minimizing a convex quadratic: the integers around w*, ties kept."""
    w_star = quadratic_minimizer(coefficients)
    candidates = sorted({math.floor(w_star), math.ceil(w_star)})
    values = [float(evaluate(coefficients, w)) for w in candidates]
    best = min(values)
    return [w for w, v in zip(candidates, values) if math.isclose(v, best, rel_tol=0, abs_tol=1e-12)], best


def stationary_points(coefficients):
    """Real roots of f', each classified by the sign of f'' (ascending in w)."""
    f = Polynomial(coefficients)
    roots = f.deriv().roots()
    real = np.sort(roots[np.abs(roots.imag) < 1e-9].real)
    curvature = f.deriv(2)(real)
    kinds = np.where(curvature > 0, "local min", np.where(curvature < 0, "local max", "flat"))
    return [{"w": float(w), "f": float(f(w)), "kind": str(kind)} for w, kind in zip(real, kinds)]


def secant(coefficients, a, b, w):
    """The chord of f between (a, f(a)) and (b, f(b)), evaluated at w."""
    fa, fb = evaluate(coefficients, [a, b])
    return fa + (fb - fa) * (np.asarray(w) - a) / (b - a)
