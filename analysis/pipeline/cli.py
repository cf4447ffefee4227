"""``python -m analysis series``: settlement records to the monthly share series.

Usage::

    python -m analysis series --records PATH --out CSV [--engine duckdb|spark]
        [--quarantine PATH] [--memory-limit 8GB] [--temp-directory DIR] [--threads N]
        [--spark-master local[2]|none] [--typed true|false] [--no-progress] [--json]

        [--columns MAP.toml] [--labels LABELS.toml] [--institutions NAMES.csv]
        [--code-map FILE] [--drop-unknown-labels true|false]
        [--date-format FORMAT] [--header-row N] [--max-quarantine PERCENT]
        [--missing-months refuse|keep-gaps] [--lang zh|en]

The run options are the fields of :class:`analysis.pipeline.series.SeriesSpec`, the same
options :func:`~analysis.pipeline.series.build_series` takes. ``PATH`` is a file or a folder of
CSV (any common Chinese encoding and delimiter), ``.xlsx``/``.xls``, ``.dta`` or Parquet files
with the schema's or the bureau's own headers (the shipped header map knows the common 医保结算
export headers). Failing rows go to ``--quarantine`` (default: ``<out stem>.quarantine.csv``
beside ``--out``; a ``.parquet`` name writes Parquet). A progress bar appears on stderr when a
run takes longer than a second; the summary (rows read, aggregated and quarantined by reason,
months, counties, columns mapped, unknown labels, files not read) is printed at the end, as
JSON with ``--json``.

Before the engine runs, aggregate rows (合计, 小计, 全县, 平均 ...) are dropped and listed,
byte-identical files are read once and named, amounts in 万元/千元 (from the header or the
``[units]`` of ``--columns``) are converted to yuan exactly, one county's code forms
(``420101``/``420101000``) are reconciled (refused unless ``--code-map`` maps them), and
reversals (冲销/退费) are netted against their originals (see
:mod:`analysis.pipeline.reconcile`). Unknown labels refuse the run unless ``--labels`` maps
them or ``--drop-unknown-labels true`` drops them (listed per county and month).

The run is refused (exit 1, nothing written to ``--out``) when more than ``--max-quarantine``
percent of rows (default 5) are individually corrupt, when the series would be empty, and, unless
``--missing-months keep-gaps``, when a county has no records in a month of the covered span.
``--out`` and the quarantine file may not be, or be inside, the records; both are written to a
temporary file in their folder and renamed when complete.

Exit status: 0 done; 1 input refused (one ``error:`` line on stderr); 2 usage error.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from tqdm import tqdm

from analysis.cli_spec import (
    add_lang_option,
    add_spec_options,
    run_guarded,
    spec_fields,
    spec_from_args,
)
from analysis.errors import UsageError
from analysis.pipeline.inputs import is_remote
from analysis.pipeline.reconcile import dropped_label_effect
from analysis.pipeline.series import STEPS, SeriesRun, SeriesSpec, build_series
from analysis.tables.files import refuse_output_inside_input


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the ``series`` options to ``parser``: one per :class:`SeriesSpec` field, and output."""
    flags = add_spec_options(parser, SeriesSpec)
    parser.add_argument(
        "--out", required=True, type=Path, metavar="CSV", help="where to write the monthly series"
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    add_lang_option(parser)
    parser.set_defaults(spec_flags=flags)


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
        "rows_in": run.rows_in,
        "rows_aggregated": run.rows_aggregated,
        "rows_quarantined": run.rows_quarantined,
        "quarantine_by_reason": {k: v for k, v in run.quarantine_counts.items() if v},
        "months": run.months,
        "counties": run.counties,
        "engine": run.engine,
        "input_files": run.input_files,
        "seconds": round(run.seconds, 3),
        "out": str(out),
        "quarantine": str(run.quarantine_path) if run.quarantine_path else None,
        "encodings": run.encodings,
        "columns": {r.name: r.rename for r in run.file_reports},
        "unknown_labels": [
            {"column": c, "label": label, "rows": n}
            for (c, label), n in sorted(run.unknown_labels.items())
        ],
        "out_of_county_rows": run.out_of_county,
        "unknown_labels_dropped": [
            {
                "county": county,
                "month": month,
                "rows": n,
                "visit_share": share,
                "visit_share_if_not_primary": low,
                "visit_share_if_primary": high,
            }
            for county, month, n, share, low, high in dropped_label_effect(
                run.series, run.reconciled.dropped_labels if run.reconciled else {}
            )
        ],
        "county_codes_mapped": dict(run.reconciled.codes) if run.reconciled else {},
        "reversals_netted": [
            {"file": name, "row": row, "record_id": target, "kind": kind}
            for name, row, target, kind in (run.reconciled.reversals if run.reconciled else ())
        ],
        "total_rows_dropped": [
            {"file": name, "row": row, "column": column, "label": label}
            for name, row, column, label in run.total_rows
        ],
        "amounts_converted": [
            {"file": name, "field": f, "column": header, "unit": unit}
            for name, f, header, unit in run.converted
        ],
        "identical_files": [{"file": c, "same_as": o} for c, o in run.identical],
        "missing_months": {county: list(m) for county, m in run.missing.items()},
        "not_read": [{"file": name, "reason": why} for name, why in run.skipped],
    }


def write_atomically(frame, out: Path) -> None:
    """Write ``frame`` as CSV to a temporary file beside ``out``, then rename it into place."""
    out.parent.mkdir(parents=True, exist_ok=True)
    staged = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        frame.to_csv(staged, index=False)
        os.replace(staged, out)
    finally:
        if staged.exists():
            staged.unlink()


def _series(args: argparse.Namespace) -> str:
    spec = spec_from_args(SeriesSpec, args)
    quarantine = spec.quarantine or default_quarantine(args.out)
    if not is_remote(spec.records):
        refuse_output_inside_input(Path(spec.records), args.out, "--out")
    if not is_remote(quarantine) and Path(quarantine).resolve() == args.out.resolve():
        raise UsageError(
            "quarantine= and --out name the same file; give two paths",
            zh="quarantine= 和 --out 指向同一个文件；请给出两个不同的路径",
        )
    options = {
        f.name: getattr(spec, f.name)
        for f in spec_fields(SeriesSpec)
        if f.name not in ("records", "engine", "quarantine")
    }
    bar = tqdm(
        total=len(STEPS),
        desc=f"series ({spec.engine})",
        unit="step",
        file=sys.stderr,
        delay=1.0,
        disable=args.no_progress,
        leave=False,
    )

    def step(label: str) -> None:
        bar.set_postfix_str(label, refresh=False)
        bar.update(1)

    try:
        result = build_series(
            spec.records,
            engine=spec.engine,
            quarantine=quarantine,
            step=step,
            **options,
        )
    finally:
        bar.close()
    frame = result.series.copy()
    frame["month"] = frame["month"].dt.strftime("%Y-%m-%d")
    write_atomically(frame, args.out)
    if args.json:
        return json.dumps(summary_json(result, args.out), indent=2, ensure_ascii=False)
    return f"{result.summary()}\nseries written to {args.out}"


def run(args: argparse.Namespace) -> int:
    """Build the series, write it, print the summary. Returns the exit status."""
    return run_guarded(
        lambda: _series(args), getattr(args, "spec_flags", {}), lang=getattr(args, "lang", None)
    )
