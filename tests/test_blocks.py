"""Callouts, exercises, hints and solutions: the Markdown extension's HTML, the kinds check, withholding."""
import re
from html.parser import HTMLParser

import pytest

from lecturekit.engine.blocks import CALLOUTS, check_blocks
from lecturekit.engine.errors import BuildError
from lecturekit.engine.markup import markdown_to_html
from lecturekit.engine.pages import page_body
from lecturekit.engine.store import Store

PATH = "content/tiny/lecture.md"
VOID = {"br", "hr", "img", "source", "input", "meta", "link"}


class Element:
    def __init__(self, tag, attrs, parent=None):
        self.tag, self.attrs, self.parent, self.children, self.parts = tag, dict(attrs), parent, [], []

    @property
    def classes(self):
        return (self.attrs.get("class") or "").split()

    @property
    def text(self):
        return " ".join("".join(part if isinstance(part, str) else part.text for part in self.parts).split())

    def iter(self):
        yield self
        for child in self.children:
            yield from child.iter()

    def find_all(self, tag=None, cls=None):
        return [e for e in self.iter() if (tag is None or e.tag == tag) and (cls is None or cls in e.classes)]


class TreeParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = self.current = Element("root", {})

    def handle_starttag(self, tag, attrs):
        element = Element(tag, attrs, self.current)
        self.current.children.append(element)
        self.current.parts.append(element)
        if tag not in VOID:
            self.current = element

    def handle_endtag(self, tag):
        assert self.current.tag == tag, f"</{tag}> closes <{self.current.tag}>"
        self.current = self.current.parent

    def handle_data(self, data):
        self.current.parts.append(data)


def tree(html):
    parser = TreeParser()
    parser.feed(html)
    assert parser.current is parser.root, "an element was left open"
    return parser.root


def convert(text, solutions=True):
    html, toc, figures = markdown_to_html(text, solutions)
    return tree(html), html, toc, figures


def test_each_kind_of_callout_is_a_note_named_by_its_kind_number_and_title():
    text = "\n".join(f'!!! {kind} "About it"\n    Body of the {kind}.\n\n!!! {kind}\n    Untitled {kind}.\n'
                     for kind in CALLOUTS)
    root, html, _, _ = convert(text)
    notes = root.find_all("div", "callout")
    assert len(notes) == 2 * len(CALLOUTS)
    ids = [note.attrs["aria-labelledby"] for note in notes]
    assert len(set(ids)) == len(ids) and not root.find_all(cls="admonition")
    for (kind, label), titled, untitled in zip(CALLOUTS.items(), notes[::2], notes[1::2]):
        for note in (titled, untitled):
            assert note.attrs["role"] == "note" and note.classes[:2] == ["callout", kind]
            title = note.children[0]
            assert title.tag == "p" and title.attrs["id"] == note.attrs["aria-labelledby"]
        # Numbered per kind, in order: the titled one is the first of its kind, the untitled one the second.
        assert titled.children[0].find_all("span", "callout-kind")[0].text == f"{label} 1:"
        assert titled.children[0].text == f"{label} 1: About it"
        assert untitled.children[0].text == f"{label} 2"  # "Key idea", not admonition's "Key-idea"
        assert titled.children[1].text == f"Body of the {kind}."


def test_a_callout_with_an_empty_title_is_still_announced_as_its_kind():
    root, _, _, _ = convert('!!! warning ""\n    Careful.\n')
    (note,) = root.find_all("div", "callout")
    assert note.attrs["role"] == "note" and note.attrs["aria-label"] == "Warning 1" and "aria-labelledby" not in note.attrs
    assert [child.tag for child in note.children] == ["p"]


def test_collapsed_callouts_fold_closed_unless_marked_open():
    root, _, _, _ = convert('??? tip "Closed"\n    Inside.\n\n???+ definition\n    Open.\n')
    closed, opened = root.find_all("details")
    assert closed.classes == ["callout", "tip"] and "open" not in closed.attrs
    assert closed.children[0].tag == "summary" and closed.children[0].text == "Tip 1: Closed"
    assert opened.classes == ["callout", "definition"] and "open" in opened.attrs
    assert opened.children[0].text == "Definition 1"


EXERCISES = '''
Before any heading.

!!! exercise
    Zero headings above: a second-level heading.

## Section

!!! exercise "Step *sizes*"
    Find the largest step size.

    ??? hint
        Look at the eigenvalues.

    ??? hint "About the Hessian"
        It is constant.

    ??? hint
        A third.

    ??? solution
        The largest is 0.25.

    Text after the solution, still in the exercise.

### Subsection

!!! note
    A callout between exercises.

    !!! exercise "Nested in a callout"
        Still numbered in order.

        ??? hint
            The only hint.

#### Under the subsection
'''


def test_exercises_are_numbered_in_document_order_each_with_a_linkable_heading():
    root, html, _, _ = convert(EXERCISES)
    exercises = root.find_all("div", "exercise")
    headings = [exercise.children[0] for exercise in exercises]
    assert [h.attrs["id"] for h in headings] == ["exercise-1", "exercise-2", "exercise-3"]
    assert [h.tag for h in headings] == ["h2", "h3", "h4"]  # one level below the section it is in
    assert [h.find_all("span", "exercise-number")[0].text for h in headings] == \
        ["Exercise 1", "Exercise 2.", "Exercise 3."]
    assert headings[1].text.startswith("Exercise 2. Step sizes") and headings[1].find_all("em")
    for heading in headings:
        links = heading.find_all("a", "headerlink")
        assert [link.attrs["href"] for link in links] == [f"#{heading.attrs['id']}"]
        assert links[0].attrs["aria-label"]
    assert not root.find_all(cls="admonition-title") and "aria-label=\"Link to this section\" aria-label" not in html
    assert html.count('id="exercise-') == 3


def test_a_heading_inside_a_block_does_not_change_the_level_of_later_exercises():
    text = "## Section\n\n!!! note\n    #### A heading in a note\n\n??? solution\n    ##### And in a solution\n\n" \
           "!!! exercise\n    Under the section.\n"
    for solutions in (True, False):
        root, _, _, _ = convert(text, solutions)
        assert root.find_all("div", "exercise")[0].children[0].tag == "h3"


def test_the_contents_list_sections_not_exercises():
    _, _, toc, _ = convert(EXERCISES)

    def ids(tokens):
        return [(token["id"], ids(token["children"])) for token in tokens]
    assert ids(toc) == [("section", [("subsection", [])])]


def test_an_authors_heading_named_like_an_exercise_gets_another_id():
    root, _, _, _ = convert("## Exercise 1\n\n!!! exercise\n    Text.\n")
    ids = [e.attrs["id"] for e in root.iter() if "id" in e.attrs]
    assert len(ids) == len(set(ids)) and "exercise-1" in ids


def test_hints_and_solutions_fold_closed_and_several_hints_are_numbered():
    root, _, _, _ = convert(EXERCISES)
    _, first, nested = root.find_all("div", "exercise")
    folds = first.find_all("details")
    assert [(d.classes, d.children[0].text) for d in folds] == [
        (["hint"], "Hint 1"), (["hint"], "About the Hessian"), (["hint"], "Hint 3"), (["solution"], "Solution")]
    assert not [d for d in folds if "open" in d.attrs]
    assert folds[-1].children[1].text == "The largest is 0.25."
    assert first.children[-1].text == "Text after the solution, still in the exercise."
    assert [d.children[0].text for d in nested.find_all("details")] == ["Hint"]
    assert root.find_all("div", "callout")[0].find_all("div", "exercise") == [nested]


SECRETS = '''## Problems

!!! exercise "With everything in its answer"
    The question.

    ??? hint
        A hint stays.

    ??? solution "Worked answer"
        SECRET-ONE, with a footnote.[^answer] And an abbreviation: SVD.

        ![SECRET-ALT](fig:answer-plot "SECRET-CAPTION")

        ### SECRET-HEADING

        ```python
        secret_two = "SECRET-TWO"
        ```

        [^answer]: SECRET-FOOTNOTE.
        *[SVD]: SECRET-ABBREVIATION

    ???+ solution
        SECRET-THREE, shown open when solutions are on.
    After the answers, still in the exercise: SVD.

!!! exercise
    The second question.

??? solution
    SECRET-FOUR, a solution on its own.

!!! solution
    SECRET-FIVE, not collapsed (check_blocks refuses it, but it is withheld all the same).

![A figure outside the solutions.](fig:parabola "Shown.")

The end.
'''


def test_withheld_solutions_leave_no_trace_and_change_nothing_else():
    shown, shown_html, shown_toc, shown_figures = convert(SECRETS)
    assert all(f"SECRET-{word}" in shown_html for word in ("ONE", "TWO", "THREE", "FOUR", "FIVE", "FOOTNOTE"))
    assert [f["name"] for f in shown_figures] == ["answer-plot", "parabola"]
    root, html, toc, figures = convert(SECRETS, solutions=False)
    assert "SECRET" not in html and not re.search("solution", html, re.I), html
    assert [f["name"] for f in figures] == ["parabola"] and figures[0]["number"] == 1
    assert not root.find_all(cls="footnote") and not root.find_all("abbr")
    assert [e.children[0].attrs["id"] for e in root.find_all("div", "exercise")] == ["exercise-1", "exercise-2"]
    assert [d.children[0].text for d in root.find_all("details")] == ["Hint"]
    first = root.find_all("div", "exercise")[0]
    assert first.children[-1].text == "After the answers, still in the exercise: SVD."
    assert root.children[-1].text == "The end."
    assert [t["id"] for t in toc] == ["problems"] and not toc[0]["children"]
    assert shown_toc[0]["children"]  # the heading inside the solution, when it is shown


def test_placeholders_and_math_work_in_callouts_exercises_hints_and_solutions(tmp_path):
    text = '''## Result

!!! key-idea "The minimum $w^\\star$ is at {{ demo.minimizer | sig(3) }}"
    It is $w^\\star = {{ demo.minimizer | sig(3) }}$.

    And in a second paragraph, $f(w^\\star) = 0$:

    $$
    f(w) = (w - w^\\star)^2
    $$

!!! exercise "Twice $w^\\star$"
    What is $2 w^\\star$?

    ??? hint
        Double {{ demo.minimizer | sig(3) }}.

        Then check $2 \\cdot w^\\star$.

    ??? solution
        It is {{ demo.doubled | sig(3) }}, and $2 w^\\star = {{ demo.doubled | sig(3) }}$.

        $$
        2 \\times {{ demo.minimizer | sig(3) }} = {{ demo.doubled | sig(3) }}
        $$
'''
    context, store = {"demo": {"minimizer": 0.7, "doubled": 1.4}}, Store(tmp_path)
    for solutions, formulas in ((True, 9), (False, 7)):
        body = page_body(text, PATH, 1, context, store, solutions)
        html = body.finish({})
        assert "MATHTOKEN" not in html and "$" not in html and "{{" not in html
        assert html.count('class="katex"') == formulas
        root = tree(html)
        note, exercise = root.find_all("div", "callout")[0], root.find_all("div", "exercise")[0]
        assert note.children[0].find_all(cls="katex") and "is at 0.700" in note.children[0].text
        assert len(note.find_all("div", "math-display")) == 1
        assert exercise.children[0].find_all(cls="katex")
        hint = exercise.find_all("details", "hint")[0]
        assert "Double 0.700." in hint.text and len(hint.find_all(cls="katex")) == 1
        solution = exercise.find_all("details", "solution")
        assert ("It is 1.40" in solution[0].text and len(solution[0].find_all("div", "math-display")) == 1) \
            if solutions else solution == []
        assert body.solutions is solutions


def test_figures_are_numbered_in_document_order_inside_blocks_too():
    text = ("![First.](fig:a)\n\n!!! note\n    ![Second, in a callout.](fig:b)\n\n"
            "!!! exercise\n    ??? hint\n        ![Third, in a hint.](fig:c)\n\n![Fourth.](fig:d)\n")
    root, _, _, figures = convert(text)
    assert [(f["name"], f["number"]) for f in figures] == [("a", 1), ("b", 2), ("c", 3), ("d", 4)]
    slots = [e.attrs["data-index"] for e in root.find_all("figure-slot")]
    assert slots == ["0", "1", "2", "3"]


def test_fenced_code_inside_a_callout_is_highlighted_code():
    root, _, _, _ = convert('!!! tip\n    Before.\n\n    ```python\n    x = "$a$"\n    ```\n')
    (code,) = root.find_all("div", "highlight")
    assert code.parent.classes[:2] == ["callout", "tip"] and 'x = "$a$"' in code.text


@pytest.mark.parametrize("line, message", [
    ("!!! warnign", "'!!! warnign' is no kind of block; did you mean 'warning'?"),
    ("??? key idea", "'??? key' is no kind of block; did you mean 'key-idea'?"),
    ("!!! danger", "'!!! danger' is no kind of block; the kinds are note, tip, warning, definition, key-idea"),
    ("!!! hint", "a hint is collapsed: write '??? hint'"),
    ("    !!! solution", "a solution is collapsed: write '??? solution'"),
    ("??? exercise", "an exercise is written '!!! exercise \"Title\"'"),
])
def test_a_block_of_no_known_kind_names_file_and_line(line, message):
    text = f"Some prose.\n\n```\n!!! a-code-block-showing-syntax\n```\n\n{line}\n    Body.\n"
    with pytest.raises(BuildError) as caught:
        check_blocks(text, PATH, 10)
    assert caught.value.line == 16 and str(caught.value.path) == PATH
    assert message in caught.value.message


def test_blocks_of_known_kinds_pass_the_check():
    check_blocks(EXERCISES + SECRETS.replace("!!! solution", "??? solution") + '??? "A plain fold"\n    x\n', PATH, 1)
