r"""A course's LaTeX macros: parsed with each error at its line, given to KaTeX, part of every key."""
import re
import subprocess
import textwrap
from pathlib import Path

import pytest

import build
from lecturekit.engine.errors import BuildError
from lecturekit.engine.macros import NO_MACROS, parse_macros
from lecturekit.engine.mathtex import render_formulas
from lecturekit.engine.mathtokens import Formula
from lecturekit.engine.store import Store
from test_build import failing_build
from tiny_lecture import INDEX, LECTURE, build_args, write_lecture

PATH = Path("content/macros.tex")
MACROS = r"""% The course's notation.
\newcommand{\R}{\mathbb{R}}   % the reals

\newcommand{\vw}{\mathbf{w}}
\renewcommand\E{\mathbb{E}}
\newcommand{\norm}[1]{\left\lVert #1 \right\rVert}
\newcommand{\inner}[2]{\langle #1, #2 \rangle}  % 50\% of the time
"""
INDEX_WITH_MACROS = INDEX.replace("title: Test Course\n", "title: Test Course\nmacros: macros.tex\n")


def test_macros_parse_with_their_lines():
    macros = parse_macros(MACROS, PATH)
    assert macros.definitions == (("\\R", "\\mathbb{R}", 0, 2), ("\\vw", "\\mathbf{w}", 0, 4),
                                  ("\\E", "\\mathbb{E}", 0, 5), ("\\norm", "\\left\\lVert #1 \\right\\rVert", 1, 6),
                                  ("\\inner", "\\langle #1, #2 \\rangle", 2, 7))
    assert macros.digest == parse_macros("\n\n" + MACROS.replace("% the reals", ""), PATH).digest  # meaning only
    assert macros.digest != parse_macros(MACROS.replace("mathbf", "boldsymbol"), PATH).digest


@pytest.mark.parametrize("line, message", [
    (r"\def\vw{\mathbf{w}}", "not a macro definition"),
    (r"\newcommand{vw}{\mathbf{w}}", "not a macro definition"),
    (r"\newcommand{\vw}{\mathbf{w}", r"the expansion of \vw has no closing brace"),
    (r"\newcommand{\vw}{\mathbf{w}} \newcommand{\vx}{x}", "one definition a line"),
    (r"\newcommand{\norm}{\lVert #1 \rVert}", r"\norm is declared with 0 argument(s) but its expansion uses #1"),
    (r"\newcommand{\inner}[2]{\langle #1 \rangle}", "declared with 2 argument(s) but its expansion uses #1 "),
    (r"\newcommand{\R}{\mathbf{R}}", r"\R is defined twice (first on line 2)"),
])
def test_macro_file_that_does_not_parse_names_its_line(line, message):
    text = MACROS.replace("\n\n", f"\n{line}\n", 1)  # on line 3
    with pytest.raises(BuildError) as caught:
        parse_macros(text, PATH)
    assert caught.value.path == PATH and caught.value.line == 3 and message in caught.value.message


def test_formulas_use_the_macros(tmp_path):
    macros = parse_macros(MACROS, PATH)
    used = [Formula(r"\vw \in \R^d, \norm{\vw} = \inner{\vw}{\vw}, \E", True, 1)]
    spelled = [Formula(r"\mathbf{w} \in \mathbb{R}^d, \left\lVert \mathbf{w} \right\rVert = "
                       r"\langle \mathbf{w}, \mathbf{w} \rangle, \mathbb{E}", True, 1)]
    [with_macros], [without] = (render_formulas(formulas, "lecture.md", Store(tmp_path), macros=given)
                                for formulas, given in ((used, macros), (spelled, NO_MACROS)))
    source = re.compile(r'<annotation encoding="application/x-tex">.*?</annotation>', re.S)  # the TeX as written
    assert source.sub("", with_macros) == source.sub("", without) and "\\vw" in with_macros


def test_a_macro_katex_rejects_names_its_line_in_the_macro_file(tmp_path):
    macros = parse_macros(MACROS + "\\newcommand{\\bad}{\\frac{1}}\n\\newcommand{\\E}{\\notacommand}\n"
                          .replace("\\E}", "\\Ex}"), PATH)
    for formulas in ([Formula("x", False, 1)], []):  # a page without formulas checks them too
        with pytest.raises(BuildError) as caught:
            render_formulas(formulas, "lecture.md", Store(tmp_path), macros=macros)
        assert caught.value.path == PATH and caught.value.line == 8  # the first bad one
        assert r"macro \bad cannot be typeset" in caught.value.message and "KaTeX parse error" in caught.value.message


def test_an_edited_macro_renders_again(tmp_path, monkeypatch):
    store, formula = Store(tmp_path), [Formula(r"\vw", False, 1)]
    bold = render_formulas(formula, "lecture.md", store, macros=parse_macros(MACROS, PATH))
    edited = parse_macros(MACROS.replace(r"\mathbf{w}", r"\mathbf{u}"), PATH)
    assert render_formulas(formula, "lecture.md", store, macros=edited) != bold

    def no_node(*args, **kwargs):
        raise AssertionError("node started although the formula and its macros are cached")
    monkeypatch.setattr(subprocess, "Popen", no_node)
    assert render_formulas(formula, "lecture.md", store, macros=parse_macros(MACROS, PATH)) == bold


def write_macros(root, text):
    (Path(root) / "content").mkdir(parents=True, exist_ok=True)
    (Path(root) / "content" / "macros.tex").write_text(textwrap.dedent(text))


def test_lecture_and_home_page_use_the_course_macros(tmp_path):
    write_macros(tmp_path, MACROS)
    intro = INDEX_WITH_MACROS.replace("A course for tests.", r"A course on $\vw \in \R^d$.")
    write_lecture(tmp_path, lecture=LECTURE.replace("$w^2$", r"$\norm{\vw}^2$"), index=intro)
    build.build(**build_args(tmp_path))
    page = (tmp_path / "site" / "tiny" / "index.html").read_text()
    home = (tmp_path / "site" / "index.html").read_text()
    assert '<mi mathvariant="bold">w</mi>' in page and "∥" in page
    assert '<mi mathvariant="bold">w</mi>' in home and '<mi mathvariant="double-struck">R</mi>' in home


def test_an_edited_macro_changes_the_page_on_a_rebuild(tmp_path):
    write_macros(tmp_path, MACROS)
    write_lecture(tmp_path, lecture=LECTURE.replace("$w^2$", r"$\vw^2$"), index=INDEX_WITH_MACROS)
    build.build(**build_args(tmp_path))
    page = tmp_path / "site" / "tiny" / "index.html"
    assert '<mi mathvariant="bold">w</mi>' in page.read_text()
    write_macros(tmp_path, MACROS.replace(r"\mathbf{w}", r"\mathbf{u}"))
    again = build.build(**build_args(tmp_path))
    html = page.read_text()
    assert '<mi mathvariant="bold">u</mi>' in html and '<mi mathvariant="bold">w</mi>' not in html  # no stale formula
    assert again["computed"] == 0 and again["rendered"] == 0 and again["pages_rendered"] == 2
    write_macros(tmp_path, MACROS.replace("% the reals", "% a comment changes no meaning"))
    back = build.build(**build_args(tmp_path))  # `w` again: its pages are still in the store
    assert '<mi mathvariant="bold">w</mi>' in page.read_text() and back["pages_rendered"] == 0


def test_a_bad_macro_file_fails_the_build_at_its_line(tmp_path):
    write_macros(tmp_path, MACROS.replace("\n\n", "\n\\newcommand{\\vx}{\\mathbf{x}\n", 1))
    error = failing_build(tmp_path, index=INDEX_WITH_MACROS)
    assert error.path.name == "macros.tex" and error.line == 3 and "no closing brace" in str(error)


def test_a_macro_katex_rejects_fails_the_build_at_its_line(tmp_path):
    write_macros(tmp_path, MACROS.replace("\n\n", "\n\\newcommand{\\vx}{\\mathbf{x}^}\n", 1))
    error = failing_build(tmp_path, index=INDEX_WITH_MACROS)
    assert error.path.name == "macros.tex" and error.line == 3 and r"macro \vx cannot be typeset" in str(error)


@pytest.mark.parametrize("name, message", [("missing.tex", "is not a file"), ("../macros.tex", "is outside")])
def test_a_macros_file_that_is_not_there_names_index_md_and_its_line(tmp_path, name, message):
    write_macros(tmp_path, MACROS)
    (tmp_path / "macros.tex").write_text(MACROS)
    error = failing_build(tmp_path, index=INDEX_WITH_MACROS.replace("macros.tex", name))
    assert error.path.name == "index.md" and error.line == 3 and message in str(error)
