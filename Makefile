# Two commands matter: `make site` and `make test`. Both set up what they need.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
PORT   ?= 8000

.PHONY: site test bench serve clean distclean

site: $(STAMP) $(NODE_STAMP)
	$(PY) build.py

test: $(STAMP) $(NODE_STAMP)
	$(PY) -m pytest -q

bench: $(STAMP) $(NODE_STAMP)
	$(PY) -m lecturekit.bench

serve: $(STAMP) $(NODE_STAMP)
	$(PY) -m lecturekit.serve --port $(PORT)

# The environment is rebuilt only when the pinned requirements change.
$(STAMP): requirements.txt
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed"' \
	  || { echo "error: Python 3.11+ is needed (found: $$($(PYTHON) --version 2>&1))"; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) \
	  || { echo "error: could not create $(VENV); install the venv module (Debian: apt-get install python3-venv)"; exit 1; }
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

# KaTeX renders the math at build time; Node.js is a build-time tool only.
$(NODE_STAMP): package-lock.json
	@command -v node >/dev/null && command -v npm >/dev/null \
	  || { echo "error: Node.js 18+ and npm are needed to render math at build time (Debian: apt-get install nodejs npm)"; exit 1; }
	npm ci --no-audit --no-fund --silent
	@touch $@

clean:
	rm -rf site .site-* .cache .pytest_cache test-artifacts bench/latest.json
	find figures -mindepth 1 ! -name README.md -delete
	find . -name __pycache__ -not -path './$(VENV)/*' -not -path './node_modules/*' -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) node_modules
