"""Every internal link of the built sites resolves, without a browser.

Parses each page with html.parser: every href/src/srcset that stays inside the
site must name a file that exists, every #fragment an id in the target page,
and no URL may start with "/" (the site is served under a sub-path such as
https://user.github.io/repo/), nor load anything from another host.
"""
import posixpath
import re
from html.parser import HTMLParser
from urllib.parse import unquote, urlsplit

import pytest

LINK_ATTRIBUTES = {"href", "src", "srcset", "poster", "data"}
CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)")


class PageParser(HTMLParser):
    """Collects the ids of a page and the URLs it refers to."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids, self.urls = set(), []  # urls: (tag, attribute, url, line)

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if value is None:
                continue
            if name == "id" or (tag == "a" and name == "name"):
                self.ids.add(value)
            if name in LINK_ATTRIBUTES:
                values = [part.strip().split()[0] for part in value.split(",") if part.strip()] \
                    if name == "srcset" else [value]
                self.urls += [(tag, name, url, self.getpos()[0]) for url in values]


def parse(path):
    parser = PageParser()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return parser


def is_external(url):
    parts = urlsplit(url)
    return bool(parts.scheme or parts.netloc)


def target_of(site_root, page, url):
    """The file a relative URL names, and its fragment; None where it leaves the site."""
    parts = urlsplit(url)
    relative = page.parent.relative_to(site_root).as_posix()
    joined = posixpath.normpath(posixpath.join(relative, unquote(parts.path))) if parts.path else \
        page.relative_to(site_root).as_posix()
    if joined == ".." or joined.startswith("../"):
        return None, parts.fragment
    target = site_root / joined
    if parts.path.endswith("/") or target.is_dir():
        target = target / "index.html"
    return target, unquote(parts.fragment)


def site_links(site):
    """Problems with the links of every page of one site."""
    problems, parsed = [], {}

    def ids_of(path):
        if path not in parsed:
            parsed[path] = parse(path)
        return parsed[path].ids

    for page in site.pages:
        where = page.relative_to(site.folder)
        for tag, attribute, url, line in parse(page).urls:
            if url.startswith(("mailto:", "data:")):
                continue
            if is_external(url):
                if tag != "a":
                    problems.append(f"{where}:{line}: <{tag} {attribute}> loads from another host: {url}")
                continue
            if url.startswith("/"):
                problems.append(f"{where}:{line}: root-relative URL breaks under a sub-path: {url}")
                continue
            target, fragment = target_of(site.folder, page, url)
            if target is None:
                problems.append(f"{where}:{line}: {url} leaves the site")
            elif not target.is_file():
                problems.append(f"{where}:{line}: {url} names a missing file")
            elif fragment and target.suffix == ".html" and fragment not in ids_of(target):
                problems.append(f"{where}:{line}: {url}: no id '{fragment}' in {target.relative_to(site.folder)}")
    return problems


@pytest.fixture(scope="module")
def built(web_root):
    return web_root[1]


@pytest.mark.parametrize("name", ["repo", "fixture"])
def test_every_internal_link_and_anchor_resolves(built, name):
    site = built[name]
    assert len(site.pages) >= 2
    assert site_links(site) == []


@pytest.mark.parametrize("name", ["repo", "fixture"])
def test_stylesheet_urls_resolve(built, name):
    """Fonts and images named by the CSS files exist and are relative."""
    site, problems = built[name], []
    for css in site.folder.rglob("*.css"):
        for url in CSS_URL.findall(css.read_text(encoding="utf-8")):
            if url.startswith("data:"):
                continue
            if is_external(url) or url.startswith("/"):
                problems.append(f"{css.name}: {url} is not relative")
            elif not (css.parent / unquote(urlsplit(url).path)).is_file():
                problems.append(f"{css.name}: {url} names a missing file")
    assert problems == []


def test_every_page_links_its_headings(built):
    """Each h2/h3 of the content has an id and a link to itself (the home page's list headings aside)."""
    for site in built.values():
        for page in site.pages:
            text = page.read_text(encoding="utf-8")
            for level, attrs, body in re.findall(r"<h([23])([^>]*)>(.*?)</h\1>", text, re.S):
                if "lectures-title" in attrs or "card-title" in attrs:
                    continue
                ident = re.search(r'\bid="([^"]+)"', attrs)
                assert ident, f"{page}: <h{level}> without id: {body[:60]}"
                assert f'href="#{ident.group(1)}"' in body, f"{page}: heading {ident.group(1)} has no self-link"


def test_site_is_ready_for_github_pages(built):
    site = built["repo"]
    assert (site.folder / ".nojekyll").is_file(), "without .nojekyll GitHub Pages runs Jekyll over the site"
    assert (site.folder / "index.html").is_file()


def test_checker_catches_broken_links(built, tmp_path):
    """The checker itself: a missing file, a missing anchor, a root-relative URL and a remote script."""
    Site = type(built["repo"])
    (tmp_path / "a").mkdir()
    (tmp_path / "index.html").write_text(
        '<a href="a/index.html#here">ok</a><a href="a/index.html#gone">x</a><img src="missing.png" alt="">'
        '<link rel="stylesheet" href="/style.css"><script src="https://cdn.example/x.js"></script>'
        '<a href="https://example.org/">fine</a><a href="#top">self</a><p id="top"></p>')
    (tmp_path / "a" / "index.html").write_text('<h2 id="here">Here</h2><a href="../../out.html">out</a>')
    problems = site_links(Site("t", tmp_path))
    assert len(problems) == 5, problems
    for fragment in ("no id 'gone'", "missing.png", "root-relative", "another host", "leaves the site"):
        assert any(fragment in p for p in problems), (fragment, problems)
