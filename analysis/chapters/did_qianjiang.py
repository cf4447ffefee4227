"""Numbers, figures and tables of the page ``book/evidence/did_qianjiang.md``.

Two layers, kept apart on purpose:

* the *reported* Qianjiang points (:func:`analysis.chapters.case.reported_points`): two
  pre-reform points per share and one post-reform change whose year is assumed. They support
  a before/after contrast and nothing more; no DiD is possible from them because the paper
  reports no comparison district;
* the **synthetic** monthly district panel (``district_monthly``), on which every DiD
  estimator of :mod:`analysis.did` runs (:func:`analyse_district`).

With one treated district and eight comparisons the design is "few-treated"
(:mod:`analysis.did.inference`): every interval the page shows is one valid there (the
unit-level collapse t-interval, the exact placebo test and its confidence set, the
synthetic-control placebo inference); no cluster-robust interval or wild-bootstrap p-value
is computed for the page.

:func:`numbers` returns every value the page glues (keys prefixed ``did-``) and
:func:`figures` every figure (keys are the figure labels).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from analysis.chapters.case import (
    REFORM_MONTH,
    REFORM_YEAR,
    REPORTED_SOURCE,
    SHARES,
    TREATED_DISTRICT,
    TREATED_NAME,
    reported_points,
)
from analysis.chapters.reported_points import (
    ReportedSummary,
    figure_reported_points,
    summarise_reported,
)
from analysis.did.event_study import EventStudyResult, event_study, plot_event_study
from analysis.did.honest import HonestResult, Restriction, honest_bounds
from analysis.did.inference import FEW_CLUSTERS
from analysis.did.panel import Panel, prepare_panel
from analysis.did.permutation import PermutationResult, placebo_in_space
from analysis.did.sdid import synthetic_did
from analysis.did.synthetic_control import SyntheticControlResult, synthetic_control
from analysis.did.trend import TrendAdjustedResult, trend_adjusted
from analysis.did.twobytwo import TwoByTwoResult, two_by_two

Outcome = Literal["visit_share", "admission_share", "fund_share"]
PAGE_LABEL = "evidence-did"
OUTCOMES: tuple[Outcome, ...] = ("visit_share", "admission_share", "fund_share")
# The event study bins months into years of event time: -6 is 2017, -1 (reference) the year
# before the reform, 0 the reform year, 1 the year after.
LEADS, LAGS, MONTHS_PER_BIN = 6, 1, 12
# Shares whose sensitivity bounds the page shows (the slowest step: not run for the others).
BOUNDED: tuple[Outcome, ...] = ("visit_share", "fund_share")
COUNTS = {
    "visit_share": ("visits_primary", "visits_total"),
    "admission_share": ("admissions_primary", "admissions_total"),
    "fund_share": ("fund_primary", "fund_total"),
}
# The post-zero-COVID scenarios of the assumptions file the page compares, with their labels.
SHOCKS: dict[str | None, str] = {
    None: "no shock",
    "post_zero_covid": "shock in every district",
    "post_zero_covid_treated_only": f"shock in {TREATED_NAME} only",
}


@dataclass(frozen=True)
class DistrictAnalysis:
    """Every estimator run on one synthetic share series of ``district_monthly``."""

    outcome: Outcome
    panel: Panel
    did: TwoByTwoResult
    trend: TrendAdjustedResult
    truth: float
    event: EventStudyResult
    synthetic: SyntheticControlResult
    placebo: PermutationResult
    honest_rm: HonestResult | None
    honest_sd: HonestResult | None


def district_panel(frame: pd.DataFrame, outcome: Outcome) -> Panel:
    """Monthly district panel of one share (the treated district adopts at the reform)."""
    return prepare_panel(
        frame, unit="district", time="month", outcome=outcome, first_treated="first_treated"
    )


def true_effect(frame: pd.DataFrame, outcome: Outcome) -> float:
    """The reform's effect the generator built in, averaged over the post-reform years.

    The generator draws the treated district's pre-reform annual shares on the straight line
    through its two reported points and changes nothing else at the reform, so its effect is
    the post-reform annual share minus that line extended (annual ratios of the summed counts).
    """
    primary, total = COUNTS[outcome]
    rows = frame[frame["district"] == TREATED_DISTRICT]
    annual = rows.groupby(rows["month"].dt.year)[[primary, total]].sum()
    share = 100 * annual[primary] / annual[total]
    pre, post = share[share.index < REFORM_YEAR], share[share.index >= REFORM_YEAR]
    slope, intercept = np.polyfit(pre.index.to_numpy(float), pre.to_numpy(), 1)
    return float((post - (intercept + slope * post.index.to_numpy(float))).mean())


def analyse_district(
    frame: pd.DataFrame, outcome: Outcome, *, bounds: bool = True
) -> DistrictAnalysis:
    """Run 2 x 2 and trend-adjusted DiD, yearly event study, synthetic control, placebo test
    and (with ``bounds``) sensitivity bounds.

    Every estimator runs with its default inference, which for one treated district is the
    valid one (collapse t-interval, exact placebo test); the wild cluster bootstrap is not
    run: the toolkit refuses it with one treated cluster.
    """
    panel = district_panel(frame, outcome)
    event = event_study(panel, leads=LEADS, lags=LAGS, bin_width=MONTHS_PER_BIN)
    return DistrictAnalysis(
        outcome=outcome,
        panel=panel,
        did=two_by_two(panel),
        trend=trend_adjusted(panel),
        truth=true_effect(frame, outcome),
        event=event,
        synthetic=synthetic_control(panel),
        placebo=placebo_in_space(panel),
        honest_rm=bounds_to_breakdown(event, "relative_magnitude") if bounds else None,
        honest_sd=bounds_to_breakdown(event, "smoothness") if bounds else None,
    )


def bounds_to_breakdown(event: EventStudyResult, restriction: Restriction) -> HonestResult:
    """Bounds for event time 0 on a grid reaching a little past the breakdown value."""
    first = honest_bounds(event, rel_time=0, restriction=restriction)
    top = 1.25 * first.breakdown if np.isfinite(first.breakdown) and first.breakdown > 0 else 3.0
    return honest_bounds(event, rel_time=0, restriction=restriction, m_grid=np.linspace(0, top, 41))


@cache
def districts() -> pd.DataFrame:
    """The synthetic monthly district panel."""
    from analysis.datasets import load_data

    return load_data("district_monthly").frame


@cache
def analyses() -> dict[str, DistrictAnalysis]:
    """:func:`analyse_district` for every share, computed once per session."""
    return {
        outcome: analyse_district(districts(), outcome, bounds=outcome in BOUNDED)
        for outcome in OUTCOMES
    }


@cache
def generated(scenario: str):
    """The synthetic data regenerated with a shock scenario (once per session)."""
    from analysis.synthetic import generate

    return generate(scenario=scenario)


def scenario_districts(scenario: str) -> pd.DataFrame:
    """The monthly district panel regenerated with a shock scenario, loaded as the committed."""
    import io

    from analysis.datasets import load_frame

    raw = generated(scenario).district_monthly
    return load_frame("district_monthly", io.StringIO(raw.to_csv(index=False)))


def design_estimates(frame: pd.DataFrame, outcome: Outcome) -> dict[str, float]:
    """Point estimates of each comparison design on one frame (no intervals: compared only)."""
    panel = district_panel(frame, outcome)
    trend = trend_adjusted(panel)
    return {
        "plain 2×2 DiD": trend.plain.estimate,
        "trend-adjusted DiD": trend.effect.estimate,
        "synthetic control": synthetic_control(panel).effect.estimate,
        # The placebo SE is not computed: its interval is not valid here (the result says so).
        "synthetic DiD": synthetic_did(panel, se_method="jackknife").att.estimate,
    }


@cache
def shock_comparison(outcome: Outcome = "visit_share") -> pd.DataFrame:
    """What each design recovers without the post-zero-COVID shock and with it.

    The reform's built-in effect is the same in every row (a scenario adds a shock and leaves
    the reform alone), so the truth column is the unshocked one.
    """
    truth = analyses()[outcome].truth
    rows = []
    for scenario, label in SHOCKS.items():
        frame = districts() if scenario is None else scenario_districts(scenario)
        rows.append({"world": label, "true effect (pp)": truth, **design_estimates(frame, outcome)})
    return pd.DataFrame(rows)


@cache
def shock_size(scenario: str = "post_zero_covid") -> dict[str, Any]:
    """The scenario's persistent shift, first month and mean shift over the post months."""
    data = generated(scenario)
    shock = data.shock[
        (data.shock["district"] == TREATED_DISTRICT) & (data.shock["measure"] == "visits")
    ]
    months = pd.to_datetime(shock["month"])
    post = shock.loc[months >= REFORM_MONTH, "share_shift_pp"]
    n_post = districts().loc[lambda d: d["district"] == TREATED_DISTRICT, "month"]
    n_post = int((n_post >= REFORM_MONTH).sum())
    return {
        "persistent": float(shock["persistent_pp"].max()),
        "start": months.min().strftime("%B %Y"),
        "post_mean": float(post.sum() / n_post),
    }


@cache
def reported_summaries() -> dict[str, ReportedSummary]:
    """The arithmetic on the reported points, per share."""
    points = reported_points()
    return {outcome: summarise_reported(points, outcome) for outcome in OUTCOMES}


def _short(outcome: str) -> str:
    return outcome.split("_")[0]


def _interval_text(estimate) -> str:
    """'a to b', or 'the whole line (unbounded)' for an unbounded confidence set."""
    if np.isinf(estimate.ci_lower) or np.isinf(estimate.ci_upper):
        return "the whole real line (unbounded)"
    return f"{estimate.ci_lower:.2f} to {estimate.ci_upper:.2f}"


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def numbers() -> dict[str, Any]:
    """Every number the page glues, keyed by its glue label."""
    import analysis

    out: dict[str, Any] = {"did-package-version": analysis.__version__}
    summaries = reported_summaries()
    for outcome, s in summaries.items():
        out[f"did-rep-{_short(outcome)}-2017"] = s.first_value
        out[f"did-rep-{_short(outcome)}-2022"] = s.last_pre_value
        out[f"did-rep-{_short(outcome)}-slope"] = s.pre_slope_per_year
    visit = summaries["visit_share"]
    out.update(
        {
            "did-rep-visit-post": visit.post_value,
            "did-rep-visit-post-year": visit.post_year,
            "did-rep-visit-before-after": visit.before_after_change,
            "did-rep-visit-trend-cf": visit.extrapolated_post,
            "did-rep-visit-against-trend": visit.gap_to_extrapolation,
        }
    )
    results = analyses()
    va, fa = results["visit_share"], results["fund_share"]
    n0 = va.synthetic.placebo_ratios.size
    out.update(
        {
            "did-n-comparisons": n0,
            "did-n-months": va.panel.n_periods,
            "did-min-p": 1 / (n0 + 1),
            "did-pre-months": int(va.panel.group_code.max()),
            "did-few-threshold": FEW_CLUSTERS,
            "did-collapse-df": n0 - 1,
            "did-pretrend-f-df": f"{va.event.pretrend_df}, {n0 - va.event.pretrend_df}",
        }
    )
    for outcome, a in results.items():
        table = a.event.table.set_index("rel_time")["estimate"]
        short = _short(outcome)
        out[f"did-2x2-{short}"] = a.did.effect.estimate
        out[f"did-2x2-lo-{short}"] = a.did.effect.ci_lower
        out[f"did-2x2-hi-{short}"] = a.did.effect.ci_upper
        out[f"did-2x2-p-{short}"] = a.did.effect.p_value
        post = a.event.post_average()
        out[f"did-espost-lo-{short}"] = post.ci_lower
        out[f"did-espost-hi-{short}"] = post.ci_upper
        out[f"did-es0-{short}"] = table.loc[0]
        out[f"did-es1-{short}"] = table.loc[1]
        out[f"did-esm6-{short}"] = table.loc[-LEADS]
        out[f"did-pretrend-p-{short}"] = a.event.pretrend_p_value
    sc = va.synthetic
    top = sc.weights.sort_values(ascending=False)
    out.update(
        {
            "did-placebo-p-visit": va.placebo.p_value,
            "did-placebo-p-fund": fa.placebo.p_value,
            "did-placebo-set": _interval_text(va.placebo.effect),
            "did-sc-n-donors-used": int((sc.weights > 0.01).sum()),
            "did-sc-top-donor": str(top.index[0]),
            "did-sc-top-weight": float(top.iloc[0]),
            "did-sc-pre-rmspe": sc.pre_rmspe,
            "did-sc-ratio": sc.rmspe_ratio,
            "did-sc-att": sc.effect.estimate,
            "did-sc-p": sc.effect.p_value,
            "did-sc-att-fund": fa.synthetic.effect.estimate,
            "did-sc-p-fund": fa.synthetic.effect.p_value,
            "did-sc-ratio-max-placebo": float(sc.placebo_ratios.max()),
        }
    )
    for short, a in (("visit", va), ("fund", fa)):
        out[f"did-true-{short}"] = a.truth
        out[f"did-trend-{short}"] = a.trend.effect.estimate
        out[f"did-trend-lo-{short}"] = a.trend.effect.ci_lower
        out[f"did-trend-hi-{short}"] = a.trend.effect.ci_upper
        # The page words the signs ("faster", "lowers", "falls short of") and glues sizes.
        out[f"did-trend-gap-{short}"] = abs(a.trend.trend_gap * MONTHS_PER_BIN)  # pp per year
        out[f"did-trend-bias-{short}"] = abs(a.trend.trend_bias)
        out[f"did-trend-bias-side-{short}"] = "lowers" if a.trend.trend_bias < 0 else "raises"
        out[f"did-2x2-error-{short}"] = abs(a.did.effect.estimate - a.truth)
        out[f"did-breakdown-rm-{short}"] = a.honest_rm.breakdown
        out[f"did-breakdown-sd-{short}"] = a.honest_sd.breakdown
        out[f"did-rm-scale-{short}"] = a.honest_rm.scale
    out.update(shock_numbers())
    return {key: _plain(value) for key, value in out.items()}


def shock_numbers() -> dict[str, Any]:
    """The shock's size and what the plain 2 x 2 makes of it, by scenario."""
    table = shock_comparison().set_index("world")
    plain = table["plain 2×2 DiD"]
    size = shock_size()
    common, local = SHOCKS["post_zero_covid"], SHOCKS["post_zero_covid_treated_only"]
    return {
        "did-shock-start": size["start"],
        "did-shock-persistent": size["persistent"],
        "did-shock-post-mean": size["post_mean"],
        "did-shock-common-change": abs(plain[common] - plain[SHOCKS[None]]),
        "did-shock-local-change": plain[local] - plain[SHOCKS[None]],
    }


def shock_styled():
    """The designs with and without the shock, styled for display."""
    return shock_comparison().style.hide(axis="index").format(precision=2)


def plot_district_series(
    ax, frame: pd.DataFrame, outcome: Outcome, points: pd.DataFrame | None = None
) -> None:
    """Monthly synthetic series: the treated district bold, comparisons thin; reported points."""
    from analysis.plotting.provenance import (
        mark_reported,
        plot_synthetic,
        provenance_legend,
        synthetic_title,
    )

    first = True
    for district, rows in frame.groupby("district", sort=True):
        if district == TREATED_DISTRICT:
            continue
        if first:
            plot_synthetic(
                ax,
                rows["month"],
                rows[outcome],
                label="comparison districts",
                color="0.6",
                linewidth=0.7,
            )
            first = False
        else:  # one legend entry for all comparisons
            ax.plot(rows["month"], rows[outcome], color="0.6", linewidth=0.7)
    rows = frame[frame["district"] == TREATED_DISTRICT]
    plot_synthetic(ax, rows["month"], rows[outcome], label=TREATED_NAME, color="C0", linewidth=1.6)
    if points is not None:
        shown = points[(points["series"] == outcome) & (points["provenance"] == "reported")]
        mark_reported(
            ax,
            pd.to_datetime(shown["year"].astype(str) + "-07-01"),
            shown["value"],
            label=f"{TREATED_NAME}, annual",
            source=REPORTED_SOURCE,
        )
    ax.axvline(REFORM_MONTH, color="black", linestyle=":", linewidth=1)
    ax.set_ylabel("share (%)")
    ax.set_title(synthetic_title(SHARES[outcome].label_en.split(" (")[0]), fontsize=10)
    provenance_legend(ax, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncols=2)


def plot_event_studies(ax, results: list[DistrictAnalysis]) -> None:
    """Yearly event-study coefficients for several shares on one axis."""
    from analysis.plotting.provenance import synthetic_title

    styles = [("o", "-", "C0"), ("s", "--", "C1"), ("D", ":", "C2")]
    for i, (analysis, (marker, line, color)) in enumerate(zip(results, styles)):
        plot_event_study(
            analysis.event,
            ax=ax,
            offset=0.12 * (i - (len(results) - 1) / 2),
            label=f"synthetic: {analysis.outcome.replace('_', ' ')}",
            marker=marker,
            linestyle=line,
            color=color,
            xlabel=(f"years since reform (0 = {REFORM_YEAR}; reference -1 = {REFORM_YEAR - 1})"),
        )
    n_comparisons = int((~results[0].panel.ever_treated).sum())
    ax.set_ylabel(f"{TREATED_NAME} minus comparisons, pp (vs {REFORM_YEAR - 1})")
    ax.set_title(
        synthetic_title(f"event study, {TREATED_NAME} vs {n_comparisons} comparison districts"),
        fontsize=10,
    )
    ax.legend(fontsize=9, loc="upper left")


def plot_synthetic_control(axes, analysis: DistrictAnalysis) -> None:
    """Left: the treated district and its synthetic control. Right: its gap and the placebos'."""
    from analysis.plotting.provenance import plot_synthetic, synthetic_title

    left, right = axes
    sc = analysis.synthetic
    months = sc.path.index
    plot_synthetic(left, months, sc.path["treated"], label=TREATED_NAME, color="C0", linewidth=1.4)
    plot_synthetic(
        left,
        months,
        sc.path["synthetic"],
        label="synthetic control (donor mix)",
        color="C1",
        linewidth=1.4,
        dashes=(4, 2),
    )
    left.axvline(REFORM_MONTH, color="black", linestyle=":", linewidth=1)
    left.set_ylabel(SHARES[analysis.outcome].label_en)
    left.legend(fontsize=9, loc="lower left")
    left.set_title(synthetic_title(f"{TREATED_NAME} and its synthetic control"), fontsize=10)
    for i, donor in enumerate(sc.placebo_gaps.columns):
        right.plot(
            months,
            sc.placebo_gaps[donor],
            color="0.65",
            linewidth=0.7,
            label="synthetic: placebo districts" if i == 0 else "_nolegend_",
        )
    right.plot(
        months, sc.path["gap"], color="C0", linewidth=1.6, label=f"synthetic: {TREATED_NAME}"
    )
    right.axhline(0, color="black", linewidth=0.8)
    right.axvline(REFORM_MONTH, color="black", linestyle=":", linewidth=1)
    right.set_ylabel("gap: unit minus its synthetic control (pp)")
    right.legend(fontsize=9, loc="upper left")
    right.set_title(synthetic_title("placebo-in-space gaps"), fontsize=10)


def plot_honest(axes, analysis: DistrictAnalysis) -> None:
    """Robust intervals for the reform-year effect as the allowed violation grows.

    Left: relative magnitudes (Mbar); right: smoothness (M, pp per year squared).
    """
    from analysis.plotting.provenance import synthetic_title

    panels = (
        (analysis.honest_rm, "C0", "o", "relative magnitude M̄"),
        (analysis.honest_sd, "C1", "s", "smoothness M (pp per year²)"),
    )
    for ax, (result, color, marker, name) in zip(axes, panels):
        grid = result.grid
        level = f"{100 * (1 - result.alpha):.0f}%"
        ax.fill_between(
            grid["m"],
            grid["identified_lower"],
            grid["identified_upper"],
            color=color,
            alpha=0.35,
            label="synthetic: identified set",
        )
        ax.plot(
            grid["m"],
            grid["ci_lower"],
            color=color,
            marker=marker,
            markevery=8,
            label=f"synthetic: {level} CI, lower end",
        )
        ax.plot(
            grid["m"],
            grid["ci_upper"],
            color=color,
            marker=marker,
            markevery=8,
            linestyle="--",
            label=f"synthetic: {level} CI, upper end",
        )
        ax.axhline(0, color="black", linewidth=0.8)
        ax.axvline(result.breakdown, color="grey", linestyle=":", linewidth=1)
        ax.annotate(
            f"breakdown {result.breakdown:.2g}",
            (result.breakdown, 0),
            textcoords="offset points",
            xytext=(-70, 10),
            fontsize=9,
        )
        ax.set_xlabel(name)
        ax.set_ylabel(f"{REFORM_YEAR} effect, {analysis.outcome.replace('_', ' ')} (pp)")
        ax.set_title(synthetic_title(name.split(" (")[0]), fontsize=10)
        ax.legend(fontsize=9, loc="lower left")


def _figure(size: tuple[float, float], ncols: int = 1) -> tuple[Figure, Any]:
    import matplotlib.pyplot as plt

    return plt.subplots(1, ncols, figsize=size)


def figure_reported() -> Figure:
    """The reported points, the assumed post-reform point and the arithmetic on them."""
    return figure_reported_points(source=REPORTED_SOURCE)


def figure_series() -> Figure:
    """Synthetic monthly visit and fund shares with the reported annual points."""
    fig, axes = _figure((9, 4.8), ncols=2)
    plot_district_series(axes[0], districts(), "visit_share", reported_points())
    plot_district_series(axes[1], districts(), "fund_share", reported_points())
    fig.tight_layout()
    return fig


def figure_event() -> Figure:
    """Yearly event studies of the three shares."""
    fig, ax = _figure((7.5, 4.4))
    results = analyses()
    plot_event_studies(ax, [results[o] for o in ("visit_share", "admission_share", "fund_share")])
    fig.tight_layout()
    return fig


def figure_synthetic_control() -> Figure:
    """Synthetic control of the visit share and the placebo gaps."""
    fig, axes = _figure((9, 4.8), ncols=2)
    plot_synthetic_control(axes, analyses()["visit_share"])
    fig.tight_layout()
    return fig


def figure_honest() -> Figure:
    """Sensitivity bounds for the reform-year fund-share effect."""
    fig, axes = _figure((9, 4.8), ncols=2)
    plot_honest(axes, analyses()["fund_share"])
    fig.tight_layout()
    return fig


FIGURES = {
    "fig-did-reported": figure_reported,
    "fig-did-series": figure_series,
    "fig-did-event": figure_event,
    "fig-did-sc": figure_synthetic_control,
    "fig-did-honest": figure_honest,
}


def figures() -> dict[str, Figure]:
    """Every figure of the page, keyed by its label."""
    return {label: draw() for label, draw in FIGURES.items()}


def hypotheses_for(hypotheses: pd.DataFrame, label: str) -> pd.DataFrame:
    """Hypotheses whose ``evidence_labels`` include the page label, for display."""
    rows = hypotheses[hypotheses["evidence_labels"].fillna("").str.contains(label)]
    return (
        rows[["hypothesis_id", "series", "predicted_direction", "effect_form", "statement_en"]]
        .rename(
            columns={
                "hypothesis_id": "hypothesis",
                "predicted_direction": "predicted sign",
                "effect_form": "form",
                "statement_en": "statement",
            }
        )
        .reset_index(drop=True)
    )


@cache
def hypotheses() -> pd.DataFrame:
    """The hypotheses register."""
    from analysis.datasets import load_data

    return load_data("hypotheses").frame


def _verdict(sign: str, effect: float) -> str:
    if sign == "+":
        return "sign as predicted" if effect > 0 else "sign against prediction"
    if sign == "-":
        return "sign as predicted" if effect < 0 else "sign against prediction"
    return "no signed prediction to test"


def match_hypotheses(
    register: pd.DataFrame, results: dict[str, DistrictAnalysis], label: str = PAGE_LABEL
) -> pd.DataFrame:
    """Set each DiD hypothesis beside the synthetic-panel estimates for its series.

    The verdict compares signs only; on synthetic data it reports what the generator's
    assumptions put in, not evidence about the treated district.
    """
    rows = []
    first, second = REFORM_YEAR, REFORM_YEAR + 1
    for h in hypotheses_for(register, label).to_dict("records"):
        for series in str(h["series"]).split(";"):
            if series not in results:
                continue
            a = results[series]
            table = a.event.table.set_index("rel_time")["estimate"]
            effect, later = float(table.loc[0]), float(table.loc[1])
            rows.append(
                {
                    "hypothesis": h["hypothesis"],
                    "series": series,
                    "predicted sign": h["predicted sign"],
                    f"{first} effect (pp)": round(effect, 2),
                    f"{second} effect (pp)": round(later, 2),
                    f"{second} minus {first} (pp)": round(later - effect, 2),
                    "synthetic-control gap (pp)": round(a.synthetic.effect.estimate, 2),
                    "placebo p": round(a.synthetic.effect.p_value, 3),
                    "verdict on synthetic data": _verdict(h["predicted sign"], effect),
                }
            )
    return pd.DataFrame(rows)


def readable_series(frame: pd.DataFrame) -> pd.DataFrame:
    """The ``series`` column in words ("visit share; fund share"), for display."""
    words = frame["series"].str.replace("_", " ").str.replace(";", "; ")
    return frame.assign(series=words).rename(columns={"series": "share"})


def hypotheses_table():
    """The page's hypotheses, styled for display."""
    return readable_series(hypotheses_for(hypotheses(), PAGE_LABEL)).style.hide(axis="index")


def hypotheses_against_estimates():
    """The hypotheses beside the estimates, styled for display."""
    table = readable_series(match_hypotheses(hypotheses(), analyses()))
    return table.style.hide(axis="index").format(precision=2)
