"""Checks every command applies to the columns it analyses, so that one rule holds everywhere.

- :func:`numeric_values`: a column the analysis needs as numbers; a cell that is not one is
  named in those words (``'abc' is not a number``), never "missing";
- :func:`require_one_share_scale`: shares written as proportions (0-1) in some rows or units
  and as percent (0-100) in others are refused, quoting one value of each with its row;
- :func:`require_no_totals`: a total row (``合计``, ``全市``, ``Total``...) or a unit whose counts
  are the sum of the other units' in every period is refused as a unit: it would count the
  same people twice and be its own control;
- :func:`unit_codes`: a unit column cleaned with :func:`analysis.tables.identity.canonical_code`
  and checked with :func:`analysis.tables.identity.unify_codes` (``420101`` and ``420101000``
  in one run are refused, naming both forms).

Which columns are shares (the rule of :func:`is_share_column`): a column whose name says so
(``share``, ``rate``, ``ratio``, ``proportion``, ``percent``, ``pct``, ``占比``, ``比例``, ``比重``,
``率``), a column written with ``%`` (``frame.attrs["percent_columns"]`` of
:func:`analysis.tables.frame.read_frame`), or any column whose values all lie in [0, 100]. The
scale check then refuses only a clear two-scale pattern: values at most 1 that include a
fraction (0.45) next to values above 1 that are all at least ten times the largest of them,
with medians 20 to 500 times apart (45.3). Counts (whole numbers), a series that rises
through 1 (0.3, 0.8, 2.1, ...) and a percent series that merely dips below 1 % pass.

Examples
--------
>>> import pandas as pd
>>> frame = pd.DataFrame({"unit": ["a", "a", "b", "b"], "share": [0.41, 0.44, 40.2, 43.9]},
...                      index=pd.Index([2, 3, 4, 5], name="row"))
>>> require_one_share_scale(frame, "share", unit="unit")
Traceback (most recent call last):
...
analysis.errors.InputError: row 2, column 'share': the shares are on two scales: proportions (0-1) such as 0.41 (row 2, unit 'a') and percent (0-100) such as 40.2 (row 4, unit 'b'); write every value on one scale (e.g. 0.41 as 41 in percent)
>>> is_total_label(" 合 计 "), is_total_label("全市合计"), is_total_label("武汉市")
(True, True, False)
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.errors import InputError
from analysis.tables.identity import (
    CodeSeen,
    canonical_code,
    cell_code,
    is_total_label,
    normal_key,
    unify_codes,
    unwrap_cell,
)
from analysis.tables.numbers import not_a_number, not_a_number_zh, parse_number

_SHARE_WORDS = re.compile(r"share|rate|ratio|proportion|percent|pct|占比|比例|比重|率|％|%")
SCALE_GAP = 10.0
"""Percent values must exceed the largest proportion by this factor to call it two scales."""
SCALE_RATIO = (20.0, 500.0)
"""Range of median(percent) / median(proportion) read as one quantity on two scales (~100)."""


def _source(frame: pd.DataFrame) -> str | None:
    return frame.attrs.get("source")


def _rows(frame: pd.DataFrame) -> list[object]:
    # read_frame's index holds spreadsheet row numbers; a plain frame gets header = row 1
    if frame.index.name == "row":
        return list(frame.index)
    return list(range(2, len(frame) + 2))


def numeric_values(
    frame: pd.DataFrame, column: str, *, allow_missing: bool = True, file: str | None = None
) -> np.ndarray:
    """``column`` as floats (NaN for empty cells), refusing a cell that is not a number.

    Raises
    ------
    InputError
        ``FILE: row N, column 'C': 'abc' is not a number`` (or, without ``allow_missing``,
        that a cell is empty).

    Examples
    --------
    >>> import pandas as pd
    >>> numeric_values(pd.DataFrame({"y": ["'46.1", "45.3%", None]}), "y").tolist()
    [46.1, 45.3, nan]
    >>> numeric_values(pd.DataFrame({"y": ["1", "abc"]}), "y")
    Traceback (most recent call last):
    ...
    analysis.errors.InputError: row 3, column 'y': 'abc' is not a number; write a number there \
(or leave the cell empty if the value is missing)
    """
    file = file or _source(frame)
    values = frame[column]
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        numbers = values.to_numpy(dtype=float)
        infinite = np.flatnonzero(np.isinf(numbers))
        if infinite.size:
            cell = numbers[infinite[0]]
            raise InputError(
                f"{cell} is not a finite number; write the value, or leave the cell empty",
                file=file,
                row=_rows(frame)[int(infinite[0])],  # type: ignore[arg-type]
                column=column,
                zh=f"{cell} 不是有限的数字；请填写数值，或留空",
            )
        if not allow_missing and np.isnan(numbers).any():
            first = int(np.flatnonzero(np.isnan(numbers))[0])
            raise InputError(
                "the cell is empty; every row needs a value",
                file=file,
                row=_rows(frame)[first],  # type: ignore[arg-type]
                column=column,
                zh="单元格为空；每一行都需要数值",
            )
        return numbers
    rows = _rows(frame)
    out = np.full(len(frame), np.nan)
    for i, cell in enumerate(frame[column].tolist()):
        if cell is None or (isinstance(cell, float) and np.isnan(cell)):
            blank = True
        elif isinstance(cell, str) and not unwrap_cell(cell):
            blank = True
        else:
            blank = False
        if blank:
            if not allow_missing:
                raise InputError(
                    "the cell is empty; every row needs a value",
                    file=file,
                    row=rows[i],  # type: ignore[arg-type]
                    column=column,
                    zh="单元格为空；每一行都需要数值",
                )
            continue
        number = parse_number(cell)
        if number is None:
            raise InputError(
                f"{not_a_number(cell)}; write a number there (or leave the cell empty if the "
                "value is missing)",
                file=file,
                row=rows[i],  # type: ignore[arg-type]
                column=column,
                zh=f"{not_a_number_zh(cell)}；请在此填写数字（缺失值请留空）",
            )
        out[i] = number.value
    return out


def _number_or_none(cell: object) -> object:
    if cell is None or (isinstance(cell, float) and np.isnan(cell)):
        return None
    return parse_number(cell)


def is_share_name(column: str) -> bool:
    """Whether a column's *name* says it holds shares (the first part of the module's rule).

    For callers that must decide before the values are read, e.g. whether a ``%`` cell is a
    share written in percent or a typo in a count.

    Examples
    --------
    >>> is_share_name("visit_share"), is_share_name("基层就诊占比"), is_share_name("visits")
    (True, True, False)
    """
    return bool(_SHARE_WORDS.search(normal_key(column)))


def is_share_column(frame: pd.DataFrame, column: str, values: np.ndarray | None = None) -> bool:
    """Whether ``column`` is a share by the module's rule (name, ``%`` cells, or 0-100 values).

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"基层就诊占比": [1.0], "visits": [250.0], "y": [3.5]})
    >>> is_share_column(f, "基层就诊占比"), is_share_column(f, "visits"), is_share_column(f, "y")
    (True, False, True)
    """
    if _SHARE_WORDS.search(normal_key(column)):
        return True
    if column in frame.attrs.get("percent_columns", ()):
        return True
    if values is None:
        values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)
    finite = values[np.isfinite(values)]
    return bool(finite.size) and bool(((finite >= 0) & (finite <= 100)).all())


def _two_scales(low: np.ndarray, high: np.ndarray) -> bool:
    """Proportions next to percent: fractions in (0, 1), a clear gap to the values above 1
    (the smallest at least :data:`SCALE_GAP` times the largest fraction), and medians about
    a hundred apart (:data:`SCALE_RATIO`). A series that rises through 1 has no gap."""
    fractions = low[(low > 0) & (low < 1)]
    if not (fractions.size and high.size):
        return False
    ratio = float(np.median(high) / np.median(fractions))
    return (
        bool(np.max(low) * SCALE_GAP < np.min(high)) and SCALE_RATIO[0] <= ratio <= SCALE_RATIO[1]
    )


def require_one_share_scale(
    frame: pd.DataFrame,
    column: str,
    *,
    unit: str | None = None,
    file: str | None = None,
    values: np.ndarray | None = None,
) -> None:
    """Refuse a share column written as proportions (0-1) in some rows or units and as
    percent (0-100) in others. Columns that are not shares (:func:`is_share_column`) pass.

    Parameters
    ----------
    frame
        The table (``read_frame``'s index gives spreadsheet rows in the message).
    column
        The share column.
    unit
        The column naming the units (series, counties), if any: a unit entirely in [0, 1]
        next to units in (1, 100] is refused too.
    file
        File name for the message (default ``frame.attrs["source"]``).
    values
        The column as floats, when the caller has them already.

    Raises
    ------
    InputError
        Naming one value of each scale, with its row (and unit).
    """
    if values is None:
        values = numeric_values(frame, column, file=file)
    if not is_share_column(frame, column, values):
        return
    finite = np.isfinite(values) & (values >= 0) & (values <= 100)
    rows = _rows(frame)
    labels = frame[unit].tolist() if unit is not None and unit in frame.columns else None

    def where(i: int) -> tuple[str, str]:
        suffix = f", unit {str(labels[i])!r}" if labels is not None else ""
        suffix_zh = f"，单位 {str(labels[i])!r}" if labels is not None else ""
        return (
            f"{values[i]:g} (row {rows[i]}{suffix})",
            f"{values[i]:g}（第 {rows[i]} 行{suffix_zh}）",
        )

    def refuse(i: int, j: int) -> None:
        low, low_zh = where(i)
        high, high_zh = where(j)
        example = f"{values[i] * 100:g}"
        raise InputError(
            f"the shares are on two scales: proportions (0-1) such as {low} and percent "
            f"(0-100) such as {high}; write every value on one scale (e.g. {values[i]:g} as "
            f"{example} in percent)",
            file=file or _source(frame),
            row=rows[min(i, j)],  # type: ignore[arg-type]
            column=column,
            zh=f"占比数值混用了两种刻度：比例（0-1），如 {low_zh}；百分数（0-100），如 {high_zh}。"
            f"请统一为一种刻度（例如把 {values[i]:g} 写成百分数 {example}）",
        )

    groups: list[np.ndarray]
    if labels is not None:
        keys = pd.Series([str(v) for v in labels])
        groups = [np.flatnonzero(keys.to_numpy() == k) for k in dict.fromkeys(keys)]
    else:
        groups = [np.arange(len(values))]
    low_units, high_units = [], []
    for members in groups:
        members = members[finite[members]]
        low = members[values[members] <= 1]
        high = members[values[members] > 1]
        if _two_scales(values[low], values[high]):
            fractions = low[(values[low] > 0) & (values[low] < 1)]
            refuse(int(fractions[0]), int(high[0]))
        if members.size and not high.size:
            low_units.append(members)
        elif high.size:
            high_units.append(high)
    if low_units and high_units:
        low = np.concatenate(low_units)
        medians = [float(np.median(values[h])) for h in high_units]
        closest = high_units[int(np.argmin(medians))]
        if _two_scales(values[low], values[closest]):
            fractions = low[(values[low] > 0) & (values[low] < 1)]
            refuse(int(fractions[0]), int(closest[0]))


def require_no_totals(
    frame: pd.DataFrame,
    unit: str,
    *,
    time: str | None = None,
    counts: Sequence[str] = (),
    file: str | None = None,
) -> None:
    """Refuse units that are totals of the others: by label, or, for ``counts`` columns,
    a unit whose counts equal the sum of all other units' counts in every period.

    Raises
    ------
    InputError
        Listing every such unit with its first row.

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"c": ["a", "a", "b", "b", "x", "x"], "t": [1, 2] * 3,
    ...                   "n": [1, 2, 3, 4, 4, 6]})
    >>> require_no_totals(f, "c", time="t", counts=["n"])
    Traceback (most recent call last):
    ...
    analysis.errors.InputError: row 6, column 'c': 'x' (first at row 6) is a total of the other units, not a unit: its 'n' equals the sum of the others' in every period; remove its rows from the file (a total counts every unit twice and cannot be its own control)
    """
    rows = _rows(frame)
    labels = [str(v) for v in frame[unit].tolist()]
    first: dict[str, object] = {}
    for label, row in zip(labels, rows):
        first.setdefault(label, row)
    named = [label for label in first if is_total_label(label)]
    reason = "its label names a total or an average"
    reason_zh = "其名称表示合计或平均"
    if not named and time is not None and len(first) >= 3:
        for column in counts:
            values = pd.to_numeric(frame[column], errors="coerce")
            if values.isna().any():
                continue
            table = (
                pd.DataFrame({"u": labels, "t": frame[time].tolist(), "v": values.to_numpy()})
                .pivot_table(index="t", columns="u", values="v", aggfunc="sum")
                .dropna()
            )
            if len(table) < 2 or table.shape[1] < 3:
                continue
            total = table.sum(axis=1)
            for label in table.columns:
                rest = total - table[label]
                if (rest > 0).all() and np.allclose(table[label], rest, rtol=0, atol=1e-9):
                    named.append(label)
                    reason = f"its {column!r} equals the sum of the others' in every period"
                    reason_zh = f"其 {column!r} 在每一期都等于其他单位之和"
            if named:
                break
    if named:
        listed = ", ".join(f"{label!r} (first at row {first[label]})" for label in named)
        listed_zh = "、".join(f"{label!r}（首见第 {first[label]} 行）" for label in named)
        raise InputError(
            f"{listed} {'is a total' if len(named) == 1 else 'are totals'} of the other units, "
            f"not a unit: {reason}; remove its rows from the file (a total counts every unit "
            "twice and cannot be its own control)",
            file=file or _source(frame),
            row=first[named[0]],  # type: ignore[arg-type]
            column=unit,
            zh=f"{listed_zh} 是其他单位的合计，不是一个单位：{reason_zh}；请从文件中删除这些行"
            "（合计会把每个单位计算两次，也不能作为自己的对照）",
        )


def unit_codes(
    frame: pd.DataFrame,
    column: str,
    *,
    file: str | None = None,
    fix: str = "write every row with one form of the code",
    fix_zh: str = "请把每一行的编码统一为一种写法",
) -> pd.Series:
    """The unit column with codes cleaned by the one rule of :mod:`analysis.tables.identity`.

    Text cells that are codes (digits once cleaned: ``="420101"``, ``'420101``, ``４２０１０１``,
    ``420101.0``) become the code; other labels (names) keep their text without Excel's
    wrappers; a numeric column keeps its numbers. Two administrative forms of one county
    (``420101`` and ``420101000``) are refused by :func:`~analysis.tables.identity.unify_codes`.

    Raises
    ------
    InputError
        A code in scientific notation (an id Excel has rounded) or two forms of one code.

    Examples
    --------
    >>> import pandas as pd
    >>> unit_codes(pd.DataFrame({"u": ['="420101"', "'420102", "武汉 市"]}), "u").tolist()
    ['420101', '420102', '武汉 市']
    """
    file = file or _source(frame) or "data"
    rows = _rows(frame)
    values = frame[column]
    numeric = pd.api.types.is_numeric_dtype(values)
    cleaned: list[object] = []
    seen: list[CodeSeen] = []
    for cell, row in zip(values.tolist(), rows):
        if cell is None or (isinstance(cell, float) and np.isnan(cell)):
            cleaned.append(cell)
            continue
        code = cell_code(cell, file=file, row=row, column=column)  # type: ignore[arg-type]
        if code.isdigit():
            seen.append(CodeSeen(code, file, row, column))  # type: ignore[arg-type]
            cleaned.append(cell if numeric else code)
        else:
            cleaned.append(cell if numeric else unwrap_cell(str(cell)))
    unify_codes(seen, what="unit", fix=fix, fix_zh=fix_zh)
    return pd.Series(
        cleaned, index=frame.index, name=column, dtype=values.dtype if numeric else object
    )


def checked_columns(
    frame: pd.DataFrame,
    outcome: str,
    *,
    unit: str | None = None,
    time: str | None = None,
    units: Sequence[object] | None = None,
    numeric: Sequence[str] = (),
    comparative: bool = True,
    file: str | None = None,
    fix: str = "write every row with one form of the code",
) -> pd.DataFrame:
    """The checks of this module for one analysis, in the order a user would fix them.

    Returns a copy of ``frame`` whose ``unit`` column holds the cleaned codes
    (:func:`unit_codes`) and whose ``outcome`` and ``numeric`` columns are floats
    (:func:`numeric_values`). ``outcome`` must be on one share scale
    (:func:`require_one_share_scale`, across units when ``comparative``), and, for a
    comparative analysis, no unit may be a total of the others (:func:`require_no_totals`;
    the sum test is applied when the outcome holds whole counts).

    Parameters
    ----------
    units
        The unit values the analysis uses (e.g. the treated series and its controls); the
        checks look at their rows only. ``None``: every row.

    Raises
    ------
    InputError
        From the first check that fails, naming the file, row, column and value.
    """
    file = file or _source(frame)
    out = frame.copy()
    if unit is not None and unit in out.columns:
        out[unit] = unit_codes(out, unit, file=file, fix=fix)
    used = out
    if unit is not None and unit in out.columns and units is not None:
        keep = {str(canonical_code(str(u)) or u) for u in units}
        keys = out[unit].map(
            lambda v: str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)
        )
        used = out[keys.isin(keep).to_numpy()]
    for column in dict.fromkeys([outcome, *numeric]):
        if column in out.columns:
            numeric_values(used, column, file=file)  # refuses a non-number in the rows used
            out[column] = [
                number.value if number is not None else np.nan
                for number in map(_number_or_none, out[column].tolist())
            ]
    if outcome not in out.columns:
        return out
    by_unit = unit if (unit is not None and unit in out.columns and comparative) else None
    checked = out.loc[used.index] if used is not out else out
    require_one_share_scale(checked, outcome, unit=by_unit, file=file)
    if by_unit is not None:
        values = checked[outcome].to_numpy(dtype=float)
        finite = values[np.isfinite(values)]
        whole = bool(finite.size) and bool(
            np.all(finite == np.round(finite)) and np.all(finite >= 0)
        )
        require_no_totals(checked, by_unit, time=time, counts=[outcome] if whole else [], file=file)
    return out
