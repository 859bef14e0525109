"""Find lectures in `content/`, and the record each one carries through the build.

Reading a lecture's Markdown is cheap; importing its code is not, so
`load_code` is a step of its own, skipped for a lecture whose code, data
and libraries are unchanged since the last build (see reuse.py).
"""
import difflib
import importlib
import os
import re
import sys
import types
from dataclasses import dataclass, field
from pathlib import Path

from . import reads
from .errors import BuildError, describe_failure
from .frontmatter import COURSE_SCHEMA, LECTURE_SCHEMA, PART_SCHEMA, parse_front_matter
from .macros import NO_MACROS, read_macros
from .registry import Computation, FigureSpec, declared
from .sources import expect

LECTURE_FILE = "lecture.md"
SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")        # a slug, a figure's name
SAFE_PART = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")       # a part of a static file's path
UNSAFE_HINT = "use letters, digits, '-' and '_', starting with a letter or digit"


@dataclass
class Part:
    """One page of a lecture: its Markdown file, its title, and where the page goes in the lecture's folder."""
    source: Path
    meta: dict      # its front matter: the lecture's for its first page (lecture.md)
    body: str
    body_line: int  # line of `source` where `body` starts
    href: str       # the page's file in the lecture's folder of the site: index.html for the first
    page_body: object = None  # bodies.Body, once written

    @property
    def title(self):
        return self.meta["title"]


@dataclass
class Lecture:
    """One lecture, from its sources to its page: each stage of the build fills in its part."""
    slug: str
    folder: Path
    meta: dict
    body: str
    body_line: int  # line of the source file where `body` starts
    files: list = field(default_factory=list)         # its files, relative to its folder
    computations: list = field(default_factory=list)  # registry.Computation, once the code is loaded
    figures: list = field(default_factory=list)       # registry.FigureSpec, once the code is loaded
    import_reads: list = field(default_factory=list)  # data files the code read as it was imported
    keys: dict = field(default_factory=dict)          # computation name -> key of its stored result
    results: dict = field(default_factory=dict)       # published values by namespace: prose, results.json
    manifests: dict = field(default_factory=dict)     # figure name -> what was drawn (see figures.py)
    ran: list = field(default_factory=list)           # computations run in this build
    drawn: list = field(default_factory=list)         # figures drawn in this build
    reads: set = field(default_factory=set)           # data files its code, computations and figures read
    blobs: dict = field(default_factory=dict)         # figure file name in the store -> its bytes, checked
    reused: bool = False                              # whole lecture taken from the last build
    fingerprint: str = ""                             # of its folder's files but the Markdown (see reuse.py)
    results_json: str = ""                            # results.json as published
    content_digest: str = ""                          # of its results and manifests, for the page's key
    parts: list = field(default_factory=list)         # Part per page, lecture.md's first (see read_parts)

    @property
    def source(self):
        return self.folder / LECTURE_FILE


def normalised(name):
    """Two names that are the same after this would be confused in a URL or a module name."""
    return name.lower().replace("_", "-")


def check_name(name, what, path, line=None):
    """A slug or figure name must be safe in a URL and a file name."""
    if not isinstance(name, str) or not SAFE_NAME.fullmatch(name):
        raise BuildError(f"{what} {name!r} is not safe in a URL and a file name; {UNSAFE_HINT}", path, line)


def lecture_files(folder):
    """Relative paths of the files under a lecture folder; a symlink out of it is an error.

    Nothing from outside gets in: every symlink must point inside the folder,
    and every file must be a regular file. Hidden files and editors' backups
    and lock files (`.x`, `#x#`, `x~`) are not part of a lecture; nor is __pycache__.
    """
    inside, found, todo = Path(folder).resolve(), [], [("", os.fspath(folder))]
    while todo:
        prefix, top = todo.pop()
        with os.scandir(top) as entries:
            for entry in entries:
                if entry.name.startswith((".", "#")) or entry.name.endswith("~"):
                    continue
                if entry.is_symlink():
                    target = Path(entry.path).resolve()
                    if not target.is_relative_to(inside):
                        raise BuildError(f"symlink points outside its lecture folder, to {target}", entry.path)
                    if not target.exists():
                        raise BuildError(f"symlink points to nothing ({target})", entry.path)
                if entry.is_dir():
                    if entry.name != "__pycache__":
                        todo.append((prefix + entry.name + "/", entry.path))
                elif entry.is_file():
                    found.append(prefix + entry.name)
                else:
                    raise BuildError("not a regular file (a pipe, socket or device); a lecture holds files", entry.path)
    return sorted(found)


def lecture_package(slug, folder):
    """A package for the lecture folder, so its files can import each other relatively."""
    name = "lecture_" + slug.replace("-", "_")
    package = types.ModuleType(name)
    package.__path__ = [str(folder)]
    sys.modules[name] = package
    for module in [m for m in sys.modules if m.startswith(name + ".")]:
        del sys.modules[module]  # a rebuild in the same process sees edited files
    return name


def import_lecture_module(name, path):
    """Import one file of lecture code; a mistake in it is reported with its file and line."""
    try:
        return importlib.import_module(name)
    except SyntaxError as error:
        raise BuildError(f"syntax error: {error.msg}", path, error.lineno) from None
    except Exception as error:
        raise BuildError(f"importing this file failed: {describe_failure(error, path.parent)}", path) from None


def check_unique(specs, kind):
    """Two computations (or figures) whose names are the same, or alike, would be confused."""
    seen = {}
    for spec in specs:
        other = seen.get(normalised(spec.name))
        if other is not None:
            same = "named" if other.name == spec.name else f"named '{other.name}' and"
            raise BuildError(f"two {kind}s are {same} '{spec.name}'", *spec.where)
        seen[normalised(spec.name)] = spec


def load_code(lecture):
    """Import a lecture's Python files and collect what they declare (fills the record)."""
    package = lecture_package(lecture.slug, lecture.folder)
    lecture.computations, lecture.figures = [], []
    with reads.recording() as found:
        for path in [lecture.folder / name for name in lecture.files if "/" not in name and name.endswith(".py")]:
            expect(path, path.read_bytes())  # what is imported now is what its keys must describe
            module = import_lecture_module(f"{package}.{path.stem}", path)
            lecture.computations.extend(declared(module, Computation))
            lecture.figures.extend(declared(module, FigureSpec))
    lecture.import_reads = found
    reads.note_import_reads(found)
    for spec in lecture.figures:
        check_name(spec.name, "figure name", *spec.where)
    check_unique(lecture.computations, "computation")
    check_unique(lecture.figures + [named for spec in lecture.figures for named in _other_files(spec)], "figure")
    return lecture


def _other_files(spec):
    """A figure's other files are named as figures would be (`<name>-poster.png`, `<name>-narrow.png`, ...):
    no other figure may be named so, or the two would publish one file."""
    bases = ["poster", "narrow", "narrowposter"] if spec.narrow else ["poster"]
    return [FigureSpec(f"{spec.name}-{base}", spec.fn, spec.deps) for base in bases]


def read_lecture(folder):
    """One lecture folder's Markdown and front matter (its code is loaded by load_code)."""
    folder = Path(folder)
    check_name(folder.name, "lecture folder name", folder)
    files = lecture_files(folder)
    source = folder / LECTURE_FILE
    if LECTURE_FILE not in files:
        raise BuildError(f"lecture folder has no {LECTURE_FILE}", folder)
    text = source.read_text(encoding="utf-8")
    meta, body, body_line = parse_front_matter(text, source, LECTURE_SCHEMA)
    lecture = Lecture(folder.name, folder, meta, body, body_line, files=files)
    lecture.parts = [Part(source, meta, body, body_line, "index.html"), *read_parts(lecture, text)]
    return lecture


def read_parts(lecture, text):
    """The further pages `parts:` lists, in order; a Markdown file beside lecture.md that it does not list is an error.

    A part `basics.md` becomes the page basics.html beside the lecture's index.html.
    """
    names = lecture.meta.get("parts", [])
    listed = next((n for n, line in enumerate(text.splitlines(), 1) if line.startswith("parts")), 1)

    def line_of(name):  # the line of `parts:` that names it
        return next((listed + n for n, line in enumerate(text.splitlines()[listed - 1:]) if name in line), listed)
    parts, seen = [], set()
    for name in names:
        stem = name.removesuffix(".md")
        if not name.endswith(".md") or "/" in name or not SAFE_NAME.fullmatch(stem):
            raise BuildError(f"part {name!r}: a part is a Markdown file beside lecture.md, named like basics.md "
                             f"({UNSAFE_HINT})", lecture.source, line_of(name))
        if name == LECTURE_FILE or normalised(stem) in seen or normalised(stem) == "index":
            raise BuildError(f"part {name!r} is listed twice, or is lecture.md itself, or would be the page "
                             "index.html; list each further page once", lecture.source, line_of(name))
        if name not in lecture.files:
            close = difflib.get_close_matches(name, [f for f in lecture.files if f.endswith(".md")], n=1)
            raise BuildError(f"part {name!r} is not a file of this lecture" + (f"; did you mean {close[0]}?" if close
                             else ""), lecture.source, line_of(name))
        seen.add(normalised(stem))
        source = lecture.folder / name
        meta, body, body_line = parse_front_matter(source.read_text(encoding="utf-8"), source, PART_SCHEMA)
        parts.append(Part(source, meta, body, body_line, f"{stem}.html"))
    for name in lecture.files:
        if "/" not in name and name.endswith(".md") and name != LECTURE_FILE and name not in names:
            raise BuildError(f"{name} is not a part of the lecture: list it under 'parts:' in lecture.md "
                             "(or move it out of the lecture's folder)", lecture.folder / name)
    return parts


def find_lectures(content_dir):
    """Every folder of `content_dir` that is a lecture, ordered by front-matter number."""
    content_dir = Path(content_dir)
    entries = sorted(content_dir.iterdir())
    for path in entries:  # the course's own files may link only within the course
        if path.is_symlink() and not path.resolve().is_relative_to(content_dir.resolve()):
            raise BuildError(f"symlink points outside {content_dir.name}/, to {path.resolve()}", path)
    folders = [p for p in entries if p.is_dir() and not p.name.startswith((".", "_"))]
    lectures, slugs, numbers = [], {}, {}
    for folder in folders:
        if folder.is_symlink():
            raise BuildError("a lecture folder may not be a symlink", folder)
        lecture = read_lecture(folder)
        other = slugs.setdefault(normalised(lecture.slug), lecture.slug)
        if other != lecture.slug:
            raise BuildError(f"lecture folders '{other}' and '{lecture.slug}' would have the same address; "
                             "rename one", folder)
        number = lecture.meta["number"]
        if number in numbers:
            raise BuildError(f"lecture number {number} is also used by {numbers[number]}", lecture.source, 1)
        numbers[number] = lecture.source
        lectures.append(lecture)
    return sorted(lectures, key=lambda lecture: lecture.meta["number"])


GENERATED = ("index.html", "results.json", "figures")  # a lecture's own site files, which no static file may shadow


def static_files(lecture):
    """Files under a lecture's `static/` folder, published beside its page: {site path: bytes}."""
    static, files = lecture.folder / "static", {}
    for path in sorted(static.rglob("*")) if static.is_dir() else []:
        relative = path.relative_to(static)
        for part in relative.parts:
            if not SAFE_PART.fullmatch(part):
                raise BuildError(f"static file name {part!r} is not safe in a URL and a file name; "
                                 "use letters, digits, '.', '-' and '_', not starting with '.'", path)
        if relative.parts[0] in GENERATED + tuple(part.href for part in lecture.parts):
            raise BuildError(f"static/{relative.parts[0]} would replace the lecture's own "
                             f"{relative.parts[0]}; rename it", path)
        if path.is_file():
            files[f"{lecture.slug}/{relative.as_posix()}"] = path.read_bytes()
        elif not path.is_dir():
            raise BuildError("a static file must be a regular file", path)
    return files


@dataclass(frozen=True)
class Course:
    """What `content/index.md` says: its front matter, its introduction, and the macros it names."""
    meta: dict
    intro: str          # Markdown of the home page's introduction
    intro_line: int     # the line of index.md where it starts
    source: Path        # index.md
    macros: object      # macros.Macros


def read_course(content_dir):
    """The course's `index.md`, and its macros file if it names one."""
    source = Path(content_dir) / "index.md"
    if not source.is_file():
        raise BuildError("the course has no index.md (its title and introduction)", content_dir)
    text = source.read_text(encoding="utf-8")
    meta, intro, line = parse_front_matter(text, source, COURSE_SCHEMA)
    macros = NO_MACROS
    if "macros" in meta:
        named = next((n for n, text_line in enumerate(text.splitlines(), 1) if text_line.startswith("macros")), 1)
        macros = read_macros(content_dir, meta["macros"], source, named)
    return Course(meta, intro, line, source, macros)
