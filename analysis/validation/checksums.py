"""``python -m analysis.validation.checksums [--write]``: check or refresh data/datapackage.json.

After editing any file in ``data/`` (or a declaration in :mod:`analysis.registry`), refresh the
descriptor with the one command::

    python -m analysis.validation.checksums --write

Without ``--write`` it exits 1 and lists every data file whose hash, schema or provenance no
longer matches the descriptor (e.g. a raw file edited by hand). With ``--write`` it regenerates
the descriptor from the registry and the current files.
"""

from __future__ import annotations

import argparse
import sys

from analysis.validation.datapackage import (
    DESCRIPTOR_PATH,
    REFRESH_COMMAND,
    build_descriptor,
    render,
    stale_resources,
)


def main(argv: list[str] | None = None) -> int:
    """Check (default) or write the descriptor; return the exit code."""
    parser = argparse.ArgumentParser(
        prog="python -m analysis.validation.checksums",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
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
        print(f"refresh with: {REFRESH_COMMAND}", file=sys.stderr)
        return 1
    print(f"{DESCRIPTOR_PATH} is up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
