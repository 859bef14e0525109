"""Live reload for the preview server: open pages reload after a good build and show a failed one's error.

Only `make serve` (serve.py) uses this. It injects a small script into every
HTML page it serves (never into the files of the built site); the script
listens to `/__lecturekit/events`, Server-Sent Events that carry the number of
good builds so far and the last build's error, if it failed. A page that was
served before the latest good build reloads; while the last build failed, its
error is shown over the page, which is the last good one (the build never
replaces the site when it fails); the next good build reloads the page and
the overlay is gone.
"""
import http.server
import io
import json
import os
import re
import threading
from pathlib import Path
from urllib.parse import urlsplit

EVENTS = "/__lecturekit/events"
SCRIPT = (Path(__file__).resolve().with_name("livereload.js")).read_text(encoding="utf-8")
KEEPALIVE = 15  # seconds between comments on a quiet event stream: a closed tab ends its thread
_BODY_END = re.compile(rb"</body\s*>", re.I)


class BuildStatus:
    """What the preview tells the open pages: how many builds succeeded, and the error of the last if it failed."""

    def __init__(self):
        self._changed = threading.Condition()
        self.good = 0       # good builds so far: a page served before the latest one is stale
        self.error = None   # the last build's error, if it failed
        self._news = 0      # counts every outcome, good or bad

    def succeeded(self):
        self._tell(good=self.good + 1, error=None)

    def failed(self, error):
        self._tell(good=self.good, error=error)

    def _tell(self, good, error):
        with self._changed:
            self.good, self.error, self._news = good, error, self._news + 1
            self._changed.notify_all()

    def wait(self, seen, timeout):
        """(news, state) once there is news other than `seen` (None: at once), or after `timeout` seconds."""
        with self._changed:
            self._changed.wait_for(lambda: self._news != seen, timeout)
            return self._news, {"good": self.good, "error": self.error}


def with_live_reload(html, good):
    """A page's HTML with the live-reload script, told it shows the site of good build number `good`."""
    tag = f'<script data-lecturekit-build="{good}">\n{SCRIPT}</script>\n'.encode("utf-8")
    ends = list(_BODY_END.finditer(html))
    at = ends[-1].start() if ends else len(html)
    return html[:at] + tag + html[at:]


class LiveReloadHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the site as it is on disk, its pages with the live-reload script, and the build's events."""

    def __init__(self, status, *args, **kwargs):
        self.status = status
        super().__init__(*args, **kwargs)

    def log_message(self, *args):
        pass

    def end_headers(self):
        self.send_header("Cache-Control", "no-store")  # a reload shows the new build's files, all of them
        super().end_headers()

    def do_GET(self):
        if urlsplit(self.path).path == EVENTS:
            self.send_events()
        else:
            super().do_GET()

    def send_head(self):
        """A page is served with the script in it; anything else as the standard handler does."""
        path = self.translate_path(self.path)
        if os.path.isdir(path) and urlsplit(self.path).path.endswith("/"):
            path = os.path.join(path, "index.html")
        if not path.endswith(".html") or not os.path.isfile(path):
            return super().send_head()
        try:
            with open(path, "rb") as handle:
                body = with_live_reload(handle.read(), self.status.good)
        except OSError:  # the build swapped the site in between
            return super().send_head()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)

    def send_events(self):
        """Stream the build status to one page, as it changes, until the page goes."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        seen = None
        try:
            while True:
                news, state = self.status.wait(seen, KEEPALIVE)
                if news == seen:
                    self.wfile.write(b": nothing new\n\n")
                else:
                    self.wfile.write(f"data: {json.dumps(state)}\n\n".encode("utf-8"))
                    seen = news
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass
