# Two commands on a fresh machine with Python 3.11 and make:
#   make book   -> builds the site into _build/html
#   make test   -> runs the test suite, which includes a full strict book build
# Both create .venv from the pinned lock when it is missing or stale.

PYTHON      ?= python3.11
VENV        := .venv
BIN         := $(VENV)/bin
LOCK        := .ci/requirements.lock
VENV_STAMP  := $(VENV)/.installed-from-lock
# Strict: warnings are errors, nitpicky references, report every problem before failing.
BOOK_FLAGS  := -W -n --keep-going
PAGE        ?=

.PHONY: book test bench page system-deps lock clean venv

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

book: $(VENV_STAMP)
	$(BIN)/jupyter-book build . --builder html $(BOOK_FLAGS)
	@echo "Open _build/html/index.html (or: $(BIN)/python -m http.server -d _build/html)"

# Re-execute one chapter and rebuild incrementally, e.g. make page PAGE=book/evidence/its_qianjiang.md
page: $(VENV_STAMP)
	$(BIN)/python -m analysis.build.page $(PAGE)

# Chromium for the browser tests and a JRE for the Spark path; installed only when missing.
system-deps:
	bash .ci/system-deps.sh

test: $(VENV_STAMP) system-deps
	$(BIN)/python -m pytest

bench: $(VENV_STAMP)
	$(BIN)/python -m analysis.build.bench

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
