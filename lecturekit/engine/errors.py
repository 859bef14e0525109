"""Errors an author can act on: they name the file and line at fault."""
import signal
import traceback
from pathlib import Path


class BuildError(Exception):
    """A mistake in a lecture's sources, reported as `file:line: message`."""

    def __init__(self, message, path=None, line=None):
        self.message, self.path, self.line = message, path, line
        super().__init__(str(self))

    def __reduce__(self):  # raised in a forked process, re-raised in the build's
        return BuildError, (self.message, self.path, self.line)

    def __str__(self):
        where = f"{self.path}:{self.line}: " if self.line else f"{self.path}: " if self.path else ""
        return where + self.message


def describe_failure(error, folder):
    """The exception in one line, with the deepest place in `folder` it passed through.

    An author's computation or figure that raises is reported as, say,
    `ZeroDivisionError: division by zero (at compute.py:12, in summary)`.
    """
    detail = "".join(traceback.format_exception_only(error)).strip()
    frames = [f for f in traceback.extract_tb(error.__traceback__)
              if Path(f.filename).resolve().is_relative_to(Path(folder).resolve())]
    if frames:
        detail += f" (at {Path(frames[-1].filename).name}:{frames[-1].lineno}, in {frames[-1].name})"
    return detail


def describe_os_error(error):
    """A file system's refusal in one line, naming the path: a file where a folder should be says so."""
    if error.filename:
        path = Path(error.filename)
        in_the_way = next((p for p in (path, *path.parents) if p.exists() and not p.is_dir()), None)
        if in_the_way is not None and isinstance(error, (FileExistsError, NotADirectoryError)):
            return f"{in_the_way} is a file, not a folder"
    return f"{error.filename or 'the build'}: {error.strerror or error}"


def ignore_interrupts():
    """In a forked helper: leave Ctrl-C to the build, which stops its helpers and reports it once."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
