"""Content-addressed cache keys and storage for computed results.

A key hashes everything an output depends on: the source of its function and
of every project function it reaches, its inputs (the keys of the results it
consumes, its keyword arguments) and the versions of the libraries it imports.
Change any of them and the key changes, so a stale entry is never served.
"""
import ast
import contextlib
import dis
import functools
import hashlib
import importlib
import importlib.util
import inspect
import json
import os
import sys
import types
from pathlib import Path

import numpy as np

from ..files import atomic_write_bytes

# Top-level import names whose version can change a result or a figure.
TRACKED_LIBRARIES = {"numpy": "numpy", "scipy": "scipy", "sklearn": "scikit-learn",
                     "matplotlib": "matplotlib", "PIL": "pillow"}
FORMAT = "1"  # bump when the cache layout changes


LIBRARY_ROOTS = tuple({Path(p).resolve() for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)})


@functools.cache
def _is_project_path(filename):
    """A file of the project or a lecture, not of a library or the standard library (memoized per file)."""
    if not filename:
        return False
    path = Path(filename).resolve()
    return "site-packages" not in path.parts and not any(path.is_relative_to(root) for root in LIBRARY_ROOTS)


def _is_project_object(obj):
    """A function, class or module of the project or a lecture, not of a library."""
    try:
        filename = getattr(obj, "__file__", None) if isinstance(obj, types.ModuleType) else inspect.getsourcefile(obj)
    except TypeError:
        return False
    return _is_project_path(filename)


def _code_names(code):
    """Global and attribute names a code object and its nested code objects use."""
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _code_names(const)
    return names


DATA_TYPES = (bool, int, float, complex, str, bytes, tuple, list, dict, set, frozenset, np.ndarray, np.generic)


def fingerprint(value):
    """A stable text for a data value; arrays by a hash of their bytes (repr would elide them)."""
    if isinstance(value, np.ndarray):
        return f"array({value.dtype}, {value.shape}, {hashlib.sha256(value.tobytes()).hexdigest()})"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{fingerprint(k)}: {fingerprint(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=repr) if isinstance(value, (set, frozenset)) else value
        return f"{type(value).__name__}(" + ", ".join(fingerprint(v) for v in items) + ")"
    return repr(value)


_IMPORT_NAME = dis.opmap["IMPORT_NAME"]


@functools.cache
def _local_imports(code, package):
    """Project modules imported inside a function body (`from lecturekit.x import y`).

    Read off the IMPORT_NAME instructions (memoized: figure keys share
    helpers, and disassembling them again was 40% of computing the keys).
    Only project modules are imported here: a local `import matplotlib` must
    stay unimported on a warm build.
    """
    modules, level = [], 0
    has_imports = _IMPORT_NAME in code.co_code[::2]  # opcodes sit at even offsets; most bodies import nothing
    for instruction in dis.get_instructions(code) if has_imports else ():
        if instruction.opname == "LOAD_CONST" and isinstance(instruction.argval, int):
            level = instruction.argval
        elif instruction.opname == "IMPORT_NAME":
            name = instruction.argval
            if level:
                name = ".".join(package.split(".")[: len(package.split(".")) - level + 1] + ([name] if name else []))
            top_spec = _top_spec(name.split(".")[0])
            if top_spec is not None and _is_project_path(top_spec.origin or next(iter(
                    top_spec.submodule_search_locations or []), "")):
                try:
                    modules.append(importlib.import_module(name))
                except ImportError:
                    pass
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            modules += _local_imports(const, package)
    return modules


def _top_spec(top):
    """Where a top-level package lives, without importing it (None if unknown)."""
    module = sys.modules.get(top)
    if module is not None:
        return getattr(module, "__spec__", None) or types.SimpleNamespace(
            origin=getattr(module, "__file__", None), submodule_search_locations=getattr(module, "__path__", None))
    try:
        return importlib.util.find_spec(top)
    except (ImportError, ValueError):
        return None


def _referenced(fn):
    """What `fn` names: project functions/classes, module-level data, and libraries."""
    names = _code_names(fn.__code__)
    cells = {}
    for name, cell in zip(fn.__code__.co_freevars, fn.__closure__ or ()):
        try:
            cells[name] = cell.cell_contents
            names.add(name)
        except ValueError:  # an empty cell
            pass
    found, libraries, constants = [], set(), []
    local = {}
    for module in _local_imports(fn.__code__, fn.__globals__.get("__package__") or ""):
        local[module.__name__] = module
        found += [getattr(module, n) for n in names if inspect.isfunction(getattr(module, n, None))
                  or inspect.isclass(getattr(module, n, None))]
    for name in names:
        top = name.split(".")[0]
        if top in TRACKED_LIBRARIES:
            libraries.add(top)
        obj = cells[name] if name in cells else fn.__globals__.get(name, local.get(name))
        if isinstance(obj, types.ModuleType):
            libraries.update({obj.__name__.split(".")[0]} & TRACKED_LIBRARIES.keys())
            if _is_project_object(obj):  # module.attr: the attributes are in co_names too
                found += [getattr(obj, n) for n in names
                          if inspect.isfunction(getattr(obj, n, None)) or inspect.isclass(getattr(obj, n, None))]
        elif (inspect.isfunction(obj) or inspect.isclass(obj)) and _is_project_object(obj):
            found.append(obj)
        elif isinstance(obj, DATA_TYPES) and (name in cells or name in fn.__globals__):
            constants.append(f"{fn.__module__}.{name} = {fingerprint(obj)}")  # e.g. a table of inputs
    return found, libraries, constants


@functools.cache
def object_source(obj):
    """The code of a function or class, named, for its key (memoized: keys of many figures share helpers).

    Docstrings and comments are left out: rewording them changes no result
    and should redraw no figure.
    """
    node = _definition(obj)
    if node is not None:
        text = ast.unparse(node)
    else:
        try:
            text = inspect.getsource(obj)
        except (OSError, TypeError):  # source unavailable: fall back to the compiled code
            code = getattr(obj, "__code__", None)
            text = repr((code.co_code, code.co_consts, code.co_names)) if code else ""
    return f"{obj.__module__}.{obj.__qualname__}\n{text}"


def _definition(obj):
    """The syntax tree of a function or class, docstrings removed; None if its file does not show it."""
    try:
        filename = inspect.getsourcefile(obj)
        text = Path(filename).read_text(encoding="utf-8")
    except (TypeError, OSError):
        return None
    by_line, by_name = _definitions(text)
    node = by_line.get(obj.__code__.co_firstlineno) if inspect.isfunction(obj) else by_name.get(obj.__qualname__)
    return node if node is not None and node.name == obj.__name__ else None


@functools.cache
def _definitions(text):
    """Every def and class of a module's text, docstrings removed: by first line (decorators
    included, as in co_firstlineno) and by qualified name. One parse serves all of a file's keys."""
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return {}, {}
    by_line, by_name = {}, {}

    def visit(statements, prefix):  # statements only: definitions are statements
        for node in statements:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                if ast.get_docstring(node):
                    node.body = node.body[1:] or [ast.Pass()]
                by_line[min([d.lineno for d in node.decorator_list] + [node.lineno])] = node
                by_name[prefix + node.name] = node
                visit(node.body, prefix + node.name + ("." if isinstance(node, ast.ClassDef) else ".<locals>."))
            else:  # if, for, while, with, try: their blocks
                for block in ("body", "orelse", "finalbody", "handlers"):
                    visit(getattr(node, block, []), prefix)
    visit(tree.body, "")
    return by_line, by_name


@functools.cache
def source_closure(fn):
    """Sources of `fn` and of every project function it reaches, and the libraries used."""
    seen, sources, libraries, todo = set(), [], {"numpy"}, [fn]
    while todo:
        obj = inspect.unwrap(todo.pop())
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        sources.append(object_source(obj))
        members = [obj] if inspect.isfunction(obj) else [
            m for m in vars(obj).values()
            if inspect.isfunction(m) and not m.__code__.co_filename.startswith("<")  # e.g. dataclass __init__
        ] if inspect.isclass(obj) else []
        for member in members:
            found, libs, constants = _referenced(member)
            todo += found
            libraries |= libs
            sources += constants
    return sorted(set(sources)), sorted(libraries)


@functools.cache
def library_version(top_level_name):
    """Installed version of a tracked library (memoized: metadata lookups are slow)."""
    import importlib.metadata  # here: a build whose keys are remembered never needs it
    try:
        return importlib.metadata.version(TRACKED_LIBRARIES[top_level_name])
    except importlib.metadata.PackageNotFoundError:
        return "absent"


_MEMO = {"keys": None}


def source_fingerprint(roots):
    """Digest of every Python file under `roots` and of the installed distributions."""
    h = hashlib.sha256()
    for root in roots:
        for path in sorted(Path(root).rglob("*.py")) if Path(root).is_dir() else [Path(root)]:
            h.update(str(path).encode())
            h.update(path.read_bytes())
    for folder in sorted({p for p in sys.path if p.endswith("site-packages") and Path(p).is_dir()}):
        h.update("\n".join(sorted(os.listdir(folder))).encode())  # dist-info names carry versions
    return h.hexdigest()


@contextlib.contextmanager
def remembered_keys(path, fingerprint):
    """Within a build, reuse the last build's keys while no source file and no library changed.

    Working out a key means reading the source of every function it reaches;
    while the `fingerprint` of all sources (see source_fingerprint) is
    unchanged, the keys are too. New keys are saved when the block succeeds.
    """
    try:
        stored = json.loads(Path(path).read_text())
    except (OSError, ValueError):
        stored = {}
    keys = stored.get("keys", {}) if stored.get("fingerprint") == fingerprint else {}
    known = len(keys)
    _MEMO["keys"] = keys
    try:
        yield
        if len(keys) != known:
            atomic_write_bytes(path, json.dumps({"fingerprint": fingerprint, "keys": keys}, sort_keys=True).encode())
    finally:
        _MEMO["keys"] = None


def make_key(fn, inputs):
    """Hex digest of a function's source closure, its inputs and library versions."""
    memo = _MEMO["keys"]
    if memo is not None:
        name = f"{fn.__module__}:{fn.__qualname__}:{json.dumps(inputs, sort_keys=True, default=repr)}"
        if name not in memo:
            memo[name] = _make_key(fn, inputs)
        return memo[name]
    return _make_key(fn, inputs)


def _make_key(fn, inputs):
    sources, libraries = source_closure(fn)
    payload = {
        "format": FORMAT,
        "python": sys.version_info[:2],
        "sources": sources,
        "libraries": {name: library_version(name) for name in libraries},
        "inputs": inputs,
    }
    return digest(payload)


def split_arrays(value, prefix=""):
    """Separate numpy arrays (figure data) from plain values (published numbers).

    Returns (plain, arrays): `plain` is `value` without its arrays, `arrays`
    maps the dotted path of each array to the array.
    """
    if isinstance(value, np.ndarray):
        return _ARRAY, {prefix: value}
    if isinstance(value, (dict, list, tuple)):
        items = value.items() if isinstance(value, dict) else enumerate(value)
        plain, arrays = {} if isinstance(value, dict) else [], {}
        for key, item in items:
            kept, found = split_arrays(item, f"{prefix}.{key}" if prefix else str(key))
            arrays.update(found)
            if isinstance(plain, list):
                plain.append(None if kept is _ARRAY else kept)
            elif kept is not _ARRAY:
                plain[str(key)] = kept
        return plain, arrays
    return (value.item() if isinstance(value, np.generic) else value), {}  # numpy scalars become numbers


_ARRAY = object()  # marks a value that went to the arrays


def join_arrays(plain, arrays):
    """Inverse of split_arrays; fills in `plain`, a tree fresh from JSON, and returns it."""
    result = plain
    for path, array in arrays.items():
        *parents, last = path.split(".")
        node = result
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node.setdefault(part, {})
        if isinstance(node, list):
            node[int(last)] = array
        else:
            node[last] = array
    return result


class ResultCache:
    """Computed results on disk: `<key>.json` for plain values, `<key>.npz` for arrays."""

    def __init__(self, folder):
        self.folder = Path(folder)

    def _paths(self, key):
        return self.folder / f"{key}.json", self.folder / f"{key}.npz"

    def contains(self, key):
        """Whether a result is stored under `key` (its .json is written last)."""
        return self._paths(key)[0].is_file()

    def load_plain(self, key):
        """Published values of a cached entry, or None when absent or unreadable."""
        json_path, _ = self._paths(key)
        try:
            return json.loads(json_path.read_text())
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as error:
            print(f"warning: cache entry {json_path} unreadable ({error}); recomputing", file=sys.stderr)
            return None

    def load(self, key):
        """The full result (plain values and arrays), or None."""
        plain = self.load_plain(key)
        if plain is None:
            return None
        json_path, npz_path = self._paths(key)
        try:
            with np.load(npz_path) as npz:
                arrays = {name: npz[name] for name in npz.files}
        except FileNotFoundError:
            arrays = {}
        except (OSError, ValueError) as error:
            print(f"warning: cache entry {npz_path} unreadable ({error}); recomputing", file=sys.stderr)
            return None
        return join_arrays(plain["value"], arrays)

    def store(self, key, value):
        """Save a result; arrays first, so a present .json implies complete arrays."""
        plain, arrays = split_arrays(value)
        json_path, npz_path = self._paths(key)
        if arrays:
            import io
            buffer = io.BytesIO()
            np.savez(buffer, **arrays)
            atomic_write_bytes(npz_path, buffer.getvalue())
        atomic_write_bytes(json_path, json.dumps({"value": plain}, sort_keys=True).encode())
        return plain


def digest(*parts):
    """Short hex digest of JSON-able parts."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=repr).encode()).hexdigest()[:24]


def cached_text(folder, key, produce):
    """Text stored under `key`, produced (and stored) only when absent."""
    path = Path(folder) / f"{key}.txt"
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = produce()
        atomic_write_bytes(path, text.encode("utf-8"))
        return text
