"""A lecture in parts: pages that share its results, numbering and results.json, with cross-references among them."""
import json
import re

import pytest

import build
from lecturekit.engine.errors import BuildError
from lecturekit.engine.prose import sig
from test_blocks import tree
from tiny_lecture import build_args, write_lecture

FIRST = '''---
title: Tiny
number: 1
summary: A lecture in parts.
parts:
  - basics.md
  - more.md
---
What the lecture is for. Its first result is in @sec:result, and @fig:parabola shows it;
the update rule is @eq:update and the first exercise is @ex:first.
'''

BASICS = '''---
title: The basics
summary: The minimizer and a figure.
---
## The result {#sec:result}

The minimizer is {{ demo.minimizer | sig(3) }}.

$$
w_{t+1} = w_t - \\eta \\nabla f(w_t) \\label{eq:update}
$$

![A parabola with its minimum at {{ demo.minimizer | sig(2) }}.](fig:parabola "A parabola.")

!!! definition "Minimizer" {#definition:minimizer}
    A point where the function is smallest.

!!! exercise "First" {#ex:first}
    Find the minimizer; compare @fig:parabola.

    ??? solution
        It is {{ demo.minimizer | sig(3) }}: see @eq:update.
'''

MORE = '''---
title: More
---
## Twice the result

Twice the minimizer (from @sec:result, using @definition:minimizer) is {{ demo.doubled | sig(3) }}.

### A subsection {#sec:sub}

$$
g(w) = 2w \\label{eq:double}
$$

!!! exercise "Second"
    Use @eq:update and @eq:double; see also @ex:first and @sec:sub.
'''

PARTS = {"basics.md": BASICS, "more.md": MORE}


def write_parts(root, first=FIRST, parts=PARTS, **kwargs):
    content = write_lecture(root, lecture=first, **kwargs)
    for name, text in parts.items():
        (content / "tiny" / name).write_text(text)
    return content


def page(root, name):
    return tree((root / "site" / "tiny" / name).read_text())


def link(page, text):
    """href of the cross-reference link whose text is `text`."""
    found = [a.attrs["href"] for a in page.find_all("a", "xref") if a.text == text]
    assert found, f"no link {text!r}"
    return found[0]


def by_id(page, ident):
    found = [e for e in page.iter() if e.attrs.get("id") == ident]
    return found[0] if found else None


def first(page, tag, cls=None):
    return page.find_all(tag, cls)[0]


def test_each_part_is_a_page_sharing_the_lectures_results_and_results_json(tmp_path):
    write_parts(tmp_path)
    summary = build.build(**build_args(tmp_path))
    site = tmp_path / "site" / "tiny"
    assert sorted(p.name for p in site.glob("*.html")) == ["basics.html", "index.html", "more.html"]
    results = json.loads((site / "results.json").read_text())
    basics, more = page(tmp_path, "basics.html"), page(tmp_path, "more.html")
    assert f"The minimizer is {sig(results['demo']['minimizer'], 3)}." in basics.text
    assert f"is {sig(results['demo']['doubled'], 3)}" in more.text
    assert first(basics, "h1").text == "The basics" and "Part 1" in first(basics, "p", "lecture-number").text
    assert summary["pages_rendered"] == 4  # three pages and the home page


def test_parts_are_listed_on_the_first_page_and_chained_by_previous_and_next(tmp_path):
    write_parts(tmp_path)
    build.build(**build_args(tmp_path))
    opening, basics, more = (page(tmp_path, n) for n in ("index.html", "basics.html", "more.html"))
    listed = first(first(opening, "nav", "lecture-parts"), "ol").find_all("a")
    assert [(a.text, a.attrs["href"]) for a in listed] == [("The basics", "../tiny/basics.html"),
                                                           ("More", "../tiny/more.html")]
    assert "The minimizer and a figure." in first(opening, "nav", "lecture-parts").text
    pager = {name: {a.attrs["rel"]: a.attrs["href"] for a in first(soup, "nav", "pager").find_all("a") if "rel" in a.attrs}
             for name, soup in (("first", opening), ("basics", basics), ("more", more))}
    assert pager["first"] == {"next": "../tiny/basics.html"}
    assert pager["basics"] == {"prev": "../tiny/index.html", "next": "../tiny/more.html"}
    assert pager["more"] == {"prev": "../tiny/basics.html"}


def test_numbers_run_through_the_parts_and_citations_link_across_them(tmp_path):
    write_parts(tmp_path)
    build.build(**build_args(tmp_path))
    opening, basics, more = (page(tmp_path, n) for n in ("index.html", "basics.html", "more.html"))
    # Defined in basics: cited from the first page (another page) and from basics itself (this page).
    assert link(opening, "Section 1") == "basics.html#sec:result"
    assert link(opening, "Figure 1") == "basics.html#fig-parabola"
    assert link(opening, "Equation (1)") == "basics.html#eq-update"
    assert link(opening, "Exercise 1") == "basics.html#exercise-1"
    assert link(basics, "Figure 1") == "#fig-parabola" and link(basics, "Equation (1)") == "#eq-update"
    # Numbers go on from the part before: section 2, its subsection 2.1, equation (2), exercise 2.
    assert [number.text for number in more.find_all("span", "section-number")] == ["2", "2.1"]
    assert link(more, "Section 2.1") == "#sec:sub" and link(more, "Equation (2)") == "#eq-double"
    assert link(more, "Definition 1") == "basics.html#definition-minimizer"
    assert by_id(more, "exercise-2") is not None and link(more, "Exercise 1") == "basics.html#exercise-1"
    # Each target exists where its link points, with the number the link says.
    assert "(1)" in by_id(basics, "eq-update").text and "(2)" in by_id(more, "eq-double").text
    # A numbered equation scrolls in its own box on a narrow screen, as every display formula does.
    assert by_id(basics, "eq-update").parent.classes == ["math-display"]
    assert first(by_id(basics, "fig-parabola"), "span", "figure-number").text == "Figure 1."
    assert first(by_id(basics, "definition-minimizer"), "span", "callout-kind").text == "Definition 1:"
    # The solution's citation is linked too; the contents list carries the section numbers.
    assert "Equation (1)" in first(basics, "details", "solution").text
    toc = [a.text for a in first(more, "nav", "toc").find_all("a")]
    assert toc[:2] == ["2 Twice the result", "2.1 A subsection"]


def test_adding_a_figure_late_renumbers_nothing_before_it(tmp_path):
    write_parts(tmp_path)
    build.build(**build_args(tmp_path))
    before = {n: (tmp_path / "site" / "tiny" / n).read_text() for n in ("index.html", "basics.html")}
    late = MORE + '\n## Late\n\n![Again.](fig:parabola "Shown again.")\n\n$$ h = 1 \\label{eq:late} $$\n'
    write_parts(tmp_path, parts={**PARTS, "more.md": late})
    build.build(**build_args(tmp_path))
    assert {n: (tmp_path / "site" / "tiny" / n).read_text() for n in before} == before
    assert "Figure 2." in (tmp_path / "site" / "tiny" / "more.html").read_text()


def test_a_single_file_lecture_is_one_page_as_before(tmp_path):
    write_lecture(tmp_path)
    build.build(**build_args(tmp_path))
    assert [p.name for p in (tmp_path / "site" / "tiny").glob("*.html")] == ["index.html"]


def error_for(tmp_path, first=FIRST, parts=PARTS):
    write_parts(tmp_path, first, parts)
    with pytest.raises(BuildError) as caught:
        build.build(**build_args(tmp_path))
    return caught.value


def line_of(text, needle):
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


@pytest.mark.parametrize("cite, close", [("@fig:parabol", "fig:parabola"), ("@eq:updat", "eq:update"),
                                         ("@sec:results", "sec:result"), ("@ex:frist", "ex:first")])
def test_an_unknown_label_names_file_line_and_the_closest_labels(tmp_path, cite, close):
    more = MORE.replace("Use @eq:update", f"Use {cite}")
    error = error_for(tmp_path, parts={**PARTS, "more.md": more})
    assert error.path.name == "more.md" and error.line == line_of(more, cite)
    assert f"'{cite}'" in str(error) and close in str(error)


def test_a_label_given_twice_names_both_places(tmp_path):
    more = MORE.replace("{#sec:sub}", "{#sec:result}")
    error = error_for(tmp_path, parts={**PARTS, "more.md": more})
    assert error.path.name == "more.md" and error.line == line_of(more, "{#sec:result}")
    assert "basics.md, line" in str(error) and "sec:result" in str(error)


@pytest.mark.parametrize("old, new, message", [
    ("@eq:update and", "@equation:update and", "cites no kind of label; did you mean @eq"),
    ('"Second"', '"Second" {#fig:second}', "its label starts 'ex:'"),
    ("g(w) = 2w \\label{eq:double}", "g(w) = 2w \\label{double}", "is not kind:name"),
])
def test_a_malformed_label_or_citation_names_its_line(tmp_path, old, new, message):
    assert old in MORE
    more = MORE.replace(old, new)
    error = error_for(tmp_path, parts={**PARTS, "more.md": more})
    assert error.path.name == "more.md" and message in str(error)
    assert error.line == line_of(more, new.split(" ")[-1].strip('"'))


@pytest.mark.parametrize("parts_list, message, path", [
    ("  - basics.md\n  - mroe.md", "not a file of this lecture; did you mean more.md?", "lecture.md"),
    ("  - basics.md\n  - basics.md\n  - more.md", "listed twice", "lecture.md"),
    ("  - basics.md", "is not a part of the lecture", "more.md"),
    ("  - ../basics.md\n  - more.md", "a part is a Markdown file beside lecture.md", "lecture.md"),
])
def test_a_wrong_list_of_parts_is_an_error_with_its_file(tmp_path, parts_list, message, path):
    first = FIRST.replace("  - basics.md\n  - more.md", parts_list)
    error = error_for(tmp_path, first=first)
    assert message in str(error) and error.path.name == path


def test_a_part_without_a_title_or_with_an_unknown_key_is_an_error_at_its_line(tmp_path):
    error = error_for(tmp_path, parts={**PARTS, "more.md": MORE.replace("title: More", "titel: More")})
    assert error.path.name == "more.md" and error.line == 2 and "did you mean 'title'" in str(error)


def test_citations_in_code_are_code(tmp_path):
    basics = BASICS + "\n```\nsee @fig:nothing-here\n```\n\nAnd `@eq:nothing` inline.\n"
    write_parts(tmp_path, parts={**PARTS, "basics.md": basics})
    build.build(**build_args(tmp_path))
    text = (tmp_path / "site" / "tiny" / "basics.html").read_text()
    assert "@fig:nothing-here" in text and "@eq:nothing" in text


def test_without_solutions_the_numbers_of_everything_else_stay(tmp_path):
    index = "---\ntitle: Test Course\nsolutions: false\n---\nA course for tests.\n"
    write_parts(tmp_path, index=index)
    build.build(**build_args(tmp_path))
    basics = page(tmp_path, "basics.html")
    assert not basics.find_all("details", "solution") and link(basics, "Figure 1") == "#fig-parabola"
    assert re.search(r"\(1\)", by_id(basics, "eq-update").text)


def test_no_mark_reaches_a_page(tmp_path):
    write_parts(tmp_path)
    build.build(**build_args(tmp_path))
    for html in (tmp_path / "site" / "tiny").glob("*.html"):
        assert "XREF" not in html.read_text() and "xlabel" not in html.read_text()


def test_a_prose_edit_in_one_part_writes_only_that_parts_body_again(tmp_path, monkeypatch):
    from lecturekit.engine import bodies
    write_parts(tmp_path)
    build.build(**build_args(tmp_path))
    written = []
    real = bodies.page_body
    monkeypatch.setattr(bodies, "page_body", lambda text, path, *args, **kw: written.append(path.name) or
                        real(text, path, *args, **kw))
    write_parts(tmp_path, parts={**PARTS, "more.md": MORE.replace("Twice the minimizer", "Two times the minimizer")})
    build.build(**build_args(tmp_path))
    assert written == ["more.md"]
    assert "Two times the minimizer" in (tmp_path / "site" / "tiny" / "more.html").read_text()
    # An edit that adds a section to the first part moves the numbers after it: the later parts are written again.
    written.clear()
    write_parts(tmp_path, parts={**PARTS, "basics.md": BASICS + "\n## Another section\n\nText.\n"})
    build.build(**build_args(tmp_path))
    assert written == ["basics.md", "more.md"]
    assert [n.text for n in page(tmp_path, "more.html").find_all("span", "section-number")] == ["3", "3.1"]
