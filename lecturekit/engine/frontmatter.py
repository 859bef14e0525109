"""`---`-fenced YAML front matter, checked against a declared schema.

parse_front_matter(text, path, schema) -> (meta, body, body_line: the file's line where the body starts),
or a BuildError at the offending key's line. A schema maps keys to Fields: extend one with
`{**LECTURE_SCHEMA, "key": Field(...)}`; schema_rows(schema) lists one for the docs.

Values mean what YAML's safe loader says they mean: a string key that YAML reads as a boolean (`yes`), a
date (`2024-05-01`) or a number is an error whose message shows the value quoted. Taking the source text
instead would make a line mean one thing to us and another to editors and other YAML tools; quotes are a
small, visible price. So `number: "1"` is an error too, and a whole number must be plain decimal digits
(YAML 1.1 reads `010` as 8 and `1:30` as 90). Strings are kept as written; an empty one is an error, for
an optional key too (leave the key out). Optional keys without a default are left out of `meta`.
"""
import datetime
import difflib
import json
import re
import urllib.parse
from dataclasses import dataclass
from typing import Any, Callable, Optional

import yaml

from .errors import BuildError

EXPECTED = {str: "a string", int: "a whole number", bool: "true or false",  # the types a Field may have
            list: "a list of strings"}
QUOTING = "a value must be quoted if it contains ': ' or ' #', or starts with one of [ ] { } > | * & ! % @ ` ' \""


@dataclass(frozen=True)
class Field:
    """One front-matter key: its type (str, int, bool or list of str), whether it is required, its default, what it is for."""
    type: type
    required: bool = False
    default: Any = None  # put in `meta` when the key is absent; None: leave it out
    doc: str = ""
    check: Optional[Callable[[Any], Optional[str]]] = None  # value -> a complaint, or None

    def __post_init__(self):
        if self.type not in EXPECTED or self.required and self.default is not None:
            raise ValueError(f"a Field is of type str, int, bool or list, and a required one has no default: {self}")


def positive(value):
    return None if value > 0 else f"must be positive, not {value}"


def web_folder(value):
    """A complaint unless `value` is the http(s) address of a folder, e.g. https://user.github.io/repo/."""
    parts = urllib.parse.urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or any(c.isspace() for c in value):
        return f"must be an http:// or https:// address such as https://user.github.io/repo/, not {value}"
    if parts.query or parts.fragment:
        return f"must be the site's address without a ?query or #fragment, not {value}"
    if parts.path.rsplit("/", 1)[-1].endswith((".html", ".htm")):
        return f"must be the address of the site's folder, not of a page: {value.rsplit('/', 1)[0]}/"
    return None


def repository_address(value):
    """A complaint unless `value` is the https address of a repository, e.g. https://github.com/owner/repo."""
    parts = urllib.parse.urlsplit(value)
    if (parts.scheme != "https" or not parts.hostname or parts.query or parts.fragment
            or len([s for s in parts.path.split("/") if s]) < 2 or any(c.isspace() for c in value)):
        return f"must be a repository's https address such as https://github.com/owner/repo, not {value}"
    return None


def branch_name(value):
    """A complaint unless `value` can be a git branch's name (the rules of `git check-ref-format`, roughly)."""
    if (not re.fullmatch(r"[A-Za-z0-9._/-]+", value) or ".." in value or "//" in value
            or value.startswith(("-", "/", ".")) or value.endswith(("/", ".", ".lock"))):
        return f"must be a git branch name such as main, not {value}"
    return None


LECTURE_SCHEMA = {
    "title": Field(str, required=True, doc="The lecture's title."),
    "number": Field(int, required=True, check=positive, doc="Its place in the course: 1, 2, ..."),
    "summary": Field(str, required=True, doc="One line for the course's home page."),
    "thumbnail": Field(str, doc="Name of the figure shown for the lecture on the home page."),
    "thumbnail_alt": Field(str, doc="Alt text for that thumbnail."),
    "parts": Field(list, doc="The Markdown files of its further pages, in order (parts.md, ...); lecture.md is "
                   "its first page."),
}

PART_SCHEMA = {  # a part's Markdown file, listed in `parts` of its lecture.md
    "title": Field(str, required=True, doc="The part's title."),
    "summary": Field(str, doc="One line on what the part covers, for the lecture's list of parts."),
}

COURSE_SCHEMA = {  # content/index.md; a feature that needs a course setting adds its key here
    "title": Field(str, required=True, doc="The course's title."),
    "macros": Field(str, doc="A file of LaTeX macros every formula can use, relative to content/: macros.tex."),
    "solutions": Field(bool, default=True, doc="Whether the site shows the exercises' solutions; false leaves "
                       "every one out of it."),
    "site_url": Field(str, check=web_folder, doc="The address the site is published at, "
                      "https://user.github.io/repo/: turns on sitemap.xml, canonical links and social previews."),
    "repository": Field(str, check=repository_address, doc="The course's source repository, "
                        "https://github.com/owner/repo: each page links to its Markdown there to edit it."),
    "branch": Field(str, check=branch_name, doc="The repository's branch those links edit (default main)."),
}


def schema_rows(schema):
    """(key, type name, 'required' / 'optional' / 'optional, default ...', doc) per key, for documentation."""
    for key, field in schema.items():
        need = "required" if field.required else "optional" if field.default is None \
            else f"optional, default {json.dumps(field.default)}"
        yield key, field.type.__name__, need, field.doc


class FrontMatterLoader(yaml.SafeLoader):
    """A SafeLoader that rejects duplicate keys and remembers each mapping's key and value nodes."""

    def __init__(self, stream):
        super().__init__(stream)
        self.entries = {}  # mapping node -> {key: (key node, value node)}

    def construct_mapping(self, node, deep=False):
        self.flatten_mapping(node)  # `<<: *anchor` merges, which then count as given here
        entries = self.entries.setdefault(node, {})
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                if key in entries:
                    raise yaml.constructor.ConstructorError(  # PyYAML would silently keep the last one
                        None, entries[key][0].start_mark, f"duplicate key '{key}'", key_node.start_mark)
                entries[key] = (key_node, value_node)
            except TypeError:  # an unhashable key, which the SafeLoader reports
                pass
        return super().construct_mapping(node, deep)


def describe(value):
    """What YAML made of a value, in an author's words."""
    kinds = ((bool, "true/false"), (int, "a whole number"), (float, "a decimal number"), (datetime.date, "a date"),
             (str, "a string"), (list, "a list"), (dict, "a mapping"), (type(None), "no value"))
    return next((words for kind, words in kinds if isinstance(value, kind)), type(value).__name__)


def check_value(key, value, node, field, fail):
    """`value` if it is what `field` declares; else fail(a message saying what YAML read instead)."""
    text = node.value if isinstance(node, yaml.ScalarNode) else None
    quote = node.style if text is not None and node.style in ("'", '"') else ""
    found = describe(value) if text is None else f"{quote}{text}{quote} as {describe(value)}"
    if field.type is str and (value is None or isinstance(value, str) and not value.strip()):
        fail(f"'{key}' is empty; give it a value or leave the key out")
    if field.type is list and isinstance(value, list):
        for item, item_node in zip(value, node.value):
            if not isinstance(item, str) or not item.strip():
                fail(f"'{key}' must be a list of strings, but YAML reads {describe(item)} in it",
                     item_node.start_mark.line + 2)  # the node's line in `source`, counted from the first '---'
        return value
    if not isinstance(value, field.type) or isinstance(value, bool) != (field.type is bool):  # True is an int
        hint = (f"; put it in quotes: {key}: {json.dumps(text, ensure_ascii=False)}" if field.type is str and text
                else f"; leave out the quotes: {key}: {text}" if field.type is int and quote and text.isdigit() else "")
        fail(f"'{key}' must be {EXPECTED[field.type]}, but YAML reads {found}{hint}")
    if field.type is int and not re.fullmatch(r"-?(0|[1-9][0-9]*)", text or ""):
        fail(f"'{key}' must be written in plain decimal digits (YAML reads {text} as {value})")
    if field.check and (problem := field.check(value)):
        fail(f"'{key}' {problem}")
    return value


def parse_front_matter(text, path, schema):
    """Split `---`-fenced YAML front matter from the Markdown body and check it against `schema`."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        raise BuildError("front matter missing: the file must start with a '---' line", path, 1)
    close = next((i for i, line in enumerate(lines) if i and line.strip() == "---"), None)
    if close is None:
        raise BuildError("front matter is not closed by a '---' line", path, 1)
    source = "".join(lines[1:close])

    def line_of(index):  # a character index into `source` -> its line in the file
        return len((source[:index] + "x").splitlines()) + 1

    try:
        loader = FrontMatterLoader(source)
        node = loader.get_single_node()
        data = loader.construct_document(node) if node else {}
    except yaml.MarkedYAMLError as error:
        mark, problem = error.problem_mark, f"{error.problem}; {QUOTING}"
        if error.context == "while scanning a simple key":  # YAML notices a missing ':' a line late
            mark, problem = error.context_mark, "expected 'key: value'"
        elif error.problem.startswith("duplicate key"):
            problem = f"{error.problem} (first given on line {line_of(error.context_mark.index)})"
        raise BuildError(f"front matter is not valid YAML: {problem}", path, line_of(mark.index)) from None
    except yaml.reader.ReaderError as error:  # a control character: a position, but no mark
        raise BuildError(f"front matter has the control character U+{error.character:04X}, which YAML does "
                         "not allow", path, line_of(error.position)) from None
    if not isinstance(data, dict):
        raise BuildError(f"front matter must be 'key: value' lines, not {describe(data)}", path,
                         line_of(node.start_mark.index))
    meta = {}
    for key, (key_node, value_node) in (loader.entries[node] if node else {}).items():
        def fail(message, line=line_of(key_node.start_mark.index)):
            raise BuildError("front matter " + message, path, line)
        if key not in schema:
            near = difflib.get_close_matches(str(key), schema, n=1)
            fail(f"has an unknown key '{key}'; " + (f"did you mean '{near[0]}'?" if near else
                                                   f"the known keys are {', '.join(schema)}"))
        meta[key] = check_value(key, data[key], value_node, schema[key], fail)
    for key, field in schema.items():
        if key not in meta and field.required:
            raise BuildError(f"front matter lacks '{key}' ({field.doc})", path, 1)
        if key not in meta and field.default is not None:
            meta[key] = field.default
    return meta, "".join(lines[close + 1:]), close + 2
