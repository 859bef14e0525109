"""The code of a lecture's notebook: each computation with the source of everything it reaches.

A student's notebook has no `lecturekit` and no lecture package, so it carries
the code itself. For each computation, in dependency order, it gets the
module-level statements of the project that the computation reaches and that
no earlier one did: functions, classes, and the statements that give the data
they read its value (found as keys.py finds what a key covers: the syntax tree
and the compiler's symbol table), in the order Python ran them. The registry's
decorators are left out; a project import becomes the definitions it imports
(an alias where it renames, a SimpleNamespace for a module imported whole);
library imports stay imports. The text is the file's own, comments and
docstrings included. Everything lives in one namespace, so two definitions of
one name are an error that names both.
"""
import ast
import builtins
import heapq
import importlib
from dataclasses import dataclass, field
from types import ModuleType

from .errors import BuildError
from .notebook_source import DEFINITIONS, ModuleSource, attribute_chains, touched

_MISSING = object()


@dataclass
class Node:
    """One piece of the notebook's code: a statement of a module, an import, an alias or a namespace."""
    text: str
    owner: str            # who defines the names it binds (a module, an import line): one owner per name
    order: tuple          # where Python ran it (module rank is filled in at layout)
    module: object = None  # ModuleSource it comes from, for the cell's comments
    needs: list = field(default_factory=list)   # nodes that must exist before a computation using it runs
    early: list = field(default_factory=list)   # those that must run before it (decorators, defaults, data)
    attrs: dict = field(default_factory=dict)   # a namespace's attributes


class Program:
    """The code a lecture's computations reach, collected node by node."""

    def __init__(self, reserved=()):
        self.sources, self.nodes, self.flat = {}, {}, {name: "the notebook's own code" for name in reserved}
        self.where = {}  # flat name -> (path, line) of what defines it, for errors

    def source_of(self, module):
        if module.__name__ not in self.sources:
            self.sources[module.__name__] = ModuleSource(module)
        return self.sources[module.__name__]

    def claim(self, name, owner, where):
        """`name` is defined in the notebook by `owner`; another owner of the same name is an error."""
        other = self.flat.setdefault(name, owner)
        if other != owner:
            first = self.where.get(name)
            elsewhere = f"{first[0]}, line {first[1]}" if first else other
            raise BuildError(f"the notebook holds every definition in one namespace, and '{name}' is defined "
                             f"both here and in {elsewhere}; rename one", *where)
        self.where.setdefault(name, where)

    def resolve(self, source, name, chains=(), at=None):
        """Node ids that give `name` its value in module `source` (`chains`: the attributes read of it)."""
        ids = []
        for index in source.binders.get(name, []):
            stmt = source.tree.body[index]
            if isinstance(stmt, (ast.Import, ast.ImportFrom)):
                ids += self.imported(source, stmt, name, chains, (source.path, stmt.lineno), (index, 0))
            else:
                ids.append(self.statement(source, index))
        if not ids and not hasattr(builtins, name) and at is not None and name in vars(source.module):
            raise BuildError(f"the notebook cannot find the statement that defines '{name}' in {source.path}", *at)
        return ids

    def imported(self, source, stmt, name, chains, where, order, local=False):
        """Nodes for the name `name` that the import `stmt` binds in `source` (`local`: inside a function,
        where a renaming import becomes an assignment written in its place, not an alias)."""
        for alias in stmt.names:
            if (alias.asname or alias.name.split(".")[0]) != name:
                continue
            if not source.imports_project(stmt):
                return [self.library(ast.unparse(type(stmt)(**{**vars(stmt), "names": [alias]})), name, where)]
            if isinstance(stmt, ast.Import):
                if alias.asname is None and "." in alias.name:
                    raise BuildError(f"the notebook cannot carry `import {alias.name}`; write "
                                     f"`from {alias.name.rpartition('.')[0]} import {alias.name.rpartition('.')[2]}`",
                                     *where)
                return [self.namespace(source, name, importlib.import_module(alias.name), chains, where, order)]
            module_name = source.resolved(stmt)
            module = importlib.import_module(module_name)
            value = getattr(module, alias.name, _MISSING)
            if value is _MISSING or isinstance(value, ModuleType):
                submodule = value if isinstance(value, ModuleType) else \
                    importlib.import_module(f"{module_name}.{alias.name}")
                return [self.namespace(source, name, submodule, chains, where, order)]
            ids = self.resolve(self.source_of(module), alias.name, chains, where)
            if not ids:
                raise BuildError(f"the notebook cannot find where {module_name} defines '{alias.name}'", *where)
            if alias.name != name and not local:
                return [self.alias(source, name, alias.name, ids, where, order)]
            return ids
        return []

    def library(self, line, name, where):
        node_id = ("import", line)
        self.claim(name, line, where)
        self.nodes.setdefault(node_id, Node(line, line, (-1, 0)))
        return node_id

    def alias(self, source, name, original, ids, where, order):
        node_id = ("alias", name, original)
        if node_id not in self.nodes:
            self.claim(name, f"{name} = {original}", where)
            self.nodes[node_id] = Node(f"{name} = {original}", source.name, (source.name, *order, 1), source, ids, ids)
        return node_id

    def namespace(self, source, name, module, chains, where, order):
        """`name = SimpleNamespace(a=a, ...)`: a project module imported whole, with the attributes read of it."""
        node_id = ("namespace", name)
        node = self.nodes.get(node_id)
        if node is None:
            self.claim(name, f"module {module.__name__}", where)
            node = self.nodes[node_id] = Node("", f"module {module.__name__}", (source.name, *order, 1), source)
        for chain in sorted(chains):
            attr = chain[0]
            if attr in node.attrs:
                continue
            node.attrs[attr] = True
            ids = self.resolve(self.source_of(module), attr, {c[1:] for c in chains if c[0] == attr and c[1:]},
                               where)
            if not ids:
                raise BuildError(f"the notebook cannot find where {module.__name__} defines '{attr}'", *where)
            node.needs += ids
            node.early += ids
        body = ", ".join(f"{attr}={attr}" for attr in node.attrs)
        node.text = f"{name} = SimpleNamespace({body})  # what the code reads of {module.__name__}"
        return node_id

    def statement(self, source, index):
        """The node of one top-level statement of a module, and (first) of everything it reads."""
        node_id = ("statement", source.name, index)
        if node_id in self.nodes:
            return node_id
        stmt = source.tree.body[index]
        node = self.nodes[node_id] = Node("", source.name, (source.name, index, 0), source)
        for name in sorted(touched(stmt)):
            self.claim(name, source.name, (source.path, stmt.lineno))
        early, late, local_imports = source.reads(stmt)
        chains = attribute_chains(stmt)
        for name in sorted(early | late):
            ids = self.resolve(source, name, chains.get(name, ()), (source.path, stmt.lineno))
            node.needs += ids
            if name in early:
                node.early += ids
        replacements = {}
        for inner in local_imports:
            replacements[inner] = self._local_import(source, stmt, inner, chains, node)
        node.text = source.text(stmt, replacements)
        return node_id

    def _local_import(self, source, definition, stmt, chains, node):
        """What replaces a project import inside a function: `pass`, or `name = original` where it renames."""
        where, assignments = (source.path, stmt.lineno), []
        for alias in stmt.names:
            name = alias.asname or alias.name.split(".")[0]
            single = ast.ImportFrom(stmt.module, [alias], stmt.level) if isinstance(stmt, ast.ImportFrom) \
                else ast.Import([alias])
            ids = self.imported(source, single, name, chains.get(name, ()), where,
                                (source.tree.body.index(definition), -1), local=True)
            node.needs += ids
            if isinstance(stmt, ast.ImportFrom) and alias.asname and alias.asname != alias.name \
                    and not any(i[0] == "namespace" for i in ids):
                assignments.append(f"{name} = {alias.name}")
        return "; ".join(assignments) or "pass"

    def ranks(self):
        """Each module's place in the order Python finished importing them (what it imports first)."""
        rank, active = {}, set()

        def visit(source):
            if source.name in rank or source.name in active:
                return
            active.add(source.name)
            for stmt in source.tree.body:
                if isinstance(stmt, (ast.Import, ast.ImportFrom)) and source.imports_project(stmt):
                    for alias in stmt.names:
                        name = source.resolved(stmt) if isinstance(stmt, ast.ImportFrom) else alias.name
                        candidates = [f"{name}.{alias.name}", name] if isinstance(stmt, ast.ImportFrom) else [name]
                        for candidate in candidates:
                            if candidate in self.sources:
                                visit(self.sources[candidate])
                                break
            active.discard(source.name)
            rank[source.name] = len(rank)
        for source in list(self.sources.values()):
            visit(source)
        return rank

    def closure(self, ids):
        """Every node `ids` need, themselves included."""
        found, todo = set(), list(ids)
        while todo:
            node_id = todo.pop()
            if node_id not in found:
                found.add(node_id)
                todo += self.nodes[node_id].needs
        return found

    def ordered(self, ids, rank):
        """Nodes in an order that runs: each after what it needs at once, else as Python ran them."""
        ids = set(ids)

        def key(node_id):
            order = self.nodes[node_id].order
            return (rank.get(order[0], -1) if isinstance(order[0], str) else order[0], *order[1:], str(node_id))
        waiting = {i: {e for e in self.nodes[i].early if e in ids and e != i} for i in ids}
        ready = [(key(i), i) for i, need in waiting.items() if not need]
        heapq.heapify(ready)
        out = []
        while ready or waiting.keys() - set(out):
            if not ready:  # a cycle of early needs (not valid Python in one module): fall back to the source order
                rest = sorted(waiting.keys() - set(out), key=key)
                ready = [(key(rest[0]), rest[0])]
            _, node_id = heapq.heappop(ready)
            if node_id in out:
                continue
            out.append(node_id)
            for other, need in waiting.items():
                if node_id in need:
                    need.discard(node_id)
                    if not need and other not in out:
                        heapq.heappush(ready, (key(other), other))
        return out


def cell_text(nodes):
    """The code of some nodes (see lecture_program), grouped under a comment naming each module they come from."""
    parts, previous = [], None
    for node in nodes:
        if previous is None or node["module"] != previous["module"]:
            parts.append(("\n\n" if parts else "") + f"# From {node['module']}")
        elif node["definition"] or previous["definition"]:
            parts.append("\n")
        parts.append(node["text"])
        previous = node
    return "\n".join(parts)


def lecture_program(specs, lecture_folder, reserved):
    """The code of a lecture's computations, as plain data.

    `specs` in dependency order; `reserved` are names the notebook's own code uses. Returns library
    import lines, whether a namespace is used, the nodes ({module, text, definition}) in an order that
    runs, and for each computation its spec, the name of its function and the indexes of the nodes it
    needs: a notebook runs the computations in any dependency order, each cell holding the nodes no
    earlier cell held, in this order (cell_text).
    """
    program, roots = Program(reserved), []
    for spec in specs:
        module = importlib.import_module(spec.fn.__module__)
        names = [n for n, v in vars(module).items() if v is spec.fn]
        function = spec.fn.__name__ if spec.fn.__name__ in names else names[0]
        roots.append((spec, function, program.resolve(program.source_of(module), function)))
    # Closures once every root is resolved: a namespace gains attributes as later code reads them.
    roots = [(spec, function, program.closure(ids)) for spec, function, ids in roots]
    rank = program.ranks()
    everything = set().union(*(ids for _, _, ids in roots)) if roots else set()
    order = program.ordered([i for i in everything if i[0] != "import"], rank)
    position = {node_id: index for index, node_id in enumerate(order)}
    nodes = [{"module": program.nodes[i].module.label(lecture_folder), "text": program.nodes[i].text,
              "definition": i[0] == "statement" and isinstance(
                  program.nodes[i].module.tree.body[i[2]], DEFINITIONS)} for i in order]
    imports = [node_id[1] for node_id in program.ordered([i for i in everything if i[0] == "import"], rank)]
    steps = [(spec, function, sorted(position[i] for i in ids if i in position)) for spec, function, ids in roots]
    return imports, any(i[0] == "namespace" for i in everything), nodes, steps
