"""The check that no figure's text or drawing runs off its canvas."""
import numpy as np
import pytest

from lecturekit.plotting.clipping import check_edges, inked_edges


def blank(colour=(255, 255, 255)):
    return np.full((40, 60, 3), colour, dtype=np.uint8)


def test_a_clean_margin_has_no_inked_edge():
    image = blank()
    image[5:35, 5:55] = (20, 40, 200)  # a plot well inside the canvas
    assert inked_edges(image) == []
    check_edges(image)


@pytest.mark.parametrize("edge, where", [("top", (0, 30)), ("bottom", (-1, 30)), ("left", (20, 0)),
                                         ("right", (20, -1))])
def test_one_dark_pixel_on_an_edge_is_found(edge, where):
    image = blank()
    image[where] = (0, 0, 0)
    assert inked_edges(image) == [edge]
    with pytest.raises(ValueError, match=f"cut off at its {edge} edge"):
        check_edges(image)


def test_faint_anti_aliasing_is_not_ink_and_the_background_need_not_be_white():
    image = blank((30, 30, 30))         # a dark figure background
    image[0, 10] = (50, 50, 50)         # within INK of the background
    assert inked_edges(image) == []
    image[0, 11] = (200, 200, 200)
    assert inked_edges(image) == ["top"]
