"""One still figure."""
import numpy as np

from lecturekit.engine.registry import figure
from lecturekit.plotting.style import new_figure


@figure
def parabola():
    fig = new_figure(4.0, 2.4)
    ax = fig.add_subplot()
    w = np.linspace(-2, 2, 81)
    ax.plot(w, w ** 2)
    ax.set(xlabel="$w$", ylabel="$f(w)$")
    return fig
