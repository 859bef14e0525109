"""results.json is a public interface: every path the lecture spec promises is there."""
import math
from pathlib import Path

import pytest

from lecturekit.engine.compute import compute_lecture, dependency_order
from lecturekit.engine.store import Store

ROOT = Path(__file__).resolve().parents[1]
RUNS = ("logistic_gd", "sine_gd", "sine_curve", "logistic_curve", "parabola_diverge",
        "quad_axis", "quad_lr1", "quad_lr09", "quad_momentum", "sine_momentum")
RUN_FIELDS = ("start", "lr", "beta", "epochs", "path_length", "final", "final_loss", "converged")


@pytest.fixture(scope="module")
def published(lecture):
    tree = {}
    compute_lecture(lecture, Store(ROOT / ".cache" / "store", ROOT / "figures"),
                    dependency_order(lecture.computations, lecture.folder),
                    lambda name, key, values, read, seconds: tree.setdefault(
                        next(s.into for s in lecture.computations if s.name == name), {}).update(values))
    return tree


def at(tree, path):
    for part in path.split("."):
        tree = tree[part]
    return tree


@pytest.mark.parametrize("path", [
    "basics.p1.minimizer", "basics.p1.minimum", "basics.p2.minimizers", "basics.p2.minimum",
    "basics.p3.stationary_points", "basics.p3.global_minimizer",
    "logistic.n_samples", "logistic.class_counts", "logistic.guesses", "logistic.grid_best",
    "logistic.grid_best_loss", "sine.grid_best", "sine.grid_best_loss",
    "quick_checks.logistic_1d.best_w", "quick_checks.squared_1d.best_w", "quick_checks.offset_logistic.grid_best",
    "logistic.grad_check.w", "logistic.grad_check.grad", "sine.grad_check.w", "sine.grad_check.grad",
    "logistic.optimum.w", "logistic.optimum.loss", "logistic.optimum.newton_steps",
    "sine.optimum.w", "sine.optimum.loss", "sine.optimum.newton_steps", "sine.convex_fraction",
    *[f"quadratic.{name}" for name in ("condition_number", "max_stable_lr", "best_lr", "best_rate",
                                        "heavy_ball_lr", "heavy_ball_beta", "heavy_ball_rate")],
    *[f"{model}.taylor.{name}" for model in ("logistic", "sine")
      for name in ("w", "loss", "grad", "hessian", "eigenvalues", "eigenvectors")],
    *[f"runs.{run}.{name}" for run in RUNS for name in RUN_FIELDS],
])
def test_contract_path_exists(published, path):
    assert at(published, path) is not None or path.endswith(".beta")


def test_shapes_of_the_contract(published):
    assert all(set(p) >= {"w", "f", "kind"} for p in published["basics"]["p3"]["stationary_points"])
    assert all(set(g) >= {"w", "loss", "accuracy"} for g in published["logistic"]["guesses"])
    assert len(published["quick_checks"]["offset_logistic"]["grid_best"]) == 2  # [b, w]
    assert isinstance(published["sine"]["convex_fraction"], float)
    for model in ("logistic", "sine"):
        taylor = published[model]["taylor"]
        assert taylor["eigenvalues"] == sorted(taylor["eigenvalues"])
        assert len(taylor["eigenvectors"]) == 2 and all(len(row) == 2 for row in taylor["eigenvectors"])
    for run in RUNS:
        entry = published["runs"][run]
        assert (entry["beta"] is None) == (run not in ("quad_momentum", "sine_momentum"))
        assert entry["path_length"] <= entry["epochs"] + 1 and math.isfinite(entry["final_loss"])


# Section 9 and "Newton's method where it fails" (their run entries count every SGD update, so they stand apart).
SGD_RUNS = ("sgd_b1", "sgd_b32")


@pytest.mark.parametrize("path", [
    "sgd.variance", *[f"runs.{run}.{name}" for run in SGD_RUNS for name in RUN_FIELDS],
    *[f"sine.newton_failure.{name}" for name in ("start", "end", "grad_norm", "eigenvalues", "steps")],
])
def test_contract_path_exists_sgd_and_newton_failure(published, path):
    assert at(published, path) is not None or path.endswith(".beta")


def test_shapes_of_the_contract_sgd_and_newton_failure(published):
    assert all(set(v) >= {"batch_size", "measured", "predicted"} for v in published["sgd"]["variance"])
    assert [v["batch_size"] for v in published["sgd"]["variance"]] == [1, 4, 16, 64, 256]
    for run in SGD_RUNS:
        entry = published["runs"][run]
        assert entry["beta"] is None and entry["start"] == [0.0, 0.0] and math.isfinite(entry["final_loss"])
    failure = published["sine"]["newton_failure"]
    assert len(failure["start"]) == len(failure["end"]) == 2 and isinstance(failure["steps"], int)
    assert failure["eigenvalues"] == sorted(failure["eigenvalues"])
