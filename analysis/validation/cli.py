"""``python -m analysis validate PATH...``: check data files against their schemas.

Each problem is printed on stderr as ``FILE: row N, column 'C': message``; a valid file gets one
``OK`` line on stdout. Directories are searched for ``.csv`` and ``.xlsx`` files. A file's
schema is the registered one of the same name (see :mod:`analysis.registry`), else one inferred
from its columns, unless ``--schema`` names one. Inputs are only read, never written.

Exit status: 0 every file is valid; 1 a file was refused (its problems above a final ``error:``
line); 2 usage error.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from analysis.cli_spec import run_guarded
from analysis.errors import InputError
from analysis.validation import ValidationError, schema_names, validate_file
from analysis.validation.errors import Problem

FLAGS = {"schema": "--schema"}


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the ``validate`` arguments."""
    parser.add_argument(
        "paths",
        nargs="+",
        type=Path,
        metavar="PATH",
        help="CSV or .xlsx files, or directories to search",
    )
    parser.add_argument(
        "--schema",
        default=None,
        choices=schema_names(),
        metavar="NAME",
        help="force a registered schema: "
        + ", ".join(schema_names())
        + " (default: by file name, else inferred from the columns)",
    )
    parser.add_argument(
        "--max-problems",
        type=int,
        default=50,
        help="problems printed per file (default 50; 0 = all)",
    )


def _expand(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(
                sorted(
                    p
                    for p in path.rglob("*")
                    if p.suffix.lower() in (".csv", ".xlsx") and p.is_file()
                )
            )
        else:
            files.append(path)
    return files


def _print_problems(problems: tuple[Problem, ...], limit: int) -> None:
    shown = problems if limit <= 0 else problems[:limit]
    for problem in shown:
        print(str(problem), file=sys.stderr)
    if len(shown) < len(problems):
        print(
            f"... and {len(problems) - len(shown)} more problems in {problems[0].file}",
            file=sys.stderr,
        )


def validate_paths(paths: list[Path], schema: str | None = None, max_problems: int = 50) -> str:
    """Validate every file, printing each problem as it is found.

    Returns
    -------
    str
        Empty: the ``OK`` lines are printed as each file passes.

    Raises
    ------
    InputError
        When no file was found or any file was refused.
    """
    files = _expand(paths)
    if not files:
        raise InputError("no CSV or .xlsx files found in: " + ", ".join(map(str, paths)))
    refused = 0
    for path in files:
        try:
            report = validate_file(path, schema)
        except ValidationError as error:
            _print_problems(error.problems, max_problems)
            refused += 1
            continue
        if report.ok:
            print(
                f"OK {path} (schema {report.schema}, {report.n_rows} rows, {report.encoding})",
                flush=True,
            )
        else:
            _print_problems(report.problems, max_problems)
            print(
                f"{path}: {len(report.problems)} problem(s) (schema {report.schema})",
                file=sys.stderr,
            )
            refused += 1
    if refused:
        raise InputError(f"{refused} of {len(files)} file(s) did not validate")
    return ""


def run(args: argparse.Namespace) -> int:
    """Validate every file; return the exit status (0, 1 or 2)."""
    return run_guarded(
        lambda: validate_paths(list(args.paths), args.schema, args.max_problems), FLAGS
    )


def main(argv: list[str] | None = None) -> int:
    """Stand-alone entry point (the usual one is ``python -m analysis validate``)."""
    parser = argparse.ArgumentParser(prog="python -m analysis validate", description=__doc__)
    configure(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
