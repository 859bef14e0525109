"""Assemble the site's pages from the lecture records: bodies, links, templates, the page cache.

The only variables a template sees are the dataclasses declared here. A page
is rendered only when something it shows, or any code that shapes it, has
changed; otherwise its HTML comes from the store. The course's `solutions` setting
(content/index.md) is part of every page's key: with `solutions: false` no solution is on
any page, nor a figure only a solution showed.
"""
import functools
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

from . import mathtex
from .bodies import (figure_url, lecture_bodies, lecture_labels, page_body,  # noqa: F401  (page_body: for tests)
                     still_role)
from .errors import BuildError
from .keys import digest
from .lectures import static_files
from .macros import NO_MACROS
from .markup import figure_references
from .notebook import start_notebooks
from .prose import bytecode_cache
from .search import search_files
from .sitemeta import SiteSettings, asset_files, repository_path, site_level_files


@dataclass(frozen=True)
class PartLink:
    """What a page needs to link to one page of a lecture (the course's navigation lists parts under it)."""
    title: str
    href: str       # URL relative to the site root
    summary: str = ""


@dataclass(frozen=True)
class LectureLink:
    """What a page needs to link to a lecture."""
    title: str
    number: int
    summary: str
    href: str       # URL relative to the site root (templates prefix page.root)
    thumbnail: str  # URL of a figure relative to the site root, or ""
    thumbnail_alt: str
    parts: tuple = ()  # PartLink of each page after its first, if it is in parts
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
    previous: object   # the page before this one in the course (PartLink), or None
    next: object       # the page after it, or None
    results_href: str
    part_title: str = ""   # the part's title, on a part's page (its number is part_number)
    part_number: int = 0   # 0 on a lecture's first page (lecture.md), 1, 2, ... on its parts
    parts: tuple = ()      # PartLink of each of the lecture's parts, listed on its first page
    lectures: list = ()    # LectureLink of every lecture of the course, for its navigation
    href: str = ""         # this page's URL relative to the site root: the navigation marks it
    site: SiteSettings = SiteSettings()  # site_url and repository (sitemeta.py)
    source_path: str = ""  # its Markdown's path in the repository, for "Edit this page"
    notebook_href: str = ""  # the lecture as a Jupyter notebook (notebook.py)


@dataclass(frozen=True)
class HomePage:
    """Context of `home.html`."""
    course_title: str
    root: str
    intro: str         # rendered HTML
    lectures: list     # LectureLink
    href: str          # "index.html"
    site: SiteSettings
    source_path: str   # content/index.md


def lecture_link(lecture):
    """How other pages link to a lecture (and show its thumbnail), relative to the site root."""
    meta, thumbnail = lecture.meta, lecture.meta.get("thumbnail", "")
    if thumbnail and thumbnail not in lecture.manifests:
        raise BuildError(f"thumbnail '{thumbnail}' is not a figure of this lecture", lecture.source, 1)
    url_for, files = figure_url(lecture.manifests), lecture.manifests[thumbnail]["files"] if thumbnail else {}
    still = f"{lecture.slug}/{url_for(thumbnail, 'still')}" if thumbnail else ""
    dark = f"{lecture.slug}/{url_for(thumbnail, still_role(files, dark=True))}" if still_role(files, True) else ""
    parts = tuple(PartLink(part.title, f"{lecture.slug}/{part.href}", part.meta.get("summary", ""))
                  for part in lecture.parts[1:])
    return LectureLink(meta["title"], meta["number"], meta["summary"], f"{lecture.slug}/index.html", still,
                       meta.get("thumbnail_alt", f"A figure from {meta['title']}"), parts, dark)


def course_pages(links):
    """PartLink of every page of the course in reading order: each lecture's first page, then its parts."""
    return [page for link in links for page in (PartLink(link.title, link.href, link.summary), *link.parts)]


def template_environment(folder, store=None):
    """Jinja for HTML: autoescaped, and an unknown variable is an error; compiled templates kept in `store`
    (compiling the page templates took 0.2 s of a prose edit's build)."""
    import jinja2  # here, not at the top: a build whose pages are all cached never needs it
    return jinja2.Environment(loader=jinja2.FileSystemLoader(folder), autoescape=True,
                              undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                              bytecode_cache=bytecode_cache(store) if store else None)


class Pages:
    """Renders the site's pages through the store, and counts those it rendered.

    Every page depends on `code` (reuse.Code: the Python sources and
    libraries), the templates, KaTeX and the course's macros, and whether solutions are shown, besides its content.
    """

    def __init__(self, course_title, store, templates, code, solutions=True, macros=NO_MACROS, site=SiteSettings()):
        self.course_title, self.store, self.rendered = course_title, store, 0
        self.solutions, self.macros, self.site = solutions, macros, site
        self.env = functools.cache(lambda: template_environment(templates, store))  # only if a page is rendered
        self.code = digest(code.fingerprint, [p.read_bytes().hex() for p in sorted(Path(templates).rglob("*.*"))],
                           mathtex.RENDER_SCRIPT.read_text(), mathtex.katex_version(), macros.digest)

    def cached(self, render, *inputs, counted=True):
        """A page's HTML: reused while the code and `inputs` are unchanged, else `render()`ed and stored.

        `rendered` counts the lecture pages and the home page (`counted`), not the site's 404 page.
        """
        key = digest(self.code, self.course_title, self.solutions, asdict(self.site), *inputs)
        html = self.store.get_text("page", key)
        if html is None:
            html = render()
            self.rendered += counted
            self.store.put_text("page", key, html)
        return html

    def labels(self, lecture):
        """The cross-reference labels of a lecture's pages, their bodies written if they are not."""
        stale = any(part.page_body is None or (part.page_body.solutions, part.page_body.macros)
                    != (self.solutions, self.macros.digest) for part in lecture.parts)
        if stale:
            lecture_bodies(lecture, self.store, self.solutions, self.macros)
        return lecture_labels(lecture)

    def lecture(self, lecture, link, links, order, notebook=True):
        """HTML of each page of one lecture (`link` is lecture_link(lecture)); `order` is course_pages(links)."""
        labels = functools.cache(lambda: self.labels(lecture))  # only if a page is rendered
        pages, meta, at = [], lecture.meta, [page.href for page in order].index(link.href)
        for j, part in enumerate(lecture.parts):
            previous = order[at + j - 1] if at + j > 0 else None
            following = order[at + j + 1] if at + j + 1 < len(order) else None
            parts = link.parts if j == 0 else ()  # listed on its first page
            href, source_path = order[at + j].href, repository_path(part.source, lecture.folder.parent)

            def render(part=part, previous=previous, following=following, parts=parts, j=j, href=href,
                       source_path=source_path):
                known = labels()
                return self.env().get_template("lecture.html").render(page=LecturePage(
                    self.course_title, "../", meta["title"], meta["number"], meta["summary"],
                    part.page_body.finish(lecture.manifests, known, part.href), part.page_body.contents(known),
                    previous, following, "results.json", part.title if j else "", j, parts, links, href, self.site,
                    source_path, notebook_name(lecture) if notebook else ""))
            # The fingerprint covers the lecture's Python files: a `source()` block shows their current text.
            # Every page's numbers and links depend on all its lecture's pages.
            pages.append(self.cached(render, lecture.fingerprint, lecture.meta, lecture.content_digest, j,
                                     [(p.meta, p.body) for p in lecture.parts],
                                     [asdict(link) for link in (previous, following, *parts) if link],
                                     [asdict(link) for link in links], href, source_path, notebook))
        return pages

    def home(self, source, intro_md, intro_line, cards):
        """HTML of the course home: its introduction and a card per lecture."""
        source_path = repository_path(source, Path(source).parent)

        def render():
            intro = page_body(intro_md, source, intro_line, {}, self.store, self.solutions, self.macros).finish({})
            return self.env().get_template("home.html").render(page=HomePage(self.course_title, "", intro, cards,
                                                                             "index.html", self.site, source_path))
        return self.cached(render, intro_md, [asdict(card) for card in cards], source_path)


def withheld_figures(lecture, pages):
    """Figures the Markdown shows but no page does: those only a withheld solution showed."""
    url_for = figure_url(lecture.manifests)
    shown = {name for part in lecture.parts for name, _ in figure_references(part.body, 1)}
    return {name for name in shown & lecture.manifests.keys() if name != lecture.meta.get("thumbnail")
            and not any(f'"{url_for(name, role)}"' in html for html in pages for role in lecture.manifests[name]["files"])}


def figure_site_files(slug, manifests):
    """(figure name, site path, file's name in the store) of every file of a lecture's figures."""
    url_for = figure_url(manifests)
    for name, manifest in manifests.items():
        for role, blob in manifest["files"].items():
            yield name, f"{slug}/{url_for(name, role)}", blob


def lecture_files(lecture, pages, store, solutions=True):
    """The site files of one lecture: its pages' HTML, results.json, figures (checked bytes)."""
    files = {f"{lecture.slug}/{part.href}": html.encode() for part, html in zip(lecture.parts, pages)}
    files[f"{lecture.slug}/results.json"] = lecture.results_json.encode()
    withheld = set() if solutions else withheld_figures(lecture, pages)
    for name, site_file, blob in figure_site_files(lecture.slug, lecture.manifests):
        if name in withheld:
            continue
        data = lecture.blobs.get(blob) or store.get_blob(blob)
        if data is None:
            raise BuildError(f"figure '{name}': its file vanished from the store during the build; build again",
                             lecture.folder)
        files[site_file] = data
    return files


def notebook_name(lecture):
    return f"{lecture.slug}.ipynb"


def site_files(course, lectures, store, code, templates):
    """Every file of the site, relative path -> bytes; counts pages (rendered, reused) into `pages.rendered`."""
    solutions, site = course.meta.get("solutions", True), SiteSettings.of_course(course)
    pages = Pages(course.meta.get("title", "Course"), store, templates, code, solutions, course.macros, site)
    links = [lecture_link(lecture) for lecture in lectures]
    order = course_pages(links)
    files = {}
    notebooks = start_notebooks([(lecture, [(part.body, part.source, part.body_line) for part in lecture.parts])
                                 for lecture in lectures], store, code, solutions, course.macros,  # while pages render
                                labels_of=lambda lecture: pages.labels(lecture))
    for lecture, link in zip(lectures, links):
        files.update(lecture_files(lecture, pages.lecture(lecture, link, links, order), store, solutions))
        files.update(static_files(lecture))
    files["index.html"] = pages.home(course.source, course.intro, course.intro_line, links).encode()
    files.update(search_files(files, store))  # the index of the lecture pages: Pagefind runs beside the notebooks
    for lecture, link, notebook in zip(lectures, links, notebooks()):
        if isinstance(notebook, BuildError):  # its pages go without the link, and the build says why
            print(f"warning: no notebook for {lecture.slug}: {notebook}", file=sys.stderr, flush=True)
            files.update(lecture_files(lecture, pages.lecture(lecture, link, links, order, notebook=False), store,
                                       solutions))
        else:
            files[f"{lecture.slug}/{notebook_name(lecture)}"] = notebook
    files.update(asset_files(templates))  # the stylesheet, scripts and favicon
    files.update(site_level_files(pages, links))  # 404.html; sitemap.xml with a site_url
    for relative, data in mathtex.katex_assets().items():
        files[f"assets/katex/{relative}"] = data
    files[".nojekyll"] = b""  # GitHub Pages: serve files as they are
    return files, pages.rendered
