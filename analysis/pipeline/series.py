"""Settlement records in, monthly share series out: the pipeline's public entry point.

:func:`build_series` prepares the input files, hands them to an engine (DuckDB by default,
Spark on request), then turns the engine's grouped counts into the series schema of
``load_data("district_monthly")`` and checks that no row was lost:
``rows_in == rows_aggregated + rows_quarantined``, where ``rows_in`` is counted by its own
query, ``rows_aggregated`` is the sum of visits and admissions in the output, and
``rows_quarantined`` is the number of rows the engine wrote to the quarantine file.

Every option of a run is a field of :class:`SeriesSpec`; ``python -m analysis series`` builds
its flags from that dataclass, so the command line offers exactly what the API does.

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> folder = Path(tempfile.mkdtemp())
>>> _ = (folder / "r.csv").write_text(
...     "record_id,settlement_date,county_code,institution_id,institution_level,"
...     "service_type,total_cost,fund_paid,scheme\\n"
...     "1,2021-03-05,c1,H1,基层,门诊,100,60,居民\\n"
...     "2,2021-03-09,c1,H2,三级,住院,9000,6000,职工\\n"
...     "3,2021-13-01,c1,H2,三级,住院,9000,6000,职工\\n", encoding="utf-8")
>>> run = build_series(folder / "r.csv")
>>> run.rows_in, run.rows_aggregated, run.rows_quarantined
(3, 2, 1)
>>> run.series[["district", "visits_primary", "fund_primary", "fund_total"]].to_dict("records")
[{'district': 'c1', 'visits_primary': 1, 'fund_primary': 60, 'fund_total': 6060}]
>>> run.quarantine_counts["malformed_date"]
1
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from analysis.cli_spec import option

# One definition of the shares for the whole compendium.
from analysis.datasets import add_shares
from analysis.errors import UsageError
from analysis.pipeline.engines import EngineOutput, Step, no_step
from analysis.pipeline.inputs import InputError, is_remote, prepare, remote
from analysis.pipeline.schema import COUNT_COLUMNS, OUTPUT_COLUMNS, REASON_CODES

Engine = Literal["duckdb", "spark"]
STEPS: tuple[str, ...] = ("read", "check", "aggregate", "count", "quarantine")
"""Stages reported to the progress callback, in order."""


class PipelineError(RuntimeError):
    """The engine failed, or the row accounting does not balance: a bug, not bad input."""


def _spark_master(text: str) -> str | None:
    return None if text.strip().lower() == "none" else text


@dataclass(frozen=True)
class SeriesSpec:
    """Everything one run of :func:`build_series` needs besides a progress callback.

    Examples
    --------
    >>> SeriesSpec("records/", threads=4).engine_options()
    {'threads': 4, 'memory_limit': None, 'temp_directory': None, 'typed': True}
    >>> SeriesSpec("records/", engine="spark", threads=4).engine_options()
    Traceback (most recent call last):
    ...
    analysis.errors.UsageError: threads= is a DuckDB setting; it does nothing with engine='spark'
    """

    records: str | Path = field(
        metadata=option(
            "CSV (UTF-8 or GB18030) or Parquet file, or a folder of them; the Spark engine also "
            "reads hdfs://, s3a:// and file:// URIs",
            metavar="PATH",
            parse=str,
        )
    )
    engine: Engine = field(
        default="duckdb",
        metadata=option("duckdb (embedded, out of core) or spark (PySpark; needs Java)"),
    )
    quarantine: str | Path | None = field(
        default=None,
        metadata=option(
            "file for failing rows (.csv or .parquet); without it rows are only counted, except on "
            "the command line, which writes <out stem>.quarantine.csv beside --out",
            metavar="PATH",
            parse=str,
        ),
    )
    threads: int | None = field(default=None, metadata=option("DuckDB threads", metavar="N"))
    memory_limit: str | None = field(
        default=None,
        metadata=option(
            "DuckDB memory limit, e.g. 8GB; beyond it DuckDB spills to disk", metavar="SIZE"
        ),
    )
    temp_directory: Path | None = field(
        default=None, metadata=option("DuckDB spill folder", metavar="DIR", parse=Path)
    )
    spark_master: str | None = field(
        default="local[2]",
        metadata=option(
            "Spark master URL; none to take it from spark-submit",
            metavar="URL",
            parse=_spark_master,
        ),
    )
    spark: Any = field(
        default=None,
        metadata=option(
            "an existing SparkSession (API only); spark_master is then ignored", cli=False
        ),
    )
    typed: bool = field(
        default=True,
        metadata=option(
            "read typed Parquet columns directly where that gives the text route's result; "
            "false forces the text route",
            metavar="true|false",
        ),
    )

    def engine_options(self) -> dict[str, Any]:
        """Keyword arguments for the chosen engine's ``execute``.

        Raises
        ------
        UsageError
            When the engine is unknown, a DuckDB setting is given for the Spark engine, or the
            Spark engine has no Java to run on.
        """
        duckdb_only = {
            "threads": self.threads,
            "memory_limit": self.memory_limit,
            "temp_directory": self.temp_directory,
        }
        if self.engine == "duckdb":
            return {**duckdb_only, "typed": self.typed}
        if self.engine != "spark":
            raise UsageError(f"engine={self.engine!r} is not an engine; choose 'duckdb' or 'spark'")
        given = [name for name, value in duckdb_only.items() if value is not None]
        if given:
            raise UsageError(
                f"{given[0]}= is a DuckDB setting; it does nothing with engine={self.engine!r}"
            )
        spark = self.spark
        if spark is None:
            if shutil.which("java") is None:
                raise UsageError(
                    "engine='spark' needs Java (e.g. openjdk-17-jre-headless); "
                    "install it or use engine='duckdb'"
                )
            from analysis.pipeline.engines.spark import session

            spark = session(self.spark_master)
        return {"spark": spark, "typed": self.typed}


@dataclass(frozen=True)
class SeriesRun:
    """Result of one pipeline run.

    Attributes
    ----------
    series
        Monthly series, columns :data:`analysis.pipeline.schema.OUTPUT_COLUMNS`, sorted by
        district and month.
    quarantine_counts
        Rows quarantined per reason code (the first failing check of each row), every code
        present, zeros included.
    rows_in, rows_aggregated, rows_quarantined
        Row accounting; ``rows_in == rows_aggregated + rows_quarantined`` is checked.
    engine
        ``"duckdb"`` or ``"spark"``.
    seconds
        Wall-clock time of the run.
    quarantine_path
        Where failing rows were written, if anywhere.
    input_files
        Number of files read.
    """

    series: pd.DataFrame
    quarantine_counts: dict[str, int]
    rows_in: int
    rows_aggregated: int
    rows_quarantined: int
    engine: str
    seconds: float
    quarantine_path: Path | str | None = None
    input_files: int = 0
    encodings: dict[str, int] = field(default_factory=dict)

    @property
    def months(self) -> int:
        """Number of distinct months in the series."""
        return int(self.series["month"].nunique())

    @property
    def counties(self) -> int:
        """Number of distinct counties (districts) in the series."""
        return int(self.series["district"].nunique())

    def summary(self) -> str:
        """Return a short human-readable account of the run.

        Returns
        -------
        str
            Several lines: rows read, aggregated and quarantined (with reasons), months,
            counties, engine and time.
        """
        lines = [
            f"rows read        {self.rows_in:>12,}",
            f"rows aggregated  {self.rows_aggregated:>12,}",
            f"rows quarantined {self.rows_quarantined:>12,}",
        ]
        lines += [
            f"  {code:<24}{count:>10,}" for code, count in self.quarantine_counts.items() if count
        ]
        lines += [
            f"months           {self.months:>12,}",
            f"counties         {self.counties:>12,}",
            f"engine {self.engine}, {self.input_files} file(s), {self.seconds:.1f} s",
        ]
        if self.quarantine_path is not None:
            lines.append(f"quarantine file: {self.quarantine_path}")
        return "\n".join(lines)


def assemble(output: EngineOutput) -> tuple[pd.DataFrame, dict[str, int], int, int]:
    """Turn an engine's grouped counts into the series and the quarantine counts.

    Parameters
    ----------
    output
        What the engine returned.

    Returns
    -------
    tuple
        ``(series, quarantine_counts, rows_aggregated, rows_quarantined)``.

    Raises
    ------
    PipelineError
        When the rows do not add up.
    """
    groups = output.groups
    good = groups[groups["reason"].isna()]
    series = good[["district", "month", *COUNT_COLUMNS]].copy()
    series["district"] = series["district"].astype(str)
    series["month"] = pd.to_datetime(series["month"]).astype("datetime64[ns]")
    for column in COUNT_COLUMNS:
        series[column] = series[column].astype("int64")
    series = add_shares(series.sort_values(["district", "month"]).reset_index(drop=True))
    series = series[list(OUTPUT_COLUMNS)]
    bad = groups[groups["reason"].notna()].groupby("reason")["n_rows"].sum()
    unexpected = set(bad.index) - set(REASON_CODES)
    if unexpected:
        raise PipelineError(f"engine returned unknown reasons: {sorted(unexpected)}")
    counts = {code: int(bad.get(code, 0)) for code in REASON_CODES}
    rows_aggregated = int(series["visits_total"].sum() + series["admissions_total"].sum())
    rows_quarantined = sum(counts.values())
    if output.rows_written is not None and output.rows_written != rows_quarantined:
        raise PipelineError(
            f"quarantine file has {output.rows_written} rows, "
            f"but {rows_quarantined} rows failed checks"
        )
    if output.rows_read != rows_aggregated + rows_quarantined:
        raise PipelineError(
            f"rows do not add up: read {output.rows_read}, aggregated "
            f"{rows_aggregated}, quarantined {rows_quarantined}"
        )
    return series, counts, rows_aggregated, rows_quarantined


def _engine_runner(engine: Engine) -> Callable[..., EngineOutput]:
    if engine == "duckdb":
        from analysis.pipeline.engines import duckdb as module
    else:
        from analysis.pipeline.engines import spark as module  # type: ignore[no-redef]
    return module.execute


def build_series(
    records: str | Path,
    *,
    engine: Engine = "duckdb",
    quarantine: str | Path | None = None,
    step: Step = no_step,
    **options: Any,
) -> SeriesRun:
    """Aggregate settlement records into the monthly share series.

    Parameters
    ----------
    records
        A CSV (UTF-8 or GB18030) or Parquet file, or a folder of them.
    engine
        ``"duckdb"`` (default) or ``"spark"`` (PySpark; needs Java).
    quarantine
        File for failing rows, ``.csv`` or ``.parquet``; ``None`` counts them only.
    step
        Called with each label of :data:`STEPS` as the stage finishes.
    **options
        Any further :class:`SeriesSpec` field: DuckDB's ``threads``, ``memory_limit``,
        ``temp_directory``; Spark's ``spark`` (a session) or ``spark_master``; ``typed``.

    Returns
    -------
    SeriesRun

    Raises
    ------
    analysis.pipeline.inputs.InputError
        When the records cannot be found or read.
    UsageError
        When the options contradict each other (a DuckDB setting for Spark) or name no engine.
    PipelineError
        When an engine fails or the row accounting does not balance.
    """
    return run_spec(SeriesSpec(records, engine=engine, quarantine=quarantine, **options), step)


def run_spec(spec: SeriesSpec, step: Step = no_step) -> SeriesRun:
    """Run the pipeline as ``spec`` says; see :func:`build_series`."""
    start = time.perf_counter()
    records, engine, quarantine = spec.records, spec.engine, spec.quarantine
    engine_options = spec.engine_options()
    execute = _engine_runner(engine)
    quarantine_path: Path | str | None = None
    if quarantine is not None:
        quarantine_path = str(quarantine) if is_remote(quarantine) else Path(quarantine)
        if is_remote(quarantine) and engine != "spark":
            raise InputError(f"{quarantine}: remote quarantine paths need engine='spark'")
    with tempfile.TemporaryDirectory(prefix="series-") as scratch:
        if is_remote(records):
            if engine != "spark":
                raise InputError(f"{records}: remote inputs need engine='spark'")
            files = remote(str(records))
        else:
            files = prepare(Path(records), Path(scratch))
        step("read")
        try:
            output = execute(files, quarantine_path, step, **engine_options)
        except (InputError, PipelineError):
            raise
        except Exception as error:  # engines raise their own error types; keep one line
            message = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
            raise PipelineError(f"{engine} failed: {message}") from error
    series, counts, aggregated, quarantined = assemble(output)
    encodings: dict[str, int] = {}
    for file in files:
        key = file.format if file.format == "parquet" else f"csv {file.encoding}"
        encodings[key] = encodings.get(key, 0) + 1
    return SeriesRun(
        series=series,
        quarantine_counts=counts,
        rows_in=output.rows_read,
        rows_aggregated=aggregated,
        rows_quarantined=quarantined,
        engine=engine,
        seconds=time.perf_counter() - start,
        quarantine_path=quarantine_path,
        input_files=len(files),
        encodings=encodings,
    )
