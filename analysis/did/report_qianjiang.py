"""Computations and figures for the chapter on Qianjiang against comparison districts.

Two layers, kept apart on purpose:

* :func:`reported_summary` uses only what Luo et al. (2025) print (``qianjiang_reported``):
  two pre-reform points per share and one post-reform change whose year is assumed. It shows
  what a before/after comparison can and cannot say; no DiD is possible from these numbers
  because the paper reports no comparison district.
* :func:`analyse_district` runs the full toolkit on the **synthetic** monthly panel
  (``district_monthly``), where every number is generated, not observed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from analysis.did.event_study import EventStudyResult, event_study, plot_event_study
from analysis.did.honest import HonestResult, honest_bounds
from analysis.did.panel import Panel, prepare_panel
from analysis.did.permutation import PermutationResult, placebo_in_space
from analysis.did.synthetic_control import SyntheticControlResult, synthetic_control
from analysis.did.twobytwo import TwoByTwoResult, two_by_two
from analysis.did.wild_bootstrap import WildBootstrapResult, wild_cluster_bootstrap

Outcome = Literal["visit_share", "admission_share", "fund_share"]
TREATED = "qianjiang"
LABELS = {"visit_share": "primary-care share of outpatient visits (%)",
          "admission_share": "primary-care share of admissions (%)",
          "fund_share": "primary-care share of insurance-fund revenue (%)"}
SOURCE = "Luo et al. 2025"


@dataclass(frozen=True)
class ReportedSummary:
    """What the reported Qianjiang points support for one series.

    Attributes
    ----------
    series
        Share name.
    value_2017, value_2022
        Reported levels (percent).
    change, slope
        2017->2022 change (pp) and the implied straight-line slope (pp per year).
    post_year, post_value
        Post-reform point (only for the visit share; its year is assumed), else NaN.
    trend_counterfactual
        The 2017-2022 line extended to ``post_year`` (an assumption, not data).
    before_after, against_trend
        Post minus 2022, and post minus the extended line.
    """

    series: str
    value_2017: float
    value_2022: float
    change: float
    slope: float
    post_year: float
    post_value: float
    trend_counterfactual: float
    before_after: float
    against_trend: float


def reported_summary(reported: pd.DataFrame, series: Outcome) -> ReportedSummary:
    """Summarise the reported points of one series (see :class:`ReportedSummary`)."""
    rows = reported[reported["series"] == series]
    pre = rows[rows["provenance"] == "reported"].set_index("year")["value"]
    v17, v22 = float(pre.loc[2017]), float(pre.loc[2022])
    slope = (v22 - v17) / 5
    post = rows[(rows["year"] > 2022)]
    if post.empty:
        year = value = counterfactual = np.nan
    else:
        year, value = float(post["year"].iloc[0]), float(post["value"].iloc[0])
        counterfactual = v22 + slope * (year - 2022)
    return ReportedSummary(series=series, value_2017=v17, value_2022=v22, change=v22 - v17,
                           slope=slope, post_year=year, post_value=value,
                           trend_counterfactual=counterfactual, before_after=value - v22,
                           against_trend=value - counterfactual)


@dataclass(frozen=True)
class DistrictAnalysis:
    """Every estimator run on one synthetic share series of ``district_monthly``."""

    outcome: Outcome
    panel: Panel
    did: TwoByTwoResult
    event: EventStudyResult
    synthetic: SyntheticControlResult
    placebo: PermutationResult
    wild: WildBootstrapResult
    honest_rm: HonestResult
    honest_sd: HonestResult


def district_panel(frame: pd.DataFrame, outcome: Outcome) -> Panel:
    """Monthly district panel of one share, Qianjiang treated from January 2023."""
    return prepare_panel(frame, unit="district", time="month", outcome=outcome,
                         first_treated="first_treated")


def analyse_district(frame: pd.DataFrame, outcome: Outcome, *, seed: int = 2023,
                     ) -> DistrictAnalysis:
    """Run 2 x 2 DiD, yearly event study, synthetic control, placebo, WCB and bounds.

    The event study bins months into years of event time (``bin_width=12``): -6 is 2017,
    -1 (reference) is 2022, 0 is 2023 and 1 is 2024.
    """
    panel = district_panel(frame, outcome)
    event = event_study(panel, leads=6, lags=1, bin_width=12)
    return DistrictAnalysis(
        outcome=outcome, panel=panel, did=two_by_two(panel), event=event,
        synthetic=synthetic_control(panel), placebo=placebo_in_space(panel),
        wild=wild_cluster_bootstrap(panel, draws=9_999, seed=seed),
        honest_rm=_bounds_to_breakdown(event, "relative_magnitude"),
        honest_sd=_bounds_to_breakdown(event, "smoothness"))


def _bounds_to_breakdown(event: EventStudyResult, restriction) -> HonestResult:
    """Bounds for event time 0 on a grid reaching a little past the breakdown value."""
    first = honest_bounds(event, rel_time=0, restriction=restriction)
    top = 1.25 * first.breakdown if np.isfinite(first.breakdown) and first.breakdown > 0 else 3.0
    return honest_bounds(event, rel_time=0, restriction=restriction,
                         m_grid=np.linspace(0, top, 41))


def plot_reported(ax, reported: pd.DataFrame) -> None:
    """Reported points, the assumed post point and the assumed straight-line extension."""
    from analysis.plotting.provenance import mark_assumed, mark_reported, provenance_legend

    colors = {"visit_share": "C0", "admission_share": "C2", "fund_share": "C3"}
    for series, short in (("visit_share", "visit share"), ("admission_share", "admission share"),
                          ("fund_share", "fund share")):
        summary = reported_summary(reported, series)
        color = colors[series]
        mark_reported(ax, [2017, 2022], [summary.value_2017, summary.value_2022],
                      label=short, source=SOURCE, color=color)
        end = summary.post_year if not np.isnan(summary.post_year) else 2024
        mark_assumed(ax, [2022, end], [summary.value_2022,
                                       summary.value_2022 + summary.slope * (end - 2022)],
                     label=f"{short}: 2017-22 line extended", color=color, markersize=0,
                     alpha=0.6)
        if not np.isnan(summary.post_year):
            mark_assumed(ax, [summary.post_year], [summary.post_value],
                         label=f"{short} after reform (rise reported, year assumed)",
                         color=color)
    ax.axvline(2022.5, color="grey", linestyle=":", linewidth=1)
    ax.set_xlabel("year")
    ax.set_ylabel("share (%)")
    ax.set_xticks(range(2017, 2025))
    ax.set_xlim(2016.5, 2024.7)
    provenance_legend(ax, loc="upper center", bbox_to_anchor=(0.5, -0.15), ncols=2)


def plot_district_series(ax, frame: pd.DataFrame, outcome: Outcome,
                         reported: pd.DataFrame | None = None) -> None:
    """Monthly synthetic series: Qianjiang bold, comparisons thin; reported points on top."""
    from analysis.plotting.provenance import (mark_reported, plot_synthetic, provenance_legend,
                                              synthetic_title)

    first = True
    for district, rows in frame.groupby("district", sort=True):
        if district == TREATED:
            continue
        if first:
            plot_synthetic(ax, rows["month"], rows[outcome], label="comparison districts",
                           color="0.6", linewidth=0.7)
            first = False
        else:  # one legend entry for all comparisons
            ax.plot(rows["month"], rows[outcome], color="0.6", linewidth=0.7)
    rows = frame[frame["district"] == TREATED]
    plot_synthetic(ax, rows["month"], rows[outcome], label="Qianjiang", color="C0", linewidth=1.6)
    if reported is not None:
        points = reported[(reported["series"] == outcome) & (reported["provenance"] == "reported")]
        mark_reported(ax, pd.to_datetime(points["year"].astype(str) + "-07-01"), points["value"],
                      label="Qianjiang, annual", source=SOURCE)
    ax.axvline(pd.Timestamp("2023-01-01"), color="black", linestyle=":", linewidth=1)
    ax.set_ylabel("share (%)")
    ax.set_title(synthetic_title(LABELS[outcome].split(" (")[0]), fontsize=10)
    provenance_legend(ax, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncols=2)


def plot_event_studies(ax, analyses: list[DistrictAnalysis]) -> None:
    """Yearly event-study coefficients for several shares on one axis."""
    from analysis.plotting.provenance import synthetic_title

    styles = [("o", "-", "C0"), ("s", "--", "C1"), ("D", ":", "C2")]
    for i, (analysis, (marker, line, color)) in enumerate(zip(analyses, styles)):
        plot_event_study(analysis.event, ax=ax, offset=0.12 * (i - (len(analyses) - 1) / 2),
                         label=f"synthetic: {analysis.outcome.replace('_', ' ')}",
                         marker=marker, linestyle=line, color=color,
                         xlabel="years since reform (0 = 2023; reference -1 = 2022)")
    ax.set_ylabel("Qianjiang minus comparisons, pp (vs 2022)")
    ax.set_title(synthetic_title("event study, Qianjiang vs 8 comparison districts"),
                 fontsize=10)
    ax.legend(fontsize=8, loc="upper left")


def plot_synthetic_control(axes, analysis: DistrictAnalysis) -> None:
    """Left: Qianjiang and its synthetic control. Right: gaps of Qianjiang and placebos."""
    from analysis.plotting.provenance import plot_synthetic, synthetic_title

    left, right = axes
    sc = analysis.synthetic
    months = sc.path.index
    plot_synthetic(left, months, sc.path["treated"], label="Qianjiang", color="C0",
                   linewidth=1.4)
    plot_synthetic(left, months, sc.path["synthetic"], label="synthetic control (donor mix)",
                   color="C1", linewidth=1.4, dashes=(4, 2))
    left.axvline(pd.Timestamp("2023-01-01"), color="black", linestyle=":", linewidth=1)
    left.set_ylabel(LABELS[analysis.outcome])
    left.legend(fontsize=8, loc="lower left")
    left.set_title(synthetic_title("Qianjiang and its synthetic control"), fontsize=10)
    for i, donor in enumerate(sc.placebo_gaps.columns):
        right.plot(months, sc.placebo_gaps[donor], color="0.65", linewidth=0.7,
                   label="synthetic: placebo districts" if i == 0 else "_nolegend_")
    right.plot(months, sc.path["gap"], color="C0", linewidth=1.6, label="synthetic: Qianjiang")
    right.axhline(0, color="black", linewidth=0.8)
    right.axvline(pd.Timestamp("2023-01-01"), color="black", linestyle=":", linewidth=1)
    right.set_ylabel("gap: unit minus its synthetic control (pp)")
    right.legend(fontsize=8, loc="upper left")
    right.set_title(synthetic_title("placebo-in-space gaps"), fontsize=10)


def plot_honest(axes, analysis: DistrictAnalysis) -> None:
    """Robust 95% intervals for the 2023 effect as the allowed violation grows, up to breakdown.

    Left: relative magnitudes (Mbar); right: smoothness (M, pp per year squared).
    """
    from analysis.plotting.provenance import synthetic_title

    panels = ((analysis.honest_rm, "C0", "o", "relative magnitude M̄"),
              (analysis.honest_sd, "C1", "s", "smoothness M (pp per year²)"))
    for ax, (result, color, marker, name) in zip(axes, panels):
        grid = result.grid
        ax.fill_between(grid["m"], grid["lower"], grid["upper"], color=color, alpha=0.35,
                        label="synthetic: identified set")
        ax.plot(grid["m"], grid["ci_lower"], color=color, marker=marker, markevery=8,
                label="synthetic: 95% CI, lower end")
        ax.plot(grid["m"], grid["ci_upper"], color=color, marker=marker, markevery=8,
                linestyle="--", label="synthetic: 95% CI, upper end")
        ax.axhline(0, color="black", linewidth=0.8)
        ax.axvline(result.breakdown, color="grey", linestyle=":", linewidth=1)
        ax.annotate(f"breakdown {result.breakdown:.2g}", (result.breakdown, 0),
                    textcoords="offset points", xytext=(-70, 10), fontsize=8)
        ax.set_xlabel(name)
        ax.set_ylabel(f"2023 effect, {analysis.outcome.replace('_', ' ')} (pp)")
        ax.set_title(synthetic_title(name.split(" (")[0]), fontsize=10)
        ax.legend(fontsize=7, loc="lower left")


def hypotheses_for(hypotheses: pd.DataFrame, label: str) -> pd.DataFrame:
    """Hypotheses whose ``evidence_labels`` include the chapter label, for display."""
    rows = hypotheses[hypotheses["evidence_labels"].fillna("").str.contains(label)]
    return rows[["hypothesis_id", "series", "predicted_direction", "effect_form",
                 "statement_en"]].rename(columns={
                     "hypothesis_id": "hypothesis", "predicted_direction": "predicted sign",
                     "effect_form": "form", "statement_en": "statement"}).reset_index(drop=True)


def match_hypotheses(hypotheses: pd.DataFrame, analyses: dict[str, DistrictAnalysis],
                     label: str = "evidence-did") -> pd.DataFrame:
    """Set each DiD hypothesis beside the synthetic-panel estimates for its series.

    The verdict compares signs only; on synthetic data it reports what the generator's
    assumptions put in, not evidence about Qianjiang.
    """
    rows = []
    for h in hypotheses_for(hypotheses, label).to_dict("records"):
        sign = h["predicted sign"]
        for series in str(h["series"]).split(";"):
            if series not in analyses:
                continue
            a = analyses[series]
            table = a.event.table.set_index("rel_time")["estimate"]
            effect = float(table.loc[0])
            if sign == "+":
                verdict = "sign as predicted" if effect > 0 else "sign against prediction"
            elif sign == "-":
                verdict = "sign as predicted" if effect < 0 else "sign against prediction"
            else:
                verdict = "no signed prediction to test"
            rows.append({"hypothesis": h["hypothesis"], "series": series,
                         "predicted sign": sign, "2023 effect (pp)": round(effect, 2),
                         "2024 effect (pp)": round(float(table.loc[1]), 2),
                         "2024 minus 2023 (pp)": round(float(table.loc[1]) - effect, 2),
                         "synthetic-control gap (pp)": round(a.synthetic.att, 2),
                         "placebo p": round(a.synthetic.p_value, 3),
                         "verdict on synthetic data": verdict})
    return pd.DataFrame(rows)
