"""A project module's top-level statements as a notebook reads them: what each binds and reads, and its text.

What a function reads is found as keys.py finds what a key covers: from the
syntax tree and the compiler's symbol table (sources.py). Names read when a
statement runs (decorators, default values, base classes, data) are told apart
from those its functions read when called: only the first decide the order of
the cells' statements. The text is the file's own, comments and docstrings
included, without the registry's decorators.
"""
import ast
import importlib.util
from pathlib import Path

from . import registry
from .errors import BuildError
from .sources import _is_project_package, expect, global_names, node_facts, scope_table

REGISTRY = (registry.computation, registry.figure)  # decorators a notebook does without
DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_MISSING = object()


def _roots(target):
    """The names an assignment target binds or changes (`X["a"] = 1` changes X)."""
    if isinstance(target, ast.Name):
        return {target.id}
    if isinstance(target, (ast.Tuple, ast.List)):
        return set().union(*map(_roots, target.elts)) if target.elts else set()
    if isinstance(target, (ast.Starred, ast.Subscript, ast.Attribute)):
        return _roots(target.value)
    return set()


def touched(stmt):
    """The module-level names a top-level statement binds or changes."""
    if isinstance(stmt, DEFINITIONS):
        return {stmt.name}
    if isinstance(stmt, (ast.Import, ast.ImportFrom)):
        return {alias.asname or alias.name.split(".")[0] for alias in stmt.names}
    if isinstance(stmt, ast.Assign):
        return set().union(*map(_roots, stmt.targets))
    if isinstance(stmt, (ast.AnnAssign, ast.AugAssign)):
        return _roots(stmt.target)
    if isinstance(stmt, ast.Expr):  # TABLE.update(...): changes TABLE
        call = stmt.value
        return _roots(call.func.value) if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) else set()
    if isinstance(stmt, ast.If) and "__name__" in {n.id for n in ast.walk(stmt.test) if isinstance(n, ast.Name)}:
        return set()  # `if __name__ == "__main__":` runs nothing a computation needs
    names = set()
    for block in ("body", "orelse", "finalbody", "handlers"):
        for inner in getattr(stmt, block, []):
            names |= touched(inner)
    if isinstance(stmt, (ast.For, ast.AsyncFor)):
        names |= _roots(stmt.target)
    for item in getattr(stmt, "items", []):
        names |= _roots(item.optional_vars) if item.optional_vars is not None else set()
    return names


def loaded_names(nodes):
    """Every name an expression or statement of `nodes` reads."""
    return {n.id for node in nodes if node is not None for n in ast.walk(node)
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def attribute_chains(node):
    """{root name: set of attribute chains after it} of every `a.b.c` in `node` (`a` -> {("b", "c"), ("b",)})."""
    found = {}
    for root, *attributes in node_facts(node)[1]:  # the walk the keys already make of a definition
        found.setdefault(root, set()).add(tuple(attributes))
    return found


class ModuleSource:
    """A project module's text and top-level statements, and which statements bind each name."""

    def __init__(self, module):
        self.module, self.name = module, module.__name__
        self.path = Path(module.__file__)
        data = self.path.read_bytes()
        expect(self.path, data)  # the notebook shows the text the build ran
        text = data.decode("utf-8")
        self.lines, self.tree = text.splitlines(), ast.parse(text, str(self.path))
        self.binders = {}
        for index, stmt in enumerate(self.tree.body):
            for name in touched(stmt):
                self.binders.setdefault(name, []).append(index)

    def resolved(self, stmt):
        """The absolute name of the module an ImportFrom statement imports from."""
        if not stmt.level:
            return stmt.module
        return importlib.util.resolve_name("." * stmt.level + (stmt.module or ""), self.module.__package__)

    def imports_project(self, stmt):
        """Whether an import statement imports project code (found without importing a library)."""
        if isinstance(stmt, ast.ImportFrom) and stmt.level:
            return True
        top = (stmt.module if isinstance(stmt, ast.ImportFrom) else stmt.names[0].name).split(".")[0]
        return _is_project_package(top)

    def is_registry(self, decorator):
        """Whether a decorator is the registry's @computation or @figure (called or not)."""
        expression = decorator.func if isinstance(decorator, ast.Call) else decorator
        parts = []
        while isinstance(expression, ast.Attribute):
            parts.append(expression.attr)
            expression = expression.value
        if not isinstance(expression, ast.Name):
            return False
        value = vars(self.module).get(expression.id, _MISSING)
        for attr in reversed(parts):
            value = getattr(value, attr, _MISSING)
        return any(value is r for r in REGISTRY)

    def reads(self, stmt):
        """(names read when the statement runs, names read later by the functions it defines, project imports
        inside those functions)."""
        if not isinstance(stmt, DEFINITIONS):
            return loaded_names([stmt]), set(), []
        if isinstance(stmt, ast.ClassDef):
            at_definition = [*stmt.bases, *(k.value for k in stmt.keywords)]
        else:
            arguments = stmt.args
            at_definition = [*arguments.defaults, *arguments.kw_defaults, stmt.returns,
                             *(a.annotation for a in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs,
                                                      arguments.vararg, arguments.kwarg] if a is not None)]
        at_definition += [d for d in stmt.decorator_list if not self.is_registry(d)]
        table = scope_table(str(self.path), stmt.name, stmt.lineno)
        inside = global_names(table) if table is not None else loaded_names(stmt.body)
        imports = [inner for inner in ast.walk(stmt) if isinstance(inner, (ast.Import, ast.ImportFrom))
                   and self.imports_project(inner)]
        early = loaded_names(at_definition)
        if isinstance(stmt, ast.ClassDef):  # a class body runs when it is defined
            early |= {n for n in inside if n in loaded_names(b for b in stmt.body if not isinstance(b, DEFINITIONS))}
        return early, inside - early, imports

    def text(self, stmt, replacements):
        """The statement's lines as written, with the comment lines just above it, without registry decorators."""
        decorators = getattr(stmt, "decorator_list", [])
        first = min([d.lineno for d in decorators] + [stmt.lineno])
        while first > 1 and self.lines[first - 2].startswith("#"):
            first -= 1
        dropped = {n for d in decorators if self.is_registry(d) for n in range(d.lineno, d.end_lineno + 1)}
        lines = {n: self.lines[n - 1] for n in range(first, stmt.end_lineno + 1) if n not in dropped}
        for inner, replacement in replacements.items():
            text = "\n".join(self.lines[inner.lineno - 1:inner.end_lineno])
            if text.strip() != ast.get_source_segment("\n".join(self.lines), inner).strip():
                raise BuildError("the notebook needs a project import inside a function on lines of its own",
                                 self.path, inner.lineno)
            indent = self.lines[inner.lineno - 1][:inner.col_offset]
            for n in range(inner.lineno, inner.end_lineno + 1):
                lines.pop(n, None)
            written = " ".join(text.split())
            lines[inner.lineno] = f"{indent}{replacement}  # {written}: defined in this notebook"
        return "\n".join(lines[n] for n in sorted(lines))

    def label(self, lecture_folder):
        """How a cell names this module: the lecture's files by path, the project's by module name."""
        try:
            return f"{lecture_folder.name}/{self.path.resolve().relative_to(lecture_folder.resolve()).as_posix()}"
        except ValueError:
            return self.name
