"""Shared fixtures. The full strict book build runs once per session and is reused."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from analysis import paths

JUPYTER_BOOK = Path(sys.executable).with_name("jupyter-book")
STRICT_FLAGS = ["-W", "-n", "--keep-going"]


def run_book_build(root: Path, target: str = ".", extra_env: dict[str, str] | None = None,
                   ) -> subprocess.CompletedProcess[str]:
    """Run a strict ``jupyter-book build`` in ``root`` and return the finished process."""
    env = {**os.environ, **(extra_env or {})}
    return subprocess.run(
        [str(JUPYTER_BOOK), "build", target, "--builder", "html", *STRICT_FLAGS],
        cwd=root, env=env, capture_output=True, text=True, timeout=1800,
    )


@pytest.fixture(scope="session")
def built_book() -> Path:
    """Build the whole book strictly, executing every page, and return ``_build/html``.

    Set ``COMPENDIUM_REUSE_BUILD=1`` to reuse an existing ``_build/html`` while iterating on
    tests that only read the site; CI never sets it.
    """
    html = paths.HTML
    if os.environ.get("COMPENDIUM_REUSE_BUILD") == "1" and (html / "index.html").exists():
        return html
    shutil.rmtree(paths.BUILD / "html", ignore_errors=True)
    result = run_book_build(paths.ROOT, extra_env={"BOOK_EXECUTE": "force"})
    if result.returncode != 0:
        pytest.fail("strict book build failed:\n" + result.stdout[-6000:] + result.stderr[-6000:])
    return html
