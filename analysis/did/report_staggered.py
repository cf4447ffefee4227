"""Computations and figures for the staggered-adoption chapter (synthetic county panel).

The panel ``county_staggered_panel`` is synthetic and carries the true effects it was
generated with (``true_visit_effect_pp``, ``true_fund_effect_pp``), so every estimator can be
scored against the truth: that is the point of the chapter, not evidence about Anhui.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from analysis.did.event_study import EventStudyResult, event_study, plot_event_study
from analysis.did.panel import Panel, prepare_panel
from analysis.did.staggered import CSResult, callaway_santanna
from analysis.did.twfe import TWFEResult, twfe

Outcome = Literal["visit_share", "fund_share"]
TRUTH = {"visit_share": "true_visit_effect_pp", "fund_share": "true_fund_effect_pp"}


@dataclass(frozen=True)
class StaggeredAnalysis:
    """TWFE, TWFE event study and Callaway-Sant'Anna (two control groups) for one share."""

    outcome: Outcome
    panel: Panel
    twfe: TWFEResult
    event: EventStudyResult
    cs_never: CSResult
    cs_notyet: CSResult
    true_att: float
    true_dynamic: pd.DataFrame
    true_group: pd.DataFrame


def true_effects(frame: pd.DataFrame, outcome: Outcome) -> tuple[float, pd.DataFrame,
                                                                    pd.DataFrame]:
    """Mean true effect over treated county-years, by event time and by adoption year."""
    post = frame[(frame["first_treated"] > 0) & (frame["year"] >= frame["first_treated"])]
    post = post.assign(rel_time=post["year"] - post["first_treated"])
    column = TRUTH[outcome]
    dynamic = post.groupby("rel_time")[column].mean().rename("effect").reset_index()
    # CS's group aggregation averages each cohort's post periods equally.
    group = (post.groupby(["first_treated", "year"])[column].mean()
             .groupby(level=0).mean().rename("effect").reset_index()
             .rename(columns={"first_treated": "group"}))
    return float(post[column].mean()), dynamic, group


def analyse_counties(frame: pd.DataFrame, outcome: Outcome) -> StaggeredAnalysis:
    """Run every staggered-adoption estimator on one share of the county panel."""
    panel = prepare_panel(frame, unit="county", time="year", outcome=outcome,
                          first_treated="first_treated")
    true_att, dynamic, group = true_effects(frame, outcome)
    return StaggeredAnalysis(outcome=outcome, panel=panel, twfe=twfe(panel),
                             event=event_study(panel, leads=4, lags=5),
                             cs_never=callaway_santanna(panel, control="never"),
                             cs_notyet=callaway_santanna(panel, control="notyet"),
                             true_att=true_att, true_dynamic=dynamic, true_group=group)


def estimate_table(analyses: dict[str, StaggeredAnalysis]) -> pd.DataFrame:
    """One row per share: truth, TWFE and CS (never / not yet) with SEs."""
    rows = []
    for outcome, a in analyses.items():
        rows.append({
            "share": outcome.replace("_", " "), "true ATT (pp)": a.true_att,
            "TWFE": a.twfe.estimate, "TWFE SE": a.twfe.se,
            "CS, never treated": a.cs_never.simple.estimate, "CS SE": a.cs_never.simple.se,
            "CS, not yet treated": a.cs_notyet.simple.estimate,
            "CS (not yet) SE": a.cs_notyet.simple.se})
    return pd.DataFrame(rows)


def group_table(analysis: StaggeredAnalysis) -> pd.DataFrame:
    """CS group (wave) effects next to the true wave averages."""
    cs = analysis.cs_never.group[["group", "estimate", "se"]]
    merged = cs.merge(analysis.true_group, on="group")
    return merged.rename(columns={"group": "adoption year", "estimate": "CS estimate (pp)",
                                  "se": "SE", "effect": "true effect (pp)"})


def wave_means(frame: pd.DataFrame, outcome: Outcome) -> pd.DataFrame:
    """Mean share by adoption wave and year (rows: years, columns: wave labels)."""
    label = frame["first_treated"].map(lambda g: "never adopting" if g == 0 else f"wave {g}")
    return frame.assign(wave_label=label).pivot_table(index="year", columns="wave_label",
                                                      values=outcome, aggfunc="mean")


def plot_wave_means(ax, frame: pd.DataFrame, outcome: Outcome) -> None:
    """Synthetic mean share by wave; adoption years marked on each line."""
    from analysis.plotting.provenance import plot_synthetic, provenance_legend, synthetic_title

    means = wave_means(frame, outcome)
    dashes = [(None, None), (5, 2), (2, 2), (6, 2, 1, 2), (1, 1)]
    for i, wave in enumerate(means.columns):
        kwargs = {} if dashes[i % 5][0] is None else {"dashes": dashes[i % 5]}
        plot_synthetic(ax, means.index, means[wave], label=wave, color=f"C{i}",
                       linewidth=1.5, **kwargs)
        if wave.startswith("wave"):
            year = int(wave.split()[-1])
            ax.plot([year], [means.loc[year, wave]], marker="v", color=f"C{i}")
    ax.set_xlabel("year")
    ax.set_ylabel(f"mean {outcome.replace('_', ' ')} (%)")
    ax.set_title(synthetic_title("county means by adoption wave"), fontsize=10)
    provenance_legend(ax, loc="upper center", bbox_to_anchor=(0.5, -0.15), ncols=3)


def plot_dynamic(ax, analysis: StaggeredAnalysis) -> None:
    """True effects by event time against CS's dynamic aggregation and the TWFE event study."""
    from analysis.plotting.provenance import synthetic_title

    cs = analysis.cs_never.dynamic
    cs = cs[cs["rel_time"] >= -4]
    plot_event_study(cs, ax=ax, offset=-0.1, label="synthetic: Callaway-Sant'Anna (never treated)",
                     marker="o", linestyle="-", color="C0")
    plot_event_study(analysis.event, ax=ax, offset=0.1,
                     label="synthetic: TWFE event study (ref. -1)", marker="s",
                     linestyle="--", color="C3")
    truth = analysis.true_dynamic
    ax.plot(truth["rel_time"], truth["effect"], color="black", marker="x", linestyle=":",
            label="synthetic: true mean effect (generator)")
    ax.set_xlabel("years since adoption")
    ax.set_ylabel(f"effect on {analysis.outcome.replace('_', ' ')} (pp)")
    ax.set_title(synthetic_title("dynamic effects: CS vs TWFE vs truth"), fontsize=10)
    ax.legend(fontsize=8, loc="upper left")


def plot_demo(ax, demo) -> None:
    """The TWFE demonstration: truth and CS by event time, TWFE's single number as a line."""
    from analysis.plotting.provenance import synthetic_title

    cs = demo.cs.dynamic
    cs = cs[cs["rel_time"] >= 0]
    plot_event_study(cs, ax=ax, label="simulated: Callaway-Sant'Anna", marker="o",
                     linestyle="-", color="C0")
    ax.plot(demo.true_dynamic["rel_time"], demo.true_dynamic["effect"], color="black",
            marker="x", linestyle=":", label="simulated: true effect")
    ax.axhline(demo.twfe, color="C3", linestyle="--", label="simulated: static TWFE coefficient")
    ax.axhline(demo.true_att, color="0.4", linestyle="-.",
               label="simulated: true average effect on the treated")
    ax.set_xlabel("years since adoption")
    ax.set_ylabel("effect (outcome units)")
    ax.set_title(synthetic_title("simulated panel with growing effects"), fontsize=10)
    ax.legend(fontsize=8, loc="upper left")


def match_hypotheses(hypotheses: pd.DataFrame, analyses: dict[str, StaggeredAnalysis],
                     label: str = "evidence-staggered") -> pd.DataFrame:
    """Set each staggered-adoption hypothesis beside the CS and TWFE estimates for its series."""
    rows = []
    chosen = hypotheses[hypotheses["evidence_labels"].fillna("").str.contains(label)]
    for h in chosen.to_dict("records"):
        series = h["series"]
        if series not in analyses:
            continue
        a = analyses[series]
        est, se = a.cs_notyet.simple.estimate, a.cs_notyet.simple.se
        sign = h["predicted_direction"]
        if sign in {"+", "-"}:
            agrees = (est > 0) if sign == "+" else (est < 0)
            verdict = "sign as predicted" if agrees else "sign against prediction"
        else:
            verdict = "no signed prediction to test"
        rows.append({"hypothesis": h["hypothesis_id"], "series": series, "predicted sign": sign,
                     "CS, not yet treated (pp)": est, "95% CI": f"{est - 1.96 * se:.2f} to "
                     f"{est + 1.96 * se:.2f}", "TWFE (pp)": a.twfe.estimate,
                     "true ATT in generator (pp)": a.true_att,
                     "verdict on synthetic data": verdict})
    return pd.DataFrame(rows)


def summary_numbers(a: StaggeredAnalysis) -> dict[str, float]:
    """Numbers the chapter glues for one share."""
    lead = a.event.table.set_index("rel_time")
    return {"true": a.true_att, "twfe": a.twfe.estimate, "twfe_se": a.twfe.se,
            "cs": a.cs_never.simple.estimate, "cs_se": a.cs_never.simple.se,
            "cs_notyet": a.cs_notyet.simple.estimate,
            "twfe_gap_pct": 100 * (a.twfe.estimate - a.true_att) / a.true_att,
            "cs_gap_pct": 100 * (a.cs_never.simple.estimate - a.true_att) / a.true_att,
            "twfe_lead4": float(lead.loc[-4, "estimate"]),
            "twfe_pretrend_p": a.event.pretrend_pvalue,
            "cs_pre_max": float(np.abs(a.cs_never.dynamic.query("rel_time < 0")["estimate"]).max()),
            "n_counties": a.panel.n_units,
            "n_never": int((~a.panel.ever_treated).sum())}
