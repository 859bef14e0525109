"""Many images of one figure that differ only in a few artists.

The static part (axes, contours, labels) is drawn once; for each image only
the changing artists are redrawn over a saved copy of it. That is what makes
a family of dozens of figures cost little more than one.

Changing one-line text (a step counter, a title naming the setting) is set
by Pillow from matplotlib's own font file at the same size, anchored where
matplotlib would put its baseline: matplotlib lays out each new string twice
per frame, which was most of a frame's cost.
"""
import numpy as np


def blit_frames(fig, dynamic, updates, dpi):
    """One (height, width, 4) RGBA uint8 array per update: `update()` sets the data of the `dynamic` artists."""
    return [frame.copy() for frame in blit_frame_views(fig, dynamic, updates, dpi)]


def blit_frame_views(fig, dynamic, updates, dpi):
    """Yield each update's frame as a view of the canvas buffer, valid only until the next one is drawn.

    A consumer that uses each frame at once (an animation quantizing it) holds
    one frame instead of all of them: an animation's 40 frames at 2x are 200 MB.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    fig.set_dpi(dpi)
    canvas = FigureCanvasAgg(fig)
    for artist in dynamic:
        artist.set_animated(True)  # left out of the full draw below
    canvas.draw()
    background = canvas.copy_from_bbox(fig.bbox)
    stamps = {artist: stamp for artist in dynamic if (stamp := TextStamp.of(artist, canvas.get_renderer()))}
    for update in updates:
        update()
        canvas.restore_region(background)
        for artist in dynamic:
            if artist not in stamps or not stamps[artist].can_set(artist.get_text()):
                fig.draw_artist(artist)
        frame = np.asarray(canvas.buffer_rgba())  # the canvas's own buffer: the next frame overwrites it
        for artist, stamp in stamps.items():
            if artist.get_visible() and stamp.can_set(artist.get_text()):
                stamp.set(frame, artist.get_text())
        yield frame


def blit_images(fig, dynamic, updates, dpi):
    """The same as RGB PIL images, for figure functions that return images."""
    from PIL import Image
    # Image.fromarray copies the strided RGB view, so the canvas's buffer can be drawn over next.
    return [Image.fromarray(frame[..., :3]) for frame in blit_frame_views(fig, dynamic, updates, dpi)]


class TextStamp:
    """Sets the text of one matplotlib Text artist into frames with Pillow."""

    ANCHOR_X = {"left": "l", "center": "m", "right": "r"}

    def __init__(self, font, anchor, xy, colour):
        self.font, self.anchor, self.xy, self.colour = font, anchor, xy, colour

    @classmethod
    def of(cls, artist, renderer):
        """A stamp for a plain, unrotated, boxless Text; None for anything else (matplotlib draws it)."""
        from matplotlib.colors import to_rgba
        from matplotlib.font_manager import findfont
        from matplotlib.text import Text
        from PIL import ImageFont
        if type(artist) is not Text or artist.get_rotation() % 360 or artist.get_bbox_patch() is not None \
                or artist.get_horizontalalignment() not in cls.ANCHOR_X or artist.get_usetex():
            return None
        prop = artist.get_fontproperties()
        # matplotlib aligns one line of text by the ascent and descent of "lp", whatever the string.
        _, lp_height, lp_descent = renderer.get_text_width_height_descent("lp", prop, ismath=False)
        x, y = artist.get_transform().transform(artist.get_unitless_position())
        baseline = {"top": y - (lp_height - lp_descent), "bottom": y + lp_descent, "baseline": y,
                    "center": y - lp_height / 2 + lp_descent}.get(artist.get_verticalalignment())
        if baseline is None:
            return None
        font = ImageFont.truetype(findfont(prop), prop.get_size_in_points() * renderer.dpi / 72)
        colour = tuple(round(255 * c) for c in to_rgba(artist.get_color(), artist.get_alpha()))
        return cls(font, cls.ANCHOR_X[artist.get_horizontalalignment()] + "s",
                   (x, renderer.height - baseline), colour)

    @staticmethod
    def can_set(text):
        """Plain one-line text only: mathtext and line breaks stay with matplotlib."""
        return "$" not in text and "\n" not in text

    def set(self, frame, text):
        """Draw `text` into an RGBA frame array, blended over what is there."""
        from PIL import Image, ImageDraw
        left, top, right, bottom = self.font.getbbox(text, anchor=self.anchor)
        x0, y0 = max(0, int(self.xy[0] + left) - 1), max(0, int(self.xy[1] + top) - 1)
        x1, y1 = min(frame.shape[1], int(self.xy[0] + right) + 2), min(frame.shape[0], int(self.xy[1] + bottom) + 2)
        if x1 <= x0 or y1 <= y0:
            return
        region = Image.fromarray(frame[y0:y1, x0:x1])
        ImageDraw.Draw(region).text((self.xy[0] - x0, self.xy[1] - y0), text, font=self.font,
                                    fill=self.colour, anchor=self.anchor)
        frame[y0:y1, x0:x1] = np.asarray(region)
