"""Run a lecture's computations in dependency order, through the cache."""
import contextlib
import math
import sys
import time
from dataclasses import dataclass

from .cache import ResultCache, make_key, source_closure
from .errors import BuildError, describe_failure, ignore_interrupts


@dataclass
class Computed:
    """What computing a lecture produced."""
    keys: dict       # computation name -> cache key
    published: dict  # results tree for the page and results.json
    ran: list        # names actually computed in this build


def dependency_order(specs, source):
    """Specs sorted so that each comes after the specs it names; errors name the culprit."""
    by_name = {spec.name: spec for spec in specs}
    order, state = [], {}

    def visit(spec, chain):
        if state.get(spec.name) == "done":
            return
        if state.get(spec.name) == "active":
            raise BuildError(f"computations depend on each other in a cycle: {' -> '.join(chain + [spec.name])}", source)
        state[spec.name] = "active"
        for dep in spec.deps:
            if dep not in by_name:
                raise BuildError(f"'{spec.name}' needs a computation named '{dep}', and there is none", source)
            visit(by_name[dep], chain + [spec.name])
        state[spec.name] = "done"
        order.append(spec)

    for spec in specs:
        visit(spec, [])
    return order


def figures_first_order(specs, figure_needs, source, slow_to_start=frozenset()):
    """Computations in dependency order, arranged so that figures can start drawing early.

    `figure_needs` lists, per figure task, (number of images, names of the
    computations it draws). Repeatedly, the task that the fewest computations
    per image stand between (counting their own inputs) is unblocked next:
    the figure workers get work while slow computations are still to come.
    Tasks behind a computation in `slow_to_start` (see imports_a_new_library)
    wait until no other task is left, so the workers draw while it starts.
    Computations no figure needs come last, in declaration order.
    """
    order = dependency_order(specs, source)
    position = {spec.name: i for i, spec in enumerate(order)}
    inputs = {spec.name: spec.deps for spec in order}

    def with_inputs(names):
        found, stack = set(), list(names)
        while stack:
            name = stack.pop()
            if name in position and name not in found:
                found.add(name)
                stack.extend(inputs[name])
        return found

    pending = [(images, with_inputs(needs)) for images, needs in figure_needs]
    scheduled = set()
    arranged = []

    def cost(task):
        images, needs = task
        new = needs - scheduled
        return bool(new & slow_to_start), len(new) / max(1, images)

    while pending:
        _, needs = min(pending, key=cost)
        for name in sorted(needs - scheduled, key=position.get):
            arranged.append(order[position[name]])
        scheduled |= needs
        pending = [task for task in pending if task[1] - scheduled]
    return arranged + [spec for spec in order if spec.name not in scheduled]


def imports_a_new_library(spec):
    """Whether a computation uses a tracked library this process has not loaded yet.

    Loading one can take longer than all the other computations together
    (scikit-learn: about a second), so it is worth scheduling late.
    """
    return any(library not in sys.modules for library in source_closure(spec.fn)[1])


def merge_into(tree, namespace, values, name, source):
    """Put a computation's published values under `namespace`; two writers of one path is an error."""
    target = tree.setdefault(namespace, {})
    for key, value in values.items():
        if key in target:
            raise BuildError(f"'{name}' publishes {namespace}.{key}, which another computation already set", source)
        target[key] = value


def check_finite(value, path, name, source):
    """A NaN or infinity among published numbers is an error that names the result."""
    if isinstance(value, float) and not math.isfinite(value):
        raise BuildError(f"computation '{name}' published a non-finite value at {path}: {value}", source)
    children = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in children:
        check_finite(item, f"{path}.{key}" if isinstance(key, str) else f"{path}[{key}]", name, source)


class ResultLoader:
    """Results by name for the computations: computed this build, or read from the cache when first asked for."""

    def __init__(self, cache, keys):
        self.cache, self.keys, self.values = cache, keys, {}

    def __getitem__(self, name):
        if name not in self.values:
            self.values[name] = self.cache.load(self.keys[name])
        return self.values[name]


def run_computation(spec, loader, source):
    """Call one computation with its dependencies; a failure names the computation."""
    try:
        value = spec.fn(**{dep: loader[dep] for dep in spec.deps})
    except Exception as error:
        raise BuildError(f"computation '{spec.name}' failed: {describe_failure(error, source)}", source) from error
    if not isinstance(value, dict):
        raise BuildError(f"computation '{spec.name}' must return a dict, not {type(value).__name__}", source)
    return value


def computation_keys(lecture):
    """The cache key of every computation, in dependency order (no computation runs)."""
    keys = {}
    for spec in dependency_order(lecture.computations, lecture.folder):
        keys[spec.name] = make_key(spec.fn, {dep: keys[dep] for dep in spec.deps})
    return keys


def compute_lecture(lecture, keys, cache_dir, progress=lambda name: None, on_ready=lambda name: None,
                    figure_needs=()):
    """All of a lecture's results: cached where the key matches, computed otherwise.

    `on_ready(name)` is called as each result is in the cache, so
    figures can start drawing before the last computation has finished; the
    order favours the figures waiting to be drawn (`figure_needs`, see
    figures_first_order).
    """
    cache = ResultCache(cache_dir)
    source = lecture.folder
    published, ran = {}, []
    loader = ResultLoader(cache, keys)
    slow = {spec.name for spec in lecture.computations if figure_needs and imports_a_new_library(spec)}
    for spec in figures_first_order(lecture.computations, figure_needs, source, slow):
        plain = cache.load_plain(keys[spec.name])
        if plain is None:
            start = time.perf_counter()
            value = run_computation(spec, loader, source)
            progress(f"{spec.name} ({time.perf_counter() - start:.2f} s)")
            loader.values[spec.name] = value
            plain = {"value": cache.store(keys[spec.name], value)}
            ran.append(spec.name)
        check_finite(plain["value"], spec.into, spec.name, source)
        merge_into(published, spec.into, plain["value"], spec.name, source)
        on_ready(spec.name)
    return Computed(keys, published, ran)


@contextlib.contextmanager
def computing(lecture, keys, cache_dir, progress=lambda name: None, figure_needs=(), background=False):
    """Yields `results(on_ready)`, which returns compute_lecture's Computed.

    With `background` and something to compute, the computations start at
    once in a forked process, while this one gets the figure workers ready
    (loading matplotlib takes it 0.4 s, which left a core idle); `results`
    then relays each result as the process stores it. Otherwise `results`
    computes in this process. A process still running when the block fails
    is stopped.
    """
    cache = ResultCache(cache_dir)
    if not background or all(cache.contains(keys[spec.name]) for spec in lecture.computations):
        yield lambda on_ready: compute_lecture(lecture, keys, cache_dir, progress, on_ready, figure_needs)
        return
    import multiprocessing  # here: a build with nothing to compute never needs it
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_compute_and_report, daemon=True,
                              args=(sender, lecture, keys, cache_dir, progress, figure_needs))
    process.start()
    sender.close()  # the process holds the only sending end, so its death reads as end of file
    try:
        yield lambda on_ready: _relay(receiver, on_ready, lecture.folder)
    except BaseException:
        process.terminate()
        raise
    finally:
        process.join()
        receiver.close()


def _compute_and_report(sender, lecture, keys, cache_dir, progress, figure_needs):
    """The forked process of `computing`: report each stored result, then the outcome."""
    ignore_interrupts()
    try:
        computed = compute_lecture(lecture, keys, cache_dir, progress, lambda name: sender.send(("ready", name)),
                                   figure_needs)
        sender.send(("done", computed))
    except BuildError as error:
        sender.send(("failed", error))


def _relay(receiver, on_ready, source):
    """The parent's side of `computing`: call on_ready per result, return the Computed or raise the failure."""
    while True:
        try:
            kind, payload = receiver.recv()
        except EOFError:
            raise BuildError("the computations stopped without reporting a result (see the messages above)",
                             source) from None
        if kind == "ready":
            on_ready(payload)
        elif kind == "failed":
            raise payload
        else:
            return payload
