"""``python -m analysis validate PATH...``: check data files; exit 1 on any problem.

Each problem is printed on stderr as ``FILE: row N, column 'C': message``; a valid file gets one
``OK`` line on stdout. Directories are searched for ``.csv`` and ``.xlsx`` files. Inputs are only
read, never written.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from analysis.validation import ValidationError, validate_file
from analysis.validation.errors import Problem

EXIT_OK, EXIT_PROBLEMS, EXIT_INTERNAL = 0, 1, 3


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the ``validate`` arguments."""
    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH",
                        help="CSV or .xlsx files, or directories to search")
    parser.add_argument("--schema", default=None,
                        help="force a registered schema (default: by file name, else inferred)")
    parser.add_argument("--max-problems", type=int, default=50,
                        help="problems printed per file (default 50; 0 = all)")


def _expand(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*")
                                if p.suffix.lower() in (".csv", ".xlsx") and p.is_file()))
        else:
            files.append(path)
    return files


def _print_problems(problems: tuple[Problem, ...] | list[Problem], limit: int) -> None:
    shown = problems if limit <= 0 else problems[:limit]
    for problem in shown:
        print(str(problem), file=sys.stderr)
    if len(shown) < len(problems):
        print(f"... and {len(problems) - len(shown)} more problems in {problems[0].file}",
              file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    """Validate every file; return 0 when all are valid, 1 otherwise."""
    files = _expand(list(args.paths))
    if not files:
        print("no CSV or .xlsx files found in: " + ", ".join(map(str, args.paths)),
              file=sys.stderr)
        return EXIT_PROBLEMS
    status = EXIT_OK
    for path in files:
        try:
            report = validate_file(path, args.schema)
        except ValidationError as error:
            _print_problems(error.problems, args.max_problems)
            status = max(status, EXIT_PROBLEMS)
            continue
        except Exception as error:  # a bug, not bad data: still one line, no traceback
            print(f"{path}: internal error while validating ({type(error).__name__}: {error}); "
                  "please report it", file=sys.stderr)
            status = EXIT_INTERNAL
            continue
        if report.ok:
            print(f"OK {path} (schema {report.schema}, {report.n_rows} rows, {report.encoding})")
        else:
            _print_problems(report.problems, args.max_problems)
            print(f"{path}: {len(report.problems)} problem(s) (schema {report.schema})",
                  file=sys.stderr)
            status = max(status, EXIT_PROBLEMS)
    return status


def main(argv: list[str] | None = None) -> int:
    """Stand-alone entry point (the usual one is ``python -m analysis validate``)."""
    parser = argparse.ArgumentParser(prog="python -m analysis validate", description=__doc__)
    configure(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
