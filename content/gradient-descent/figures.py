"""Figures of the Gradient Descent lecture: each a function of computed results.

Parameters name the computations a figure draws from (see compute.py).
matplotlib is reached only through lecturekit.plotting, which imports it lazily.
"""
import numpy as np

from lecturekit.engine.registry import figure
from lecturekit.plotting.style import (CLASS_COLORS, CLASS_MARKERS, MARK_COLORS, PATH_COLOR, one_panel, place_legend,
                                       two_panels)
from lecturekit.plotting.surfaces import log_levels, mark_point, surface_and_contours


@figure
def p1_curve(basics, narrow=False):
    """P1: a parabola with its minimizer."""
    p1 = basics["p1"]
    fig, ax = one_panel(narrow, (5.2, 2.8), 3.1)
    ax.plot(p1["curve"]["w"], p1["curve"]["f"], color="C0", label="$f(w) = w^2 - 3w + 4$")
    mark_point(ax, (p1["minimizer"], p1["minimum"]), f"minimizer $w^* = {p1['minimizer']:g}$", zorder=5)
    ax.set(xlabel="$w$", ylabel="$f(w)$")
    place_legend(ax, narrow)
    return fig


@figure
def p2_integers(basics, narrow=False):
    """P2: the same parabola seen only at the integers, with the tied minimizers."""
    p2 = basics["p2"]
    fig, ax = one_panel(narrow, (5.2, 2.8), 3.3)
    ax.plot(p2["curve"]["w"], p2["curve"]["f"], color="0.75", linewidth=1, label="$f$ on the reals")
    ax.plot(p2["points"]["w"], p2["points"]["f"], "o", color="C0", label="$f$ at the integers")
    for i, w in enumerate(p2["minimizers"]):
        mark_point(ax, (w, p2["minimum"]), "integer minimizers" if i == 0 else None, marker="D", zorder=5)
    ax.set(xlabel="$w$", ylabel="$f(w)$")
    place_legend(ax, narrow, narrow_ncols=2)
    return fig


@figure
def p3_curve(basics, narrow=False):
    """P3: a quartic with two local minima and a local maximum."""
    p3 = basics["p3"]
    fig, ax = one_panel(narrow, (5.2, 2.8), 3.4)
    ax.plot(p3["curve"]["w"], p3["curve"]["f"], color="C0", label="$f(w) = w^4 - 5w^2 + w + 4$")
    styles = {"local min": (MARK_COLORS[0], "o"), "local max": (MARK_COLORS[1], "s")}
    seen = set()
    for point in p3["stationary_points"]:
        global_min = point["w"] == p3["global_minimizer"]
        kind = "global min" if global_min else point["kind"]
        color, marker = (MARK_COLORS[2], "*") if global_min else styles[point["kind"]]
        mark_point(ax, (point["w"], point["f"]), kind if kind not in seen else None, color, marker, zorder=5)
        seen.add(kind)
    ax.set(xlabel="$w$", ylabel="$f(w)$")
    place_legend(ax, narrow, narrow_ncols=2, loc="upper center")
    return fig


@figure
def convexity_chords(convexity, narrow=False):
    """Chords above a convex curve, and dipping below a non-convex one."""
    fig, *axes = two_panels(narrow, 3.0)
    for ax, (name, title) in zip(axes, (("convex", "convex: $w^2 - 3w + 4$"),
                                        ("nonconvex", "non-convex: $w^4 - 5w^2 + w + 4$"))):
        panel = convexity[name]
        ax.plot(panel["w"], panel["f"], color="C0", label="$f$")
        ax.plot(panel["chord_w"], panel["chord_f"], color=PATH_COLOR, linewidth=1.6, label="chord")
        ax.plot(panel["ends"], panel["ends_f"], "o", color=PATH_COLOR, markeredgecolor="black",
                markersize=7, label="chord end points", zorder=5)
        below = panel["chord_f"] < panel["f_at_chord_w"]
        if below.any():
            ax.fill_between(panel["chord_w"], panel["chord_f"], panel["f_at_chord_w"],
                            where=below, color=PATH_COLOR, alpha=0.25, label="chord below $f$")
        ax.set(title=title, xlabel="$w$", ylabel="$f(w)$")
        ax.legend(loc="upper center", fontsize=7)
    return fig


def _scatter_classes(ax, X, t, names, predicted=None):
    """Data coloured and shaped by true class; with `predicted`, the misclassified points ringed in black.

    Circles and triangles are large enough to tell apart at phone size; a
    misclassified point is drawn larger, opaque and outlined, on top of the rest.
    """
    wrong = np.zeros(len(t), dtype=bool) if predicted is None else predicted != t
    for k in (0, 1):
        sel = (t == k) & ~wrong
        ax.scatter(X[sel, 0], X[sel, 1], s=20, color=CLASS_COLORS[k], marker=CLASS_MARKERS[k],
                   alpha=0.75, label=f"{k} = {names[k]}" if predicted is None else names[k], edgecolors="none")
    if predicted is not None:
        for k in (0, 1):
            sel = (t == k) & wrong
            ax.scatter(X[sel, 0], X[sel, 1], s=42, color=CLASS_COLORS[k], marker=CLASS_MARKERS[k],
                       edgecolors="black", linewidths=1.3, zorder=3,
                       label=f"{names[k]}, misclassified ({int(sel.sum())})")


@figure
def breast_cancer_scatter(breast_cancer, narrow=False):
    """The two standardized features, coloured by class."""
    fig, ax = one_panel(narrow, (5.2, 3.4), 3.6)
    _scatter_classes(ax, breast_cancer["X"], breast_cancer["t"], breast_cancer["class_names"])
    ax.set(xlabel="mean radius (standardized)", ylabel="mean texture (standardized)")
    place_legend(ax, narrow, narrow_ncols=2, title="class")
    return fig


def _decision_figure(fit, plane, data, narrow):
    """Probability map, decision boundary and predictions of one weight vector (`narrow`: for a phone)."""
    X, t, names = data["X"], data["t"], data["class_names"]
    fig, ax = one_panel(narrow, (6.0, 3.8), 5.0)
    shade = ax.contourf(plane["x1"], plane["x2"], fit["probability"], levels=np.linspace(0, 1, 11),
                        cmap="RdBu", alpha=0.35)
    fig.colorbar(shade, ax=ax, label=f"predicted $p(t = 1)$ ({names[1]})")
    _scatter_classes(ax, X, t, names, fit["predicted"])
    w1, w2 = fit["w"]
    xs = np.array([plane["x1"].min(), plane["x1"].max()])
    if abs(w2) > 1e-12:  # boundary w1 x1 + w2 x2 = 0
        ax.plot(xs, -w1 * xs / w2, color="black", linewidth=1.5, label="decision boundary")
    ax.set_xlim(plane["x1"].min(), plane["x1"].max())
    ax.set_ylim(plane["x2"].min(), plane["x2"].max())
    ax.grid(False)
    ax.set(xlabel="mean radius (standardized)", ylabel="mean texture (standardized)",
           title=f"$w = ({w1:.3g}, {w2:.3g})$:{chr(10) if narrow else ' '}loss {fit['loss']:.3f}, "
                 f"accuracy {fit['accuracy']:.1%}")
    place_legend(ax, narrow, loc="upper right", fontsize=7)   # under the plot on a phone: inside, it hid points
    return fig


@figure(each={"logistic-guess-1": {"index": 0}, "logistic-guess-2": {"index": 1}})
def logistic_guess(breast_cancer, logistic_guesses, index, narrow=False):
    """Decision boundary and probabilities of a guessed weight vector."""
    return _decision_figure(logistic_guesses["guesses"][index], logistic_guesses["plane"], breast_cancer, narrow)


@figure
def logistic_grid_best_fit(breast_cancer, logistic_guesses, logistic_surface, narrow=False):
    """Decision boundary and probabilities at the grid best."""
    return _decision_figure(logistic_surface["grid_best_fit"], logistic_guesses["plane"], breast_cancer, narrow)


@figure
def logistic_surface_guesses(logistic_surface, logistic_guesses, narrow=False):
    """The logistic loss surface with both guesses marked."""
    marks = [(f"guess {i + 1}", g["w"], g["loss"]) for i, g in enumerate(logistic_guesses["guesses"])]
    return surface_and_contours(logistic_surface["grid"], marks, narrow=narrow)


@figure
def logistic_surface_best(logistic_surface, logistic_guesses, narrow=False):
    """The logistic loss surface with the grid best added."""
    marks = [(f"guess {i + 1}", g["w"], g["loss"]) for i, g in enumerate(logistic_guesses["guesses"])]
    marks.append(("grid best", logistic_surface["grid_best"], logistic_surface["grid_best_loss"]))
    return surface_and_contours(logistic_surface["grid"], marks, narrow=narrow)


@figure
def sine_data_scatter(sine_dataset, narrow=False):
    """The noisy sine data."""
    fig, ax = one_panel(narrow, (5.6, 2.8), 2.9)
    ax.scatter(sine_dataset["x"], sine_dataset["y"], s=9, color="C0", alpha=0.7, label="data $(x_i, y_i)$")
    ax.set(xlabel="$x$", ylabel="$y$")
    place_legend(ax, narrow, loc="lower left")   # the one corner the data leave empty
    return fig


@figure
def sine_guess_predictions(sine_dataset, sine_guesses, narrow=False):
    """Three guesses' predictions over the data (`narrow`: for a phone, the legend under the plot)."""
    fig, ax = one_panel(narrow, (6.4, 3.0), 3.6)
    ax.scatter(sine_dataset["x"], sine_dataset["y"], s=7, color="0.6", label="data")
    for i, guess in enumerate(sine_guesses["guesses"]):
        ax.plot(sine_guesses["prediction_x"], sine_guesses["predictions"][i], color=f"C{i + 1}", linewidth=1.5,
                label=f"$w = ({guess['w'][0]:g}, {guess['w'][1]:g})$, MSE {guess['loss']:.3f}")
    ax.set(xlabel="$x$", ylabel="$y$")
    place_legend(ax, narrow, loc="lower left", fontsize=7, ncols=2)
    ax.set_ylim(-3.2, 2.6)
    return fig


def _sine_marks(sine_guesses, sine_surface=None):
    marks = [(f"guess ({g['w'][0]:g}, {g['w'][1]:g})", g["w"], g["loss"]) for g in sine_guesses["guesses"]]
    if sine_surface is not None:
        marks.append(("grid best", sine_surface["grid_best"], sine_surface["grid_best_loss"]))
    return marks


@figure
def sine_surface_guesses(sine_surface, sine_guesses, narrow=False):
    """The sine loss surface with the three guesses marked."""
    return surface_and_contours(sine_surface["grid"], _sine_marks(sine_guesses), labels=("$w_0$", "$w_1$"),
                                narrow=narrow)


@figure
def sine_surface_best(sine_surface, sine_guesses, narrow=False):
    """The sine loss surface with the grid best added."""
    return surface_and_contours(sine_surface["grid"], _sine_marks(sine_guesses, sine_surface),
                                labels=("$w_0$", "$w_1$"), narrow=narrow)


@figure
def sine_grid_best_fit(sine_dataset, sine_surface, narrow=False):
    """The grid best's curve over the data."""
    fig, ax = one_panel(narrow, (6.0, 2.8), 3.1)
    ax.scatter(sine_dataset["x"], sine_dataset["y"], s=7, color="0.6", label="data")
    curve, w = sine_surface["grid_best_curve"], sine_surface["grid_best"]
    ax.plot(curve["x"], curve["y"], color=PATH_COLOR, linewidth=1.8,
            label=f"grid best $w = ({w[0]:.3g}, {w[1]:.3g})$")
    ax.set(xlabel="$x$", ylabel="$y$")
    place_legend(ax, narrow, narrow_ncols=2, loc="lower left")
    return fig


def _one_weight_figure(q, loss_label, narrow):
    """Left (or above): a loss curve in one weight with its best point; returns the figure and the other axes."""
    fig, ax1, ax2 = two_panels(narrow, 2.8)
    ax1.plot(q["w"], q["loss"], color="C0", label=loss_label)
    mark_point(ax1, (q["best_w"], q["best_loss"]), f"best $w = {q['best_w']:.3g}$", zorder=5)
    ax1.set(xlabel="$w$", ylabel="loss")
    ax1.legend()
    return fig, ax2


@figure
def quick_logistic_1d(logistic_1d, narrow=False):
    """One-weight logistic regression: loss curve and fitted sigmoid."""
    q = logistic_1d["logistic_1d"]
    fig, ax = _one_weight_figure(q, "mean NLL", narrow)
    ax.scatter(q["x"], q["t_jittered"], s=6, color="0.5", alpha=0.6, label="labels (jittered)")
    ax.plot(q["fit_x"], q["fit_p"], color=PATH_COLOR, linewidth=1.8, label=r"$\sigma(w x)$ at best $w$")
    ax.set(xlabel="mean radius (standardized)", ylabel="$p(t = 1)$")
    ax.legend(loc="center right", fontsize=7)
    return fig


@figure
def quick_squared_1d(squared_1d, narrow=False):
    """One-weight least squares: loss curve and fitted line."""
    q = squared_1d["squared_1d"]
    fig, ax = _one_weight_figure(q, "MSE", narrow)
    ax.scatter(q["x"], q["y"], s=6, color="0.5", alpha=0.6, label="data")
    xs = np.array([q["x"].min(), q["x"].max()])
    ax.plot(xs, q["best_w"] * xs, color=PATH_COLOR, linewidth=1.8, label=r"$\hat y = w x$ at best $w$")
    ax.set(xlabel="mean radius (standardized)", ylabel="mean texture (standardized)")
    ax.legend(fontsize=7)
    return fig


@figure
def quick_offset_surface(offset_logistic, narrow=False):
    """Bias and slope on an un-centred feature: the tilted valley."""
    q = offset_logistic["offset_logistic"]
    # Most of the grid lies far above the valley floor: logarithmic levels put contours inside the valley.
    return surface_and_contours(q["grid"], [("grid best", q["grid_best"], q["grid_best_loss"])],
                                labels=("$b$", "$w$"), contour_grid=q["fine"], levels=log_levels(q["fine"]["L"]),
                                narrow=narrow)


@figure
def quick_offset_fit(offset_logistic, narrow=False):
    """The fitted sigmoid with bias on the shifted feature."""
    q = offset_logistic["offset_logistic"]
    fig, ax = one_panel(narrow, (5.6, 2.8), 3.1)
    jitter = np.random.RandomState(1).uniform(-0.04, 0.04, len(q["t"]))
    ax.scatter(q["x"], q["t"] + jitter, s=6, color="0.5", alpha=0.6, label="labels (jittered)")
    ax.plot(q["fit_x"], q["fit_p"], color=PATH_COLOR, linewidth=1.8, label=r"$\sigma(b + w x)$ at grid best")
    ax.set(xlabel="mean radius (standardized) + 3", ylabel="$p(t = 1)$")
    place_legend(ax, narrow, loc="center right", fontsize=7)
    return fig
