"""Tests for lecturekit.plotting.animate: GIFs of gradient-descent paths."""
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from lecturekit.plotting.animate import (
    PathAnimation, frame_indices, page_moves, render_frames, write_animation,
)
from lecturekit.plotting.gif_palette import LARGE_PALETTE

BUDGET = 300 * 1024


# ---------------------------------------------------------------- frame_indices

@pytest.mark.parametrize("n, m", [(1, 60), (2, 2), (10, 60), (60, 60), (61, 60), (101, 60),
                                  (1000, 60), (1001, 50), (7, 3), (100, 2)])
def test_frame_indices_of_equal_moves_are_evenly_spaced(n, m):
    idx = frame_indices(np.ones(n - 1), m)
    assert len(idx) == min(n, m)
    assert idx[0] == 0 and idx[-1] == n - 1
    assert all(b > a for a, b in zip(idx, idx[1:]))          # strictly increasing
    gaps = np.diff(idx)
    if len(gaps):                                             # evenly spaced
        assert gaps.max() - gaps.min() <= 1
        assert abs(gaps.mean() - (n - 1) / (len(idx) - 1)) < 1e-9


@pytest.mark.parametrize("moves", [0.5 ** np.arange(200), np.r_[np.ones(5) * 100, np.full(300, 1e-3)],
                                   np.r_[np.full(100, 1e-3), [50.0], np.full(100, 1e-3)], np.zeros(80)])
def test_frame_indices_show_every_long_step_and_keep_moving_through_a_crawl(moves):
    """A run that covers most of its way in a few long steps (or one in its middle) shows each of those
    steps; the rest of the frames are spread over the crawl, so the step counter keeps moving."""
    m = 40
    idx = frame_indices(moves, m)
    assert idx[0] == 0 and idx[-1] == len(moves) and len(idx) <= m
    assert all(b > a for a, b in zip(idx, idx[1:]))
    shown = set(idx)
    for k in np.flatnonzero(moves >= 0.05 * max(moves.sum(), 1e-300)):   # each long step has its own frame
        assert k in shown and k + 1 in shown, k
    assert np.diff(idx).max() <= 2 * len(moves) / (0.25 * m)   # and no stretch of the crawl is skipped


def test_frame_indices_short_run_keeps_every_step():
    assert frame_indices(np.ones(4), 60) == [0, 1, 2, 3, 4]
    assert frame_indices(np.ones(0), 60) == [0]


def test_frame_indices_needs_room_for_first_and_last_and_finite_moves():
    with pytest.raises(ValueError):
        frame_indices(np.ones(9), 1)
    with pytest.raises(ValueError):
        frame_indices(np.r_[np.ones(50), np.nan], 10)


# ---------------------------------------------------------------- fixtures

def quadratic_contours(figsize=(6.4, 4.8), dpi=100):
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, dpi=dpi, layout="constrained")  # tiny sizes too keep their labels inside
    ax = fig.add_subplot()
    W1, W2 = np.meshgrid(np.linspace(-3, 3, 121), np.linspace(-2, 2, 121))
    L = 2 * W1**2 + W2**2
    cs = ax.contourf(W1, W2, L, levels=20, cmap="viridis")
    fig.colorbar(cs, ax=ax)
    ax.set_xlabel("w1")
    ax.set_ylabel("w2")
    return fig, ax


def descent(start, lr, steps, scale=(2.0, 1.0)):
    A = np.diag(scale) * 2
    w = np.array(start, dtype=float)
    pts = [w.copy()]
    with np.errstate(all="ignore"):
        for _ in range(steps):
            w = w - lr * (A @ w)
            pts.append(w.copy())
        pts = np.array(pts)
        losses = scale[0] * pts[:, 0] ** 2 + scale[1] * pts[:, 1] ** 2
    return pts, losses


def contour_run(n_points=101, max_frames=60, lr=0.05):
    fig, ax = quadratic_contours()
    path, losses = descent([-2.7, 1.7], lr, n_points - 1)
    return PathAnimation(fig, ax, path, losses, max_frames=max_frames)


def curve_run(n_points=31, max_frames=60, lr=0.1):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.4, 4.8), dpi=100)
    ax = fig.add_subplot()
    xs = np.linspace(-3, 3, 200)
    ax.plot(xs, xs**2 + 1, color="C0", label="f(x) = x^2 + 1")
    x = [2.5]
    for _ in range(n_points - 1):
        x.append(x[-1] - lr * 2 * x[-1])
    x = np.array(x)
    return PathAnimation(fig, ax, np.column_stack([x, x**2 + 1]), x**2 + 1, max_frames=max_frames)


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    d = tmp_path_factory.mktemp("gif")
    gif, poster = d / "run.gif", d / "run.png"
    n, size = write_animation(contour_run(), gif, poster, frame_ms=120, hold_ms=1500)
    assert size == (640, 480)
    return n, gif, poster


# ---------------------------------------------------------------- GIF + poster

def test_gif_has_the_subsampled_frame_count(written):
    n, gif, _ = written
    fig, ax = quadratic_contours()
    path, _ = descent([-2.7, 1.7], 0.05, 100)
    assert 10 < n == len(frame_indices(page_moves(ax, path), 60)) <= 60
    with Image.open(gif) as im:
        assert im.n_frames == n


def test_gif_loops_and_holds_the_last_frame(written):
    _, gif, _ = written
    with Image.open(gif) as im:
        assert im.info["loop"] == 0
        assert im.info["duration"] == 120
        im.seek(im.n_frames // 2)
        assert im.info["duration"] == 120
        im.seek(im.n_frames - 1)
        assert im.info["duration"] == 1500


def test_gif_within_budget(written):
    _, gif, _ = written
    assert gif.stat().st_size <= BUDGET


def test_gif_uses_one_palette_of_at_most_128_colours_and_exact_white(written):
    """64 colours, or 128 where the flat colours need more (test_gif_palette.py): this map has 20 bands."""
    _, gif, _ = written
    with Image.open(gif) as im:
        colours = set()
        for i in range(im.n_frames):
            im.seek(i)
            rgb = im.convert("RGB")
            colours |= {c for _, c in rgb.getcolors(maxcolors=1 << 16)}
        assert rgb.getpixel((2, 2)) == (255, 255, 255)   # figure background not shifted
    assert len(colours) <= LARGE_PALETTE


def test_poster_is_the_last_frame(written):
    _, gif, poster = written
    with Image.open(gif) as im, Image.open(poster) as png:
        im.seek(im.n_frames - 1)
        last = np.asarray(im.convert("RGB"), dtype=int)
        assert png.format == "PNG"
        assert png.size == im.size == (640, 480)
        assert not {"Software", "software"} & set(png.info)
        poster_rgb = np.asarray(png.convert("RGB"), dtype=int)
        im.seek(0)
        first = np.asarray(im.convert("RGB"), dtype=int)
    # Exactly the GIF's last frame, and clearly not its first.
    assert np.array_equal(poster_rgb, last)
    assert np.abs(poster_rgb - first).mean() > 0.5


def test_path_grows_from_frame_to_frame(written):
    _, gif, _ = written
    red = []
    with Image.open(gif) as im:
        for i in (0, 10, im.n_frames - 1):
            im.seek(i)
            a = np.asarray(im.convert("RGB"), dtype=int)
            red.append(int(((a[..., 0] > 180) & (a[..., 1] < 80) & (a[..., 2] < 80)).sum()))
    assert red[0] < red[1] < red[2]


def test_writes_are_byte_identical(tmp_path):
    outputs = []
    for i in range(2):
        gif, poster = tmp_path / f"a{i}.gif", tmp_path / f"a{i}.png"
        write_animation(contour_run(n_points=41, max_frames=20), gif, poster)
        outputs.append((gif.read_bytes(), poster.read_bytes()))
    assert outputs[0] == outputs[1]


def test_figure_is_closed_after_writing(tmp_path):
    anim = contour_run(n_points=11)
    write_animation(anim, tmp_path / "c.gif", tmp_path / "c.png")
    assert anim.figure.axes == []


# ---------------------------------------------------------------- 1-D curve, divergence, labels

def test_one_dimensional_curve_run(tmp_path):
    anim = curve_run(n_points=31)
    xlim = anim.ax.get_xlim()
    shown = anim.shown_steps()   # a converging run: its crawl to the end is thinned
    frames = render_frames(anim)
    assert 10 < len(frames) == len(shown) < 31 and shown[-1] == 30 and frames[0].shape == (480, 640, 4) and frames[0].dtype == np.uint8
    assert anim.ax.get_xlim() == xlim
    assert anim.ax.texts[-1].get_text() == "step 30 \u00b7 loss 1.0000"
    legend = [t.get_text() for t in anim.ax.get_legend().get_texts()]
    assert "descent path" in legend and "f(x) = x^2 + 1" in legend
    n, _ = write_animation(curve_run(n_points=31), tmp_path / "c.gif", tmp_path / "c.png")
    with Image.open(tmp_path / "c.gif") as im:
        assert n == im.n_frames == len(shown)


def test_diverging_run_keeps_the_view_and_labels_non_finite_losses():
    path, losses = descent([-2.7, 1.7], 1.2, 600)       # |1 - 1.2*4| = 3.8 per step
    assert np.isinf(losses[400]) and np.all(np.isfinite(path[400]))
    assert np.isnan(path[-1]).all()                      # overflowed to inf, then inf - inf
    for end, shown in ((400, "inf"), (600, "nan")):
        fig, ax = quadratic_contours()
        limits = (ax.get_xlim(), ax.get_ylim())
        frames = render_frames(PathAnimation(fig, ax, path[: end + 1], losses[: end + 1], max_frames=30))
        # The steps on the view get a frame each; the others, all off it, share the crawl's frames.
        assert 5 < len(frames) == len(frame_indices(page_moves(ax, path[: end + 1]), 30)) < 30
        assert (ax.get_xlim(), ax.get_ylim()) == limits
        assert ax.texts[-1].get_text() == f"step {end} \u00b7 loss {shown} (off plot)"
    # The early, still visible part of the path is drawn.
    a = np.asarray(frames[-1], dtype=int)
    assert ((a[..., 0] > 180) & (a[..., 1] < 80) & (a[..., 2] < 80)).sum() > 200


def test_label_avoids_the_path():
    anim = contour_run()                                 # starts near the top-left corner
    render_frames(anim)
    fig, ax = anim.figure, anim.ax
    renderer = fig.canvas.get_renderer()
    box = next(t for t in ax.texts if t.get_bbox_patch()).get_bbox_patch().get_window_extent(renderer)
    pts = ax.transData.transform(anim.path)
    inside = [(box.x0 <= x <= box.x1 and box.y0 <= y <= box.y1) for x, y in pts]
    assert not any(inside)


def test_single_point_run_is_one_held_frame(tmp_path):
    fig, ax = quadratic_contours(figsize=(3, 2), dpi=60)
    n, _ = write_animation(PathAnimation(fig, ax, np.array([[1.0, 0.5]]), np.array([2.25])),
                        tmp_path / "one.gif", tmp_path / "one.png", hold_ms=900)
    with Image.open(tmp_path / "one.gif") as im:
        assert n == im.n_frames == 1 and im.info["duration"] == 900
    assert sorted(p.name for p in tmp_path.iterdir()) == ["one.gif", "one.png"]   # no temp files left


def test_bad_shapes_are_rejected():
    fig, ax = quadratic_contours(figsize=(2, 2), dpi=50)
    with pytest.raises(ValueError):
        render_frames(PathAnimation(fig, ax, np.zeros((5, 3)), np.zeros(5)))
    with pytest.raises(ValueError):
        render_frames(PathAnimation(fig, ax, np.zeros((5, 2)), np.zeros(4)))


def test_importing_the_module_does_not_import_matplotlib():
    root = Path(__file__).resolve().parents[1]
    code = ("import sys; import lecturekit.plotting.animate; "
            "sys.exit(1 if any(m.startswith('matplotlib') for m in sys.modules) else 0)")
    assert subprocess.run([sys.executable, "-c", code], cwd=root).returncode == 0


def test_path_colour_survives_a_background_of_many_flat_bands(tmp_path):
    """A contour map with dozens of bands must not crowd the path's colour out of the palette."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.4, 4.2), dpi=100)
    ax = fig.add_subplot()
    W1, W2 = np.meshgrid(np.linspace(-5, 5, 30), np.linspace(-5, 5, 30))
    ax.contourf(W1, W2, 0.1 * W1**2 + W2**2, levels=np.arange(0, 20.5, 0.5), cmap="viridis", extend="max")
    path, losses = descent([-4.0, -2.0], 0.45, 50, scale=(0.1, 1.0))
    write_animation(PathAnimation(fig, ax, path, losses, color="#c2185b"), tmp_path / "a.gif", tmp_path / "a.png")
    with Image.open(tmp_path / "a.gif") as gif:
        gif.seek(gif.n_frames - 1)
        colours = {rgb for _, rgb in gif.convert("RGB").getcolors(1 << 16)}
    assert (0xC2, 0x18, 0x5B) in colours
