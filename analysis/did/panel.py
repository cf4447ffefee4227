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

Time may be numeric (years) or datetime-like (months). Internally periods are coded
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

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from analysis.errors import InputError

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


def _coerce_time(values: pd.Series, name: str) -> pd.Series:
    """Return numeric or datetime periods; strings that look like dates become datetimes."""
    if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_datetime64_any_dtype(values):
        return values
    numeric = pd.to_numeric(values, errors="coerce")
    if numeric.notna().all():
        return numeric
    parsed = pd.to_datetime(values, errors="coerce")
    if parsed.notna().all():
        return parsed
    raise PanelError(f"time={_show(name)} holds neither numbers nor dates")


def _code_first_treated(
    first: pd.Series, times: np.ndarray, like: pd.Series, name: str
) -> np.ndarray:
    """Map adoption dates to period codes: first observed period at or after adoption."""
    never = _is_never(first).to_numpy()
    codes = np.full(len(first), NEVER, dtype=np.int64)
    if (~never).any():
        raw = first[~never]
        if pd.api.types.is_datetime64_any_dtype(like):
            values = pd.to_datetime(raw, errors="coerce")
        else:
            values = pd.to_numeric(raw, errors="coerce")
        if values.isna().any():
            bad = raw[values.isna()].iloc[0]
            raise PanelError(
                f"first_treated={_show(name)} holds {_show(bad)}, which is not a "
                "period like those of the time column"
            )
        position = np.searchsorted(times, values.to_numpy(), side="left")
        # Adopted after the last observed period: never treated within the sample window.
        position = np.where(position >= len(times), NEVER, position)
        codes[~never] = position
    return codes


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
            f"available: {', '.join(map(str, frame.columns))}"
        )
    data = frame[list(dict.fromkeys([*roles.values(), *covariates]))].copy()
    if data.empty:
        raise PanelError("the panel has no rows")
    data[time] = _coerce_time(data[time], time)
    duplicated = data.duplicated([unit, time], keep=False)
    if duplicated.any():
        first = data.loc[duplicated, [unit, time]].iloc[0]
        raise PanelError(
            f"{int(duplicated.sum())} duplicated unit-time rows, e.g. unit "
            f"{_show(first[unit])} at {time} {_show(first[time])}; aggregate or "
            "deduplicate them first",
            row=_spreadsheet_row(data, duplicated),
        )
    data[outcome] = pd.to_numeric(data[outcome], errors="coerce")
    if data[outcome].isna().any():
        bad = data[outcome].isna()
        raise PanelError(
            f"outcome={_show(outcome)} has {int(bad.sum())} missing or non-numeric values",
            row=_spreadsheet_row(data, bad),
        )
    for name in covariates:
        values = pd.to_numeric(data[name], errors="coerce")
        text = values.isna() & data[name].notna() & (data[name].astype("string").str.strip() != "")
        if text.any():
            raise PanelError(
                f"covariate {_show(name)} holds text that is not a number, e.g. "
                f"{_show(data.loc[text, name].iloc[0])}",
                row=_spreadsheet_row(data, text),
                column=name,
            )
        data[name] = values
    per_unit = data.groupby(unit, sort=False)[first_treated].agg(
        lambda s: s.astype("string").fillna("").str.strip().nunique()
    )
    if (per_unit > 1).any():
        raise PanelError(
            f"first_treated={_show(first_treated)} changes within unit "
            f"{_show(per_unit.idxmax())}; "
            "it must be one adoption period per unit"
        )

    wide = data.pivot(index=unit, columns=time, values=outcome).sort_index(axis=1)
    complete = wide.notna().all(axis=1)
    n_unbalanced = int((~complete).sum())
    if n_unbalanced and balance == "error":
        raise PanelError(
            f"unbalanced panel: {n_unbalanced} unit(s) miss some periods "
            f"(e.g. {_show(wide.index[~complete][0])}); pass balance='drop' to keep "
            "only complete units"
        )
    wide = wide[complete]
    times = wide.columns.to_numpy()
    firsts = data.drop_duplicates(unit).set_index(unit)[first_treated].reindex(wide.index)
    codes = _code_first_treated(firsts, times, data[time], first_treated)
    no_pre = codes == 0
    if no_pre.any() and always_treated == "error":
        raise PanelError(
            f"{int(no_pre.sum())} treated unit(s) have no pre-treatment period "
            f"(e.g. {_show(wide.index[no_pre][0])}); pass always_treated='drop' to "
            "drop them (or 'keep' for twfe, whose unit effects absorb them)"
        )
    keep = ~no_pre if always_treated != "keep" else np.ones_like(no_pre)
    if keep.sum() < 2:
        raise PanelError("fewer than two usable units remain")
    if times.size < 2:
        raise PanelError("at least two periods are needed")
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
    analysis.did.panel.PanelError: treatment switches off in unit 1 at t=3; ...
    """
    for column in (unit, time, indicator):
        if column not in frame.columns:
            raise PanelError(f"missing column: {column}")
    ordered = frame.sort_values([unit, time])
    d = ordered[indicator].astype(float)
    if not d.isin([0.0, 1.0]).all():
        raise PanelError(f"treatment indicator {_show(indicator)} must be 0/1")
    switched_off = d.groupby(ordered[unit]).diff() < 0
    if switched_off.any():
        row = ordered[switched_off].iloc[0]
        raise PanelError(
            f"treatment switches off in unit {_show(row[unit])} at "
            f"{time}={_show(row[time])}; "
            "these estimators need an absorbing (staggered) treatment"
        )
    treated_times = ordered[time].where(d == 1)
    first = treated_times.groupby(ordered[unit]).transform("min")
    out = frame.copy()
    out[name] = first.reindex(frame.index).fillna(0)
    return out
