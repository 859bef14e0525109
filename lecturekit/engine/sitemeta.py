"""What a published site holds besides its lecture pages: its settings, assets, 404 page and sitemap.

Three optional settings of content/index.md shape every page (templates read them as `page.site`):

- `site_url`, the address the site is published at: with it, pages carry a canonical link and
  OpenGraph/Twitter addresses (og:url, og:image, which must be absolute), the 404 page names the
  site root in a `<base href>`, and the site gets a sitemap.xml. Without it none of these is written
  (rather than a wrong one), and the 404 page finds the root with a script (see templates/404.html).
- `repository` (https://github.com/owner/repo) and `branch` (default main): each page links to
  "edit this page", its Markdown file in the repository (GitHub's /edit/<branch>/<path> address).
  A page's Markdown is named by its path from the content folder's parent (content/<slug>/lecture.md),
  which assumes the content folder sits at the top of the repository, as build.py's default does.
"""
import urllib.parse
from dataclasses import asdict, dataclass
from pathlib import Path

from .errors import BuildError

SITEMAP_NAMESPACE = "http://www.sitemaps.org/schemas/sitemap/0.9"


@dataclass(frozen=True)
class SiteSettings:
    """The course's site_url (normalised to end in one "/"), repository and branch; "" when not set."""
    url: str = ""
    repository: str = ""
    branch: str = "main"

    @classmethod
    def of_course(cls, course):
        """The settings of a course (lectures.Course), its front matter already checked against COURSE_SCHEMA."""
        meta = course.meta
        if "branch" in meta and "repository" not in meta:
            raise BuildError("front matter 'branch' names a branch of the 'repository', which is not set; "
                             "add repository: https://github.com/owner/repo or leave out the branch",
                             course.source, key_line(course.source, "branch"))
        url = meta.get("site_url", "").rstrip("/")
        repository = meta.get("repository", "").rstrip("/").removesuffix(".git")
        return cls(url + "/" if url else "", repository, meta.get("branch", "main"))

    def absolute(self, href):
        """The absolute address of a site path ("a/index.html" -> "<site_url>a/"), or "" without a site_url."""
        if not self.url:
            return ""
        folder = href.removesuffix("index.html") if href == "index.html" or href.endswith("/index.html") else href
        return self.url + urllib.parse.quote(folder)

    def edit_url(self, source_path):
        """Where to edit the Markdown file at `source_path` in the repository, or "" without one."""
        if not self.repository or not source_path:
            return ""
        return f"{self.repository}/edit/{urllib.parse.quote(self.branch)}/{urllib.parse.quote(source_path)}"


def key_line(path, key):
    """The line of a top-level front-matter key in a file, for an error about its value (1 if not found)."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return next((n for n, line in enumerate(lines, 1) if line.split(":", 1)[0].strip() == key), 1)


def repository_path(markdown, content_dir):
    """The path of a page's Markdown file in the repository: content/<slug>/lecture.md, content/index.md."""
    content_dir = Path(content_dir).resolve()
    return f"{content_dir.name}/{Path(markdown).resolve().relative_to(content_dir).as_posix()}"


def asset_files(templates):
    """templates/static/* as the site's assets/*; hidden files and editors' backups (`.x`, `#x#`, `x~`) stay out."""
    folder = Path(templates) / "static"
    return {f"assets/{path.relative_to(folder).as_posix()}": path.read_bytes() for path in sorted(folder.rglob("*"))
            if path.is_file() and not any(part.startswith((".", "#")) or part.endswith("~")
                                          for part in path.relative_to(folder).parts)}


@dataclass(frozen=True)
class NotFoundPage:
    """Context of `404.html`, which GitHub Pages shows at every missing address, at any depth."""
    course_title: str
    root: str           # "": its links are relative to the site root, which its <base href> names
    lectures: list      # pages.LectureLink of every lecture
    href: str           # "404.html"
    site: SiteSettings
    source_path: str    # "": nothing to edit


def page_hrefs(links):
    """Every page of the course, relative to the site root: the home page, each lecture and each part."""
    return ["index.html"] + [href for link in links for href in (link.href, *(part.href for part in link.parts))]


def sitemap(settings, links):
    """sitemap.xml (https://www.sitemaps.org/protocol.html) of every page, at its absolute address."""
    import xml.etree.ElementTree as ElementTree  # here: only a course with a site_url has a sitemap
    urlset = ElementTree.Element("urlset", xmlns=SITEMAP_NAMESPACE)
    for href in page_hrefs(links):
        ElementTree.SubElement(ElementTree.SubElement(urlset, "url"), "loc").text = settings.absolute(href)
    ElementTree.indent(urlset)
    return ElementTree.tostring(urlset, encoding="utf-8", xml_declaration=True) + b"\n"


def site_level_files(pages, links):
    """404.html, and sitemap.xml when the course has a site_url; `pages` is the build's pages.Pages."""
    def render():
        return pages.env().get_template("404.html").render(
            page=NotFoundPage(pages.course_title, "", links, "404.html", pages.site, ""))
    files = {"404.html": pages.cached(render, "404.html", [asdict(link) for link in links], counted=False).encode()}
    if pages.site.url:
        files["sitemap.xml"] = sitemap(pages.site, links)
    return files
