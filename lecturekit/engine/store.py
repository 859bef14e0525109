"""Where cached things live: entries by kind and key, each checked on every read.

An entry is a file `<root>/<kind>/<key>` holding a header line with the
SHA-256 of its payload, then the payload. A figure's files are blobs,
`<blob root>/<sha256><suffix>`, named by their own hash. Either way a read
that does not match its hash is a damaged entry: it is reported in one
line, deleted and treated as absent, so it is rebuilt and never published.

The store knows nothing of how keys are made (see keys.py). It remembers
which entries each build used; `prune` deletes those no recent build used.
"""
import contextlib
import hashlib
import json
import os
import re
import sys
from pathlib import Path

from ..files import atomic_write_bytes

MAGIC = b"lecturekit-entry "
BLOB_NAME = re.compile(r"[0-9a-f]{64}\.\w+")
KEEP_BUILDS = 5  # entries used by none of the last this many builds are pruned


def blob_hash(name):
    """The SHA-256 a blob's name says its content has (`<sha256><suffix>`)."""
    return name.split(".", 1)[0]


class Store:
    """Checked entries under `root`, figure blobs under `blob_root`."""

    def __init__(self, root, blob_root=None):
        self.root = Path(root)
        self.blob_root = Path(blob_root) if blob_root else self.root / "blobs"
        self.used = set()  # entry paths (relative to their root) this build read or wrote
        self.trackers = []  # sets collecting the same while a `tracking` block runs
        self.written = set()  # (kind or "blobs", name) of what this build wrote, here and in its helpers

    def _use(self, name):
        self.used.add(name)
        for tracker in self.trackers:
            tracker.add(name)

    @contextlib.contextmanager
    def tracking(self):
        """Yields a set that collects every entry used inside the block (one lecture's, say)."""
        used = set()
        self.trackers.append(used)
        try:
            yield used
        finally:
            self.trackers.remove(used)

    # -- entries -------------------------------------------------------------
    def _path(self, kind, key):
        return self.root / kind / key

    def get(self, kind, key):
        """The payload stored under (kind, key), or None if absent or damaged."""
        path = self._path(kind, key)
        data = self._read(path)
        if data is None:
            return None
        header, newline, payload = data.partition(b"\n")
        if not newline or not header.startswith(MAGIC) \
                or header[len(MAGIC):] != hashlib.sha256(payload).hexdigest().encode():
            return self._damaged(path, "its content does not match its hash")
        self._use(f"{kind}/{key}")
        return payload

    def put(self, kind, key, payload):
        """Store `payload` (bytes) under (kind, key); readers see the old entry or the new one."""
        header = MAGIC + hashlib.sha256(payload).hexdigest().encode() + b"\n"
        atomic_write_bytes(self._path(kind, key), header + payload)
        self._use(f"{kind}/{key}")
        self.written.add(f"{kind}/{key}")

    def get_json(self, kind, key):
        payload = self.get(kind, key)
        return None if payload is None else json.loads(payload)

    def put_json(self, kind, key, value):
        self.put(kind, key, json.dumps(value, separators=(",", ":")).encode())  # dict order is kept

    def get_text(self, kind, key):
        payload = self.get(kind, key)
        return None if payload is None else payload.decode("utf-8")

    def put_text(self, kind, key, text):
        self.put(kind, key, text.encode("utf-8"))

    # -- blobs ---------------------------------------------------------------
    def put_blob(self, data, suffix):
        """Store bytes by their own hash; returns the blob's name."""
        name = hashlib.sha256(data).hexdigest() + suffix
        path = self.blob_root / name
        if not path.is_file() or path.stat().st_size != len(data):
            atomic_write_bytes(path, data)
            self.written.add(f"blobs/{name}")
        self._use(f"blobs/{name}")
        return name

    def get_blob(self, name):
        """A blob's bytes, or None if absent or damaged."""
        path = self.blob_root / name
        data = self._read(path)
        if data is None:
            return None
        if hashlib.sha256(data).hexdigest() != blob_hash(name):
            return self._damaged(path, "its content does not match its name")
        self._use(f"blobs/{name}")
        return data

    def _read(self, path):
        """A file's bytes; None if it is absent, or unreadable (reported as damaged)."""
        try:
            return path.read_bytes()
        except (FileNotFoundError, NotADirectoryError):
            return None
        except OSError as error:
            return self._damaged(path, f"unreadable ({error.strerror})")

    def _damaged(self, path, why):
        print(f"warning: cache entry {path} is damaged ({why}); it is dropped and rebuilt", file=sys.stderr)
        try:
            path.unlink()
        except OSError:
            pass
        return None

    # -- what recent builds used -----------------------------------------------
    def forget_written(self, also=()):
        """Delete what this build wrote (and `also`, a helper's writes): its keys may not describe its code."""
        for name in self.written | set(also):
            kind, _, key = name.partition("/")
            path = self.blob_root / key if kind == "blobs" else self._path(kind, key)
            path.unlink(missing_ok=True)
        self.written.clear()

    def mark_used(self, names):
        """Entries a build relies on without reading them here (a reused lecture's, a helper process's)."""
        for name in names:
            self._use(name)

    def finish_build(self):
        """Record what this build used; delete what none of the last KEEP_BUILDS builds used.

        The logs are checked entries too: a damaged one only means less is kept.
        Returns the number of entries deleted.
        """
        log = self.root / "builds"
        numbers = sorted(int(p.name) for p in log.iterdir() if p.name.isdigit()) if log.is_dir() else []
        number = numbers[-1] + 1 if numbers else 1
        keep = set(self.used)
        self.put("builds", str(number), "\n".join(sorted(keep)).encode())
        for old in numbers:
            recent = old > number - KEEP_BUILDS and self.get("builds", str(old))
            if recent:
                keep.update(recent.decode("utf-8", "replace").split("\n"))
            else:
                (log / str(old)).unlink(missing_ok=True)
        stale = [path for relative, path in self._entries() if relative not in keep]
        for path in stale:
            path.unlink()
        return len(stale)

    def _entries(self):
        """(relative name, path) of every entry and blob on disk."""
        if self.blob_root.is_dir():
            yield from ((f"blobs/{e.name}", Path(e.path)) for e in os.scandir(self.blob_root)
                        if BLOB_NAME.fullmatch(e.name) and e.is_file())
        if self.root.is_dir():
            for kind in os.scandir(self.root):
                if kind.is_dir() and kind.name not in ("builds", "blobs") and not kind.name.startswith("."):
                    yield from ((f"{kind.name}/{e.name}", Path(e.path)) for e in os.scandir(kind.path)
                                if e.is_file() and not e.name.startswith("."))

    def size(self):
        """(number of entries, bytes) on disk."""
        sizes = [path.stat().st_size for _, path in self._entries()]
        return len(sizes), sum(sizes)
