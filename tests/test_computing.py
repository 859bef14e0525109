"""How results travel: computed in a forked process or in the build's own, read by figures from the cache."""
import os
import pickle
import time
from pathlib import Path

import pytest

from lecturekit.engine.cache import ResultCache
from lecturekit.engine.compute import computation_keys, computing
from lecturekit.engine.errors import BuildError
from lecturekit.engine.figures import task_inputs
from lecturekit.engine.lectures import find_lectures
from tiny_lecture import COMPUTE, write_lecture

WITH_PID = COMPUTE + '''

@computation(into="where")
def process():
    import os
    return {"pid": os.getpid()}
'''


def tiny(tmp_path, compute=WITH_PID):
    write_lecture(tmp_path, compute=compute)
    return find_lectures(tmp_path / "content")[0]


def summary_first(statement):
    """The tiny lecture's code, with `summary` running `statement` first."""
    return COMPUTE.replace("def summary(squares):", f"def summary(squares):\n    {statement}")


def compute(lecture, cache_dir, background):
    """(Computed, names in the order on_ready heard them)."""
    heard = []
    with computing(lecture, computation_keys(lecture), cache_dir, background=background) as results:
        return results(on_ready=heard.append), heard


def test_a_forked_process_computes_the_same_results_and_relays_each(tmp_path):
    lecture = tiny(tmp_path)
    here, heard_here = compute(lecture, tmp_path / "here", background=False)
    there, heard_there = compute(lecture, tmp_path / "there", background=True)
    assert here.published.pop("where")["pid"] == os.getpid()
    assert there.published.pop("where")["pid"] != os.getpid()
    assert there.published == here.published and there.ran == here.ran
    assert sorted(heard_there) == sorted(heard_here) == ["process", "squares", "summary"]
    assert heard_there.index("squares") < heard_there.index("summary")


def test_with_everything_cached_nothing_is_forked(tmp_path):
    lecture = tiny(tmp_path)
    compute(lecture, tmp_path / "cache", background=True)
    again, _ = compute(lecture, tmp_path / "cache", background=True)
    assert again.ran == [] and again.published["where"]["pid"] != os.getpid()  # the first build's, from the cache


def test_a_failing_computation_in_the_forked_process_is_named(tmp_path):
    lecture = tiny(tmp_path, COMPUTE.replace("2 * squares", "1 / 0 * squares"))
    with pytest.raises(BuildError) as caught:
        compute(lecture, tmp_path / "cache", background=True)
    assert "'summary'" in str(caught.value) and "ZeroDivisionError" in str(caught.value)
    assert "(at compute.py:" in str(caught.value) and caught.value.path == lecture.folder


def test_a_forked_process_that_dies_is_an_error_not_a_hang(tmp_path):
    lecture = tiny(tmp_path, summary_first("import os; os._exit(3)"))
    with pytest.raises(BuildError, match="stopped without reporting"):
        compute(lecture, tmp_path / "cache", background=True)


def test_a_failure_in_the_build_stops_the_forked_process(tmp_path):
    lecture = tiny(tmp_path, summary_first("import time; time.sleep(60)"))
    start = time.monotonic()
    with pytest.raises(KeyError):
        with computing(lecture, computation_keys(lecture), tmp_path / "cache", background=True):
            raise KeyError("the figure workers failed to start")
    assert time.monotonic() - start < 30, "the build waited for the computation instead of stopping it"


def test_build_errors_survive_the_trip_between_processes():
    error = pickle.loads(pickle.dumps(BuildError("bad formula", Path("lecture.md"), 12)))
    assert (error.message, error.path, error.line) == ("bad formula", Path("lecture.md"), 12)
    assert str(error) == "lecture.md:12: bad formula"


def test_figure_inputs_are_read_from_the_results_cache(tmp_path):
    lecture = tiny(tmp_path)
    keys = computation_keys(lecture)
    computed, _ = compute(lecture, tmp_path / "cache", background=False)
    task = [(next(spec for spec in lecture.figures if spec.name == "parabola"), "figure key")]
    inputs = task_inputs(task, ResultCache(tmp_path / "cache"), keys)
    assert list(inputs) == ["squares"] and inputs["squares"]["minimizer"] == computed.published["demo"]["minimizer"]
    assert inputs["squares"]["w"].shape == (41,)
    with pytest.raises(FileNotFoundError, match="'squares' is missing"):
        task_inputs(task, ResultCache(tmp_path / "elsewhere"), keys)
