"""Lecture Markdown, its placeholders filled, as Markdown a Jupyter notebook shows.

Jupyter renders Markdown with `$...$` math, tables and HTML, but none of what
only the site understands. Here a `fig:` figure becomes its image, attached
to the cell, with its numbered caption and its anchor (`#fig-<name>`); a
callout a box in Jupyter's alert colours with its title; an exercise a
numbered title with its anchor (`#exercise-<n>`); a hint or a solution a
folded `<details>`, and with `solutions: false` a solution's block is dropped
before anything of it is read, as on the page. HTML comments and scripts go;
a block of HTML that the reader operates (inputs, buttons) is replaced by a
line pointing to the page. Code, fenced or indented, is left as it is.

The prose is cut into cells at its `## ` and `### ` headings; which results each
part quotes decides where the code cells go (notebook.py).
"""
import base64
import bisect
import re

from .blocks import CALLOUTS, EXERCISE, FOLDS
from .markup import prose_spans
from .prose import render_prose

OPENER = re.compile(r'(?P<marker>!!!|\?\?\?\+?) ?(?P<classes>[\w-]+(?: +[\w-]+)*?)?(?: *"(?P<title>.*?)")? *')
FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
FIGURE = re.compile(r'(?P<indent> {0,3})!\[(?P<alt>.*)\]\(fig:(?P<name>[\w.-]+)(?: +"(?P<caption>.*)")? *\) *')
ALERTS = {"note": "info", "definition": "info", "tip": "success", "key-idea": "success", "warning": "danger",
          EXERCISE: "warning"}
COMMENT = re.compile(r"<!--.*?-->\n?", re.S)
SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>\n?|<script\b[^>]*/>\n?", re.S | re.I)
HTML_BLOCK = re.compile(r"^<(div|section|form|figure|fieldset|details|table)\b", re.M | re.I)
INTERACTIVE = re.compile(r"<(input|button|select|textarea|canvas|iframe|form)\b", re.I)
INTERACTIVE_NOTE = "*An interactive part of the lecture is here; it works on the lecture page.*\n"
CUT = "\x1e{}\x1e"  # put at the end of the line before each cut of the prose; no author writes it
HEADING = ("## ", "### ")
TAG = re.compile(r"{{.*?}}|{%.*?%}", re.S)  # Jinja's placeholders and statements


class Counters:
    """Figures and exercises are numbered through the whole notebook, as on the page."""

    def __init__(self):
        self.figures = self.exercises = 0


def _outside_code(text, change):
    """`text` with `change` applied to each stretch that is not code."""
    out, last = [], 0
    for start, end in prose_spans(text):
        out += [text[last:start], change(text[start:end])]
        last = end
    return "".join(out + [text[last:]])


def _element_end(text, start, tag):
    """Where the HTML element `<tag ...>` opened at `start` closes (its nesting counted), or the text's end."""
    depth, pattern = 0, re.compile(rf"<(/?){tag}\b[^>]*>", re.I)
    for match in pattern.finditer(text, start):
        depth += -1 if match.group(1) else 1
        if depth == 0:
            end = match.end()
            return end + 1 if text[end:end + 1] == "\n" else end
    return len(text)


def without_site_html(text):
    """Comments and scripts removed; an interactive HTML block replaced by a line saying where it works."""
    def change(part):
        part = SCRIPT.sub("", COMMENT.sub("", part))
        out, last = [], 0
        for match in HTML_BLOCK.finditer(part):
            if match.start() < last:
                continue
            end = _element_end(part, match.start(), match.group(1))
            element = part[match.start():end]
            out += [part[last:match.start()], INTERACTIVE_NOTE if INTERACTIVE.search(element) else element]
            last = end
        return "".join(out + [part[last:]])
    return _outside_code(text, change)


def _body(lines, start):
    """(the lines indented under a block opened just before `start`, dedented; where the block ends)."""
    body, i = [], start
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            body.append("")
        elif line.startswith("    ") or line.startswith("\t"):
            body.append(line[4:] if line.startswith("    ") else line[1:])
        else:
            break
        i += 1
    while body and not body[-1]:
        body.pop()
    return body, i


def _title(kind, given, default):
    """A block's title as the page shows it: its kind, then the title given ("Definition: Convex function")."""
    if given is None:
        return default
    if given == "" or given in (kind.capitalize(), default):
        return default if given else ""
    return f"{default}: {given}"


def convert_blocks(lines, solutions, counters, hints=None):
    """Callouts, exercises, hints and solutions of some Markdown lines, as notebook Markdown lines."""
    out, i, fence = [], 0, None
    hints = hints if hints is not None else {"count": 0, "seen": 0}
    while i < len(lines):
        line = lines[i]
        fenced = FENCE.match(line)
        if fence or fenced:
            if fenced and (fence is None or fenced.group(1).startswith(fence)):
                fence = None if fence else fenced.group(1)
            out.append(line)
            i += 1
            continue
        opener = OPENER.fullmatch(line)
        if not opener:
            out.append(line)
            i += 1
            continue
        body, i = _body(lines, i + 1)
        classes = (opener["classes"] or "").split()
        kind = classes[0].lower() if classes else ""
        if kind == "solution" and not solutions:
            continue  # nothing of it is read
        if kind == EXERCISE:
            counters.exercises += 1
            number = counters.exercises
            inner_hints = {"count": sum(1 for b in body if (m := OPENER.fullmatch(b)) and
                                        (m["classes"] or "").split()[:1] == ["hint"]), "seen": 0}
            title = opener["title"] or ""
            heading = f"Exercise {number}." + (f" {title}" if title and title != "Exercise" else "")
            out += [f'<div class="alert alert-block alert-{ALERTS[EXERCISE]}">', "",
                    f'<a id="exercise-{number}"></a>', "", f"**{heading}**", "",
                    *convert_blocks(body, solutions, counters, inner_hints), "", "</div>", ""]
            continue
        inner = convert_blocks(body, solutions, counters, hints)
        if kind in FOLDS:
            label = FOLDS[kind]
            if kind == "hint":
                hints["seen"] += 1
                if hints["count"] > 1 and opener["title"] is None:
                    label = f"Hint {hints['seen']}"
            title = _title(kind, opener["title"], label)
        else:
            title = _title(kind, opener["title"], CALLOUTS.get(kind, kind.replace("-", " ").capitalize() or "Note"))
        if opener["marker"].startswith("???"):
            summary = f"<summary>{title}</summary>" if title else "<summary></summary>"
            out += [("<details open>" if opener["marker"] == "???+" else "<details>") + summary, "", *inner, "",
                    "</details>", ""]
        else:
            out += [f'<div class="alert alert-block alert-{ALERTS.get(kind, "info")}">', "",
                    *([f"**{title}**", ""] if title else []), *inner, "", "</div>", ""]
    return out


def convert_figures(lines, counters, figure_file):
    """Figure lines as attached images with their numbered caption; returns (lines, attachments).

    `figure_file(name)` is (file name, MIME type, bytes) of the image a figure shows.
    """
    out, attachments, fence = [], {}, None
    for line in lines:
        fenced = FENCE.match(line)
        if fence or fenced:
            if fenced and (fence is None or fenced.group(1).startswith(fence)):
                fence = None if fence else fenced.group(1)
            out.append(line)
            continue
        figure = FIGURE.fullmatch(line)
        if not figure:
            out.append(line)
            continue
        counters.figures += 1
        filename, mime, data = figure_file(figure["name"])
        attachments[filename] = {mime: base64.b64encode(data).decode("ascii")}
        caption = f"**Figure {counters.figures}.** {figure['caption'] or ''}".rstrip()
        out += [f'<a id="fig-{figure["name"]}"></a>', "", f"![{figure['alt']}](attachment:{filename})", "", caption]
    return out, attachments


def notebook_markdown(text, solutions, counters, figure_file):
    """(Markdown, attachments) of one cell's worth of rendered lecture Markdown."""
    lines = convert_blocks(without_site_html(text).splitlines(), solutions, counters)
    lines, attachments = convert_figures(lines, counters, figure_file)
    markdown = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")
    return markdown, attachments


def cuts(text):
    """Indexes of the lines of `text` where a notebook cell starts: its `## ` and `### ` headings outside code."""
    found, fence = [], None
    for number, line in enumerate(text.split("\n")):
        fenced = FENCE.match(line)
        if fenced and (fence is None or fenced.group(1).startswith(fence)):
            fence = None if fence else fenced.group(1)
        elif fence is None and line.startswith(HEADING) and number > 0:
            found.append(number)
    return found


def quoted(text, namespaces, cut_lines):
    """{(namespace, key or None for all of it): index of the first part of `text` that reads it}.

    Read off the Jinja tags with a pattern, not by parsing the template again: `ns.key`, `ns["key"]` or `ns`.
    """
    found = {}
    if not namespaces:
        return found
    pattern = re.compile(r"(?<![\w.])(%s)\b(?:\s*\.\s*(\w+)|\s*\[\s*['\"](\w+)['\"]\s*\])?"
                         % "|".join(map(re.escape, sorted(namespaces))))
    newlines = [m.start() for m in re.finditer("\n", text)]
    for tag in TAG.finditer(text):
        for match in pattern.finditer(tag.group(0)):
            line = bisect.bisect_left(newlines, tag.start() + match.start())  # 0-based
            part = bisect.bisect_right(cut_lines, line)
            key = (match.group(1), match.group(2) or match.group(3))
            found[key] = min(found.get(key, part), part)
    return found


def rendered_parts(text, path, first_line, context, store):
    """The body's parts (cut at its headings) with their placeholders filled; one part if Jinja spans a cut."""
    lines, at = text.split("\n"), cuts(text)
    for n, index in enumerate(at, 1):
        lines[index - 1] += CUT.format(n)
    rendered = render_prose("\n".join(lines), path, first_line, context, store)
    pieces = rendered.split("\x1e")
    numbers = pieces[1::2]
    if numbers != [str(n) for n in range(1, len(at) + 1)]:  # a loop or a condition spans a heading
        return [rendered.replace("\x1e", "")], []
    return pieces[0::2], at
