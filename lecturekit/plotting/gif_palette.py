"""One shared palette for an animation's frames, and the frames mapped onto it exactly.

The GIF's frames (RGBA arrays from animate.render_frames) share one
64-colour palette: the flat colours of the first and last frames kept
exactly, median cut over the rest, no dithering, so the file is small and
byte-identical across runs. Frames with more flat colours than that keeps
(a contour map of 40 bands) get 128 colours: with 64, bands ran together and
one came out olive, a colour of no band. Pillow is imported inside functions only.
"""
import numpy as np

PALETTE_COLORS = 64
LARGE_PALETTE = 128   # for frames with more flat colours than _RESERVED: about a fifth more bytes
_RESERVED = 48        # at most this many palette entries are exact flat colours ...
_FLAT_FRACTION = 2e-4  # ... each covering at least this fraction of those pixels


def _packed(frame) -> np.ndarray:
    """Each pixel of an RGBA frame as one integer R | G << 8 | B << 16 (one comparison per pixel)."""
    return frame.view("<u4")[..., 0] & 0xFFFFFF


def shared_palette(frames, keep=()) -> np.ndarray:
    """One palette (a (64, 3) uint8 array, or (128, 3): see LARGE_PALETTE) for all frames, built from the
    first and the last.

    Plain median cut weights colours by area, so a small flat region (the top band of
    a colour bar, a thin contour band) can be merged into a neighbour and shift hue.
    So the flat colours (those covering at least _FLAT_FRACTION of the sampled
    pixels, most common first, at most _RESERVED of them; in the large palette all
    but the 16 entries the small one leaves for the rest) are kept exactly, and
    median cut over the remaining pixels (the anti-aliased edges) fills the other
    entries. The colours in `keep` (the moving artists') are always among the exact ones.
    """
    from PIL import Image  # imported here: a warm build never draws
    picks = [frames[0], frames[-1]] if len(frames) > 1 else list(frames)  # the first and the last
    values, counts = np.unique(np.concatenate([_packed(f).ravel() for f in picks]), return_counts=True)
    order = np.argsort(-counts, kind="stable")            # deterministic on ties
    order = order[counts[order] >= _FLAT_FRACTION * counts.sum()]
    # The moving artists' colours first: they cover few pixels, and a background with
    # many flat bands (a contour map) would otherwise crowd them out of the palette.
    kept = np.array([r | (g << 8) | (b << 16) for r, g, b in keep], dtype=values.dtype)
    size = PALETTE_COLORS if len(np.union1d(values[order], kept)) <= _RESERVED else LARGE_PALETTE
    order = order[:size - (PALETTE_COLORS - _RESERVED) - len(kept)]   # as many entries left for the rest
    flat = np.concatenate([kept, values[order][~np.isin(values[order], kept)]])
    others = ~np.isin(values, flat)
    rest = np.repeat(values[others], counts[others])     # every other pixel, as a column image
    n_rest = size - len(flat)
    if len(rest) and n_rest > 0:
        column = np.stack([rest & 255, (rest >> 8) & 255, (rest >> 16) & 255], axis=1).astype(np.uint8)
        cut = Image.fromarray(column[:, None, :]).quantize(colors=n_rest, method=Image.Quantize.MEDIANCUT,
                                                           dither=Image.Dither.NONE)
        used = sorted(index for _, index in cut.getcolors(n_rest))
        rest = np.asarray(cut.getpalette(), dtype=np.uint32).reshape(-1, 3)[used]
    else:
        rest = np.empty((0, 3), dtype=np.uint32)
    fixed = np.stack([flat & 255, (flat >> 8) & 255, (flat >> 16) & 255], axis=1)
    return np.concatenate([fixed, rest]).astype(np.uint8)


class FrameQuantizer:
    """Maps each pixel of a sequence of frames to its nearest palette colour, exactly, without dithering.

    Image.quantize(palette=...) looks colours up through a coarse 5-6-5-bit cache and
    so may map pure white to an off-white entry; here each distinct colour is matched
    once against the palette. A frame of an animation differs from the one before
    only where the path grew and the label changed, so only those pixels are
    looked up again. Frames may be views that the caller overwrites afterwards.
    """

    def __init__(self, colours):
        self.palette, self.flat_palette = colours.astype(np.int32), colours.ravel().tolist()
        self.lut = np.full(1 << 24, 255, dtype=np.uint8)  # packed colour -> palette index; 255: not looked up yet
        self.previous = self.index = None

    def lookup(self, values):
        """Palette index of packed colours (first entry on ties)."""
        lut = self.lut
        missing = np.unique(values[lut[values] == 255])
        for start in range(0, len(missing), 8192):  # bounded memory for many distinct colours
            chunk = missing[start : start + 8192]
            rgb = np.stack([chunk & 255, (chunk >> 8) & 255, (chunk >> 16) & 255], axis=1).astype(np.int32)
            lut[chunk] = np.argmin(((rgb[:, None, :] - self.palette[None, :, :]) ** 2).sum(axis=2), axis=1)
        return lut[values]

    def __call__(self, frame):
        """The frame as a "P" image on the palette."""
        from PIL import Image  # imported here: a warm build never draws
        values = frame.view("<u4")[..., 0]  # whole RGBA words are compared (a view, no copy)
        if self.index is None:
            self.index = self.lookup(values & 0xFFFFFF)
        else:
            changed = values != self.previous
            if changed.any():
                self.index[changed] = self.lookup(values[changed] & 0xFFFFFF)
        self.previous = values.copy()
        height, width = values.shape
        image = Image.frombytes("P", (width, height), self.index.tobytes())
        image.putpalette(self.flat_palette)
        return image
