"""What a computation or a figure depends on, hashed into its key: content, never names.

A key hashes the source of a function and of every project function and
class it reaches, the values of the module-level data and closure cells they
name, the keys of its inputs, the versions of the libraries it touches, and
(see reads.py) the content of the files it read. What a function names is
read from the syntax tree and the compiler's symbol table, never from
bytecode, so it is the same on every supported Python. A value the key
cannot see through is an Opaque error, not a silent repr.
"""
import ast
import dataclasses
import enum
import functools
import hashlib
import importlib
import importlib.util
import inspect
import json
import re
import symtable
import sys
import types
from pathlib import Path

FORMAT = "3"  # bump when what a key covers changes
LIBRARY_ROOTS = tuple({Path(p).resolve() for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)})
DISTRIBUTIONS = {"sklearn": "scikit-learn", "PIL": "pillow", "yaml": "PyYAML"}  # import name -> distribution


class Opaque(Exception):
    """A value (or function) whose content a key cannot capture."""


def digest(*parts):
    """Short hex digest of JSON-able parts (any other value is an error, never a repr)."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=_refuse).encode()).hexdigest()[:32]


def _refuse(value):
    raise Opaque(f"a {type(value).__name__} cannot be part of a key")


@functools.cache
def is_project_file(filename):
    """A file of the project or a course, not of a library or the standard library."""
    if not filename or filename.startswith("<"):
        return False
    path = Path(filename).resolve()
    return "site-packages" not in path.parts and not any(path.is_relative_to(r) for r in LIBRARY_ROOTS)


def _project_module(module):
    return is_project_file(getattr(module, "__file__", None) or "")


@functools.cache
def library_version(top):
    """Installed version of a top-level import name's distribution ("" for the standard library)."""
    import importlib.metadata  # here: a build that reuses its lectures never needs it
    if top in sys.stdlib_module_names:
        return ""
    for name in (DISTRIBUTIONS.get(top, top), top):
        try:
            return importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            pass
    return "unknown"


def _parsed(filename):
    """(definitions by first line and by qualified name, module tree, symbol table) of a source file."""
    return _parse(filename, Path(filename).read_text(encoding="utf-8"))


@functools.lru_cache(maxsize=256)
def _parse(filename, text):
    """_parsed of a file's text (memoized by content: an edited file is parsed afresh)."""
    tree = ast.parse(text)
    by_line, by_name = {}, {}

    def visit(statements, prefix):
        for node in statements:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                if ast.get_docstring(node):  # rewording a docstring changes no key
                    node.body = node.body[1:] or [ast.Pass()]
                by_line[min([d.lineno for d in node.decorator_list] + [node.lineno])] = node
                by_name[prefix + node.name] = node
                visit(node.body, prefix + node.name + ("." if isinstance(node, ast.ClassDef) else ".<locals>."))
            else:  # if, for, while, with, try: their blocks
                for block in ("body", "orelse", "finalbody", "handlers"):
                    visit(getattr(node, block, []), prefix)
    visit(tree.body, "")
    return by_line, by_name, tree, symtable.symtable(text, filename, "exec")


def _definition(obj):
    """The syntax tree of a project function or class (None for a lambda or code without a file)."""
    try:
        filename = inspect.getsourcefile(obj)
        by_line, by_name, tree, _ = _parsed(filename)
    except (TypeError, OSError, SyntaxError):
        return None, None
    if obj.__name__ == "<lambda>":  # one lambda on its line, or it cannot be told from its neighbours
        found = [n for n in ast.walk(tree) if isinstance(n, ast.Lambda) and n.lineno == obj.__code__.co_firstlineno]
        return (found[0], filename) if len(found) == 1 else (None, filename)
    node = by_line.get(obj.__code__.co_firstlineno) if inspect.isfunction(obj) else by_name.get(obj.__qualname__)
    return (node, filename) if node is not None and node.name == obj.__name__ else (None, filename)


@functools.cache
def _node_facts(node):
    """(source text without docstrings or comments, attribute chains, import statements) of a definition.

    One walk of the tree serves all three (memoized: figures share helpers).
    """
    chains, imports, stack = set(), [], [node]
    while stack:
        inner = stack.pop()
        if isinstance(inner, ast.Attribute):
            parts, value = [inner.attr], inner.value
            while isinstance(value, ast.Attribute):
                parts.append(value.attr)
                value = value.value
            if isinstance(value, ast.Name):
                chains.add((value.id, *reversed(parts)))
        elif isinstance(inner, (ast.Import, ast.ImportFrom)):
            imports.append(inner)
        stack.extend(ast.iter_child_nodes(inner))
    return ast.unparse(node), tuple(sorted(chains)), tuple(imports)


def _scope_table(filename, qualname, line):
    """The symbol table of the function `qualname` defined at `line` of `filename`."""
    table = _parsed(filename)[3]
    for part in [p.replace("<lambda>", "lambda") for p in qualname.split(".") if p != "<locals>"]:
        children = [c for c in table.get_children() if c.get_name() == part]
        if not children:
            return None
        table = min(children, key=lambda c: abs(c.get_lineno() - line))
    return table


def _global_names(table):
    """Names a scope and its nested scopes read from the module's globals."""
    names = set(table.get_globals()) if table.get_type() != "class" else set()
    if table.get_type() == "class":
        names |= {s.get_name() for s in table.get_symbols() if s.is_global()}
    for child in table.get_children():
        names |= _global_names(child)
    return names


def _local_imports(imports, package):
    """{bound name: module or object} of the project imports inside a definition; libraries as names."""
    bound, libraries = {}, set()
    for inner in imports:
        if isinstance(inner, ast.Import):
            for alias in inner.names:
                top = alias.name.split(".")[0]
                if _is_project_package(top):
                    module = importlib.import_module(alias.name)
                    bound[alias.asname or top] = module if alias.asname else importlib.import_module(top)
                else:
                    libraries.add(top)
        elif isinstance(inner, ast.ImportFrom):
            name = importlib.util.resolve_name("." * inner.level + (inner.module or ""), package) \
                if inner.level else inner.module
            if not _is_project_package(name.split(".")[0]):
                libraries.add(name.split(".")[0])
                continue
            module = importlib.import_module(name)
            for alias in inner.names:
                value = getattr(module, alias.name, None)
                if value is None:
                    value = importlib.import_module(f"{name}.{alias.name}")
                bound[alias.asname or alias.name] = value
    return bound, libraries


@functools.cache
def _is_project_package(top):
    module = sys.modules.get(top)
    if module is not None:
        return _project_module(module) or bool(getattr(module, "__path__", None)) and all(
            is_project_file(str(Path(p) / "__init__.py")) for p in module.__path__)
    spec = importlib.util.find_spec(top)
    if spec is None:
        return False
    return is_project_file(spec.origin or next(iter(spec.submodule_search_locations or []), ""))


class Closure:
    """Collects what a definition names: key text, the project definitions it reaches, libraries, files."""

    def __init__(self):
        self.parts, self.reached, self.libraries, self.files = [], [], set(), set()

    def references(self, obj):
        """Describe the definition `obj` itself: its source, and every name its functions read."""
        node, filename = _definition(obj)
        if node is None:
            raise Opaque(f"the source of {obj.__module__}.{obj.__qualname__} cannot be read "
                         "(define it with `def` in a file)")
        self.files.add(filename)
        self.parts.append(f"{obj.__qualname__}\n{_node_facts(node)[0]}")  # content, not where it lives
        if inspect.isclass(obj):
            for base in obj.__bases__:
                self.describe(base, f"base of {obj.__qualname__}")
            for member in vars(obj).values():
                member = getattr(member, "__func__", member)  # staticmethod, classmethod
                if inspect.isfunction(member) and is_project_file(member.__code__.co_filename):
                    self._names(member, _definition(member)[0] or node, filename)
        else:
            self._names(obj, node, filename)

    def _names(self, fn, node, filename):
        """Describe every global, closure cell and project import the function `fn` reads."""
        code = fn.__code__
        table = _scope_table(filename, fn.__qualname__, code.co_firstlineno)
        names = _global_names(table) if table is not None else set()
        values = {n: fn.__globals__[n] for n in sorted(names) if n in fn.__globals__}
        for name, cell in zip(code.co_freevars, fn.__closure__ or ()):
            try:
                values[name] = cell.cell_contents
            except ValueError:  # a cell not yet filled
                pass
        _, chains, imports = _node_facts(node)
        bound, libraries = _local_imports(imports, fn.__globals__.get("__package__") or "")
        self.libraries |= libraries
        values.update(bound)
        for name in sorted(values):
            self.parts.append(f"{fn.__qualname__}:{name} = {self.describe(values[name], name)}")
        for chain in chains:
            value = values.get(chain[0])
            for i, attr in enumerate(chain[1:], 2):
                if not isinstance(value, types.ModuleType) or not _project_module(value):
                    break
                value = getattr(value, attr, None)
                label = ".".join(chain[:i])
                self.parts.append(f"{fn.__qualname__}:{label} = {self.describe(value, label)}")

    def describe(self, value, name="a value"):
        """A text that changes whenever `value` does; follows project functions and classes."""
        if value is None or isinstance(value, (bool, int, float, complex, str, bytes)):
            return repr(value)
        if isinstance(value, types.ModuleType):
            if _project_module(value):  # what is read from it is described through its attributes
                self.files.add(value.__file__)
                return "project module"
            self.libraries.add(value.__name__.split(".")[0])
            return f"module {value.__name__}"
        if inspect.isfunction(value) or inspect.isclass(value):
            if is_project_file(_source_file(value)):
                self.reached.append(inspect.unwrap(value))
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


def _source_file(obj):
    code = getattr(inspect.unwrap(obj), "__code__", None)
    if code is not None:
        return code.co_filename
    try:
        return inspect.getsourcefile(obj)
    except TypeError:
        return None


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
    parts, libraries, files, seen, todo = [], {"numpy"}, set(), set(), [inspect.unwrap(fn)]
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
