"""Browser benchmark: wall time of the real-browser suite (``tests/browser``) on the built site.

The suite runs in a subprocess exactly as ``make test`` runs it, except that it reuses the
existing ``_build/html`` (``COMPENDIUM_REUSE_BUILD=1``) so the figure is the browser time
alone, not a book build. Build the book first (``make book``).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time

from analysis import paths


def _summary(output: str) -> str:
    """The last pytest summary line, e.g. ``14 passed in 25.1s``."""
    lines = [
        line.strip("= ")
        for line in output.splitlines()
        if re.search(r"\b(passed|failed|error|skipped)\b", line)
    ]
    return lines[-1] if lines else "no pytest summary"


def run() -> dict[str, float | str]:
    """Time the browser suite against the existing build.

    Returns
    -------
    dict
        ``browser: suite wall time (s)`` and the pytest outcome.
    """
    if not (paths.HTML / "index.html").exists():
        return {
            "browser: suite wall time (s)": float("nan"),
            "browser: outcome": "skipped: no _build/html (run make book first)",
        }
    env = {**os.environ, "COMPENDIUM_REUSE_BUILD": "1"}
    start = time.perf_counter()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "tests/browser",
            "-q",
            "-p",
            "no:cacheprovider",
            "-m",
            "browser",
        ],
        cwd=paths.ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - start
    return {
        "browser: suite wall time (s)": round(elapsed, 1),
        "browser: outcome": _summary(result.stdout),
    }


if __name__ == "__main__":
    for key, value in run().items():
        print(f"{key}: {value}")
