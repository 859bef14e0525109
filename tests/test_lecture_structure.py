"""The Gradient Descent lecture's teaching structure and the code it shows, on a real build.

The lecture is built once into a temporary folder (reusing the repository's caches);
the tests read its Markdown for the structure an author writes (parts, takeaways,
exercises) and the published page for what a reader gets (references, code blocks).
"""
import ast
import importlib
import inspect
import pkgutil
import re
import sys
import textwrap
from html.parser import HTMLParser
from pathlib import Path

import pytest

import build
import lecture_pages
import lecturekit.numerics

ROOT = Path(__file__).resolve().parents[1]
SLUG = "gradient-descent"
PAGES = lecture_pages.markdown(ROOT / "content" / SLUG)  # {title: Markdown} of the first page and each part
OPENING = next(iter(PAGES.values()))
MARKDOWN = "\n".join(PAGES.values())
PARTS = [  # each part's title and the heading it starts with
    ("Optimization problems and convexity", "## Optimization basics"),
    ("Loss surfaces", "## Loss surfaces"),
    ("Gradients", "## Gradients"),
    ("Gradient descent", "## Gradient descent"),
    ("Curvature and convexity", "## Second-order structure"),
    ("Newton's method", "## Newton's method"),
    ("Ill-conditioning and momentum", "## Ill-conditioning and momentum"),
    ("Explore, and stochastic gradient descent", "## Explore"),
]
TAUGHT = {  # the algorithms the page must show, and the section (heading id) that teaches each
    "lecturekit.numerics.losses.logistic_nll": "sec:logistic",
    "lecturekit.numerics.losses.sine_mse": "sec:sine",
    "lecturekit.numerics.losses.logistic_nll_grad": "sec:logistic-gradient",
    "lecturekit.numerics.losses.sine_mse_grad": "sec:sine-gradient",
    "lecturekit.numerics.descent.descent_path": "sec:update-rule",
    "lecturekit.numerics.descent.momentum_path": "sec:momentum",
    "lecturekit.numerics.losses.logistic_nll_hessian": "sec:hessian",
    "lecturekit.numerics.losses.sine_mse_hessian": "sec:hessian",
    "lecturekit.numerics.newton.newton_path": "sec:newton",
    "lecturekit.numerics.quadratic.momentum_rate": "sec:momentum",
}


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    out = tmp_path_factory.mktemp("structure") / "site"
    build.build(ROOT / "content", out, ROOT / ".cache", ROOT / "figures", quiet=True)
    return lecture_pages.html(out / SLUG, ROOT / "content" / SLUG)  # every page, in reading order


def parts():
    """The lecture's parts, {title: Markdown}, in order (the first page, lecture.md, is not one)."""
    return dict(list(PAGES.items())[1:])


def test_the_parts_start_where_they_should():
    found = parts()
    assert list(found) == [name for name, _ in PARTS]
    for name, heading in PARTS:
        first = re.search(r"^## .*", found[name], flags=re.M).group(0)
        assert first.startswith(heading), (name, first)
    assert "## The code behind this page" in found[PARTS[-1][0]]
    assert "\n## " not in OPENING, "the first page opens the lecture: objectives and notation, no section"


def test_objectives_and_notation_open_the_lecture():
    opening = OPENING
    assert '!!! note "Learning objectives"' in opening and '!!! definition "Notation"' in opening
    objectives = opening[opening.index("Learning objectives"):opening.index('!!! definition "Notation"')]
    assert objectives.count("\n    - ") >= 5


def test_each_part_ends_with_its_key_takeaways():
    for name, text in parts().items():
        assert text.count('!!! key-idea "Key takeaways"') == 1, name
        after = text[text.index('!!! key-idea "Key takeaways"'):]
        later = re.findall(r"^#{2,3} .*", after, flags=re.M)
        assert later == ([] if name != PARTS[-1][0] else ["## Further reading {#sec:further-reading}"]), name
        assert len(re.findall(r"^    - ", after, flags=re.M)) >= 3, name


def test_exercises_with_solutions_in_every_part_several_quoting_numbers():
    total = quoting = 0
    for name, text in parts().items():
        exercises = re.split(r"^!!! exercise ", text, flags=re.M)[1:]
        assert len(exercises) >= 2, name
        for exercise in exercises:
            body = exercise.split("\n!!! ")[0].split("\n## ")[0]
            assert "    ??? solution" in body, exercise[:60]
            solution = body[body.index("??? solution"):]
            quoting += "{{" in solution
            total += 1
    assert total >= 8 and quoting >= 6


def test_definitions_and_warnings_are_callouts():
    assert len(re.findall(r"^!!! definition ", MARKDOWN, flags=re.M)) >= 5
    assert len(re.findall(r"^!!! warning ", MARKDOWN, flags=re.M)) >= 3


def test_further_reading_is_cited_by_number_and_has_the_sources(page):
    reading = page[page.index('id="sec:further-reading"'):]
    items = re.findall(r'<li><span id="ref-(\d+)"></span>(.*?)</li>', reading, flags=re.S)
    assert [int(n) for n, _ in items] == list(range(1, len(items) + 1))
    text = " ".join(body for _, body in items)
    for needed in ("https://d2l.ai/chapter_optimization/gd.html", "https://d2l.ai/chapter_optimization/momentum.html",
                   "https://distill.pub/2017/momentum/"):
        assert needed in text
    assert "Nocedal" in text or "Boyd" in text
    before = page[:page.index('id="sec:further-reading"')]
    before = re.sub(r"<(pre|code|script|annotation)\b.*?</\1>", "", before, flags=re.S)   # code and TeX are not prose
    prose = re.sub(r"<[^>]+>", "", before)
    cited = {int(n) for group in re.findall(r"\[(\d+(?:, \d+)*)(?:, Ch\. \d+)?\]", prose)
             for n in group.split(", ")}
    assert cited == set(range(1, len(items) + 1)), cited    # every source cited, no citation without a source


class CodeBlocks(HTMLParser):
    """(the id of the section heading above it, text) of every highlighted code block."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks, self.section, self.depth, self.text = [], None, 0, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("h2", "h3") and attrs.get("id") and "exercise-title" not in attrs.get("class", ""):
            self.section = attrs["id"]
        if tag == "div" and "highlight" in attrs.get("class", "").split():
            self.depth, self.text = 1, []
        elif self.depth and tag == "div":
            self.depth += 1

    def handle_endtag(self, tag):
        if self.depth and tag == "div":
            self.depth -= 1
            if not self.depth:
                self.blocks.append((self.section, "".join(self.text).rstrip()))

    def handle_data(self, data):
        if self.depth:
            self.text.append(data)


def code_blocks(page):
    parser = CodeBlocks()
    parser.feed(page)
    return parser.blocks


def project_functions():
    """Every function of lecturekit.numerics and of the lecture's own modules (imported by the `lecture`
    fixture's load_code), by dotted name."""
    modules = [importlib.import_module(f"lecturekit.numerics.{m.name}")
               for m in pkgutil.iter_modules(lecturekit.numerics.__path__)]
    modules += [m for name, m in list(sys.modules.items()) if name.startswith("lecture_gradient_descent.")]
    return {f"{m.__name__}.{name}": fn for m in modules for name, fn in vars(m).items()
            if inspect.isfunction(fn) and fn.__module__ == m.__name__}


def source(fn):
    return textwrap.dedent(inspect.getsource(fn)).rstrip()


def calls(fn, known):
    """The project functions `fn`'s body names (what a reader must be able to find)."""
    names = {node.id for node in ast.walk(ast.parse(source(fn))) if isinstance(node, ast.Name)}
    return {dotted for dotted, other in known.items()
            if other is not fn and other.__name__ in names and fn.__globals__.get(other.__name__) is other}


def test_each_function_is_shown_once_where_it_is_taught_with_its_helpers(lecture, page):
    known = project_functions()
    by_source = {source(fn): dotted for dotted, fn in known.items()}
    shown = {}
    for section, text in code_blocks(page):
        assert text in by_source, f"a code block under {section} is no current function's source:\n{text[:200]}"
        dotted = by_source[text]
        assert dotted not in shown, f"{dotted} is shown twice"
        shown[dotted] = section
    for dotted, section in TAUGHT.items():
        assert shown.get(dotted) == section, f"{dotted} is shown under {shown.get(dotted)}, not {section}"
    for dotted in shown:
        missing = calls(known[dotted], known) - set(shown)
        assert not missing, f"{dotted} calls {missing}, which the page does not show"


