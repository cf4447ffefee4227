"""Input errors raised by the ITS engine.

Every check raises :class:`ITSInputError` with a one-line message that names the column or
value at fault, so the command line can print it without a traceback.

Examples
--------
>>> from analysis.its.errors import ITSInputError, require_increasing
>>> require_increasing([1.0, 2.0, 2.0], "year")
Traceback (most recent call last):
...
analysis.its.errors.ITSInputError: time column 'year' must strictly increase (row 2: 2.0 after 2.0)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.errors import InputError


class ITSInputError(InputError):
    """Bad input to an interrupted-time-series analysis (one-line, user-facing message)."""


def _row(rows: Sequence[object] | pd.Index | None, i: int) -> object:
    """The label of row ``i``: the data's index (spreadsheet row numbers for files read by
    :func:`analysis.tables.frame.read_frame`), or the position when no index is given."""
    return i if rows is None else rows[i]


def require_increasing(
    values: Sequence[float] | np.ndarray, name: str, rows: Sequence[object] | pd.Index | None = None
) -> None:
    """Raise unless ``values`` strictly increase.

    Parameters
    ----------
    values
        Numeric time positions in row order.
    name
        Column name used in the message.
    rows
        Row labels used in the message (default: positions).
    """
    arr = np.asarray(values, dtype=float)
    steps = np.diff(arr)
    bad = np.flatnonzero(~(steps > 0))
    if bad.size:
        i = int(bad[0]) + 1
        raise ITSInputError(
            f"time column '{name}' must strictly increase (row {_row(rows, i)}: {arr[i]} "
            f"after {arr[i - 1]})",
            zh=f"时间列 '{name}' 必须严格递增（第 {_row(rows, i)} 行："
            f"{arr[i]} 在 {arr[i - 1]} 之后）",
        )


def require_no_missing(
    values: np.ndarray, name: str, rows: Sequence[object] | pd.Index | None = None
) -> None:
    """Raise if ``values`` holds NaN or infinity.

    Parameters
    ----------
    values
        Column values.
    name
        Column name used in the message.
    rows
        Row labels used in the message (default: positions).
    """
    arr = np.asarray(values, dtype=float)
    missing = np.flatnonzero(~np.isfinite(arr))
    if missing.size:
        raise ITSInputError(
            f"column '{name}' has {missing.size} missing or non-finite value(s), first at row "
            f"{_row(rows, int(missing[0]))}; impute or drop them explicitly before the analysis",
            zh=f"列 '{name}' 有 {missing.size} 个缺失或非有限值，首个在第 "
            f"{_row(rows, int(missing[0]))} 行；请在分析前明确插补或删除这些值",
        )


def require_positive(
    values: np.ndarray, name: str, rows: Sequence[object] | pd.Index | None = None
) -> None:
    """Raise unless every exposure value is strictly positive (its log is the offset).

    Parameters
    ----------
    values
        Exposure values.
    name
        Column name used in the message.
    rows
        Row labels used in the message (default: positions).
    """
    arr = np.asarray(values, dtype=float)
    bad = np.flatnonzero(~(arr > 0))
    if bad.size:
        raise ITSInputError(
            f"exposure column '{name}' must be > 0 (row {_row(rows, int(bad[0]))} is {arr[bad[0]]})",
            zh=f"暴露量列 '{name}' 必须大于 0（第 {_row(rows, int(bad[0]))} 行为 {arr[bad[0]]}）",
        )


def require_share_range(
    numerator: np.ndarray,
    denominator: np.ndarray | None,
    name: str,
    rows: Sequence[object] | pd.Index | None = None,
) -> None:
    """Raise unless ``numerator/denominator`` (or ``numerator`` alone) lies in [0, 1].

    Parameters
    ----------
    numerator
        Counts, or proportions when ``denominator`` is ``None``.
    denominator
        Totals, or ``None``.
    name
        Outcome column name used in the message.
    rows
        Row labels used in the message (default: positions).
    """
    num = np.asarray(numerator, dtype=float)
    if denominator is None:
        share = num
    else:
        den = np.asarray(denominator, dtype=float)
        bad_den = np.flatnonzero(~(den > 0))
        if bad_den.size:
            raise ITSInputError(
                f"denominator must be > 0 for outcome '{name}' (row "
                f"{_row(rows, int(bad_den[0]))} is {den[bad_den[0]]})",
                zh=f"结局变量 '{name}' 的分母必须大于 0（第 "
                f"{_row(rows, int(bad_den[0]))} 行为 {den[bad_den[0]]}）",
            )
        share = num / den
    bad = np.flatnonzero((share < 0) | (share > 1))
    if bad.size:
        raise ITSInputError(
            f"share '{name}' out of range [0, 1] at row {_row(rows, int(bad[0]))} "
            f"({share[bad[0]]:.6g}); for a binomial outcome give counts with denominator=..., "
            "or proportions in [0, 1]",
            zh=f"比例 '{name}' 在第 {_row(rows, int(bad[0]))} 行超出 [0, 1] 范围"
            f"（{share[bad[0]]:.6g}）；二项结局请给出计数并指定 denominator=...，"
            "或给出 [0, 1] 之间的比例",
        )
