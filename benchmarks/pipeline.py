"""Pipeline benchmark: the pipeline at 10 and 100 million settlement records.

1. **10 million records → series, DuckDB vs pandas.** Synthetic records (25 counties, 96
   months, Chinese labels, typed Parquet columns, about 0.2 % defective rows and some duplicate
   ids) are written as Parquet by DuckDB itself. The DuckDB pipeline (all checks, quarantine
   file written) is timed, best of two. The same records are then processed by a vectorised
   pandas implementation of the same rules (:func:`pandas_series`), timed once, and its series
   is checked equal to DuckDB's, so the comparison is like for like. Targets: ≤ 5 s on 2 cores,
   ≥ 5× faster than pandas. For context, a bare monthly group-by without any checks is timed
   in both (:func:`plain_groupby_seconds`): most of the pipeline's time is the checks.
2. **100 million records from Parquet, out of core.** Generated the same way (about 1.3 GB),
   then aggregated in a subprocess with DuckDB limited to ``MEMORY_LIMIT`` and spilling to a
   temporary folder; the subprocess's peak resident memory (``getrusage``) and wall time are
   reported. Target: completes well inside the machine's 24 GiB. Skip it with
   ``PIPELINE_BENCH_SKIP_100M=1`` (or ``run(include_100m=False)``): generating and aggregating
   100 million rows takes a few minutes on 2 cores.
3. **Optional, ``PIPELINE_BENCH_SPARK=1``: the 10 million records on PySpark local[2].** The
   whole job's rows per core-second calibrates the on-paper cluster estimate in
   :mod:`analysis.pipeline.sizing`.

Generated files are cached under ``_build/bench/pipeline`` and reused.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from analysis import paths
from analysis.pipeline.schema import COUNT_COLUMNS, LEVEL_LABELS, SCHEME_LABELS, SERVICE_LABELS
from analysis.pipeline.series import build_series

MEMORY_LIMIT = "4GB"
BENCH_DIR = paths.BUILD / "bench" / "pipeline"


def generate_sql(n_rows: int, target: Path) -> str:
    """Return a DuckDB ``COPY`` statement writing ``n_rows`` synthetic records to Parquet.

    Parameters
    ----------
    n_rows
        Number of records.
    target
        Parquet file to write.

    Returns
    -------
    str
        SQL text.

    Examples
    --------
    >>> "range(1000)" in generate_sql(1000, Path("x.parquet"))
    True
    """
    # Every 2,000th id repeats the previous one (a conflicting duplicate); every 1,000th row
    # pays more than it costs; every 3,000th has an unknown level.
    return f"""
COPY (
  SELECT
    'S' || lpad(CAST(CASE WHEN i % 2000 = 1 THEN i - 1 ELSE i END AS VARCHAR), 11, '0')
      AS record_id,
    DATE '2017-01-01' + CAST(hash(i, 1) % 2922 AS INTEGER) AS settlement_date,
    'county_' || lpad(CAST(i % 25 AS VARCHAR), 2, '0') AS county_code,
    'H' || CAST(hash(i, 2) % 400 AS VARCHAR) AS institution_id,
    CASE WHEN i % 3000 = 7 THEN '四级' WHEN hash(i, 3) % 10 < 3 THEN '乡镇卫生院'
         WHEN hash(i, 3) % 10 < 6 THEN '社区卫生服务中心'
         WHEN hash(i, 3) % 10 < 8 THEN '二级' ELSE '三级' END AS institution_level,
    CASE WHEN hash(i, 4) % 10 < 9 THEN '门诊' ELSE '住院' END AS service_type,
    CAST((10000 + hash(i, 5) % 500000) / 100 AS DECIMAL(18, 2)) AS total_cost,
    CAST(CASE WHEN i % 1000 = 3 THEN 6000 + hash(i, 5) % 5000
              ELSE (10000 + hash(i, 5) % 500000) * 0.006 END AS DECIMAL(18, 2)) AS fund_paid,
    CASE WHEN hash(i, 6) % 3 = 0 THEN '职工' ELSE '居民' END AS scheme
  FROM range({n_rows}) AS t(i)
) TO '{target}' (FORMAT parquet, COMPRESSION zstd)
"""


def generated(n_rows: int, folder: Path = BENCH_DIR) -> tuple[Path, float]:
    """Return the cached Parquet file of ``n_rows`` records, generating it if needed.

    Returns
    -------
    tuple
        Path and generation seconds (0 when cached).
    """
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"records_{n_rows}.parquet"
    if target.exists():
        return target, 0.0
    partial = target.with_suffix(".partial")
    start = time.perf_counter()
    with duckdb.connect() as con:
        con.execute(generate_sql(n_rows, partial))
    partial.rename(target)
    return target, time.perf_counter() - start


def _map_labels(column: pd.Series, mapping: dict[str, str]) -> pd.Series:
    return column.str.strip().str.lower().map(mapping)


def pandas_series(path: Path) -> pd.DataFrame:
    """The pipeline's rules in vectorised pandas: the baseline DuckDB is compared with.

    Same checks (missing values, dates, amounts, labels, duplicate and conflicting ids) and
    the same output counts; written for typed Parquet input, which lets pandas skip the text
    parsing the SQL does, so the comparison flatters pandas slightly.

    Parameters
    ----------
    path
        Parquet file of settlement records.

    Returns
    -------
    pandas.DataFrame
        ``district``, ``month`` and the six count columns, sorted.
    """
    frame = pd.read_parquet(path)
    text = frame[["record_id", "county_code", "institution_id"]].apply(lambda s: s.str.strip())
    day = pd.to_datetime(frame["settlement_date"], errors="coerce")
    total = pd.to_numeric(frame["total_cost"].astype("float64"), errors="coerce")
    fund = pd.to_numeric(frame["fund_paid"].astype("float64"), errors="coerce")
    level = _map_labels(frame["institution_level"], dict(LEVEL_LABELS))
    service = _map_labels(frame["service_type"], dict(SERVICE_LABELS))
    scheme = _map_labels(frame["scheme"], dict(SCHEME_LABELS))
    ok = (
        text.notna().all(axis=1)
        & (text != "").all(axis=1)
        & day.notna()
        & total.notna()
        & fund.notna()
        & (total >= 0)
        & (fund >= 0)
        & (fund <= total)
        & level.notna()
        & service.notna()
        & scheme.notna()
    )
    repeated = text["record_id"].duplicated(keep=False)
    if repeated.any():
        copies = frame[repeated]
        versions = copies.drop_duplicates()
        conflicting_ids = set(versions.loc[versions["record_id"].duplicated(), "record_id"])
        extra_copy = copies.duplicated(keep="first")
        drop = copies["record_id"].isin(conflicting_ids) | extra_copy
        ok &= ~drop.reindex(frame.index, fill_value=False)
    good = pd.DataFrame(
        {
            "district": text["county_code"],
            "month": day.dt.to_period("M").dt.to_timestamp(),
            "outpatient": service == "outpatient",
            "primary": level == "primary",
            "fund": fund,
        }
    )[ok]
    good["visits_primary"] = good["outpatient"] & good["primary"]
    good["admissions_primary"] = ~good["outpatient"] & good["primary"]
    good["fund_primary"] = good["fund"].where(good["primary"], 0.0)
    grouped = (
        good.groupby(["district", "month"], sort=True)
        .agg(
            visits_primary=("visits_primary", "sum"),
            visits_total=("outpatient", "sum"),
            admissions_primary=("admissions_primary", "sum"),
            n=("outpatient", "size"),
            fund_primary=("fund_primary", "sum"),
            fund_total=("fund", "sum"),
        )
        .reset_index()
    )
    grouped["admissions_total"] = grouped["n"] - grouped["visits_total"]
    for column in ("fund_primary", "fund_total"):
        grouped[column] = np.floor(grouped[column] + 0.5)
    return grouped[["district", "month", *COUNT_COLUMNS]].astype(
        {"month": "datetime64[ns]", **{column: "int64" for column in COUNT_COLUMNS}}
    )


_PLAIN_SQL = """
SELECT county_code AS district, date_trunc('month', settlement_date) AS month,
    count(*) FILTER (WHERE service_type = '门诊' AND institution_level IN ('乡镇卫生院', '社区卫生服务中心'))
        AS visits_primary,
    count(*) FILTER (WHERE service_type = '门诊') AS visits_total,
    sum(fund_paid) AS fund_total
FROM read_parquet('{path}')
GROUP BY ALL
"""


def plain_groupby_seconds(path: Path) -> tuple[float, float]:
    """Time a bare monthly group-by (no checks) in DuckDB and in pandas, for context.

    Returns
    -------
    tuple
        DuckDB seconds, pandas seconds (pandas including ``read_parquet`` of the columns).
    """
    with duckdb.connect() as con:
        start = time.perf_counter()
        con.execute(_PLAIN_SQL.format(path=path)).fetchall()
        duck = time.perf_counter() - start
    start = time.perf_counter()
    frame = pd.read_parquet(
        path,
        columns=[
            "county_code",
            "settlement_date",
            "service_type",
            "institution_level",
            "fund_paid",
        ],
    )
    frame["month"] = pd.to_datetime(frame["settlement_date"]).dt.to_period("M")
    frame["outpatient"] = frame["service_type"] == "门诊"
    frame["visits_primary"] = frame["outpatient"] & frame["institution_level"].isin(
        ["乡镇卫生院", "社区卫生服务中心"]
    )
    frame["fund_paid"] = frame["fund_paid"].astype("float64")
    frame.groupby(["county_code", "month"]).agg(
        visits_primary=("visits_primary", "sum"),
        visits_total=("outpatient", "sum"),
        fund_total=("fund_paid", "sum"),
    )
    return duck, time.perf_counter() - start


_CHILD = """
import json, resource, sys, time
from pathlib import Path
from analysis.pipeline.series import build_series
start = time.perf_counter()
run = build_series(Path(sys.argv[1]), quarantine=Path(sys.argv[2]), memory_limit=sys.argv[3],
                   temp_directory=Path(sys.argv[4]))
print(json.dumps({"seconds": time.perf_counter() - start, "rows_in": run.rows_in,
                  "rows_quarantined": run.rows_quarantined}))
"""


def out_of_core(path: Path, memory_limit: str = MEMORY_LIMIT) -> dict[str, float]:
    """Aggregate ``path`` in a subprocess with a DuckDB memory limit; measure peak RSS.

    Returns
    -------
    dict
        ``seconds``, ``peak_rss_gib``, ``rows_in``, ``rows_quarantined``.
    """
    with tempfile.TemporaryDirectory(prefix="bench-spill-") as scratch:
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        done = subprocess.run(
            [
                sys.executable,
                "-c",
                _CHILD,
                str(path),
                str(Path(scratch) / "q.csv"),
                memory_limit,
                str(Path(scratch) / "spill"),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    result = json.loads(done.stdout)
    if peak_kib < before:  # pragma: no cover - getrusage reports the largest child so far
        peak_kib = before
    result["peak_rss_gib"] = peak_kib / 1024**2
    return result


def run(include_100m: bool | None = None) -> dict[str, float | str]:
    """Run the benchmarks.

    Parameters
    ----------
    include_100m
        Run the 100-million-record part; default: unless ``PIPELINE_BENCH_SKIP_100M=1``.

    Returns
    -------
    dict
        Human-readable metric names to seconds, ratios and sizes.
    """
    if include_100m is None:
        include_100m = os.environ.get("PIPELINE_BENCH_SKIP_100M", "") not in ("1", "true")
    results: dict[str, float | str] = {}
    path, made = generated(10_000_000)
    results["pipeline: generate 10M records with DuckDB (s, 0 = cached)"] = round(made, 2)
    with tempfile.TemporaryDirectory(prefix="bench-") as scratch:
        times = []
        for attempt in range(2):
            start = time.perf_counter()
            run_ = build_series(path, quarantine=Path(scratch) / f"q{attempt}.csv")
            times.append(time.perf_counter() - start)
    duck = min(times)
    start = time.perf_counter()
    baseline = pandas_series(path)
    pandas_seconds = time.perf_counter() - start
    plain = plain_groupby_seconds(path)
    same = (
        run_.series[["district", "month", *COUNT_COLUMNS]]
        .reset_index(drop=True)
        .equals(baseline.reset_index(drop=True))
    )
    results.update(
        {
            "pipeline: 10M records -> series, DuckDB (s, best of 2)": round(duck, 2),
            "pipeline: 10M records -> series, pandas (s)": round(pandas_seconds, 2),
            "pipeline: DuckDB speed-up over pandas (x)": round(pandas_seconds / duck, 1),
            "pipeline: pandas and DuckDB series identical": str(same),
            "pipeline: 10M rows quarantined": float(run_.rows_quarantined),
            "pipeline: 10M bare group-by without checks, DuckDB (s)": round(plain[0], 2),
            "pipeline: 10M bare group-by without checks, pandas (s)": round(plain[1], 2),
            "pipeline: CPU cores": float(os.cpu_count() or 0),
        }
    )
    if include_100m:
        big, made_big = generated(100_000_000)
        results["pipeline: generate 100M records with DuckDB (s, 0 = cached)"] = round(made_big, 1)
        measured = out_of_core(big)
        results.update(
            {
                "pipeline: 100M records from Parquet, DuckDB (s)": round(measured["seconds"], 1),
                "pipeline: 100M peak RSS (GiB)": round(measured["peak_rss_gib"], 2),
                "pipeline: 100M DuckDB memory_limit": MEMORY_LIMIT,
                "pipeline: 100M Parquet size (GiB)": round(big.stat().st_size / 1024**3, 2),
                "pipeline: 100M rows in": float(measured["rows_in"]),
            }
        )
    else:
        results["pipeline: 100M part"] = "skipped (PIPELINE_BENCH_SKIP_100M=1)"
    if os.environ.get("PIPELINE_BENCH_SPARK", "") in ("1", "true"):
        from analysis.pipeline.engines.spark import session

        spark = session(
            "local[2]", {"spark.driver.memory": "6g", "spark.sql.shuffle.partitions": "8"}
        )
        with tempfile.TemporaryDirectory(prefix="bench-spark-") as scratch:
            start = time.perf_counter()
            build_series(path, engine="spark", quarantine=Path(scratch) / "q.csv", spark=spark)
            spark_seconds = time.perf_counter() - start
        spark.stop()
        results["pipeline: 10M records -> series, Spark local[2] (s)"] = round(spark_seconds, 1)
        results["pipeline: Spark rows per core-second"] = round(10_000_000 / spark_seconds / 2)
    return results


def main() -> int:
    """Print the benchmark results (``python -m benchmarks.pipeline``)."""
    for key, value in run().items():
        print(f"{key:<66} {value}")
    return 0


if __name__ == "__main__":
    if "--clean" in sys.argv:
        shutil.rmtree(BENCH_DIR, ignore_errors=True)
    raise SystemExit(main())
