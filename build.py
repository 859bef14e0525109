#!/usr/bin/env python3
"""Build the course site: compute every result, draw every figure, write every page.

    python build.py [--content content] [--out site]

Steps, in order: find lectures; compute each lecture's results (cached per
computation) while worker processes draw its figures (cached per figure, each
started as soon as the results it shows exist); render the Markdown with the
results, then to HTML inside the templates; swap the finished tree in as the
site. Nothing touches the site until all succeeded.
"""
import argparse
import atexit
import contextlib
import fcntl
import functools
import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

# Parallelism comes from the figure processes; BLAS threads in each process
# would only contend with them for the cores. Set before numpy loads.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

from lecturekit.engine import mathtex
from lecturekit.engine.cache import cached_text, digest, remembered_keys, source_fingerprint
from lecturekit.engine.compute import computation_keys, computing
from lecturekit.engine.errors import BuildError
from lecturekit.engine.figures import FigurePool
from lecturekit.engine.lectures import find_lectures, split_front_matter
from lecturekit.engine.markup import check_figure_references, fill_figures, markdown_to_html
from lecturekit.engine.pages import HomePage, LectureLink, LecturePage, render_page, template_environment
from lecturekit.engine.prose import render_prose
from lecturekit.engine.site import publish

ROOT = Path(__file__).resolve().parent


def page_code(code):
    """What every rendered page depends on besides its content: `code` (the fingerprint of
    all Python sources and libraries, see source_fingerprint), the templates, and KaTeX."""
    templates = [p.read_bytes().hex() for p in sorted((ROOT / "templates").rglob("*.*"))]
    return digest(code, templates, mathtex.RENDER_SCRIPT.read_text(), mathtex.katex_version())


class Steps:
    """Prints one line per build step with its duration."""

    def __init__(self, quiet=False):
        self.start = self.last = time.perf_counter()
        self.quiet = quiet

    def done(self, message):
        now = time.perf_counter()
        if not self.quiet:
            print(f"  {message:<52} {now - self.last:6.2f} s", flush=True)
        self.last = now

    def note(self, message):
        if not self.quiet:
            print(f"    · {message}", flush=True)

    @property
    def total(self):
        return time.perf_counter() - self.start


def figure_url(manifests):
    """URL (relative to the lecture page) of a figure's file or poster."""
    def url_for(name, which="file"):
        animated = manifests[name]["kind"] == "animation"
        if which == "poster" or (which == "still" and animated):
            return f"figures/{name}-poster.png"
        return f"figures/{name}.gif" if animated else f"figures/{name}.png"
    return url_for


def figure_files(slug, manifests, figure_dir):
    """Site paths of a lecture's figures, mapped to their cached files."""
    url_for, files = figure_url(manifests), {}
    for name, manifest in manifests.items():
        files[f"{slug}/{url_for(name)}"] = Path(figure_dir) / manifest["file"]
        if manifest["kind"] == "animation":
            files[f"{slug}/{url_for(name, 'poster')}"] = Path(figure_dir) / manifest["poster"]
    return files


def static_files(lecture):
    """Files under a lecture's `static/` folder, copied beside its page as they are."""
    static = lecture.folder / "static"
    return {f"{lecture.slug}/{p.relative_to(static).as_posix()}": p
            for p in sorted(static.rglob("*")) if p.is_file()}


@dataclass
class Body:
    """A page body as far as it goes without its figures: HTML with a slot per figure and a token per formula."""
    html: str
    toc: list
    figures: list   # what each figure slot shows (see markup.fill_figures)
    formulas: list  # rendered HTML of each math token

    def finish(self, manifests):
        """The body's HTML with its figures and formulas in place."""
        html = fill_figures(self.html, self.figures, manifests, figure_url(manifests))
        return mathtex.restore_math(html, self.formulas)


def page_body(text, path, first_line, context, cache_dir):
    """Placeholders, then math, then Markdown: all of a page body that does not need its figures."""
    padded = "\n" * (first_line - 1) + text  # so every error's line is the file's line
    prose = render_prose(padded, path, 1, context, cache_dir / "jinja")
    protected, formulas = mathtex.protect_math(prose, path)
    # Jinja may have added or dropped lines: a bad formula is reported at its line in the file.
    rendered = mathtex.render_formulas(formulas, path, cache_dir / "math",
                                       line_of=lambda i: mathtex.source_lines(formulas, padded, path)[i])
    return Body(*markdown_to_html(protected), rendered)


def lecture_body(lecture, results, cache_dir):
    """The body of a lecture's page, before its figures are in."""
    return page_body(lecture.body, lecture.source, lecture.body_line, results, cache_dir)


def lecture_link(lecture, manifests):
    """How other pages link to a lecture (and show its thumbnail), relative to the site root."""
    meta, thumbnail = lecture.meta, lecture.meta.get("thumbnail", "")
    if thumbnail and thumbnail not in manifests:
        raise BuildError(f"thumbnail '{thumbnail}' is not a figure of this lecture", lecture.source, 1)
    return LectureLink(meta["title"], meta["number"], meta["summary"], f"{lecture.slug}/index.html",
                       f"{lecture.slug}/{figure_url(manifests)(thumbnail, 'still')}" if thumbnail else "",
                       meta.get("thumbnail_alt", f"A figure from {meta['title']}"))


def compute_and_draw(lectures, cache_dir, figure_dir, steps):
    """Every lecture's results and figure manifests, through the caches.

    Figures are drawn in worker processes while the computations run: each
    starts as soon as the results it draws are in the cache. When there are
    figures to draw, the computations run in a process of their own, started
    before matplotlib loads; Node typesets the formulas that need no results
    meanwhile, and the page body is written while the workers finish.
    """
    computed, manifests, bodies, drawn = {}, {}, {}, []
    for lecture in lectures:
        check_figure_references(lecture.body, lecture.source, lecture.body_line,
                                [spec.name for spec in lecture.figures])
        keys = computation_keys(lecture)
        pool = FigurePool(lecture, keys, figure_dir, cache_dir / "results",
                          progress=lambda name: steps.note(f"drew {name}"))
        with (computing(lecture, keys, cache_dir / "results", progress=lambda name: steps.note(f"computed {name}"),
                        figure_needs=pool.needs, background=bool(pool.tasks)) as results,
              contextlib.ExitStack() as cleanup):
            typeset = mathtex.prerender_static_math(lecture.body, cache_dir / "math") if pool.tasks else None
            if typeset:
                cleanup.callback(typeset)  # Node is waited for even if a computation fails
            cleanup.enter_context(pool)
            computed[lecture.slug] = results(on_ready=pool.ready)
            ran, total = len(computed[lecture.slug].ran), len(computed[lecture.slug].keys)
            steps.done(f"results: {ran} computed, {total - ran} reused")
            if pool.tasks:  # the workers are still drawing
                typeset()
                bodies[lecture.slug] = lecture_body(lecture, computed[lecture.slug].published, cache_dir)
            manifests[lecture.slug], names = pool.finish()
        drawn += names
    total = sum(len(m) for m in manifests.values())
    steps.done(f"figures: {len(drawn)} rendered, {total - len(drawn)} reused")
    return computed, manifests, bodies, drawn


class Pages:
    """Renders the site's pages through the page cache, and counts those it rendered."""

    def __init__(self, course_title, cache_dir, code):
        self.course_title, self.cache_dir, self.code = course_title, cache_dir, page_code(code)
        self.env = functools.cache(lambda: template_environment(ROOT / "templates"))  # only if a page is rendered
        self.rendered = 0

    def cached(self, render, *inputs):
        """A page's HTML: reused while the code and `inputs` are unchanged, else `render()`ed."""
        def counted():
            self.rendered += 1
            return render()
        return cached_text(self.cache_dir / "pages", digest(self.code, self.course_title, *inputs), counted)


def lecture_page(pages, lecture, results, manifests, links, index, body=None):
    """HTML of one lecture page; reused from the cache when nothing it shows has changed.

    `body` is the page body if it was written while the figures were drawn.
    """
    previous = links[index - 1] if index > 0 else None
    following = links[index + 1] if index + 1 < len(links) else None

    def render():
        written = body or lecture_body(lecture, results, pages.cache_dir)
        meta = lecture.meta
        return render_page(pages.env(), "lecture.html", LecturePage(
            pages.course_title, "../", meta["title"], meta["number"], meta["summary"], written.finish(manifests),
            written.toc, previous, following, "results.json"))
    return pages.cached(render, lecture.meta, lecture.body, results, manifests,
                        [link.__dict__ for link in (previous, following) if link])


def home_page(pages, source, intro_md, intro_line, cards):
    """HTML of the course home: its introduction and a card per lecture (cached like lecture pages)."""
    def render():
        intro = page_body(intro_md, source, intro_line, {}, pages.cache_dir).finish({})
        return render_page(pages.env(), "home.html", HomePage(pages.course_title, "", intro, cards))
    return pages.cached(render, intro_md, [card.__dict__ for card in cards])


def site_files(content_dir, lectures, computed, manifests, bodies, code, cache_dir, figure_dir, steps):
    """Every file of the site: relative path -> bytes, or a cached file to link."""
    course_meta, intro_md, intro_line = split_front_matter(
        (content_dir / "index.md").read_text(encoding="utf-8"), content_dir / "index.md")
    pages = Pages(course_meta.get("title", "Course"), cache_dir, code)
    links = [lecture_link(lecture, manifests[lecture.slug]) for lecture in lectures]
    files = {}
    for index, lecture in enumerate(lectures):
        slug, results = lecture.slug, computed[lecture.slug].published
        files[f"{slug}/index.html"] = lecture_page(pages, lecture, results, manifests[slug], links, index,
                                                   bodies.get(slug)).encode()
        files[f"{slug}/results.json"] = (json.dumps(results, indent=1, sort_keys=True) + "\n").encode()
        files.update(figure_files(slug, manifests[slug], figure_dir))
        files.update(static_files(lecture))
    files["index.html"] = home_page(pages, content_dir / "index.md", intro_md, intro_line, links).encode()
    files["assets/style.css"] = ROOT / "templates" / "static" / "style.css"
    for path in mathtex.copy_katex_assets(cache_dir / "katex"):
        files[f"assets/katex/{path.relative_to(cache_dir / 'katex').as_posix()}"] = path
    files[".nojekyll"] = b""  # GitHub Pages: serve files as they are
    steps.done(f"pages: {pages.rendered} rendered, {len(lectures) + 1 - pages.rendered} reused")
    return files


def build(content_dir, out_dir, cache_dir, figure_dir, quiet=False):
    """The whole build; returns a summary dict. Raises BuildError on an author's mistake."""
    steps = Steps(quiet)
    code = source_fingerprint([ROOT / "lecturekit", content_dir, ROOT / "build.py"])
    with remembered_keys(cache_dir / "keys.json", code):
        lectures = find_lectures(content_dir)
        steps.done(f"found {len(lectures)} lecture(s) in {content_dir.name}/")
        computed, manifests, bodies, rendered = compute_and_draw(lectures, cache_dir, figure_dir, steps)
        files = site_files(content_dir, lectures, computed, manifests, bodies, code, cache_dir, figure_dir, steps)
        publish(out_dir, files)
    steps.done(f"wrote {len(files)} files to {out_dir.name}/")
    return {"lectures": len(lectures), "computed": sum(len(c.ran) for c in computed.values()),
            "computations": sum(len(c.keys) for c in computed.values()), "rendered": len(rendered),
            "figures": sum(len(m) for m in manifests.values()), "files": len(files), "seconds": steps.total}


@contextlib.contextmanager
def build_lock(path):
    """One build at a time: a second one waits for the first, and says so."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print("waiting for another build to finish ...", file=sys.stderr, flush=True)
            fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--content", type=Path, default=ROOT / "content", help="lecture sources")
    parser.add_argument("--out", type=Path, default=ROOT / "site", help="where the site goes")
    parser.add_argument("--cache", type=Path, default=ROOT / ".cache", help="computation and math cache")
    parser.add_argument("--figures", type=Path, default=ROOT / "figures", help="rendered figure cache")
    parser.add_argument("--quiet", action="store_true", help="print only errors")
    parser.add_argument("--summary", type=Path, help="also write the build summary as JSON to this file")
    args = parser.parse_args(argv)
    try:
        with build_lock(args.cache / "build.lock"):
            summary = build(args.content, args.out, args.cache, args.figures, args.quiet)
    except BuildError as error:
        print(f"error: {error}", file=sys.stderr)
        print("build failed; the previous site was left unchanged.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("build interrupted; the previous site was left unchanged.", file=sys.stderr)
        return 130
    if args.summary:
        args.summary.write_text(json.dumps(summary, indent=1) + "\n")
    if not args.quiet:
        print(f"built {summary['lectures']} lecture(s) into {args.out}/ in {summary['seconds']:.2f} s "
              f"({summary['computed']} of {summary['computations']} results and "
              f"{summary['rendered']} of {summary['figures']} figures were new)")
    return 0


if __name__ == "__main__":
    status = main()
    # Everything is written and the workers and Node are reaped. Skip only the
    # interpreter's teardown: freeing matplotlib's, SciPy's and scikit-learn's
    # module objects one by one took 0.3 s after a cold build, for memory the
    # operating system takes back at once. Exit handlers still run.
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)
