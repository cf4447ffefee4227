"""A page re-executes when a file it used changes, and only then, even with the cache on.

jupyter-cache keys notebooks on their code cells only; ``analysis.build.sphinx_inputs``
adds a per-page fingerprint of the files the page read and the project modules it imported,
as recorded by ``analysis.build.page_inputs`` during the page's previous execution. These
tests build a small copy of the project in cache mode, in parallel, and watch each page's
execution stamp.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from analysis import paths
from analysis.build import page_inputs
from analysis.build.book import run_build
from analysis.build.sphinx_inputs import FINGERPRINT_MARKER, MANIFESTS_FOLDER, balanced_order

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


def probe_page(title: str, reading: str) -> str:
    """A notebook page that glues one value computed by ``reading`` and its execution time."""
    return (
        FRONT_MATTER
        + f"""
# {title}

```{{code-cell}} ipython3
import time
from myst_nb import glue

{reading}
glue("value", value, display=False)
glue("stamp", time.time_ns(), display=False)
```

Value {{glue:text}}`value`; executed at {{glue:text}}`stamp`.
"""
    )


# Page "library" reads its file through a project module (an indirect read, as chapters do);
# page "direct" opens its file itself; the other pages read no data at all.
PAGES = {
    "library": "from analysis.probe_reader import probe_value\nvalue = probe_value()",
    "direct": "from analysis import paths\n"
    "value = int((paths.DATA / 'probe' / 'direct.txt').read_text())",
    **{f"idle{number}": "value = 0" for number in range(4)},  # > 5 pages: a parallel read
}
READER = '''"""Probe library module: reads the first probe file on behalf of a page."""

from analysis import paths


def probe_value() -> int:
    return int((paths.DATA / "probe" / "library.txt").read_text())
'''


def _copy_project(destination: Path) -> Path:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints")
    shutil.copytree(paths.ROOT / "analysis", destination / "analysis", ignore=ignore)
    shutil.copytree(paths.DATA, destination / "data", ignore=ignore)
    (destination / "benchmarks").mkdir()
    (destination / "benchmarks" / "probe_benchmark.py").write_text("X = 1\n", encoding="utf-8")
    (destination / "analysis" / "probe_reader.py").write_text(READER, encoding="utf-8")
    (destination / "book").mkdir()
    shutil.copy(paths.BOOK / "references.bib", destination / "book" / "references.bib")
    shutil.copy(paths.ROOT / "_config.yml", destination / "_config.yml")
    names = list(PAGES)
    toc = [f"format: jb-book\nroot: book/{names[0]}\nchapters:"]
    toc += [f"  - file: book/{name}" for name in names[1:]]
    (destination / "_toc.yml").write_text("\n".join(toc) + "\n", encoding="utf-8")
    for name, reading in PAGES.items():
        (destination / "book" / f"{name}.md").write_text(
            probe_page(name.title(), reading), encoding="utf-8"
        )
    (destination / "data" / "probe").mkdir()
    (destination / "data" / "probe" / "library.txt").write_text("41\n", encoding="utf-8")
    (destination / "data" / "probe" / "direct.txt").write_text("7\n", encoding="utf-8")
    return destination


def _build_and_read(project: Path) -> dict[str, tuple[int, int]]:
    # Authoring mode: the execution cache is on, as for `make book` outside CI.
    result = run_build(project, extra_env={"CI": "", "BOOK_EXECUTE": ""}, jobs=2)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    shown = {}
    for name in PAGES:
        html = (project / "_build" / "html" / "book" / f"{name}.html").read_text(encoding="utf-8")
        match = re.search(
            r"Value\s*(?:<[^>]+>\s*)*(\d+)(?:\s*<[^>]+>)*;\s*executed at\s*"
            r"(?:<[^>]+>\s*)*(\d+)",
            html,
        )
        assert match, f"page {name} did not render its glued values"
        shown[name] = (int(match.group(1)), int(match.group(2)))
    return shown


def _re_executed(before: dict[str, tuple[int, int]], after: dict[str, tuple[int, int]]) -> set[str]:
    return {name for name in before if before[name][1] != after[name][1]}


@pytest.mark.book
def test_only_pages_whose_inputs_changed_re_execute(tmp_path: Path) -> None:
    project = _copy_project(tmp_path / "project")

    first = _build_and_read(project)
    assert first["library"][0] == 41 and first["direct"][0] == 7

    # No change: every page comes from the cache. Without this check the test could not
    # tell a re-execution from a cache that never works.
    unchanged = _build_and_read(project)
    assert _re_executed(first, unchanged) == set()

    # A data file read through library code: only the page that read it re-executes.
    (project / "data" / "probe" / "library.txt").write_text("42\n", encoding="utf-8")
    after_data = _build_and_read(project)
    assert _re_executed(unchanged, after_data) == {"library"}
    assert after_data["library"][0] == 42

    # A file no page uses (a benchmark): nothing re-executes.
    (project / "benchmarks" / "probe_benchmark.py").write_text("X = 2\n", encoding="utf-8")
    after_benchmark = _build_and_read(project)
    assert _re_executed(after_data, after_benchmark) == set()

    # A library module only one page imports: that page alone re-executes.
    with (project / "analysis" / "probe_reader.py").open("a", encoding="utf-8") as handle:
        handle.write("\n# a code change that touches no page cell\n")
    after_module = _build_and_read(project)
    assert _re_executed(after_benchmark, after_module) == {"library"}

    # The direct reader too, and it is now served from its new cache record.
    (project / "data" / "probe" / "direct.txt").write_text("8\n", encoding="utf-8")
    after_direct = _build_and_read(project)
    assert _re_executed(after_module, after_direct) == {"direct"}
    assert after_direct["direct"][0] == 8


RECORD = """
import sys
from pathlib import Path
from analysis.build import page_inputs

page_inputs.start("book/probe", "F")
import pandas as pd
from analysis.probe_reader import probe_value

probe_value()
pd.read_csv(Path(sys.argv[1]))
sorted(Path(sys.argv[2]).iterdir())
print(page_inputs.finish())
"""


def test_recording_sees_indirect_reads_modules_and_listings(tmp_path: Path) -> None:
    project = _copy_project(tmp_path / "project")
    (project / "data" / "probe" / "table.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    manifests = tmp_path / "manifests"
    env = {
        **os.environ,
        "PYTHONPATH": str(project),
        page_inputs.ROOT_VARIABLE: str(project),
        page_inputs.MANIFESTS_VARIABLE: str(manifests),
    }
    done = subprocess.run(
        [sys.executable, "-c", RECORD, "data/probe/table.csv", "data/claims"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    manifest = json.loads(Path(done.stdout.strip()).read_text(encoding="utf-8"))
    assert manifest == page_inputs.read_manifest(manifests, "book/probe")
    assert manifest["data_files"] == ["data/probe/library.txt", "data/probe/table.csv"]
    assert "analysis/probe_reader.py" in manifest["modules"]
    assert "analysis/paths.py" in manifest["modules"]
    assert list(manifest["listings"]) == ["data/claims"]
    assert not any(
        name.startswith(".venv") or "site-packages" in name
        for kind in ("files", "modules")
        for name in manifest[kind]
    )
    assert page_inputs.changed_inputs(manifest, project) == []
    (project / "data" / "probe" / "table.csv").write_text("a,b\n1,3\n", encoding="utf-8")
    (project / "data" / "claims" / "new.csv").write_text("x\n", encoding="utf-8")
    assert page_inputs.changed_inputs(manifest, project) == ["data/probe/table.csv", "data/claims"]


def test_recording_is_off_outside_a_build() -> None:
    assert page_inputs.start("book/x", "F", environ={}) is False


def test_parallel_chunks_are_balanced_by_recorded_time() -> None:
    seconds = {"a": 9.0, "b": 8.0, "c": 1.0, "d": 1.0, "e": 1.0, "f": 1.0}
    order = balanced_order(sorted(seconds), seconds, chunks=2)
    assert sorted(order) == sorted(seconds)
    # Alphabetical chunks would take 18 s and 3 s; the two slow pages must be split.
    assert max(sum(seconds[name] for name in half) for half in (order[:3], order[3:])) <= 11


@pytest.mark.book
def test_every_built_notebook_page_carries_the_input_cells(built_book: Path) -> None:
    # The injected cells live in the executed notebooks that myst-nb writes out, and each
    # executed page left a manifest for the next build.
    executed = built_book.parent / "jupyter_execute"
    notebooks = list(executed.rglob("*.ipynb"))
    assert notebooks
    for notebook in notebooks:
        text = notebook.read_text(encoding="utf-8")
        assert FINGERPRINT_MARKER in text and "_compendium_page_inputs.finish()" in text, notebook
        docname = notebook.relative_to(executed).with_suffix("").as_posix()
        assert page_inputs.read_manifest(built_book.parent / MANIFESTS_FOLDER, docname), docname
