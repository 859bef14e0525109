"""Run a lecture's computations in dependency order, through the store.

A computation's key is its static key (keys.make_key: code, inputs, libraries)
joined with the content of the files it read last time it ran (reads.py):
`resolved_key` finds it without running anything. Results pass through the
store's encoding (values.py) before anything reads them, cold or warm.
"""
import math
import sys
import time

from . import reads, values
from .errors import BuildError, describe_failure
from .keys import Opaque, digest, make_key, source_closure


def dependency_order(specs, source):
    """Specs sorted so that each comes after the specs it names; errors name the culprit."""
    by_name = {spec.name: spec for spec in specs}
    order, state = [], {}

    def visit(spec, chain):
        if state.get(spec.name) == "done":
            return
        if state.get(spec.name) == "active":
            raise BuildError(f"computations depend on each other in a cycle: {' -> '.join(chain + [spec.name])}",
                             *spec.where)
        state[spec.name] = "active"
        for dep in spec.deps:
            if dep not in by_name:
                raise BuildError(f"'{spec.name}' needs a computation named '{dep}', and there is none; "
                                 f"the computations are: {', '.join(sorted(by_name)) or 'none'}", *spec.where)
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
    per image stand between (counting their own inputs) is unblocked next.
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
    scheduled, arranged = set(), []

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
    """Whether a computation uses a library this process has not loaded yet (scikit-learn: about a second)."""
    return any(library not in sys.modules for library in source_closure(spec.fn)[1])


def static_key(spec, keys):
    """What a computation's key is before the files it reads are known; an opaque input is an error."""
    try:
        return make_key(spec.fn, {"deps": {dep: keys[dep] for dep in spec.deps}}, f"computation '{spec.name}'")
    except Opaque as error:
        raise BuildError(str(error), *spec.where) from None


def full_key(static, read):
    """The key of what ran: its static key joined with the content of the files it read."""
    return digest(static, reads.file_digests(read))


def resolved_key(store, kind, static):
    """(full key, files read): the static key with the content of the files read last time ((None, []): never run)."""
    read = store.get_json(f"{kind}-reads", static)
    return (None, []) if read is None else (full_key(static, read), read)


def known_keys(lecture, store):
    """Every computation's key as far as it is known without running anything (None where not)."""
    keys = {}
    for spec in dependency_order(lecture.computations, lecture.folder):
        if all(keys.get(dep) for dep in spec.deps):
            keys[spec.name] = resolved_key(store, "results", static_key(spec, keys))[0]
        else:
            keys[spec.name] = None
    return keys


def check_finite(value, path, spec):
    """A NaN or infinity among published numbers is an error that names the result."""
    if isinstance(value, float) and not math.isfinite(value):
        raise BuildError(f"computation '{spec.name}' published a non-finite value at {path}: {value}", *spec.where)
    children = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in children:
        check_finite(item, f"{path}.{key}" if isinstance(key, str) else f"{path}[{key}]", spec)


def merge_into(tree, spec, published):
    """Put a computation's published values under its namespace; two writers of one path is an error."""
    target = tree.setdefault(spec.into, {})
    for key, value in published.items():
        if key in target:
            raise BuildError(f"'{spec.name}' publishes {spec.into}.{key}, which another computation already set",
                             *spec.where)
        target[key] = value


def run_computation(spec, inputs, store, keys, source):
    """Call one computation, recording the files it reads; store its result. Returns (key, payload)."""
    static = static_key(spec, keys)
    try:
        with reads.recording() as read:
            value = spec.fn(**inputs)
        payload = values.encode(value, spec.into)
    except values.Unstorable as error:
        raise BuildError(f"computation '{spec.name}' returned a value the results store cannot keep exactly: "
                         f"{error}", *spec.where) from None
    except Exception as error:
        raise BuildError(f"computation '{spec.name}' failed: {describe_failure(error, source)}", *spec.where) \
            from error
    key = full_key(static, read)
    store.put("results", key, payload)
    store.put_json("results-reads", static, read)
    return key, payload, read


def compute_lecture(lecture, store, order, report, may_run=True, starting=lambda name: None):
    """Each result of `order`, from the store or computed.

    Calls `starting(name)` before a computation runs and `report(name, key,
    published, files read, seconds or None if it came from the store)` for each result.

    With `may_run` false, a result that must be computed raises NeedsRun
    instead: the caller then runs the whole in a helper process.
    """
    keys, payloads, ran = {}, {}, []

    def inputs_of(spec):
        return {dep: values.decode(payloads[dep]) for dep in spec.deps}

    for spec in order:
        key, read = resolved_key(store, "results", static_key(spec, keys))
        payload = store.get("results", key) if key else None
        seconds = None
        if payload is None:
            if not may_run:
                raise NeedsRun(spec.name)
            starting(spec.name)
            start = time.perf_counter()
            key, payload, read = run_computation(spec, inputs_of(spec), store, keys, lecture.folder)
            seconds = time.perf_counter() - start
            ran.append(spec.name)
        keys[spec.name], payloads[spec.name] = key, payload
        report(spec.name, key, values.published(values.decode(payload, with_arrays=False)), read, seconds)
    return ran


class NeedsRun(Exception):
    """A computation must run, and this process may not run it."""
