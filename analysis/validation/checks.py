"""Check a table of text cells against a :class:`~analysis.validation.schemas.TableSchema`.

Three stages:

1. **Parsing** (here, by hand): each cell is parsed strictly as its declared type, by the input
   layer's rules so that ``validate`` reads a file as every other command does: numbers by
   :func:`analysis.tables.numbers.parse_number` (``'6600.63``, ``="8462.35"`` and ``1,234`` are
   numbers; ``40.25%`` is one in a share column only; ``3.0`` is still not an integer), month
   columns by :mod:`analysis.tables.timelabels` (``2018．01``, ``2018.10``, ``2021年3月``, Excel
   serial day numbers), while ISO dates keep their calendar checks (``2017-02-30`` is not a date,
   months must be the first day). Doing this before pandera gives one precise message per bad
   cell instead of a failed whole-column coercion.
2. **Rules** (pandera, ``lazy=True``): ranges, allowed values, patterns, unique columns, unique
   primary keys, numerator <= denominator. Lazy validation collects *every* failure with its
   row index and column, which is what a data owner needs to fix a file in one pass; the frame
   is indexed by spreadsheet row number so pandera's index is already the row to report.
3. **Meaning** (:mod:`analysis.tables.checks`, the rules every command applies): unit codes
   cleaned by :func:`~analysis.tables.identity.canonical_code` with two forms of one county
   refused, share columns on one scale, and no total rows (``合计``) among the units.

Then two panel rules pandera does not express well: each unit's monthly or annual index has no
gaps, and a share column agrees with its counts.
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from analysis.errors import InputError
from analysis.tables.checks import (
    is_share_name,
    require_no_totals,
    require_one_share_scale,
    unit_codes,
)
from analysis.tables.identity import unwrap_cell
from analysis.tables.numbers import not_a_number, not_a_number_zh, parse_number
from analysis.tables.problems import Problem
from analysis.tables.reading import Table
from analysis.tables.timelabels import (
    TimeLabelError,
    excel_serial_dates,
    parse_point,
    parse_time,
    timestamp_of,
)
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
# A month label that also names a day (2021.03.15, 2021年3月15日): the day must be the first.
_LABEL_DAY = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
# A month exported as a number: October 2021 became 2021.1, the same as January.
_NUMERIC_MONTH = re.compile(r"^\d{4}\.\d$")
_TRUE = {"true", "1", "yes", "t", "y"}
_FALSE = {"false", "0", "no", "f", "n"}
_CODES_FIX = "write every row with one form of the code"


@dataclass(frozen=True)
class LocalisedProblem(Problem):
    """A :class:`~analysis.tables.problems.Problem` that also carries its message in Chinese.

    ``zh`` is shown by ``validate --lang zh``; the English text stays :func:`str`'s.
    """

    zh: str | None = None


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
    def __init__(self, message: str, zh: str | None = None) -> None:
        super().__init__(message)
        self.zh = zh


def _parse_integer(text: str) -> int:
    # The numeric-cell rule first ('6600, ="12", 1,234), then the exact integer: 3.0 and 12.5
    # are refused rather than rounded.
    number = parse_number(text)
    if number is None or number.percent or not _INT.match(number.plain):
        raise _CellError(f"{text!r} is not an integer", zh=f"{text!r} 不是整数")
    return int(number.plain)


def _parse_number(text: str, percent: bool = False) -> float:
    """A cell by the numeric-cell rule; ``percent``: a ``45.3%`` cell is read as 45.3."""
    number = parse_number(text)
    if number is None:
        try:
            infinite = not math.isfinite(float(unwrap_cell(text)))
        except ValueError:
            infinite = False
        if infinite:
            raise _CellError(
                f"{text!r} is not a finite number", zh=f"{text!r} 不是有限的数字"
            ) from None
        raise _CellError(not_a_number(text), zh=not_a_number_zh(text))
    if number.percent and not percent:
        raise _CellError(
            f"{not_a_number(text)}: a percent sign is read only in share columns (a name with "
            f"share, rate, percent, 占比 or 比例); write {number.plain}",
            zh=f"{not_a_number_zh(text)}：只有占比列（列名含 share、rate、percent、占比或比例）"
            f"才读取百分号；请写作 {number.plain}",
        )
    return number.value


def _parse_share(text: str) -> float:
    return _parse_number(text, percent=True)


def _parse_boolean(text: str) -> bool:
    lowered = text.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise _CellError(f"{text!r} is not a boolean (true/false)")


def _parse_date(written: str) -> pd.Timestamp:
    text = unwrap_cell(written)
    for pattern in _DATE_FORMATS:
        match = pattern.match(text)
        if match:
            parts = [int(p) for p in match.groups()] + [1]
            if not 1900 <= parts[0] <= 2100:
                raise _CellError(
                    f"{written!r} is outside the years 1900-2100",
                    zh=f"{written!r} 不在 1900-2100 年之间",
                )
            try:
                return pd.Timestamp(date(parts[0], parts[1], parts[2]))
            except (ValueError, OverflowError):
                raise _CellError(
                    f"{written!r} is not a valid calendar date",
                    zh=f"{written!r} 不是有效的日历日期",
                ) from None
    raise _CellError(
        f"{written!r} is not a date (YYYY-MM-DD or YYYY-MM)",
        zh=f"{written!r} 不是日期（YYYY-MM-DD 或 YYYY-MM）",
    )


def _parse_year(text: str) -> int:
    # The time-label rule for years (2017, 2017年, '2017), then the range.
    try:
        year = int(parse_point(text, "year"))
    except TimeLabelError:
        raise _CellError(f"{text!r} is not a year", zh=f"{text!r} 不是年份") from None
    # The same calendar as dates; it also keeps the annual gap check from enumerating the
    # billion years between a typo such as -1000000000 and the file's real years.
    if not 1900 <= year <= 2100:
        raise _CellError(
            f"{text!r} is outside the years 1900-2100", zh=f"{text!r} 不在 1900-2100 年之间"
        )
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


def _problem(table: Table, message: str, row: int | None, column: str | None, zh: str | None):
    return LocalisedProblem(table.path, message, row, column, zh)


def _first_of_month(written: str) -> tuple[str, str] | None:
    """Why a month label that names a day is not a month's first day (``None`` if it is)."""
    match = _LABEL_DAY.match(unwrap_cell(written))
    if not match:
        return None
    year, month, day = (int(g) for g in match.groups())
    try:
        date(year, month, day)
    except ValueError:
        return f"{written!r} is not a valid calendar date", f"{written!r} 不是有效的日历日期"
    if day != 1:
        return (
            f"{written!r} is not the first day of a month",
            f"{written!r} 不是某月的第一天",
        )
    return None


def _month_notice(labels: list[str]) -> tuple[str, str] | None:
    """What a reader of the OK line should know about how a month column was read."""
    serial = excel_serial_dates(labels)
    if serial is not None:
        return (
            f"read as Excel serial day numbers of dates, the months of the dates (e.g. "
            f"{labels[0]} is {serial[0]:%Y-%m-%d})",
            f"按 Excel 日期序列号读取，取日期所在的月份（如 {labels[0]} 即 {serial[0]:%Y-%m-%d}）",
        )
    return None


def _label_months(
    cells: list[tuple[int, str]], name: str
) -> tuple[dict[int, pd.Timestamp], list[tuple[int, str, str]], tuple[str, str] | None]:
    """Month labels (not ISO dates) by the time-label rule: ``row -> first day of the month``,
    ``(row, message, zh)`` problems, and a notice.

    The column is read as a whole first, as every command reads a time column (Excel serial
    numbers are recognised only when every cell is one); when that fails, each label is read
    alone so that every unreadable one is named.
    """
    rows = [row for row, _ in cells]
    labels = [text for _, text in cells]
    try:
        axis = parse_time(labels, "auto", name, rows)
    except TimeLabelError:
        axis = None
    positions: dict[int, float] = {}
    problems = []
    notice = None
    if axis is not None and axis.unit == "month":
        positions = dict(zip(rows, axis.positions.tolist()))
        notice = _month_notice(labels)
    else:
        for row, text in cells:
            folded = unwrap_cell(text)
            # alone, a bare number is a month only as YYYYMM (YYYYMMDD); a count or a year not
            plain = re.fullmatch(r"\d+(?:\.\d*)?", folded) and not re.fullmatch(
                r"\d{6}|\d{8}", folded
            )
            try:
                if plain:
                    # caught just below; the label itself reads the same in both languages
                    raise TimeLabelError(folded, zh=folded)
                positions[row] = parse_point(text, "month")
            except TimeLabelError:
                problems.append(
                    (
                        row,
                        f"{text!r} is not a date or a month (write 2021-03-01, 2021-03, "
                        "2021年3月 or 202103)",
                        f"{text!r} 不是日期或月份（请写作 2021-03-01、2021-03、2021年3月 或 202103）",
                    )
                )
    months = {}
    for (row, text), position in ((c, positions[c[0]]) for c in cells if c[0] in positions):
        # the calendar of dates: 420101 is month 01 of the year 4201, not a month of data
        if not 1900 <= position // 12 <= 2100:
            problems.append(
                (
                    row,
                    f"{text!r} is outside the years 1900-2100",
                    f"{text!r} 不在 1900-2100 年之间",
                )
            )
            continue
        months[row] = timestamp_of(position, "month")
    problems.sort()
    return months, problems, notice  # type: ignore[return-value]


def _parse_months(
    table: Table, name: str, cells: list[tuple[int, str]], notices: list[Problem]
) -> tuple[dict[int, pd.Timestamp], list[Problem]]:
    """A month column: ISO dates strictly (calendar, first day), other labels as months."""
    months: dict[int, pd.Timestamp] = {}
    problems: list[Problem] = []
    labels = []
    for row, text in cells:
        if not any(p.match(unwrap_cell(text)) for p in _DATE_FORMATS):
            labels.append((row, text))
            continue
        try:
            value = _parse_date(text)
        except _CellError as error:
            problems.append(_problem(table, str(error), row, name, error.zh))
            continue
        if value.day != 1:
            problems.append(
                _problem(
                    table,
                    f"{text!r} is not the first day of a month",
                    row,
                    name,
                    f"{text!r} 不是某月的第一天",
                )
            )
        months[row] = value
    if labels:
        read, bad, notice = _label_months(labels, name)
        for row, text in labels:
            why = _first_of_month(text) if row in read else None
            if why is not None:
                problems.append(_problem(table, why[0], row, name, why[1]))
        months.update(read)
        problems += [_problem(table, m, row, name, zh) for row, m, zh in bad]
        if notice is not None:
            notices.append(_problem(table, notice[0], None, name, notice[1]))
    return months, problems


def _parse(
    table: Table, schema: TableSchema, notices: list[Problem] | None = None
) -> tuple[pd.DataFrame, list[Problem]]:
    notices = [] if notices is None else notices
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
        if spec.type == "number" and is_share_name(name):
            parser = _parse_share
        cells: list[tuple[int, str]] = []
        for number, record in good_rows:
            text = record[position].strip()
            if text == "":
                if spec.required:
                    problems.append(Problem(table.path, "missing value", number, name))
                continue
            cells.append((number, text))
        parsed: dict[int, Any] = {}
        if spec.type == "date" and spec.first_of_month:
            parsed, found = _parse_months(table, name, cells, notices)
            problems += sorted(found, key=lambda p: p.row or 0)
        else:
            for number, text in cells:
                try:
                    parsed[number] = parser(text)
                except _CellError as error:
                    problems.append(_problem(table, str(error), number, name, error.zh))
        series = pd.Series([parsed.get(n) for n, _ in good_rows], index=index, dtype="object")
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


def _duplicate_keys(
    table: Table, schema: TableSchema, frame: pd.DataFrame
) -> Callable[[int], tuple[str, str]]:
    """The message (and its Chinese) for a row whose primary key another row has, quoting
    both rows' keys as written: two labels may name one period (``2021.1`` twice)."""
    positions = [table.header.index(c) for c in schema.primary_key]
    written = {
        n: tuple(record[i].strip() for i in positions)
        for n, record in zip(table.row_numbers, table.rows)
        if len(record) == len(table.header)
    }
    first: dict[tuple[Any, ...], list[int]] = {}
    columns = frame[list(schema.primary_key)].astype(object)
    keys = columns.where(columns.notna(), None)
    for row, values in zip(frame.index, keys.itertuples(index=False, name=None)):
        first.setdefault(tuple(values), []).append(int(row))
    key = ", ".join(schema.primary_key)

    def message(row: int) -> tuple[str, str]:
        values = tuple(keys.loc[row]) if row in keys.index else ()
        others = [r for r in first.get(values, []) if r != row]
        this = ", ".join(repr(v) for v in written.get(row, ()))
        if not others:
            return f"duplicate key ({key})", f"主键（{key}）重复"
        that = ", ".join(repr(v) for v in written.get(others[0], ()))
        en = f"duplicate key ({key}): {this} names the same row as row {others[0]} ({that})"
        zh = f"主键（{key}）重复：{this} 与第 {others[0]} 行（{that}）指同一行"
        if any(_NUMERIC_MONTH.match(unwrap_cell(v)) for v in written.get(row, ())):
            en += (
                "; a month column saved as numbers turns 2021.10 into 2021.1 (January): "
                "save the months as text such as 2021-10"
            )
            zh += "；月份列被存成数字时 2021.10 会变成 2021.1（一月）：请把月份存为文本，如 2021-10"
        return en, zh

    return message


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
    duplicate: Callable[[int], tuple[str, str]] | None = None
    for case in cases.itertuples(index=False):
        row = None if pd.isna(case.index) else int(case.index)
        check = str(case.check)
        value = (
            case.failure_case.item() if hasattr(case.failure_case, "item") else case.failure_case
        )
        if check == "multiple_fields_uniqueness":
            marker = (row, check)
            if marker not in seen and row is not None:
                duplicate = duplicate or _duplicate_keys(table, schema, frame)
                message, zh = duplicate(row)
                problems.append(_problem(table, message, row, key, zh))
                seen.add(marker)
            continue
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
        if not present:
            continue
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


def _from_error(table: Table, error: InputError) -> Problem:
    return _problem(table, error.message, error.row, error.column, error.message_zh)


def _unit(schema: TableSchema, frame: pd.DataFrame) -> str | None:
    unit = schema.time_index[0] if schema.time_index is not None else None
    return unit if unit is not None and unit in frame.columns else None


def _unit_problems(table: Table, schema: TableSchema, frame: pd.DataFrame) -> list[Problem]:
    """Clean the unit column's codes in place (``="420101"`` is ``420101``), as the pipeline
    does, so that keys, gaps and totals see one unit; two forms of one county are refused."""
    unit = _unit(schema, frame)
    if unit is None:
        return []
    try:
        frame[unit] = unit_codes(frame, unit, file=str(table.path), fix=_CODES_FIX)
    except InputError as error:
        return [_from_error(table, error)]
    return []


def _scale_problems(table: Table, schema: TableSchema, frame: pd.DataFrame) -> list[Problem]:
    """Share columns written as proportions (0-1) in some rows and percent in others."""
    problems = []
    for f in schema.fields:
        if f.type != "number" or f.name not in frame.columns or not is_share_name(f.name):
            continue
        values = frame[f.name].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
        try:
            require_one_share_scale(
                frame, f.name, unit=_unit(schema, frame), file=str(table.path), values=values
            )
        except InputError as error:
            problems.append(_from_error(table, error))
    return problems


def _total_problems(table: Table, schema: TableSchema, frame: pd.DataFrame) -> list[Problem]:
    """Units that are totals of the others (``合计`` rows, or counts summing the others')."""
    unit = _unit(schema, frame)
    if unit is None:
        return []
    time = schema.time_index[1] if schema.time_index is not None else None
    counts = [c for pair in schema.share_pairs for c in pair if c in frame.columns]
    try:
        require_no_totals(
            frame[frame[unit].notna()],
            unit,
            time=time if time in frame.columns else None,
            counts=counts,
            file=str(table.path),
        )
    except InputError as error:
        return [_from_error(table, error)]
    return []


def check_table(
    table: Table, schema: TableSchema, notices: list[Problem] | None = None
) -> list[Problem]:
    """Every problem of ``table`` against ``schema`` (empty list when the file is valid).

    Parameters
    ----------
    table
        Cells read by :func:`analysis.tables.reading.read_table`.
    schema
        Registered or inferred schema.
    notices
        When given, receives what a reader should know about how the file was read (e.g. a
        month column of Excel serial day numbers), valid file or not.

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
    frame, parse_problems = _parse(table, schema, notices)
    problems += parse_problems
    if not frame.empty:
        units = _unit_problems(table, schema, frame)
        problems += units
        problems += _rule_problems(table, schema, frame)
        # two spellings of one unit would show as gaps of each: the codes are the problem
        problems += [] if units else _index_problems(table, schema, frame)
        problems += _share_problems(table, schema, frame)
        problems += _scale_problems(table, schema, frame)
        problems += [] if units else _total_problems(table, schema, frame)
    return problems
