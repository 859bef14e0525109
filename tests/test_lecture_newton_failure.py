"""'When Newton's method fails' (compute_newton_fail.py) against independent computations.

The grid is rebuilt from the spec, the loss written out here, and every
derivative taken by finite differences of that loss: nothing is shared with
lecturekit's gradients, Hessians or Newton code except in the one test that
replays the iteration's stopping rule with a plain loop.
"""
import numpy as np
import pytest

from lecturekit.numerics import losses

SINE_BOX, POINTS = ((-1.5, 3.0), (1.0, 4.0)), 30        # the spec's 30x30 sine grid
MAX_STEPS, STEP_TOL = 50, 1e-10


@pytest.fixture(scope="module")
def failure(results):
    return results("sine_newton_failure")["newton_failure"]


@pytest.fixture(scope="module")
def mse(results):
    d = results("sine_dataset")
    x, y = d["x"], d["y"]
    return lambda w: float(np.mean((np.sin(w[0] + w[1] * x) - y) ** 2))


def fd_gradient(f, w, h=1e-6):
    w = np.asarray(w, dtype=float)
    return np.array([(f(w + h * e) - f(w - h * e)) / (2 * h) for e in np.eye(2)])


def fd_hessian(f, w, h=1e-4):
    """Second central differences of f itself: (f(w+h_i+h_j) - f(w+h_i-h_j) - f(w-h_i+h_j) + f(w-h_i-h_j)) / 4h^2."""
    w, E = np.asarray(w, dtype=float), h * np.eye(2)
    return np.array([[(f(w + E[i] + E[j]) - f(w + E[i] - E[j]) - f(w - E[i] + E[j]) + f(w - E[i] - E[j])) / (4 * h * h)
                      for j in range(2)] for i in range(2)])


def test_start_is_the_grid_point_of_most_negative_curvature(failure, mse):
    a, b = np.linspace(*SINE_BOX[0], POINTS), np.linspace(*SINE_BOX[1], POINTS)
    smallest = {(w0, w1): np.linalg.eigvalsh(fd_hessian(mse, (w0, w1))).min() for w1 in b for w0 in a}
    ranked = sorted(smallest, key=smallest.get)
    np.testing.assert_allclose(failure["start"], ranked[0], rtol=0, atol=1e-12)
    assert smallest[ranked[1]] - smallest[ranked[0]] > 1e-3        # no near tie the differences could flip
    np.testing.assert_allclose(failure["start_eigenvalues"], np.linalg.eigvalsh(fd_hessian(mse, ranked[0])), rtol=1e-5)
    assert max(failure["start_eigenvalues"]) < 0 and failure["start_kind"] == "negative definite"   # "a dome"


def test_end_is_stationary_and_its_eigenvalues_say_what_the_page_says(failure, mse):
    end = np.array(failure["end"])
    assert np.linalg.norm(fd_gradient(mse, end)) < 1e-8
    assert failure["grad_norm"] < 1e-10
    eigenvalues = np.linalg.eigvalsh(fd_hessian(mse, end))
    np.testing.assert_allclose(failure["eigenvalues"], eigenvalues, rtol=1e-5)
    assert failure["eigenvalues"] == sorted(failure["eigenvalues"])
    kind = ("local minimum" if eigenvalues.min() > 0 else "local maximum" if eigenvalues.max() < 0 else "saddle point")
    assert failure["kind"] == kind == "local maximum"                 # the spec: a saddle or a maximum, not a minimum
    # A maximum indeed: the loss is lower all around it, on a small circle.
    ring = [end + 1e-3 * np.array([np.cos(a), np.sin(a)]) for a in np.linspace(0, 2 * np.pi, 16, endpoint=False)]
    assert all(mse(w) < mse(end) for w in ring)


def test_the_iteration_stops_by_the_stated_rule(failure, results):
    d = results("sine_dataset")
    grad = lambda w: losses.sine_mse_grad(w, d["x"], d["y"])
    hessian = lambda w: losses.sine_mse_hessian(w, d["x"], d["y"])
    w, steps = np.array(failure["start"], dtype=float), 0
    points = [w]
    while steps < MAX_STEPS:
        w_new = w - np.linalg.solve(hessian(w), grad(w))
        steps += 1
        points.append(w_new)
        if np.linalg.norm(w_new - w) < STEP_TOL:
            break
        w = w_new
    assert failure["steps"] == steps < MAX_STEPS
    np.testing.assert_allclose(failure["path"], points, rtol=1e-12, atol=1e-12)
    assert failure["last_step"] < STEP_TOL <= np.linalg.norm(points[-2] - points[-3])


def test_what_the_page_and_figure_say_about_the_path(failure, mse, results):
    path, end = np.asarray(failure["path"]), np.array(failure["end"])
    assert failure["start_loss"] == pytest.approx(mse(path[0]), rel=1e-12)
    assert failure["end_loss"] == pytest.approx(mse(end), rel=1e-12)
    assert failure["end_loss"] > failure["start_loss"]                    # "the loss went up"
    # "The end point lies outside the grid"; step 1 jumps right past its edge and step 2 comes back left.
    assert end[0] > SINE_BOX[0][1] and failure["outside_grid"]
    assert path[1][0] > SINE_BOX[0][1] and path[2][0] < path[1][0]
    # "then closes in on the end point in (steps - 2) ever shorter steps (steps in all)".
    lengths = np.linalg.norm(np.diff(path, axis=0), axis=1)
    assert len(lengths) == failure["steps"] > 2 and np.all(np.diff(lengths[1:]) < 0)
    # "The path stays in the grey region": no point of it has a positive definite Hessian.
    assert failure["path_positive_definite"] == [bool(np.linalg.eigvalsh(fd_hessian(mse, w)).min() > 0) for w in path]
    assert not any(failure["path_positive_definite"])
    # Against the local minimum: the offsets, and a fit that is nearly upside down.
    w_opt = np.array(results("sine_optimum")["optimum"]["w"])
    np.testing.assert_allclose(failure["offset_from_minimum"], end - w_opt, rtol=1e-12)
    # "w0 is ... larger, w1 only ... larger": both positive, w0's near pi, w1's small.
    assert abs(failure["offset_from_minimum"][0] - np.pi) < 0.25 and 0 < failure["offset_from_minimum"][1] < 0.1
    x = results("sine_dataset")["x"]
    r = np.corrcoef(np.sin(end[0] + end[1] * x), np.sin(w_opt[0] + w_opt[1] * x))[0, 1]
    assert failure["prediction_correlation"] == pytest.approx(r, rel=1e-12) and r < -0.95


def test_the_map_continues_the_convexity_map(failure, results):
    grid, extended = results("sine_surface")["grid"], failure["map"]
    path = np.asarray(failure["path"])
    W1, W2 = extended["W1"], extended["W2"]
    # It holds the path, and the lecture's grid as a block of its own points, with the same verdict there.
    assert W1.min() <= path[:, 0].min() and W1.max() >= path[:, 0].max()
    assert W2.min() <= path[:, 1].min() and W2.max() >= path[:, 1].max()
    i0 = int(np.argmin(np.abs(W1[0] - grid["W1"][0, 0])))
    j0 = int(np.argmin(np.abs(W2[:, 0] - grid["W2"][0, 0])))
    block = (slice(j0, j0 + POINTS), slice(i0, i0 + POINTS))
    np.testing.assert_allclose(W1[block], grid["W1"], atol=1e-12)
    np.testing.assert_allclose(W2[block], grid["W2"], atol=1e-12)
    np.testing.assert_array_equal(extended["pd"][block], results("sine_convexity")["pd_map"]["pd"])
    np.testing.assert_allclose(np.diff(W1[0]), np.diff(grid["W1"][0])[0], rtol=1e-9)   # the grid's own spacing
