"""The case the book analyses, defined once: Qianjiang's 2023 reform and its share series.

Everything a chapter needs to know about the case lives here and nowhere else:

* the treated district's id in the synthetic data and the source of its reported points;
* the reform month, read from the claims ledger (``[anchors].reform_start_year`` names the
  claim; the first treated month is January of that year);
* the COVID-19 window the ITS main model models and excludes, whose year is read from
  ``[covid].year`` of ``data/synthetic/assumptions.toml``;
* the table of share series: name, numerator and denominator columns, English and Chinese
  labels, and the claim ids behind the reported points (read from ``[anchors]``).

Engines (``analysis.its``, ``analysis.did``, ...) never import this module; chapter modules do.

Examples
--------
>>> REFORM_MONTH.strftime("%Y-%m"), REFORM_YEAR
('2023-01', 2023)
>>> COVID_START.strftime("%Y-%m"), COVID_EXCLUDED_MONTHS
('2020-02', 6)
>>> SHARES["fund_share"].numerator, SHARES["fund_share"].claim_ids
('fund_primary', ('qj_fund_share_2017', 'qj_fund_share_2022'))
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis.frameworks import FUND_SHARE_ZH
from analysis.synthetic.config import load_config, read_anchors

TREATED_DISTRICT = "qianjiang"
TREATED_NAME = "Qianjiang"
REPORTED_SOURCE = "Luo et al. 2025"

_CONFIG = load_config()
_ANCHORS = read_anchors(_CONFIG, require_pilot=False)

REFORM_YEAR: int = _ANCHORS.reform_year
REFORM_MONTH: pd.Timestamp = pd.Timestamp(year=REFORM_YEAR, month=1, day=1)
REFORM_CLAIM: str = _ANCHORS.claim_ids["reform_start_year"]
# The acute disruption of the generator's COVID-19 multipliers runs February to July; the ITS
# main model puts a level change at its start and leaves those months out of the fit.
COVID_START: pd.Timestamp = pd.Timestamp(year=int(_CONFIG["covid"]["year"]), month=2, day=1)
COVID_EXCLUDED_MONTHS: int = 6
COVID_EXCLUDED_LAST: pd.Timestamp = COVID_START + pd.DateOffset(months=COVID_EXCLUDED_MONTHS - 1)
POST_YEAR_ASSUMED: int = _ANCHORS.post_year


@dataclass(frozen=True)
class ShareSeries:
    """One primary-care share series.

    Attributes
    ----------
    name
        Column of the share (percent) in the loaded datasets.
    numerator, denominator
        Count columns it is computed from.
    short_label
        Lower-case short name used in legends, e.g. "visit share".
    label_en, label_zh
        Axis label in English and the paper's Chinese term.
    claim_ids
        Claims behind Qianjiang's reported points of this series.
    """

    name: str
    numerator: str
    denominator: str
    short_label: str
    label_en: str
    label_zh: str
    claim_ids: tuple[str, ...]

    @property
    def title(self) -> str:
        """Capitalised short label, e.g. "Visit share"."""
        return self.short_label[:1].upper() + self.short_label[1:]


def _series(
    name: str, numerator: str, denominator: str, short: str, en: str, zh: str
) -> ShareSeries:
    ids = tuple(
        _ANCHORS.claim_ids[k]
        for k in sorted(_ANCHORS.claim_ids)
        if k.startswith(name + "_") and k.removeprefix(name + "_").isdigit()
    )
    return ShareSeries(name, numerator, denominator, short, en, zh, ids)


SHARES: dict[str, ShareSeries] = {
    s.name: s
    for s in (
        _series(
            "visit_share",
            "visits_primary",
            "visits_total",
            "visit share",
            "primary-care share of outpatient visits (%)",
            "基层医疗卫生机构诊疗人次占比",
        ),
        _series(
            "admission_share",
            "admissions_primary",
            "admissions_total",
            "admission share",
            "primary-care share of admissions (%)",
            "基层住院人数占比",
        ),
        _series(
            "fund_share",
            "fund_primary",
            "fund_total",
            "fund share",
            "primary-care insurance-fund revenue, % of all county institutions' revenue",
            FUND_SHARE_ZH,
        ),
    )
}


def share_table() -> pd.DataFrame:
    """The share series as a table (one row each), for pages that show the definitions."""
    return pd.DataFrame(
        [
            {
                "series": s.name,
                "numerator": s.numerator,
                "denominator": s.denominator,
                "label": s.label_en,
                "label_zh": s.label_zh,
                "claims": "; ".join(s.claim_ids),
            }
            for s in SHARES.values()
        ]
    )


def reported_points() -> pd.DataFrame:
    """Qianjiang's reported shares (2017, 2022) and the post-reform visit share.

    One row per point: ``series``, ``year``, ``value`` (percent), ``provenance``, ``claim_id``,
    ``note``. The post-reform visit share is the 2022 value plus the reported rise, placed at the
    assumed year, so its provenance is *assumed*; the paper does not state the year.

    Examples
    --------
    >>> points = reported_points()
    >>> points.groupby("provenance").size().to_dict()
    {'assumed': 1, 'reported': 6}
    """
    from analysis.datasets import load_data

    claims = load_data("claims").frame.set_index("claim_id")
    rows = []
    for share in SHARES.values():
        for claim_id in share.claim_ids:
            rows.append(
                {
                    "series": share.name,
                    "year": int(claims.at[claim_id, "period"]),
                    "value": float(claims.at[claim_id, "value"]),
                    "provenance": claims.at[claim_id, "provenance"],
                    "claim_id": claim_id,
                    "note": "",
                }
            )
    change_id = _ANCHORS.claim_ids["visit_share_change_post"]
    year_id = _ANCHORS.claim_ids["visit_share_change_year"]
    rows.append(
        {
            "series": "visit_share",
            "year": POST_YEAR_ASSUMED,
            "value": _ANCHORS.post_visit_share,
            "provenance": "assumed",
            "claim_id": change_id,
            "note": (
                f"computed: {REFORM_YEAR - 1} value + reported rise ({change_id}); the year "
                f"{POST_YEAR_ASSUMED} is assumed ({year_id}), the paper does not state it"
            ),
        }
    )
    frame = pd.DataFrame(rows)
    frame["year"] = frame["year"].astype("int64")
    frame["value"] = frame["value"].astype(float)
    return frame
