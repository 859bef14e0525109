"""Section 8 (the explorer), checked on a real build (the code shown on the page: test_lecture_structure.py).

The lecture is built once into a temporary folder (reusing the repository's
result and figure caches, so this takes seconds); the tests then read the
published results.json, the page's HTML and the explorer's images. What the
read-outs claim is checked against runs and measures written out here again.
"""
import html
import json
import re
import sys
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

import build
import lecture_pages
from lecturekit.engine.prose import pct
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
    return lecture_pages.html(site, ROOT / "content" / SLUG)  # every page of the lecture, in order


@pytest.fixture(scope="module")
def explore_code(lecture):
    """The lecture's compute_explore module, as the engine imported it."""
    package = lecture.computations[0].fn.__module__.rsplit(".", 1)[0]
    return sys.modules[package + ".compute_explore"]


# The read-outs, written out plainly (loops, no lecture code) to check what the page says.

def settled_by_loop(e, fraction):
    """The first k with every e_j (j >= k) below fraction e_0, or None."""
    for k in range(len(e)):
        if all(d < fraction * e[0] for d in e[k:]):
            return k
    return None


def first_close_by_loop(e, fraction):
    return next((k for k, d in enumerate(e) if d < fraction * e[0]), None)


def steady_rate_by_loop(e, tolerance, min_steps, floor):
    """Geometric mean of e_{k+1}/e_k over the second half of the leading stretch above `floor`, if each
    ratio is within `tolerance` of it over at least `min_steps` steps; else None."""
    m = 0
    while m < len(e) and np.isfinite(e[m]) and e[m] > floor:
        m += 1
    tail = e[(m - 1) // 2:m]
    if len(tail) - 1 < min_steps:
        return None
    rate = (tail[-1] / tail[0]) ** (1 / (len(tail) - 1))
    ratios = [b / a for a, b in zip(tail, tail[1:])]
    return rate if all(1 / (1 + tolerance) <= r / rate <= 1 + tolerance for r in ratios) else None


def check_block(block, loss, grad, w_star, tolerance, min_steps):
    """Every published run of one explorer block against a run and read-outs recomputed here."""
    lrs, betas, runs = block["lrs"], block["betas"], block["runs"]
    fraction = block["steps_fraction"]
    assert len(runs) == len(lrs) and all(len(row) == len(betas) for row in runs)
    floor = max(np.finfo(float).tiny, 1e-12 * np.linalg.norm(w_star))
    for i, lr in enumerate(lrs):
        for j, beta in enumerate(betas):
            run = runs[i][j]
            assert (run["lr"], run["beta"]) == (lr, beta)
            path = heavy_ball(grad, block["start"], lr, beta, block["epochs"], eps=EPS)
            e = [float(np.linalg.norm(w - w_star)) for w in path]
            diverged = not e[-1] <= e[0]
            assert run["path_length"] == len(path), (lr, beta)
            assert run["diverged"] == diverged, (lr, beta)
            assert run["converged"] == bool(np.linalg.norm(path[-1] - path[-2]) < EPS), (lr, beta)
            assert run["settled"] == settled_by_loop(e, fraction), (lr, beta)
            assert run["first_close"] == first_close_by_loop(e, fraction), (lr, beta)
            assert run["final_fraction"] == pytest.approx(e[-1] / e[0], rel=1e-9)
            if diverged:
                assert run["final_loss"] is None and run["settled"] is None
            else:
                assert run["final_loss"] == pytest.approx(float(loss(path[-1])), rel=1e-8, abs=1e-300)
            assert run["predicted_rate"] == pytest.approx(spectral_radius(block["eigenvalues"], lr, beta), rel=1e-6)
            measured = steady_rate_by_loop(e, tolerance, min_steps, floor)
            if measured is None:
                assert run["measured_rate"] is None, (lr, beta)
            else:
                assert run["measured_rate"] == pytest.approx(measured, rel=1e-9), (lr, beta)


def test_quadratic_runs_agree_with_recomputed_runs(explore):
    q, live = explore["quadratic"], explore["live"]
    lams = np.array([0.1, 1.0])
    assert q["eigenvalues"] == pytest.approx(lams) and q["hessian_eigenvalues"] == pytest.approx(2 * lams)
    assert q["start"] == [-4.0, -2.0] and q["epochs"] == 50
    assert len(q["lrs"]) >= 10 and min(q["lrs"]) < 0.5 and max(q["lrs"]) > 1.0
    assert len(q["betas"]) >= 3 and min(q["betas"]) == 0.0 and max(q["betas"]) >= 0.85
    check_block(q, lambda w: float(np.sum(lams * w ** 2)), lambda w: 2 * lams * w, np.zeros(2),
                live["rate_tolerance"], live["rate_min_steps"])
    flat = [run for row in q["runs"] for run in row]
    assert any(run["measured_rate"] is None for run in flat if not run["diverged"])   # spirals: none shown
    assert sum(run["measured_rate"] is not None for run in flat) >= 10


def test_sine_runs_agree_with_recomputed_runs(explore):
    s, live = explore["sine"], explore["live"]
    x, y = sine_data(seed=42, n=200, true_w=(1.1, 2.5), noise=0.5)
    grad = lambda w: losses.sine_mse_grad(w, x, y)
    w_star = np.array(s["w_star"])
    assert np.linalg.norm(grad(w_star)) < 1e-8  # a stationary point ...
    hessian = fd_jacobian(grad, w_star)         # ... whose Hessian (finite differences) has the published eigenvalues
    hessian_eigenvalues = np.linalg.eigvalsh((hessian + hessian.T) / 2)
    np.testing.assert_allclose(s["hessian_eigenvalues"], hessian_eigenvalues, rtol=1e-5)
    np.testing.assert_allclose(s["eigenvalues"], hessian_eigenvalues / 2, rtol=1e-5)   # H with the Hessian 2H
    assert s["start"] == [2.2, 2.2] and len(s["lrs"]) * len(s["betas"]) >= 4
    check_block(s, lambda w: float(losses.sine_mse(w, x, y)), grad, w_star, live["rate_tolerance"],
                live["rate_min_steps"])
    flat = [run for row in s["runs"] for run in row]
    assert any(run["settled"] is not None for run in flat), "no sine setting converges"
    assert any(run["predicted_rate"] > 1 and run["settled"] is None for run in flat), "no sine setting oscillates"


def test_the_example_comes_close_and_leaves(explore, page):
    """The prose's example: a run within 1 % at some step that is farther than 1 % later, so it has
    no step from which it stays close, and the page says so rather than "within 1 % after N steps"."""
    q = explore["quadratic"]
    i, j = q["example"]
    run = q["runs"][i][j]
    lams = np.array(q["eigenvalues"])
    path = heavy_ball(lambda w: 2 * lams * w, q["start"], q["lrs"][i], q["betas"][j], q["epochs"])
    e = np.linalg.norm(path, axis=1) / np.linalg.norm(path[0])
    close = np.nonzero(e < q["steps_fraction"])[0]
    assert len(close) and np.any(e[close[0]:] >= q["steps_fraction"])   # comes close, then leaves
    assert run["first_close"] == close[0] and run["settled"] is None
    assert run["final_fraction"] == pytest.approx(e[-1]) and e[-1] > q["steps_fraction"]
    assert run["measured_rate"] is None                                 # it spirals: no single rate
    text = re.sub(r"<[^>]+>", "", page[page.index('id="sec:explore"'):])
    assert f"within 1% at step {close[0]}, then swings out again and ends {pct(e[-1])}" in " ".join(text.split())
    caption = re.search(rf'<figure data-i="{i}" data-j="{j}"[^>]*>.*?<figcaption>(.*?)</figcaption>', page, re.S).group(1)
    assert f"within 1% of w* at step {close[0]}, then leaves" in caption and "no steady rate" in caption


def test_settled_and_first_close_steps(explore_code):
    e = np.array([1.0, 0.5, 0.005, 0.02, 0.005, 0.004])
    assert explore_code.first_close_step(e, 0.01) == 2 == first_close_by_loop(e, 0.01)
    assert explore_code.settled_step(e, 0.01) == 4 == settled_by_loop(e, 0.01)
    leaves = np.array([1.0, 0.005, 0.5])
    assert explore_code.first_close_step(leaves, 0.01) == 1 and explore_code.settled_step(leaves, 0.01) is None
    never = np.array([1.0, 0.5, 0.2])
    assert explore_code.first_close_step(never, 0.01) is None and explore_code.settled_step(never, 0.01) is None
    overflowed = np.array([1.0, 0.005, np.inf])
    assert explore_code.settled_step(overflowed, 0.01) is None


def test_a_steady_rate_only_where_there_is_one(explore_code):
    k = np.arange(41)[:, None]
    geometric = 0.8 ** k * np.array([[3.0, -4.0]])
    assert explore_code.steady_rate(geometric, [0, 0], 0.05, 5) == pytest.approx(0.8, rel=1e-12)
    # a spiral's distance: rho^k |cos(k theta)| swings, so no single factor per step
    spiral = 0.9 ** k * np.hstack([np.abs(np.cos(0.7 * k)), np.zeros_like(k, dtype=float)])
    assert explore_code.steady_rate(spiral, [0, 0], 0.05, 5) is None
    # a sequence whose ratio swings within the tolerance still has one rate
    wobble = np.cumprod(np.r_[1.0, 0.8 * (1 + 0.03 * (-1) ** np.arange(40))])[:, None]
    assert explore_code.steady_rate(wobble, [0.0], 0.05, 5) == pytest.approx(steady_rate_by_loop(
        wobble[:, 0], 0.05, 5, np.finfo(float).tiny), rel=1e-12)
    assert explore_code.steady_rate(geometric[:8], [0, 0], 0.05, 5) is None   # too few steps to tell


@pytest.fixture(scope="module")
def live_data(results):
    """explore_live computed directly, with its figure data (the rate map's grid)."""
    return results("explore_live")["live"]


def test_rate_map_is_the_spectral_radius_of_the_iteration(live_data):
    lams, grid = live_data["eigenvalues"], live_data["map"]
    lrs, betas, rates = grid["lrs"], grid["betas"], grid["rates"]
    assert rates.shape == (len(betas), len(lrs)) and (lrs[0], lrs[-1]) == tuple(live_data["lr_range"])
    rng = np.random.default_rng(0)
    for r, c in zip(rng.integers(0, len(betas), 60), rng.integers(0, len(lrs), 60)):
        assert rates[r, c] == pytest.approx(spectral_radius(lams, lrs[c], betas[r]), rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("lr, beta", [(0.5, 0.0), (0.9, 0.3), (1.3, 0.5), (0.2, 0.8), (1.25, 0.0)])
def test_rate_map_against_the_contraction_of_a_long_run(live_data, lr, beta):
    """The map's value near (lr, beta) is what a long run measures: (e_N / e_M)^(1 / (N - M)), or the
    growth for an unstable setting."""
    grid = live_data["map"]
    c, r = np.abs(grid["lrs"] - lr).argmin(), np.abs(grid["betas"] - beta).argmin()
    lams = np.array(live_data["eigenvalues"])
    path = heavy_ball(lambda w: 2 * lams * w, [-4.0, -2.0], grid["lrs"][c], grid["betas"][r], 400, eps=0)
    e = np.linalg.norm(path, axis=1)
    assert (e[-1] / e[200]) ** (1 / (len(e) - 1 - 200)) == pytest.approx(grid["rates"][r, c], rel=2e-2)


def test_optimum_and_stability_limit_on_the_map(live_data):
    lam_min, lam_max = min(live_data["eigenvalues"]), max(live_data["eigenvalues"])
    kappa = lam_max / lam_min
    lr_star = 4 / (np.sqrt(2 * lam_max) + np.sqrt(2 * lam_min)) ** 2   # Polyak, curvatures 2 lam
    beta_star = ((np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)) ** 2
    optimum = live_data["optimum"]
    assert optimum["lr"] == pytest.approx(lr_star) and optimum["beta"] == pytest.approx(beta_star)
    assert optimum["rate"] == pytest.approx(np.sqrt(beta_star))
    grid = live_data["map"]
    lrs, betas, rates = grid["lrs"], grid["betas"], grid["rates"]
    assert optimum["rate"] - 1e-9 <= rates.min() <= optimum["rate"] + 0.01   # nothing beats it, the grid nearly gets it
    best = np.argwhere(rates <= rates.min() + 0.01)   # the map's darkest cells (a narrow valley) sit at the optimum
    assert np.all(np.abs(lrs[best[:, 1]] - lr_star) < 0.05) and np.all(np.abs(betas[best[:, 0]] - beta_star) < 0.02)
    limit = (1 + betas[:, None]) / lam_max                               # the dashed line
    assert live_data["stable_lr_limit"] == pytest.approx(1 / lam_max)
    step = lrs[1] - lrs[0]
    inside, outside = (lrs > 0) & (lrs < limit - step), lrs > limit + step
    assert np.all(rates[inside] < 1) and np.all(rates[outside] > 1) and inside.sum() > 1000 and outside.sum() > 1000
    gd = live_data["gd_best"]
    assert gd["lr"] == pytest.approx(1 / (lam_min + lam_max)) and gd["rate"] == pytest.approx((kappa - 1) / (kappa + 1))


def test_at_the_optimum_a_short_run_measures_a_little_more_than_its_rate(explore):
    """The prose: at (lr*, beta*) the run from the start measures a rate a little above rho*, because of
    the double roots (errors like k rho^k); a long run's ratio tends to rho* itself."""
    live = explore["live"]
    optimum, lams = live["optimum"], np.array(live["eigenvalues"])
    grad = lambda w: 2 * lams * w
    path = heavy_ball(grad, live["start"], optimum["lr"], optimum["beta"], live["epochs"], eps=EPS)
    e = np.linalg.norm(path, axis=1)
    measured = steady_rate_by_loop(e, live["rate_tolerance"], live["rate_min_steps"], np.finfo(float).tiny)
    assert optimum["measured_rate"] == pytest.approx(measured, rel=1e-9)
    assert optimum["rate"] < measured < optimum["rate"] * 1.1
    long = np.linalg.norm(heavy_ball(grad, live["start"], optimum["lr"], optimum["beta"], 400, eps=0), axis=1)
    assert (long[400] / long[200]) ** (1 / 200) == pytest.approx(optimum["rate"] * 2 ** (1 / 200), rel=1e-3)


def test_live_images_match_their_views(site, explore):
    """Each live image has the size its view says, and the page carries the data explore.js draws from."""
    from PIL import Image
    for name, image in (("contours", "explore-live-contours"), ("distance", "explore-live-distance"),
                        ("map", "explore-rate-map")):
        view = explore["live"]["views"][name]
        with Image.open(site / "figures" / f"{image}.png") as png:
            assert list(png.size) == view["image_px"]
        left, bottom, right, top = view["axes"]
        assert 0 < left < right < 1 and 0 < bottom < top < 1
    contours = explore["live"]["views"]["contours"]
    (x0, x1), (y0, y1), (w, h) = contours["x"], contours["y"], contours["image_px"]
    left, bottom, right, top = contours["axes"]
    assert (right - left) * w / (x1 - x0) == pytest.approx((top - bottom) * h / (y1 - y0), rel=0.01)  # equal scales
    page = lecture_pages.html(site, ROOT / "content" / SLUG)
    carried = re.search(r"data-explorer-live='([^']*)'", page).group(1)
    assert json.loads(html.unescape(carried)) == explore["live"]


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


def test_strip_images_within_budget_and_described(site, page, explore):
    files = sorted(f for f in (site / "figures").glob("explore-*-*-*.png")  # one light 1x file per setting
                   if re.fullmatch(r"explore-\w+-\d+-\d+\.png", f.name))
    settings = sum(len(explore[b]["lrs"]) * len(explore[b]["betas"]) for b in ("quadratic", "sine"))
    assert len(files) == settings
    total = sum(f.stat().st_size for f in (site / "figures").glob("explore-*"))
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
        assert re.search(r"η = [\d.]+, β = [\d.]+: the run (diverges|stays|within|never)", alt), alt


def test_explorer_markup_is_accessible_and_offline(site, page):
    for key, step in (("quadratic", "0.001"), ("sine", "1")):
        for axis in ("lr", "beta"):
            slider = f"explorer-{key}-{axis}"
            assert re.search(rf'<label for="{slider}">', page)
            assert re.search(rf'<input type="range" id="{slider}"[^>]* step="{step}"', page)
    assert page.count('aria-live="polite"') >= 2
    assert '<script src="explore.js" defer></script>' in page
    script = (site / "explore.js").read_text()
    assert "http" not in script.replace("http://www.w3.org/2000/svg", "") and "import" not in script
