"""The built pages in a real browser: offline, under a sub-path, phones, dark, reduced motion, print.

Each test opens pages served from http://127.0.0.1:<port>/repo/ (the real
course) or /fixture/ (tests/browser/fixture_course); see conftest.py.
"""
import re

import pytest

from browser_support import contrast, luminance

SCHEMES = ["light", "dark"]
WIDTHS = [1200, 390]
PHONE = 390

# ------------------------------------------------------------------ helpers run in the page

LOAD_ALL_IMAGES = """async () => {
  // Lazy images load only near the viewport, and hidden print posters never do:
  // make every image eager, walk down the page, then wait for each to settle.
  for (const img of document.images) img.loading = 'eager';
  const step = Math.max(200, innerHeight / 2);
  for (let y = 0; y < document.scrollingElement.scrollHeight; y += step) {
    scrollTo(0, y);
    await new Promise(r => requestAnimationFrame(() => setTimeout(r, 20)));
  }
  scrollTo(0, 0);
  await Promise.all([...document.images].map(img => img.complete ? null :
    new Promise(r => { img.addEventListener('load', r); img.addEventListener('error', r); })));
  await Promise.all([...document.images].map(img => img.decode().catch(() => null)));
  return [...document.images].map(img => ({src: img.currentSrc || img.src, width: img.naturalWidth,
                                          alt: img.getAttribute('alt')}));
}"""

VISIBLE_TEXT = """() => {
  // Text a reader sees outside rendered math and code.
  const skip = '.katex, pre, code, script, style, [hidden]';
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const parts = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode())
    if (!node.parentElement.closest(skip)) parts.push(node.data);
  return parts.join(' ');
}"""

IN_PAGE_LINKS = """() => {
  // Links into this same page whose target is missing.
  const here = location.href.split('#')[0];
  const broken = [];
  for (const a of document.querySelectorAll('a[href]')) {
    const url = new URL(a.getAttribute('href'), location.href);
    if (url.href.split('#')[0] !== here || !url.hash) continue;
    const id = decodeURIComponent(url.hash.slice(1));
    if (!document.getElementById(id)) broken.push(a.getAttribute('href'));
  }
  return broken;
}"""

HEADINGS = """() => [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')].map(h => ({
  level: +h.tagName[1], id: h.id, text: h.textContent.trim(),
  anchor: h.querySelector('a.headerlink') && h.querySelector('a.headerlink').getAttribute('href')}))"""

COLOURS = """(names) => {
  // Resolve custom properties to rgb() through a probe element.
  const probe = document.createElement('span');
  document.body.appendChild(probe);
  const out = {};
  for (const name of names) {
    probe.style.color = `var(${name})`;
    out[name] = getComputedStyle(probe).color;
  }
  probe.remove();
  return out;
}"""

OVERFLOW = """() => {
  const boxes = [...document.querySelectorAll('.math-display, .highlight, table')].map(el => ({
    kind: el.classList.contains('math-display') ? 'math' : el.classList.contains('highlight') ? 'code' : 'table',
    overflowX: getComputedStyle(el).overflowX, scrollWidth: el.scrollWidth, clientWidth: el.clientWidth,
    right: el.getBoundingClientRect().right}));
  return {page: document.scrollingElement.scrollWidth, viewport: innerWidth, boxes};
}"""


def lecture_urls(site):
    """Every page of every lecture: its first page and its parts."""
    return [site.url(p.relative_to(site.folder).as_posix()) for p in site.pages if p.parent != site.folder]


def follow(page, click):
    """Click (a locator, or a callable that clicks) and wait for the next page to load."""
    with page.expect_navigation(wait_until="load"):
        click() if callable(click) else click.click()


def check_lecture(page, watch):
    """Everything a lecture page must satisfy in any scheme and at any width."""
    images = page.evaluate(LOAD_ALL_IMAGES)
    assert images or not page.locator("main figure").count(), "the page's figures have no images"
    assert not [i["src"] for i in images if i["width"] == 0], "images that did not load"
    assert not [i["src"] for i in images if not (i["alt"] or "").strip()], "images without alt text"

    assert page.locator(".katex").count() > 0, "no rendered math (.katex) on the page"
    text = page.evaluate(VISIBLE_TEXT)
    raw = re.findall(r"\$[^$\n]{0,40}\$?|\\(?:frac|sum|mathbb|mathcal|operatorname|left|right|begin)\b", text)
    assert not raw, f"raw TeX visible on the page: {raw[:5]}"

    assert page.evaluate(IN_PAGE_LINKS) == [], "in-page links to missing anchors"
    for heading in page.evaluate(HEADINGS):
        if heading["level"] in (2, 3):
            assert heading["id"] and heading["anchor"] == f"#{heading['id']}", f"heading without anchor: {heading}"
    watch.assert_clean()


# ------------------------------------------------------------------ home → lecture

def test_home_lists_every_lecture_and_links_to_it(real_site, open_page):
    page, watch = open_page(real_site.url())
    lectures = sorted(p.parent.name for p in real_site.folder.glob("*/index.html"))
    cards = page.locator(".card")
    assert cards.count() == len(lectures) > 0
    images = page.evaluate(LOAD_ALL_IMAGES)
    for i in range(cards.count()):
        card = cards.nth(i)
        assert card.locator(".card-title a").inner_text().strip()
        assert card.locator(".card-summary").inner_text().strip()
        assert card.locator("img").count() == 1, "each lecture card shows a thumbnail figure"
    assert images and all(i["width"] > 0 and i["alt"].strip() for i in images), images

    first = cards.first.locator(".card-title a")
    title = first.inner_text().strip()
    follow(page, first)
    assert page.url.startswith(real_site.url()) and page.url.endswith("/index.html"), page.url
    assert page.locator("h1").inner_text().strip() == title
    check_lecture(page, watch)


def test_the_whole_card_is_a_link(real_site, open_page):
    page, watch = open_page(real_site.url())
    box = page.locator(".card img").first.bounding_box()  # the stretched title link covers the thumbnail
    follow(page, lambda: page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2))
    assert page.url != real_site.url()
    watch.assert_clean()


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("scheme", SCHEMES)
def test_lectures_in_every_scheme_and_width(sites, open_page, artifacts, scheme, width):
    for site in sites.values():
        for url in lecture_urls(site):
            page, watch = open_page(url, width=width, scheme=scheme)
            check_lecture(page, watch)
            sizes = page.evaluate(OVERFLOW)
            assert sizes["page"] <= sizes["viewport"], f"{url} scrolls sideways at {width} px: {sizes['page']}"
            if site.name == "repo":
                slug, name = url.split("/")[-2], url.split("/")[-1].removesuffix(".html")
                page.screenshot(path=artifacts / f"lecture-{slug}-{name}-{scheme}-{width}.png", full_page=True)
    home, watch = open_page(sites["repo"].url(), width=width, scheme=scheme)
    home.evaluate(LOAD_ALL_IMAGES)
    assert home.evaluate("document.scrollingElement.scrollWidth <= innerWidth")
    home.screenshot(path=artifacts / f"home-{scheme}-{width}.png", full_page=True)
    watch.assert_clean()


def test_wide_formulas_code_and_tables_scroll_in_their_own_box(fixture_site, open_page, artifacts):
    page, watch = open_page(fixture_site.url("01-motion/index.html"), width=PHONE)
    sizes = page.evaluate(OVERFLOW)
    assert sizes["page"] <= sizes["viewport"]
    kinds = {box["kind"] for box in sizes["boxes"] if box["scrollWidth"] > box["clientWidth"]}
    assert kinds == {"math", "code", "table"}, f"the fixture should overflow in each kind of box: {sizes}"
    for box in sizes["boxes"]:
        assert box["overflowX"] in ("auto", "scroll"), box
        assert box["right"] <= sizes["viewport"] + 0.5, box
    page.screenshot(path=artifacts / "fixture-motion-light-390.png", full_page=True)
    watch.assert_clean()


# ------------------------------------------------------------------ navigation

def test_contents_previous_next_and_home(fixture_site, real_site, open_page):
    page, watch = open_page(fixture_site.url("01-motion/index.html"))
    toc = page.get_by_role("navigation", name="Contents")
    links = toc.locator("a")
    assert links.count() >= 2
    headings = {h["id"] for h in page.evaluate(HEADINGS) if h["level"] > 1}
    assert {links.nth(i).get_attribute("href")[1:] for i in range(links.count())} <= headings

    target = links.nth(1).get_attribute("href")
    links.nth(1).click()
    page.wait_for_function("h => location.hash === h", arg=target)
    top = page.evaluate("id => document.getElementById(id).getBoundingClientRect().top", target[1:])
    assert 0 <= top < 100, f"following {target} left the heading at y={top}"

    # Previous and next go through every page of the course: a lecture, then the parts of the next one.
    pager = page.get_by_role("navigation", name="Previous and next page")
    assert pager.locator("a[rel=prev]").count() == 0
    follow(page, pager.locator("a[rel=next]"))
    assert page.url == fixture_site.url("02-still/index.html")
    follow(page, page.get_by_role("navigation", name="Previous and next page").locator("a[rel=next]"))
    assert page.url == fixture_site.url("02-still/more.html")
    pager = page.get_by_role("navigation", name="Previous and next page")
    assert pager.locator("a[rel=next]").count() == 0
    follow(page, pager.locator("a[rel=prev]"))
    assert page.url == fixture_site.url("02-still/index.html")
    follow(page, page.get_by_role("navigation", name="Previous and next page").locator("a[rel=prev]"))
    assert page.url == fixture_site.url("01-motion/index.html")
    follow(page, page.get_by_role("link", name="All lectures"))
    assert page.url == fixture_site.url("index.html")
    follow(page, page.get_by_role("banner").get_by_role("link"))
    assert page.url == fixture_site.url("index.html")
    watch.assert_clean()

    for url in lecture_urls(real_site):
        page, watch = open_page(url)
        sections = page.locator("main h2 .section-number").count()  # a lecture's opening page may have none
        assert (page.get_by_role("navigation", name="Contents").locator("a").count() > 0) == (sections > 0), url
        assert page.get_by_role("link", name="All lectures").get_attribute("href") == "../index.html"
        watch.assert_clean()


# ------------------------------------------------------------------ accessibility

def test_landmarks_headings_and_figures(sites, open_page):
    for site in sites.values():
        for page_file in site.pages:
            url = site.url(page_file.relative_to(site.folder).as_posix())
            page, watch = open_page(url)
            for role in ("banner", "main", "contentinfo", "navigation"):
                assert page.get_by_role(role).count() >= 1, f"{url} has no {role} landmark"
            assert page.get_by_role("main").count() == 1
            levels = [h["level"] for h in page.evaluate(HEADINGS)]
            assert levels.count(1) == 1 and levels[0] == 1, f"{url}: headings {levels}"
            skipped = [(a, b) for a, b in zip(levels, levels[1:]) if b > a + 1]
            assert not skipped, f"{url} skips heading levels: {skipped}"
            figures = page.evaluate("""() => [...document.querySelectorAll('main img')]
                .filter(img => !img.closest('[hidden]'))  // not rendered, not in the accessibility tree
                .map(img => {
                  const figure = img.closest('figure');
                  const caption = figure && figure.querySelector(':scope > figcaption');
                  const described = (img.getAttribute('aria-describedby') || '').split(/\\s+/)
                    .map(id => document.getElementById(id)).filter(Boolean);
                  return {src: img.getAttribute('src'), inCard: !!img.closest('.card'),
                          caption: caption ? caption.textContent.trim() : null,
                          describedBy: described.length > 0};
                })""")
            for figure in figures:
                assert figure["inCard"] or figure["caption"] or figure["describedBy"], \
                    f"{url}: image neither in a <figure> with a <figcaption> nor aria-describedby a caption: {figure}"
            skip = page.locator(".skip-link")
            page.keyboard.press("Tab")
            assert skip.evaluate("el => el === document.activeElement"), "the skip link is not focused first"
            assert skip.get_attribute("href") == "#content" and page.locator("#content").count() == 1
            watch.assert_clean()


@pytest.mark.parametrize("scheme", SCHEMES)
def test_text_contrast(fixture_site, open_page, scheme):
    page, watch = open_page(fixture_site.url("01-motion/index.html"), scheme=scheme)
    colours = page.evaluate(COLOURS, ["--bg", "--fg", "--muted", "--accent", "--code-bg"])
    for name in ("--fg", "--muted", "--accent"):
        ratio = contrast(colours[name], colours["--bg"])
        assert ratio >= 4.5, f"{scheme}: {name} {colours[name]} on --bg {colours['--bg']} is {ratio:.2f}:1"
    for name in ("--fg", "--muted", "--accent"):  # inline code and code blocks sit on --code-bg
        ratio = contrast(colours[name], colours["--code-bg"])
        assert ratio >= 4.5, f"{scheme}: {name} on --code-bg is {ratio:.2f}:1"
    tokens = page.evaluate("""() => [...document.querySelectorAll('.highlight span')].map(s =>
        [s.className, getComputedStyle(s).color])""")
    assert tokens
    low = {cls: f"{contrast(c, colours['--code-bg']):.2f}" for cls, c in tokens
           if contrast(c, colours["--code-bg"]) < 4.5}
    assert not low, f"{scheme}: syntax colours below 4.5:1 on the code background: {low}"
    body = page.evaluate("[getComputedStyle(document.body).color, getComputedStyle(document.body).backgroundColor]")
    assert contrast(*body) >= 7, body
    watch.assert_clean()


def test_dark_scheme_changes_colours_and_shows_dark_figures_on_the_page(fixture_site, open_page):
    looks = {}
    for scheme in SCHEMES:
        page, watch = open_page(fixture_site.url("02-still/index.html"), scheme=scheme)
        looks[scheme] = page.evaluate("""async () => {
            const img = document.querySelector('figure img'), style = getComputedStyle(img);
            img.loading = 'eager';
            await img.decode();
            return {bg: getComputedStyle(document.body).backgroundColor, fg: getComputedStyle(document.body).color,
                    figure: style.backgroundColor, padding: style.paddingLeft, src: img.currentSrc};
        }""")
        watch.assert_clean()
    light, dark = looks["light"], looks["dark"]
    assert light["bg"] != dark["bg"] and light["fg"] != dark["fg"]
    assert luminance(dark["bg"]) < 0.05 < 0.8 < luminance(light["bg"])
    assert dark["figure"] == dark["bg"] and dark["padding"] == "0px", "a dark figure sits on the page, no card"
    assert ".dark" in dark["src"] and ".dark" not in light["src"]


# ------------------------------------------------------------------ motion and print

def animation_sources(page):
    page.evaluate(LOAD_ALL_IMAGES)
    return page.evaluate("""() => [...document.querySelectorAll('picture.animation img')].map(img => ({
        current: img.currentSrc, shown: getComputedStyle(img.closest('picture')).display !== 'none'
                                        && img.getBoundingClientRect().width > 0}))""")


@pytest.mark.parametrize("motion", ["no-preference", "reduce"])
def test_reduced_motion_shows_the_poster(sites, open_page, motion):
    checked = 0
    for site in sites.values():
        for url in lecture_urls(site):
            page, watch = open_page(url, reduced_motion=motion)
            for image in animation_sources(page):
                assert image["shown"]
                expected = "-poster.png" if motion == "reduce" else ".gif"
                assert image["current"].endswith(expected), f"{url}: {motion}: showing {image['current']}"
                checked += 1
            poster_shown = page.evaluate(
                "[...document.querySelectorAll('figure img.poster')].some(i => getComputedStyle(i).display !== 'none')")
            assert not poster_shown, "the print poster is shown on screen beside the animation"
            watch.assert_clean()
    assert checked, "no animation found (the fixture course has one)"


@pytest.mark.parametrize("scheme", SCHEMES)
def test_print_is_one_column_without_navigation_and_with_posters(sites, open_page, artifacts, scheme):
    for site in sites.values():
        for url in lecture_urls(site):
            page, watch = open_page(url, scheme=scheme)
            page.emulate_media(media="print")
            page.evaluate(LOAD_ALL_IMAGES)
            state = page.evaluate("""() => {
                const shown = el => getComputedStyle(el).display !== 'none';
                const main = document.querySelector('main').getBoundingClientRect();
                return {
                  navigation: [...document.querySelectorAll('nav, .site-header, .skip-link, .headerlink')]
                                .filter(shown).map(el => el.className || el.tagName),
                  mainWidth: main.width, pageWidth: document.documentElement.clientWidth,
                  layout: getComputedStyle(document.querySelector('.layout')).display,
                  gifs: [...document.querySelectorAll('picture.animation')].filter(shown).length,
                  posters: [...document.querySelectorAll('figure img.poster')].map(img =>
                             ({shown: shown(img), width: img.naturalWidth})),
                };
            }""")
            assert state["navigation"] == [], f"{url}: navigation shown in print: {state['navigation']}"
            assert state["layout"] == "block"
            assert state["mainWidth"] >= 0.9 * state["pageWidth"], state
            assert state["gifs"] == 0
            assert all(p["shown"] and p["width"] > 0 for p in state["posters"]), state["posters"]
            # Paper is white in either scheme, and its text dark enough to read.
            colours = page.evaluate(COLOURS, ["--bg", "--fg", "--muted", "--accent"])
            paper = page.evaluate("getComputedStyle(document.body).backgroundColor")
            assert luminance(paper) > 0.95, f"{scheme}: printed page background {paper}"
            for name in ("--fg", "--muted", "--accent"):
                assert contrast(colours[name], paper) >= 4.5, f"{scheme}: printed {name} {colours[name]}"
            if site.name == "fixture" and "motion" in url:
                assert state["posters"], "the fixture's animation has a print poster"
                page.pdf(path=artifacts / f"fixture-motion-print-{scheme}.pdf")
            # Switching to print hides the animations: their GIFs still loading are cancelled, not broken.
            watch.failed = [(why, src) for why, src in watch.failed
                            if not (why == "net::ERR_ABORTED" and src.endswith(".gif"))]
            watch.assert_clean()
