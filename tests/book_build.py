"""Run strict Jupyter Book builds from tests (shared by fixtures and build tests)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

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
