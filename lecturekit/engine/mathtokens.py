"""TeX in lecture Markdown: find each formula, swap it for a token, and put the rendered HTML back.

    text, formulas = protect_math(markdown_source, path)    # formulas -> tokens
    html = restore_math(markdown_to_html(text), rendered)   # tokens -> KaTeX HTML (see mathtex.py)

The scanner knows Markdown's code (fenced, indented, spans), so a `$` in code stays a `$`, and the
indented blocks of callouts and exercises (`!!! note`, `??? solution`; blocks.py), so their text is not.
"""
import bisect
import re
from dataclasses import dataclass, field

from .errors import BuildError

TOKEN_PREFIX = "MATHTOKEN"
_TOKEN = re.compile(TOKEN_PREFIX + r"(\d+)X")
_BLOCK_TOKEN = re.compile(r"<p>\s*" + TOKEN_PREFIX + r"(\d+)X\s*</p>")

_FENCE_OPEN = re.compile(r"[ \t]*(`{3,}|~{3,})")
_LIST_ITEM = re.compile(r" {0,3}(?:[-*+]|\d+[.)])[ \t]")
_QUOTE_PREFIX = re.compile(r"[ \t]*(?:>[ \t]?)+")
_PLAIN = re.compile(r".[^\n\\`$]*")  # one character, and those after it that neither end a line nor start anything
_BLOCK_OPEN = re.compile(r"[ \t]*(?:!!!|\?{3}\+?) ?[\w\"-]")  # its content is indented 4 more


@dataclass(frozen=True)
class Formula:
    tex: str
    display: bool
    line: int  # 1-based line in the source file where the formula starts
    span: tuple = field(default=None, compare=False)  # (start, end) of its TeX in the text, before any edit


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


class Scanner:
    """One left-to-right pass over the source, aware of Markdown code."""

    def __init__(self, text, path):
        self.text, self.path, self.n = text, path, len(text)
        self.newlines = [m.start() for m in re.finditer("\n", text)]
        self.out, self.formulas = [], []
        self.fence = None  # (char, length) of the open fenced code block
        self.code_indent = None  # indentation of the open indented code block
        self.in_list = False
        self.blocks = []  # content indentation of each open `!!!` / `???` block, innermost last

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
        while self.blocks and indent < self.blocks[-1]:
            self.blocks.pop()  # a line indented less than a block's content ends the block
        base = self.blocks[-1] if self.blocks else 0  # code inside a block is indented from its content
        blank_before = self.prev_line_blank(start)
        needed = base + (8 if self.in_list else 4)
        if blank_before and indent >= needed:
            self.code_indent = needed
            return True
        m = _FENCE_OPEN.match(line)
        if m and not (m.group(1)[0] == "`" and "`" in line[m.end() :]):
            self.fence = (m.group(1)[0], len(m.group(1)))
            return True
        if indent - base < 4:
            if _LIST_ITEM.match(line.lstrip(" \t")):
                self.in_list = True
            elif blank_before:
                self.in_list = False
        if _BLOCK_OPEN.match(line):
            self.blocks.append(indent + 4)
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

    def add(self, tex, display, pos, end):
        self.formulas.append(Formula(tex, display, self.line_of(pos), (pos + 1 + display, end)))
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
        token = self.add(tex.strip(), True, i, close)
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
                    out.append(self.add(t[i + 1 : close], False, i, close))
                    i = close + 1
            else:  # up to the next character that may matter, in one step
                end = _PLAIN.match(t, i).end()
                out.append(t[i:end])
                i = end
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
    return Scanner(text, path).run()


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
        return rendered[index]

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
