"""YAML front matter against a schema: values, defaults, and each error at its line in the file."""
from pathlib import Path

import pytest

from lecturekit.engine.errors import BuildError
from lecturekit.engine.frontmatter import COURSE_SCHEMA, LECTURE_SCHEMA, Field, parse_front_matter, schema_rows

# A schema with every kind of field, for the parser's own tests: the course's (strings, checked strings, a bool).
EXAMPLE_SCHEMA = COURSE_SCHEMA

ROOT = Path(__file__).resolve().parents[1]
PATH = Path("content/tiny/lecture.md")

LECTURE = """---
title: Tiny
number: 1
summary: A lecture small enough to build in a test.
thumbnail: parabola
---
Some prose.
"""


def error_for(text, schema=LECTURE_SCHEMA):
    with pytest.raises(BuildError) as caught:
        parse_front_matter(text, PATH, schema)
    assert caught.value.path == PATH
    return caught.value


def test_valid_lecture_front_matter():
    text = LECTURE.replace("---\nSome", "thumbnail_alt: 'A parabola: the loss, drawn'\n---\nSome")
    meta, body, body_line = parse_front_matter(text, PATH, LECTURE_SCHEMA)
    assert meta == {"title": "Tiny", "number": 1, "summary": "A lecture small enough to build in a test.",
                    "thumbnail": "parabola", "thumbnail_alt": "A parabola: the loss, drawn"}
    assert body == "Some prose.\n" and body_line == 8


def test_valid_course_front_matter():
    text = ("---\ntitle: A Course\nsite_url: https://example.org/course/\n"
            "repository: https://github.com/example/course\nsolutions: false\nmacros: macros.tex\n---\nHello\n")
    meta, body, body_line = parse_front_matter(text, PATH, EXAMPLE_SCHEMA)
    assert meta == {"title": "A Course", "site_url": "https://example.org/course/", "solutions": False,
                    "repository": "https://github.com/example/course", "macros": "macros.tex"}
    assert (body, body_line) == ("Hello\n", 8)


def test_defaults_fill_in_and_absent_optional_keys_stay_absent():
    meta, _, _ = parse_front_matter("---\ntitle: A Course\n---\n", PATH, EXAMPLE_SCHEMA)
    assert meta == {"title": "A Course", "solutions": True}
    meta, _, _ = parse_front_matter(LECTURE, PATH, LECTURE_SCHEMA)
    assert "thumbnail_alt" not in meta


def test_the_course_shows_solutions_unless_it_says_false():
    assert parse_front_matter("---\ntitle: A Course\n---\n", PATH, COURSE_SCHEMA)[0]["solutions"] is True
    text = "---\ntitle: A Course\nsolutions: false\n---\n"
    assert parse_front_matter(text, PATH, COURSE_SCHEMA)[0] == {"title": "A Course", "solutions": False}
    with pytest.raises(BuildError, match="'solutions' must be true or false"):
        parse_front_matter(text.replace("false", "none"), PATH, COURSE_SCHEMA)


def crlf(text):
    return text.replace("\n", "\r\n")


@pytest.mark.parametrize("name, schema", [("gradient-descent/lecture.md", LECTURE_SCHEMA),
                                          ("index.md", COURSE_SCHEMA)])
@pytest.mark.parametrize("endings", [str, crlf], ids=["lf", "crlf"])
def test_real_files_split_at_their_closing_fence(name, schema, endings):
    path = ROOT / "content" / name
    text = endings(path.read_text(encoding="utf-8"))
    meta, body, body_line = parse_front_matter(text, path, schema)
    lines = text.splitlines(keepends=True)
    closing = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")  # the fence closing the matter
    assert (body, body_line) == ("".join(lines[closing + 1:]), closing + 2)
    assert meta["title"] and set(meta) <= set(schema)


@pytest.mark.parametrize("text", ["title: Tiny\n---\n", "\n---\ntitle: Tiny\n---\n", ""])
def test_no_opening_fence(text):
    error = error_for(text)
    assert error.line == 1 and "must start with a '---' line" in error.message


def test_no_closing_fence():
    error = error_for(LECTURE.replace("---\nSome", "Some"))
    assert error.line == 1 and "not closed" in error.message


@pytest.mark.parametrize("old, new, line, words", [
    ("number: 1", "number 1", 3, "expected 'key: value'"),  # as the build test of the old parser has it
    ("title: Tiny", "title: Tiny: a primer", 2, "must be quoted"),
    ("summary: A", "summary: [draft] A", 4, "not valid YAML"),
    ("thumbnail: parabola", "thumbnail: parabola\n\tx: 1", 6, "cannot start any token"),
    ("title: Tiny", "title: Ti\x0cny", 2, "control character U+000C"),
])
def test_yaml_that_does_not_parse(old, new, line, words):
    error = error_for(LECTURE.replace(old, new))
    assert error.line == line and words in error.message


@pytest.mark.parametrize("front, words", [("- title\n- number\n", "not a list"), ("just words\n", "not a string")])
def test_front_matter_that_is_not_a_mapping(front, words):
    error = error_for(f"---\n{front}---\nbody\n")
    assert error.line == 2 and words in error.message


def test_duplicate_key():
    error = error_for(LECTURE.replace("thumbnail: parabola", "title: Again"))
    assert error.line == 5 and "duplicate key 'title' (first given on line 2)" in error.message


def test_duplicate_key_in_a_nested_mapping():
    error = error_for(LECTURE.replace("title: Tiny", "title:\n  en: Tiny\n  en: Small"))
    assert error.line == 4 and "duplicate key 'en' (first given on line 3)" in error.message


def test_unknown_key_names_the_closest_known_key():
    error = error_for(LECTURE.replace("thumbnail", "thumbnial"))
    assert error.line == 5 and "unknown key 'thumbnial'; did you mean 'thumbnail'?" in error.message


def test_unknown_key_without_a_close_one_lists_the_known_keys():
    error = error_for(LECTURE.replace("number: 1", "number: 1\nauthor: Ada"))
    assert error.line == 4 and "title, number, summary, thumbnail, thumbnail_alt" in error.message


@pytest.mark.parametrize("old, new, line, words", [
    ("title: Tiny", "title: [Tiny, Small]", 2, ["'title' must be a string", "a list"]),
    ("title: Tiny", "title:\n  en: Tiny", 2, ["'title' must be a string", "a mapping"]),
    ("summary: A lecture small enough to build in a test.", "summary: yes", 4,
     ["'summary' must be a string", "yes as true/false", 'summary: "yes"']),
    ("title: Tiny", "title: 2024-05-01", 2, ["2024-05-01 as a date", 'title: "2024-05-01"']),
    ("thumbnail: parabola", "thumbnail: 12:30", 5, ["12:30 as a whole number", 'thumbnail: "12:30"']),
    ("number: 1", 'number: "1"', 3, ["'number' must be a whole number", '"1" as a string', "number: 1"]),
    ("number: 1", "number: 1.5", 3, ["'number' must be a whole number", "1.5 as a decimal number"]),
    ("number: 1", "number: true", 3, ["'number' must be a whole number", "true as true/false"]),
    ("number: 1", "number: 010", 3, ["plain decimal digits", "010 as 8"]),
    ("number: 1", "number: 0", 3, ["'number' must be positive"]),
    ("number: 1", "number: -2", 3, ["'number' must be positive"]),
])
def test_wrong_type(old, new, line, words):
    error = error_for(LECTURE.replace(old, new))
    assert error.line == line
    for word in words:
        assert word in error.message


def test_wrong_type_for_a_boolean():
    error = error_for('---\ntitle: A Course\nsolutions: "no"\n---\n', EXAMPLE_SCHEMA)
    assert error.line == 3 and "'solutions' must be true or false" in error.message


@pytest.mark.parametrize("key", ["title", "number", "summary"])
def test_missing_required_key(key):
    text = "".join(line for line in LECTURE.splitlines(keepends=True) if not line.startswith(key + ":"))
    error = error_for(text)
    assert error.line == 1 and f"lacks '{key}'" in error.message


def test_empty_front_matter_lacks_the_title():
    error = error_for("---\n# nothing yet\n---\nbody\n")
    assert error.line == 1 and "lacks 'title'" in error.message


@pytest.mark.parametrize("old, new, line", [("title: Tiny", "title:", 2), ("title: Tiny", 'title: ""', 2),
                                            ("summary: A lecture", "summary: '   ' #", 4),
                                            ("thumbnail: parabola", "thumbnail: ''", 5)])
def test_empty_string(old, new, line):
    error = error_for(LECTURE.replace(old, new))
    assert error.line == line and "is empty" in error.message


def test_strings_stay_as_written():
    text = LECTURE.replace("title: Tiny", "title: '  It''s Tiny: #1 '").replace("thumbnail: parabola",
                                                                              "thumbnail: !!str 2024")
    meta, _, _ = parse_front_matter(text, PATH, LECTURE_SCHEMA)
    assert meta["title"] == "  It's Tiny: #1 " and meta["thumbnail"] == "2024"


def test_only_safe_loading(tmp_path):
    marker = tmp_path / "ran"
    text = LECTURE.replace("title: Tiny", f"title: !!python/object/apply:os.system ['touch {marker}']")
    error = error_for(text)
    assert error.line == 2 and not marker.exists()


def test_schemas_extend_and_list_for_documentation():
    schema = {**LECTURE_SCHEMA, "draft": Field(bool, default=False, doc="Leave it off the home page.")}
    meta, _, _ = parse_front_matter(LECTURE.replace("---\nSome", "draft: yes\n---\nSome"), PATH, schema)
    assert meta["draft"] is True
    assert parse_front_matter(LECTURE, PATH, schema)[0]["draft"] is False
    rows = list(schema_rows(EXAMPLE_SCHEMA))
    assert [row[0] for row in rows] == ["title", "macros", "solutions", "site_url", "repository", "branch"]
    assert rows[0][:3] == ("title", "str", "required") and rows[2][:3] == ("solutions", "bool", "optional, default true")
    assert rows[1][:3] == ("macros", "str", "optional")
    assert all(row[3] for schema in (LECTURE_SCHEMA, COURSE_SCHEMA, EXAMPLE_SCHEMA) for row in schema_rows(schema))
    with pytest.raises(ValueError):
        Field(dict)


def test_a_list_key_holds_strings_and_names_the_line_of_one_that_is_not():
    text = LECTURE.replace("---\nSome", "parts:\n  - basics.md\n  - 3\n---\nSome")
    with pytest.raises(BuildError) as caught:
        parse_front_matter(text, PATH, LECTURE_SCHEMA)
    lines = text.splitlines()
    assert caught.value.line == lines.index("  - 3") + 1 and "list of strings" in str(caught.value)
    meta, _, _ = parse_front_matter(text.replace("  - 3\n", "  - more.md\n"), PATH, LECTURE_SCHEMA)
    assert meta["parts"] == ["basics.md", "more.md"]
    with pytest.raises(BuildError, match="must be a list of strings"):
        parse_front_matter(LECTURE.replace("---\nSome", "parts: basics.md\n---\nSome"), PATH, LECTURE_SCHEMA)
