"""plotting.placement: a label goes to its first place clear of the obstacles, inside its box."""
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox

from lecturekit.plotting.placement import box_edges, first_clear


def labelled():
    fig = Figure(figsize=(3, 3), dpi=100)
    ax = fig.add_subplot(xlim=(0, 10), ylim=(0, 10))
    renderer = FigureCanvasAgg(fig).get_renderer()
    text = ax.annotate("label", (5, 5), xytext=(0, 1), textcoords="offset fontsize", ha="center", va="bottom",
                       bbox=dict(boxstyle="round"))
    return ax, text, renderer


PLACES = [((0, 1), "center", "bottom"), ((0, -1), "center", "top"), ((5, 0), "left", "center")]


def test_a_label_skips_a_place_an_obstacle_takes_and_one_outside_its_box():
    ax, text, renderer = labelled()
    above = first_clear(text, PLACES, [], renderer)
    below = first_clear(text, PLACES, [above], renderer)
    assert below.y1 < above.y0 and text.get_verticalalignment() == "top"
    inside = Bbox.from_extents(0, below.y1 - 5, 1000, 1000)   # the place below reaches out of it
    right = first_clear(text, PLACES, [above], renderer, within=inside)
    assert right.x0 > below.x0 and text.get_horizontalalignment() == "left"


def test_a_label_with_no_clear_place_stays_at_the_first_and_outlines_are_four_sides():
    ax, text, renderer = labelled()
    everywhere = Bbox.from_extents(-1e4, -1e4, 1e4, 1e4)
    box = first_clear(text, PLACES, [everywhere], renderer)
    assert tuple(text.xyann) == (0, 1) and box.y0 > ax.transData.transform((5, 5))[1]
    sides = box_edges(Bbox.from_extents(0, 0, 10, 20), width=2)
    assert len(sides) == 4 and not any(side.overlaps(Bbox.from_extents(3, 3, 7, 17)) for side in sides)
    assert all(side.overlaps(Bbox.from_extents(-5, -5, 15, 25)) for side in sides)
