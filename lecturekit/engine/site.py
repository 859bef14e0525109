"""Write the site atomically: build beside `site/`, then swap it in.

Nothing is written into `site/` itself. The new tree is assembled in a
temporary folder next to it and exchanged with the old one in one step, so
a failed or killed build leaves the previous site exactly as it was.
"""
import ctypes
import os
import shutil
import tempfile
from pathlib import Path

RENAME_EXCHANGE = 2  # Linux renameat2 flag: swap two paths atomically


def _exchange(a, b):
    """Atomically swap two directories (Linux); False where unsupported."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    AT_FDCWD = -100
    return renameat2(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE) == 0


def write_tree(folder, files):
    """Write `files` (relative path -> bytes) under `folder`: the site's own copies, readable by any web server.

    Files are 0644 and folders 0755 whatever the umask; nothing is a link
    into the store or the sources, so editing the site edits only the site.
    """
    folder, made = Path(folder), set()
    for relative, content in sorted(files.items()):
        parts = Path(relative).parts
        if not parts or relative.startswith("/") or any(p in ("..", ".", "") for p in parts):
            raise ValueError(f"a site file would be written outside the site: {relative}")
        target = folder / relative
        for parent in reversed(Path(relative).parents[:-1]):
            if parent not in made:
                (folder / parent).mkdir(exist_ok=True)
                os.chmod(folder / parent, 0o755)
                made.add(parent)
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), 0o644)
            handle.write(content)


def remove_leftovers(site_dir):
    """Delete temporary trees a killed build may have left beside the site."""
    for stale in Path(site_dir).parent.glob(f".{Path(site_dir).name}-*"):
        shutil.rmtree(stale, ignore_errors=True)


def publish(site_dir, files):
    """Replace `site_dir` with exactly `files` (relative path -> bytes), all at once."""
    site_dir = Path(site_dir).resolve()
    remove_leftovers(site_dir)
    staging = Path(tempfile.mkdtemp(prefix=f".{site_dir.name}-new-", dir=site_dir.parent))
    try:
        write_tree(staging, files)
        os.chmod(staging, 0o755)
        if site_dir.exists() and _exchange(staging, site_dir):
            shutil.rmtree(staging)  # now holds the old site
        else:
            if site_dir.exists():
                old = site_dir.with_name(f".{site_dir.name}-old-{os.getpid()}")
                os.rename(site_dir, old)
                os.rename(staging, site_dir)
                shutil.rmtree(old)
            else:
                os.rename(staging, site_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
