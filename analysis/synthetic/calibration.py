"""Compare Qianjiang's synthetic annual aggregates with the reported anchors.

The comparison is made at the paper's printed precision (one decimal place), which is the only
precision at which the synthetic data can honestly be said to "reproduce" a reported number.
The table returned here is used by the generator (it refuses to write data that miss an
anchor), by the tests and by the "Data and provenance" chapter.
"""

from __future__ import annotations

import pandas as pd

from analysis.synthetic.config import Anchors

_SHARE_COLUMNS = {"visit_share": "visits", "admission_share": "admissions", "fund_share": "fund"}


def annual_totals(monthly: pd.DataFrame, district: str = "qianjiang") -> pd.DataFrame:
    """Sum one district's monthly counts by calendar year.

    Parameters
    ----------
    monthly
        Rows of ``district_monthly`` (``month`` as text or datetime).
    district
        District id.

    Returns
    -------
    pandas.DataFrame
        Indexed by year, one column per count, plus percent shares.
    """
    rows = monthly[monthly["district"] == district].copy()
    rows["year"] = pd.to_datetime(rows["month"]).dt.year
    counts = [c for c in rows.columns if c.endswith(("_primary", "_total"))]
    annual = rows.groupby("year")[counts].sum()
    for share, measure in _SHARE_COLUMNS.items():
        annual[share] = 100.0 * annual[f"{measure}_primary"] / annual[f"{measure}_total"]
    return annual


def anchor_check(monthly: pd.DataFrame, anchors: Anchors) -> pd.DataFrame:
    """One row per reported anchor: reported value, synthetic value, and whether they agree.

    Parameters
    ----------
    monthly
        Rows of ``district_monthly``.
    anchors
        Reported values.

    Returns
    -------
    pandas.DataFrame
        Columns ``quantity``, ``year``, ``claim_id``, ``target_provenance``, ``reported``,
        ``synthetic`` (rounded to one decimal), ``synthetic_exact`` and ``matches``.
    """
    annual = annual_totals(monthly)
    ids = anchors.claim_ids
    rows: list[dict[str, object]] = []

    def add(quantity: str, year: int | str, claim_id: str, provenance: str, reported: float,
            exact: float) -> None:
        rows.append({"quantity": quantity, "year": str(year), "claim_id": claim_id,
                     "target_provenance": provenance, "reported": reported,
                     "synthetic": round(exact, 1), "synthetic_exact": exact,
                     "matches": round(exact, 1) == round(reported, 1)})

    for share in ("visit_share", "admission_share", "fund_share"):
        for year, value in sorted(getattr(anchors, share).items()):
            add(f"{share} (%)", year, ids[f"{share}_{year}"], "reported", value,
                float(annual.loc[year, share]))
    post, before = anchors.post_year, anchors.post_year - 1
    add("visit_share (%) = 2022 value + reported rise", post,
        f"{ids['visit_share_change_post']} + {ids['visit_share_change_year']}",
        "reported change, assumed year", anchors.post_visit_share,
        float(annual.loc[post, "visit_share"]))
    add("primary-care visits, growth over previous year (%)", post,
        ids["outpatient_volume_growth"], "reported, assumed year", anchors.outpatient_growth_pct,
        100.0 * (annual.loc[post, "visits_primary"] / annual.loc[before, "visits_primary"] - 1))
    add("primary-care admissions, growth over previous year (%)", post,
        ids["admission_volume_growth"], "reported, assumed year", anchors.admission_growth_pct,
        100.0 * (annual.loc[post, "admissions_primary"] / annual.loc[before, "admissions_primary"]
                 - 1))
    last, base = int(annual.index.max()), anchors.reform_year - 1
    n_years = last - base
    add("primary-care fund, average annual growth (%)", f"{base + 1}-{last}",
        ids["fund_growth_annual"], "reported", anchors.fund_growth_pct,
        100.0 * ((annual.loc[last, "fund_primary"] / annual.loc[base, "fund_primary"])
                 ** (1 / n_years) - 1))
    return pd.DataFrame(rows)
