"""Rebuild a reduced copy of the book: figures are byte-identical across clean builds, and a
changed reported value in ``data/`` changes both the figure and the glued number.

To keep ``make test`` fast the copy builds only the chapter that glues *and* plots the
claim (plus, if that chapter draws fewer than ``MIN_FIGURES`` figures, the most
figure-heavy other chapter for the determinism check) and the references page its
citations need. Reduced builds are not strict: cross-references to
chapters left out of the copy are expected to dangle. Each build executes every cell
(``BOOK_EXECUTE=force``) with the copy first on ``PYTHONPATH``, so the kernel reads the
copy's ``data/`` and ``analysis/``, not the working tree's.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from analysis import paths
from analysis.build.book import run_build
from analysis.build.figure_index import figures_in_source
from analysis.plotting.figure_files import image_files
from site_helpers import (
    article,
    copy_project,
    read_soup,
    source_path,
    toc_docnames,
    write_reduced_toc,
)

pytestmark = pytest.mark.book

CLAIM_ID = "qj_visit_share_2017"
PREFERRED_PAGE = "book/evidence/its_qianjiang"
CLAIM_SHIFT = 4.4  # percentage points added to the reported value in the copy
REFERENCES_PAGE = "book/appendix/references"
MIN_FIGURES = 3  # the determinism check wants at least this many declared figures


def build_copy(project: Path) -> Path:
    """Build the copy's reduced book, executing every cell, and return its ``_build``."""
    result = run_build(
        project, extra_env={"BOOK_EXECUTE": "force", "CI": ""}, strict=False, timeout=900
    )
    if result.returncode != 0 or not (project / "_build" / "html").exists():
        pytest.fail(
            f"reduced build failed in {project}:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
        )
    return project / "_build"


def claim_pages(claim_id: str) -> list[str]:
    """Toc pages that the claims file says use ``claim_id`` and that declare a figure."""
    with (paths.DATA / "claims" / "claims.csv").open(encoding="utf-8", newline="") as handle:
        rows = {row["claim_id"]: row for row in csv.DictReader(handle)}
    used_in = [name.strip() for name in rows[claim_id].get("used_in", "").split(";")]
    in_toc = set(toc_docnames())
    pages = [
        name
        for name in used_in
        if name in in_toc
        and figures_in_source(source_path(name).read_text(encoding="utf-8"))
        and "glue(" in source_path(name).read_text(encoding="utf-8")
    ]
    return sorted(pages, key=lambda name: name != PREFERRED_PAGE)


def most_figures(exclude: set[str]) -> list[str]:
    """The toc chapter (other than ``exclude``) that declares the most figures, if any."""
    counts = {
        name: len(figures_in_source(source_path(name).read_text(encoding="utf-8")))
        for name in toc_docnames()
        if name not in exclude
    }
    best = max(counts, key=counts.get, default=None)
    return [best] if best and counts[best] else []


def change_claim(project: Path, claim_id: str, shift: float) -> str:
    """Add ``shift`` to one claim's value (and its printed form) in the copy; return it."""
    claims = project / "data" / "claims" / "claims.csv"
    with claims.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        fields = reader.fieldnames
        rows = list(reader)
    for row in rows:
        if row["claim_id"] == claim_id:
            old = row["value"]
            new = f"{float(old) + shift:.1f}"
            row["value"] = new
            row["value_as_printed"] = row["value_as_printed"].replace(old, new)
            break
    else:
        raise KeyError(claim_id)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    claims.write_text(buffer.getvalue(), encoding="utf-8")
    # Keep the copy's data descriptor consistent, with the data helper's own tool.
    if (project / "data" / "datapackage.json").exists():
        subprocess.run(
            [sys.executable, "-m", "analysis.validation.checksums", "--write"],
            cwd=project,
            env={**os.environ, "PYTHONPATH": str(project)},
            check=True,
            capture_output=True,
        )
    return new


@dataclass(frozen=True)
class PageOutput:
    """What a built page shows: glued values and the bytes of its images."""

    glued: tuple[str, ...]
    images: tuple[bytes, ...]


def page_output(build: Path, docname: str) -> PageOutput:
    html = build / "html" / f"{docname}.html"
    content = article(read_soup(html))
    glued = tuple(
        element.get_text(" ", strip=True)
        for element in content.select("[class^=pasted], [class*=' pasted']")
    )
    images = []
    for image in content.find_all("img"):
        src = image.get("src", "")
        if "_images/" in src:
            images.append((html.parent / src).resolve().read_bytes())
    return PageOutput(glued=glued, images=tuple(images))


@dataclass(frozen=True)
class Baseline:
    project: Path
    page: str
    first: Path
    second: Path


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> Baseline:
    """A reduced copy built twice from clean: ``first`` and ``second`` build folders."""
    pages = claim_pages(CLAIM_ID)
    if not pages:
        pytest.fail(
            f"no toc chapter both glues and plots claim {CLAIM_ID!r} (per its used_in "
            "column and the chapter sources); the regeneration test needs one"
        )
    page = pages[0]
    project = copy_project(tmp_path_factory.mktemp("rebuild") / "project")
    declared = len(figures_in_source(source_path(page).read_text(encoding="utf-8")))
    extra = most_figures(exclude={page, REFERENCES_PAGE}) if declared < MIN_FIGURES else []
    write_reduced_toc(project, page, [*extra, REFERENCES_PAGE])
    first = project.parent / "build_first"  # outside the project, so later copies skip it
    shutil.move(build_copy(project), first)
    second = build_copy(project)
    return Baseline(project=project, page=page, first=first, second=second)


def test_two_clean_builds_write_identical_figures(baseline: Baseline) -> None:
    first = {
        **image_files(baseline.first / "html" / "_images"),
        **{f"exec/{k}": v for k, v in image_files(baseline.first / "jupyter_execute").items()},
    }
    second = {
        **image_files(baseline.second / "html" / "_images"),
        **{f"exec/{k}": v for k, v in image_files(baseline.second / "jupyter_execute").items()},
    }
    assert first, "the reduced build drew no figure: determinism would be untested"
    only_first = sorted(set(first) - set(second))
    only_second = sorted(set(second) - set(first))
    differing = sorted(name for name in set(first) & set(second) if first[name] != second[name])
    assert not (only_first or only_second or differing), (
        f"figures differ between two clean builds: only in first {only_first}, only in "
        f"second {only_second}, different bytes {differing}"
    )


def test_changed_reported_value_changes_figure_and_glued_number(
    baseline: Baseline, tmp_path: Path
) -> None:
    changed = copy_project(tmp_path / "changed", root=baseline.project)
    new_value = change_claim(changed, CLAIM_ID, CLAIM_SHIFT)
    write_reduced_toc(changed, baseline.page, [REFERENCES_PAGE])
    after = page_output(build_copy(changed), baseline.page)
    before = page_output(baseline.first, baseline.page)

    assert before.images, f"{baseline.page} shows no figure"
    assert set(after.images) != set(before.images), (
        f"{baseline.page}: figures are byte-identical after {CLAIM_ID} changed"
    )
    assert after.glued != before.glued, (
        f"{baseline.page}: glued values unchanged after {CLAIM_ID} changed: {before.glued}"
    )
    assert any(new_value in text for text in after.glued), (
        f"{baseline.page}: the new value {new_value} of {CLAIM_ID} is not among the glued "
        f"values {after.glued}"
    )
