"""The Markdown checks and the course macros inside callouts, exercises, hints and solutions, with and without
solutions: each mistake at its line in the file, code in a block still code, every page key holding both settings."""
import pytest

import build
from lecturekit.engine.errors import BuildError
from lecturekit.engine.macros import parse_macros
from lecturekit.engine.markup import check_no_figure_left, figure_references, mark_figures, markdown_to_html
from lecturekit.engine.pages import page_body
from lecturekit.engine.prose import EmptyInFormula
from lecturekit.engine.store import Store
from test_macros import INDEX_WITH_MACROS, MACROS, write_macros
from test_solutions_build import FIGURES_WITH_ANSWER, PRACTICE
from tiny_lecture import build_args, write_lecture

PATH = "content/tiny/lecture.md"
BLOCKS = '''Intro.

!!! note "A figure alone in a callout"
    ![A.](fig:a "Cap.")

!!! exercise "E"
    The question.

    ![B.](fig:b)

    ??? hint
        ![C.](fig:c)

    ??? solution
        The answer.

        ![D.](fig:d "Only the solution shows it.")

??? tip "Folded"
    Text.

    ![E.](fig:e)
'''


def convert(text, solutions=True):
    """Markdown -> (html, figures), with figure marks as page_body makes them."""
    marked, lines = mark_figures(text, 1)
    html, _, figures = markdown_to_html(marked, solutions, PATH, lines)
    check_no_figure_left(html, PATH, lines)
    return html, figures


def test_figures_alone_in_blocks_are_figures_at_their_lines():
    html, figures = convert(BLOCKS)
    assert [(f["name"], f["line"]) for f in figures] == [("a", 4), ("b", 9), ("c", 12), ("d", 17), ("e", 22)]
    assert html.count("<figure-slot") == 5 and "fig:" not in html
    html, figures = convert(BLOCKS, solutions=False)  # the solution's figure goes with it, its mark too
    assert [(f["name"], f["line"], f["number"]) for f in figures] == [("a", 4, 1), ("b", 9, 2), ("c", 12, 3),
                                                                     ("e", 22, 4)]
    assert "FIGREF" not in html and "fig:" not in html
    assert [name for name, _ in figure_references(BLOCKS, 1)] == ["a", "b", "c", "d", "e"]


@pytest.mark.parametrize("text, line, message", [
    ('!!! note\n    Text.\n\n    See ![A.](fig:a) here.\n', 4, "inside a sentence"),
    ('!!! exercise\n    Q.\n\n    ??? hint\n        - ![A.](fig:a)\n', 5, "inside a sentence"),
    ('!!! exercise\n    Q.\n\n    ??? solution\n        ![](fig:a "Cap.")\n', 5, "has no alt text"),
    ('??? tip\n    As [the figure](fig:a) shows.\n', 2, "leads nowhere"),
])
def test_figure_mistakes_in_blocks_name_their_line(text, line, message):
    with pytest.raises(BuildError) as caught:
        convert("Intro.\n\n" + text)
    assert caught.value.path == PATH and caught.value.line == line + 2 and message in caught.value.message


def test_code_in_a_block_is_code_not_a_figure():
    text = '!!! note\n    Text.\n\n        ![Indented code](fig:x)\n\n    ```\n    ![Fenced](fig:y)\n    ```\n'
    html, figures = convert(text)
    assert figures == [] and "fig:x" in html and "fig:y" in html and "FIGREF" not in html
    assert figure_references(text, 1) == []


@pytest.mark.parametrize("text, line", [
    ("!!! note\n    Text $x = {{ e }}$.\n", 2),
    ("!!! note\n    Text.\n\n    After a blank line $x = {{ e }}$.\n", 4),
    ("!!! exercise\n    Q.\n\n    ??? hint\n        $$\n        x = {{ e }}\n        $$\n", 6),
])
def test_an_empty_placeholder_in_a_formula_in_a_block_names_its_line(tmp_path, text, line):
    with pytest.raises(EmptyInFormula) as caught:
        page_body(text, PATH, 3, {"e": ""}, Store(tmp_path))
    assert caught.value.line == line + 2 and "produced no text" in caught.value.message


def test_formulas_in_code_in_a_block_are_code(tmp_path):
    html = page_body("!!! note\n    Text.\n\n        $x = {{ e }}$\n", PATH, 1, {"e": ""}, Store(tmp_path)).finish({})
    assert "<code>$x = $\n</code>" in html and "katex" not in html


def test_blocks_typeset_with_the_course_macros(tmp_path):
    text = '!!! note "On $\\R$"\n    $\\vw \\in \\R^d$\n\n!!! exercise\n    Q.\n\n    ??? solution\n        $\\vw$\n'
    macros = parse_macros(MACROS, "content/macros.tex")
    for solutions, bold in ((True, 2), (False, 1)):
        html = page_body(text, PATH, 1, {}, Store(tmp_path), solutions, macros).finish({})
        assert html.count('<mi mathvariant="bold">w</mi>') == bold and 'mathvariant="double-struck"' in html


def test_a_page_key_holds_the_solutions_setting_and_the_macros(tmp_path):
    write_macros(tmp_path, MACROS)
    practice, index = PRACTICE.replace("$2 w^\\star", "$2 \\vw^\\star"), INDEX_WITH_MACROS
    write_lecture(tmp_path, lecture=practice, figures=FIGURES_WITH_ANSWER, index=index)
    build.build(**build_args(tmp_path))
    page = tmp_path / "site" / "tiny" / "index.html"
    assert "ANSWER-TEXT" in page.read_text() and '<mi mathvariant="bold">w</mi>' in page.read_text()
    write_lecture(tmp_path, lecture=practice, figures=FIGURES_WITH_ANSWER,
                  index=index.replace("macros:", "solutions: false\nmacros:"))
    assert build.build(**build_args(tmp_path))["pages_rendered"] == 2
    assert "ANSWER" not in page.read_text()
    assert not (tmp_path / "site" / "tiny" / "figures" / "answer-plot.png").exists()
    write_macros(tmp_path, MACROS.replace(r"\mathbf{w}", r"\mathbf{u}"))  # unused now: the pages still change key
    assert build.build(**build_args(tmp_path))["pages_rendered"] == 2
    write_lecture(tmp_path, lecture=practice, figures=FIGURES_WITH_ANSWER, index=index)
    again = build.build(**build_args(tmp_path))
    assert again["pages_rendered"] == 2 and '<mi mathvariant="bold">u</mi>' in page.read_text()
    write_macros(tmp_path, MACROS)
    assert build.build(**build_args(tmp_path))["pages_rendered"] == 0  # the first build's pages, from the store
    assert '<mi mathvariant="bold">w</mi>' in page.read_text() and "ANSWER-TEXT" in page.read_text()
