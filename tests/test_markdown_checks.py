"""Markdown mistakes stop the build at their file and line; what is code stays code."""
import build
from lecturekit.engine.markup import figure_references
from test_build import failing_build
from tiny_lecture import LECTURE, build_args, write_lecture

FIGURE = '![A parabola with its minimum at {{ demo.minimizer | sig(2) }}.](fig:parabola "A parabola.")'
FIGURE_LINE = 16  # its line in tiny_lecture.LECTURE

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
