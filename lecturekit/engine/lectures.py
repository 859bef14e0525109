"""Find lectures in `content/` and load what each one declares."""
import importlib.util
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from .errors import BuildError
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


def load_module(path, name):
    """Import a lecture's Python file under a private module name."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def read_lecture(folder):
    """Read one lecture folder into a Lecture."""
    source = folder / LECTURE_FILE
    if not source.is_file():
        raise BuildError(f"lecture folder has no {LECTURE_FILE}", folder)
    meta, body, body_line = split_front_matter(source.read_text(encoding="utf-8"), source)
    lecture = Lecture(folder.name, folder, check_front_matter(meta, source), body, body_line)
    for filename, kind, bucket in (("compute.py", Computation, lecture.computations),
                                   ("figures.py", FigureSpec, lecture.figures)):
        if (folder / filename).is_file():
            module = load_module(folder / filename, f"lecture_{folder.name.replace('-', '_')}_{filename[:-3]}")
            bucket.extend(declared(module, kind))
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
