"""Numbers, figures and tables of the page ``book/evidence/did_staggered.md``.

The panel ``county_staggered_panel`` is synthetic and carries the true effects it was
generated with (``true_visit_effect_pp``, ``true_fund_effect_pp``), so every estimator can be
scored against the truth: that is the point of the page, not evidence about Anhui. The page
also shows, on a starker simulated panel (:func:`twfe_bias_demo`), why TWFE misleads under
staggered adoption with effects that grow over time.

:func:`numbers` returns every value the page glues (keys prefixed ``stag-``) and
:func:`figures` every figure (keys are the figure labels).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from analysis.chapters.did_qianjiang import hypotheses, hypotheses_for
from analysis.did.event_study import EventStudyResult, event_study, plot_event_study
from analysis.did.inference import FEW_CLUSTERS
from analysis.did.panel import Panel, prepare_panel
from analysis.did.simulate import simulate_staggered, true_effects
from analysis.did.staggered import CSResult, callaway_santanna
from analysis.did.twfe import TWFEResult, twfe

Outcome = Literal["visit_share", "fund_share"]
PAGE_LABEL = "evidence-staggered"
OUTCOMES: tuple[Outcome, ...] = ("visit_share", "fund_share")
TRUTH = {"visit_share": "true_visit_effect_pp", "fund_share": "true_fund_effect_pp"}
EVENT_LEADS, EVENT_LAGS = 4, 5


@dataclass(frozen=True)
class StaggeredAnalysis:
    """TWFE, TWFE event study and Callaway-Sant'Anna (two comparison groups) for one share."""

    outcome: Outcome
    panel: Panel
    twfe: TWFEResult
    event: EventStudyResult
    cs_never: CSResult
    cs_notyet: CSResult
    true_att: float
    true_dynamic: pd.DataFrame
    true_group: pd.DataFrame


def analyse_counties(frame: pd.DataFrame, outcome: Outcome) -> StaggeredAnalysis:
    """Run every staggered-adoption estimator on one share of the county panel."""
    panel = prepare_panel(
        frame, unit="county", time="year", outcome=outcome, first_treated="first_treated"
    )
    truth = true_effects(frame, effect=TRUTH[outcome], time="year")
    return StaggeredAnalysis(
        outcome=outcome,
        panel=panel,
        twfe=twfe(panel),
        event=event_study(panel, leads=EVENT_LEADS, lags=EVENT_LAGS),
        cs_never=callaway_santanna(panel, comparison="never"),
        cs_notyet=callaway_santanna(panel, comparison="notyet"),
        true_att=truth.att,
        true_dynamic=truth.dynamic,
        true_group=truth.group,
    )


@dataclass(frozen=True)
class TWFEBiasDemo:
    """Outcome of :func:`twfe_bias_demo`.

    Attributes
    ----------
    true_att
        Mean true effect over treated unit-years (the target of CS's simple aggregation).
    twfe
        Static TWFE result.
    cs
        Callaway-Sant'Anna result with never-treated comparisons.
    true_dynamic
        Mean true effect by event time (rel_time, effect), for plotting.
    frame
        The simulated panel (columns unit, time, y, first_treated, true_effect).
    """

    true_att: float
    twfe: TWFEResult
    cs: CSResult
    true_dynamic: pd.DataFrame
    frame: pd.DataFrame

    @property
    def bias_share(self) -> float:
        """TWFE's error as a share of the true effect, e.g. -0.4 = 40 % too small."""
        if not self.true_att:
            return float("nan")
        return float((self.twfe.effect.estimate - self.true_att) / self.true_att)


def twfe_bias_demo(*, n_units: int = 900, n_periods: int = 10, seed: int = 0) -> TWFEBiasDemo:
    """Simulate three adoption waves with growing effects; compare TWFE with CS and the truth.

    TWFE's coefficient is a weighted average of all 2 x 2 comparisons, including "late
    adopters vs already-treated early adopters", whose change includes the early adopters'
    growing effect with a minus sign (Goodman-Bacon 2021; de Chaisemartin & D'Haultfoeuille
    2020). CS compares each cohort only with never-treated units, so it recovers the truth.

    Examples
    --------
    >>> demo = twfe_bias_demo(n_units=600, seed=1)
    >>> abs(demo.cs.simple.estimate - demo.true_att) < abs(demo.twfe.effect.estimate
    ...                                                   - demo.true_att)
    True
    """
    frame = simulate_staggered(
        n_units=n_units,
        n_periods=n_periods,
        cohorts=(2, 5, 8),
        never_share=0.15,
        shape="dynamic",
        size=0.5,
        noise=1.0,
        seed=seed,
    )
    panel = prepare_panel(
        frame, unit="unit", time="time", outcome="y", first_treated="first_treated"
    )
    truth = true_effects(frame)
    return TWFEBiasDemo(
        true_att=truth.att,
        twfe=twfe(panel),
        cs=callaway_santanna(panel, comparison="never"),
        true_dynamic=truth.dynamic,
        frame=frame,
    )


@cache
def counties() -> pd.DataFrame:
    """The synthetic county panel."""
    from analysis.datasets import load_data

    return load_data("county_staggered_panel").frame


@cache
def analyses() -> dict[str, StaggeredAnalysis]:
    """:func:`analyse_counties` for both shares, computed once per session."""
    return {outcome: analyse_counties(counties(), outcome) for outcome in OUTCOMES}


@cache
def demo() -> TWFEBiasDemo:
    """The page's TWFE demonstration (seed 0)."""
    return twfe_bias_demo(seed=0)


def share_numbers(a: StaggeredAnalysis) -> dict[str, float]:
    """Numbers the page glues for one share (keys without the page and share prefix)."""
    lead = a.event.table.set_index("rel_time")
    cs, notyet, static = a.cs_never.simple, a.cs_notyet.simple, a.twfe.effect
    return {
        "true": a.true_att,
        "twfe": static.estimate,
        "twfe-se": static.se,
        "cs": cs.estimate,
        "cs-se": cs.se,
        "cs-notyet": notyet.estimate,
        "twfe-gap-pct": 100 * (static.estimate - a.true_att) / a.true_att,
        "cs-gap-pct": 100 * (cs.estimate - a.true_att) / a.true_att,
        "twfe-lead4": float(lead.loc[-EVENT_LEADS, "estimate"]),
        "twfe-pretrend-p-text": _p_text(a.event.pretrend_p_value),
        "cs-pre-max": float(np.abs(a.cs_never.dynamic.query("rel_time < 0")["estimate"]).max()),
        "n-counties": a.panel.n_units,
        "n-never": int((~a.panel.ever_treated).sum()),
    }


def _p_text(p: float) -> str:
    """'< 0.001' for tiny p-values (no 1e-47 precision a model cannot carry), else '= 0.012'."""
    return "< 0.001" if p < 0.001 else f"= {p:.3f}"


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def numbers() -> dict[str, Any]:
    """Every number the page glues, keyed by its glue label."""
    import analysis

    frame = counties()
    waves = frame.drop_duplicates("county").groupby("first_treated").size()
    adopting = waves[waves.index > 0]
    out: dict[str, Any] = {
        "stag-package-version": analysis.__version__,
        "stag-n-counties": int(waves.sum()),
        "stag-n-never": int(waves.get(0, 0)),
        "stag-n-pilot": int(adopting.iloc[0]),  # the first wave: Anhui's pilot counties
        "stag-first-year": int(frame["year"].min()),
        "stag-last-year": int(frame["year"].max()),
        "stag-n-waves": int(adopting.size),
        "stag-few-threshold": FEW_CLUSTERS,
    }
    for outcome, a in analyses().items():
        short = outcome.split("_")[0]
        out.update({f"stag-{short}-{name}": value for name, value in share_numbers(a).items()})
    visit = analyses()["visit_share"]
    out["stag-n-treated"] = visit.panel.n_treated
    out["stag-inference"] = visit.twfe.inference
    d = demo()
    out.update(
        {
            "stag-demo-true": d.true_att,
            "stag-demo-twfe": d.twfe.effect.estimate,
            "stag-demo-cs": d.cs.simple.estimate,
            "stag-demo-bias-pct": -100 * d.bias_share,
            "stag-demo-units": int(d.frame["unit"].nunique()),
        }
    )
    return {key: _plain(value) for key, value in out.items()}


def wave_means(frame: pd.DataFrame, outcome: Outcome) -> pd.DataFrame:
    """Mean share by adoption wave and year (rows: years, columns: wave labels)."""
    label = frame["first_treated"].map(lambda g: "never adopting" if g == 0 else f"wave {g}")
    return frame.assign(wave_label=label).pivot_table(
        index="year", columns="wave_label", values=outcome, aggfunc="mean"
    )


def plot_wave_means(ax, frame: pd.DataFrame, outcome: Outcome) -> None:
    """Synthetic mean share by wave; adoption years marked on each line."""
    from analysis.plotting.provenance import plot_synthetic, provenance_legend, synthetic_title

    means = wave_means(frame, outcome)
    dashes = [(None, None), (5, 2), (2, 2), (6, 2, 1, 2), (1, 1)]
    for i, wave in enumerate(means.columns):
        kwargs = {} if dashes[i % 5][0] is None else {"dashes": dashes[i % 5]}
        plot_synthetic(
            ax, means.index, means[wave], label=wave, color=f"C{i}", linewidth=1.5, **kwargs
        )
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
    cs = cs[cs["rel_time"] >= -EVENT_LEADS]
    plot_event_study(
        cs,
        ax=ax,
        offset=-0.1,
        label="synthetic: Callaway-Sant'Anna (never treated)",
        marker="o",
        linestyle="-",
        color="C0",
    )
    plot_event_study(
        analysis.event,
        ax=ax,
        offset=0.1,
        label="synthetic: TWFE event study (ref. -1)",
        marker="s",
        linestyle="--",
        color="C3",
    )
    truth = analysis.true_dynamic
    ax.plot(
        truth["rel_time"],
        truth["effect"],
        color="black",
        marker="x",
        linestyle=":",
        label="synthetic: true mean effect (generator)",
    )
    ax.set_xlabel("years since adoption")
    ax.set_ylabel(f"effect on {analysis.outcome.replace('_', ' ')} (pp)")
    ax.set_title(synthetic_title("dynamic effects: CS vs TWFE vs truth"), fontsize=10)
    ax.legend(fontsize=8, loc="upper left")


def plot_demo(ax, result: TWFEBiasDemo) -> None:
    """The TWFE demonstration: truth and CS by event time, TWFE's single number as a line."""
    from analysis.plotting.provenance import synthetic_title

    cs = result.cs.dynamic
    cs = cs[cs["rel_time"] >= 0]
    plot_event_study(
        cs, ax=ax, label="simulated: Callaway-Sant'Anna", marker="o", linestyle="-", color="C0"
    )
    ax.plot(
        result.true_dynamic["rel_time"],
        result.true_dynamic["effect"],
        color="black",
        marker="x",
        linestyle=":",
        label="simulated: true effect",
    )
    ax.axhline(
        result.twfe.effect.estimate,
        color="C3",
        linestyle="--",
        label="simulated: static TWFE coefficient",
    )
    ax.axhline(
        result.true_att,
        color="0.4",
        linestyle="-.",
        label="simulated: true average effect on the treated",
    )
    ax.set_xlabel("years since adoption")
    ax.set_ylabel("effect (outcome units)")
    ax.set_title(synthetic_title("simulated panel with growing effects"), fontsize=10)
    ax.legend(fontsize=8, loc="upper left")


def _figure(size: tuple[float, float]) -> tuple[Figure, Any]:
    import matplotlib.pyplot as plt

    return plt.subplots(figsize=size)


def figure_waves() -> Figure:
    """Mean visit share by adoption wave."""
    fig, ax = _figure((8, 5))
    plot_wave_means(ax, counties(), "visit_share")
    fig.tight_layout()
    return fig


def figure_dynamic() -> Figure:
    """Dynamic effects on the visit share: CS, TWFE event study and the truth."""
    fig, ax = _figure((7.5, 4.4))
    plot_dynamic(ax, analyses()["visit_share"])
    fig.tight_layout()
    return fig


def figure_demo() -> Figure:
    """The TWFE demonstration on the simulated panel."""
    fig, ax = _figure((7.5, 4.2))
    plot_demo(ax, demo())
    fig.tight_layout()
    return fig


FIGURES = {
    "fig-stag-waves": figure_waves,
    "fig-stag-dynamic": figure_dynamic,
    "fig-stag-demo": figure_demo,
}


def figures() -> dict[str, Figure]:
    """Every figure of the page, keyed by its label."""
    return {label: draw() for label, draw in FIGURES.items()}


def estimate_table(results: dict[str, StaggeredAnalysis]) -> pd.DataFrame:
    """One row per share: truth, TWFE and CS (never / not yet) with SEs."""
    rows = []
    for outcome, a in results.items():
        rows.append(
            {
                "share": outcome.replace("_", " "),
                "true ATT (pp)": a.true_att,
                "TWFE": a.twfe.effect.estimate,
                "TWFE SE": a.twfe.effect.se,
                "CS, never treated": a.cs_never.simple.estimate,
                "CS SE": a.cs_never.simple.se,
                "CS, not yet treated": a.cs_notyet.simple.estimate,
                "CS (not yet) SE": a.cs_notyet.simple.se,
            }
        )
    return pd.DataFrame(rows)


def group_table(analysis: StaggeredAnalysis) -> pd.DataFrame:
    """CS group (wave) effects next to the true wave averages."""
    cs = analysis.cs_never.group[["group", "estimate", "se"]]
    merged = cs.merge(analysis.true_group, on="group")
    return merged.rename(
        columns={
            "group": "adoption year",
            "estimate": "CS estimate (pp)",
            "se": "SE",
            "effect": "true effect (pp)",
        }
    )


def match_hypotheses(
    register: pd.DataFrame, results: dict[str, StaggeredAnalysis], label: str = PAGE_LABEL
) -> pd.DataFrame:
    """Set each staggered-adoption hypothesis beside the CS and TWFE estimates for its series."""
    rows = []
    chosen = register[register["evidence_labels"].fillna("").str.contains(label)]
    for h in chosen.to_dict("records"):
        series = h["series"]
        if series not in results:
            continue
        a = results[series]
        cs = a.cs_notyet.simple
        sign = h["predicted_direction"]
        if sign in {"+", "-"}:
            agrees = (cs.estimate > 0) if sign == "+" else (cs.estimate < 0)
            verdict = "sign as predicted" if agrees else "sign against prediction"
        else:
            verdict = "no signed prediction to test"
        level = f"{100 * (1 - cs.alpha):.0f}% CI"
        rows.append(
            {
                "hypothesis": h["hypothesis_id"],
                "series": series,
                "predicted sign": sign,
                "CS, not yet treated (pp)": cs.estimate,
                level: f"{cs.ci_lower:.2f} to {cs.ci_upper:.2f}",
                "TWFE (pp)": a.twfe.effect.estimate,
                "true ATT in generator (pp)": a.true_att,
                "verdict on synthetic data": verdict,
            }
        )
    return pd.DataFrame(rows)


def hypotheses_table():
    """The page's hypotheses, styled for display."""
    return hypotheses_for(hypotheses(), PAGE_LABEL).style.hide(axis="index")


def _styled(frame: pd.DataFrame):
    return frame.style.hide(axis="index").format(precision=2)


def estimates_styled():
    """Truth, TWFE and CS per share, styled for display."""
    return _styled(estimate_table(analyses()))


def groups_styled():
    """CS wave effects beside the true wave averages (visit share), styled for display."""
    return _styled(group_table(analyses()["visit_share"]))


def hypotheses_against_estimates():
    """The hypotheses beside the estimates, styled for display."""
    return _styled(match_hypotheses(hypotheses(), analyses()))
