"""Fixtures for the browser, link and HTML tests: built sites, a server, a browser.

Two sites are built once per session into a temporary web root, each under a
sub-path as on GitHub Pages (https://user.github.io/repo/):

    /repo/     the real course from content/
    /fixture/  tests/browser/fixture_course/: two small lectures holding what the
               real course may not have yet (an animation, content wider than a
               phone, previous/next links)

Both builds reuse the repository's `.cache` and `figures/`, so they take about a
second once the real site has been built. A threaded http.server on 127.0.0.1
serves the web root on a free port; Debian's Chromium is driven by Playwright.
"""
import os
import shutil
import threading
from dataclasses import dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from browser_support import ROOT, missing

HERE = Path(__file__).resolve().parent
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = os.environ.get("LECTUREKIT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-dev-shm-usage"]  # containers often have a tiny /dev/shm


@dataclass
class Site:
    """One built site: where its files are and where the server shows them."""
    name: str
    folder: Path
    base_url: str = ""  # set once the server runs, e.g. http://127.0.0.1:41234/repo/

    @property
    def pages(self):
        return sorted(self.folder.rglob("*.html"))

    def url(self, relative=""):
        return self.base_url + relative


@pytest.fixture(scope="session")
def web_root(tmp_path_factory):
    """Build both sites into one temporary web root; returns {name: Site}."""
    import build  # tests/conftest.py puts the repository root on sys.path

    root = tmp_path_factory.mktemp("www")
    cache, figures = ROOT / ".cache", ROOT / "figures"
    figures.mkdir(exist_ok=True)
    sites = {}
    for name, content in [("repo", ROOT / "content"), ("fixture", HERE / "fixture_course" / "content")]:
        build.build(content, root / name, cache, figures, quiet=True)
        sites[name] = Site(name, root / name)
    return root, sites


@dataclass
class Server:
    origin: str


@pytest.fixture(scope="session")
def server(web_root):
    """Serve the web root on 127.0.0.1 at a free port, in a thread."""
    root, sites = web_root

    class Handler(SimpleHTTPRequestHandler):
        def log_message(self, *args):  # keep pytest's output clean
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(Handler, directory=str(root)))
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    origin = f"http://127.0.0.1:{httpd.server_address[1]}"
    for site in sites.values():
        site.base_url = f"{origin}/{site.name}/"
    yield Server(origin)
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="session")
def sites(web_root, server):
    """{"repo": Site, "fixture": Site}, served."""
    return web_root[1]


@pytest.fixture(scope="session")
def real_site(sites):
    return sites["repo"]


@pytest.fixture(scope="session")
def fixture_site(sites):
    return sites["fixture"]


@pytest.fixture(scope="session")
def browser(sites):
    """Debian's Chromium under Playwright; nothing is downloaded."""
    if not Path(CHROMIUM).exists() and not shutil.which(CHROMIUM):
        missing(f"Chromium ({CHROMIUM})", "install it with `apt-get install chromium` (.ci/run does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@dataclass
class Watch:
    """What a page did on the network and in its console."""
    foreign: list = field(default_factory=list)   # requests to anywhere but the test server
    failed: list = field(default_factory=list)    # (status, url) of responses >= 400, and failed requests
    console: list = field(default_factory=list)   # console errors and uncaught exceptions

    def assert_clean(self):
        assert not self.foreign, f"requests left 127.0.0.1: {self.foreign}"
        assert not self.failed, f"failed requests: {self.failed}"
        assert not self.console, f"console errors: {self.console}"


@pytest.fixture
def open_page(browser, server):
    """open_page(url, width=1200, scheme="light", reduced_motion="no-preference", javascript=True) -> (page, watch).

    Every request that is not for the test server is recorded and aborted, so
    a page that depends on the network fails here rather than offline.
    """
    contexts = []

    def opener(url, width=1200, scheme="light", reduced_motion="no-preference", height=900, javascript=True):
        context = browser.new_context(viewport={"width": width, "height": height}, color_scheme=scheme,
                                      reduced_motion=reduced_motion, service_workers="block",
                                      java_script_enabled=javascript)
        contexts.append(context)
        watch = Watch()

        def route(route):
            url = route.request.url
            if url.startswith(("data:", "blob:")) or url.startswith(server.origin + "/"):
                route.continue_()
            else:
                watch.foreign.append(url)
                route.abort()

        context.route("**/*", route)
        page = context.new_page()
        page.on("response", lambda r: r.status >= 400 and watch.failed.append((r.status, r.url)))
        documents, opened_in = [0], {}  # documents the page has opened; the one each request came from

        def on_request(request):
            if request.is_navigation_request() and request.frame == page.main_frame:
                documents[0] += 1
            opened_in[request] = documents[0]

        def on_failed(request):
            if request.url in watch.foreign:
                return
            if request.failure == "net::ERR_ABORTED" and opened_in.get(request, documents[0]) < documents[0]:
                return  # a lazy image of a page the test has left: cancelled, not broken
            if request.failure == "net::ERR_ABORTED" and request.resource_type == "image":
                return  # a <picture> switching source (dark to print) cancels a load; a missing file is a 404 above
            watch.failed.append((request.failure, request.url))
        page.on("request", on_request)
        page.on("requestfailed", on_failed)
        page.on("console", lambda m: m.type == "error" and watch.console.append(m.text))
        page.on("pageerror", lambda e: watch.console.append(str(e)))
        page.goto(url, wait_until="load")
        return page, watch

    yield opener
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def artifacts():
    """test-artifacts/, for a person to look at; once the tests are done, the long
    screenshots there are also cut into screen-sized pieces in test-artifacts/pieces/."""
    ARTIFACTS.mkdir(exist_ok=True)
    yield ARTIFACTS
    cut_into_pieces(sorted(ARTIFACTS.glob("lecture-*.png")) + sorted(ARTIFACTS.glob("home-*.png")),
                    ARTIFACTS / "pieces")


def cut_into_pieces(shots, pieces):
    """Full-page screenshots cut into pieces about a screen high (two widths high on a phone)."""
    from PIL import Image

    pieces.mkdir(exist_ok=True)
    for shot in shots:
        for stale in pieces.glob(f"{shot.stem}-*.png"):
            stale.unlink()
        with Image.open(shot) as image:
            height = 2 * image.width if image.width < 800 else image.width
            for n, top in enumerate(range(0, image.height, height)):
                image.crop((0, top, image.width, min(top + height, image.height))).save(
                    pieces / f"{shot.stem}-{n:02d}.png")
