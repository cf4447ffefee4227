"""Fit a segmented-regression interrupted time series with statsmodels.

Why statsmodels: it is the reference implementation of OLS, GLS, GLMs (with quasi-likelihood
scale ``"X2"``) and of Newey–West HAC covariances in Python, and epidemiologists can reproduce
any number here with a direct ``sm.OLS``/``sm.GLS``/``sm.GLM`` call. Nothing is re-implemented:
this module builds the design, chooses the statsmodels call, and turns its output into effects.

Families
    ``gaussian`` (shares in percentage points; OLS/GLS), ``binomial`` (a share from numerator
    counts and ``denominator``, or a proportion in [0, 1]: fractional logit, Papke–Wooldridge;
    GLM Binomial with Pearson chi2 / df as dispersion because real share data are far more
    variable than binomial counts), ``poisson`` (GLM, dispersion 1) and ``quasipoisson``
    (GLM, dispersion Pearson chi2 / df); counts take ``log(exposure)`` as offset.
Errors
    ``ols``: model-based covariance. ``hac``: Newey–West with Bartlett kernel and truncation lag
    ``floor(4 * (n / 100) ** (2 / 9))`` (at least 1; Newey & West 1994's rule of thumb), t
    reference distribution for Gaussian models. ``ar1``: Prais–Winsten feasible GLS that keeps
    the first observation: ``sm.GLS`` with covariance ``rho ** |t_i - t_j|`` (so gaps such as
    an exclusion window are respected), ``rho`` re-estimated from the GLS residuals of
    consecutive periods until it changes by less than 1e-10 (iterated Prais–Winsten).
    ``statsmodels.GLSAR`` is not used because it drops the first observation, which matters in
    short series.
Short series
    With ``short_series`` (12) points or fewer, AR(1) is not identified and HAC is meaningless:
    the fit falls back to OLS, says so in ``not_estimable``, and (Gaussian) reports the effects
    over a grid of assumed ``rho`` values.

Examples
--------
>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(1)
>>> t = np.arange(1, 41)
>>> y = 10 + 0.1 * t + 2.0 * (t >= 21) + rng.normal(0, 0.5, t.size)
>>> res = its(pd.DataFrame({"t": t, "y": y}), time="t", outcome="y", intervention=21,
...           impact="level")
>>> round(res.effects["level"].estimate, 1)
2.1
"""

from __future__ import annotations

import argparse
import math
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any, Literal

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy.linalg import toeplitz

from analysis.errors import InputError
from analysis.estimates import Estimate, critical_value
from analysis.its.actest import AutocorrelationCheck, lag_tests
from analysis.its.design import (
    Impact,
    Interruption,
    SegmentedDesign,
    WindowKind,
)
from analysis.its.errors import (
    ITSInputError,
    require_no_missing,
    require_positive,
    require_share_range,
)
from analysis.its.events import events_near as find_events_near
from analysis.its.events import read_events, separation_warnings
from analysis.its.interruptions import OTHER_FORM, OtherInterruption
from analysis.its.results import ITSResult, RhoGridRow, rate_ratio
from analysis.options import option
from analysis.tables.checks import checked_columns, require_one_share_scale
from analysis.tables.identity import canonical_code, unwrap_cell
from analysis.tables.timelabels import (
    TimeAxis,
    as_text,
    format_notice,
    parse_point,
    parse_time,
    timestamp_of,
)

Family = Literal["gaussian", "binomial", "poisson", "quasipoisson"]
Errors = Literal["ols", "hac", "ar1"]
Design = Literal["pooled", "per-series"]
LagRule = Literal["newey-west", "actest"]
TimeFormat = Literal["auto", "number", "year", "yyyymm", "month", "quarter"]
DESIGNS: tuple[str, ...] = ("pooled", "per-series")
LAG_RULES: tuple[str, ...] = ("newey-west", "actest")
StackedHAC = Literal["itsa", "within-series"]
STACKED_HAC: tuple[str, ...] = ("itsa", "within-series")
# time units either side of the intervention searched for events, by time unit
EVENT_WINDOW = {"month": 6, "quarter": 2, "year": 1, "unit": 1}
FAMILIES: tuple[str, ...] = ("gaussian", "binomial", "poisson", "quasipoisson")
ERRORS: tuple[str, ...] = ("ols", "hac", "ar1")
LOG_LINK = ("poisson", "quasipoisson")


def _other_option(text: str) -> OtherInterruption:
    try:
        return OtherInterruption.parse(text)
    except ITSInputError as error:  # argparse reports a type error as a usage error (exit 2)
        raise argparse.ArgumentTypeError(str(error)) from None


@dataclass(frozen=True)
class ITSSpec:
    """Everything that defines one ITS analysis (see :func:`its` for the parameters).

    Every field is also a command-line option of ``python -m analysis its`` (see
    :mod:`analysis.its.cli`).
    """

    time: str = field(
        metadata=option(
            "time column: dates, YYYY-MM, YYYYMM, 2023年1月, quarters (2023Q1, 2023年第1季度), "
            "years or plain numbers",
            metavar="COL",
        )
    )
    outcome: str = field(
        metadata=option(
            "outcome column (numerator counts for binomial with a denominator)", metavar="COL"
        )
    )
    intervention: object = field(
        metadata=option("first post-intervention value of the time column", metavar="T", parse=str)
    )
    impact: Impact = field(
        default="level+slope", metadata=option("which changes the intervention may make")
    )
    time_format: TimeFormat = field(
        default="auto",
        metadata=option(
            "how to read the time column: auto, number, year, yyyymm, month (dates, YYYY-MM, "
            "2023年1月) or quarter; auto refuses ambiguous integers such as 202301..202312"
        ),
    )
    unit: str | None = field(
        default=None,
        metadata=option(
            "column naming the series in a file with several (e.g. county); with select",
            metavar="COL",
        ),
    )
    select: str | None = field(
        default=None,
        metadata=option("the value of --unit that is the treated series", metavar="VALUE"),
    )
    family: Family = field(default="gaussian", metadata=option("outcome distribution"))
    denominator: str | None = field(
        default=None, metadata=option("column of binomial totals", metavar="COL")
    )
    exposure: str | None = field(
        default=None,
        metadata=option(
            "exposure column; its log is the offset (poisson, quasipoisson)", metavar="COL"
        ),
    )
    seasonality: str = field(
        default="none",
        metadata=option(
            "seasonal terms: none, month (dummies) or fourier:K (K sine/cosine pairs)",
            metavar="none|month|fourier:K",
        ),
    )
    period: int = field(default=12, metadata=option("season length in time units", metavar="N"))
    errors: Errors = field(
        default="ols",
        metadata=option("error model: OLS, Newey-West HAC, or AR(1) by Prais-Winsten GLS"),
    )
    controls: tuple[str, ...] = field(
        default=(),
        metadata=option(
            "control series for comparative ITS: columns, or with --unit values of that column "
            "('*' = every other series)",
            metavar="COL",
        ),
    )
    design: Design = field(
        default="pooled",
        metadata=option(
            "comparative design: pooled (itsa's multiple-group model: controls share one "
            "intercept and trend, t(n - k)) or per-series (an intercept per control, "
            "Newey-West within series, t(series - 1))"
        ),
    )
    stacked_hac: StackedHAC = field(
        default="itsa",
        metadata=option(
            "pooled design's Newey-West: itsa (newey, force on the stacked series, as itsa "
            "computes it) or within-series (lagged products within each series only)"
        ),
    )
    others: tuple[OtherInterruption, ...] = field(
        default=(),
        metadata=option(
            f"further interruption(s) beside the intervention, each {OTHER_FORM}: AT as in the "
            "time column (dates YYYY-MM-DD), IMPACT level|slope|level+slope (default level+slope), "
            "WINDOW periods from AT excluded or phased in (default 0), KIND exclude|phase-in "
            "(default exclude); e.g. shock=2019-06-01:level:6:exclude",
            metavar="NAME=AT[:...]",
            parse=_other_option,
        ),
    )
    window: int = field(
        default=0,
        metadata=option(
            "periods from the intervention excluded from the fit or phased in", metavar="N"
        ),
    )
    window_kind: WindowKind = field(
        default="exclude", metadata=option("what the intervention's window does")
    )
    hac_lags: int | None = field(
        default=None,
        metadata=option(
            "Newey-West truncation lag, as itsa/newey lag(L); 0 = heteroskedasticity-robust "
            "only (default: --lag-rule)",
            metavar="L",
        ),
    )
    lag_rule: LagRule = field(
        default="newey-west",
        metadata=option(
            "lag when --hac-lags is not given: newey-west (floor(4 (n/100)^(2/9))) or actest "
            "(largest lag whose Breusch-Godfrey at-lag test has p < 0.05, Linden 2015)"
        ),
    )
    ac_lags: int | None = field(
        default=None,
        metadata=option(
            "lags 1..K of the reported autocorrelation check (default min(12, n/3); 0 = no "
            "check, e.g. in simulations)",
            metavar="K",
        ),
    )
    min_segment: int = field(
        default=3, metadata=option("fewest points allowed between interruptions", metavar="N")
    )
    short_series: int = field(
        default=12,
        metadata=option(
            "series of this many points or fewer are short: no AR(1)/HAC, a rho grid instead",
            metavar="N",
        ),
    )
    rho_grid: tuple[float, ...] = field(
        default=(0.0, 0.2, 0.4, 0.6, 0.8),
        metadata=option("assumed AR(1) coefficients shown for short series", metavar="RHO"),
    )
    alpha: float = field(
        default=0.05, metadata=option("one minus the coverage of every interval", metavar="A")
    )
    events: str | None = field(
        default=None,
        metadata=option(
            "events file (columns date, name, kind, source): events near the intervention are "
            "listed, with a warning when the design cannot separate them",
            metavar="FILE",
        ),
    )
    event_window: int | None = field(
        default=None,
        metadata=option(
            "time units either side of the intervention searched for events (default 6 "
            "months, 2 quarters, 1 year)",
            metavar="N",
        ),
    )


def newey_west_lags(n: int) -> int:
    """Newey–West truncation lag ``floor(4 * (n / 100) ** (2 / 9))``, at least 1.

    Examples
    --------
    >>> newey_west_lags(96), newey_west_lags(59), newey_west_lags(8)
    (3, 3, 2)
    """
    return max(1, math.floor(4.0 * (n / 100.0) ** (2.0 / 9.0)))


def ar1_correlation(t: np.ndarray, rho: float) -> np.ndarray:
    """AR(1) correlation matrix ``rho ** |t_i - t_j|`` for time positions ``t``.

    Examples
    --------
    >>> ar1_correlation(np.array([0.0, 1.0, 3.0]), 0.5).round(3).tolist()
    [[1.0, 0.5, 0.125], [0.5, 1.0, 0.25], [0.125, 0.25, 1.0]]
    """
    t = np.asarray(t, dtype=float)
    if np.allclose(np.diff(t), 1.0):
        return toeplitz(rho ** np.arange(t.size, dtype=float))
    return rho ** np.abs(t[:, None] - t[None, :])


def ar1_coefficient(resid: np.ndarray, t: np.ndarray) -> float:
    """Lag-1 autocorrelation of residuals over consecutive periods, clipped to (-0.98, 0.98).

    Examples
    --------
    >>> round(ar1_coefficient(np.array([1.0, 0.5, 0.25, 0.125]), np.arange(4.0)), 3)
    0.5
    """
    t = np.asarray(t, dtype=float)
    consecutive = np.isclose(np.diff(t), 1.0)
    lead, lag = resid[1:][consecutive], resid[:-1][consecutive]
    denom = float(lag @ lag)
    if denom == 0.0:
        return 0.0
    return float(np.clip((lead @ lag) / denom, -0.98, 0.98))


def prais_winsten(
    y: np.ndarray, x: np.ndarray, t: np.ndarray, tol: float = 1e-10, max_iter: int = 200
) -> tuple[Any, float]:
    """Iterated Prais–Winsten (AR(1) feasible GLS keeping the first observation).

    Parameters
    ----------
    y, x
        Outcome and design.
    t
        Time positions (gaps are honoured in the AR(1) covariance).
    tol, max_iter
        Convergence of ``rho``.

    Returns
    -------
    tuple
        ``statsmodels`` GLS results at the final ``rho``, and that ``rho``.
    """
    res = sm.OLS(y, x).fit()
    rho = 0.0
    for _ in range(max_iter):
        new = ar1_coefficient(np.asarray(y - x @ np.asarray(res.params)), t)
        res = sm.GLS(y, x, sigma=ar1_correlation(t, new)).fit()
        converged = abs(new - rho) < tol
        rho = new
        if converged:
            break
    return res, rho


@dataclass(frozen=True)
class _Prepared:
    design: SegmentedDesign
    unit: str
    t: np.ndarray  # treated series positions (all rows)
    labels: list[str]  # treated series time labels (as in the data)
    y: np.ndarray  # treated outcome (counts or values)
    den: np.ndarray | None
    exposure: np.ndarray | None
    keep: np.ndarray  # treated rows used in the fit
    fit_t: np.ndarray
    fit_group: np.ndarray
    fit_y: np.ndarray
    fit_den: np.ndarray | None
    fit_exposure: np.ndarray | None
    extra: dict[str, Any] = field(default_factory=dict)


def _require_column(data: pd.DataFrame, name: str, argument: str) -> None:
    if name not in data.columns:
        raise ITSInputError(
            f"{argument}={name!r} is not a column; columns are: {', '.join(map(str, data.columns))}",
            zh=f"{argument}={name!r} 不是数据中的列；现有列：{', '.join(map(str, data.columns))}",
        )


def _column(data: pd.DataFrame, name: str, argument: str) -> np.ndarray:
    _require_column(data, name, argument)
    values = pd.to_numeric(data[name], errors="coerce").to_numpy(dtype=float)
    require_no_missing(values, name, rows=data.index)
    return values


def _unit_value(value: object) -> str:
    """A ``select``/``controls`` value in the form :func:`checked_frame` gives the unit column.

    The unit column's labels are cleaned (``="420101"`` -> ``420101``, ``（站）`` -> ``(站)``) by
    :func:`analysis.tables.checks.unit_codes`; the value the user names is cleaned alike, so
    ``select='社区卫生服务中心（站）'`` finds the series it names.
    """
    text = as_text(value)
    if isinstance(value, (int, float, np.number)):
        return text
    code = canonical_code(text)
    return code if code is not None and code.isdigit() else unwrap_cell(text)


def _select_series(
    data: pd.DataFrame, spec: ITSSpec
) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """The treated series' rows and, for a long file, each control series' rows."""
    if spec.unit is None:
        if spec.select is not None:
            raise ITSInputError(
                f"select={spec.select!r} needs unit=COL, the column that names the series",
                zh=f"select={spec.select!r} 需要同时给出 unit=COL，即标明各序列的列",
            )
        return data, {}
    _require_column(data, spec.unit, "unit")
    keys = data[spec.unit].map(as_text)
    values = list(dict.fromkeys(keys.tolist()))
    shown = ", ".join(values[:12]) + (", ..." if len(values) > 12 else "")
    if spec.select is None:
        raise ITSInputError(
            f"unit={spec.unit!r} holds {len(values)} series; pick the treated one with "
            f"select=VALUE (values: {shown})",
            zh=f"unit={spec.unit!r} 含有 {len(values)} 个序列；"
            f"请用 select=VALUE 选出处理序列（取值：{shown}）",
        )
    chosen = _unit_value(spec.select)
    if chosen not in values:
        raise ITSInputError(
            f"select={spec.select!r} is not a value of column '{spec.unit}' (values: {shown})",
            zh=f"select={spec.select!r} 不是列 '{spec.unit}' 中的取值（取值：{shown}）",
        )
    treated = data.loc[(keys == chosen).to_numpy()]
    controls: dict[str, pd.DataFrame] = {}
    if spec.controls:
        every = tuple(spec.controls) in (("*",), ("all",))
        wanted = (
            [v for v in values if v != chosen] if every else list(map(_unit_value, spec.controls))
        )
        for name in wanted:
            if name == chosen:
                raise ITSInputError(
                    f"controls={name!r} is the treated series (select={chosen!r})",
                    zh=f"controls={name!r} 就是处理序列（select={chosen!r}）",
                )
            if name not in values:
                raise ITSInputError(
                    f"controls={name!r} is not a value of column '{spec.unit}' (values: {shown})",
                    zh=f"controls={name!r} 不是列 '{spec.unit}' 中的取值（取值：{shown}）",
                )
            controls[name] = data.loc[(keys == name).to_numpy()]
    return treated, controls


def _ordered(
    frame: pd.DataFrame, spec: ITSSpec, series: str = "", series_zh: str = ""
) -> tuple[pd.DataFrame, TimeAxis, list[str]]:
    """Parse the time column, refuse repeated times, sort rows into time order (with a notice).

    ``series`` names a control series in messages (`` of control 'x'``), ``series_zh`` the same
    in Chinese.
    """
    _require_column(frame, spec.time, "time")
    if len(frame) == 0:
        raise ITSInputError(f"the data{series} have no rows", zh=f"数据{series_zh}没有任何行")
    axis = parse_time(frame[spec.time], spec.time_format, spec.time, rows=frame.index)
    notices: list[str] = []
    if spec.time_format == "auto" and not series:
        notice = format_notice(frame[spec.time].tolist(), spec.time)
        if notice:
            notices.append(notice)
    pos = axis.positions
    order = np.argsort(pos, kind="stable")
    ranked = pos[order]
    repeated = np.flatnonzero(np.diff(ranked) == 0)
    if repeated.size:
        i, j = int(order[repeated[0]]), int(order[repeated[0] + 1])
        hint = (
            "; if the file holds several series (one per county, say), pick one with "
            "unit=COL select=VALUE"
            if spec.unit is None
            else f"; each value of '{spec.unit}' must have one row per time"
        )
        hint_zh = (
            "；如果文件包含多个序列（例如每个县一个），请用 unit=COL select=VALUE 选出其中一个"
            if spec.unit is None
            else f"；'{spec.unit}' 的每个取值在每个时间只能有一行"
        )
        raise ITSInputError(
            f"rows {frame.index[i]} and {frame.index[j]}{series} both have {spec.time} = "
            f"{axis.labels[i]}{hint}",
            zh=f"第 {frame.index[i]} 行和第 {frame.index[j]} 行{series_zh}的 {spec.time} 都是 "
            f"{axis.labels[i]}{hint_zh}",
        )
    backwards = np.flatnonzero(np.diff(pos) < 0)
    if backwards.size:
        k = int(backwards[0]) + 1
        notices.append(
            f"rows{series} were not in time order and were sorted by '{spec.time}' (row "
            f"{frame.index[k]}, {axis.labels[k]}, follows row {frame.index[k - 1]}, "
            f"{axis.labels[k - 1]})"
        )
        frame = frame.iloc[order]
        axis = TimeAxis(
            positions=ranked,
            unit=axis.unit,
            time_format=axis.time_format,
            labels=tuple(axis.labels[int(o)] for o in order),
        )
    return frame, axis, notices


def _unit_key(value: str) -> tuple[int, float, str]:
    """Sort key of a unit value: numbers numerically, before text."""
    try:
        return (0, float(value), "")
    except ValueError:
        return (1, 0.0, value)


def _collinear_column(x: pd.DataFrame) -> str | None:
    """The first column that is a linear combination of the columns before it."""
    values = x.to_numpy(dtype=float)
    scale = np.abs(values).max(axis=0)
    scale[scale == 0] = 1.0
    values = values / scale
    for j in range(values.shape[1]):
        if np.linalg.matrix_rank(values[:, : j + 1]) < j + 1:
            return str(x.columns[j])
    return None


def checked_frame(data: pd.DataFrame, spec: ITSSpec) -> pd.DataFrame:
    """``data`` after the input layer's checks (:mod:`analysis.tables.checks`) for ``spec``.

    Run once by :func:`fit_its` (and so by :func:`its`, the ``its`` command and the report),
    so that a frame built in Python is refused as the same file would be on the command line.

    The ``--unit`` codes are cleaned (``="420101"``, ``420101.0``) and two forms of one
    county refused; the outcome, ``--denominator`` and ``--exposure`` must hold numbers
    (``'abc' is not a number``); a share outcome must be on one scale in every series; and a
    comparative ITS may not use a total (``合计``, ``全市``) as a series.
    """
    try:
        return _checked(data, spec)
    except ITSInputError:
        raise
    except InputError as error:  # one exception family for the ITS API's callers
        raise ITSInputError(
            error.message,
            file=error.file,
            row=error.row,
            column=error.column,
            zh=error.message_zh,
        ) from None


def _checked(data: pd.DataFrame, spec: ITSSpec) -> pd.DataFrame:
    numeric = [c for c in (spec.denominator, spec.exposure) if c]
    every = tuple(spec.controls) in (("*",), ("all",))
    if spec.unit is not None and spec.unit in data.columns:
        units = None if (every or spec.select is None) else [spec.select, *spec.controls]
        return checked_columns(
            data,
            spec.outcome,
            unit=spec.unit,
            time=spec.time,
            units=units,
            numeric=numeric,
            comparative=bool(spec.controls),
        )
    controls = [c for c in spec.controls if c in data.columns and c != spec.outcome]
    out = checked_columns(data, spec.outcome, numeric=[*numeric, *controls])
    if controls and spec.outcome in out.columns:
        # series side by side as columns: one share scale across them, like units of a long file
        long = pd.concat(
            [
                pd.DataFrame({"series": c, spec.outcome: out[c]}, index=out.index)
                for c in [spec.outcome, *controls]
            ]
        )
        long.index.name = out.index.name
        long.attrs = dict(out.attrs)
        require_one_share_scale(long, spec.outcome, unit="series")
    return out


def _prepare(data: pd.DataFrame, spec: ITSSpec) -> _Prepared:
    if spec.family not in FAMILIES:
        raise ITSInputError(
            f"family={spec.family!r} is not one of {', '.join(FAMILIES)}",
            zh=f"family={spec.family!r} 不是 {', '.join(FAMILIES)} 之一",
        )
    if spec.errors not in ERRORS:
        raise ITSInputError(
            f"errors={spec.errors!r} is not one of {', '.join(ERRORS)}",
            zh=f"errors={spec.errors!r} 不是 {', '.join(ERRORS)} 之一",
        )
    if spec.design not in DESIGNS:
        raise ITSInputError(
            f"design={spec.design!r} is not one of {', '.join(DESIGNS)}",
            zh=f"design={spec.design!r} 不是 {', '.join(DESIGNS)} 之一",
        )
    if spec.stacked_hac not in STACKED_HAC:
        raise ITSInputError(
            f"stacked_hac={spec.stacked_hac!r} is not one of {', '.join(STACKED_HAC)}",
            zh=f"stacked_hac={spec.stacked_hac!r} 不是 {', '.join(STACKED_HAC)} 之一",
        )
    if spec.lag_rule not in LAG_RULES:
        raise ITSInputError(
            f"lag_rule={spec.lag_rule!r} is not one of {', '.join(LAG_RULES)}",
            zh=f"lag_rule={spec.lag_rule!r} 不是 {', '.join(LAG_RULES)} 之一",
        )
    if spec.hac_lags is not None and spec.hac_lags < 0:
        raise ITSInputError(
            f"hac_lags={spec.hac_lags} must be >= 0",
            zh=f"hac_lags={spec.hac_lags} 必须大于或等于 0",
        )
    if not 0.0 < spec.alpha < 1.0:
        raise ITSInputError(
            f"alpha={spec.alpha} must lie strictly between 0 and 1",
            zh=f"alpha={spec.alpha} 必须严格介于 0 和 1 之间",
        )
    data = checked_frame(data, spec)
    treated_rows, long_controls = _select_series(data, spec)
    frame, axis, notices = _ordered(treated_rows, spec)
    t, unit = axis.positions, axis.unit
    y = _column(frame, spec.outcome, "outcome")
    den = _column(frame, spec.denominator, "denominator") if spec.denominator else None
    exposure = _column(frame, spec.exposure, "exposure") if spec.exposure else None
    controls: dict[str, np.ndarray] = {}
    if spec.unit is None:
        controls = {c: _column(frame, c, "controls") for c in spec.controls}
    for name, rows in long_controls.items():
        what = f" of control {name!r}"
        rows, control_axis, _ = _ordered(rows, spec, what, f"（对照序列 {name!r}）")
        have, need = set(control_axis.positions.tolist()), set(t.tolist())
        if have != need:
            gap = sorted(need - have)
            extra = sorted(have - need)
            detail = (
                f"has no row for {axis.label(gap[0])}, which the treated series has"
                if gap
                else f"has a row for {control_axis.label(extra[0])}, which the treated series lacks"
            )
            detail_zh = (
                f"缺少 {axis.label(gap[0])} 这一行，而处理序列有这一行"
                if gap
                else f"有 {control_axis.label(extra[0])} 这一行，而处理序列没有"
            )
            raise ITSInputError(
                f"control {name!r} ({spec.unit} = {name}) {detail}; comparative ITS needs every "
                "series at the same times",
                zh=f"对照序列 {name!r}（{spec.unit} = {name}）{detail_zh}；"
                "比较性中断时间序列要求所有序列的时间点相同",
            )
        controls[name] = _column(rows, spec.outcome, f"outcome{what}")

    if spec.family == "binomial":
        if den is not None and np.all(den == 0):
            raise ITSInputError(
                f"denominator column '{spec.denominator}' is 0 in every row: there is no share "
                "to analyse; check that the right column was given",
                zh=f"分母列 '{spec.denominator}' 在每一行都是 0："
                "没有可分析的比例；请检查是否给错了列",
            )
        require_share_range(y, den, spec.outcome, rows=frame.index)
    elif spec.denominator:
        raise ITSInputError(
            f"denominator={spec.denominator!r} is for family='binomial' only",
            zh=f"denominator={spec.denominator!r} 只用于 family='binomial'",
        )
    if spec.family in LOG_LINK:
        if np.any(y < 0):
            bad = int(np.flatnonzero(y < 0)[0])
            raise ITSInputError(
                f"counts in '{spec.outcome}' must be >= 0 for {spec.family} (row "
                f"{frame.index[bad]} is {y[bad]:g})",
                zh=f"'{spec.outcome}' 中的计数在 {spec.family} "
                f"族下必须大于或等于 0（第 {frame.index[bad]} 行为 {y[bad]:g}）",
            )
        if exposure is not None:
            require_positive(exposure, spec.exposure or "", rows=frame.index)
    elif spec.exposure:
        raise ITSInputError(
            f"exposure={spec.exposure!r} is for the poisson and quasipoisson families only",
            zh=f"exposure={spec.exposure!r} 只用于 poisson 和 quasipoisson 族",
        )
    if spec.controls and spec.family != "gaussian":
        raise ITSInputError(
            "comparative ITS (controls=...) is available for the gaussian family only",
            zh="比较性中断时间序列（controls=...）只适用于 gaussian 族",
        )
    if spec.controls and spec.errors == "ar1":
        raise ITSInputError(
            "AR(1) errors are not available with control series; use errors='hac'",
            zh="有对照序列时不能使用 AR(1) 误差；请使用 errors='hac'",
        )
    if spec.errors == "ar1" and spec.family != "gaussian":
        raise ITSInputError(
            "AR(1) errors are available for the gaussian family; for counts and "
            "shares use errors='hac'",
            zh="AR(1) 误差只适用于 gaussian 族；计数和比例请使用 errors='hac'",
        )

    def locate(value: object, what: str) -> float:
        pos = parse_point(value, unit, what)
        if not (t[0] < pos <= t[-1]):
            raise ITSInputError(
                f"{what} is outside the data: it must be after the first time "
                f"({axis.label(t[0])}) and no later than the last ({axis.label(t[-1])})",
                zh=f"{what} 超出数据范围：必须晚于第一个时间（{axis.label(t[0])}），"
                f"且不晚于最后一个时间（{axis.label(t[-1])}）",
            )
        return pos

    main = Interruption(
        at=locate(spec.intervention, f"intervention={spec.intervention!r}"),
        impact=spec.impact,
        window=spec.window,
        window_kind=spec.window_kind,
    )
    others = tuple(
        Interruption(
            at=locate(o.at, f"others={o.text!r}"),
            impact=o.impact,
            name=o.name,
            window=o.window,
            window_kind=o.window_kind,
        )
        for o in spec.others
    )
    design = SegmentedDesign(
        interruptions=(main, *others),
        seasonality=spec.seasonality,
        period=spec.period,
        controls=tuple(controls),
        origin=float(t[0]),
        pooled=spec.design == "pooled",
    )
    keep = ~design.excluded(t)

    ordered = sorted(design.interruptions, key=lambda i: i.at)
    for first, second in pairwise(ordered):
        if first.at == second.at:
            names = [
                f"others={i.name!r}" if i.name else "the intervention" for i in (first, second)
            ]
            names_zh = [f"others={i.name!r}" if i.name else "干预" for i in (first, second)]
            raise ITSInputError(
                f"the design is perfectly collinear: {names[0]} and {names[1]} start at the same "
                f"time ({axis.label(first.at)}), so their effects cannot be separated; drop or "
                "move one",
                zh=f"设计矩阵完全共线：{names_zh[0]} 和 {names_zh[1]} "
                f"在同一时间（{axis.label(first.at)}）开始，"
                "其效应无法区分；请删除或移动其中一个",
            )
    bounds = [-np.inf, *(i.at for i in ordered), np.inf]
    needs = [2, *(len(i.effect_columns()) for i in ordered)]
    for (lo, hi), need in zip(pairwise(bounds), needs):
        count = int(np.sum(keep & (t >= lo) & (t < hi)))
        where = (
            f"before {axis.label(hi)}"
            if lo == -np.inf
            else f"from {axis.label(lo)}" + ("" if hi == np.inf else f" to before {axis.label(hi)}")
        )
        where_zh = (
            f"{axis.label(hi)} 之前"
            if lo == -np.inf
            else f"自 {axis.label(lo)} 起" + ("" if hi == np.inf else f"至 {axis.label(hi)} 之前")
        )
        if count < need:
            raise ITSInputError(
                f"too few points in a segment: {count} {where}, fewer than the {need} "
                "parameters the model gives that segment; use a simpler impact or more data",
                zh=f"某一段的数据点太少：{where_zh}只有 {count} 个，"
                f"少于模型为该段设定的 {need} 个参数；请使用更简单的影响形式或更多数据",
            )
        if count < spec.min_segment:
            raise ITSInputError(
                f"too few points in a segment: {count} {where} (need at least "
                f"min_segment={spec.min_segment})",
                zh=f"某一段的数据点太少：{where_zh}只有 "
                f"{count} 个（至少需要 min_segment={spec.min_segment}）",
            )

    labels = list(axis.labels)
    if design.comparative:
        series = [("treated", y), *controls.items()]
        if long_controls:
            # stack in the unit column's order, as Stata's tsset panel ids order the rows
            names = {"treated": as_text(spec.select)} | {c: c for c in controls}
            series.sort(key=lambda item: _unit_key(names[item[0]]))
        fit_t = np.concatenate([t[keep]] * len(series))
        fit_group = np.concatenate([np.repeat(name, int(keep.sum())) for name, _ in series])
        fit_y = np.concatenate([values[keep] for _, values in series])
    else:
        fit_t, fit_group, fit_y = t[keep], np.repeat("treated", int(keep.sum())), y[keep]

    observed = y[keep] / den[keep] if den is not None else y[keep]
    if np.ptp(observed) <= 1e-12 * max(1.0, float(np.max(np.abs(observed)))):
        raise ITSInputError(
            f"outcome '{spec.outcome}' is constant ({observed[0]:g} in every row used in the "
            "fit): a constant series has no level or trend change to estimate",
            zh=f"结局变量 '{spec.outcome}' 是常数（拟合所用的每一行都是 {observed[0]:g}）："
            "常数序列没有可估计的水平或趋势变化",
        )
    x = design.matrix(fit_t, group=fit_group)
    if fit_y.size <= x.shape[1]:
        raise ITSInputError(
            f"{fit_y.size} points cannot estimate the {x.shape[1]} coefficients of this model "
            f"({', '.join(x.columns)}) and an error variance; use fewer terms (seasonality, "
            "other interruptions, impact) or more data",
            zh=f"{fit_y.size} 个数据点无法估计此模型的 {x.shape[1]} 个系数"
            f"（{', '.join(x.columns)}）和误差方差；"
            "请减少模型项（季节性、其他中断、影响形式）或使用更多数据",
        )
    culprit = _collinear_column(x)
    if culprit is not None:
        raise ITSInputError(
            f"the design is perfectly collinear: '{culprit}' is a linear combination of the "
            "terms before it (e.g. two interruptions at the same time, a window covering a "
            "whole segment, or seasonal terms with too few periods); drop or move one",
            zh=f"设计矩阵完全共线：'{culprit}' 是它之前各项的线性组合（例如两个中断在同一时间、"
            "某个窗口覆盖整段，或季节项的周期太少）；请删除或移动其中一个",
        )
    return _Prepared(
        design=design,
        unit=unit,
        t=t,
        labels=labels,
        y=y,
        den=den,
        exposure=exposure,
        keep=keep,
        fit_t=fit_t,
        fit_group=fit_group,
        fit_y=fit_y,
        fit_den=den[keep] if den is not None else None,
        fit_exposure=exposure[keep] if exposure is not None else None,
        extra={"axis": axis, "notices": notices, "frame": frame},
    )


def _glm_family(family: str) -> sm.families.Family:
    return sm.families.Binomial() if family == "binomial" else sm.families.Poisson()


def _glm_model(
    y: np.ndarray, den: np.ndarray | None, x: pd.DataFrame, family: str, offset: np.ndarray | None
) -> sm.GLM:
    if den is None:
        return sm.GLM(y, x, family=_glm_family(family), offset=offset)
    # Proportions with the denominators as variance weights, not a (successes, failures)
    # endog: with the two-column form statsmodels computes the Pearson X2 scale without the
    # trial counts while the covariance uses them, which shrinks standard errors by
    # orders of magnitude for large denominators (see tests/test_its_engine.py).
    return sm.GLM(y / den, x, family=_glm_family(family), var_weights=den, offset=offset)


def fit_statsmodels(
    prep: _Prepared,
    x: pd.DataFrame,
    family: str,
    errors: str,
    hac_lags: int | None,
    stacked_hac: str = "itsa",
) -> tuple[Any, float | None, int | None]:
    """Run the statsmodels fit for a prepared design (the one place models are fitted).

    Gaussian Newey-West covariances follow Stata's ``newey`` (what ``itsa`` calls): Bartlett
    weights, the small-sample factor ``n / (n - k)`` (statsmodels ``use_correction``), t
    reference with ``n - k`` degrees of freedom. For the pooled comparative design,
    ``stacked_hac="itsa"`` reproduces ``itsa``: ``newey ..., force`` on the stacked series,
    so lagged products run over consecutive rows of the stack and include the pairs that
    straddle two series (the last time of one with the first of the next; rows are stacked
    in the unit column's order, as Stata's panel ids order them). ``"within-series"`` takes
    lagged products within each series only (statsmodels ``hac-panel``), still ``n - k``
    degrees of freedom. The per-series design uses ``hac-panel`` with statsmodels'
    ``series - 1`` degrees of freedom.

    Returns
    -------
    tuple
        Results object, estimated ``rho`` (AR(1)) and HAC lag used.
    """
    y = prep.fit_y
    lags = None
    if errors == "hac":
        per_series = int(prep.keep.sum())
        lags = hac_lags if hac_lags is not None else newey_west_lags(per_series)
    if family == "gaussian":
        if errors == "ar1":
            res, rho = prais_winsten(y, x, prep.fit_t)
            return res, rho, None
        model = sm.OLS(y, x)
        if errors == "hac":
            if prep.design.comparative and prep.design.pooled and stacked_hac == "itsa":
                # itsa runs `newey ..., force` on the stacked series: Bartlett-weighted lagged
                # products over consecutive rows of the stack, the last year of one series
                # with the first of the next included, n / (n - k), t(n - k)
                res = model.fit(
                    cov_type="HAC", cov_kwds={"maxlags": lags, "use_correction": True}, use_t=True
                )
                return res, None, lags
            if prep.design.comparative:
                codes = pd.factorize(prep.fit_group)[0]
                res = model.fit(
                    cov_type="hac-panel",
                    cov_kwds={"groups": codes, "maxlags": lags, "use_correction": "hac"},
                    use_t=True,
                )
                if prep.design.pooled:
                    # newey's t(n - k), not statsmodels' t(series - 1) for hac-panel
                    res.df_resid_inference = res.df_resid
                return res, None, lags
            res = model.fit(
                cov_type="HAC", cov_kwds={"maxlags": lags, "use_correction": True}, use_t=True
            )
            return res, None, lags
        return model.fit(), None, None
    offset = np.log(prep.fit_exposure) if prep.fit_exposure is not None else None
    model = _glm_model(y, prep.fit_den, x, family, offset)
    scale = None if family == "poisson" else "X2"
    if errors == "hac":
        return model.fit(scale=scale, cov_type="HAC", cov_kwds={"maxlags": lags}), None, lags
    return model.fit(scale=scale), None, None


def _reference_df(res: Any) -> float | None:
    """Degrees of freedom of the t reference distribution, or ``None`` for the normal.

    statsmodels' own inference degrees of freedom where it sets them (series minus one for the
    by-series HAC of comparative ITS, as its ``t_test`` uses), else the residual ones.
    """
    if not getattr(res, "use_t", False):
        return None
    df = getattr(res, "df_resid_inference", None)
    return float(res.df_resid if df is None else df)


def interval_method(
    res: Any,
    family: str,
    errors: str,
    lags: int | None,
    comparative: bool = False,
    assumed_rho: float | None = None,
    pooled: bool = True,
    stacked_hac: str = "itsa",
) -> str:
    """Name the reference distribution and covariance behind a fit's intervals.

    Examples
    --------
    >>> class Fit:
    ...     use_t, df_resid = True, 90.0
    >>> interval_method(Fit(), "gaussian", "hac", 3)
    't(90), OLS with Newey-West HAC lag 3 (as Stata newey)'
    """
    df = _reference_df(res)
    reference = "normal" if df is None else f"t({df:g})"
    if family == "gaussian":
        if assumed_rho is not None:
            model = f"GLS with assumed AR(1) rho {assumed_rho:g}"
        elif errors == "ar1":
            model = "GLS AR(1) Prais-Winsten"
        elif errors == "hac":
            if not comparative:
                model = f"OLS with Newey-West HAC lag {lags} (as Stata newey)"
            elif pooled and stacked_hac == "itsa":
                model = (
                    f"OLS with Newey-West HAC lag {lags} over the stacked series "
                    "(as itsa: newey, force)"
                )
            elif pooled:
                model = f"OLS with Newey-West HAC within series lag {lags}"
            else:
                model = f"OLS with Newey-West HAC by series lag {lags}"
        else:
            model = "OLS model-based"
    else:
        scale = "" if family == "poisson" else " (Pearson X2 scale)"
        covariance = f"Newey-West HAC lag {lags}" if errors == "hac" else "model-based"
        model = f"GLM {family}{scale}, {covariance}"
    return f"{reference}, {model}"


def _coefficient_effect(
    res: Any, columns: list[str], column: str, name: str, method: str, alpha: float
) -> Estimate:
    i = columns.index(column)
    estimate = float(np.asarray(res.params)[i])
    se = math.sqrt(float(np.asarray(res.cov_params())[i, i]))
    return Estimate.from_se(name, estimate, se, method=method, alpha=alpha, df=_reference_df(res))


def _inverse_link(family: str, eta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and its derivative with respect to the linear predictor."""
    if family == "gaussian":
        return eta, np.ones_like(eta)
    if family == "binomial":
        mu = 1.0 / (1.0 + np.exp(-eta))
        return mu, mu * (1.0 - mu)
    mu = np.exp(eta)
    return mu, mu


def _effect_tables(
    prep: _Prepared,
    res: Any,
    family: str,
    alpha: float,
    method: str,
) -> tuple[pd.DataFrame, pd.DataFrame, Estimate]:
    params = np.asarray(res.params, dtype=float)
    cov = np.asarray(res.cov_params(), dtype=float)
    crit = critical_value(alpha, _reference_df(res))
    group = np.repeat("treated", prep.t.size)
    x1 = prep.design.matrix(prep.t, group=group).to_numpy()
    x0 = prep.design.matrix(prep.t, group=group, counterfactual=True).to_numpy()
    log_offset = np.log(prep.exposure) if prep.exposure is not None else np.zeros(prep.t.size)
    eta1, eta0 = x1 @ params + log_offset, x0 @ params + log_offset
    se_eta1 = np.sqrt(np.einsum("ij,jk,ik->i", x1, cov, x1))
    se_eta0 = np.sqrt(np.einsum("ij,jk,ik->i", x0, cov, x0))
    mu1, d1 = _inverse_link(family, eta1)
    mu0, d0 = _inverse_link(family, eta0)
    observed = prep.y / prep.den if prep.den is not None else prep.y
    main = prep.design.interruptions[0]
    post = prep.t >= main.at
    cf = pd.DataFrame(
        {
            "time": prep.labels,
            "position": prep.t,
            "observed": observed,
            "fitted": mu1,
            "counterfactual": mu0,
            "counterfactual_low": _inverse_link(family, eta0 - crit * se_eta0)[0],
            "counterfactual_high": _inverse_link(family, eta0 + crit * se_eta0)[0],
            "fitted_low": _inverse_link(family, eta1 - crit * se_eta1)[0],
            "fitted_high": _inverse_link(family, eta1 + crit * se_eta1)[0],
            "post": post,
            "in_fit": prep.keep,
        }
    )

    # Delta method on the response scale; exact for Gaussian (linear) models.
    grad1 = d1[:, None] * x1
    grad0 = d0[:, None] * x0
    rows = np.flatnonzero(post & prep.keep)
    horizon_rows = []
    for i in rows:
        g_abs = grad1[i] - grad0[i]
        absolute = mu1[i] - mu0[i]
        se_abs = math.sqrt(max(float(g_abs @ cov @ g_abs), 0.0))
        if family in LOG_LINK:
            c = x1[i] - x0[i]
            est = float(c @ params)
            se = math.sqrt(max(float(c @ cov @ c), 0.0))
            rel, rel_lo, rel_hi = (
                math.exp(est) - 1,
                math.exp(est - crit * se) - 1,
                math.exp(est + crit * se) - 1,
            )
        else:
            rel = absolute / mu0[i]
            g_rel = (grad1[i] * mu0[i] - grad0[i] * mu1[i]) / mu0[i] ** 2
            se_rel = math.sqrt(max(float(g_rel @ cov @ g_rel), 0.0))
            rel_lo, rel_hi = rel - crit * se_rel, rel + crit * se_rel
        horizon_rows.append(
            {
                "time": prep.labels[i],
                "horizon": prep.t[i] - main.at,
                "absolute": absolute,
                "absolute_low": absolute - crit * se_abs,
                "absolute_high": absolute + crit * se_abs,
                "relative": rel,
                "relative_low": rel_lo,
                "relative_high": rel_hi,
            }
        )
    horizon = pd.DataFrame(horizon_rows)
    g_cum = (grad1[rows] - grad0[rows]).sum(axis=0)
    if family == "binomial" and prep.den is not None:
        # cumulative effect in numerator units (e.g. extra primary-care visits)
        g_cum = ((grad1[rows] - grad0[rows]) * prep.den[rows, None]).sum(axis=0)
        total = float(((mu1 - mu0)[rows] * prep.den[rows]).sum())
    else:
        total = float((mu1 - mu0)[rows].sum())
    se_cum = math.sqrt(max(float(g_cum @ cov @ g_cum), 0.0))
    cumulative = Estimate.from_se(
        "cumulative",
        total,
        se_cum,
        alpha=alpha,
        method=f"{method}; delta method",
        df=_reference_df(res),
    )
    return cf, horizon, cumulative


def _dispersion(res: Any, family: str) -> float:
    if family == "poisson":
        return 1.0
    return float(res.scale)


def itsa_names(design: SegmentedDesign, label: Any) -> dict[str, str]:
    """Map the design's columns to the names Stata's ``itsa`` gives its regressors.

    ``label(position)`` gives the time label used in the names (``itsa`` appends the
    ``trperiod`` value: ``_x1989``). Columns ``itsa`` does not have (seasonal terms, the
    per-series design's control intercepts) keep their own names.

    Examples
    --------
    >>> d = SegmentedDesign(interruptions=(Interruption(at=1989.0),), controls=("c",))
    >>> list(itsa_names(d, lambda p: f"{p:g}").values())
    ['_cons', '_t', '_z', '_z_t', '_x1989', '_z_x1989', '_x_t1989', '_z_x_t1989']
    """
    names = {"const": "_cons", "time": "_t", "treated": "_z", "treated:time": "_z_t"}
    for itv in design.interruptions:
        stamp = label(itv.at)
        for kind, column in itv.effect_columns().items():
            base = f"_x{stamp}" if kind == "level" else f"_x_t{stamp}"
            names[column] = base
            names[f"treated:{column}"] = "_z" + base
    return {c: names.get(c, c) for c in design.columns()}


def _lincom(
    res: Any, columns: list[str], terms: list[str], name: str, method: str, alpha: float
) -> Estimate:
    """A linear combination (sum) of coefficients with its SE, as Stata's ``lincom``."""
    c = np.array([1.0 if col in terms else 0.0 for col in columns])
    params = np.asarray(res.params, dtype=float)
    cov = np.asarray(res.cov_params(), dtype=float)
    se = math.sqrt(max(float(c @ cov @ c), 0.0))
    return Estimate.from_se(
        name, float(c @ params), se, method=f"{method}; lincom", alpha=alpha, df=_reference_df(res)
    )


def posttrends(
    res: Any, design: SegmentedDesign, method: str, alpha: float
) -> tuple[Estimate, ...]:
    """Post-intervention trends as ``itsa, posttrend`` reports them (after the last interruption).

    Single series: ``_t + _x_t{T}`` (one per interruption with a slope, cumulative). With
    controls: the treated series (``_t + _z_t + _x_t + _z_x_t``), the controls (``_t + _x_t``)
    and their difference (``_z_t + _z_x_t``).
    """
    columns = list(design.columns())
    slopes = [
        itv.effect_columns()["slope"]
        for itv in sorted(design.interruptions, key=lambda i: i.at)
        if "slope" in itv.effect_columns()
    ]
    if not slopes:
        return ()
    if not design.comparative:
        return (_lincom(res, columns, ["time", *slopes], "posttrend", method, alpha),)
    treated = [f"treated:{s}" for s in slopes]
    return (
        _lincom(
            res, columns, ["time", "treated:time", *slopes, *treated], "posttrend", method, alpha
        ),
        _lincom(res, columns, ["time", *slopes], "posttrend:controls", method, alpha),
        _lincom(res, columns, ["treated:time", *treated], "posttrend:difference", method, alpha),
    )


def _treated_residuals(prep: _Prepared, x: pd.DataFrame, family: str) -> tuple[Any, Any, str]:
    """Residuals (and design) of the fit before any error correction, treated rows only."""
    rows = prep.fit_group == "treated"
    if family == "gaussian":
        ols = sm.OLS(prep.fit_y, x).fit()
        # on the treated rows the treated:* terms repeat the common ones: keep the latter
        own = [c for c in x.columns if not c.startswith(("treated", "control["))]
        return np.asarray(ols.resid)[rows], x[own].to_numpy()[rows], "OLS"
    offset = np.log(prep.fit_exposure) if prep.fit_exposure is not None else None
    glm = _glm_model(prep.fit_y, prep.fit_den, x, family, offset).fit(
        scale=None if family == "poisson" else "X2"
    )
    return np.asarray(glm.resid_pearson), x.to_numpy(), "Pearson"


def _events_near(spec: ITSSpec, prep: _Prepared) -> tuple[tuple[Any, ...], list[str], int | None]:
    """Events within the window of the intervention, and warnings (see events.py)."""
    if not spec.events:
        return (), [], None
    unit = prep.unit
    main = prep.design.interruptions[0]
    stamp = timestamp_of(main.at, unit)
    if stamp is None:
        raise ITSInputError(
            "events=... needs a calendar time column (dates, months, quarters or years); "
            f"'{spec.time}' holds plain numbers",
            zh=f"events=... 需要日历时间列（日期、月、季度或年）；'{spec.time}' 中是普通数字",
        )
    window = spec.event_window if spec.event_window is not None else EVENT_WINDOW[unit]
    if window < 0:
        raise ITSInputError(
            f"event_window={window} must be >= 0", zh=f"event_window={window} 必须大于或等于 0"
        )
    found = read_events(spec.events)
    near = find_events_near(found, stamp, window, unit)
    others = tuple(
        OtherInterruption(
            at=timestamp_of(itv.at, unit),
            name=itv.name,
            impact=itv.impact,
            window=itv.window,
            window_kind=itv.window_kind,
        )
        for itv in prep.design.interruptions[1:]
    )
    warnings_ = separation_warnings(near, stamp, others, unit)
    return tuple(near), list(warnings_), window


def fit_its(data: pd.DataFrame, spec: ITSSpec) -> ITSResult:
    """Fit the ITS defined by ``spec`` to ``data``.

    Parameters
    ----------
    data
        One row per period; for comparative ITS the control series are further columns.
    spec
        The analysis.

    Returns
    -------
    ITSResult
        Effects, counterfactual, horizon and cumulative effects, and the statsmodels results.

    Raises
    ------
    ITSInputError
        On bad input (missing values, non-increasing time, intervention outside the data, too
        few points in a segment, shares out of range, exposure <= 0, unsupported combination).
    """
    prep = _prepare(data, spec)
    x = prep.design.matrix(prep.fit_t, group=prep.fit_group)
    columns = list(x.columns)
    n_series = int(prep.keep.sum())
    short = n_series <= spec.short_series and not prep.design.comparative
    errors = spec.errors
    notes: list[str] = []
    if short:
        notes.append(
            f"only {n_series} points: residual autocorrelation cannot be tested "
            "(Durbin–Watson, Breusch–Godfrey and Ljung–Box have no useful power)"
        )
        if spec.errors == "ar1":
            notes.append(
                f"AR(1) is not identified from {n_series} points: rho is not "
                "estimated; effects use OLS (rho = 0) and the rho grid shows them "
                "under assumed rho"
            )
            errors = "ols"
        elif spec.errors == "hac":
            notes.append(
                f"Newey–West HAC standard errors are not credible with {n_series} "
                "points: effects use OLS standard errors; see the rho grid"
            )
            errors = "ols"
        if spec.seasonality != "none":
            notes.append("seasonality is weakly identified with so few points")
        if spec.family != "gaussian":
            notes.append("the rho grid is computed for the gaussian family only")
    axis: TimeAxis = prep.extra["axis"]
    if spec.family == "gaussian":
        exact = sm.OLS(prep.fit_y, x).fit()
        ssr, centred = float(exact.ssr), prep.fit_y - prep.fit_y.mean()
        if ssr <= 1e-20 * max(float(centred @ centred), 1e-300):
            raise ITSInputError(
                f"the model fits every point of '{spec.outcome}' exactly (all residuals are 0): "
                "standard errors would be 0 and every effect 'significant'; check the data",
                zh=f"模型对 '{spec.outcome}' 的每个点都完全拟合（所有残差为 0）："
                "标准误将为 0，每个效应都会“显著”；请检查数据",
            )
    check: AutocorrelationCheck | None = None
    if not short and spec.ac_lags != 0:
        resid, exog, kind = _treated_residuals(prep, x, spec.family)
        check = lag_tests(resid, exog, spec.ac_lags, kind)
    lags_wanted = spec.hac_lags
    if errors == "hac" and lags_wanted is None and spec.lag_rule == "actest" and check:
        lags_wanted = check.suggested_lag
    res, rho, lags = fit_statsmodels(prep, x, spec.family, errors, lags_wanted, spec.stacked_hac)
    notices = list(prep.extra["notices"])
    if check is not None and lags is not None and check.suggested_lag > lags:
        notices.append(
            f"the autocorrelation check finds autocorrelation up to lag {check.suggested_lag}, "
            f"beyond the Newey-West lag {lags} used; consider hac_lags={check.suggested_lag}"
        )
    if check is not None and errors == "ols" and check.suggested_lag > 0:
        notices.append(
            f"the autocorrelation check finds autocorrelation up to lag {check.suggested_lag}: "
            "OLS standard errors are too small; use errors='hac' or 'ar1'"
        )
    method = interval_method(
        res,
        spec.family,
        errors,
        lags,
        prep.design.comparative,
        pooled=prep.design.pooled,
        stacked_hac=spec.stacked_hac,
    )

    def effects_of(fit: Any, index: int, fit_method: str) -> dict[str, Estimate]:
        prefix = prep.design.interruptions[index].prefix()
        return {
            k: _coefficient_effect(fit, columns, col, prefix + k, fit_method, spec.alpha)
            for k, col in prep.design.effect_columns(index).items()
        }

    effects = effects_of(res, 0, method)
    others = {
        itv.name: effects_of(res, i, method)
        for i, itv in enumerate(prep.design.interruptions)
        if i > 0
    }
    ratios: dict[str, Estimate] = {}
    if spec.family in LOG_LINK:
        for e in [*effects.values(), *(e for o in others.values() for e in o.values())]:
            ratios[e.name] = rate_ratio(e)
    grid: list[RhoGridRow] = []
    if short and spec.family == "gaussian":
        for r in spec.rho_grid:
            g = sm.GLS(prep.fit_y, x, sigma=ar1_correlation(prep.fit_t, r)).fit()
            grid.append(
                RhoGridRow(
                    rho=float(r),
                    effects=effects_of(
                        g, 0, interval_method(g, spec.family, "ols", None, assumed_rho=float(r))
                    ),
                )
            )
    cf, horizon, cumulative = _effect_tables(prep, res, spec.family, spec.alpha, method)
    names = itsa_names(prep.design, axis.label)
    coefficients = tuple(
        _coefficient_effect(res, columns, col, names[col], method, spec.alpha) for col in columns
    )
    trends = posttrends(res, prep.design, method, spec.alpha) if spec.family == "gaussian" else ()
    near, event_warnings, event_window = _events_near(spec, prep)
    design_name = "single" if not prep.design.comparative else spec.design
    return ITSResult(
        outcome=spec.outcome,
        impact=spec.impact,
        n=int(prep.fit_y.size),
        family=spec.family,
        errors=errors,
        dispersion=_dispersion(res, spec.family),
        rho=rho,
        hac_lags=lags,
        interval_method=method,
        alpha=spec.alpha,
        time_unit=prep.unit,
        intervention_label=axis.label(prep.design.interruptions[0].at),
        effects=effects,
        other_effects=others,
        rate_ratios=ratios,
        counterfactual=cf,
        horizon_effects=horizon,
        cumulative=cumulative,
        not_estimable=tuple(notes),
        rho_grid=tuple(grid),
        params=pd.Series(np.asarray(res.params), index=columns),
        cov=pd.DataFrame(np.asarray(res.cov_params()), index=columns, columns=columns),
        model=res,
        design=design_name,
        coefficients=coefficients,
        coefficient_columns=tuple(columns),
        posttrend=trends,
        autocorrelation=check,
        lag_rule=spec.lag_rule if errors == "hac" and spec.hac_lags is None else None,
        notices=tuple(notices),
        events_near=near,
        event_window=event_window,
        event_warnings=tuple(event_warnings),
        reference_df=_reference_df(res),
    )


def design_matrix(data: pd.DataFrame, spec: ITSSpec) -> pd.DataFrame:
    """The exact regressor matrix :func:`fit_its` passes to statsmodels (for validation).

    Parameters
    ----------
    data, spec
        As for :func:`fit_its`.

    Returns
    -------
    pandas.DataFrame
        Design rows of the fitted observations.
    """
    prep = _prepare(data, spec)
    return prep.design.matrix(prep.fit_t, group=prep.fit_group)


def its(
    data: pd.DataFrame, *, time: str, outcome: str, intervention: object, **options: Any
) -> ITSResult:
    """Fit an interrupted time series (keyword front end of :func:`fit_its`).

    Parameters
    ----------
    data
        One row per period.
    time
        Time column: numbers or first-of-month dates.
    outcome
        Outcome column (numerator counts for binomial with ``denominator``).
    intervention
        First post-intervention value of the time column.
    **options
        Any further :class:`ITSSpec` field: ``impact``, ``family``, ``denominator``,
        ``exposure``, ``seasonality``, ``period``, ``errors``, ``controls``, ``others``,
        ``window``, ``window_kind``, ``hac_lags``, ``min_segment``, ``short_series``,
        ``rho_grid``, ``alpha``.

    Returns
    -------
    ITSResult
        The fit.
    """
    for name in ("controls", "others", "rho_grid"):
        if name in options:
            options[name] = tuple(options[name])
    if "others" in options:
        options["others"] = tuple(
            OtherInterruption.parse(o) if isinstance(o, str) else o for o in options["others"]
        )
    return fit_its(data, ITSSpec(time=time, outcome=outcome, intervention=intervention, **options))
