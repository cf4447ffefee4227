"""Figures of the ITS chapter. Synthetic series are titled and labelled as synthetic.

Reported and assumed points use :mod:`analysis.plotting.provenance` so that their marker and
line styles say what they are.
"""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from analysis.its.diagnostics import PlaceboResult
from analysis.its.power import PowerResult
from analysis.its.reported import ReportedSummary
from analysis.its.results import ITSResult
from analysis.plotting.provenance import (
    mark_assumed,
    mark_reported,
    plot_synthetic,
    synthetic_title,
)

SERIES_LABELS = {"visit_share": "visit share", "admission_share": "admission share",
                 "fund_share": "fund share"}


def plot_counterfactual(ax: Axes, result: ITSResult, dates: pd.Series, label: str,
                        excluded: tuple[str, str] | None = None) -> Axes:
    """Synthetic series, model fit, and the no-reform counterfactual with its 95 % interval.

    Parameters
    ----------
    ax
        Target axes.
    result
        Fit of the synthetic monthly series.
    dates
        The month of each row (same order as ``result.counterfactual``).
    label
        Outcome name for the title.
    excluded
        First and last month of an exclusion window to shade.
    """
    cf = result.counterfactual
    x = pd.to_datetime(pd.Series(dates)).reset_index(drop=True)
    plot_synthetic(ax, x, cf["observed"], label=f"{label}, monthly (synthetic)", color="0.55")
    fit = cf["in_fit"].to_numpy()
    fitted = np.where(fit, cf["fitted"], np.nan)
    ax.plot(x, fitted, color="C0", linewidth=1.6, label="synthetic: model fit")
    post = cf["post"].to_numpy()
    ax.plot(x[post], cf.loc[post, "counterfactual"], color="C3", linestyle="--",
            linewidth=1.6, label="synthetic: counterfactual without the reform")
    ax.fill_between(x[post], cf.loc[post, "counterfactual_low"],
                    cf.loc[post, "counterfactual_high"], color="C3", alpha=0.15,
                    label="95% CI of the counterfactual")
    reform = x[post].iloc[0]
    ax.axvline(reform, color="0.3", linewidth=0.8)
    if excluded is not None:
        ax.axvspan(pd.Timestamp(excluded[0]), pd.Timestamp(excluded[1]), color="0.85",
                   label="COVID-19 months excluded from the fit")
    ax.set_title(synthetic_title(label), fontsize=10)
    ax.set_ylabel("percent")
    ax.xaxis.set_major_locator(mdates.YearLocator())
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    return ax


def plot_placebo(ax: Axes, placebo: PlaceboResult, label: str) -> Axes:
    """Histogram of placebo level changes with the real estimate marked."""
    values = placebo.table["level"].to_numpy(dtype=float)
    ax.hist(values, bins=20, color="0.7", edgecolor="0.3",
            label=f"synthetic: placebo level changes ({values.size} fake dates)")
    ax.axvline(placebo.real["level"], color="C3", linewidth=2, linestyle="--",
               label="synthetic: estimate at the real reform date")
    ax.set_xlabel("level change (pp)")
    ax.set_ylabel("fake dates")
    ax.set_title(synthetic_title(f"{label}: placebo-in-time"), fontsize=10)
    ax.legend(fontsize=7)
    return ax


def plot_robustness(ax: Axes, table: pd.DataFrame, outcome: str, label: str) -> Axes:
    """Forest plot of the level change across the robustness menu for one outcome."""
    rows = table.loc[table["outcome"] == outcome].reset_index(drop=True)
    y = np.arange(len(rows))[::-1]
    ax.errorbar(rows["level"], y, xerr=[rows["level"] - rows["level_low"],
                                        rows["level_high"] - rows["level"]],
                fmt="o", color="C0", ecolor="0.4", capsize=2, markersize=4)
    ax.set_yticks(y)
    ax.set_yticklabels([f"{r.errors.upper()}, season {r.seasonality}, "
                        f"COVID term {'yes' if r.covid else 'no'}" for r in rows.itertuples()],
                       fontsize=7)
    ax.axvline(0, color="0.5", linewidth=0.8)
    ax.set_xlabel("level change at 2023-01 (pp), 95% CI")
    ax.set_title(synthetic_title(f"{label}: robustness menu"), fontsize=10)
    return ax


def plot_power(ax: Axes, curves: Mapping[str, PowerResult], effect: float) -> Axes:
    """Power curves of the level-change test; the reported effect size is marked."""
    styles = ["-", "--", ":", "-."]
    names = {"ols": "OLS", "pw_known": "GLS, rho known", "pw": "Prais–Winsten, rho estimated"}
    for i, (label, res) in enumerate(curves.items()):
        grid = res.effects[:-1]
        ax.plot(grid, res.power[:-1], linestyle=styles[i % len(styles)], linewidth=1.5,
                label=f"{label} [{names.get(res.estimator, res.estimator)}]")
    ax.axhline(0.8, color="0.6", linewidth=0.8)
    ax.axhline(0.05, color="0.8", linewidth=0.8)
    ax.axvline(effect, color="0.2", linewidth=1.0, linestyle=(0, (1, 1)))
    ax.text(effect, 0.5, f" +{effect:g} pp (reported)", fontsize=8, rotation=90, va="center")
    ax.set_xlabel("true level change (pp)")
    ax.set_ylabel("power (share of simulations rejecting 'no change' at 5%)")
    ax.set_ylim(0, 1.02)
    ax.set_title("Simulated power (assumed noise; simulation, not data)", fontsize=10)
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.14))
    return ax
