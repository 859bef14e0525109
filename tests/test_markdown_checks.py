"""Markdown mistakes stop the build at their file and line; what is code stays code."""
import pytest

import build
from lecturekit.engine.errors import BuildError
from lecturekit.engine.markup import check_no_figure_left, figure_references, mark_figures, markdown_to_html
from lecturekit.engine.mathtokens import protect_math
from lecturekit.engine.pages import page_body
from lecturekit.engine.prose import EmptyInFormula, guard_formulas, render_prose
from lecturekit.engine.store import Store
from test_build import failing_build
from tiny_lecture import COMPUTE, LECTURE, build_args, write_lecture

FIGURE = '![A parabola with its minimum at {{ demo.minimizer | sig(2) }}.](fig:parabola "A parabola.")'
FIGURE_LINE = 16  # its line in tiny_lecture.LECTURE
PATH = "content/lecture/lecture.md"

IN_CODE = '''
Write a figure as `![Alt](fig:not-a-figure "Caption")`, alone on its line.

```markdown
![Alt text](fig:also-not-a-figure "Caption.")
```

    ![Indented code](fig:nor-this-one)
'''


def test_figure_references_in_code_are_not_references():
    text = "![A [bracketed] alt](fig:real)\n" + IN_CODE + "\n![Last](fig:last)\n"
    assert figure_references(text, 10) == [("real", 10), ("last", 20)]


def test_figure_reference_in_code_builds_and_stays_text(tmp_path):
    write_lecture(tmp_path, lecture=LECTURE + IN_CODE)
    build.build(**build_args(tmp_path))
    page = (tmp_path / "site" / "tiny" / "index.html").read_text()
    assert "<code>![Alt](fig:not-a-figure \"Caption\")</code>" in page
    assert "fig:also-not-a-figure" in page and "fig:nor-this-one" in page
    assert page.count("<img") == 1 and 'src="fig:' not in page


def test_missing_figure_with_brackets_in_its_alt_is_found(tmp_path):
    error = failing_build(tmp_path, lecture=LECTURE.replace(FIGURE, '![On [-2, 2].](fig:parabla "A parabola.")'))
    assert error.path.name == "lecture.md" and error.line == FIGURE_LINE and "parabla" in str(error)


def convert(text):
    """Markdown -> (html, figures), with figure marks as page_body makes them."""
    marked, lines = mark_figures(text, 1)
    html, _, figures = markdown_to_html(marked, path=PATH, lines=lines)
    check_no_figure_left(html, PATH, lines)
    return html, figures


def error_of(text):
    with pytest.raises(BuildError) as caught:
        convert(text)
    assert caught.value.path == PATH
    return caught.value


@pytest.mark.parametrize("image", ['![](fig:a "Cap.")', "![ \t](fig:a)", '![  ](fig:a "Cap.")'])
def test_figure_without_alt_text(image):
    error = error_of(f"Intro.\n\n{image}\n")
    assert error.line == 3 and "figure 'a' has no alt text" in error.message


@pytest.mark.parametrize("text, line", [
    ('See ![A.](fig:a "Cap.") here.\n', 1),
    ("Text just above,\n![A.](fig:a)\n", 2),                  # one paragraph with the text
    ("- an item\n- ![A.](fig:a)\n", 2),
    ("## A heading ![A.](fig:a)\n", 1),
    ("| a |\n|---|\n| ![A.](fig:a) |\n", 3),
    ("[![A.](fig:a)](https://example.org)\n", 1),
])
def test_figure_inside_a_sentence(text, line):
    error = error_of("Intro.\n\n" + text)
    assert error.line == line + 2 and "figure 'a' is inside a sentence" in error.message
    assert "stand alone on its line" in error.message


def test_link_to_fig_address():
    error = error_of("Intro.\n\nAs [the figure](fig:a) shows.\n")
    assert error.line == 3 and "[text](#fig-a)" in error.message


@pytest.mark.parametrize("text", ['<p><img src="fig:a" alt="A."></p>\n', "<div>\n![A.](fig:a)\n</div>\n"])
def test_fig_address_in_raw_html_is_never_published(text):
    error = error_of("Intro.\n\n" + text)
    assert error.line in (3, 4) and "raw HTML" in error.message


def test_lone_figures_become_slots_with_their_lines():
    html, figures = convert('![A.](fig:a "Cap.")\n\n> ![B.](fig:b)\n\n```\n![C.](fig:c)\n```\n')
    assert [(f["name"], f["line"], f["alt"]) for f in figures] == [("a", 1, "A."), ("b", 3, "B.")]
    assert html.count("<figure-slot") == 2 and "fig:c" in html


def test_figure_without_alt_text_names_its_line(tmp_path):
    error = failing_build(tmp_path, lecture=LECTURE.replace(FIGURE, '![](fig:parabola "A parabola.")'))
    assert error.path.name == "lecture.md" and error.line == FIGURE_LINE and "no alt text" in str(error)


def test_alt_text_jinja_leaves_empty_names_its_line_after_lines_jinja_added(tmp_path):
    shown = '{{ source("lecturekit.engine.prose.sig") }}\n\n'  # a code block many lines long
    lecture = LECTURE.replace("Inline math", shown + "Inline math").replace(FIGURE, '![{{ "" }}](fig:parabola)')
    error = failing_build(tmp_path, lecture=lecture)
    assert error.path.name == "lecture.md" and error.line == FIGURE_LINE + 2 and "no alt text" in str(error)


def test_figure_inside_a_sentence_names_its_line(tmp_path):
    error = failing_build(tmp_path, lecture=LECTURE.replace(FIGURE, f"As {FIGURE} shows."))
    assert error.path.name == "lecture.md" and error.line == FIGURE_LINE
    assert "must stand alone on its line" in str(error)


def test_figure_name_jinja_makes_is_checked_at_its_line(tmp_path):
    error = failing_build(tmp_path, lecture=LECTURE.replace("fig:parabola", 'fig:{{ "para" ~ "bla" }}'))
    assert error.path.name == "lecture.md" and error.line == FIGURE_LINE
    assert "figure 'parabla' is not produced" in str(error) and "parabola" in str(error)


def test_img_in_raw_html_is_an_error_not_a_broken_image(tmp_path):
    error = failing_build(tmp_path, lecture=LECTURE + '\n<img src="fig:parabola" alt="A parabola.">\n')
    assert error.path.name == "lecture.md" and error.line == FIGURE_LINE + 2 and "raw HTML" in str(error)


def test_raw_html_image_of_a_figure_gets_its_dark_file_and_one_of_no_figure_fails_at_its_line(tmp_path):
    raw = '\n<p class="strip"><img src="figures/parabola.png" alt="The parabola again."></p>\n'
    write_lecture(tmp_path, lecture=LECTURE + raw)
    build.build(**build_args(tmp_path))
    page = (tmp_path / "site" / "tiny" / "index.html").read_text()
    strip = page[page.index('<p class="strip">'):]
    assert strip.startswith('<p class="strip"><picture><source media="screen and (prefers-color-scheme: dark)"')
    assert "figures/parabola.dark.png" in strip.split("</picture>")[0]
    error = failing_build(tmp_path, lecture=LECTURE + raw.replace("parabola.png", "parabla.png"))
    assert error.path.name == "lecture.md" and error.line == FIGURE_LINE + 2 and "figures/parabla.png" in str(error)


def test_figure_on_the_home_page_is_an_error(tmp_path):
    index = "---\ntitle: Test Course\n---\nA course.\n\n![A parabola.](fig:parabola)\n"
    error = failing_build(tmp_path, index=index)
    assert error.path.name == "index.md" and error.line == 6 and "not produced by any figure code" in str(error)


def guarded_prose(text, **context):
    """Jinja over `text` with its formulas guarded, as page_body renders a page."""
    guarded, guards = guard_formulas(text, protect_math(text, None)[1], 1)
    return render_prose(guarded, PATH, 1, context, None, guards)


@pytest.mark.parametrize("text, line, what", [
    ("Intro.\n\n$x = {{ e }}$ and more.\n", 3, "the placeholder {{ e }} in this formula produced no text"),
    ("$x = {{- e -}} + 1$\n", 1, "the placeholder {{- e -}}"),
    ("$x = {{ blank }}$\n", 1, "the placeholder {{ blank }}"),                  # whitespace is no text either
    ('$$\nf(w) = {{ e | string }}\n$$\n', 2, "placeholder {{ e | string }}"),    # its own line, not the $$ line
    ('A\n$$ {{ "" }} $$\n', 2, "placeholder"),
    ("{% for v in [1, e] %}\n$w_{{ v }}$\n{% endfor %}\n", 2, "placeholder {{ v }}"),
    ("$$\n{% if not e %}{% else %}x{% endif %}\n$$\n", 1, "this formula is empty once its placeholders are filled"),
])
def test_placeholder_in_math_that_produces_no_text(text, line, what):
    with pytest.raises(EmptyInFormula) as caught:
        guarded_prose(text, e="", blank="  ")
    assert caught.value.path == PATH and caught.value.line == line and what in caught.value.message


@pytest.mark.parametrize("text", [
    "$x = {{ v }}$, $y = {{- v -}}$ and $$\n{% for i in [1, 2] %}a_{{ i }} {% endfor %}\n$$\n",
    "Prose may be empty: {{ e }}, and so may $a$ with {{ e }} beside it.\n",
    "$x = {{ zero }}$ {# a comment #} ${% if v %}{{ v }}{% endif %}$\n",
    '$\\{ {% for b in [1, 2] %}{{ b }}{{ ", " if not loop.last }}{% endfor %} \\}$ ${{ v }}{{ e if v else "" }}$\n',
])
def test_guarded_formulas_render_as_written(text):
    context = {"v": 3, "e": "", "zero": 0}
    assert guarded_prose(text, **context) == render_prose(text, PATH, 1, context)


def test_a_construct_spanning_formulas_renders_unguarded(tmp_path):
    text = "Both: $a{% if t %}$ or $b{% endif %}$.\n"  # guarding each formula would cut the `if`
    body = page_body(text, PATH, 1, {"t": True}, Store(tmp_path))
    assert body.html.count("MATHTOKEN") == 2 and "endif" not in body.html


def test_empty_formula_names_its_line(tmp_path):
    with pytest.raises(BuildError) as caught:
        page_body("Text.\n\n$$ $$\n", PATH, 5, {}, Store(tmp_path))
    assert (caught.value.line, caught.value.message) == (7, "empty formula: nothing between its dollars")


EMPTY = COMPUTE.replace('{"doubled": 2 * squares["minimizer"]}', '{"doubled": 2 * squares["minimizer"], "empty": ""}')


def test_empty_placeholder_in_inline_math_names_its_line(tmp_path):
    lecture = LECTURE.replace("Inline math $w^2$", "Inline math $x = {{ demo.empty }}$")
    error = failing_build(tmp_path, lecture=lecture, compute=EMPTY)
    assert error.path.name == "lecture.md" and error.line == 10
    assert "the placeholder {{ demo.empty }} in this formula produced no text" in str(error)


def test_empty_placeholder_in_display_math_names_its_line(tmp_path):
    shown = '{{ source("lecturekit.engine.prose.sig") }}\n\n'  # a code block many lines long
    lecture = LECTURE.replace("Inline math", shown + "Inline math").replace("(w - c)^2", '(w - {{ "" }})^2')
    error = failing_build(tmp_path, lecture=lecture)
    assert error.path.name == "lecture.md" and error.line == 15 and "produced no text" in str(error)


def test_formula_jinja_empties_names_its_line(tmp_path):
    lecture = LECTURE.replace("f(w) = (w - c)^2", "{% if demo.empty %}f(w){% endif %}")
    error = failing_build(tmp_path, lecture=lecture, compute=EMPTY)
    assert error.path.name == "lecture.md" and error.line == 12 and "formula is empty" in str(error)
