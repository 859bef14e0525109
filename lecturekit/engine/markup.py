"""Markdown to HTML, with numbered figures and anchored headings.

A figure is written as a Markdown image whose address is `fig:<name>`:

    ![Alt text that states what the figure shows](fig:loss-surface "Caption: what to notice.")

On its own line it becomes a numbered <figure> with the caption below it. Callouts,
exercises, hints and solutions are blocks of their own (blocks.py).
"""
import re

from .blocks import blocks_extension, without_exercises
from .crossrefs import Numbering, number_contents, sections_extension
from .errors import BuildError
from .pictures import add_picture, roles_of

# An address that starts `fig:`: of a Markdown image or link, or an HTML src.
FIGURE_LINK = re.compile(r"""(?:\]\(\s*<?|\bsrc\s*=\s*["']?)fig:([\w.-]*)""")
_CODE_SIGNS = re.compile(r"[\n\\`]")  # where code may start or end
FIGURE_MARK = "FIGREF{}X"  # put after `fig:` by mark_figures; never published
_MARKED = re.compile(r"fig:FIGREF(\d+)X([\w.-]*)")
_FIGURE_IMG = re.compile(r"""<img\b[^>]*?\ssrc\s*=\s*["']?\s*fig:(?:FIGREF(\d+)X)?""", re.I)
# superfences: fenced code inside an indented block (a callout, a solution) too.
EXTENSIONS = ["extra", "sane_lists", "codehilite", "toc", "admonition", "pymdownx.details", "pymdownx.superfences"]
EXTENSION_CONFIGS = {
    "codehilite": {"css_class": "highlight", "guess_lang": False},
    "toc": {"permalink": "#", "permalink_title": "Link to this section", "toc_depth": "2-3"},
}


def prose_spans(text):
    """(start, end) of each stretch of Markdown `text` that is not code (fenced or indented blocks, code spans)."""
    from .mathtokens import Scanner  # the scanner that keeps a `$` in code from being math
    scanner, n = Scanner(text, None), len(text)
    spans, start, i, at_line_start = [], 0, 0, True
    while i < n:
        if at_line_start:
            at_line_start = False
            if scanner.code_line(i):
                spans.append((start, i))
                i = start = scanner.line_end(i) + 1
                at_line_start = True
                continue
        match = _CODE_SIGNS.search(text, i)
        if match is None:
            break
        i = match.start()
        if text[i] == "\n":
            i, at_line_start = i + 1, True
        elif text[i] == "\\":
            i += 1 if text[i + 1:i + 2] in ("\n", "") else 2  # an escaped backtick opens no code span
        else:
            ticks = 1
            while i + ticks < n and text[i + ticks] == "`":
                ticks += 1
            end = scanner.find_code_span_end(i, ticks)
            if end is not None:
                spans.append((start, i))
                start = end
            i = end if end is not None else i + ticks
    spans.append((start, n))
    return [(a, b) for a, b in spans if a < b]


def figure_links(text):
    """(where its name starts, name, 1-based line) of each address `fig:...` in `text` outside code."""
    return [(match.start(1), match.group(1), text.count("\n", 0, match.start()) + 1)
            for start, end in prose_spans(text) for match in FIGURE_LINK.finditer(text, start, end)]


def figure_references(text, first_line):
    """(name, line) for each figure the Markdown refers to, outside code (a name Jinja makes is left out)."""
    return [(name, first_line + line - 1) for _, name, line in figure_links(text) if name]


def check_figure_references(text, path, first_line, known):
    """Fail on a figure name that no figure code produces, naming file and line."""
    for name, line in figure_references(text, first_line):
        if name not in known:
            raise BuildError(unknown_figure(name, known), path, line)


def unknown_figure(name, known):
    import difflib
    close = difflib.get_close_matches(name, known, n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else f"; known figures: {', '.join(sorted(known)) or 'none'}"
    return f"figure '{name}' is not produced by any figure code{hint}"


def mark_figures(text, first_line):
    """`text` with a mark after each `fig:` outside code, and the line in the file of each mark.

    Jinja may repeat or drop a figure, and its mark goes with it: a mistake
    only Markdown reveals (a figure in a sentence, no alt text) is reported
    at the figure's line in the file.
    """
    links, out, last = figure_links(text), [], 0
    for index, (at, _, _) in enumerate(links):
        out += [text[last:at], FIGURE_MARK.format(index)]
        last = at
    return "".join(out + [text[last:]]), [first_line + line - 1 for _, _, line in links]


def figure_address(address, lines):
    """(name, line in the file or None) of a `fig:` address, its mark read."""
    mark = _MARKED.match(address)
    if mark is None:
        return address[len("fig:"):], None
    index = int(mark.group(1))
    return address[mark.start(2):], lines[index] if index < len(lines) else None


def check_no_figure_left(html, path, lines):
    """Fail if `html` still holds a `fig:` address: it would be a broken image, or a mark shown as text."""
    image, mark = _FIGURE_IMG.search(html), _MARKED.search(html)
    if image:
        raise BuildError("an <img> whose address is fig: is not a figure; write "
                         '![What it shows](fig:name "Caption.") alone on its line (raw HTML is not read as Markdown)',
                         path, lines[int(image.group(1))] if image.group(1) else None)
    if mark:
        name, line = figure_address(mark.group(0), lines)
        raise BuildError(f"figure '{name}' was not made a figure (is it inside raw HTML? that is not read as "
                         "Markdown)", path, line)


def figure_element(name, number, alt, caption, manifest, url_for):
    """The <figure> for one rendered figure or animation: a <picture> of its files (see pictures.py)."""
    import xml.etree.ElementTree as etree  # here: Markdown is only converted when a page changed
    figure = etree.Element("figure", {"id": f"fig-{name}", "class": "figure"})
    image_attrs = {"alt": alt, "width": str(manifest["width"]), "height": str(manifest["height"]),
                   "loading": "lazy", "decoding": "async"}
    if "poster" in manifest["files"]:  # a moving figure with a still: the still for print and reduced motion
        add_picture(figure, name, manifest, url_for, "file", image_attrs, still="poster",
                    picture_attrs={"class": "animation"})
        # Print shows the still poster, in the light scheme; CSS hides one or the other.
        add_picture(figure, name, manifest, url_for, "poster", {**image_attrs, "class": "poster"},
                    picture_attrs={"class": "poster"}, dark=False)
    else:  # a still: a tap opens its sharpest file, where a phone reader can zoom into a wide figure's small print
        sharpest = url_for(name, roles_of(manifest, "file")[-1])
        zoom = etree.SubElement(figure, "a", {"class": "figure-zoom", "href": sharpest,
                                              "title": "Open the figure at full size"})
        add_picture(zoom, name, manifest, url_for, "file", image_attrs)
    caption_el = etree.SubElement(figure, "figcaption")
    label = etree.SubElement(caption_el, "span", {"class": "figure-number"})
    label.text = f"Figure {number}."
    label.tail = f" {caption}" if caption else ""
    return figure


FIGURE_SLOT = re.compile(r'<figure-slot data-index="(\d+)"></figure-slot>')


def figure_extension(path, lines, numbering):
    """A Python-Markdown extension that turns lone `fig:` images into numbered figure slots.

    The slots are filled by fill_figures once the figures exist, so the
    Markdown can be converted while they are still being drawn. A `fig:`
    image that is not alone in its paragraph, or has no alt text, and a link
    to `fig:`, are errors at their line (`lines`, see mark_figures). Built on
    demand, so that importing this module does not import Markdown.
    """
    import xml.etree.ElementTree as etree

    from markdown.extensions import Extension
    from markdown.treeprocessors import Treeprocessor

    class FigureProcessor(Treeprocessor):
        def run(self, root):
            self.figures = []
            parents = {child: parent for parent in root.iter() for child in parent}
            for child in list(root.iter("p")):  # in document order, also inside callouts and exercises
                image = child[0] if len(child) == 1 else None
                if image is None or image.tag != "img" or not image.get("src", "").startswith("fig:") \
                        or (child.text or "").strip() or (image.tail or "").strip():
                    continue
                name, line = figure_address(image.get("src"), lines)
                if not image.get("alt", "").strip():
                    raise BuildError(f"figure '{name}' has no alt text; say what it shows: "
                                     f'![What the figure shows](fig:{name} "Caption.")', path, line)
                parent = parents[child]
                parent[list(parent).index(child)] = etree.Element("figure-slot",
                                                                  {"data-index": str(len(self.figures))})
                number = numbering.next("fig")
                numbering.give(f"fig:{name}", f"Figure {number}", f"fig-{name}")
                self.figures.append({"name": name, "number": number, "line": line,
                                     "alt": image.get("alt"), "caption": image.get("title", "")})
            for element in root.iter("img"):  # every lone one is a slot now
                if element.get("src", "").startswith("fig:"):
                    name, line = figure_address(element.get("src"), lines)
                    raise BuildError(f"figure '{name}' is inside a sentence, list, table or heading; a figure "
                                     "must stand alone on its line, with a blank line before and after", path, line)
            for element in root.iter("a"):
                if element.get("href", "").startswith("fig:"):
                    name, line = figure_address(element.get("href"), lines)
                    raise BuildError(f"a link to fig:{name} leads nowhere; link to the figure's anchor: "
                                     f"[text](#fig-{name})", path, line)
            return root

    class FigureExtension(Extension):
        def extendMarkdown(self, md):
            md.treeprocessors.register(FigureProcessor(md), "figures", 5)

    return FigureExtension()


def markdown_to_html(text, solutions=True, path=None, lines=(), numbering=None):
    """HTML of the body with a slot per figure, its table of contents (toc tokens) and its figures in order.

    With `solutions` false, every solution is left out (see blocks.py). The contents list
    sections, not the exercises' headings. `lines`: the line in the file of each figure's
    mark (see mark_figures), for errors. Figures, sections, exercises and callouts are numbered
    on from `numbering` (crossrefs.Numbering), which is given their labels.
    """
    import markdown
    numbering = numbering if numbering is not None else Numbering()
    sections = sections_extension(numbering)
    md = markdown.Markdown(extensions=EXTENSIONS + [figure_extension(path, lines, numbering),
                                                    blocks_extension(solutions, numbering), sections],
                           extension_configs=EXTENSION_CONFIGS, output_format="html")
    # The "#" of a heading's self-link would be its whole name to a screen reader.
    html = md.convert(text).replace('class="headerlink" ', 'class="headerlink" aria-label="Link to this section" ')
    exercises = {exercise["id"] for exercise in md.treeprocessors["blocks"].exercises}
    contents = number_contents(without_exercises(md.toc_tokens, exercises), md.treeprocessors["sections"].numbers)
    return html, contents, md.treeprocessors["figures"].figures


def fill_figures(html, figures, manifests, url_for, path=None):
    """Put each figure, as drawn (`manifests`), into its slot; a name no figure has is an error at its line."""
    from markdown.serializers import to_html_string

    def element(match):
        figure = figures[int(match.group(1))]
        if figure["name"] not in manifests:  # a name Jinja made, or a page that has no figures
            raise BuildError(unknown_figure(figure["name"], list(manifests)), path, figure["line"])
        return to_html_string(figure_element(figure["name"], figure["number"], figure["alt"], figure["caption"],
                                             manifests[figure["name"]], url_for))
    return FIGURE_SLOT.sub(element, html)
