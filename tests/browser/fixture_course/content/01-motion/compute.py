"""A short descent run on an elongated quadratic bowl."""
import numpy as np

from lecturekit.engine.registry import computation

A = np.diag([2.0, 8.0])  # Hessian of f(w) = w1^2 + 4 w2^2


@computation
def run():
    lr, steps = 0.2, 12
    w = np.array([-2.5, 1.2])
    path = [w.copy()]
    for _ in range(steps):
        w = w - lr * (A @ w)
        path.append(w.copy())
    path = np.array(path)
    losses = path[:, 0] ** 2 + 4 * path[:, 1] ** 2
    return {"lr": lr, "steps": steps, "path": path, "losses": losses}
