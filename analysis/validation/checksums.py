"""``python -m analysis.validation.checksums [--write]``: check or refresh data/datapackage.json.

Without ``--write`` it exits 1 and lists every data file whose hash, schema or provenance no
longer matches the descriptor (e.g. a raw file edited by hand). With ``--write`` it regenerates
the descriptor from the schemas and the current files.
"""

from __future__ import annotations

import argparse
import sys

from analysis.validation.datapackage import (DESCRIPTOR_PATH, build_descriptor, render,
                                             stale_resources)


def main(argv: list[str] | None = None) -> int:
    """Check (default) or write the descriptor; return the exit code."""
    parser = argparse.ArgumentParser(prog="python -m analysis.validation.checksums",
                                     description=__doc__)
    parser.add_argument("--write", action="store_true", help="regenerate data/datapackage.json")
    args = parser.parse_args(argv)
    if args.write:
        DESCRIPTOR_PATH.write_text(render(build_descriptor()), encoding="utf-8")
        print(f"wrote {DESCRIPTOR_PATH}")
        return 0
    problems = stale_resources()
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print("refresh with: python -m analysis.validation.checksums --write", file=sys.stderr)
        return 1
    print(f"{DESCRIPTOR_PATH} is up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
