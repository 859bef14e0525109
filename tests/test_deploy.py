"""Deploy hygiene: the build's environment holds no test tool, and every lock file is complete.

`make site` (and GitHub Pages) install requirements.txt and the npm dependencies only;
`make test` adds requirements-test.txt and the npm devDependencies.
"""
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Distributions only the tests use, and what only they pull in; none may be in the build's lock.
TEST_ONLY = {"pytest", "playwright", "sympy", "mpmath", "iniconfig", "pluggy", "greenlet", "nbclient", "ipykernel",
             "jupyter-client"}
# npm packages only the tests use; they must be devDependencies (npm ci --omit=dev skips them).
NPM_TEST_ONLY = {"vnu-jar"}


def canonical(name):
    """A distribution's name as pip compares it (PEP 503): Jinja2 == jinja2, python_dateutil == python-dateutil."""
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_lines(path):
    """The requirement lines of a requirements file, without comments and blank lines."""
    lines = (line.split(" #")[0].strip() for line in path.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def direct_dependencies(path):
    """The names an .in file lists."""
    names = []
    for line in requirement_lines(path):
        assert not line.startswith("-"), f"{path.name}: unexpected option line {line!r}"
        names.append(canonical(re.match(r"[A-Za-z0-9._-]+", line).group()))
    return names


def pins(path):
    """{name: version} of a lock file, following `-r other.txt`; every line must be `name==version`."""
    found = {}
    for line in requirement_lines(path):
        if line.startswith("-r "):
            included = pins(path.parent / line[3:].strip())
            assert not found.keys() & included.keys(), f"{path.name}: pinned twice: {found.keys() & included.keys()}"
            found.update(included)
            continue
        match = re.fullmatch(r"([A-Za-z0-9._-]+)==([A-Za-z0-9.+!_-]+)", line)
        assert match, f"{path.name}: {line!r} is not an exact pin (name==version)"
        name = canonical(match.group(1))
        assert name not in found, f"{path.name}: {name} is pinned twice"
        found[name] = match.group(2)
    return found


def makefile_rules(text):
    """({variable: value}, {target: (prerequisites, recipe)}) of a simple Makefile."""
    variables, rules, target = {}, {}, None
    logical = text.replace("\\\n", " ").splitlines()
    for line in logical:
        if line.startswith("\t"):
            if target:
                rules[target][1].append(line.strip())
            continue
        target = None
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if match := re.match(r"([A-Za-z_][A-Za-z0-9_]*)\s*(?::=|\?=|=)\s*(.*)", line):
            variables[match.group(1)] = match.group(2)
        elif match := re.match(r"([^:=\s][^:=]*?)\s*:(?!=)\s*(.*)", line):
            for name in match.group(1).split():
                rules[name] = (match.group(2).split(), [])
            target = match.group(1).split()[0]
    return variables, {expand(name, variables): rule for name, rule in rules.items()}


def expand(text, variables, depth=0):
    assert depth < 20, f"variables nest too deep in {text!r}"
    expanded = re.sub(r"\$[({]([A-Za-z_][A-Za-z0-9_]*)[)}]", lambda m: variables.get(m.group(1), ""), text)
    return expanded if expanded == text else expand(expanded, variables, depth + 1)


def reachable(target, variables, rules):
    """{target: (prerequisites, recipe)} for a target and every target it depends on, variables expanded."""
    seen, todo = {}, [target]
    while todo:
        name = todo.pop()
        if name in seen or name not in rules:
            continue
        prerequisites, recipe = rules[name]
        prerequisites = [p for item in prerequisites for p in expand(item, variables).split() if p != "|"]
        seen[name] = (prerequisites, [expand(line, variables) for line in recipe])
        todo.extend(prerequisites)
    return seen


BUILD_LOCK = ROOT / "requirements.txt"
TEST_LOCK = ROOT / "requirements-test.txt"


def test_the_build_lock_has_no_test_only_distribution():
    build = pins(BUILD_LOCK)
    assert not TEST_ONLY & build.keys(), f"test-only packages in requirements.txt: {sorted(TEST_ONLY & build.keys())}"
    # And nothing matching a test tool's usual name, e.g. a pytest plugin.
    assert not [name for name in build if name.startswith(("pytest-", "playwright"))]


def test_the_test_lock_includes_the_build_lock_and_pins_the_test_tools():
    assert "-r requirements.txt" in requirement_lines(TEST_LOCK)
    test = pins(TEST_LOCK)
    assert pins(BUILD_LOCK).items() <= test.items()
    assert TEST_ONLY <= test.keys()


@pytest.mark.parametrize("direct, lock", [("requirements.in", "requirements.txt"),
                                          ("requirements-test.in", "requirements-test.txt")])
def test_every_direct_dependency_is_pinned_in_its_lock_file(direct, lock):
    pinned = pins(ROOT / lock)
    missing = [name for name in direct_dependencies(ROOT / direct) if name not in pinned]
    assert not missing, f"{direct} lists {missing}, which {lock} does not pin"


def test_the_build_needs_pyyaml_for_front_matter():
    assert "pyyaml" in direct_dependencies(ROOT / "requirements.in")
    assert "pyyaml" in pins(BUILD_LOCK)


def test_test_tools_are_npm_dev_dependencies():
    package = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))
    assert "katex" in package["dependencies"]
    assert not NPM_TEST_ONLY & package["dependencies"].keys()
    assert NPM_TEST_ONLY <= package.get("devDependencies", {}).keys()
    # npm ci --omit=dev goes by the lock file's "dev" flags, so they must agree with package.json.
    locked = json.loads((ROOT / "package-lock.json").read_text(encoding="utf-8"))["packages"]
    assert locked[""]["dependencies"] == package["dependencies"]
    assert locked[""].get("devDependencies", {}) == package.get("devDependencies", {})
    for name in NPM_TEST_ONLY:
        assert locked[f"node_modules/{name}"].get("dev") is True
    assert not locked["node_modules/katex"].get("dev")


def test_the_makefile_site_target_installs_only_the_build_requirements():
    variables, rules = makefile_rules((ROOT / "Makefile").read_text(encoding="utf-8"))
    for target in ("site", "bench", "serve"):
        graph = reachable(target, variables, rules)
        text = "\n".join(" ".join(prerequisites) + "\n" + "\n".join(recipe)
                         for prerequisites, recipe in graph.values())
        assert "requirements-test" not in text, f"make {target} reaches the test requirements"
        assert "-r requirements.txt" in text, f"make {target} does not install requirements.txt"
        npm = [line for recipe in (r for _, r in graph.values()) for line in recipe if "npm ci" in line]
        assert npm and all("--omit=dev" in line for line in npm), f"make {target} runs {npm}"
    graph = reachable("test", variables, rules)
    recipes = [line for _, recipe in graph.values() for line in recipe]
    assert any("-r requirements-test.txt" in line for line in recipes)
    assert any("npm ci" in line and "--omit=dev" not in line for line in recipes)


@pytest.mark.skipif(not shutil.which("make"), reason="needs make")
@pytest.mark.parametrize("target, wanted, unwanted", [
    ("site", ["-r requirements.txt", "npm ci", "--omit=dev"], ["requirements-test"]),
    ("test", ["-r requirements.txt", "-r requirements-test.txt", "npm ci"], []),
])
def test_make_would_run(tmp_path, target, wanted, unwanted):
    """What `make -n -B TARGET` would run from scratch, in a copy that holds only the Makefile and lock files."""
    for name in ("Makefile", "requirements.txt", "requirements-test.txt", "package.json", "package-lock.json"):
        shutil.copy(ROOT / name, tmp_path / name)
    commands = subprocess.run(["make", "-n", "-B", target], cwd=tmp_path, capture_output=True, text=True,
                              check=True).stdout
    for text in wanted:
        assert text in commands
    for text in unwanted:
        assert text not in commands
    npm = [line for line in commands.splitlines() if line.startswith("npm ci")]
    assert len(npm) == 1 and (("--omit=dev" in npm[0]) == (target == "site")), npm


def test_pages_workflow_builds_with_the_build_requirements_only():
    pages = (ROOT / ".github" / "workflows" / "pages.yml").read_text(encoding="utf-8")
    assert "make site" in pages
    assert "requirements-test" not in pages and "make test" not in pages
