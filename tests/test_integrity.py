"""The build cannot be fooled: end-to-end tests of the integrity contract.

Each section is one failure class of the contract (lecture names, factory
declarations, files a computation reads, cold vs warm, a damaged store, site
file ownership, dying workers, orphaned helpers, files from outside, unsafe
figure names). They are written against the contract, not today's engine:
the `# today:` line above each test says how today's code fails it.
"""
import hashlib
import json
import os
import queue
import re
import shutil
import signal
import stat
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

import build
from lecturekit.engine.errors import BuildError
from lecturekit.engine.prose import sig
from test_build import tree_digest
from tiny_lecture import COMPUTE, FIGURES, LECTURE, build_args, write_lecture

ROOT = Path(__file__).resolve().parents[1]
STYLE_CSS = ROOT / "templates" / "static" / "style.css"
TIMEOUT = 60  # seconds any build subprocess may take before it counts as hung

FIGURE_HEAD = '''
import os
import signal

from lecturekit.engine.registry import figure
from lecturekit.plotting.style import new_figure
'''

# The tiny lecture without figure references (and thumbnail), for courses whose figures differ.
BARE_LECTURE = LECTURE.replace("thumbnail: parabola\n", "").split("![")[0]


# ---------------------------------------------------------------- helpers

def file_hashes(*folders):
    """Relative path -> sha256 of every file under `folders`."""
    return {f"{Path(folder).name}/{p.relative_to(folder).as_posix()}": hashlib.sha256(p.read_bytes()).hexdigest()
            for folder in folders for p in sorted(Path(folder).rglob("*")) if p.is_file()}


def build_site(root):
    """Build the course under `root` in this process; returns the summary."""
    return build.build(**build_args(root))


def build_error(root):
    """Build the course under `root`, which must fail; returns the BuildError."""
    with pytest.raises(BuildError) as caught:
        build_site(root)
    return caught.value


def site_results(root, slug="tiny"):
    return json.loads((Path(root) / "site" / slug / "results.json").read_text())


def site_page(root, slug="tiny"):
    return (Path(root) / "site" / slug / "index.html").read_text()


def cli(root, *extra):
    """build.py's command line for the course under `root`."""
    args = build_args(root)
    return [sys.executable, str(ROOT / "build.py"), "--content", str(args["content_dir"]), "--out",
            str(args["out_dir"]), "--cache", str(args["cache_dir"]), "--figures", str(args["figure_dir"]), *extra]


@dataclass
class Run:
    """How a build.py subprocess ended; `hung` if it had to be killed after the timeout."""
    returncode: int
    stdout: str
    stderr: str
    hung: bool


def kill_group(pgid):
    """SIGKILL what is left of the process group we started (its leader's pid is `pgid`)."""
    if group_processes(pgid):
        try:
            os.killpg(pgid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def run_cli(root, *extra, timeout=TIMEOUT):
    """Run build.py in its own process group; a build still running after `timeout` is killed, group and all."""
    proc = subprocess.Popen(cli(root, *extra), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
        return Run(proc.returncode, out, err, hung=False)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate(timeout=10)
        return Run(proc.returncode, out, err, hung=True)
    finally:
        kill_group(proc.pid)  # helpers the build left behind


def group_processes(pgid):
    """Live (not zombie) processes in process group `pgid`, as 'pid (name)'."""
    found = []
    for stat_file in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat_file.read_text()
        except OSError:
            continue
        name_end = text.rindex(")")
        state, _ppid, group = text[name_end + 2:].split()[:3]
        if int(group) == pgid and state != "Z":
            found.append(f"{stat_file.parent.name} {text[text.index('('):name_end + 1]}")
    return found


def lines_of(stream):
    """A queue that receives `stream`'s lines from a reader thread (so waiting for one can time out)."""
    lines = queue.Queue()

    def read():
        for line in stream:
            lines.put(line)
    threading.Thread(target=read, daemon=True).start()
    return lines


def wait_for_line(lines, text, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if text in lines.get(timeout=deadline - time.monotonic()):
                return
        except queue.Empty:
            break
    pytest.fail(f"the build did not print {text!r} within {timeout} s")


def write_course(root, names):
    """content/ with one copy of the tiny lecture per folder name, numbered in order."""
    content = write_lecture(root)
    shutil.rmtree(content / "tiny")
    for number, name in enumerate(names, start=1):
        folder = content / name
        folder.mkdir()
        (folder / "lecture.md").write_text(LECTURE.replace("number: 1", f"number: {number}"))
        (folder / "compute.py").write_text(COMPUTE)
        (folder / "figures.py").write_text(FIGURES)
    return content


def replace_file(path, data):
    """Give `path` new bytes as a new file: never writes through a hard link into another file."""
    path.unlink()
    path.write_bytes(data)


# ---------------------------------------------------------------- 1. lecture folder names

# today: no error; both are built (a-b and a_b even share one package, lecture_a_b, and so their keys)
@pytest.mark.parametrize("names", [("a-b", "a_b"), ("A-b", "a-b")], ids=" and ".join)
def test_lecture_folders_that_collide_are_refused(tmp_path, names):
    write_course(tmp_path, names)
    error = build_error(tmp_path)
    assert all(name in str(error) for name in names), str(error)


# today: no error; the lecture is published under its URL-unsafe folder name
@pytest.mark.parametrize("name", ["a b", "a#b", "a?b", "a%b"])
def test_unsafe_lecture_folder_names_are_refused(tmp_path, name):
    write_course(tmp_path, [name])
    assert name in str(build_error(tmp_path))


# ---------------------------------------------------------------- 2. factory functions

FACTORY_FIGURES = FIGURES + '''

def shifted(c):
    @figure(name=f"shift-{c:g}")
    def draw(squares):
        fig = new_figure(4, 2.5)
        ax = fig.add_subplot()
        ax.plot(squares["w"], squares["f"] + c)
        ax.set_ylim(0, 10)
        return fig
    return draw


SHIFT_1 = shifted(1.0)
SHIFT_2 = shifted(2.0)
'''

FACTORY_COMPUTE = COMPUTE + '''

def scaled(k):
    @computation(name=f"scaled_{k}", into=f"scaled_{k}")
    def scale(squares):
        return {"value": k * squares["minimizer"]}
    return scale


SCALED_2 = scaled(2)
SCALED_3 = scaled(3)
'''


# today: shift-1.png and shift-2.png are the same bytes (the two share one key: same qualname, same inputs)
def test_figures_made_by_a_factory_are_distinct(tmp_path):
    write_lecture(tmp_path, figures=FACTORY_FIGURES)
    figures = tmp_path / "site" / "tiny" / "figures"
    for _ in ("cold", "warm"):
        build_site(tmp_path)
        assert (figures / "shift-1.png").read_bytes() != (figures / "shift-2.png").read_bytes()


# today: BuildError "importing this file failed: TypeError: computation() got an unexpected keyword
# argument 'name'" (the keyword is new in the contract)
def test_computations_made_by_a_factory_are_distinct(tmp_path):
    write_lecture(tmp_path, compute=FACTORY_COMPUTE)
    for _ in ("cold", "warm"):
        build_site(tmp_path)
        results = site_results(tmp_path)
        minimizer = results["demo"]["minimizer"]
        assert results["scaled_2"]["value"] == pytest.approx(2 * minimizer)
        assert results["scaled_3"]["value"] == pytest.approx(3 * minimizer)


# ---------------------------------------------------------------- 3. files a computation or figure reads

READS_WHEN_CALLED = COMPUTE + '''

from pathlib import Path


@computation(into="demo")
def scale():
    return {"scale": float(Path(__file__).with_name("scale.txt").read_text())}
'''

READS_ON_IMPORT = '''
from pathlib import Path
SCALE = float(Path(__file__).with_name("scale.txt").read_text())
''' + COMPUTE + '''

@computation(into="demo")
def scale():
    return {"scale": SCALE}
'''


# today: the page and results.json keep the first number (scale.txt is not in the key; on import: the
# remembered keys only follow *.py files)
@pytest.mark.parametrize("compute", [READS_WHEN_CALLED, READS_ON_IMPORT], ids=["when-called", "on-import"])
def test_editing_a_file_a_computation_reads_updates_the_page(tmp_path, compute):
    write_lecture(tmp_path, compute=compute, lecture=LECTURE + "\nThe scale is {{ demo.scale | sig(3) }}.\n")
    scale = tmp_path / "content" / "tiny" / "scale.txt"
    for value in (1.25, 4.5):
        scale.write_text(f"{value}\n")
        build_site(tmp_path)
        assert f"The scale is {sig(value, 3)}." in site_page(tmp_path)
        assert site_results(tmp_path)["demo"]["scale"] == value


READS_CSV = FIGURES + '''

@figure
def points():
    import numpy as np
    from pathlib import Path
    xy = np.loadtxt(Path(__file__).with_name("points.csv"), delimiter=",")
    fig = new_figure(3, 2)
    ax = fig.add_subplot()
    ax.plot(xy[:, 0], xy[:, 1])
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    return fig
'''


# today: the PNG is the first CSV's (points.csv is not in the figure's key)
def test_editing_a_file_a_figure_reads_redraws_it(tmp_path):
    write_lecture(tmp_path, figures=READS_CSV)
    csv, png = tmp_path / "content" / "tiny" / "points.csv", tmp_path / "site" / "tiny" / "figures" / "points.png"
    csv.write_text("0,0\n1,1\n")
    build_site(tmp_path)
    before = png.read_bytes()
    csv.write_text("0,1\n1,0\n")
    build_site(tmp_path)
    assert png.read_bytes() != before


# ---------------------------------------------------------------- 4. cold equals warm

UPSTREAM = {
    "tuple": ('{"value": (1.0, 2.0)}', 'isinstance(pair["value"], tuple)'),
    "numpy-scalar": ('{"value": np.float64(0.5)}', 'type(pair["value"]).__name__'),
}


# today: cold, downstream gets the value as returned (tuple, float64); warm, as JSON gave it back (list, float)
@pytest.mark.parametrize("kind", UPSTREAM)
def test_downstream_sees_the_same_type_cold_and_warm(tmp_path, kind):
    value, probe = UPSTREAM[kind]
    compute = COMPUTE + f'''

@computation(into="pair")
def pair():
    return {value}


@computation(into="seen")
def downstream(pair):
    return {{"probe": {probe}}}
'''
    write_lecture(tmp_path, compute=compute)
    build_site(tmp_path)
    cold = site_results(tmp_path)["seen"]["probe"]
    # Only downstream's code changes: it reruns, and reads `pair` from the store.
    write_lecture(tmp_path, compute=compute.replace("def downstream(pair):\n", "def downstream(pair):\n    pass\n"))
    assert build_site(tmp_path)["computed"] == 1
    warm = site_results(tmp_path)["seen"]["probe"]
    assert cold == warm
    if kind == "tuple":
        assert cold is True


UNSTORABLE = {  # returned value -> what the message must name besides the computation
    "int-key": ('{"by_step": {1: 0.5}}', "by_step"),
    "dotted-key": ('{"x.y": 1.0}', "x.y"),
    "set": ('{"members": {1, 2}}', "members"),
    "complex": ('{"impedance": complex(1.0, 2.0)}', "impedance"),
    "date": ('{"when": datetime.date(2024, 1, 1)}', "when"),
}


# today: int and dotted keys are stored silently (the int key comes back a string); a set, complex or date
# crashes the helper process with a TypeError traceback and a BuildError naming no computation
@pytest.mark.parametrize("kind", UNSTORABLE)
def test_values_the_store_cannot_keep_are_named(tmp_path, kind):
    value, path = UNSTORABLE[kind]
    write_lecture(tmp_path, compute=COMPUTE + f'''

import datetime


@computation(into="demo")
def troublesome(squares):
    return {value}
''')
    message = str(build_error(tmp_path))
    assert "troublesome" in message and path in message, message


# ---------------------------------------------------------------- 5. the store checks what it serves

def halve(data):
    return data[: len(data) // 2]


def flip_middle_byte(data):
    middle = len(data) // 2
    return data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1:]


# today: no group's damage is reported as "damaged" (a bad results .json is "unreadable"); a halved page is
# served, a flipped byte in a font is published, one in a page or in katex.min.css is a UnicodeDecodeError
@pytest.mark.parametrize("damage", [halve, flip_middle_byte], ids=["truncated", "flipped-byte"])
@pytest.mark.parametrize("reading", ["no change", "everything read"])
def test_store_damage_is_noticed_and_repaired(tmp_path, capfd, damage, reading):
    """Damage each group of store files in turn: the next build publishes the good site all the same.

    A no-change build reads only the lecture's record, the pages and what it knows of the site it
    published (whose figure files it checks in place); with the records and pages removed ("everything
    read") it reads every other entry too. Whatever a build reads damaged, it reports as damaged.
    """
    write_lecture(tmp_path)
    args = build_args(tmp_path)
    stores = [args["cache_dir"], args["figure_dir"]]
    build_site(tmp_path)
    good = tree_digest(tmp_path / "site")
    snapshot = tmp_path / "snapshot"
    for store in stores:
        shutil.copytree(store, snapshot / store.name)
    groups = {}
    for store in stores:
        for path in sorted(store.rglob("*")):
            if path.is_file() and not path.name.endswith(".lock") and path.stat().st_size > 0:
                groups.setdefault(path.parent, []).append(path)
    assert len(groups) >= 5, groups  # results, figures, pages, math, katex, ...
    problems = []
    for folder, paths in groups.items():
        for store in stores:  # a good store to start from
            shutil.rmtree(store)
            shutil.copytree(snapshot / store.name, store)
        for path in paths:
            replace_file(path, damage(path.read_bytes()))
        unread = folder.name not in ("lecture", "lecture-reads", "page", "site")
        if reading == "everything read":
            for kind in ("lecture", "page", "notebook"):  # a stored notebook never reads its code's entry
                if folder.name != kind and (args["cache_dir"] / "store" / kind).exists():
                    shutil.rmtree(args["cache_dir"] / "store" / kind)
        capfd.readouterr()
        group = folder.relative_to(tmp_path).as_posix()
        try:
            build_site(tmp_path)
        except Exception as error:  # noqa: BLE001 (any failure here is a finding; list them all)
            problems.append(f"{group}: the build failed: {type(error).__name__}: {error}")
            continue
        err = capfd.readouterr().err.replace(str(tmp_path), "<tmp>")  # the word, not a folder name
        if tree_digest(tmp_path / "site") != good:
            problems.append(f"{group}: the site differs from the good build's")
        must_say = folder.name != "builds" and (reading == "everything read" or not unread)
        if must_say and not re.search(r"\bdamaged\b", err):
            problems.append(f"{group}: no line of stderr says 'damaged'")
    assert not problems, "\n".join(problems)


# ---------------------------------------------------------------- 6. the site owns its files

# today: style.css, the KaTeX files and the figure are hard links into templates/ and the caches (st_nlink > 1),
# and the figure keeps mkstemp's mode 0o600
def test_site_files_are_its_own_with_plain_modes(tmp_path):
    write_lecture(tmp_path)
    build_site(tmp_path)
    wrong = []
    for path in sorted((tmp_path / "site").rglob("*")):
        info = path.lstat()
        expected = 0o755 if stat.S_ISDIR(info.st_mode) else 0o644
        if not (stat.S_ISDIR(info.st_mode) or stat.S_ISREG(info.st_mode)):
            wrong.append(f"{path.name}: not a regular file or folder")
        elif stat.S_IMODE(info.st_mode) != expected or (stat.S_ISREG(info.st_mode) and info.st_nlink > 1):
            wrong.append(f"{path.relative_to(tmp_path)}: mode {stat.S_IMODE(info.st_mode):o}, {info.st_nlink} links")
    assert not wrong, "\n".join(wrong[:10])


# today: appending to site/assets/style.css edits templates/static/style.css, and appending to the figure
# edits its PNG in the figure cache (both are hard links)
@pytest.mark.parametrize("edited", ["assets/style.css", "tiny/figures/parabola.png"])
def test_editing_a_site_file_edits_nothing_else(tmp_path, edited):
    write_lecture(tmp_path)
    args = build_args(tmp_path)
    style = STYLE_CSS.read_bytes()
    try:
        build_site(tmp_path)
        first = tree_digest(tmp_path / "site")
        stores = file_hashes(args["cache_dir"], args["figure_dir"])
        with open(tmp_path / "site" / edited, "ab") as handle:
            handle.write(b"/* edited by hand */\n")
        assert STYLE_CSS.read_bytes() == style, "editing the site edited templates/static/style.css"
        assert file_hashes(args["cache_dir"], args["figure_dir"]) == stores, "editing the site edited the caches"
        build_site(tmp_path)
        assert tree_digest(tmp_path / "site") == first
    finally:
        if STYLE_CSS.read_bytes() != style:
            STYLE_CSS.write_bytes(style)


# ---------------------------------------------------------------- 7. a dying worker never hangs the build

DEATHS = {  # how the worker dies -> what stderr must say
    "exit": ("os._exit(3)", "exit status 3"),
    "SystemExit": ("raise SystemExit(3)", "SystemExit"),
    "SIGKILL": ("os.kill(os.getpid(), signal.SIGKILL)", "SIGKILL"),
}


def plain_figure(name):
    return f'''

@figure(name="{name}")
def draw_{name.replace("-", "_")}(squares):
    fig = new_figure(3, 2)
    fig.add_subplot().plot(squares["w"], squares["f"])
    return fig
'''


def dying_figure(death):
    return f'''

@figure(name="doomed")
def doomed(squares):
    {death}
'''


def dying_course(where, death):
    """(lecture, compute, figures) of a course in which `doomed` dies as `death` says."""
    if where == "only-figure":
        return BARE_LECTURE, COMPUTE, FIGURE_HEAD + dying_figure(death)
    if where == "one-of-three-figures":
        return BARE_LECTURE, COMPUTE, FIGURE_HEAD + plain_figure("plain-a") + dying_figure(death) + \
            plain_figure("plain-b")
    compute = COMPUTE + f'''

import os
import signal


@computation(into="doom")
def doomed(squares):
    {death}
    return {{}}
'''
    if where == "computation":  # nothing to draw: the previous build's figure is reused
        return LECTURE, compute, FIGURES
    return LECTURE, compute, FIGURES.replace('label="f"', 'label="f(w)"')  # "computation-while-drawing"


# today: a lone figure, and computations when nothing is to be drawn, run in the build's own process, which
# dies with them (status 3 or -9, empty stderr); among 3 figures the pool waits for the dead worker forever
# (hangs 60 s); a computation dying in its helper while figures are drawn gives "error: ... the computations
# stopped without reporting a result", naming neither it nor the cause
@pytest.mark.parametrize("where", ["only-figure", "one-of-three-figures", "computation",
                                   "computation-while-drawing"])
@pytest.mark.parametrize("death", DEATHS)
def test_dying_worker_fails_the_build_and_says_how(tmp_path, where, death):
    code, says = DEATHS[death]
    write_lecture(tmp_path)
    build_site(tmp_path)
    before = tree_digest(tmp_path / "site")
    lecture, compute, figures = dying_course(where, code)
    write_lecture(tmp_path, lecture=lecture, compute=compute, figures=figures)
    run = run_cli(tmp_path)
    assert not run.hung, f"the build hung for {TIMEOUT} s; stderr:\n{run.stderr}"
    assert run.returncode == 1, run.stderr
    assert "doomed" in run.stderr and says in run.stderr, run.stderr
    assert "Traceback" not in run.stderr, run.stderr
    assert tree_digest(tmp_path / "site") == before


# ---------------------------------------------------------------- 8. no orphan keeps the lock

# today: the forked computation process outlives the killed build, holding the build lock, so the next
# build says "waiting for another build" until its sleep ends
def test_killed_build_leaves_no_process_holding_the_lock(tmp_path):
    slow = COMPUTE.replace("def summary(squares):", "def summary(squares):\n    import time; time.sleep(30)")
    write_lecture(tmp_path, compute=slow)
    proc = subprocess.Popen(cli(tmp_path), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True, start_new_session=True)
    try:
        wait_for_line(lines_of(proc.stdout), "computed squares", TIMEOUT)  # now `summary` sleeps
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        deadline = time.monotonic() + 5
        while group_processes(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not group_processes(proc.pid), f"still running: {group_processes(proc.pid)}"
    finally:
        proc.kill()
        kill_group(proc.pid)
    write_lecture(tmp_path)
    run = run_cli(tmp_path)
    assert "waiting for another build" not in run.stderr
    assert not run.hung and run.returncode == 0, run.stderr


# ---------------------------------------------------------------- 9. nothing from outside

def link_passwd(folder, outside):
    (folder / "static").mkdir()
    (folder / "static" / "passwd").symlink_to("/etc/passwd")


def link_outside_data(folder, outside):
    outside.write_text("x,y\n0,1\n")
    (folder / "data.csv").symlink_to(outside)


def static_named(name):
    def write(folder, outside):
        (folder / "static").mkdir()
        (folder / "static" / name).write_text("notes\n")
    return write


OUTSIDE = {  # what the lecture folder gets -> what the error must name
    "static-to-etc-passwd": (link_passwd, ["passwd", "/etc/passwd"]),
    "data-outside-content": (link_outside_data, ["data.csv"]),
    "static-name-with-space": (static_named("my notes.txt"), ["my notes.txt"]),
    "static-name-with-hash": (static_named("notes#1.txt"), ["notes#1.txt"]),
}


# today: no error: tiny/passwd is published as a symlink to /etc/passwd (a hard link to the lecture's link),
# the data.csv link is never looked at, and the static files are published under their unsafe names
@pytest.mark.parametrize("case", OUTSIDE)
def test_files_from_outside_or_with_unsafe_names_are_refused(tmp_path, case):
    write, named = OUTSIDE[case]
    write_lecture(tmp_path)
    write(tmp_path / "content" / "tiny", tmp_path / "outside.csv")
    message = str(build_error(tmp_path))
    assert all(name in message for name in named), message


# today: the published file is the lecture's symlink itself, hard-linked (2 links; it dangles in the site)
def test_static_link_inside_the_lecture_is_published_as_a_plain_file(tmp_path):
    write_lecture(tmp_path)
    folder = tmp_path / "content" / "tiny"
    (folder / "notes.txt").write_text("hello\n")
    (folder / "static").mkdir()
    (folder / "static" / "notes.txt").symlink_to("../notes.txt")
    build_site(tmp_path)
    published = tmp_path / "site" / "tiny" / "notes.txt"
    info = published.lstat()
    assert stat.S_ISREG(info.st_mode) and info.st_nlink == 1
    assert published.read_text() == "hello\n"


# ---------------------------------------------------------------- 10. unsafe figure names

def extra_figure(name):
    return f'''

@figure(name={name!r})
def sneaky(squares):
    fig = new_figure(3, 2)
    fig.add_subplot().plot(squares["w"], squares["f"])
    return fig
'''


# today: no error; "../../escaped" is published as site/escaped.png, the others as tiny/figures/<name>.png
@pytest.mark.parametrize("name", ["../../escaped", "escaped#1", "escaped?1", "escaped%1", "escaped 1", ".escaped"])
def test_unsafe_figure_names_are_refused_at_their_line(tmp_path, name):
    figures = FIGURES + extra_figure(name)
    write_lecture(tmp_path, figures=figures)
    decorator = figures.splitlines().index(f"@figure(name={name!r})") + 1
    error = build_error(tmp_path)
    assert Path(error.path).resolve() == (tmp_path / "content" / "tiny" / "figures.py").resolve(), str(error)
    assert error.line in (decorator, decorator + 1), str(error)
    assert not [p for p in tmp_path.rglob("*") if "escaped" in p.name]


# today: no error; a-b.png and a_b.png are both published
def test_figure_names_that_collide_are_refused(tmp_path):
    write_lecture(tmp_path, figures=FIGURES + extra_figure("a-b") + extra_figure("a_b").replace("sneaky", "other"))
    message = str(build_error(tmp_path))
    assert "a-b" in message and "a_b" in message, message


# today: a file that was missing when the computation looked for it is in no key; creating it changes nothing
def test_creating_a_file_a_computation_looked_for_updates_the_page(tmp_path):
    compute = COMPUTE + '''

from pathlib import Path


@computation(into="optional")
def override():
    try:
        return {"value": float(Path(__file__).with_name("override.txt").read_text())}
    except FileNotFoundError:
        return {"value": -1.0}
'''
    lecture = LECTURE + "\nOverride: {{ optional.value | sig(3) }}.\n"
    write_lecture(tmp_path, compute=compute, lecture=lecture)
    build_site(tmp_path)
    assert "Override: −1.00." in (tmp_path / "site" / "tiny" / "index.html").read_text()
    (tmp_path / "content" / "tiny" / "override.txt").write_text("2.5")
    build_site(tmp_path)
    assert "Override: 2.50." in (tmp_path / "site" / "tiny" / "index.html").read_text()


SLOW_SUMMARY = COMPUTE.replace("def summary(squares):", "def summary(squares):\n    import time; time.sleep(3)")
FIGURE_OF_SUMMARY = '''
from PIL import Image
from lecturekit.engine.registry import figure


@figure
def parabola(summary):
    return Image.new("RGB", (SIZE, SIZE), "white")
'''


# today: the drawing made by the old code is stored under the new code's key, and served from then on
def test_a_file_saved_while_the_build_runs_never_poisons_the_store(tmp_path):
    write_lecture(tmp_path, compute=SLOW_SUMMARY, figures=FIGURE_OF_SUMMARY.replace("SIZE", "10"))
    args = build_args(tmp_path)
    command = [sys.executable, str(ROOT / "build.py"), "--quiet", "--content", str(args["content_dir"]), "--out",
               str(args["out_dir"]), "--cache", str(args["cache_dir"]), "--figures", str(args["figure_dir"])]
    proc = subprocess.Popen(command, cwd=ROOT, stderr=subprocess.PIPE, text=True)
    time.sleep(1.5)  # `summary` sleeps: the figure's key is not made yet
    (tmp_path / "content" / "tiny" / "figures.py").write_text(FIGURE_OF_SUMMARY.replace("SIZE", "20"))
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0 or "changed while the build ran" in err, err
    subprocess.run(command, cwd=ROOT, check=True, timeout=60)
    from PIL import Image
    assert Image.open(tmp_path / "site" / "tiny" / "figures" / "parabola.png").size == (20, 20)


# today: the build waits as long as the child lives (for ever, for a long-lived one)
def test_a_helper_killed_while_a_child_it_forked_holds_its_pipe_ends_the_build(tmp_path):
    dies = COMPUTE.replace("def summary(squares):", "def summary(squares):\n"
                           "    import os, signal, time\n"
                           "    if os.fork() == 0:\n        time.sleep(120)\n        os._exit(0)\n"
                           "    os.kill(os.getpid(), signal.SIGKILL)")
    write_lecture(tmp_path, compute=dies)
    args = build_args(tmp_path)
    start = time.monotonic()
    run = subprocess.run([sys.executable, str(ROOT / "build.py"), "--content", str(args["content_dir"]), "--out",
                          str(args["out_dir"]), "--cache", str(args["cache_dir"]), "--figures",
                          str(args["figure_dir"])], cwd=ROOT, capture_output=True, text=True, timeout=60,
                         start_new_session=True)
    try:
        assert run.returncode == 1 and time.monotonic() - start < 30
        assert "summary" in run.stderr and "SIGKILL" in run.stderr
    finally:
        subprocess.run(["pkill", "-f", str(tmp_path)], check=False)


def test_editor_files_are_no_part_of_a_lecture_and_a_pipe_is_an_error(tmp_path):
    write_lecture(tmp_path)
    folder = tmp_path / "content" / "tiny"
    os.symlink("user@host.1234:1", folder / ".#compute.py")  # an editor's lock: a link to nowhere
    (folder / "lecture.md~").write_text("a backup")
    build_site(tmp_path)
    assert not (tmp_path / "site" / "tiny" / "lecture.md~").exists()
    os.mkfifo(folder / "queue")
    error = build_error(tmp_path)
    assert "queue" in str(error) and "regular file" in str(error)


# today: after a prose edit, the reused lecture's code is not imported and source() finds nothing
def test_a_reused_lecture_can_still_show_its_code(tmp_path):
    shown = LECTURE + '\n{{ source("lecture_tiny.compute.summary") }}\n'
    write_lecture(tmp_path, lecture=shown)
    build_site(tmp_path)
    write_lecture(tmp_path, lecture=shown.replace("## Result", "## The result"))
    build_site(tmp_path)
    page = (tmp_path / "site" / "tiny" / "index.html").read_text()
    assert "The result" in page and '<span class="nf">summary</span>' in page


# today: a reused lecture ignores a shared module outside lecturekit/ and data read when a project module loads
def test_a_course_module_and_what_it_read_on_import_are_part_of_a_reused_lecture(tmp_path, monkeypatch):
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "course_constants.py").write_text(
        "from pathlib import Path\nN = float(Path(__file__).with_name('n.txt').read_text())\n")
    (shared / "n.txt").write_text("2")
    monkeypatch.syspath_prepend(str(shared))
    compute = COMPUTE + '''

@computation(into="shared")
def constant():
    from course_constants import N
    return {"n": N}
'''
    write_lecture(tmp_path, compute=compute, lecture=LECTURE + "\nN is {{ shared.n | sig(2) }}.\n")
    build_site(tmp_path)
    (shared / "n.txt").write_text("3")  # read when course_constants is imported, by this process only
    sys.modules.pop("course_constants", None)
    build_site(tmp_path)
    assert "N is 3.0." in (tmp_path / "site" / "tiny" / "index.html").read_text()


def _page(tmp_path):
    return (tmp_path / "site" / "tiny" / "index.html").read_text()


def _lecture_with(tmp_path, body, place="Total"):
    compute = COMPUTE + f'''

from pathlib import Path


@computation(into="extra")
def total():
    here = Path(__file__).parent
{body}
'''
    write_lecture(tmp_path, compute=compute, lecture=LECTURE + f"\n{place}: {{{{ extra.total | sig(3) }}}}.\n")


# today: a folder's listing is no `open`: a new file in it changes nothing
def test_a_new_file_in_a_folder_a_computation_listed_updates_the_page(tmp_path):
    _lecture_with(tmp_path, '    return {"total": float(sum(float(p.read_text()) for p in (here / "data").glob("*.txt")))}')
    (tmp_path / "content" / "tiny" / "data").mkdir()
    (tmp_path / "content" / "tiny" / "data" / "a.txt").write_text("1")
    build_site(tmp_path)
    assert "Total: 1.00." in _page(tmp_path)
    (tmp_path / "content" / "tiny" / "data" / "b.txt").write_text("5")
    build_site(tmp_path)
    assert "Total: 6.00." in _page(tmp_path)


# today: sqlite reads no file through `open`
def test_a_database_a_computation_queried_is_part_of_its_key(tmp_path):
    import sqlite3
    _lecture_with(tmp_path, '    import sqlite3\n    with sqlite3.connect(here / "db.sqlite") as db:\n'
                            '        return {"total": float(db.execute("select sum(v) from t").fetchone()[0])}')
    with sqlite3.connect(tmp_path / "content" / "tiny" / "db.sqlite") as db:
        db.execute("create table t (v real)")
        db.execute("insert into t values (2)")
    build_site(tmp_path)
    assert "Total: 2.00." in _page(tmp_path)
    with sqlite3.connect(tmp_path / "content" / "tiny" / "db.sqlite") as db:
        db.execute("insert into t values (5)")
    build_site(tmp_path)
    assert "Total: 7.00." in _page(tmp_path)


# today: a relative path read from another working folder served the first folder's value
def test_a_relative_path_read_from_another_working_folder_is_another_input(tmp_path, monkeypatch):
    _lecture_with(tmp_path, '    return {"total": float(Path("scale.txt").read_text())}')
    for name, value in (("x", "2"), ("y", "3")):
        (tmp_path / name).mkdir()
        (tmp_path / name / "scale.txt").write_text(value)
    monkeypatch.chdir(tmp_path / "x")
    build_site(tmp_path)
    assert "Total: 2.00." in _page(tmp_path)
    monkeypatch.chdir(tmp_path / "y")
    build_site(tmp_path)
    assert "Total: 3.00." in _page(tmp_path)


# today: a program's output was cached like a pure result
def test_a_computation_that_runs_a_program_is_an_error(tmp_path):
    _lecture_with(tmp_path, '    import subprocess\n'
                            '    return {"total": float(subprocess.run(["echo", "4"], capture_output=True).stdout)}')
    error = build_error(tmp_path)
    assert "total" in str(error) and "ran a program" in str(error)
