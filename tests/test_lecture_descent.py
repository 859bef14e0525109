"""Sections 4-5 of the Gradient Descent lecture: published gradients, the divergence, the GIFs.

The lecture's own computations run here (those sections 4-5 need, through the
`results` fixture of conftest.py); every expected value is recomputed
independently from the data and the spec's inputs.
"""

import numpy as np
import pytest
from PIL import Image

from lecturekit.plotting.animate import write_animation
from reference import fd_jacobian

EPS = 1e-6                    # the spec's stopping rule
GIF_BUDGET = 300 * 1024       # bytes per GIF


# Independent references: the losses written out again, with plain numpy.
def logistic_loss(w, data):
    z = data["X"] @ np.asarray(w, dtype=float)
    return np.mean(np.log1p(np.exp(z)) - data["t"] * z)


def sine_loss(w, data):
    return np.mean((np.sin(w[0] + w[1] * data["x"]) - data["y"]) ** 2)


MODELS = {  # computation, dataset computation, loss, the spec's check point
    "logistic": ("logistic_gradient", "breast_cancer", logistic_loss, (-1.0, 2.0)),
    "sine": ("sine_gradient", "sine_dataset", sine_loss, (0.0, 2.0)),
}


@pytest.mark.parametrize("model", MODELS)
def test_published_gradient_matches_central_differences_at_the_check_point(results, model):
    name, data, loss, check_w = MODELS[model]
    check = results(name)["grad_check"]
    assert check["w"] == list(check_w)
    expected = fd_jacobian(lambda w: loss(w, results(data)), check_w)
    np.testing.assert_allclose(check["grad"], expected, rtol=1e-6, atol=1e-9)
    assert np.linalg.norm(expected) > 0.1      # a zero gradient would make the check vacuous


@pytest.mark.parametrize("model", MODELS)
def test_published_largest_finite_difference_error_is_small_and_consistent(results, model):
    name, *_ = MODELS[model]
    check = results(name)["grad_check"]
    at_check_point = np.max(np.abs(np.subtract(check["grad"], check["fd_grad"])))
    assert check["fd_points"] > 1
    assert at_check_point <= check["max_fd_error"] < 1e-6


@pytest.mark.parametrize("model", MODELS)
def test_gradient_field_is_the_negative_gradient_on_the_surface_grid(results, model):
    name, data, loss, _ = MODELS[model]
    grid = results(f"{model}_surface")["grid"]
    field = results(name)["gradient_field"]
    assert field["U"].shape == grid["W1"].shape == (30, 30)
    for i, j in [(0, 0), (3, 17), (14, 14), (22, 5), (29, 29)]:
        w = (grid["W1"][i, j], grid["W2"][i, j])
        expected = -fd_jacobian(lambda v: loss(v, results(data)), w)
        np.testing.assert_allclose([field["U"][i, j], field["V"][i, j]], expected, rtol=1e-5, atol=1e-8)


def test_parabola_divergence_follows_the_closed_form(results):
    x0, lr, steps = 2.0, 1.08, 10                 # the spec's run parabola_diverge
    published = results("parabola_divergence")
    x = results("runs")["parabola_diverge"]["path"][:, 0]
    np.testing.assert_allclose(x, x0 * (1 - 2 * lr) ** np.arange(steps + 1), rtol=1e-12)
    assert published["factor"] == pytest.approx(abs(1 - 2 * lr))
    assert published["factor"] > 1 and published["steps"] == steps
    assert published["growth"] == pytest.approx(abs(1 - 2 * lr) ** steps)
    assert published["final_x"] == pytest.approx(x0 * (1 - 2 * lr) ** steps)


def test_descent_summaries_agree_with_the_paths(results):
    runs = results("runs")
    for name, summary in results("descent_steps").items():
        path, losses = runs[name]["path"], runs[name]["losses"]
        last = np.linalg.norm(path[-1] - path[-2])
        assert summary["steps"] == len(path) - 1
        assert summary["last_step"] == pytest.approx(last)
        assert runs[name]["converged"] == (last < EPS)
        assert summary["loss_increases"] == sum(b > a for a, b in zip(losses, losses[1:]))
    assert results("descent_steps")["sine_gd"]["loss_increases"] > 0   # the bouncing run the prose describes


def test_every_run_has_an_animation(lecture, results):
    names = {spec.name for spec in lecture.figures}
    assert {f"anim-{run}" for run in results("runs")} <= names


@pytest.mark.parametrize("narrow, width", [(False, 640), (True, 352)])
def test_descent_gif_frames_and_size(lecture, results, tmp_path, narrow, width):
    """The wide GIF is 640 pixels wide, a phone's its 352 px column (both at one pixel per CSS pixel here)."""
    spec = next(s for s in lecture.figures if s.name == "anim-sine_curve")
    anim = spec.fn(**{dep: results(dep) for dep in spec.deps}, **spec.kwargs, narrow=narrow)
    gif, poster = tmp_path / "anim.gif", tmp_path / "poster.png"
    shown = anim.shown_steps()   # before the figure is written, which clears it
    frames, _ = write_animation(anim, gif, poster)
    path_length = len(results("runs")["sine_curve"]["path"])
    assert frames == len(shown) <= min(path_length, anim.max_frames)
    with Image.open(gif) as image:
        assert image.n_frames == frames
        assert image.size[0] == width
        assert image.size[1] == 420 if not narrow else image.size[1] > width, "a phone's frame is taller than wide"
    assert gif.stat().st_size < GIF_BUDGET
