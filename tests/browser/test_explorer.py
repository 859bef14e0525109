"""The explorer (section 8) in a real browser.

The live explorer runs the heavy ball in JavaScript: its iteration and read-outs are
checked against the Python code (momentum_path, descent_path, compute_explore's
read-outs); its controls (the sliders, the draggable start, the rate map) against
what they should set. The sine model's stepped explorer picks precomputed runs, and
without JavaScript both show their static strips.
"""
import json
import sys

import numpy as np
import pytest

from lecturekit.numerics.descent import descent_path, momentum_path
from lecturekit.numerics.quadratic import momentum_rate

LIVE, SINE = "#explorer-quadratic", "#explorer-sine"
PAGE = "gradient-descent/beyond.html"  # the part with the explorer
STATE = """() => { const s = document.querySelector('#explorer-quadratic').explorer;
                   return {lr: s.lr, beta: s.beta, start: s.start, path: s.path}; }"""


def explore_results(site):
    return json.loads((site.folder / "gradient-descent" / "results.json").read_text())["explore"]


@pytest.fixture(scope="module")
def explore_code(lecture):
    """The lecture's compute_explore module (the Python read-outs)."""
    package = lecture.computations[0].fn.__module__.rsplit(".", 1)[0]
    return sys.modules[package + ".compute_explore"]


def python_path(live, start, lr, beta):
    """The run the lecture's Python code makes: descent_path for beta = 0, momentum_path otherwise."""
    H = np.array(live["A"])
    grad = lambda w: 2 * H @ w
    if beta == 0:
        return descent_path(grad, np.array(start, dtype=float), lr, live["epochs"], live["eps"])
    return momentum_path(grad, np.array(start, dtype=float), lr, beta, live["epochs"], live["eps"])


def assert_same_path(js_path, py_path):
    js_path = np.array(js_path, dtype=float)
    assert js_path.shape == py_path.shape
    np.testing.assert_allclose(js_path, py_path, rtol=1e-9, atol=1e-9)


def data_to_client(box, view, x, y):
    """Client pixel of data point (x, y) on an image, from the build's view of it (not from explore.js)."""
    left, bottom, right, top = view["axes"]
    u = (x - view["x"][0]) / (view["x"][1] - view["x"][0])
    v = (y - view["y"][0]) / (view["y"][1] - view["y"][0])
    return (box["x"] + (left + u * (right - left)) * box["width"],
            box["y"] + (1 - bottom - v * (top - bottom)) * box["height"])


def test_javascript_iteration_and_read_outs_match_python(real_site, open_page, explore_code):
    live = explore_results(real_site)["live"]
    page, watch = open_page(real_site.url(PAGE) + LIVE)
    optimum = live["optimum"]
    settings = [(0.9, 0.0, (-4.0, -2.0)), (0.1, 0.9, (-4.0, -2.0)), (optimum["lr"], optimum["beta"], (3.0, 4.5)),
                (1.2, 0.0, (-4.0, -2.0)), (0.45, 0.6, (2.5, -3.5)), (1.9, 0.95, (-1.0, 1.0)), (0.01, 0.0, (0.3, 0.0))]
    for lr, beta, start in settings:
        js = page.evaluate("""([H, start, lr, beta, epochs, eps, wStar, fraction, tolerance, minSteps, lams]) => {
            const x = window.lectureExplorer, path = x.heavyBall(H, start, lr, beta, epochs, eps), e = x.distances(path, wStar);
            return {path, settled: x.settledStep(e, fraction), firstClose: x.firstCloseStep(e, fraction),
                    rate: x.steadyRate(path, wStar, tolerance, minSteps), predicted: x.predictedRate(lams, lr, beta)};
        }""", [live["A"], list(start), lr, beta, live["epochs"], live["eps"], live["w_star"], live["steps_fraction"],
               live["rate_tolerance"], live["rate_min_steps"], live["eigenvalues"]])
        path = python_path(live, start, lr, beta)
        assert_same_path(js["path"], path)
        e = explore_code.distances(path, live["w_star"])
        assert js["settled"] == explore_code.settled_step(e, live["steps_fraction"]), (lr, beta, start)
        assert js["firstClose"] == explore_code.first_close_step(e, live["steps_fraction"]), (lr, beta, start)
        rate = explore_code.steady_rate(path, live["w_star"], live["rate_tolerance"], live["rate_min_steps"])
        assert (js["rate"] is None) == (rate is None), (lr, beta, start)
        if rate is not None:
            assert js["rate"] == pytest.approx(rate, rel=1e-9)
        assert js["predicted"] == pytest.approx(momentum_rate(live["eigenvalues"], lr, beta), rel=1e-12)
    watch.assert_clean()


def test_sliders_change_the_path(real_site, open_page, explore_code):
    live = explore_results(real_site)["live"]
    page, watch = open_page(real_site.url(PAGE) + LIVE)
    box = page.locator(LIVE)
    assert box.locator(".explorer-ui").is_visible() and box.locator(".explorer-strip").is_hidden()
    state = page.evaluate(STATE)
    assert (state["lr"], state["beta"], state["start"]) == (live["lr"], live["beta"], live["start"])
    assert_same_path(state["path"], python_path(live, live["start"], live["lr"], live["beta"]))

    box.locator("input[data-axis=lr]").focus()
    page.keyboard.press("ArrowRight")   # lr + 0.01
    moved = page.evaluate(STATE)
    assert moved["lr"] == pytest.approx(live["lr"] + 0.01) and moved["path"] != state["path"]
    assert_same_path(moved["path"], python_path(live, live["start"], moved["lr"], live["beta"]))

    slider = box.locator("input[data-axis=beta]").bounding_box()
    page.mouse.click(slider["x"] + slider["width"] * 0.8, slider["y"] + slider["height"] / 2)
    clicked = page.evaluate(STATE)
    assert clicked["beta"] > 0.5 and clicked["lr"] == moved["lr"]
    path = python_path(live, live["start"], clicked["lr"], clicked["beta"])
    assert_same_path(clicked["path"], path)
    text = box.locator(".explorer-readout").inner_text()
    e = explore_code.distances(path, live["w_star"])
    settled = explore_code.settled_step(e, live["steps_fraction"])
    assert f"β = {clicked['beta']:.3f}" in text
    assert (f"from step {settled} on" in text) if settled is not None else ("Stays" not in text)
    watch.assert_clean()


def test_the_start_moves_by_drag_tap_and_keyboard(real_site, open_page):
    live = explore_results(real_site)["live"]
    page, watch = open_page(real_site.url(PAGE) + LIVE)
    box = page.locator(LIVE)
    view = live["views"]["contours"]
    image = box.locator(".explorer-canvas[data-view=contours] img").bounding_box()
    handle = box.locator(".explorer-start-dot").bounding_box()
    assert data_to_client(image, view, *live["start"]) == pytest.approx(
        (handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2), abs=1.5)  # drawn where it is
    per_pixel = (view["x"][1] - view["x"][0]) / ((view["axes"][2] - view["axes"][0]) * image["width"])

    page.mouse.move(handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2)
    page.mouse.down()
    target = data_to_client(image, view, 2.0, 3.0)
    page.mouse.move(*target, steps=8)
    page.mouse.up()
    dragged = page.evaluate(STATE)
    assert dragged["start"] == pytest.approx([2.0, 3.0], abs=2 * per_pixel)
    assert_same_path(dragged["path"], python_path(live, dragged["start"], live["lr"], live["beta"]))

    page.mouse.click(*data_to_client(image, view, -1.0, -3.5))   # a tap elsewhere puts the start there
    tapped = page.evaluate(STATE)
    assert tapped["start"] == pytest.approx([-1.0, -3.5], abs=2 * per_pixel)

    box.locator(".explorer-start").focus()
    for key in ("ArrowLeft", "ArrowLeft", "ArrowUp", "Shift+ArrowRight"):
        page.keyboard.press(key)
    keyed = page.evaluate(STATE)
    expected = [round(10 * tapped["start"][0]) / 10 - 0.2 + 1.0, round(10 * tapped["start"][1]) / 10 + 0.1]
    assert keyed["start"] == pytest.approx(expected, abs=1e-9)
    assert_same_path(keyed["path"], python_path(live, keyed["start"], live["lr"], live["beta"]))
    assert "w₀ = (" in box.locator(".explorer-start").get_attribute("aria-label")
    watch.assert_clean()


def test_clicking_the_rate_map_sets_lr_and_beta(real_site, open_page):
    live = explore_results(real_site)["live"]
    page, watch = open_page(real_site.url(PAGE) + LIVE)
    box = page.locator(LIVE)
    view, optimum = live["views"]["map"], live["optimum"]
    image = box.locator(".explorer-canvas[data-view=map] img").bounding_box()
    tolerance = 2 * (view["x"][1] - view["x"][0]) / ((view["axes"][2] - view["axes"][0]) * image["width"])
    page.mouse.click(*data_to_client(image, view, optimum["lr"], optimum["beta"]))
    state = page.evaluate(STATE)
    assert state["lr"] == pytest.approx(optimum["lr"], abs=tolerance)
    assert state["beta"] == pytest.approx(optimum["beta"], abs=tolerance)
    assert float(box.locator("input[data-axis=lr]").input_value()) == pytest.approx(state["lr"], abs=1e-3)
    assert float(box.locator("input[data-axis=beta]").input_value()) == pytest.approx(state["beta"], abs=1e-3)
    assert_same_path(state["path"], python_path(live, live["start"], state["lr"], state["beta"]))
    ring = box.locator(".explorer-setting-inner").bounding_box()
    assert (ring["x"] + ring["width"] / 2, ring["y"] + ring["height"] / 2) == pytest.approx(
        data_to_client(image, view, state["lr"], state["beta"]), abs=1.5)

    page.mouse.click(*data_to_client(image, view, 1.8, 0.1))   # past the stability limit
    state = page.evaluate(STATE)
    assert state["lr"] > (1 + state["beta"]) * live["stable_lr_limit"]
    assert box.locator(".explorer-readout").inner_text().count("Diverges") == 1

    box.locator("[data-action=optimum]").click()
    state = page.evaluate(STATE)
    assert (state["lr"], state["beta"]) == (optimum["lr"], optimum["beta"])
    watch.assert_clean()


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_layout_overlays_and_touch_sizes(real_site, open_page, artifacts, width, scheme):
    """Each overlay lies exactly on its image in both schemes; controls are touch-sized; a phone shows
    one column, a laptop the path beside the map."""
    page, watch = open_page(real_site.url(PAGE) + LIVE, width=width, scheme=scheme)
    box = page.locator(LIVE)
    box.scroll_into_view_if_needed()
    for canvas in box.locator(".explorer-canvas").all():
        image = canvas.locator("img").evaluate("""img => { const r = img.getBoundingClientRect(), s = getComputedStyle(img);
            const p = ['Left', 'Top', 'Right', 'Bottom'].map(side => parseFloat(s['padding' + side]) + parseFloat(s['border' + side + 'Width']));
            return {x: r.x + p[0], y: r.y + p[1], width: r.width - p[0] - p[2], height: r.height - p[1] - p[3]}; }""")
        svg = canvas.locator("svg").bounding_box()
        assert svg == pytest.approx(image, abs=0.6), canvas.get_attribute("data-view")
    for control in box.locator("input[type=range], button").all():
        assert control.bounding_box()["height"] >= 44
    assert box.locator(".explorer-hit").bounding_box()["width"] >= 44
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    contours = box.locator("[data-view=contours]").bounding_box()
    rate_map = box.locator("[data-view=map]").bounding_box()
    if width >= 1000:
        assert abs(contours["y"] - rate_map["y"]) < 1 and rate_map["x"] > contours["x"] + contours["width"]
    else:
        assert rate_map["y"] > contours["y"] + contours["height"]
    box.screenshot(path=artifacts / f"explorer-{width}-{scheme}.png")
    watch.assert_clean()


def test_sine_sliders_pick_precomputed_runs(real_site, open_page):
    block = explore_results(real_site)["sine"]
    page, watch = open_page(real_site.url(PAGE) + SINE)
    box = page.locator(SINE)
    assert box.locator(".explorer-strip").is_hidden() and box.locator(".explorer-ui").is_visible()

    def shown():
        return (box.locator(".explorer-view img").get_attribute("src"), box.locator(".explorer-readout").inner_text(),
                int(box.locator("input[data-axis=lr]").input_value()), int(box.locator("input[data-axis=beta]").input_value()))

    src, text, i, j = shown()
    assert src == f"figures/explore-sine-{i}-{j}.png"
    box.locator("input[data-axis=lr]").focus()
    page.keyboard.press("ArrowRight")
    src2, text2, i2, j2 = shown()
    assert (i2, j2) == (i + 1, j) and src2 == f"figures/explore-sine-{i2}-{j2}.png" and text2 != text
    assert f"η = {block['lrs'][i2]:g}" in text2
    beta = box.locator("input[data-axis=beta]").bounding_box()
    page.mouse.click(beta["x"] + 2, beta["y"] + beta["height"] / 2)  # the left end: plain gradient descent
    src3, text3, i3, j3 = shown()
    assert j3 == 0 and src3 == f"figures/explore-sine-{i3}-{j3}.png"
    run = block["runs"][i3][j3]
    assert ("stays within" in text3) == (run["settled"] is not None)
    # the new image loads (waited for: right after the click its src is set but the file may still be on its way)
    page.wait_for_function(f"document.querySelector('{SINE} .explorer-view img').naturalWidth > 0", timeout=10_000)
    watch.assert_clean()


DARK_SOURCES = """(selector) => [...document.querySelectorAll(selector)].filter(i => i.offsetParent)
                                  .map(i => i.complete && i.naturalWidth > 0 ? i.currentSrc : 'not loaded: ' + i.src)"""


@pytest.mark.parametrize("javascript", [True, False])
def test_in_the_dark_every_explorer_image_is_its_dark_file(real_site, open_page, javascript):
    """The explorers' images are raw HTML in the lecture: each still gets its figure's dark twin (no white card),
    the stepped explorer's too after a slider moves, and the strips a page without JavaScript shows."""
    page, watch = open_page(real_site.url(PAGE) + LIVE, scheme="dark", javascript=javascript)
    if javascript:
        page.locator(SINE).locator("input[data-axis=lr]").focus()
        page.keyboard.press("ArrowRight")
    page.evaluate("document.querySelectorAll('.explorer img').forEach(i => { i.loading = 'eager'; })")
    page.wait_for_function(f"({DARK_SOURCES})('.explorer img').every(s => !s.startsWith('not loaded'))",
                           timeout=20_000)
    shown = page.evaluate(DARK_SOURCES, ".explorer img")
    assert len(shown) >= (4 if javascript else 20), shown
    assert all(".dark" in src.rsplit("/", 1)[-1] for src in shown), [s for s in shown if ".dark" not in s]
    watch.assert_clean()


def test_without_javascript_every_run_is_in_a_static_strip(real_site, open_page):
    explore = explore_results(real_site)
    page, watch = open_page(real_site.url(PAGE) + LIVE, javascript=False)
    for selector, block in ((LIVE, explore["quadratic"]), (SINE, explore["sine"])):
        box = page.locator(selector)
        assert box.locator(".explorer-ui").is_hidden() and box.locator(".explorer-strip").is_visible()
        figures = box.locator(".explorer-strip figure[data-i]")
        assert figures.count() == len(block["lrs"]) * len(block["betas"])
        assert all(alt.strip() for alt in figures.locator("img").evaluate_all("els => els.map(e => e.alt)"))
        first = figures.first.locator("img")
        first.scroll_into_view_if_needed()
        first.evaluate("img => img.decode()")
        assert first.evaluate("img => img.naturalWidth") > 0
    rate_map = page.locator(f"{LIVE} .explorer-strip-map img")   # the map the prose speaks of, without its overlay
    assert rate_map.is_visible() and rate_map.evaluate("img => img.naturalWidth") > 0
    watch.assert_clean()
