"""Helpers shared by the browser, link and HTML tests (imported by conftest.py and the tests)."""
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def missing(what, how):
    """Fail in CI (a missing tool must not pass silently), skip on a developer's machine."""
    message = f"{what} is not installed; {how}"
    if IN_CI:
        pytest.fail(message, pytrace=False)
    pytest.skip(message)
