"""Callouts, exercises, hints and solutions in lecture Markdown.

    !!! note "Title"          a callout: note, tip, warning, definition or key-idea
    ??? tip "Title"           the same, collapsed (`???+`: open until the reader closes it)
    !!! exercise "Title"      Exercise 1, 2, ... in document order, with the id exercise-1, ...
        ??? hint              hints and the solution, collapsed, indented under their exercise
        ??? solution

The blocks are Python-Markdown's `admonition` (`!!!`) and pymdown-extensions' `details` (`???`);
this module checks their kinds (check_blocks, on the source, with file and line), and its
extension (blocks_extension) labels them for readers and screen readers, numbers the exercises
and, when the course sets `solutions: false`, withholds every solution: its blocks are dropped
before they are parsed, so nothing of them (text, figures, footnotes) reaches the page.
"""
import difflib
import re

from .errors import BuildError

CALLOUTS = {"note": "Note", "tip": "Tip", "warning": "Warning", "definition": "Definition", "key-idea": "Key idea"}
FOLDS = {"hint": "Hint", "solution": "Solution"}  # only collapsed (`???`), inside an exercise
EXERCISE = "exercise"
KINDS = [*CALLOUTS, EXERCISE, *FOLDS]

OPENER = re.compile(r"[ \t]*(!!!|\?\?\?\+?) ?([\w-]*)((?: +[\w-]+)*)")  # a block's marker and classes
FENCE = re.compile(r"[ \t]*(`{3,}|~{3,})")
# The first line of a solution's block, as `details` and `admonition` read a block's first line.
SOLUTION_START = re.compile(r'(?:^|\n)(?:!!!|\?{3}\+?) ?solution(?: +[\w-]+)*(?: +"(.*?)")? *(?:\n|$)', re.I)
WITHHELD = "withheld"  # the element that stands for a withheld solution until it is removed


def check_blocks(text, path, first_line):
    """Fail on a block of a kind there is not, or written the wrong way, naming file and line."""
    fence = None
    for number, line in enumerate(text.splitlines()):
        if (match := FENCE.match(line)) and (fence is None or match.group(1).startswith(fence)):
            fence = None if fence else match.group(1)
            continue
        match = OPENER.match(line)
        if fence or not match or not match.group(2) and match.group(1) == "!!!":
            continue  # `??? "Title"` is a collapsed block of no kind
        marker, kind, where = match.group(1), match.group(2).lower(), (path, first_line + number)
        if kind and kind not in KINDS:
            joined = "-".join([kind, *match.group(3).lower().split()])  # `key idea` for key-idea
            close = [k for k in KINDS if joined.startswith(k)] or difflib.get_close_matches(kind, KINDS, n=1)
            hint = f"did you mean '{close[0]}'?" if close else f"the kinds are {', '.join(KINDS)}"
            raise BuildError(f"'{marker} {kind}' is no kind of block; {hint}", *where)
        if kind in FOLDS and marker == "!!!":
            raise BuildError(f"a {kind} is collapsed: write '??? {kind}' (or '???+ {kind}' to show it open)", *where)
        if kind == EXERCISE and marker != "!!!":
            raise BuildError("an exercise is written '!!! exercise \"Title\"'; its hints and solution fold", *where)


def classes(element):
    return element.get("class", "").split()


def text_of(element):
    return "".join(element.itertext()).strip()


def without_exercises(tokens, ids):
    """Python-Markdown toc tokens without the exercises' headings (what was under one moves up)."""
    kept = []
    for token in tokens:
        children = without_exercises(token["children"], ids)
        kept.extend(children if token["id"] in ids else [{**token, "children": children}])
    return kept


def blocks_extension(solutions=True, numbering=None):
    """A Python-Markdown extension for the blocks above (it needs `admonition` and `pymdownx.details`).

    Its "blocks" treeprocessor lists the exercises in `.exercises` (number, id, title). Exercises, and
    callouts of each kind, are numbered on from `numbering` (crossrefs.Numbering: the lecture's pages
    before this one), which is given their labels. Built on demand, so that importing this module does
    not import Markdown.
    """
    from .crossrefs import LABEL_FROM_CLASS, Numbering
    numbering = numbering if numbering is not None else Numbering()
    import xml.etree.ElementTree as etree

    from markdown.blockprocessors import BlockProcessor
    from markdown.extensions import Extension
    from markdown.treeprocessors import Treeprocessor

    class Withhold(BlockProcessor):
        """A solution's block and the indented blocks that continue it, dropped unparsed."""

        def test(self, parent, block):
            last = self.lastChild(parent)
            return bool(SOLUTION_START.search(block)) or (
                last is not None and last.tag == WITHHELD and block.startswith(" " * self.tab_length))

        def run(self, parent, blocks):
            block = blocks.pop(0)
            start = SOLUTION_START.search(block)
            if start:
                if start.start() > 0:  # what comes before it in the same block is parsed as usual
                    self.parser.parseBlocks(parent, [block[:start.start()]])
                etree.SubElement(parent, WITHHELD)
                block = block[start.end():]
            _, rest = self.detab(block)  # its indented lines go; the first line that is not is kept
            if rest:
                blocks.insert(0, rest)

    def take_content(source, target):
        """Move the text and children of `source` to the end of `target`."""
        if source.text:
            if len(target):
                target[-1].tail = (target[-1].tail or "") + source.text
            else:
                target.text = (target.text or "") + source.text
        target.extend(list(source))

    def label(title, kind_label, kind):
        """A title led by its kind and number ("Definition 2: Convex function"), or those alone by default."""
        given = text_of(title)
        content = etree.Element("span")
        take_content(title, content)
        title.text = None
        for child in list(title):
            title.remove(child)
        leader = etree.SubElement(title, "span", {"class": "callout-kind"})
        leader.text = kind_label
        if given and given not in (kind.capitalize(), kind_label.rsplit(" ", 1)[0]):  # admonition's default: the kind
            leader.text += ":"
            leader.tail = " "
            take_content(content, title)

    class Label(Treeprocessor):
        def run(self, root):
            for parent in list(root.iter()):
                for child in [c for c in parent if c.tag == WITHHELD]:
                    parent.remove(child)
            self.exercises, callouts, level = [], 0, 1
            blocks = [e for e in root.iter() if e.tag == "details" or "admonition" in classes(e)]
            inside = {d for block in blocks for d in block.iter() if d is not block}
            for element in list(root.iter()):  # document order; the headings made here are not visited
                names = classes(element)
                if re.fullmatch(r"h[1-6]", element.tag) and element not in inside:  # a section's heading
                    level = int(element.tag[1])
                elif element.tag == "div" and names[:1] == ["admonition"] and names[1:2] == [EXERCISE]:
                    self.exercise(element, names[2:], min(level + 1, 6))
                elif element.tag == "div" and names[:1] == ["admonition"]:
                    callouts += 1
                    self.callout(element, names[1:], f"callout-{callouts}")
                elif element.tag == "details" and names[:1] and names[0] in CALLOUTS:
                    element.set("class", " ".join(["callout", *self.labelled(element, names, names[0])]))
                    label(element.find("summary"), f"{CALLOUTS[names[0]]} {numbering.counts[names[0]]}", names[0])
            return root

        def labelled(self, element, names, kind):
            """`names` without the label class, which gives its label to the element; numbers the block."""
            number, kept = numbering.next(kind), []
            for name in names:
                match = LABEL_FROM_CLASS.fullmatch(name)
                if match is None:
                    kept.append(name)
                    continue
                anchor = f"{kind}-{match.group(2)}" if kind != EXERCISE else f"exercise-{number}"
                element.set("id", anchor)
                words = "Exercise" if kind == EXERCISE else CALLOUTS[kind]
                numbering.give(f"{match.group(1)}:{match.group(2)}", f"{words} {number}", anchor)
            return kept

        def callout(self, element, names, title_id):
            kind = names[0] if names and names[0] in CALLOUTS else "note"
            names = self.labelled(element, names, kind)
            kind_label = f"{CALLOUTS[kind]} {numbering.counts[kind]}"
            element.set("class", " ".join(["callout", *names]))
            element.set("role", "note")
            title = element[0] if len(element) and "admonition-title" in classes(element[0]) else None
            if title is None:  # `!!! note ""`: no title shown, the kind still announced
                element.set("aria-label", kind_label)
                return
            title.set("class", "callout-title")
            title.set("id", title_id)
            element.set("aria-labelledby", title_id)
            label(title, kind_label, kind)

        def exercise(self, element, extra, level):
            extra = self.labelled(element, extra, EXERCISE)
            number = numbering.counts[EXERCISE]
            element.attrib.pop("id", None)  # the heading carries exercise-N
            element.set("class", " ".join([EXERCISE, *extra]))
            title = element[0] if len(element) and "admonition-title" in classes(element[0]) else None
            heading = etree.Element(f"h{level}", {"id": f"exercise-{number}", "class": "exercise-title"})
            lead = etree.SubElement(heading, "span", {"class": "exercise-number"})
            lead.text = f"Exercise {number}"
            given = text_of(title) if title is not None else ""
            if given and given != "Exercise":  # "Exercise 3. Title", as figures are captioned
                lead.text += "."
                lead.tail = " "
                take_content(title, heading)
            if title is not None:
                element.remove(title)
            element.insert(0, heading)
            hints = [d for d in element.iter("details") if classes(d)[:1] == ["hint"]]
            for index, hint in enumerate(hints if len(hints) > 1 else [], 1):
                summary = hint.find("summary")
                if summary is not None and text_of(summary) == "Hint":
                    summary.text = f"Hint {index}"
            self.exercises.append({"number": number, "id": heading.get("id"), "title": given})

    class BlocksExtension(Extension):
        def extendMarkdown(self, md):
            if not solutions:  # before `details` and `admonition` (105), which would parse it
                md.parser.blockprocessors.register(Withhold(md.parser), "withhold", 110)
            # After inline markup (20), before the table of contents (5), which then knows the ids.
            md.treeprocessors.register(Label(md), "blocks", 12)

    return BlocksExtension()
