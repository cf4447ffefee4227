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

from analysis.cli_spec import option
from analysis.estimates import Estimate, critical_value
from analysis.its.design import (
    IMPACTS,
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
from analysis.its.results import ITSResult, RhoGridRow, rate_ratio

Family = Literal["gaussian", "binomial", "poisson", "quasipoisson"]
Errors = Literal["ols", "hac", "ar1"]
FAMILIES: tuple[str, ...] = ("gaussian", "binomial", "poisson", "quasipoisson")
ERRORS: tuple[str, ...] = ("ols", "hac", "ar1")
WINDOW_KINDS: tuple[str, ...] = ("exclude", "phase-in")
LOG_LINK = ("poisson", "quasipoisson")
OTHER_FORM = "NAME=AT[:IMPACT[:WINDOW[:KIND]]]"


@dataclass(frozen=True)
class OtherInterruption:
    """A further interruption modelled beside the intervention (e.g. an epidemic).

    Parameters
    ----------
    at
        First affected time, in the time column's format.
    impact, window, window_kind
        As for the main intervention.
    name
        Column prefix, e.g. ``"shock"``.

    Examples
    --------
    >>> other = OtherInterruption.parse("shock=2019-06-01:level:6")
    >>> other
    OtherInterruption(at='2019-06-01', name='shock', impact='level', window=6, window_kind='exclude')
    >>> other.text
    'shock=2019-06-01:level:6:exclude'
    >>> OtherInterruption.parse(other.text) == other
    True
    """

    at: object
    name: str
    impact: Impact = "level+slope"
    window: int = 0
    window_kind: WindowKind = "exclude"

    @classmethod
    def parse(cls, text: str) -> OtherInterruption:
        """Read the text form ``NAME=AT[:IMPACT[:WINDOW[:KIND]]]``.

        ``AT`` is a number or a date without a clock time (``2019-06-01`` or ``2019-06``);
        ``IMPACT`` defaults to ``level+slope``, ``WINDOW`` to 0 and ``KIND`` to ``exclude``.
        """
        name, sep, rest = text.strip().partition("=")
        parts = [p.strip() for p in rest.split(":")]
        if not sep or not name.strip() or not parts[0] or len(parts) > 4:
            raise ITSInputError(f"{text!r} is not {OTHER_FORM}, e.g. shock=2019-06-01:level:6")
        impact = parts[1] if len(parts) > 1 and parts[1] else "level+slope"
        if impact not in IMPACTS:
            raise ITSInputError(f"{text!r}: impact {impact!r} is not one of {', '.join(IMPACTS)}")
        window_text = parts[2] if len(parts) > 2 and parts[2] else "0"
        if not window_text.isdigit():
            raise ITSInputError(f"{text!r}: window {window_text!r} is not a whole number >= 0")
        kind = parts[3] if len(parts) > 3 and parts[3] else "exclude"
        if kind not in WINDOW_KINDS:
            raise ITSInputError(
                f"{text!r}: window kind {kind!r} is not one of {', '.join(WINDOW_KINDS)}"
            )
        return cls(
            at=parts[0],
            name=name.strip(),
            impact=impact,  # type: ignore[arg-type]
            window=int(window_text),
            window_kind=kind,
        )  # type: ignore[arg-type]

    @property
    def text(self) -> str:
        """The text form :meth:`parse` reads (dates written ``YYYY-MM-DD``)."""
        at = self.at.strftime("%Y-%m-%d") if hasattr(self.at, "strftime") else self.at
        return f"{self.name}={at}:{self.impact}:{self.window}:{self.window_kind}"


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
        metadata=option("time column: numbers, or dates (calendar months)", metavar="COL")
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
        default=(), metadata=option("control series column(s) for comparative ITS", metavar="COL")
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
        metadata=option("Newey-West truncation lag (default floor(4 (n/100)^(2/9)))", metavar="L"),
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
            f"{argument}={name!r} is not a column; columns are: {', '.join(map(str, data.columns))}"
        )


def _column(data: pd.DataFrame, name: str, argument: str) -> np.ndarray:
    _require_column(data, name, argument)
    values = pd.to_numeric(data[name], errors="coerce").to_numpy(dtype=float)
    require_no_missing(values, name, rows=data.index)
    return values


def _prepare(data: pd.DataFrame, spec: ITSSpec) -> _Prepared:
    if spec.family not in FAMILIES:
        raise ITSInputError(f"family={spec.family!r} is not one of {', '.join(FAMILIES)}")
    if spec.errors not in ERRORS:
        raise ITSInputError(f"errors={spec.errors!r} is not one of {', '.join(ERRORS)}")
    if not 0.0 < spec.alpha < 1.0:
        raise ITSInputError(f"alpha={spec.alpha} must lie strictly between 0 and 1")
    _require_column(data, spec.time, "time")
    if len(data) == 0:
        raise ITSInputError("the data have no rows")
    t, unit = time_positions(data[spec.time].reset_index(drop=True))
    require_increasing(t, spec.time, rows=data.index)
    y = _column(data, spec.outcome, "outcome")
    den = _column(data, spec.denominator, "denominator") if spec.denominator else None
    exposure = _column(data, spec.exposure, "exposure") if spec.exposure else None
    controls = {c: _column(data, c, "controls") for c in spec.controls}

    if spec.family == "binomial":
        require_share_range(y, den, spec.outcome, rows=data.index)
    elif spec.denominator:
        raise ITSInputError(f"denominator={spec.denominator!r} is for family='binomial' only")
    if spec.family in LOG_LINK:
        if np.any(y < 0):
            raise ITSInputError(f"counts in '{spec.outcome}' must be >= 0 for {spec.family}")
        if exposure is not None:
            require_positive(exposure, spec.exposure or "", rows=data.index)
    elif spec.exposure:
        raise ITSInputError(
            f"exposure={spec.exposure!r} is for the poisson and quasipoisson families only"
        )
    if spec.controls and spec.family != "gaussian":
        raise ITSInputError(
            "comparative ITS (controls=...) is available for the gaussian family only"
        )
    if spec.controls and spec.errors == "ar1":
        raise ITSInputError("AR(1) errors are not available with control series; use errors='hac'")
    if spec.errors == "ar1" and spec.family != "gaussian":
        raise ITSInputError(
            "AR(1) errors are available for the gaussian family; for counts and "
            "shares use errors='hac'"
        )

    def locate(value: object, what: str) -> float:
        pos = position_of(value, unit, what)
        if not (t[0] < pos <= t[-1]):
            raise ITSInputError(
                f"{what} is outside the data: it must be after the first time "
                f"({label_of(t[0], unit)}) and no later than the last ({label_of(t[-1], unit)})"
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
        controls=tuple(spec.controls),
        origin=float(t[0]),
    )
    keep = ~design.excluded(t)

    starts = sorted(i.at for i in design.interruptions)
    bounds = [-np.inf, *starts, np.inf]
    for lo, hi in pairwise(bounds):
        count = int(np.sum(keep & (t >= lo) & (t < hi)))
        if count < spec.min_segment:
            where = (
                f"before {label_of(hi, unit)}"
                if lo == -np.inf
                else f"from {label_of(lo, unit)}"
                + ("" if hi == np.inf else f" to before {label_of(hi, unit)}")
            )
            raise ITSInputError(
                f"too few points in a segment: {count} {where} (need at least "
                f"min_segment={spec.min_segment})"
            )

    labels = [str(v) for v in data[spec.time].tolist()]
    if design.comparative:
        series = [("treated", y), *controls.items()]
        fit_t = np.concatenate([t[keep]] * len(series))
        fit_group = np.concatenate([np.repeat(name, int(keep.sum())) for name, _ in series])
        fit_y = np.concatenate([values[keep] for _, values in series])
    else:
        fit_t, fit_group, fit_y = t[keep], np.repeat("treated", int(keep.sum())), y[keep]
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
    prep: _Prepared, x: pd.DataFrame, family: str, errors: str, hac_lags: int | None
) -> tuple[Any, float | None, int | None]:
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
                return (
                    model.fit(
                        cov_type="hac-panel",
                        cov_kwds={"groups": codes, "maxlags": lags},
                        use_t=True,
                    ),
                    None,
                    lags,
                )
            return model.fit(cov_type="HAC", cov_kwds={"maxlags": lags}, use_t=True), None, lags
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
) -> str:
    """Name the reference distribution and covariance behind a fit's intervals.

    Examples
    --------
    >>> class Fit:
    ...     use_t, df_resid = True, 90.0
    >>> interval_method(Fit(), "gaussian", "hac", 3)
    't(90), OLS with Newey-West HAC lag 3'
    """
    df = _reference_df(res)
    reference = "normal" if df is None else f"t({df:g})"
    if family == "gaussian":
        if assumed_rho is not None:
            model = f"GLS with assumed AR(1) rho {assumed_rho:g}"
        elif errors == "ar1":
            model = "GLS AR(1) Prais-Winsten"
        elif errors == "hac":
            model = (
                f"OLS with Newey-West HAC by series lag {lags}"
                if comparative
                else f"OLS with Newey-West HAC lag {lags}"
            )
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
    res, rho, lags = fit_statsmodels(prep, x, spec.family, errors, spec.hac_lags)
    method = interval_method(res, spec.family, errors, lags, prep.design.comparative)

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
        intervention_label=label_of(prep.design.interruptions[0].at, prep.unit),
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
    return fit_its(data, ITSSpec(time=time, outcome=outcome, intervention=intervention, **options))
