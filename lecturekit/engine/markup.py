"""Markdown to HTML, with numbered figures and anchored headings.

A figure is written as a Markdown image whose address is `fig:<name>`:

    ![Alt text that states what the figure shows](fig:loss-surface "Caption: what to notice.")

On its own line it becomes a numbered <figure> with the caption below it. Callouts,
exercises, hints and solutions are blocks of their own (blocks.py).
"""
import re

from .blocks import blocks_extension, without_exercises
from .errors import BuildError

FIGURE_REF = re.compile(r"!\[[^\]]*\]\(fig:([\w.-]+)")
# superfences: fenced code inside an indented block (a callout, a solution) too.
EXTENSIONS = ["extra", "sane_lists", "codehilite", "toc", "admonition", "pymdownx.details", "pymdownx.superfences"]
EXTENSION_CONFIGS = {
    "codehilite": {"css_class": "highlight", "guess_lang": False},
    "toc": {"permalink": "#", "permalink_title": "Link to this section", "toc_depth": "2-3"},
}


def figure_references(text, first_line):
    """(name, line) for each figure the Markdown refers to."""
    return [(match.group(1), first_line + number)
            for number, line in enumerate(text.splitlines())
            for match in FIGURE_REF.finditer(line)]


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
            parents = {child: parent for parent in root.iter() for child in parent}
            for child in list(root.iter("p")):  # in document order, also inside callouts and exercises
                image = child[0] if len(child) == 1 else None
                if image is None or image.tag != "img" or not image.get("src", "").startswith("fig:") \
                        or (child.text or "").strip() or (image.tail or "").strip():
                    continue
                parent = parents[child]
                parent[list(parent).index(child)] = etree.Element("figure-slot",
                                                                  {"data-index": str(len(self.figures))})
                self.figures.append({"name": image.get("src")[4:], "number": len(self.figures) + 1,
                                     "alt": image.get("alt", ""), "caption": image.get("title", "")})
            return root

    class FigureExtension(Extension):
        def extendMarkdown(self, md):
            md.treeprocessors.register(FigureProcessor(md), "figures", 5)

    return FigureExtension()


def markdown_to_html(text, solutions=True):
    """HTML of the body with a slot per figure, its table of contents (toc tokens) and its figures in order.

    With `solutions` false, every solution is left out (see blocks.py). The contents list
    sections, not the exercises' headings.
    """
    import markdown
    md = markdown.Markdown(extensions=EXTENSIONS + [figure_extension(), blocks_extension(solutions)],
                           extension_configs=EXTENSION_CONFIGS, output_format="html")
    # The "#" of a heading's self-link would be its whole name to a screen reader.
    html = md.convert(text).replace('class="headerlink" ', 'class="headerlink" aria-label="Link to this section" ')
    exercises = {exercise["id"] for exercise in md.treeprocessors["blocks"].exercises}
    return html, without_exercises(md.toc_tokens, exercises), md.treeprocessors["figures"].figures


def fill_figures(html, figures, manifests, url_for):
    """Put each figure, as drawn (`manifests`), into its slot."""
    from markdown.serializers import to_html_string

    def element(match):
        figure = figures[int(match.group(1))]
        return to_html_string(figure_element(figure["name"], figure["number"], figure["alt"], figure["caption"],
                                             manifests[figure["name"]], url_for))
    return FIGURE_SLOT.sub(element, html)
