"""Section 8 (the explorer), checked on a real build (the code shown on the page: test_lecture_structure.py).

The lecture is built once into a temporary folder (reusing the repository's
result and figure caches, so this takes seconds); the tests then read the
published results.json, the page's HTML and the explorer's images.
"""
import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

import build
from lecturekit.numerics import losses
from lecturekit.numerics.datasets import sine_data
from reference import fd_jacobian, heavy_ball, spectral_radius

ROOT = Path(__file__).resolve().parents[1]
SLUG = "gradient-descent"
IMAGE_BUDGET = 1_500_000   # bytes: the explorer's images may add at most 1.5 MB to the page
EPS = 1e-6                 # the lecture's stopping rule


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("explore") / "site"
    build.build(ROOT / "content", out, ROOT / ".cache", ROOT / "figures", quiet=True)
    return out / SLUG


@pytest.fixture(scope="module")
def explore(site):
    return json.loads((site / "results.json").read_text())["explore"]


@pytest.fixture(scope="module")
def page(site):
    return (site / "index.html").read_text(encoding="utf-8")


def check_block(block, loss, grad, w_star):
    """Every published run of one explorer block against a run recomputed here."""
    lrs, betas, runs = block["lrs"], block["betas"], block["runs"]
    assert len(runs) == len(lrs) and all(len(row) == len(betas) for row in runs)
    for i, lr in enumerate(lrs):
        for j, beta in enumerate(betas):
            run = runs[i][j]
            assert (run["lr"], run["beta"]) == (lr, beta)
            path = heavy_ball(grad, block["start"], lr, beta, block["epochs"], eps=EPS)
            distance = np.linalg.norm(path - w_star, axis=1)
            diverged = not distance[-1] <= distance[0]
            close = np.nonzero(distance < block["steps_fraction"] * distance[0])[0]
            assert run["path_length"] == len(path), (lr, beta)
            assert run["diverged"] == diverged, (lr, beta)
            assert run["converged"] == bool(np.linalg.norm(path[-1] - path[-2]) < EPS), (lr, beta)
            if diverged:
                assert run["final_loss"] is None and run["steps"] is None
            else:
                assert run["final_loss"] == pytest.approx(float(loss(path[-1])), rel=1e-8, abs=1e-300)
                assert run["steps"] == (int(close[0]) if len(close) else None), (lr, beta)
            assert run["predicted_rate"] == pytest.approx(spectral_radius(block["eigenvalues"], lr, beta), rel=1e-6)


def test_quadratic_runs_agree_with_recomputed_runs(explore):
    q = explore["quadratic"]
    lams = np.array([0.1, 1.0])
    assert q["eigenvalues"] == pytest.approx(lams) and q["start"] == [-4.0, -2.0] and q["epochs"] == 50
    assert len(q["lrs"]) >= 10 and min(q["lrs"]) < 0.5 and max(q["lrs"]) > 1.0
    assert len(q["betas"]) >= 3 and min(q["betas"]) == 0.0 and max(q["betas"]) >= 0.85
    check_block(q, lambda w: float(np.sum(lams * w ** 2)), lambda w: 2 * lams * w, np.zeros(2))


def test_sine_runs_agree_with_recomputed_runs(explore):
    s = explore["sine"]
    x, y = sine_data(seed=42, n=200, true_w=(1.1, 2.5), noise=0.5)
    grad = lambda w: losses.sine_mse_grad(w, x, y)
    w_star = np.array(s["w_star"])
    assert np.linalg.norm(grad(w_star)) < 1e-8  # a stationary point ...
    hessian = fd_jacobian(grad, w_star)         # ... whose curvatures (finite differences) are the published ones
    np.testing.assert_allclose(s["eigenvalues"], np.linalg.eigvalsh((hessian + hessian.T) / 2) / 2, rtol=1e-5)
    assert s["start"] == [2.2, 2.2] and len(s["lrs"]) * len(s["betas"]) >= 4
    check_block(s, lambda w: float(losses.sine_mse(w, x, y)), grad, w_star)
    flat = [run for row in s["runs"] for run in row]
    assert any(run["steps"] is not None for run in flat), "no sine setting converges"
    assert any(run["predicted_rate"] > 1 and run["steps"] is None for run in flat), "no sine setting oscillates"


def test_stability_limit_separates_diverged_runs(explore):
    q = explore["quadratic"]
    lam_max = max(q["eigenvalues"])
    below = above = 0
    for i, lr in enumerate(q["lrs"]):
        for j, beta in enumerate(q["betas"]):
            limit = (1 + beta) / lam_max
            assert q["stable_lr_limits"][j] == pytest.approx(limit)
            run = q["runs"][i][j]
            if lr > limit * 1.01:
                above += 1
                assert run["diverged"] and run["predicted_rate"] > 1, (lr, beta)
            elif lr < limit * 0.99:
                below += 1
                assert not run["diverged"] and run["predicted_rate"] < 1, (lr, beta)
    assert above >= 2 and below >= 10  # both sides of the limit are covered
    plain = {lr: q["runs"][i][q["betas"].index(0.0)] for i, lr in enumerate(q["lrs"])}
    assert any(run["diverged"] for lr, run in plain.items() if lr > 1)
    assert not any(run["diverged"] for lr, run in plain.items() if lr < 1)


class Collector(HTMLParser):
    """Code blocks (text of each div.highlight) and <img> attributes of a page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks, self.images, self.depth, self.text = [], [], 0, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "img":
            self.images.append(attrs)
        if self.depth:
            self.depth += tag == "div"
        elif tag == "div" and "highlight" in (attrs.get("class") or "").split():
            self.depth, self.text = 1, []

    def handle_endtag(self, tag):
        if self.depth and tag == "div":
            self.depth -= 1
            if not self.depth:
                self.blocks.append("".join(self.text))

    def handle_data(self, data):
        if self.depth:
            self.text.append(data)


def parse(text):
    collector = Collector()
    collector.feed(text)
    return collector


def test_explorer_images_within_budget_and_described(site, page, explore):
    files = sorted((site / "figures").glob("explore-*"))
    settings = sum(len(b["lrs"]) * len(b["betas"]) for b in explore.values())
    assert len(files) == settings
    total = sum(f.stat().st_size for f in files)
    assert total <= IMAGE_BUDGET, f"explorer images take {total} bytes"
    strip = [img for img in parse(page).images if re.fullmatch(r"figures/explore-\w+-\d+-\d+\.png", img["src"])
             and img.get("loading")]
    assert {img["src"] for img in strip} == {f"figures/{f.name}" for f in files}  # the no-JS strip shows every run
    from PIL import Image
    for img in strip:
        assert img["loading"] == "lazy"
        with Image.open(site / img["src"]) as image:
            assert (int(img["width"]), int(img["height"])) == image.size
        alt = html.unescape(img["alt"])
        assert re.search(r"lr = [\d.]+, beta = [\d.]+", alt) and ("diverges" in alt or "final loss" in alt), alt


def test_explorer_markup_is_accessible_and_offline(site, page):
    for key in ("quadratic", "sine"):
        for axis in ("lr", "beta"):
            slider = f"explorer-{key}-{axis}"
            assert re.search(rf'<label for="{slider}">', page)
            assert re.search(rf'<input type="range" id="{slider}"[^>]* step="1"', page)
    assert page.count('aria-live="polite"') >= 2
    assert '<script src="explore.js" defer></script>' in page
    script = (site / "explore.js").read_text()
    assert "http" not in script and "import" not in script and len(script.splitlines()) <= 60
