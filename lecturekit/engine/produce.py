"""Compute a lecture's results and draw its figures at the same time.

The computations run in a helper process of their own, forked before
matplotlib loads; figure workers, forked once matplotlib is loaded, draw
each figure as soon as the results it shows are in the store. With every
result in the store, nothing is forked for the computations. Everything
fills in the lecture's record: keys, results, manifests, what ran and drew.
"""
import os

from . import mathtex
from .compute import (NeedsRun, check_finite, compute_lecture, figures_first_order, imports_a_new_library,
                      known_keys, merge_into)
from .errors import BuildError
from .blocks import check_blocks
from .figures import cached, check_inputs, figure_tasks, figure_worker, label, static_key
from .lectures import load_code
from .macros import NO_MACROS
from .markup import check_figure_references
from .bodies import lecture_bodies
from .reuse import remember, reuse
from .scheduler import SCHEDULER, HelperDied


def _compute_main(conn, lecture, store, order):
    """The computation process: report each result as it is stored, then the outcome."""
    def report(name, key, published, read, seconds):
        conn.send(("ready", name, key, published, read, seconds))
    try:
        ran = compute_lecture(lecture, store, order, report, starting=lambda name: conn.send(("start", name)))
        conn.send(("done", ran, store.used, store.written))
    except BuildError as error:
        conn.send(("failed", error))


class Production:
    """One lecture's computing and drawing; `run()` fills the record."""

    def __init__(self, lecture, store, progress, when_computed):
        self.lecture, self.store, self.progress, self.when_computed = lecture, store, progress, when_computed
        self.tasks = figure_tasks(lecture)
        self.specs = {spec.name: spec for spec in lecture.computations}
        self.waiting = list(range(len(self.tasks)))  # tasks whose results are not all in yet
        self.queue, self.statics, self.busy, self.idle, self.workers = [], {}, {}, [], []
        self.to_draw = 0  # tasks that may have to be drawn, known before anything runs

    def run(self):
        lecture = self.lecture
        check_inputs(lecture)
        known = known_keys(lecture, self.store)
        needs = [(len(t), t[0].deps) for t in self.tasks if not self._maybe_cached(t, known)]
        self.to_draw = len(needs)
        slow = {s.name for s in lecture.computations if needs and imports_a_new_library(s)}
        order = figures_first_order(lecture.computations, needs, lecture.folder, slow)
        try:
            try:
                lecture.ran = compute_lecture(lecture, self.store, order, self.ready, may_run=False)
                computing = None
            except NeedsRun:
                lecture.keys, lecture.results, lecture.reads = {}, {}, set(lecture.import_reads)
                computing = SCHEDULER.start("computation process", _compute_main, lecture, self.store, order)
            self.ready_tasks()
            # While the computations start, load matplotlib and fork the workers (0.4 s or more a core would idle).
            self.dispatch(expect_work=computing is not None and self.to_draw > 0)
            if computing is None:
                self.when_computed()
            self.loop(computing)
        except HelperDied as death:
            raise BuildError(str(death), lecture.folder) from None
        finally:
            for worker in self.workers:
                SCHEDULER.retire(worker)

    def _maybe_cached(self, task, keys):
        """Whether a task's figures may be in the store (a cheap guess, for ordering the computations)."""
        if not all(keys.get(dep) for dep in task[0].deps):
            return False
        return self.store.get_json("figure-reads", static_key(task, keys)) is not None

    def ready(self, name, key, published, read, seconds):
        """A result is in the store: take its published values, and plan the figures now drawable."""
        spec = self.specs[name]
        if seconds is not None:
            self.progress(f"computed {name} ({seconds:.2f} s)")
        check_finite(published, spec.into, spec)
        merge_into(self.lecture.results, spec, published)
        self.lecture.keys[name] = key
        self.lecture.reads.update(read)

    def ready_tasks(self):
        """Figures whose results are all in: take them from the store, or queue them to draw."""
        for index in list(self.waiting):
            task = self.tasks[index]
            if all(dep in self.lecture.keys for dep in task[0].deps):
                self.waiting.remove(index)
                self.statics[index] = static_key(task, self.lecture.keys)
                manifests, read = cached(task, self.statics[index], self.store, self.lecture.blobs)
                if manifests is None:
                    self.queue.append(index)
                else:
                    self.lecture.manifests.update(manifests)
                    self.lecture.reads.update(read)
        self.queue.sort(key=lambda i: len(self.tasks[i]))  # largest last: popped first

    def dispatch(self, expect_work=False):
        """Hand queued tasks to idle workers, starting the workers on first need (or when `expect_work`)."""
        if (self.queue or expect_work) and not self.workers:
            from ..plotting.style import warm_up  # matplotlib loads here, shared by the workers it forks
            warm_up()
            for n in range(max(1, min(os.cpu_count() or 1, self.to_draw or len(self.queue)))):
                worker = SCHEDULER.start(f"figure worker {n + 1}", figure_worker, self.store, self.tasks,
                                         self.lecture.folder)
                self.workers.append(worker)
                self.idle.append(worker)
        while self.queue and self.idle:
            index, worker = self.queue.pop(), self.idle.pop()
            worker.doing = f"drawing {label(self.tasks[index])}"
            worker.send((index, self.statics[index], self.lecture.keys))
            self.busy[worker] = index

    def _absorb(self, used, written):
        """What a helper read and wrote in its copy of the store: kept from pruning, and forgettable."""
        self.store.mark_used(used)
        self.store.written |= written

    def loop(self, computing):
        """Relay messages until every result is in and every figure drawn."""
        while True:
            self.dispatch()
            listening = ([computing] if computing else []) + list(self.busy)
            if not listening:
                break
            for helper, message in SCHEDULER.messages(listening):
                kind = message[0]
                if helper is computing:
                    if kind == "start":
                        helper.doing = f"computing '{message[1]}'"
                    elif kind == "ready":
                        helper.doing = None
                        self.ready(*message[1:])
                        self.ready_tasks()
                    elif kind == "done":
                        self.lecture.ran, computing = message[1], None
                        self._absorb(*message[2:4])
                        SCHEDULER.retire(helper)
                        self.dispatch()
                        self.when_computed()  # the workers draw meanwhile
                    else:
                        raise message[1]
                else:
                    index = self.busy.pop(helper)
                    helper.doing = None
                    if kind == "failed":
                        raise message[2]
                    _, _, manifests, read, seconds, used, written = message
                    self._absorb(used, written)
                    self.progress(f"drew {label(self.tasks[index])} ({seconds:.2f} s)")
                    self.lecture.manifests.update(manifests)
                    self.lecture.reads.update(read)
                    self.lecture.drawn += [spec.name for spec in self.tasks[index]]
                    self.idle.append(helper)
        for worker in self.workers:
            worker.send(None)
        if self.waiting:
            raise BuildError(f"{label(self.tasks[self.waiting[0]])}: its results never became ready",
                             self.lecture.folder)


def compute_and_draw(lecture, store, progress=lambda message: None, when_computed=lambda: None):
    """Fill a lecture's record with its results and figures, through the store.

    `when_computed()` is called once every result is in, while the figure
    workers may still be drawing: the page body can be written meanwhile.
    """
    lecture.reads = set(lecture.import_reads)
    Production(lecture, store, progress, when_computed).run()
    return lecture


def produce(lecture, store, code, steps, previous_site, solutions=True, macros=NO_MACROS):
    """A lecture's results, figures and page body: reused whole when nothing changed, else made.

    `previous_site` is the site as last published: where a reused lecture's figures are checked.
    `solutions`: whether the page shows them, and `macros`, which its formulas may use (the course's settings).
    """
    if reuse(lecture, store, code, previous_site):  # its figure references are checked if its page is rendered
        steps.done(f"{lecture.slug}: reused; nothing its results or figures depend on changed")
        return lecture
    with store.tracking() as used:
        load_code(lecture)
        for part in lecture.parts:  # mistakes the code's results cannot mend, before it runs
            check_figure_references(part.body, part.source, part.body_line, [spec.name for spec in lecture.figures])
            check_blocks(part.body, part.source, part.body_line)
        # Node starts while the code runs.
        typeset = mathtex.prerender_static_math("\n\n".join(part.body for part in lecture.parts), store, macros)

        def write_body():
            typeset()
            lecture_bodies(lecture, store, solutions, macros)
        try:
            compute_and_draw(lecture, store, lambda message: steps.note(message), write_body)
        finally:
            typeset()  # Node is waited for even if a computation fails
        remember(lecture, store, code, used)
    steps.done(f"{lecture.slug}: {len(lecture.ran)} of {len(lecture.keys)} results computed, "
               f"{len(lecture.drawn)} of {len(lecture.manifests)} figures drawn")
    return lecture
