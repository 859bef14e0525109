"""A figure's <picture> (lecturekit/engine/pictures.py, markup.figure_element): srcset, sizes, schemes, motion."""
from lecturekit.engine.markup import figure_element
from lecturekit.engine.pages import figure_site_files, figure_url
import pytest

from lecturekit.engine.pictures import DARK, NARROW, REDUCED_MOTION, SIZES, raw_figure_pictures

STILL = {"files": {"file": "a1.png", "file@2x": "a2.png", "file.dark": "a3.png", "file.dark@2x": "a4.png"},
         "width": 700, "height": 300,
         "pixels": {"file": [700, 300], "file@2x": [1400, 600], "file.dark": [700, 300], "file.dark@2x": [1400, 600]}}
MOVING = {"files": {"file": "b1.gif", "file.dark": "b2.gif", "poster": "b3.png", "poster.dark": "b4.png"},
          "width": 640, "height": 420, "pixels": {role: [1280, 840] for role in ("file", "file.dark", "poster",
                                                                                   "poster.dark")}}


def element(name, manifest):
    return figure_element(name, 3, "What it shows", "Caption.", manifest, figure_url({name: manifest}))


def candidates(srcset):
    """{url: width} of a srcset with width descriptors."""
    pairs = [candidate.split() for candidate in srcset.split(", ")]
    assert all(len(pair) == 2 and pair[1].endswith("w") for pair in pairs), srcset
    return {url: int(width[:-1]) for url, width in pairs}


def test_a_still_figure_offers_each_scheme_at_1x_and_2x():
    figure = element("loss", STILL)
    (picture,) = figure.findall("a/picture")
    source, img = list(picture)
    assert source.tag == "source" and source.get("media") == DARK
    assert candidates(source.get("srcset")) == {"figures/loss.dark.png": 700, "figures/loss.dark@2x.png": 1400}
    assert candidates(img.get("srcset")) == {"figures/loss.png": 700, "figures/loss@2x.png": 1400}
    assert img.get("src") == "figures/loss.png" and (img.get("width"), img.get("height")) == ("700", "300")
    assert img.get("sizes") == source.get("sizes") == SIZES.format(w=700)
    assert img.get("alt") == "What it shows" and img.get("loading") == "lazy"
    sharpest = max(candidates(img.get("srcset")).values())
    assert sharpest >= 2 * int(img.get("width")), "the densest file has 2 pixels per CSS pixel of the figure"


def test_a_still_figure_opens_its_sharpest_file_and_an_animation_is_no_link():
    (link,) = element("loss", STILL).findall("a")
    assert link.get("href") == "figures/loss@2x.png" and link.get("class") == "figure-zoom"
    assert link.find("picture/img").get("alt") == "What it shows"     # the link's name is what the figure shows
    assert element("run", MOVING).find(".//a") is None
    one_x = {**STILL, "files": {"file": "a1.png"}, "pixels": {"file": [700, 300]}}
    assert element("flat", one_x).find("a").get("href") == "figures/flat.png"


def test_sizes_never_exceed_the_figure_or_the_column():
    sizes = SIZES.format(w=700)
    assert "min(700px" in sizes and "46rem" in sizes and "100vw" in sizes


def test_an_animation_shows_the_still_for_reduced_motion_in_either_scheme_and_prints_light():
    figure = element("run", MOVING)
    moving, printed = figure.findall("picture")
    assert moving.get("class") == "animation" and printed.get("class") == "poster"
    sources = [(s.get("media"), s.get("srcset")) for s in moving.findall("source")]
    assert sources == [(f"{DARK} and {REDUCED_MOTION}", "figures/run-poster.dark.png 1280w"),
                       (REDUCED_MOTION, "figures/run-poster.png 1280w"),
                       (DARK, "figures/run.dark.gif 1280w")]
    assert moving.find("img").get("src") == "figures/run.gif"
    assert printed.findall("source") == [], "print is light: the printed still has no dark source"
    poster = printed.find("img")
    assert poster.get("src") == "figures/run-poster.png" and poster.get("class") == "poster"


NARROW_ROLES = {"narrow": [320, 560], "narrow@2x": [640, 1120], "narrow.dark": [320, 560],
                "narrow.dark@2x": [640, 1120]}
PAIR = {**STILL, "files": {**STILL["files"], **{role: f"n{i}.png" for i, role in enumerate(NARROW_ROLES)}},
        "pixels": {**STILL["pixels"], **NARROW_ROLES}}


def test_a_narrow_screen_shows_the_narrow_variant_at_its_own_size_in_either_scheme():
    (picture,) = element("pair", PAIR).findall("a/picture")
    sources = picture.findall("source")
    assert [s.get("media") for s in sources] == [f"{NARROW} and (prefers-color-scheme: dark)", NARROW, DARK]
    assert NARROW.startswith("screen and"), "print shows the wide figure"
    narrow_dark, narrow_light, dark = sources
    assert candidates(narrow_dark.get("srcset")) == {"figures/pair-narrow.dark.png": 320,
                                                     "figures/pair-narrow.dark@2x.png": 640}
    assert candidates(narrow_light.get("srcset")) == {"figures/pair-narrow.png": 320, "figures/pair-narrow@2x.png": 640}
    for source in (narrow_dark, narrow_light):
        assert (source.get("width"), source.get("height"), source.get("sizes")) == ("320", "560", SIZES.format(w=320))
    assert dark.get("width") is None and candidates(dark.get("srcset"))["figures/pair.dark@2x.png"] == 1400
    assert picture.find("img").get("src") == "figures/pair.png", "without a matching source: the wide figure"
    assert element("loss", STILL).find("a/picture/source").get("media") == DARK, "no variant, no narrow source"


def test_every_file_has_its_own_url_and_is_published():
    manifests = {"a": STILL, "a-dark": STILL, "run": MOVING}
    paths = [path for _, path, _ in figure_site_files("lec", manifests)]
    assert len(paths) == len(set(paths)) == 12
    assert "lec/figures/a.dark@2x.png" in paths and "lec/figures/a-dark.png" in paths


def test_a_manifest_without_sizes_is_one_pixel_per_css_pixel():
    old = {"files": {"file": "c.png"}, "width": 500, "height": 200}
    img = element("old", old).find("a/picture/img")
    assert candidates(img.get("srcset")) == {"figures/old.png": 500}
    assert element("old", old).find("a/picture/source") is None


def test_the_markup_serializes_as_html():
    from markdown.serializers import to_html_string
    html = to_html_string(element("loss", STILL))
    assert html.startswith('<figure class="figure" id="fig-loss"><a class="figure-zoom" href="figures/loss@2x.png" '
                           'title="Open the figure at full size"><picture><source') and "</picture>" in html
    assert "</source>" not in html and "</img>" not in html, "void elements are not closed in HTML"


def test_an_authors_raw_image_of_a_figure_gets_its_dark_and_dense_files():
    """Raw HTML (an explorer's strip) names a figure's light file; the page offers what a Markdown figure gets."""
    manifests = {"loss": STILL, "run": MOVING}
    html = raw_figure_pictures('<p><img class="x" src="figures/loss.png" alt="a &gt; b, \'q\'" width="350"> and '
                               "<img src='figures/run.gif' alt=\"moving > still\"></p>", manifests,
                               figure_url(manifests))
    assert html.count("<picture>") == 2 and html.count("<img") == 2
    assert f'<source media="{DARK}"' in html and "figures/loss.dark@2x.png 1400w" in html
    assert 'class="x"' in html and 'width="350"' in html and "a &gt; b, 'q'" in html, html
    assert f'media="{REDUCED_MOTION}"' in html and "figures/run-poster.dark.png" in html, "motion's still kept"


def test_a_raw_image_of_no_figure_file_is_an_error_and_other_images_are_left_alone():
    manifests = {"loss": STILL}
    untouched = '<img src="static/logo.png" alt="logo"><img src="figures/loss@2x.png" alt="2x">'
    assert raw_figure_pictures(untouched, manifests, figure_url(manifests)) == untouched
    with pytest.raises(KeyError, match="figures/los.png"):
        raw_figure_pictures('<img src="figures/los.png" alt="typo">', manifests, figure_url(manifests))
