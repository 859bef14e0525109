"""Computations behind the Gradient Descent lecture.

Every input of the lecture spec is written here once; every number the page
quotes is returned from one of these functions. Parameters name the
computations a function needs; arrays are figure data, plain values are
published in results.json.
"""
import numpy as np

from lecturekit.engine.registry import computation
from lecturekit.numerics import basics as poly
from lecturekit.numerics.datasets import breast_cancer_features, sine_data
from lecturekit.numerics.grid import grid_argmin, loss_grid, sine_mse_grid, weight_grid
from lecturekit.numerics.losses import logistic_nll, sigmoid, sine_mse, sine_predict, squared_error_1d

P1 = (4.0, -3.0, 1.0)              # f(w) = w^2 - 3w + 4
P3 = (4.0, 1.0, -5.0, 0.0, 1.0)    # f(w) = w^4 - 5w^2 + w + 4
LOGISTIC_GUESSES = ((-1.0, -1.0), (-2.0, -4.0))
LOGISTIC_BOX = ((-10.0, 1.0), (-5.0, 1.3))
SINE_GUESSES = ((0.0, 2.0), (2.0, 3.0), (0.0, 3.5))
SINE_BOX = ((-1.5, 3.0), (1.0, 4.0))
GRID_POINTS = 30


def _curve(coefficients, lo, hi, n=100):
    w = np.linspace(lo, hi, n)
    return {"w": w, "f": poly.evaluate(coefficients, w)}


@computation(into="basics")
def basics():
    """P1-P3: closed-form answers, with a fine-grid check of each minimizer."""
    p1_w = poly.quadratic_minimizer(P1)
    fine = np.linspace(-2, 7, 900_001)
    integers = np.arange(-2, 7)
    p2_w, p2_f = poly.integer_minimizers(P1)
    p3_points = poly.stationary_points(P3)
    minima = [p for p in p3_points if p["kind"] == "local min"]
    return {
        "p1": {"minimizer": p1_w, "minimum": float(poly.evaluate(P1, p1_w)),
               "grid_check": float(fine[np.argmin(poly.evaluate(P1, fine))]), "grid_check_points": len(fine),
               "curve": _curve(P1, -2, 7)},
        "p2": {"minimizers": p2_w, "minimum": p2_f, "tie": len(p2_w) > 1,
               "points": {"w": integers.astype(float), "f": poly.evaluate(P1, integers)},
               "curve": _curve(P1, -2, 7)},
        "p3": {"stationary_points": p3_points,
               "global_minimizer": min(minima, key=lambda p: p["f"])["w"],
               "global_minimum": min(p["f"] for p in minima),
               "curve": _curve(P3, -3, 3)},
    }


@computation(into="convexity")
def convexity():
    """Chords of a convex and a non-convex function, and where the chord dips below."""
    panels = {}
    for name, coefficients, (lo, hi), (a, b) in (("convex", P1, (-2, 7), (-1, 5)),
                                                 ("nonconvex", P3, (-3, 3), (-1, 1))):
        curve = _curve(coefficients, lo, hi)
        inside = np.linspace(a, b, 2001)
        chord, f_inside = poly.secant(coefficients, a, b, inside), poly.evaluate(coefficients, inside)
        gap = chord - f_inside
        worst = int(np.argmin(gap))
        panels[name] = {**curve, "chord_w": inside, "chord_f": chord, "f_at_chord_w": f_inside,
                        "ends": [a, b], "ends_f": [float(v) for v in poly.evaluate(coefficients, [a, b])],
                        "min_gap": float(gap[worst]), "min_gap_w": float(inside[worst])}
    return panels


@computation(into="logistic")
def breast_cancer():
    """Two standardized features of the bundled breast cancer data, and the class counts."""
    X, t, names = breast_cancer_features(("mean radius", "mean texture"))
    return {"X": X, "t": t, "n_samples": len(t), "class_names": names,
            "class_counts": {name: int(np.sum(t == k)) for k, name in enumerate(names)}}


def _classify(w, X, t, plane):
    """Loss, accuracy and the predicted-probability map (over the feature plane) of one weight vector."""
    w = np.asarray(w, dtype=float)
    predicted = (sigmoid(X @ w) >= 0.5).astype(float)
    return {"w": w.tolist(), "loss": float(logistic_nll(w, X, t)), "accuracy": float(np.mean(predicted == t)),
            "predicted": predicted, "probability": sigmoid(w[0] * plane["x1"] + w[1] * plane["x2"])}


def feature_plane(X, n=200, margin=0.5):
    """A grid {"x1", "x2"} over the feature box, for probability maps."""
    lo, hi = X.min(axis=0) - margin, X.max(axis=0) + margin
    x1, x2 = weight_grid((lo[0], hi[0]), (lo[1], hi[1]), n)
    return {"x1": x1, "x2": x2}


@computation(into="logistic")
def logistic_guesses(breast_cancer):
    """The two hand-picked weight vectors: how well does each classify?"""
    X, t = breast_cancer["X"], breast_cancer["t"]
    plane = feature_plane(X)
    return {"guesses": [_classify(w, X, t, plane) for w in LOGISTIC_GUESSES], "plane": plane}


@computation(into="logistic")
def logistic_surface(breast_cancer, logistic_guesses):
    """Mean NLL on the 30x30 weight grid, and its best point (its probabilities on the guesses' plane)."""
    X, t = breast_cancer["X"], breast_cancer["t"]
    W1, W2 = weight_grid(*LOGISTIC_BOX, GRID_POINTS)
    L = loss_grid(lambda w: logistic_nll(w, X, t), W1, W2)
    best, best_loss = grid_argmin(L, W1, W2)
    return {"grid": {"W1": W1, "W2": W2, "L": L, "box": [list(b) for b in LOGISTIC_BOX], "points": GRID_POINTS},
            "grid_best": best.tolist(), "grid_best_loss": best_loss,
            "grid_best_fit": _classify(best, X, t, logistic_guesses["plane"])}


@computation(into="sine")
def sine_dataset():
    """The noisy sine data, drawn from the seeded legacy generator."""
    x, y = sine_data(seed=42, n=200, true_w=(1.1, 2.5), noise=0.5)
    return {"x": x, "y": y, "n_samples": len(x), "true_w": [1.1, 2.5]}


@computation(into="sine")
def sine_guesses(sine_dataset):
    """Predictions of three guesses on 100 points across the data."""
    x, y = sine_dataset["x"], sine_dataset["y"]
    grid_x = np.linspace(x.min(), x.max(), 100)
    predictions = sine_predict(np.array(SINE_GUESSES), grid_x)
    return {"guesses": [{"w": list(w), "loss": float(sine_mse(np.array(w), x, y))} for w in SINE_GUESSES],
            "prediction_x": grid_x, "predictions": predictions,
            "prediction_table": [[float(grid_x[i])] + [float(p[i]) for p in predictions] for i in range(5)]}


@computation(into="sine")
def sine_surface(sine_dataset):
    """Sine MSE on the 30x30 weight grid, and its best point."""
    x, y = sine_dataset["x"], sine_dataset["y"]
    W0, W1 = weight_grid(*SINE_BOX, GRID_POINTS)
    L = sine_mse_grid(W0, W1, x, y)
    best, best_loss = grid_argmin(L, W0, W1)
    curve_x = np.linspace(x.min(), x.max(), 300)
    return {"grid": {"W1": W0, "W2": W1, "L": L, "box": [list(b) for b in SINE_BOX], "points": GRID_POINTS},
            "grid_best": best.tolist(), "grid_best_loss": best_loss,
            "grid_best_curve": {"x": curve_x, "y": sine_predict(best, curve_x)}}


@computation(into="quick_checks")
def logistic_1d(breast_cancer):
    """One weight on the scaled mean radius: the NLL is a one-dimensional curve."""
    x, t = breast_cancer["X"][:, 0], breast_cancer["t"]
    w = np.linspace(-20, 3, 100)
    loss = logistic_nll(w[:, None], x[:, None], t)
    best = float(w[np.argmin(loss)])
    jitter = np.random.RandomState(0).uniform(-0.04, 0.04, len(t))
    xs = np.linspace(x.min(), x.max(), 200)
    return {"logistic_1d": {"best_w": best, "best_loss": float(loss.min()), "w": w, "loss": loss,
                            "x": x, "t_jittered": t + jitter, "fit_x": xs, "fit_p": sigmoid(best * xs)}}


@computation(into="quick_checks")
def squared_1d(breast_cancer):
    """Predict scaled mean texture from scaled mean radius with a line through the origin."""
    x, y = breast_cancer["X"][:, 0], breast_cancer["X"][:, 1]
    w = np.linspace(-5, 5, 100)
    loss = squared_error_1d(w, x, y)
    best = float(w[np.argmin(loss)])
    return {"squared_1d": {"best_w": best, "best_loss": float(loss.min()), "w": w, "loss": loss,
                           "x": x, "y": y, "least_squares_w": float(x @ y / (x @ x))}}


@computation(into="quick_checks")
def offset_logistic(breast_cancer):
    """Bias and slope on an un-centred feature: a long, tilted valley."""
    x, t = breast_cancer["X"][:, 0] + 3.0, breast_cancer["t"]
    features = np.column_stack([np.ones_like(x), x])
    B, W = weight_grid((5.0, 15.0), (-8.0, 0.0), 40)
    L = loss_grid(lambda w: logistic_nll(w, features, t), B, W)
    best, best_loss = grid_argmin(L, B, W)
    xs = np.linspace(x.min(), x.max(), 200)
    # The same box, finer, for the contour map: the valley is narrower than a cell of the 40x40 grid.
    Bf, Wf = weight_grid((5.0, 15.0), (-8.0, 0.0), 120)
    fine = {"W1": Bf, "W2": Wf, "L": loss_grid(lambda w: logistic_nll(w, features, t), Bf, Wf)}
    return {"offset_logistic": {"grid_best": best.tolist(), "grid_best_loss": best_loss,
                                "grid": {"W1": B, "W2": W, "L": L}, "fine": fine, "x": x, "t": t,
                                "fit_x": xs, "fit_p": sigmoid(best[0] + best[1] * xs)}}
