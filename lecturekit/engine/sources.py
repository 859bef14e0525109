"""Reading a definition: its syntax tree, without docstrings, and the names its scope reads.

What a function names is read from the syntax tree and the compiler's symbol
table (symtable), never from bytecode, so it is the same on every supported
Python. Files are parsed once per content; their trees are shared by every key.
"""
import ast
import functools
import hashlib
import importlib
import importlib.util
import inspect
import os
import symtable
import sys
from pathlib import Path

from .errors import BuildError

LIBRARY_ROOTS = tuple({Path(p).resolve() for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)})


@functools.cache
def is_project_file(filename):
    """A file of the project or a course, not of a library or the standard library."""
    if not filename or filename.startswith("<"):
        return False
    path = Path(filename).resolve()
    return "site-packages" not in path.parts and not any(path.is_relative_to(r) for r in LIBRARY_ROOTS)


def project_module(module):
    return is_project_file(getattr(module, "__file__", None) or "")


class Changed(BuildError):
    """A source file changed while the build ran: a key made now could describe code that did not run."""


_SEEN = {}  # source file -> sha256 of its bytes when this build first saw them (imported, hashed or parsed)


def expect(filename, data):
    """Note the bytes a source file had when the build first used it (at import, or when hashed)."""
    _SEEN.setdefault(os.path.abspath(filename), hashlib.sha256(data).hexdigest())


def check_unchanged():
    """Every source file the build used still holds what it held then; else Changed, naming it."""
    for filename, sha in _SEEN.items():
        try:
            now = hashlib.sha256(Path(filename).read_bytes()).hexdigest()
        except OSError:
            now = None
        if now != sha:
            raise Changed(f"{filename} changed while the build ran; build again", filename)


def forget_seen():
    """Start a new build's record of source files (a process may build more than once)."""
    _SEEN.clear()


def _parsed(filename):
    """(definitions by first line and by qualified name, module tree, symbol table) of a source file."""
    data = Path(filename).read_bytes()
    expect(filename, data)
    if _SEEN[os.path.abspath(filename)] != hashlib.sha256(data).hexdigest():
        raise Changed(f"{filename} changed while the build ran; build again", filename)
    return _parse(filename, data.decode("utf-8"))


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


def definition(obj):
    """The syntax tree of a project function or class (None for a lambda or code without a file)."""
    try:
        filename = inspect.getsourcefile(obj)
        by_line, by_name, tree, _ = _parsed(filename)
    except (TypeError, OSError, SyntaxError):
        return None, None
    if obj.__name__ == "<lambda>":  # one lambda on its line, or it cannot be told from its neighbours
        found = [n for n in ast.walk(tree) if isinstance(n, ast.Lambda) and n.lineno == obj.__code__.co_firstlineno]
        return (found[0], filename) if len(found) == 1 else (None, filename)
    if inspect.isfunction(obj):  # its code's own name: functools.wraps gives a wrapper the wrapped one's
        node, name = by_line.get(obj.__code__.co_firstlineno), obj.__code__.co_name
    else:
        node, name = by_name.get(obj.__qualname__), obj.__name__
    return (node, filename) if node is not None and node.name == name else (None, filename)


@functools.cache
def node_facts(node):
    """(source text without docstrings or comments, attribute chains, import statements, names passed
    first to getattr) of a definition.

    One walk of the tree serves all four (memoized: figures share helpers).
    """
    chains, imports, looked_up, stack = set(), [], set(), [node]
    while stack:
        inner = stack.pop()
        if isinstance(inner, ast.Call) and isinstance(inner.func, ast.Name) and inner.func.id == "getattr" \
                and inner.args and isinstance(inner.args[0], ast.Name):
            looked_up.add(inner.args[0].id)
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
    return ast.unparse(node), tuple(sorted(chains)), tuple(imports), frozenset(looked_up)


def scope_table(filename, qualname, line):
    """The symbol table of the function `qualname` defined at `line` of `filename`."""
    table = _parsed(filename)[3]
    for part in [p.replace("<lambda>", "lambda") for p in qualname.split(".") if p != "<locals>"]:
        children = [c for c in table.get_children() if c.get_name() == part]
        if not children:
            return None
        table = min(children, key=lambda c: abs(c.get_lineno() - line))
    return table


def global_names(table):
    """Names a scope and its nested scopes read from the module's globals."""
    names = set(table.get_globals()) if table.get_type() != "class" else set()
    if table.get_type() == "class":
        names |= {s.get_name() for s in table.get_symbols() if s.is_global()}
    for child in table.get_children():
        names |= global_names(child)
    return names


def local_imports(imports, package):
    """{bound name: module or object} of the project imports inside a definition; libraries as names.

    What a project module reads as it is imported here is noted like a lecture's import reads.
    """
    from . import reads
    with reads.recording() as found:
        bound, libraries = _local_imports(imports, package)
    reads.note_import_reads(found)
    return bound, libraries


def _local_imports(imports, package):
    bound, libraries = {}, set()
    for inner in imports:
        try:
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
                    value = getattr(module, alias.name, _MISSING)
                    bound[alias.asname or alias.name] = importlib.import_module(f"{name}.{alias.name}") \
                        if value is _MISSING else value
        except ImportError:  # an import that cannot run here (a branch not taken): its text is in the key
            continue
    return bound, libraries


_MISSING = object()


@functools.cache
def _is_project_package(top):
    module = sys.modules.get(top)
    if module is not None:
        return project_module(module) or bool(getattr(module, "__path__", None)) and all(
            is_project_file(str(Path(p) / "__init__.py")) for p in module.__path__)
    spec = importlib.util.find_spec(top)
    if spec is None:
        return False
    return is_project_file(spec.origin or next(iter(spec.submodule_search_locations or []), ""))


def source_file(obj):
    code = getattr(inspect.unwrap(obj), "__code__", None)
    if code is not None:
        return code.co_filename
    try:
        return inspect.getsourcefile(obj)
    except TypeError:
        return None
