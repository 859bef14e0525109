"""The order computations run in: dependencies first, figures' needs early."""
import sys
import types

import numpy as np
import pytest

from lecturekit.engine.compute import dependency_order, figures_first_order, imports_a_new_library
from lecturekit.engine.errors import BuildError
from lecturekit.engine.registry import Computation


def specs(graph):
    """Computations from {name: (deps...)}, declared in the dict's order."""
    return [Computation(name, None, name, tuple(deps)) for name, deps in graph.items()]


GRAPH = {"slow_data": (), "model": ("slow_data",), "unused": (), "grid": (), "paths": ("grid",),
         "fast_data": ()}


def names(order):
    return [spec.name for spec in order]


def test_every_computation_comes_after_its_inputs_and_once():
    needs = [(1, ("model",)), (48, ("paths",)), (2, ("fast_data",))]
    order = names(figures_first_order(specs(GRAPH), needs, "here"))
    assert sorted(order) == sorted(GRAPH)
    for name, deps in GRAPH.items():
        assert all(order.index(dep) < order.index(name) for dep in deps)


def test_the_figures_that_need_least_per_image_are_unblocked_first():
    # 48 images behind two quick computations go before one image behind slow data.
    needs = [(1, ("model",)), (48, ("paths",)), (2, ("fast_data",))]
    order = names(figures_first_order(specs(GRAPH), needs, "here"))
    assert order[:3] == ["grid", "paths", "fast_data"]
    assert order.index("model") < order.index("unused")   # what no figure needs comes last


def test_figures_behind_a_computation_that_is_slow_to_start_come_last():
    needs = [(2, ("model",)), (1, ("paths",))]  # one computation per image, against two
    assert names(figures_first_order(specs(GRAPH), needs, "here"))[:2] == ["slow_data", "model"]
    order = names(figures_first_order(specs(GRAPH), needs, "here", slow_to_start={"slow_data"}))
    assert order[:4] == ["grid", "paths", "slow_data", "model"]


def test_a_computation_using_a_library_not_yet_loaded_is_slow_to_start(monkeypatch):
    def uses_numpy():
        return np.zeros(1)

    def uses_scikit_learn():
        import sklearn.datasets
        return sklearn.datasets

    monkeypatch.delitem(sys.modules, "sklearn", raising=False)
    assert imports_a_new_library(Computation("b", uses_scikit_learn, "b", ()))
    assert not imports_a_new_library(Computation("a", uses_numpy, "a", ()))
    monkeypatch.setitem(sys.modules, "sklearn", types.ModuleType("sklearn"))
    assert not imports_a_new_library(Computation("b", uses_scikit_learn, "b", ()))


def test_without_figures_it_is_the_dependency_order():
    assert names(figures_first_order(specs(GRAPH), [], "here")) == names(dependency_order(specs(GRAPH), "here"))


def test_a_cycle_is_still_reported():
    with pytest.raises(BuildError, match="cycle"):
        figures_first_order(specs({"a": ("b",), "b": ("a",)}), [(1, ("a",))], "here")
