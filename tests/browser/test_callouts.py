"""Callouts and exercises in a real browser: a solution opens by mouse and keyboard, every scheme is legible.

The fixture course's first lecture (tests/browser/fixture_course/content/01-motion) has a
callout of each kind, a folded tip, and an exercise with a hint and a solution.
"""
import re

import pytest

from browser_support import contrast, luminance

LECTURE = "01-motion/index.html"
KINDS = {"note": "Note", "tip": "Tip", "warning": "Warning", "definition": "Definition", "key-idea": "Key idea"}

TEXT_COLOURS = """() => {
  // Each element of a callout or exercise that holds text: its colour and the colour it sits on.
  const background = el => {
    for (; el; el = el.parentElement) {
      const colour = getComputedStyle(el).backgroundColor;
      if (!/^rgba\\(.*,\\s*0\\)$|^transparent$/.test(colour)) return colour;
    }
    return getComputedStyle(document.body).backgroundColor;
  };
  const out = [];
  for (const block of document.querySelectorAll('.callout, .exercise')) {
    for (const el of [block, ...block.querySelectorAll('*')]) {
      const own = [...el.childNodes].some(n => n.nodeType === Node.TEXT_NODE && n.data.trim());
      if (!own || el.closest('.katex-mathml')) continue;  // KaTeX's MathML copy is for screen readers only
      out.push({block: block.className, tag: el.tagName, cls: el.className, text: el.textContent.trim().slice(0, 40),
                colour: getComputedStyle(el).color, background: background(el)});
    }
  }
  return out;
}"""

CALLOUT_LOOKS = """() => [...document.querySelectorAll('div.callout')].map(el => ({
  kind: el.classList[1], background: getComputedStyle(el).backgroundColor,
  edge: getComputedStyle(el).borderLeftColor, title: getComputedStyle(el.querySelector('.callout-kind')).color}))"""


def is_open(details):
    return details.evaluate("d => d.open")


def test_a_solution_opens_by_mouse_and_by_keyboard(fixture_site, open_page):
    page, watch = open_page(fixture_site.url(LECTURE))
    exercise = page.locator(".exercise", has=page.locator("#exercise-1"))
    solution, hint = exercise.locator("details.solution"), exercise.locator("details.hint")
    summary, answer = solution.locator("summary"), solution.get_by_text("It takes 12 steps")
    assert summary.inner_text().strip() == "Solution"
    assert not is_open(solution) and not answer.is_visible(), "a solution is closed until asked for"

    summary.click()
    assert is_open(solution) and answer.is_visible()
    assert answer.locator(".katex").count() == 1, "math in a solution is rendered"
    summary.click()
    assert not is_open(solution) and not answer.is_visible()

    hint.locator("summary").focus()
    page.keyboard.press("Tab")  # from the hint to the solution, as a keyboard reader goes
    assert summary.evaluate("el => el === document.activeElement"), "Tab does not reach the solution"
    assert summary.evaluate("el => getComputedStyle(el).outlineStyle") != "none", "no visible focus"
    page.keyboard.press("Enter")
    assert is_open(solution) and answer.is_visible()
    page.keyboard.press("Space")
    assert not is_open(solution) and not answer.is_visible()
    page.keyboard.press("Space")
    assert is_open(solution) and not is_open(hint)
    watch.assert_clean()


def test_callouts_are_notes_and_the_exercise_a_heading_a_screen_reader_announces(fixture_site, open_page):
    page, watch = open_page(fixture_site.url(LECTURE))
    notes = page.get_by_role("note")
    assert notes.count() == len(KINDS)
    for name in ("Note 1: A step size below the limit", "Tip 1", "Warning 1: Too large a step",
                 "Definition 1: Condition number", "Key idea 1"):
        assert page.get_by_role("note", name=name, exact=True).count() == 1, name
    heading = page.get_by_role("heading", name=re.compile(r"^Exercise 1\. Counting steps"))
    assert heading.count() == 1 and heading.get_attribute("id") == "exercise-1"
    page.get_by_role("link", name="Exercise 1", exact=True).click()  # its id links to it
    page.wait_for_function("() => location.hash === '#exercise-1'")
    assert 0 <= heading.evaluate("el => el.getBoundingClientRect().top") < page.viewport_size["height"] - 50
    watch.assert_clean()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_callouts_and_exercises_are_legible_in_each_scheme(fixture_site, open_page, scheme):
    page, watch = open_page(fixture_site.url(LECTURE), scheme=scheme)
    page.locator("details").evaluate_all("all => all.forEach(d => d.open = true)")  # their text too
    texts = page.evaluate(TEXT_COLOURS)
    assert {t["block"] for t in texts} >= {f"callout {kind}" for kind in KINDS} | {"exercise", "callout tip"}
    low = [f"{t['block']} {t['tag']}.{t['cls']} {t['text']!r}: {contrast(t['colour'], t['background']):.2f}"
           for t in texts if contrast(t["colour"], t["background"]) < 4.5]
    assert not low, f"{scheme}: text below 4.5:1 on its callout's background: {low}"

    looks = page.evaluate(CALLOUT_LOOKS)
    assert sorted({look["kind"] for look in looks}) == sorted(KINDS)
    page_background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    for look in looks:
        assert look["background"] != page_background, f"{scheme}: a {look['kind']} is not set off from the page"
        assert (luminance(look["background"]) < 0.05) == (scheme == "dark"), f"{scheme}: {look}"
        assert contrast(look["title"], look["background"]) >= 4.5, look
    assert len({look["background"] for look in looks}) == len(KINDS), "each kind has its own tint"
    watch.assert_clean()
