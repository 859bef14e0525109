"""The quantities behind the lecture's corrected sentences mean what the sentences say.

Each test names the sentence (or caption) it backs and recomputes its quantity
another way: losses written out with plain numpy, Hessians by finite differences,
minima by scipy, runs by the reference loop of tests/reference.py. Only the data
sets and the published values come from the lecture.
"""
import numpy as np
import pytest
from scipy.optimize import minimize

from reference import fd_jacobian, heavy_ball


def logistic_loss(w, X, t):
    z = X @ np.asarray(w, dtype=float)
    return float(np.mean(np.log1p(np.exp(-np.abs(z))) + np.maximum(z, 0) - t * z))


def sine_loss(w, x, y):
    return float(np.mean((np.sin(w[0] + w[1] * x) - y) ** 2))


def fd_hessian(loss, w, h=1e-4):
    """Hessian by central differences of central-difference gradients, symmetrized."""
    H = fd_jacobian(lambda v: fd_jacobian(loss, v, h), w, h)
    return (H + H.T) / 2


@pytest.fixture(scope="module")
def logistic(results):
    X, t = results("breast_cancer")["X"], results("breast_cancer")["t"]
    return X, t, lambda w: logistic_loss(w, X, t)


@pytest.fixture(scope="module")
def sine(results):
    x, y = results("sine_dataset")["x"], results("sine_dataset")["y"]
    loss = lambda w: sine_loss(w, x, y)
    w_opt = minimize(loss, results("sine_surface")["grid_best"], method="BFGS", options={"gtol": 1e-10}).x
    lams, V = np.linalg.eigh(fd_hessian(loss, w_opt))
    return {"x": x, "y": y, "loss": loss, "grad": lambda w: fd_jacobian(loss, w, 1e-6),
            "w_opt": w_opt, "lams": lams, "flat": V[:, 0], "steep": V[:, 1]}


def brute_force_grid_best(loss, box, n=30):
    """The grid point of smallest loss, by a plain double loop."""
    a, b = np.linspace(*box[0], n), np.linspace(*box[1], n)
    return min(((loss(np.array([u, v])), (u, v)) for u in a for v in b))[1]


def angle(u, v):
    """Angle between two plane vectors, from their polar angles (not from a dot product)."""
    d = abs(np.arctan2(u[1], u[0]) - np.arctan2(v[1], v[0]))
    return np.degrees(min(d, 2 * np.pi - d))


# Caption of fig:logistic-guess-2: "a longer weight vector makes the probabilities sharper, but its boundary
# is turned further from the split between the classes than the first guess's: lower accuracy, higher loss".
def test_second_guess_is_longer_but_turned_further_away_and_worse(results, logistic):
    X, t, loss = logistic
    best = brute_force_grid_best(loss, results("logistic_surface")["grid"]["box"])
    guesses = [np.array(g["w"]) for g in results("logistic_guesses")["guesses"]]
    accuracy = [np.mean((X @ w > 0) == (t == 1)) for w in guesses]
    angles = [angle(w, best) for w in guesses]
    published = results("guess_directions")["guess_directions"]
    assert [p["angle_to_grid_best"] for p in published] == pytest.approx(angles, rel=1e-9)
    assert [p["norm"] for p in published] == pytest.approx([np.hypot(*w) for w in guesses])
    assert np.hypot(*guesses[1]) > np.hypot(*guesses[0])      # longer: sharper probabilities
    assert angles[1] > angles[0] + 10                         # turned further from the grid best's boundary
    assert accuracy[1] < accuracy[0] and loss(guesses[1]) > loss(guesses[0])


# Exercise solution: "Scaled down to the first guess's length, the second guess has the loss ..., still above
# [the first's]: that part of the gap is its direction. ... the greater length ... adds the larger part of the gap."
def test_the_second_guess_loses_by_direction_and_more_by_length(results, logistic):
    X, t, loss = logistic
    first, second = (np.array(g["w"]) for g in results("logistic_guesses")["guesses"])
    scaled = second / np.hypot(*second) * np.hypot(*first)
    published = results("guess_directions")["guess_directions"]
    assert published[1]["loss_at_first_length"] == pytest.approx(loss(scaled), rel=1e-9)
    assert published[0]["loss_at_first_length"] == pytest.approx(loss(first), rel=1e-12)
    direction_part, length_part = loss(scaled) - loss(first), loss(second) - loss(scaled)
    assert 0 < direction_part < length_part


# "quad_lr1 ... exactly the limit 2/lambda_max: not a stable learning rate but the first unstable one";
# the theory table: "stability limit: stable for eta < 2/lambda_max (not at it)".
def test_the_stability_limit_is_not_stable_and_just_below_it_is(results):
    A = np.array(results("quadratic_theory")["eigenvalues"])
    loss = lambda w: float(np.sum(A * np.asarray(w) ** 2))
    lams = np.linalg.eigvalsh(fd_hessian(loss, np.array([0.3, -0.7])))
    np.testing.assert_allclose(results("quadratic_curvatures")["hessian_eigenvalues"], lams, rtol=1e-6)
    limit = results("quadratic_theory")["max_stable_lr"]
    assert limit == pytest.approx(2 / lams.max(), rel=1e-6)
    assert results("runs")["quad_lr1"]["lr"] == pytest.approx(limit)
    grad = lambda w: 2 * A * w
    start = results("runs")["quad_lr1"]["start"]
    far = lambda lr: np.linalg.norm(heavy_ball(grad, start, lr, 0.0, 400, eps=0)[-1])
    assert far(limit) > 0.99 * abs(start[1])        # at the limit the steep coordinate never shrinks
    assert far(0.99 * limit) < 1e-3                  # just below, every direction converges
    assert far(1.01 * limit) > 10 * abs(start[1])    # just above, it grows


# One symbol, one meaning: the factors quoted as |1 - eta lambda_j| use the Hessian's eigenvalues.
def test_quoted_factors_use_the_hessians_eigenvalues(results):
    lams = np.array(results("quadratic_curvatures")["hessian_eigenvalues"])
    for name, run in results("quadratic_theory")["runs"].items():
        np.testing.assert_allclose(run["factors"], np.abs(1 - run["lr"] * lams), rtol=1e-12, err_msg=name)
    theory = results("quadratic_theory")
    assert theory["best_lr"] == pytest.approx(2 / (lams.min() + lams.max()))
    assert theory["heavy_ball_lr"] == pytest.approx(4 / (np.sqrt(lams.max()) + np.sqrt(lams.min())) ** 2)


# "The sine MSE is not convex ... the smallest eigenvalue is -21.8, at w = (3.00, 2.76); a chord there dips under".
def test_sine_smallest_eigenvalue_on_the_grid_is_negative_and_where_it_says(results, sine):
    grid = results("sine_surface")["grid"]
    points = np.stack([grid["W1"], grid["W2"]], axis=-1).reshape(-1, 2)
    smallest = np.array([np.linalg.eigvalsh(fd_hessian(sine["loss"], w))[0] for w in points])
    published = results("negative_curvature")["negative_curvature"]
    assert results("sine_convexity")["smallest_hessian_eigenvalue"] == pytest.approx(smallest.min(), rel=1e-4)
    assert smallest.min() < -1
    np.testing.assert_allclose(published["w"], points[np.argmin(smallest)])
    assert published["negative_points"] == np.sum(smallest < 0)


def test_the_chord_at_the_most_negative_point_lies_below_the_loss(results, sine):
    chord = results("negative_curvature")["negative_curvature"]["chord"]
    ends = [np.array(e) for e in chord["ends"]]
    middle = (ends[0] + ends[1]) / 2
    chord_middle = (sine["loss"](ends[0]) + sine["loss"](ends[1])) / 2
    assert chord["excess"] == pytest.approx(sine["loss"](middle) - chord_middle, rel=1e-9)
    assert chord["excess"] > 0.05                                # convexity would need <= 0
    assert -chord["second_order_gap"] == pytest.approx(chord["excess"], rel=0.1)   # the hint's estimate


# "This suggests, but does not prove ... for the logistic loss that bottom is 0.039 from w-hat, well within a
# grid spacing; for the sine loss 0.18 away, 1.1 grid spacings along w0: farther than the grid can resolve".
@pytest.mark.parametrize("model", ["logistic", "sine"])
def test_taylor_minimum_distance_in_grid_spacings(results, logistic, sine, model):
    loss = logistic[2] if model == "logistic" else sine["loss"]
    surface = results(f"{model}_surface")
    w_hat = np.array(surface["grid_best"])
    step = -np.linalg.solve(fd_hessian(loss, w_hat), fd_jacobian(loss, w_hat, 1e-6))
    spacing = np.array([(hi - lo) / 29 for lo, hi in surface["grid"]["box"]])
    check = results(f"{model}_grid_best_check")["grid_best_check"]
    np.testing.assert_allclose(check["newton_step"], step, rtol=1e-4)
    assert check["newton_step_most_spacings"] == pytest.approx(np.max(np.abs(step) / spacing), rel=1e-4)
    if model == "logistic":
        assert check["newton_step_most_spacings"] < 0.2
    else:
        assert np.abs(step[0]) / spacing[0] > 1
        # ... and the true minimum (scipy) is beyond the neighbouring grid point too: the grid best is not it.
        assert np.abs(sine["w_opt"][0] - w_hat[0]) > spacing[0]


# "On 15 of its 20 steps the path jumps right across the valley floor ...; on the others it moves along the
# same wall."
def test_sine_gd_crosses_the_valley_floor_on_the_counted_steps(results, sine):
    run = results("runs")["sine_gd"]
    path = heavy_ball(sine["grad"], run["start"], run["lr"], 0.0, run["epochs"])
    side = np.sign((path - sine["w_opt"]) @ sine["steep"])
    crossings = int(np.sum(side[1:] != side[:-1]))
    bounce = results("gd_bounce")["gd_bounce"]
    assert (bounce["crossings"], bounce["steps"]) == (crossings, len(path) - 1)
    assert len(path) - 1 > crossings > (len(path) - 1) / 2     # most steps cross, not every one
    losses = [sine["loss"](w) for w in path]
    assert results("descent_steps")["sine_gd"]["loss_increases"] == int(np.sum(np.diff(losses) > 0))


# "We start at (2.2, 2.2), on the valley's wall and far from the minimum: 1.1 from it along the valley, while
# the floor straight across is only 0.081 away ...; the gradient there points almost straight across".
def test_sine_momentum_starts_on_the_wall(results, sine):
    start = np.array(results("runs")["sine_momentum"]["start"])
    published = results("momentum_start")["momentum_start"]
    section = minimize(lambda s: sine["loss"](start + s[0] * sine["steep"]), [0.0], method="Nelder-Mead",
                       options={"xatol": 1e-8, "fatol": 1e-12}).x[0]
    floor = start + section * sine["steep"]
    np.testing.assert_allclose(published["floor"], floor, atol=1e-4)
    assert published["floor_loss"] == pytest.approx(sine["loss"](floor), rel=1e-6)
    assert sine["loss"](start) - sine["loss"](floor) > 0.1 * sine["loss"](floor)   # well up the wall
    along = abs((start - sine["w_opt"]) @ sine["flat"])
    assert published["distance_along_valley"] == pytest.approx(along, rel=1e-4)
    assert np.linalg.norm(floor - start) < 0.1 * along
    g = sine["grad"](start)
    assert abs(g @ sine["steep"]) / np.linalg.norm(g) > 0.95
    assert published["gradient_across_cosine"] == pytest.approx(abs(g @ sine["steep"]) / np.linalg.norm(g), rel=1e-5)


# "Centring the feature removes most of the tilt ... condition number 5.7 instead of 582."
def test_centring_the_offset_feature_removes_the_tilt(results):
    fit = results("offset_logistic")["offset_logistic"]
    b, w = fit["grid_best"]
    x, t = fit["x"], fit["t"]
    c = float(np.mean(x - results("breast_cancer")["X"][:, 0]))
    kappa = {}
    for name, feature, weights in (("shifted", x, (b, w)), ("centred", x - c, (b + c * w, w))):
        F = np.column_stack([np.ones_like(feature), feature])
        np.testing.assert_allclose(F @ np.array(weights), x * w + b, atol=1e-9)   # the same predictions
        lams = np.linalg.eigvalsh(fd_hessian(lambda v: logistic_loss(v, F, t), np.array(weights)))
        kappa[name] = lams.max() / lams.min()
    published = results("offset_conditioning")["offset_conditioning"]["condition_number"]
    assert published == pytest.approx(kappa, rel=1e-3)
    assert kappa["shifted"] > 20 * kappa["centred"]


# "It ends at w = ..., to four digits the same point as the run from the origin: the logistic loss is convex
# with a single minimum"; "... and never rises on the way"; "the loss never rises" (sine_curve).
def test_both_logistic_runs_end_at_the_minimum_and_named_runs_never_rise(results, logistic, sine):
    w_opt = minimize(logistic[2], [0.0, 0.0], method="BFGS", options={"gtol": 1e-10}).x
    runs = results("runs")
    for name in ("logistic_gd", "logistic_curve"):
        final = np.array(runs[name]["final"])
        assert np.all(np.abs(final - w_opt) < 5e-4 * np.abs(w_opt)), name   # four significant digits
    for name, loss, grad in (("logistic_gd", logistic[2], lambda w: fd_jacobian(logistic[2], w, 1e-6)),
                             ("sine_curve", sine["loss"], sine["grad"])):
        run = runs[name]
        path = heavy_ball(grad, run["start"], run["lr"], 0.0, run["epochs"])
        assert np.all(np.diff([loss(w) for w in path]) <= 1e-12), name


# Warning "Converged is not the same as close": the sine run at lr 0.1 would stop 4e-5 from the minimum,
# 40 times eps, when its step first gets shorter than eps.
def test_the_eps_rule_stops_far_from_the_minimum(results, sine):
    w_hat = results("sine_surface")["grid_best"]
    lr = results("sine_optimum")["optimum"]["gd_lecture_lr"]["lr"]
    path = heavy_ball(sine["grad"], w_hat, lr, 0.0, 2000, eps=1e-6)
    distance = np.linalg.norm(path[-1] - sine["w_opt"])
    published = results("sine_optimum")["optimum"]["gd_lecture_lr"]
    assert np.linalg.norm(path[-1] - path[-2]) < 1e-6 and len(path) - 1 == published["eps_rule_steps"]
    assert published["eps_rule_distance"] == pytest.approx(distance, rel=2e-2)   # a finite-difference gradient
    assert distance > 10 * 1e-6


# Warning "A learning rate too large for the steepest direction": the sine limit 2/lambda_max, broken by sine_gd.
def test_sine_gd_breaks_the_stability_limit_and_sine_curve_keeps_it(results, sine):
    limit = results("sine_optimum")["optimum"]["max_stable_lr"]
    assert limit == pytest.approx(2 / sine["lams"].max(), rel=1e-5)
    assert results("runs")["sine_gd"]["lr"] > limit > results("runs")["sine_curve"]["lr"]


# Sine momentum: "plain gradient descent decreases smoothly but slowly"; momentum ends lower.
def test_sine_momentum_beats_its_plain_baseline(results, sine):
    run = results("runs")["sine_momentum"]
    plain = heavy_ball(sine["grad"], run["start"], run["lr"], 0.0, run["epochs"])
    momentum = heavy_ball(sine["grad"], run["start"], run["lr"], run["beta"], run["epochs"])
    plain_losses = [sine["loss"](w) for w in plain]
    assert np.all(np.diff(plain_losses) < 0)
    assert sine["loss"](momentum[-1]) < plain_losses[-1]
    assert results("sine_momentum_baseline")["momentum_baseline"]["final_loss"] == pytest.approx(plain_losses[-1])
