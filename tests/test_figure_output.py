"""What a figure becomes (lecturekit/plotting/output.py): light and dark files at 1x and 2x, each checked
against an independent rendering, and the style's page constants against the stylesheet."""
import io
import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from lecturekit.plotting import style
from lecturekit.plotting.output import figure_files

ROOT = Path(__file__).resolve().parents[1]


def decoded(files, role):
    return np.asarray(Image.open(io.BytesIO(files[role][1])).convert("RGB")).astype(int)


def rgb(hex_colour):
    return np.array([int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)])


def line_plot(width=4.0, height=2.5):
    fig = style.new_figure(width, height)
    ax = fig.add_subplot()
    w = np.linspace(-2, 2, 50)
    ax.plot(w, w ** 2, color=style.PATH_COLOR, label="f")
    ax.set(xlabel="$w$", ylabel="$f(w)$", title="a parabola")
    ax.legend()
    return fig


def colour_map_plot():
    fig = style.new_figure(4.0, 3.0)
    ax = fig.add_subplot()
    image = ax.imshow(np.linspace(0, 1, 64 * 64).reshape(64, 64), cmap="viridis")
    fig.colorbar(image, ax=ax)
    return fig


def old_way(fig, dpi):
    """The figure drawn as before this change: opaque white background, Agg at `dpi` (the reference)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    fig.set_dpi(dpi)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba())[..., :3].astype(int)


def test_a_figure_has_light_and_dark_files_at_one_and_two_pixels_per_css_pixel():
    files, width, height, pixels = figure_files(line_plot())
    assert set(files) == {"file", "file@2x", "file.dark", "file.dark@2x"}
    assert (width, height) == (round(4.0 * style.DPI), round(2.5 * style.DPI))
    for role in files:
        assert files[role][0] == ".png"
        density = 2 if role.endswith("@2x") else 1
        assert tuple(pixels[role]) == (density * width, density * height)
        assert Image.open(io.BytesIO(files[role][1])).size == tuple(pixels[role])


def test_a_figure_wider_than_the_column_is_drawn_to_the_column():
    files, width, height, pixels = figure_files(line_plot(width=8.0, height=3.0))
    assert width == style.COLUMN_PX and pixels["file@2x"][0] == 2 * style.COLUMN_PX
    assert abs(height - 3.0 / 8.0 * style.COLUMN_PX) <= 1


def test_the_light_2x_file_looks_like_the_figure_drawn_on_white():
    reference = old_way(line_plot(), style.DPI * style.DENSITY)
    files, width, height, _ = figure_files(line_plot())
    light = decoded(files, "file@2x")
    reference = reference[:light.shape[0], :light.shape[1]]
    difference = np.abs(light - reference)
    assert difference.mean() < 1.5 and np.percentile(difference, 99.5) < 40, difference.mean()


def test_the_1x_file_is_the_2x_one_halved():
    files, width, height, _ = figure_files(line_plot())
    sharp = decoded(files, "file@2x").reshape(height, 2, width, 2, 3).mean(axis=(1, 3))
    difference = np.abs(decoded(files, "file") - sharp)
    assert difference.mean() < 2 and np.percentile(difference, 99) < 30, difference.mean()


def test_the_dark_file_sits_on_the_dark_page_and_keeps_the_colour_map():
    files, width, height, _ = figure_files(colour_map_plot())
    light, dark = decoded(files, "file@2x"), decoded(files, "file.dark@2x")
    assert (dark[2, 2] == rgb(style.DARK_BACKGROUND)).all() and (light[2, 2] == 255).all()
    coloured = np.ptp(light, axis=2) > 60  # the map and the colour bar
    assert coloured.mean() > 0.2
    assert np.abs(dark[coloured] - light[coloured]).mean() < 2, "the colour map's colours changed"
    near_white = lambda image: (image > 230).all(axis=2).mean()  # noqa: E731
    assert near_white(light) > 0.3 and near_white(dark) < 0.01


def test_a_label_off_the_canvas_still_fails():
    fig = style.new_figure(3, 2, margins=(0.0, 0.0, 1.0, 1.0, 0.2))
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, 1])
    ax.set_ylabel("a label with no room")
    with pytest.raises(ValueError, match="cut off"):
        figure_files(fig)


def test_an_animation_is_drawn_twice_as_fine_with_dark_gif_and_poster():
    from matplotlib.figure import Figure
    from lecturekit.plotting.animate import PathAnimation
    fig = Figure(figsize=(3.2, 2.4), dpi=100, layout="constrained")
    ax = fig.add_subplot()
    ax.plot(np.linspace(-2, 2, 40), np.linspace(-2, 2, 40) ** 2)
    ax.set(xlabel="x", ylabel="f")
    path = np.column_stack([np.linspace(2, 0.1, 6), np.linspace(4, 0.01, 6)])   # equal steps: a frame each
    files, width, height, pixels = figure_files(PathAnimation(fig, ax, path, path[:, 1], max_frames=6))
    assert (width, height) == (320, 240)
    assert set(files) == {"file", "file.dark", "poster", "poster.dark"}
    assert files["file"][0] == files["file.dark"][0] == ".gif"
    for role in files:
        assert tuple(pixels[role]) == (640, 480) == Image.open(io.BytesIO(files[role][1])).size
    light, dark = Image.open(io.BytesIO(files["file"][1])), Image.open(io.BytesIO(files["file.dark"][1]))
    assert light.n_frames == dark.n_frames == 6
    assert (decoded(files, "poster.dark")[1, 1] == rgb(style.DARK_BACKGROUND)).all()


def test_a_pil_image_is_one_pixel_per_css_pixel_unless_it_says_otherwise():
    image = Image.new("RGB", (40, 30), "white")
    files, width, height, pixels = figure_files(image)
    assert set(files) == {"file", "file.dark"} and (width, height) == (40, 30)
    image.info["dpi"] = (2 * style.DPI, 2 * style.DPI)
    files, width, height, pixels = figure_files(image)
    assert set(files) == {"file", "file@2x", "file.dark", "file.dark@2x"} and (width, height) == (20, 15)


def test_the_style_knows_the_page_it_draws_for():
    """COLUMN_PX and the dark colours are the stylesheet's: figures are sized and coloured for the page."""
    css = (ROOT / "templates" / "static" / "style.css").read_text()
    measure = float(re.search(r"--measure:\s*([\d.]+)rem", css).group(1))
    assert style.COLUMN_PX == measure * 16
    dark = css[css.index("@media screen and (prefers-color-scheme: dark)"):]
    assert re.search(r"--bg:\s*([#\w]+)", dark).group(1) == style.DARK_BACKGROUND
    assert re.search(r"--fg:\s*([#\w]+)", dark).group(1) == style.DARK_FOREGROUND


def test_an_inset_over_a_plot_keeps_its_white_background():
    """Axes placed over other axes hide what is under them with their white patch, in either scheme."""
    fig = style.new_figure(4.0, 3.0)
    ax = fig.add_subplot()
    ax.imshow(np.linspace(0, 1, 64 * 64).reshape(64, 64), cmap="viridis", extent=(0, 1, 0, 1), aspect="auto")
    inset = fig.add_axes((0.45, 0.45, 0.3, 0.3))
    inset.plot([0, 1], [0, 1], color="black")
    inset.set(xticks=[], yticks=[])
    files, width, height, _ = figure_files(fig)
    light, dark = decoded(files, "file@2x"), decoded(files, "file.dark@2x")
    y, x = int(0.4 * light.shape[0]), int(0.55 * light.shape[1])  # inside the inset, off its line
    x = x if np.ptp(light[y, x]) < 10 else x + 6
    assert (light[y, x] > 240).all() and (dark[y, x] > 240).all(), (light[y, x], dark[y, x])
