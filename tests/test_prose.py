"""Placeholders and number formatting."""
import pytest

from lecturekit.engine.errors import BuildError
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
