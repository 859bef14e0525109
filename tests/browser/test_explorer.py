"""The explorer (section 8) in a real browser: keyboard, mouse, and no JavaScript at all."""
import json

EXPLORER = "#explorer-quadratic"


def quadratic_block(site):
    results = json.loads((site.folder / "gradient-descent" / "results.json").read_text())
    return results["explore"]["quadratic"]


def shown(box):
    """(image src, read-out text, lr index, beta index) of what the explorer shows."""
    return (box.locator(".explorer-view img").get_attribute("src"), box.locator(".explorer-readout").inner_text(),
            int(box.locator("input[data-axis=lr]").input_value()), int(box.locator("input[data-axis=beta]").input_value()))


def test_keyboard_and_mouse_pick_precomputed_runs(real_site, open_page):
    block = quadratic_block(real_site)
    page, watch = open_page(real_site.url("gradient-descent/index.html") + EXPLORER)
    box = page.locator(EXPLORER)
    assert box.locator(".explorer-strip").is_hidden() and box.locator(".explorer-ui").is_visible()
    src, text, i, j = shown(box)
    assert src == f"figures/explore-quad-{i}-{j}.png"

    box.locator("input[data-axis=lr]").focus()
    page.keyboard.press("ArrowRight")
    src2, text2, i2, j2 = shown(box)
    assert (i2, j2) == (i + 1, j) and src2 == f"figures/explore-quad-{i2}-{j2}.png" and text2 != text
    assert f"lr = {block['lrs'][i2]:g}" in text2

    beta = box.locator("input[data-axis=beta]").bounding_box()
    page.mouse.click(beta["x"] + beta["width"] - 2, beta["y"] + beta["height"] / 2)  # the right end: largest beta
    src3, text3, i3, j3 = shown(box)
    assert j3 == len(block["betas"]) - 1 and src3 == f"figures/explore-quad-{i3}-{j3}.png"
    run = block["runs"][i3][j3]
    assert ("diverges" in text3) == run["diverged"]
    assert page.evaluate("document.querySelector('#explorer-quadratic .explorer-view img').naturalWidth") > 0
    watch.assert_clean()


def test_without_javascript_every_run_is_in_a_static_strip(real_site, open_page):
    block = quadratic_block(real_site)
    page, watch = open_page(real_site.url("gradient-descent/index.html") + EXPLORER, javascript=False)
    box = page.locator(EXPLORER)
    assert box.locator(".explorer-ui").is_hidden() and box.locator(".explorer-strip").is_visible()
    figures = box.locator(".explorer-strip figure")
    assert figures.count() == len(block["lrs"]) * len(block["betas"])
    assert all(alt.strip() for alt in figures.locator("img").evaluate_all("els => els.map(e => e.alt)"))
    watch.assert_clean()
