"""A change in data/ or analysis/ re-executes the pages that use them, even with the cache on.

jupyter-cache keys notebooks on their code cells only; ``analysis.build.sphinx_inputs`` adds
the inputs' fingerprint to that key. These tests build a two-page copy of the project in
cache mode and watch a page's execution stamp.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from analysis import paths
from analysis.build.sphinx_inputs import FINGERPRINT_MARKER, input_files, inputs_fingerprint
from book_build import run_book_build

FRONT_MATTER = """---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---
"""

PROBE_PAGE = FRONT_MATTER + """
# Probe

```{code-cell} ipython3
import time
from analysis import paths
from myst_nb import glue

glue("probe_value", int((paths.DATA / "probe" / "value.txt").read_text()), display=False)
glue("probe_stamp", time.time_ns(), display=False)
```

Value {glue:text}`probe_value`; executed at {glue:text}`probe_stamp`.
"""

PLAIN_PAGE = "# Plain page\n\nNo code here.\n"

TOC = "format: jb-book\nroot: book/probe\nchapters:\n  - file: book/plain\n"


def _copy_project(destination: Path) -> Path:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints")
    shutil.copytree(paths.ANALYSIS, destination / "analysis", ignore=ignore)
    shutil.copytree(paths.DATA, destination / "data", ignore=ignore)
    (destination / "book").mkdir()
    shutil.copy(paths.BOOK / "references.bib", destination / "book" / "references.bib")
    shutil.copy(paths.ROOT / "_config.yml", destination / "_config.yml")
    (destination / "_toc.yml").write_text(TOC, encoding="utf-8")
    (destination / "book" / "probe.md").write_text(PROBE_PAGE, encoding="utf-8")
    (destination / "book" / "plain.md").write_text(PLAIN_PAGE, encoding="utf-8")
    (destination / "data" / "probe").mkdir()
    (destination / "data" / "probe" / "value.txt").write_text("41\n", encoding="utf-8")
    return destination


def _build_and_read(project: Path) -> tuple[int, int]:
    # Authoring mode: the execution cache is on, as for `make book` outside CI.
    env = {"PYTHONPATH": str(project), "CI": "", "BOOK_EXECUTE": ""}
    result = run_book_build(project, extra_env=env)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    html = (project / "_build" / "html" / "book" / "probe.html").read_text(encoding="utf-8")
    match = re.search(r"Value\s*(?:<[^>]+>\s*)*(\d+)(?:\s*<[^>]+>)*;\s*executed at\s*"
                      r"(?:<[^>]+>\s*)*(\d+)", html)
    assert match, "probe page did not render its glued values"
    return int(match.group(1)), int(match.group(2))


@pytest.mark.book
def test_data_or_code_change_re_executes_the_dependent_page(tmp_path: Path) -> None:
    project = _copy_project(tmp_path / "project")

    value, first_stamp = _build_and_read(project)
    assert value == 41

    # No change: the page comes from the cache, so the stamp must not move. Without this
    # check the test could not tell a re-execution from a cache that never works.
    value, stamp = _build_and_read(project)
    assert (value, stamp) == (41, first_stamp)

    (project / "data" / "probe" / "value.txt").write_text("42\n", encoding="utf-8")
    value, after_data_change = _build_and_read(project)
    assert value == 42
    assert after_data_change != first_stamp

    with (project / "analysis" / "paths.py").open("a", encoding="utf-8") as handle:
        handle.write("\n# a code change that touches no chapter cell\n")
    _, after_code_change = _build_and_read(project)
    assert after_code_change != after_data_change


def test_fingerprint_covers_data_and_analysis_sources() -> None:
    files = input_files()
    relative = {path.relative_to(paths.ROOT).parts[0] for path in files}
    assert relative == {"analysis", "data"}
    assert paths.ANALYSIS / "paths.py" in files
    assert not any("__pycache__" in path.parts for path in files)


def test_fingerprint_changes_when_any_input_changes(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "analysis").mkdir()
    (tmp_path / "data" / "a.csv").write_text("x\n1\n", encoding="utf-8")
    (tmp_path / "analysis" / "m.py").write_text("X = 1\n", encoding="utf-8")
    before = inputs_fingerprint(input_files(tmp_path), tmp_path)
    (tmp_path / "analysis" / "m.py").write_text("X = 2\n", encoding="utf-8")
    after_code = inputs_fingerprint(input_files(tmp_path), tmp_path)
    (tmp_path / "data" / "b.csv").write_text("y\n", encoding="utf-8")
    after_new_file = inputs_fingerprint(input_files(tmp_path), tmp_path)
    assert len({before, after_code, after_new_file}) == 3


@pytest.mark.book
def test_every_built_notebook_page_carries_the_fingerprint_cell(built_book: Path) -> None:
    # The injected cell lives in the executed notebooks that myst-nb writes out.
    executed = built_book.parent / "jupyter_execute"
    notebooks = list(executed.rglob("*.ipynb"))
    assert notebooks
    for notebook in notebooks:
        assert FINGERPRINT_MARKER in notebook.read_text(encoding="utf-8"), notebook
