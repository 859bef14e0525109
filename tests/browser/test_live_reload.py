"""`make serve` in a real browser: the open page reloads after a good build and shows a failed one's error.

The preview server runs as `make serve` runs it (python -m lecturekit.serve), on a
free port, over a temporary copy of the fixture course; the test edits its Markdown.
"""
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from browser_support import ROOT
from lecturekit.livereload import EVENTS

HERE = Path(__file__).resolve().parent
BUILD_TIMEOUT = 180  # seconds: a first build of the fixture course with cold caches draws its animation


@dataclass
class Preview:
    url: str
    content: Path
    output: "queue.Queue[str]"  # the server's lines, as it prints them

    def next_outcome(self, timeout=BUILD_TIMEOUT):
        """The next build's outcome as printed: ("rebuilt", "") or ("failed", the error it printed)."""
        deadline = time.monotonic() + timeout
        while True:
            line = self.output.get(timeout=max(0.1, deadline - time.monotonic()))
            if " rebuilt in " in line:
                return "rebuilt", ""
            if " build failed " in line:
                error = []
                while True:  # the error follows, up to the next quiet moment
                    try:
                        error.append(self.output.get(timeout=1))
                    except queue.Empty:
                        return "failed", "\n".join(error)


@pytest.fixture
def preview(tmp_path):
    """The preview server over a copy of the fixture course, once its first build is done."""
    content = tmp_path / "content"
    shutil.copytree(HERE / "fixture_course" / "content", content)
    process = subprocess.Popen([sys.executable, "-m", "lecturekit.serve", "--port", "0", "--content", str(content),
                                "--out", str(tmp_path / "site")], cwd=ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, start_new_session=True)
    output = queue.Queue()
    threading.Thread(target=lambda: [output.put(line.rstrip("\n")) for line in process.stdout], daemon=True).start()
    try:
        first = output.get(timeout=60)
        url = re.search(r"at (http://127\.0\.0\.1:\d+/)", first).group(1)
        server = Preview(url, content, output)
        assert server.next_outcome() == ("rebuilt", "")
        yield server
    finally:
        os.killpg(process.pid, signal.SIGTERM)  # the server and any build it is running
        process.wait(timeout=30)


def test_the_page_reloads_after_a_good_build_and_shows_a_failed_builds_error(preview, browser, artifacts):
    context = browser.new_context(viewport={"width": 1200, "height": 800})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(preview.url + "02-still/index.html", wait_until="load")
    page.wait_for_function("() => window.EventSource && document.querySelector('script[data-lecturekit-build]')")
    lecture = preview.content / "02-still" / "lecture.md"
    original = lecture.read_text(encoding="utf-8")
    page.evaluate("window.sameDocument = true")

    lecture.write_text(original + "\nA sentence saved while the page was open.\n", encoding="utf-8")
    assert preview.next_outcome() == ("rebuilt", "")
    page.wait_for_function("() => document.body.innerText.includes('A sentence saved while the page was open.')",
                           timeout=30_000)
    assert page.evaluate("window.sameDocument") is None, "the page reloaded"

    page.evaluate("window.sameDocument = true")
    lecture.write_text(original + "\nA sentence with a mistake: {{ no_such_result }}.\n", encoding="utf-8")
    outcome, error = preview.next_outcome()
    assert outcome == "failed" and "no_such_result" in error and "lecture.md" in error
    overlay = page.wait_for_selector("#lecturekit-build-error", timeout=30_000)
    shown = overlay.inner_text()
    for line in error.splitlines():
        assert line.strip() in shown, "the overlay shows what the build printed"
    assert page.evaluate("window.sameDocument"), "the last good page stays"
    assert "A sentence saved while the page was open." in page.inner_text("main")
    page.screenshot(path=str(artifacts / "live-reload-error.png"))

    lecture.write_text(original + "\nThe mistake is mended.\n", encoding="utf-8")
    assert preview.next_outcome() == ("rebuilt", "")
    page.wait_for_function("() => document.body.innerText.includes('The mistake is mended.')", timeout=30_000)
    assert page.evaluate("window.sameDocument") is None
    assert page.query_selector("#lecturekit-build-error") is None, "the next good build clears the error"
    assert not errors, errors
    context.close()


def test_the_built_sites_hold_no_live_reload(sites):
    for site in sites.values():
        for path in site.folder.rglob("*"):
            if path.is_file():
                data = path.read_bytes()
                assert EVENTS.encode() not in data and b"data-lecturekit-build" not in data, path
