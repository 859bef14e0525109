"""Course navigation, the contents' mark, copy buttons, and what a real site has (favicon, 404 page,
sitemap, canonical and social links, "edit this page"), in a real browser.

Besides the sites of conftest.py, this module builds the fixture course once more with a `site_url`
and a `repository` (/meta/), and serves the web root as GitHub Pages does: a missing address under
/<site>/ answers 404 with that site's 404.html.
"""
import json
import re
import shutil
import subprocess
import threading
import urllib.request
import xml.etree.ElementTree as ElementTree
from functools import partial
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urljoin

import pytest

from browser_support import ROOT, missing
from lecturekit.engine.frontmatter import LECTURE_SCHEMA, PART_SCHEMA, parse_front_matter
import test_html_valid

FIXTURE = Path(__file__).resolve().parent / "fixture_course" / "content"
REPOSITORY = "https://github.com/example/course"
DESKTOP, PHONE = 1280, 390
MISSING = "some/deep/missing/page"


# ------------------------------------------------------------------ a GitHub Pages server and the /meta/ site

@pytest.fixture(scope="module")
def pages_server(web_root):
    """The web root served on a free port; a missing file under /<site>/ gets that site's 404.html."""
    root = web_root[0]

    class Handler(SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def send_error(self, code, message=None, explain=None):
            site = self.path.split("/")[1] if self.path.count("/") > 1 else ""
            page = root / site / "404.html"
            if code != 404 or not site or not page.is_file():
                return super().send_error(code, message, explain)
            body = page.read_bytes()
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(Handler, directory=str(root)))
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def meta_site(web_root, pages_server, tmp_path_factory):
    """The fixture course with site_url (this server's /meta/) and repository set, built into /meta/."""
    import build

    course = tmp_path_factory.mktemp("meta-course")
    shutil.copytree(FIXTURE, course / "content")
    index = course / "content" / "index.md"
    site_url = f"{pages_server}/meta/"
    index.write_text(index.read_text().replace("---\n", f"---\nsite_url: {site_url}\nrepository: {REPOSITORY}\n", 1))
    folder = web_root[0] / "meta"
    build.build(course / "content", folder, ROOT / ".cache", ROOT / "figures", quiet=True)
    return {"folder": folder, "url": site_url, "course": course}


@pytest.fixture
def visit(browser):
    """visit(url, width, scheme, javascript) -> (page, response, failed): a page of any local server,
    with the responses >= 400 and failed requests it saw."""
    contexts = []

    def opener(url, width=DESKTOP, scheme="light", javascript=True):
        context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme,
                                      java_script_enabled=javascript)
        contexts.append(context)
        page, failed = context.new_page(), []
        page.on("response", lambda r: r.status >= 400 and failed.append((r.status, r.url)))
        page.on("requestfailed", lambda r: failed.append((r.failure, r.url)))
        return page, page.goto(url, wait_until="load"), failed

    yield opener
    for context in contexts:
        context.close()


def lectures_of(content):
    """(link text, href) of each lecture of a course's sources and each of its parts, in order: what the
    navigation should list (a lecture as "1 Title", a part by its title)."""
    found = []
    for source in sorted(Path(content).glob("*/lecture.md")):
        meta = parse_front_matter(source.read_text(), source, LECTURE_SCHEMA)[0]
        slug = source.parent.name
        parts = [(parse_front_matter((source.parent / name).read_text(), source, PART_SCHEMA)[0]["title"],
                  f"{slug}/{name.removesuffix('.md')}.html") for name in meta.get("parts", [])]
        found.append((meta["number"], [(f"{meta['number']} {meta['title']}", f"{slug}/index.html"), *parts]))
    return [row for _, rows in sorted(found) for row in rows]


def course_links(nav):
    """(accessible name, absolute href, aria-current) of each link of a navigation."""
    return nav.locator("a").evaluate_all("links => links.map(a => [a.textContent.replace(/\\s+/g, ' ').trim(), "
                                         "a.href, a.getAttribute('aria-current')])")


# ------------------------------------------------------------------ navigation on desktop and phone

def test_the_sidebar_lists_the_course_and_marks_the_page(fixture_site, open_page):
    lectures = lectures_of(FIXTURE)
    assert len(lectures) >= 2
    assert len(lectures) > 2, "the fixture course has a lecture in parts"
    expected = [["Course home", fixture_site.url("index.html")]] + \
        [[name, fixture_site.url(href)] for name, href in lectures]
    page, watch = open_page(fixture_site.url("index.html"), width=DESKTOP)
    for visited in range(len(expected)):
        nav = page.get_by_role("navigation", name="Course")
        assert nav.count() == 1, "one course navigation shown on a wide screen"
        links = course_links(nav)
        assert [link[:2] for link in links] == expected
        assert [link[2] for link in links] == ["page" if i == visited else None for i in range(len(expected))]
        assert page.url == expected[visited][1]
        if visited + 1 < len(expected):
            with page.expect_navigation(wait_until="load"):
                nav.get_by_role("link", name=expected[visited + 1][0]).click()  # one click to any lecture
    watch.assert_clean()


def menu_is_open(page):
    return page.locator("details.menu").evaluate("d => d.open")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_the_phone_menu_opens_by_keyboard_and_mouse(fixture_site, visit, javascript):
    lectures = lectures_of(FIXTURE)
    page, _, failed = visit(fixture_site.url(lectures[0][1]), width=PHONE, javascript=javascript)
    summary = page.locator("details.menu > summary")
    assert summary.is_visible() and not menu_is_open(page)
    assert page.get_by_role("navigation", name="Course").count() == 0, "the sidebar's list is hidden on a phone"
    box = summary.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE and box["y"] < 120, box

    for _ in range(4):  # the skip link, the title, then the menu's button
        page.keyboard.press("Tab")
        if summary.evaluate("el => el === document.activeElement"):
            break
    assert summary.evaluate("el => el === document.activeElement"), "the menu's button is reached by Tab"
    page.keyboard.press("Enter")
    nav = page.get_by_role("navigation", name="Course")
    assert menu_is_open(page) and nav.count() == 1 and nav.is_visible()
    links = course_links(nav)
    assert [name for name, _, _ in links] == ["Course home"] + [name for name, _ in lectures]
    assert [current for _, _, current in links] == [None, "page"] + [None] * (len(lectures) - 1)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Course home", "Tab goes into the menu"
    if javascript:
        page.keyboard.press("Escape")
        assert not menu_is_open(page) and summary.evaluate("el => el === document.activeElement")
    else:
        summary.focus()
        page.keyboard.press("Enter")
        assert not menu_is_open(page)
    page.keyboard.press(" ")
    assert menu_is_open(page), "Space opens it too"
    summary.click()
    assert not menu_is_open(page)
    summary.click()
    assert menu_is_open(page)
    if javascript:
        page.locator("h1").click()
        assert not menu_is_open(page), "a click outside closes it"
        summary.click()
    with page.expect_navigation(wait_until="load"):
        nav.get_by_role("link", name=lectures[1][0], exact=True).click()
    assert page.url == fixture_site.url(lectures[1][1]) and not menu_is_open(page)
    summary.click()
    assert course_links(page.get_by_role("navigation", name="Course"))[2][2] == "page"
    assert failed == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [DESKTOP, PHONE])
def test_screenshots_with_the_navigation(real_site, open_page, artifacts, scheme, width):
    """For a person to look at: the lecture's top with the navigation closed and (on a phone) open."""
    page, watch = open_page(real_site.url("gradient-descent/index.html"), width=width, scheme=scheme)
    page.screenshot(path=artifacts / f"nav-{scheme}-{width}.png")
    if width == PHONE:
        page.locator("details.menu > summary").click()
        page.screenshot(path=artifacts / f"nav-{scheme}-{width}-open.png")
        menu = page.locator(".menu > .course-nav").bounding_box()
        assert menu["x"] >= 0 and menu["x"] + menu["width"] <= width
    watch.assert_clean()


# ------------------------------------------------------------------ the contents mark the section in view

MARKED = "() => [...document.querySelectorAll('nav.toc a[aria-current]')].map(a => a.getAttribute('href'))"


@pytest.mark.parametrize("site_name, lecture", [("repo", "gradient-descent/descent.html"),
                                                ("fixture", "01-motion/index.html")])
def test_the_contents_mark_the_section_in_view(sites, open_page, site_name, lecture):
    page, watch = open_page(sites[site_name].url(lecture), width=DESKTOP)
    # Sections whose heading, at the top of the window, is the only one in its top third (an h2 followed at
    # once by an h3 would rightly mark the h3).
    targets = page.locator("nav.toc a").evaluate_all("""links => links.map(a => a.getAttribute('href'))
        .filter((href, i, all) => i + 1 === all.length || document.getElementById(all[i + 1].slice(1)).offsetTop
                                  - document.getElementById(href.slice(1)).offsetTop > innerHeight / 3)""")
    assert len(targets) >= 3
    for target in [targets[1], targets[len(targets) // 2], targets[0], targets[-2]]:
        page.evaluate("id => document.getElementById(id).scrollIntoView()", target[1:])  # its heading at the top
        page.wait_for_function(f"() => ({MARKED})().join() === {target!r}", timeout=5000)
    page.evaluate("scrollTo(0, document.documentElement.scrollHeight)")
    page.wait_for_function(f"() => ({MARKED})().join() === {targets[-1]!r}", timeout=5000)
    marked = page.locator("nav.toc a[aria-current]")
    style = marked.evaluate("a => [getComputedStyle(a).color, getComputedStyle(a).borderLeftColor]")
    plain = page.locator("nav.toc a:not([aria-current])").first.evaluate("a => getComputedStyle(a).color")
    assert style[0] != plain and style[1] == style[0], "the mark is seen, not only announced"
    link = marked.bounding_box()
    assert 0 <= link["y"] and link["y"] + link["height"] <= 900, "the sidebar scrolls the marked link into view"
    watch.assert_clean()


# ------------------------------------------------------------------ copy buttons

def fenced_code(lecture_md):
    """The code of the first fenced block of a Markdown file, as its author wrote it."""
    return re.search(r"^```[^\n]*\n(.*?)\n```$", Path(lecture_md).read_text(), re.S | re.M).group(1)


def copy_button(page):
    """The first code block's copy button (a locator that stays on it when its name changes to "Copied code")."""
    buttons = page.get_by_role("button", name="Copy code", exact=True)
    assert buttons.count() == page.locator(".highlight").count() >= 1, "a copy button on every code block"
    return page.locator(".highlight").first.locator("xpath=..").get_by_role("button")


def test_the_copy_button_copies_the_code_and_says_so(fixture_site, open_page, server):
    page, watch = open_page(fixture_site.url("01-motion/index.html"))
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.origin)
    expected = fenced_code(FIXTURE / "01-motion" / "lecture.md")
    button, status = copy_button(page), page.get_by_role("status")
    button.focus()
    page.keyboard.press("Enter")
    page.wait_for_function("""() => document.querySelector('[role=status]').textContent === 'Copied'
                                    && document.querySelector('.copy-button span').textContent === 'Copied'""")
    assert page.evaluate("navigator.clipboard.readText()") == expected
    assert status.text_content() == "Copied" and button.get_attribute("type") == "button"
    page.evaluate("navigator.clipboard.writeText('')")
    button.click()
    page.wait_for_function("() => document.querySelector('[role=status]').textContent === 'Copied'")
    assert page.evaluate("navigator.clipboard.readText()") == expected
    page.wait_for_function("() => document.querySelector('.copy-button span').textContent === 'Copy'", timeout=5000)
    watch.assert_clean()


RECORD_COPY = """
  // As on a page without the Clipboard API: the button must copy the selection, by execCommand.
  Object.defineProperty(Navigator.prototype, 'clipboard', {get: () => undefined, configurable: true});
  document.addEventListener('copy', () => {
    const el = document.activeElement;
    window.copied = el && 'selectionStart' in el ? el.value.slice(el.selectionStart, el.selectionEnd) : null;
  });
"""


@pytest.mark.parametrize("where, clipboard_api", [("http", False), ("file", False), ("file", True)])
def test_the_copy_button_falls_back_to_copying_a_selection(fixture_site, browser, where, clipboard_api):
    context = browser.new_context()
    try:
        context.add_init_script(RECORD_COPY if not clipboard_api else RECORD_COPY.split("\n", 3)[3])
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(fixture_site.url("01-motion/index.html") if where == "http"
                  else (fixture_site.folder / "01-motion" / "index.html").as_uri())
        assert (page.evaluate("navigator.clipboard") is None) != clipboard_api
        button = copy_button(page)
        button.click()
        page.wait_for_function("() => document.querySelector('[role=status]').textContent === 'Copied'")
        if not clipboard_api:  # with it, file:// may copy either way; it says Copied only when it did
            assert page.evaluate("window.copied") == fenced_code(FIXTURE / "01-motion" / "lecture.md")
        assert button.evaluate("b => b === document.activeElement"), "focus goes back to the button"
        assert page.locator("textarea").count() == 0 and errors == []
    finally:
        context.close()


def test_no_copy_button_without_javascript(fixture_site, open_page):
    page, watch = open_page(fixture_site.url("01-motion/index.html"), javascript=False)
    assert page.locator(".highlight").count() >= 1
    assert page.locator("button").count() == 0 and page.get_by_role("status").count() == 0
    watch.assert_clean()


# ------------------------------------------------------------------ favicon, 404 page

def test_the_favicon_is_asked_for_under_the_sub_path(real_site, server, browser):
    context = browser.new_context()
    try:
        page, requested = context.new_page(), []
        page.on("request", lambda r: requested.append(r.url))
        with page.expect_request(lambda r: "favicon" in r.url, timeout=10000) as asked:
            page.goto(real_site.url("gradient-descent/index.html"), wait_until="load")
        assert asked.value.url == real_site.url("assets/favicon.svg")
        assert page.locator("link[rel=icon]").get_attribute("href") == "../assets/favicon.svg"
        response = asked.value.response()
        assert response.status == 200 and response.header_value("content-type") == "image/svg+xml"
        assert response.body().lstrip().startswith(b"<svg")
        assert f"{server.origin}/favicon.ico" not in requested
    finally:
        context.close()


@pytest.mark.parametrize("site_name", ["repo", "meta"], ids=["found-by-script", "site_url"])
@pytest.mark.parametrize("width", [DESKTOP, PHONE])
def test_the_404_page_works_at_any_depth_under_a_sub_path(pages_server, meta_site, visit, artifacts, site_name,
                                                          width):
    root = f"{pages_server}/{site_name}/"
    for address in (MISSING, "gradient-descent/missing.html", "missing"):
        page, response, failed = visit(root + address, width=width)
        assert response.status == 404 and page.locator("h1").inner_text() == "Page not found"
        assert failed == [(404, root + address)], "nothing but the page itself is missing"
        sheets = page.evaluate("[...document.styleSheets].map(s => [s.href, s.cssRules.length])")
        assert [root + "assets/style.css", True] in [[href, n > 0] for href, n in sheets], sheets
        assert page.locator(".site-header").evaluate("h => getComputedStyle(h).display") == "flex", "styled"
        assert page.evaluate("document.querySelector('link[rel=icon]').href") == root + "assets/favicon.svg"
        home = page.get_by_role("main").get_by_role("link", name="the course's home page")
        assert home.evaluate("a => a.href") == root + "index.html"
    page.screenshot(path=artifacts / f"404-{site_name}-{width}.png")
    with page.expect_navigation(wait_until="load") as went:
        home.click()
    assert went.value.status == 200 and page.url == root + "index.html"
    assert page.locator(".card").count() >= 1
    page, response, failed = visit(root + MISSING, width=width)
    lecture = page.get_by_role("main").get_by_role("link").nth(1)
    with page.expect_navigation(wait_until="load") as went:
        lecture.click()
    assert went.value.status == 200 and page.url.startswith(root) and page.url.endswith("/index.html")


# ------------------------------------------------------------------ site_url: sitemap, canonical, social; edit links

class Head(HTMLParser):
    """The <link rel> and <meta> of a page, and its links' hrefs by text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.values, self.anchors, self.href = {}, {}, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" or tag == "meta":
            name = attrs.get("rel") or attrs.get("property") or attrs.get("name")
            self.values.setdefault(name, []).append(attrs.get("href") or attrs.get("content"))
        elif tag == "a":
            self.href = attrs.get("href")

    def handle_data(self, data):
        if self.href is not None and data.strip():
            self.anchors.setdefault(data.strip(), []).append(self.href)
            self.href = None


def head_of(path):
    parser = Head()
    parser.feed(Path(path).read_text(encoding="utf-8"))
    return parser


def pages_of(folder):
    """{relative path: parsed page} of every page but the 404."""
    return {p.relative_to(folder).as_posix(): head_of(p) for p in sorted(Path(folder).rglob("*.html"))
            if p.name != "404.html"}


def address(site_url, relative):
    return urljoin(site_url, relative.removesuffix("index.html"))


def test_with_a_site_url_pages_have_canonical_and_social_addresses_and_a_sitemap(meta_site):
    site_url, pages = meta_site["url"], pages_of(meta_site["folder"])
    sitemap = ElementTree.parse(meta_site["folder"] / "sitemap.xml").getroot()
    locs = [loc.text for loc in sitemap.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert sorted(locs) == sorted(address(site_url, relative) for relative in pages)
    for relative, head in pages.items():
        assert head.values["canonical"] == head.values["og:url"] == [address(site_url, relative)]
        assert head.values["og:title"] and head.values["og:description"] and head.values["twitter:card"]
        image = head.values["og:image"][0]
        assert image.startswith(site_url) and head.values["twitter:image"] == [image]
        with urllib.request.urlopen(image) as response:  # the preview a social site would fetch
            assert response.status == 200 and response.read(8) == b"\x89PNG\r\n\x1a\n"
        assert head.values["og:image:alt"][0].strip()


@pytest.mark.parametrize("site_name", ["repo", "fixture"])
def test_without_a_site_url_no_absolute_addresses(sites, site_name):
    folder = sites[site_name].folder
    assert not (folder / "sitemap.xml").exists()
    for relative, head in pages_of(folder).items():
        for name in ("canonical", "og:url", "og:image", "twitter:image"):
            assert name not in head.values, (relative, name)
        assert head.values["og:title"] and head.values["twitter:card"] == ["summary"]
        assert "Edit this page" not in head.anchors, "no repository, no edit link"


def test_edit_links_name_each_page_s_markdown_in_the_repository(meta_site):
    course = meta_site["course"]
    for relative, head in pages_of(meta_site["folder"]).items():
        page = Path(relative)
        markdown = "content/index.md" if relative == "index.html" else \
            f"content/{page.parent}/{'lecture' if page.stem == 'index' else page.stem}.md"
        assert head.anchors["Edit this page"] == [f"{REPOSITORY}/edit/main/{markdown}"]
        assert (course / markdown).is_file()
    assert "Edit this page" not in head_of(meta_site["folder"] / "404.html").anchors


def test_the_site_url_build_has_no_html_errors(meta_site):
    """The Nu HTML Checker on the pages with a <base href>, canonical, og and edit links (as test_html_valid.py)."""
    java = shutil.which("java")
    if not java:
        missing("Java", "install it with `apt-get install default-jre-headless` (.ci/run does)")
    if not test_html_valid.VNU.is_file():
        missing("vnu.jar", "run `npm ci` (make test does)")
    result = subprocess.run([java, "-Xss1024k", "-jar", str(test_html_valid.VNU), "--format", "json", "--errors-only",
                             *map(str, sorted(meta_site["folder"].rglob("*.html")))],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode in (0, 1), result.stderr[-2000:]
    errors = [m for m in json.loads(result.stderr)["messages"] if m["type"] == "error" or m.get("subType") == "fatal"]
    assert not errors, test_html_valid.describe(errors, meta_site["folder"])
