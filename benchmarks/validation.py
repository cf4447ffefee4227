"""Validation benchmark: synthetic generation and validation wall times.

Not a test: it reports seconds and rows per second for the issue notes.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import pandas as pd

from analysis import paths
from analysis.synthetic import generate
from analysis.validation import validate_file


def _seconds(action) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def run() -> dict[str, float | str]:
    """Time generation, validation of every data file, and validation of a large file.

    Returns
    -------
    dict
        Metric name -> seconds (or rows per second).
    """
    results: dict[str, float | str] = {}
    results["generate synthetic data (s)"] = _seconds(generate)
    files = sorted(paths.DATA.rglob("*.csv"))
    results["validate all data/ CSV files (s)"] = _seconds(
        lambda: [validate_file(f) for f in files]
    )
    monthly = pd.read_csv(
        paths.DATA / "synthetic" / "district_monthly.csv", dtype=str, keep_default_na=False
    )
    with tempfile.TemporaryDirectory() as tmp:
        frames = [monthly.assign(district=monthly["district"] + f"_{i:03d}") for i in range(60)]
        big = pd.concat(frames, ignore_index=True)
        path = Path(tmp) / "large_series.csv"
        big.to_csv(path, index=False)
        seconds = _seconds(lambda: validate_file(path))
    results[f"validate a {len(big):,}-row monthly file (s)"] = seconds
    results["validation throughput (rows/s)"] = round(len(big) / seconds)
    return results


if __name__ == "__main__":
    for name, value in run().items():
        print(f"{name}: {value:.3f}" if isinstance(value, float) else f"{name}: {value}")
