"""Build-time math: detection in Markdown, KaTeX rendering, cache, assets."""

import re
import subprocess

import markdown
import pytest

from lecturekit.engine import mathtex, node
from lecturekit.engine.errors import BuildError
from lecturekit.engine.store import Store
from lecturekit.engine.mathtex import katex_assets, render_formulas, source_lines
from lecturekit.engine.mathtokens import Formula, protect_math, restore_math

PATH = "content/lec01/index.md"
TOKEN = re.compile(r"MATHTOKEN\d+X")


def test_inline_and_display_detected_with_lines():
    src = "Intro $a+b$ text.\n\n$$\nx^2\n+ y\n$$\n\nAnd $$\\sum_i i$$ then $c$.\n"
    text, formulas = protect_math(src, PATH)
    assert formulas == [
        Formula("a+b", False, 1),
        Formula("x^2\n+ y", True, 3),
        Formula("\\sum_i i", True, 8),
        Formula("c", False, 8),
    ]
    assert "$" not in text
    assert len(TOKEN.findall(text)) == 4


def test_code_is_untouched():
    src = (
        "Use `$x$` and ``a `$y$` b`` here, but $z$ is math.\n"
        "\n"
        "```\nprice = \"$a$\"\n$$\n```\n"
        "\n"
        "~~~~python\nx = '$b$'\n~~~~\n"
        "\n"
        "    shell $ echo $HOME $c$\n"
    )
    text, formulas = protect_math(src, PATH)
    assert [f.tex for f in formulas] == ["z"]
    assert formulas[0].line == 1
    assert text == src.replace("$z$", "MATHTOKEN0000X")


def test_math_inside_callouts_and_exercises_is_found_and_their_code_is_not():
    src = (
        '!!! note "About $a$"\n    First $b$.\n\n    Second paragraph $c$.\n\n    $$\n    d\n    $$\n\n'
        "    ??? hint\n        Hint $e$.\n\n        Its second paragraph $f$.\n\n            code $x$\n\n"
        "    Back in the note $g$.\n\n        code $y$\n\n"
        "- a list item\n\n    !!! tip\n        In a list $h$.\n\n        Again $i$.\n\n"
        "Outside.\n\n    code $z$\n"
    )
    text, formulas = protect_math(src, PATH)
    assert [f.tex for f in formulas] == list("abcdefghi")
    assert [f.line for f in formulas] == [1, 2, 4, 6, 11, 13, 17, 24, 26]
    assert all(f"code ${name}$" in text for name in "xyz")


def test_escaped_and_lone_dollars_are_text():
    src = "It costs \\$5, or $5 and $6 for two; \\$x\\$ is not math but $x$ is.\n"
    text, formulas = protect_math(src, PATH)
    assert [f.tex for f in formulas] == ["x"]
    assert text == "It costs $5, or $5 and $6 for two; $x$ is not math but MATHTOKEN0000X is.\n"


def test_unterminated_display_math_names_file_and_line():
    src = "Fine $a$.\n\n$$\nx + y\n\nMore text.\n"
    with pytest.raises(BuildError) as err:
        protect_math(src, PATH)
    assert err.value.path == PATH and err.value.line == 3
    assert str(err.value).startswith(f"{PATH}:3:")


def test_round_trip_through_markdown(tmp_path):
    src = "# Loss\n\nThe *loss* $L(w)$ is\n$$\n\\operatorname*{arg\\,min}_{w} L(w)\n$$\nwhere $w \\in \\mathbb{R}^d$.\n\n$y$\n"
    text, formulas = protect_math(src, PATH)
    html = restore_math(markdown.markdown(text), render_formulas(formulas, PATH, Store(tmp_path)))
    assert not TOKEN.search(html)
    assert html.count('class="katex"') == 4
    assert html.count('<div class="math-display"><span class="katex-display">') == 1
    for p in re.findall(r"<p>.*?</p>", html, re.S):
        assert "katex-display" not in p and "math-display" not in p
    assert "<em>loss</em>" in html
    # an inline formula alone in its paragraph stays inline
    assert re.search(r'<p><span class="katex">.*</span></p>\s*$', html, re.S)


def test_bad_formula_reports_path_line_and_katex_message(tmp_path):
    for src, line, message in [
        ("Good $a$.\n\nBad $\\frac{1}{$ here.\n", 3, "Unexpected end of input"),
        ("Text.\n\n$$\n\\notacommand{x}\n$$\n", 3, "Undefined control sequence: \\notacommand"),
    ]:
        _, formulas = protect_math(src, PATH)
        with pytest.raises(BuildError) as err:
            render_formulas(formulas, PATH, Store(tmp_path))
        msg = str(err.value)
        assert msg.startswith(f"{PATH}:{line}: cannot render formula: KaTeX parse error: ")
        assert message in msg


def test_cache_means_no_node_on_rebuild(tmp_path, monkeypatch):
    formulas = [Formula(f"x_{{{i}}}", i % 2 == 0, i + 1) for i in range(10)] + [Formula("x_{0}", True, 99)]
    calls = []
    real_popen = subprocess.Popen

    def counting_popen(*args, **kwargs):
        calls.append(args)
        return real_popen(*args, **kwargs)

    monkeypatch.setattr(subprocess, "Popen", counting_popen)
    first = render_formulas(formulas, PATH, Store(tmp_path))
    assert len(calls) == 1  # one Node process for all formulas
    assert len(list((tmp_path / "math").iterdir())) == 10  # one file per distinct formula
    assert first[0] == first[-1] and first[0] != first[2]

    def no_node(*args, **kwargs):
        raise AssertionError("node started although every formula is cached")

    monkeypatch.setattr(subprocess, "run", no_node)
    monkeypatch.setattr(subprocess, "Popen", no_node)
    assert render_formulas(formulas, PATH, Store(tmp_path)) == first
    # display flag is part of the key: same tex, other mode, must render
    with pytest.raises(AssertionError):
        render_formulas([Formula("x_{0}", False, 1)], PATH, Store(tmp_path))


def test_static_formulas_are_typeset_in_the_background(tmp_path, monkeypatch):
    text = "Static $a^2$ and $$b_1$$, one with a number $c = {{ demo.c }}$, and a bad one $\\frac{$.\n"
    finish = mathtex.prerender_static_math(text, Store(tmp_path))
    finish()  # waits for Node; the bad formula is left for the page to report
    assert len(list((tmp_path / "math").iterdir())) == 2

    def no_node(*args, **kwargs):
        raise AssertionError("node started although the static formulas are cached")

    monkeypatch.setattr(subprocess, "Popen", no_node)
    assert render_formulas(protect_math("$a^2$ $$b_1$$", PATH)[1], PATH, Store(tmp_path))
    mathtex.prerender_static_math("$a^2$ and $c = {{ demo.c }}$", Store(tmp_path))()  # cached or dynamic: no Node


def lines_after_jinja(source, rendered):
    return source_lines(protect_math(rendered, PATH)[1], source, PATH)


def test_formula_lines_are_lines_of_the_source_after_jinja_adds_lines():
    source = "$a$\n{{ code }}\n$b = {{ x }}$\n"
    assert lines_after_jinja(source, "$a$\nline\nline\nline\n$b = 3$\n") == [1, 3]


def test_a_loop_repeats_a_formula_and_an_untaken_branch_skips_some():
    source = ("{% for g in gs %}$y_{{ g }}$ {% endfor %}\n"
              "{% if tie %}$w = {{ a }}$\nand $w = {{ b }}$\n{% else %}\n$w^* = {{ a }}$\n{% endif %}\n$z$\n")
    rendered = "$y_1$ $y_2$ $y_3$ \n\n$w^* = 4$\n\n$z$\n"
    assert lines_after_jinja(source, rendered) == [1, 1, 1, 5, 7]


def test_equal_formulas_on_different_lines_keep_their_own_lines():
    source = "$w$\n\n{{ block }}\n\n$w$\n"
    assert lines_after_jinja(source, "$w$\n\nA\nB\nC\n\n$w$\n") == [1, 5]


def test_formulas_jinja_made_up_have_no_source_line():
    assert lines_after_jinja("{{ made_up }}\n", "$q$\n") == [None]


def test_missing_node_says_how_to_fix(tmp_path, monkeypatch):
    monkeypatch.delenv("LECTUREKIT_NODE", raising=False)
    monkeypatch.setattr(node.shutil, "which", lambda name: None)
    with pytest.raises(BuildError) as err:
        render_formulas([Formula("x", False, 4)], PATH, Store(tmp_path))
    assert "Node.js" in str(err.value) and "npm ci" in str(err.value)


def test_lecture_macros_render(tmp_path):
    display = [
        r"\begin{align} L(w) &= \tfrac{1}{n}\lVert Xw - y \rVert^2 \\ \nabla L &= \tfrac{2}{n} X^\top (Xw - y) \end{align}",
        r"\begin{aligned} a &= b \\ c &= d \end{aligned}",
        r"X = \begin{bmatrix} 1 & x_1 \\ 1 & x_2 \end{bmatrix},\quad \mathcal{D} \subset \mathbb{R}^{d}",
    ]
    out = render_formulas([Formula(t, True, i) for i, t in enumerate(display)], PATH, Store(tmp_path))
    assert all(h.startswith('<span class="katex-display">') for h in out)
    assert "<mtable" in out[0] and "<mtable" in out[2]


def test_argmin_has_limits_below_in_display(tmp_path):
    for tex in [r"\arg\min_{w} L(w)", r"\operatorname*{arg\,min}_{w} L(w)"]:
        (html,) = render_formulas([Formula(tex, True, 1)], PATH, Store(tmp_path))
        assert "<munder>" in html
        assert "op-limits" in html


def test_katex_assets_are_woff2_only_and_complete():
    assets = katex_assets()
    css = assets["katex.min.css"].decode("utf-8")
    urls = re.findall(r"url\(([^)]*)\)", css)
    assert len(urls) >= 15
    assert css.count("@font-face") == len(urls)
    for url in urls:
        url = url.strip("'\"")
        assert url.startswith("fonts/") and url.endswith(".woff2"), url
        assert assets[url][:4] == b"wOF2", url
    assert ".woff)" not in css and ".ttf" not in css and "truetype" not in css
    assert sorted(assets) == sorted(["katex.min.css", *(u.strip("'\"") for u in urls)])


def test_scripts_with_operator_names_are_valid_mathml(tmp_path):
    """\\lambda_{\\max}: the script's <mi>max</mi><mo>&#8289;</mo> must be one child of <msub>."""
    import re
    text, formulas = protect_math(r"$\lambda_{\max} + \lambda_{\min}$", "m.md")
    html = restore_math(text, render_formulas(formulas, "m.md", Store(tmp_path)))
    for msub in re.findall(r"<msub>(.*?)</msub>", html):
        children = re.findall(r"<(mi|mo|mn|mrow)\b[^>]*>(?:(?!</?\1\b).)*</\1>", msub)
        assert len(children) == 2, msub
