"""Catch figures whose text or drawing runs off the canvas.

A label cut off by the figure's edge leaves ink on the outermost row or
column of pixels; a figure laid out with room to spare has only its
background colour there. Checking those pixels costs microseconds, so every
figure and every frame is checked, whatever its layout.
"""
import numpy as np

INK = 40  # a channel this far from the background colour is ink, not anti-aliasing noise


def inked_edges(pixels):
    """Names of the edges ("top", "bottom", "left", "right") of an (h, w, 3 or 4) image that carry ink."""
    rgb = np.asarray(pixels)[..., :3]
    return inked_lines({"top": rgb[0], "bottom": rgb[-1], "left": rgb[:, 0], "right": rgb[:, -1]})


def inked_lines(edges):
    """Names of the edges, given as {name: (n, 3) pixels}, that differ from the commonest colour of them all."""
    border = np.concatenate(list(edges.values())).astype(np.int32)
    packed = (border[:, 0] << 16) | (border[:, 1] << 8) | border[:, 2]
    colours, counts = np.unique(packed, return_counts=True)
    background = border[np.argmax(packed == colours[np.argmax(counts)])]  # the commonest colour
    return [name for name, line in edges.items()
            if np.any(np.abs(line.astype(np.int32) - background).max(axis=-1) > INK)]


def check_edges(pixels, what="the figure", edges=None):
    """Raise ValueError when something is drawn on the outermost pixels, i.e. probably cut off.

    `edges` ({"top": pixels, ...}) instead of `pixels`: the outermost lines alone.
    """
    edges = inked_edges(pixels) if edges is None else inked_lines(edges)
    if edges:
        raise ValueError(f"{what} is cut off at its {' and '.join(edges)} edge"
                         f"{'s' if len(edges) > 1 else ''}: a label, title or legend runs past the canvas. "
                         "Give it room (a larger figure, shorter text, or other margins).")
