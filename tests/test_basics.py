"""Section 1 numerics against closed forms and numeric derivatives."""
import numpy as np
import pytest

from lecturekit.numerics import basics as poly

P1 = (4.0, -3.0, 1.0)
P3 = (4.0, 1.0, -5.0, 0.0, 1.0)


def numeric_derivative(f, w, h=1e-5):
    return (f(w + h) - f(w - h)) / (2 * h)


def test_p1_minimizer_is_closed_form_and_stationary():
    w = poly.quadratic_minimizer(P1)
    assert w == pytest.approx(3 / 2)
    assert numeric_derivative(lambda v: poly.evaluate(P1, v), w) == pytest.approx(0, abs=1e-8)
    fine = np.linspace(-2, 7, 90_001)
    assert fine[np.argmin(poly.evaluate(P1, fine))] == pytest.approx(w, abs=1e-4)


def test_p2_integer_minimizers_match_brute_force_with_tie():
    minimizers, value = poly.integer_minimizers(P1)
    integers = np.arange(-50, 51)
    values = poly.evaluate(P1, integers)
    assert minimizers == list(integers[values == values.min()])
    assert value == values.min()
    assert len(minimizers) == 2  # 1 and 2 are equally far from 1.5


def test_p3_stationary_points_are_roots_of_the_derivative_and_classified():
    points = poly.stationary_points(P3)
    assert len(points) == 3
    f = lambda v: poly.evaluate(P3, v)
    for p in points:
        assert numeric_derivative(f, p["w"]) == pytest.approx(0, abs=1e-6)
        curvature = (f(p["w"] + 1e-3) - 2 * f(p["w"]) + f(p["w"] - 1e-3)) / 1e-6
        assert p["kind"] == ("local min" if curvature > 0 else "local max")
    fine = np.linspace(-3, 3, 600_001)
    global_w = fine[np.argmin(f(fine))]
    minima = [p for p in points if p["kind"] == "local min"]
    assert min(minima, key=lambda p: p["f"])["w"] == pytest.approx(global_w, abs=1e-4)


def test_secant_passes_through_end_points():
    a, b = -1.0, 1.0
    chord = poly.secant(P3, a, b, np.array([a, b]))
    assert chord == pytest.approx(poly.evaluate(P3, [a, b]))


def test_quadratic_without_minimum_is_rejected():
    with pytest.raises(ValueError):
        poly.quadratic_minimizer((0.0, 1.0, -1.0))
