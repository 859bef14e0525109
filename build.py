#!/usr/bin/env python3
"""Build the course site: compute every result, draw every figure, write every page.

    python build.py [--content content] [--out site]

Steps, in order: find the lectures; compute each one's results and draw its
figures (each through a store that checks what it serves, a lecture whose
sources did not change taken whole from the last build); render the pages;
swap the finished tree in as the site. Nothing touches the site until all
of it succeeded.
"""
import argparse
import contextlib
import fcntl
import json
import os
import sys
import time
from pathlib import Path

# Parallelism comes from the helper processes; BLAS threads in each would only
# contend with them for the cores. Set before numpy loads.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

from lecturekit.engine import reads  # noqa: E402  (after the environment is set)
from lecturekit.engine.errors import BuildError, describe_os_error  # noqa: E402
from lecturekit.engine.lectures import find_lectures, read_course  # noqa: E402
from lecturekit.engine.pages import site_files  # noqa: E402
from lecturekit.engine.produce import produce  # noqa: E402
from lecturekit.engine.published import PreviousSite  # noqa: E402
from lecturekit.engine.reuse import project_code  # noqa: E402
from lecturekit.engine.scheduler import SCHEDULER  # noqa: E402
from lecturekit.engine.site import publish  # noqa: E402
from lecturekit.engine.sources import Changed, check_unchanged, forget_seen  # noqa: E402
from lecturekit.engine.store import Store  # noqa: E402
from lecturekit.quick_exit import exit_now  # noqa: E402

ROOT = Path(__file__).resolve().parent


class Steps:
    """Prints one line per build step with its duration."""

    def __init__(self, quiet=False):
        self.start = self.last = time.perf_counter()
        self.quiet = quiet

    def done(self, message):
        now = time.perf_counter()
        if not self.quiet:
            print(f"  {message:<72} {now - self.last:6.2f} s", flush=True)
        self.last = now

    def note(self, message):
        if not self.quiet:
            print(f"    · {message}", flush=True)

    @property
    def total(self):
        return time.perf_counter() - self.start


def build(content_dir, out_dir, cache_dir, figure_dir, quiet=False):
    """The whole build; returns a summary dict. Raises BuildError on an author's mistake."""
    forget_seen()  # what this build sees of the sources, from its first look
    steps, store = Steps(quiet), Store(Path(cache_dir) / "store", figure_dir)
    previous = PreviousSite(out_dir, store)
    reads.ignore(cache_dir, figure_dir, out_dir)
    code = project_code([ROOT / "lecturekit", ROOT / "build.py"])
    try:
        # 1. Find the lectures.
        course, lectures = read_course(content_dir), find_lectures(content_dir)
        steps.done(f"found {len(lectures)} lecture(s) in {Path(content_dir).name}/")
        # 2. Compute and draw each one (or reuse it whole).
        for lecture in lectures:
            produce(lecture, store, code, steps, previous, course.meta["solutions"], course.macros)
        # 3. Render the pages.
        files, rendered = site_files(course, lectures, store, code, ROOT / "templates")
        pages = sum(len(lecture.parts) for lecture in lectures) + 1  # and the home page
        steps.done(f"pages: {rendered} rendered, {pages - rendered} reused")
        # 4. Publish, if no source changed while the build ran.
        check_unchanged()
        wrote = publish(out_dir, files, previous)
    except Changed:
        store.forget_written()  # stored under keys that may describe code that did not run
        raise
    finally:
        SCHEDULER.stop()
    pruned = store.finish_build()
    steps.done((f"wrote {len(files)} files to" if wrote else f"all {len(files)} files already in")
               + f" {Path(out_dir).name}/" + (f"; pruned {pruned} cache entries" if pruned else ""))
    return {"lectures": len(lectures), "computed": sum(len(lec.ran) for lec in lectures),
            "computations": sum(len(lec.keys) for lec in lectures), "rendered": sum(len(lec.drawn) for lec in lectures),
            "figures": sum(len(lec.manifests) for lec in lectures), "reused": sum(lec.reused for lec in lectures),
            "pages_rendered": rendered, "files": len(files), "seconds": steps.total}


@contextlib.contextmanager
def build_lock(path):
    """One build at a time: a second one waits for the first, and says so.

    A POSIX record lock (lockf): unlike flock, forked helpers do not inherit
    it, so a helper outliving a killed build cannot hold it.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as handle:
        try:
            fcntl.lockf(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            print("waiting for another build to finish ...", file=sys.stderr, flush=True)
            fcntl.lockf(handle, fcntl.LOCK_EX)
        yield


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--content", type=Path, default=ROOT / "content", help="lecture sources")
    parser.add_argument("--out", type=Path, default=ROOT / "site", help="where the site goes")
    parser.add_argument("--cache", type=Path, default=ROOT / ".cache", help="where checked results are stored")
    parser.add_argument("--figures", type=Path, default=ROOT / "figures", help="where figure files are stored")
    parser.add_argument("--quiet", action="store_true", help="print only errors")
    parser.add_argument("--summary", type=Path, help="also write the build summary as JSON to this file")
    args = parser.parse_args(argv)
    try:
        with build_lock(args.cache / "build.lock"):
            summary = build(args.content, args.out, args.cache, args.figures, args.quiet)
    except BuildError as error:
        print(f"error: {error}", file=sys.stderr)
        print("build failed; the previous site was left unchanged.", file=sys.stderr)
        return 1
    except OSError as error:  # a folder given that cannot be one (a file in the way, no permission, a full disk)
        print(f"error: {describe_os_error(error)}", file=sys.stderr)
        print("build failed; the previous site was left unchanged.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("build interrupted; the previous site was left unchanged.", file=sys.stderr)
        return 130
    if args.summary:
        args.summary.write_text(json.dumps(summary, indent=1) + "\n")
    if not args.quiet:
        print(f"built {summary['lectures']} lecture(s) into {args.out}/ in {summary['seconds']:.2f} s "
              f"({summary['computed']} of {summary['computations']} results and "
              f"{summary['rendered']} of {summary['figures']} figures were new)")
    return 0


if __name__ == "__main__":
    exit_now(main())
