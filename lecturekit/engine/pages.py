"""Assemble the site's pages from the lecture records: bodies, links, templates, the page cache.

The only variables a template sees are the dataclasses declared here. A page
is rendered only when something it shows, or any code that shapes it, has
changed; otherwise its HTML comes from the store. The course's `solutions` setting
(content/index.md) is part of every page's key: with `solutions: false` no solution is on
any page, nor a figure only a solution showed.
"""
import functools
from dataclasses import dataclass
from pathlib import Path

from . import mathtex
from .blocks import check_blocks
from .errors import BuildError
from .keys import digest
from .lectures import load_code, static_files
from .macros import NO_MACROS
from .pictures import role_base
from .markup import (check_figure_references, check_no_figure_left, figure_references, fill_figures, mark_figures,
                     markdown_to_html)
from .mathtokens import protect_math, restore_math
from .prose import EmptyInFormula, guard_formulas, render_prose


@dataclass(frozen=True)
class LectureLink:
    """What a page needs to link to a lecture."""
    title: str
    number: int
    summary: str
    href: str       # URL relative to the site root (templates prefix page.root)
    thumbnail: str  # URL of a figure relative to the site root, or ""
    thumbnail_alt: str
    thumbnail_dark: str = ""  # URL of the thumbnail's dark-scheme file, or ""


@dataclass(frozen=True)
class LecturePage:
    """Context of `lecture.html`."""
    course_title: str
    root: str          # relative URL of the site root ("../")
    title: str
    number: int
    summary: str
    body: str          # rendered HTML
    toc: list          # Python-Markdown toc tokens
    previous: object   # LectureLink or None
    next: object       # LectureLink or None
    results_href: str


@dataclass(frozen=True)
class HomePage:
    """Context of `home.html`."""
    course_title: str
    root: str
    intro: str         # rendered HTML
    lectures: list     # LectureLink


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

    def finish(self, manifests):
        """The body's HTML with its figures and formulas in place; a `fig:` address left in it is an error."""
        html = fill_figures(self.html, self.figures, manifests, figure_url(manifests), self.path)
        html = restore_math(html, self.formulas)
        check_no_figure_left(html, self.path, self.figure_lines)  # never a broken image
        return html


def page_body(text, path, first_line, context, store, solutions=True, macros=NO_MACROS):
    """Placeholders, then math, then Markdown: all of a page body that does not need its figures."""
    check_blocks(text, path, first_line)
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
    protected, formulas = protect_math(prose, path)
    # Jinja may have added or dropped lines: a bad formula is reported at its line in the file.
    rendered = mathtex.render_formulas(formulas, path, store, macros=macros,
                                       line_of=lambda i: mathtex.source_lines(formulas, padded, path)[i])
    return Body(*markdown_to_html(protected, solutions, path, figure_lines), rendered, solutions, macros.digest, path,
                figure_lines)


def lecture_body(lecture, store, solutions=True, macros=NO_MACROS):
    """The body of a lecture's page, before its figures are in; its formulas may use the course's `macros`.

    A reused lecture's code is imported here if its prose shows code with `source()`.
    """
    if lecture.reused and not lecture.computations and not lecture.figures and "source(" in lecture.body:
        load_code(lecture)
    # The figures its code declares (the body may be written while they are drawn), or a reused lecture's.
    check_figure_references(lecture.body, lecture.source, lecture.body_line,
                            [spec.name for spec in lecture.figures] or list(lecture.manifests))
    return page_body(lecture.body, lecture.source, lecture.body_line, lecture.results, store, solutions, macros)


def lecture_link(lecture):
    """How other pages link to a lecture (and show its thumbnail), relative to the site root."""
    meta, thumbnail = lecture.meta, lecture.meta.get("thumbnail", "")
    if thumbnail and thumbnail not in lecture.manifests:
        raise BuildError(f"thumbnail '{thumbnail}' is not a figure of this lecture", lecture.source, 1)
    url_for, files = figure_url(lecture.manifests), lecture.manifests[thumbnail]["files"] if thumbnail else {}
    still = f"{lecture.slug}/{url_for(thumbnail, 'still')}" if thumbnail else ""
    dark = f"{lecture.slug}/{url_for(thumbnail, still_role(files, dark=True))}" if still_role(files, True) else ""
    return LectureLink(meta["title"], meta["number"], meta["summary"], f"{lecture.slug}/index.html", still,
                       meta.get("thumbnail_alt", f"A figure from {meta['title']}"), dark)


def template_environment(folder):
    """Jinja for HTML: autoescaped, and an unknown variable is an error."""
    import jinja2  # here, not at the top: a build whose pages are all cached never needs it
    return jinja2.Environment(loader=jinja2.FileSystemLoader(folder), autoescape=True,
                              undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)


class Pages:
    """Renders the site's pages through the store, and counts those it rendered.

    Every page depends on `code` (reuse.Code: the Python sources and
    libraries), the templates, KaTeX and the course's macros, and whether solutions are shown, besides its content.
    """

    def __init__(self, course_title, store, templates, code, solutions=True, macros=NO_MACROS):
        self.course_title, self.store, self.rendered = course_title, store, 0
        self.solutions, self.macros = solutions, macros
        self.env = functools.cache(lambda: template_environment(templates))  # only if a page is rendered
        self.code = digest(code.fingerprint, [p.read_bytes().hex() for p in sorted(Path(templates).rglob("*.*"))],
                           mathtex.RENDER_SCRIPT.read_text(), mathtex.katex_version(), macros.digest)

    def cached(self, render, *inputs):
        """A page's HTML: reused while the code and `inputs` are unchanged, else `render()`ed and stored."""
        key = digest(self.code, self.course_title, self.solutions, *inputs)
        html = self.store.get_text("page", key)
        if html is None:
            html = render()
            self.rendered += 1
            self.store.put_text("page", key, html)
        return html

    def lecture(self, lecture, links, index):
        """HTML of one lecture page."""
        previous = links[index - 1] if index > 0 else None
        following = links[index + 1] if index + 1 < len(links) else None

        def render():
            body = lecture.page_body
            if body is None or (body.solutions, body.macros) != (self.solutions, self.macros.digest):
                body = lecture_body(lecture, self.store, self.solutions, self.macros)
            meta = lecture.meta
            return self.env().get_template("lecture.html").render(page=LecturePage(
                self.course_title, "../", meta["title"], meta["number"], meta["summary"],
                body.finish(lecture.manifests), body.toc, previous, following, "results.json"))
        # The fingerprint covers the lecture's Python files: a `source()` block shows their current text.
        return self.cached(render, lecture.fingerprint, lecture.meta, lecture.body, lecture.content_digest,
                           [link.__dict__ for link in (previous, following) if link])

    def home(self, source, intro_md, intro_line, cards):
        """HTML of the course home: its introduction and a card per lecture."""
        def render():
            intro = page_body(intro_md, source, intro_line, {}, self.store, self.solutions, self.macros).finish({})
            return self.env().get_template("home.html").render(page=HomePage(self.course_title, "", intro, cards))
        return self.cached(render, intro_md, [card.__dict__ for card in cards])


def withheld_figures(lecture, html):
    """Figures the Markdown shows but the page does not: those only a withheld solution showed."""
    url_for, shown = figure_url(lecture.manifests), {name for name, _ in figure_references(lecture.body, 1)}
    return {name for name in shown & lecture.manifests.keys() if name != lecture.meta.get("thumbnail")
            and not any(f'"{url_for(name, role)}"' in html for role in lecture.manifests[name]["files"])}


def figure_site_files(slug, manifests):
    """(figure name, site path, file's name in the store) of every file of a lecture's figures."""
    url_for = figure_url(manifests)
    for name, manifest in manifests.items():
        for role, blob in manifest["files"].items():
            yield name, f"{slug}/{url_for(name, role)}", blob


def lecture_files(lecture, html, store, solutions=True):
    """The site files of one lecture: page, results.json, figures (checked bytes)."""
    files = {f"{lecture.slug}/index.html": html.encode(),
             f"{lecture.slug}/results.json": lecture.results_json.encode()}
    withheld = set() if solutions else withheld_figures(lecture, html)
    for name, site_file, blob in figure_site_files(lecture.slug, lecture.manifests):
        if name in withheld:
            continue
        data = lecture.blobs.get(blob) or store.get_blob(blob)
        if data is None:
            raise BuildError(f"figure '{name}': its file vanished from the store during the build; build again",
                             lecture.folder)
        files[site_file] = data
    return files


def site_files(course, lectures, store, code, templates):
    """Every file of the site, relative path -> bytes; counts pages (rendered, reused) into `pages.rendered`."""
    solutions = course.meta.get("solutions", True)
    pages = Pages(course.meta.get("title", "Course"), store, templates, code, solutions, course.macros)
    links = [lecture_link(lecture) for lecture in lectures]
    files = {}
    for index, lecture in enumerate(lectures):
        files.update(lecture_files(lecture, pages.lecture(lecture, links, index), store, solutions))
        files.update(static_files(lecture))
    files["index.html"] = pages.home(course.source, course.intro, course.intro_line, links).encode()
    files["assets/style.css"] = (Path(templates) / "static" / "style.css").read_bytes()
    for relative, data in mathtex.katex_assets().items():
        files[f"assets/katex/{relative}"] = data
    files[".nojekyll"] = b""  # GitHub Pages: serve files as they are
    return files, pages.rendered
