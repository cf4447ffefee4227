"""Vectorised power simulation for segmented regression with AR(1) errors.

A simulation replicates the *analysis*: a segmented regression (``const``, ``time``, and a
``level`` and/or ``slope`` change) on ``n_pre + n_post`` equally spaced points whose errors follow a
stationary AR(1) with marginal standard deviation ``sd`` and coefficient ``rho``. Each
replication is tested at two-sided ``alpha`` with a t test on ``n - p`` degrees of freedom,
using one of three estimators:

``"ols"``
    OLS with the model-based standard error (ignores autocorrelation: shows what a naive
    analysis would claim).
``"pw_known"``
    Prais–Winsten GLS with the true ``rho`` (the best case).
``"pw"``
    Two-step Prais–Winsten: ``rho`` estimated from each replication's OLS residuals
    (consecutive lag-1 autocorrelation, clipped to ±0.98), then GLS keeping the first
    observation. This is the feasible analysis.

No statsmodels fit runs per replication. All replications share one design ``X``, so the
Prais–Winsten normal equations are quadratic polynomials in ``rho``:
``X'P'PX = X'X + rho^2 X_m'X_m - rho (S + S')`` with ``X_m`` the interior rows and
``S = sum_t x_t x_{t-1}'`` (``P`` is the Prais–Winsten transform), and likewise for ``X'P'Py``
and ``y'P'Py``. Every replication therefore costs a few matrix products over the whole
``(reps, n)`` outcome matrix plus one batched ``p x p`` solve. :func:`naive_estimates` runs the
same analysis as a per-replication ``statsmodels`` loop (``sm.OLS`` then ``sm.GLS`` with an AR(1)
correlation matrix), and the two agree to rounding error (tested to 1e-10).

The tested change is the ``level`` change (a step at the intervention, outcome units) or the
``slope`` change (the change in trend per period, outcome units per period; hypotheses of a
gradual effect predict this one). Because the outcome enters linearly and the tested regressor
lies in the design's column space, the estimated ``rho`` and standard errors do not depend on
the true effect, and the estimate shifts by exactly the effect. One simulation under "no effect" therefore gives the
whole power curve (common random numbers), and the minimum detectable effect (MDE) at 80 %
power is found by bisection on that same simulation.

Where the test statistic has a known distribution, :func:`analytic_power` gives power without
simulation: with GLS at the true ``rho`` (``"pw_known"``), or OLS when ``rho = 0``, the estimate
is normal with variance ``sd**2 * [(X' R^-1 X)^-1]_jj`` (``R`` the AR(1) correlation matrix),
independent of the residual scale, so the t statistic is noncentral t on ``n - p`` degrees of
freedom with noncentrality ``effect / se``. The tests check the simulation against it.

Examples
--------
>>> res = simulate_power(n_pre=72, n_post=24, rho=0.3, sd=1.0, effects=[0.0, 1.0, 2.0],
...                      reps=2000, seed=1)
>>> bool(res.power[0] < 0.1 and res.power[-1] > 0.9)
True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import statsmodels.api as sm
from scipy import optimize, signal, stats

from analysis.estimates import critical_value
from analysis.its.fit import ar1_coefficient, ar1_correlation

Estimator = Literal["ols", "pw_known", "pw"]
PowerImpact = Literal["level", "slope", "level+slope"]
Tested = Literal["level", "slope"]
RHO_CLIP = 0.98


def segmented_design(n_pre: int, n_post: int, impact: PowerImpact = "level") -> np.ndarray:
    """Design ``[const, time(, level)(, slope)]`` for ``n_pre`` + ``n_post`` periods.

    Examples
    --------
    >>> segmented_design(2, 2, "level+slope").tolist()
    [[1.0, 0.0, 0.0, 0.0], [1.0, 1.0, 0.0, 0.0], [1.0, 2.0, 1.0, 0.0], [1.0, 3.0, 1.0, 1.0]]
    >>> segmented_design(2, 2, "slope")[:, 2].tolist()
    [0.0, 0.0, 0.0, 1.0]
    """
    if impact not in ("level", "slope", "level+slope"):
        raise ValueError(f"impact={impact!r} is not level, slope or level+slope")
    t = np.arange(n_pre + n_post, dtype=float)
    post = (t >= n_pre).astype(float)
    cols = [np.ones_like(t), t]
    if impact in ("level", "level+slope"):
        cols.append(post)
    if impact in ("slope", "level+slope"):
        cols.append(np.where(post > 0, t - n_pre, 0.0))
    return np.column_stack(cols)


def change_column(impact: str, test: str) -> int:
    """Index of the tested change's column in :func:`segmented_design`.

    Examples
    --------
    >>> change_column("level+slope", "slope"), change_column("level", "level")
    (3, 2)
    """
    if test == "level" and impact in ("level", "level+slope"):
        return 2
    if test == "slope" and impact in ("slope", "level+slope"):
        return 3 if impact == "level+slope" else 2
    raise ValueError(f"a {impact!r} model has no {test!r} change to test")


def analytic_power(
    n_pre: int,
    n_post: int,
    rho: float,
    sd: float,
    effects: Sequence[float],
    impact: PowerImpact = "level",
    test: Tested = "level",
    alpha: float = 0.05,
) -> np.ndarray:
    """Exact power of the two-sided t test of one change, GLS at the true AR(1) ``rho``.

    With ``rho = 0`` this is OLS. The estimate of the tested coefficient is normal with
    standard error ``sd * sqrt([(X' R^-1 X)^-1]_jj)`` and independent of the residual scale,
    so ``t`` is noncentral t on ``n - p`` degrees of freedom (``scipy.stats.nct``).

    Parameters
    ----------
    n_pre, n_post, rho, sd, impact, test, alpha
        As for :func:`simulate_power` (estimator ``"pw_known"``).
    effects
        True changes of the tested coefficient.

    Returns
    -------
    numpy.ndarray
        Power at each effect.

    Examples
    --------
    >>> round(float(analytic_power(72, 24, 0.0, 1.0, [0.0])[0]), 3)
    0.05
    """
    x = segmented_design(n_pre, n_post, impact)
    se = analytic_se(n_pre, n_post, rho, sd, impact, test)
    df = x.shape[0] - x.shape[1]
    crit = critical_value(alpha, df)
    ncp = np.asarray(effects, dtype=float) / se
    power = stats.nct.sf(crit, df, ncp) + stats.nct.cdf(-crit, df, ncp)
    # scipy's nct returns NaN for a very large |ncp|, where power is 1 to machine precision
    return np.where(np.isnan(power), 1.0, power)


def analytic_se(
    n_pre: int, n_post: int, rho: float, sd: float, impact: PowerImpact, test: Tested
) -> float:
    """Standard error of the tested change under GLS at the true ``rho``.

        Examples
        --------
    XX
        1.2247
    """
    x = segmented_design(n_pre, n_post, impact)
    j = change_column(impact, test)
    r = ar1_correlation(np.arange(x.shape[0], dtype=float), rho)
    cov = np.linalg.inv(x.T @ np.linalg.solve(r, x))
    return float(sd * np.sqrt(cov[j, j]))


def analytic_mde(
    n_pre: int,
    n_post: int,
    rho: float,
    sd: float,
    impact: PowerImpact = "level",
    test: Tested = "level",
    alpha: float = 0.05,
    target: float = 0.8,
) -> float:
    """Smallest positive change detected with probability ``target`` (:func:`analytic_power`).

    Examples
    --------
    >>> mde = analytic_mde(72, 24, 0.0, 1.0, "level+slope", "slope")
    >>> round(float(analytic_power(72, 24, 0.0, 1.0, [mde], "level+slope", "slope")[0]), 6)
    0.8
    """

    def gap(effect: float) -> float:
        return float(analytic_power(n_pre, n_post, rho, sd, [effect], impact, test, alpha)[0])

    hi = 4.0 * analytic_se(n_pre, n_post, rho, sd, impact, test)
    while gap(hi) < target:
        hi *= 2.0
    return float(optimize.brentq(lambda e: gap(e) - target, 0.0, hi, xtol=1e-12))


def rho_interval(rho: float, n: int, z: float = 1.959964) -> tuple[float, float]:
    """Approximate interval for an estimated AR(1) coefficient: ``rho ± z * sqrt((1 - rho²)/n)``.

    The large-sample standard error of a lag-1 autocorrelation estimated from ``n`` residuals
    (Box, Jenkins & Reinsel, Time Series Analysis, section 7.2). It serves as a sensitivity
    range for a power calculation, not as an exact confidence interval; the ends are clipped
    to ±0.98.

    Examples
    --------
    >>> [round(v, 3) for v in rho_interval(0.0, 100)]
    [-0.196, 0.196]
    """
    if n < 2:
        raise ValueError(f"n={n}: an autocorrelation needs at least 2 residuals")
    half = z * np.sqrt(max(1.0 - rho**2, 0.0) / n)
    return (float(max(rho - half, -RHO_CLIP)), float(min(rho + half, RHO_CLIP)))


def aggregated_ar1_autocorrelation(rho: float, periods: int) -> float:
    """Lag-1 autocorrelation of sums over ``periods`` consecutive points of an AR(1) series.

    For instance, the year-to-year autocorrelation of annual totals (``periods=12``) when the
    monthly errors are AR(1) with coefficient ``rho``:
    ``sum_{i,j} rho^|periods + j - i| / sum_{i,j} rho^|j - i|`` over ``i, j = 1..periods``.

    Examples
    --------
    >>> round(aggregated_ar1_autocorrelation(0.5, 1), 6)
    0.5
    >>> round(aggregated_ar1_autocorrelation(-0.25, 12), 3)  # annual totals: nearly independent
    -0.021
    """
    if periods < 1:
        raise ValueError(f"periods={periods} must be >= 1")
    i = np.arange(periods)
    lag = np.abs(i[None, :] - i[:, None])
    within = np.sum(np.power(rho, lag))
    # the next block's point j is periods + j - i steps after point i: always positive
    across = float(np.sum(np.power(rho, periods + (i[None, :] - i[:, None]))))
    return float(across / within)


def simulate_ar1(
    rng: np.random.Generator,
    reps: int,
    n: int,
    rho: float,
    sd: float,
) -> np.ndarray:
    """Stationary AR(1) noise, shape ``(reps, n)``, marginal standard deviation ``sd``.

    Examples
    --------
    >>> e = simulate_ar1(np.random.default_rng(0), 20000, 3, 0.5, 2.0)
    >>> bool(abs(e[:, 2].std() - 2.0) < 0.05)
    True
    """
    shocks = rng.standard_normal((reps, n))
    shocks[:, 1:] *= sd * np.sqrt(1.0 - rho**2)
    shocks[:, 0] *= sd
    return signal.lfilter([1.0], [1.0, -rho], shocks, axis=1)


@dataclass(frozen=True)
class Estimates:
    """Per-replication estimates: all coefficients, their standard errors, and ``rho``."""

    params: np.ndarray  # (reps, p)
    bse: np.ndarray  # (reps, p)
    rho: np.ndarray  # (reps,)
    df_resid: int


def _ols_rho(y: np.ndarray, x: np.ndarray) -> np.ndarray:
    beta = y @ np.linalg.pinv(x).T
    resid = y - beta @ x.T
    lead, lag = resid[:, 1:], resid[:, :-1]
    num = np.einsum("rt,rt->r", lead, lag)
    den = np.einsum("rt,rt->r", lag, lag)
    return np.clip(np.divide(num, den, out=np.zeros_like(num), where=den > 0), -RHO_CLIP, RHO_CLIP)


def vectorised_estimates(
    y: np.ndarray, x: np.ndarray, estimator: Estimator = "pw", rho: float | None = None
) -> Estimates:
    """Fit every row of ``y`` at once.

    Parameters
    ----------
    y
        Outcomes, shape ``(reps, n)``.
    x
        Shared design, shape ``(n, p)``.
    estimator
        ``"ols"``, ``"pw_known"`` (needs ``rho``) or ``"pw"`` (``rho`` estimated per row).
    rho
        The known AR(1) coefficient for ``"pw_known"``.

    Returns
    -------
    Estimates
        Coefficients, standard errors, the ``rho`` used, residual degrees of freedom.
    """
    y = np.atleast_2d(np.asarray(y, dtype=float))
    reps, n = y.shape
    p = x.shape[1]
    if estimator == "ols":
        r = np.zeros(reps)
    elif estimator == "pw_known":
        if rho is None:
            raise ValueError("estimator 'pw_known' needs rho")
        r = np.full(reps, float(rho))
    else:
        r = _ols_rho(y, x)
    mid = x[1:-1]
    m0, m2 = x.T @ x, mid.T @ mid
    s = x[1:].T @ x[:-1]
    m1 = s + s.T
    r2 = r**2
    xtx = m0[None] + r2[:, None, None] * m2[None] - r[:, None, None] * m1[None]
    xty = (
        y @ x
        + r2[:, None] * (y[:, 1:-1] @ mid)
        - r[:, None] * (y[:, :-1] @ x[1:] + y[:, 1:] @ x[:-1])
    )
    yty = (
        np.einsum("rt,rt->r", y, y)
        + r2 * np.einsum("rt,rt->r", y[:, 1:-1], y[:, 1:-1])
        - 2.0 * r * np.einsum("rt,rt->r", y[:, 1:], y[:, :-1])
    )
    inv = np.linalg.inv(xtx)
    beta = np.einsum("rpq,rq->rp", inv, xty)
    rss = yty - np.einsum("rp,rp->r", beta, xty)
    df = n - p
    scale = np.maximum(rss, 0.0) / df
    bse = np.sqrt(scale[:, None] * np.einsum("rpp->rp", inv))
    return Estimates(params=beta, bse=bse, rho=r, df_resid=df)


def naive_estimates(
    y: np.ndarray, x: np.ndarray, estimator: Estimator = "pw", rho: float | None = None
) -> Estimates:
    """The same estimates with one statsmodels fit per replication (the slow reference).

    Parameters
    ----------
    y, x, estimator, rho
        As for :func:`vectorised_estimates`.

    Returns
    -------
    Estimates
        As for :func:`vectorised_estimates`.
    """
    y = np.atleast_2d(np.asarray(y, dtype=float))
    t = np.arange(y.shape[1], dtype=float)
    params, bse, rhos = [], [], []
    for row in y:
        ols = sm.OLS(row, x).fit()
        if estimator == "ols":
            res, r = ols, 0.0
        else:
            r = float(rho) if estimator == "pw_known" else ar1_coefficient(row - x @ ols.params, t)
            res = sm.GLS(row, x, sigma=ar1_correlation(t, r)).fit()
        params.append(res.params)
        bse.append(res.bse)
        rhos.append(r)
    return Estimates(
        params=np.asarray(params),
        bse=np.asarray(bse),
        rho=np.asarray(rhos),
        df_resid=int(y.shape[1] - x.shape[1]),
    )


@dataclass(frozen=True)
class PowerResult:
    """A power curve and the minimum detectable effect (MDE).

    Attributes
    ----------
    n_pre, n_post, impact, rho, sd, reps, estimator, alpha
        The simulated design and analysis.
    effects, power
        Effect sizes (of the tested change: outcome units for a level change, outcome units
        per period for a slope change) and the share of replications rejecting.
    mde
        Smallest positive change detected with probability ``target`` (NaN if beyond
        ``max_effect``).
    target
        Power for the MDE (0.8).
    mean_rho_hat
        Average estimated ``rho`` (``"pw"``), showing its small-sample downward bias.
    """

    n_pre: int
    n_post: int
    impact: str
    rho: float
    sd: float
    reps: int
    estimator: str
    alpha: float
    effects: np.ndarray
    power: np.ndarray
    mde: float
    target: float
    mean_rho_hat: float
    test: str = "level"

    def power_at(self, effect: float) -> float:
        """Power at one effect size, by linear interpolation of the curve."""
        return float(np.interp(effect, self.effects, self.power))


def _rejection_rate(estimate: np.ndarray, se: np.ndarray, shift: float, crit: float) -> float:
    return float(np.mean(np.abs(estimate + shift) > crit * se))


def simulate_power(
    n_pre: int,
    n_post: int,
    rho: float,
    sd: float,
    effects: Sequence[float],
    reps: int = 2000,
    seed: int = 0,
    impact: PowerImpact = "level",
    estimator: Estimator = "pw",
    alpha: float = 0.05,
    target: float = 0.8,
    max_effect: float | None = None,
    test: Tested = "level",
) -> PowerResult:
    """Power of the test of a level or slope change over effect sizes, and the MDE.

    Parameters
    ----------
    n_pre, n_post
        Points before and from the intervention.
    rho, sd
        AR(1) coefficient and marginal standard deviation of the errors (outcome units).
    effects
        Changes to evaluate (of the tested coefficient).
    reps, seed
        Replications and the seed of :func:`numpy.random.default_rng`.
    impact
        ``"level"``, ``"slope"`` or ``"level+slope"``: the model fitted.
    estimator
        ``"ols"``, ``"pw_known"`` or ``"pw"`` (see the module docstring).
    alpha, target
        Test size and the power that defines the MDE.
    max_effect
        Upper end of the MDE search (default: 50 standard deviations for a level change,
        50 standard deviations per post-period for a slope change).
    test
        The change tested: ``"level"`` or ``"slope"`` (it must be in ``impact``).

    Returns
    -------
    PowerResult
        Curve and MDE.
    """
    x = segmented_design(n_pre, n_post, impact)
    rng = np.random.default_rng(seed)
    noise = simulate_ar1(rng, reps, x.shape[0], rho, sd)
    j = change_column(impact, test)
    est = vectorised_estimates(noise, x, estimator, rho=rho)
    b, se = est.params[:, j], est.bse[:, j]
    crit = critical_value(alpha, est.df_resid)
    grid = np.asarray(effects, dtype=float)
    power = np.array([_rejection_rate(b, se, e, crit) for e in grid])
    default = 50.0 * sd if test == "level" else 50.0 * sd / max(n_post - 1, 1)
    hi = float(max_effect if max_effect is not None else default)
    if _rejection_rate(b, se, hi, crit) < target:
        mde = float("nan")
    else:
        lo = 0.0
        for _ in range(60):
            mid = 0.5 * (lo + hi)
            if _rejection_rate(b, se, mid, crit) >= target:
                hi = mid
            else:
                lo = mid
        mde = hi
    return PowerResult(
        n_pre=n_pre,
        n_post=n_post,
        impact=impact,
        rho=float(rho),
        sd=float(sd),
        reps=reps,
        estimator=estimator,
        alpha=alpha,
        effects=grid,
        power=power,
        mde=mde,
        target=target,
        mean_rho_hat=float(np.mean(est.rho)),
        test=test,
    )
