"""Numbers, figures and tables of the page ``book/evidence/did_staggered.md``.

The panel ``county_staggered_panel`` is synthetic and shaped like Anhui's roll-out: about 60
counties, the reported number of 2019 pilots, the rest adopting in an expansion wave and a
province-wide roll-out, no never-treated county. It carries the true effects it was generated
with (``true_visit_effect_pp``, ``true_fund_effect_pp``), so every estimate can be scored
against the truth: that is the point of the page, not evidence about Anhui.

What such a panel identifies is the page's subject. With no never-treated county, the
Callaway-Sant'Anna estimator with never-treated comparisons is refused; with not-yet-treated
comparisons a group-time effect exists only while some county is still untreated, i.e. in the
years before the roll-out (:func:`clean_window`). Inside that window the not-yet-treated
counties are the comparisons, and the few-treated rule of :mod:`analysis.did.inference`
chooses the interval. TWFE returns a number for every year anyway, from comparisons with
already-treated counties; only its point estimate is shown. A starker simulated panel, not
Anhui-shaped (:func:`twfe_bias_demo`), shows why TWFE misleads with growing effects.

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

from analysis.chapters.did_qianjiang import hypotheses, hypotheses_for, readable_series
from analysis.did.event_study import plot_event_study
from analysis.did.inference import FEW_CLUSTERS, few_treated, twfe_weights
from analysis.did.panel import Panel, PanelError, prepare_panel
from analysis.did.simulate import simulate_staggered, true_effects
from analysis.did.staggered import CSResult, callaway_santanna
from analysis.did.twfe import TWFEResult, twfe

Outcome = Literal["visit_share", "fund_share"]
PAGE_LABEL = "evidence-staggered"
OUTCOMES: tuple[Outcome, ...] = ("visit_share", "fund_share")
TRUTH = {"visit_share": "true_visit_effect_pp", "fund_share": "true_fund_effect_pp"}
SHARE_NAMES = {"visit_share": "primary-care visit share", "fund_share": "primary-care fund share"}


def adoption_years(frame: pd.DataFrame) -> list[int]:
    """The adoption waves' years, earliest first."""
    return sorted(int(g) for g in frame["first_treated"].unique() if g > 0)


def comparison_pool(frame: pd.DataFrame) -> pd.DataFrame:
    """Per adoption year: counties adopting, already treated, and still untreated.

    The still-untreated counties (never treated, or adopting later) are the only clean
    comparisons for a county adopting that year; the pool can only shrink over time.
    """
    first = frame.drop_duplicates("county")["first_treated"]
    rows = [
        {
            "year": year,
            "counties adopting": int((first == year).sum()),
            "already treated": int(((first > 0) & (first < year)).sum()),
            "not yet treated (comparisons)": int(((first == 0) | (first > year)).sum()),
        }
        for year in adoption_years(frame)
    ]
    return pd.DataFrame(rows)


def clean_window(frame: pd.DataFrame) -> pd.DataFrame:
    """The years in which some county is still untreated (all years if any never adopts)."""
    if (frame["first_treated"] == 0).any():
        return frame
    return frame[frame["year"] < max(adoption_years(frame))]


def _panel(frame: pd.DataFrame, outcome: Outcome) -> Panel:
    return prepare_panel(
        frame, unit="county", time="year", outcome=outcome, first_treated="first_treated"
    )


def never_treated_refusal(panel: Panel) -> str:
    """Why CS with never-treated comparisons is not available, or '' when it is."""
    try:
        callaway_santanna(panel, comparison="never")
    except PanelError as error:
        return str(error)
    return ""


@dataclass(frozen=True)
class StaggeredAnalysis:
    """What the Anhui-shaped panel identifies for one share.

    Attributes
    ----------
    panel, window
        The whole panel, and the years with a not-yet-treated county (:func:`clean_window`).
    cs
        Callaway-Sant'Anna on the window, not-yet-treated comparisons, the rule's inference.
    cells
        One row per post-adoption group-time cell of the whole panel: its counties, whether a
        comparison county exists, the estimate and interval where it does, and the truth.
    twfe_estimate
        The static TWFE coefficient on the whole panel (point estimate only).
    true_att, true_att_window
        Mean true effect over all treated county-years, and over the window's.
    never_refusal
        The toolkit's refusal of never-treated comparisons ('' if none was needed).
    """

    outcome: Outcome
    panel: Panel
    window: Panel
    cs: CSResult
    cells: pd.DataFrame
    twfe_estimate: float
    true_att: float
    true_att_window: float
    never_refusal: str


def group_time_cells(frame: pd.DataFrame, cs: CSResult, outcome: Outcome) -> pd.DataFrame:
    """Every post-adoption (cohort, year) cell: counties, comparisons, estimate and truth."""
    first = frame.drop_duplicates("county").set_index("county")["first_treated"]
    truth = frame[frame["treated"]].groupby(["first_treated", "year"])[TRUTH[outcome]].mean()
    estimated = cs.group_time.set_index(["group", "time"])
    rows = []
    for (cohort, year), true_effect in truth.items():
        comparisons = int(((first == 0) | (first > year)).sum())
        row = {
            "cohort": int(cohort),
            "year": int(year),
            "treated counties": int((first == cohort).sum()),
            "comparison counties": comparisons,
            "estimable": (cohort, year) in estimated.index,
            "true effect (pp)": float(true_effect),
        }
        if row["estimable"]:
            cell = estimated.loc[(cohort, year)]
            row.update(
                {
                    "estimate (pp)": float(cell["estimate"]),
                    "ci_lower": float(cell["ci_lower"]),
                    "ci_upper": float(cell["ci_upper"]),
                }
            )
        rows.append(row)
    return pd.DataFrame(rows)


def analyse_counties(frame: pd.DataFrame, outcome: Outcome) -> StaggeredAnalysis:
    """What the panel identifies for one share, and what TWFE reports regardless."""
    panel = _panel(frame, outcome)
    window_frame = clean_window(frame)
    window = _panel(window_frame, outcome)
    cs = callaway_santanna(window, comparison="notyet")
    return StaggeredAnalysis(
        outcome=outcome,
        panel=panel,
        window=window,
        cs=cs,
        cells=group_time_cells(frame, cs, outcome),
        twfe_estimate=float(
            (twfe_weights(panel.group_code, panel.n_periods) * panel.outcome).sum()
        ),
        true_att=true_effects(frame, effect=TRUTH[outcome], time="year").att,
        true_att_window=true_effects(window_frame, effect=TRUTH[outcome], time="year").att,
        never_refusal=never_treated_refusal(panel),
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


def share_numbers(a: StaggeredAnalysis) -> dict[str, Any]:
    """Numbers the page glues for one share (keys without the page and share prefix)."""
    simple, cells = a.cs.simple, a.cells
    pre = a.cs.group_time.query("rel_time < 0")["estimate"]
    return {
        "true": a.true_att,
        "true-window": a.true_att_window,
        "cs": simple.estimate,
        "cs-lo": simple.ci_lower,
        "cs-hi": simple.ci_upper,
        "twfe": a.twfe_estimate,
        "twfe-gap-pct": abs(100 * (a.twfe_estimate - a.true_att) / a.true_att),
        "twfe-side": "below" if a.twfe_estimate < a.true_att else "above",
        "pre-max": float(np.abs(pre).max()),
        "n-cells": len(cells),
        "n-estimable": int(cells["estimable"].sum()),
    }


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def _ordinal_pool(pool: pd.DataFrame) -> dict[str, Any]:
    """The comparison pool at the first, second and last adoption year."""
    at = pool.set_index("year")["not yet treated (comparisons)"]
    years = at.index.tolist()
    picks = {"first": years[0], "second": years[min(1, len(years) - 1)], "last": years[-1]}
    out: dict[str, Any] = {}
    for name, year in picks.items():
        out[f"stag-pool-{name}"] = int(at[year])
        out[f"stag-pool-{name}-year"] = str(year)
    return out


def numbers() -> dict[str, Any]:
    """Every number the page glues, keyed by its glue label."""
    import analysis

    frame = counties()
    first = frame.drop_duplicates("county")["first_treated"]
    years = adoption_years(frame)
    visit = analyses()["visit_share"]
    estimable = visit.cells[visit.cells["estimable"]]
    out: dict[str, Any] = {
        "stag-package-version": analysis.__version__,
        "stag-n-counties": int(first.size),
        "stag-n-never": int((first == 0).sum()),
        "stag-n-pilot": int((first == years[0]).sum()),
        "stag-pilot-year": str(years[0]),
        "stag-n-later": int((first > years[0]).sum()),
        "stag-later-years": " and ".join(str(y) for y in years[1:]),
        "stag-roll-out-year": str(years[-1]),
        "stag-n-roll-out": int((first == years[-1]).sum()),
        "stag-first-year": str(int(frame["year"].min())),
        "stag-last-year": str(int(frame["year"].max())),
        "stag-window-last": str(int(visit.window.times.max())),
        "stag-few-threshold": FEW_CLUSTERS,
        "stag-min-comparisons": int(estimable["comparison counties"].min()),
        "stag-min-treated": int(estimable["treated counties"].min()),
        "stag-window-few": "is" if few_treated(visit.window) else "is not",
        **_ordinal_pool(comparison_pool(frame)),
    }
    for outcome, a in analyses().items():
        short = outcome.split("_")[0]
        out.update({f"stag-{short}-{name}": value for name, value in share_numbers(a).items()})
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


def plot_cells(ax, analysis: StaggeredAnalysis) -> None:
    """Group-time effects by cohort and year: estimates where a comparison exists, truth always."""
    from analysis.plotting.provenance import synthetic_title

    cells = analysis.cells
    markers = ["o", "s", "D", "^"]
    for i, (cohort, rows) in enumerate(cells.groupby("cohort")):
        x = rows["year"].to_numpy(dtype=float) + 0.12 * (i - 1)
        color, marker = f"C{i}", markers[i % len(markers)]
        ax.plot(
            x,
            rows["true effect (pp)"],
            linestyle=":",
            marker="x",
            color=color,
            label=f"synthetic: true effect, wave {cohort}",
        )
        shown = rows[rows["estimable"]]
        if shown.empty:
            continue
        xs = shown["year"].to_numpy(dtype=float) + 0.12 * (i - 1)
        y = shown["estimate (pp)"].to_numpy()
        ax.errorbar(
            xs,
            y,
            yerr=np.vstack([y - shown["ci_lower"], shown["ci_upper"] - y]),
            marker=marker,
            linestyle="none",
            color=color,
            capsize=3,
            label=f"synthetic: estimate and 95% CI, wave {cohort}",
        )
    last = int(analysis.window.times.max())
    ax.axvspan(last + 0.5, cells["year"].max() + 0.5, color="0.9", zorder=0)
    ax.annotate(
        "no untreated county left:\nno clean comparison",
        (last + 0.6, ax.get_ylim()[1]),
        va="top",
        fontsize=9,
    )
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_xlabel("year")
    ax.set_ylabel(f"effect on the {SHARE_NAMES[analysis.outcome]} (pp)")
    ax.set_title(synthetic_title("group-time effects: estimable cells and the truth"), fontsize=10)
    ax.legend(fontsize=9, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncols=2)


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
    ax.legend(fontsize=9, loc="upper left")


def _figure(size: tuple[float, float]) -> tuple[Figure, Any]:
    import matplotlib.pyplot as plt

    return plt.subplots(figsize=size)


def figure_waves() -> Figure:
    """Mean visit share by adoption wave."""
    fig, ax = _figure((8, 5))
    plot_wave_means(ax, counties(), "visit_share")
    fig.tight_layout()
    return fig


def figure_cells() -> Figure:
    """Group-time effects on the visit share: estimable cells and every cell's truth."""
    fig, ax = _figure((8, 5.6))
    plot_cells(ax, analyses()["visit_share"])
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
    "fig-stag-cells": figure_cells,
    "fig-stag-demo": figure_demo,
}


def figures() -> dict[str, Figure]:
    """Every figure of the page, keyed by its label."""
    return {label: draw() for label, draw in FIGURES.items()}


def _interval(lower: float, upper: float) -> str:
    return f"{lower:.2f} to {upper:.2f}"


def pool_table() -> pd.DataFrame:
    """The comparison pool at each adoption year."""
    return comparison_pool(counties())


def cells_table(analysis: StaggeredAnalysis) -> pd.DataFrame:
    """The estimable group-time cells with their intervals and the truth."""
    cells = analysis.cells[analysis.cells["estimable"]]
    return pd.DataFrame(
        {
            "adoption wave": cells["cohort"],
            "year": cells["year"],
            "treated counties": cells["treated counties"],
            "comparison counties": cells["comparison counties"],
            "estimate (pp)": cells["estimate (pp)"],
            "95% CI": [_interval(lo, hi) for lo, hi in zip(cells["ci_lower"], cells["ci_upper"])],
            "true effect (pp)": cells["true effect (pp)"],
        }
    )


def estimate_table(results: dict[str, StaggeredAnalysis]) -> pd.DataFrame:
    """One row per share: what the clean window identifies, and what TWFE reports for all years."""
    rows = []
    for outcome, a in results.items():
        simple = a.cs.simple
        rows.append(
            {
                "share": SHARE_NAMES[outcome],
                "CS, not yet treated (pp)": simple.estimate,
                "95% CI": _interval(simple.ci_lower, simple.ci_upper),
                "truth, same cells (pp)": a.true_att_window,
                "TWFE, all years (pp)": a.twfe_estimate,
                "truth, all treated years (pp)": a.true_att,
            }
        )
    return pd.DataFrame(rows)


def match_hypotheses(
    register: pd.DataFrame, results: dict[str, StaggeredAnalysis], label: str = PAGE_LABEL
) -> pd.DataFrame:
    """Set each staggered-adoption hypothesis beside the estimable-cell average for its series."""
    rows = []
    chosen = register[register["evidence_labels"].fillna("").str.contains(label)]
    for h in chosen.to_dict("records"):
        series = h["series"]
        if series not in results:
            continue
        a = results[series]
        cs = a.cs.simple
        sign = h["predicted_direction"]
        if sign in {"+", "-"}:
            agrees = (cs.estimate > 0) if sign == "+" else (cs.estimate < 0)
            verdict = "sign as predicted" if agrees else "sign against prediction"
        else:
            verdict = "no signed prediction to test"
        rows.append(
            {
                "hypothesis": h["hypothesis_id"],
                "share": SHARE_NAMES[series],
                "predicted sign": sign,
                "CS, estimable cells (pp)": cs.estimate,
                f"{100 * (1 - cs.alpha):.0f}% CI": _interval(cs.ci_lower, cs.ci_upper),
                "truth, same cells (pp)": a.true_att_window,
                "verdict on synthetic data": verdict,
            }
        )
    return pd.DataFrame(rows)


def hypotheses_table():
    """The page's hypotheses, styled for display."""
    return readable_series(hypotheses_for(hypotheses(), PAGE_LABEL)).style.hide(axis="index")


def _styled(frame: pd.DataFrame):
    return frame.style.hide(axis="index").format(precision=2)


def estimates_styled():
    """The clean-window estimate and TWFE per share, styled for display."""
    return _styled(estimate_table(analyses()))


def pool_styled():
    """The comparison pool by adoption year, styled for display."""
    return pool_table().style.hide(axis="index")


def cells_styled():
    """The estimable visit-share cells, styled for display."""
    return _styled(cells_table(analyses()["visit_share"]))


def hypotheses_against_estimates():
    """The hypotheses beside the estimates, styled for display."""
    return _styled(match_hypotheses(hypotheses(), analyses()))
