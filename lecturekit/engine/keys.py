"""What a computation or a figure depends on, hashed into its key: content, never names.

A key hashes the source of a function and of every project function and
class it reaches, the values of the module-level data and closure cells they
name, the keys of its inputs, the versions of the libraries it touches, and
(see reads.py) the content of the files it read. What a function names is
read from its syntax tree (see sources.py). A value the key cannot see
through is an Opaque error, not a silent repr.
"""
import dataclasses
import enum
import functools
import hashlib
import inspect
import json
import re
import sys
import types
from pathlib import Path

from .sources import (definition, global_names, is_project_file, local_imports, node_facts, project_module,
                      scope_table, source_file)

FORMAT = "3"  # bump when what a key covers changes
DISTRIBUTIONS = {"sklearn": "scikit-learn", "PIL": "pillow", "yaml": "PyYAML"}  # import name -> distribution


DYNAMIC_LOOKUPS = {"globals", "vars", "locals", "eval", "exec", "__import__", "import_module"}


class Opaque(Exception):
    """A value (or function) whose content a key cannot capture."""


def digest(*parts):
    """Short hex digest of JSON-able parts (any other value is an error, never a repr)."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=_refuse).encode()).hexdigest()[:32]


def _refuse(value):
    raise Opaque(f"a {type(value).__name__} cannot be part of a key")


@functools.cache
def library_version(top):
    """Versions of a top-level import name's distribution and of all it requires, transitively
    (scikit-learn's result changes with SciPy's version too); "" for the standard library."""
    if top in sys.stdlib_module_names:
        return ""
    versions = {}
    for name in (DISTRIBUTIONS.get(top, top), top):
        _distribution_versions(name, versions)
        if versions:
            break
    return ", ".join(f"{name} {version}" for name, version in sorted(versions.items())) or "unknown"


def _distribution_versions(name, versions):
    """Add `name`'s version and, recursively, its requirements' (extras left out) to `versions`."""
    import importlib.metadata  # here: a build that reuses its lectures never needs it
    key = re.sub(r"[-_.]+", "-", name).lower()
    if key in versions:
        return
    try:
        distribution = importlib.metadata.distribution(name)
    except importlib.metadata.PackageNotFoundError:
        return
    versions[key] = distribution.version
    for requirement in distribution.requires or ():
        if "extra ==" not in requirement.replace("extra==", "extra =="):
            _distribution_versions(re.match(r"[A-Za-z0-9._-]+", requirement).group(0), versions)


class Closure:
    """Collects what a definition names: key text, the project definitions it reaches, libraries, files."""

    def __init__(self):
        self.parts, self.reached, self.libraries, self.files = [], [], set(), set()

    def references(self, obj):
        """Describe the definition `obj` itself: its source, and every name its functions read."""
        node, filename = definition(obj)
        if node is None:
            raise Opaque(f"the source of {obj.__module__}.{obj.__qualname__} cannot be read "
                         "(define it with `def` in a file)")
        self.files.add(filename)
        self.parts.append(f"{obj.__qualname__}\n{node_facts(node)[0]}")  # content, not where it lives
        if inspect.isclass(obj):
            for base in obj.__bases__:
                self.describe(base, f"base of {obj.__qualname__}")
            members = [(a, m) for a, m in vars(obj).items() if not isinstance(m, property)]
            members += [(a, f) for a, m in vars(obj).items() if isinstance(m, property)
                        for f in (m.fget, m.fset, m.fdel) if f is not None]
            for attribute, member in members:
                member = getattr(member, "__func__", member)  # staticmethod, classmethod
                if inspect.isfunction(member) and is_project_file(member.__code__.co_filename):
                    self._names(member, definition(member)[0] or node, filename)
                elif not attribute.startswith("__") and not hasattr(type(member), "__get__"):  # no descriptors
                    # a class attribute as it is now: set in the body from a global, or assigned later
                    self.parts.append(f"{obj.__qualname__}.{attribute} = {self.describe(member, attribute)}")
        else:
            self._names(obj, node, filename)
            wrapped = getattr(obj, "__wrapped__", None)  # a decorator's wrapper: follow what it wraps too
            if wrapped is not None:
                self.parts.append(f"{obj.__qualname__} wraps {self.describe(wrapped, 'the wrapped function')}")

    def _names(self, fn, node, filename):
        """Describe every global, closure cell and project import the function `fn` reads."""
        code = fn.__code__
        table = scope_table(filename, code.co_qualname, code.co_firstlineno)
        names = global_names(table) if table is not None else set()
        dynamic = sorted(names & DYNAMIC_LOOKUPS - set(fn.__globals__))
        if dynamic:
            raise Opaque(f"{code.co_qualname} looks names up at run time with {dynamic[0]}(): the key cannot see "
                         "what it reads; name the function or value directly")
        values = {n: fn.__globals__[n] for n in sorted(names) if n in fn.__globals__}
        # Default arguments are evaluated where the function is defined: what they hold is read too.
        for i, default in enumerate(fn.__defaults__ or ()):
            values[f"<default {i}>"] = default
        for name, default in (fn.__kwdefaults__ or {}).items():
            values[f"<default {name}>"] = default
        for name, cell in zip(code.co_freevars, fn.__closure__ or ()):
            try:
                values[name] = cell.cell_contents
            except ValueError:  # a cell not yet filled
                pass
        _, chains, imports, looked_up = node_facts(node)
        bound, libraries = local_imports(imports, fn.__globals__.get("__package__") or "")
        self.libraries |= libraries
        values.update(bound)
        for name in looked_up:
            if isinstance(values.get(name), types.ModuleType) and project_module(values[name]):
                raise Opaque(f"{code.co_qualname} looks names up at run time with getattr({name}, ...): the key "
                             "cannot see what it reads; name the function or value directly")
        for name in sorted(values):
            self.parts.append(f"{fn.__qualname__}:{name} = {self.describe(values[name], name)}")
        for chain in chains:
            value = values.get(chain[0])
            for i, attr in enumerate(chain[1:], 2):
                if not isinstance(value, types.ModuleType) or not project_module(value):
                    break
                value = getattr(value, attr, None)
                label = ".".join(chain[:i])
                self.parts.append(f"{fn.__qualname__}:{label} = {self.describe(value, label)}")

    def describe(self, value, name="a value"):
        """A text that changes whenever `value` does; follows project functions and classes."""
        if value is None or isinstance(value, (bool, int, float, complex, str, bytes)):
            return repr(value)
        if isinstance(value, types.ModuleType):
            if project_module(value):  # what is read from it is described through its attributes
                self.files.add(value.__file__)
                return "project module"
            self.libraries.add(value.__name__.split(".")[0])
            return f"module {value.__name__}"
        if inspect.isfunction(value) or inspect.isclass(value):
            if is_project_file(source_file(value)):
                self.reached.append(value)  # not unwrapped: a decorator's wrapper is code that runs too
                return f"followed {value.__qualname__}"
            return self._library(value)
        if isinstance(value, (types.BuiltinFunctionType, types.MethodWrapperType)) or type(value).__name__ == "ufunc":
            return self._library(value)
        if isinstance(value, (list, tuple)):
            return f"{type(value).__name__}({', '.join(self.describe(v, name) for v in value)})"
        if isinstance(value, (set, frozenset)):
            return f"{type(value).__name__}({', '.join(sorted(self.describe(v, name) for v in value))})"
        if isinstance(value, dict):
            return "{" + ", ".join(f"{self.describe(k, name)}: {self.describe(v, name)}"
                                   for k, v in value.items()) + "}"
        if isinstance(value, functools.partial):
            return f"partial({self.describe(value.func, name)}, {self.describe(value.args, name)}, " \
                   f"{self.describe(value.keywords, name)})"
        if isinstance(value, types.MethodType):
            return f"method({self.describe(value.__func__, name)}, {self.describe(value.__self__, name)})"
        if isinstance(value, (staticmethod, classmethod)):
            return f"{type(value).__name__}({self.describe(value.__func__, name)})"
        if isinstance(value, enum.Enum):
            return f"{self.describe(type(value), name)}.{value.name}"
        if isinstance(value, Path):
            return f"Path({str(value)!r})"
        if isinstance(value, re.Pattern):
            return f"re({value.pattern!r}, {value.flags})"
        if type(value).__module__ == "numpy":
            self.libraries.add("numpy")
            if type(value).__name__ == "ndarray" and not value.dtype.hasobject:
                return f"array({value.dtype.str}, {value.shape}, {hashlib.sha256(value.tobytes()).hexdigest()})"
            if type(value).__name__ != "ndarray" and hasattr(value, "dtype"):
                return f"{value.dtype.str}({value!r})"
            if isinstance(value, type):
                return self._library(value)
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            fields = ", ".join(f"{f.name}={self.describe(getattr(value, f.name), name)}"
                               for f in dataclasses.fields(value))
            return f"{self.describe(type(value), name)}({fields})"
        raise Opaque(f"the key cannot see through `{name}`, a {type(value).__module__}."
                     f"{type(value).__qualname__}; make it plain data (numbers, strings, tuples, dicts, "
                     "arrays, dataclasses) or a function")

    def _library(self, value):
        module = getattr(value, "__module__", None) or ""
        top = module.split(".")[0]
        if top and top not in ("builtins",):
            self.libraries.add(top)
        return f"library {module}.{getattr(value, '__qualname__', getattr(value, '__name__', '?'))}"


@functools.cache
def _own(obj):
    """What one definition contributes to every closure that reaches it (memoized: figures share helpers)."""
    collector = Closure()
    collector.references(obj)
    return tuple(collector.parts), tuple(collector.reached), frozenset(collector.libraries), \
        frozenset(collector.files)


@functools.cache
def source_closure(fn):
    """(parts, libraries, files) of a function and of every project definition it reaches."""
    parts, libraries, files, seen, todo = [], {"numpy"}, set(), set(), [fn]
    while todo:
        obj = todo.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        own, reached, libs, fs = _own(obj)
        parts += own
        libraries |= libs
        files |= fs
        todo += reversed(reached)
    return tuple(parts), tuple(sorted(libraries)), tuple(sorted(files))


def make_key(fn, inputs, where):
    """Key of calling `fn` with `inputs` (JSON-able: input keys, described arguments); `where` names it in errors."""
    try:
        parts, libraries, _ = source_closure(fn)
        return digest(FORMAT, sys.version_info[:2], parts, {n: library_version(n) for n in libraries}, inputs)
    except Opaque as error:
        raise Opaque(f"{where}: {error}") from None


def describe_arguments(kwargs, where):
    """Keyword arguments as key material: their description and the closure of any function among them."""
    collector = Closure()
    try:
        described = {name: collector.describe(value, name) for name, value in sorted(kwargs.items())}
        closures = [source_closure(obj)[0] for obj in collector.reached]
    except Opaque as error:
        raise Opaque(f"{where}: {error}") from None
    return [described, closures, sorted(collector.libraries)]
