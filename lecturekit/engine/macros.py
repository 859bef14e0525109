r"""A course's LaTeX macros: one file, named by `macros:` in content/index.md, that every formula can use.

    % content/macros.tex: one definition a line; `%` starts a comment
    \newcommand{\R}{\mathbb{R}}
    \newcommand{\vw}{\mathbf{w}}
    \newcommand{\norm}[1]{\left\lVert #1 \right\rVert}

KaTeX gets them as its `macros` option (katex_render.js). What they mean
(`Macros.digest`, not their comments or order) is part of every formula's
cache key and of every page's: editing a macro typesets the formulas again.
A line that is not a definition is an error at its line; so is a macro that
KaTeX cannot typeset on its own, with `x` for each argument (see `probes`).
"""
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import BuildError

FORMS = r"\newcommand{\name}{expansion}, or \newcommand{\name}[2]{... #1 ... #2 ...}"
_DEFINITION = re.compile(r"\\(?:re)?newcommand\s*(?:\{\s*(\\[A-Za-z]+)\s*\}|(\\[A-Za-z]+))\s*(?:\[\s*(\d)\s*\])?\s*\{")
_ARGUMENT = re.compile(r"#(\d)")


@dataclass(frozen=True)
class Macros:
    """The macros of a course: (name, expansion, number of arguments, line) each, from `path`."""
    path: object = None
    definitions: tuple = ()

    @property
    def katex(self):
        """KaTeX's `macros` option: name -> expansion."""
        return {name: expansion for name, expansion, _, _ in self.definitions}

    @property
    def digest(self):
        return hashlib.sha256(json.dumps(self.katex, sort_keys=True).encode()).hexdigest()

    def probes(self):
        """A formula per macro that uses it alone, `x` for each argument: a macro KaTeX rejects fails here."""
        from .mathtokens import Formula
        return [Formula(name + "{x}" * arguments, False, line) for name, _, arguments, line in self.definitions]


NO_MACROS = Macros()


def _code(line):
    """`line` without its `%` comment (`\\%` is a percent sign)."""
    i = 0
    while i < len(line):
        if line[i] == "\\":
            i += 2
        elif line[i] == "%":
            return line[:i]
        else:
            i += 1
    return line


def _braced(code, start):
    """(what is inside the braces opened just before `start`, what follows the closing one), or None."""
    depth, i = 1, start
    while i < len(code):
        if code[i] == "\\":
            i += 2
            continue
        depth += {"{": 1, "}": -1}.get(code[i], 0)
        if depth == 0:
            return code[start:i], code[i + 1:]
        i += 1
    return None


def parse_macros(text, path):
    """The Macros of a macro file's `text`; a line that does not parse is an error at its line."""
    definitions, first = [], {}
    for number, line in enumerate(text.splitlines(), 1):
        code = _code(line).strip()
        if not code:
            continue
        match = _DEFINITION.match(code)
        if match is None:
            raise BuildError(f"not a macro definition; write one a line: {FORMS}", path, number)
        name, declared = match[1] or match[2], int(match[3] or 0)
        braced = _braced(code, match.end())
        if braced is None:
            raise BuildError(f"the expansion of {name} has no closing brace", path, number)
        expansion, rest = braced
        if rest.strip():
            raise BuildError(f"text after the definition of {name}: {rest.strip()!r}; one definition a line", path,
                             number)
        used = sorted({int(n) for n in _ARGUMENT.findall(expansion.replace("##", ""))})
        if used != list(range(1, declared + 1)):
            says = ", ".join(f"#{n}" for n in used) or "none"
            raise BuildError(f"{name} is declared with {declared} argument(s) but its expansion uses {says} "
                             f"(#1 to #n for [n] arguments)", path, number)
        if name in first:
            raise BuildError(f"{name} is defined twice (first on line {first[name]})", path, number)
        first[name] = number
        definitions.append((name, expansion, declared, number))
    return Macros(path, tuple(definitions))


def read_macros(content_dir, name, index, line):
    """The macros of the file `name` (relative to `content_dir`) that `index` names on `line`."""
    content = Path(content_dir)
    path = content / name
    if not path.resolve().is_relative_to(content.resolve()):
        raise BuildError(f"the macros file '{name}' is outside {content.name}/", index, line)
    if not path.is_file():
        raise BuildError(f"the macros file '{name}' is not a file in {content.name}/", index, line)
    try:
        return parse_macros(path.read_text(encoding="utf-8"), path)
    except UnicodeDecodeError as error:
        raise BuildError(f"not UTF-8 text ({error.reason} at byte {error.start})", path) from None
