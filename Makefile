# Two commands on a fresh machine with Python 3.11 and make:
#   make book   -> builds the site into _build/html
#   make test   -> lint, then the test suite, which includes a full strict book build
# Both create .venv from the pinned lock when it is missing or stale. Also:
#   make test-fast       -> lint and every test that needs no book build, browser or Spark
#   make page PAGE=...   -> re-execute one page and rebuild incrementally
#   make checksums       -> refresh data/datapackage.json after editing a file in data/
#   make bench           -> benchmarks (ONLY=book,its,... for a subset)

PYTHON      ?= python3.11
VENV        := .venv
BIN         := $(VENV)/bin
LOCK        := .ci/requirements.lock
VENV_STAMP  := $(VENV)/.installed-from-lock
PAGE        ?=
ONLY        ?= book,its,did,pipeline,validation,browser
# Pages execute in parallel on this many processes (default: the available cores).
JOBS        ?=
export COMPENDIUM_BUILD_JOBS := $(JOBS)
# Tests that need neither the built book, a browser nor Spark.
FAST_TESTS  := not book and not browser and not spark

.PHONY: book test test-fast lint bench checksums page system-deps lock clean venv

venv: $(VENV_STAMP)

# The stamp depends on the lock and pyproject: editing either rebuilds the environment.
$(VENV_STAMP): $(LOCK) pyproject.toml
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip==26.3"
	$(BIN)/python -m pip install --quiet --no-deps --requirement $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps --editable .
	$(BIN)/python -m pip check
	touch $(VENV_STAMP)

# Strict (-W -n --keep-going) and parallel; see analysis/build/book.py.
book: $(VENV_STAMP)
	$(BIN)/python -m analysis.build.book
	@echo "Or serve it: $(BIN)/python -m http.server -d _build/html"

# Re-execute one chapter and rebuild incrementally, e.g. make page PAGE=book/evidence/its_qianjiang.md
page: $(VENV_STAMP)
	$(BIN)/python -m analysis.build.page $(PAGE)

# Chromium for the browser tests and a JRE for the Spark path; installed only when missing.
system-deps:
	bash .ci/system-deps.sh

lint: $(VENV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: lint system-deps
	$(BIN)/python -m pytest

# On all cores (pytest-xdist): about 60 s on 2 cores, against 100 s serially.
test-fast: lint
	$(BIN)/python -m pytest -n auto -m "$(FAST_TESTS)"

bench: $(VENV_STAMP)
	$(BIN)/python -m benchmarks --only $(ONLY)

# After editing a file in data/: refresh its hash, schema and provenance in the descriptor.
checksums: $(VENV_STAMP)
	$(BIN)/python -m analysis.validation.checksums --write

# Regenerate the lock from .ci/requirements.in in a throwaway venv.
lock:
	rm -rf /tmp/compendium-lock-venv
	$(PYTHON) -m venv /tmp/compendium-lock-venv
	/tmp/compendium-lock-venv/bin/pip install --quiet "pip==26.3" setuptools
	/tmp/compendium-lock-venv/bin/pip install --quiet --requirement .ci/requirements.in
	/tmp/compendium-lock-venv/bin/pip freeze --all --exclude-editable | grep -viE '^(pip|setuptools)==' > $(LOCK)
	$(BIN)/python -m analysis.build.environment --write environment.yml

clean:
	rm -rf _build
