"""Computing and drawing one lecture: in a helper process when something must run, reported when it dies."""
import os
import pickle
from pathlib import Path

import pytest

from lecturekit.engine import produce as producing
from lecturekit.engine.errors import BuildError
from lecturekit.engine.lectures import find_lectures, load_code
from lecturekit.engine.produce import compute_and_draw
from lecturekit.engine.scheduler import SCHEDULER
from lecturekit.engine.store import Store
from tiny_lecture import COMPUTE, write_lecture

WITH_PID = COMPUTE + '''

@computation(into="where")
def process():
    import os
    return {"pid": os.getpid()}
'''


def tiny(tmp_path, compute=WITH_PID):
    write_lecture(tmp_path, compute=compute)
    return load_code(find_lectures(tmp_path / "content")[0])


def summary_first(statement):
    """The tiny lecture's code, with `summary` running `statement` first."""
    return COMPUTE.replace("def summary(squares):", f"def summary(squares):\n    {statement}")


def produced(lecture, tmp_path):
    try:
        return compute_and_draw(lecture, Store(tmp_path / "store", tmp_path / "blobs"))
    finally:
        SCHEDULER.stop()


def test_results_are_computed_in_a_helper_process_and_reused_in_this_one(tmp_path, monkeypatch):
    first = produced(tiny(tmp_path), tmp_path)
    assert first.results["where"]["pid"] != os.getpid()
    assert sorted(first.ran) == ["process", "squares", "summary"] and first.drawn == ["parabola"]
    monkeypatch.setattr(SCHEDULER, "start", lambda *a: pytest.fail("a helper started with everything stored"))
    again = produced(tiny(tmp_path), tmp_path)
    assert again.results == first.results and again.ran == [] and again.drawn == []
    assert again.manifests == first.manifests


def test_a_failing_computation_is_named_with_its_place(tmp_path):
    with pytest.raises(BuildError) as caught:
        produced(tiny(tmp_path, COMPUTE.replace("2 * squares", "1 / 0 * squares")), tmp_path)
    assert "'summary'" in str(caught.value) and "ZeroDivisionError" in str(caught.value)
    assert "(at compute.py:" in str(caught.value) and Path(caught.value.path).name == "compute.py"


@pytest.mark.parametrize("statement, how", [("import os; os._exit(3)", "exit status 3"),
                                            ("raise SystemExit(3)", "SystemExit: 3"),
                                            ("import os, signal; os.kill(os.getpid(), signal.SIGKILL)", "SIGKILL")])
def test_a_computation_process_that_dies_is_named_not_a_hang(tmp_path, statement, how):
    with pytest.raises(BuildError) as caught:
        produced(tiny(tmp_path, summary_first(statement)), tmp_path)
    assert "computing 'summary'" in str(caught.value) and how in str(caught.value)


def test_a_failure_in_the_build_stops_the_helpers(tmp_path, monkeypatch):
    lecture = tiny(tmp_path, summary_first("import time; time.sleep(60)"))
    monkeypatch.setattr(producing.Production, "ready", lambda *a: (_ for _ in ()).throw(KeyError("boom")))
    with pytest.raises(KeyError):
        produced(lecture, tmp_path)
    assert not SCHEDULER.helpers and not [p for p in os.listdir("/proc") if p.isdigit()
                                          and os.path.exists(f"/proc/{p}/stat")
                                          and f") Z {os.getpid()} " in open(f"/proc/{p}/stat").read()]


def test_build_errors_survive_the_trip_between_processes():
    error = pickle.loads(pickle.dumps(BuildError("bad formula", Path("lecture.md"), 12)))
    assert (error.message, error.path, error.line) == ("bad formula", Path("lecture.md"), 12)
    assert str(error) == "lecture.md:12: bad formula"
