"""Section 8, the explorer: the runs of its static strip, what each run's read-out means, and the
live explorer's data (the quadratic, its contours' frame and the map of the heavy ball's rate).

The strip: two grids of settings, each run with heavy-ball momentum (beta = 0 is
plain gradient descent) at build time: the ill-conditioned quadratic
f(w) = w^T A w, A = diag(0.1, 1), and the sine model. Each run's read-outs:

- `settled`: the first step from which the distance to the minimizer w* stays
  below `steps_fraction` (1 %) of the starting distance to the end of the run
  (null if the last point is not that close); `first_close` is the first step
  that comes that close at all, which a run may then leave again;
- `final_fraction`: the last distance to w* over the starting one;
- `diverged`: the run ends farther from w* than it started, or overflows;
- `final_loss`: the loss at the last point (null for a diverged run);
- `predicted_rate`: the asymptotic contraction per step from the eigenvalues,
  `momentum_rate(lams, lr, beta)` with lams the eigenvalues of A in
  f(w) = w^T A w (the Hessian is 2A); for the sine model, A is half its Hessian at w*;
- `measured_rate`: the contraction per step measured from the path, only where
  the run has one (`steady_rate`): null where it spirals or bounces.

static/explore.js repeats `settled_step`, `first_close_step` and `steady_rate` for
the live explorer; a browser test checks the two agree.
"""
import numpy as np

from lecturekit.plotting.style import DPI
from lecturekit.engine.registry import computation
from lecturekit.numerics import quadratic as theory
from lecturekit.numerics.descent import converged, momentum_path
from lecturekit.numerics.grid import loss_grid, weight_grid
from .problems import QUADRATIC_LAMS, quadratic_problem, sine_problem


def settings():
    """Every setting the explorer covers. A function, not module constants: the result
    cache keys a computation by the source of the functions it calls, so editing a
    value here recomputes the runs and redraws their figures."""
    return {
        "epochs": 50,
        "eps": 1e-6,                   # the lecture's stopping rule
        "steps_fraction": 1e-2,        # "close": within 1 % of the starting distance to w*
        "rate_tolerance": 0.05,        # a rate exists if every step of the tail shrinks by it to within 5 %
        "rate_min_steps": 5,           # ... over at least this many steps
        "figure_inches": (4.6, 2.2),   # each strip figure (figures_explore.py)
        "quadratic": {"start": (-4.0, -2.0),
                      "lrs": (0.05, 0.1, 0.2, 0.3, 0.45, 0.6, 0.75, 0.9, 1.0, 1.1, 1.2, 1.4),
                      "betas": (0.0, 0.3, 0.6, 0.9),
                      "example": (0.1, 0.9)},  # the prose's run that comes close and leaves
        "sine": {"start": (2.2, 2.2), "lrs": (0.05, 0.1, 0.15, 0.2), "betas": (0.0, 0.6, 0.9)},
        "live": {"start": (-4.0, -2.0), "lr": 0.9, "beta": 0.0,   # where the live explorer starts
                 "lr_range": (0.0, 2.0), "beta_range": (0.0, 0.99),
                 "box": ((-5.0, 5.0), (-5.0, 5.0)), "grid_points": 201,
                 "levels": tuple(k * k / 10 for k in range(1, 16)),   # ellipses evenly spaced along w1
                 "distance_range": (1e-8, 1e2)},
        # each live image: inches and its axes as figure fractions (left, bottom, right, top)
        "views": {"contours": {"inches": (3.4, 3.3), "axes": (0.155, 0.125, 0.975, 0.97)},
                  "distance": {"inches": (3.4, 2.3), "axes": (0.2, 0.2, 0.97, 0.95)},
                  "map": {"inches": (3.4, 3.3), "axes": (0.155, 0.125, 0.77, 0.97), "points": (321, 160)}},
    }


def image_px(inches):
    """[width, height] in pixels of a figure of these inches, for the <img> attributes."""
    return [round(inches[0] * DPI), round(inches[1] * DPI)]


def finite_or_none(x):
    """A float for results.json, or None where it is not finite."""
    x = float(x)
    return x if np.isfinite(x) else None


def distances(path, w_star):
    """||w_k - w*|| for every point of a path (inf where it overflowed)."""
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.linalg.norm(np.asarray(path, dtype=float) - np.asarray(w_star, dtype=float), axis=-1)
    return np.where(np.isnan(e), np.inf, e)


def first_close_step(e, fraction):
    """First step k with e_k < fraction e_0, or None: the run may leave again."""
    close = np.asarray(e) < fraction * e[0]
    return int(np.argmax(close)) if close.any() else None


def settled_step(e, fraction):
    """First step k from which e_j < fraction e_0 for every later j of the run, or None."""
    close = np.asarray(e) < fraction * e[0]
    if not close[-1]:
        return None
    far = np.nonzero(~close)[0]
    return int(far[-1]) + 1 if len(far) else 0


def steady_rate(path, w_star, tolerance, min_steps):
    """The contraction per step of a run that has one, else None.

    The tail is the one `theory.measured_rate` uses (the second half of the
    leading stretch of finite distances above round-off); the rate is the
    geometric mean of its ratios e_{k+1}/e_k, and exists only if every ratio is
    within `tolerance` of it over at least `min_steps` steps. A run that spirals
    (complex roots) or bounces has ratios that swing, and no single rate.
    """
    w_star = np.asarray(w_star, dtype=float)
    e = distances(path, w_star)
    floor = max(np.finfo(float).tiny, 1e-12 * float(np.linalg.norm(w_star)))
    usable = np.isfinite(e) & (e > floor)
    m = len(e) if usable.all() else int(np.argmin(usable))
    tail = e[(m - 1) // 2:m]
    if len(tail) - 1 < min_steps:
        return None
    rate = theory.measured_rate(path, w_star)
    ratios = tail[1:] / tail[:-1]
    return float(rate) if np.all(np.abs(np.log(ratios / rate)) <= np.log1p(tolerance)) else None


def explore_run(loss, grad, start, w_star, lams, lr, beta):
    """One explorer run: its path and losses (figure data) and its read-outs (published)."""
    config = settings()
    path = momentum_path(grad, np.array(start, dtype=float), lr, beta, config["epochs"], config["eps"])
    with np.errstate(over="ignore", invalid="ignore"):
        losses = np.asarray(loss(path), dtype=float)
    e, fraction = distances(path, w_star), config["steps_fraction"]
    diverged = bool(not np.all(np.isfinite(path[-1])) or not e[-1] <= e[0])
    return {
        "lr": float(lr), "beta": float(beta),
        "path_length": int(len(path)),
        "diverged": diverged,
        "converged": converged(path, config["eps"]),   # the lecture's eps rule fired
        "settled": settled_step(e, fraction),
        "first_close": first_close_step(e, fraction),
        "final_fraction": finite_or_none(e[-1] / e[0]),
        "final_loss": None if diverged else finite_or_none(losses[-1]),
        "predicted_rate": theory.momentum_rate(lams, lr, beta),
        "measured_rate": steady_rate(path, w_star, config["rate_tolerance"], config["rate_min_steps"]),
        "path": path, "losses": losses,
    }


def explore_grid(problem, loss, grad, w_star, lams):
    """The published block of one problem: its settings and a run for every lr (outer
    list, index i) and beta (inner list, index j)."""
    common, own = settings(), settings()[problem]
    return {
        "start": list(own["start"]), "epochs": common["epochs"], "steps_fraction": common["steps_fraction"],
        "lrs": list(own["lrs"]), "betas": list(own["betas"]),
        "eigenvalues": np.asarray(lams).tolist(), "hessian_eigenvalues": (2 * np.asarray(lams)).tolist(),
        "w_star": np.asarray(w_star).tolist(),
        # heavy ball is stable on a quadratic iff 0 < lr < (1 + beta) / lam_max
        "stable_lr_limits": [(1.0 + beta) * theory.max_stable_lr(lams) for beta in own["betas"]],
        "image_px": image_px(common["figure_inches"]),
        "runs": [[explore_run(loss, grad, own["start"], w_star, lams, lr, beta) for beta in own["betas"]]
                 for lr in own["lrs"]],
    }


@computation(into="explore")
def explore_quadratic():
    """The quadratic w^T diag(0.1, 1) w from (-4, -2), for every (lr, beta) of the settings."""
    loss, grad, _ = quadratic_problem()
    block = explore_grid("quadratic", loss, grad, np.zeros(2), QUADRATIC_LAMS)
    lr, beta = settings()["quadratic"]["example"]
    block["example"] = [block["lrs"].index(lr), block["betas"].index(beta)]   # [i, j] of that run
    return {"quadratic": block}


@computation(into="explore")
def explore_sine(sine_dataset, sine_optimum):
    """The sine model from (2.2, 2.2) for a few (lr, beta): w* is the minimum Newton's method found
    from the grid best (sine_optimum, section 6)."""
    loss, grad, _ = sine_problem(sine_dataset)
    optimum = sine_optimum["optimum"]
    # near w* the loss is close to (w - w*)^T A (w - w*) + L(w*) with 2A its Hessian there
    lams = np.asarray(optimum["hessian_eigenvalues"]) / 2.0
    return {"sine": explore_grid("sine", loss, grad, np.asarray(optimum["w"]), lams)}


def rate_map(lams, lrs, betas):
    """momentum_rate(lams, lr, beta) on a grid: rows are betas, columns lrs (figure data).

    The same roots as theory.momentum_rate, broadcast over the grid: per eigenvalue,
    the larger root modulus of z^2 - (1 + beta - 2 lr lam) z + beta.
    """
    lr, beta = np.meshgrid(np.asarray(lrs, dtype=float), np.asarray(betas, dtype=float))
    a = 1.0 + beta[..., None] - 2.0 * lr[..., None] * np.asarray(lams, dtype=float)
    disc = np.sqrt((a * a - 4.0 * beta[..., None]).astype(complex))
    return np.maximum(np.abs((a + disc) / 2.0), np.abs((a - disc) / 2.0)).max(axis=-1)


def view(name, x, y, y_scale="linear"):
    """Where an image's axes are, for explore.js to draw over it: pixels, axes fractions, data ranges."""
    own = settings()["views"][name]
    return {"image_px": image_px(own["inches"]), "axes": list(own["axes"]), "x": list(x), "y": list(y),
            "y_scale": y_scale}


@computation(into="explore")
def explore_live():
    """The live explorer's data: the quadratic, its stopping rule and read-out settings, where each
    image's axes are, and the heavy ball's rate over (lr, beta) with its optimum (closed form)."""
    config = settings()
    live, lams = config["live"], QUADRATIC_LAMS
    hb_lr, hb_beta, hb_rate = theory.heavy_ball(lams)
    grad = quadratic_problem().grad
    at_optimum = momentum_path(grad, np.array(live["start"]), hb_lr, hb_beta, config["epochs"], config["eps"])
    W1, W2 = weight_grid(*live["box"], live["grid_points"])
    n_lr, n_beta = config["views"]["map"]["points"]
    lrs, betas = np.linspace(*live["lr_range"], n_lr), np.linspace(*live["beta_range"], n_beta)
    return {"live": {
        "A": np.diag(lams).tolist(), "eigenvalues": lams.tolist(), "hessian_eigenvalues": (2 * lams).tolist(),
        "w_star": [0.0, 0.0], "start": list(live["start"]), "lr": live["lr"], "beta": live["beta"],
        "lr_range": list(live["lr_range"]), "beta_range": list(live["beta_range"]),
        "epochs": config["epochs"], "eps": config["eps"], "steps_fraction": config["steps_fraction"],
        "rate_tolerance": config["rate_tolerance"], "rate_min_steps": config["rate_min_steps"],
        "optimum": {"lr": hb_lr, "beta": hb_beta, "rate": hb_rate,   # and what a run from the start measures there
                    "measured_rate": steady_rate(at_optimum, np.zeros(2), config["rate_tolerance"],
                                                 config["rate_min_steps"])},
        "gd_best": {"lr": theory.best_lr(lams), "rate": theory.best_rate(lams)},
        "stable_lr_limit": theory.max_stable_lr(lams),   # for beta = 0; (1 + beta) times it for beta
        "views": {"contours": view("contours", *live["box"]),
                  "distance": view("distance", (0, config["epochs"]), live["distance_range"], "log"),
                  "map": view("map", live["lr_range"], live["beta_range"])},
        "grid": {"points": live["grid_points"], "levels": list(live["levels"]),   # the contours' grid
                 "W1": W1, "W2": W2, "L": loss_grid(quadratic_problem().loss, W1, W2)},
        "map": {"points": [n_lr, n_beta],                                       # the rate map's grid
                "lrs": lrs, "betas": betas, "rates": rate_map(lams, lrs, betas)},
    }}
