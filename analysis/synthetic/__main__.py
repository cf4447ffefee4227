"""``python -m analysis.synthetic [--out DIR]``: regenerate the committed synthetic CSV files."""

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
    args = parser.parse_args(argv)
    data = generate()
    for path in write_outputs(args.out, data):
        print(f"wrote {path}")
    print(
        data.anchor_check[["quantity", "year", "reported", "synthetic", "matches"]].to_string(
            index=False
        )
    )
    if args.out is None:
        print("now refresh hashes: python -m analysis.validation.checksums --write")
    return 0


if __name__ == "__main__":
    sys.exit(main())
