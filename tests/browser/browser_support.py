"""Helpers shared by the browser, link and HTML tests (imported by conftest.py and the tests)."""
import os
import re
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


def rgb(css):
    """The red, green and blue of a computed CSS colour, `rgb(r, g, b)` or `rgba(r, g, b, a)`."""
    values = [float(v) for v in re.findall(r"[\d.]+", css)[:3]]
    assert len(values) == 3, css
    return values


def luminance(css):
    """WCAG relative luminance."""
    def channel(c):
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(c) for c in rgb(css))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b):
    """WCAG contrast ratio of two colours, 1 to 21."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)
