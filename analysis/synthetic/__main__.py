"""``python -m analysis.synthetic [--out DIR] [--scenario NAME]``: regenerate the synthetic CSVs.

Without ``--scenario`` the committed files are rewritten (or written to ``--out``). A scenario's
files are never written over the committed ones: ``--scenario`` needs ``--out``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from analysis.synthetic import generate, write_outputs


def main(argv: list[str] | None = None) -> int:
    """Generate, check the anchors, write the files; return the exit code."""
    parser = argparse.ArgumentParser(prog="python -m analysis.synthetic", description=__doc__)
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="output directory (default: replace the committed files)",
    )
    parser.add_argument(
        "--scenario",
        default=None,
        help="a [scenarios.<name>] table of the assumptions file (needs --out)",
    )
    args = parser.parse_args(argv)
    if args.scenario is not None and args.out is None:
        parser.error("--scenario needs --out: the committed files hold the world without one")
    data = generate(scenario=args.scenario)
    for path in write_outputs(args.out, data):
        print(f"wrote {path}")
    print(
        data.anchor_check[["quantity", "year", "reported", "synthetic", "matches"]].to_string(
            index=False
        )
    )
    print(data.provenance)
    if args.out is None:
        print("now refresh hashes: python -m analysis.validation.checksums --write")
    return 0


if __name__ == "__main__":
    sys.exit(main())
