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

_STATE = {"reads": None, "ignored": (), "hooked": False, "imports": set()}
_SYSTEM = ("/proc/", "/sys/", "/dev/")


def _hook(event, args):
    reads = _STATE["reads"]
    if reads is None or event != "open":
        return
    path, mode, flags = args
    if isinstance(path, int):
        return  # an already open descriptor
    if isinstance(mode, str):
        if any(c in mode for c in "wax") and "+" not in mode:
            return
    elif isinstance(flags, int) and flags & os.O_ACCMODE == os.O_WRONLY:
        return
    reads.add(os.fsdecode(path))


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
    outer, _STATE["reads"] = _STATE["reads"], set()
    found = []
    try:
        yield found
    finally:
        raw, _STATE["reads"] = _STATE["reads"], outer
        found += sorted({p for p in map(_absolute, raw) if _is_data(p)})
        if outer is not None:
            outer.update(found)


def _absolute(path):
    return os.path.abspath(path)


def _is_data(path):
    from .sources import LIBRARY_ROOTS  # the one definition of "a library's file"
    if path.startswith(_SYSTEM) or "__pycache__" in path or "site-packages" in path:
        return False
    if any(path.startswith(str(root) + os.sep) for root in LIBRARY_ROOTS):
        return False
    if any(path == folder or path.startswith(folder + os.sep) for folder in _STATE["ignored"]):
        return False
    return not os.path.isdir(path)  # a file that is missing counts: creating it must rerun what looked for it


def file_digests(paths):
    """{path: sha256 of its content, or "missing"} for a list of files."""
    digests = {}
    for path in paths:
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
