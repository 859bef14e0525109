"""Figures in a real browser: sharp on high-density screens, no bigger than a phone needs, dark in the dark
scheme (no white cards: under 5% of a dark screenshot of the lecture is near-white), light on paper."""
import io

import numpy as np
import pytest
from PIL import Image

LECTURE = "gradient-descent/descent.html"  # a part with still and moving figures
NEAR_WHITE = 230  # a pixel with every channel above this is near-white

SHOW_ALL_FIGURES = """async () => {
  // Walk down the page so every lazy figure loads, then wait for each shown one to settle.
  const step = Math.max(300, innerHeight / 2);
  for (let y = 0; y < document.scrollingElement.scrollHeight; y += step) {
    scrollTo(0, y);
    await new Promise(r => requestAnimationFrame(() => setTimeout(r, 30)));
  }
  scrollTo(0, 0);
  const shown = [...document.querySelectorAll('figure.figure img')].filter(img => img.getClientRects().length);
  await Promise.all(shown.map(img => img.complete ? null :
    new Promise(r => { img.addEventListener('load', r); img.addEventListener('error', r); })));
  return shown.map(img => {
    const picture = img.closest('picture');
    // Every candidate offered, as [absolute URL, its width descriptor]: the width in pixels of that file
    // (naturalWidth is in CSS pixels once a srcset is used, so the descriptor says the file's size).
    const offered = [...picture.querySelectorAll('source, img')].flatMap(el =>
      (el.getAttribute('srcset') || '').split(', ').filter(Boolean).map(c => c.split(' '))
        .map(([url, w]) => [new URL(url, location.href).href, +w.slice(0, -1)]));
    const chosen = offered.find(([url]) => url === img.currentSrc);
    return {current: img.currentSrc, natural: chosen ? chosen[1] : -1, shown: img.getBoundingClientRect().width,
            offered: offered.map(([, w]) => w), moving: picture.classList.contains('animation')};
  });
}"""


def open_lecture(browser, site, width, scheme, scale=1, reduced_motion="no-preference"):
    context = browser.new_context(viewport={"width": width, "height": 900}, device_scale_factor=scale,
                                  color_scheme=scheme, reduced_motion=reduced_motion, service_workers="block")
    page = context.new_page()
    page.goto(site.url(LECTURE), wait_until="load")
    return context, page


def near_white(png):
    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
    return float((pixels > NEAR_WHITE).all(axis=2).mean())


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_figures_have_two_pixels_per_css_pixel_on_a_high_density_laptop(real_site, browser, scheme):
    context, page = open_lecture(browser, real_site, 1280, scheme, scale=2)
    figures = page.evaluate(SHOW_ALL_FIGURES)
    context.close()
    assert len(figures) >= 10  # one part of the lecture
    soft = [(f["current"].rsplit("/", 1)[-1], f["natural"], round(f["shown"])) for f in figures
            if f["natural"] < 2 * f["shown"] - 0.5]
    assert not soft, f"figures with fewer than 2 image pixels per CSS pixel: {soft}"
    assert all((".dark" in f["current"]) == (scheme == "dark") for f in figures), "a figure of the other scheme"


@pytest.mark.parametrize("scale", [2, 3])
def test_a_phone_downloads_no_more_than_it_shows(real_site, browser, scale):
    """At 390 px each figure's file is the smallest that still covers the screen's pixels, and sharp."""
    context, page = open_lecture(browser, real_site, 390, "light", scale=scale)
    figures = page.evaluate(SHOW_ALL_FIGURES)
    context.close()
    assert figures
    for figure in figures:
        needed = scale * figure["shown"]
        enough = [w for w in figure["offered"] if w >= needed] or [max(figure["offered"])]
        assert figure["natural"] <= min(enough), f"{figure['current']}: {figure['natural']} px for {needed:.0f}"
        assert figure["natural"] >= 2 * figure["shown"] - 0.5, figure
    if scale == 2:  # a 2x phone shows a column-wide figure with about 700 pixels: the 1x file (736) covers it
        stills = [f for f in figures if not f["moving"]]
        assert sum("@2x" not in f["current"] for f in stills) > len(stills) / 2, "most stills come as 1x files"


def test_the_dark_lecture_has_no_white_cards(real_site, browser, artifacts):
    """A full-page screenshot of the lecture in each scheme: dark is under 5% near-white, light stays white."""
    shares = {}
    for scheme in ("light", "dark"):
        context, page = open_lecture(browser, real_site, 1280, scheme)
        page.evaluate(SHOW_ALL_FIGURES)
        png = page.screenshot(full_page=True, timeout=300_000)
        (artifacts / f"figures-{scheme}-1280.png").write_bytes(png)
        shares[scheme] = near_white(png)
        context.close()
    assert shares["dark"] < 0.05, f"{shares['dark']:.1%} of the dark lecture is near-white"
    assert shares["light"] > 0.6, f"the light lecture is only {shares['light']:.1%} near-white"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_reduced_motion_shows_the_still_of_the_scheme(real_site, browser, scheme):
    context, page = open_lecture(browser, real_site, 1280, scheme, reduced_motion="reduce")
    moving = [f for f in page.evaluate(SHOW_ALL_FIGURES) if f["moving"]]
    context.close()
    assert moving
    ending = "-poster.dark.png" if scheme == "dark" else "-poster.png"
    assert all(f["current"].endswith(ending) for f in moving), [f["current"] for f in moving]


def test_print_is_light_in_the_dark_scheme(real_site, browser):
    context, page = open_lecture(browser, real_site, 1280, "dark")
    page.emulate_media(media="print")
    page.evaluate(SHOW_ALL_FIGURES)
    shown = page.evaluate("""() => [...document.querySelectorAll('figure.figure img')]
        .filter(img => img.getClientRects().length).map(img => img.currentSrc)""")
    context.close()
    assert shown and not [src for src in shown if ".dark" in src or src.endswith(".gif")], shown


def test_the_home_card_thumbnail_follows_the_scheme(real_site, browser):
    for scheme in ("light", "dark"):
        context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
        page = context.new_page()
        page.goto(real_site.url("index.html"), wait_until="load")
        page.evaluate("""async () => { const img = document.querySelector('.card img'); img.loading = 'eager';
                                       await img.decode(); }""")
        current = page.evaluate("document.querySelector('.card img').currentSrc")
        context.close()
        assert (".dark." in current) == (scheme == "dark"), current
