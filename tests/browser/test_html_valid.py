"""Zero errors from the Nu HTML Checker (vnu.jar, the npm devDependency `vnu-jar`) on every page.

Needs Java. Without it the tests skip on a developer's machine and fail in CI
(CI=true), where .ci/run installs default-jre-headless.
"""
import json
import shutil
import subprocess

import pytest

from browser_support import ROOT, missing

VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


@pytest.fixture(scope="module")
def vnu():
    java = shutil.which("java")
    if not java:
        missing("Java", "install it with `apt-get install default-jre-headless` (.ci/run does)")
    if not VNU.is_file():
        missing(str(VNU.relative_to(ROOT)), "run `npm ci` (make test does)")

    def check(*args):
        # vnu prints its JSON report on stderr; exit status 1 means it found errors.
        result = subprocess.run([java, "-Xss1024k", "-jar", str(VNU), "--format", "json", *map(str, args)],
                                capture_output=True, text=True, timeout=300)
        assert result.returncode in (0, 1), result.stderr[-2000:]
        return json.loads(result.stderr or result.stdout)["messages"]
    return check


@pytest.fixture(scope="module")
def page_errors(web_root, vnu):
    root, sites = web_root
    pages = [page for site in sites.values() for page in site.pages]
    assert len(pages) >= 4
    return root, [m for m in vnu("--errors-only", *pages) if m["type"] == "error" or m.get("subType") == "fatal"]


def describe(messages, root):
    return "\n".join(f"{m.get('url', '').split(str(root))[-1]}:{m.get('lastLine')}: {m['type']}: {m['message']}"
                     f"\n    {m.get('extract', '')!r}" for m in messages)


def test_every_page_has_no_html_errors(page_errors):
    root, errors = page_errors
    assert not errors, f"{len(errors)} HTML error(s):\n{describe(errors, root)}"


def test_stylesheet_has_no_css_errors(vnu):
    errors = [m for m in vnu("--errors-only", "--css", ROOT / "templates" / "static" / "style.css")
              if m["type"] == "error"]
    assert not errors, describe(errors, ROOT)


def test_checker_reports_errors(vnu, tmp_path):
    """The checker really runs: an image without alt and a stray end tag are errors."""
    page = tmp_path / "bad.html"
    page.write_text('<!doctype html><html lang="en"><head><title>t</title></head>'
                    '<body><img src="x.png"></div></body></html>')
    messages = [m for m in vnu("--errors-only", page) if m["type"] == "error"]
    assert len(messages) >= 2, messages
