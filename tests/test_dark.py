"""Dark-scheme figures from light ones (lecturekit/plotting/dark.py): the colour remap and the palette rewrites."""
import io

import matplotlib
import numpy as np
import pytest
from PIL import Image

from lecturekit.plotting.dark import (dark_colours, dark_twin, gif_with_colours, inside_opaque, light_colours,
                                      png_palette, png_with_palette, with_inside_twins)
from lecturekit.plotting.style import CLASS_COLORS, DARK_BACKGROUND, DARK_FOREGROUND, MARK_COLORS, PATH_COLOR


def rgb(hex_colour):
    return [int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)]


def as_entries(colours):
    return np.array(colours, dtype=np.uint8).reshape(len(colours), -1)


def close(a, b, tolerance=2):
    return np.abs(np.asarray(a, dtype=int) - np.asarray(b, dtype=int)).max() <= tolerance


def test_white_becomes_the_page_and_black_its_text():
    dark = dark_colours(as_entries([[255, 255, 255], [0, 0, 0]]))
    assert close(dark[0], rgb(DARK_BACKGROUND)) and close(dark[1], rgb(DARK_FOREGROUND))


def test_greys_swap_lightness_in_order():
    greys = as_entries([[v, v, v] for v in range(0, 256, 15)])
    dark = dark_colours(greys).astype(int).sum(axis=1)
    assert np.all(np.diff(dark) < 0), "a lighter grey on white is a darker grey on the dark page"


@pytest.mark.parametrize("cmap", ["viridis", "plasma"])
def test_a_colour_map_keeps_every_colour(cmap):
    """A colour bar matches its map in the dark scheme: the map's colours are left as they are."""
    colours = (matplotlib.colormaps[cmap](np.linspace(0, 1, 256))[:, :3] * 255).round().astype(np.uint8)
    assert close(dark_colours(colours), colours, 0)
    opaque = np.concatenate([colours, np.full((256, 1), 255, np.uint8)], axis=1)
    assert close(dark_colours(opaque), colours, 1)


def test_the_lecture_colours_keep_their_meaning():
    colours = as_entries([rgb(c) for c in (*CLASS_COLORS, PATH_COLOR, *MARK_COLORS)])
    assert close(dark_colours(colours), colours, 0)


def test_translucent_colour_lies_over_the_dark_page():
    red, alpha = np.array([230, 20, 20]), 0.4
    dark = dark_colours(as_entries([[*red, round(255 * alpha)]]))[0]
    expected = alpha * red + (1 - alpha) * np.array(rgb(DARK_BACKGROUND))
    assert close(dark, expected)
    assert close(light_colours(as_entries([[*red, round(255 * alpha)]]))[0], alpha * red + (1 - alpha) * 255)


def test_a_translucent_diverging_map_keeps_its_order():
    """A probability map drawn at alpha 0.35 (white middle, red end): on the dark page the middle is the page
    and the colour grows towards the end, as it grows away from white on the light page."""
    colours = (matplotlib.colormaps["RdBu"](np.linspace(0.5, 0, 12))[:, :3] * 255).round()
    entries = np.concatenate([colours, np.full((12, 1), round(0.35 * 255))], axis=1).astype(np.uint8)
    distance = np.abs(dark_colours(entries).astype(int) - rgb(DARK_BACKGROUND)).sum(axis=1)
    assert distance[0] < 10 and distance[-1] > 5 * distance[1]
    assert np.all(np.diff(distance) >= -5), f"not in order: {distance}"


def test_an_edge_blended_into_white_fades_into_the_dark_page():
    """Without alpha: an anti-aliased pixel, 30% line colour and 70% white, is 30% line colour over the page."""
    line = np.array(rgb(PATH_COLOR))
    edge = np.round(0.3 * line + 0.7 * 255)
    dark = dark_colours(as_entries([[255, 255, 255], line, edge]))
    assert close(dark[2], 0.3 * line + 0.7 * np.array(rgb(DARK_BACKGROUND)), 4)


def test_a_grey_beside_a_dark_coloured_edge_is_a_grey():
    """A grey contour line in a figure that also holds a path's dark red edge: the grey is within rounding of
    a blend of that red with white, but shows no hue, so it swaps as a grey (it once became near the page)."""
    grey, dark_red = [166, 166, 166], [40, 4, 18]
    alone = dark_colours(as_entries([grey]))[0]
    beside = dark_colours(as_entries([[255, 255, 255], dark_red, grey]))[2]
    assert close(beside, alone), f"{beside} is not the grey's own dark colour {alone}"
    assert np.abs(beside.astype(int) - rgb(DARK_BACKGROUND)).max() > 60, "the line must stand out from the page"


def test_inside_opaque_is_far_from_the_background():
    alpha = np.zeros((20, 20), np.uint8)
    alpha[2:18, 2:18] = 255
    inside = inside_opaque(alpha, 3)
    assert inside[5:15, 5:15].all() and not inside[:5].any() and not inside[15:].any()
    assert not inside[:, :5].any() and not inside[:, 15:].any()


def test_black_text_in_a_coloured_box_stays_black_and_on_the_background_turns_light():
    """One black palette entry used in two places: on the transparent background and inside a yellow box."""
    image = np.zeros((40, 80, 4), np.uint8)
    image[10:30, 10:14] = (0, 0, 0, 255)              # a black stroke of text on the background
    image[0:40, 40:80] = (240, 200, 20, 255)          # an opaque yellow box ...
    image[15:25, 55:65] = (0, 0, 0, 255)              # ... with black text inside
    entries = np.array([[0, 0, 0, 0], [0, 0, 0, 255], [240, 200, 20, 255]], np.uint8)
    indices = np.select([image[..., 3] == 0, image[..., 0] == 0], [0, 1], 2).astype(np.uint8)
    indices, light, dark = with_inside_twins(indices, entries, inside_opaque(image[..., 3], 3))
    assert close(dark[indices[20, 12]], rgb(DARK_FOREGROUND)), "text on the background becomes the page's text"
    assert close(dark[indices[20, 60]], [0, 0, 0]), "text in the box stays black"
    assert close(dark[indices[5, 60]], [240, 200, 20]) and close(light[indices[20, 60]], [0, 0, 0])
    assert indices[20, 12] != indices[20, 60], "the inside text has a palette entry of its own"


def palette_png(colours, indices):
    image = Image.fromarray(np.asarray(indices, np.uint8), "P")
    image.putpalette(np.asarray(colours, np.uint8).tobytes())
    buffer = io.BytesIO()
    image.save(buffer, "png")
    return buffer.getvalue()


def test_png_palette_rewrite_keeps_the_pixels():
    rng = np.random.default_rng(1)
    colours = rng.integers(0, 256, (16, 3), dtype=np.uint8)
    indices = rng.integers(0, 16, (30, 40))
    data = palette_png(colours, indices)
    assert close(png_palette(data)[:16], colours, 0)
    other = 255 - colours
    rewritten = png_with_palette(data, other)
    decoded = np.asarray(Image.open(io.BytesIO(rewritten)).convert("RGB"))
    assert close(decoded, other[indices], 0), "every pixel shows its index's new colour (and the CRC checks)"


def test_gif_colour_tables_are_remapped_in_every_frame():
    rng = np.random.default_rng(2)
    frames = []
    for k in range(4):
        frame = Image.fromarray(rng.integers(0, 8, (20, 30), dtype=np.uint8) * 30, "L").convert("RGB")
        frames.append(frame.quantize(16))
    buffer = io.BytesIO()
    frames[0].save(buffer, "gif", save_all=True, append_images=frames[1:], duration=[100, 120, 140, 900], loop=0)
    data = buffer.getvalue()
    inverted = gif_with_colours(data, lambda colours: 255 - colours)
    before, after = Image.open(io.BytesIO(data)), Image.open(io.BytesIO(inverted))
    assert after.n_frames == before.n_frames == 4
    for k in range(4):
        before.seek(k)
        after.seek(k)
        assert after.info["duration"] == before.info["duration"]
        assert close(np.asarray(after.convert("RGB")), 255 - np.asarray(before.convert("RGB")), 0)


def test_dark_twin_of_a_white_figure_is_the_dark_page():
    data = palette_png([[255, 255, 255], [0, 0, 0]], np.zeros((10, 10)))
    decoded = np.asarray(Image.open(io.BytesIO(dark_twin(".png", data))).convert("RGB"))
    assert close(decoded, np.broadcast_to(rgb(DARK_BACKGROUND), decoded.shape))
    with pytest.raises(ValueError):
        dark_twin(".svg", b"<svg/>")


def test_mark_outlines_keep_their_colour_in_the_dark_scheme():
    """A mark's outline is one colour wherever it lies: the dark remap keeps it (a black one turned white on the
    dark page and stayed black over a surface, so a mark across a 3-D surface's edge had two)."""
    from matplotlib.colors import to_rgb
    from lecturekit.plotting.dark import dark_colours
    from lecturekit.plotting.style import MARK_COLORS, mark_edge
    for colour in MARK_COLORS:
        edge = np.array([[round(255 * c) for c in to_rgb(mark_edge(colour))]], dtype=np.uint8)
        assert np.abs(dark_colours(edge).astype(int) - edge).max() <= 1, colour
        assert max(to_rgb(mark_edge(colour))) < 0.5 * max(to_rgb(colour))   # darker than the mark: it outlines it
    assert mark_edge("white") == "black"
