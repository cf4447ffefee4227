"""Check a table of text cells against a :class:`~analysis.validation.schemas.TableSchema`.

Two stages:

1. **Parsing** (here, by hand): each cell is parsed strictly as its declared type (``3.0`` is not
   an integer, ``2017-02-30`` is not a date, months must be the first day). Doing this before
   pandera gives one precise message per bad cell instead of a failed whole-column coercion.
2. **Rules** (pandera, ``lazy=True``): ranges, allowed values, patterns, unique columns, unique
   primary keys, numerator <= denominator. Lazy validation collects *every* failure with its
   row index and column, which is what a data owner needs to fix a file in one pass; the frame
   is indexed by spreadsheet row number so pandera's index is already the row to report.

Then two panel rules pandera does not express well: each unit's monthly or annual index has no
gaps, and a share column agrees with its counts.
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import pandas as pd

from analysis.tables.problems import Problem
from analysis.tables.reading import Table
from analysis.validation.schemas import TableSchema

MAX_PROBLEMS_PER_CHECK = 200
SHARE_TOLERANCE_PP = 0.05
_INT = re.compile(r"^[+-]?\d+$")
_DATE_FORMATS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})$"),
)
_TRUE = {"true", "1", "yes", "t", "y"}
_FALSE = {"false", "0", "no", "f", "n"}


@contextmanager
def _no_pyspark_warning() -> Iterator[None]:
    # pandera imports pyspark (when installed) at import and first validation; pyspark then
    # warns about pandas 3 support in its own pandas API, which this module does not use.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=FutureWarning, module=r"pyspark\..*")
        warnings.filterwarnings("ignore", message=r"PySpark does not yet fully support")
        yield


def _pandera() -> Any:
    with _no_pyspark_warning():
        import pandera.pandas as pa
    return pa


class _CellError(ValueError):
    pass


def _parse_integer(text: str) -> int:
    if not _INT.match(text):
        raise _CellError(f"{text!r} is not an integer")
    return int(text)


def _parse_number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise _CellError(f"{text!r} is not a number") from None
    if not math.isfinite(value):
        raise _CellError(f"{text!r} is not a finite number")
    return value


def _parse_boolean(text: str) -> bool:
    lowered = text.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise _CellError(f"{text!r} is not a boolean (true/false)")


def _parse_date(text: str) -> pd.Timestamp:
    for pattern in _DATE_FORMATS:
        match = pattern.match(text)
        if match:
            parts = [int(p) for p in match.groups()] + [1]
            if not 1900 <= parts[0] <= 2100:
                raise _CellError(f"{text!r} is outside the years 1900-2100")
            try:
                return pd.Timestamp(date(parts[0], parts[1], parts[2]))
            except (ValueError, OverflowError):
                raise _CellError(f"{text!r} is not a valid calendar date") from None
    raise _CellError(f"{text!r} is not a date (YYYY-MM-DD or YYYY-MM)")


def _parse_year(text: str) -> int:
    try:
        year = _parse_integer(text)
    except _CellError:
        raise _CellError(f"{text!r} is not a year") from None
    # The same calendar as dates; it also keeps the annual gap check from enumerating the
    # billion years between a typo such as -1000000000 and the file's real years.
    if not 1900 <= year <= 2100:
        raise _CellError(f"{text!r} is outside the years 1900-2100")
    return year


_PARSERS: dict[str, Callable[[str], Any]] = {
    "integer": _parse_integer,
    "number": _parse_number,
    "boolean": _parse_boolean,
    "date": _parse_date,
    "year": _parse_year,
    "string": str,
}
_DTYPES = {
    "integer": "Int64",
    "year": "Int64",
    "number": "Float64",
    "boolean": "boolean",
    "date": "datetime64[ns]",
    "string": "object",
}


def _header_problems(table: Table, schema: TableSchema) -> list[Problem]:
    problems = []
    seen: set[str] = set()
    for position, name in enumerate(table.header, start=1):
        if not name:
            problems.append(Problem(table.path, f"column {position} has an empty name", 1))
        elif name in seen:
            problems.append(Problem(table.path, "duplicate column name", 1, name))
        seen.add(name)
    for f in schema.fields:
        if f.name not in seen and (schema.closed or f.required):
            problems.append(Problem(table.path, "required column is missing", 1, f.name))
    if schema.closed:
        for name in table.header:
            if name and name not in schema.field_names:
                problems.append(
                    Problem(table.path, f"column is not in the schema '{schema.name}'", 1, name)
                )
    return problems


def _parse(table: Table, schema: TableSchema) -> tuple[pd.DataFrame, list[Problem]]:
    problems: list[Problem] = []
    width = len(table.header)
    good_rows = []
    for number, record in zip(table.row_numbers, table.rows):
        if len(record) != width:
            problems.append(
                Problem(table.path, f"row has {len(record)} fields, the header has {width}", number)
            )
        else:
            good_rows.append((number, record))
    index = pd.Index([n for n, _ in good_rows], name="row")
    columns: dict[str, pd.Series] = {}
    for position, name in enumerate(table.header):
        if name not in schema.field_names:
            continue
        spec = schema.field(name)
        parser = _PARSERS[spec.type]
        values: list[Any] = []
        for number, record in good_rows:
            text = record[position].strip()
            if text == "":
                if spec.required:
                    problems.append(Problem(table.path, "missing value", number, name))
                values.append(None)
                continue
            try:
                value = parser(text)
            except _CellError as error:
                problems.append(Problem(table.path, str(error), number, name))
                values.append(None)
                continue
            if spec.first_of_month and value.day != 1:
                problems.append(
                    Problem(table.path, f"{text!r} is not the first day of a month", number, name)
                )
            values.append(value)
        series = pd.Series(values, index=index, dtype="object")
        if spec.type in ("integer", "year"):
            # Python ints beyond int64 would overflow the nullable dtype; report instead.
            too_big = [i for i, v in series.items() if v is not None and abs(v) >= 2**63]
            for i in too_big:
                problems.append(Problem(table.path, "integer out of range", int(i), name))
                series[i] = None
        columns[name] = series.astype(_DTYPES[spec.type]) if spec.type != "string" else series
    return pd.DataFrame(columns, index=index), problems


def _pandera_schema(schema: TableSchema, frame: pd.DataFrame) -> Any:
    pa = _pandera()
    columns = {}
    for f in schema.fields:
        if f.name not in frame.columns:
            continue
        checks = []
        if f.minimum is not None:
            checks.append(pa.Check.ge(f.minimum, error=f"below the minimum {f.minimum:g}"))
        if f.maximum is not None:
            checks.append(pa.Check.le(f.maximum, error=f"above the maximum {f.maximum:g}"))
        if f.enum is not None:
            checks.append(pa.Check.isin(list(f.enum), error="is not one of: " + ", ".join(f.enum)))
        if f.pattern is not None:
            checks.append(
                pa.Check.str_matches(f.pattern, error=f"does not match the pattern {f.pattern}")
            )
        columns[f.name] = pa.Column(
            _DTYPES[f.type] if f.type != "string" else None,
            checks=checks,
            nullable=True,
            unique=f.unique,
        )
    frame_checks = []
    for num, den in schema.share_pairs:
        if num in frame.columns and den in frame.columns:
            frame_checks.append(
                pa.Check(
                    lambda df, n=num, d=den: (df[n] <= df[d]).fillna(True).astype(bool),
                    name=f"{num}<={den}",
                    error=f"{num} exceeds {den}",
                )
            )
    key = [c for c in schema.primary_key if c in frame.columns]
    unique = key if len(key) == len(schema.primary_key) and len(key) > 1 else None
    return pa.DataFrameSchema(columns, checks=frame_checks, unique=unique, report_duplicates="all")


def _rule_problems(table: Table, schema: TableSchema, frame: pd.DataFrame) -> list[Problem]:
    pa = _pandera()
    try:
        with _no_pyspark_warning():
            _pandera_schema(schema, frame).validate(frame, lazy=True)
    except pa.errors.SchemaErrors as errors:
        cases = errors.failure_cases
    else:
        return []
    problems: list[Problem] = []
    seen: set[tuple[Any, ...]] = set()
    key = ", ".join(schema.primary_key)
    for case in cases.itertuples(index=False):
        row = None if pd.isna(case.index) else int(case.index)
        check = str(case.check)
        value = (
            case.failure_case.item() if hasattr(case.failure_case, "item") else case.failure_case
        )
        if check == "multiple_fields_uniqueness":
            marker = (row, check)
            column, message = key, f"duplicate key ({key})"
        elif check == "field_uniqueness":
            marker = (row, check, case.column)
            column, message = str(case.column), f"duplicate value {value!r} (must be unique)"
        elif case.schema_context == "DataFrameSchema" and " exceeds " in check:
            marker = (row, check)
            column, denominator = check.split(" exceeds ")
            message = check
            if row is not None and row in frame.index:
                message = (
                    f"{column} ({frame.at[row, column]}) exceeds "
                    f"{denominator} ({frame.at[row, denominator]})"
                )
        else:
            marker = (row, check, case.column)
            column, message = (
                str(case.column),
                f"value {value!r} is {check}"
                if check.startswith(("below", "above"))
                else f"value {value!r} {check}",
            )
        if marker in seen:
            continue
        seen.add(marker)
        problems.append(Problem(table.path, message, row, column))
    problems.sort(key=lambda p: (p.row or 0, p.column or ""))
    return problems


def _index_problems(table: Table, schema: TableSchema, frame: pd.DataFrame) -> list[Problem]:
    if schema.time_index is None:
        return []
    unit, time, frequency = schema.time_index
    if time not in frame.columns or (unit is not None and unit not in frame.columns):
        return []
    data = frame[[c for c in (unit, time) if c is not None]].dropna()
    groups = data.groupby(unit, sort=False) if unit is not None else [(None, data)]
    problems = []
    for name, rows in groups:
        periods = rows[time]
        if frequency == "monthly":
            ordinal = periods.dt.year.astype(int) * 12 + periods.dt.month.astype(int) - 1
        else:
            ordinal = periods.astype(int)
        present = set(ordinal)
        missing = sorted(set(range(min(present), max(present) + 1)) - present)
        label = f"{unit} {name!r}" if unit is not None else "the series"
        for gap in missing[:MAX_PROBLEMS_PER_CHECK]:
            period = f"{gap // 12:04d}-{gap % 12 + 1:02d}" if frequency == "monthly" else str(gap)
            after = ordinal[ordinal < gap]
            row = int(after.idxmax()) if len(after) else None
            problems.append(
                Problem(
                    table.path,
                    f"{frequency} index has a gap: {label} has no row for {period}"
                    + (" (after this row)" if row is not None else ""),
                    row,
                    time,
                )
            )
    return problems


def _share_problems(table: Table, schema: TableSchema, frame: pd.DataFrame) -> list[Problem]:
    problems = []
    for share, (num, den) in schema.share_columns.items():
        if not {share, num, den} <= set(frame.columns):
            continue
        data = frame[[share, num, den]].dropna()
        data = data[data[den] > 0]
        ratio = data[num].astype(float) / data[den].astype(float)
        values = data[share].astype(float)
        as_percent = (values - 100 * ratio).abs() <= SHARE_TOLERANCE_PP
        as_fraction = (values - ratio).abs() <= SHARE_TOLERANCE_PP / 100
        unit_is_fraction = bool(as_fraction.mean() > as_percent.mean())
        agree = as_fraction if unit_is_fraction else as_percent
        for row in agree[~agree].index[:MAX_PROBLEMS_PER_CHECK]:
            expected = ratio[row] * (1 if unit_is_fraction else 100)
            problems.append(
                Problem(
                    table.path,
                    f"share {values[row]:g} disagrees with {num}/{den} = {expected:.4g}",
                    int(row),
                    share,
                )
            )
    return problems


def check_table(table: Table, schema: TableSchema) -> list[Problem]:
    """Every problem of ``table`` against ``schema`` (empty list when the file is valid).

    Parameters
    ----------
    table
        Cells read by :func:`analysis.tables.reading.read_table`.
    schema
        Registered or inferred schema.

    Returns
    -------
    list of Problem
    """
    problems = _header_problems(table, schema)
    structural = ("required column is missing", "duplicate column name", "has an empty name")
    if any(p.message.endswith(structural) for p in problems):
        return problems  # columns cannot be matched to the schema reliably
    if not table.rows:
        return problems + [Problem(table.path, "no data rows (the file has only a header)")]
    frame, parse_problems = _parse(table, schema)
    problems += parse_problems
    if not frame.empty:
        problems += _rule_problems(table, schema, frame)
        problems += _index_problems(table, schema, frame)
        problems += _share_problems(table, schema, frame)
    return problems
