"""Cross-references in a real browser: a link to a figure, an equation or an exercise scrolls to it, across parts too.

The fixture course's second lecture (tests/browser/fixture_course/content/02-still) is in two parts:
its first page cites the second part's equation and exercise, and the second part cites the first's figure.
"""
import pytest

from test_pages import follow

IN_VIEW = """id => { const r = document.getElementById(id).getBoundingClientRect();
                     return {top: r.top, bottom: r.bottom, height: innerHeight}; }"""


def assert_in_view(page, anchor):
    box = page.evaluate(IN_VIEW, anchor)
    assert 0 <= box["top"] < box["height"] and box["bottom"] > 0, f"#{anchor} is not in view after the link: {box}"


@pytest.mark.parametrize("width", [1200, 390])
def test_a_citation_in_the_same_page_scrolls_to_its_target(fixture_site, open_page, width):
    page, watch = open_page(fixture_site.url("02-still/more.html"), width=width, height=500)
    link = page.locator("main .exercise a.xref", has_text="Equation (1)").first
    page.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")
    link.click()
    page.wait_for_function("() => location.hash === '#eq-tangent'")
    assert_in_view(page, "eq-tangent")
    assert "(1)" in page.locator("#eq-tangent").inner_text()
    watch.assert_clean()


def test_a_citation_of_another_part_opens_that_part_at_its_target(fixture_site, open_page):
    page, watch = open_page(fixture_site.url("02-still/more.html"), height=500)
    follow(page, page.locator("main a.xref", has_text="Figure 1").first)
    assert page.url == fixture_site.url("02-still/index.html#fig-parabola")
    assert_in_view(page, "fig-parabola")
    assert page.locator("#fig-parabola .figure-number").inner_text() == "Figure 1."
    follow(page, page.locator("main a.xref", has_text="Exercise 1").first)
    assert page.url == fixture_site.url("02-still/more.html#exercise-1")
    assert_in_view(page, "exercise-1")
    watch.assert_clean()


def test_section_numbers_lead_headings_and_the_contents(fixture_site, open_page):
    page, watch = open_page(fixture_site.url("02-still/more.html"))
    assert page.locator("main h2 .section-number").first.inner_text() == "2"
    assert page.get_by_role("navigation", name="Contents").locator("a").first.inner_text().startswith("2 ")
    assert page.locator("main a.xref", has_text="Section 1").first.get_attribute("href") == "index.html#sec:still"
    watch.assert_clean()


TAG_GAPS = """() => [...document.querySelectorAll('.katex-display .katex-tag')].map(tag => {
  const html = tag.parentElement, t = tag.getBoundingClientRect();
  const parts = [...html.children].filter(c => c !== tag).map(c => c.getBoundingClientRect());
  // How far the number keeps from the formula: beside it (to its right) or under it, whichever it is.
  const beside = t.left - Math.max(...parts.map(p => p.right)), under = t.top - Math.max(...parts.map(p => p.bottom));
  return {id: html.closest('[id]') && html.closest('[id]').id, gap: Math.max(beside, under)};
})"""


@pytest.mark.parametrize("width", [1280, 390])
def test_an_equations_number_never_lies_over_the_formula(real_site, open_page, width):
    """On a phone a long formula (the convexity inequality) reaches the column's edge: its number goes under it."""
    from test_figures import lecture_pages
    gaps = []
    for relative in lecture_pages(real_site):
        page, watch = open_page(real_site.url(relative), width=width)
        gaps += [(relative, tag["id"], round(tag["gap"])) for tag in page.evaluate(TAG_GAPS)]
        watch.assert_clean()
    assert len(gaps) >= 5, "the lecture numbers its equations"
    assert not [gap for gap in gaps if gap[2] < 0], [gap for gap in gaps if gap[2] < 0]
