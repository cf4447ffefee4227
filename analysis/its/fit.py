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

import math
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats
from scipy.linalg import toeplitz

from analysis.its.design import (
    Impact,
    Interruption,
    SegmentedDesign,
    WindowKind,
    label_of,
    position_of,
    time_positions,
)
from analysis.its.errors import (
    ITSInputError,
    require_increasing,
    require_no_missing,
    require_positive,
    require_share_range,
)
from analysis.its.results import Effect, ITSResult, RhoGridRow

Family = Literal["gaussian", "binomial", "poisson", "quasipoisson"]
Errors = Literal["ols", "hac", "ar1"]
FAMILIES: tuple[str, ...] = ("gaussian", "binomial", "poisson", "quasipoisson")
ERRORS: tuple[str, ...] = ("ols", "hac", "ar1")
LOG_LINK = ("poisson", "quasipoisson")


@dataclass(frozen=True)
class OtherInterruption:
    """A further interruption modelled beside the intervention (e.g. COVID-19).

    Parameters
    ----------
    at
        First affected time, in the time column's format.
    impact, window, window_kind
        As for the main intervention.
    name
        Column prefix, e.g. ``"covid"``.
    """

    at: object
    name: str
    impact: Impact = "level+slope"
    window: int = 0
    window_kind: WindowKind = "exclude"


@dataclass(frozen=True)
class ITSSpec:
    """Everything that defines one ITS analysis (see :func:`its` for the parameters)."""

    time: str
    outcome: str
    intervention: object
    impact: Impact = "level+slope"
    family: Family = "gaussian"
    denominator: str | None = None
    exposure: str | None = None
    seasonality: str = "none"
    period: int = 12
    errors: Errors = "ols"
    controls: tuple[str, ...] = ()
    others: tuple[OtherInterruption, ...] = ()
    window: int = 0
    window_kind: WindowKind = "exclude"
    hac_lags: int | None = None
    min_segment: int = 3
    short_series: int = 12
    rho_grid: tuple[float, ...] = (0.0, 0.2, 0.4, 0.6, 0.8)
    alpha: float = 0.05


def newey_west_lags(n: int) -> int:
    """Newey–West truncation lag ``floor(4 * (n / 100) ** (2 / 9))``, at least 1.

    Examples
    --------
    >>> newey_west_lags(96), newey_west_lags(59), newey_west_lags(8)
    (3, 3, 2)
    """
    return max(1, int(math.floor(4.0 * (n / 100.0) ** (2.0 / 9.0))))


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


def prais_winsten(y: np.ndarray, x: np.ndarray, t: np.ndarray, tol: float = 1e-10,
                  max_iter: int = 200) -> tuple[Any, float]:
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
    t: np.ndarray                # treated series positions (all rows)
    labels: list[str]            # treated series time labels (as in the data)
    y: np.ndarray                # treated outcome (counts or values)
    den: np.ndarray | None
    exposure: np.ndarray | None
    keep: np.ndarray             # treated rows used in the fit
    fit_t: np.ndarray
    fit_group: np.ndarray
    fit_y: np.ndarray
    fit_den: np.ndarray | None
    fit_exposure: np.ndarray | None
    extra: dict[str, Any] = field(default_factory=dict)


def _column(data: pd.DataFrame, name: str, role: str) -> np.ndarray:
    if name not in data.columns:
        raise ITSInputError(f"{role} column '{name}' not found; columns are: "
                            f"{', '.join(map(str, data.columns))}")
    values = pd.to_numeric(data[name], errors="coerce").to_numpy(dtype=float)
    require_no_missing(values, name)
    return values


def _prepare(data: pd.DataFrame, spec: ITSSpec) -> _Prepared:
    if spec.family not in FAMILIES:
        raise ITSInputError(f"family must be one of {', '.join(FAMILIES)}, not {spec.family!r}")
    if spec.errors not in ERRORS:
        raise ITSInputError(f"errors must be one of {', '.join(ERRORS)}, not {spec.errors!r}")
    if spec.time not in data.columns:
        raise ITSInputError(f"time column '{spec.time}' not found; columns are: "
                            f"{', '.join(map(str, data.columns))}")
    if len(data) == 0:
        raise ITSInputError("the data have no rows")
    t, unit = time_positions(data[spec.time].reset_index(drop=True))
    require_increasing(t, spec.time)
    y = _column(data, spec.outcome, "outcome")
    den = _column(data, spec.denominator, "denominator") if spec.denominator else None
    exposure = _column(data, spec.exposure, "exposure") if spec.exposure else None
    controls = {c: _column(data, c, "control") for c in spec.controls}

    if spec.family == "binomial":
        require_share_range(y, den, spec.outcome)
    elif spec.denominator:
        raise ITSInputError("--denominator is for the binomial family only")
    if spec.family in LOG_LINK:
        if np.any(y < 0):
            raise ITSInputError(f"counts in '{spec.outcome}' must be >= 0 for {spec.family}")
        if exposure is not None:
            require_positive(exposure, spec.exposure or "")
    elif spec.exposure:
        raise ITSInputError("--exposure is for the poisson and quasipoisson families only")
    if spec.controls and spec.family != "gaussian":
        raise ITSInputError("comparative ITS (--control) is available for the gaussian family")
    if spec.controls and spec.errors == "ar1":
        raise ITSInputError("AR(1) errors are not available with control series; use --errors hac")
    if spec.errors == "ar1" and spec.family != "gaussian":
        raise ITSInputError("AR(1) errors are available for the gaussian family; for counts and "
                            "shares use --errors hac")

    def locate(value: object, what: str) -> float:
        pos = position_of(value, unit)
        if not (t[0] < pos <= t[-1]):
            raise ITSInputError(
                f"{what} {value} is outside the data: it must be after the first time "
                f"({label_of(t[0], unit)}) and no later than the last ({label_of(t[-1], unit)})")
        return pos

    main = Interruption(at=locate(spec.intervention, "intervention"), impact=spec.impact,
                        window=spec.window, window_kind=spec.window_kind)
    others = tuple(Interruption(at=locate(o.at, f"interruption '{o.name}'"), impact=o.impact,
                                name=o.name, window=o.window, window_kind=o.window_kind)
                   for o in spec.others)
    design = SegmentedDesign(interruptions=(main, *others), seasonality=spec.seasonality,
                             period=spec.period, controls=tuple(spec.controls), origin=float(t[0]))
    keep = ~design.excluded(t)

    starts = sorted(i.at for i in design.interruptions)
    bounds = [-np.inf, *starts, np.inf]
    for lo, hi in zip(bounds[:-1], bounds[1:], strict=True):
        count = int(np.sum(keep & (t >= lo) & (t < hi)))
        if count < spec.min_segment:
            where = (f"before {label_of(hi, unit)}" if lo == -np.inf else
                     f"from {label_of(lo, unit)}" + ("" if hi == np.inf else
                                                      f" to before {label_of(hi, unit)}"))
            raise ITSInputError(f"too few points in a segment: {count} {where} (need at least "
                                f"{spec.min_segment})")

    labels = [str(v) for v in data[spec.time].tolist()]
    if design.comparative:
        series = [("treated", y), *controls.items()]
        fit_t = np.concatenate([t[keep]] * len(series))
        fit_group = np.concatenate([np.repeat(name, int(keep.sum())) for name, _ in series])
        fit_y = np.concatenate([values[keep] for _, values in series])
    else:
        fit_t, fit_group, fit_y = t[keep], np.repeat("treated", int(keep.sum())), y[keep]
    return _Prepared(design=design, unit=unit, t=t, labels=labels, y=y, den=den,
                     exposure=exposure, keep=keep, fit_t=fit_t, fit_group=fit_group, fit_y=fit_y,
                     fit_den=den[keep] if den is not None else None,
                     fit_exposure=exposure[keep] if exposure is not None else None)


def _glm_family(family: str) -> sm.families.Family:
    return sm.families.Binomial() if family == "binomial" else sm.families.Poisson()


def _glm_model(y: np.ndarray, den: np.ndarray | None, x: pd.DataFrame, family: str,
               offset: np.ndarray | None) -> sm.GLM:
    if den is None:
        return sm.GLM(y, x, family=_glm_family(family), offset=offset)
    # Proportions with the denominators as variance weights, not a (successes, failures)
    # endog: with the two-column form statsmodels computes the Pearson X2 scale without the
    # trial counts while the covariance uses them, which shrinks standard errors by
    # orders of magnitude for large denominators (see tests/test_its_engine.py).
    return sm.GLM(y / den, x, family=_glm_family(family), var_weights=den, offset=offset)


def fit_statsmodels(prep: _Prepared, x: pd.DataFrame, family: str, errors: str,
                    hac_lags: int | None) -> tuple[Any, float | None, int | None]:
    """Run the statsmodels fit for a prepared design (the one place models are fitted).

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
            if prep.design.comparative:
                codes = pd.factorize(prep.fit_group)[0]
                return model.fit(cov_type="hac-panel", cov_kwds={"groups": codes, "maxlags": lags},
                                 use_t=True), None, lags
            return model.fit(cov_type="HAC", cov_kwds={"maxlags": lags}, use_t=True), None, lags
        return model.fit(), None, None
    offset = np.log(prep.fit_exposure) if prep.fit_exposure is not None else None
    model = _glm_model(y, prep.fit_den, x, family, offset)
    scale = None if family == "poisson" else "X2"
    if errors == "hac":
        return model.fit(scale=scale, cov_type="HAC", cov_kwds={"maxlags": lags}), None, lags
    return model.fit(scale=scale), None, None


def _critical(res: Any, alpha: float) -> float:
    if getattr(res, "use_t", False):
        return float(stats.t.ppf(1 - alpha / 2, res.df_resid))
    return float(stats.norm.ppf(1 - alpha / 2))


def _contrast_effect(res: Any, columns: list[str], column: str, log_link: bool,
                     alpha: float) -> Effect:
    contrast = np.zeros(len(columns))
    contrast[columns.index(column)] = 1.0
    test = res.t_test(contrast)
    est = float(np.squeeze(test.effect))
    lo, hi = (float(v) for v in np.squeeze(test.conf_int(alpha=alpha)))
    eff = Effect(estimate=est, se=float(np.squeeze(test.sd)), ci=(lo, hi),
                 p=float(np.squeeze(test.pvalue)))
    if log_link:
        eff = replace(eff, ratio=math.exp(est), ratio_ci=(math.exp(lo), math.exp(hi)))
    return eff


def _inverse_link(family: str, eta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and its derivative with respect to the linear predictor."""
    if family == "gaussian":
        return eta, np.ones_like(eta)
    if family == "binomial":
        mu = 1.0 / (1.0 + np.exp(-eta))
        return mu, mu * (1.0 - mu)
    mu = np.exp(eta)
    return mu, mu


def _effect_tables(prep: _Prepared, res: Any, family: str, alpha: float,
                   ) -> tuple[pd.DataFrame, pd.DataFrame, Effect]:
    params = np.asarray(res.params, dtype=float)
    cov = np.asarray(res.cov_params(), dtype=float)
    crit = _critical(res, alpha)
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
    cf = pd.DataFrame({
        "time": prep.labels, "position": prep.t, "observed": observed, "fitted": mu1,
        "counterfactual": mu0,
        "counterfactual_low": _inverse_link(family, eta0 - crit * se_eta0)[0],
        "counterfactual_high": _inverse_link(family, eta0 + crit * se_eta0)[0],
        "fitted_low": _inverse_link(family, eta1 - crit * se_eta1)[0],
        "fitted_high": _inverse_link(family, eta1 + crit * se_eta1)[0],
        "post": post, "in_fit": prep.keep})

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
            rel, rel_lo, rel_hi = (math.exp(est) - 1, math.exp(est - crit * se) - 1,
                                   math.exp(est + crit * se) - 1)
        else:
            rel = absolute / mu0[i]
            g_rel = (grad1[i] * mu0[i] - grad0[i] * mu1[i]) / mu0[i] ** 2
            se_rel = math.sqrt(max(float(g_rel @ cov @ g_rel), 0.0))
            rel_lo, rel_hi = rel - crit * se_rel, rel + crit * se_rel
        horizon_rows.append({
            "time": prep.labels[i], "horizon": prep.t[i] - main.at, "absolute": absolute,
            "absolute_low": absolute - crit * se_abs, "absolute_high": absolute + crit * se_abs,
            "relative": rel, "relative_low": rel_lo, "relative_high": rel_hi})
    horizon = pd.DataFrame(horizon_rows)
    g_cum = (grad1[rows] - grad0[rows]).sum(axis=0)
    if family == "binomial" and prep.den is not None:
        # cumulative effect in numerator units (e.g. extra primary-care visits)
        g_cum = ((grad1[rows] - grad0[rows]) * prep.den[rows, None]).sum(axis=0)
        total = float(((mu1 - mu0)[rows] * prep.den[rows]).sum())
    else:
        total = float((mu1 - mu0)[rows].sum())
    se_cum = math.sqrt(max(float(g_cum @ cov @ g_cum), 0.0))
    z = total / se_cum if se_cum > 0 else float("nan")
    p_cum = float(2 * (stats.t.sf(abs(z), res.df_resid) if getattr(res, "use_t", False)
                       else stats.norm.sf(abs(z))))
    cumulative = Effect(estimate=total, se=se_cum,
                        ci=(total - crit * se_cum, total + crit * se_cum), p=p_cum)
    return cf, horizon, cumulative


def _dispersion(res: Any, family: str) -> float:
    if family == "poisson":
        return 1.0
    return float(res.scale)


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
        notes.append(f"only {n_series} points: residual autocorrelation cannot be tested "
                     "(Durbin–Watson, Breusch–Godfrey and Ljung–Box have no useful power)")
        if spec.errors == "ar1":
            notes.append(f"AR(1) is not identified from {n_series} points: rho is not "
                         "estimated; effects use OLS (rho = 0) and the rho grid shows them "
                         "under assumed rho")
            errors = "ols"
        elif spec.errors == "hac":
            notes.append(f"Newey–West HAC standard errors are not credible with {n_series} "
                         "points: effects use OLS standard errors; see the rho grid")
            errors = "ols"
        if spec.seasonality != "none":
            notes.append("seasonality is weakly identified with so few points")
        if spec.family != "gaussian":
            notes.append("the rho grid is computed for the gaussian family only")
    res, rho, lags = fit_statsmodels(prep, x, spec.family, errors, spec.hac_lags)
    log_link = spec.family in LOG_LINK
    effects = {k: _contrast_effect(res, columns, col, log_link, spec.alpha)
               for k, col in prep.design.effect_columns(0).items()}
    others = {itv.name: {k: _contrast_effect(res, columns, col, log_link, spec.alpha)
                         for k, col in prep.design.effect_columns(i).items()}
              for i, itv in enumerate(prep.design.interruptions) if i > 0}
    grid: list[RhoGridRow] = []
    if short and spec.family == "gaussian":
        for r in spec.rho_grid:
            g = sm.GLS(prep.fit_y, x, sigma=ar1_correlation(prep.fit_t, r)).fit()
            grid.append(RhoGridRow(rho=float(r), effects={
                k: _contrast_effect(g, columns, col, False, spec.alpha)
                for k, col in prep.design.effect_columns(0).items()}))
    cf, horizon, cumulative = _effect_tables(prep, res, spec.family, spec.alpha)
    return ITSResult(
        n=int(prep.fit_y.size), family=spec.family, errors=errors,
        dispersion=_dispersion(res, spec.family), rho=rho, hac_lags=lags,
        time_unit=prep.unit, intervention_label=label_of(prep.design.interruptions[0].at,
                                                         prep.unit),
        effects=effects, other_effects=others, counterfactual=cf, horizon_effects=horizon,
        cumulative=cumulative, not_estimable=tuple(notes), rho_grid=tuple(grid),
        params=pd.Series(np.asarray(res.params), index=columns),
        cov=pd.DataFrame(np.asarray(res.cov_params()), index=columns, columns=columns),
        model=res)


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


def its(data: pd.DataFrame, *, time: str, outcome: str, intervention: object,
        **options: Any) -> ITSResult:
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
    if "controls" in options:
        options["controls"] = tuple(options["controls"])
    if "others" in options:
        options["others"] = tuple(options["others"])
    return fit_its(data, ITSSpec(time=time, outcome=outcome, intervention=intervention,
                                 **options))
