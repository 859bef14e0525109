import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lecturekit.engine.lectures import load_code, read_lecture  # noqa: E402  (after the path is set)

GRADIENT_DESCENT = ROOT / "content" / "gradient-descent"


class LazyResults:
    """A lecture's results by computation name, each computed on first use, without the cache."""

    def __init__(self, lecture):
        self.specs, self.values = {spec.name: spec for spec in lecture.computations}, {}

    def __call__(self, name):
        if name not in self.values:
            spec = self.specs[name]
            self.values[name] = spec.fn(**{dep: self(dep) for dep in spec.deps})
        return self.values[name]


@pytest.fixture(scope="session")
def lecture():
    """The Gradient Descent lecture as the engine reads it."""
    return load_code(read_lecture(GRADIENT_DESCENT))


@pytest.fixture(scope="session")
def results(lecture):
    """Its results, computed on demand: results("runs")."""
    return LazyResults(lecture)
