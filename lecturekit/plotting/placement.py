"""Labels moved to the first of their candidate places that is clear of what they must not cover."""


def box_edges(box, width=1.0):
    """The four sides of a box (a rectangle's outline, in pixels) as thin boxes: a label may lie inside the
    rectangle or outside it, but not across its outline."""
    from matplotlib.transforms import Bbox
    h = width / 2
    return [Bbox.from_extents(box.x0 - h, box.y0 - h, box.x1 + h, box.y0 + h),
            Bbox.from_extents(box.x0 - h, box.y1 - h, box.x1 + h, box.y1 + h),
            Bbox.from_extents(box.x0 - h, box.y0 - h, box.x0 + h, box.y1 + h),
            Bbox.from_extents(box.x1 - h, box.y0 - h, box.x1 + h, box.y1 + h)]


def first_clear(text, candidates, obstacles, renderer, within=None, pad=2.0):
    """Put an annotation at the first of `candidates` ((offset in its textcoords, ha, va), best first) whose box,
    grown by `pad` pixels, meets none of the `obstacles` (boxes in pixels) and lies inside `within` (a box);
    where none is clear it stays at the first. Returns its box there, an obstacle for the next label.

    The figure must be laid out for good first (paths.fix_layout): boxes are measured where they will be drawn.
    """
    def box_at(offset, ha, va):
        text.xyann = offset
        text.set_horizontalalignment(ha)
        text.set_verticalalignment(va)
        text.update_positions(renderer)   # an annotation's text is placed at draw time: measured there
        patch = text.get_bbox_patch()
        if patch is not None:
            text.update_bbox_position_size(renderer)
        return (patch or text).get_window_extent(renderer)

    for candidate in candidates:
        box = box_at(*candidate)
        grown = box.expanded(1, 1).padded(pad)
        inside = within is None or (grown.x0 >= within.x0 and grown.x1 <= within.x1 and grown.y0 >= within.y0
                                    and grown.y1 <= within.y1)
        if inside and not any(grown.overlaps(other) for other in obstacles):
            return box
    return box_at(*candidates[0])
