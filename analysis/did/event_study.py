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

import numpy as np
import pandas as pd
from linearmodels.panel import PanelOLS
from scipy import stats

from analysis.did.panel import Panel, PanelError


@dataclass(frozen=True)
class EventStudyResult:
    """Result of :func:`event_study`.

    Attributes
    ----------
    table
        One row per event time: rel_time, estimate, se, ci_lower, ci_upper (reference row
        has estimate 0 and NaN SE).
    vcov
        Clustered covariance of the non-reference coefficients, ordered as in ``table``.
    pretrend_stat, pretrend_df, pretrend_pvalue
        Joint Wald test that all leads are zero.
    reference, bin_width
        Omitted event time and the period grouping used.
    """

    table: pd.DataFrame
    vcov: pd.DataFrame
    pretrend_stat: float
    pretrend_df: int
    pretrend_pvalue: float
    reference: int
    bin_width: int


def relative_time(panel: Panel, *, bin_width: int = 1) -> np.ndarray:
    """Binned event time (units x periods) for treated units, NaN for never-treated units."""
    period = np.arange(panel.n_periods)[None, :]
    rel = np.floor((period - panel.group_code[:, None]) / bin_width)
    return np.where(panel.ever_treated[:, None], rel, np.nan)


def event_study(panel: Panel, *, leads: int = 4, lags: int = 4, bin_width: int = 1,
                alpha: float = 0.05) -> EventStudyResult:
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
        raise PanelError("leads must be at least 2 (event time -1 is the reference)")
    if not panel.ever_treated.any() or panel.ever_treated.all():
        raise PanelError("an event study needs treated and never-treated units")
    rel = np.clip(relative_time(panel, bin_width=bin_width), -leads, lags)
    observed = np.unique(rel[~np.isnan(rel)]).astype(int)
    keep = [k for k in observed if k != -1]
    long = panel.to_long().set_index(["unit", "period"])
    names = [f"rel_{k}" for k in keep]
    flat = rel.ravel()
    dummies = pd.DataFrame({name: (flat == k).astype(float) for name, k in zip(names, keep)},
                           index=long.index)
    fit = PanelOLS(long["y"], dummies, entity_effects=True, time_effects=True,
                   drop_absorbed=True).fit(cov_type="clustered", cluster_entity=True)
    names = [n for n in names if n in fit.params.index]
    keep = [int(n.removeprefix("rel_")) for n in names]
    z = stats.norm.ppf(1 - alpha / 2)
    est = fit.params[names].to_numpy()
    se = fit.std_errors[names].to_numpy()
    table = pd.DataFrame({"rel_time": keep, "estimate": est, "se": se,
                          "ci_lower": est - z * se, "ci_upper": est + z * se})
    reference = pd.DataFrame({"rel_time": [-1], "estimate": [0.0], "se": [np.nan],
                              "ci_lower": [np.nan], "ci_upper": [np.nan]})
    table = (pd.concat([table, reference]).sort_values("rel_time").reset_index(drop=True))
    vcov = fit.cov.loc[names, names]
    vcov.index = vcov.columns = keep
    lead_names = [n for n, k in zip(names, keep) if k < -1]
    if lead_names:
        b = fit.params[lead_names].to_numpy()
        v = fit.cov.loc[lead_names, lead_names].to_numpy()
        stat = float(b @ np.linalg.pinv(v) @ b)
        pvalue = float(stats.chi2.sf(stat, len(lead_names)))
    else:
        stat, pvalue = float("nan"), float("nan")
    return EventStudyResult(table=table, vcov=vcov, pretrend_stat=stat,
                            pretrend_df=len(lead_names), pretrend_pvalue=pvalue,
                            reference=-1, bin_width=bin_width)


def plot_event_study(result: EventStudyResult | pd.DataFrame, *, ax=None, label: str = "estimate",
                     offset: float = 0.0, marker: str = "o", linestyle: str = "-",
                     color: str | None = None, xlabel: str = "event time"):
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
    ax.errorbar(x, y, yerr=np.vstack([np.nan_to_num(lower), np.nan_to_num(upper)]),
                marker=marker, linestyle=linestyle, color=color, capsize=3, label=label)
    ax.axhline(0, color="black", linewidth=0.8)
    ax.axvline(-0.5, color="grey", linestyle=":", linewidth=1)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("effect relative to event time -1")
    return ax
