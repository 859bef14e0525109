"""What a figure function may return, turned into files: the engine's one view of a figure.

`figure_files(result)` gives ({role: (suffix, bytes)}, width, height, {role: (pixel width, height)}):
width and height are the figure's size on the page in CSS pixels, and each
file may have more pixels than that. A role is "file" (what the page shows)
or "poster" (an animation's still), then ".dark" for the dark scheme's
file, then "@2x" for one with DENSITY image pixels per CSS pixel:

    file  file@2x  file.dark  file.dark@2x      a matplotlib Figure
    file  file.dark  poster  poster.dark        an animation (drawn at DENSITY: all of them sharp)
    narrow  narrow@2x  narrow.dark  ...         a figure's narrow variant, for phones (with_narrow)
    narrow  narrow.dark  narrowposter  ...      an animation's narrow variant

A matplotlib Figure is drawn at DENSITY times its page size on a transparent
background, then laid over white for the light files and remapped onto the
dark page for the dark ones (dark.py); the 1x files are the 2x ones halved.
A PIL image is shown at one CSS pixel per pixel (unless its info["dpi"] is a
multiple of style.DPI). Any other object says what it is by a
`figure_files()` method, giving ({role: (suffix, bytes)}, pixel width,
height); one with a `figure` (a matplotlib Figure it draws, such as a
PathAnimation) has that figure's dpi raised DENSITY times first. Its PNG and
GIF files get dark twins here. A new kind of output needs a method, not an
engine change.
"""
import io

import numpy as np

from .clipping import check_edges
from .dark import dark_colours, dark_twin, inside_opaque, light_colours, png_with_palette, with_inside_twins
from .style import COLUMN_PX, DENSITY, DPI


def figure_files(result):
    """(files by role, CSS width, CSS height, pixel size by role) of what a figure function returned."""
    method = getattr(result, "figure_files", None)
    if callable(method):
        return own_files(result, method)
    from PIL.Image import Image  # here: Pillow loads with matplotlib, before the workers fork
    if isinstance(result, Image):
        dpi = result.info.get("dpi", (DPI,))[0]
        return palette_files(result, max(1, round(dpi / DPI)))
    if hasattr(result, "savefig"):
        files = palette_files(figure_image(result), DENSITY)
        result.clear()  # Figure objects made without pyplot need no plt.close
        return files
    raise TypeError("a figure function must return a matplotlib Figure, a PIL image or an object with a "
                    f"figure_files() method (a PathAnimation), not {type(result).__name__}")


def with_narrow(wide, narrow):
    """A figure's files (figure_files) with its narrow variant's added, renamed "narrow", "narrow@2x", ...

    The narrow variant (what a phone shows instead) is of the figure's kind: a
    still for a still, an animation for an animation, whose poster becomes
    "narrowposter". Its size on the page is its files' own.
    """
    files, width, height, pixels = wide
    narrow_files, _, _, narrow_pixels = narrow
    if ("poster" in files) != ("poster" in narrow_files):
        kinds = ("an animation", "a still") if "poster" in files else ("a still", "an animation")
        raise TypeError(f"a figure's narrow variant must be of its kind: the figure is {kinds[0]}, "
                        f"its narrow variant {kinds[1]}")
    rename = {role: "narrow" + (role[len("file"):] if role.startswith("file") else role) for role in narrow_files}
    return ({**files, **{rename[role]: data for role, data in narrow_files.items()}}, width, height,
            {**pixels, **{rename[role]: size for role, size in narrow_pixels.items()}})


def own_files(result, method):
    """The files an object makes itself, drawn DENSITY times finer if it draws a matplotlib `figure`."""
    figure, density = getattr(result, "figure", None), 1
    if callable(getattr(figure, "set_dpi", None)):
        figure.set_dpi(figure.get_dpi() * DENSITY)
        density = DENSITY
    files, width, height = method()
    files = dict(files)
    for role, (suffix, data) in list(files.items()):
        if suffix in (".png", ".gif"):
            files[f"{role}.dark"] = (suffix, dark_twin(suffix, data))
    return files, round(width / density), round(height / density), {role: (width, height) for role in files}


def figure_dpi(fig, density=DENSITY):
    """The dpi a Figure is drawn at: `density` pixels per CSS pixel, at most the page column wide."""
    inches = fig.get_figwidth()
    return min(DPI, COLUMN_PX / inches) * density


def figure_image(fig, density=DENSITY):
    """A matplotlib figure drawn at `density` times its page size on a transparent background, as RGBA.

    The figure's and its axes' white backgrounds are made transparent (other
    colours an author chose stay, and so does an inset's white over other axes),
    so anti-aliased edges keep their alpha and lie right over either scheme's background.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.colors import to_rgba
    from PIL import Image
    fig.set_dpi(figure_dpi(fig, density))
    placed, patches = [], [fig.patch]
    for ax in fig.axes:  # in drawing order: an inset over a plot keeps its white, which hides the plot
        if not any(ax.get_position().overlaps(box) for box in placed):
            patches.append(ax.patch)
        placed.append(ax.get_position())
    for patch in patches:
        if to_rgba(patch.get_facecolor()) == (1, 1, 1, 1):
            patch.set_facecolor((1, 1, 1, 0))
    canvas = FigureCanvasAgg(fig)
    canvas.draw()  # Agg's buffer holds straight (not premultiplied) alpha
    return Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba(), "raw", "RGBA", 0, 1).copy()


# zlib level of every PNG: on the lecture's 158 PNGs, level 5 writes 12% more bytes than level 9 in an eighth
# of the time (0.68 s against 5.61 s; level 7: 6% more bytes in 1.25 s).
PNG_LEVEL = 5
INSIDE_MARGIN = 2  # CSS pixels: opaque content farther than this from the background keeps its colours (dark.py)
TWINS = 32         # palette entries kept for pixels inside opaque content (dark.with_inside_twins)


def palette_files(image, density=1):
    """Light and dark palette PNGs of an RGB or RGBA image drawn at `density` pixels per CSS pixel.

    With density 2 or more there are two sizes: the image itself ("@2x") and
    it shrunk to one pixel per CSS pixel, both cropped to a whole number of
    CSS pixels (the cropped row or column is background: check_edges).
    """
    if image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGBA")
    width, height = image.width // density, image.height // density
    image = image.crop((0, 0, width * density, height * density))
    sizes = [("", image, 1)] if density == 1 else [("@2x", image, density), ("", image.reduce(density), 1)]
    files, pixels = {}, {}
    for index, (suffix, sized, scale) in enumerate(sizes):
        light, dark = palette_pngs(sized, check=index == 0, margin=INSIDE_MARGIN * scale)
        files[f"file{suffix}"], files[f"file.dark{suffix}"] = (".png", light), (".png", dark)
        pixels[f"file{suffix}"] = pixels[f"file.dark{suffix}"] = sized.size
    return files, width, height, pixels


def palette_pngs(image, check=True, margin=INSIDE_MARGIN):
    """(light, dark) PNG bytes of one image: one quantization, two palettes.

    A palette PNG is about a quarter of the size of matplotlib's RGBA one and
    looks the same for plots; Pillow writes no metadata, so equal figures give
    equal files (zlib at PNG_LEVEL). The dark file is the light one with another
    PLTE chunk (an RGBA image's opaque content `margin` pixels inside keeps its colours).
    `check`: fail when something is drawn on the outermost pixels (cut off).
    """
    from PIL import Image
    if image.mode == "RGBA":
        quantized = image.quantize(256 - TWINS, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
        entries = np.asarray(quantized.getpalette("RGBA"), dtype=np.uint8).reshape(-1, 4)
        inside = inside_opaque(image.getchannel("A"), margin)
        if inside.any():
            indices, light, dark = with_inside_twins(np.array(quantized), entries, inside,
                                                     counts=quantized.histogram())
            quantized = Image.fromarray(indices, "P")
        else:  # nothing opaque lies inside other content (a line plot): no twins needed
            indices, light, dark = np.asarray(quantized), light_colours(entries), dark_colours(entries)
    else:
        quantized = image.quantize(256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
        indices = np.asarray(quantized)
        light = np.asarray(quantized.getpalette("RGB"), dtype=np.uint8).reshape(-1, 3)
        dark = dark_colours(light)
    if check:  # only the outermost lines are looked at
        check_edges(None, edges={"top": light[indices[0]], "bottom": light[indices[-1]],
                                 "left": light[indices[:, 0]], "right": light[indices[:, -1]]})
    quantized.putpalette(light.tobytes(), "RGB")
    quantized.info.pop("transparency", None)
    buffer = io.BytesIO()
    quantized.save(buffer, format="png", compress_level=PNG_LEVEL)
    light_png = buffer.getvalue()
    return light_png, png_with_palette(light_png, dark)
