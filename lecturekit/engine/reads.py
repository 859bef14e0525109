"""Which files a computation or figure read, found while it runs, and their content.

An audit hook (PEP 578) sees every `open` in the process; while `recording()`
is active, each file opened for reading is noted, unless it belongs to a
library, the standard library, the cache, or the system. A key then covers
the content of what was read: edit `scale.txt` and what read it runs again.
"""
import contextlib
import hashlib
import os
import sys
from pathlib import Path

_STATE = {"reads": None, "ignored": (), "hooked": False, "imports": set(), "ran": []}
_SYSTEM = ("/proc/", "/sys/", "/dev/")


LISTING, CWD = "listing:", "cwd:"  # what a computation learnt from a folder's names, or from the working folder


def _hook(event, args):
    reads = _STATE["reads"]
    if reads is None:
        return
    if event in ("os.listdir", "os.scandir", "glob.glob"):
        folder = args[0] if args and args[0] is not None else "."
        if not isinstance(folder, int):
            pattern = os.fsdecode(folder)
            reads.add(LISTING + os.path.abspath(os.path.dirname(pattern) if event == "glob.glob" else pattern))
        return
    if event == "sqlite3.connect" and isinstance(args[0], (str, bytes, os.PathLike)):
        reads.add(os.fsdecode(args[0]))
        return
    if event in ("subprocess.Popen", "os.system", "os.exec", "os.posix_spawn"):
        _STATE["ran"].append(" ".join(map(str, args[1] if event == "subprocess.Popen" else args[:1]))[:80])
        return
    if event != "open":
        return
    path, mode, flags = args
    if isinstance(path, int):
        return  # an already open descriptor
    if isinstance(mode, str):
        if any(c in mode for c in "wax") and "+" not in mode:
            return
    elif isinstance(flags, int) and flags & os.O_ACCMODE == os.O_WRONLY:
        return
    path = os.fsdecode(path)
    if not os.path.isabs(path):
        reads.add(CWD + os.getcwd())  # the same relative path names another file from another folder
    reads.add(path)


class RanAProgram(Exception):
    """Code ran another program while being recorded: what that program read cannot be known."""


def ignore(*folders):
    """Folders whose files are never a computation's input (the cache, the site being built)."""
    _STATE["ignored"] = tuple(str(Path(f).resolve()) for f in folders)


@contextlib.contextmanager
def recording():
    """Yields a list that, when the block ends, holds the data files read inside it (sorted, absolute).

    A file the code tried to open and did not find is listed too.
    """
    if not _STATE["hooked"]:
        sys.addaudithook(_hook)
        _STATE["hooked"] = True
    outer, _STATE["reads"], ran = _STATE["reads"], set(), _STATE["ran"]
    found, _STATE["ran"] = [], []
    try:
        yield found
        if _STATE["ran"]:
            raise RanAProgram(f"it ran a program ({_STATE['ran'][0]}), whose reads no key can see; "
                              "compute in Python, or read the program's output from a file")
    finally:
        raw, _STATE["reads"], _STATE["ran"] = _STATE["reads"], outer, ran
        found += sorted({p for p in map(_absolute, raw) if p.startswith(CWD) or _is_data(p)})
        if outer is not None:
            outer.update(found)


def _absolute(path):
    return path if path.startswith((LISTING, CWD)) else os.path.abspath(path)


def _is_data(path):
    from .sources import LIBRARY_ROOTS  # the one definition of "a library's file"
    if path.startswith(LISTING):
        folder = path[len(LISTING):]
        return _is_data(os.path.join(folder, "x")) and os.path.isdir(folder)
    if path.startswith(_SYSTEM) or "__pycache__" in path or "site-packages" in path:
        return False
    if any(path.startswith(str(root) + os.sep) for root in LIBRARY_ROOTS):
        return False
    if any(path == folder or path.startswith(folder + os.sep) for folder in _STATE["ignored"]):
        return False
    return not os.path.isdir(path)  # a file that is missing counts: creating it must rerun what looked for it


def file_digests(paths):
    """{path: sha256 of its content, or "missing"} for a list of files (and listings and working folders)."""
    digests = {}
    for path in paths:
        if path.startswith(CWD):
            digests[path] = "here" if os.getcwd() == path[len(CWD):] else "elsewhere"
            continue
        if path.startswith(LISTING):
            try:
                names = sorted(n for n in os.listdir(path[len(LISTING):]) if n != "__pycache__" and n[0] != ".")
                digests[path] = hashlib.sha256("\n".join(names).encode()).hexdigest()
            except OSError:
                digests[path] = "missing"
            continue
        try:
            digests[path] = hashlib.sha256(Path(path).read_bytes()).hexdigest()
        except OSError:
            digests[path] = "missing"
    return digests


def note_import_reads(paths):
    """Files read while lecture code was imported (by it, or by a project module it imported)."""
    _STATE["imports"].update(paths)


def import_reads():
    """Every file noted by note_import_reads in this process: a module imported once serves all lectures."""
    return sorted(_STATE["imports"])
