"""Synthetic control for one treated unit: predictors, V-weights, placebos and conformal intervals.

Estimator (Abadie & Gardeazabal 2003; Abadie, Diamond & Hainmueller 2010, JASA 105(490)):

* **Predictors** ``X`` (k x units) are covariates of ``panel.covariates`` averaged over a
  window of pre-period labels (missing values skipped, as R ``Synth``'s ``dataprep`` does
  with ``mean(na.rm = TRUE)``) and chosen **outcome lags** (the outcome at one period, or
  its mean over a window). Each predictor is divided by its standard deviation across all
  units, treated included (R ``Synth``'s scaling).
* **Donor weights** ``W(V) = argmin (x1 - X0 w)' V (x1 - X0 w)`` over the simplex, for a
  diagonal ``V`` of predictor weights normalised to sum to one.
* **V-weights** minimise the pre-period outcome MSPE ``||z1 - Z0 W(V)||^2 / T`` over the fit
  window (nested optimisation, as in ADH 2010). Like R ``Synth``, the outer search is
  Nelder-Mead started from equal weights and from the regression-based start
  (``diag(B B')`` of the regression of outcomes on predictors), keeping the better fit.
  The nested problem has local optima; published weights are reproduced to the precision
  their optimiser reaches (see the tests).
* With **no predictors and no lags**, the weights match the whole pre-period outcome path
  (no V), as before.

Output: donor weights, V-weights, the predictor balance table (treated, synthetic, donor
mean), the gap path ``treated - synthetic`` per period, pre- and post-period RMSPE.

Inference (one treated unit):

* **Conformal interval** for the post-period effect (Chernozhukov, Wuethrich & Zhu 2021;
  :mod:`analysis.did.sc_inference`): exact under its assumptions, moving-block permutations
  over the T periods; unbounded, and said so, when ``1/T > alpha``. Optional per-period
  intervals (smallest p ``1/(T0 + 1)``).
* **Placebo in space** (ADH 2010, Section 4): each donor in turn is treated as if treated with
  the other donors as its pool (same predictor specification, V re-optimised); the p-value is
  the treated unit's rank among the N0 + 1 post/pre RMSPE ratios divided by N0 + 1, so the
  smallest attainable p is ``1/(N0 + 1)``.
* **Placebo in time** (``placebo_time=k``): adoption moved k periods earlier, the model refitted
  on the truncated pre-period only (actual post periods dropped), windows clipped to the new
  pre-period.

Library choice: ``pysyncon`` 1.7.0 (MIT) implements the same nested problem and a per-period
conformal interval, but solves the inner problem with SLSQP (about 1 s per V evaluation here,
too slow for nested optimisation with placebos), has no moving-block test of the average
effect, prints progress, and its parity with R ``Synth`` is documented to depend on the BLAS
and scipy versions. ``scpi-pkg`` (Cattaneo, Feng & Titiunik) cannot be installed: it queries
PyPI at import (``luddite``) and pulls heavy solvers. The small problems here are solved with
scipy's NNLS plus an exact active-set step (:func:`~analysis.did.sc_inference.simplex_least_squares`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize

from analysis.did.panel import Panel, PanelError
from analysis.did.sc_inference import ConformalInterval, conformal_interval, simplex_least_squares
from analysis.did.twobytwo import common_adoption
from analysis.estimates import Estimate, ResultMixin

Predictor = str | tuple[str, Any, Any]
OutcomeLag = Any


@dataclass(frozen=True)
class PlaceboInTime:
    """Placebo adoption ``shift`` periods early, fitted on the truncated pre-period.

    Attributes
    ----------
    adoption_label
        Period label of the placebo adoption.
    gap
        Gap path over the truncated panel (treated minus synthetic).
    effect
        Mean gap over the placebo post-period (real pre-period), expected near zero.
    rmspe_ratio
        Placebo post/pre RMSPE ratio.
    weights
        Donor weights of the placebo fit.
    """

    adoption_label: object
    gap: pd.Series
    effect: float
    rmspe_ratio: float
    weights: pd.Series


@dataclass(frozen=True)
class SyntheticControlResult(ResultMixin):
    """Result of :func:`synthetic_control`.

    Attributes
    ----------
    treated_unit
        Label of the treated unit.
    conformal
        Mean post-period gap with the conformal interval and p-value (headline estimate).
    effect
        The same mean gap with the placebo-in-space p-value (rank of the treated unit's
        post/pre RMSPE ratio among the N0 + 1 ratios); no interval.
    weights
        Donor weights (index: donor labels), non-negative, summing to one.
    v_weights
        Predictor weights (index: predictor labels), empty without predictors.
    balance
        Predictor balance: treated, synthetic and donor-mean values (unscaled).
    path
        Frame indexed by period label: treated, synthetic, gap.
    pre_rmspe, post_rmspe, rmspe_ratio
        Fit before adoption, divergence after, and their ratio.
    placebo_ratios
        Post/pre RMSPE ratio of each donor when treated as if treated (index: donors).
    placebo_gaps
        Gap paths of the placebos (rows: period labels, columns: donors).
    per_period
        Per post period: gap and its conformal interval (empty unless requested).
    placebo_in_time
        The placebo-in-time fit, if requested.
    notes
        Caveats shown under the summary.
    """

    method_name = "synthetic control"

    treated_unit: object
    conformal: Estimate
    effect: Estimate
    weights: pd.Series
    v_weights: pd.Series
    balance: pd.DataFrame
    path: pd.DataFrame
    pre_rmspe: float
    post_rmspe: float
    rmspe_ratio: float
    placebo_ratios: pd.Series
    placebo_gaps: pd.DataFrame
    per_period: pd.DataFrame = field(default_factory=pd.DataFrame)
    placebo_in_time: PlaceboInTime | None = None
    notes: tuple[str, ...] = ()

    def estimates(self) -> tuple[Estimate, ...]:
        """Conformal estimate first, then the placebo-in-space p-value, then in time."""
        out = [self.conformal, self.effect]
        if self.placebo_in_time is not None:
            out.append(
                Estimate(
                    name=f"placebo_in_time_{self.placebo_in_time.adoption_label}",
                    estimate=self.placebo_in_time.effect,
                    interval_method="placebo in time: mean gap after a fake adoption, "
                    "fitted on the pre-period only; no interval",
                    alpha=self.conformal.alpha,
                )
            )
        return tuple(out)

    def summary_header(self) -> list[tuple[str, str]]:
        """Treated unit, fit and the RMSPE ratio."""
        top = self.weights.sort_values(ascending=False)
        top = top[top > 0.01]
        return [
            ("treated unit", str(self.treated_unit)),
            ("donors (weight > 0.01)", ", ".join(f"{k} {v:.3f}" for k, v in top.items())),
            ("predictors", str(len(self.v_weights)) if len(self.v_weights) else "none"),
            ("pre-period RMSPE", f"{self.pre_rmspe:.4g}"),
            ("post/pre RMSPE ratio", f"{self.rmspe_ratio:.4g}"),
            ("largest placebo ratio", f"{self.placebo_ratios.max():.4g}"),
        ]

    def summary_notes(self) -> list[str]:
        """Caveats."""
        return list(self.notes)

    def json_extra(self) -> dict[str, Any]:
        """Weights, V-weights, balance, the gap path, fit and placebos."""
        out: dict[str, Any] = {
            "treated_unit": str(self.treated_unit),
            "unit_weights": {str(k): v for k, v in self.weights.items()},
            "v_weights": {str(k): v for k, v in self.v_weights.items()},
            "balance": self.balance.reset_index().to_dict(orient="records"),
            "gap_path": [
                {"time": k, "treated": r.treated, "synthetic": r.synthetic, "gap": r.gap}
                for k, r in self.path.iterrows()
            ],
            "pre_rmspe": self.pre_rmspe,
            "post_rmspe": self.post_rmspe,
            "rmspe_ratio": self.rmspe_ratio,
            "placebo_ratios": {str(k): v for k, v in self.placebo_ratios.items()},
            "placebo_in_space_p": self.effect.p_value,
            "placebo_in_space_smallest_p": 1.0 / (len(self.placebo_ratios) + 1),
        }
        if not self.per_period.empty:
            out["per_period"] = self.per_period.reset_index().to_dict(orient="records")
        if self.placebo_in_time is not None:
            pit = self.placebo_in_time
            out["placebo_in_time"] = {
                "adoption": pit.adoption_label,
                "effect": pit.effect,
                "rmspe_ratio": pit.rmspe_ratio,
                "gap_path": [{"time": k, "gap": v} for k, v in pit.gap.items()],
            }
        return out


# Weights ------------------------------------------------------------------------------------


def donor_weights(target: np.ndarray, donors: np.ndarray) -> np.ndarray:
    """Return simplex weights minimising squared pre-period error.

    Parameters
    ----------
    target
        Pre-period outcomes of the treated unit, shape (T0,).
    donors
        Pre-period outcomes of the donors, shape (T0, J).

    Returns
    -------
    numpy.ndarray
        Weights of shape (J,), non-negative and summing to one.

    Examples
    --------
    >>> import numpy as np
    >>> donors = np.array([[1.0, 3.0], [2.0, 4.0], [3.0, 7.0]])
    >>> w = donor_weights(donors @ np.array([0.25, 0.75]), donors)
    >>> np.round(w, 3).tolist()
    [0.25, 0.75]
    """
    return simplex_least_squares(donors, target)


@dataclass(frozen=True)
class _Fit:
    weights: np.ndarray
    v: np.ndarray
    loss_v: float


def _w_given_v(v: np.ndarray, x1: np.ndarray, x0: np.ndarray) -> np.ndarray:
    root = np.sqrt(np.abs(v))
    return simplex_least_squares(root[:, None] * x0, root * x1)


def _normalise(par: np.ndarray) -> np.ndarray:
    a = np.abs(par)
    s = a.sum()
    return a / s if s > 0 else np.full(a.size, 1.0 / a.size)


class _VLoss:
    """Outcome MSPE of ``W(V)`` with V = |par| / sum|par| (R Synth's parametrisation).

    The inner simplex problem is solved by NNLS on the system augmented with a heavily
    weighted sum-to-one row (no polishing inside the search: the final weights are polished).
    """

    def __init__(self, x1, x0, z1, z0):
        scale = float(max(np.abs(x0).max(), np.abs(x1).max(), 1e-12))
        self.k = x1.size
        self.x0, self.x1 = x0 / scale, x1 / scale
        self.z0, self.z1 = z0, z1
        self.aug = np.vstack([self.x0, np.full((1, x0.shape[1]), 1e3)])
        self.rhs = np.concatenate([self.x1, [1e3]])

    def __call__(self, par: np.ndarray) -> float:
        root = np.sqrt(_normalise(par))
        self.aug[: self.k] = root[:, None] * self.x0
        self.rhs[: self.k] = root * self.x1
        w, _ = optimize.nnls(self.aug, self.rhs)
        total = w.sum()
        if total <= 0:
            return math.inf
        e = self.z1 - self.z0 @ (w / total)
        return float(e @ e / e.size)


def _regression_start(x1, x0, z1, z0) -> np.ndarray | None:
    """R Synth's second start: diag(B B') of the regression of outcomes on predictors."""
    x_all = np.column_stack([x1, x0])  # k x units
    design = np.column_stack([np.ones(x_all.shape[1]), x_all.T])
    z_all = np.column_stack([z1, z0])  # T x units
    try:
        beta = np.linalg.solve(design.T @ design, design.T @ z_all.T)
    except np.linalg.LinAlgError:
        return None
    beta = beta[1:]
    start = np.diag(beta @ beta.T)
    if not np.all(np.isfinite(start)) or start.sum() <= 0:
        return None
    return start / start.sum()


def _fit_v(
    x1,
    x0,
    z1,
    z0,
    seed: int,
    *,
    quick_from: np.ndarray | None = None,
    v_search: str = "multistart",
) -> _Fit:
    """Nested optimisation: V minimising the outcome MSPE of W(V).

    Short Nelder-Mead runs from several starts (equal weights, R Synth's regression start,
    one start leaning on each predictor, one random); the two best are run to convergence
    and restarted once. The loss surface has
    local optima (on the Prop 99 data equal-weight Nelder-Mead stops at MSPE 3.16 while the
    published weights give 3.08), hence the multistart. ``quick_from`` (placebo refits):
    start only from that V, equal weights and the regression start.
    """
    k = x1.size
    if k == 1:
        w = _w_given_v(np.ones(1), x1, x0)
        r = z1 - z0 @ w
        return _Fit(w, np.ones(1), float(r @ r / r.size))
    loss = _VLoss(x1, x0, z1, z0)
    starts = [np.full(k, 1.0 / k)]
    regression = _regression_start(x1, x0, z1, z0)
    if regression is not None:
        starts.append(regression)
    if v_search == "synth":
        return _synth_search(loss, starts, x1, x0, z1, z0)
    if quick_from is not None:
        starts.append(np.asarray(quick_from, dtype=float) + 1e-3)
    else:
        for i in range(k):
            lean = np.full(k, 0.5 / (k - 1))
            lean[i] = 0.5
            starts.append(lean)
        starts.append(np.random.default_rng(seed).dirichlet(np.ones(k)))
    short = {"maxiter": 50 * k, "xatol": 1e-5, "fatol": 1e-8, "adaptive": True}
    full = {"maxiter": 200 * k, "xatol": 1e-7, "fatol": 1e-10, "adaptive": True}
    scouts = [optimize.minimize(loss, s, method="Nelder-Mead", options=short) for s in starts]
    scouts.sort(key=lambda r: r.fun)
    best = None
    for scout in scouts[:2]:
        refined = optimize.minimize(loss, scout.x, method="Nelder-Mead", options=full)
        refined = optimize.minimize(loss, refined.x, method="Nelder-Mead", options=full)
        if best is None or refined.fun < best.fun:
            best = refined
    assert best is not None
    v = _normalise(best.x)
    w = _w_given_v(v, x1, x0)
    r = z1 - z0 @ w
    return _Fit(w, v, float(r @ r / r.size))


def _synth_search(loss, starts, x1, x0, z1, z0) -> _Fit:
    """R Synth's strategy: Nelder-Mead and BFGS from its two starts, the best kept."""
    results = []
    for start in starts:
        results.append(
            optimize.minimize(
                loss, start, method="Nelder-Mead", options={"maxiter": 5000, "xatol": 1e-8}
            )
        )
        results.append(optimize.minimize(loss, start, method="BFGS", options={"maxiter": 5000}))
    best = min(results, key=lambda r: r.fun)
    v = _normalise(best.x)
    w = _w_given_v(v, x1, x0)
    r = z1 - z0 @ w
    return _Fit(w, v, float(r @ r / r.size))


# Predictors ---------------------------------------------------------------------------------


def _window(
    panel_times: np.ndarray, first, last, limit: int, what: str, what_zh: str
) -> np.ndarray:
    """Column indices of the labels first..last that lie before ``limit``.

    ``what`` and ``what_zh`` name the window in the English and Chinese refusal.
    """
    times = pd.Index(panel_times)
    inside = np.flatnonzero((times >= first) & (times <= last))
    inside = inside[inside < limit]
    if inside.size == 0:
        raise PanelError(
            f"{what}: no pre-treatment period between {first!r} and {last!r}; choose a window "
            f"within {panel_times[0]!r}..{panel_times[limit - 1]!r}",
            zh=f"{what_zh}：{first!r} 到 {last!r} 之间没有干预前时期；"
            f"请在 {panel_times[0]!r}..{panel_times[limit - 1]!r} 范围内选择窗口",
        )
    return inside


def _predictor_rows(
    panel: Panel,
    predictors: Sequence[Predictor],
    outcome_lags: Sequence[OutcomeLag],
    predictor_window: tuple[Any, Any] | None,
    adoption: int,
) -> tuple[list[str], np.ndarray]:
    """Predictor labels and the (k x units) matrix."""
    labels: list[str] = []
    rows: list[np.ndarray] = []
    times = panel.times
    default = predictor_window or (times[0], times[adoption - 1])
    for spec in predictors:
        name, first, last = (spec, *default) if isinstance(spec, str) else spec
        if name not in panel.covariates:
            raise PanelError(
                f"predictor {name!r} is not a covariate of the panel; pass it in "
                f"prepare_panel(covariates=...) (available: {', '.join(panel.covariates) or 'none'})",
                zh=f"预测变量 {name!r} 不是面板中的协变量；"
                "请通过 prepare_panel(covariates=...) 传入（可用的协变量："
                f"{', '.join(panel.covariates) or '无'}）",
            )
        cols = _window(times, first, last, adoption, f"predictor {name!r}", f"预测变量 {name!r}")
        values = panel.covariates[name][:, cols]
        empty = np.all(np.isnan(values), axis=1)
        if empty.any():
            raise PanelError(
                f"predictor {name!r} has no value between {times[cols[0]]!r} and "
                f"{times[cols[-1]]!r} for unit {panel.units[np.flatnonzero(empty)[0]]!r}; "
                "choose a window where every unit is observed",
                column=name,
                zh=f"预测变量 {name!r} 在 {times[cols[0]]!r} 到 {times[cols[-1]]!r} 之间"
                f"对单位 {panel.units[np.flatnonzero(empty)[0]]!r} 没有取值；"
                "请选择每个单位都有观测的窗口",
            )
        with np.errstate(all="ignore"):
            rows.append(np.nanmean(values, axis=1))
        shown = f"{times[cols[0]]}" if cols.size == 1 else f"{times[cols[0]]}-{times[cols[-1]]}"
        labels.append(f"{name} ({shown})")
    for lag in outcome_lags:
        if isinstance(lag, tuple):
            cols = _window(times, lag[0], lag[1], adoption, "outcome lag", "结局变量滞后项")
        else:
            cols = _window(
                times, lag, lag, adoption, f"outcome lag {lag!r}", f"结局变量滞后项 {lag!r}"
            )
        rows.append(panel.outcome[:, cols].mean(axis=1))
        shown = f"{times[cols[0]]}" if cols.size == 1 else f"{times[cols[0]]}-{times[cols[-1]]}"
        labels.append(f"{panel.outcome_name} ({shown})")
    if not rows:
        return [], np.empty((0, panel.n_units))
    return labels, np.vstack(rows)


def _scale_rows(x: np.ndarray, labels: list[str]) -> np.ndarray:
    sd = x.std(axis=1, ddof=1)
    flat = np.flatnonzero(~(sd > 0))
    if flat.size:
        raise PanelError(
            f"predictor {labels[flat[0]]} takes the same value for every unit; drop it",
            zh=f"预测变量 {labels[flat[0]]} 对每个单位取值都相同；请删除它",
        )
    return x / sd[:, None]


# The estimator ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Spec:
    predictors: tuple
    outcome_lags: tuple
    predictor_window: tuple | None
    fit_window: tuple | None
    seed: int
    v_search: str = "multistart"


def _fit_unit(
    panel: Panel,
    treated: int,
    donors: np.ndarray,
    adoption: int,
    spec: _Spec,
    quick_from: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, list[str], np.ndarray]:
    """Weights, V, predictor labels and raw predictor matrix for one (placebo) treated unit."""
    labels, x = _predictor_rows(
        panel, spec.predictors, spec.outcome_lags, spec.predictor_window, adoption
    )
    y = panel.outcome
    if spec.fit_window is None:
        fit_cols = np.arange(adoption)
    else:
        fit_cols = _window(panel.times, *spec.fit_window, adoption, "fit window", "拟合窗口")
    z1, z0 = y[treated, fit_cols], y[donors][:, fit_cols].T
    if not labels:
        w = simplex_least_squares(y[donors][:, :adoption].T, y[treated, :adoption])
        return w, np.empty(0), labels, x
    units = np.concatenate([[treated], donors])
    scaled = _scale_rows(x[:, units], labels)
    fit = _fit_v(
        scaled[:, 0],
        scaled[:, 1:],
        z1,
        z0,
        spec.seed,
        quick_from=quick_from,
        v_search=spec.v_search,
    )
    return fit.weights, fit.v, labels, x


def _rmspe(gap: np.ndarray) -> float:
    return float(np.sqrt(np.mean(gap**2))) if gap.size else math.nan


def _ratio(gap: np.ndarray, adoption: int) -> float:
    pre = _rmspe(gap[:adoption])
    return _rmspe(gap[adoption:]) / pre if pre > 0 else math.inf


def _truncate(panel: Panel, periods: int, adoption: int) -> Panel:
    """The first ``periods`` periods of the panel, treated unit adopting at ``adoption``."""
    code = np.where(panel.ever_treated, adoption, panel.group_code)
    return Panel(
        units=panel.units,
        times=panel.times[:periods],
        outcome=panel.outcome[:, :periods],
        group_code=code,
        outcome_name=panel.outcome_name,
        covariates={k: v[:, :periods] for k, v in panel.covariates.items()},
    )


def synthetic_control(
    panel: Panel,
    *,
    predictors: Sequence[Predictor] = (),
    outcome_lags: Sequence[OutcomeLag] = (),
    predictor_window: tuple[Any, Any] | None = None,
    fit_window: tuple[Any, Any] | None = None,
    placebo_time: int | None = None,
    placebos: bool = True,
    per_period: bool = False,
    alpha: float = 0.05,
    seed: int = 0,
    v_search: str = "multistart",
) -> SyntheticControlResult:
    """Fit a synthetic control for the single treated unit, with placebos and a conformal interval.

    Parameters
    ----------
    panel
        Panel with exactly one treated unit and at least two never-treated donors;
        covariates named in ``predictors`` must be in ``panel.covariates``.
    predictors
        Covariate names (averaged over ``predictor_window``), or ``(name, first, last)``
        tuples with their own window of period labels.
    outcome_lags
        Period labels whose outcome is a predictor, or ``(first, last)`` tuples (mean over
        the window).
    predictor_window
        Default ``(first, last)`` window for plain predictor names; the whole pre-period if
        omitted.
    fit_window
        ``(first, last)`` pre-period labels over which V minimises the outcome MSPE; the whole
        pre-period if omitted.
    placebo_time
        If given, also fit a placebo adopting this many periods earlier, on the pre-period
        only.
    placebos
        Run the placebo-in-space test (one refit per donor).
    per_period
        Also compute a conformal interval for each post period.
    alpha
        One minus the coverage of the intervals.
    seed
        Seed of the random extra start of the V search.
    v_search
        ``"multistart"`` (default): Nelder-Mead from equal, regression, one-predictor-leaning
        and random starts. ``"synth"``: R ``Synth``'s own strategy (Nelder-Mead and BFGS
        from the equal and regression starts, best kept), which reproduces published
        examples but can stop at a worse local optimum.

    Returns
    -------
    SyntheticControlResult

    Raises
    ------
    PanelError
        For a staggered panel, not exactly one treated unit, fewer than two pre-periods or
        donors, or a predictor that cannot be formed (unknown, empty window, constant).
    """
    adoption = common_adoption(panel)
    treated_idx = np.flatnonzero(panel.ever_treated)
    if treated_idx.size != 1:
        raise PanelError(
            f"synthetic control needs exactly one treated unit, found {treated_idx.size}",
            zh=f"合成控制法需要恰好一个处理组单位，实际有 {treated_idx.size} 个",
        )
    if adoption < 2:
        raise PanelError(
            "synthetic control needs at least two pre-treatment periods",
            zh="合成控制法至少需要两个干预前时期",
        )
    donors_idx = np.flatnonzero(~panel.ever_treated)
    if donors_idx.size < 2:
        raise PanelError(
            "synthetic control needs at least two donor units", zh="合成控制法至少需要两个供体单位"
        )
    if placebo_time is not None and not 1 <= placebo_time <= adoption - 2:
        raise PanelError(
            f"placebo_time={placebo_time} must leave at least two pre-periods before the "
            f"placebo adoption (1..{adoption - 2})",
            zh=f"placebo_time={placebo_time} 必须在安慰剂采纳之前留出至少两个干预前时期"
            f"（1..{adoption - 2}）",
        )
    if v_search not in ("multistart", "synth"):
        raise PanelError(
            f"v_search={v_search!r}; choose 'multistart' or 'synth'",
            zh=f"v_search={v_search!r}；请选择 'multistart' 或 'synth'",
        )
    spec = _Spec(
        tuple(predictors),
        tuple(outcome_lags),
        predictor_window,
        fit_window,
        seed,
        v_search,
    )
    treated = int(treated_idx[0])
    y = panel.outcome
    weights, v, labels, x = _fit_unit(panel, treated, donors_idx, adoption, spec)
    pool = y[donors_idx].T
    gap = y[treated] - pool @ weights
    donors = panel.units[donors_idx]
    post = np.arange(panel.n_periods) >= adoption
    att = float(gap[post].mean())
    pre_rmspe = _rmspe(gap[:adoption])

    placebo_gaps = np.full((panel.n_periods, donors_idx.size), np.nan)
    placebo_ratio = np.full(donors_idx.size, np.nan)
    if placebos:
        for k, unit in enumerate(donors_idx):
            others = np.delete(donors_idx, k)
            w_k, *_ = _fit_unit(panel, int(unit), others, adoption, spec, quick_from=v)
            g = y[unit] - y[others].T @ w_k
            placebo_gaps[:, k] = g
            placebo_ratio[k] = _ratio(g, adoption)
    treated_ratio = _ratio(gap, adoption)
    n0 = donors_idx.size
    if placebos:
        rank = 1 + int(np.sum(placebo_ratio >= treated_ratio))
        p_space = rank / (n0 + 1)
        space_method = (
            f"placebo-in-space rank p-value of the post/pre RMSPE ratio over {n0} donors "
            f"(exact permutation, smallest attainable p = 1/{n0 + 1} = {1 / (n0 + 1):.3g}); "
            "no interval"
        )
    else:
        p_space = math.nan
        space_method = "placebo in space not run"
    effect = Estimate(
        name="att_placebo_in_space",
        estimate=att,
        p_value=p_space,
        interval_method=space_method,
        alpha=alpha,
    )
    conformal = _conformal_estimate(y[treated], pool, post, att, pre_rmspe, alpha)
    notes: list[str] = []
    if labels:
        notes.append(
            "point estimate from the predictor-based weights; the conformal interval refits "
            "the outcome-only synthetic control on all periods under each null (CWZ 2021)"
        )
    if pre_rmspe > 0 and abs(att) > 0 and pre_rmspe > abs(att):
        notes.append(
            "the pre-period RMSPE exceeds the estimated effect: the synthetic control does "
            "not track the treated unit well enough for its gap to be read as an effect"
        )
    table = (
        _per_period(y[treated], pool, gap, adoption, pre_rmspe, alpha, panel.times)
        if per_period
        else pd.DataFrame()
    )
    balance = _balance(labels, x, treated, donors_idx, weights)
    pit = (
        _placebo_in_time(panel, treated, donors_idx, adoption, placebo_time, spec)
        if placebo_time is not None
        else None
    )
    return SyntheticControlResult(
        treated_unit=panel.units[treated],
        conformal=conformal,
        effect=effect,
        weights=pd.Series(weights, index=donors, name="weight"),
        v_weights=pd.Series(v, index=labels, name="v_weight", dtype=float),
        balance=balance,
        path=pd.DataFrame(
            {"treated": y[treated], "synthetic": y[treated] - gap, "gap": gap}, index=panel.times
        ),
        pre_rmspe=pre_rmspe,
        post_rmspe=_rmspe(gap[adoption:]),
        rmspe_ratio=treated_ratio,
        placebo_ratios=pd.Series(placebo_ratio, index=donors, name="rmspe_ratio"),
        placebo_gaps=pd.DataFrame(placebo_gaps, index=panel.times, columns=donors),
        per_period=table,
        placebo_in_time=pit,
        notes=tuple(notes),
    )


def _conformal_estimate(
    y1: np.ndarray, pool: np.ndarray, post: np.ndarray, att: float, scale: float, alpha: float
) -> Estimate:
    ci: ConformalInterval = conformal_interval(y1, pool, post, center=att, scale=scale, alpha=alpha)
    return Estimate(
        name="att",
        estimate=att,
        ci_lower=ci.lower,
        ci_upper=ci.upper,
        p_value=ci.p_zero,
        interval_method=ci.method,
        alpha=alpha,
    )


def _per_period(y1, pool, gap, adoption, scale, alpha, times) -> pd.DataFrame:
    """Per post period: gap and conformal interval on pre-period + that period."""
    rows = []
    for t in range(adoption, y1.size):
        keep = np.r_[np.arange(adoption), t]
        mask = np.zeros(keep.size, dtype=bool)
        mask[-1] = True
        ci = conformal_interval(
            y1[keep],
            pool[keep],
            mask,
            center=float(gap[t]),
            scale=scale,
            alpha=alpha,
            what=f"the effect at {times[t]}",
        )
        rows.append(
            {
                "time": times[t],
                "gap": gap[t],
                "ci_lower": ci.lower,
                "ci_upper": ci.upper,
                "p_value": ci.p_zero,
            }
        )
    return pd.DataFrame(rows).set_index("time")


def _balance(labels, x, treated, donors_idx, weights) -> pd.DataFrame:
    if not labels:
        return pd.DataFrame(columns=["treated", "synthetic", "donor_mean"])
    return pd.DataFrame(
        {
            "treated": x[:, treated],
            "synthetic": x[:, donors_idx] @ weights,
            "donor_mean": x[:, donors_idx].mean(axis=1),
        },
        index=pd.Index(labels, name="predictor"),
    )


def _placebo_in_time(panel, treated, donors_idx, adoption, shift, spec: _Spec) -> PlaceboInTime:
    fake = adoption - shift
    short = _truncate(panel, adoption, fake)

    def clip(window):
        if window is None:
            return None
        return (window[0], min(window[1], short.times[fake - 1]))

    clipped = _Spec(
        tuple(
            p if isinstance(p, str) else (p[0], p[1], min(p[2], short.times[fake - 1]))
            for p in spec.predictors
        ),
        tuple(
            lag
            for lag in spec.outcome_lags
            if (lag[0] if isinstance(lag, tuple) else lag) <= short.times[fake - 1]
        ),
        clip(spec.predictor_window),
        clip(spec.fit_window),
        spec.seed,
        spec.v_search,
    )
    w, *_ = _fit_unit(short, treated, donors_idx, fake, clipped)
    g = short.outcome[treated] - short.outcome[donors_idx].T @ w
    return PlaceboInTime(
        adoption_label=short.times[fake],
        gap=pd.Series(g, index=short.times, name="gap"),
        effect=float(g[fake:].mean()),
        rmspe_ratio=_ratio(g, fake),
        weights=pd.Series(w, index=panel.units[donors_idx], name="weight"),
    )
