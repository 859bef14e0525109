"""A lecture unchanged since the last build is taken whole from the store, its code not even imported.

Its record (keys, published results, figure manifests) is stored under a
key covering everything its results and figures can depend on: the
project's Python files and installed libraries (`code_fingerprint`), every
file of the lecture folder except its Markdown and static files, and the
files its code, computations and figures read or reached (data files, and
the source of every function their keys followed). The Markdown and the
templates are the pages' business (pages.py). With this, a no-change build
of a course costs a few file reads per lecture.
"""
import hashlib
import os
import sys
from pathlib import Path

from .compute import resolved_key
from .keys import digest, source_closure
from .reads import file_digests

FORMAT = "1"


def code_fingerprint(roots):
    """Digest of every Python file under `roots`, the Python version and the installed distributions."""
    h = hashlib.sha256(f"{FORMAT} {sys.version}".encode())
    for root in map(Path, roots):
        for path in sorted(root.rglob("*.py")) if root.is_dir() else [root]:
            h.update(str(path).encode())
            h.update(path.read_bytes())
    for folder in sorted({p for p in sys.path if p.endswith("site-packages") and os.path.isdir(p)}):
        h.update("\n".join(sorted(os.listdir(folder))).encode())  # dist-info names carry versions
    return h.hexdigest()


def _folder_fingerprint(lecture, code):
    """The record's key before the files its code read are known."""
    files = []
    for top, dirs, names in os.walk(lecture.folder):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__" and not (top == str(lecture.folder) and d == "static"))
        for name in sorted(names):
            if not name.endswith(".md"):
                path = Path(top) / name
                files.append((str(path.relative_to(lecture.folder)), hashlib.sha256(path.read_bytes()).hexdigest()))
    return digest("lecture", code, lecture.slug, files)


def reuse(lecture, store, code):
    """Fill the record from the last build if nothing it depends on changed; True if it did."""
    lecture.fingerprint = _folder_fingerprint(lecture, code)
    key, _ = resolved_key(store, "lecture", lecture.fingerprint)
    record = store.get_json("lecture", key) if key else None
    if record is None:
        return False
    blobs = {}
    for manifest in record["manifests"].values():
        for blob in manifest["files"].values():
            blobs[blob] = store.get_blob(blob)
            if blobs[blob] is None:
                return False
    lecture.keys, lecture.results, lecture.manifests = record["keys"], record["results"], record["manifests"]
    lecture.blobs, lecture.reused = blobs, True
    store.mark_used(record["entries"])
    return True


def remember(lecture, store, code, entries):
    """Store the record of a lecture just produced, for the next build's `reuse`."""
    static = lecture.fingerprint
    reached = {f for spec in lecture.computations + lecture.figures for f in source_closure(spec.fn)[2]}
    depends = sorted(set(lecture.reads) | reached)
    key = digest(static, file_digests(depends))
    store.put_json("lecture-reads", static, depends)
    store.put_json("lecture", key, {"keys": lecture.keys, "results": lecture.results,
                                    "manifests": lecture.manifests, "entries": sorted(entries)})
