"""End-to-end builds of a tiny course with a callout and an exercise, with and without its solutions."""
import hashlib
import re
from pathlib import Path

import build
from tiny_lecture import FIGURES, INDEX, LECTURE, build_args, write_lecture

PRACTICE = LECTURE + '''
## Practice

!!! key-idea
    The minimizer is a grid point: $w^\\star = {{ demo.minimizer | sig(3) }}$.

!!! exercise "Double it"
    What is twice the minimizer? See [the exercise](#exercise-1).

    ??? hint
        HINT-TEXT: multiply {{ demo.minimizer | sig(3) }} by two.

    ??? solution
        ANSWER-TEXT: it is {{ demo.doubled | sig(3) }}, as $2 w^\\star = {{ demo.doubled | sig(3) }}$.

        ![ANSWER-ALT: the doubled minimizer on the parabola.](fig:answer-plot "ANSWER-CAPTION")
'''

FIGURES_WITH_ANSWER = FIGURES + '''

@figure
def answer_plot(squares):
    fig = new_figure(3, 2)
    fig.add_subplot().plot(squares["w"], squares["f"])
    return fig
'''

NO_SOLUTIONS = INDEX.replace("title: Test Course\n", "title: Test Course\nsolutions: false\n")
SECRETS = [b"ANSWER"]  # in every line of the solution


def write(root, index=INDEX):
    return write_lecture(root, lecture=PRACTICE, figures=FIGURES_WITH_ANSWER, index=index)


def site_files(root):
    return {p.relative_to(root / "site").as_posix(): p.read_bytes()
            for p in sorted((root / "site").rglob("*")) if p.is_file()}


def digest(files):
    return hashlib.sha256(b"".join(name.encode() + b"\0" + data for name, data in files.items())).hexdigest()


def test_solutions_are_on_the_page_folded_and_quote_computed_numbers(tmp_path):
    write(tmp_path)
    build.build(**build_args(tmp_path))
    page = (tmp_path / "site" / "tiny" / "index.html").read_text()
    solution = re.search(r'<details class="solution">\s*<summary>Solution</summary>(.*?)</details>', page, re.S)
    assert solution, "the solution is a closed <details> with its summary"
    doubled = re.search(r"twice it is ([^.]+\.\d+)", page).group(1)
    assert f"ANSWER-TEXT: it is {doubled}" in solution.group(1) and 'class="katex"' in solution.group(1)
    assert 'src="figures/answer-plot.png"' in solution.group(1)
    assert '<h3 class="exercise-title" id="exercise-1"><span class="exercise-number">Exercise 1.</span> Double it' in page
    assert '<details class="hint">' in page and "HINT-TEXT" in page and 'role="note"' in page
    assert (tmp_path / "site" / "tiny" / "figures" / "answer-plot.png").is_file()


def test_without_solutions_the_site_holds_no_trace_of_them(tmp_path):
    write(tmp_path)
    build.build(**build_args(tmp_path))
    shown = site_files(tmp_path)
    write(tmp_path, index=NO_SOLUTIONS)
    toggled = build.build(**build_args(tmp_path))
    withheld = site_files(tmp_path)

    assert toggled["pages_rendered"] == 2, "the setting is part of every page's key"
    for name, data in withheld.items():
        assert not [s for s in SECRETS if s in data], f"{name} holds solution text"
        assert not re.search(rb"solution", data, re.I), f"{name} has the word 'solution'"
    page = withheld["tiny/index.html"].decode()
    assert "HINT-TEXT" in page and 'id="exercise-1"' in page and 'class="callout key-idea"' in page
    assert withheld["tiny/results.json"] == shown["tiny/results.json"]
    assert not [name for name in withheld if "answer-plot" in name], "a figure only the solution showed"
    # The search index's files are named by their content, which differs (tests/test_search.py reads it).
    assert {name for name in shown if name not in withheld and not name.startswith("pagefind/")} == {
        f"tiny/figures/answer-plot{role}.png" for role in ("", "@2x", ".dark", ".dark@2x")}  # each scheme and density
    assert "tiny/figures/parabola.png" in withheld

    cold = tmp_path / "cold"  # built from nothing with the same setting: the same site
    write(cold, index=NO_SOLUTIONS)
    build.build(**build_args(cold))
    assert digest(site_files(cold)) == digest(withheld)

    write(tmp_path)  # and back: the pages rendered with solutions come from the cache again
    again = build.build(**build_args(tmp_path))
    assert again["pages_rendered"] == 0 and digest(site_files(tmp_path)) == digest(shown)


def test_a_block_of_no_known_kind_fails_the_build_with_file_and_line(tmp_path):
    write_lecture(tmp_path, lecture=PRACTICE.replace("!!! key-idea", "!!! keyidea"), figures=FIGURES_WITH_ANSWER)
    try:
        build.build(**build_args(tmp_path))
    except build.BuildError as error:
        assert Path(error.path).name == "lecture.md" and error.line == PRACTICE.splitlines().index("!!! key-idea") + 1
        assert "did you mean 'key-idea'?" in str(error)
    else:
        raise AssertionError("the build did not fail")
    assert not (tmp_path / "site").exists()
