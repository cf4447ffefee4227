"""Shared fixtures. The full strict book build runs once per session and is reused."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from analysis import paths
from analysis.build.book import run_build


@pytest.fixture(scope="session")
def seeds() -> Path:
    """The four papers' full texts (``../shared/seeds``, or ``COMPENDIUM_SEEDS``).

    CI always has them beside the clone, so there a missing folder fails; elsewhere (a clone
    in another folder) the tests that read them are skipped with the way to point at them.
    """
    if not paths.SEEDS.is_dir():
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(f"seed papers not found at {paths.SEEDS}")
        pytest.skip(f"seed papers not found at {paths.SEEDS} (set COMPENDIUM_SEEDS)")
    return paths.SEEDS


@pytest.fixture(scope="session")
def built_book() -> Path:
    """Build the whole book strictly, executing every page in parallel; return ``_build/html``.

    Set ``COMPENDIUM_REUSE_BUILD=1`` to reuse an existing ``_build/html`` while iterating on
    tests that only read the site; CI never sets it.
    """
    html = paths.HTML
    if os.environ.get("COMPENDIUM_REUSE_BUILD") == "1" and (html / "index.html").exists():
        return html
    shutil.rmtree(paths.BUILD / "html", ignore_errors=True)
    # The same parallel strict build as `make book`, every page executed.
    result = run_build(paths.ROOT, extra_env={"BOOK_EXECUTE": "force"})
    if result.returncode != 0:
        pytest.fail("strict book build failed:\n" + result.stdout[-6000:] + result.stderr[-6000:])
    return html


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that reads the full build as ``book``, so ``make test-fast`` skips it.

    A test that forgot ``@pytest.mark.book`` would otherwise make the fast run build the
    whole book.
    """
    for item in items:
        if "built_book" in getattr(item, "fixturenames", ()) and not item.get_closest_marker(
            "book"
        ):
            item.add_marker(pytest.mark.book)
