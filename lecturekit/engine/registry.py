"""How lecture code declares its computations and figures.

A lecture's `compute.py` marks functions with `@computation`, its
`figures.py` with `@figure`. A function's parameters name the computations
it needs (as in pytest fixtures); the engine resolves them, so the
dependency graph is read off the signatures and nothing is registered twice.
"""
import inspect
from dataclasses import dataclass, field
from typing import Callable

MARK = "__lecturekit__"


@dataclass(frozen=True)
class Computation:
    """A pure function whose returned dict becomes part of the lecture's results.

    Plain Python values (numbers, strings, lists, dicts) are published in
    results.json under `into` (default: the function name); numpy arrays are
    data for figures only.
    """
    name: str
    fn: Callable
    into: str
    deps: tuple

    @property
    def where(self):
        return declared_at(self.fn)


@dataclass(frozen=True)
class FigureSpec:
    """A function of computed results that returns a figure (PNG) or an animation (GIF).

    Specs with the same `group` are drawn by one call of `fn`, which gets
    `variants` (figure name -> keyword arguments) and returns name -> figure.
    A `narrow` spec is drawn twice: again with narrow=True, for phones.
    """
    name: str
    fn: Callable
    deps: tuple
    kwargs: dict = field(default_factory=dict)
    group: str = None
    narrow: bool = False

    @property
    def where(self):
        return declared_at(self.fn)


def declared_at(fn):
    """(file, line) of a decorated function's definition, for errors."""
    code = getattr(fn, "__code__", None)
    return (code.co_filename, code.co_firstlineno) if code else (None, None)


def _dependencies(fn, fixed=()):
    """Parameter names of `fn` that are not fixed keyword arguments."""
    return tuple(p for p in inspect.signature(fn).parameters if p not in fixed)


def computation(fn=None, *, name=None, into=None):
    """Mark `fn` as a computation named `name` (default: the function name).

    Figures and other computations name it as a parameter; `into` names the
    results namespace the prose reads its published values from (default: its name).
    """
    def mark(fn):
        setattr(fn, MARK, [Computation(name or fn.__name__, fn, into or name or fn.__name__, _dependencies(fn))])
        return fn
    return mark(fn) if fn is not None else mark


NARROW = "narrow"  # the parameter of a figure function that can also draw itself for a phone's screen


def figure(fn=None, *, name=None, each=None, together=False):
    """Mark `fn` as a figure named `name` (default: the function name, `_` as `-`).

    `each` maps figure names to keyword arguments, for one function that
    draws several figures (one GIF per descent run, say). With `together`,
    the function is called once for all of them, with `variants=each`, and
    returns a dict of figures by name: a family sharing one background can
    then draw it once. A function with a parameter `narrow` is called twice
    for each figure: with narrow=False for the page column, and with
    narrow=True for a phone (its panels stacked, say), shown on narrow screens.
    """
    def mark(fn):
        variants = each or {name or fn.__name__.replace("_", "-"): {}}
        narrow = NARROW in inspect.signature(fn).parameters
        if together:
            if narrow:
                raise TypeError(f"figure {fn.__qualname__}: a figure drawn together with others has no narrow "
                                "variant; drop the narrow parameter or draw the figures one by one")
            specs = [FigureSpec(figure_name, fn, _dependencies(fn, {"variants"}), dict(kwargs), fn.__qualname__)
                     for figure_name, kwargs in variants.items()]
        else:
            specs = [FigureSpec(figure_name, fn, _dependencies(fn, {*kwargs, NARROW}), dict(kwargs), narrow=narrow)
                     for figure_name, kwargs in variants.items()]
        setattr(fn, MARK, specs)
        return fn
    return mark(fn) if fn is not None else mark


def declared(module, kind):
    """The computations or figures a module declares, in source order (not those it imports)."""
    objects = {id(obj): obj for obj in vars(module).values()}.values()  # a function bound to two names counts once
    return [spec for obj in objects for spec in getattr(obj, MARK, [])
            if isinstance(spec, kind) and getattr(obj, "__module__", None) == module.__name__]
