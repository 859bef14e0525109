"""An animation's shared palette: every flat colour of its frames kept exactly, however many bands a map has."""
import numpy as np
import pytest

from lecturekit.plotting.gif_palette import LARGE_PALETTE, PALETTE_COLORS, FrameQuantizer, shared_palette


def banded_frame(bands, height=60, width=400):
    """An RGBA frame of `bands` vertical stripes of distinct flat colours, with a thin grey ramp (anti-aliasing)."""
    rng = np.random.default_rng(bands)
    colours = rng.choice(256, size=(bands, 3), replace=True).astype(np.uint8)
    colours[:, 0] = np.linspace(0, 255, bands).astype(np.uint8)   # all distinct
    frame = np.empty((height, width, 4), dtype=np.uint8)
    frame[..., :3] = colours[np.arange(width) * bands // width]
    frame[..., 3] = 255
    frame[:2, :, :3] = np.linspace(0, 255, width).astype(np.uint8)[:, None]   # a ramp: many rare colours
    return frame, colours


@pytest.mark.parametrize("bands, size", [(30, PALETTE_COLORS), (80, LARGE_PALETTE)])
def test_every_flat_colour_is_kept_exactly(bands, size):
    frame, colours = banded_frame(bands)
    palette = shared_palette([frame, frame])
    assert len(palette) == size, "a larger palette only when the bands need it"
    assert {tuple(c) for c in colours} <= {tuple(c) for c in palette}
    indices = np.asarray(FrameQuantizer(palette)(frame))
    mapped = palette[indices[2:]]   # below the ramp
    np.testing.assert_array_equal(mapped, frame[2:, :, :3])
