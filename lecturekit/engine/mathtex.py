"""TeX math in lecture Markdown, rendered to HTML at build time with KaTeX.

Pipeline, per page::

    text, formulas = protect_math(markdown_source, path)   # formulas -> tokens (mathtokens.py)
    rendered = render_formulas(formulas, path, store)      # one Node process
    html = restore_math(markdown_to_html(text), rendered)  # tokens -> KaTeX HTML (mathtokens.py)

`prerender_static_math` fills the cache early, in the background, with the
formulas that do not depend on computed results.

Nothing is typeset in the browser: the site ships KaTeX's CSS and woff2 fonts
(`katex_assets`) and no JavaScript.
"""

from __future__ import annotations

import functools
import hashlib
import re
from pathlib import Path

from . import node
from .errors import BuildError
from .macros import NO_MACROS
from .mathtokens import protect_math

KATEX_DIR = node.NODE_MODULES / "katex"
RENDER_SCRIPT = Path(__file__).resolve().with_name("katex_render.js")


# ---------------------------------------------------------------------------
# Rendering


def katex_version():
    return node.package_version(KATEX_DIR, "KaTeX")


def _key_prefix(version, macros):
    """What every cache key shares: KaTeX's version, the render script and the course's macros."""
    h = hashlib.sha256(f"katex {version}\0script ".encode())
    h.update(hashlib.sha256(RENDER_SCRIPT.read_bytes()).digest())  # render options live there
    h.update(f"\0macros {macros.digest}".encode())  # an edited macro typesets every formula again
    return h


def _cache_key(prefix, formula):
    h = prefix.copy()
    h.update(f"\0{'display' if formula.display else 'inline'}\0{formula.tex}".encode("utf-8"))
    return h.hexdigest()


def _start_node(texs, path, macros):
    """Start one Node process rendering [(tex, display)]; the request is fully written on return."""
    request = {"macros": macros.katex, "formulas": [{"tex": t, "display": d} for t, d in texs]}
    return node.start(RENDER_SCRIPT, request, "render math", path)


def _node_results(proc, count, path):
    """Wait for a Node process from _start_node; return KaTeX's `count` results."""
    results = node.answer(proc, RENDER_SCRIPT, "render math", "results", path)
    if len(results) != count:
        raise BuildError(f"cannot render math: {RENDER_SCRIPT.name} returned {len(results)} of {count}", path)
    return results


def _uncached(formulas, store, macros):
    """Cache key of each formula, the stored HTML by key, and key -> first formula not stored."""
    prefix = _key_prefix(katex_version(), macros)
    keys = [_cache_key(prefix, f) for f in formulas]
    html = {}
    for key in set(keys):
        text = store.get_text("math", key)
        if text is not None:
            html[key] = text
    todo = {}
    for formula, key in zip(formulas, keys):
        if key not in html and key not in todo:
            todo[key] = formula
    return keys, html, todo


def _keep(todo, results, store):
    """KaTeX's results by key: (html of those that rendered, now stored; error of those that did not)."""
    html, errors = {}, {}
    for key, result in zip(todo, results):
        if "error" in result:
            errors[key] = result["error"]
        else:
            html[key] = result["html"]
            store.put_text("math", key, result["html"])
    return html, errors


def render_formulas(formulas, path, store, line_of=None, macros=NO_MACROS):
    """KaTeX HTML for each formula, in order, with the course's `macros` (macros.Macros).

    Formulas not in the store (one entry per formula) are rendered by one
    `node katex_render.js` process; a cached rebuild never starts Node. A
    formula KaTeX rejects is an error at `path`, line `line_of(i)` (default:
    the formula's own line); a macro it rejects, at its line in its file.
    """
    formulas = list(formulas)
    for i, formula in enumerate(formulas):
        if not formula.tex.strip():  # KaTeX would typeset nothing
            line = line_of(i) if line_of else formula.line
            raise BuildError("empty formula: nothing between its dollars", path, line)
    probes = macros.probes()  # each macro alone, first: a bad macro explains the formulas that use it
    if not formulas and not probes:
        return []
    keys, html, todo = _uncached(probes + formulas, store, macros)
    if todo:
        texs = [(f.tex, f.display) for f in todo.values()]
        rendered, errors = _keep(todo, _node_results(_start_node(texs, path, macros), len(texs), path), store)
        html.update(rendered)
        for i, key in enumerate(keys):  # report the first bad macro, else formula, in source order
            if key in errors and i < len(probes):
                raise BuildError(f"macro {macros.definitions[i][0]} cannot be typeset (as {probes[i].tex}): "
                                 f"{errors[key]}", macros.path, probes[i].line)
            if key in errors:
                j = i - len(probes)
                line = line_of(j) if line_of else formulas[j].line
                raise BuildError(f"cannot render formula: {errors[key]}", path, line)
    return [valid_mathml(html[key]) for key in keys[len(probes):]]


# KaTeX puts an operator's invisible function application inside a script
# (`<msub><mi>λ</mi><mi>max</mi><mo>⁡</mo></msub>`), giving <msub> three
# children, which MathML forbids (KaTeX issue #3721). Group the script's two.
_STRAY_APPLY = re.compile("(<mi>[^<]*</mi><mo>\u2061</mo>)(?=</msub>|</msup>)")


def valid_mathml(html):
    """Rendered KaTeX with the script groups the HTML validator requires."""
    return _STRAY_APPLY.sub(r"<mrow>\1</mrow>", html)


_JINJA = re.compile(r"{{.*?}}|{%.*?%}|{#.*?#}", re.S)


def _loose(text):
    """A pattern for `text` up to whitespace, which Jinja's `{{-` and `-}}` may strip."""
    return r"\s*".join(map(re.escape, text.split()))


def source_lines(formulas, source, path):
    """Line in `source`, the Markdown before Jinja, of each formula found in what Jinja made of it.

    Jinja adds lines (a `source()` block, a loop) and drops some (a branch
    not taken), so a formula's line in its output is not its line in the
    file. Each formula is paired, in order, with a formula of `source` whose
    Jinja parts match anything; a loop may repeat one, a branch not taken
    skips some, and among such pairings the one with fewest repeats wins.
    None for every formula when no pairing exists.
    """
    raw = protect_math(source, path)[1]
    patterns = [re.compile(".*?".join(_loose(part) for part in _JINJA.split(f.tex)), re.S) for f in raw]
    never = len(formulas) + 1  # more repeats than any pairing has
    previous, came = None, []  # fewest repeats with the previous formula paired to raw[j]; the pairings
    for formula in formulas:
        row, back = [never] * len(raw), [None] * len(raw)
        best = (never, None)  # fewest repeats of the previous formula paired before raw[j], and where
        for j, (candidate, pattern) in enumerate(zip(raw, patterns)):
            if previous and j and previous[j - 1] < best[0]:
                best = (previous[j - 1], j - 1)
            if candidate.display == formula.display and pattern.fullmatch(formula.tex):
                row[j], back[j] = (0, None) if previous is None else min(best, (previous[j] + 1, j))
        previous = row
        came.append(back)
    if not formulas or min(previous, default=never) >= never:
        return [None] * len(formulas)
    j, lines = previous.index(min(previous)), []
    for back in reversed(came):
        lines.append(raw[j].line)
        j = back[j]
    return lines[::-1]


@functools.lru_cache(maxsize=4)
def source_formulas(text):
    """The formulas of Markdown `text` as written, before Jinja: read early to typeset them, and to guard them."""
    return tuple(protect_math(text, None)[1])


def prerender_static_math(text, store, macros=NO_MACROS):
    """Start typesetting, in the background, the formulas of Markdown `text` that hold no Jinja.

    Those do not wait for any computation, so Node can render them while the
    build starts up. Returns a function that waits for Node and caches what
    rendered (calling it again does nothing). Anything wrong is left for
    render_formulas to report properly.
    """
    try:
        formulas = [f for f in source_formulas(text) if not re.search(r"{[{%#]", f.tex)]
        _, _, todo = _uncached(formulas, store, macros)
        running = [_start_node([(f.tex, f.display) for f in todo.values()], None, macros)] if todo else []
    except BuildError:
        return lambda: None

    def finish():
        if not running:
            return
        try:
            _keep(todo, _node_results(running.pop(), len(todo), None), store)
        except BuildError:
            pass
    return finish


# ---------------------------------------------------------------------------
# Assets

_SRC = re.compile(r"src:([^;}]*)")
_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)(?:\s*format\(\s*['\"]?([\w-]+)['\"]?\s*\))?")


def _woff2_only(css):
    def keep(m):
        sources = [u.group(0) for u in _URL.finditer(m.group(1)) if u.group(1).endswith(".woff2")]
        if not sources:
            raise BuildError(f"KaTeX CSS: a @font-face has no woff2 source: {m.group(0)[:120]}")
        return "src:" + ",".join(sources)

    return _SRC.sub(keep, css)


def katex_assets():
    """KaTeX's stylesheet (woff2-only @font-face) and its fonts: {path relative to the stylesheet: bytes}."""
    dist = KATEX_DIR / "dist"
    try:
        css = _woff2_only((dist / "katex.min.css").read_text(encoding="utf-8"))
    except FileNotFoundError:
        katex_version()  # says how to install it
        raise BuildError(f"KaTeX's stylesheet is missing from {dist}: run `npm ci`") from None
    files = {"katex.min.css": css.encode("utf-8")}
    for url in dict.fromkeys(m.group(1) for m in _URL.finditer(css)):
        if not url.startswith("fonts/") or "/" in url[len("fonts/") :] or not url.endswith(".woff2"):
            raise BuildError(f"KaTeX CSS references an unexpected file: {url}")
        files[url] = (dist / url).read_bytes()
    return files
