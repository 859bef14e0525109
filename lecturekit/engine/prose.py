"""Jinja over a lecture's Markdown: computed numbers enter the prose only here.

StrictUndefined turns a misspelt placeholder into an error that names the
file, the line and the closest known names, instead of an empty gap.
"""
import difflib
import hashlib
import importlib
import inspect
import math
import re
import textwrap
import traceback

from .errors import BuildError


def sig(x, digits=3):
    """A number to `digits` significant digits, without exponent for everyday sizes."""
    x = float(x)
    if x == 0 or not math.isfinite(x):
        return f"{x:g}"
    if 1e-4 <= abs(x) < 1e6:
        decimals = max(digits - 1 - math.floor(math.log10(abs(x))), 0)
        return f"{round(x, decimals):.{decimals}f}".replace("-", "−")
    mantissa, exponent = f"{x:.{digits - 1}e}".split("e")
    return f"{mantissa}×10<sup>{int(exponent)}</sup>".replace("-", "−")


def sig_tex(x, digits=3):
    """Like `sig`, for use inside LaTeX (ASCII minus, \\times 10^{n})."""
    text = sig(x, digits).replace("−", "-")
    mantissa, _, exponent = text.partition("×10<sup>")
    exponent = exponent.removesuffix("</sup>")
    return f"{mantissa} \\times 10^{{{exponent}}}" if exponent else mantissa


def vec(v, digits=3):
    """A vector as (a, b, ...) in prose."""
    return "(" + ", ".join(sig(x, digits) for x in v) + ")"


def vec_tex(v, digits=3):
    """A vector as a LaTeX column: \\begin{bmatrix} a \\\\ b \\end{bmatrix}."""
    return "\\begin{bmatrix}" + " \\\\ ".join(sig_tex(x, digits) for x in v) + "\\end{bmatrix}"


def mat_tex(m, digits=3):
    """A matrix (list of rows) as a LaTeX bmatrix."""
    rows = (" & ".join(sig_tex(x, digits) for x in row) for row in m)
    return "\\begin{bmatrix}" + " \\\\ ".join(rows) + "\\end{bmatrix}"


def pct(x, digits=3):
    """A fraction as a percentage."""
    return sig(100 * float(x), digits) + "%"


FILTERS = {"sig": sig, "sig_tex": sig_tex, "vec": vec, "vec_tex": vec_tex, "mat_tex": mat_tex, "pct": pct}


def source_block(dotted_name):
    """A fenced code block holding the source of a function, taken at build time.

    `source("lecturekit.numerics.descent.descent_path")` shows the code that
    ran, so the page cannot drift from it.
    """
    module_name, _, attribute = dotted_name.rpartition(".")
    try:
        obj = getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError, ValueError):
        raise ValueError(f"source(): no function named {dotted_name!r}") from None
    return f"```python\n{textwrap.dedent(inspect.getsource(obj)).rstrip()}\n```"


def dotted_names(tree, prefix=""):
    """Every dotted path in a nested dict of results."""
    for key, value in tree.items():
        path = f"{prefix}.{key}" if prefix else key
        yield path
        if isinstance(value, dict):
            yield from dotted_names(value, path)


def template_line(error, template_name, first_line):
    """Line in the Markdown source where a Jinja error happened."""
    line = getattr(error, "lineno", None)
    for frame in traceback.extract_tb(error.__traceback__):
        if frame.filename == template_name:
            line = frame.lineno
    return first_line + line - 1 if line else None


def split_sections(text):
    """(first line, text) of each part of the Markdown, cut before every `## ` heading outside code."""
    lines, cuts, fenced = text.splitlines(keepends=True), [0], False
    for number, line in enumerate(lines):
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        elif line.startswith("## ") and not fenced and number > 0:
            cuts.append(number)
    cuts.append(len(lines))
    return [(start + 1, "".join(lines[start:end])) for start, end in zip(cuts, cuts[1:]) if end > start]


def unknown_name_message(error, context):
    """Say which placeholder is unknown and what the author may have meant."""
    match = re.search(r"'([^']+)' is undefined|has no attribute '([^']+)'", str(error))
    name = next((g for g in match.groups() if g), None) if match else None
    if name is None:
        return f"unknown placeholder: {error}"
    known = list(dotted_names({k: v for k, v in context.items() if not callable(v)}))
    tails = {path.rsplit(".", 1)[-1]: path for path in known}
    close = [tails[t] for t in difflib.get_close_matches(name, tails, n=3, cutoff=0.6)]
    close += [p for p in difflib.get_close_matches(name, known, n=3, cutoff=0.6) if p not in close]
    hint = f"; did you mean {', '.join(close[:3])}?" if close else ""
    return f"unknown placeholder '{name}'{hint}"


def bytecode_cache(store):
    """Jinja's compiled templates kept in the store, checked like every entry (built on demand)."""
    import jinja2

    class StoreBytecodeCache(jinja2.BytecodeCache):
        def load_bytecode(self, bucket):
            data = store.get("jinja", bucket.key)
            if data is not None:
                bucket.bytecode_from_string(data)

        def dump_bytecode(self, bucket):
            store.put("jinja", bucket.key, bucket.bytecode_to_string())

    return StoreBytecodeCache()


class EmptyInFormula(BuildError):
    """A placeholder in a formula, or the whole formula, produced no text (see guard_formulas)."""


_JINJA = re.compile(r"{[{%#]")
_PLACEHOLDER = re.compile(r"{{(-?)(.*?)(-?)}}", re.S)
_STRING, _CONDITIONAL = re.compile(r"'[^']*'|\"[^\"]*\""), re.compile(r"\bif\b")


def guard_formulas(text, formulas, first_line):
    """`text` with each formula that holds Jinja made to fail if it, or a placeholder in it, renders empty.

    `$x = {{ v }}$` with `v` empty would be `$x = $`: no math at all, so the
    dollars would be published; inside a formula an empty placeholder quietly
    drops a term. So each placeholder of a formula of `formulas` (found in
    `text`, before Jinja) goes through the `formula_text` filter, but for a
    conditional one (`{{ ", " if not loop.last }}`), which says it may be
    empty; and the formula through a filter block. Returns the text and, per
    guard, (message, line in the file); render_prose's `guards` raise them.
    """
    guards, out, last = [], [], 0

    def guard(message, at):
        guards.append((message, first_line + text.count("\n", 0, at)))
        return f"formula_text({len(guards) - 1})"

    def placeholder(match, start):
        if _CONDITIONAL.search(_STRING.sub("", match[2])):  # `{{ ", " if not loop.last }}` may be empty
            return match[0]
        check = guard(f"the placeholder {' '.join(match[0].split())[:80]} in this formula produced no text",
                      start + match.start())
        return "{{%s (%s) | %s %s}}" % (match[1], match[2], check, match[3])

    for formula in formulas:
        start, end = formula.span
        if not _JINJA.search(text, start, end):
            continue
        tex = _PLACEHOLDER.sub(lambda match: placeholder(match, start), text[start:end])
        block = guard("this formula is empty once its placeholders are filled", start)
        out += [text[last:start], "{%% filter %s %%}" % block, tex, "{% endfilter %}"]
        last = end
    return "".join(out + [text[last:]]), guards


def render_prose(text, path, first_line, context, store=None, guards=()):
    """Substitute the results into the Markdown; errors name file and line.

    Each `## ` section is compiled as its own template, and compiled sections
    are kept in the store: an edit recompiles one section, not the lecture.
    Should a Jinja construct span sections, the text is rendered whole instead,
    so the split never changes the result. `guards`: see guard_formulas.
    """
    import jinja2  # here, not at the top: a build whose pages are all cached never needs it
    parts = [(hashlib.sha256(part.encode()).hexdigest()[:32], part) for _, part in split_sections(text)]
    sections = dict(parts, whole=text)
    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(lambda name: (sections[name], name, lambda: True)),
        bytecode_cache=bytecode_cache(store) if store else None,
        undefined=jinja2.StrictUndefined, keep_trailing_newline=True, autoescape=False)
    env.filters.update(FILTERS)
    env.globals["source"] = source_block

    def formula_text(value, index):
        if not str(value).strip():
            raise EmptyInFormula(guards[index][0], path, guards[index][1])
        return value
    env.filters["formula_text"] = formula_text
    try:
        return "".join(env.get_template(name).render(**context) for name, _ in parts)
    except (jinja2.TemplateError, TypeError, ValueError):
        pass  # a construct may span sections: render the text whole, which also reports errors exactly
    try:
        return env.get_template("whole").render(**context)
    except jinja2.TemplateSyntaxError as error:
        raise BuildError(f"template syntax: {error.message}", path, first_line + error.lineno - 1) from None
    except jinja2.UndefinedError as error:
        raise BuildError(unknown_name_message(error, context), path,
                         template_line(error, "whole", first_line)) from None
    except (TypeError, ValueError) as error:
        raise BuildError(f"cannot format a placeholder: {error}", path,
                         template_line(error, "whole", first_line)) from None
