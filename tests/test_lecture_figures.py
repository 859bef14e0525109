"""The redrawn figures of the Gradient Descent lecture show what their captions say (issue 16).

Each test draws a figure with the lecture's own figure function and checks the
number its caption rests on against an independent computation: the zoom holds
both points, the step axis is one scale, the valley has contours inside it, the
order of a path's steps can be read, the GIFs mark the start and the minimum.
"""
import numpy as np
import pytest

from lecturekit.plotting.animate import render_frames
from lecturekit.plotting.placement import box_edges

MODELS = ("logistic", "sine")


def made(lecture, results, name, narrow=False):
    """What the lecture's own function returns for a figure, not yet drawn; `narrow`: its variant for phones."""
    spec = next(s for s in lecture.figures if s.name == name)
    assert spec.narrow or not narrow, f"{name} has no narrow variant"
    variant = {"narrow": narrow} if spec.narrow else {}
    return spec.fn(**{dep: results(dep) for dep in spec.deps}, **spec.kwargs, **variant)


def figure_of(out):
    """The matplotlib Figure of a figure function's result (an animation's background figure)."""
    return out if hasattr(out, "savefig") else out.figure


def draw(lecture, results, name, narrow=False):
    """A figure (or animation) drawn by the lecture's own function, and laid out as it will be saved."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    out = made(lecture, results, name, narrow)
    FigureCanvasAgg(figure_of(out)).draw()
    return out


@pytest.fixture(scope="module")
def phone_figures(lecture, results):
    """Every narrow variant's Figure, drawn once and laid out: the phone tests below share them."""
    return {spec.name: figure_of(draw(lecture, results, spec.name, narrow=True))
            for spec in lecture.figures if spec.narrow}


def taylor_of(results, model):
    return results(f"{model}_taylor")["taylor"]


def inside(point, box, margin=0.0):
    return all(lo + margin <= x <= hi - margin for x, (lo, hi) in zip(point, box))


# Independent losses, written out again with plain numpy.
def logistic_loss(w, data):
    z = np.asarray(w, dtype=float) @ data["X"].T
    return np.mean(np.log1p(np.exp(z)) - data["t"] * z, axis=-1)


def sine_loss(w, data):
    w = np.asarray(w, dtype=float)
    return np.mean((np.sin(w[..., :1] + w[..., 1:] * data["x"]) - data["y"]) ** 2, axis=-1)


LOSSES = {"logistic": (logistic_loss, "breast_cancer"), "sine": (sine_loss, "sine_dataset")}


# --- Taylor contour maps ---------------------------------------------------------------------------


@pytest.mark.parametrize("model", MODELS)
def test_zoom_holds_the_grid_best_and_the_model_minimum_well_apart(results, model):
    taylor = taylor_of(results, model)
    zoom, full = taylor["zoom"]["box"], taylor["full"]["box"]
    w, m = np.array(taylor["w"]), np.array(taylor["model_minimizer"])
    sides = [hi - lo for lo, hi in zoom]
    short = min(sides)
    assert inside(w, zoom, 0.2 * short) and inside(m, zoom, 0.2 * short)
    assert np.linalg.norm(w - m) >= 0.25 * short          # told apart, not one blob
    # A zoom, drawn at equal scales inside a map of the same shape.
    assert sides[0] < 0.5 * (full[0][1] - full[0][0])
    assert sides[1] / sides[0] == pytest.approx((full[1][1] - full[1][0]) / (full[0][1] - full[0][0]), rel=1e-9)


def test_zoom_shows_whole_every_half_axis_too_short_for_the_map(results):
    tiny = 0
    for model in MODELS:
        taylor = taylor_of(results, model)
        w, V = np.array(taylor["w"]), np.array(taylor["eigenvectors"])
        width = taylor["full"]["box"][0][1] - taylor["full"]["box"][0][0]
        for i, lam in enumerate(taylor["eigenvalues"]):
            length = 0.5 / np.sqrt(abs(lam))   # the arrows' scale, as the prose defines it
            if length < 0.1 * width:
                tiny += 1
                for sign in (1, -1):
                    assert inside(w + sign * length * V[:, i], taylor["zoom"]["box"]), (model, i, sign)
    assert tiny >= 1   # the sine's steep axis: the case the zoom is for


@pytest.mark.parametrize("narrow", [False, True])
@pytest.mark.parametrize("model", MODELS)
def test_taylor_map_draws_both_halves_of_each_axis_under_the_markers(lecture, results, model, narrow):
    """Also on a phone, where the zoom is a panel under the map and the colour bar lies under the map."""
    from itertools import combinations
    taylor = taylor_of(results, model)
    fig = draw(lecture, results, f"{model}-taylor-contours", narrow)
    ax = fig.axes[0]
    w, V = np.array(taylor["w"]), np.array(taylor["eigenvectors"])
    arrows = [t for t in ax.texts if getattr(t, "arrow_patch", None) is not None]
    ends = sorted(tuple(np.round(a.xy, 9)) for a in arrows)
    expected = sorted(tuple(np.round(w + sign * 0.5 / np.sqrt(abs(lam)) * V[:, i], 9))
                      for i, lam in enumerate(taylor["eigenvalues"]) for sign in (1, -1))
    assert ends == expected
    assert all(np.allclose(a.xyann, w) for a in arrows)   # each starts at the grid best
    marks = [line for line in ax.get_lines() if line.get_label() in ("grid best", "minimum of the model")]
    assert len(marks) == 2
    assert min(line.get_zorder() for line in marks) > max(a.get_zorder() for a in arrows)
    colorbar = next(a for a in fig.axes if a.get_label() == "<colorbar>")
    label = colorbar.get_xlabel() if narrow else colorbar.get_ylabel()
    assert "q(" in label and "model" in label
    zoom = next(a for a in fig.axes[1:] if a.get_label() != "<colorbar>") if narrow else next(a for a in ax.child_axes)
    np.testing.assert_allclose([zoom.get_xlim(), zoom.get_ylim()], taylor["zoom"]["box"], rtol=1e-12)
    assert ax.get_aspect() == zoom.get_aspect() == 1.0
    labelled = 0
    renderer = fig.canvas.get_renderer()
    outline = next(c for c in ax.get_children() if type(c).__name__ == "InsetIndicator").rectangle
    edges = box_edges(outline.get_window_extent(renderer))
    for axes in (ax, zoom):   # the λ labels lie clear of each other, of the marks and of the zoomed box's outline
        boxes = [t.get_bbox_patch().get_window_extent(renderer) for t in axes.texts
                 if t.get_text().startswith("$\\lambda")]
        labelled += len(boxes)
        assert not any(a.overlaps(b) for a, b in combinations(boxes, 2)), (model, narrow)
        marks = [line.get_window_extent(renderer) for line in axes.get_lines()]
        for box in boxes:
            assert not any(box.overlaps(other) for other in marks + (edges if axes is ax else [])), (model, narrow)
            assert axes.get_window_extent(renderer).contains(box.x0, box.y0) and \
                axes.get_window_extent(renderer).contains(box.x1, box.y1), "a λ label inside its panel"
    assert labelled == 2, "each eigenvalue labelled once, on the map or in the zoom"


@pytest.mark.parametrize("model", MODELS)
def test_taylor_slices_are_the_loss_and_the_model_along_each_eigenvector(results, model):
    taylor = taylor_of(results, model)
    loss, data = LOSSES[model]
    w, g, V = (np.array(taylor[k]) for k in ("w", "grad", "eigenvectors"))
    box = taylor["full"]["box"]
    for i, cut in enumerate(taylor["slices"]):
        s, v, lam = cut["s"], V[:, i], taylor["eigenvalues"][i]
        line = w + s[:, None] * v
        assert all(inside(p, box, -1e-9) for p in line)
        for end in (line[0], line[-1]):   # the cut runs across the whole box: each end on its edge
            assert min(abs(x - edge) for x, b in zip(end, box) for edge in b) < 1e-9
        np.testing.assert_allclose(cut["L"], loss(line, results(data)), rtol=1e-10)
        # Along an eigenvector d^T H d = lam s^2: the model in closed form.
        np.testing.assert_allclose(cut["Q"], taylor["loss"] + s * (g @ v) + 0.5 * lam * s ** 2, rtol=1e-10)


# --- Newton against gradient descent --------------------------------------------------------------


def test_newton_figure_has_one_linear_step_axis_and_legends_off_the_curves(lecture, results):
    fig = draw(lecture, results, "newton-vs-gd")
    panels = [ax for ax in fig.axes if ax.get_legend() is not None]
    assert len(panels) == 2
    renderer = fig.canvas.get_renderer()
    for ax, name in zip(panels, ("logistic_optimum", "sine_optimum")):
        assert ax.get_xscale() == "linear" and ax.get_yscale() == "log"
        assert not ax.get_legend().get_window_extent(renderer).overlaps(ax.get_window_extent(renderer))
        opt = results(name)["optimum"]
        assert ax.get_xlim()[1] >= max(opt["gd_lecture_lr"]["steps"], opt["gd_best_lr"]["steps"])


# --- The offset-feature valley ---------------------------------------------------------------------


def test_offset_valley_has_contours_inside_it(lecture, results):
    q = results("offset_logistic")["offset_logistic"]
    fine = q["fine"]
    data = results("breast_cancer")
    features = {"X": np.column_stack([np.ones(len(data["t"])), data["X"][:, 0] + 3.0]), "t": data["t"]}
    for i, j in [(0, 0), (60, 77), (119, 119)]:
        assert fine["L"][i, j] == pytest.approx(logistic_loss([fine["W1"][i, j], fine["W2"][i, j]], features),
                                                rel=1e-10)
    fig = draw(lecture, results, "quick-offset-surface")
    contour_ax = next(ax for ax in fig.axes if ax.name == "rectilinear" and ax.collections)
    levels = np.asarray(contour_ax.collections[0].levels)
    lo, hi = fine["L"].min(), np.percentile(fine["L"], 95)
    floor = levels[levels < lo + 0.05 * (hi - lo)]   # the valley: the lowest 5% of the range
    assert len(floor) >= 8
    assert all((fine["L"] < level).sum() > 0 for level in floor[1:])   # each of them draws a contour


# --- Gradient fields -----------------------------------------------------------------------------


def contrast(a, b):
    """WCAG contrast ratio of two RGB(A) colours in [0, 1]."""
    def luminance(c):
        c = np.asarray(c[:3], dtype=float)
        c = np.where(c <= 0.03928, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
        return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


@pytest.mark.parametrize("name", ["logistic-gradient-field", "sine-gradient-field"])
def test_gradient_arrows_stand_out_on_the_darkest_and_the_brightest_contours(lecture, results, name):
    from matplotlib.quiver import Quiver
    fig = draw(lecture, results, name)
    quiver = next(c for ax in fig.axes for c in ax.collections if isinstance(c, Quiver))
    face, edge = quiver.get_facecolor()[0], quiver.get_edgecolor()[0]
    shade = next(c for ax in fig.axes for c in ax.collections if hasattr(c, "levels"))
    for end in (0.0, 1.0):   # the valley floor's colour and the walls'
        assert max(contrast(face, shade.cmap(end)), contrast(edge, shade.cmap(end))) >= 4.5


@pytest.mark.parametrize("narrow", [False, True])
@pytest.mark.parametrize("name, model", [("logistic-gradient-field", "logistic"), ("sine-gradient-field", "sine")])
def test_gradient_arrows_are_few_enough_to_read_on_a_phone(lecture, results, name, model, narrow):
    from matplotlib.quiver import Quiver
    fig = draw(lecture, results, name, narrow)
    ax, quiver = next((ax, c) for ax in fig.axes for c in ax.collections if isinstance(c, Quiver))
    grid = results(f"{model}_surface")["grid"]
    points = np.column_stack([grid["W1"].ravel(), grid["W2"].ravel()])
    assert 8 * 8 <= quiver.N <= 16 * 16   # on a 390 px phone a panel is about 180 px wide
    assert all(np.isclose(points, p).all(axis=1).any() for p in quiver.get_offsets())   # at grid points
    spacing = np.ptp(ax.transData.transform(quiver.get_offsets())[:, 0]) / (np.sqrt(quiver.N) - 1)
    assert spacing >= 3 * quiver.width * ax.bbox.width   # room for an arrow's head between two arrows
    # One length on the page (the alt text says "equal-length"), centred on its point and reaching less than
    # half-way to the next: no two arrows meet, where from their tails two pointing at each other crossed.
    sizes = np.hypot(quiver.U, quiver.V)
    assert quiver.scale_units == "width" and np.allclose(sizes[sizes > 0], 1)
    length = ax.bbox.width / quiver.scale   # pixels, after the layout
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    steps = [np.diff(np.unique(quiver.get_offsets()[:, k])).min() for k in (0, 1)]
    gaps = [steps[0] / (x1 - x0) * ax.bbox.width, steps[1] / (y1 - y0) * ax.bbox.height]   # pixels
    from_point = {"tail": 1, "tip": 1, "middle": 0.5}[quiver.pivot]   # how much of an arrow lies on one side
    assert length * from_point < 0.5 * min(gaps) and length > 0.6 * min(gaps), (length, gaps)


@pytest.mark.parametrize("narrow", [False, True])
def test_newtons_failing_path_shows_each_long_steps_head_clear_of_the_marks(lecture, results, narrow):
    """A step's arrowhead hidden under the end mark made the first step read as ending there."""
    fig = draw(lecture, results, "sine-newton-failure", narrow)
    ax = fig.axes[0]
    marks = [line for line in ax.get_lines() if line.get_marker() in ("o", "v", "X") and len(line.get_xdata()) == 1]
    assert len(marks) == 3   # start, end, local minimum
    to_points = lambda xy: ax.transData.transform(xy) * 72 / fig.dpi
    path = np.asarray(results("sine_newton_failure")["newton_failure"]["path"])
    long_steps = [a for a, b in zip(path, path[1:]) if np.linalg.norm(to_points(b) - to_points(a)) > 20]
    assert len(long_steps) >= 2, "the path's first two steps are long"
    heads = [t for t in ax.texts if getattr(t, "arrow_patch", None) is not None
             and any(np.allclose(t.xyann, a) for a in long_steps)]
    assert len(heads) == len(long_steps)
    for head in heads:
        gaps = [np.linalg.norm(to_points(head.xy) - to_points(mark.get_xydata()[0])) for mark in marks]
        assert min(gaps) >= 10, (head.xyann, head.xy, gaps)


# --- Paths whose order must read -----------------------------------------------------------------


def step_labels(ax):
    """The step numbers on `ax`: "3", or "0 & 3" for steps that land (nearly) on one place."""
    return [t for t in ax.texts if t.get_text().replace(" & ", "").isdigit()]


def steps_of(label):
    return [int(k) for k in label.get_text().split(" & ")]


def text_box(label, renderer):
    """A step number's own box in pixels, without its leader line if it has one."""
    from matplotlib.text import Text
    label.update_positions(renderer)
    return Text.get_window_extent(label, renderer)


def assert_apart(fig, labels):
    """No two step numbers touch, and none sits so close beside another that the two read as one number."""
    from matplotlib.transforms import Bbox
    renderer = fig.canvas.get_renderer()
    boxes = []
    for t in labels:
        box, side = text_box(t, renderer), 0.4 * t.get_fontsize() * fig.dpi / 72
        boxes.append(Bbox.from_extents(box.x0 - side / 2, box.y0, box.x1 + side / 2, box.y1))
    for i, a in enumerate(boxes):
        assert not any(a.overlaps(b) for b in boxes[i + 1:]), labels[i].get_text()


def assert_off_the_path_and_by_its_point(fig, ax, labels, path, nearer=1.0):
    """No step number has a segment of the path through it, and each lies nearer its own point than any other
    (by the factor `nearer`), or has a leader line to it: a number about as near another dot would be read as
    that dot's."""
    path = np.asarray(path, dtype=float)
    renderer = fig.canvas.get_renderer()
    t = np.linspace(0, 1, 80)[:, None, None]
    along = ax.transData.transform((path[:-1] + t * (path[1:] - path[:-1])).reshape(-1, 2))
    points = ax.transData.transform(path)
    for label in labels:
        box = text_box(label, renderer)
        hits = (along[:, 0] > box.x0) & (along[:, 0] < box.x1) & (along[:, 1] > box.y0) & (along[:, 1] < box.y1)
        assert not hits.any(), f"a segment of the path runs through the number {label.get_text()}"
        if label.arrow_patch is None:
            own = points[steps_of(label)[0]]
            centre = np.array([(box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2])
            others = points[np.linalg.norm(points - own, axis=1) > 1.0]
            assert np.linalg.norm(own - centre) < nearer * np.linalg.norm(others - centre, axis=1).min(), label.get_text()


@pytest.mark.parametrize("narrow", [False, True])
@pytest.mark.parametrize("name, runs", [("quadratic-paths", ("quad_axis", "quad_lr1", "quad_lr09", "quad_momentum")),
                                        ("sine-gd-path", ("sine_gd",))])
def test_crossing_paths_are_coloured_by_step_and_numbered_apart(lecture, results, name, runs, narrow):
    fig = draw(lecture, results, name, narrow)
    maps = [ax for ax in fig.axes if ax.name == "rectilinear" and step_labels(ax)]
    assert len(maps) == len(runs)
    for ax, run in zip(maps, runs):
        path = results("runs")[run]["path"]
        coloured = [c for c in ax.collections if c.get_array() is not None and len(c.get_offsets()) == len(path)]
        assert len(coloured) == 1
        np.testing.assert_array_equal(coloured[0].get_offsets(), path)
        np.testing.assert_array_equal(coloured[0].get_array(), np.arange(len(path)))
        labels = step_labels(ax)
        for label in labels:
            first, *others = steps_of(label)
            np.testing.assert_array_equal(label.xy, path[first])
            for k in others:   # a shared number stands for steps that land on its point, as the reader sees it
                assert np.hypot(*(ax.transData.transform(path[k]) - ax.transData.transform(path[first]))) < 25
        numbered = sorted(k for label in labels for k in steps_of(label))
        assert {0, 1, 2, 3} <= set(numbered)   # the first steps read in order, from the start
        assert numbered == list(range(numbered[-1] + 1)), f"{run}: a gap in the numbers {numbered}"
        assert_apart(fig, labels)
        assert_off_the_path_and_by_its_point(fig, ax, labels, path, nearer=0.6 if name == "sine-gd-path" else 1.0)


def test_parabola_steps_are_all_numbered_off_the_path_and_apart(lecture, results):
    fig = draw(lecture, results, "parabola-diverge-path")
    ax = fig.axes[0]
    labels = step_labels(ax)
    run = results("parabola_divergence")
    assert sorted(k for t in labels for k in steps_of(t)) == list(range(len(run["x"])))
    assert_apart(fig, labels)
    # No number sits on the path's own steps (nor on the curve's minimum, where they crowd).
    points = np.column_stack([run["x"], run["losses"]])
    t = np.linspace(0, 1, 60)[:, None, None]
    along = ax.transData.transform((points[:-1] + t * (points[1:] - points[:-1])).reshape(-1, 2))
    along = np.vstack([along, ax.transData.transform([(0.0, 1.0)])])
    renderer = fig.canvas.get_renderer()
    for label in labels:
        box = label.get_window_extent(renderer)
        hits = ((along[:, 0] > box.x0) & (along[:, 0] < box.x1) & (along[:, 1] > box.y0) & (along[:, 1] < box.y1))
        assert not hits.any(), label.get_text()


def test_label_steps_leaves_out_numbers_that_would_collide_and_merges_revisits():
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from lecturekit.plotting.paths import label_steps
    fig = Figure(figsize=(3, 3), dpi=100)
    ax = fig.add_subplot(xlim=(0, 10), ylim=(0, 10))
    FigureCanvasAgg(fig)
    crowded = np.column_stack([5 + 0.02 * np.arange(8), np.full(8, 5.0)])   # eight points within 2 pixels
    placed = label_steps(ax, crowded)
    assert 1 <= len(placed) < len(crowded)
    assert_apart(fig, placed)
    cycle = np.array([[2.0, 8.0], [2.0, 2.0], [8.0, 5.0]] * 3)   # three places, visited three times each
    for text in ax.texts[:]:
        text.remove()
    merged = label_steps(ax, cycle, merge=5)
    assert sorted(t.get_text() for t in merged) == ["0 & 3 & 6", "1 & 4 & 7", "2 & 5 & 8"]


def test_a_number_amid_a_bundle_of_segments_goes_out_on_a_leader_line_or_not_at_all():
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from lecturekit.plotting.paths import label_steps
    fig = Figure(figsize=(3, 3), dpi=100)
    ax = fig.add_subplot(xlim=(0, 10), ylim=(0, 10))
    FigureCanvasAgg(fig)
    # Up and down strokes a few pixels apart on both sides of point 1, and one through it.
    path = np.array([[5.0, 9.0], [5.0, 5.0], [4.7, 1.0], [4.7, 9.0], [5.3, 1.0], [5.3, 9.0], [4.85, 1.0],
                     [4.85, 9.0], [5.15, 1.0], [5.15, 9.0]])
    assert "1" not in [t.get_text() for t in label_steps(ax, path[:2], path=path)]
    for text in ax.texts[:]:
        text.remove()
    placed = label_steps(ax, path[:2], path=path, leaders=True)
    one = [t for t in placed if t.get_text() == "1"]
    assert len(one) == 1 and one[0].arrow_patch is not None
    assert_off_the_path_and_by_its_point(fig, ax, one, path)


# --- GIFs ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("narrow", [False, True])
def test_gif_titles_are_in_words(lecture, results, narrow):
    names = [s.name for s in lecture.figures if s.name.startswith("anim-")]
    assert len(names) == len(results("runs"))
    for name in names:
        anim = draw(lecture, results, name, narrow)
        title = anim.figure.get_suptitle()
        assert title.startswith(("Gradient descent on ", "Momentum ")), title
        assert "_" not in title and not any(run in title for run in results("runs")), title
        assert title.count("\n") == narrow, "a phone's title takes two lines"


def pixels_near(frame, ax, point, colour, radius):
    """How many pixels of exactly `colour` lie within `radius` pixels of a data point in an RGBA frame."""
    x, y = ax.transData.transform(point)
    y = frame.shape[0] - y   # rows count from the top
    rows, cols = np.ogrid[:frame.shape[0], :frame.shape[1]]
    near = (rows - y) ** 2 + (cols - x) ** 2 <= radius ** 2
    return int(np.all(frame[..., :3] == colour, axis=-1)[near].sum())


@pytest.mark.parametrize("narrow", [False, True])
def test_gifs_show_each_long_step_and_no_run_of_frames_alike(lecture, results, narrow):
    """A run that covers its way in a few long steps (logistic_gd: 74 steps, the path done in 3) shows each
    of them in a frame of its own, and each frame after the first moves the path or the step counter."""
    from lecturekit.plotting.animate import page_moves
    for run in results("runs"):
        if f"anim-{run}" not in {spec.name for spec in lecture.figures}:
            continue
        anim = made(lecture, results, f"anim-{run}", narrow)
        steps, moves = anim.shown_steps(), page_moves(anim.ax, np.asarray(anim.path, dtype=float))
        assert steps[0] == 0 and steps[-1] == len(anim.path) - 1
        for k in np.flatnonzero(moves >= 0.05 * moves.sum()):
            assert k in steps and k + 1 in steps, (run, k)
        between = [moves[a:b].sum() for a, b in zip(steps, steps[1:])]
        still = sum(d < 1.0 for d in between)   # frames whose path moved less than a pixel
        assert still <= 0.25 * anim.max_frames + 1, (run, still, len(steps))


@pytest.mark.parametrize("narrow", [False, True])
@pytest.mark.parametrize("run", ["quad_lr1", "sine_gd", "logistic_curve"])
def test_every_gif_frame_shows_the_start_and_the_minimum(lecture, results, run, narrow):
    from matplotlib.colors import to_rgb
    anim = draw(lecture, results, f"anim-{run}", narrow)
    start, minimum = anim.marks
    np.testing.assert_array_equal(start.get_xydata()[0], results("runs")[run]["path"][0])
    problem = results("runs")[run]["problem"]
    expected = {"quadratic": (0.0, 0.0), "sine": results("sine_optimum")["optimum"]["w"],
                "logistic": results("logistic_optimum")["optimum"]["w"]}[problem]
    np.testing.assert_array_equal(minimum.get_xydata()[0], expected)
    if problem != "quadratic":   # the minimum is one indeed: the gradient of the independent loss vanishes there
        loss, data = LOSSES[problem]
        h = 1e-6
        grad = [(loss(np.add(expected, e), results(data)) - loss(np.subtract(expected, e), results(data))) / (2 * h)
                for e in h * np.eye(2)]
        assert np.linalg.norm(grad) < 1e-6
    frames = render_frames(anim)
    gold = tuple(round(255 * c) for c in to_rgb(start.get_markerfacecolor()))
    to_pixels = anim.ax.transData.transform
    for frame, k in zip(frames, anim.shown_steps()):
        head = to_pixels(anim.path[k])   # the moving dot: where it sits, it may cover a mark's middle
        if np.linalg.norm(head - to_pixels(anim.path[0])) > 12:
            assert pixels_near(frame, anim.ax, anim.path[0], gold, 7) >= 15, k
            # Drawn over the path, which leaves from the start's very middle.
            assert pixels_near(frame, anim.ax, anim.path[0], gold, 1.5) >= 1, k
        if np.linalg.norm(head - to_pixels(expected)) > 12:
            assert pixels_near(frame, anim.ax, expected, (255, 255, 255), 9) >= 15, k


@pytest.mark.parametrize("narrow", [False, True])
@pytest.mark.parametrize("run", ["quad_axis", "quad_lr1", "quad_lr09", "quad_momentum"])
def test_quadratic_gifs_have_equal_axis_scales(lecture, results, run, narrow):
    anim = draw(lecture, results, f"anim-{run}", narrow)
    box = anim.ax.get_window_extent()
    (x0, x1), (y0, y1) = anim.ax.get_xlim(), anim.ax.get_ylim()
    assert (box.width / (x1 - x0)) == pytest.approx(box.height / (y1 - y0), rel=0.01)


# --- The logistic guesses ------------------------------------------------------------------------


@pytest.mark.parametrize("name, weights", [("logistic-guess-1", ("logistic_guesses", 0)),
                                           ("logistic-guess-2", ("logistic_guesses", 1)),
                                           ("logistic-grid-best-fit", ("logistic_surface", None))])
def test_guess_figures_single_out_exactly_the_misclassified_points(lecture, results, name, weights):
    source, index = weights
    w = (results(source)["guesses"][index]["w"] if index is not None else results(source)["grid_best"])
    data = results("breast_cancer")
    wrong = (data["X"] @ np.asarray(w) >= 0).astype(float) != data["t"]   # sigmoid(z) >= 1/2 exactly when z >= 0
    fig = draw(lecture, results, name)
    ax = fig.axes[0]
    points = [c for c in ax.collections if c.get_label() and not c.get_label().startswith("_")]
    flagged = [c for c in points if "misclassified" in c.get_label()]
    drawn = np.concatenate([c.get_offsets() for c in flagged])
    assert sorted(map(tuple, drawn)) == sorted(map(tuple, data["X"][wrong]))
    assert sum(int(c.get_label().split("(")[-1].rstrip(")")) for c in flagged) == wrong.sum()
    correct = [c for c in points if c not in flagged]
    assert min(c.get_sizes().min() for c in points) >= 18   # circles and triangles big enough to tell apart
    assert min(c.get_sizes().min() for c in flagged) > max(c.get_sizes().max() for c in correct)
    assert all(c.get_linewidths().min() >= 1.0 for c in flagged)


def test_the_bowls_axes_name_its_hessians_eigenvalues(lecture, results):
    """The page's λ is an eigenvalue of the Hessian 2A, not of A: the axis labels say the same numbers."""
    fig = draw(lecture, results, "quadratic-paths")
    problem_hessian = 2 * np.diag(np.asarray(results("explore_live")["live"]["A"], dtype=float).diagonal())
    low, high = np.linalg.eigvalsh(problem_hessian)
    for ax in [ax for ax in fig.axes if ax.get_xlabel()]:
        assert ax.get_xlabel() == f"$w_1$ ($\\lambda_1 = {low:.2g}$)"
        assert ax.get_ylabel() == f"$w_2$ ($\\lambda_2 = {high:.2g}$)"


# --- Narrow variants, for phones -----------------------------------------------------------------


def test_figures_drawn_for_a_phone_are_its_column_wide_and_stack_their_panels(lecture, results, phone_figures):
    from lecturekit.plotting.style import NARROW_WIDTH
    stills = [name for name in phone_figures if not name.startswith("anim-")]
    assert len(stills) >= 22
    for name in stills:
        fig, wide = phone_figures[name], made(lecture, results, name)   # the wide one only counted, not drawn
        assert fig.get_figwidth() == NARROW_WIDTH < wide.get_figwidth(), name
        panels = sorted((ax.get_position() for ax in fig.axes if ax.get_label() != "<colorbar>"), key=lambda b: -b.y0)
        insets = sum(len(ax.child_axes) for ax in wide.axes)   # a phone shows an inset as a panel of its own
        assert len(panels) == len(wide.axes) - len([ax for ax in wide.axes if ax.get_label() == "<colorbar>"]) + insets
        for top, bottom in zip(panels, panels[1:]):
            assert top.y0 >= bottom.y1, f"{name}: one panel above the other"
        assert min(box.width for box in panels) >= 0.5, f"{name}: each panel about as wide as the column"


def test_a_phones_gifs_fill_its_column_with_the_legend_under_the_plot(lecture, results):
    from lecturekit.plotting.animate import render_frames
    from lecturekit.plotting.style import COLUMN_PX, DPI, NARROW_WIDTH
    names = [spec.name for spec in lecture.figures if spec.name.startswith("anim-")]
    assert all(spec.narrow for spec in lecture.figures if spec.name in names), "every GIF is drawn for phones too"
    for name in names:
        anim = draw(lecture, results, name, narrow=True)
        assert anim.legend_below and anim.figure.get_figwidth() == NARROW_WIDTH and anim.figure.dpi == DPI
        assert NARROW_WIDTH * DPI < COLUMN_PX / 2, "a phone's column, not the page's"
        render_frames(anim)   # lays the legend out (and checks that nothing runs past the frame's edges)
        legend = anim.figure.legends[0].get_window_extent()
        assert legend.y1 < anim.ax.get_tightbbox().y0 + 1, f"{name}: the legend is under the plot and its labels"
        sizes = {text.get_fontsize() for text in anim.figure.legends[0].get_texts()}
        assert min(sizes) >= 9, f"{name}: the legend reads at the phone's scale"


def test_every_figure_much_wider_than_a_phone_is_drawn_for_phones_too(lecture, results):
    from lecturekit.plotting.style import NARROW_WIDTH
    wide = []
    for spec in lecture.figures:
        if spec.group is None and not spec.narrow:
            if figure_of(made(lecture, results, spec.name)).get_figwidth() > 1.2 * NARROW_WIDTH:
                wide.append(spec.name)
    assert not wide, f"figures wider than a phone's column with no narrow variant: {wide}"


def test_a_phones_figures_have_text_of_at_least_ten_css_pixels(phone_figures):
    """A narrow variant is shown at its own size: a point of text is DPI / 72 CSS pixels (an animation is drawn
    at the page's DPI; a still's files are made at it whatever its own)."""
    from matplotlib.text import Text
    from lecturekit.plotting.style import DPI
    small = {}
    for name, fig in phone_figures.items():
        assert fig.dpi == DPI or not name.startswith("anim-"), f"{name}: an animation is drawn at the page's DPI"
        sizes = [text.get_fontsize() for text in fig.findobj(Text) if text.get_visible() and text.get_text().strip()]
        if min(sizes) * DPI / 72 < 9.9:
            small[name] = min(sizes)
    assert not small, f"text under 10 CSS px on a phone (points): {small}"


@pytest.mark.parametrize("narrow", [False, True])
def test_convexity_map_outlines_the_grid_best_cell_apart_from_the_local_minimum(lecture, results, narrow):
    """The grid best is one cell of the map, outlined; the text says the Hessian is positive definite there.
    The local minimum, about a cell away, has a marker that does not touch the outline."""
    from matplotlib.patches import Rectangle
    fig = draw(lecture, results, "sine-convexity-map", narrow)
    ax, renderer = fig.axes[0], fig.canvas.get_renderer()
    grid, best = results("sine_surface")["grid"], np.asarray(results("sine_surface")["grid_best"])
    outline, = [p for p in ax.patches if isinstance(p, Rectangle) and p.get_label().startswith("grid best")]
    np.testing.assert_allclose(np.add(outline.get_xy(), [outline.get_width() / 2, outline.get_height() / 2]), best)
    i, j = np.unravel_index(np.argmin(np.hypot(grid["W1"] - best[0], grid["W2"] - best[1])), grid["W1"].shape)
    assert results("sine_convexity")["pd_map"]["pd"][i, j]
    minimum, = [line for line in ax.get_lines() if line.get_label().startswith("local minimum")]
    np.testing.assert_array_equal(minimum.get_xydata()[0], results("sine_optimum")["optimum"]["w"])
    assert not minimum.get_window_extent(renderer).overlaps(outline.get_window_extent(renderer))


@pytest.mark.parametrize("narrow", [False, True])
@pytest.mark.parametrize("model", MODELS)
def test_taylor_zoom_says_its_magnification_on_the_page(lecture, results, model, narrow):
    """"zoom ×m": the zoom's pixels per unit are m times the map's, as drawn (the inset is smaller than the map)."""
    import re
    fig = draw(lecture, results, f"{model}-taylor-contours", narrow)
    ax = fig.axes[0]
    zoom = next(a for a in fig.axes[1:] if a.get_label() != "<colorbar>") if narrow else next(a for a in ax.child_axes)
    title, = [t.get_text() for t in zoom.texts if t.get_text().startswith("zoom")]
    stated = float(re.fullmatch(r"zoom ×([0-9.]+)", title).group(1))
    renderer = fig.canvas.get_renderer()
    per_unit = [a.get_window_extent(renderer).width / np.diff(a.get_xlim())[0] for a in (ax, zoom)]
    assert stated == pytest.approx(per_unit[1] / per_unit[0], rel=0.05), title
