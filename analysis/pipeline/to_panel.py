"""Monthly county series plus reform dates -> the long panel ``python -m analysis did`` takes.

Input
    ``series``: the output of ``python -m analysis series`` (columns ``district``, ``month``
    and the count columns of :data:`analysis.pipeline.schema.COUNT_COLUMNS`; pairs that are
    absent are left out). ``reforms``: one row per reformed county with columns ``county``
    and ``reform_date`` (``YYYY-MM-DD``, ``YYYY/MM/DD``, ``YYYY-MM`` or ``2022年7月1日``: the day
    the reform took effect; a midnight clock time, as spreadsheets write dates, is allowed).
    Counties of the series without a row are never treated.

First treated period (documented rules)
    *Monthly*: the first month wholly under the reform: the reform's month when it took effect
    on the 1st, otherwise the next month (the month it took effect in is partly treated).

    *Annual*: a year is treated when every one of its months is under the reform. A reform
    whose first treated month is not January leaves one year partly treated, and what to do
    with it is a choice the data cannot make, so by default it is refused. ``partial_year``:

    - ``"refuse"`` (default): refuse, naming the reform row;
    - ``"treat"``: the partly treated year is the first treated year;
    - ``"next"``: the first treated year is the next one (the partial year counts as
      untreated, which dilutes the pre-period);
    - ``"cutoff:M"``: the partial year is treated when its first treated month is ``M`` or
      earlier (``cutoff:6``: reforms in force from June or earlier treat that year).

Aggregation
    Annual counts are sums of the monthly counts; shares are recomputed from the summed
    numerators and denominators (:func:`analysis.datasets.add_shares`), never averaged, so a
    small month weighs what its counts weigh. A county-year with missing months is refused by
    default (``missing_months="refuse"``); ``"drop"`` leaves such county-years out (the panel is
    then unbalanced, which ``did`` refuses unless told ``--balance drop``), ``"keep"`` sums the
    months present (a share from a part of the year). In monthly panels a gap in a county's
    months is refused by default too; ``"keep"`` passes the gap on.

Output columns: ``county``, the period (``year`` or ``month``), ``first_treated`` (annual: the
year, 0 = never treated; monthly: ``YYYY-MM-DD``, empty = never), ``treated`` (0/1 in that
period), the count columns, ``months`` (annual: months summed) and the shares in percent.

Examples
--------
>>> import pandas as pd
>>> series = pd.DataFrame({
...     "district": ["a"] * 24 + ["b"] * 24,
...     "month": list(pd.date_range("2021-01-01", periods=24, freq="MS")) * 2,
...     "visits_primary": [1] * 12 + [3] * 12 + [2] * 24, "visits_total": [4] * 48})
>>> reforms = pd.DataFrame({"county": ["a"], "reform_date": ["2022-01-01"]})
>>> panel = build_panel(series, reforms, frequency="annual")
>>> panel[["county", "year", "first_treated", "treated", "visit_share"]].to_dict("records")[:2]
[{'county': 'a', 'year': 2021, 'first_treated': 2022, 'treated': 0, 'visit_share': 25.0}, \
{'county': 'a', 'year': 2022, 'first_treated': 2022, 'treated': 1, 'visit_share': 75.0}]
>>> late = pd.DataFrame({"county": ["a"], "reform_date": ["2022-07-15"]})
>>> build_panel(series, late, frequency="annual")
Traceback (most recent call last):
...
analysis.errors.InputError: reforms: row 2, column 'reform_date': the reform of 'a' on 2022-07-15 \
leaves 2022 partly treated (first treated month 2022-08); choose partial_year='treat' (2022 is \
the first treated year), 'next' (2023) or 'cutoff:M'
>>> build_panel(series, late, frequency="annual", partial_year="next")["first_treated"].iloc[0]
np.int64(2023)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from analysis.datasets import SHARE_PAIRS, add_shares
from analysis.errors import InputError, UsageError
from analysis.pipeline.schema import COUNT_COLUMNS
from analysis.tables.checks import numeric_values, require_no_totals
from analysis.tables.identity import CodeSeen, cell_code, unify_codes, unwrap_cell
from analysis.tables.timelabels import as_text, excel_serial_dates, parse_point, timestamp_of

Frequency = Literal["annual", "monthly"]
MissingMonths = Literal["refuse", "drop", "keep"]
FREQUENCIES: tuple[str, ...] = ("annual", "monthly")
MISSING_CHOICES: tuple[str, ...] = ("refuse", "drop", "keep")
UNIT, REFORM = "county", "reform_date"
_CUTOFF = re.compile(r"^cutoff:(\d{1,2})$")
_DATE = re.compile(
    r"^\s*(\d{4})(?:[-/](\d{1,2})(?:[-/](\d{1,2}))?(?:[ T]00:00(?::00)?)?"
    r"|\s*年\s*(\d{1,2})\s*月(?:\s*(\d{1,2})\s*日)?)\s*$"
)


@dataclass(frozen=True)
class Reform:
    """One reformed county: its reform day and first wholly treated month."""

    county: str
    date: pd.Timestamp
    first_month: pd.Timestamp
    row: int


def _row_numbers(frame: pd.DataFrame) -> list[int]:
    # read_frame's index holds spreadsheet row numbers; a plain frame gets header = row 1.
    if frame.index.name == "row":
        return [int(i) for i in frame.index]
    return list(range(2, len(frame) + 2))


SERIES_CODE_FIX = (
    "write every county of the series with one form of its code (e.g. 6-digit, 420101)"
)
SERIES_CODE_FIX_ZH = "请把序列中每个县区的编码统一为一种写法（如 6 位的 420101）"
CODE_FIX = (
    "write the county codes of the series and of the reform table in one form (e.g. both "
    "6-digit, 420101)"
)
CODE_FIX_ZH = "请把序列和改革表中的县区编码统一为一种写法（如都用 6 位的 420101）"


def _code(value: object, name: str, row: int, column: str) -> str:
    return cell_code(value, file=name, row=row, column=column)


def _date(value: object) -> pd.Timestamp | None:
    """A reform day as written (``2022-07-01``, ``2022年7月1日``, ``2022-07``, an Excel day
    number), or ``None``."""
    if hasattr(value, "strftime"):
        return pd.Timestamp(value)  # type: ignore[arg-type]
    text = unwrap_cell("" if value is None else str(value))
    serial = excel_serial_dates([text]) if re.fullmatch(r"\d{5}(?:\.0+)?", text) else None
    if serial:
        return serial[0]
    match = _DATE.match(text)
    if not match:
        return None
    month_text = match.group(2) or match.group(4)
    day_text = match.group(3) or match.group(5) or "1"
    if month_text is None:
        return None
    try:
        return pd.Timestamp(year=int(match.group(1)), month=int(month_text), day=int(day_text))
    except ValueError:
        return None


def _month(value: object, name: str, row: int) -> pd.Timestamp:
    """A series month by the time-label rule of every command; a day other than the 1st is
    refused (a series holds months, a date in the middle of one is something else)."""
    text = unwrap_cell(as_text(value))
    day = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?", text)
    position = None
    if day is None or int(day.group(3)) == 1:
        try:
            position = parse_point(value, "month", "month")
        except InputError:
            position = None
    if position is None:
        raise InputError(
            f"{value!r} is not the first day of a month (YYYY-MM-01) or a month (YYYY-MM, "
            "2023年1月)",
            file=name,
            row=row,
            column="month",
            zh=f"{value!r} 不是某月的第一天（YYYY-MM-01）或月份（YYYY-MM、2023年1月）",
        )
    return timestamp_of(position, "month")  # type: ignore[return-value]


def parse_partial_year(text: str) -> str | int:
    """``refuse``, ``treat``, ``next`` or the month ``M`` of ``cutoff:M``.

    Examples
    --------
    >>> parse_partial_year("cutoff:6"), parse_partial_year("next")
    (6, 'next')
    """
    if text in ("refuse", "treat", "next"):
        return text
    match = _CUTOFF.match(text)
    if match and 1 <= int(match.group(1)) <= 12:
        return int(match.group(1))
    raise UsageError(
        f"partial_year={text!r}: choose refuse, treat, next or cutoff:M with M from 1 to 12",
        zh=f"partial_year={text!r}：请选择 refuse、treat、next 或 cutoff:M（M 取 1 到 12）",
    )


def read_reforms(reforms: pd.DataFrame, counties: set[str], name: str = "reforms") -> list[Reform]:
    """Check the reform table and return one :class:`Reform` per row.

    Raises
    ------
    InputError
        A missing column, an empty or malformed date, a county that is not in the series, or
        a county given twice; the message names the file, row and column.
    """
    missing = [c for c in (UNIT, REFORM) if c not in reforms.columns]
    if missing:
        listed = ", ".join(map(repr, missing))
        columns = ", ".join(map(str, reforms.columns))
        raise InputError(
            f"the reform table needs columns {UNIT!r} and {REFORM!r} (missing {listed}); "
            f"columns are: {columns}",
            file=name,
            row=1,
            zh=f"改革表需要 {UNIT!r} 和 {REFORM!r} 两列（缺少 {listed}）；现有列：{columns}",
        )
    out: list[Reform] = []
    seen: dict[str, int] = {}
    for row, (county_value, date_value) in zip(
        _row_numbers(reforms), reforms[[UNIT, REFORM]].itertuples(index=False)
    ):
        county = _code(county_value, name, row, UNIT)
        if not county:
            raise InputError(
                "the county is empty", file=name, row=row, column=UNIT, zh="县区编码为空"
            )
        if county not in counties:
            shown = f"{', '.join(sorted(counties)[:10])}{'...' if len(counties) > 10 else ''}"
            raise InputError(
                f"county {county!r} is not in the series (counties there: {shown}); "
                "fix the code or remove the row",
                file=name,
                row=row,
                column=UNIT,
                zh=f"县区 {county!r} 不在序列中（序列中的县区：{shown}）；请改正编码或删除此行",
            )
        if county in seen:
            raise InputError(
                f"county {county!r} has a second reform row (first at row {seen[county]}); "
                "give each county one reform date, its first",
                file=name,
                row=row,
                column=UNIT,
                zh=f"县区 {county!r} 有第二条改革记录（第一条在第 {seen[county]} 行）；"
                "每个县区只写一个改革日期，即最早的一个",
            )
        seen[county] = row
        date = _date(date_value)
        if date is None:
            raise InputError(
                f"{date_value!r} is not a date; write YYYY-MM-DD (the day the reform took "
                "effect) or YYYY-MM",
                file=name,
                row=row,
                column=REFORM,
                zh=f"{date_value!r} 不是日期；请写成 YYYY-MM-DD（改革生效的那一天）或 YYYY-MM",
            )
        first = date if date.day == 1 else date + pd.offsets.MonthBegin(1)
        out.append(Reform(county, date, first.normalize(), row))
    return out


def series_counts(series: pd.DataFrame, name: str = "series") -> tuple[pd.DataFrame, list[str]]:
    """Check a monthly county series and return its counts with the complete pairs found.

    Returns
    -------
    tuple
        A frame with ``county`` (normalised code), ``month`` (first-of-month timestamps), the
        count columns and ``_row`` (the input's row numbers), and the list of count columns.

    Raises
    ------
    InputError
        Missing columns, a bad month or count, a numerator above its denominator, or a county
        month given twice; the message names the file, row and column.
    """
    rows = _row_numbers(series)
    for column in ("district", "month"):
        if column not in series.columns:
            columns = ", ".join(map(str, series.columns))
            raise InputError(
                f"the series needs a {column!r} column (the output of python -m analysis "
                f"series); columns are: {columns}",
                file=name,
                row=1,
                zh=f"序列需要 {column!r} 列（python -m analysis series 的输出）；现有列：{columns}",
            )
    counts = [c for c in COUNT_COLUMNS if c in series.columns]
    pairs = [(n, d) for n, d in SHARE_PAIRS.values() if n in counts and d in counts]
    lone = [c for c in counts if not any(c in p for p in pairs)]
    if not pairs or lone:
        raise InputError(
            "the series needs complete count pairs (e.g. visits_primary and visits_total)"
            + (f"; {', '.join(lone)} has no partner" if lone else ""),
            file=name,
            row=1,
            zh="序列需要成对的计数列（如 visits_primary 和 visits_total）"
            + (f"；{', '.join(lone)} 缺少配对列" if lone else ""),
        )
    counts = [c for p in pairs for c in p]
    codes = [_code(v, name, r, "district") for v, r in zip(series["district"], rows)]
    out = pd.DataFrame({"county": codes})
    out["month"] = [_month(value, name, row) for row, value in zip(rows, series["month"])]
    for column in counts:
        values = numeric_values(series, column, file=name)
        bad = np.flatnonzero(~np.isfinite(values) | (values < 0) | (values != np.round(values)))
        if bad.size:
            cell = series[column].iloc[bad[0]]
            raise InputError(
                f"{cell!r} is not a whole number of 0 or more",
                file=name,
                row=rows[bad[0]],
                column=column,
                zh=f"{cell!r} 不是大于等于 0 的整数",
            )
        out[column] = values.astype("int64")
    for numerator, denominator in pairs:
        over = np.flatnonzero(out[numerator].to_numpy() > out[denominator].to_numpy())
        if over.size:
            raise InputError(
                f"{numerator} exceeds {denominator}",
                file=name,
                row=rows[over[0]],
                column=numerator,
                zh=f"{numerator} 大于 {denominator}",
            )
    twice = out.duplicated(["county", "month"], keep="first").to_numpy()
    if twice.any():
        i = int(np.flatnonzero(twice)[0])
        county, month = out["county"].iloc[i], f"{out['month'].iloc[i]:%Y-%m}"
        raise InputError(
            f"county {county!r} has month {month} twice",
            file=name,
            row=rows[i],
            column="month",
            zh=f"县区 {county!r} 的 {month} 月出现了两次",
        )
    if out.empty:
        raise InputError("the series has no rows", file=name, zh="序列没有数据行")
    unify_codes(
        [CodeSeen(c, name, r, "district") for c, r in zip(codes, rows) if c],
        what="county",
        fix=SERIES_CODE_FIX,
        fix_zh=SERIES_CODE_FIX_ZH,
    )
    located = out.set_axis(pd.Index(rows, name="row"))
    require_no_totals(located, "county", time="month", counts=counts, file=name)
    out["_row"] = rows
    return out, counts


def _same_code_forms(
    frame: pd.DataFrame, reforms: pd.DataFrame, series_name: str, reforms_name: str
) -> None:
    """Refuse a reform table that writes a county in another form than the series does."""
    if UNIT not in reforms.columns:
        return
    first = frame.drop_duplicates("county")
    seen = [
        CodeSeen(c, series_name, int(r), "district") for c, r in zip(first["county"], first["_row"])
    ]
    for row, value in zip(_row_numbers(reforms), reforms[UNIT]):
        code = _code(value, reforms_name, row, UNIT)
        if code:
            seen.append(CodeSeen(code, reforms_name, row, UNIT))
    unify_codes(seen, what="county", fix=CODE_FIX, fix_zh=CODE_FIX_ZH)


def _first_year(reform: Reform, rule: str | int, name: str) -> int:
    year, month = reform.first_month.year, reform.first_month.month
    if month == 1 or rule == "treat":
        return year
    if rule == "next":
        return year + 1
    if isinstance(rule, int):
        return year if month <= rule else year + 1
    raise InputError(
        f"the reform of {reform.county!r} on {reform.date:%Y-%m-%d} leaves {year} partly treated "
        f"(first treated month {reform.first_month:%Y-%m}); choose partial_year='treat' ({year} "
        f"is the first treated year), 'next' ({year + 1}) or 'cutoff:M'",
        file=name,
        row=reform.row,
        column=REFORM,
        zh=f"{reform.county!r} 于 {reform.date:%Y-%m-%d} 的改革使 {year} 年只有部分月份受处理"
        f"（首个完整处理月为 {reform.first_month:%Y-%m}）；请选择 --partial-year treat（{year} "
        f"为首个处理年）、next（{year + 1}）或 cutoff:M",
    )


def _gaps(frame: pd.DataFrame) -> list[tuple[str, list[pd.Timestamp]]]:
    gaps = []
    for county, group in frame.groupby("county", sort=True):
        present = set(group["month"])
        full = pd.date_range(min(present), max(present), freq="MS")
        missing = [m for m in full if m not in present]
        if missing:
            gaps.append((county, missing))
    return gaps


def build_panel(
    series: pd.DataFrame,
    reforms: pd.DataFrame,
    *,
    frequency: Frequency = "annual",
    partial_year: str = "refuse",
    missing_months: MissingMonths = "refuse",
    series_name: str = "series",
    reforms_name: str = "reforms",
) -> pd.DataFrame:
    """Build the long county panel (see the module text for every rule).

    Parameters
    ----------
    series, reforms
        The monthly series and the reform table (e.g. from :func:`analysis.tables.frame.read_frame`).
    frequency
        ``"annual"`` or ``"monthly"`` periods.
    partial_year
        Annual only: ``refuse``, ``treat``, ``next`` or ``cutoff:M``.
    missing_months
        ``refuse``, ``drop`` (annual: leave incomplete county-years out) or ``keep``.
    series_name, reforms_name
        File names for messages.

    Returns
    -------
    pandas.DataFrame
        One row per county and period.

    Raises
    ------
    InputError
        Refused input, naming the file, row and column.
    UsageError
        Unknown or contradictory options.
    """
    if frequency not in FREQUENCIES:
        raise UsageError(
            f"frequency={frequency!r}: choose annual or monthly",
            zh=f"frequency={frequency!r}：请选择 annual 或 monthly",
        )
    if missing_months not in MISSING_CHOICES:
        raise UsageError(
            f"missing_months={missing_months!r}: choose refuse, drop or keep",
            zh=f"missing_months={missing_months!r}：请选择 refuse、drop 或 keep",
        )
    rule = parse_partial_year(partial_year)
    if frequency == "monthly" and rule != "refuse":
        raise UsageError(
            "partial_year= is for annual panels; monthly panels have no partial year",
            zh="partial_year= 只用于年度面板；月度面板没有不完整的年份",
        )
    if frequency == "monthly" and missing_months == "drop":
        raise UsageError(
            "missing_months='drop' is for annual panels; use refuse or keep",
            zh="missing_months='drop' 只用于年度面板；请使用 refuse 或 keep",
        )
    frame, counts = series_counts(series, series_name)
    _same_code_forms(frame, reforms, series_name, reforms_name)
    found = read_reforms(reforms, set(frame["county"]), reforms_name)
    gaps = _gaps(frame)
    if frequency == "monthly":
        if gaps and missing_months == "refuse":
            county, missing = gaps[0]
            shown = f"{', '.join(f'{m:%Y-%m}' for m in missing[:6])}"
            shown += " ..." if len(missing) > 6 else ""
            raise InputError(
                f"county {county!r} has no row for {shown} ({len(missing)} month(s) missing "
                "inside its span); add them, or pass missing_months='keep' to leave the gaps",
                file=series_name,
                column="month",
                zh=f"县区 {county!r} 缺少 {shown} 的行（其时间范围内缺 {len(missing)} 个月）；"
                "请补上，或用 --missing-months keep 保留缺口",
            )
        firsts = {r.county: r.first_month for r in found}
        panel = frame.drop(columns="_row").sort_values(["county", "month"]).reset_index(drop=True)
        first = panel["county"].map(firsts)
        panel["treated"] = (first.notna() & (panel["month"] >= first)).astype("int64")
        panel["first_treated"] = first.dt.strftime("%Y-%m-%d").fillna("")
        panel["month"] = panel["month"].dt.strftime("%Y-%m-%d")
        return add_shares(panel[["county", "month", "first_treated", "treated", *counts]])
    firsts = {r.county: _first_year(r, rule, reforms_name) for r in found}
    frame["year"] = frame["month"].dt.year
    grouped = frame.groupby(["county", "year"], sort=True)
    panel = grouped[counts].sum().reset_index()
    panel["months"] = grouped.size().to_numpy()
    short = panel[panel["months"] < 12]
    if len(short) and missing_months == "refuse":
        county, year = short["county"].iloc[0], int(short["year"].iloc[0])
        have = set(frame.loc[(frame["county"] == county) & (frame["year"] == year), "month"])
        missing = [
            m for m in pd.date_range(f"{year}-01-01", periods=12, freq="MS") if m not in have
        ]
        shown = ", ".join(f"{m:%Y-%m}" for m in missing)
        raise InputError(
            f"county {county!r} has {12 - len(missing)} of 12 months in {year} (missing "
            f"{shown}); {len(short)} county-year(s) are "
            "incomplete. Add the months, or choose missing_months='drop' (leave incomplete "
            "years out) or 'keep' (sum the months present)",
            file=series_name,
            column="month",
            zh=f"县区 {county!r} 在 {year} 年只有 {12 - len(missing)} 个月（缺 {shown}）；共 "
            f"{len(short)} 个县区-年份不完整。请补上这些月份，或选择 --missing-months drop"
            "（不计不完整的年份）或 keep（按现有月份求和）",
        )
    if gaps and missing_months == "refuse":
        county, missing = gaps[0]
        raise InputError(
            f"county {county!r} has no row for {missing[0]:%Y-%m} to {missing[-1]:%Y-%m} "
            f"({len(missing)} month(s) missing inside its span); add them, or choose "
            "missing_months='drop' or 'keep'",
            file=series_name,
            column="month",
            zh=f"县区 {county!r} 缺少 {missing[0]:%Y-%m} 至 {missing[-1]:%Y-%m} 的行（其时间范围"
            f"内缺 {len(missing)} 个月）；请补上，或选择 --missing-months drop 或 keep",
        )
    if missing_months == "drop":
        panel = panel[panel["months"] == 12]
    panel["first_treated"] = panel["county"].map(firsts).fillna(0).astype("int64")
    treated = (panel["first_treated"] > 0) & (panel["year"] >= panel["first_treated"])
    panel["treated"] = treated.astype("int64")
    columns = ["county", "year", "first_treated", "treated", *counts, "months"]
    return add_shares(panel[columns].reset_index(drop=True))
