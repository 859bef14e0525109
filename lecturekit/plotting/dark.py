"""Dark-scheme figures, made from the light ones by changing only their palettes.

Every figure file is a palette image (a PNG or a GIF), so its dark twin is
the same pixels with other colours: the palette is rewritten in the file's
bytes and nothing is drawn or encoded again. The remap turns the neutral
colours (the white background, black text, grey axes and grid) into the
dark page's background and text, and leaves every colour with a hue
alone, so a colour bar still matches its map and a class colour is still
that class. Entries that carry alpha (a figure drawn on a transparent
background) are laid over the dark background: the anti-aliased edge of a
red line on white becomes red fading into the dark page, not a pink halo,
and a pale translucent tint (a probability map's middle) darkens with the page.

What is drawn opaquely over opaque content, away from the background (black
text in a coloured label box, white contour lines over a colour map), keeps
its light-scheme colours: with_inside_twins gives such pixels palette
entries of their own.
"""
import struct
import zlib

import numpy as np

from .style import DARK_BACKGROUND, DARK_FOREGROUND

# Colours less saturated than NEUTRAL are neutral; those more saturated than COLOURED keep
# their colour; between the two the remap fades out. Saturation is chroma (max - min
# channel) over value (max channel, at least DIM): a dark colour is as coloured as its
# hue is pure (a black edge blended into a green marker stays green-black), a near-black
# with a trace of hue is black. Viridis (least saturated entry 0.6), the class and path
# colours are well above COLOURED, a white legend box over a colour map well below NEUTRAL.
NEUTRAL, COLOURED, DIM = 0.15, 0.35, 0.25


def _rgb(hex_colour):
    return np.array([int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)], dtype=float) / 255


def dark_colours(entries):
    """Dark-scheme colours (n, 3) uint8 of palette entries (n, 3) RGB or (n, 4) RGBA uint8 (straight alpha).

    A colour is its whiteness (min channel), its blackness (1 - max channel) and a
    pure hue: white becomes the dark background, black the dark text, the hue stays.
    Without alpha, an entry that is another entry blended with white (an
    anti-aliased edge on the white background) is that entry's dark colour blended
    with the dark background.
    """
    entries = np.asarray(entries, dtype=float).reshape(len(entries), -1) / 255
    if entries.shape[1] == 4:
        return _to_bytes(_remapped(entries[:, :3], entries[:, 3:4]))
    colour = entries
    dark = _remapped(colour, np.ones((len(colour), 1)))
    share, of = white_blends(colour)
    return _to_bytes(share * dark[of] + (1 - share) * _rgb(DARK_BACKGROUND))


def white_blends(colour, tolerance=6 / 255):
    """(share (n, 1), index (n,)): each colour as `share` of a more saturated colour of the list, the rest white.

    A colour that is no such blend is all (share 1) of itself.
    """
    distance = 1 - colour  # from white
    dot = distance @ distance.T
    norm = (distance ** 2).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(norm[None, :] > 0, dot / norm[None, :], 0)  # least squares: e ~ s p + (1 - s) white
    residual = np.sqrt(np.maximum(norm[:, None] - 2 * share * dot + share ** 2 * norm[None, :], 0) / 3)
    value = colour.max(axis=1)
    chroma = value - colour.min(axis=1)
    saturation = chroma / np.maximum(value, DIM)
    # A grey is no blend: a coloured entry blended with white shows its hue. A grey within `tolerance` of a
    # dark red's blend (a contour line beside a path's dark edge) is a neutral of its own, and swaps as one.
    valid = (share > 0.05) & (share < 0.85) & (residual < tolerance) & \
        (saturation[None, :] > saturation[:, None] + 0.1) & (chroma > tolerance)[:, None]
    residual = np.where(valid, residual, np.inf)
    of = np.argmin(residual, axis=1)
    blended = np.isfinite(residual[np.arange(len(colour)), of])
    of = np.where(blended, of, np.arange(len(colour)))
    return np.where(blended, share[np.arange(len(colour)), of], 1)[:, None], of


def _to_bytes(colour):
    return np.clip(np.rint(colour * 255), 0, 255).astype(np.uint8)


def _remapped(colour, alpha):
    """The dark colour (0..1) of each colour laid with `alpha` over the dark background."""
    background, foreground = _rgb(DARK_BACKGROUND), _rgb(DARK_FOREGROUND)
    high, low = colour.max(axis=1, keepdims=True), colour.min(axis=1, keepdims=True)
    swapped = low * background + (1 - high) * foreground + (colour - low)
    # Neutral colours swap; so does what shows the background through it (a tint, in proportion).
    saturation = (high - low) / np.maximum(high, DIM)
    neutral = np.maximum(np.clip((COLOURED - saturation) / (COLOURED - NEUTRAL), 0, 1), 1 - alpha)
    remapped = neutral * swapped + (1 - neutral) * colour
    return alpha * remapped + (1 - alpha) * background


def light_colours(entries):
    """Light-scheme colours (n, 3) uint8 of RGBA palette entries: laid over white."""
    entries = np.asarray(entries, dtype=float).reshape(len(entries), 4) / 255
    out = entries[:, 3:4] * entries[:, :3] + (1 - entries[:, 3:4])
    return np.clip(np.rint(out * 255), 0, 255).astype(np.uint8)


def inside_opaque(alpha, margin):
    """Pixels of an alpha channel that are opaque and more than `margin` pixels from any that is not."""
    background = np.asarray(alpha) < 255
    near = background.copy()
    for shift in range(1, margin + 1):  # a square neighbourhood, one axis at a time (a tenth of scipy's time)
        near[shift:] |= background[:-shift]
        near[:-shift] |= background[shift:]
    grown = near.copy()
    for shift in range(1, margin + 1):
        grown[:, shift:] |= near[:, :-shift]
        grown[:, :-shift] |= near[:, shift:]
    return ~grown


def with_inside_twins(indices, entries, inside, size=256, counts=None):
    """(indices, light colours, dark colours) of a quantized RGBA image, inside pixels kept as they are.

    An entry used both on the background and inside opaque content (`inside`, a
    mask) whose dark colours differ there gets a twin entry for its inside
    pixels, while the palette has room (`size` entries); past that, an entry
    takes the colour of the most of its pixels. `indices` is changed in place.
    `counts`: how many pixels use each entry, if known (Pillow's histogram is quicker).
    """
    entries = np.asarray(entries, dtype=np.uint8).reshape(-1, 4)
    light, outside, kept = light_colours(entries), dark_colours(entries), light_colours(entries)
    n = len(entries)
    inside_count = np.bincount(indices[inside], minlength=n)
    counts = np.bincount(indices.ravel(), minlength=n) if counts is None else np.asarray(counts[:n])
    outside_count = counts - inside_count
    differs = np.abs(outside.astype(int) - kept).max(axis=1) > 8
    both = np.flatnonzero(differs & (inside_count > 0) & (outside_count > 0))
    twins = both[np.argsort(-np.minimum(inside_count, outside_count)[both], kind="stable")][:size - n]
    dark = np.where(((inside_count > outside_count) & differs)[:, None], kept, outside)
    if len(twins):
        lookup = np.arange(n, dtype=np.uint8)
        lookup[twins] = np.arange(n, n + len(twins))
        indices[inside] = lookup[indices[inside]]
        light = np.concatenate([light, light[twins]])
        dark = np.concatenate([np.where(np.isin(np.arange(n), twins)[:, None], outside, dark), kept[twins]])
    return indices, light, dark


def png_with_palette(data, colours):
    """A palette PNG's bytes with its PLTE chunk replaced by `colours` ((n, 3) uint8, at least as many entries)."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG file")
    out, at = [data[:8]], 8
    while at < len(data):
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        end = at + 12 + length
        if kind == b"PLTE":
            body = np.asarray(colours, dtype=np.uint8)[:length // 3].tobytes()
            if len(body) != length:
                raise ValueError(f"{len(colours)} colours for a palette of {length // 3}")
            out.append(struct.pack(">I4s", length, kind) + body + struct.pack(">I", zlib.crc32(kind + body)))
        else:
            out.append(data[at:end])
        at = end
    return b"".join(out)


def png_palette(data):
    """The (n, 3) uint8 colours of a palette PNG's PLTE chunk."""
    at = 8
    while at < len(data):
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        if kind == b"PLTE":
            return np.frombuffer(data[at + 8:at + 8 + length], dtype=np.uint8).reshape(-1, 3)
        at += 12 + length
    raise ValueError("a PNG without a palette")


def gif_with_colours(data, remap):
    """A GIF's bytes with every colour table (global and per frame) passed through `remap` ((n, 3) -> (n, 3))."""
    if data[:6] not in (b"GIF87a", b"GIF89a"):
        raise ValueError("not a GIF file")
    out = bytearray(data)

    def table(at, packed):
        """Remap the colour table at `at` if the packed byte says there is one; where the table ends."""
        if not packed & 0x80:
            return at
        size = 3 << ((packed & 7) + 1)
        colours = np.frombuffer(data[at:at + size], dtype=np.uint8).reshape(-1, 3)
        out[at:at + size] = np.asarray(remap(colours), dtype=np.uint8).tobytes()
        return at + size

    def sub_blocks(at):
        while data[at]:
            at += data[at] + 1
        return at + 1

    at = table(13, data[10])
    while at < len(data):
        introducer = data[at]
        if introducer == 0x3B:  # trailer
            break
        if introducer == 0x21:  # extension: label, then data sub-blocks
            at = sub_blocks(at + 2)
        elif introducer == 0x2C:  # image: descriptor, its own colours if any, LZW code size, data
            at = sub_blocks(table(at + 10, data[at + 9]) + 1)
        else:
            raise ValueError(f"unexpected GIF block 0x{introducer:02x} at byte {at}")
    return bytes(out)


def dark_twin(suffix, data):
    """The dark-scheme file of a light palette PNG or GIF (the same pixels, remapped colours)."""
    if suffix == ".gif":
        return gif_with_colours(data, dark_colours)
    if suffix == ".png":
        return png_with_palette(data, dark_colours(png_palette(data)))
    raise ValueError(f"no dark twin for a {suffix} file")
