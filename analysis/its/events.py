"""Confounding events as data: read them, find those near an intervention, model them.

An events file is a table with one row per dated event that could move the outcome besides the
intervention: ``date``, ``name``, ``kind`` and ``source`` (a citable document) are required;
``key`` (a short identifier used as the interruption's name) and any further columns
(``provenance``, notes) are optional and kept. Dates are written ``YYYY-MM-DD``, ``YYYY-MM``,
``YYYY/MM/DD``, ``2022年12月7日`` / ``2022年12月``, a quarter (``2023Q1``, ``2023年第1季度``)
or a year (``2023``); a quarter or year stands for its first day.

The helpers answer three questions:

* :func:`events_near`: which events fall within ``window`` periods of the intervention;
* :func:`separation_warnings`: which of them the design cannot tell apart from the intervention,
  because no separate interruption models them. The estimated change at the intervention is
  then the *sum* of the intervention's effect and theirs;
* :func:`as_interruptions` and :func:`as_exclusion_windows`: turn events into extra
  interruptions (:class:`analysis.its.interruptions.OtherInterruption`) or into periods to leave out
  (:func:`drop_windows`).

Periods are calendar periods of the series' ``frequency`` (``"month"``, ``"quarter"`` or
``"year"``): an event belongs to the period that contains its date, so an event on 7 December
counts from that month's observation on.

Examples
--------
>>> import pandas as pd
>>> table = pd.DataFrame({"date": ["2019-05-07", "2018-03-19"], "name": ["A", "B"],
...                       "kind": ["policy", "policy"], "source": ["Doc 1", "Doc 2"]})
>>> events = read_events(table)
>>> [e.name for e in events_near(events, "2019-06-01", window=3, frequency="month")]
['A']
>>> separation_warnings(events_near(events, "2019-06-01", 3), "2019-06-01", others=())[0][:39]
'A (2019-05-07) falls 1 month before the'
>>> as_interruptions(events[-1:])[0].text
'a=2019-05-01:level:0:exclude'
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from analysis.its.errors import ITSInputError
from analysis.its.interruptions import OtherInterruption
from analysis.tables.frame import read_frame

Frequency = Literal["month", "quarter", "year"]
FREQUENCIES: tuple[str, ...] = ("month", "quarter", "year")
REQUIRED = ("date", "name", "kind", "source")
_CHINESE = re.compile(r"^\s*(\d{4})\s*年\s*(\d{1,2})\s*月(?:\s*(\d{1,2})\s*日)?\s*$")
_QUARTER = re.compile(r"^\s*(\d{4})\s*(?:[Qq]|年第)\s*([1-4])\s*(?:季度)?\s*$")
_YEAR = re.compile(r"^\s*([12]\d{3})\s*年?\s*$")
_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y-%m", "%Y/%m")


@dataclass(frozen=True)
class Event:
    """One dated event that could move the outcome besides the intervention.

    Attributes
    ----------
    date
        The day it took effect (or was published).
    name, kind, source
        What it is, its kind (e.g. ``"policy"``, ``"epidemic"``) and a citable source.
    key
        Short identifier used as the interruption's name (default: derived from ``name``).
    provenance
        The row's provenance class, when the file gives one.
    """

    date: pd.Timestamp
    name: str
    kind: str
    source: str
    key: str = ""
    provenance: str = ""

    @property
    def label(self) -> str:
        """The interruption name: ``key``, or ``name`` lower-cased with non-alphanumerics as ``_``.

        Examples
        --------
        >>> Event(pd.Timestamp("2019-05-07"), "End of the price freeze", "policy", "x").label
        'end_of_the_price_freeze'
        """
        if self.key:
            return self.key
        slug = re.sub(r"[^a-z0-9]+", "_", self.name.lower()).strip("_")
        return slug or "event"

    @property
    def day(self) -> str:
        """The date as ``YYYY-MM-DD``."""
        return self.date.strftime("%Y-%m-%d")


def parse_date(value: object) -> pd.Timestamp | None:
    """A date from a cell: a timestamp, or text in one of the accepted forms; ``None`` if not.

    Examples
    --------
    >>> parse_date("2019年5月7日"), parse_date("2019-02"), parse_date("5/7/2019")
    (Timestamp('2019-05-07 00:00:00'), Timestamp('2019-02-01 00:00:00'), None)
    """
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.normalize()
    if hasattr(value, "year") and hasattr(value, "month") and hasattr(value, "day"):
        return pd.Timestamp(value).normalize()  # type: ignore[arg-type]
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        value = str(value)
    text = str(value).strip()
    year = _YEAR.match(text)
    if year:
        return pd.Timestamp(year=int(year.group(1)), month=1, day=1)
    quarter = _QUARTER.match(text)
    if quarter:
        return pd.Timestamp(year=int(quarter.group(1)), month=3 * int(quarter.group(2)) - 2, day=1)
    match = _CHINESE.match(text)
    if match:
        year, month, day = (int(g) if g else 1 for g in match.groups())
        try:
            return pd.Timestamp(year=year, month=month, day=day)
        except ValueError:
            return None
    for form in _FORMATS:
        try:
            return pd.to_datetime(text, format=form)
        except ValueError:
            continue
    return None


def read_events(
    source: str | Path | pd.DataFrame, *, file: str | Path | None = None
) -> tuple[Event, ...]:
    """Read an events table (a file through :func:`analysis.tables.frame.read_frame`, or a frame).

    Parameters
    ----------
    source
        A CSV/``.xlsx`` path or a data frame with the columns ``date``, ``name``, ``kind`` and
        ``source`` (``key`` and ``provenance`` are optional).
    file
        How messages name a frame's origin (default: the path, or none).

    Returns
    -------
    tuple of Event
        In date order.

    Raises
    ------
    ITSInputError
        A required column is missing, a date cannot be read, or a name, kind or source is empty;
        the message names the file, the row (as a spreadsheet shows it) and the column.
    """
    if isinstance(source, pd.DataFrame):
        frame, where = source, file
    else:
        frame, where = read_frame(source), source
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise ITSInputError(
            f"the events table has no column {', '.join(map(repr, missing))}; it needs the "
            f"columns {', '.join(REQUIRED)} (columns now: {', '.join(map(str, frame.columns))})",
            file=where,
            row=1 if where is not None else None,
            zh=f"事件表缺少列 {', '.join(map(repr, missing))}；"
            f"需要的列为 {', '.join(REQUIRED)}（现有列：{', '.join(map(str, frame.columns))}）",
        )
    if len(frame) == 0:
        raise ITSInputError("the events table has no rows", file=where, zh="事件表没有任何行")
    events = []
    for label, row in frame.iterrows():
        number = int(label) if isinstance(label, (int, np.integer)) else None

        def refuse(
            message: str, zh: str, column: str, number: int | None = number
        ) -> ITSInputError:
            return ITSInputError(message, file=where, row=number, column=column, zh=zh)

        date = parse_date(row["date"])
        if date is None:
            shown = str(row["date"]).strip()
            raise refuse(
                f"{shown!r} is not a date; write YYYY-MM-DD (e.g. 2022-12-07)",
                f"{shown!r} 不是日期；请写成 YYYY-MM-DD（例如 2022-12-07）",
                "date",
            )
        for column in ("name", "kind", "source"):
            if pd.isna(row[column]) or not str(row[column]).strip():
                what = "a citable source (document, issuer, number)" if column == "source" else ""
                what_zh = "可引用的出处（文件、发文机关、文号）" if column == "source" else ""
                raise refuse(
                    f"the {column} is empty; give {what or 'one'}",
                    f"{column} 为空；请给出{what_zh or '一个值'}",
                    column,
                )
        key = str(row["key"]).strip() if "key" in frame.columns and pd.notna(row["key"]) else ""
        if key and not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", key):
            raise refuse(
                f"key {key!r} must be a letter then letters, digits or _",
                f"key {key!r} 必须以字母开头，其后为字母、数字或 _",
                "key",
            )
        provenance = str(row.get("provenance", "") or "").strip()
        events.append(
            Event(
                date=date,
                name=str(row["name"]).strip(),
                kind=str(row["kind"]).strip(),
                source=str(row["source"]).strip(),
                key=key,
                provenance=provenance,
            )
        )
    labels = [e.label for e in events]
    duplicated = sorted({k for k in labels if labels.count(k) > 1})
    if duplicated:
        raise ITSInputError(
            f"events share the key {', '.join(duplicated)}; give each a distinct 'key'",
            file=where,
            column="key",
            zh=f"多个事件使用了同一个键 {', '.join(duplicated)}；请为每个事件给出不同的 'key'",
        )
    return tuple(sorted(events, key=lambda e: e.date))


def _stamp(value: object, what: str) -> pd.Timestamp:
    stamp = parse_date(value)
    if stamp is None:
        raise ITSInputError(
            f"{what}={value!r} is not a date; events can only be placed on dates",
            zh=f"{what}={value!r} 不是日期；事件只能放在日期上",
        )
    return stamp


def period_index(value: object, frequency: str = "month") -> int:
    """The calendar period number of a date at ``frequency``.

    Examples
    --------
    >>> period_index("2019-06-01") - period_index("2019-05-07")
    1
    >>> period_index("2019-07-23", "quarter") - period_index("2019-05-07", "quarter")
    1
    """
    if frequency not in FREQUENCIES:
        raise ITSInputError(
            f"frequency={frequency!r} is not one of {', '.join(FREQUENCIES)}",
            zh=f"frequency={frequency!r} 不是 {', '.join(FREQUENCIES)} 之一",
        )
    stamp = _stamp(value, "date")
    if frequency == "year":
        return stamp.year
    if frequency == "quarter":
        return stamp.year * 4 + (stamp.month - 1) // 3
    return stamp.year * 12 + stamp.month - 1


def period_start(value: object, frequency: str = "month") -> pd.Timestamp:
    """First day of the period that contains ``value``.

    Examples
    --------
    >>> period_start("2019-05-07"), period_start("2019-05-07", "quarter")
    (Timestamp('2019-05-01 00:00:00'), Timestamp('2019-04-01 00:00:00'))
    """
    stamp = _stamp(value, "date")
    if frequency == "year":
        return pd.Timestamp(year=stamp.year, month=1, day=1)
    if frequency == "quarter":
        return pd.Timestamp(year=stamp.year, month=3 * ((stamp.month - 1) // 3) + 1, day=1)
    period_index(stamp, frequency)  # validates the frequency
    return pd.Timestamp(year=stamp.year, month=stamp.month, day=1)


def _unit(frequency: str, count: int) -> str:
    return f"{count} {frequency}" + ("" if count == 1 else "s")


def events_near(
    events: Iterable[Event], intervention: object, window: int, frequency: str = "month"
) -> tuple[Event, ...]:
    """Events within ``window`` periods (either side, inclusive) of the intervention.

    Parameters
    ----------
    events
        As from :func:`read_events`.
    intervention
        The first post-intervention period, a date.
    window
        Periods either side (0 = the intervention's own period only).
    frequency
        The series' period: ``"month"``, ``"quarter"`` or ``"year"``.
    """
    if window < 0:
        raise ITSInputError(
            f"event window={window} must be >= 0", zh=f"事件窗口 window={window} 必须大于或等于 0"
        )
    at = period_index(_stamp(intervention, "intervention"), frequency)
    return tuple(e for e in events if abs(period_index(e.date, frequency) - at) <= window)


def _span(other: object) -> tuple[object, int, str]:
    """``(at, window, window_kind)`` of an interruption given as an object or a pair."""
    if isinstance(other, tuple):
        return other[-1], 0, "exclude"
    return (
        getattr(other, "at", None),
        int(getattr(other, "window", 0)),
        str(getattr(other, "window_kind", "exclude")),
    )


def _modelled(event: Event, others: Sequence[object], frequency: str) -> bool:
    """Whether another interruption starts in the event's period or excludes it."""
    p = period_index(event.date, frequency)
    for other in others:
        at, window, kind = _span(other)
        start = parse_date(at)
        if start is None:
            continue
        q = period_index(start, frequency)
        if q == p or (kind == "exclude" and q <= p < q + window):
            return True
    return False


def separation_warnings(
    near: Iterable[Event],
    intervention: object,
    others: Sequence[object] = (),
    frequency: str = "month",
) -> list[str]:
    """Warn about events the design cannot separate from the intervention.

    An event is separated when another interruption starts in its period (or an exclusion
    window of one covers it). An event in the intervention's own period can never be
    separated from it by the series alone.

    Parameters
    ----------
    near
        Events near the intervention (:func:`events_near`).
    intervention
        The first post-intervention period, a date.
    others
        The design's further interruptions: :class:`~analysis.its.interruptions.OtherInterruption`
        objects (their exclusion windows count), or ``(name, at)`` pairs.
    frequency
        The series' period.

    Returns
    -------
    list of str
        One sentence per event that is not separated.
    """
    at = period_index(_stamp(intervention, "intervention"), frequency)
    label = period_start(intervention, frequency).strftime("%Y-%m-%d")
    out = []
    for event in near:
        gap = period_index(event.date, frequency) - at
        if gap == 0:
            out.append(
                f"{event.name} ({event.day}) falls in the intervention's own {frequency} "
                f"({label}): no interruption can separate it, so the estimated change at the "
                "intervention includes its effect"
            )
        elif not _modelled(event, others, frequency):
            side = "before" if gap < 0 else "after"
            out.append(
                f"{event.name} ({event.day}) falls {_unit(frequency, abs(gap))} {side} the "
                f"intervention ({label}) and the design has no separate interruption for it: "
                "the estimated change is the sum of both effects"
            )
    return out


def as_interruptions(
    events: Iterable[Event],
    impact: str = "level",
    window: int = 0,
    window_kind: str = "exclude",
    frequency: str = "month",
) -> tuple[OtherInterruption, ...]:
    """Each event as a further interruption from the start of its period.

    Parameters
    ----------
    events
        The events to model.
    impact, window, window_kind
        As for :class:`analysis.its.interruptions.OtherInterruption`.
    frequency
        The series' period; ``at`` is the period's first day (``YYYY-MM-DD``) for months and
        quarters, the year (``YYYY``) for years.
    """
    out = []
    for event in events:
        start = period_start(event.date, frequency)
        at = str(start.year) if frequency == "year" else start.strftime("%Y-%m-%d")
        out.append(
            OtherInterruption(
                at=at,
                name=event.label,
                impact=impact,  # type: ignore[arg-type]
                window=window,
                window_kind=window_kind,  # type: ignore[arg-type]
            )
        )
    return tuple(out)


def as_exclusion_windows(
    events: Iterable[Event], length: int, frequency: str = "month"
) -> tuple[tuple[pd.Timestamp, pd.Timestamp], ...]:
    """The periods to leave out for each event: ``length`` periods from the event's period.

    Returns
    -------
    tuple of (first, last)
        First days of the first and last excluded periods, per event.

    Examples
    --------
    >>> e = Event(pd.Timestamp("2019-12-22"), "wave", "epidemic", "report")
    >>> [(a.strftime("%Y-%m"), b.strftime("%Y-%m")) for a, b in as_exclusion_windows([e], 2)]
    [('2019-12', '2020-01')]
    """
    if length < 1:
        raise ITSInputError(
            f"exclusion length={length} must be >= 1 period",
            zh=f"排除长度 length={length} 必须至少为 1 个时期",
        )
    months = {"month": 1, "quarter": 3, "year": 12}[frequency]
    out = []
    for event in events:
        first = period_start(event.date, frequency)
        out.append((first, first + pd.DateOffset(months=months * (length - 1))))
    return tuple(out)


def drop_windows(
    data: pd.DataFrame, time: str, windows: Iterable[tuple[object, object]]
) -> pd.DataFrame:
    """``data`` without the rows whose time lies in any ``(first, last)`` window (inclusive).

    The time column holds dates (or date text: ``YYYY-MM-DD``, ``YYYY-MM``, ``2023年1月``,
    quarters) or years as numbers; other numbers (month counters, ``YYYYMM``) are refused.
    """
    if time not in data.columns:
        raise ITSInputError(f"time={time!r} is not a column", zh=f"time={time!r} 不是数据中的列")
    values = data[time]
    numeric = pd.api.types.is_numeric_dtype(values)
    if numeric:
        t = values.astype(float)
        if ((t < 1000) | (t > 2999)).any():
            raise ITSInputError(
                f"time column '{time}' holds numbers that are not years (e.g. "
                f"{t[(t < 1000) | (t > 2999)].iloc[0]:g}); exclusion windows need dates or years",
                column=time,
                zh=f"时间列 '{time}' 中的数字不是年份"
                f"（例如 {t[(t < 1000) | (t > 2999)].iloc[0]:g}）；"
                "排除窗口需要日期或年份",
            )
    else:
        parsed = [parse_date(v) for v in values]
        if any(p is None for p in parsed):
            bad = next(v for v, p in zip(values, parsed, strict=True) if p is None)
            raise ITSInputError(
                f"time value {bad!r} is not a date", column=time, zh=f"时间值 {bad!r} 不是日期"
            )
        t = pd.Series(parsed, index=data.index)
    drop = pd.Series(False, index=data.index)
    for first, last in windows:
        if numeric:
            lo, hi = (float(getattr(v, "year", v)) for v in (first, last))  # type: ignore[arg-type]
            drop |= (t >= lo) & (t <= hi)
        else:
            drop |= (t >= _stamp(first, "window")) & (t <= _stamp(last, "window"))
    return data.loc[~drop]
