"""`make serve`: preview the site on 127.0.0.1 and rebuild whenever a source changes.

Each rebuild runs build.py in a new process, so edits to any Python code take
effect; a failed build prints its error and the last good site keeps being served.
"""
import argparse
import functools
import http.server
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WATCHED = ("content", "templates", "lecturekit", "build.py")


def snapshot(root=ROOT):
    """Modification times of every watched file."""
    files = []
    for name in WATCHED:
        path = root / name
        files += [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    return {p: p.stat().st_mtime_ns for p in files if p.exists()}


BUILD = [sys.executable, str(ROOT / "build.py"), "--quiet"]


def rebuild(command=BUILD):
    """Run one build; print one line with its outcome and time; True if it succeeded.

    However the build ends (an error, a helper that died, a signal), the
    watcher goes on and builds again on the next save.
    """
    start = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    took = time.perf_counter() - start
    if result.returncode == 0:
        print(f"[{time.strftime('%H:%M:%S')}] rebuilt in {took:.2f} s", flush=True)
        return True
    how = f"exit status {result.returncode}" if result.returncode > 0 else f"signal {-result.returncode}"
    print(f"[{time.strftime('%H:%M:%S')}] build failed after {took:.2f} s ({how}):\n"
          f"{result.stderr.strip() or '(it printed nothing)'}", flush=True)
    return False


def watch(interval=0.3, root=ROOT):
    """Poll the sources and rebuild on change (polling needs no extra dependency)."""
    seen = snapshot(root)
    while True:
        time.sleep(interval)
        now = snapshot(root)
        if now != seen:
            seen = now  # taken before the build: a save made while it runs starts another
            rebuild()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--no-watch", action="store_true", help="serve only, do not rebuild on change")
    args = parser.parse_args()
    handler = functools.partial(QuietHandler, directory=str(ROOT / "site"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"serving site/ at http://127.0.0.1:{args.port}/  (Ctrl-C to stop)", flush=True)
    rebuild()
    try:
        if args.no_watch:
            threading.Event().wait()
        print(f"watching {', '.join(WATCHED)} for changes", flush=True)
        watch()
    except KeyboardInterrupt:
        print("stopped")


if __name__ == "__main__":
    main()
