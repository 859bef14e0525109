"""Find lectures in `content/` and load what each one declares."""
import importlib
import re
import sys
import types
from dataclasses import dataclass, field
from pathlib import Path

from .errors import BuildError, describe_failure
from .registry import Computation, FigureSpec, declared

REQUIRED_FRONT_MATTER = ("title", "number", "summary")
LECTURE_FILE = "lecture.md"


@dataclass
class Lecture:
    """One lecture folder: its Markdown, front matter, computations and figures."""
    slug: str
    folder: Path
    meta: dict
    body: str
    body_line: int  # line of the source file where `body` starts
    computations: list = field(default_factory=list)
    figures: list = field(default_factory=list)

    @property
    def source(self):
        return self.folder / LECTURE_FILE


def split_front_matter(text, path):
    """Split `---`-fenced `key: value` front matter from the Markdown body.

    Returns (meta, body, body_line). Deliberately not YAML: a handful of
    one-line strings needs no parser with surprises.
    """
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        raise BuildError("front matter missing: the file must start with a '---' line", path, 1)
    meta = {}
    for number, line in enumerate(lines[1:], start=2):
        if line.strip() == "---":
            return meta, "".join(lines[number:]), number + 1
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, sep, value = line.partition(":")
        if not sep or not re.fullmatch(r"[A-Za-z_][\w-]*", key.strip()):
            raise BuildError(f"malformed front matter line {line.strip()!r}; expected 'key: value'", path, number)
        meta[key.strip()] = value.strip().strip('"')
    raise BuildError("front matter is not closed by a '---' line", path, 1)


def check_front_matter(meta, path):
    """Every lecture needs a title, a number and a one-line summary."""
    for key in REQUIRED_FRONT_MATTER:
        if not meta.get(key):
            raise BuildError(f"front matter lacks '{key}'", path, 1)
    if not meta["number"].isdigit():
        raise BuildError(f"front matter 'number' must be a whole number, not {meta['number']!r}", path, 1)
    meta["number"] = int(meta["number"])
    return meta


def lecture_package(folder):
    """A package for the lecture folder, so its files can import each other relatively."""
    name = "lecture_" + re.sub(r"\W", "_", folder.name)
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


def check_unique(specs, kind, source):
    """Two computations (or figures) with one name would silently shadow each other."""
    seen = set()
    for spec in specs:
        if spec.name in seen:
            raise BuildError(f"two {kind}s are named '{spec.name}' in {source.parent}", source)
        seen.add(spec.name)


def read_lecture(folder):
    """Read one lecture folder into a Lecture."""
    source = folder / LECTURE_FILE
    if not source.is_file():
        raise BuildError(f"lecture folder has no {LECTURE_FILE}", folder)
    meta, body, body_line = split_front_matter(source.read_text(encoding="utf-8"), source)
    lecture = Lecture(folder.name, folder, check_front_matter(meta, source), body, body_line)
    package = lecture_package(folder)
    for path in sorted(folder.glob("*.py")):  # a lecture may split its code across files
        module = import_lecture_module(f"{package}.{path.stem}", path)
        lecture.computations.extend(declared(module, Computation))
        lecture.figures.extend(declared(module, FigureSpec))
    check_unique(lecture.computations, "computation", source)
    check_unique(lecture.figures, "figure", source)
    return lecture


def find_lectures(content_dir):
    """Every folder of `content_dir` that is a lecture, ordered by front-matter number."""
    folders = sorted(p for p in Path(content_dir).iterdir() if p.is_dir() and not p.name.startswith((".", "_")))
    lectures = [read_lecture(folder) for folder in folders]
    numbers = {}
    for lecture in lectures:
        if lecture.meta["number"] in numbers:
            raise BuildError(f"lecture number {lecture.meta['number']} is also used by "
                             f"{numbers[lecture.meta['number']]}", lecture.source, 1)
        numbers[lecture.meta["number"]] = lecture.source
    return sorted(lectures, key=lambda lecture: lecture.meta["number"])
