# Two commands matter: `make site` and `make test`. Both set up what they need:
# `make site` only what the build needs, `make test` that plus the test tools.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP      := $(VENV)/.installed-build
TEST_STAMP := $(VENV)/.installed-test
NODE_STAMP      := node_modules/.installed-build
NODE_TEST_STAMP := node_modules/.installed-test
PIP_INSTALL := $(PY) -m pip install --quiet --disable-pip-version-check
NPM_CI      := npm ci --no-audit --no-fund --silent
PORT   ?= 8000

# Keys are read from the syntax tree, whose shape changes between Python versions: the tests of the
# engine's core also run on every other supported Python this machine has (see test-pythons).
OTHER_PYTHONS ?= 3.12 3.13
CORE_TESTS    := tests/test_keys.py tests/test_values.py tests/test_store.py
CORE_PINS      = $$(grep -hiE '^(numpy|pytest|iniconfig|pluggy|packaging|pygments|pyyaml)==' requirements.txt requirements-test.txt)

.PHONY: site test test-pythons bench serve clean distclean

site: $(STAMP) $(NODE_STAMP)
	$(PY) build.py

test: $(TEST_STAMP) $(NODE_TEST_STAMP) test-pythons
	$(PY) -m pytest -q

# A venv per other Python (.venv-3.12, ...) with only what the core tests need, pinned as in the lock files.
test-pythons:
	@for v in $(OTHER_PYTHONS); do \
	  py=; for c in $$(command -v python$$v) $$(ls -d $$HOME/.pyenv/versions/$$v*/bin/python 2>/dev/null); do \
	    if [ -z "$$py" ] && $$c -c 'pass' 2>/dev/null; then py=$$c; fi; done; \
	  if [ -z "$$py" ]; then echo "Python $$v not found: its core tests are skipped"; continue; fi; \
	  test -x .venv-$$v/bin/python || $$py -m venv .venv-$$v || exit 1; \
	  .venv-$$v/bin/python -m pip install --quiet --disable-pip-version-check $(CORE_PINS) || exit 1; \
	  echo "core tests on Python $$v ($$py):"; \
	  .venv-$$v/bin/python -m pytest -q -p no:cacheprovider $(CORE_TESTS) || exit 1; \
	done

bench: $(STAMP) $(NODE_STAMP)
	$(PY) -m lecturekit.bench

serve: $(STAMP) $(NODE_STAMP)
	$(PY) -m lecturekit.serve --port $(PORT)

# The build's environment: created once, reinstalled only when its lock file changes.
$(STAMP): requirements.txt
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed"' \
	  || { echo "error: Python 3.11+ is needed (found: $$($(PYTHON) --version 2>&1))"; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) \
	  || { echo "error: could not create $(VENV); install the venv module (Debian: apt-get install python3-venv)"; exit 1; }
	$(PIP_INSTALL) -r requirements.txt
	@touch $@

# The test tools go into the same environment, on top of the build's packages
# (requirements-test.txt includes requirements.txt), when either lock file changes.
$(TEST_STAMP): requirements-test.txt $(STAMP)
	$(PIP_INSTALL) -r requirements-test.txt
	@touch $@

# KaTeX renders the math at build time; Node.js is a build-time tool only.
# The build installs the dependencies only: vnu-jar, the HTML checker, is a devDependency.
NEED_NODE = command -v node >/dev/null && command -v npm >/dev/null \
  || { echo "error: Node.js 18+ and npm are needed to render math at build time (Debian: apt-get install nodejs npm)"; exit 1; }

$(NODE_STAMP): package-lock.json
	@$(NEED_NODE)
	$(NPM_CI) --omit=dev
	@touch $@

# npm ci starts from an empty node_modules; the full install also holds everything the build needs.
$(NODE_TEST_STAMP): package-lock.json
	@$(NEED_NODE)
	$(NPM_CI)
	@touch $@ $(NODE_STAMP)

clean:
	rm -rf site .site-* .cache .pytest_cache test-artifacts bench/latest.json
	find figures -mindepth 1 ! -name README.md -delete
	find . -name __pycache__ -not -path './$(VENV)/*' -not -path './node_modules/*' -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) .venv-3.* node_modules
