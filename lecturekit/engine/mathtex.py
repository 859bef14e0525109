"""TeX math in lecture Markdown, rendered to HTML at build time with KaTeX.

Pipeline, per page::

    text, formulas = protect_math(markdown_source, path)   # formulas -> tokens
    rendered = render_formulas(formulas, path, cache_dir)  # one Node process
    html = restore_math(markdown.markdown(text), rendered) # tokens -> KaTeX HTML

`prerender_static_math` fills the cache early, in the background, with the
formulas that do not depend on computed results.

Nothing is typeset in the browser: the site ships KaTeX's CSS and woff2 fonts
(`copy_katex_assets`) and no JavaScript.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from lecturekit.engine.errors import BuildError

REPO_ROOT = Path(__file__).resolve().parent.parent.parent
KATEX_DIR = REPO_ROOT / "node_modules" / "katex"
RENDER_SCRIPT = Path(__file__).resolve().with_name("katex_render.js")
NOT_INSTALLED = f"KaTeX is not installed in {KATEX_DIR.parent}: run `npm ci` in {REPO_ROOT}"
NODE_HINT = f"install Node.js (18 or later) and run `npm ci` in {REPO_ROOT}"

TOKEN_PREFIX = "MATHTOKEN"
_TOKEN = re.compile(TOKEN_PREFIX + r"(\d+)X")
_BLOCK_TOKEN = re.compile(r"<p>\s*" + TOKEN_PREFIX + r"(\d+)X\s*</p>")

_FENCE_OPEN = re.compile(r"[ \t]*(`{3,}|~{3,})")
_LIST_ITEM = re.compile(r" {0,3}(?:[-*+]|\d+[.)])[ \t]")
_QUOTE_PREFIX = re.compile(r"[ \t]*(?:>[ \t]?)+")


@dataclass(frozen=True)
class Formula:
    tex: str
    display: bool
    line: int  # 1-based line in the source file where the formula starts


def _token(index):
    return f"{TOKEN_PREFIX}{index:04d}X"


def _indent_width(line):
    width = 0
    for ch in line:
        if ch == " ":
            width += 1
        elif ch == "\t":
            width += 4 - width % 4
        else:
            break
    return width


class _Scanner:
    """One left-to-right pass over the source, aware of Markdown code."""

    def __init__(self, text, path):
        self.text, self.path, self.n = text, path, len(text)
        self.newlines = [m.start() for m in re.finditer("\n", text)]
        self.out, self.formulas = [], []
        self.fence = None  # (char, length) of the open fenced code block
        self.code_indent = None  # indentation of the open indented code block
        self.in_list = False

    # -- positions ---------------------------------------------------------
    def line_of(self, pos):
        return bisect.bisect_left(self.newlines, pos) + 1

    def line_start(self, pos):
        return self.text.rfind("\n", 0, pos) + 1

    def line_end(self, pos):
        end = self.text.find("\n", pos)
        return self.n if end < 0 else end

    def prev_line_blank(self, start):
        """Is the line before the one starting at `start` blank (or absent)?"""
        if start == 0:
            return True
        return self.text[self.line_start(start - 1) : start - 1].strip() == ""

    def next_line_blank(self, pos):
        """Is the line after the one containing `pos` blank (or absent)?"""
        end = self.line_end(pos)
        if end >= self.n:
            return True
        return self.text[end + 1 : self.line_end(end + 1)].strip() == ""

    # -- block level -------------------------------------------------------
    def code_line(self, start):
        """Classify the line at `start`; True if it is code, to copy verbatim."""
        line = self.text[start : self.line_end(start)]
        if self.fence:
            char, length = self.fence
            if re.fullmatch(rf"[ \t]*{re.escape(char)}{{{length},}}[ \t]*", line):
                self.fence = None
            return True
        if not line.strip():
            return False  # blank: keeps an indented code block open
        indent = _indent_width(line)
        if self.code_indent is not None and indent >= self.code_indent:
            return True
        self.code_indent = None
        blank_before = self.prev_line_blank(start)
        needed = 8 if self.in_list else 4
        if blank_before and indent >= needed:
            self.code_indent = needed
            return True
        m = _FENCE_OPEN.match(line)
        if m and not (m.group(1)[0] == "`" and "`" in line[m.end() :]):
            self.fence = (m.group(1)[0], len(m.group(1)))
            return True
        if indent < 4:
            if _LIST_ITEM.match(line):
                self.in_list = True
            elif blank_before:
                self.in_list = False
        return False

    def stops_inline(self, pos):
        """Does the line starting at `pos` end a paragraph (blank or fence)?"""
        line = self.text[pos : self.line_end(pos)]
        return not line.strip() or bool(_FENCE_OPEN.match(line))

    # -- inline level ------------------------------------------------------
    def find_code_span_end(self, i, ticks):
        j = i + ticks
        while j < self.n:
            ch = self.text[j]
            if ch == "\n" and self.stops_inline(j + 1):
                return None
            if ch == "`":
                k = j
                while k < self.n and self.text[k] == "`":
                    k += 1
                if k - j == ticks:
                    return k
                j = k
            else:
                j += 1
        return None

    def find_inline_close(self, i):
        """Closing `$` for an opening `$` at i, or None.

        Pandoc's rules: no space after the opening `$`, none before the
        closing one, which is not followed by a digit. Stricter: the first
        unescaped `$` must be that closing one, so "$5 and $6" is no math.
        """
        t = self.text
        if i + 1 >= self.n or t[i + 1].isspace():
            return None
        j = i + 1
        while j < self.n:
            ch = t[j]
            if ch == "\\":
                j += 2
                continue
            if ch == "`" or (ch == "\n" and self.stops_inline(j + 1)):
                return None  # math holds no backtick and no blank line
            if ch == "$":  # the first unescaped `$` closes, or there is no math
                if t[j - 1].isspace() or (j + 1 < self.n and t[j + 1].isdigit()):
                    return None
                return j
            j += 1
        return None

    def find_display_close(self, i):
        t = self.text
        j = i + 2
        while j < self.n:
            ch = t[j]
            if ch == "\\":
                j += 2
                continue
            if ch == "\n" and not t[j + 1 : self.line_end(j + 1)].strip(" \t>"):
                return None  # blank line (also inside a block quote)
            if t.startswith("$$", j):
                return j
            j += 1
        return None

    def add(self, tex, display, pos):
        self.formulas.append(Formula(tex, display, self.line_of(pos)))
        return _token(len(self.formulas) - 1)

    def display(self, i):
        t = self.text
        close = self.find_display_close(i)
        if close is None:
            raise BuildError("unterminated display math: `$$` without a closing `$$`", self.path, self.line_of(i))
        start = self.line_start(i)
        prefix = t[start:i]
        tex = t[i + 2 : close]
        quoted = bool(prefix.strip()) and _QUOTE_PREFIX.fullmatch(prefix)
        if quoted:  # drop the `> ` markers of continuation lines
            tex = "\n".join(
                [tex.split("\n")[0]] + [_QUOTE_PREFIX.sub("", s, count=1) for s in tex.split("\n")[1:]]
            )
        end = close + 2
        token = self.add(tex.strip(), True, i)
        rest = t[end : self.line_end(end)]
        alone = (not prefix.strip() or quoted) and not rest.strip()
        if alone and not self.prev_line_blank(start):
            self.out.append("\n" + prefix)  # own paragraph: blank line before
        self.out.append(token)
        if alone and not self.next_line_blank(end):
            self.out.append("\n" + (prefix if quoted else "").rstrip())  # and after
        return end

    def run(self):
        t, n, out = self.text, self.n, self.out
        i, at_line_start = 0, True
        while i < n:
            if at_line_start:
                at_line_start = False
                if self.code_line(i):
                    end = self.line_end(i)
                    out.append(t[i : end + 1])
                    i, at_line_start = end + 1, True
                    continue
            ch = t[i]
            if ch == "\n":
                out.append(ch)
                i, at_line_start = i + 1, True
            elif ch == "\\":
                nxt = t[i + 1 : i + 2]
                if nxt == "$":
                    out.append("$")
                    i += 2
                elif nxt == "\n" or nxt == "":
                    out.append(ch)
                    i += 1
                else:
                    out.append(t[i : i + 2])  # Markdown's own escape, untouched
                    i += 2
            elif ch == "`":
                ticks = 1
                while i + ticks < n and t[i + ticks] == "`":
                    ticks += 1
                end = self.find_code_span_end(i, ticks)
                end = i + ticks if end is None else end
                out.append(t[i:end])
                at_line_start = False
                i = end
            elif t.startswith("$$", i):
                i = self.display(i)
            elif ch == "$":
                close = self.find_inline_close(i)
                if close is None:
                    out.append(ch)
                    i += 1
                else:
                    out.append(self.add(t[i + 1 : close], False, i))
                    i = close + 1
            else:
                out.append(ch)
                i += 1
        return "".join(out), self.formulas


def protect_math(text, path):
    """Replace each formula by an opaque token; return (text, formulas).

    `$...$` is inline math (pandoc's rule: no space just inside the dollars,
    closing `$` not followed by a digit, no blank line inside), `$$...$$` is
    display math and may span lines. `\\$` is a literal dollar. Fenced code,
    indented code and code spans are left alone. Formula i becomes the token
    MATHTOKEN{i:04d}X; a display formula on lines of its own becomes its own
    paragraph.
    """
    if TOKEN_PREFIX in text:
        raise BuildError(f"the text {TOKEN_PREFIX!r} is reserved for math placeholders", path)
    return _Scanner(text, path).run()


# ---------------------------------------------------------------------------
# Rendering


def katex_version():
    try:
        return json.loads((KATEX_DIR / "package.json").read_text(encoding="utf-8"))["version"]
    except (OSError, ValueError, KeyError):
        raise BuildError(NOT_INSTALLED) from None


def _key_prefix(version):
    """What every cache key shares: KaTeX's version and the render script."""
    h = hashlib.sha256(f"katex {version}\0script ".encode())
    h.update(hashlib.sha256(RENDER_SCRIPT.read_bytes()).digest())  # render options live there
    return h


def _cache_key(prefix, formula):
    h = prefix.copy()
    h.update(f"\0{'display' if formula.display else 'inline'}\0{formula.tex}".encode("utf-8"))
    return h.hexdigest()


def _start_node(texs, path):
    """Start one Node process rendering [(tex, display)]; the request is fully written on return."""
    node = os.environ.get("LECTUREKIT_NODE") or shutil.which("node")
    if not node:
        raise BuildError(f"cannot render math: Node.js (`node`) not found on PATH; {NODE_HINT}", path)
    from .scheduler import SCHEDULER  # it owns every process a build starts
    request = json.dumps({"formulas": [{"tex": t, "display": d} for t, d in texs]})
    try:
        return SCHEDULER.run_program([node, str(RENDER_SCRIPT), str(REPO_ROOT)], request)
    except OSError:
        raise BuildError(f"cannot render math: cannot run {node}; {NODE_HINT}", path) from None


def _node_results(proc, count, path):
    """Wait for a Node process from _start_node; return KaTeX's `count` results."""
    import subprocess
    try:
        out, err = proc.communicate(timeout=600)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise BuildError("cannot render math: KaTeX took longer than 10 minutes", path) from None
    if proc.returncode != 0:
        from .scheduler import how_it_ended
        raise BuildError(f"cannot render math: {RENDER_SCRIPT.name} ended with {how_it_ended(proc.returncode)}: "
                         f"{err.strip()}; {NODE_HINT}", path)
    try:
        results = json.loads(out)["results"]
    except (ValueError, KeyError):
        raise BuildError(f"cannot render math: {RENDER_SCRIPT.name} wrote no results; {NODE_HINT}", path) from None
    if len(results) != count:
        raise BuildError(f"cannot render math: {RENDER_SCRIPT.name} returned {len(results)} of {count}", path)
    return results


def _uncached(formulas, store):
    """Cache key of each formula, the stored HTML by key, and key -> first formula not stored."""
    prefix = _key_prefix(katex_version())
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


def render_formulas(formulas, path, store, line_of=None):
    """KaTeX HTML for each formula, in order.

    Formulas not in the store (one entry per formula) are rendered by one
    `node katex_render.js` process; a cached rebuild never starts Node. A
    formula KaTeX rejects is an error at `path`, line `line_of(i)` (default:
    the formula's own line).
    """
    formulas = list(formulas)
    if not formulas:
        return []
    keys, html, todo = _uncached(formulas, store)
    if todo:
        texs = [(f.tex, f.display) for f in todo.values()]
        rendered, errors = _keep(todo, _node_results(_start_node(texs, path), len(texs), path), store)
        html.update(rendered)
        for i, key in enumerate(keys):  # report the first bad formula in source order
            if key in errors:
                line = line_of(i) if line_of else formulas[i].line
                raise BuildError(f"cannot render formula: {errors[key]}", path, line)
    return [html[key] for key in keys]


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


def prerender_static_math(text, store):
    """Start typesetting, in the background, the formulas of Markdown `text` that hold no Jinja.

    Those do not wait for any computation, so Node can render them while the
    build starts up. Returns a function that waits for Node and caches what
    rendered (calling it again does nothing). Anything wrong is left for
    render_formulas to report properly.
    """
    try:
        formulas = [f for f in protect_math(text, None)[1] if not re.search(r"{[{%#]", f.tex)]
        _, _, todo = _uncached(formulas, store)
        running = [_start_node([(f.tex, f.display) for f in todo.values()], None)] if todo else []
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


# KaTeX puts an operator's invisible function application inside a script
# (`<msub><mi>λ</mi><mi>max</mi><mo>⁡</mo></msub>`), giving <msub> three
# children, which MathML forbids (KaTeX issue #3721). Group the script's two.
_STRAY_APPLY = re.compile("(<mi>[^<]*</mi><mo>\u2061</mo>)(?=</msub>|</msup>)")


def valid_mathml(html):
    """Rendered KaTeX with the script groups the HTML validator requires."""
    return _STRAY_APPLY.sub(r"<mrow>\1</mrow>", html)


def restore_math(html, rendered):
    """Put rendered formulas back in place of their tokens.

    A display formula alone in a paragraph replaces the whole `<p>`, wrapped
    in `<div class="math-display">` (style it `overflow-x: auto`); one inside
    running text gets `<span class="math-display">` (style it display: block).
    """

    def formula(m):
        index = int(m.group(1))
        if index >= len(rendered):
            raise ValueError(f"math token {m.group(0)} has no rendered formula")
        return valid_mathml(rendered[index])

    def is_display(s):
        return s.startswith('<span class="katex-display')

    def block(m):
        s = formula(m)
        return f'<div class="math-display">{s}</div>' if is_display(s) else m.group(0)

    def inline(m):
        s = formula(m)
        return f'<span class="math-display">{s}</span>' if is_display(s) else s

    html = _BLOCK_TOKEN.sub(block, html)
    return _TOKEN.sub(inline, html)


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
        raise BuildError(NOT_INSTALLED) from None
    files = {"katex.min.css": css.encode("utf-8")}
    for url in dict.fromkeys(m.group(1) for m in _URL.finditer(css)):
        if not url.startswith("fonts/") or "/" in url[len("fonts/") :] or not url.endswith(".woff2"):
            raise BuildError(f"KaTeX CSS references an unexpected file: {url}")
        files[url] = (dist / url).read_bytes()
    return files
