"""Limitations (``book/limits/limitations.md``): how thin the data are, counted from the files.

Examples
--------
>>> values = numbers()
>>> values["limitations-n-post-fund"]
0
>>> values["limitations-n-visit-points"] > values["limitations-n-fund-points"]
True
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from analysis.chapters import public_context
from analysis.chapters.case import REFORM_MONTH, REFORM_YEAR, SHARES, TREATED_DISTRICT
from analysis.datasets import load_data
from analysis.registry import DATASETS

# Claim ids of a share series start with this prefix and the series name (qj_visit_share_2017).
CLAIM_PREFIX = "qj_"
EVENT_WINDOW_DAYS = 92


def reported_share_points(claims: pd.DataFrame, series: str) -> pd.DataFrame:
    """Reported claims with a value that are a level or a change of one share series."""
    rows = claims["claim_id"].astype(str).str.startswith(f"{CLAIM_PREFIX}{series}_")
    return claims.loc[rows & (claims["provenance"] == "reported") & claims["value"].notna()]


def _post_reform_levels(points: pd.DataFrame) -> int:
    years = pd.to_numeric(points["period"].astype(str).str[:4], errors="coerce")
    is_level = points["unit"] == "percent"
    return int(((years >= REFORM_YEAR) & is_level).sum())


def numbers() -> dict[str, Any]:
    """Counts of reported points, assumptions, units and events for the limitations page."""
    claims = load_data("claims").frame
    by_id = claims.set_index("claim_id")
    points = {s: reported_share_points(claims, s) for s in SHARES}
    events = load_data("qianjiang_events").frame
    near = (pd.to_datetime(events["date"]) - REFORM_MONTH).abs().dt.days <= EVENT_WINDOW_DAYS
    districts = load_data("district_monthly").frame.groupby("district")["treated"].any()
    notes = claims["note"].fillna("").astype(str)
    return {
        "limitations-n-claims": len(claims),
        "limitations-n-visit-points": len(points["visit_share"]),
        "limitations-n-admission-points": len(points["admission_share"]),
        "limitations-n-fund-points": len(points["fund_share"]),
        "limitations-n-post-fund": _post_reform_levels(points["fund_share"]),
        "limitations-change": f"{float(by_id.at[public_context.CHANGE_CLAIM, 'value']):.1f}",
        "limitations-change-year": int(by_id.at[public_context.CHANGE_YEAR_CLAIM, "value"]),
        "limitations-reform-year": REFORM_YEAR,
        "limitations-n-ambiguous": int(notes.str.contains("ambigu", case=False).sum()),
        "limitations-n-synthetic": sum(d.provenance == "synthetic" for d in DATASETS),
        "limitations-n-synthetic-comparisons": int((~districts).sum()),
        "limitations-treated-in-synthetic": int(districts.get(TREATED_DISTRICT, False)),
        "limitations-n-events-near": int(near.sum()),
        "limitations-event-window": EVENT_WINDOW_DAYS,
        "limitations-n-national-years": public_context.numbers()["public-n-years"],
    }
