"""The site's settings (site_url, repository, branch), its 404 page and sitemap, and the navigation the
templates draw from the pages' data: checked on the templates rendered with made-up pages, so lectures
in parts are covered before any course has them."""
import posixpath
import xml.etree.ElementTree as ElementTree
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin

import pytest

from lecturekit.engine.errors import BuildError
from lecturekit.engine.frontmatter import COURSE_SCHEMA, parse_front_matter
from lecturekit.engine.lectures import Course
from lecturekit.engine.macros import NO_MACROS
from lecturekit.engine.pages import HomePage, LectureLink, LecturePage, PartLink, template_environment
from lecturekit.engine.sitemeta import (SITEMAP_NAMESPACE, NotFoundPage, SiteSettings, asset_files, page_hrefs,
                                        repository_path, sitemap)

ROOT = Path(__file__).resolve().parents[1]
PATH = Path("content/index.md")
COURSE = "---\ntitle: A Course\nsolutions: true\n{settings}---\nHello\n"


def course_error(settings):
    """The BuildError for a content/index.md with these lines of settings; it names the file."""
    with pytest.raises(BuildError) as caught:
        parse_front_matter(COURSE.format(settings=settings), PATH, COURSE_SCHEMA)
    assert caught.value.path == PATH
    return caught.value


def line_of(settings, key):
    """The line of index.md on which `key` is written (its front matter starts on line 2)."""
    lines = COURSE.format(settings=settings).splitlines()
    return next(n for n, line in enumerate(lines, 1) if line.startswith(key + ":"))


# ------------------------------------------------------------------ the course's settings

@pytest.mark.parametrize("key, value, words", [
    ("site_url", "example.org/course/", "http:// or https:// address"),
    ("site_url", "ftp://example.org/course/", "http:// or https:// address"),
    ("site_url", "https:///course/", "http:// or https:// address"),
    ("site_url", "https://example.org/my course/", "http:// or https:// address"),
    ("site_url", "https://example.org/course/?page=1", "without a ?query or #fragment"),
    ("site_url", "https://example.org/course/#top", "without a ?query or #fragment"),
    ("site_url", "https://example.org/course/index.html", "folder, not of a page: https://example.org/course/"),
    ("repository", "github.com/owner/repo", "repository's https address"),
    ("repository", "http://github.com/owner/repo", "repository's https address"),
    ("repository", "https://github.com/owner", "repository's https address"),
    ("repository", "https://github.com/owner/repo?tab=readme", "repository's https address"),
    ("branch", "my branch", "git branch name"),
    ("branch", "-main", "git branch name"),
    ("branch", "release..1", "git branch name"),
    ("branch", "main/", "git branch name"),
    ("site_url", "1", "must be a string"),
    ("site_url", "", "is empty"),
])
def test_a_bad_setting_is_an_error_at_its_line(key, value, words):
    settings = f"repository: https://github.com/owner/repo\n{key}: {value}\n" if key == "branch" \
        else f"{key}: {value}\n"
    error = course_error(settings)
    assert error.line == line_of(settings, key), error
    assert f"'{key}'" in error.message and words in error.message, error.message


def course_with(settings, tmp_path):
    source = tmp_path / "content" / "index.md"
    source.parent.mkdir(exist_ok=True)
    source.write_text(COURSE.format(settings=settings))
    meta, intro, line = parse_front_matter(source.read_text(), source, COURSE_SCHEMA)
    return Course(meta, intro, line, source, NO_MACROS)


def test_a_branch_without_a_repository_is_an_error_at_its_line(tmp_path):
    settings = "site_url: https://example.org/course/\nbranch: gh-pages\n"
    with pytest.raises(BuildError, match="'branch' names a branch of the 'repository', which is not set") as caught:
        SiteSettings.of_course(course_with(settings, tmp_path))
    assert caught.value.path == tmp_path / "content" / "index.md"
    assert caught.value.line == line_of(settings, "branch")


@pytest.mark.parametrize("written", ["https://example.org/course", "https://example.org/course/",
                                     "https://example.org/course//"])
def test_site_url_is_one_folder_however_it_ends(written, tmp_path):
    site = SiteSettings.of_course(course_with(f"site_url: {written}\n", tmp_path))
    assert site.url == "https://example.org/course/"
    for href in ("index.html", "gradient-descent/index.html", "gradient-descent/figures/a.png"):
        folder = posixpath.dirname(href) + "/" if posixpath.basename(href) == "index.html" else href
        assert site.absolute(href) == urljoin("https://example.org/course/", folder.lstrip("/"))


@pytest.mark.parametrize("written", ["https://github.com/owner/repo", "https://github.com/owner/repo/",
                                     "https://github.com/owner/repo.git"])
@pytest.mark.parametrize("branch", [None, "gh-pages"])
def test_edit_links_point_at_the_markdown_in_the_repository(written, branch, tmp_path):
    settings = f"repository: {written}\n" + (f"branch: {branch}\n" if branch else "")
    course = course_with(settings, tmp_path)
    site = SiteSettings.of_course(course)
    lecture = tmp_path / "content" / "gradient-descent" / "lecture.md"
    path = repository_path(lecture, course.source.parent)
    assert path == lecture.relative_to(tmp_path).as_posix()
    assert site.edit_url(path) == f"https://github.com/owner/repo/edit/{branch or 'main'}/{path}"
    assert site.edit_url("") == "" and SiteSettings().edit_url(path) == ""


def test_no_settings_no_absolute_addresses(tmp_path):
    site = SiteSettings.of_course(course_with("", tmp_path))
    assert site == SiteSettings() and site.absolute("index.html") == "" and site.edit_url("content/index.md") == ""


# ------------------------------------------------------------------ site-level files

def links_with_parts():
    """A course of three lectures, the second in two parts."""
    parts = (PartLink("Momentum", "descent/momentum.html"), PartLink("Newton's method", "descent/newton.html"))
    return [LectureLink("Basics", 1, "First.", "basics/index.html", "basics/figures/a.png", "A figure."),
            LectureLink("Descent", 2, "Second.", "descent/index.html", "descent/figures/b-poster.png", "B.", parts),
            LectureLink("Stochastic", 3, "Third.", "sgd/index.html", "", "")]


def test_sitemap_lists_every_page_and_part_at_its_address():
    links, site = links_with_parts(), SiteSettings("https://example.org/course/")
    root = ElementTree.fromstring(sitemap(site, links))
    assert root.tag == f"{{{SITEMAP_NAMESPACE}}}urlset"
    locs = [loc.text for loc in root.iter(f"{{{SITEMAP_NAMESPACE}}}loc")]
    expected = ["index.html"] + [h for link in links for h in [link.href] + [p.href for p in link.parts]]
    assert locs == [urljoin(site.url, h.removesuffix("index.html")) for h in expected]
    assert page_hrefs(links) == expected


def test_assets_are_the_static_files_without_hidden_files_or_backups(tmp_path):
    static = tmp_path / "static"
    (static / "fonts").mkdir(parents=True)
    for name in ("style.css", "nav.js", "fonts/a.woff2", ".DS_Store", "style.css~", "#nav.js#", ".git/x"):
        (static / name).parent.mkdir(parents=True, exist_ok=True)
        (static / name).write_text(name)
    assert asset_files(tmp_path) == {f"assets/{name}": name.encode() for name in ("fonts/a.woff2", "nav.js",
                                                                                   "style.css")}
    shipped = {path.name for path in (ROOT / "templates" / "static").iterdir()}
    assert {"style.css", "favicon.svg", "nav.js", "copy.js"} <= shipped
    assert set(asset_files(ROOT / "templates")) == {f"assets/{name}" for name in shipped}


# ------------------------------------------------------------------ the templates, rendered with made-up pages

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Outline(HTMLParser):
    """Each course navigation on a page as rows (depth, href, text, aria-current, the li's class), and the
    head's <link>/<meta> elements and the page's other links."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.navs, self.heads, self.links, self.depth, self.nav_depth, self.stack = [], [], [], 0, None, []
        self.in_link = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("link", "meta", "base"):
            self.heads.append((tag, attrs))
        if tag in VOID:
            return
        self.depth += 1
        if tag == "nav" and "course-nav" in attrs.get("class", "").split():
            self.navs.append([])
            self.nav_depth, self.stack = self.depth, []
        elif self.nav_depth is not None and tag == "li":
            self.stack.append(attrs.get("class", ""))
        elif tag == "a":
            self.links.append(attrs)
            self.in_link = True
            if self.nav_depth is not None:
                self.navs[-1].append([len(self.stack), attrs["href"], "", attrs.get("aria-current"),
                                      self.stack[-1] if self.stack else None])

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        self.in_link = self.in_link and tag != "a"
        if self.nav_depth == self.depth and tag == "nav":
            self.nav_depth = None
        elif self.nav_depth is not None and tag == "li":
            self.stack.pop()
        self.depth -= 1

    def handle_data(self, data):
        if self.nav_depth is not None and self.in_link:
            self.navs[-1][-1][2] = " ".join((self.navs[-1][-1][2] + " " + data).split())

    def meta(self, name):
        return [a.get("content", a.get("href")) for tag, a in self.heads
                if name in (a.get("property"), a.get("name"), a.get("rel"))]


def render(template, page):
    html = template_environment(ROOT / "templates").get_template(template).render(page=page)
    outline = Outline()
    outline.feed(html)
    return outline


def lecture_page(links, href, site=SiteSettings(), source_path="content/descent/momentum.md"):
    return LecturePage("A Course", "../", "Momentum", 2, "Second.", "<h2 id='s'>S</h2>", [], links[0], links[2],
                       "results.json", lectures=links, href=href, site=site, source_path=source_path)


def expected_rows(links, root, current):
    """The rows Outline should read from a navigation of `links` on the page at `current`."""
    rows = [[0, f"{root}index.html", "Course home", "page" if current == "index.html" else None, None]]
    for link in links:
        here = current in [link.href] + [part.href for part in link.parts]
        rows.append([1, root + link.href, f"{link.number} {link.title}", "page" if link.href == current else None,
                     "nav-here" if here else ""])
        rows += [[2, root + part.href, part.title, "page" if part.href == current else None, ""]
                 for part in link.parts]
    return rows


@pytest.mark.parametrize("current", ["descent/momentum.html", "descent/index.html", "sgd/index.html"])
def test_the_navigation_lists_every_lecture_and_part_and_marks_the_page(current):
    links = links_with_parts()
    outline = render("lecture.html", lecture_page(links, current))
    assert len(outline.navs) == 2, "the sidebar's and the menu's"
    for rows in outline.navs:
        assert rows == expected_rows(links, "../", current)
        assert sum(row[3] == "page" for row in rows) == 1


def test_the_home_page_and_the_404_page_have_the_navigation_too():
    links = links_with_parts()
    home = render("home.html", HomePage("A Course", "", "<p>Hi</p>", links, "index.html", SiteSettings(),
                                        "content/index.md"))
    assert home.navs == [expected_rows(links, "", "index.html")] * 2
    missing = render("404.html", NotFoundPage("A Course", "", links, "404.html", SiteSettings(), ""))
    assert missing.navs == [expected_rows(links, "", "404.html")] * 2
    assert not any(row[3] for rows in missing.navs for row in rows)


def test_canonical_and_social_addresses_only_with_a_site_url():
    links = links_with_parts()
    site = SiteSettings("https://example.org/course/")
    bare = render("lecture.html", lecture_page(links, "descent/momentum.html"))
    full = render("lecture.html", lecture_page(links, "descent/momentum.html", site))
    for outline in (bare, full):
        assert outline.meta("og:title") == ["Momentum · A Course"] and outline.meta("og:description") == ["Second."]
        assert outline.meta("og:type") == ["article"] and outline.meta("twitter:title")
    for name in ("canonical", "og:url", "og:image", "twitter:image"):
        assert bare.meta(name) == [], name
    assert bare.meta("twitter:card") == ["summary"]
    page = urljoin(site.url, "descent/momentum.html")
    assert full.meta("canonical") == full.meta("og:url") == [page]
    thumbnail = urljoin(site.url, links[1].thumbnail)  # the thumbnail of the lecture this part is of
    assert full.meta("og:image") == full.meta("twitter:image") == [thumbnail]
    assert full.meta("og:image:alt") == [links[1].thumbnail_alt]
    assert full.meta("twitter:card") == ["summary_large_image"]
    home = render("home.html", HomePage("A Course", "", "<p>Hi</p>", links, "index.html", site, "content/index.md"))
    assert home.meta("canonical") == [site.url] and home.meta("og:image") == [urljoin(site.url, links[0].thumbnail)]


def test_the_404_page_names_the_site_root_and_is_not_indexed():
    links = links_with_parts()
    site = SiteSettings("https://example.org/course/")
    with_url = render("404.html", NotFoundPage("A Course", "", links, "404.html", site, ""))
    assert with_url.meta("robots") == ["noindex"] and with_url.meta("canonical") == []
    assert [a["href"] for tag, a in with_url.heads if tag == "base"] == [site.url]
    assert "stylesheet" in [a.get("rel") for tag, a in with_url.heads]
    bare = render("404.html", NotFoundPage("A Course", "", links, "404.html", SiteSettings(), ""))
    assert [tag for tag, _ in bare.heads if tag in ("base", "link")] == [], \
        "without a site_url its script writes the base and the assets"


def test_the_edit_link_only_with_a_repository():
    links, path = links_with_parts(), "content/descent/momentum.md"
    site = SiteSettings(repository="https://github.com/owner/repo", branch="draft")
    edit = [a["href"] for a in render("lecture.html", lecture_page(links, links[1].parts[0].href, site, path)).links
            if "/edit/" in a["href"]]
    assert edit == [f"{site.repository}/edit/draft/{path}"]
    assert not [a for a in render("lecture.html", lecture_page(links, links[1].parts[0].href)).links
                if "/edit/" in a["href"]]
