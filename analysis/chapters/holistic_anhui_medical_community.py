"""Holistic governance of Anhui's tight county medical communities
(``book/frameworks/holistic_anhui_medical_community.md``): Cui & Wang 2021.

The page's numbers are the paper's reported facts (claims ``ah_*``); its figure is the lens's
framework diagram.

Examples
--------
>>> values = numbers()
>>> values["ah-pilot-counties-2019"] == values["ah-surveyed-counties-2020"]
True
>>> values["ah-packages"].count("、") + 1
2
"""

from __future__ import annotations

from typing import Any

from IPython.display import Markdown
from matplotlib.figure import Figure

from analysis import frameworks as fw
from analysis.chapters.sources import claims as claim_table
from analysis.chapters.sources import crosswalk
from analysis.plotting.diagrams import draw_framework

LENS = "holistic_anhui"
#: Claims glued as whole numbers.
COUNT_CLAIMS: tuple[str, ...] = (
    "ah_pilot_counties_2019",
    "ah_pilot_year",
    "ah_survey_year",
    "ah_surveyed_counties_2020",
    "ah_tianchang_personnel_powers",
    "ah_tianchang_financial_powers",
)
#: Claims glued as printed (Chinese), spaces removed.
PRINTED_CLAIMS: tuple[str, ...] = (
    "ah_path_slogan",
    "ah_county_disease_catalogue",
    "ah_township_disease_catalogue",
)
#: Claim-id prefixes of the parts of the "two bundles, three lists, six connections" path.
PATH_PARTS: dict[str, str] = {
    "ah-packages": "ah_package_",
    "ah-lists": "ah_list_",
    "ah-links": "ah_link_",
}


def _key(claim_id: str) -> str:
    return claim_id.replace("_", "-")


def numbers() -> dict[str, Any]:
    """Every number the page glues, from the ``ah_*`` claims and the crosswalk."""
    claims = claim_table()
    c = claims.set_index("claim_id")
    out: dict[str, Any] = {_key(cid): int(c.at[cid, "value"]) for cid in COUNT_CLAIMS}
    out.update(
        {_key(cid): str(c.at[cid, "value_as_printed"]).replace(" ", "") for cid in PRINTED_CLAIMS}
    )
    for key, prefix in PATH_PARTS.items():
        rows = claims.loc[claims["claim_id"].str.startswith(prefix)]
        out[key] = "、".join(rows["value_as_printed"])
    out["ah-lens-quote"] = crosswalk().lens(LENS)["source_zh"]
    out["ah-n-mech"] = len(crosswalk().mechanisms_of(LENS))
    return out


def figure_framework() -> Figure:
    """Cui and Wang's framework redrawn from the crosswalk (``fig-ah-framework``)."""
    return draw_framework(LENS, crosswalk())


def mechanisms() -> Markdown:
    """The lens's mechanisms in the paper's words."""
    return Markdown(fw.mechanism_markdown(crosswalk(), LENS))
