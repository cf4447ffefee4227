"""The result of an ITS fit, in the shared dialect of :mod:`analysis.estimates`.

Every effect is an :class:`~analysis.estimates.Estimate` on the model's linear-predictor scale
(outcome units for Gaussian models). For log-link families (Poisson, quasi-Poisson)
``exp(coefficient)`` is a rate ratio, reported as a separate ``Estimate`` in
:attr:`ITSResult.rate_ratios`: for the level change the ratio of the post- to the
counterfactual rate at the interruption, for the slope change the multiplicative change in the
rate per time unit.

Examples
--------
>>> from analysis.estimates import Estimate
>>> level = Estimate.from_se("level", -0.1, 0.02, method="normal, GLM Poisson model-based")
>>> ratio = rate_ratio(level)
>>> ratio.name, round(ratio.estimate, 4), round(ratio.ci_lower, 4)
('level_rate_ratio', 0.9048, 0.8701)
>>> ratio.p_value == level.p_value
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from analysis.estimates import Estimate, ResultMixin


def rate_ratio(effect: Estimate) -> Estimate:
    """``exp`` of a log-link effect and of its interval (the p-value is the effect's own)."""
    return Estimate(
        name=f"{effect.name}_rate_ratio",
        estimate=math.exp(effect.estimate),
        ci_lower=math.exp(effect.ci_lower),
        ci_upper=math.exp(effect.ci_upper),
        p_value=effect.p_value,
        interval_method=f"exp of the {effect.name} interval ({effect.interval_method})",
        alpha=effect.alpha,
    )


def _event_record(event: Any) -> dict[str, Any]:
    """An event as a plain record (``date``, ``name``, ``kind``, ``source``)."""
    date = getattr(event, "date", None)
    return {
        "date": date.strftime("%Y-%m-%d") if hasattr(date, "strftime") else date,
        "name": getattr(event, "name", str(event)),
        "kind": getattr(event, "kind", None),
        "source": getattr(event, "source", None),
    }


@dataclass(frozen=True)
class RhoGridRow:
    """Estimates under one *assumed* AR(1) coefficient (short series)."""

    rho: float
    effects: dict[str, Estimate]


@dataclass(frozen=True)
class ITSResult(ResultMixin):
    """A fitted interrupted time series.

    Attributes
    ----------
    outcome, impact
        The analysed column and the impact model of the main intervention.
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
    interval_method
        How every interval of the fit was computed, e.g. ``"t(90), Newey-West HAC lag 3"``.
    alpha
        One minus the coverage of every interval.
    effects
        ``"level"`` / ``"slope"`` of the main intervention (missing keys were not modelled).
    other_effects
        Effects of the other interruptions, keyed by their name, then ``"level"``/``"slope"``;
        their estimates are named ``"<name>:level"`` and ``"<name>:slope"``.
    rate_ratios
        Log-link families: the rate ratio of every effect, keyed by the effect's name
        (``"level"``, ``"shock:level"``, ...); empty otherwise.
    counterfactual
        Per observed row of the (treated) series: time, position, observed, fitted,
        counterfactual with its interval, ``post`` and ``in_fit`` flags.
    horizon_effects
        Effect at each post-intervention horizon h (time units since the interruption):
        absolute (fitted - counterfactual) and relative (absolute / counterfactual) with
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
    design
        ``"single"``, or for comparative ITS ``"pooled"`` (itsa's multiple-group model) or
        ``"per-series"``.
    coefficients
        Every coefficient, named as Stata's ``itsa`` names it (``_t``, ``_x1989``,
        ``_x_t1989``, ``_z``, ``_z_t``, ``_z_x1989``, ``_z_x_t1989``, ``_cons``; seasonal terms
        keep their own names), in design order; ``coefficient_columns`` gives the matching
        column of :attr:`params`.
    posttrend
        The post-intervention trend(s) with SEs, as ``itsa, posttrend`` (a ``lincom``):
        ``posttrend`` (treated), and with controls ``posttrend:controls`` and
        ``posttrend:difference``.
    autocorrelation
        :class:`analysis.its.actest.AutocorrelationCheck` (Breusch-Godfrey by lag and the lag
        rule's choice), ``None`` for short series.
    lag_rule
        How the Newey-West lag was chosen when none was given (``"newey-west"`` formula or
        ``"actest"`` rule), ``None`` otherwise.
    notices
        What was done to the input (rows sorted, YYYYMM read as months).
    events_near, event_window, event_warnings
        Events of the events file within ``event_window`` time units of the intervention and
        the warnings for those the design cannot separate from it.
    reference_df
        Degrees of freedom of the t reference distribution (``None`` = normal).
    """

    outcome: str
    impact: str
    n: int
    family: str
    errors: str
    dispersion: float
    rho: float | None
    hac_lags: int | None
    interval_method: str
    alpha: float
    time_unit: str
    intervention_label: str
    effects: dict[str, Estimate]
    other_effects: dict[str, dict[str, Estimate]]
    rate_ratios: dict[str, Estimate]
    counterfactual: pd.DataFrame
    horizon_effects: pd.DataFrame
    cumulative: Estimate
    not_estimable: tuple[str, ...]
    rho_grid: tuple[RhoGridRow, ...]
    params: pd.Series
    cov: pd.DataFrame
    model: Any = field(repr=False, compare=False)
    design: str = "single"
    coefficients: tuple[Estimate, ...] = ()
    coefficient_columns: tuple[str, ...] = ()
    posttrend: tuple[Estimate, ...] = ()
    autocorrelation: Any = None
    lag_rule: str | None = None
    notices: tuple[str, ...] = ()
    events_near: tuple[Any, ...] = ()
    event_window: int | None = None
    event_warnings: tuple[str, ...] = ()
    reference_df: float | None = None

    method_name = "Interrupted time series (segmented regression)"

    def estimates(self) -> tuple[Estimate, ...]:
        """Level and slope of the intervention, the cumulative effect, then other interruptions.

        Log-link fits add each effect's rate ratio (``"level_rate_ratio"``, ...) after it.
        """
        out: list[Estimate] = []
        effects = [
            *self.effects.values(),
            self.cumulative,
            *(e for other in self.other_effects.values() for e in other.values()),
        ]
        for effect in effects:
            out.append(effect)
            if effect.name in self.rate_ratios:
                out.append(self.rate_ratios[effect.name])
        return tuple(out)

    def summary_header(self) -> list[tuple[str, str]]:
        """Outcome, intervention, family, error model and fit size."""
        header = [
            ("Outcome", self.outcome),
            ("Intervention", f"{self.intervention_label} ({self.impact})"),
            ("Family", self.family),
            ("Errors", self.errors),
            ("Observations in fit", str(self.n)),
            ("Dispersion", f"{self.dispersion:.4g}"),
        ]
        if self.rho is not None:
            header.append(("AR(1) rho", f"{self.rho:.3f}"))
        if self.hac_lags is not None:
            rule = {
                None: "given",
                "newey-west": "floor(4 (n/100)^(2/9))",
                "actest": "actest rule",
            }.get(self.lag_rule, str(self.lag_rule))
            header.append(("Newey–West lag", f"{self.hac_lags} ({rule})"))
        if self.design != "single":
            header.append(("Comparative design", self.design))
        return header

    def summary_notes(self) -> list[str]:
        """What the data cannot support (short series), and what the cumulative effect sums."""
        notes = [
            (
                "cumulative = sum of (fitted - counterfactual) over the post-intervention rows "
                "in the fit"
            )
        ]
        notes += list(self.notices)
        notes += list(self.event_warnings)
        return notes + [f"cannot be estimated from these data: {n}" for n in self.not_estimable]

    def coefficient_lines(self) -> list[str]:
        """Every coefficient (itsa's names) and the post-intervention trends, as text."""
        if not self.coefficients:
            return []
        lo, hi = f"[{self.alpha / 2:.3f}", f"{1 - self.alpha / 2:.3f}]"
        width = max(12, *(len(e.name) for e in (*self.coefficients, *self.posttrend)))
        head = f"{'':<{width}} {'coef':>12} {'se':>11} {'t':>8} {'p':>7} {lo:>12} {hi:>12}"
        out = ["Coefficients (names as Stata itsa):", head]
        for block in (self.coefficients, self.posttrend):
            if block is self.posttrend and block:
                out.append("Post-intervention trend (itsa posttrend, lincom):")
            for e in block:
                t = e.estimate / e.se if e.se and math.isfinite(e.se) and e.se > 0 else math.nan
                out.append(
                    f"{e.name:<{width}} {e.estimate:>12.6g} {e.se:>11.6g} {t:>8.2f} "
                    f"{e.p_value:>7.3f} {e.ci_lower:>12.6g} {e.ci_upper:>12.6g}"
                )
        return out

    def event_lines(self) -> list[str]:
        """Events near the intervention, as text."""
        if self.event_window is None:
            return []
        out = [
            f"Events within {self.event_window} time units of the intervention "
            f"({len(self.events_near)}):"
        ]
        for event in self.events_near:
            date = getattr(event, "date", "")
            date = date.strftime("%Y-%m-%d") if hasattr(date, "strftime") else str(date)
            out.append(
                f"  {date}  {getattr(event, 'name', event)} [{getattr(event, 'kind', '')}] "
                f"source: {getattr(event, 'source', '')}"
            )
        return out

    def summary(self) -> str:
        """The shared table, every coefficient, the autocorrelation check, events, rho grid."""
        text = super().summary()
        extra = self.coefficient_lines()
        if self.autocorrelation is not None:
            extra += self.autocorrelation.lines()
        extra += self.event_lines()
        if extra:
            text = "\n".join([text, *extra])
        if not self.rho_grid:
            return text
        lo, hi = f"{self.alpha / 2:.3f}", f"{1 - self.alpha / 2:.3f}"
        lines = [
            text,
            (
                f"Effects under assumed AR(1) rho (GLS, first observation kept), "
                f"interval [{lo}, {hi}]:"
            ),
            f"{'rho':<6} {'level':<36} slope",
        ]
        for row in self.rho_grid:
            cells = []
            for kind in ("level", "slope"):
                e = row.effects.get(kind)
                cells.append(
                    "not modelled"
                    if e is None
                    else f"{e.estimate:.4g} [{e.ci_lower:.4g}, {e.ci_upper:.4g}]"
                )
            lines.append(f"{row.rho:<6.2f} {cells[0]:<36} {cells[1]}")
        return "\n".join(lines)

    def json_extra(self) -> dict[str, Any]:
        """Fit facts for ``details``: n, family, errors, dispersion, rho, lags, short series."""
        extra: dict[str, Any] = {
            "outcome": self.outcome,
            "impact": self.impact,
            "intervention": self.intervention_label,
            "time_unit": self.time_unit,
            "n": self.n,
            "family": self.family,
            "errors": self.errors,
            "dispersion": self.dispersion,
            "rho": self.rho,
            "hac_lags": self.hac_lags,
            "interval_method": self.interval_method,
            "alpha": self.alpha,
            "not_estimable": list(self.not_estimable),
            "design": self.design,
            "lag_rule": self.lag_rule,
            "reference_df": self.reference_df,
            "coefficients": [
                {**e.to_dict(), "column": column}
                for e, column in zip(self.coefficients, self.coefficient_columns)
            ],
            "posttrend": [e.to_dict() for e in self.posttrend],
            "autocorrelation": (
                None if self.autocorrelation is None else self.autocorrelation.to_dict()
            ),
            "notices": list(self.notices),
            "events_near": [_event_record(e) for e in self.events_near],
            "event_window": self.event_window,
            "event_warnings": list(self.event_warnings),
            "rho_grid": [
                {"rho": row.rho, "estimates": [e.to_dict() for e in row.effects.values()]}
                for row in self.rho_grid
            ],
        }
        return extra
