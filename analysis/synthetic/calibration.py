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

import copy
import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis.datasets import add_shares
from analysis.synthetic.config import Anchors, treated_district, treated_settings
from analysis.synthetic.district import year_factor, years_of


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
                f"{SHARE_LABELS[share]} (%)",
                year,
                ids[f"{share}_{year}"],
                "reported",
                value,
                float(annual.loc[year, share]),
            )
    post, before = anchors.post_year, anchors.post_year - 1
    base = anchors.reform_year - 1
    add(
        f"{SHARE_LABELS['visit_share']} (%) = {base} value + reported rise",
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


# ------------------------------------------------------------------ implied quantities

#: Reader-facing names of the shares, for the rows of the calibration tables.
SHARE_LABELS: dict[str, str] = {
    "visit_share": "primary-care share of outpatient visits",
    "admission_share": "primary-care share of inpatient admissions",
    "fund_share": "primary-care fund share",
}
#: The institutions outside primary care, whose counts are the total less primary care.
OTHERS = "hospitals and other institutions"
PRIMARY = "primary care"
ALL = "all institutions"


def measure_label(measure: str, part: str) -> str:
    """What one count of one group of institutions is, e.g. "outpatient visits, primary care".

    The fund share's denominator is defined in words that the papers leave open, so its parts
    are named by their place in the share, not as insurance revenue.
    """
    if measure == "fund":
        return {
            PRIMARY: "fund revenue, primary care",
            OTHERS: "fund-share denominator less primary care (mostly hospitals)",
            ALL: "fund-share denominator (all institutions)",
        }[part]
    return f"{ {'visits': 'outpatient visits', 'admissions': 'inpatient admissions'}[measure] }, {part}"


def odds(share_pct: float) -> float:
    """Non-primary over primary-care amount for a primary-care share in percent."""
    return (100.0 - share_pct) / share_pct


def _growth_pct(values: pd.Series, year: int) -> float:
    return 100.0 * (values.loc[year] / values.loc[year - 1] - 1.0)


def _average_growth_pct(values: pd.Series, first: int, last: int) -> float:
    return 100.0 * ((values.loc[last] / values.loc[first]) ** (1.0 / (last - first)) - 1.0)


def non_primary(annual: pd.DataFrame, measure: str) -> pd.Series:
    """The total less primary care: what institutions other than primary care account for."""
    return annual[f"{measure}_total"] - annual[f"{measure}_primary"]


def closed_form_fund_path(config: dict[str, Any], anchors: Anchors) -> pd.DataFrame:
    """The treated district's annual fund revenue computed by formula, without rounding.

    Before the reform the total follows the assumed start and growth (times the assumed
    disruption of the COVID-19 year) and the primary-care share is interpolated between the
    reported anchors; from the reform on primary care's revenue grows at the reported average
    rate and the total is primary care's revenue over the assumed share. Other institutions'
    revenue is therefore ``P / s - P`` in reform years. The generator builds rounded integers
    the same way, so its annual sums must agree with this path to rounding error.

    Parameters
    ----------
    config
        Parsed assumptions.
    anchors
        Reported values.

    Returns
    -------
    pandas.DataFrame
        Indexed by year: ``fund_primary``, ``fund_total``, ``fund_other``, ``fund_share``.
    """
    settings = treated_settings(config)
    years = years_of(config)
    pre = [y for y in years if y < anchors.reform_year]
    known = sorted(anchors.fund_share)
    rows: dict[int, dict[str, float]] = {}
    for y in pre:
        total = (
            settings["fund_total_2017"]
            * (1 + settings["fund_total_growth"]) ** (y - years[0])
            * year_factor(config, "fund", y)
        )
        share = float(np.interp(y, known, [anchors.fund_share[k] for k in known]))
        rows[y] = {"fund_primary": share / 100 * total, "fund_share": share}
    post_shares = {int(k): float(v) for k, v in settings["fund_share_post"].items()}
    for y in (y for y in years if y >= anchors.reform_year):
        primary = rows[y - 1]["fund_primary"] * (1 + anchors.fund_growth_pct / 100)
        rows[y] = {"fund_primary": primary, "fund_share": post_shares[y]}
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame["fund_total"] = frame["fund_primary"] * 100 / frame["fund_share"]
    frame["fund_other"] = frame["fund_total"] - frame["fund_primary"]
    frame.index.name = "year"
    return frame[["fund_primary", "fund_total", "fund_other", "fund_share"]]


def other_fund_growth_pre_reform(config: dict[str, Any], anchors: Anchors) -> float:
    """Average yearly growth (percent) of other institutions' fund revenue before the reform.

    Closed form: the assumed total growth compounded over the pre-reform span, times the
    change in the non-primary share between the two reported anchors.
    """
    first, last = min(anchors.fund_share), anchors.reform_year - 1
    span = last - first
    growth = (1 + treated_settings(config)["fund_total_growth"]) ** span
    disruption = year_factor(config, "fund", last) / year_factor(config, "fund", first)
    shares = (100 - anchors.fund_share[last]) / (100 - anchors.fund_share[first])
    return 100.0 * ((growth * disruption * shares) ** (1 / span) - 1)


def fund_share_path_for_other_growth(
    anchors: Anchors, growth_pct: Mapping[int, float]
) -> dict[int, float]:
    """Post-reform primary-care fund shares if other institutions' revenue grew as given.

    Primary care's revenue grows at the reported average rate; with other institutions'
    growth ``g`` the ratio of the two changes by ``(1 + g) / (1 + g_primary)`` each year.

    Parameters
    ----------
    anchors
        Reported values (the last pre-reform share and primary care's growth).
    growth_pct
        Year -> growth of other institutions' revenue over the previous year, percent.

    Returns
    -------
    dict
        Year -> primary-care share in percent.
    """
    ratio = odds(anchors.fund_share[anchors.reform_year - 1])
    path: dict[int, float] = {}
    for year in sorted(growth_pct):
        ratio *= (1 + growth_pct[year] / 100) / (1 + anchors.fund_growth_pct / 100)
        path[year] = 100.0 / (1.0 + ratio)
    return path


def fund_share_path_continuing_trend(anchors: Anchors, years: Sequence[int]) -> dict[int, float]:
    """Post-reform fund shares on the straight line through the two reported anchors."""
    first, last = min(anchors.fund_share), max(anchors.fund_share)
    slope = (anchors.fund_share[last] - anchors.fund_share[first]) / (last - first)
    return {y: anchors.fund_share[last] + slope * (y - last) for y in years}


def _implied_row(
    quantity: str,
    years: str,
    value: float,
    unit: str,
    claims: Sequence[str],
    settings: Sequence[str],
) -> dict[str, object]:
    return {
        "quantity": quantity,
        "years": years,
        "value": value,
        "unit": unit,
        "reported_claims": "; ".join(claims),
        "assumed_settings": "; ".join(settings),
    }


def implied_quantities(
    monthly: pd.DataFrame, anchors: Anchors, config: dict[str, Any]
) -> pd.DataFrame:
    """Every quantity the calibration implies but neither the papers nor the assumptions state.

    Each row is computed from the treated district's synthetic annual totals and names what
    it follows from: the reported claims (by id) and the assumed settings (as
    ``[table] key`` of the assumptions file). Quantities that are themselves a setting or a
    claim are not listed; they are inputs, not implications.

    Parameters
    ----------
    monthly
        Rows of ``district_monthly`` generated from ``config``.
    anchors
        Reported values.
    config
        Parsed assumptions.

    Returns
    -------
    pandas.DataFrame
        Columns ``quantity``, ``years``, ``value``, ``unit``, ``reported_claims``,
        ``assumed_settings``.
    """
    district = treated_district(config)
    annual = annual_totals(monthly, district)
    ids = anchors.claim_ids
    table = f"[treated.{district}]"
    first, last_pre = int(annual.index.min()), anchors.reform_year - 1
    reform_years = [int(y) for y in annual.index if y >= anchors.reform_year]
    post = anchors.post_year
    rows: list[dict[str, object]] = []

    def counts(measure: str, part: str) -> pd.Series:
        if part == OTHERS:
            return non_primary(annual, measure)
        return annual[f"{measure}_{'primary' if part == PRIMARY else 'total'}"]

    def growth(measure: str, part: str, year: int, claims: list[str], settings: list[str]):
        rows.append(
            _implied_row(
                f"{measure_label(measure, part)}, growth over previous year",
                str(year),
                _growth_pct(counts(measure, part), year),
                "percent",
                claims,
                settings,
            )
        )

    def share(name: str, year: int, claims: list[str], settings: list[str]):
        rows.append(
            _implied_row(
                SHARE_LABELS[name],
                str(year),
                float(annual.loc[year, name]),
                "percent",
                claims,
                settings,
            )
        )

    # Before the reform the totals grow as assumed and the shares fall as reported, so the
    # growth of each part is implied.
    for measure, name in (
        ("visits", "visit_share"),
        ("admissions", "admission_share"),
        ("fund", "fund_share"),
    ):
        claims = [ids[f"{name}_{y}"] for y in sorted(getattr(anchors, name))]
        settings = [f"{table} {measure}_total_growth", "[covid] volume_multiplier"]
        for part in (PRIMARY, OTHERS):
            rows.append(
                _implied_row(
                    f"{measure_label(measure, part)}, average growth per year",
                    f"{first}-{last_pre}",
                    _average_growth_pct(counts(measure, part), first, last_pre),
                    "percent",
                    claims,
                    settings,
                )
            )

    # The fund after the reform: primary care grows at the reported rate and the share is
    # assumed, so the rest of the denominator and the denominator itself are implied.
    fund_claims = [ids[f"fund_share_{last_pre}"], ids["fund_growth_annual"]]
    for y in reform_years:
        for part in (OTHERS, ALL):
            growth("fund", part, y, fund_claims, [f"{table} fund_share_post"])

    # Visits after the reform: before the assumed post year the share and the total are
    # assumed; in it the primary-care growth and the share are reported; after it the share
    # drifts and the total grows as assumed.
    visit_claims = [
        ids[f"visit_share_{last_pre}"],
        ids["visit_share_change_post"],
        ids["visit_share_change_year"],
    ]
    reached = f"{table} visit_share_rise_reached_before_post_year"
    all_growth = f"{table} visits_total_growth_post"
    volume_claims = [*visit_claims, ids["outpatient_volume_growth"]]
    for y in reform_years:
        if y < post:
            share("visit_share", y, visit_claims, [reached])
            for part in (PRIMARY, OTHERS):
                growth("visits", part, y, visit_claims, [reached, all_growth])
        elif y == post:
            for part in (ALL, OTHERS):
                growth("visits", part, y, volume_claims, [reached, all_growth])
        else:
            drift = f"{table} visit_share_drift_after_post_year_pp"
            for part in (PRIMARY, OTHERS):
                growth("visits", part, y, volume_claims, [drift, all_growth])

    # Admissions after the reform: in the assumed post year the primary-care growth is
    # reported and the total's growth assumed, so the share is implied.
    rise = f"{table} admission_share_rise_before_post_year_pp"
    admission_claims = [ids[f"admission_share_{last_pre}"], ids["admission_volume_growth"]]
    for y in reform_years:
        if y < post:
            settings = [rise, f"{table} admissions_total_growth"]
            for part in (PRIMARY, OTHERS):
                growth("admissions", part, y, admission_claims[:1], settings)
        elif y == post:
            settings = [rise, f"{table} admissions_total_growth_post"]
            share("admission_share", y, admission_claims, settings)
            growth("admissions", OTHERS, y, admission_claims, settings)
        else:
            settings = [f"{table} admissions_total_growth"]
            for part in (PRIMARY, OTHERS):
                growth("admissions", part, y, admission_claims, settings)
    return pd.DataFrame(rows)


# ------------------------------------------------------------------ alternative assumptions


def with_treated_settings(config: dict[str, Any], **settings: Any) -> dict[str, Any]:
    """A deep copy of ``config`` with some settings of the treated district replaced."""
    changed = copy.deepcopy(config)
    table = changed["treated"][treated_district(changed)]
    unknown = set(settings) - set(table)
    if unknown:
        raise KeyError(f"not settings of the treated district: {sorted(unknown)}")
    table.update(settings)
    return changed


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"TOML cannot hold {value!r} here")
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        items = ", ".join(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items())
        return "{ " + items + " }"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def _toml_key(key: Any) -> str:
    text = str(key)
    return text if text.replace("_", "").replace("-", "").isalnum() else json.dumps(text)


def write_config(config: dict[str, Any], path: Path) -> Path:
    """Write parsed assumptions back to TOML (without comments) so the generator can read them.

    Every top-level table becomes a ``[table]`` whose nested tables are written inline, which
    :mod:`tomllib` reads back to the same dictionary.

    Examples
    --------
    >>> import tempfile, tomllib
    >>> from analysis.synthetic.config import load_config
    >>> cfg = load_config()
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     written = write_config(cfg, Path(tmp) / "a.toml")
    ...     tomllib.loads(written.read_text(encoding="utf-8")) == cfg
    True
    """
    lines: list[str] = []
    for name, table in config.items():
        if not isinstance(table, dict):
            raise ValueError(f"top-level key {name!r} is not a table")
        lines.append(f"[{_toml_key(name)}]")
        lines.extend(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in table.items())
        lines.append("")
    path = Path(path)
    path.write_text("\n".join(lines), encoding="utf-8")
    return path
