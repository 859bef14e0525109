"""Cross-references: labels on figures, equations, sections, exercises and callouts, and `@label` citing them.

    ![What it shows](fig:loss-surface "Caption.")  is labelled fig:loss-surface     @fig:loss-surface -> Figure 7
    $$ w_{t+1} = w_t - \\eta g_t \\label{eq:update} $$  is numbered (3)           @eq:update -> Equation (3)
    ## Gradient descent {#sec:descent}               (### numbers as 4.2)        @sec:descent -> Section 4
    !!! exercise "Step sizes" {#ex:steps}                                        @ex:steps -> Exercise 5
    !!! definition "Convex function" {#definition:convex}                        @definition:convex -> Definition 2

Every heading also answers to `sec:` and its id. Numbers run through a lecture's pages in order (see
Numbering), so adding a figure to part 3 renumbers nothing in parts 1 and 2; the links work across parts.
A citation is marked before Jinja runs (so a wrong one is reported at its line) and becomes its link once
every page of the lecture is numbered (link_references). An unknown or duplicate label is an error naming
the file, the line and the closest labels.
"""
import dataclasses
import difflib
import re
from dataclasses import dataclass, field

from .blocks import CALLOUTS
from .errors import BuildError

WORDS = {"fig": "Figure", "eq": "Equation", "sec": "Section", "ex": "Exercise", **CALLOUTS}  # a label's kind
ALIASES = {"figure": "fig", "equation": "eq", "eqn": "eq", "section": "sec", "exercise": "ex", "def": "definition",
           "key": "key-idea", "keyidea": "key-idea", "warn": "warning"}  # what an author may write instead
NAME = r"[A-Za-z0-9](?:[\w-]*\w)?"
CITATION = re.compile(rf"(?<![\w@/.&])@([a-z][a-z-]*):({NAME})")
MARK = "XREF{}X"
MARKED = re.compile(r"XREF(\d+)X")
BLOCK_LABEL = re.compile(r"^([ \t]*(?:!!!|\?\?\?\+?) ?([\w-]+).*?)[ \t]+\{#([^}\s]*)\}[ \t]*$")
HEADING_LABEL = re.compile(r"^#{1,6}[ \t].*?\{:?[ \t]*#([^}\s#]+)[ \t]*\}[ \t]*$")  # attr_list: {#id} or {: #id}
EQUATION_LABEL = re.compile(r"\\label\{([^}]*)\}")
MATHML_CELL_WIDTH = re.compile(r'<mtd width="[^"]*"')
LABEL_CLASS = "xlabel-{}--{}"  # how a block's label travels through Markdown: as one of its classes
LABEL_FROM_CLASS = re.compile(r"xlabel-([a-z-]+?)--(.+)")


def kind_of_block(kind):
    return "ex" if kind == "exercise" else kind


def parse_label(label, path, line, want=None):
    """(kind, name) of `kind:name`; a label of no kind, or of another kind than `want`, is an error."""
    kind, _, name = label.partition(":")
    if kind not in WORDS or not re.fullmatch(NAME, name):
        raise BuildError(f"label '{label}' is not kind:name with a kind of {', '.join(WORDS)} and a name of "
                         "letters, digits, '-' and '_'", path, line)
    if want and kind != want:
        raise BuildError(f"label '{label}' is on a {WORDS.get(want, want).lower()}: its label starts '{want}:'",
                         path, line)
    return kind, name


def replace_citations(text, replace):
    """`text` with each `@kind:name` outside code replaced by `replace(match)`."""
    from .markup import prose_spans
    out, last = [], 0
    for start, end in prose_spans(text):
        for match in CITATION.finditer(text, start, end):
            out += [text[last:match.start()], replace(match)]
            last = match.end()
    return "".join(out + [text[last:]])


def mark_citations(text, path, first_line, citations):
    """`text` with each citation replaced by a mark; appends (label, line) to `citations`.

    `first_line` None: `text` is what Jinja made, whose lines are not the file's.
    """
    def mark(match):
        line = None if first_line is None else first_line + text.count("\n", 0, match.start())
        kind, label = match.group(1), f"{match.group(1)}:{match.group(2)}"
        if kind not in WORDS:
            close = [ALIASES[kind]] if kind in ALIASES else difflib.get_close_matches(kind, WORDS, n=1)
            raise BuildError(f"'@{label}' cites no kind of label" + (f"; did you mean @{close[0]}:?" if close
                             else f"; the kinds are {', '.join(WORDS)}"), path, line)
        citations.append((label, line))
        return MARK.format(len(citations) - 1)
    return replace_citations(text, mark)


def citations_as_words(text, labels):
    """`text` with each citation as its label's words ("Figure 7"), where no link can go (a notebook).

    `labels`: label -> (words, ...), as bodies.lecture_labels gives them.
    """
    return replace_citations(text, lambda m: labels.get(f"{m.group(1)}:{m.group(2)}", (m.group(0),))[0])


def tags_for_labels(text, labels):
    """`text` with each equation's `\\label{eq:name}` as the `\\tag{n}` the page gives it (MathJax in a notebook)."""
    def tag(match):
        words = labels.get(match.group(1))
        return f"\\tag{{{re.search(r'[0-9]+', words[0]).group()}}}" if words else ""
    return EQUATION_LABEL.sub(tag, text)


HEADING_ATTRIBUTES = re.compile(r"^(#{1,6}[ \t].*?)[ \t]*\{:?[ \t]*#[^}]*\}[ \t]*$", re.M)


def label_lines(text, path, first_line):
    """Labels written so that Jinja and Markdown keep them.

    `!!! kind "Title" {#kind:name}` becomes `!!! kind xlabel-kind--name "Title"` (a class Markdown keeps), and a
    heading's `{#sec:name}` becomes attr_list's `{: #sec:name}`, which Jinja does not take for a comment.
    """
    lines = text.split("\n")
    for number, line in enumerate(lines):
        if (heading := HEADING_LABEL.match(line)) and ":" in heading.group(1):
            parse_label(heading.group(1), path, first_line + number, "sec")
        if heading and line.rstrip().endswith(f"{{#{heading.group(1)}}}"):
            lines[number] = line.rstrip()[:-len(heading.group(1)) - 3] + f"{{: #{heading.group(1)}}}"
            continue
        match = BLOCK_LABEL.match(line)
        if match and match.group(2).lower() in (*CALLOUTS, "exercise"):
            kind, name = parse_label(match.group(3), path, first_line + number, kind_of_block(match.group(2).lower()))
            opener, rest = re.match(r"([ \t]*(?:!!!|\?\?\?\+?) ?[\w-]+)(.*)", match.group(1)).groups()
            lines[number] = f"{opener} {LABEL_CLASS.format(kind, name)}{rest}"
    return "\n".join(lines)


def source_labels(text, path, first_line):
    """(label, line) of each label the Markdown gives, as written (for the duplicate check)."""
    from .markup import prose_spans
    found, spans = [], prose_spans(text)
    for number, line in enumerate(text.split("\n")):
        where = first_line + number
        if (match := BLOCK_LABEL.match(line)) and match.group(2).lower() in (*CALLOUTS, "exercise"):
            found.append((match.group(3), where))
        elif match := HEADING_LABEL.match(line):
            found.append((match.group(1) if match.group(1).startswith("sec:") else f"sec:{match.group(1)}", where))
    for start, end in spans:
        for match in EQUATION_LABEL.finditer(text, start, end):
            found.append((match.group(1), first_line + text.count("\n", 0, match.start())))
    return found


def check_unique_labels(pages):
    """`pages`: (path, [(label, line)]) in order; a label given twice is an error at the second."""
    seen = {}
    for path, labels in pages:
        for label, line in labels:
            if label in seen:
                first = seen[label]
                raise BuildError(f"label '{label}' is given twice (first at {first[0].name}, line {first[1]})",
                                 path, line)
            seen[label] = (path, line)


@dataclass
class Numbering:
    """How many of each numbered thing the lecture's pages before this one hold, and the labels they gave.

    `counts`: kind -> how many so far (`sub`: ### headings since the last ##); `labels`: label -> (text, anchor).
    """
    counts: dict = field(default_factory=dict)
    labels: dict = field(default_factory=dict)

    def next(self, kind):
        self.counts[kind] = self.counts.get(kind, 0) + 1
        return self.counts[kind]

    def give(self, label, text, anchor):
        self.labels.setdefault(label, (text, anchor))

    def copy(self):
        return Numbering(dict(self.counts), {})


def tag_equations(formulas, numbering, path, line_of, source):
    """Formulas with each display formula's `\\label{eq:name}` replaced by `\\tag{n}`, and {index: anchor} of those.

    `line_of(i)`: the line of `source` (the file's text) where formula i starts, or None.
    """
    tagged, anchors = [], {}
    for index, formula in enumerate(formulas):
        labels = EQUATION_LABEL.findall(formula.tex)
        if labels:
            def line():  # only for an error: pairing formulas with the file's lines is slow on a long page
                start, lines = line_of(index), source.split("\n")
                return next((n for n in range(start, len(lines) + 1) if f"\\label{{{labels[0]}}}" in lines[n - 1]),
                            start) if start else None
            if not formula.display or len(labels) > 1:
                raise BuildError("only a display formula ($$ ... $$) is numbered, and by one \\label{eq:name}",
                                 path, line())
            kind, _, name = labels[0].partition(":")
            if kind != "eq" or not re.fullmatch(NAME, name):
                parse_label(labels[0], path, line(), "eq")
            number = numbering.next("eq")
            numbering.give(labels[0], f"Equation ({number})", f"eq-{name}")
            formula, anchors[index] = dataclasses.replace(formula, tex=EQUATION_LABEL.sub(
                lambda _: f"\\tag{{{number}}}", formula.tex)), f"eq-{name}"
        tagged.append(formula)
    return tagged, anchors


def anchor_equations(rendered, anchors):
    """Rendered formulas, each numbered one carrying the id its citations link to (after its class, which
    mathtokens.restore_math reads to put the formula in its own scrolling box)."""
    # KaTeX lays a \\tag out in MathML as a table whose cells carry `width`, which HTML does not allow there.
    return [MATHML_CELL_WIDTH.sub("<mtd", html.replace('<span class="katex-display"',
                                                       f'<span class="katex-display" id="{anchors[i]}"', 1))
            if i in anchors else html for i, html in enumerate(rendered)]


def sections_extension(numbering):
    """A Python-Markdown extension numbering the page's ## (2) and ### (2.4) headings, after the contents list
    has given them ids, and giving each the label sec:<id> (or its id, when that starts sec:)."""
    from markdown.extensions import Extension
    from markdown.treeprocessors import Treeprocessor
    import xml.etree.ElementTree as etree

    class SectionNumbers(Treeprocessor):
        def run(self, root):
            self.numbers = {}
            inside = {d for block in root.iter() if block.tag == "details" or "admonition" in block.get("class", "")
                      or "exercise" in block.get("class", "").split() for d in block.iter() if d is not block}
            for heading in root.iter():
                if heading.tag not in ("h2", "h3") or heading in inside or "exercise-title" in heading.get("class", ""):
                    continue
                if heading.tag == "h2":
                    number, numbering.counts["sub"] = str(numbering.next("sec")), 0
                else:
                    number = f"{numbering.counts.get('sec', 0)}.{numbering.next('sub')}"
                lead = etree.Element("span", {"class": "section-number"})
                lead.text, lead.tail = number, " " + (heading.text or "")
                heading.text = None
                heading.insert(0, lead)
                ident = heading.get("id")
                if ident:
                    self.numbers[ident] = number
                    numbering.give(ident if ident.startswith("sec:") else f"sec:{ident}", f"Section {number}", ident)
            return root

    class SectionsExtension(Extension):
        def extendMarkdown(self, md):
            md.treeprocessors.register(SectionNumbers(md), "sections", 4)  # after toc (5), which gives the ids

    return SectionsExtension()


def number_contents(tokens, numbers):
    """The contents list's entries led by their sections' numbers."""
    return [{**token, "name": f"{numbers[token['id']]} {token['name']}" if token["id"] in numbers else token["name"],
             "children": number_contents(token["children"], numbers)} for token in tokens]


def link_references(html, citations, labels, here, path):
    """`html` with each citation's mark replaced by a link: `labels` maps label -> (text, page, anchor)."""
    def link(match):
        label, line = citations[int(match.group(1))]
        if label not in labels:
            close = difflib.get_close_matches(label, labels, n=3, cutoff=0.5)
            hint = f"; did you mean {', '.join(close)}?" if close else \
                f"; this lecture's labels of that kind: {', '.join(sorted(k for k in labels if k.startswith(label.split(':')[0] + ':'))[:8]) or 'none'}"
            raise BuildError(f"'@{label}' cites a label no figure, equation, section, exercise or callout of this "
                             f"lecture has{hint}", path, line)
        text, page, anchor = labels[label]
        href = f"#{anchor}" if page == here else f"{page}#{anchor}"
        return f'<a class="xref" href="{href}">{text}</a>'
    return MARKED.sub(link, html)


def plain_references(text, citations, labels):
    """A contents entry's text with its citations as plain words (a link inside a link would be invalid)."""
    return MARKED.sub(lambda m: labels.get(citations[int(m.group(1))][0], ("?",))[0], text)
