"""The preview server's watcher outlives any build: it reports the failure and builds again on the next save."""
import sys

from lecturekit import serve


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
