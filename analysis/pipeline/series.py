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
>>> run = build_series(folder / "r.csv", max_quarantine=50)
>>> run.rows_in, run.rows_aggregated, run.rows_quarantined
(3, 2, 1)
>>> run.series[["district", "visits_primary", "fund_primary", "fund_total"]].to_dict("records")
[{'district': 'c1', 'visits_primary': 1, 'fund_primary': 60, 'fund_total': 6060}]
>>> run.quarantine_counts["malformed_date"]
1
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pandas as pd

# One definition of the shares for the whole compendium.
from analysis.datasets import add_shares
from analysis.errors import UsageError
from analysis.options import option
from analysis.pipeline.engines import EngineOutput, Step, no_step
from analysis.pipeline.inputs import (
    InputError,
    is_remote,
    prepare_all,
    remote,
)
from analysis.pipeline.reconcile import dropped_label_effect
from analysis.pipeline.schema import COUNT_COLUMNS, OUTPUT_COLUMNS, REASON_CODES
from analysis.tables.files import refuse_output_inside_input

UNKNOWN_LABEL_REASONS = ("unknown_level", "unknown_service_type", "unknown_scheme")
"""Reasons that are not corruption: present only with ``drop_unknown_labels``."""
DEFAULT_MAX_QUARANTINE = 5.0
"""Percent of rows that may fail the checks before a run is refused (see SeriesSpec)."""
MissingMonths = Literal["refuse", "keep-gaps"]

Engine = Literal["duckdb", "spark"]
STEPS: tuple[str, ...] = ("read", "check", "aggregate", "count", "quarantine")
"""Stages reported to the progress callback, in order."""


class PipelineError(RuntimeError):
    """The engine failed, or the row accounting does not balance: a bug, not bad input."""


def _spark_master(text: str) -> str | None:
    return None if text.strip().lower() == "none" else text


def _percent(text: str) -> float:
    """Parse ``5``, ``5%`` or ``0.5 %`` as a percentage between 0 and 100.

    Examples
    --------
    >>> _percent("5%"), _percent(" 0.5 ")
    (5.0, 0.5)
    """
    import argparse

    try:
        value = float(text.strip().rstrip("%").strip())
    except ValueError as error:
        raise argparse.ArgumentTypeError(
            f"expected a percentage such as 5 or 5%, got {text!r}"
        ) from error
    if not 0 <= value <= 100:
        raise argparse.ArgumentTypeError(f"a percentage is between 0 and 100, got {text!r}")
    return value


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
            "CSV (UTF-8, UTF-16, GB18030; comma, tab, ; or |), .xlsx/.xls, .dta or Parquet file, "
            "or a folder of them; the Spark engine also reads hdfs://, s3a:// and file:// URIs",
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
    columns: str | Path | None = field(
        default=None,
        metadata=option(
            "header map (TOML) from your export's headers to the schema; replaces the shipped "
            "map's list for each field it names (see analysis/tables/mappings/headers.toml); "
            'a [units] section gives the money unit of an amount column (total_cost = "万元"), '
            "converted to yuan exactly; a unit in the header (医疗总费用(万元)) is recognised",
            metavar="MAP.toml",
            parse=str,
        ),
    )
    labels: str | Path | None = field(
        default=None,
        metadata=option(
            "label map (TOML) added to the shipped one (analysis/tables/mappings/labels.toml)",
            metavar="LABELS.toml",
            parse=str,
        ),
    )
    code_map: str | Path | None = field(
        default=None,
        metadata=option(
            "map of written county codes to the county's code (CSV: written code, county code; "
            'or TOML: 420101000 = "420101"): needed when one county is written in two forms '
            "(420101 and 420101000) in one run, which is otherwise refused",
            metavar="FILE",
            parse=str,
        ),
    )
    drop_unknown_labels: bool = field(
        default=False,
        metadata=option(
            "true: drop (quarantine) rows whose level, service type or scheme label is unknown "
            "instead of refusing the run; the summary lists the rows dropped per county and "
            "month; they do not count toward --max-quarantine",
            metavar="true|false",
        ),
    )
    institutions: str | Path | None = field(
        default=None,
        metadata=option(
            "CSV of institution name, level: gives the level of rows whose level is 未定级 or "
            "absent (needs an institution-name column, e.g. 医疗机构名称)",
            metavar="NAMES.csv",
            parse=str,
        ),
    )
    date_format: str | None = field(
        default=None,
        metadata=option(
            "strptime format of settlement dates, e.g. %d/%m/%Y; needed when dates put the "
            "year last; ISO, 2023/1/5, 2023年1月5日, 20230105 and Excel serials need none",
            metavar="FORMAT",
        ),
    )
    header_row: int | None = field(
        default=None,
        metadata=option(
            "row (line) number of the header in every file; found below title rows otherwise",
            metavar="N",
        ),
    )
    max_quarantine: float = field(
        default=DEFAULT_MAX_QUARANTINE,
        metadata=option(
            "refuse the run (exit 1, per-reason table) when more than this percent of rows "
            "are corrupt (malformed date or amount, missing field, fund above total, "
            "conflicting or duplicate id); unknown labels are never counted here",
            metavar="PERCENT",
            parse=_percent,
        ),
    )
    missing_months: MissingMonths = field(
        default="refuse",
        metadata=option(
            "a county without records in a month of the covered span: refuse the run, or "
            "keep-gaps (the month is absent from that county's series and listed in the summary)"
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
            raise UsageError(
                f"engine={self.engine!r} is not an engine; choose 'duckdb' or 'spark'",
                zh=f"engine={self.engine!r} 不是可用的引擎；请选择 'duckdb' 或 'spark'",
            )
        given = [name for name, value in duckdb_only.items() if value is not None]
        if given:
            raise UsageError(
                f"{given[0]}= is a DuckDB setting; it does nothing with engine={self.engine!r}",
                zh=f"{given[0]}= 是 DuckDB 的设置；在 engine={self.engine!r} 下不起作用",
            )
        spark = self.spark
        if spark is None:
            if shutil.which("java") is None:
                raise UsageError(
                    "engine='spark' needs Java (e.g. openjdk-17-jre-headless); "
                    "install it or use engine='duckdb'",
                    zh="engine='spark' 需要 Java（例如 openjdk-17-jre-headless）；"
                    "请安装它，或使用 engine='duckdb'",
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
    file_reports: tuple[Any, ...] = ()
    skipped: tuple[tuple[str, str], ...] = ()
    missing: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """County -> the months (``YYYY-MM``) of the covered span it has no records for."""
    identical: tuple[tuple[str, str], ...] = ()
    """(copy, original): byte-identical input files, read once."""
    reconciled: Any = None
    """What the run-level steps changed (:class:`analysis.pipeline.reconcile.Reconciled`)."""

    @property
    def total_rows(self) -> list[tuple[str, int, str, str]]:
        """(file, row, column, label) of aggregate rows (合计, 全县, ...) dropped, not counted."""
        return [(r.name, *t) for r in self.file_reports for t in r.total_rows]

    @property
    def converted(self) -> list[tuple[str, str, str, str]]:
        """(file, field, column as written, unit) of amounts converted to yuan."""
        return [
            (r.name, f, header, unit)
            for r in self.file_reports
            for f, (header, unit) in r.units.items()
            if unit != "元"
        ]

    @property
    def corrupt_rows(self) -> int:
        """Quarantined rows that are individually corrupt (unknown labels excluded)."""
        return self.rows_quarantined - sum(
            self.quarantine_counts.get(code, 0) for code in UNKNOWN_LABEL_REASONS
        )

    @property
    def unknown_labels(self) -> dict[tuple[str, str], int]:
        """(column, label) -> rows, over every file: labels the label map does not know."""
        total: dict[tuple[str, str], int] = {}
        for report in self.file_reports:
            for key, count in report.unknown_labels.items():
                total[key] = total.get(key, 0) + count
        return total

    @property
    def out_of_county(self) -> int | None:
        """Rows whose 就医地 differs from 参保地 (care outside the county), if given."""
        counts = [r.out_of_county for r in self.file_reports if r.out_of_county is not None]
        return sum(counts) if counts else None

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
        for report in self.file_reports:
            mapped = ", ".join(f"{h} -> {f}" for h, f in report.rename.items() if h != f)
            if mapped:
                lines.append(f"{report.name}: columns {mapped}")
        for (column, label), count in sorted(self.unknown_labels.items()):
            lines.append(
                f"unknown label {column} {label!r}: {count:,} row(s) dropped "
                "(--drop-unknown-labels; quarantined, not counted toward --max-quarantine)"
            )
        done = self.reconciled
        if done is not None:
            for county, month, count, share, low, high in dropped_label_effect(
                self.series, done.dropped_labels
            ):
                counted = "no visits counted" if share is None else f"visit share {share:.1f} %"
                lines.append(
                    f"  dropped in county {county} {month}: {count:,} row(s); {counted}, "
                    f"{low:.1f} to {high:.1f} % had they been visits at any level"
                )
            for written, code in sorted(done.codes.items()):
                lines.append(f"county code {written!r} counted as {code!r} (--code-map)")
            if done.reversals:
                full = sum(1 for r in done.reversals if r[3] == "full")
                lines.append(
                    f"reversals netted (冲销/退费): {len(done.reversals):,} row(s); "
                    f"{full:,} fully reversed (zero visits, zero money), "
                    f"{len(done.reversals) - full:,} partly refunded (net amounts)"
                )
                for name, row, target, kind in done.reversals[:10]:
                    lines.append(f"  {name} row {row}: reverses {target!r} ({kind})")
        for name, row, column, label in self.total_rows:
            lines.append(
                f"total row dropped (not a record): {name} row {row}, column {column!r}, "
                f"label {label!r}"
            )
        for name, f, header, unit in self.converted:
            factor = {"千元": "1,000", "万元": "10,000"}.get(unit, "1")
            lines.append(f"{name}: {f} ({header!r}) converted from {unit} to yuan (x {factor})")
        for copy, original in self.identical:
            lines.append(f"identical file not read twice: {copy} (same bytes as {original})")
        if self.out_of_county is not None:
            lines.append(f"out-of-county care (就医地 != 参保地): {self.out_of_county:,} row(s)")
        for county, months in self.missing.items():
            lines.append(f"county {county}: no records in {', '.join(months)}")
        for name, why in self.skipped:
            lines.append(f"not read: {name} ({why})")
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


def _options(spec: SeriesSpec) -> Any:
    from analysis.pipeline.normalise import Options
    from analysis.tables.mapping import (
        load_code_map,
        load_header_map,
        load_institutions,
        load_label_map,
    )

    labels = load_label_map(spec.labels)
    institutions = (
        None if spec.institutions is None else load_institutions(spec.institutions, labels)
    )
    return Options(
        load_header_map(spec.columns),
        labels,
        institutions,
        spec.date_format,
        spec.header_row,
        None if spec.code_map is None else load_code_map(spec.code_map),
        spec.drop_unknown_labels,
    )


def _given_reading_options(spec: SeriesSpec) -> bool:
    return any(
        v is not None
        for v in (
            spec.columns,
            spec.labels,
            spec.institutions,
            spec.date_format,
            spec.header_row,
            spec.code_map,
        )
    )


_REASON_COLUMN = {
    "malformed_date": "settlement_date",
    "malformed_amount": "total_cost/fund_paid",
    "negative_amount": "total_cost/fund_paid",
    "fund_exceeds_total": "fund_paid",
    "unknown_level": "institution_level",
    "unknown_service_type": "service_type",
    "unknown_scheme": "scheme",
    "conflicting_record_id": "record_id",
    "duplicate_record_id": "record_id",
}


def reason_table(
    counts: dict[str, int], rows_in: int, reports: tuple[Any, ...], lang: str = "en"
) -> str:
    """Per-reason table of quarantined rows with the first file, row and column of each."""
    zh = lang == "zh"
    head = ("原因", "行数", "占比", "首次出现") if zh else ("reason", "rows", "share", "first seen")
    lines = [f"  {head[0]:<24}{head[1]:>9}{head[2]:>8}  {head[3]}"]
    for code, count in counts.items():
        if not count:
            continue
        example = next(((r.name, *r.examples[code]) for r in reports if code in r.examples), None)
        column = _REASON_COLUMN.get(code, code[8:])
        if example is None:
            first = (
                f"见隔离文件（列 {column}）" if zh else f"see the quarantine file (column {column})"
            )
        elif zh:
            first = f"文件 {example[0]}，第 {example[1]} 行，列 {example[2]!r}，值 {example[3]!r}"
        else:
            first = f"{example[0]}: row {example[1]}, column {example[2]!r}, value {example[3]!r}"
        lines.append(f"  {code:<24}{count:>9,}{100 * count / max(rows_in, 1):>7.1f}%  {first}")
    return "\n".join(lines)


def _first_example(counts: dict[str, int], reports: tuple[Any, ...]) -> dict[str, Any]:
    for code, count in sorted(counts.items(), key=lambda item: -item[1]):
        for r in reports:
            if count and code in r.examples:
                row, column, _ = r.examples[code]
                return {"file": r.name, "row": row, "column": column}
    if reports:
        return {"file": reports[0].name}
    return {}


def coverage(series: pd.DataFrame) -> dict[str, tuple[str, ...]]:
    """County -> months (``YYYY-MM``) of the span first..last month of the whole series that
    the county has no row for.

    Examples
    --------
    >>> s = pd.DataFrame({"district": ["a", "a", "b"], "month": pd.to_datetime(
    ...     ["2024-01-01", "2024-03-01", "2024-02-01"])})
    >>> coverage(s)
    {'a': ('2024-02',), 'b': ('2024-01', '2024-03')}
    """
    if series.empty:
        return {}
    span = pd.date_range(series["month"].min(), series["month"].max(), freq="MS")
    out = {}
    for county, months in series.groupby("district")["month"]:
        absent = span.difference(pd.DatetimeIndex(months))
        if len(absent):
            out[str(county)] = tuple(m.strftime("%Y-%m") for m in absent)
    return out


def check_run(run: SeriesRun, spec: SeriesSpec) -> None:
    """Refuse an empty series, too many quarantined rows, or (by default) missing months.

    Raises
    ------
    InputError
        With the per-reason table, located at the first failing row found.
    """
    reports = run.file_reports
    if run.series.empty or 100 * run.corrupt_rows / max(run.rows_in, 1) > spec.max_quarantine:
        for report in reports:
            report.resolve()
    table = reason_table(run.quarantine_counts, run.rows_in, reports)
    table_zh = reason_table(run.quarantine_counts, run.rows_in, reports, "zh")
    labels_zh = "".join(
        f"\n  未知标签 {column} {label!r}：{count:,} 行"
        for (column, label), count in sorted(run.unknown_labels.items())
    )
    where = _first_example(run.quarantine_counts, reports)
    labels = "".join(
        f"\n  unknown label {column} {label!r}: {count:,} row(s)"
        for (column, label), count in sorted(run.unknown_labels.items())
    )
    if run.series.empty:
        raise InputError(
            f"no row passed the checks ({run.rows_in:,} read, {run.rows_quarantined:,} "
            f"quarantined): the series would be empty\n{table}{labels}",
            zh=f"没有一行通过检查（读入 {run.rows_in:,} 行，隔离 {run.rows_quarantined:,} 行）："
            f"序列为空\n{table_zh}{labels_zh}",
            **where,
        )
    share = 100 * run.corrupt_rows / max(run.rows_in, 1)
    if share > spec.max_quarantine:
        raise InputError(
            f"{run.corrupt_rows:,} of {run.rows_in:,} rows ({share:.1f} %) failed the "
            f"checks, more than max_quarantine={spec.max_quarantine:g} %; fix the export (or "
            f"the header/label maps) or raise the limit\n{table}{labels}",
            zh=f"{run.rows_in:,} 行中有 {run.corrupt_rows:,} 行（{share:.1f} %）未通过检查，"
            f"超过 --max-quarantine {spec.max_quarantine:g} %；请修正导出文件（或列名/标签对照表），"
            f"或提高上限\n{table_zh}{labels_zh}",
            **where,
        )
    if run.missing and spec.missing_months == "refuse":
        listed = "; ".join(
            f"{county}: {', '.join(months[:6])}{' ...' if len(months) > 6 else ''} "
            f"({len(months)} month(s))"
            for county, months in run.missing.items()
        )
        raise InputError(
            f"months without any record for a county: {listed}. A missing month is not a "
            "month of zero visits: add the missing export, or run with "
            "missing_months='keep-gaps' to keep the gaps (listed in the summary)",
            zh=f"以下县区有月份没有任何记录：{listed}。缺失的月份不等于零诊疗：请补上缺失的导出"
            "文件，或使用 --missing-months keep-gaps 保留缺口（摘要中会列出）",
            file=str(spec.records),
        )


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
            raise InputError(
                f"{quarantine}: remote quarantine paths need engine='spark'",
                zh=f"{quarantine}：远程的隔离文件路径需要 engine='spark'",
            )
        if not is_remote(records) and isinstance(quarantine_path, Path):
            refuse_output_inside_input(Path(records), quarantine_path, "quarantine")
    with tempfile.TemporaryDirectory(prefix="series-") as scratch:
        if is_remote(records):
            if engine != "spark":
                raise InputError(
                    f"{records}: remote inputs need engine='spark'",
                    zh=f"{records}：远程输入需要 engine='spark'",
                )
            files = remote(str(records))
            reports: tuple[Any, ...] = ()
            skipped: tuple[tuple[str, str], ...] = ()
            identical: tuple[tuple[str, str], ...] = ()
            reconciled: Any = None
        else:
            prepared = prepare_all(
                Path(records),
                Path(scratch),
                _options(spec),
                direct_parquet=not _given_reading_options(spec),
                in_memory=engine == "duckdb",
            )
            files, reports, skipped = (
                prepared.files,
                tuple(prepared.reports),
                tuple(prepared.skipped),
            )
            identical, reconciled = tuple(prepared.identical), prepared.reconciled
        step("read")
        # Written beside the final name and renamed when complete: a reader never sees a
        # half-written quarantine file (Spark's Parquet output is a folder it manages itself).
        staged = quarantine_path
        if isinstance(quarantine_path, Path) and (
            engine == "duckdb" or quarantine_path.suffix.lower() != ".parquet"
        ):
            quarantine_path.parent.mkdir(parents=True, exist_ok=True)
            staged = quarantine_path.with_name(
                f".{quarantine_path.stem}.{os.getpid()}.tmp{quarantine_path.suffix}"
            )
        try:
            output = execute(files, staged, step, **engine_options)
            if staged is not quarantine_path and isinstance(staged, Path) and staged.exists():
                os.replace(staged, quarantine_path)
        except (InputError, PipelineError):
            raise
        except Exception as error:  # engines raise their own error types; keep one line
            message = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
            raise PipelineError(f"{engine} failed: {message}") from error
        finally:
            if staged is not quarantine_path and isinstance(staged, Path) and staged.exists():
                staged.unlink()
    series, counts, aggregated, quarantined = assemble(output)
    encodings: dict[str, int] = {}
    for file in files:
        key = file.origin or (file.format if file.format == "parquet" else f"csv {file.encoding}")
        encodings[key] = encodings.get(key, 0) + 1
    run = SeriesRun(
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
        file_reports=reports,
        skipped=skipped,
        missing=coverage(series),
        identical=identical,
        reconciled=reconciled,
    )
    check_run(run, spec)
    return run
