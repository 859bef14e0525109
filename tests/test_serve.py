"""The preview server: its watcher outlives any build, and the pages it serves reload or show the build's error."""
import http.client
import json
import sys
import threading
from functools import partial
from http.server import ThreadingHTTPServer

import pytest

from lecturekit import serve
from lecturekit.livereload import EVENTS, BuildStatus, LiveReloadHandler


def test_a_build_that_dies_is_reported_and_the_next_one_runs(capsys):
    assert serve.rebuild([sys.executable, "-c", "import os; os._exit(3)"]) is False
    assert serve.rebuild([sys.executable, "-c", "import os, signal; os.kill(os.getpid(), signal.SIGKILL)"]) is False
    assert serve.rebuild([sys.executable, "-c", "print('ok')"]) is True
    out = capsys.readouterr().out
    assert "build failed" in out and "exit status 3" in out and "signal 9" in out and "rebuilt in" in out


def test_the_watcher_rebuilds_after_a_failed_build(tmp_path, monkeypatch):
    watched = tmp_path / "lecture.md"
    watched.write_text("one")
    monkeypatch.setattr(serve, "WATCHED", (watched.name,))
    outcomes, builds, naps = iter([False, True]), [], []

    def nap(seconds):  # the author saves between the watcher's looks
        naps.append(seconds)
        if len(naps) == 3:
            raise KeyboardInterrupt
        watched.write_text(f"save {len(naps)}")
    monkeypatch.setattr(serve.time, "sleep", nap)
    monkeypatch.setattr(serve, "rebuild", lambda: builds.append(next(outcomes)))
    try:
        serve.watch(interval=0.01, root=tmp_path)
    except KeyboardInterrupt:
        pass
    assert builds == [False, True]  # the save after the failed build was built


# ------------------------------------------------------------------ live reload (lecturekit/livereload.py)

PAGE = b"<!doctype html>\n<html><body>\n<p>Hello</p>\n</body>\n</html>\n"


@pytest.fixture
def preview(tmp_path):
    """A preview server over a tiny site in `tmp_path`: (port, status, site folder)."""
    site = tmp_path / "site"
    (site / "lecture").mkdir(parents=True)
    (site / "index.html").write_bytes(PAGE)
    (site / "lecture" / "index.html").write_bytes(PAGE.replace(b"Hello", b"Lecture"))
    (site / "style.css").write_bytes(b"body { color: red; }</body>\n")
    status = BuildStatus()
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(LiveReloadHandler, status, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1], status, site
    server.shutdown()
    server.server_close()


def get(port, path):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path)
    response = connection.getresponse()
    return response, response.read()


def test_the_preview_puts_the_live_reload_script_into_pages_and_only_there(preview):
    port, status, site = preview
    status.succeeded()
    for path, on_disk in [("/index.html", site / "index.html"), ("/lecture/", site / "lecture" / "index.html")]:
        response, body = get(port, path)
        served = on_disk.read_bytes()
        assert response.status == 200 and response.getheader("Cache-Control") == "no-store"
        assert int(response.getheader("Content-Length")) == len(body)
        script = body.index(b'<script data-lecturekit-build="1">')
        assert EVENTS.encode() in body[script:] and body.rindex(b"</body>") > script, "before the page's end"
        assert body[:script] + body[body.index(b"</script>\n", script) + len(b"</script>\n"):] == served
        assert b"lecturekit-build" not in served, "the site's own file is left as it is"
    response, body = get(port, "/style.css")
    assert body == (site / "style.css").read_bytes(), "anything but a page is served as it is"


def read_event(response):
    """The next `data:` event of a Server-Sent Events stream, decoded."""
    while True:
        line = response.fp.readline()
        assert line, "the stream ended"
        if line.startswith(b"data: "):
            return json.loads(line[len(b"data: "):])


def test_the_event_stream_tells_the_page_each_build_outcome(preview):
    port, status, _ = preview
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", EVENTS)
    response = connection.getresponse()
    assert response.getheader("Content-Type") == "text/event-stream"
    assert read_event(response) == {"good": 0, "error": None}, "the state at once, on connecting"
    status.failed("error: lecture.md, line 3: no such name")
    assert read_event(response) == {"good": 0, "error": "error: lecture.md, line 3: no such name"}
    status.succeeded()
    assert read_event(response) == {"good": 1, "error": None}, "a good build clears the error"
    connection.close()


def test_a_rebuild_tells_the_open_pages_how_it_went():
    status = BuildStatus()
    assert serve.rebuild([sys.executable, "-c", "import sys; sys.exit('error: broken.md, line 2')"], status) is False
    assert status.good == 0 and "error: broken.md, line 2" in status.error and "exit status 1" in status.error
    assert serve.rebuild([sys.executable, "-c", "pass"], status) is True
    assert status.good == 1 and status.error is None
