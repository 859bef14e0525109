"""Every descent run of the lecture, by its stable name (the spec's run table)."""
import numpy as np

from lecturekit.engine.registry import computation
from lecturekit.numerics.descent import descent_path, momentum_path, run_summary
from lecturekit.numerics.grid import loss_grid, weight_grid
from .problems import logistic_problem, parabola_problem, quadratic_problem, sine_problem

# name: (problem, start, lr, beta or None, epochs)
RUN_TABLE = {
    "logistic_gd": ("logistic", (0.0, 0.0), 10.0, None, 100),
    "sine_gd": ("sine", (1.0, 3.0), 0.2, None, 20),
    "sine_curve": ("sine", (2.5, 1.9), 0.1, None, 50),
    "logistic_curve": ("logistic", (-10.0, -5.0), 10.0, None, 100),
    "parabola_diverge": ("parabola", (2.0,), 1.08, None, 10),
    "quad_axis": ("quadratic", (-4.0, 0.0), 1.0, None, 50),
    "quad_lr1": ("quadratic", (-4.0, -2.0), 1.0, None, 50),
    "quad_lr09": ("quadratic", (-4.0, -2.0), 0.9, None, 50),
    "quad_momentum": ("quadratic", (-4.0, -2.0), 0.9, 0.3, 50),
    "sine_momentum": ("sine", (2.2, 2.2), 0.1, 0.9, 50),
}


@computation(into="runs")
def runs(breast_cancer, sine_dataset):
    """Each run's path, its loss at every step, and its summary for results.json."""
    problems = {"logistic": logistic_problem(breast_cancer), "sine": sine_problem(sine_dataset),
                "quadratic": quadratic_problem(), "parabola": parabola_problem()}
    out = {}
    for name, (problem, start, lr, beta, epochs) in RUN_TABLE.items():
        loss, grad, _ = problems[problem]
        path = (descent_path(grad, np.array(start), lr, epochs) if beta is None
                else momentum_path(grad, np.array(start), lr, beta, epochs))
        out[name] = {**run_summary(path, loss, lr, beta, epochs), "problem": problem,
                     "path": path, "losses": loss(path)}
    return out


QUADRATIC_BOX = ((-5.0, 5.0), (-5.0, 5.0))
PARABOLA_RANGE = (-10.0, 10.0)


@computation(into="quadratic")
def quadratic_surface():
    """f(w) = w^T A w on the spec's 30x30 grid over [-5, 5]^2, with its contour levels 0 to 20 in steps of 0.5."""
    loss = quadratic_problem().loss
    W1, W2 = weight_grid(*QUADRATIC_BOX, 30)
    return {"grid": {"box": [list(b) for b in QUADRATIC_BOX], "points": 30, "W1": W1, "W2": W2,
                     "L": loss_grid(loss, W1, W2), "levels": np.arange(0.0, 20.25, 0.5)}}


@computation(into="parabola")
def parabola_curve():
    """x^2 + 1 over the range the diverging run is drawn in (figure data only)."""
    loss = parabola_problem().loss
    x = np.linspace(*PARABOLA_RANGE, 400)
    return {"x": x, "f": loss(x[:, None])}
