"""Run the benchmarks and print one table: ``python -m benchmarks [--only book,its,...]``.

Each part runs in this process's environment (already installed) and returns its figures;
a part whose engine cannot be imported is reported as not available rather than stopping
the others.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import time

AREAS = (
    "book",
    "its",
    "did",
    "did_coverage",
    "did_synth",
    "pipeline",
    "records",
    "validation",
    "browser",
)


def main(argv: list[str] | None = None) -> int:
    """Run the selected benchmarks and print their figures."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument(
        "--only", default=",".join(AREAS), help="comma-separated subset of: " + ", ".join(AREAS)
    )
    args = parser.parse_args(argv)
    chosen = [part.strip() for part in args.only.split(",") if part.strip()]
    unknown = sorted(set(chosen) - set(AREAS))
    if unknown:
        parser.error(f"unknown benchmark {', '.join(unknown)}; choose from {', '.join(AREAS)}")
    print(f"make bench on {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    for name in chosen:
        start = time.perf_counter()
        try:
            figures = importlib.import_module(f"benchmarks.{name}").run()
        except ImportError as error:
            print(f"{name:>10}: not available ({error})")
            continue
        for metric, value in figures.items():
            shown = f"{value:.4g}" if isinstance(value, float) else value
            print(f"{name:>10}: {metric:<66} {shown}")
        print(f"{name:>10}: {'(benchmark wall time, s)':<66} {time.perf_counter() - start:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
