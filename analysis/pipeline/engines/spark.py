"""Spark engine: the same SQL through ``SparkSession.sql``, for extracts beyond one machine.

Locally this runs PySpark in local mode (the tests use it to prove the results equal
DuckDB's). On a cluster, the session comes from ``spark-submit`` and the inputs are usually
Parquet on HDFS or object storage; see the runbook in the book's appendix
"Using your own county's data".

PySpark is imported inside the functions, so the DuckDB path never pays for it.
"""

from __future__ import annotations

import datetime as dt
import shutil
from functools import reduce
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import pandas as pd

from analysis.pipeline.engines import EngineOutput, Step, no_step
from analysis.pipeline.inputs import InputFile, is_remote
from analysis.pipeline.query import (
    GROUPS_SQL,
    QUARANTINE_COLUMNS,
    QUARANTINE_ORDER,
    QUARANTINE_SQL,
    RAW_COUNT_SQL,
    TEXT_KINDS,
    Kind,
    field_kinds,
    stages,
    staging_select,
)

LOCAL_CONFIG: dict[str, str] = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    # The result has a few thousand rows; Spark's default of 200 shuffle partitions is
    # pure overhead on one machine.
    "spark.sql.shuffle.partitions": "2",
    "spark.sql.session.timeZone": "Asia/Shanghai",
    "spark.driver.memory": "1g",
}


def session(master: str | None = "local[2]", config: dict[str, str] | None = None) -> Any:
    """Return a SparkSession (an existing one is reused).

    Parameters
    ----------
    master
        ``"local[2]"`` by default; ``None`` leaves the choice to ``spark-submit``.
    config
        Extra Spark settings, applied over :data:`LOCAL_CONFIG` (only when ``master`` is set).

    Returns
    -------
    pyspark.sql.SparkSession
    """
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName("county-reform-series")
    if master is not None:
        builder = builder.master(master)
        for key, value in {**LOCAL_CONFIG, **(config or {})}.items():
            builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def _reader(spark: Any, fmt: str) -> Any:
    if fmt == "parquet":
        return spark.read.format("parquet")
    # FAILFAST: a structurally broken CSV line stops the run, as it does on DuckDB, instead
    # of being padded or dropped. The engines never guess at broken lines.
    return (
        spark.read.format("csv")
        .option("header", True)
        .option("mode", "FAILFAST")
        .option("multiLine", True)
        .option("quote", '"')
        .option("escape", '"')
        .option("encoding", "UTF-8")
    )


def _source_name(uri: str, names: dict[str, str]) -> str:
    """Display name of a file Spark reports as ``uri`` (``file:`` URIs are percent-encoded)."""
    if uri in names:
        return names[uri]
    parsed = urlparse(uri)
    if parsed.scheme in ("", "file"):
        return names.get(str(Path(unquote(parsed.path)).resolve()), uri)
    return uri  # a part file under a remote folder: its URI is the most useful name


def raw_frame(
    spark: Any, files: list[InputFile], typed: bool = True
) -> tuple[Any, dict[str, Kind]]:
    """Return ``settlements_raw`` as a Spark DataFrame, and the staging kind of each field.

    Files with the same format and header are read by one reader (one scan per group: a
    union of one scan per file costs Spark seconds per file). ``source_file`` is then mapped
    from Spark's file URI back to the name relative to the records root, so it matches the
    DuckDB engine's.

    Parameters
    ----------
    spark
        The session.
    files
        Prepared input files.
    typed
        Keep typed Parquet columns where the shared SQL can use them (see
        :mod:`analysis.pipeline.query`); ``False`` stages every field as text.

    Returns
    -------
    tuple
        ``(pyspark.sql.DataFrame, kinds)``.
    """
    from pyspark.sql import functions as F

    groups: dict[tuple[str, tuple[str, ...]], list[InputFile]] = {}
    for file in files:
        groups.setdefault((file.format, file.columns), []).append(file)
    names = {str(f.path.resolve()) if f.uri is None else f.uri: f.name for f in files}
    loaded, mapping = [], []
    for (fmt, columns), members in groups.items():
        frame = _reader(spark, fmt).load([f.location for f in members])
        mapping += [(uri, _source_name(uri, names)) for uri in frame.inputFiles()]
        loaded.append((columns, frame))
    kinds = TEXT_KINDS
    if typed:
        kinds = field_kinds(
            {field.name.lower(): field.dataType.simpleString() for field in frame.schema.fields}
            for _, frame in loaded
        )
    frames = [
        frame.selectExpr(*staging_select(columns, "input_file_name()", kinds))
        for columns, frame in loaded
    ]
    raw = reduce(lambda left, right: left.unionByName(right), frames)
    lookup = spark.createDataFrame(mapping, "source_uri STRING, source_name STRING")
    joined = raw.join(F.broadcast(lookup), raw["source_file"] == lookup["source_uri"], "left")
    return joined.withColumn("source_file", F.coalesce("source_name", "source_file")).drop(
        "source_uri", "source_name"
    ), kinds


def _python_value(value: Any) -> Any:
    return pd.Timestamp(value) if isinstance(value, dt.date) else value


def _write_quarantine(spark: Any, ordered: Any, quarantine: Path | str) -> int:
    """Write the failing rows; return how many were written (read back, not assumed)."""
    target = str(quarantine)
    if is_remote(target) or target.lower().endswith(".parquet"):
        if not is_remote(target):
            local = Path(target)
            if local.is_file():
                local.unlink()
            local.parent.mkdir(parents=True, exist_ok=True)
        ordered.write.mode("overwrite").parquet(target)
        return int(spark.read.parquet(target).count())
    local = Path(target)
    if local.is_dir():
        shutil.rmtree(local)
    local.parent.mkdir(parents=True, exist_ok=True)
    bad = [row.asDict() for row in ordered.collect()]
    pd.DataFrame(bad, columns=list(QUARANTINE_COLUMNS)).to_csv(local, index=False)
    return len(bad)


def execute(
    files: list[InputFile],
    quarantine: Path | str | None = None,
    step: Step = no_step,
    *,
    spark: Any = None,
    typed: bool = True,
) -> EngineOutput:
    """Run the pipeline on Spark.

    Parameters
    ----------
    files
        Prepared input files (see :func:`analysis.pipeline.inputs.prepare`).
    quarantine
        ``.csv``: rows are collected to the driver and written as one file (fine while the
        quarantine is small). ``.parquet`` or any URI (``hdfs://``, ``s3a://``): Spark writes
        a folder of Parquet parts directly, which is what a national extract needs.
    step
        Progress callback.
    spark
        A SparkSession; :func:`session` with defaults when ``None``.
    typed
        Passed to :func:`raw_frame`.

    Returns
    -------
    EngineOutput
    """
    spark = spark if spark is not None else session()
    raw, kinds = raw_frame(spark, files, typed)
    raw.createOrReplaceTempView("settlements_raw")
    cached = []
    for name, sql, materialise in stages(kinds, "spark"):
        frame = spark.sql(sql)
        if "spark" in materialise:
            frame = frame.cache()
            frame.count()
            cached.append(frame)
        frame.createOrReplaceTempView(name)
    step("check")
    rows = spark.sql(GROUPS_SQL).collect()
    groups = pd.DataFrame(
        [{k: _python_value(v) for k, v in row.asDict().items()} for row in rows],
        columns=[
            "reason",
            "district",
            "month",
            "n_rows",
            "visits_primary",
            "visits_total",
            "admissions_primary",
            "admissions_total",
            "fund_primary",
            "fund_total",
        ],
    )
    step("aggregate")
    rows_read = int(spark.sql(RAW_COUNT_SQL).collect()[0][0])
    step("count")
    rows_written = None
    if quarantine is not None:
        ordered = spark.sql(f"{QUARANTINE_SQL} {QUARANTINE_ORDER}")
        rows_written = _write_quarantine(spark, ordered, quarantine)
    step("quarantine")
    for frame in cached:
        frame.unpersist()
    groups["month"] = pd.to_datetime(groups["month"])
    return EngineOutput(groups=groups, rows_read=rows_read, rows_written=rows_written)
