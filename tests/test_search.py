"""The search index: Pagefind's index of the built pages, by section, without what the site withholds.

The index is read back as Pagefind wrote it: each page's fragment is gzipped
JSON (after a `pagefind_dcd` signature) with the page's text and its anchors.
What it should hold is read from the built page's HTML, independently.
"""
import gzip
import html
import json
import re

import pytest

import build
from lecturekit.engine import search
from lecturekit.engine.errors import BuildError
from test_solutions_build import FIGURES_WITH_ANSWER, NO_SOLUTIONS, PRACTICE
from tiny_lecture import INDEX, build_args, write_lecture

SIGNATURE = b"pagefind_dcd"


def fragments(site):
    """What the index holds of each page: {url: fragment}, read from the built site."""
    found = {}
    for path in sorted((site / "pagefind" / "fragment").glob("*.pf_fragment")):
        data = gzip.decompress(path.read_bytes())
        assert data.startswith(SIGNATURE), path
        fragment = json.loads(data[len(SIGNATURE):])
        found[fragment["url"]] = fragment
    return found


def text_of(markup):
    """Plain text of an HTML snippet, spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def write(root, index=INDEX):
    return write_lecture(root, lecture=PRACTICE, figures=FIGURES_WITH_ANSWER, index=index)


@pytest.fixture
def runs(monkeypatch):
    """Counts the times Pagefind is run."""
    calls = []
    real = search.run_pagefind

    def counted(pages):
        calls.append(sorted(pages))
        return real(pages)
    monkeypatch.setattr(search, "run_pagefind", counted)
    return calls


def test_each_lecture_page_is_indexed_by_its_sections_and_nothing_around_them(tmp_path):
    write(tmp_path)
    build.build(**build_args(tmp_path))
    site = tmp_path / "site"
    page = (site / "tiny" / "index.html").read_text()
    indexed = fragments(site)
    assert list(indexed) == ["tiny/index.html"], "the lecture is indexed, the home page (no marked body) is not"
    fragment = indexed["tiny/index.html"]
    main = re.search(r"<main[^>]*data-pagefind-body[^>]*>(.*?)</main>", page, re.S).group(1)
    headings = dict(re.findall(r'<h[23][^>]*\bid="([^"]+)"[^>]*>(.*?)</h[23]>', main, re.S))
    assert headings, "the page has sections"
    anchors = {a["id"]: a["text"] for a in fragment["anchors"] if a["element"] in ("h2", "h3")}
    without_pilcrow = {id_: text_of(re.sub(r'<a class="headerlink".*?</a>', "", text))
                       for id_, text in headings.items()}
    assert anchors == without_pilcrow, "every section is a result of its own, titled by its heading"
    sentence = text_of(re.search(r"<p>(The minimizer is .*?)</p>", page, re.S).group(1))
    assert sentence.split(" Inline math")[0] in fragment["content"], "the computed numbers are searchable"
    assert fragment["meta"]["title"] == text_of(re.search(r"<h1>(.*?)</h1>", page).group(1))
    for formula in re.findall(r"<math.*?</math>", main, re.S):  # KaTeX's MathML: its text, not its TeX
        tex = html.unescape(re.search(r"<annotation[^>]*>(.*?)</annotation>", formula, re.S).group(1))
        shown = text_of(re.sub(r"<annotation.*?</annotation>", "", formula)).replace(" ", "")
        assert shown in fragment["content"] and tex not in fragment["content"], tex
    footer = text_of(re.search(r'<footer class="site-footer">(.*?)</footer>', page, re.S).group(1))
    pager = text_of(re.search(r'<nav class="pager"[^>]*>(.*?)</nav>', page, re.S).group(1))
    for outside in (footer, pager, "Contents", "results.json"):
        assert outside not in fragment["content"], f"{outside!r} is not the lecture's text"


def test_without_solutions_the_index_holds_no_solution_text(tmp_path):
    write(tmp_path)
    build.build(**build_args(tmp_path))
    shown = fragments(tmp_path / "site")["tiny/index.html"]["content"]
    write(tmp_path, index=NO_SOLUTIONS)
    build.build(**build_args(tmp_path))
    withheld = fragments(tmp_path / "site")["tiny/index.html"]["content"]
    assert "ANSWER-TEXT" in shown and "HINT-TEXT" in shown, "with solutions, the index holds them"
    assert "ANSWER" not in withheld and "HINT-TEXT" in withheld, "without, only the hint"


def test_pagefind_runs_only_when_the_pages_change(tmp_path, runs):
    write(tmp_path)
    build.build(**build_args(tmp_path))
    index = tmp_path / "site" / "pagefind"
    before = {p.relative_to(index): p.read_bytes() for p in index.rglob("*") if p.is_file()}
    assert runs == [["tiny/index.html"]]

    build.build(**build_args(tmp_path))
    assert len(runs) == 1, "a build whose pages did not change takes the index from the store"
    assert {p.relative_to(index): p.read_bytes() for p in index.rglob("*") if p.is_file()} == before

    lecture = tmp_path / "content" / "tiny" / "lecture.md"
    lecture.write_text(lecture.read_text() + "\nA sentence about zebras, added later.\n")
    build.build(**build_args(tmp_path))
    assert len(runs) == 2, "an edited page is indexed again"
    assert "zebras" in fragments(tmp_path / "site")["tiny/index.html"]["content"]


def test_the_index_ships_the_default_ui_and_leaves_out_the_others(tmp_path):
    write(tmp_path)
    build.build(**build_args(tmp_path))
    index = tmp_path / "site" / "pagefind"
    names = {p.name for p in index.iterdir()}
    page = (tmp_path / "site" / "tiny" / "index.html").read_text()
    for used in re.findall(r'"\.\./pagefind/([^"]+)"', page) + ["pagefind-ui.js", "pagefind.js", "pagefind-entry.json"]:
        assert used in names
    assert not [n for n in names if n.startswith(search.UNUSED)]
    assert (tmp_path / "site" / "assets" / "search.js").read_bytes() == search.GLUE.read_bytes()


def test_without_pagefind_installed_the_build_says_how_to_install_it(tmp_path, monkeypatch):
    write(tmp_path)
    monkeypatch.setattr(search, "PAGEFIND_DIR", tmp_path / "node_modules" / "pagefind")
    with pytest.raises(BuildError, match="Pagefind is not installed .*npm ci"):
        build.build(**build_args(tmp_path))
    assert not (tmp_path / "site").exists(), "no site without its search"
