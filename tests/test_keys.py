"""Keys are content, never names: they change exactly when what a function depends on changes.

These tests need only numpy and pytest, and run on every supported Python (see `make test`).
"""
import importlib.util
import itertools
import sys
import textwrap

import numpy as np
import pytest

from lecturekit.engine import keys
from lecturekit.engine.keys import Opaque, describe_arguments, make_key

_names = itertools.count()


@pytest.fixture
def module(tmp_path):
    """module(source) imports `source` as a fresh module from a file; the key sees its text."""
    def load(source):
        name = f"keyed_module_{next(_names)}"
        path = tmp_path / f"{name}.py"
        path.write_text(textwrap.dedent(source))
        spec = importlib.util.spec_from_file_location(name, path)
        mod = importlib.util.module_from_spec(spec)
        sys.modules[name] = mod
        spec.loader.exec_module(mod)
        return mod
    return load


def key(fn, inputs=None):
    return make_key(fn, inputs or {}, "computation 'f'")


def test_source_and_inputs_change_the_key_but_docstrings_and_comments_do_not(module):
    plain = key(module("def f(x):\n    return 2 * x\n").f)
    assert key(module('def f(x):\n    """Twice x."""\n    # why: see the lecture\n    return 2 * x  # double\n').f) \
        == plain
    assert key(module("def f(x):\n    return 3 * x\n").f) != plain
    assert key(module("def f(x=1):\n    return 2 * x\n").f) != plain
    f = module("def f(x):\n    return 2 * x\n").f
    assert key(f, {"a": 1}) != key(f, {"a": 2}) and key(f, {"a": 1}) == key(f, {"a": 1})


def test_two_functions_of_one_name_in_two_places_with_other_code_never_share_a_key(module):
    one, two = module("def f():\n    return 1\n").f, module("def f():\n    return 2\n").f
    assert one.__qualname__ == two.__qualname__ and key(one) != key(two)


def test_factory_functions_differ_by_their_closure_cells(module):
    mod = module("""
        def scaled(k):
            def f(x):
                return k * x
            return f
        ONE, TWO, ALSO_ONE = scaled(1.0), scaled(2.0), scaled(1.0)
    """)
    assert mod.ONE.__qualname__ == mod.TWO.__qualname__
    assert key(mod.ONE) != key(mod.TWO) and key(mod.ONE) == key(mod.ALSO_ONE)


def test_helpers_reached_directly_through_modules_and_by_local_imports_are_followed(module):
    via_module = module("""
        import lecturekit.numerics.losses as losses
        def f(w, x, t):
            return losses.sine_mse(w, x, t)
    """)
    local = module("""
        def f():
            from lecturekit.numerics.grid import sine_mse_grid
            return sine_mse_grid
    """)
    for fn, reached in ((via_module.f, "def sine_predict("), (local.f, "def sine_mse_grid(")):
        assert reached in "\n".join(keys.source_closure(fn)[0])


def test_a_global_read_only_in_a_nested_scope_is_in_the_key(module):
    source = """
        TABLE = {TABLE}
        def f(xs):
            return [TABLE["lr"] * x for x in xs], (lambda: TABLE)
    """
    assert key(module(source.replace("{TABLE}", "{'lr': 0.1}")).f) != \
        key(module(source.replace("{TABLE}", "{'lr': 0.2}")).f)


def test_module_level_data_and_arrays_are_in_the_key(module):
    source = "import numpy as np\nLAMS = np.array([{0}, 1.0])\nSTART = ({1}, 2.0)\n" \
             "def f():\n    return LAMS * START[0]\n"
    base = key(module(source.format(0.1, 1.0)).f)
    assert key(module(source.format(0.5, 1.0)).f) != base and key(module(source.format(0.1, 1.5)).f) != base
    assert key(module(source.format(0.1, 1.0)).f) == base


def test_functions_held_in_data_and_dataclasses_are_followed(module):
    source = """
        from dataclasses import dataclass
        from typing import Callable
        def loss(w):
            return {body}
        @dataclass(frozen=True)
        class Problem:
            loss: Callable
        PROBLEM = Problem(loss)
        BY_NAME = {{"quadratic": loss}}
        def uses_dataclass(w):
            return PROBLEM.loss(w)
        def uses_dict(w):
            return BY_NAME["quadratic"](w)
    """
    one, two = module(source.format(body="w ** 2")), module(source.format(body="w ** 4"))
    assert key(one.uses_dataclass) != key(two.uses_dataclass)
    assert key(one.uses_dict) != key(two.uses_dict)


def test_a_value_the_key_cannot_see_through_is_an_error_naming_it(module):
    mod = module("""
        class Thing:
            pass
        import random
        RNG = random.Random(0)
        def f():
            return RNG.random()
    """)
    with pytest.raises(Opaque, match=r"computation 'f'.*`RNG`.*Random"):
        key(mod.f)


def test_library_versions_are_in_the_key(module, monkeypatch):
    f = module("import numpy as np\ndef f():\n    return np.zeros(2)\n").f
    before = key(f)
    monkeypatch.setattr(keys, "library_version", lambda name: "0.0-other")
    assert key(f) != before


def test_figure_arguments_are_described_not_repr_d(module):
    mod = module("def g():\n    return 1\n")
    assert describe_arguments({"index": 0}, "figure 'x'") != describe_arguments({"index": 1}, "figure 'x'")
    assert "def g()" in str(describe_arguments({"fn": mod.g}, "figure 'x'"))
    with pytest.raises(Opaque, match="figure 'x'"):
        describe_arguments({"thing": object()}, "figure 'x'")


def test_a_lambda_is_keyed_by_its_own_source(module):
    one = module("SQUARE = lambda w: w ** 2\n").SQUARE
    two = module("SQUARE = lambda w: w ** 3\n").SQUARE
    assert key(one) != key(two)


def test_the_key_is_made_on_this_python_from_the_syntax_tree():
    # The closure of a real helper names what it reaches whatever the bytecode of this Python looks like.
    from lecturekit.numerics import grid
    parts, libraries, files = keys.source_closure(grid.loss_grid)
    assert any(part.startswith("loss_grid\ndef loss_grid(") for part in parts)
    assert "numpy" in libraries and any(f.endswith("grid.py") for f in files)
    assert np.__name__ == "numpy"


@pytest.mark.parametrize("before, after", [
    ("TABLE = (1, 2)\ndef f(table=TABLE):\n    return sum(table)\n",
     "TABLE = (1, 5)\ndef f(table=TABLE):\n    return sum(table)\n"),
    ("SCALE = 2\ndef f(*, scale=SCALE):\n    return scale\n", "SCALE = 3\ndef f(*, scale=SCALE):\n    return scale\n"),
])
def test_default_arguments_are_in_the_key(module, before, after):
    assert key(module(before).f) != key(module(after).f)


DECORATED = """
import functools
FACTOR = {factor}
def scaled(factor):
    def decorate(fn):
        @functools.wraps(fn)
        def wrapper():
            return factor {op} fn()
        return wrapper
    return decorate
@scaled(FACTOR)
def f():
    return 1.0
"""


def test_a_decorator_s_wrapper_and_its_arguments_are_in_the_key(module):
    base = key(module(DECORATED.format(factor=2, op="*")).f)
    assert key(module(DECORATED.format(factor=4, op="*")).f) != base  # the decorator's argument
    assert key(module(DECORATED.format(factor=2, op="+")).f) != base  # the wrapper's code
    assert key(module(DECORATED.format(factor=2, op="*")).f) == base


def test_class_attributes_are_in_the_key_as_they_are_now(module):
    source = "SCALE = {0}\nclass Params:\n    scale = SCALE\ndef f():\n    return Params.scale\n"
    one, two = module(source.format(2.0)), module(source.format(3.0))
    assert key(one.f) != key(two.f)
    before = key(one.f)
    one.Params.scale = 5.0  # assigned after the class, as a module may do
    keys._own.cache_clear()
    keys.source_closure.cache_clear()
    assert key(one.f) != before


@pytest.mark.parametrize("body", ["return globals()['helper']()", "return getattr(mod, 'helper')()",
                                  "return eval('helper()')"])
def test_a_name_looked_up_at_run_time_is_an_error_not_a_blind_spot(module, body):
    mod = module(f"import math as _m\nimport {__name__.split('.')[0]} as _t\n"
                 f"def helper():\n    return 1\nmod = None\ndef f():\n    {body}\n")
    mod.mod = mod  # a project module, looked up by name
    with pytest.raises(Opaque, match="run time"):
        key(mod.f)


def test_getattr_on_data_is_fine(module):
    assert key(module("def f(x):\n    return getattr(x, 'real', 0)\n").f)


def test_imports_a_function_makes_that_cannot_run_here_do_not_break_its_key(module, tmp_path):
    (tmp_path / "keyed_helpers.py").write_text("DEFAULT = None\n")
    sys.path.insert(0, str(tmp_path))
    try:
        mod = module("def f():\n    from keyed_helpers import DEFAULT\n    if False:\n"
                     "        from keyed_helpers_missing import thing\n    return DEFAULT\n")
        assert key(mod.f)
    finally:
        sys.path.remove(str(tmp_path))


def test_a_library_s_version_covers_what_it_requires_too():
    pytest.importorskip("sklearn")
    versions = keys.library_version("sklearn")
    assert "scikit-learn " in versions
    assert "scipy " in versions and "numpy " in versions  # scikit-learn's results change with SciPy's version
    assert keys.library_version("json") == ""
