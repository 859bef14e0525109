"""A page's body, from its Markdown to its HTML: placeholders, math, Markdown, numbers and cross-references.

A lecture's pages (its parts) are written in order, each numbering its figures, equations, sections,
exercises and callouts on from the pages before it (crossrefs.Numbering); once all are written, the
citations of each are linked to the labels of all (Body.finish).
"""
from dataclasses import dataclass, field

from . import mathtex
from .blocks import check_blocks
from .crossrefs import (Numbering, anchor_equations, check_unique_labels, label_lines, link_references,
                        mark_citations, plain_references, source_labels, tag_equations)
from .errors import BuildError
from .keys import digest
from .lectures import load_code
from .macros import NO_MACROS
from .markup import check_figure_references, check_no_figure_left, fill_figures, mark_figures, markdown_to_html
from .mathtokens import protect_math, restore_math
from .pictures import raw_figure_pictures, role_base
from .prose import EmptyInFormula, guard_formulas, render_prose


def still_role(files, dark=False):
    """The role of a figure's still (its poster if it moves, else its file), or of the dark one; None if none."""
    role = ("poster" if "poster" in files else "file") + (".dark" if dark else "")
    return role if role in files else None


def figure_url(manifests):
    """URL (relative to the lecture page) of a figure's file of a role ("file", "poster", "file.dark@2x", ...),
    or of its "still" (poster or file).

    figures/<name><rest of the role><suffix>, with "-poster" after the name for a poster: figures/p1.dark@2x.png.
    Names hold no "." or "@", so no two figures' files share a URL.
    """
    def url_for(name, which="file"):
        files = manifests[name]["files"]
        role = still_role(files) if which == "still" else which
        base = role_base(role)
        suffix = files[role][files[role].rindex("."):]  # blob names end in their suffix
        return f"figures/{name}{'' if base == 'file' else '-' + base}{role[len(base):]}{suffix}"
    return url_for


def line_with(path, text):
    """The first line of the file at `path` holding `text` (None if Jinja wrote it)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, AttributeError, UnicodeDecodeError):
        return None
    return next((number for number, line in enumerate(lines, 1) if text in line), None)


@dataclass
class Body:
    """A page body as far as it goes without its figures: HTML with a slot per figure and a token per formula."""
    html: str
    toc: list
    figures: list   # what each figure slot shows (see markup.fill_figures)
    formulas: list  # rendered HTML of each math token
    solutions: bool = True     # whether it shows the solutions
    macros: str = NO_MACROS.digest  # what the macros its formulas were typeset with mean (macros.Macros.digest)
    path: object = None        # the Markdown file, for errors
    figure_lines: list = ()    # line in that file of each figure mark (see markup.mark_figures)
    citations: list = field(default_factory=list)  # (label, line) of each @label, by its mark's number
    numbering: object = None   # crossrefs.Numbering: counts after this page, and the labels it gave

    def finish(self, manifests, labels=None, here="index.html"):
        """The body's HTML with its figures, formulas and links in place; a `fig:` address left is an error.

        `labels`: label -> (text, page, anchor) of every page of the lecture; `here` is this page.
        """
        url_for = figure_url(manifests)
        try:
            html = raw_figure_pictures(self.html, manifests, url_for)
        except KeyError as missing:
            raise BuildError(f"raw HTML shows {missing.args[0]}, a file no figure makes (a figure's light file is "
                             "figures/<name>.png, or .gif for an animation)", self.path,
                             line_with(self.path, missing.args[0])) from None
        html = fill_figures(html, self.figures, manifests, url_for, self.path)
        html = restore_math(html, self.formulas)
        check_no_figure_left(html, self.path, self.figure_lines)  # never a broken image
        return link_references(html, self.citations, labels or {}, here, self.path)

    def contents(self, labels):
        """The contents list, a citation in a heading as its plain words."""
        def words(tokens):
            return [{**t, "name": plain_references(t["name"], self.citations, labels),
                     "children": words(t["children"])} for t in tokens]
        return words(self.toc)


def page_body(text, path, first_line, context, store, solutions=True, macros=NO_MACROS, numbering=None):
    """Placeholders, then math, then Markdown: all of a page body that does not need its figures.

    Its numbers follow on from `numbering` (what the lecture's pages before it hold), not changed here.
    """
    check_blocks(text, path, first_line)
    numbering, citations = (numbering or Numbering()).copy(), []
    text = mark_citations(label_lines(text, path, first_line), path, first_line, citations)
    padded = "\n" * (first_line - 1) + text  # so every error's line is the file's line
    try:
        guarded, guards = guard_formulas(text, mathtex.source_formulas(text), first_line)
    except BuildError:  # math that does not parse before Jinja may after it: render_formulas says
        guarded, guards = text, []
    marked, figure_lines = mark_figures("\n" * (first_line - 1) + guarded, 1)
    try:
        prose = render_prose(marked, path, 1, context, store, guards)
    except EmptyInFormula:
        raise
    except BuildError:
        if not guards:
            raise
        # A Jinja construct spanning formulas broke by guarding them: the text as written renders, or says why not.
        prose = render_prose(mark_figures(padded, 1)[0], path, 1, context, store)
    prose = mark_citations(prose, path, None, citations)  # those Jinja wrote
    protected, formulas = protect_math(prose, path)

    lines = []  # source_lines pairs every formula at once (seconds on a long page): once, when first asked

    def line_of(i):  # Jinja may have added or dropped lines: a bad formula is reported at its line in the file
        lines[:] = lines or mathtex.source_lines(formulas, padded, path)
        return lines[i]
    tagged, anchors = tag_equations(formulas, numbering, path, line_of, padded)
    rendered = anchor_equations(mathtex.render_formulas(tagged, path, store, macros=macros, line_of=line_of), anchors)
    html, toc, figures = markdown_to_html(protected, solutions, path, figure_lines, numbering)
    return Body(html, toc, figures, rendered, solutions, macros.digest, path, figure_lines, citations, numbering)


def lecture_bodies(lecture, store, solutions=True, macros=NO_MACROS):
    """Write the body of each of a lecture's pages, in order, into its Part; a label given twice is an error.

    A reused lecture's code is imported here if a body written again shows code with `source()`.
    """
    known = [spec.name for spec in lecture.figures] or list(lecture.manifests)  # declared, or a reused lecture's
    check_unique_labels([(part.source, source_labels(part.body, part.source, part.body_line))
                         for part in lecture.parts])
    numbering, results = Numbering(), digest(lecture.results)
    for part in lecture.parts:
        check_figure_references(part.body, part.source, part.body_line, known)
        # A part's body is a function of these: a prose edit in one part writes that part again, and those
        # after it only if their numbers moved. lecture.fingerprint covers the code (source() shows it).
        key = digest("body", lecture.fingerprint, mathtex.katex_version(), results, sorted(known), str(part.source),
                     part.body, part.body_line, solutions, macros.digest, numbering.counts)
        stored = store.get_json("body", key) if lecture.fingerprint else None
        if stored is None:
            if lecture.reused and not lecture.computations and not lecture.figures and "source(" in part.body:
                load_code(lecture)  # only for a body that shows code and is written again
            part.page_body = page_body(part.body, part.source, part.body_line, lecture.results, store, solutions,
                                       macros, numbering)
            if lecture.fingerprint:
                store.put_json("body", key, {**vars(part.page_body), "path": str(part.source),
                                             "numbering": vars(part.page_body.numbering)})
        else:
            part.page_body = Body(**{**stored, "path": part.source, "numbering": Numbering(**stored["numbering"])})
        numbering = part.page_body.numbering
    return [part.page_body for part in lecture.parts]


def lecture_labels(lecture):
    """label -> (text, page, anchor) over every page of the lecture, its bodies written (a figure shown twice:
    where it is first shown)."""
    labels = {}
    for part in lecture.parts:
        for label, (text, anchor) in part.page_body.numbering.labels.items():
            labels.setdefault(label, (text, part.href, anchor))
    return labels
