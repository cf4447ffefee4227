"""Figures of Qianjiang's settlement rules: the group's net position and its marginal incentive.

The rules are *reported* (claims ``qj_*``); the spending axis is a range of hypothetical
scenarios, not observed spending, and every figure says so. The same drawing function serves
the static book page and the ipywidgets version for Binder, so the two cannot disagree.

Examples
--------
>>> from analysis.incentives import RiskSharingRules
>>> fig = plot_schedule(RiskSharingRules.from_claims())
>>> len(fig.axes)
2
>>> import matplotlib.pyplot as plt; plt.close(fig)
"""

from __future__ import annotations

from dataclasses import fields
from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from analysis.incentives import RiskSharingRules, kinks, schedule_table
from analysis.plotting.style import use_book_style

if TYPE_CHECKING:
    import ipywidgets

SCENARIO_NOTE = ("Rules as reported by Luo et al. 2025 (§4.1.2), read from the claims table; "
                 "spending levels are hypothetical scenarios, not observed data.")


def _band_shading(ax, rules: RiskSharingRules, lo: float, hi: float) -> None:
    for i, (a, b) in enumerate(_bands(rules, lo, hi)):
        if i % 2 == 1:
            ax.axvspan(100 * a, 100 * b, color="0.93", zorder=0, linewidth=0)
    for k in kinks(rules):
        ax.axvline(100 * k, color="0.6", linewidth=0.7, linestyle=":", zorder=1)


def _bands(rules: RiskSharingRules, lo: float, hi: float) -> list[tuple[float, float]]:
    edges = [lo, *kinks(rules), hi]
    return list(zip(edges, edges[1:]))


def band_labels(rules: RiskSharingRules) -> list[str]:
    """Short descriptions of the five bands of the schedule, numbers taken from ``rules``.

    Examples
    --------
    >>> from analysis.incentives import RiskSharingRules
    >>> band_labels(RiskSharingRules.from_claims())[3].split()
    ['overspend', '10-20%:', 'fund', 'pays', '60%']
    """
    pct = lambda v: f"{100 * v:.0f}%"  # noqa: E731
    return [
        f"surplus\nbeyond {pct(rules.surplus_retained_limit)}:\n"
        f"{pct(rules.surplus_excess_returned_share)} returned",
        f"surplus\nup to {pct(rules.surplus_retained_limit)}:\n"
        f"{pct(rules.surplus_retained_share)} kept",
        f"overspend\nup to {pct(rules.overspend_band1_limit)}:\n"
        f"fund\npays {pct(rules.overspend_band1_fund_share)}",
        f"overspend\n{pct(rules.overspend_band1_limit)[:-1]}-{pct(rules.overspend_band2_limit)}:\n"
        f"fund\npays {pct(rules.overspend_band2_fund_share)}",
        f"overspend\nbeyond {pct(rules.overspend_band2_limit)}:\n"
        f"fund\npays {pct(rules.overspend_band3_fund_share)}",
    ]


def plot_schedule(rules: RiskSharingRules, lo: float = 0.6, hi: float = 1.4,
                  points: int = 801) -> Figure:
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
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(7.0, 6.2), sharex=True,
                                      gridspec_kw={"height_ratios": [3, 2]})
    for ax in (top, bottom):
        _band_shading(ax, rules, lo, hi)
    top.fill_between(x, 0, table["performance_pay"], color="0.55", alpha=0.5, linewidth=0,
                     label=f"retained surplus: performance pay "
                           f"({100 * rules.surplus_performance_share:.0f}%)")
    top.fill_between(x, table["performance_pay"],
                     table["performance_pay"] + table["capacity_fund"], color="0.8",
                     hatch="///", edgecolor="0.5", linewidth=0,
                     label=f"retained surplus: capacity "
                           f"({100 * rules.surplus_capacity_share:.0f}%)")
    top.plot(x, table["group_net_position"], color="black", linewidth=2.0,
             label="group's net position")
    top.plot(x, table["fund_outlay"] - 100.0, color="0.35", linewidth=1.4, linestyle="--",
             label="fund's outlay above budget")
    top.axhline(0, color="0.3", linewidth=0.8)
    top.set_ylabel("percent of budget")
    top.set_title("Year-end settlement of the primary-care group's budget")
    top.legend(fontsize=7.5, loc="lower center")
    ymin, ymax = top.get_ylim()
    top.set_ylim(ymin, ymax + 0.35 * (ymax - ymin))
    for (a, b), text in zip(_bands(rules, lo, hi), band_labels(rules)):
        top.text(50 * (a + b), 0.985, text, transform=top.get_xaxis_transform(), ha="center",
                 va="top", fontsize=6.2, color="0.2")
    bottom.step(x, -table["marginal"] * 100, where="post", color="black", linewidth=1.8)
    bottom.set_ylim(-5, 105)
    bottom.set_ylabel("share of an extra yuan\nborne by the group (%)")
    bottom.set_xlabel("spending as percent of budget (hypothetical scenarios)")
    fig.text(0.01, 0.005, SCENARIO_NOTE, fontsize=7, color="0.3", ha="left", va="bottom")
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
    sliders = {name: widgets.FloatSlider(value=getattr(rules, name), min=0.0, max=1.0,
                                         step=0.01, description=name, readout_format=".2f",
                                         style={"description_width": "18em"},
                                         layout=widgets.Layout(width="36em"))
               for name in names}
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
