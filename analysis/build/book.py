"""Build the book strictly, executing pages in parallel: ``python -m analysis.build.book``.

Jupyter Book 1's ``jupyter-book build`` always runs Sphinx with one process. This command
runs the same build (:func:`jupyter_book.sphinx.build_sphinx`, with the configuration
Jupyter Book derives from ``_config.yml`` and ``_toc.yml``, so nothing is generated or
committed) with ``parallel=jobs``: Sphinx reads pages in worker processes, and MyST-NB
executes each page while reading it, so pages execute on all cores. The flags are the
strict ones of ``jupyter-book build -W -n --keep-going``; a failing cell fails the build
(``nb_execution_raise_on_error``). ``make book``, ``make page``, the tests and the
benchmarks all build through :func:`run_build`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

from analysis import paths

JOBS_VARIABLE = "COMPENDIUM_BUILD_JOBS"


# Scratch copies of the project leave out what a clean clone would not have.
SCRATCH_COPY_IGNORE = shutil.ignore_patterns(
    ".git",
    ".venv",
    "_build",
    "__pycache__",
    "*.pyc",
    ".pytest_cache",
    ".hypothesis",
    "test-artifacts",
    "*.egg-info",
    ".ipynb_checkpoints",
    "spark-warehouse",
    "metastore_db",
    "derby.log",
)


def default_jobs(environ: dict[str, str] | os._Environ[str] = os.environ) -> int:
    """Processes to read (and so execute) pages with: ``COMPENDIUM_BUILD_JOBS`` or the cores.

    Examples
    --------
    >>> default_jobs({"COMPENDIUM_BUILD_JOBS": "3"})
    3
    >>> default_jobs({}) >= 1
    True
    """
    if environ.get(JOBS_VARIABLE):
        return max(1, int(environ[JOBS_VARIABLE]))
    return max(
        1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    )


def build(
    root: Path = paths.ROOT, jobs: int | None = None, strict: bool = True, quiet: bool = False
) -> int:
    """Build ``root``'s book into ``root/_build/html`` in this process; return 0 on success.

    Parameters
    ----------
    root
        Project root holding ``_config.yml`` and ``_toc.yml``.
    jobs
        Parallel processes (default :func:`default_jobs`).
    strict
        Warnings are errors and references are checked (``-W -n``); every problem is
        reported before failing (``--keep-going``).
    quiet
        Print warnings only.
    """
    from jupyter_book.sphinx import build_sphinx

    root = Path(root).absolute()
    overrides: dict[str, object] = {
        "external_toc_path": (root / "_toc.yml").as_posix(),
        "latex_individualpages": False,
    }
    if strict:
        overrides["nitpicky"] = True
    result = build_sphinx(
        root,
        root / "_build" / "html",
        use_external_toc=True,
        noconfig=True,
        path_config=str(root / "_config.yml"),
        confoverrides=overrides,
        builder="html",
        warningiserror=strict,
        keep_going=strict,
        jobs=jobs or default_jobs(),
        quiet=quiet,
    )
    return 0 if result == 0 else 1


def run_build(
    root: Path = paths.ROOT,
    extra_env: dict[str, str] | None = None,
    jobs: int | None = None,
    strict: bool = True,
    capture: bool = True,
    timeout: float = 1800,
) -> subprocess.CompletedProcess[str]:
    """Build ``root``'s book in a fresh interpreter with ``root`` first on ``PYTHONPATH``.

    The kernels then import the copy's ``analysis`` and read its ``data/``, not those of
    the installed package. Returns the finished process (output captured unless
    ``capture=False``).
    """
    root = Path(root).absolute()
    env = {**os.environ, "PYTHONPATH": str(root), **(extra_env or {})}
    command = [sys.executable, "-m", "analysis.build.book", "--root", str(root)]
    if jobs:
        command += ["--jobs", str(jobs)]
    if not strict:
        command.append("--not-strict")
    return subprocess.run(
        command, cwd=root, env=env, capture_output=capture, text=True, timeout=timeout
    )


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m analysis.build.book [--jobs N] [--root DIR] [--not-strict]``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="project root (default: .)")
    parser.add_argument(
        "--jobs",
        "-j",
        type=int,
        default=None,
        help=f"parallel processes (default: ${JOBS_VARIABLE} or the cores)",
    )
    parser.add_argument(
        "--not-strict",
        action="store_true",
        help="warnings do not fail the build (for reduced copies of the book)",
    )
    parser.add_argument("--quiet", "-q", action="store_true", help="print warnings only")
    args = parser.parse_args(argv)
    status = build(args.root, jobs=args.jobs, strict=not args.not_strict, quiet=args.quiet)
    if status == 0:
        print(f"Open {args.root / '_build' / 'html' / 'index.html'}")
    return status


if __name__ == "__main__":
    sys.exit(main())
