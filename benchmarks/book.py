"""Book benchmark: a cold build, a one-file data edit, and a no-change rebuild, in one run.

All three builds run in one scratch copy of the project (the working tree's ``_build`` is
left alone), with the execution cache on as in ``make book``, strict and parallel
(:func:`analysis.build.book.run_build`):

1. **cold**: no ``_build``; every notebook page executes;
2. **edit**: one definition in ``data/glossary.csv`` changes and the descriptor is
   refreshed (``make checksums``); only the pages that read those files re-execute;
3. **no change**: nothing executes;
4. **serial cold**: the cold build again in a fresh copy with one process, so the parallel
   speed-up is a ratio measured in the same run.

A page executed when its manifest (``_build/.page_inputs``, written by the page's last
cell) was rewritten, so the figures include how many pages each build executed and which.
Targets on 2 cores: cold <= 30 s, edit <= 30 % of cold, no change <= 3 s.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from analysis import paths
from analysis.build.book import SCRATCH_COPY_IGNORE, default_jobs, run_build
from analysis.build.sphinx_inputs import MANIFESTS_FOLDER

EDITED_FILE = Path("data") / "glossary.csv"


def _manifest_times(project: Path) -> dict[str, int]:
    folder = project / "_build" / MANIFESTS_FOLDER
    return {
        path.relative_to(folder).with_suffix("").as_posix(): path.stat().st_mtime_ns
        for path in folder.rglob("*.json")
    }


def _timed_build(project: Path, jobs: int | None = None) -> tuple[float, list[str]]:
    """Seconds of one authoring build and the pages it executed."""
    before = _manifest_times(project) if (project / "_build").exists() else {}
    start = time.perf_counter()
    result = run_build(project, extra_env={"CI": "", "BOOK_EXECUTE": ""}, jobs=jobs)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise RuntimeError("book build failed:\n" + result.stdout[-3000:] + result.stderr[-3000:])
    after = _manifest_times(project)
    return seconds, sorted(name for name, stamp in after.items() if before.get(name) != stamp)


def edit_glossary(project: Path) -> None:
    """Reword one definition of the copy's glossary and refresh its data descriptor."""
    path = project / EDITED_FILE
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        fields, rows = reader.fieldnames, list(reader)
    rows[-1]["definition_en"] = rows[-1]["definition_en"].rstrip(".") + " (benchmark edit)."
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    subprocess.run(
        [sys.executable, "-m", "analysis.validation.checksums", "--write"],
        cwd=project,
        env={**os.environ, "PYTHONPATH": str(project)},
        check=True,
        capture_output=True,
    )


def run() -> dict[str, float | str]:
    """Time the three builds in one scratch copy of the project.

    Returns
    -------
    dict
        Seconds of each build, pages executed, and the ratio of the edit to the cold build.
    """
    with tempfile.TemporaryDirectory(prefix="compendium-bench-") as scratch:
        project = Path(scratch) / "project"
        shutil.copytree(paths.ROOT, project, ignore=SCRATCH_COPY_IGNORE)
        cold, cold_pages = _timed_build(project)
        edit_glossary(project)
        edited, edited_pages = _timed_build(project)
        unchanged, unchanged_pages = _timed_build(project)
        serial_project = Path(scratch) / "serial"
        shutil.copytree(paths.ROOT, serial_project, ignore=SCRATCH_COPY_IGNORE)
        serial, _ = _timed_build(serial_project, jobs=1)
    return {
        "parallel jobs": float(default_jobs()),
        "cold build, every page executed (s)": round(cold, 1),
        "cold build: pages executed": float(len(cold_pages)),
        f"rebuild after editing {EDITED_FILE.as_posix()} (s)": round(edited, 1),
        "edit rebuild: pages executed": ", ".join(edited_pages) or "none",
        "edit rebuild / cold build (%)": round(100 * edited / cold, 1),
        "rebuild, no change (s)": round(unchanged, 1),
        "no-change rebuild: pages executed": float(len(unchanged_pages)),
        "cold build, one process (s)": round(serial, 1),
        "parallel speed-up, cold build (serial / parallel)": round(serial / cold, 2),
    }


if __name__ == "__main__":
    for key, value in run().items():
        print(f"{key}: {value}")
