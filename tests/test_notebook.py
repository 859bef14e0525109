"""Each lecture's Jupyter notebook: its cells in an order that runs, its code carried whole, and run alone it
reproduces results.json; no solution in it when they are withheld; the page links to it; stored, never stale.

The Gradient Descent notebook is executed in a Jupyter kernel (nbclient) in a temporary folder, with no
PYTHONPATH: about 10 s for the kernel and the lecture's computations, after a build of the course that reuses
the repository's caches (as the browser tests' builds do).
"""
import json
import math
import os
import re
import textwrap
from pathlib import Path

import numpy as np
import pytest

import build
from lecturekit.engine import notebook, values
from tiny_lecture import FIGURES, INDEX, build_args, write_lecture

ROOT = Path(__file__).resolve().parents[1]
nbformat = pytest.importorskip("nbformat")

HELPERS = '''
"""Shared by the tiny lecture's computations."""
import numpy as np

from lecturekit.numerics.grid import grid_argmin

OFFSET = 0.73  # where the parabola's minimum is


def parabola(w):
    return (w - OFFSET) ** 2
'''

COMPUTE = '''
import numpy as np
from lecturekit.engine.registry import computation
from lecturekit.numerics import basics as poly
from .helpers import OFFSET, parabola as bowl


@computation(into="demo")
def squares():
    """The parabola on a grid, and its minimizer."""
    w = np.linspace(-2.0, 2.0, 41)
    return {"w": w, "f": bowl(w), "minimizer": float(w[np.argmin(bowl(w))]), "pair": (OFFSET, 1.5)}


@computation(into="demo")
def summary(squares):
    return {"doubled": 2 * squares["minimizer"], "vector": [squares["minimizer"], 3.0]}


@computation(name="later", into="other")
def quartic_value():
    from lecturekit.numerics.basics import evaluate as value_at
    return {"value": float(value_at((4.0, 1.0, -5.0, 0.0, 1.0), 0.5)) + poly.quadratic_minimizer((4.0, -3.0, 1.0))}


@computation(into="extra")
def unquoted(squares):
    return {"points": len(squares["w"]), "curve": squares["f"] * 2}
'''

LECTURE = '''---
title: Tiny
number: 1
summary: A lecture small enough to build in a test.
thumbnail: parabola
---
An introduction that quotes nothing.

## First

Twice the minimizer is {{ demo.doubled | sig(3) }}, with math $w^2$.

![A parabola with its minimum at {{ demo.minimizer | sig(2) }}.](fig:parabola "A parabola.")

!!! note "A callout"
    Inside a callout: {{ demo.minimizer | sig(3) }}.

<!-- an author's comment -->

## Second

A later value: {{ other.value | sig(4) }}.

!!! exercise "Double it"
    What is twice the minimizer?

    ??? hint
        HINT-TEXT: multiply by two.

    ??? solution
        ANSWER-TEXT: it is {{ demo.doubled | sig(3) }}.

        ![ANSWER-ALT: the parabola again.](fig:parabola "ANSWER-CAPTION")
'''


def write_tiny(root, lecture=LECTURE, compute=COMPUTE, index=INDEX):
    content = write_lecture(root, lecture=lecture, compute=compute, figures=FIGURES, index=index)
    (content / "tiny" / "helpers.py").write_text(HELPERS)
    return content


def cells_of(path):
    return nbformat.read(path, as_version=4).cells


def run_notebook(path, workdir, check):
    """Execute a notebook in a fresh kernel whose working folder is `workdir`, without PYTHONPATH, with the
    cell `check` appended; returns the executed notebook."""
    from nbclient import NotebookClient
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(check))
    env = {name: value for name, value in os.environ.items() if name != "PYTHONPATH"}
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(workdir)}}
                   ).execute(env=env)
    return nb


ALONE = '''
import importlib.util, json, sys
assert importlib.util.find_spec("lecturekit") is None, "the kernel can import lecturekit"
assert not [m for m in sys.modules if m.startswith(("lecturekit", "lecture_"))], "the notebook imported project code"
json.dump({"results": results, "prefix": sys.prefix, "path": sys.path}, open("out.json", "w"))
'''


def ran_alone(nb, workdir):
    """What the appended check saw, after checking that the kernel ran this Python, outside the repository."""
    out = json.loads((Path(workdir) / "out.json").read_text())
    assert Path(out["prefix"]).resolve() == Path(os.sys.prefix).resolve()
    assert not [p for p in out["path"] if p and Path(p).resolve() == ROOT], "the repository was on the kernel's path"
    return out["results"]


def test_cells_run_each_computation_before_the_prose_that_first_quotes_it(tmp_path):
    write_tiny(tmp_path)
    build.build(**build_args(tmp_path))
    cells = cells_of(tmp_path / "site" / "tiny" / "tiny.ipynb")
    kinds = [(c.cell_type, c.source) for c in cells]

    def code_of(name):
        return next(i for i, (kind, source) in enumerate(kinds) if kind == "code" and f"compute({name!r}" in source)

    def prose(text):
        return next(i for i, (kind, source) in enumerate(kinds) if kind == "markdown" and text in source)

    assert kinds[0][0] == "markdown" and kinds[0][1].startswith("# Tiny")
    assert kinds[1][0] == "code" and "def compute(" in kinds[1][1]  # the helpers, before any computation
    assert prose("An introduction") < code_of("squares") < code_of("summary") < prose("Twice the minimizer")
    assert prose("Twice the minimizer") < code_of("later") < prose("A later value") < prose("other computations")
    assert prose("other computations") < code_of("unquoted") < prose("All the results") < len(cells) - 1
    assert "compute('summary', summary, 'squares')" in kinds[code_of("summary")][1]
    assert "compute('later', quartic_value)" in kinds[code_of("later")][1]  # name= differs from the function's

    code = "\n".join(source for kind, source in kinds if kind == "code")
    assert not re.search(r"^\s*(from|import) (lecturekit|\.)", code, re.M), "a project import is left"
    assert "@computation" not in code and "registry" not in code
    assert code.count("def parabola(") == 1 and code.count("OFFSET = 0.73") == 1, "each definition once"
    assert "bowl = parabola" in code and "poly = SimpleNamespace(" in code
    assert "value_at = evaluate  # from lecturekit.numerics.basics import evaluate as value_at" in code
    assert kinds[code_of("squares")][1].index("def parabola(") < kinds[code_of("squares")][1].index("def squares(")
    assert "# From tiny/helpers.py" in code and "# From lecturekit.numerics.basics" in code
    assert "# where the parabola's minimum is" in code, "the source's comments are kept"


def test_the_tiny_notebook_runs_alone_and_holds_the_published_results(tmp_path):
    write_tiny(tmp_path)
    build.build(**build_args(tmp_path))
    workdir = tmp_path / "elsewhere"
    workdir.mkdir()
    nb = run_notebook(tmp_path / "site" / "tiny" / "tiny.ipynb", workdir, ALONE)
    assert ran_alone(nb, workdir) == json.loads((tmp_path / "site" / "tiny" / "results.json").read_text())


def test_prose_becomes_notebook_markdown_with_figures_attached_and_blocks_as_boxes(tmp_path):
    macros = "\\newcommand{\\R}{\\mathbb{R}}\n\\newcommand{\\norm}[1]{\\lVert #1 \\rVert}\n"
    content = write_tiny(tmp_path, lecture=LECTURE.replace("with math $w^2$", "with math $w^2$ in $\\R$"),
                         index=INDEX.replace("title: Test Course\n", "title: Test Course\nmacros: macros.tex\n"))
    (content / "macros.tex").write_text(macros)
    build.build(**build_args(tmp_path))
    cells = cells_of(tmp_path / "site" / "tiny" / "tiny.ipynb")
    assert "$\\newcommand{\\R}{\\mathbb{R}}\\newcommand{\\norm}[1]{\\lVert #1 \\rVert}$" in cells[0].source, \
        "MathJax gets the course's macros"
    prose = "\n".join(c.source for c in cells if c.cell_type == "markdown")
    page = (tmp_path / "site" / "tiny" / "index.html").read_text()
    doubled = re.search(r"Twice the minimizer is ([^,]+),", page).group(1)
    assert f"Twice the minimizer is {doubled}, with math $w^2$ in $\\R$." in prose, "placeholders filled, math kept"
    assert "{{" not in prose and "fig:" not in prose and "!!!" not in prose and "???" not in prose
    assert "author's comment" not in prose
    figure = next(c for c in cells if "attachment:parabola.png" in c.source)
    png = (tmp_path / "site" / "tiny" / "figures" / "parabola.png").read_bytes()
    assert figure.attachments["parabola.png"]["image/png"] == __import__("base64").b64encode(png).decode()
    assert '<a id="fig-parabola"></a>' in figure.source and "**Figure 1.** A parabola." in figure.source
    assert re.search(r'<div class="alert [^"]*">\s+\*\*Note: A callout\*\*', prose)
    assert '<a id="exercise-1"></a>' in prose and "**Exercise 1. Double it**" in prose
    assert "<details><summary>Hint</summary>" in prose and "<details><summary>Solution</summary>" in prose
    assert "ANSWER-TEXT: it is" in prose and "**Figure 2.** ANSWER-CAPTION" in prose


def test_without_solutions_the_notebook_holds_none(tmp_path):
    write_tiny(tmp_path, index=INDEX.replace("title: Test Course\n", "title: Test Course\nsolutions: false\n"))
    build.build(**build_args(tmp_path))
    path = tmp_path / "site" / "tiny" / "tiny.ipynb"
    data = path.read_text()  # every byte: cells, attachments, metadata
    assert "ANSWER" not in data and not re.search("solution", data, re.I)
    prose = "\n".join(c.source for c in cells_of(path) if c.cell_type == "markdown")
    assert "HINT-TEXT" in prose and '<a id="exercise-1"></a>' in prose
    assert prose.count("attachment:parabola.png") == 1, "a figure only the solution showed is not attached"


def test_the_page_links_to_its_notebook(tmp_path):
    write_tiny(tmp_path)
    build.build(**build_args(tmp_path))
    page = (tmp_path / "site" / "tiny" / "index.html").read_text()
    link = re.search(r'<a href="([^"]+\.ipynb)" download>', page)
    assert link and (tmp_path / "site" / "tiny" / link.group(1)).is_file()
    assert page.index("results.json") < page.index(link.group(1)), "beside the results.json link"


def test_the_notebook_is_stored_and_never_stale(tmp_path):
    write_tiny(tmp_path)
    path, stored = tmp_path / "site" / "tiny" / "tiny.ipynb", tmp_path / ".cache" / "store" / "notebook"

    def made():  # notebooks are made in a helper process: count what it stored
        return len(list(stored.iterdir()))
    build.build(**build_args(tmp_path))
    first, entry = path.read_text(), next(stored.iterdir())
    when = entry.stat().st_mtime_ns
    build.build(**build_args(tmp_path))
    assert made() == 1 and entry.stat().st_mtime_ns == when and path.read_text() == first, \
        "a no-change build made it again"

    write_tiny(tmp_path, lecture=LECTURE.replace("An introduction", "A reworded introduction"))
    build.build(**build_args(tmp_path))
    assert made() == 2 and "A reworded introduction" in path.read_text()

    write_tiny(tmp_path, lecture=LECTURE.replace("An introduction", "A reworded introduction"),
               compute=COMPUTE.replace("np.linspace(-2.0, 2.0, 41)", "np.linspace(-2.0, 2.0, 81)"))
    build.build(**build_args(tmp_path))
    assert made() == 3 and "np.linspace(-2.0, 2.0, 81)" in path.read_text()


def notebook_warning(tmp_path, capsys):
    """Build; the lecture's page is published without a notebook; the warning that says why."""
    build.build(**build_args(tmp_path))
    assert not (tmp_path / "site" / "tiny" / "tiny.ipynb").exists()
    assert "tiny.ipynb" not in (tmp_path / "site" / "tiny" / "index.html").read_text()
    err = capsys.readouterr().err
    assert "warning: no notebook for tiny: " in err
    return err


def test_a_notebook_that_cannot_be_made_is_left_out_with_its_reason(tmp_path, capsys):
    dotted = COMPUTE.replace("from .helpers import", "import lecturekit.numerics.grid\nfrom .helpers import") + \
        '\n\n@computation(into="grid")\ndef grid():\n    return {"n": len(lecturekit.numerics.grid.weight_grid((0, 1), (0, 1), 3))}\n'
    write_tiny(tmp_path, compute=dotted)
    err = notebook_warning(tmp_path, capsys)
    assert "cannot carry `import lecturekit.numerics.grid`" in err
    assert f"compute.py:{dotted.splitlines().index('import lecturekit.numerics.grid') + 1}:" in err


def test_two_definitions_of_one_name_leave_the_notebook_out_naming_both(tmp_path, capsys):
    clash = COMPUTE + '''

def evaluate(x):
    return x


@computation(into="clash")
def clashing():
    return {"v": evaluate(1.0)}
'''
    write_tiny(tmp_path, compute=clash)
    err = notebook_warning(tmp_path, capsys)
    assert "'evaluate'" in err and "one namespace" in err and "line" in err
    assert "compute.py" in err or "basics.py" in err


# What the notebook's helpers do must be what the store does (values.py): checked, so they cannot drift.
EXAMPLES = [
    {"a": np.float32(1.5), "b": np.int64(3), "c": np.bool_(True), "t": (1, (2.0, "x")), "l": [None, 1, [2]]},
    {"f": np.asfortranarray(np.arange(6.0).reshape(2, 3)), "c": np.arange(6, dtype=np.int16).reshape(3, 2),
     "s": np.arange(10.0)[::2], "z": np.array(2.5), "in_list": [np.ones(2), 1.0], "in_tuple": (np.zeros(1),)},
]


def same(a, b):
    assert type(a) is type(b), (a, b)
    if isinstance(a, np.ndarray):
        assert a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b)
        assert (a.flags.c_contiguous, a.flags.f_contiguous) == (b.flags.c_contiguous, b.flags.f_contiguous)
    elif isinstance(a, dict):
        assert list(a) == list(b)
        for key in a:
            same(a[key], b[key])
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            same(x, y)
    else:
        assert a == b


@pytest.mark.parametrize("value", EXAMPLES)
def test_the_notebook_hands_results_on_as_the_store_does(value):
    helpers = {"np": np}
    exec(notebook.HELPERS, helpers)
    stored = values.decode(values.encode(value, "x"))
    same(helpers["as_stored"](value), stored)
    same(helpers["published"](helpers["as_stored"](value)), values.published(values.decode(
        values.encode(value, "x"), with_arrays=False)))
    copy = helpers["as_stored"](value)
    for array in [v for v in copy.values() if isinstance(v, np.ndarray)]:
        assert array.flags.writeable and not any(np.shares_memory(array, v) for v in value.values()
                                                 if isinstance(v, np.ndarray))


def dotted(tree, prefix=""):
    """{dotted name: value} of every leaf, list items by index."""
    if isinstance(tree, dict):
        items = tree.items()
    elif isinstance(tree, list):
        items = ((str(i), v) for i, v in enumerate(tree))
    else:
        return {prefix: tree}
    found = {prefix: type(tree).__name__} if prefix else {}
    for key, item in items:
        found.update(dotted(item, f"{prefix}.{key}" if prefix else key))
    return found


SAMPLE = ["basics.p1.minimizer", "basics.p3.stationary_points", "logistic.grid_best", "logistic.grid_best_loss",
          "logistic.taylor.hessian", "logistic.optimum.w", "sine.grid_best", "sine.taylor.eigenvalues",
          "quick_checks.squared_1d.least_squares_w", "runs.logistic_gd.final", "runs.sine_momentum.final_loss",
          "quadratic.runs.quad_momentum.predicted_rate", "descent.sine_gd.min_loss", "parabola.factor",
          "explore.quadratic.stable_lr_limits", "explore.sine.w_star"]


def numbers(value):
    if isinstance(value, dict):
        return [n for _, v in sorted(value.items()) for n in numbers(v)]
    if isinstance(value, list):
        return [n for v in value for n in numbers(v)]
    return [value] if isinstance(value, (int, float)) and not isinstance(value, bool) else []


@pytest.fixture(scope="module")
def real_site(tmp_path_factory):
    """The real course, built with the repository's caches (about a second once they hold it)."""
    out = tmp_path_factory.mktemp("site")
    (ROOT / "figures").mkdir(exist_ok=True)
    build.build(ROOT / "content", out, ROOT / ".cache", ROOT / "figures", quiet=True)
    return out


def test_the_gradient_descent_notebook_runs_alone_and_reproduces_results_json(real_site, tmp_path):
    workdir = tmp_path / "student"
    workdir.mkdir()
    notebook_path = real_site / "gradient-descent" / "gradient-descent.ipynb"
    nb = run_notebook(notebook_path, workdir, ALONE)
    assert not [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    computed = ran_alone(nb, workdir)
    published = json.loads((real_site / "gradient-descent" / "results.json").read_text())
    assert {k: type(v).__name__ for k, v in dotted(computed).items()} == \
        {k: type(v).__name__ for k, v in dotted(published).items()}, "the same dotted names, of the same types"
    for path in SAMPLE:
        mine, theirs = computed, published
        for part in path.split("."):
            mine, theirs = mine[part], theirs[part]
        assert len(numbers(theirs)) >= 1
        for a, b in zip(numbers(mine), numbers(theirs), strict=True):
            assert math.isclose(a, b, rel_tol=1e-9), f"{path}: {a} against {b}"


def test_site_only_html_goes_and_code_stays_as_written():
    from lecturekit.engine.notebook_prose import INTERACTIVE_NOTE, Counters, notebook_markdown
    text = textwrap.dedent('''\
        Before.
        <!-- a comment
        over two lines -->
        <div class="widget"><p>Pick one</p>
        <div><input type="range"></div>
        </div>

        <div class="plain"><p>Static HTML stays.</p></div>

        <script src="x.js" defer></script>

        ```html
        <!-- in code: kept --><script>also kept</script>
        !!! note "not a block in code"
        ```

        ??? tip "Folded"
            Tip text.

        ???+ hint
            Open hint.
        ''')
    markdown, attachments = notebook_markdown(text, True, Counters(), None)
    assert "a comment" not in markdown and "Pick one" not in markdown and 'src="x.js"' not in markdown
    assert INTERACTIVE_NOTE.strip() in markdown and '<div class="plain"><p>Static HTML stays.</p></div>' in markdown
    assert '<!-- in code: kept --><script>also kept</script>\n!!! note "not a block in code"' in markdown
    assert "<details><summary>Tip: Folded</summary>\n\nTip text.\n\n</details>" in markdown
    assert "<details open><summary>Hint</summary>\n\nOpen hint.\n\n</details>" in markdown
    assert attachments == {}


def test_the_import_cell_compiles_with_a_future_import_among_its_lines():
    lines = notebook._merged(["import math", "from typing import Callable", "from __future__ import annotations",
                              "from typing import NamedTuple"])
    compile("\n".join(lines), "<imports>", "exec")  # a __future__ import anywhere but first is a SyntaxError
    assert "from typing import Callable, NamedTuple" in lines and "import numpy as np" in lines


def test_citations_and_labels_read_in_the_notebook_as_on_the_pages(real_site):
    """A citation is its words ("Figure 3"), a label its number (\\tag), a heading loses its {#id}: as the pages say."""
    lecture = real_site / "gradient-descent"
    markdown = "\n".join("".join(c["source"]) for c in cells_of(lecture / "gradient-descent.ipynb")
                         if c["cell_type"] == "markdown")
    assert not re.search(r"@(?:fig|eq|sec|ex|note|tip|warning|definition|key-idea):\w", markdown)
    assert "\\label{" not in markdown and "{#" not in markdown and "{: #" not in markdown and "xlabel" not in markdown
    pages = "\n".join(p.read_text() for p in sorted(lecture.glob("*.html")))
    cited = set(re.findall(r'<a class="xref" href="[^"]*">([^<]+)</a>', pages))
    written = set(re.findall(r"(?:Figure|Section|Exercise|Definition) [\d.]*\d|Equation \(\d+\)", markdown))
    assert written and written <= cited | set(re.findall(r"(?:Figure|Exercise) \d+", markdown))
    tags = re.findall(r"\\tag\{(\d+)\}", markdown)
    assert tags == [str(n) for n in range(1, len(tags) + 1)] and len(tags) >= 5


def test_a_lecture_whose_code_cannot_be_a_notebook_is_published_without_one(tmp_path, capsys):
    """Code that reads a file beside it through __file__ runs in the build, not in a downloaded notebook."""
    compute = COMPUTE + '''

from pathlib import Path


@computation(into="demo")
def beside():
    return {"name": Path(__file__).name}
'''
    write_tiny(tmp_path, compute=compute)
    build.build(**build_args(tmp_path))
    site = tmp_path / "site" / "tiny"
    assert (site / "index.html").is_file() and not (site / "tiny.ipynb").exists()
    assert "tiny.ipynb" not in (site / "index.html").read_text(), "no link to a notebook that is not there"
    assert "warning: no notebook for tiny" in capsys.readouterr().err
