"""Using your own county's data (``book/data/own_county_data.md``): the settlement-record
pipeline, shown on generated records, and the Spark cluster estimate.

The worked run writes synthetic settlement records for the treated district's counts, scaled
down so the page builds in seconds, runs the pipeline on them and keeps what the page shows;
the working folder is removed before :func:`demo_run` returns.

Examples
--------
>>> values = numbers()
>>> values["own-exact"], values["own-expected-matches"]
('yes', 'yes')
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd
from pandas.io.formats.style import Styler

from analysis.chapters.case import TREATED_DISTRICT
from analysis.datasets import load_data
from analysis.pipeline import build_series
from analysis.pipeline.records import RecordsManifest, scale_counts, write_records
from analysis.pipeline.schema import (
    COUNT_COLUMNS,
    FIELD_NAMES,
    label_table,
    output_table,
    reason_table,
    schema_table,
)
from analysis.pipeline.series import SeriesRun
from analysis.pipeline.sizing import (
    OVERHEAD,
    PARQUET_BYTES_PER_RECORD,
    ROWS_PER_CORE_SECOND,
    ClusterPlan,
    spark_cluster_estimate,
    spark_submit_command,
)

DEMO_SCALE = 400
DEMO_BAD_FRACTION = 0.01
DEMO_SEED = 20250901
#: Example paths of the cluster command.
SPARK_PATHS: tuple[str, str, str] = (
    "hdfs:///claims/settlements/2024/",
    "series_2024.csv",
    "hdfs:///claims/quarantine/2024.parquet",
)


@dataclass(frozen=True)
class DemoRun:
    """What the page shows of the worked run.

    Attributes
    ----------
    manifest
        What :func:`analysis.pipeline.records.write_records` wrote (its files are gone).
    run
        The pipeline's result.
    first_records
        The first rows of the first generated Parquet file.
    quarantined
        The quarantine file as read, every column text.
    difference
        Absolute difference of the series from the scaled counts, per month and count.
    """

    manifest: RecordsManifest
    run: SeriesRun
    first_records: pd.DataFrame
    quarantined: pd.DataFrame
    difference: pd.DataFrame


@cache
def demo_run() -> DemoRun:
    """Write generated records for the treated district, run the pipeline, keep the results."""
    monthly = load_data("district_monthly").frame
    counts = scale_counts(monthly[monthly["district"] == TREATED_DISTRICT], DEMO_SCALE)
    workdir = Path(tempfile.mkdtemp(prefix="own-county-"))
    try:
        manifest = write_records(
            workdir / "records", counts, seed=DEMO_SEED, bad_fraction=DEMO_BAD_FRACTION
        )
        run = build_series(manifest.folder, quarantine=workdir / "series.quarantine.csv")
        quarantined = pd.read_csv(
            workdir / "series.quarantine.csv", dtype=str, keep_default_na=False
        )
        first = pd.read_parquet(manifest.good_files[0]).head(5)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    columns = list(COUNT_COLUMNS)
    difference = (run.series[columns] - manifest.expected[columns]).abs()
    return DemoRun(manifest, run, first, quarantined, difference)


@cache
def plan() -> ClusterPlan:
    """The cluster estimate for a national extract."""
    return spark_cluster_estimate()


def _run_numbers(demo: DemoRun) -> dict[str, Any]:
    manifest, run = demo.manifest, demo.run
    same_rows = run.series[["district", "month"]].equals(manifest.expected[["district", "month"]])
    largest = int(demo.difference.to_numpy().max())
    seen = {k: v for k, v in run.quarantine_counts.items() if v}
    return {
        "own-n-good": f"{manifest.n_good:,}",
        "own-n-bad": f"{manifest.n_bad:,}",
        "own-n-files": len(manifest.good_files) + 1,
        "own-rows-in": f"{run.rows_in:,}",
        "own-rows-aggregated": f"{run.rows_aggregated:,}",
        "own-rows-quarantined": f"{run.rows_quarantined:,}",
        "own-months": run.months,
        "own-counties": run.counties,
        "own-seconds": f"{run.seconds:.1f}",
        "own-exact": "yes" if same_rows and largest == 0 else "no",
        "own-max-difference": largest,
        "own-expected-matches": "yes" if seen == manifest.expected_quarantine else "no",
        "own-n-reasons-seen": len(seen),
    }


def _plan_numbers(estimate: ClusterPlan) -> dict[str, Any]:
    return {
        "own-plan-records": f"{estimate.records / 1e9:g} billion",
        "own-plan-hours": f"{estimate.target_hours:g}",
        "own-plan-rate": f"{ROWS_PER_CORE_SECOND:,}",
        "own-plan-overhead": f"{OVERHEAD:g}",
        "own-plan-core-hours": f"{estimate.core_hours:.0f}",
        "own-plan-cores": estimate.cores,
        "own-plan-executors": estimate.executors,
        "own-plan-executor-memory": estimate.executor_memory_gib,
        "own-plan-executor-cores": estimate.cores // estimate.executors,
        "own-plan-input-gib": f"{estimate.input_gib:,.0f}",
        "own-plan-bytes": PARQUET_BYTES_PER_RECORD,
        "own-plan-shuffle-gib": f"{estimate.shuffle_gib:,.0f}",
        "own-plan-partitions": f"{estimate.shuffle_partitions:,}",
    }


def numbers() -> dict[str, Any]:
    """Every number the page glues: the schema, the worked run and the cluster estimate."""
    monthly = load_data("district_monthly").frame
    visits_admissions = ["visits_total", "admissions_total"]
    treated = monthly.loc[monthly["district"] == TREATED_DISTRICT, visits_admissions]
    all_records = int(monthly[visits_admissions].to_numpy().sum())
    return {
        "own-n-fields": len(FIELD_NAMES),
        "own-n-labels": len(label_table()),
        "own-n-reasons": len(reason_table()),
        "own-full-records": f"{int(treated.to_numpy().sum()):,}",
        "own-all-records": f"{all_records / 1e6:,.0f} million",
        "own-scale": DEMO_SCALE,
        "own-bad-percent": f"{100 * DEMO_BAD_FRACTION:g}",
        "own-seed": str(DEMO_SEED),
        **_run_numbers(demo_run()),
        **_plan_numbers(plan()),
    }


def table_schema() -> Styler:
    """The input columns."""
    return schema_table().style.hide(axis="index")


def table_labels() -> Styler:
    """The accepted level, service and scheme labels, one row per meaning."""
    grouped = label_table().groupby(["column", "maps_to"], sort=False)["label"]
    return grouped.agg(" / ".join).reset_index().style.hide(axis="index")


def table_output() -> Styler:
    """The output columns and their definitions."""
    return output_table().style.hide(axis="index")


def table_records() -> Styler:
    """The first generated records."""
    return demo_run().first_records.style.hide(axis="index").format(escape="html")


def table_series() -> Styler:
    """The first months of the series the run produced."""
    return (
        demo_run()
        .run.series.head(6)
        .style.hide(axis="index")
        .format(
            {
                "month": "{:%Y-%m}",
                "visit_share": "{:.2f}",
                "admission_share": "{:.2f}",
                "fund_share": "{:.2f}",
            }
        )
    )


def table_quarantine_summary() -> Styler:
    """Rows quarantined per reason, for the reasons that occurred."""
    summary = (
        pd.Series(demo_run().run.quarantine_counts, name="rows")
        .rename_axis("reason")
        .reset_index()
        .merge(reason_table(), on="reason")
    )
    return summary[summary["rows"] > 0].style.hide(axis="index")


def table_quarantined() -> Styler:
    """One quarantined row per reason."""
    rows = demo_run().quarantined.drop_duplicates("reason").head(8)
    return rows.style.hide(axis="index").format(escape="html")


def spark_command() -> str:
    """The ``spark-submit`` command sized by the estimate."""
    return spark_submit_command(plan(), *SPARK_PATHS)
