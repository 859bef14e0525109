"""Families of images by blitting, and changing text set by Pillow where matplotlib would put it."""
import numpy as np
import pytest
from matplotlib.figure import Figure

from lecturekit.plotting.blit import blit_frames


def ink_box(frame, background):
    """(left, top, right, bottom) of the pixels that differ from `background`."""
    ys, xs = np.nonzero(np.abs(frame[..., :3].astype(int) - background[..., :3].astype(int)).max(axis=-1) > 60)
    return xs.min(), ys.min(), xs.max(), ys.max()


def frames_with_text(texts, **text_style):
    """Blitted frames of a figure whose only changing artist is one Text."""
    fig = Figure(figsize=(4, 2))
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, 1])
    label = ax.text(0.05, 0.95, "", transform=ax.transAxes, fontsize=11, **text_style)
    blank = blit_frames(fig, [label], [lambda: label.set_text("")], 100)[0]
    return blank, blit_frames(fig, [label], [lambda t=t: label.set_text(t) for t in texts], 100), fig, label


PLAIN = "step 12 \u00b7 loss 0.5208"


@pytest.mark.parametrize("text, ha, va", [(PLAIN, "left", "top"), (PLAIN, "right", "bottom"), (PLAIN, "center", "center"),
                                          (PLAIN, "left", "baseline"),
                                          ("$w = 1$", "left", "top")])  # mathtext: matplotlib must draw it, not Pillow
def test_stamped_text_sits_where_matplotlib_draws_it(text, ha, va):
    blank, (stamped,), fig, label = frames_with_text([text], ha=ha, va=va)
    label.set_animated(False)  # now let matplotlib draw the same text in a full draw
    canvas = fig.canvas
    canvas.draw()
    drawn = np.asarray(canvas.buffer_rgba())
    assert np.allclose(ink_box(stamped, blank), ink_box(drawn, blank), atol=2)


def test_each_frame_shows_its_own_text():
    blank, frames, _, _ = frames_with_text(["step 1", "step 1000000"], ha="left", va="top")
    short, long_ = (ink_box(f, blank) for f in frames)
    assert short[0] == long_[0] and long_[2] > short[2] + 20   # same left edge, longer text

