"""Search in a real browser: the box in the header finds sections of the course, served under a sub-path.

The sections a word should find are read from the built page's HTML, not from the index.
"""
import html
import re
from urllib.parse import urlsplit

import pytest

from browser_support import contrast

WORD = "momentum"
MESSAGE = "Search needs the site to be served (make serve)"
RESULT_LINKS = "els => els.map(a => a.getAttribute('href'))"


def sections(page_html):
    """{heading id: (heading text, text of its section)} of a page's main, by its headings with ids."""
    main = re.search(r"<main[^>]*>(.*?)</main>", page_html, re.S).group(1)
    main = re.sub(r'<span class="katex-html".*?</span></span>|<annotation.*?</annotation>|<a class="headerlink".*?</a>',
                  "", main, flags=re.S)
    found, heads = {}, list(re.finditer(r'<h[2-6][^>]*\bid="([^"]+)"[^>]*>(.*?)</h[2-6]>', main, re.S))
    for head, following in zip(heads, heads[1:] + [None]):
        body = main[head.end():following.start() if following else len(main)]
        found[head.group(1)] = tuple(" ".join(html.unescape(re.sub(r"<[^>]+>", " ", part)).split())
                                     for part in (head.group(2), body))
    return found


def search(page, word):
    page.fill(".pagefind-ui__search-input", word)
    page.wait_for_selector(".pagefind-ui__result-nested .pagefind-ui__result-link")
    return page.eval_on_selector_all(".pagefind-ui__result-nested .pagefind-ui__result-link", RESULT_LINKS)


@pytest.mark.parametrize("start", ["index.html", "gradient-descent/index.html"])
def test_the_search_box_finds_the_sections_a_word_is_in_and_links_to_them(real_site, open_page, start):
    # The lecture's pages (its parts): (path under the server, section id) -> (heading, text).
    by_id = {(urlsplit(real_site.url(f"gradient-descent/{p.name}")).path, ident): section
             for p in sorted((real_site.folder / "gradient-descent").glob("*.html"))
             for ident, section in sections(p.read_text(encoding="utf-8")).items()}
    titled = [key for key, (heading, _) in by_id.items() if WORD in heading.lower()]
    assert titled, f"the lecture has sections about {WORD}"
    page, watch = open_page(real_site.url(start))
    links = search(page, WORD)
    assert links, "results with sections"
    for link in links:
        url = urlsplit(link)
        assert (url.path, url.fragment) in by_id, "a result links to a section of a page, under the sub-path"
        heading, text = by_id[url.path, url.fragment]
        assert WORD in (heading + " " + text).lower(), f"the section {heading!r} has the word"
    best = urlsplit(links[0])
    assert (best.path, best.fragment) in titled, "the best result is a section titled by the word"

    page.click(f".pagefind-ui__result-nested a[href='{links[0]}']")
    page.wait_for_url(urlsplit(real_site.url()).scheme + "://" + urlsplit(real_site.url()).netloc + best.path
                      + "#" + best.fragment)
    target = page.locator(f"[id='{urlsplit(links[0]).fragment}']")
    page.wait_for_function("id => { const r = document.getElementById(id).getBoundingClientRect();"
                           " return r.top >= 0 && r.top < innerHeight / 2; }", arg=urlsplit(links[0]).fragment)
    assert target.is_visible() and not page.is_visible(".pagefind-ui__drawer"), "the results close on the section"
    watch.assert_clean()


@pytest.mark.parametrize("width", [1200, 390])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_results_open_over_the_page_readably_and_close_when_the_reader_is_done(real_site, open_page, artifacts,
                                                                                   width, scheme):
    page, watch = open_page(real_site.url("gradient-descent/index.html"), width=width, scheme=scheme)
    page.wait_for_selector(".pagefind-ui__search-input")
    wide = "document.documentElement.scrollWidth"
    before = page.evaluate(wide)
    search(page, WORD)
    drawer = page.locator(".pagefind-ui__drawer").bounding_box()
    assert drawer["x"] >= 0 and drawer["x"] + drawer["width"] <= width, "the results fit the screen"
    assert page.evaluate(wide) <= max(before, width), "the results make the page no wider"
    colours = page.eval_on_selector(".pagefind-ui__result-excerpt", "e => [getComputedStyle(e).color,"
                                    " getComputedStyle(e.closest('.pagefind-ui__drawer')).backgroundColor]")
    assert contrast(*colours) >= 4.5, f"excerpt text {colours[0]} on {colours[1]}"
    page.screenshot(path=str(artifacts / f"search-{width}-{scheme}.png"))
    page.mouse.click(width // 2, 880)  # on the page below the results
    assert not page.is_visible(".pagefind-ui__drawer"), "a click elsewhere closes them"
    page.click(".pagefind-ui__search-input")
    assert page.is_visible(".pagefind-ui__result-link"), "back in the box, they are there again"
    page.keyboard.press("Escape")
    assert not page.is_visible(".pagefind-ui__drawer"), "Escape empties the box"
    watch.assert_clean()


@pytest.mark.parametrize("start", ["index.html", "gradient-descent/index.html"])
def test_from_a_file_the_box_says_the_site_must_be_served_and_nothing_breaks(real_site, browser, start):
    context = browser.new_context()
    page = context.new_page()
    errors, asked = [], []
    page.on("console", lambda m: m.type in ("error", "warning") and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: asked.append(r.url))
    page.goto((real_site.folder / start).as_uri(), wait_until="load")
    page.wait_for_function("() => document.querySelector('#site-search').textContent.trim() !== ''")
    assert page.inner_text("#site-search").strip() == MESSAGE
    assert not [url for url in asked if url.endswith(".js") and "/pagefind/" in url], "no index fetched"
    assert not errors, errors
    context.close()


def test_the_search_is_one_landmark_named_for_the_course(real_site, open_page):
    page, watch = open_page(real_site.url("gradient-descent/index.html"))
    page.wait_for_selector(".pagefind-ui__search-input")
    landmarks = page.eval_on_selector_all("[role=search], search", "els => els.map(e => e.getAttribute('aria-label'))")
    assert landmarks == ["Search the course"]
    watch.assert_clean()
