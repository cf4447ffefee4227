"""Qianjiang's incentive mechanics (``book/mechanics/qianjiang_incentives.md``).

The settlement rules themselves are :mod:`analysis.incentives`; this module turns them into the
page's numbers, its parameter table, the schedule figure and its interactive version, and the
illustration of the "highest of the last three years" base (:func:`ratchet_frame`). The rules
are *reported* (claims ``qj_*``); the spending axis is a range of hypothetical scenarios, not
observed spending, and every figure says so. The same drawing function serves the static page
and the ipywidgets version for Binder, so the two cannot disagree.

Examples
--------
>>> values = numbers()
>>> values["mq-keep-limit"], values["mq-marg-free"], values["mq-net-130"]
('10%', '0%', '-14')
>>> fig = plot_schedule(RiskSharingRules.from_claims())
>>> len(fig.axes)
2
>>> plt.close(fig)
"""

from __future__ import annotations

import itertools
from dataclasses import fields
from typing import TYPE_CHECKING, Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import HTML
from matplotlib.figure import Figure

from analysis.chapters.sources import claims as claim_table
from analysis.incentives import (
    RULE_CLAIM_IDS,
    BudgetRule,
    RiskSharingRules,
    base_plus_factors_budget,
    budget_path,
    kinks,
    marginal_net_position,
    schedule_table,
)
from analysis.plotting.style import use_book_style

if TYPE_CHECKING:
    import ipywidgets

#: Spending scenarios the page describes, as fractions of the budget.
SCENARIO_RATIOS: tuple[float, ...] = (0.85, 0.95, 1.05, 1.15, 1.30)
#: Spending ratios at which the page quotes the marginal incentive, by glue label.
MARGINAL_RATIOS: dict[str, float] = {
    "mq-marg-free": 1.05,
    "mq-marg-save": 0.95,
    "mq-marg-deep": 0.80,
    "mq-marg-band2": 1.15,
    "mq-marg-band3": 1.30,
}
#: The budget of the scenarios: amounts then read as percent of budget.
SCENARIO_BUDGET = 100.0
# Illustrative inputs of the "base + factors" example, ASSUMED: the paper reports no payments,
# factor values or weights.
EXAMPLE_PAYMENTS: tuple[float, ...] = (100.0, 104.0, 103.0)
EXAMPLE_FACTORS: dict[str, float] = {
    "chronic_growth": 0.03,
    "fund_growth": 0.02,
    "service_volume_growth": 0.04,
}
# The ratchet illustration, ASSUMED throughout: a group whose needed spending is 100 a year,
# with approved payments of 100 in each of the years before the first.
RATCHET_HISTORY: tuple[float, ...] = (100.0, 100.0, 100.0)
RATCHET_YEARS = 6
RATCHET_SCENARIOS: dict[str, tuple[float, ...]] = {
    "steady": (100.0,) * RATCHET_YEARS,
    "save-once": (85.0,) + (100.0,) * (RATCHET_YEARS - 1),
    "save-always": (85.0,) * RATCHET_YEARS,
    "overspend-once": (108.0,) + (100.0,) * (RATCHET_YEARS - 1),
}
RATCHET_LABELS: dict[str, str] = {
    "steady": "spends 100 every year",
    "save-once": "saves 15 in year 1 only",
    "save-always": "saves 15 every year",
    "overspend-once": "overspends 8 in year 1 only",
}
#: The two readings of a reform year's "approved payment" (核拨费用), for the page's columns.
READINGS: dict[str, str] = {"settled": "fund's outlay", "spent": "group's spending"}

#: Claims whose source words the page quotes, by glue label.
QUOTED_CLAIMS: dict[str, str] = {
    "mq-rules-zh": "qj_overspend_band1_share",
    "mq-surplus-zh": "qj_surplus_retained_limit",
    "mq-split-zh": "qj_surplus_performance_share",
    "mq-budget-zh": "qj_budget_formula",
}


def reported_rules() -> RiskSharingRules:
    """The settlement rules read from the claims table."""
    return RiskSharingRules.from_claims(claim_table())


def _pct(value: float) -> str:
    return f"{100 * value:.0f}%"


def _rule_numbers(r: RiskSharingRules) -> dict[str, Any]:
    lower_kink, _, upper_free, hard_kink = kinks(r)
    return {
        "mq-keep-limit": _pct(r.surplus_retained_limit),
        "mq-keep-share": _pct(r.surplus_retained_share),
        "mq-band1": _pct(r.overspend_band1_limit),
        "mq-band2": _pct(r.overspend_band2_limit),
        "mq-band1-fund": _pct(r.overspend_band1_fund_share),
        "mq-band2-fund": _pct(r.overspend_band2_fund_share),
        "mq-band2-group": _pct(1 - r.overspend_band2_fund_share),
        "mq-band3-fund": _pct(r.overspend_band3_fund_share),
        "mq-perf": _pct(r.surplus_performance_share),
        "mq-cap": _pct(r.surplus_capacity_share),
        "mq-lower-kink": _pct(lower_kink),
        "mq-upper-free": _pct(upper_free),
        "mq-hard-kink": _pct(hard_kink),
    }


def _scenario_numbers(r: RiskSharingRules) -> dict[str, Any]:
    out: dict[str, Any] = {}
    scenarios = schedule_table(r, np.array(SCENARIO_RATIOS), budget=SCENARIO_BUDGET)
    for ratio, net_pos, fund in zip(
        scenarios["spending_ratio"], scenarios["group_net_position"], scenarios["fund_outlay"]
    ):
        key = f"{round(ratio * 100):d}"
        # Adding 0.0 turns IEEE negative zero into zero for display.
        out[f"mq-net-{key}"] = f"{net_pos + 0.0:.0f}"
        out[f"mq-fund-{key}"] = f"{fund:.0f}"
        out[f"mq-spend-{key}"] = key
    out["mq-budget"] = f"{SCENARIO_BUDGET:.0f}"
    for label, ratio in MARGINAL_RATIOS.items():
        out[label] = f"{-100 * marginal_net_position(ratio, r) + 0.0:.0f}%"
    return out


def _budget_numbers() -> dict[str, Any]:
    rule = BudgetRule.from_claims(claim_table())
    payments = list(EXAMPLE_PAYMENTS)
    mult = base_plus_factors_budget(payments, EXAMPLE_FACTORS, rule, combine="multiplicative")
    add = base_plus_factors_budget(payments, EXAMPLE_FACTORS, rule, combine="additive")
    return {
        "mq-base-years": rule.base_years,
        "mq-n-factors": len(rule.factors),
        "mq-factor-list": "、".join(rule.factor_labels_zh),
        "mq-example-payments": ", ".join(f"{p:.0f}" for p in payments),
        "mq-example-base": f"{max(payments[-rule.base_years :]):.0f}",
        "mq-example-factors": ", ".join(f"{k} {100 * v:.0f}%" for k, v in EXAMPLE_FACTORS.items()),
        "mq-example-mult": f"{mult:.2f}",
        "mq-example-add": f"{add:.2f}",
    }


def base_clause() -> str:
    """The clause of the budget sentence that defines the base, in the paper's words."""
    row = claim_table().set_index("claim_id").loc["qj_budget_base_years"]
    clauses = str(row["source_zh"]).replace("，", ",").split(",")
    return next(c for c in clauses if str(row["value_as_printed"]) in c)


def ratchet_paths(base_years: int, reading: str) -> dict[str, pd.DataFrame]:
    """Each ratchet scenario's budgets and settlements under one base rule and reading."""
    return {
        name: budget_path(spending, reported_rules(), base_years, RATCHET_HISTORY, reading)
        for name, spending in RATCHET_SCENARIOS.items()
    }


def _rule_names() -> dict[int, str]:
    years = BudgetRule.from_claims(claim_table()).base_years
    return {years: f"highest of last {years} years", 1: "last year only"}


def ratchet_frame() -> pd.DataFrame:
    """The group's total gain over the scenario years, by base rule and reading."""
    rows = []
    for name, label in RATCHET_LABELS.items():
        row: dict[str, object] = {"scenario (assumed)": label}
        for years, rule_name in _rule_names().items():
            for reading, reading_name in READINGS.items():
                path = ratchet_paths(years, reading)[name]
                gain = path["group_net_position"].sum() + 0.0
                row[f"{rule_name}, {reading_name}"] = f"{gain:.1f}"
        rows.append(row)
    return pd.DataFrame(rows)


def table_ratchet() -> HTML:
    """The ratchet illustration as a table."""
    return HTML(ratchet_frame().to_html(index=False, border=0))


def _ratchet_numbers() -> dict[str, Any]:
    years = BudgetRule.from_claims(claim_table()).base_years
    out: dict[str, Any] = {
        "mq-base-clause": base_clause(),
        "mq-ratchet-years": RATCHET_YEARS,
        "mq-ratchet-need": f"{RATCHET_HISTORY[-1]:.0f}",
    }
    for reading in READINGS:
        for rule_years, tag in ((years, "max"), (1, "last")):
            for name, path in ratchet_paths(rule_years, reading).items():
                key = f"mq-ratchet-{tag}-{reading}-{name}"
                out[f"{key}-gain"] = f"{path['group_net_position'].sum() + 0.0:.1f}"
                out[f"{key}-min-budget"] = f"{path['budget'].min():.1f}"
                out[f"{key}-last-budget"] = f"{path['budget'].iloc[-1]:.1f}"
                out[f"{key}-second-budget"] = f"{path['budget'].iloc[1]:.1f}"
    for name, spending in RATCHET_SCENARIOS.items():
        out[f"mq-ratchet-{name}-first"] = f"{spending[0]:.0f}"
    steady = ratchet_paths(years, "spent")["save-always"]
    lowered = steady.index[steady["budget"] < steady["budget"].iloc[0]]
    out["mq-ratchet-first-lower-year"] = int(lowered.min()) if len(lowered) else "never"
    return out


def numbers() -> dict[str, Any]:
    """Every number the page glues: the rules, the scenarios and the budget example."""
    r = reported_rules()
    by_id = claim_table().set_index("claim_id")
    quoted = {label: by_id.at[cid, "source_zh"] for label, cid in QUOTED_CLAIMS.items()}
    return {
        **_rule_numbers(r),
        **quoted,
        **_scenario_numbers(r),
        **_budget_numbers(),
        **_ratchet_numbers(),
    }


def table_parameters() -> HTML:
    """The settlement parameters and the claims they are read from."""
    r, by_id = reported_rules(), claim_table().set_index("claim_id")
    rows = [
        {
            "parameter": name,
            "claim": claim_id,
            "as printed": by_id.at[claim_id, "value_as_printed"],
            "value used": f"{getattr(r, name):.2f}",
            "provenance": by_id.at[claim_id, "provenance"],
        }
        for name, claim_id in RULE_CLAIM_IDS.items()
    ]
    return HTML(pd.DataFrame(rows).to_html(index=False, border=0))


def figure_schedule() -> Figure:
    """The schedule at the reported values (``fig-mq-schedule``)."""
    return plot_schedule(reported_rules())


SCENARIO_NOTE = (
    "Rules as reported by Luo et al. 2025 (§4.1.2), read from the claims table; "
    "spending levels are hypothetical scenarios, not observed data."
)


def _band_shading(ax, rules: RiskSharingRules, lo: float, hi: float) -> None:
    for i, (a, b) in enumerate(_bands(rules, lo, hi)):
        if i % 2 == 1:
            ax.axvspan(100 * a, 100 * b, color="0.93", zorder=0, linewidth=0)
    for k in kinks(rules):
        ax.axvline(100 * k, color="0.6", linewidth=0.7, linestyle=":", zorder=1)


def _bands(rules: RiskSharingRules, lo: float, hi: float) -> list[tuple[float, float]]:
    edges = [lo, *kinks(rules), hi]
    return list(itertools.pairwise(edges))


def band_labels(rules: RiskSharingRules) -> list[str]:
    """Short descriptions of the five bands of the schedule, numbers taken from ``rules``.

    Examples
    --------
    >>> band_labels(RiskSharingRules.from_claims())[3].split()
    ['overspend', '10-20%:', 'fund', 'pays', '60%']
    """

    def pct(value: float) -> str:
        return f"{100 * value:.0f}%"

    band2 = f"{100 * rules.overspend_band1_limit:.0f}-{pct(rules.overspend_band2_limit)}"
    return [
        (
            f"surplus\nbeyond {pct(rules.surplus_retained_limit)}:\n"
            f"{pct(rules.surplus_excess_returned_share)} returned"
        ),
        (
            f"surplus\nup to {pct(rules.surplus_retained_limit)}:\n"
            f"{pct(rules.surplus_retained_share)} kept"
        ),
        (
            f"overspend\nup to {pct(rules.overspend_band1_limit)}:\n"
            f"fund\npays {pct(rules.overspend_band1_fund_share)}"
        ),
        f"overspend\n{band2}:\nfund\npays {pct(rules.overspend_band2_fund_share)}",
        (
            f"overspend\nbeyond {pct(rules.overspend_band2_limit)}:\n"
            f"fund\npays {pct(rules.overspend_band3_fund_share)}"
        ),
    ]


def plot_schedule(
    rules: RiskSharingRules, lo: float = 0.6, hi: float = 1.4, points: int = 801
) -> Figure:
    """Group net position, fund outlay and marginal incentive across spending scenarios.

    Parameters
    ----------
    rules
        Settlement parameters.
    lo, hi
        Range of spending as a fraction of budget.
    points
        Grid size; an odd count over a symmetric range puts a point exactly on budget.

    Returns
    -------
    matplotlib.figure.Figure
        Top: the group's net position and the fund's extra outlay (percent of budget), with
        the retained surplus split into performance pay and capacity. Bottom: the share of
        each extra yuan of spending the group bears.
    """
    use_book_style()
    ratios = np.linspace(lo, hi, points)
    table = schedule_table(rules, ratios, budget=100.0)
    x = 100 * table["spending_ratio"]
    fig, (top, bottom) = plt.subplots(
        2, 1, figsize=(7.0, 6.2), sharex=True, gridspec_kw={"height_ratios": [3, 2]}
    )
    for ax in (top, bottom):
        _band_shading(ax, rules, lo, hi)
    top.fill_between(
        x,
        0,
        table["performance_pay"],
        color="0.55",
        alpha=0.5,
        linewidth=0,
        label=f"retained surplus: performance pay ({100 * rules.surplus_performance_share:.0f}%)",
    )
    top.fill_between(
        x,
        table["performance_pay"],
        table["performance_pay"] + table["capacity_fund"],
        color="0.8",
        hatch="///",
        edgecolor="0.5",
        linewidth=0,
        label=f"retained surplus: capacity ({100 * rules.surplus_capacity_share:.0f}%)",
    )
    top.plot(
        x, table["group_net_position"], color="black", linewidth=2.0, label="group's net position"
    )
    top.plot(
        x,
        table["fund_outlay"] - 100.0,
        color="0.35",
        linewidth=1.4,
        linestyle="--",
        label="fund's outlay above budget",
    )
    top.axhline(0, color="0.3", linewidth=0.8)
    top.set_ylabel("percent of budget")
    top.set_title("Year-end settlement of the primary-care group's budget")
    top.legend(fontsize=9, loc="lower center")
    ymin, ymax = top.get_ylim()
    top.set_ylim(ymin, ymax + 0.35 * (ymax - ymin))
    for (a, b), text in zip(_bands(rules, lo, hi), band_labels(rules)):
        top.text(
            50 * (a + b),
            0.985,
            text,
            transform=top.get_xaxis_transform(),
            ha="center",
            va="top",
            fontsize=9,
            color="0.2",
        )
    bottom.step(x, -table["marginal"] * 100, where="post", color="black", linewidth=1.8)
    bottom.set_ylim(-5, 105)
    bottom.set_ylabel("share of an extra yuan\nborne by the group (%)")
    bottom.set_xlabel("spending as percent of budget (hypothetical scenarios)")
    fig.text(0.01, 0.005, SCENARIO_NOTE, fontsize=9, color="0.3", ha="left", va="bottom")
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    return fig


def interactive_schedule(rules: RiskSharingRules) -> ipywidgets.VBox:
    """Sliders over every parameter, redrawing :func:`plot_schedule` (for Binder/Jupyter).

    Parameters
    ----------
    rules
        Starting values, normally ``RiskSharingRules.from_claims()``.

    Returns
    -------
    ipywidgets.VBox
        Sliders and the output area; the performance/capacity split is one slider so the two
        shares always sum to one.
    """
    import ipywidgets as widgets
    from IPython.display import display

    names = [f.name for f in fields(rules) if f.name != "surplus_capacity_share"]
    sliders = {
        name: widgets.FloatSlider(
            value=getattr(rules, name),
            min=0.0,
            max=1.0,
            step=0.01,
            description=name,
            readout_format=".2f",
            style={"description_width": "18em"},
            layout=widgets.Layout(width="36em"),
        )
        for name in names
    }
    out = widgets.Output()

    def redraw(**values: float) -> None:
        out.clear_output(wait=True)
        values["surplus_capacity_share"] = 1.0 - values["surplus_performance_share"]
        with out:
            try:
                fig = plot_schedule(RiskSharingRules(**values))
            except ValueError as err:  # e.g. band 1 limit above band 2 limit
                print(f"Not a valid schedule: {err}")
                return
            display(fig)
            plt.close(fig)

    widgets.interactive_output(redraw, sliders)
    return widgets.VBox([*sliders.values(), out])
