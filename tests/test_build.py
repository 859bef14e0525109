"""End-to-end builds of a tiny lecture: output, errors, atomicity, determinism."""
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import build
from lecturekit.engine.errors import BuildError
from lecturekit.engine.prose import sig
from tiny_lecture import COMPUTE, FIGURES, LECTURE, build_args, write_lecture

ROOT = Path(__file__).resolve().parents[1]


def tree_digest(folder):
    """Hash of every file's relative path and bytes."""
    h = hashlib.sha256()
    for path in sorted(p for p in Path(folder).rglob("*") if p.is_file()):
        h.update(path.relative_to(folder).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def test_build_writes_page_with_computed_numbers(tmp_path):
    write_lecture(tmp_path)
    summary = build.build(**build_args(tmp_path))
    page = (tmp_path / "site" / "tiny" / "index.html").read_text()
    results = json.loads((tmp_path / "site" / "tiny" / "results.json").read_text())
    w = np.linspace(-2.0, 2.0, 41)
    expected = w[np.argmin(np.abs(w - 0.73))]  # the grid point nearest the true minimizer
    assert results["demo"]["minimizer"] == pytest.approx(expected)
    assert f"The minimizer is {sig(expected, 3)} and twice it is {sig(2 * expected, 3)}." in page
    assert 'src="figures/parabola.png"' in page
    assert (tmp_path / "site" / "tiny" / "figures" / "parabola.png").stat().st_size > 1000
    assert 'class="katex"' in page and "$w^2$" not in page
    assert "Figure 1." in page
    home = (tmp_path / "site" / "index.html").read_text()
    assert 'href="tiny/index.html"' in home and "Test Course" in home
    assert summary["rendered"] == 1 and summary["computed"] == 2


def test_second_build_reuses_everything(tmp_path):
    write_lecture(tmp_path)
    build.build(**build_args(tmp_path))
    again = build.build(**build_args(tmp_path))
    assert again["computed"] == 0 and again["rendered"] == 0


def test_prose_edit_recomputes_nothing(tmp_path):
    write_lecture(tmp_path)
    build.build(**build_args(tmp_path))
    write_lecture(tmp_path, lecture=LECTURE.replace("## Result", "## The result"))
    again = build.build(**build_args(tmp_path))
    assert again["computed"] == 0 and again["rendered"] == 0
    assert "The result" in (tmp_path / "site" / "tiny" / "index.html").read_text()


def test_code_edit_recomputes_only_what_depends_on_it(tmp_path):
    write_lecture(tmp_path)
    build.build(**build_args(tmp_path))
    write_lecture(tmp_path, compute=COMPUTE.replace("2 * squares", "3 * squares"))
    again = build.build(**build_args(tmp_path))
    assert again["computed"] == 1 and again["rendered"] == 0  # the figure does not use `summary`


def test_page_shows_current_source_of_code_no_computation_uses(tmp_path):
    write_lecture(tmp_path, lecture=LECTURE + '\n{{ source("lecture_tiny.shown.helper") }}\n')
    shown = tmp_path / "content" / "tiny" / "shown.py"
    shown.write_text('def helper():\n    """VERSION-ONE"""\n')
    build.build(**build_args(tmp_path))
    shown.write_text('def helper():\n    """VERSION-TWO"""\n')
    again = build.build(**build_args(tmp_path))
    page = (tmp_path / "site" / "tiny" / "index.html").read_text()
    assert "VERSION-TWO" in page and "VERSION-ONE" not in page
    assert again["computed"] == 0 and again["rendered"] == 0


def failing_build(tmp_path, **changes):
    """Build once successfully, then with `changes`; returns the BuildError."""
    write_lecture(tmp_path)
    build.build(**build_args(tmp_path))
    before = tree_digest(tmp_path / "site")
    write_lecture(tmp_path, **changes)
    with pytest.raises(BuildError) as caught:
        build.build(**build_args(tmp_path))
    assert tree_digest(tmp_path / "site") == before, "a failed build changed the site"
    return caught.value


def test_unknown_placeholder_names_file_line_and_close_names(tmp_path):
    error = failing_build(tmp_path, lecture=LECTURE.replace("demo.doubled", "demo.dubled"))
    assert error.path.name == "lecture.md" and error.line == 9
    assert "dubled" in str(error) and "demo.doubled" in str(error)


def test_bad_formula_names_file_and_line(tmp_path):
    error = failing_build(tmp_path, lecture=LECTURE.replace("(w - c)^2", r"\frac{1}{"))
    assert error.path.name == "lecture.md" and error.line == 12
    assert "formula" in str(error)


def test_bad_formula_after_lines_jinja_added_names_its_own_line(tmp_path):
    shown = '{{ source("lecturekit.engine.prose.sig") }}\n\n'  # a code block many lines long
    error = failing_build(tmp_path, lecture=LECTURE.replace("Inline math", shown + "Inline math")
                          .replace("(w - c)^2", r"\frac{1}{"))
    assert error.path.name == "lecture.md" and error.line == 14  # the formula's line in the file
    assert "formula" in str(error)


def test_missing_figure_names_file_and_line(tmp_path):
    error = failing_build(tmp_path, lecture=LECTURE.replace("fig:parabola", "fig:parabla"))
    assert error.line == 16 and "parabla" in str(error) and "parabola" in str(error)


def test_malformed_front_matter(tmp_path):
    error = failing_build(tmp_path, lecture=LECTURE.replace("number: 1", "number 1"))
    assert error.line == 3 and "front matter" in str(error)


def test_lecture_folder_without_markdown(tmp_path):
    write_lecture(tmp_path)
    (tmp_path / "content" / "empty").mkdir()
    with pytest.raises(BuildError, match="no lecture.md"):
        build.build(**build_args(tmp_path))


def test_failing_computation_is_named(tmp_path):
    error = failing_build(tmp_path, compute=COMPUTE.replace("2 * squares", "1 / 0 * squares"))
    assert "'summary'" in str(error) and "ZeroDivisionError" in str(error)
    assert "(at compute.py:" in str(error) and "in summary)" in str(error)


def test_non_finite_published_value_is_named(tmp_path):
    error = failing_build(tmp_path, compute=COMPUTE.replace("2 * squares[\"minimizer\"]", "float('nan')"))
    assert "demo.doubled" in str(error) and "non-finite" in str(error)


def test_cli_reports_error_without_traceback(tmp_path):
    write_lecture(tmp_path, lecture=LECTURE.replace("demo.doubled", "demo.dubled"))
    args = build_args(tmp_path)
    run = subprocess.run([sys.executable, str(ROOT / "build.py"), "--content", str(args["content_dir"]),
                          "--out", str(args["out_dir"]), "--cache", str(args["cache_dir"]),
                          "--figures", str(args["figure_dir"])], capture_output=True, text=True)
    assert run.returncode == 1
    assert "lecture.md:9:" in run.stderr and "Traceback" not in run.stderr
    assert not (tmp_path / "site").exists()


def test_two_clean_builds_are_byte_identical(tmp_path):
    for name in ("a", "b"):
        write_lecture(tmp_path / name)
        build.build(**build_args(tmp_path / name))
    assert tree_digest(tmp_path / "a" / "site") == tree_digest(tmp_path / "b" / "site")


def test_killed_build_leaves_previous_site(tmp_path):
    write_lecture(tmp_path)
    build.build(**build_args(tmp_path))
    before = tree_digest(tmp_path / "site")
    slow = COMPUTE.replace("def summary(squares):", "def summary(squares):\n    import time; time.sleep(30)")
    write_lecture(tmp_path, compute=slow, lecture=LECTURE.replace("## Result", "## Changed"))
    args = build_args(tmp_path)
    proc = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "--content", str(args["content_dir"]),
                             "--out", str(args["out_dir"]), "--cache", str(args["cache_dir"]),
                             "--figures", str(args["figure_dir"])], stdout=subprocess.PIPE, text=True)
    time.sleep(1.5)  # kill it while `summary` sleeps, mid-computation
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate()
    assert tree_digest(tmp_path / "site") == before
    write_lecture(tmp_path)
    build.build(**build_args(tmp_path))
    assert tree_digest(tmp_path / "site") == before
    assert not list(tmp_path.glob(".site-*"))


def test_interrupted_build_says_so_once_and_stops_its_helpers(tmp_path):
    slow = COMPUTE.replace("def summary(squares):", "def summary(squares):\n    import time; time.sleep(60)")
    write_lecture(tmp_path, compute=slow)
    args = build_args(tmp_path)
    proc = subprocess.Popen(cli(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    for line in proc.stdout:  # the computations run in a helper process: wait until it is busy with `summary`
        if "computed squares" in line:
            break
    start = time.monotonic()
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does: the whole process group
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130 and time.monotonic() - start < 30
    assert err.count("build interrupted") == 1 and "Traceback" not in err
    assert not (tmp_path / "site").exists()


def test_corrupt_cache_entry_is_recomputed_with_warning(tmp_path, capsys):
    write_lecture(tmp_path)
    build.build(**build_args(tmp_path))
    for entry in (tmp_path / ".cache" / "store" / "results").iterdir():
        entry.write_text("{not json")
    for entry in (tmp_path / ".cache" / "store" / "lecture").iterdir():
        entry.unlink()  # else the whole lecture is reused, its results never read
    again = build.build(**build_args(tmp_path))
    assert again["computed"] == 2
    assert "damaged" in capsys.readouterr().err


def cli(args, *extra):
    """build.py's command line for a tiny site under tmp."""
    return [sys.executable, str(ROOT / "build.py"), "--content", str(args["content_dir"]), "--out",
            str(args["out_dir"]), "--cache", str(args["cache_dir"]), "--figures", str(args["figure_dir"]), *extra]


def test_warm_build_imports_neither_matplotlib_nor_sklearn(tmp_path):
    write_lecture(tmp_path)
    args = build_args(tmp_path)
    subprocess.run(cli(args, "--quiet"), check=True)
    probe = ("import sys, runpy; exit_code = runpy.run_path(sys.argv[1])['main'](sys.argv[2:]); "
             "print(sorted(m for m in ('matplotlib', 'sklearn', 'PIL', 'jinja2', 'markdown', 'multiprocessing', "
             "'subprocess') if m in sys.modules), exit_code)")
    run = subprocess.run([sys.executable, "-c", probe, *cli(args, "--quiet")[1:]],
                         capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "[] 0"


def test_second_build_waits_for_the_first(tmp_path):
    import fcntl
    write_lecture(tmp_path)
    args = build_args(tmp_path)
    args["cache_dir"].mkdir(parents=True)
    with open(args["cache_dir"] / "build.lock", "w") as lock:
        fcntl.lockf(lock, fcntl.LOCK_EX)
        proc = subprocess.Popen(cli(args, "--quiet"), stderr=subprocess.PIPE, text=True)
        assert "waiting for another build" in proc.stderr.readline()
        time.sleep(0.5)
        assert proc.poll() is None, "the second build did not wait"
    proc.communicate(timeout=60)
    assert proc.returncode == 0


GROUP_FIGURES = '''
from pathlib import Path
from lecturekit.engine.registry import figure
from lecturekit.plotting.blit import blit_images
from lecturekit.plotting.style import new_figure


@figure
def parabola(squares):
    fig = new_figure(4, 2.5)
    fig.add_subplot().plot(squares["w"], squares["f"])
    return fig


@figure(each={"shift-1": {"c": 1.0}, "shift-2": {"c": 2.0}}, together=True)
def shifted(squares, variants):
    with open(Path(__file__).parent / "calls.txt", "a") as log:
        log.write("call\\n")
    fig = new_figure(3, 2)
    (line,) = fig.add_subplot().plot(squares["w"], squares["f"])
    updates = [lambda c=kw["c"]: line.set_ydata(squares["f"] + c) for kw in variants.values()]
    return dict(zip(variants, blit_images(fig, [line], updates, 60)))
'''


def test_figures_drawn_together_come_from_one_call(tmp_path):
    write_lecture(tmp_path, figures=GROUP_FIGURES)
    build.build(**build_args(tmp_path))
    figures = tmp_path / "site" / "tiny" / "figures"
    one, two = (figures / "shift-1.png").read_bytes(), (figures / "shift-2.png").read_bytes()
    assert one != two
    assert (tmp_path / "content" / "tiny" / "calls.txt").read_text().count("call") == 1
    build.build(**build_args(tmp_path))  # cached: not called again
    assert (tmp_path / "content" / "tiny" / "calls.txt").read_text().count("call") == 1


def test_a_lecture_without_computations_still_gets_its_figures(tmp_path):
    figures = """
from lecturekit.engine.registry import figure
from lecturekit.plotting.style import new_figure


@figure
def constant():
    fig = new_figure(2, 2)
    fig.add_subplot().plot([0, 1], [1, 0])
    return fig
"""
    lecture = "---\ntitle: T\nnumber: 1\nsummary: S.\n---\n![A falling line.](fig:constant \"A line.\")\n"
    write_lecture(tmp_path, lecture=lecture, compute="", figures=figures)
    build.build(**build_args(tmp_path))
    assert (tmp_path / "site" / "tiny" / "figures" / "constant.png").is_file()


def test_failing_figure_is_named_with_its_line(tmp_path):
    broken = FIGURES.replace('ax.legend()', 'ax.legend()\n    raise ValueError("no such column")')
    error = failing_build(tmp_path, figures=broken)
    assert "figure 'parabola' failed: ValueError: no such column (at figures.py:" in str(error)


def test_figure_returning_nothing_is_named(tmp_path):
    error = failing_build(tmp_path, figures=FIGURES.replace("    return fig\n", "    return None\n"))
    assert "figure 'parabola' failed" in str(error) and "not NoneType" in str(error)


def test_figure_with_text_off_the_canvas_is_named(tmp_path):
    # A fixed layout that puts the title above the top edge: the build must refuse it.
    clipped = FIGURES.replace("new_figure(4, 2.5)", "new_figure(4, 2.5, margins=(0.1, 0.1, 0.95, 1.0, 0.2))") \
                     .replace("ax.legend()", "ax.legend()\n    ax.set_title('A title with no room')")
    error = failing_build(tmp_path, figures=clipped)
    assert "figure 'parabola' failed" in str(error) and "cut off at its top edge" in str(error)


def test_syntax_error_in_lecture_code_names_file_and_line(tmp_path):
    write_lecture(tmp_path, compute=COMPUTE.replace("def summary(squares):", "def summary(squares)"))
    with pytest.raises(BuildError) as caught:
        build.build(**build_args(tmp_path))
    assert caught.value.path.name == "compute.py" and caught.value.line == 13  # the `def summary` line
    assert "syntax error" in str(caught.value)


def test_imported_declarations_are_not_declared_twice(tmp_path):
    figures = FIGURES + "\nfrom .compute import squares  # a figure module may import a computation\n"
    write_lecture(tmp_path, figures=figures)
    assert build.build(**build_args(tmp_path))["computations"] == 2


def test_the_output_folders_may_be_new(tmp_path):
    write_lecture(tmp_path)
    build.build(**{**build_args(tmp_path), "out_dir": tmp_path / "a" / "b" / "site",
                   "cache_dir": tmp_path / "c" / "d", "figure_dir": tmp_path / "e" / "f"})
    assert (tmp_path / "a" / "b" / "site" / "tiny" / "index.html").is_file()


@pytest.mark.parametrize("folder", ["--out", "--cache"])
def test_a_file_where_a_folder_should_be_fails_with_its_name_not_a_traceback(tmp_path, capsys, folder):
    write_lecture(tmp_path)
    (tmp_path / "blocker").write_text("a file, not a folder")
    arguments = {"--content": tmp_path / "content", "--out": tmp_path / "site", "--cache": tmp_path / "cache",
                 "--figures": tmp_path / "figures", folder: tmp_path / "blocker" / "inside"}
    status = build.main([str(part) for pair in arguments.items() for part in pair] + ["--quiet"])
    err = capsys.readouterr().err
    assert status == 1 and "Traceback" not in err and not (tmp_path / "site").exists()
    assert f"error: {tmp_path / 'blocker'} is a file, not a folder" in err
