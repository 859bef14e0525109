"""A tiny lecture written into a temporary folder, for end-to-end build tests."""
import textwrap
from pathlib import Path

COMPUTE = '''
import numpy as np
from lecturekit.engine.registry import computation


@computation(into="demo")
def squares():
    w = np.linspace(-2.0, 2.0, 41)
    return {"w": w, "f": (w - 0.73) ** 2, "minimizer": float(w[np.argmin((w - 0.73) ** 2)])}


@computation(into="demo")
def summary(squares):
    return {"doubled": 2 * squares["minimizer"]}
'''

FIGURES = '''
from lecturekit.engine.registry import figure
from lecturekit.plotting.style import new_figure


@figure
def parabola(squares):
    fig = new_figure(4, 2.5)
    ax = fig.add_subplot()
    ax.plot(squares["w"], squares["f"], label="f")
    ax.legend()
    return fig
'''

LECTURE = '''---
title: Tiny
number: 1
summary: A lecture small enough to build in a test.
thumbnail: parabola
---
## Result

The minimizer is {{ demo.minimizer | sig(3) }} and twice it is {{ demo.doubled | sig(3) }}.
Inline math $w^2$ and display math:

$$
f(w) = (w - c)^2
$$

![A parabola with its minimum at {{ demo.minimizer | sig(2) }}.](fig:parabola "A parabola.")
'''

INDEX = '''---
title: Test Course
---
A course for tests.
'''


def write_lecture(root, lecture=LECTURE, compute=COMPUTE, figures=FIGURES, index=INDEX):
    """Write content/ with one lecture named `tiny` under `root`; returns the content folder."""
    content = Path(root) / "content"
    folder = content / "tiny"
    folder.mkdir(parents=True, exist_ok=True)
    (content / "index.md").write_text(textwrap.dedent(index))
    (folder / "lecture.md").write_text(lecture)
    (folder / "compute.py").write_text(compute)
    (folder / "figures.py").write_text(figures)
    return content


def build_args(root):
    """Keyword arguments of build.build() for a site under `root`."""
    root = Path(root)
    return {"content_dir": root / "content", "out_dir": root / "site", "cache_dir": root / ".cache",
            "figure_dir": root / "figures", "quiet": True}
