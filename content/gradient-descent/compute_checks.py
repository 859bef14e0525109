"""Numbers behind sentences of the lecture that no other computation gives.

Each computation backs one claim of the prose with the quantity that makes it
true (or shows it false): how the logistic guesses point, where the sine loss
curves downward, how far the Taylor model's minimum is from the grid best, how
the bouncing sine run crosses its valley, where the momentum run starts, and
the curvatures of the ill-conditioned quadratic. The tests recompute each one
another way (tests/test_lecture_claims.py).
"""
import numpy as np

from lecturekit.engine.registry import computation
from lecturekit.numerics.losses import logistic_nll, logistic_nll_hessian, sine_mse
from lecturekit.numerics.taylor import eigen_axes
from .problems import quadratic_problem, sine_problem


def angle_degrees(u, v):
    """The angle between two vectors, in degrees (0 to 180)."""
    u, v = np.asarray(u, dtype=float), np.asarray(v, dtype=float)
    cosine = u @ v / (np.linalg.norm(u) * np.linalg.norm(v))
    return float(np.degrees(np.arccos(np.clip(cosine, -1.0, 1.0))))


@computation(into="logistic")
def guess_directions(breast_cancer, logistic_guesses, logistic_surface):
    """How far each guess's direction is from the grid best's, and how long each weight vector is.

    Without a bias the decision boundary is the line through the origin at right
    angles to w, so the angle between two weight vectors is the angle between
    their boundaries; the length of w only sharpens the probabilities. The loss
    of each guess scaled to the first guess's length separates the two: what is
    left of the difference is due to direction alone.
    """
    X, t = breast_cancer["X"], breast_cancer["t"]
    best = logistic_surface["grid_best"]
    guesses = [np.asarray(g["w"], dtype=float) for g in logistic_guesses["guesses"]]
    norms = [float(np.linalg.norm(w)) for w in guesses]
    return {"guess_directions": [{"w": w.tolist(), "angle_to_grid_best": angle_degrees(w, best), "norm": norm,
                                  "loss_at_first_length": float(logistic_nll(w * (norms[0] / norm), X, t))}
                                 for w, norm in zip(guesses, norms)],
            "grid_best_norm": float(np.linalg.norm(best))}


def chord_check(loss, centre, direction, half_width):
    """The loss at the middle of a chord against the chord's own middle height.

    The chord joins centre - s d and centre + s d; a convex loss has
    loss(centre) <= chord middle, so a positive `excess` proves non-convexity.
    """
    centre, direction = np.asarray(centre, dtype=float), np.asarray(direction, dtype=float)
    ends = [centre - half_width * direction, centre + half_width * direction]
    chord_middle = 0.5 * (float(loss(ends[0])) + float(loss(ends[1])))
    middle = float(loss(centre))
    return {"half_width": half_width, "ends": [e.tolist() for e in ends], "loss_middle": middle,
            "chord_middle": chord_middle, "excess": middle - chord_middle}


def second_order_gap(half_width, curvature):
    """The Taylor model's chord middle minus the middle value: (1/2) s^2 lam (the gradient terms cancel)."""
    return float(0.5 * half_width ** 2 * curvature)


@computation(into="sine")
def negative_curvature(sine_dataset, sine_surface):
    """The grid point where the sine Hessian's smallest eigenvalue is most negative, and a chord there.

    One negative eigenvalue anywhere is enough to make a twice-differentiable
    loss non-convex; the chord along its eigenvector shows it without calculus.
    """
    grid, hessian = sine_surface["grid"], sine_problem(sine_dataset).hessian
    points = np.stack([grid["W1"], grid["W2"]], axis=-1).reshape(-1, 2)
    smallest = np.linalg.eigvalsh(hessian(points))[:, 0]   # the Hessians of all grid points at once
    worst = points[int(np.argmin(smallest))]
    lams, V = eigen_axes(hessian(worst))
    chord = chord_check(sine_problem(sine_dataset).loss, worst, V[:, 0], half_width=0.1)
    return {"negative_curvature": {"w": worst.tolist(), "eigenvalues": lams.tolist(),
                                   "direction": V[:, 0].tolist(),
                                   "negative_points": int(np.sum(smallest < 0)), "points": len(points),
                                   "chord": {**chord, "second_order_gap": second_order_gap(chord["half_width"], lams[0])}}}


def grid_best_check(taylor, surface_grid):
    """How far the Taylor model's minimum (one Newton step) lies from the grid best, in grid spacings.

    A minimum of the model within a fraction of a spacing says little more than
    the grid did; one more than a spacing away shows the grid best is not yet it.
    """
    spacing = np.array([(hi - lo) / (surface_grid["points"] - 1) for lo, hi in surface_grid["box"]])
    step = np.asarray(taylor["model_minimizer"]) - np.asarray(taylor["w"])
    in_spacings = np.abs(step) / spacing
    return {"newton_step": step.tolist(), "newton_step_length": float(np.linalg.norm(step)),
            "grid_spacing": spacing.tolist(), "newton_step_in_spacings": in_spacings.tolist(),
            "newton_step_most_spacings": float(in_spacings.max())}


@computation(into="logistic")
def logistic_grid_best_check(logistic_taylor, logistic_surface):
    """The logistic model's Newton step from the grid best, against the grid's spacing."""
    return {"grid_best_check": grid_best_check(logistic_taylor["taylor"], logistic_surface["grid"])}


@computation(into="sine")
def sine_grid_best_check(sine_taylor, sine_surface):
    """The sine model's Newton step from the grid best, against the grid's spacing."""
    return {"grid_best_check": grid_best_check(sine_taylor["taylor"], sine_surface["grid"])}


def across_valley(path, w_opt, steep):
    """Signed distance of each point from the valley floor: the line through w_opt along the flat direction."""
    return (np.asarray(path, dtype=float) - np.asarray(w_opt, dtype=float)) @ np.asarray(steep, dtype=float)


@computation(into="sine")
def gd_bounce(sine_dataset, sine_optimum, runs):
    """On how many of its steps sine_gd jumps across the valley floor (from one wall to the other)."""
    w_opt = sine_optimum["optimum"]["w"]
    _, V = eigen_axes(sine_problem(sine_dataset).hessian(np.array(w_opt)))
    side = np.sign(across_valley(runs["sine_gd"]["path"], w_opt, V[:, 1]))
    return {"gd_bounce": {"steps": int(len(side) - 1), "crossings": int(np.sum(side[1:] != side[:-1]))}}


@computation(into="sine")
def momentum_start(sine_dataset, sine_optimum, runs):
    """Where sine_momentum starts: on the valley's wall, with the floor straight across.

    The cross-section through the start runs along the steep eigenvector of the
    Hessian at the minimum; its lowest point within half a unit is the floor there.
    """
    problem = sine_problem(sine_dataset)
    x, y = sine_dataset["x"], sine_dataset["y"]
    start, w_opt = np.asarray(runs["sine_momentum"]["start"]), np.asarray(sine_optimum["optimum"]["w"])
    _, V = eigen_axes(problem.hessian(w_opt))
    flat, steep = V[:, 0], V[:, 1]
    along = lambda s: sine_mse(start + np.multiply.outer(s, steep), x, y)
    offsets = np.linspace(-0.5, 0.5, 1001)
    coarse = offsets[int(np.argmin(along(offsets)))]
    fine = np.linspace(coarse - 1e-3, coarse + 1e-3, 2001)   # 1e-6 apart around the coarse minimum
    floor = start + fine[int(np.argmin(along(fine)))] * steep
    gradient = problem.grad(start)
    return {"momentum_start": {
        "start": start.tolist(), "start_loss": float(problem.loss(start)),
        "floor": floor.tolist(), "floor_loss": float(problem.loss(floor)),
        "floor_distance": float(np.linalg.norm(floor - start)),
        "distance_along_valley": float(abs((start - w_opt) @ flat)),
        "gradient_across_cosine": float(abs(gradient @ steep) / np.linalg.norm(gradient)),
    }}


@computation(into="quick_checks")
def offset_conditioning(breast_cancer, offset_logistic):
    """The tilt of the offset-feature valley as a condition number, and what centring the feature makes of it.

    At the grid best (b, w) on the shifted feature x + c, the same model on the
    standardized feature x has bias b + c w and slope w: the same predictions, so
    the same p(1 - p), but features (1, x) instead of (1, x + c).
    """
    fit = offset_logistic["offset_logistic"]
    centred, t = breast_cancer["X"][:, 0], fit["t"]
    shift = float(np.mean(fit["x"] - centred))
    b, w = fit["grid_best"]
    kappas = {}
    for name, x, weights in (("shifted", fit["x"], (b, w)), ("centred", centred, (b + shift * w, w))):
        lams = eigen_axes(logistic_nll_hessian(np.array(weights), np.column_stack([np.ones_like(x), x]), t))[0]
        kappas[name] = float(lams[-1] / lams[0])
    return {"offset_conditioning": {"shift": shift, "condition_number": kappas}}


@computation(into="quadratic")
def quadratic_curvatures():
    """Eigenvalues of the quadratic's Hessian, 2A (A = diag of problems.QUADRATIC_LAMS): the curvatures GD sees."""
    return {"hessian_eigenvalues": np.linalg.eigvalsh(quadratic_problem().hessian(np.zeros(2))).tolist()}
