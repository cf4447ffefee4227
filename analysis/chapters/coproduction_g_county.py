"""Co-production in G County (``book/frameworks/coproduction_g_county.md``).

The page's numbers are Yang et al.'s reported counts (claims ``gc_*``), its figures the lens's
framework diagram and G County's three-level handling network.

Examples
--------
>>> values = numbers()
>>> values["gc-lower-outlets"] == values["gc-township-stations"] + values["gc-village-rooms"]
True
"""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import Markdown
from matplotlib.figure import Figure

from analysis import frameworks as fw
from analysis.chapters.sources import claims as claim_table
from analysis.chapters.sources import crosswalk
from analysis.plotting.diagrams import draw_framework
from analysis.plotting.style import use_book_style

LENS = "coproduction_g_county"

#: Claims glued as whole numbers, by glue label.
_COUNT_CLAIMS: dict[str, str] = {
    "gc-county-centres": "gc_county_centres",
    "gc-township-stations": "gc_township_stations",
    "gc-village-rooms": "gc_village_rooms",
    "gc-items-delegated": "gc_items_delegated",
    "gc-completion-days": "gc_completion_days",
    "gc-bureau-year": "gc_bureau_year",
    "gc-provincial-pilot-year": "gc_provincial_pilot_year",
    "gc-programme-document-year": "gc_programme_document_year",
    "gc-mechanisms-count": "gc_mechanisms_count",
    "gc-coproduction-origin-decade": "yang_coproduction_origin_decade",
}


def numbers() -> dict[str, Any]:
    """Every number the page glues, from the ``gc_*`` claims and the crosswalk."""
    c = claim_table().set_index("claim_id")

    def month(claim_id: str) -> str:
        return pd.Period(c.at[claim_id, "period"], freq="M").strftime("%B %Y")

    out: dict[str, Any] = {key: int(c.at[cid, "value"]) for key, cid in _COUNT_CLAIMS.items()}
    out.update(
        {
            "gc-cases": f"{c.at['gc_cases_2022', 'value']:,.0f}",
            "gc-cases-year": str(c.at["gc_cases_2022", "period"]),
            # Printed as "70% 以上" (70% or more): the lower bound is kept in the wording.
            "gc-review-cut": f"{c.at['gc_review_time_cut', 'value']:.0f}% or more",
            "gc-ocr-date": month("gc_ocr_date"),
            "gc-rollout": month("gc_city_rollout_date"),
            "gc-lens-quote": crosswalk().lens(LENS)["source_zh"],
            "gc-lower-outlets": int(
                c.at["gc_township_stations", "value"] + c.at["gc_village_rooms", "value"]
            ),
            "gc-n-mech": len(crosswalk().mechanisms_of(LENS)),
        }
    )
    return out


def figure_framework() -> Figure:
    """Yang et al.'s co-production framework redrawn from the crosswalk (``fig-gc-framework``)."""
    return draw_framework(LENS, crosswalk())


def figure_network() -> Figure:
    """G County's handling network (``fig-gc-network``)."""
    return plot_g_county_network(claim_table())


def mechanisms() -> Markdown:
    """The lens's mechanisms in the paper's words."""
    return Markdown(fw.mechanism_markdown(crosswalk(), LENS))


G_COUNTY_LEVELS: tuple[tuple[str, str], ...] = (
    ("gc_county_centres", "county handling centres\n县级经办中心"),
    ("gc_township_stations", "township insurance stations\n乡镇医保工作站"),
    ("gc_village_rooms", "village/community service rooms\n村(社区)医保便民服务室"),
)


def g_county_network(claims: pd.DataFrame) -> pd.DataFrame:
    """Outlets per level of G County's network and the 2022 workload of the lower two levels.

    Returns
    -------
    pandas.DataFrame
        One row per level: claim_id, level, outlets (reported).
    """
    table = claims.set_index("claim_id")
    return pd.DataFrame(
        [
            {"claim_id": cid, "level": label, "outlets": float(table.at[cid, "value"])}
            for cid, label in G_COUNTY_LEVELS
        ]
    )


def plot_g_county_network(claims: pd.DataFrame) -> Figure:
    """G County's three-level handling network: outlets per level, delegated items, workload.

    Parameters
    ----------
    claims
        ``load_data("claims").frame`` (uses ``gc_county_centres``, ``gc_township_stations``,
        ``gc_village_rooms``, ``gc_items_delegated`` and ``gc_cases_2022``).

    Returns
    -------
    matplotlib.figure.Figure
        Left: outlets per level (reported). Right: cases handled in 2022 by township stations
        and village rooms together (reported) and per outlet (computed from reported values).
    """
    use_book_style()
    table = claims.set_index("claim_id")
    network = g_county_network(claims)
    items = int(table.at["gc_items_delegated", "value"])
    cases = float(table.at["gc_cases_2022", "value"])
    lower = network["outlets"].iloc[1:].sum()
    fig, (left, right) = plt.subplots(
        1, 2, figsize=(9.0, 3.8), gridspec_kw={"width_ratios": [1.6, 1]}
    )
    y = list(range(len(network)))[::-1]
    left.barh(y, network["outlets"], color="0.45", edgecolor="black", height=0.55)
    for yi, value in zip(y, network["outlets"]):
        left.text(value + 4, yi, f"{value:.0f}", va="center", fontsize=9)
    left.set_yticks(y, network["level"], fontsize=9)
    left.set_xlabel("网点数 outlets (reported)")
    left.set_xlim(0, network["outlets"].max() * 1.18)
    left.set_title(
        f"各级网点 Outlets by level\n({items} service items delegated, accepted at every outlet)",
        fontsize=9,
    )
    left.grid(axis="y", visible=False)
    bars = right.bar(
        [0, 1], [cases, cases / lower], color=["0.45", "white"], edgecolor="black", hatch=["", "//"]
    )
    right.set_yscale("log")
    right.set_xticks(
        [0, 1],
        [
            "办件量 cases,\n2022 (reported)",
            f"per township or\nvillage outlet\n(computed: ÷ {lower:.0f})",
        ],
        fontsize=9,
    )
    for bar, value in zip(bars, [cases, cases / lower]):
        right.text(
            bar.get_x() + bar.get_width() / 2,
            value * 1.25,
            f"{value:,.0f}",
            ha="center",
            fontsize=9,
        )
    right.set_ylim(1, cases * 6)
    right.set_ylabel("cases handled (log scale)", fontsize=9)
    right.set_title("乡村两级办件量\nTownship and village workload", fontsize=9)
    right.grid(axis="x", visible=False)
    fig.text(0.01, 0.01, "报告值 reported: Yang et al. 2023, section 2.2.", fontsize=9, color="0.3")
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    return fig
