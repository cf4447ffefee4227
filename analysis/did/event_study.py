"""Event study (dynamic TWFE) with leads and lags, a joint pre-trend Wald test, and a plot.

Relative-time dummies ``1[t - g = k]`` for treated units are added to a TWFE regression
(linearmodels ``PanelOLS``, unit and time effects, unit-clustered SEs); ``k = -1`` is the
reference. Event times beyond the window are binned into the end points, so the end-point
coefficients average over the far leads/lags and never-treated units anchor the time effects.
``bin_width`` groups periods first, e.g. 12 turns monthly event time into years.

The joint pre-trend test is a Wald test that all lead coefficients are zero, using the
clustered covariance: ``W = b' V^{-1} b ~ chi2(#leads)``. A non-rejection is weak evidence
(Roth 2022: pre-tests have low power and conditioning on them distorts inference), which is
why :mod:`analysis.did.honest` reports bounds. With staggered adoption and heterogeneous
effects these coefficients are contaminated by other periods' effects (Sun & Abraham 2021);
use the dynamic aggregation of :mod:`analysis.did.staggered` there. With one treated unit
the clustered SEs rest on a single treated cluster and are not reliable: use
:mod:`analysis.did.permutation` for inference.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from linearmodels.panel import PanelOLS
from scipy import stats

from analysis.did.panel import Panel, PanelError
from analysis.did.twfe import cluster_robust_method
from analysis.estimates import Estimate, ResultMixin, estimates_frame

REFERENCE = -1


@dataclass(frozen=True)
class EventStudyResult(ResultMixin):
    """Result of :func:`event_study`.

    Attributes
    ----------
    table
        One row per event time: rel_time, estimate, se, ci_lower, ci_upper, p_value (the
        reference row has estimate 0 and NaN elsewhere).
    vcov
        Clustered covariance of the non-reference coefficients, ordered as in ``table``.
    pretrend_chi2, pretrend_df, pretrend_p_value
        Joint Wald test that all leads are zero.
    reference, bin_width
        Omitted event time and the period grouping used.
    alpha, interval_method
        Interval level and how the intervals were obtained.
    """

    method_name = "event study (dynamic TWFE)"

    table: pd.DataFrame
    vcov: pd.DataFrame
    pretrend_chi2: float
    pretrend_df: int
    pretrend_p_value: float
    reference: int
    bin_width: int
    alpha: float
    interval_method: str

    def coefficient(self, rel_time: int) -> Estimate:
        """The coefficient at one event time (the reference row has no interval)."""
        row = self.table.set_index("rel_time").loc[rel_time]
        method = (
            "reference period (normalised to 0)"
            if rel_time == self.reference
            else self.interval_method
        )
        return Estimate(
            name=f"rel_time={rel_time}",
            estimate=float(row["estimate"]),
            se=float(row["se"]),
            ci_lower=float(row["ci_lower"]),
            ci_upper=float(row["ci_upper"]),
            p_value=float(row["p_value"]),
            interval_method=method,
            alpha=self.alpha,
        )

    def post_average(self) -> Estimate:
        """Equally weighted mean of the post-period coefficients (event time >= 0)."""
        post = [k for k in self.vcov.index if k >= 0]
        if not post:
            raise PanelError("the event study has no post-period coefficient")
        weights = np.full(len(post), 1.0 / len(post))
        coef = self.table.set_index("rel_time").loc[post, "estimate"].to_numpy()
        se = float(np.sqrt(weights @ self.vcov.loc[post, post].to_numpy() @ weights))
        return Estimate.from_se(
            "post-period average",
            float(weights @ coef),
            se,
            method=self.interval_method,
            alpha=self.alpha,
        )

    def estimates(self) -> tuple[Estimate, ...]:
        """The post-period average first, then one coefficient per event time."""
        return (self.post_average(), *(self.coefficient(int(k)) for k in self.table["rel_time"]))

    def summary_header(self) -> list[tuple[str, str]]:
        """Reference period, binning and the pre-trend test."""
        return [
            ("reference event time", str(self.reference)),
            ("periods per bin", str(self.bin_width)),
            ("pre-trend Wald chi2 (df)", f"{self.pretrend_chi2:.3f} ({self.pretrend_df})"),
            ("pre-trend p-value", f"{self.pretrend_p_value:.4g}"),
        ]

    def json_extra(self) -> dict[str, Any]:
        """The event-study table and the pre-trend test."""
        return {
            "event_study": self.table,
            "pretrend_test": {
                "wald_chi2": self.pretrend_chi2,
                "df": self.pretrend_df,
                "p_value": self.pretrend_p_value,
            },
            "reference": self.reference,
            "bin_width": self.bin_width,
        }


def relative_time(panel: Panel, *, bin_width: int = 1) -> np.ndarray:
    """Binned event time (units x periods) for treated units, NaN for never-treated units."""
    period = np.arange(panel.n_periods)[None, :]
    rel = np.floor((period - panel.group_code[:, None]) / bin_width)
    return np.where(panel.ever_treated[:, None], rel, np.nan)


def event_study(
    panel: Panel, *, leads: int = 4, lags: int = 4, bin_width: int = 1, alpha: float = 0.05
) -> EventStudyResult:
    """Estimate a binned event study by TWFE with unit-clustered SEs.

    Parameters
    ----------
    panel
        Balanced panel with treated and never-treated units.
    leads, lags
        Window ``-leads .. lags`` in (binned) event time; outside values go to the ends.
    bin_width
        Number of periods per event-time bin.
    alpha
        1 - confidence level.

    Returns
    -------
    EventStudyResult
    """
    if leads < 2:
        raise PanelError(f"leads={leads}: at least 2 are needed (event time -1 is the reference)")
    if lags < 0:
        raise PanelError(f"lags={lags}: must be 0 or more")
    if bin_width < 1:
        raise PanelError(f"bin_width={bin_width}: must be 1 or more")
    if not panel.ever_treated.any() or panel.ever_treated.all():
        raise PanelError("an event study needs treated and never-treated units")
    rel = np.clip(relative_time(panel, bin_width=bin_width), -leads, lags)
    observed = np.unique(rel[~np.isnan(rel)]).astype(int)
    keep = [k for k in observed if k != REFERENCE]
    long = panel.to_long().set_index(["unit", "period"])
    names = [f"rel_{k}" for k in keep]
    flat = rel.ravel()
    dummies = pd.DataFrame(
        {name: (flat == k).astype(float) for name, k in zip(names, keep)}, index=long.index
    )
    fit = PanelOLS(
        long["y"], dummies, entity_effects=True, time_effects=True, drop_absorbed=True
    ).fit(cov_type="clustered", cluster_entity=True)
    names = [n for n in names if n in fit.params.index]
    keep = [int(n.removeprefix("rel_")) for n in names]
    method = cluster_robust_method(panel)
    rows = [
        Estimate.from_se(
            str(k), float(fit.params[n]), float(fit.std_errors[n]), method=method, alpha=alpha
        )
        for n, k in zip(names, keep)
    ]
    rows.append(Estimate(str(REFERENCE), 0.0, alpha=alpha))
    table = estimates_frame(rows)
    table.insert(0, "rel_time", table.pop("name").astype(int))
    table = (
        table.drop(columns=["interval_method", "alpha"])
        .sort_values("rel_time")
        .reset_index(drop=True)
    )
    vcov = fit.cov.loc[names, names]
    vcov.index = vcov.columns = keep
    lead_names = [n for n, k in zip(names, keep) if k < REFERENCE]
    if lead_names:
        b = fit.params[lead_names].to_numpy()
        v = fit.cov.loc[lead_names, lead_names].to_numpy()
        chi2 = float(b @ np.linalg.pinv(v) @ b)
        p_value = float(stats.chi2.sf(chi2, len(lead_names)))
    else:
        chi2, p_value = float("nan"), float("nan")
    return EventStudyResult(
        table=table,
        vcov=vcov,
        pretrend_chi2=chi2,
        pretrend_df=len(lead_names),
        pretrend_p_value=p_value,
        reference=REFERENCE,
        bin_width=bin_width,
        alpha=alpha,
        interval_method=method,
    )


def plot_event_study(
    result: EventStudyResult | pd.DataFrame,
    *,
    ax=None,
    label: str = "estimate",
    offset: float = 0.0,
    marker: str = "o",
    linestyle: str = "-",
    color: str | None = None,
    xlabel: str = "event time",
):
    """Draw point estimates with confidence intervals against event time.

    Parameters
    ----------
    result
        An :class:`EventStudyResult` or a frame with rel_time, estimate, ci_lower, ci_upper.
    ax
        Matplotlib axes (a new figure when omitted).
    label
        Legend label; say "synthetic" in it when the data are synthetic.
    offset
        Horizontal shift, to draw two estimators side by side.
    marker, linestyle, color
        Styling, so that series differ in more than colour.
    xlabel
        Axis label.

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt

    table = result.table if isinstance(result, EventStudyResult) else result
    if ax is None:
        _, ax = plt.subplots()
    x = table["rel_time"].to_numpy(dtype=float) + offset
    y = table["estimate"].to_numpy()
    lower = y - table["ci_lower"].to_numpy()
    upper = table["ci_upper"].to_numpy() - y
    ax.errorbar(
        x,
        y,
        yerr=np.vstack([np.nan_to_num(lower), np.nan_to_num(upper)]),
        marker=marker,
        linestyle=linestyle,
        color=color,
        capsize=3,
        label=label,
    )
    ax.axhline(0, color="black", linewidth=0.8)
    ax.axvline(-0.5, color="grey", linestyle=":", linewidth=1)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("effect relative to event time -1")
    return ax
