"""Many images of one figure that differ only in a few artists.

The static part (axes, contours, labels) is drawn once; for each image only
the changing artists are redrawn over a saved copy of it. That is what makes
a family of dozens of figures cost little more than one.
"""


def blit_images(fig, dynamic, updates, dpi):
    """One RGB PIL image per update: `update()` sets the data of the `dynamic` artists."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image
    fig.set_dpi(dpi)
    canvas = FigureCanvasAgg(fig)
    for artist in dynamic:
        artist.set_animated(True)  # left out of the full draw below
    canvas.draw()
    background = canvas.copy_from_bbox(fig.bbox)
    images = []
    for update in updates:
        update()
        canvas.restore_region(background)
        for artist in dynamic:
            fig.draw_artist(artist)
        size = canvas.get_width_height()
        images.append(Image.frombuffer("RGBA", size, canvas.buffer_rgba(), "raw", "RGBA", 0, 1).convert("RGB"))
    return images
