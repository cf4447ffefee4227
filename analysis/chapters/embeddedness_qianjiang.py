"""Embeddedness and incentives in Qianjiang (``book/frameworks/embeddedness_qianjiang.md``).

The page's numbers are Luo et al.'s reported facts (claims ``qj_*``) and the post-reform visit
share at its assumed year; its figures are the lens's framework diagram and the reported points,
drawn by :func:`analysis.chapters.reported_points.figure_reported_points`.

Examples
--------
>>> from analysis.chapters.case import REFORM_YEAR
>>> values = numbers()
>>> values["qj-reform-start-year"] == REFORM_YEAR, values["qj-post-year"] > REFORM_YEAR
(True, True)
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import pandas as pd
from IPython.display import Markdown
from matplotlib.figure import Figure

from analysis import frameworks as fw
from analysis.chapters.case import reported_points
from analysis.chapters.reported_points import figure_reported_points
from analysis.chapters.sources import crosswalk
from analysis.datasets import load_data
from analysis.plotting.diagrams import draw_framework

LENS = "embeddedness_qianjiang"
#: Claims glued as whole numbers.
COUNT_CLAIMS: tuple[str, ...] = (
    "qj_townships",
    "qj_subdistricts",
    "qj_district_hospitals",
    "qj_district_hospitals_public",
    "qj_district_hospitals_private",
    "qj_primary_institutions",
    "qj_reform_start_year",
    "qj_interviews",
)
#: Claims glued with one decimal (a trailing ".0" dropped).
DECIMAL_CLAIMS: tuple[str, ...] = (
    "qj_rural_population_share",
    "qj_aged65_share",
    "qj_visit_share_2017",
    "qj_visit_share_2022",
    "qj_admission_share_2017",
    "qj_admission_share_2022",
    "qj_fund_share_2017",
    "qj_fund_share_2022",
    "qj_visit_share_change_post",
    "qj_outpatient_volume_growth",
    "qj_admission_volume_growth",
    "qj_outpatient_payment_share_change",
    "qj_fund_growth_annual",
)
#: Claims glued with thousands separators.
LARGE_CLAIMS: tuple[str, ...] = (
    "qj_extended_farm_services",
    "qj_extended_home_rehab",
    "qj_extended_mental_screening",
)


@cache
def claim_table() -> pd.DataFrame:
    """The claims table, indexed by claim id."""
    return load_data("claims").frame.set_index("claim_id")


def _key(claim_id: str) -> str:
    return claim_id.replace("_", "-")


def numbers() -> dict[str, Any]:
    """Every number the page glues, from the ``qj_*`` claims, the crosswalk and the case."""
    c = claim_table()
    out: dict[str, Any] = {_key(cid): int(c.at[cid, "value"]) for cid in COUNT_CLAIMS}
    out.update(
        {_key(cid): f"{c.at[cid, 'value']:.1f}".removesuffix(".0") for cid in DECIMAL_CLAIMS}
    )
    out.update({_key(cid): f"{c.at[cid, 'value']:,.0f}" for cid in LARGE_CLAIMS})
    post = reported_points().query("provenance == 'assumed'").iloc[0]
    out.update(
        {
            "qj-first-year": int(c.at["qj_visit_share_2017", "period"]),
            "qj-last-pre-year": int(c.at["qj_visit_share_2022", "period"]),
            # The age threshold is read from the source words ("65岁及以上"), not typed.
            "qj-age-threshold": re.search(
                r"(\d+)岁及以上", c.at["qj_aged65_share", "source_zh"]
            ).group(1),
            "qj-data-years": str(c.at["qj_data_years", "period"]).replace("-", "–"),
            "qj-lens-quote": crosswalk().lens(LENS)["source_zh"],
            "qj-n-mech": len(crosswalk().mechanisms_of(LENS)),
            "qj-post-year": int(post["year"]),
            "qj-post-value": f"{post['value']:.1f}",
        }
    )
    return out


def figure_framework() -> Figure:
    """Luo et al.'s embedding framework redrawn from the crosswalk (``fig-qj-framework``)."""
    return draw_framework(LENS, crosswalk())


def figure_reported() -> Figure:
    """Everything the paper reports on the three shares (``fig-qj-reported``)."""
    return figure_reported_points()


def mechanisms() -> Markdown:
    """The lens's mechanisms in the paper's words."""
    return Markdown(fw.mechanism_markdown(crosswalk(), LENS))
