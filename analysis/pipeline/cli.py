"""``python -m analysis series``: settlement records to the monthly share series.

Usage::

    python -m analysis series --records PATH --out CSV [--engine duckdb|spark]
        [--quarantine PATH] [--memory-limit 8GB] [--temp-directory DIR] [--threads N]
        [--spark-master local[2]|none] [--no-progress] [--json]

``PATH`` is a CSV (UTF-8 or GB18030) or Parquet file, or a folder of them. Failing rows go to
``--quarantine`` (default: ``<out stem>.quarantine.csv`` beside ``--out``; a ``.parquet`` name
writes Parquet). A progress bar appears on stderr when a run takes longer than a second; the
summary (rows read, aggregated and quarantined by reason, months, counties) is printed at
the end, as JSON with ``--json``. Bad input prints one line on stderr and exits with status 1.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from tqdm import tqdm

from analysis.pipeline.inputs import InputError
from analysis.pipeline.series import STEPS, PipelineError, SeriesRun, build_series


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the ``series`` options to ``parser``."""
    parser.add_argument("--records", required=True, metavar="PATH",
                        help="CSV or Parquet file, or a folder of them")
    parser.add_argument("--out", required=True, type=Path, metavar="CSV",
                        help="where to write the monthly series")
    parser.add_argument("--engine", choices=["duckdb", "spark"], default="duckdb")
    parser.add_argument("--quarantine", metavar="PATH",
                        help="file for failing rows (.csv or .parquet); "
                             "default <out stem>.quarantine.csv")
    parser.add_argument("--memory-limit", metavar="SIZE",
                        help="DuckDB memory limit, e.g. 8GB; beyond it DuckDB spills to disk")
    parser.add_argument("--temp-directory", type=Path, metavar="DIR",
                        help="DuckDB spill folder")
    parser.add_argument("--threads", type=int, metavar="N", help="DuckDB threads")
    parser.add_argument("--spark-master", default="local[2]", metavar="URL",
                        help="Spark master; 'none' to take it from spark-submit")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")


def default_quarantine(out: Path) -> Path:
    """Return the default quarantine file for an output path.

    Examples
    --------
    >>> default_quarantine(Path("runs/series.csv")).as_posix()
    'runs/series.quarantine.csv'
    """
    return out.with_name(f"{out.stem}.quarantine.csv")


def summary_json(run: SeriesRun, out: Path) -> dict[str, object]:
    """Return the run summary as a JSON-ready dictionary."""
    return {
        "rows_in": run.rows_in, "rows_aggregated": run.rows_aggregated,
        "rows_quarantined": run.rows_quarantined,
        "quarantine_by_reason": {k: v for k, v in run.quarantine_counts.items() if v},
        "months": run.months, "counties": run.counties, "engine": run.engine,
        "input_files": run.input_files, "seconds": round(run.seconds, 3), "out": str(out),
        "quarantine": str(run.quarantine_path) if run.quarantine_path else None,
    }


def _engine_options(args: argparse.Namespace) -> dict[str, object]:
    if args.engine == "duckdb":
        return {"threads": args.threads, "memory_limit": args.memory_limit,
                "temp_directory": args.temp_directory}
    from analysis.pipeline.engines.spark import session

    master = None if args.spark_master == "none" else args.spark_master
    return {"spark": session(master)}


def run(args: argparse.Namespace) -> int:
    """Build the series, write it, print the summary. Returns the exit status."""
    quarantine = args.quarantine or default_quarantine(args.out)
    bar = tqdm(total=len(STEPS), desc=f"series ({args.engine})", unit="step", file=sys.stderr,
               delay=1.0, disable=args.no_progress, leave=False)

    def step(label: str) -> None:
        bar.set_postfix_str(label, refresh=False)
        bar.update(1)

    try:
        if args.engine == "spark":
            import shutil

            if shutil.which("java") is None:
                raise PipelineError("the Spark engine needs Java (e.g. openjdk-17-jre-headless)")
        result = build_series(args.records, engine=args.engine, quarantine=quarantine,
                              step=step, **_engine_options(args))
    except (InputError, PipelineError) as error:
        bar.close()
        print(f"error: {error}", file=sys.stderr)
        return 1
    bar.close()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    frame = result.series.copy()
    frame["month"] = frame["month"].dt.strftime("%Y-%m-%d")
    frame.to_csv(args.out, index=False)
    if args.json:
        print(json.dumps(summary_json(result, args.out), indent=2, ensure_ascii=False))
    else:
        print(result.summary())
        print(f"series written to {args.out}")
    return 0
