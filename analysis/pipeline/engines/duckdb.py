"""DuckDB engine: the default, embedded and out of core.

DuckDB runs the shared SQL in-process on all cores and spills to ``temp_directory`` when a
``memory_limit`` is reached, so one laptop or server handles extracts larger than its memory
(see :mod:`analysis.pipeline.benchmark`).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from analysis.pipeline.engines import EngineOutput, Step, no_step
from analysis.pipeline.inputs import InputError, InputFile
from analysis.pipeline.query import (
    DETAIL_GROUPS_SQL,
    DETAIL_TOTALS_SQL,
    GROUPS_SQL,
    QUARANTINE_COLUMNS,
    QUARANTINE_ORDER,
    RAW_COUNT_SQL,
    TEXT_KINDS,
    Kind,
    field_kinds,
    quote,
    stages,
    staging_select,
)


def _sql_path(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _memory_name(file: InputFile) -> str:
    return "normalised_" + "".join(c if c.isalnum() else "_" for c in file.path.stem)


def _reader(file: InputFile) -> str:
    if file.table is not None:
        return _memory_name(file)
    if file.uri is not None:
        raise ValueError(f"{file.uri}: the DuckDB engine reads local files only")
    if file.format == "parquet":
        return f"read_parquet({_sql_path(file.path)})"
    # Every column as text: the shared SQL does all parsing, identically on both engines.
    return (
        f"read_csv({_sql_path(file.path)}, header = true, all_varchar = true, "
        "delim = ',', quote = '\"', escape = '\"')"
    )


def kinds_of(con: duckdb.DuckDBPyConnection, files: list[InputFile]) -> dict[str, Kind]:
    """Return the staging kind of each field, from the column types DuckDB reads.

    CSV files are all text; a Parquet file's types come from its footer (no data is read).
    """
    types = []
    for file in files:
        if file.format != "parquet":
            types.append({})
            continue
        described = con.execute(f"DESCRIBE SELECT * FROM {_reader(file)}").fetchall()
        types.append({str(row[0]).lower(): str(row[1]) for row in described})
    return field_kinds(types)


def raw_view_sql(files: list[InputFile], kinds: dict[str, Kind] | None = None) -> str:
    """Return the SQL defining ``settlements_raw`` as the union of all input files.

    Parameters
    ----------
    files
        Prepared input files.
    kinds
        Staging kind per field (:func:`kinds_of`); all text when ``None``.

    Returns
    -------
    str
        A ``SELECT ... UNION ALL SELECT ...`` statement.
    """
    parts = [
        f"SELECT {', '.join(staging_select(f.columns, quote(f.name), kinds))} FROM {_reader(f)}"
        for f in files
    ]
    return "\nUNION ALL\n".join(parts)


def connect(
    *,
    threads: int | None = None,
    memory_limit: str | None = None,
    temp_directory: Path | None = None,
) -> duckdb.DuckDBPyConnection:
    """Open an in-memory DuckDB connection configured for the pipeline.

    Parameters
    ----------
    threads
        Worker threads; DuckDB's default (all cores) when ``None``.
    memory_limit
        For example ``"4GB"``; beyond it DuckDB spills to ``temp_directory``.
    temp_directory
        Where spilled data goes.

    Returns
    -------
    duckdb.DuckDBPyConnection
    """
    # Row order is irrelevant to a GROUP BY; dropping it lets DuckDB stream with less memory.
    config: dict[str, str | int | bool] = {"preserve_insertion_order": False}
    if threads is not None:
        config["threads"] = threads
    if memory_limit is not None:
        config["memory_limit"] = memory_limit
    if temp_directory is not None:
        config["temp_directory"] = str(temp_directory)
    con = duckdb.connect(":memory:", config=config)
    con.execute("SET enable_progress_bar = false")  # the CLI draws its own bar
    return con


def execute(
    files: list[InputFile],
    quarantine: Path | None = None,
    step: Step = no_step,
    *,
    threads: int | None = None,
    memory_limit: str | None = None,
    temp_directory: Path | None = None,
    typed: bool = True,
) -> EngineOutput:
    """Run the pipeline on DuckDB.

    Parameters
    ----------
    files
        Prepared input files (see :func:`analysis.pipeline.inputs.prepare`).
    quarantine
        CSV or Parquet file (by suffix) to receive failing rows; ``None`` to only count them.
    step
        Progress callback.
    threads, memory_limit, temp_directory
        Passed to :func:`connect`.
    typed
        Use typed Parquet columns directly where that gives the text route's result
        (see :mod:`analysis.pipeline.query`); ``False`` forces the text route everywhere.

    Returns
    -------
    EngineOutput
    """
    con = connect(threads=threads, memory_limit=memory_limit, temp_directory=temp_directory)
    try:
        for file in files:
            if file.table is not None:  # normalised rows handed over in memory
                con.register(_memory_name(file), file.table)
        try:
            kinds = kinds_of(con, files) if typed else TEXT_KINDS
            con.execute(f"CREATE TEMP VIEW settlements_raw AS {raw_view_sql(files, kinds)}")
            for name, sql, materialise in stages(kinds, "duckdb"):
                kind = "TABLE" if "duckdb" in materialise else "VIEW"
                con.execute(f"CREATE TEMP {kind} {name} AS {sql}")
            step("check")
            if quarantine is None:
                groups = con.execute(GROUPS_SQL).df()
            else:
                # One pass gives both the series and the failing rows (see DETAIL_GROUPS_SQL).
                con.execute(f"CREATE TEMP TABLE settlements_groups AS {DETAIL_GROUPS_SQL}")
                groups = con.execute(DETAIL_TOTALS_SQL).df()
        except duckdb.InvalidInputException as error:
            # Row-level problems are quarantined; this is a file DuckDB cannot parse at all.
            message = str(error).strip().splitlines()[0]
            raise InputError(
                f"the records cannot be read: {message}", zh=f"无法读取记录：{message}"
            ) from error
        step("aggregate")
        rows_read = int(con.execute(RAW_COUNT_SQL).fetchone()[0])  # type: ignore[index]
        step("count")
        rows_written = None
        if quarantine is not None:
            quarantine.parent.mkdir(parents=True, exist_ok=True)
            fmt = "PARQUET" if quarantine.suffix.lower() == ".parquet" else "CSV, HEADER"
            failing = (
                f"SELECT {', '.join(QUARANTINE_COLUMNS)} FROM settlements_groups AS g, "
                "range(g.n_rows) WHERE reason IS NOT NULL"
            )
            result = con.execute(
                f"COPY ({failing} {QUARANTINE_ORDER}) TO {_sql_path(quarantine)} (FORMAT {fmt})"
            ).fetchone()
            rows_written = int(result[0]) if result else 0
        step("quarantine")
    finally:
        con.close()
    groups["month"] = pd.to_datetime(groups["month"])
    return EngineOutput(groups=groups, rows_read=rows_read, rows_written=rows_written)
