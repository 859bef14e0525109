"""`make serve`: preview the site on 127.0.0.1, rebuild whenever a source changes, and reload the open pages.

Each rebuild runs build.py in a new process, so edits to any Python code take
effect; a failed build prints its error and the last good site keeps being served.
Only this server adds live reload to the pages it serves (see livereload.py):
after a good build they reload, after a failed one they show its error over the
last good page. The built site holds no trace of it.
"""
import argparse
import functools
import http.server
import subprocess
import sys
import threading
import time
from pathlib import Path

from lecturekit.livereload import BuildStatus, LiveReloadHandler

ROOT = Path(__file__).resolve().parents[1]
WATCHED = ("content", "templates", "lecturekit", "build.py")
STATUS = BuildStatus()  # what the open pages are told


def snapshot(root=ROOT, watched=None):
    """Modification times of every watched file (`watched`: paths, default WATCHED under `root`)."""
    files = []
    for path in watched if watched is not None else [root / name for name in WATCHED]:
        path = Path(path)
        files += [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    return {p: p.stat().st_mtime_ns for p in files if p.exists()}


BUILD = [sys.executable, str(ROOT / "build.py"), "--quiet"]


def rebuild(command=BUILD, status=STATUS):
    """Run one build; print one line with its outcome and time; True if it succeeded.

    However the build ends (an error, a helper that died, a signal), the
    watcher goes on and builds again on the next save. The outcome goes to
    `status`, for the open pages.
    """
    start = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    took = time.perf_counter() - start
    if result.returncode == 0:
        print(f"[{time.strftime('%H:%M:%S')}] rebuilt in {took:.2f} s", flush=True)
        status.succeeded()
        return True
    how = f"exit status {result.returncode}" if result.returncode > 0 else f"signal {-result.returncode}"
    error = result.stderr.strip() or "(it printed nothing)"
    print(f"[{time.strftime('%H:%M:%S')}] build failed after {took:.2f} s ({how}):\n{error}", flush=True)
    status.failed(f"{error}\n({how})")
    return False


def watch(interval=0.3, root=ROOT, watched=None, build=None):
    """Poll the sources and rebuild on change (polling needs no extra dependency)."""
    seen = snapshot(root, watched)
    while True:
        time.sleep(interval)
        now = snapshot(root, watched)
        if now != seen:
            seen = now  # taken before the build: a save made while it runs starts another
            (build or rebuild)()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8000, help="0 picks a free port")
    parser.add_argument("--content", type=Path, default=ROOT / "content", help="lecture sources")
    parser.add_argument("--out", type=Path, default=ROOT / "site", help="where the site goes")
    parser.add_argument("--no-watch", action="store_true", help="serve only, do not rebuild on change")
    args = parser.parse_args(argv)
    content, out = args.content.resolve(), args.out.resolve()
    build = functools.partial(rebuild, BUILD + ["--content", str(content), "--out", str(out)])
    handler = functools.partial(LiveReloadHandler, STATUS, directory=str(out))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"serving {out.name}/ at http://127.0.0.1:{server.server_address[1]}/  (Ctrl-C to stop)", flush=True)
    build()
    try:
        if args.no_watch:
            threading.Event().wait()
        watched = [content] + [ROOT / name for name in WATCHED if name != "content"]
        print(f"watching {', '.join(p.name for p in watched)} for changes", flush=True)
        watch(watched=watched, build=build)
    except KeyboardInterrupt:
        print("stopped")


if __name__ == "__main__":
    main()
