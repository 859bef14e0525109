"""Section 8, the explorer: every (lr, beta) setting the sliders can pick, run at build time.

Two grids of settings, each run with heavy-ball momentum (beta = 0 is plain
gradient descent): the ill-conditioned quadratic f(w) = w^T diag(0.1, 1) w and
the sine model. For each run the page shows its path and loss curve (one small
figure per setting, figures_explore.py) and these read-outs:

- `steps`: the first step at which the distance to the minimizer w* is below
  `steps_fraction` (1 %) of the starting distance (null if that never happens);
- `diverged`: the run ends farther from w* than it started, or overflows;
- `final_loss`: the loss at the last point (null for a diverged run, whose loss
  may be astronomically large or undefined);
- `predicted_rate`: the asymptotic contraction per step from the eigenvalues,
  `momentum_rate(lams, lr, beta)`; for the sine model lams are those of the
  local quadratic model at w*, i.e. half the Hessian's eigenvalues;
- `measured_rate`: the contraction per step measured from the path (null where
  it is not a finite number).
"""
import numpy as np

from lecturekit.plotting.style import DPI
from lecturekit.engine.registry import computation
from lecturekit.numerics.descent import converged, momentum_path
from lecturekit.numerics.newton import steps_to_tolerance
from lecturekit.numerics.quadratic import max_stable_lr, measured_rate, momentum_rate
from .problems import QUADRATIC_LAMS, quadratic_problem, sine_problem


def settings():
    """Every setting the explorer covers. A function, not module constants: the result
    cache keys a computation by the source of the functions it calls, so editing a
    value here recomputes the runs and redraws their figures."""
    return {
        "epochs": 50,
        "steps_fraction": 1e-2,        # the read-out's "converged": within 1 % of the starting distance to w*
        "figure_inches": (4.6, 2.2),   # each setting's figure (figures_explore.py)
        "quadratic": {"start": (-4.0, -2.0),
                      "lrs": (0.05, 0.1, 0.2, 0.3, 0.45, 0.6, 0.75, 0.9, 1.0, 1.1, 1.2, 1.4),
                      "betas": (0.0, 0.3, 0.6, 0.9)},
        "sine": {"start": (2.2, 2.2), "lrs": (0.05, 0.1, 0.15, 0.2), "betas": (0.0, 0.6, 0.9)},
    }


def image_px():
    """[width, height] in pixels of every explorer figure, for the <img> attributes."""
    inches = settings()["figure_inches"]
    return [round(inches[0] * DPI), round(inches[1] * DPI)]


def finite_or_none(x):
    """A float for results.json, or None where it is not finite."""
    x = float(x)
    return x if np.isfinite(x) else None


def explore_run(loss, grad, start, w_star, lams, lr, beta):
    """One explorer run: its path and losses (figure data) and its read-outs (published)."""
    path = momentum_path(grad, np.array(start, dtype=float), lr, beta, settings()["epochs"])
    with np.errstate(over="ignore", invalid="ignore"):
        losses = np.asarray(loss(path), dtype=float)
        distances = np.linalg.norm(path - w_star, axis=-1)
    diverged = bool(not np.all(np.isfinite(path[-1])) or not distances[-1] <= distances[0])
    steps = steps_to_tolerance(path, w_star, settings()["steps_fraction"] * distances[0])
    return {
        "lr": float(lr), "beta": float(beta),
        "path_length": int(len(path)),
        "diverged": diverged,
        "converged": converged(path),          # the lecture's eps rule fired
        "steps": None if diverged else steps,
        "final_loss": None if diverged else finite_or_none(losses[-1]),
        "predicted_rate": momentum_rate(lams, lr, beta),
        "measured_rate": finite_or_none(measured_rate(path, w_star)),
        "path": path, "losses": losses,
    }


def explore_grid(problem, loss, grad, w_star, lams):
    """The published block of one problem: its settings and a run for every lr (outer
    list, index i) and beta (inner list, index j)."""
    common, own = settings(), settings()[problem]
    return {
        "start": list(own["start"]), "epochs": common["epochs"], "steps_fraction": common["steps_fraction"],
        "lrs": list(own["lrs"]), "betas": list(own["betas"]),
        "eigenvalues": np.asarray(lams).tolist(), "w_star": np.asarray(w_star).tolist(),
        # heavy ball is stable on a quadratic iff 0 < lr < (1 + beta) / lam_max
        "stable_lr_limits": [(1.0 + beta) * max_stable_lr(lams) for beta in own["betas"]],
        "image_px": image_px(),
        "runs": [[explore_run(loss, grad, own["start"], w_star, lams, lr, beta) for beta in own["betas"]]
                 for lr in own["lrs"]],
    }


@computation(into="explore")
def explore_quadratic():
    """The quadratic w^T diag(0.1, 1) w from (-4, -2), for every (lr, beta) of the settings."""
    loss, grad, _ = quadratic_problem()
    return {"quadratic": explore_grid("quadratic", loss, grad, np.zeros(2), QUADRATIC_LAMS)}


@computation(into="explore")
def explore_sine(sine_dataset, sine_optimum):
    """The sine model from (2.2, 2.2) for a few (lr, beta): w* is the minimum Newton's method found
    from the grid best (sine_optimum, section 6)."""
    loss, grad, _ = sine_problem(sine_dataset)
    optimum = sine_optimum["optimum"]
    # the local model (w - w*)^T diag(lams) (w - w*), as for the quadratic: lams = Hessian eigenvalues / 2
    lams = np.asarray(optimum["hessian_eigenvalues"]) / 2.0
    return {"sine": explore_grid("sine", loss, grad, np.asarray(optimum["w"]), lams)}
