"""Result containers of an ITS fit (frozen dataclasses) and their JSON form.

All intervals are 95 % unless the fit was asked for another level. ``ratio``/``ratio_ci`` are
filled only for log-link families (Poisson, quasi-Poisson), where ``exp(coefficient)`` is a
rate ratio: for the level change, the ratio of the post- to the counterfactual rate at the
interruption; for the slope change, the multiplicative change in the rate per time unit.

Examples
--------
>>> e = Effect(estimate=-0.1, se=0.02, ci=(-0.14, -0.06), p=0.001, ratio=0.905,
...            ratio_ci=(0.87, 0.94))
>>> e.as_json()["ratio"]
0.905
>>> Effect(estimate=1.0, se=0.5, ci=(0.0, 2.0), p=0.05).as_json().keys() == {"estimate", "ci", "p"}
True
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd


@dataclass(frozen=True)
class Effect:
    """One estimated effect with its interval.

    Parameters
    ----------
    estimate
        Point estimate on the model's linear-predictor scale (outcome units for Gaussian).
    se
        Standard error.
    ci
        Confidence interval ``(lo, hi)``.
    p
        Two-sided p-value for "no change".
    ratio, ratio_ci
        ``exp`` of estimate and interval for log-link families, else ``None``.
    """

    estimate: float
    se: float
    ci: tuple[float, float]
    p: float
    ratio: float | None = None
    ratio_ci: tuple[float, float] | None = None

    def as_json(self) -> dict[str, Any]:
        """Dictionary in the command line's ``--json`` schema."""
        out: dict[str, Any] = {"estimate": self.estimate, "ci": list(self.ci), "p": self.p}
        if self.ratio is not None and self.ratio_ci is not None:
            out["ratio"] = self.ratio
            out["ratio_ci"] = list(self.ratio_ci)
        return out


@dataclass(frozen=True)
class RhoGridRow:
    """Estimates under one *assumed* AR(1) coefficient (short series)."""

    rho: float
    effects: dict[str, Effect]


@dataclass(frozen=True)
class ITSResult:
    """A fitted interrupted time series.

    Attributes
    ----------
    n
        Observations used in the fit (after exclusion windows; stacked rows for comparative ITS).
    family, errors
        Family and the error model actually used (``"ols"`` replaces ``"ar1"``/``"hac"`` for
        short series, see ``not_estimable``).
    dispersion
        Gaussian: residual variance; Poisson: 1; quasi-Poisson/binomial: Pearson chi2 / df.
    rho
        Estimated AR(1) coefficient (``errors="ar1"``), else ``None``.
    hac_lags
        Newey–West truncation lag (``errors="hac"``), else ``None``.
    effects
        ``"level"`` / ``"slope"`` of the main intervention (missing keys were not modelled).
    other_effects
        Effects of the other interruptions, keyed by their name.
    counterfactual
        Per observed row of the (treated) series: time, position, observed, fitted,
        counterfactual with its 95 % interval, ``post`` and ``in_fit`` flags.
    horizon_effects
        Effect at each post-intervention horizon h (time units since the interruption):
        absolute (fitted - counterfactual) and relative (absolute / counterfactual) with 95 %
        intervals.
    cumulative
        Sum of the absolute effect over the post-intervention rows in the fit.
    not_estimable
        Plain statements of what the data cannot support (short series).
    rho_grid
        Estimates over assumed AR(1) coefficients (Gaussian short series), else empty.
    params, cov
        Coefficients and their covariance.
    model
        The underlying statsmodels results object (for diagnostics).
    """

    n: int
    family: str
    errors: str
    dispersion: float
    rho: float | None
    hac_lags: int | None
    time_unit: str
    intervention_label: str
    effects: dict[str, Effect]
    other_effects: dict[str, dict[str, Effect]]
    counterfactual: pd.DataFrame
    horizon_effects: pd.DataFrame
    cumulative: Effect
    not_estimable: tuple[str, ...]
    rho_grid: tuple[RhoGridRow, ...]
    params: pd.Series
    cov: pd.DataFrame
    model: Any = field(repr=False, compare=False)

    def as_json(self) -> dict[str, Any]:
        """The ``--json`` document: ``n``, ``family``, ``dispersion``, ``effects``.

        ``effects`` always has ``level`` and ``slope``; a component the impact model leaves out
        is ``null``. For series of 12 points or fewer, ``not_estimable`` and ``rho_grid`` are
        added.
        """
        doc: dict[str, Any] = {
            "n": self.n,
            "family": self.family,
            "dispersion": self.dispersion,
            "effects": {k: (self.effects[k].as_json() if k in self.effects else None)
                        for k in ("level", "slope")},
        }
        if self.not_estimable:
            doc["not_estimable"] = list(self.not_estimable)
        if self.rho_grid:
            doc["rho_grid"] = [
                {"rho": row.rho,
                 "effects": {k: (row.effects[k].as_json() if k in row.effects else None)
                             for k in ("level", "slope")}}
                for row in self.rho_grid]
        return doc

    def effects_table(self) -> pd.DataFrame:
        """Level and slope of every interruption as one tidy table."""
        rows = []
        for name, effects in [("intervention", self.effects), *self.other_effects.items()]:
            for kind, eff in effects.items():
                rows.append({"interruption": name, "effect": kind, "estimate": eff.estimate,
                             "ci_low": eff.ci[0], "ci_high": eff.ci[1], "p": eff.p,
                             "ratio": eff.ratio,
                             "ratio_ci_low": eff.ratio_ci[0] if eff.ratio_ci else None,
                             "ratio_ci_high": eff.ratio_ci[1] if eff.ratio_ci else None})
        return pd.DataFrame(rows)
