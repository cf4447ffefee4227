"""Read a time column as users write it, and turn it into positions on one calendar axis.

Accepted forms (``time_format="auto"`` recognises each; name one to force it):

========== ============================================== ================ ==========
format     examples                                       unit             position
========== ============================================== ================ ==========
``month``  ``2021-03-01``, ``2021-03``, ``2021/3``,       ``month``        12 y + m - 1
           ``2021年3月``, Excel dates
``yyyymm`` the integers ``202103``, ``202212``             ``month``        12 y + m - 1
``quarter`` ``2023Q1``, ``2023-Q1``, ``2023年第1季度``,     ``quarter``      4 y + q - 1
           ``2023年1季度``
``year``   ``2017``, ``2023年``                            ``year``         y
``number`` any other numbers (month counters, ...)        ``unit``         the number
========== ============================================== ================ ==========

``202101`` read as a number is 202101, so December 2020 (202012) to January 2021 would count
as 89 periods. Six-digit integers that are all valid ``YYYYMM`` values are therefore read as
months only when the series crosses a year boundary (which a counter would not do in steps of
89); if every value lies within one year the column is ambiguous and is refused with the fix
(``time_format="yyyymm"`` or ``"number"``). The same goes for eight-digit ``YYYYMMDD``
integers, which are refused unless ``time_format="month"`` is given.

Labels are read after folding full-width characters and Excel's text wrappers
(``2018．01``, ``２０２１年３月``, ``="2021-03"``). ``YYYY.MM`` labels are months (``2018.10`` is
October: :func:`analysis.tables.frame.read_frame` keeps such a column as text so that it does
not become the number 2018.1). Whole numbers from 20000 to 80000 that all fall on the same day
of a month, or a month apart, are Excel's serial day numbers of dates (a date column exported
without its format) and are read as months.

Messages quote the user's own labels (``2021年3月``), never internal positions, and name the
row and the column.

Examples
--------
>>> parse_time(["2021年3月", "2021年4月"]).positions.tolist()
[24254.0, 24255.0]
>>> parse_time([202011, 202012, 202101]).positions.tolist()
[24250.0, 24251.0, 24252.0]
>>> parse_time(["2023Q4", "2024Q1"]).unit
'quarter'
>>> parse_point("2024年第1季度", "quarter")
8096.0
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.errors import InputError
from analysis.tables.identity import unwrap_cell


class TimeLabelError(InputError):
    """A time label that cannot be placed on the calendar axis (the message quotes it)."""


EXCEL_EPOCH = dt.date(1899, 12, 30)
SERIAL_RANGE = (20000, 80000)
"""Excel serial day numbers read as dates: 1954-10-03 to 2119-01-10, as the pipeline does."""


def _fold(text: str) -> str:
    """A label as it is parsed: full width folded, Excel's wrappers removed."""
    return unicodedata.normalize("NFKC", unwrap_cell(text)).strip()


def excel_serial_dates(values: Sequence[object]) -> list[pd.Timestamp] | None:
    """The dates of Excel serial day numbers, or ``None`` when the values are not such.

    Every value must be a whole number in :data:`SERIAL_RANGE`, and the dates must all fall
    on one day of the month or be a month apart (28 to 31 days): a counter or a count in that
    range would not.

    Examples
    --------
    >>> [d.strftime("%Y-%m-%d") for d in excel_serial_dates([45292, 45323, 45352])]
    ['2024-01-01', '2024-02-01', '2024-03-01']
    >>> excel_serial_dates([30001, 30002, 30003]) is None
    True
    """
    numbers = []
    for value in values:
        try:
            number = float(_fold(as_text(value)))
        except ValueError:
            return None
        if not number.is_integer() or not SERIAL_RANGE[0] <= number < SERIAL_RANGE[1]:
            return None
        numbers.append(int(number))
    if not numbers:
        return None
    dates = [pd.Timestamp(EXCEL_EPOCH + dt.timedelta(days=n)) for n in numbers]
    steps = np.diff(sorted(set(numbers)))
    if len({d.day for d in dates}) == 1 or (steps.size and ((steps >= 28) & (steps <= 31)).all()):
        return dates
    return None


TIME_FORMATS: tuple[str, ...] = ("auto", "number", "year", "yyyymm", "month", "quarter")
UNIT_OF_FORMAT = {
    "number": "unit",
    "year": "year",
    "yyyymm": "month",
    "month": "month",
    "quarter": "quarter",
}

_QUARTER = re.compile(
    r"^\s*(\d{4})\s*(?:[-_ /]?\s*[Qq]\s*([1-4])|年\s*第?\s*([1-4一二三四])\s*季度?)\s*$"
)
_QUARTER_LEADING = re.compile(r"^\s*[Qq]([1-4])[-_ /]?(\d{4})\s*$")
_CN_MONTH = re.compile(r"^\s*(\d{4})\s*年\s*(\d{1,2})\s*月(?:\s*(\d{1,2})\s*日)?\s*$")
_YEAR_MONTH = re.compile(r"^\s*(\d{4})\s*[-/.]\s*(\d{1,2})(?:\s*[-/.]\s*(\d{1,2}))?(?:[T ].*)?\s*$")
_CN_YEAR = re.compile(r"^\s*(\d{4})\s*年\s*$")
_CN_DIGIT = {"一": 1, "二": 2, "三": 3, "四": 4}


@dataclass(frozen=True)
class TimeAxis:
    """A parsed time column.

    Attributes
    ----------
    positions
        One number per row: calendar months ``12 y + m - 1``, quarters ``4 y + q - 1``, years,
        or the numbers as given.
    unit
        ``"month"``, ``"quarter"``, ``"year"`` or ``"unit"`` (plain numbers).
    time_format
        The format used (``"month"``, ``"yyyymm"``, ``"quarter"``, ``"year"``, ``"number"``).
    labels
        The values as the user wrote them (for messages and tables).
    """

    positions: np.ndarray
    unit: str
    time_format: str
    labels: tuple[str, ...]

    def label(self, position: float) -> str:
        """The user's label of ``position`` if a row has it, else a canonical label."""
        hits = np.flatnonzero(np.isclose(self.positions, position))
        if hits.size:
            return self.labels[int(hits[0])]
        return label_of(position, self.unit)


def as_text(value: object) -> str:
    """A cell as text; whole floats lose their ``.0`` (``3.0`` -> ``'3'``)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d")  # type: ignore[attr-defined]
    return str(value).strip()


def _month_position(year: int, month: int, text: str, what: str) -> float:
    if not 1 <= month <= 12:
        raise TimeLabelError(
            f"{what}: {text!r} has month {month}, which is not 1 to 12",
            zh=f"{what}：{text!r} 的月份是 {month}，不在 1 到 12 之间",
        )
    return float(12 * year + month - 1)


def _parse_one(value: object, fmt: str, what: str) -> float:
    """Parse one value in an explicit format (not ``auto``)."""
    if isinstance(value, (pd.Timestamp, np.datetime64)) or hasattr(value, "strftime"):
        stamp = pd.Timestamp(value)  # type: ignore[arg-type]
        if fmt == "quarter":
            return float(4 * stamp.year + (stamp.month - 1) // 3)
        if fmt == "year":
            return float(stamp.year)
        return float(12 * stamp.year + stamp.month - 1)
    written = as_text(value)
    text = _fold(written)
    if fmt == "number":
        try:
            return float(text)
        except ValueError:
            hint = ""
            if _kind(text) in ("month", "quarter", "year"):
                hint = (
                    "; the time column holds plain numbers, so give the time as one of "
                    "them (or write the time column as dates)"
                )
            raise TimeLabelError(
                f"{what}: {written!r} is not a number{hint}",
                zh=f"{what}：{written!r} 不是数字"
                + (
                    "；时间列是普通数字，请用同样的数字表示时间（或把时间列写成日期）"
                    if hint
                    else ""
                ),
            ) from None
    if fmt == "year":
        match = _CN_YEAR.match(text)
        if match:
            return float(match.group(1))
        if re.fullmatch(r"\d{4}", text):
            return float(text)
        raise TimeLabelError(
            f"{what}: {written!r} is not a year such as 2017 or 2017年",
            zh=f"{what}：{written!r} 不是年份（如 2017 或 2017年）",
        )
    if fmt == "yyyymm":
        if not re.fullmatch(r"\d{6}", text):
            raise TimeLabelError(
                f"{what}: {written!r} is not a YYYYMM integer such as 202103",
                zh=f"{what}：{written!r} 不是 YYYYMM 形式的整数（如 202103）",
            )
        return _month_position(int(text[:4]), int(text[4:]), written, what)
    if fmt == "quarter":
        match = _QUARTER.match(text)
        if match:
            q = match.group(2) or match.group(3)
            quarter = _CN_DIGIT.get(q, None) or int(q)
            return float(4 * int(match.group(1)) + quarter - 1)
        match = _QUARTER_LEADING.match(text)
        if match:
            return float(4 * int(match.group(2)) + int(match.group(1)) - 1)
        match = _CN_MONTH.match(text) or _YEAR_MONTH.match(text)
        if match:  # a date names the quarter that contains it
            month = _month_position(int(match.group(1)), int(match.group(2)), written, what)
            return float(4 * (month // 12) + (month % 12) // 3)
        raise TimeLabelError(
            f"{what}: {written!r} is not a quarter such as 2023Q1, 2023-Q1 or 2023年第1季度",
            zh=f"{what}：{written!r} 不是季度（如 2023Q1、2023-Q1 或 2023年第1季度）",
        )
    # month
    for pattern in (_CN_MONTH, _YEAR_MONTH):
        match = pattern.match(text)
        if match:
            return _month_position(int(match.group(1)), int(match.group(2)), written, what)
    if re.fullmatch(r"\d{8}", text):
        return _month_position(int(text[:4]), int(text[4:6]), written, what)
    if re.fullmatch(r"\d{6}", text):
        return _month_position(int(text[:4]), int(text[4:]), written, what)
    serial = excel_serial_dates([text])
    if serial:
        return float(12 * serial[0].year + serial[0].month - 1)
    raise TimeLabelError(
        f"{what}: {written!r} is not a month such as 2021-03, 2021-03-01, 202103 or 2021年3月",
        zh=f"{what}：{written!r} 不是月份（如 2021-03、2021-03-01、202103 或 2021年3月）",
    )


def _kind(text: str) -> str | None:
    """The form of one value: quarter, month, year (``2023年``), number, or ``None``."""
    text = _fold(text)
    if _QUARTER.match(text) or _QUARTER_LEADING.match(text):
        return "quarter"
    if _CN_MONTH.match(text) or _YEAR_MONTH.match(text):
        return "month"
    if _CN_YEAR.match(text):
        return "year"
    try:
        float(text)
    except ValueError:
        return None
    return "number"


def _guess(
    texts: list[str], name: str, rows: Sequence[object] | None = None
) -> tuple[str, str | None]:
    """The format of a column's values (``auto``), and a notice if the choice needs one."""
    kinds = [_kind(t) for t in texts]
    known = [k for k in kinds if k is not None]
    if known and len(set(kinds)) == 1 and kinds[0] != "number":
        return str(kinds[0]), None
    if len(set(kinds)) > 1 or not known:
        majority = max(set(known), key=known.count) if known else None
        i = next((i for i, k in enumerate(kinds) if k != majority), 0)
        row = rows[i] if rows is not None else i
        raise TimeLabelError(
            f"cannot read {texts[i]!r} as a time like the other rows; write months as "
            "2021-03, 2021-03-01, 202103 or 2021年3月, quarters as 2023Q1 or 2023年第1季度, "
            "years as 2023, or plain numbers",
            row=row,  # type: ignore[arg-type]
            column=name,
            zh=f"无法把 {texts[i]!r} 按其他行的方式读作时间；月份请写作 2021-03、2021-03-01、"
            "202103 或 2021年3月，季度写作 2023Q1 或 2023年第1季度，年份写作 2023，或写普通数字",
        )
    if excel_serial_dates(texts) is not None:
        return "month", (
            f"time column '{name}' read as Excel serial dates (e.g. {texts[0]} is "
            f"{excel_serial_dates(texts[:1])[0]:%Y-%m-%d}); give time_format='number' if they "  # type: ignore[index]
            "are plain numbers"
        )
    numbers = pd.to_numeric(pd.Series([_fold(t) for t in texts]), errors="coerce")
    values = numbers.to_numpy(dtype=float)
    integers = bool(np.all(np.isclose(values, np.round(values))))
    if integers and np.all((values >= 100001) & (values <= 999912)):
        months = np.mod(np.round(values).astype(int), 100)
        if np.all((months >= 1) & (months <= 12)):
            years = np.round(values).astype(int) // 100
            if np.unique(years).size > 1:
                return "yyyymm", (
                    f"time column '{name}' read as YYYYMM months (e.g. {texts[0]} is "
                    f"{label_of(_parse_one(texts[0], 'yyyymm', name), 'month')}); give "
                    "time_format='number' if they are plain numbers"
                )
            raise TimeLabelError(
                f"time column '{name}' holds six-digit integers such as {texts[0]} that are "
                "either YYYYMM months or plain numbers; say which with --time-format yyyymm "
                "or --time-format number",
                column=name,
                zh=f"时间列 '{name}' 是六位整数（如 {texts[0]}），既可能是 YYYYMM 月份也可能是"
                "普通数字；请用 --time-format yyyymm 或 --time-format number 说明",
            )
    if integers and np.all((values >= 10000101) & (values <= 99991231)):
        raise TimeLabelError(
            f"time column '{name}' holds eight-digit integers such as {texts[0]} that look like "
            "YYYYMMDD dates; say --time-format month to read them as months, or --time-format "
            "number for plain numbers",
            column=name,
            zh=f"时间列 '{name}' 是八位整数（如 {texts[0]}），像 YYYYMMDD 日期；请用 "
            "--time-format month 读作月份，或 --time-format number 读作普通数字",
        )
    if integers and np.all((values >= 1800) & (values <= 2200)):
        return "year", None
    return "number", None


def parse_time(
    values: pd.Series | Sequence[object],
    time_format: str = "auto",
    name: str = "time",
    rows: Sequence[object] | pd.Index | None = None,
) -> TimeAxis:
    """Parse a time column.

    Parameters
    ----------
    values
        The column (any of the forms in the module docstring; datetimes too).
    time_format
        ``"auto"`` or one of ``number``, ``year``, ``yyyymm``, ``month``, ``quarter``.
    name
        Column name for messages.
    rows
        Row labels for messages (spreadsheet row numbers for files read by ``read_frame``).

    Returns
    -------
    TimeAxis
        Positions, unit, format and the user's labels; ``notice`` cases (YYYYMM read as
        months) are reported by :func:`format_notice`.

    Raises
    ------
    TimeLabelError
        Missing values, unreadable or ambiguous values, or a value in the wrong format.
    """
    if time_format not in TIME_FORMATS:
        raise TimeLabelError(
            f"time_format={time_format!r} is not one of {', '.join(TIME_FORMATS)}",
            zh=f"time_format={time_format!r} 不是以下之一：{', '.join(TIME_FORMATS)}",
        )
    series = pd.Series(list(values), dtype=object)
    row_labels = list(rows) if rows is not None else list(range(len(series)))
    missing = np.flatnonzero(
        series.map(
            lambda v: v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NaT
        ).to_numpy(dtype=bool)
        | series.map(lambda v: isinstance(v, str) and not v.strip()).to_numpy(dtype=bool)
    )
    if missing.size:
        raise TimeLabelError(
            "the time is empty; every row needs a time",
            row=row_labels[int(missing[0])],
            column=name,
            zh="时间为空；每一行都需要时间",
        )
    texts = [as_text(v) for v in series]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        datetimes = bool(len(series)) and all(
            isinstance(v, (pd.Timestamp, np.datetime64)) or hasattr(v, "strftime") for v in series
        )
    fmt = time_format
    if fmt == "auto":
        fmt = "month" if datetimes else _guess(texts, name, row_labels)[0]
    positions = []
    for i, value in enumerate(series):
        try:
            positions.append(_parse_one(value, fmt, "time"))
        except TimeLabelError as error:
            message = error.message.removeprefix("time: ")
            raise TimeLabelError(
                message,
                row=row_labels[i],
                column=name,
                zh=(error.message_zh or message).removeprefix("time："),
            ) from None
    if fmt == "month" and not datetimes:
        serial = excel_serial_dates(texts)
        if serial is not None:  # show the dates the user sees in Excel, not day numbers
            texts = [f"{d:%Y-%m-%d}" for d in serial]
    return TimeAxis(
        positions=np.asarray(positions, dtype=float),
        unit=UNIT_OF_FORMAT[fmt],
        time_format=fmt,
        labels=tuple(texts),
    )


def format_notice(values: pd.Series | Sequence[object], name: str = "time") -> str | None:
    """The notice ``auto`` parsing gives for a column (``None`` when nothing needs saying)."""
    texts = [as_text(v) for v in values]
    if not texts or any(hasattr(v, "strftime") for v in values):
        return None
    try:
        return _guess(texts, name)[1]
    except TimeLabelError:
        return None


def parse_point(value: object, unit: str, what: str | None = None, time_format: str = "") -> float:
    """Position of one time (an intervention, an event) on a column's axis.

    Parameters
    ----------
    value
        As the user writes it: any form that names a time of that unit (a month may be given
        as ``2021-03``, ``2021-03-01``, ``202103`` or ``2021年3月`` whatever the column's form).
    unit
        The column's unit (:attr:`TimeAxis.unit`).
    what
        How messages name the value.
    time_format
        The column's format; ``"number"`` columns take numbers only.

    Examples
    --------
    >>> parse_point("2021-03", "month") == parse_point(202103, "month")
    True
    >>> parse_point(1989, "year")
    1989.0
    >>> parse_point("2024-02-15", "quarter") == parse_point("2024Q1", "quarter")
    True
    """
    what = what or f"intervention={value!r}"
    if unit == "unit":
        return _parse_one(value, "number", what)
    if unit == "year":
        if hasattr(value, "strftime"):
            return float(value.year)  # type: ignore[attr-defined]
        return _parse_one(value, "year", what)
    if unit == "quarter":
        return _parse_one(value, "quarter", what)
    return _parse_one(value, "month", what)


def label_of(position: float, unit: str) -> str:
    """Canonical label of a position (``YYYY-MM``, ``YYYYQn``, the year or the number).

    Examples
    --------
    >>> label_of(24254.0, "month"), label_of(8096.0, "quarter"), label_of(2021.0, "year")
    ('2021-03', '2024Q1', '2021')
    """
    if unit == "month":
        year, month = divmod(round(position), 12)
        return f"{year:04d}-{month + 1:02d}"
    if unit == "quarter":
        year, quarter = divmod(round(position), 4)
        return f"{year:04d}Q{quarter + 1}"
    return f"{position:g}"


def timestamp_of(position: float, unit: str) -> pd.Timestamp | None:
    """First day of the period at ``position`` (``None`` for plain numbers).

    Examples
    --------
    >>> timestamp_of(24254.0, "month")
    Timestamp('2021-03-01 00:00:00')
    """
    if unit == "month":
        year, month = divmod(round(position), 12)
        return pd.Timestamp(year=year, month=month + 1, day=1)
    if unit == "quarter":
        year, quarter = divmod(round(position), 4)
        return pd.Timestamp(year=year, month=3 * quarter + 1, day=1)
    if unit == "year":
        return pd.Timestamp(year=round(position), month=1, day=1)
    return None
