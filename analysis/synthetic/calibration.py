"""Compare the treated district's synthetic annual aggregates with the reported anchors.

The comparison is made at the paper's printed precision (one decimal place), which is the only
precision at which the synthetic data can honestly be said to "reproduce" a reported number.
The generator refuses to write data that miss an anchor; the tests and the book's data chapter
show the same table.

Examples
--------
>>> from analysis.synthetic import generate
>>> data = generate()
>>> check = anchor_check(data.district_monthly, data.anchors)
>>> bool(check["matches"].all()), list(check.columns[:3])
(True, ['quantity', 'year', 'claim_id'])
"""

from __future__ import annotations

import pandas as pd

from analysis.datasets import add_shares
from analysis.synthetic.config import Anchors, treated_district


def annual_totals(monthly: pd.DataFrame, district: str | None = None) -> pd.DataFrame:
    """Sum one district's monthly counts by calendar year.

    Parameters
    ----------
    monthly
        Rows of ``district_monthly`` (``month`` as text or datetime).
    district
        District id; the treated district of the assumptions file when ``None``.

    Returns
    -------
    pandas.DataFrame
        Indexed by year, one column per count, plus percent shares.
    """
    district = district or treated_district()
    rows = monthly[monthly["district"] == district].copy()
    rows["year"] = pd.to_datetime(rows["month"]).dt.year
    counts = [c for c in rows.columns if c.endswith(("_primary", "_total"))]
    return add_shares(rows.groupby("year")[counts].sum())


def anchor_check(
    monthly: pd.DataFrame, anchors: Anchors, district: str | None = None
) -> pd.DataFrame:
    """One row per reported anchor: reported value, synthetic value, and whether they agree.

    Parameters
    ----------
    monthly
        Rows of ``district_monthly``.
    anchors
        Reported values.
    district
        The district calibrated to them; the treated district of the assumptions file when
        ``None``.

    Returns
    -------
    pandas.DataFrame
        Columns ``quantity``, ``year``, ``claim_id``, ``target_provenance``, ``reported``,
        ``synthetic`` (rounded to one decimal), ``synthetic_exact`` and ``matches``.
    """
    annual = annual_totals(monthly, district)
    ids = anchors.claim_ids
    rows: list[dict[str, object]] = []

    def add(
        quantity: str,
        year: int | str,
        claim_id: str,
        provenance: str,
        reported: float,
        exact: float,
    ) -> None:
        rows.append(
            {
                "quantity": quantity,
                "year": str(year),
                "claim_id": claim_id,
                "target_provenance": provenance,
                "reported": reported,
                "synthetic": round(exact, 1),
                "synthetic_exact": exact,
                "matches": round(exact, 1) == round(reported, 1),
            }
        )

    for share in ("visit_share", "admission_share", "fund_share"):
        for year, value in sorted(getattr(anchors, share).items()):
            add(
                f"{share} (%)",
                year,
                ids[f"{share}_{year}"],
                "reported",
                value,
                float(annual.loc[year, share]),
            )
    post, before = anchors.post_year, anchors.post_year - 1
    base = anchors.reform_year - 1
    add(
        f"visit_share (%) = {base} value + reported rise",
        post,
        f"{ids['visit_share_change_post']} + {ids['visit_share_change_year']}",
        "reported change, assumed year",
        anchors.post_visit_share,
        float(annual.loc[post, "visit_share"]),
    )
    add(
        "primary-care visits, growth over previous year (%)",
        post,
        ids["outpatient_volume_growth"],
        "reported, assumed year",
        anchors.outpatient_growth_pct,
        100.0 * (annual.loc[post, "visits_primary"] / annual.loc[before, "visits_primary"] - 1),
    )
    add(
        "primary-care admissions, growth over previous year (%)",
        post,
        ids["admission_volume_growth"],
        "reported, assumed year",
        anchors.admission_growth_pct,
        100.0
        * (annual.loc[post, "admissions_primary"] / annual.loc[before, "admissions_primary"] - 1),
    )
    last = int(annual.index.max())
    add(
        "primary-care fund, average annual growth (%)",
        f"{base + 1}-{last}",
        ids["fund_growth_annual"],
        "reported",
        anchors.fund_growth_pct,
        100.0
        * (
            (annual.loc[last, "fund_primary"] / annual.loc[base, "fund_primary"])
            ** (1 / (last - base))
            - 1
        ),
    )
    return pd.DataFrame(rows)
