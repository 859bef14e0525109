"""`make bench`: time the real lecture's builds and weigh its page.

Each scenario runs `build.py` in a fresh process on a private copy of
`content/`, so the numbers include interpreter start-up, as a user sees them.
Prints medians and writes them to bench/latest.json.
"""
import argparse
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGETS = {"cold_s": 6.0, "no_change_s": 0.25, "prose_edit_s": 0.5, "page_weight_mb": 4.0,
           "course_no_change_ratio": 1.25, "course_prose_edit_ratio": 1.25}
COURSE_SIZE = 6


def run_build(work, summary_path):
    """One build in a new process; returns (seconds, summary dict)."""
    command = [sys.executable, str(ROOT / "build.py"), "--quiet", "--content", str(work / "content"),
               "--out", str(work / "site"), "--cache", str(work / "cache"), "--figures", str(work / "figures"),
               "--summary", str(summary_path)]
    start = time.perf_counter()
    subprocess.run(command, check=True, cwd=ROOT)
    return time.perf_counter() - start, json.loads(summary_path.read_text())


def timed(work, runs, before=lambda i: None):
    """Median seconds of `runs` builds, calling before(i) ahead of each; plus the last summary."""
    times = []
    for i in range(runs):
        before(i)
        seconds, summary = run_build(work, work / "summary.json")
        times.append(seconds)
    return statistics.median(times), summary


def editor(path, edit):
    """A function i -> None that rewrites `path` as edit(original_text, i)."""
    original = path.read_text()
    return lambda i: path.write_text(edit(original, i))


def prose_edit(text, i):
    """Change one sentence of the lecture, nothing else."""
    return text.rstrip("\n") + f"\n\nThis sentence was edited {i} times.\n"


def figure_code_edit(text, i):
    """Change the code of the first figure function only (a comment would change no key)."""
    first = re.search(r"@figure\ndef \w+\(.*\):\n", text)
    return text[:first.end()] + f"    edits = {i}  # a new statement each time\n" + text[first.end():]


class AssetCollector(HTMLParser):
    """URLs a page loads up front: stylesheets, scripts, and visible images."""

    def __init__(self):
        super().__init__()
        self.urls = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and attrs.get("rel") == "stylesheet" or tag == "script" and "src" in attrs:
            self.urls.append(attrs.get("href") or attrs["src"])
        if tag == "img" and "poster" not in (attrs.get("class") or ""):
            # The widest file of its srcset: what a high-density laptop loads (the light scheme's; the dark
            # scheme's files have the same pixels and about the same size).
            candidates = [c.split() for c in (attrs.get("srcset") or "").split(",") if c.strip()]
            widest = max(candidates, key=lambda c: int(c[1][:-1]) if len(c) > 1 and c[1].endswith("w") else 0,
                         default=[attrs["src"]])
            self.urls.append(widest[0])


def page_weight(page):
    """Bytes of a page, of everything it loads, and of the fonts its stylesheets name."""
    collector = AssetCollector()
    collector.feed(page.read_text())
    files = {(page.parent / url).resolve() for url in collector.urls}
    for css in [f for f in files if f.suffix == ".css"]:
        files |= {(css.parent / u).resolve() for u in re.findall(r"url\(([^)]+\.woff2)\)", css.read_text())}
    return page.stat().st_size + sum(f.stat().st_size for f in files), len(files)


def course_copies(work, lecture, n):
    """A course of `n` copies of `lecture` (numbered 1..n) under work/content."""
    content = work / "content"
    content.mkdir(parents=True)
    shutil.copy(lecture.parent.parent / "index.md", content / "index.md")
    for k in range(1, n + 1):
        folder = content / f"{lecture.parent.name}-{k}"
        shutil.copytree(lecture.parent, folder, ignore=shutil.ignore_patterns("__pycache__"))
        text = (folder / "lecture.md").read_text()
        (folder / "lecture.md").write_text(re.sub(r"(?m)^number: .*$", f"number: {k}", text, count=1))
    return content


def course_bench(lecture, runs):
    """No-change and one-lecture prose builds of a 1- and a COURSE_SIZE-lecture course, alternating."""
    works = {n: Path(tempfile.mkdtemp(prefix=f"lecturekit-course{n}-")) for n in (1, COURSE_SIZE)}
    try:
        for n, work in works.items():
            course_copies(work, lecture, n)
            run_build(work, work / "summary.json")  # cold, once
        times = {(kind, n): [] for kind in ("no_change", "prose_edit") for n in works}
        for i in range(runs):
            for n, work in works.items():  # alternate, so both courses see the same machine
                times["no_change", n].append(run_build(work, work / "summary.json")[0])
                first = work / "content" / f"{lecture.parent.name}-1" / "lecture.md"
                editor(first, prose_edit)(i)
                times["prose_edit", n].append(run_build(work, work / "summary.json")[0])
        size = store_size(works[COURSE_SIZE])
    finally:
        for work in works.values():
            shutil.rmtree(work, ignore_errors=True)
    report = {}
    for kind in ("no_change", "prose_edit"):
        one, many = (statistics.median(times[kind, n]) for n in works)
        report[f"course_{kind}_1_s"], report[f"course_{kind}_{COURSE_SIZE}_s"] = round(one, 3), round(many, 3)
        report[f"course_{kind}_ratio"] = round(many / one, 3)
    report[f"course_{COURSE_SIZE}_cache_mb"] = size
    return report


def store_size(work):
    """Megabytes of the build's cache (results, figures, pages, math) on disk."""
    return round(sum(p.stat().st_size for folder in ("cache", "figures") for p in (work / folder).rglob("*")
                     if p.is_file()) / 1e6, 2)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="builds per warm scenario")
    parser.add_argument("--cold-runs", type=int, default=3, help="cold builds")
    parser.add_argument("--course-runs", type=int, default=5, help="builds per course scenario and size")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="lecturekit-bench-"))
    try:
        shutil.copytree(ROOT / "content", work / "content")
        lecture = next((work / "content").glob("*/lecture.md"))

        def clear_caches(i):
            for folder in ("cache", "figures", "site"):
                shutil.rmtree(work / folder, ignore_errors=True)

        print(f"benchmarking {lecture.parent.name} ({args.cold_runs} cold builds, {args.runs} of each other kind)")
        cold, cold_summary = timed(work, args.cold_runs, clear_caches)
        no_change, _ = timed(work, args.runs)
        prose, prose_summary = timed(work, args.runs, editor(lecture, prose_edit))
        figure_edit, figure_summary = timed(work, args.runs, editor(lecture.parent / "figures.py", figure_code_edit))
        weight, n_assets = page_weight(work / "site" / lecture.parent.name / "index.html")
        figures = work / "site" / lecture.parent.name / "figures"
        report = {
            "cold_s": round(cold, 3), "no_change_s": round(no_change, 3), "prose_edit_s": round(prose, 3),
            "figure_edit_s": round(figure_edit, 3),
            "figures_total": cold_summary["figures"],
            "figures_rendered_cold": cold_summary["rendered"],
            "figures_rendered_prose_edit": prose_summary["rendered"],
            "figures_rendered_figure_edit": figure_summary["rendered"],
            "computations_rerun_figure_edit": figure_summary["computed"],
            "page_weight_mb": round(weight / 1e6, 3), "page_assets": n_assets,
            "gif_mb": round(sum(p.stat().st_size for p in figures.glob("*.gif")) / 1e6, 3),
            "cache_mb": store_size(work),
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"benchmarking a course of 1 and of {COURSE_SIZE} copies of {lecture.parent.name} "
          f"({args.course_runs} builds of each kind and size, alternating)")
    report.update(course_bench(ROOT / "content" / lecture.parent.name / "lecture.md", args.course_runs))
    for name, value in report.items():
        target = TARGETS.get(name)
        verdict = "" if target is None else ("  ok" if value <= target else f"  OVER target {target}")
        print(f"  {name:<32} {value:>10}{verdict}")
    out = ROOT / "bench" / "latest.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(report, indent=1) + "\n")
    print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
