"""Figures in a real browser: sharp on high-density screens, no bigger than a phone needs, dark in the dark
scheme (no white cards: under 5% of a dark screenshot of each page of the lecture is near-white), light on paper.

Every page of the real lecture is looked at: its opening page and each of its parts."""
import io

import numpy as np
import pytest
from PIL import Image

LECTURE = "gradient-descent"
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
            offered: offered.map(([, w]) => w), moving: picture.classList.contains('animation'),
            narrow: !!picture.querySelector('source[srcset*="-narrow"]')};
  });
}"""


def lecture_pages(site):
    """The URL of every page of the lecture, relative to the site."""
    return sorted(p.relative_to(site.folder).as_posix() for p in (site.folder / LECTURE).glob("*.html"))


def open_page(browser, site, relative, width, scheme, scale=1, reduced_motion="no-preference"):
    context = browser.new_context(viewport={"width": width, "height": 900}, device_scale_factor=scale,
                                  color_scheme=scheme, reduced_motion=reduced_motion, service_workers="block")
    page = context.new_page()
    page.goto(site.url(relative), wait_until="load")
    return context, page


def figures_of_lecture(browser, site, width, scheme, scale=1, reduced_motion="no-preference", media=None):
    """What SHOW_ALL_FIGURES says of every figure on every page of the lecture."""
    figures = []
    for relative in lecture_pages(site):
        context, page = open_page(browser, site, relative, width, scheme, scale, reduced_motion)
        if media:
            page.emulate_media(media=media)
        figures += [{**figure, "page": relative} for figure in page.evaluate(SHOW_ALL_FIGURES)]
        context.close()
    return figures


def near_white(png):
    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
    return float((pixels > NEAR_WHITE).all(axis=2).mean())


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_figures_have_two_pixels_per_css_pixel_on_a_high_density_laptop(real_site, browser, scheme):
    figures = figures_of_lecture(browser, real_site, 1280, scheme, scale=2)
    assert len(figures) > 30
    soft = [(f["current"].rsplit("/", 1)[-1], f["natural"], round(f["shown"])) for f in figures
            if f["natural"] < 2 * f["shown"] - 0.5]
    assert not soft, f"figures with fewer than 2 image pixels per CSS pixel: {soft}"
    assert all((".dark" in f["current"]) == (scheme == "dark") for f in figures), "a figure of the other scheme"
    assert not [f["current"] for f in figures if "-narrow" in f["current"]], "a laptop shows the wide figures"


@pytest.mark.parametrize("scale", [2, 3])
def test_a_phone_downloads_no_more_than_it_shows(real_site, browser, scale):
    """At 390 px each figure's file is the smallest that still covers the screen's pixels, and sharp.

    (A 1x file that covers them would be taken; since every wide figure has a narrow variant, none does.)"""
    figures = figures_of_lecture(browser, real_site, 390, "light", scale=scale)
    assert figures
    assert not [f["current"] for f in figures if f["narrow"] != ("-narrow" in f["current"])], \
        "a figure drawn for phones shows its narrow variant, and only such a figure"
    for figure in figures:
        needed = scale * figure["shown"]
        enough = [w for w in figure["offered"] if w >= needed] or [max(figure["offered"])]
        assert figure["natural"] <= min(enough), f"{figure['current']}: {figure['natural']} px for {needed:.0f}"
        assert figure["natural"] >= 2 * figure["shown"] - 0.5, figure


def test_a_dark_phone_shows_the_dark_narrow_variants_at_the_column_width(real_site, browser):
    figures = figures_of_lecture(browser, real_site, 390, "dark", scale=2)
    narrow = [f for f in figures if f["narrow"]]
    assert len(narrow) >= 8, "the lecture's side-by-side surface figures have narrow variants"
    assert [f for f in narrow if f["moving"]], "the lecture's animations have narrow variants too"
    assert all(f["current"].endswith("-narrow.dark.gif" if f["moving"] else "-narrow.dark@2x.png") for f in narrow), \
        [f["current"] for f in narrow]
    column = 390 - 2 * 20   # 1.25rem of padding each side
    assert all(column - 8 <= f["shown"] <= column for f in narrow), [round(f["shown"]) for f in narrow]


def test_the_dark_lecture_has_no_white_cards(real_site, browser, artifacts):
    """A full-page screenshot of each page of the lecture in each scheme: dark is under 5% near-white (and so
    is the lecture as a whole), light stays white."""
    shares, areas = {"light": {}, "dark": {}}, {}
    for scheme in shares:
        for relative in lecture_pages(real_site):
            context, page = open_page(browser, real_site, relative, 1280, scheme)
            page.evaluate(SHOW_ALL_FIGURES)
            png = page.screenshot(full_page=True, timeout=300_000)
            name = relative.rsplit("/", 1)[-1].removesuffix(".html")
            (artifacts / f"figures-{name}-{scheme}-1280.png").write_bytes(png)
            shares[scheme][relative] = near_white(png)
            areas[relative] = Image.open(io.BytesIO(png)).height
            context.close()
    dark = {page: f"{share:.1%}" for page, share in shares["dark"].items() if share >= 0.05}
    assert not dark, f"near-white in the dark scheme: {dark}"
    overall = {scheme: sum(shares[scheme][p] * areas[p] for p in areas) / sum(areas.values()) for scheme in shares}
    assert overall["dark"] < 0.05 and overall["light"] > 0.6, overall


@pytest.mark.parametrize("width, still", [(1280, "-poster"), (390, "-narrowposter")])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_reduced_motion_shows_the_still_of_the_scheme_and_screen(real_site, browser, scheme, width, still):
    """A phone's still is its narrow animation's."""
    moving = [f for f in figures_of_lecture(browser, real_site, width, scheme, scale=2, reduced_motion="reduce")
              if f["moving"]]
    assert moving
    ending = f"{still}.dark.png" if scheme == "dark" else f"{still}.png"
    assert all(f["current"].endswith(ending) for f in moving), [f["current"] for f in moving]


def test_print_is_light_in_the_dark_scheme(real_site, browser):
    shown = figures_of_lecture(browser, real_site, 1280, "dark", media="print")
    assert shown and not [f["current"] for f in shown if ".dark" in f["current"] or f["current"].endswith(".gif")]


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
