# The two commands an author needs are `make serve` and `make test`;
# each sets up everything it uses on a fresh machine.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
# The network's matrices are small: one BLAS thread per process is many times faster
# than a thread pool fighting over two cores (recipes and tests already run in parallel).
export OPENBLAS_NUM_THREADS := 1

.PHONY: setup node vendor browser checkers assets site serve test bench publish clean

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(INSTALLED)

setup: $(INSTALLED)

# Node.js runs the pinned Pyodide at build time (its Python files are compiled to bytecode once).
node:
	sh scripts/ensure_debian.sh node:nodejs

# Pinned Pyodide, its NumPy wheel and KaTeX, verified by sha256/sha512, cached in .cache/vendor.
vendor: setup node
	$(PY) -m scripts.runtime.vendor

# Debian's Chromium for the browser tests (Playwright's own browser download is not reachable).
browser:
	sh scripts/ensure_debian.sh chromium:chromium

# What the tests check the site with: axe-core and the Nu HTML checker (pinned, verified, in
# .cache/vendor; scripts/runtime/checkers.py) and Debian's Java, which runs the checker.
checkers: setup
	sh scripts/ensure_debian.sh java:default-jre-headless
	$(PY) -m scripts.runtime.checkers

# Every figure, video and trained model; re-runs only what changed. ARGS="--force" etc.
assets: setup
	$(PY) -m scripts.assets $(ARGS)

site: assets vendor
	$(PY) -m mkdocs build --strict

serve: assets vendor
	$(PY) -m mkdocs serve --dev-addr 127.0.0.1:8000

test: assets vendor browser checkers
	$(PY) -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

bench: site browser
	$(PY) -m scripts.bench

# Builds for the site's address and pushes to gh-pages: SITE_URL, or the GitHub Pages address of
# the origin remote; without either it stops and says how to give one (scripts/site/site_address.py).
publish: assets vendor
	$(PY) -m mkdocs gh-deploy --strict --force --no-history

clean:
	rm -rf site docs/assets/generated
