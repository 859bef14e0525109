"""Placeholders and number formatting."""
import pytest

from lecturekit.engine.errors import BuildError
from lecturekit.engine.store import Store
from lecturekit.engine.prose import mat_tex, pct, render_prose, sig, source_block, vec


@pytest.mark.parametrize("x, digits, text", [
    (1.23456, 3, "1.23"), (-0.0012345, 2, "−0.0012"), (12345.6, 3, "12346"), (2.0, 3, "2.00"),
    (0.0, 3, "0"), (1.5e-7, 2, "1.5×10<sup>−7</sup>"),
])
def test_sig(x, digits, text):
    assert sig(x, digits) == text


def test_vectors_matrices_percentages():
    assert vec([1, -2.5], 2) == "(1.0, −2.5)"
    assert mat_tex([[1, 0], [0, 2]], 1) == r"\begin{bmatrix}1 & 0 \\ 0 & 2\end{bmatrix}"
    assert pct(0.8541, 3) == "85.4%"


def test_render_substitutes_results():
    out = render_prose("a {{ r.x | sig(2) }}\n", "f.md", 1, {"r": {"x": 3.14159}})
    assert out == "a 3.1\n"


def test_unknown_name_reports_line_and_suggestions():
    with pytest.raises(BuildError) as caught:
        render_prose("one\ntwo {{ r.grid_bset }}\n", "f.md", 1, {"r": {"grid_best": 1, "other": 2}})
    assert caught.value.line == 2 and "r.grid_best" in str(caught.value)


def test_source_block_is_the_current_source():
    import inspect
    from lecturekit.numerics import losses
    block = source_block("lecturekit.numerics.losses.sigmoid")
    assert inspect.getsource(losses.sigmoid).strip() in block and block.startswith("```python")
    with pytest.raises(ValueError):
        source_block("lecturekit.numerics.losses.no_such_function")


def test_sections_render_like_the_whole_text(tmp_path):
    from lecturekit.engine.prose import split_sections
    text = ("intro {{ r.x }}\n## A\n{% macro m(v) %}<{{ v }}>{% endmacro %}{{ m(1) }}\n"
            "```\n## not a heading inside code\n```\n## B\n{{ m(2) }} {{ r.x | sig(2) }}\n")
    assert [line for line, _ in split_sections(text)] == [1, 2, 7]
    # `m` is defined in section A and used in B: the whole-text fallback keeps that working.
    out = render_prose(text, "f.md", 1, {"r": {"x": 1.234}}, Store(tmp_path))
    assert out == render_prose(text, "f.md", 1, {"r": {"x": 1.234}})
    assert "<1>" in out and "<2> 1.2" in out
    assert any(tmp_path.iterdir()), "compiled sections are cached"


def test_error_line_is_right_in_a_later_section(tmp_path):
    text = "a\n## One\nb\n## Two\nc {{ r.missing }}\n"
    with pytest.raises(BuildError) as caught:
        render_prose(text, "f.md", 10, {"r": {"present": 1}}, Store(tmp_path))
    assert caught.value.line == 14
