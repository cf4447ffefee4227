"""``make bench``: wall times and speed ratios for the build and the engines.

Benchmarks are not tests: they report figures for the issue notes and the README. Each part
runs in this process's environment (already installed). Book timings run in a scratch copy
of the project so that the working tree's ``_build`` is left alone.

Usage: ``python -m analysis.build.bench [--only book,its,did,pipeline,validation,browser]``.
"""

from __future__ import annotations

import argparse
import importlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from analysis import paths

ENGINE_BENCHMARKS: dict[str, str] = {
    "its": "analysis.its.benchmark",
    "did": "analysis.did.benchmark",
    "pipeline": "analysis.pipeline.benchmark",
    "validation": "analysis.validation.benchmark",
    "browser": "analysis.build.browser_bench",
}
COPY_IGNORE = shutil.ignore_patterns(".git", ".venv", "_build", "__pycache__", "*.pyc",
                                     ".pytest_cache", ".hypothesis", "test-artifacts")


def _timed_build(project: Path) -> float:
    env = {**os.environ, "PYTHONPATH": str(project), "CI": "", "BOOK_EXECUTE": ""}
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    start = time.perf_counter()
    subprocess.run([str(jupyter_book), "build", ".", "--builder", "html", "-W", "-n",
                    "--keep-going"], cwd=project, env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def book_benchmark() -> dict[str, float | str]:
    """Time a cold build, a no-change rebuild, and a rebuild after one data file changes.

    Returns
    -------
    dict
        Seconds for each build, measured in one scratch copy of the project.
    """
    with tempfile.TemporaryDirectory(prefix="compendium-bench-") as scratch:
        project = Path(scratch) / "project"
        shutil.copytree(paths.ROOT, project, ignore=COPY_IGNORE)
        cold = _timed_build(project)
        unchanged = _timed_build(project)
        changed_file = project / "data" / "claims" / "README.md"
        with changed_file.open("a", encoding="utf-8") as handle:
            handle.write("\n")
        after_data_change = _timed_build(project)
    return {
        "cold full build (s)": round(cold, 1),
        "rebuild, no change (s)": round(unchanged, 1),
        "rebuild after one data file changed (s)": round(after_data_change, 1),
        "cold / no-change ratio": round(cold / unchanged, 1),
    }


def _load(name: str) -> Callable[[], dict[str, float | str]]:
    if name == "book":
        return book_benchmark
    return importlib.import_module(ENGINE_BENCHMARKS[name]).run


def main(argv: list[str] | None = None) -> int:
    """Run the selected benchmarks and print one table of figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", default="book," + ",".join(ENGINE_BENCHMARKS),
                        help="comma-separated subset of: book, " + ", ".join(ENGINE_BENCHMARKS))
    args = parser.parse_args(argv)
    print(f"make bench on {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    for name in [part.strip() for part in args.only.split(",") if part.strip()]:
        start = time.perf_counter()
        try:
            figures = _load(name)()
        except ModuleNotFoundError as error:
            print(f"{name:>10}: not available ({error})")
            continue
        for metric, value in figures.items():
            shown = f"{value:.4g}" if isinstance(value, float) else value
            print(f"{name:>10}: {metric:<66} {shown}")
        print(f"{name:>10}: {'(benchmark wall time, s)':<66} {time.perf_counter() - start:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
