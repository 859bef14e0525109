"""Markdown to HTML, with numbered figures and anchored headings.

A figure is written as a Markdown image whose address is `fig:<name>`:

    ![Alt text that states what the figure shows](fig:loss-surface "Caption: what to notice.")

On its own line it becomes a numbered <figure> with the caption below it.
"""
import re

from .errors import BuildError

FIGURE_LINK = re.compile(r"\]\(\s*<?fig:([\w.-]*)")  # an image's (or a link's) address that starts `fig:`
_CODE_SIGNS = re.compile(r"[\n\\`]")  # where code may start or end
EXTENSIONS = ["extra", "sane_lists", "codehilite", "toc"]
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
            import difflib
            close = difflib.get_close_matches(name, known, n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else f"; known figures: {', '.join(sorted(known))}"
            raise BuildError(f"figure '{name}' is not produced by any figure code{hint}", path, line)


def figure_element(name, number, alt, caption, manifest, url_for):
    """The <figure> for one rendered figure or animation."""
    import xml.etree.ElementTree as etree  # here: Markdown is only converted when a page changed
    figure = etree.Element("figure", {"id": f"fig-{name}", "class": "figure"})
    image_attrs = {"alt": alt, "width": str(manifest["width"]), "height": str(manifest["height"]),
                   "loading": "lazy", "decoding": "async"}
    if "poster" in manifest["files"]:  # a moving figure with a still: the still for print and reduced motion
        picture = etree.SubElement(figure, "picture", {"class": "animation"})
        etree.SubElement(picture, "source", {"srcset": url_for(name, "poster"),
                                              "media": "(prefers-reduced-motion: reduce)"})
        etree.SubElement(picture, "img", {"src": url_for(name, "file"), **image_attrs})
        # Print shows the still poster; CSS hides one or the other.
        etree.SubElement(figure, "img", {"src": url_for(name, "poster"), "class": "poster", **image_attrs})
    else:
        etree.SubElement(figure, "img", {"src": url_for(name, "file"), **image_attrs})
    caption_el = etree.SubElement(figure, "figcaption")
    label = etree.SubElement(caption_el, "span", {"class": "figure-number"})
    label.text = f"Figure {number}."
    label.tail = f" {caption}" if caption else ""
    return figure


FIGURE_SLOT = re.compile(r'<figure-slot data-index="(\d+)"></figure-slot>')


def figure_extension():
    """A Python-Markdown extension that turns lone `fig:` images into numbered figure slots.

    The slots are filled by fill_figures once the figures exist, so the
    Markdown can be converted while they are still being drawn. Built on
    demand, so that importing this module does not import Markdown.
    """
    import xml.etree.ElementTree as etree

    from markdown.extensions import Extension
    from markdown.treeprocessors import Treeprocessor

    class FigureProcessor(Treeprocessor):
        def run(self, root):
            self.figures = []
            for parent in root.iter():
                for index, child in enumerate(list(parent)):
                    image = child[0] if child.tag == "p" and len(child) == 1 else None
                    if image is None or image.tag != "img" or not image.get("src", "").startswith("fig:") \
                            or (child.text or "").strip() or (image.tail or "").strip():
                        continue
                    parent[index] = etree.Element("figure-slot", {"data-index": str(len(self.figures))})
                    self.figures.append({"name": image.get("src")[4:], "number": len(self.figures) + 1,
                                         "alt": image.get("alt", ""), "caption": image.get("title", "")})
            return root

    class FigureExtension(Extension):
        def extendMarkdown(self, md):
            md.treeprocessors.register(FigureProcessor(md), "figures", 5)

    return FigureExtension()


def markdown_to_html(text):
    """HTML of the body with a slot per figure, its table of contents (toc tokens) and its figures in order."""
    import markdown
    md = markdown.Markdown(extensions=EXTENSIONS + [figure_extension()],
                           extension_configs=EXTENSION_CONFIGS, output_format="html")
    # The "#" of a heading's self-link would be its whole name to a screen reader.
    html = md.convert(text).replace('class="headerlink" ', 'class="headerlink" aria-label="Link to this section" ')
    return html, md.toc_tokens, md.treeprocessors["figures"].figures


def fill_figures(html, figures, manifests, url_for):
    """Put each figure, as drawn (`manifests`), into its slot."""
    from markdown.serializers import to_html_string

    def element(match):
        figure = figures[int(match.group(1))]
        return to_html_string(figure_element(figure["name"], figure["number"], figure["alt"], figure["caption"],
                                             manifests[figure["name"]], url_for))
    return FIGURE_SLOT.sub(element, html)
