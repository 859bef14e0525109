"""The Node.js scripts a build runs (KaTeX, Pagefind): one JSON request on stdin, one JSON answer on stdout.

Node is a build-time tool only; its packages are pinned by package-lock.json and installed by `make`.
Every failure (no Node, a package not installed, a script that dies or answers nothing) is a BuildError
that says what could not be done and how to set Node up.
"""
import json
import os
import shutil
from pathlib import Path

from .errors import BuildError

REPO_ROOT = Path(__file__).resolve().parent.parent.parent
NODE_MODULES = REPO_ROOT / "node_modules"
NODE_HINT = f"install Node.js (18 or later) and run `npm ci` in {REPO_ROOT}"


def package_version(folder, name):
    """The installed version of the npm package in `folder` (node_modules/<package>), or a BuildError."""
    try:
        return json.loads((Path(folder) / "package.json").read_text(encoding="utf-8"))["version"]
    except (OSError, ValueError, KeyError):
        raise BuildError(f"{name} is not installed in {Path(folder).parent}: run `npm ci` in {REPO_ROOT}") from None


def start(script, request, doing, path=None):
    """Start `node script REPO_ROOT` fed the JSON `request`; `doing` ("render math") names it in errors."""
    node = os.environ.get("LECTUREKIT_NODE") or shutil.which("node")
    if not node:
        raise BuildError(f"cannot {doing}: Node.js (`node`) not found on PATH; {NODE_HINT}", path)
    from .scheduler import SCHEDULER  # it owns every process a build starts
    try:
        return SCHEDULER.run_program([node, str(script), str(REPO_ROOT)], json.dumps(request))
    except OSError:
        raise BuildError(f"cannot {doing}: cannot run {node}; {NODE_HINT}", path) from None


def answer(process, script, doing, what, path=None, timeout=600):
    """Wait for a process from `start`; its answer's `what` field ("results"), or a BuildError."""
    import subprocess  # here: a build that starts no program need not load it
    from .scheduler import how_it_ended
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        raise BuildError(f"cannot {doing}: {Path(script).name} took longer than {timeout // 60} minutes",
                         path) from None
    if process.returncode != 0:
        raise BuildError(f"cannot {doing}: {Path(script).name} ended with {how_it_ended(process.returncode)}: "
                         f"{err.strip()}; {NODE_HINT}", path)
    try:
        return json.loads(out)[what]
    except (ValueError, KeyError):
        raise BuildError(f"cannot {doing}: {Path(script).name} wrote no {what}; {NODE_HINT}", path) from None
