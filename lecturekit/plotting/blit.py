"""Many images of one figure that differ only in a few artists.

The static part (axes, contours, labels) is drawn once; for each image only
the changing artists are redrawn over a saved copy of it. That is what makes
a family of dozens of figures cost little more than one.
"""
import numpy as np


def blit_frames(fig, dynamic, updates, dpi):
    """One (height, width, 4) RGBA uint8 array per update: `update()` sets the data of the `dynamic` artists."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    fig.set_dpi(dpi)
    canvas = FigureCanvasAgg(fig)
    for artist in dynamic:
        artist.set_animated(True)  # left out of the full draw below
    canvas.draw()
    background = canvas.copy_from_bbox(fig.bbox)
    frames = []
    for update in updates:
        update()
        canvas.restore_region(background)
        for artist in dynamic:
            fig.draw_artist(artist)
        frames.append(np.array(canvas.buffer_rgba()))  # a copy: the buffer is reused
    return frames


def blit_images(fig, dynamic, updates, dpi):
    """The same as RGB PIL images, for figure functions that return images."""
    from PIL import Image
    return [Image.fromarray(frame[..., :3]) for frame in blit_frames(fig, dynamic, updates, dpi)]
