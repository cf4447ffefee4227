"""Input checks and panel preparation shared by every DiD estimator.

Every estimator in :mod:`analysis.did` starts from a :class:`Panel`, built here by
:func:`prepare_panel`. The checks answer the ways a real county panel goes wrong:

* **missing columns** -> :class:`PanelError` naming the columns;
* **duplicated unit-time rows** -> :class:`PanelError` (we never guess which row is right);
* **missing outcome values** -> :class:`PanelError`;
* **a first-treated period that changes within a unit** -> :class:`PanelError`;
* **treatment that switches off** (from a 0/1 indicator, see
  :func:`first_treated_from_indicator`) -> :class:`PanelError`: all estimators here assume
  an absorbing treatment;
* **treated units without a pre-period** (first treated at or before the first observed
  period) -> :class:`PanelError` by default, or dropped with ``always_treated="drop"``
  (the rule R's ``did`` applies, which drops them with a warning), or kept with
  ``always_treated="keep"`` (group code 0): only TWFE can use them, where the unit effects
  absorb their constant treatment and they inform the time effects; the other estimators
  refuse a panel holding them (:func:`analysis.did.spec.estimate_did` says so);
* **unbalanced panels** -> :class:`PanelError` by default, or, with ``balance="drop"``,
  units missing any period are dropped (what R's ``did`` does unless
  ``allow_unbalanced_panel=TRUE``); the number dropped is recorded on the panel;
* units first treated **after the last observed period** are treated as never treated
  within the sample window, because no treated outcome of theirs is observed.

Time may be numeric (years, counters) or datetime-like (dates); text labels are read by
:mod:`analysis.tables.timelabels`, the rule of every command (``2021年3月``, ``2021-03``,
``2018.10``, ``2023Q1``, ``2023年``), months and quarters as their first day, and Excel serial
day numbers as dates. The input layer's checks (:func:`analysis.tables.checks.checked_columns`)
run first: unit codes are cleaned (``="420101"``, ``420101.0``) and two forms of one county
(``420101`` and ``420101000``) refused; the outcome must hold numbers on one share scale; no
unit may be a total of the others (``合计``, ``全市``). A first-treated column holding only 0
and 1 is refused as a treatment indicator (:func:`first_treated_from_indicator` turns one
into first treated periods). Internally periods are coded
0..T-1 in sorted order; ``first_treated`` is coded as the first observed period at or after
the adoption date, and -1 for never treated. A first-treated value of 0, NaN, NaT or empty
means never treated.

Examples
--------
>>> import pandas as pd
>>> frame = pd.DataFrame({"u": [1, 1, 2, 2], "t": [2000, 2001] * 2,
...                       "y": [1.0, 2.0, 1.0, 1.5], "g": [2001, 2001, 0, 0]})
>>> panel = prepare_panel(frame, unit="u", time="t", outcome="y", first_treated="g")
>>> panel.n_units, panel.n_periods, panel.group_code.tolist()
(2, 2, [1, -1])
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from analysis.errors import InputError
from analysis.tables.checks import checked_columns, numeric_values
from analysis.tables.frame import year_month_labels
from analysis.tables.identity import unwrap_cell
from analysis.tables.timelabels import (
    excel_serial_dates,
    parse_point,
    parse_time,
    timestamp_of,
)

NEVER = -1
BalancePolicy = Literal["error", "drop"]
AlwaysTreatedPolicy = Literal["error", "drop", "keep"]


class PanelError(InputError):
    """Raised when a panel cannot be used as given; the message says why and what to do."""


@dataclass(frozen=True)
class Panel:
    """A balanced unit x period panel ready for estimation.

    Attributes
    ----------
    units
        Unit labels, in the row order of ``outcome``.
    times
        Sorted period labels (the original values), in the column order of ``outcome``.
    outcome
        Array of shape (units, periods).
    group_code
        Per unit: index into ``times`` of the first treated period, or -1 for never treated.
    outcome_name
        Name of the outcome column, kept for labels.
    n_dropped_unbalanced, n_dropped_always_treated
        Units dropped by the documented handling rules.
    n_always_treated_kept
        Units treated from the first period kept by ``always_treated="keep"`` (code 0).
    covariates
        Covariate name -> array of shape (units, periods), aligned with ``outcome``. Missing
        values stay NaN: synthetic-control predictors are averaged over the periods observed.
    """

    units: np.ndarray
    times: np.ndarray
    outcome: np.ndarray
    group_code: np.ndarray
    outcome_name: str = "y"
    n_dropped_unbalanced: int = 0
    n_dropped_always_treated: int = 0
    covariates: Mapping[str, np.ndarray] = field(default_factory=dict)
    n_always_treated_kept: int = 0

    @property
    def n_units(self) -> int:
        """Number of units."""
        return int(self.outcome.shape[0])

    @property
    def n_periods(self) -> int:
        """Number of periods."""
        return int(self.outcome.shape[1])

    @property
    def ever_treated(self) -> np.ndarray:
        """Boolean mask of units treated at some observed period."""
        return self.group_code != NEVER

    @property
    def treated_now(self) -> np.ndarray:
        """Boolean (units, periods) matrix: treated in that period (absorbing treatment)."""
        period = np.arange(self.n_periods)[None, :]
        return self.ever_treated[:, None] & (period >= self.group_code[:, None])

    @property
    def n_treated(self) -> int:
        """Number of units treated at some observed period."""
        return int(self.ever_treated.sum())

    def cluster_description(self) -> str:
        """``"9 clusters (1 treated)"``: what a cluster-robust interval rests on."""
        return f"{self.n_units} clusters ({self.n_treated} treated)"

    def to_long(self) -> pd.DataFrame:
        """Return the panel as a long frame with columns unit, time, period, y, treated, group.

        ``group`` is the period code of first treatment (-1 never treated).
        """
        n, t = self.outcome.shape
        return pd.DataFrame(
            {
                "unit": np.repeat(self.units, t),
                "time": np.tile(self.times, n),
                "period": np.tile(np.arange(t), n),
                "y": self.outcome.ravel(),
                "treated": self.treated_now.ravel().astype(float),
                "group": np.repeat(self.group_code, t),
            }
        )


def _show(value: object) -> str:
    """Repr of a label without NumPy's type wrapper (``1`` rather than ``np.int64(1)``)."""
    return repr(value.item() if isinstance(value, np.generic) else value)


def _spreadsheet_row(frame: pd.DataFrame, mask: pd.Series) -> int | None:
    """Row number of the first flagged row, when the frame came from ``read_frame``."""
    if frame.index.name != "row":
        return None
    return int(frame.index[mask.to_numpy()][0])


def _is_never(values: pd.Series) -> pd.Series:
    """True where a first-treated value means 'never treated' (0, NaN, NaT, empty)."""
    as_text = values.astype("string").str.strip()
    missing = values.isna() | (as_text == "") | as_text.isna()
    numeric = pd.to_numeric(values, errors="coerce")
    return missing | (numeric == 0)


def _coerce_time(values: pd.Series, name: str, rows: Sequence[object]) -> tuple[pd.Series, str]:
    """Numeric or datetime periods, and the unit in which first-treated values are read.

    Numbers stay numbers (years, counters) unless they are Excel serial dates; datetimes and
    ISO dates (``2021-03-15``) stay dates; any other text is read by the time-label rule of
    :mod:`analysis.tables.timelabels`, months and quarters as their first day.
    """
    if pd.api.types.is_datetime64_any_dtype(values):
        return values, "month"
    if pd.api.types.is_numeric_dtype(values):
        serial = excel_serial_dates(values.tolist())
        if serial is not None:
            return pd.Series(serial, index=values.index), "month"
        return values, "number"
    texts = values.map(lambda v: unwrap_cell(str(v)) if isinstance(v, str) else v)
    days = pd.to_datetime(texts, format="%Y-%m-%d", errors="coerce")
    if days.notna().all():
        return days, "month"
    axis = parse_time(values, "auto", name, rows=rows)
    if axis.unit in ("month", "quarter"):
        stamps = [timestamp_of(p, axis.unit) for p in axis.positions]
        return pd.Series(stamps, index=values.index), axis.unit
    if axis.unit == "year":
        return pd.Series(axis.positions.astype(int), index=values.index), "number"
    return pd.Series(axis.positions, index=values.index), "number"


def _first_value(value: object, unit: str, like_dates: bool) -> object:
    """One first-treated value on the time column's axis, or ``None`` when it is not a period."""
    if not like_dates:
        number = pd.to_numeric(pd.Series([value]), errors="coerce").iloc[0]
        if pd.notna(number):
            return number
        try:
            return parse_point(value, "year")
        except InputError:
            return None
    if hasattr(value, "strftime"):
        return pd.Timestamp(value)  # type: ignore[arg-type]
    text = unwrap_cell(str(value))
    day = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
    if pd.notna(day):
        return day
    for how in dict.fromkeys(["month", unit]):
        try:
            return timestamp_of(parse_point(value, how), how)
        except InputError:
            continue
    return None


def _code_first_treated(
    first: pd.Series, times: np.ndarray, like: pd.Series, name: str, unit: str = "month"
) -> np.ndarray:
    """Map adoption dates to period codes: first observed period at or after adoption."""
    never = _is_never(first).to_numpy()
    codes = np.full(len(first), NEVER, dtype=np.int64)
    if (~never).any():
        raw = first[~never]
        dates = pd.api.types.is_datetime64_any_dtype(like)
        read = [_first_value(v, unit, dates) for v in raw.tolist()]
        bad = [v for v, r in zip(raw.tolist(), read) if r is None]
        if bad:
            raise PanelError(
                f"first_treated={_show(name)} holds {_show(bad[0])}, which is not a "
                "period like those of the time column",
                zh=f"first_treated={_show(name)} 中的 {_show(bad[0])} 不是与时间列同类的时期",
            )
        values = pd.to_datetime(pd.Series(read)) if dates else pd.Series(read, dtype=float)
        position = np.searchsorted(times, values.to_numpy(), side="left")
        # Adopted after the last observed period: never treated within the sample window.
        position = np.where(position >= len(times), NEVER, position)
        codes[~never] = position
    return codes


def _refuse_months_as_numbers(
    data: pd.DataFrame, time: str, first_treated: str, source: str | None
) -> None:
    """Refuse first-treated numbers such as 2018.1 next to ``YYYY.MM`` month labels.

    When the time column writes months as ``2018.10`` (text), a first-treated column read as
    numbers has lost the difference between October (``2018.10``) and January (``2018.1``):
    both are the number 2018.1. Only a month written ``.1`` is ambiguous (``2018.2`` cannot be
    ``2018.20``), so only such values are refused; :func:`analysis.tables.frame.read_frame`
    keeps both columns as text and never meets this.
    """
    firsts = data[first_treated]
    if not pd.api.types.is_float_dtype(firsts) or pd.api.types.is_numeric_dtype(data[time]):
        return
    labels = data[time].dropna()
    if labels.empty or not labels.map(lambda v: isinstance(v, str)).all():
        return
    if not year_month_labels(labels.astype(str)):
        return
    ambiguous = firsts.map(
        lambda v: bool(pd.notna(v) and re.fullmatch(r"\d{4}\.1", repr(float(v))))
    ).astype(bool)
    if not ambiguous.any():
        return
    value = repr(float(firsts[ambiguous].iloc[0]))
    october = f"{value}0"
    raise PanelError(
        f"first_treated={_show(first_treated)} holds the number {value}, but the time column "
        f"{_show(time)} writes months as YYYY.MM text: as a number, {october} (October) and "
        f"{value} (January) are the same; give the first-treated column as text, its months "
        "written as in the time column (read the file with analysis.tables.frame.read_frame, "
        "or pandas.read_csv(..., dtype=str))",
        file=source,
        row=_spreadsheet_row(data, ambiguous),
        column=first_treated,
        zh=f"first_treated={_show(first_treated)} 中是数字 {value}，而时间列 {_show(time)} 以 "
        f"YYYY.MM 文本写月份：作为数字，{october}（十月）与 {value}（一月）无法区分；请把开始处理"
        "时期列作为文本传入，月份写法与时间列相同（用 analysis.tables.frame.read_frame 读取文件，"
        "或 pandas.read_csv(..., dtype=str)）",
    )


def prepare_panel(
    frame: pd.DataFrame,
    *,
    unit: str,
    time: str,
    outcome: str,
    first_treated: str,
    balance: BalancePolicy = "error",
    always_treated: AlwaysTreatedPolicy = "error",
    covariates: Sequence[str] = (),
) -> Panel:
    """Check a long panel and return it as a balanced :class:`Panel`.

    Parameters
    ----------
    frame
        Long data, one row per unit and period.
    unit, time, outcome, first_treated
        Column names. ``first_treated`` holds the first treated period; 0 or empty means never.
    balance
        ``"error"`` (default) rejects unbalanced panels; ``"drop"`` keeps only units seen in
        every period.
    always_treated
        ``"error"`` (default) rejects units treated from the first observed period (no
        pre-period, so no comparison is possible for them); ``"drop"`` removes them;
        ``"keep"`` retains them (group code 0) for TWFE, whose unit effects absorb them.
    covariates
        Numeric columns carried into :attr:`Panel.covariates` (e.g. synthetic-control
        predictors). Missing values are allowed; text that is not a number is refused.

    Returns
    -------
    Panel

    Raises
    ------
    PanelError
        On missing columns, duplicated unit-time rows, missing outcomes, non-constant
        first-treated values within a unit, and (by default) unbalanced panels or units
        treated without a pre-period.
    """
    roles = {"unit": unit, "time": time, "outcome": outcome, "first_treated": first_treated}
    missing = [
        f"{role}={_show(column)}" for role, column in roles.items() if column not in frame.columns
    ] + [f"covariate={_show(c)}" for c in covariates if c not in frame.columns]
    if missing:
        raise PanelError(
            f"missing column(s): {', '.join(missing)}; "
            f"available: {', '.join(map(str, frame.columns))}",
            zh=f"缺少列：{', '.join(missing)}；现有列：{', '.join(map(str, frame.columns))}",
        )
    source = frame.attrs.get("source")
    data = frame[list(dict.fromkeys([*roles.values(), *covariates]))].copy()
    data.attrs = dict(frame.attrs)
    if data.empty:
        raise PanelError("the panel has no rows", zh="面板没有数据行")
    rows = list(data.index) if data.index.name == "row" else list(range(2, len(data) + 2))
    try:
        data = checked_columns(data, outcome, unit=unit, time=time, file=source)
        _refuse_months_as_numbers(data, time, first_treated, source)
        data[time], time_unit = _coerce_time(data[time], time, rows)
    except PanelError:
        raise
    except InputError as error:  # one exception family for the DiD API's callers
        raise PanelError(
            error.message,
            file=error.file or source,
            row=error.row,
            column=error.column,
            zh=error.message_zh,
        ) from None
    duplicated = data.duplicated([unit, time], keep=False)
    if duplicated.any():
        first = data.loc[duplicated, [unit, time]].iloc[0]
        raise PanelError(
            f"{int(duplicated.sum())} duplicated unit-time rows, e.g. unit "
            f"{_show(first[unit])} at {time} {_show(first[time])}; aggregate or "
            "deduplicate them first",
            row=_spreadsheet_row(data, duplicated),
            zh=f"有 {int(duplicated.sum())} 行的单位-时期重复，例如单位 {_show(first[unit])} 在 "
            f"{time} {_show(first[time])}；请先汇总或去重",
        )
    data[outcome] = pd.to_numeric(data[outcome], errors="coerce")
    if data[outcome].isna().any():
        bad = data[outcome].isna()
        raise PanelError(
            f"outcome={_show(outcome)} has {int(bad.sum())} missing values",
            row=_spreadsheet_row(data, bad),
            zh=f"outcome={_show(outcome)} 有 {int(bad.sum())} 个缺失值",
        )
    for name in covariates:
        try:
            data[name] = numeric_values(data, name, file=source)
        except InputError as error:
            raise PanelError(
                f"covariate {_show(name)} holds text that is not a number: {error.message}",
                file=error.file,
                row=error.row,
                column=name,
                zh=f"协变量 {_show(name)} 含有非数字的文本：{error.message_zh}",
            ) from None
    _refuse_indicator(data, unit, time, first_treated, time_unit)
    per_unit = data.groupby(unit, sort=False)[first_treated].agg(
        lambda s: s.astype("string").fillna("").str.strip().nunique()
    )
    if (per_unit > 1).any():
        raise PanelError(
            f"first_treated={_show(first_treated)} changes within unit "
            f"{_show(per_unit.idxmax())}; "
            "it must be one adoption period per unit",
            zh=f"first_treated={_show(first_treated)} 在单位 {_show(per_unit.idxmax())} 内"
            "取值不一；每个单位只能有一个开始处理的时期",
        )

    wide = data.pivot(index=unit, columns=time, values=outcome).sort_index(axis=1)
    complete = wide.notna().all(axis=1)
    n_unbalanced = int((~complete).sum())
    if n_unbalanced and balance == "error":
        raise PanelError(
            f"unbalanced panel: {n_unbalanced} unit(s) miss some periods "
            f"(e.g. {_show(wide.index[~complete][0])}); pass balance='drop' to keep "
            "only complete units",
            zh=f"面板不平衡：{n_unbalanced} 个单位缺少部分时期（如 "
            f"{_show(wide.index[~complete][0])}）；用 balance='drop' 只保留完整的单位",
        )
    wide = wide[complete]
    times = wide.columns.to_numpy()
    firsts = data.drop_duplicates(unit).set_index(unit)[first_treated].reindex(wide.index)
    codes = _code_first_treated(firsts, times, data[time], first_treated, time_unit)
    no_pre = codes == 0
    if no_pre.any() and always_treated == "error":
        raise PanelError(
            f"{int(no_pre.sum())} treated unit(s) have no pre-treatment period "
            f"(e.g. {_show(wide.index[no_pre][0])}); pass always_treated='drop' to "
            "drop them (or 'keep' for twfe, whose unit effects absorb them)",
            zh=f"{int(no_pre.sum())} 个处理单位没有处理前时期（如 "
            f"{_show(wide.index[no_pre][0])}）；用 always_treated='drop' 删除它们（twfe 可用 "
            "'keep'，其单位固定效应会吸收它们）",
        )
    keep = ~no_pre if always_treated != "keep" else np.ones_like(no_pre)
    if keep.sum() < 2:
        raise PanelError("fewer than two usable units remain", zh="可用的单位少于两个")
    if times.size < 2:
        raise PanelError("at least two periods are needed", zh="至少需要两个时期")
    kept_units = wide.index[keep]
    covariate_arrays = {
        name: data.pivot(index=unit, columns=time, values=name)
        .reindex(index=kept_units, columns=times)
        .to_numpy(dtype=float)
        for name in covariates
    }
    return Panel(
        units=wide.index.to_numpy()[keep],
        times=times,
        outcome=wide.to_numpy(dtype=float)[keep],
        group_code=codes[keep],
        outcome_name=outcome,
        n_dropped_unbalanced=n_unbalanced,
        n_dropped_always_treated=int(no_pre.sum()) if always_treated != "keep" else 0,
        covariates=covariate_arrays,
        n_always_treated_kept=int(no_pre.sum()) if always_treated == "keep" else 0,
    )


INDICATOR_FIX = (
    "if it is 1 in the periods a unit is treated, pass it with --treated-indicator COL instead "
    "of --first-treated (Python: first_treated_from_indicator()); if it only marks the units "
    "ever treated, add a column with each unit's first treated period"
)


def _refuse_indicator(
    data: pd.DataFrame, unit: str, time: str, column: str, time_unit: str
) -> None:
    """Refuse a first-treated column that holds a 0/1 treatment indicator.

    Read as periods, 1 would be a period before every year or month of the panel, and the
    treated units would all become "treated from the start" (or, with an indicator that
    changes within a unit, the panel would be refused for the wrong reason). A panel whose
    time column itself holds the period 1 (a counter 1, 2, ...) may mean period 1.
    """
    values = pd.to_numeric(data[column], errors="coerce")
    if values.isna().any() or not values.isin([0, 1]).all() or not (values == 1).any():
        return
    if time_unit == "number" and (pd.to_numeric(data[time], errors="coerce") == 1).any():
        return
    varies = bool((data.groupby(unit, sort=False)[column].nunique() > 1).any())
    what = "1 in treated periods" if varies else "1 for treated units"
    raise PanelError(
        f"first_treated={_show(column)} holds only 0 and 1 ({what}): it looks like a 0/1 "
        f"treatment indicator, not each unit's first treated period; {INDICATOR_FIX}",
        row=_spreadsheet_row(data, values == 1),
        column=column,
        zh=f"first_treated={_show(column)} 只有 0 和 1：这像是 0/1 处理指示变量，而不是各单位"
        "开始处理的时期；若它在单位接受处理的时期为 1，请改用 --treated-indicator COL（Python："
        "first_treated_from_indicator()）；若它只标出曾接受处理的单位，请另加一列写明各单位"
        "开始处理的时期",
    )


def first_treated_from_indicator(
    frame: pd.DataFrame, *, unit: str, time: str, indicator: str, name: str = "first_treated"
) -> pd.DataFrame:
    """Derive a first-treated column from a 0/1 treatment indicator.

    Parameters
    ----------
    frame
        Long data.
    unit, time, indicator
        Column names; ``indicator`` is 1 in treated unit-periods.
    name
        Name of the column to add.

    Returns
    -------
    pandas.DataFrame
        A copy of ``frame`` with ``name`` (0 for never-treated units).

    Raises
    ------
    PanelError
        If treatment switches off within a unit: the estimators assume absorbing treatment.

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"u": [1, 1, 1], "t": [1, 2, 3], "d": [0, 1, 0]})
    >>> first_treated_from_indicator(f, unit="u", time="t", indicator="d")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    analysis.did.panel.PanelError: column 'd': treatment switches off in unit 1 at t=3; ...
    """
    for column in (unit, time, indicator):
        if column not in frame.columns:
            raise PanelError(
                f"missing column: {column}; available: {', '.join(map(str, frame.columns))}",
                zh=f"缺少列：{column}；现有列：{', '.join(map(str, frame.columns))}",
            )
    source = frame.attrs.get("source")
    rows = list(frame.index) if frame.index.name == "row" else list(range(2, len(frame) + 2))
    try:
        d = pd.Series(numeric_values(frame, indicator, file=source), index=frame.index)
        # sort by the time the labels name (2023年10月 after 2023年2月), not their text
        key, _ = _coerce_time(frame[time], time, rows)
    except PanelError:
        raise
    except InputError as error:
        raise PanelError(
            error.message, file=error.file, row=error.row, column=error.column, zh=error.message_zh
        ) from None
    if not d.isin([0.0, 1.0]).all():
        bad = ~d.isin([0.0, 1.0])
        raise PanelError(
            f"treatment indicator {_show(indicator)} must be 0/1 (this row has {d[bad].iloc[0]:g})",
            file=source,
            row=_spreadsheet_row(frame, bad),
            column=indicator,
            zh=f"处理指示变量 {_show(indicator)} 只能是 0 或 1（此行为 {d[bad].iloc[0]:g}）",
        )
    ordered = frame.assign(_key_=key.to_numpy(), _d_=d.to_numpy()).sort_values(
        [unit, "_key_"], kind="stable"
    )
    switched_off = ordered["_d_"].groupby(ordered[unit]).diff() < 0
    if switched_off.any():
        where = {c: ordered[c][switched_off].iloc[0] for c in (unit, time)}
        raise PanelError(
            f"treatment switches off in unit {_show(where[unit])} at "
            f"{time}={_show(where[time])}; "
            "these estimators need an absorbing (staggered) treatment",
            file=source,
            row=_spreadsheet_row(ordered, switched_off),
            column=indicator,
            zh=f"单位 {_show(where[unit])} 的处理在 {time}={_show(where[time])} 时中止；这些估计方法"
            "要求处理一旦开始便一直持续（交错开始）",
        )
    first_rows = ordered[ordered["_d_"] == 1].drop_duplicates(unit)
    firsts = dict(zip(first_rows[unit], first_rows[time]))
    out = frame.copy()
    out[name] = [firsts.get(u, 0) for u in frame[unit]]
    return out
