"""One animation: the descent path over the contours."""
import numpy as np

from lecturekit.engine.registry import figure
from lecturekit.plotting.animate import PathAnimation
from lecturekit.plotting.style import new_figure


@figure
def descent(run):
    fig = new_figure(4.0, 2.6)
    ax = fig.add_subplot()
    w1, w2 = np.meshgrid(np.linspace(-3, 3, 61), np.linspace(-1.5, 1.5, 61))
    ax.contour(w1, w2, w1 ** 2 + 4 * w2 ** 2, levels=8, colors="0.6", linewidths=0.8)
    ax.set(xlabel="$w_1$", ylabel="$w_2$")
    return PathAnimation(fig, ax, run["path"], run["losses"], max_frames=13)
