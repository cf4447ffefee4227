"""Monthly primary-care and total counts for the treated district and never-reformed comparisons.

Generation runs in two steps so calibration is exact:

1. **Annual integers.** For the treated district every reported anchor fixes an annual ratio (a
   share, or a growth over the previous year); the annual primary-care and total counts are
   chosen as integers that reproduce it. Years without a reported value follow the assumptions
   file.
2. **Monthly split.** Each annual integer is apportioned to months with seasonal, COVID-19 and
   noise weights (:func:`analysis.synthetic.allocation.allocate`), so the twelve months sum to
   the annual integer exactly and the annual shares stay on the anchors.

All randomness comes from ``numpy.random.default_rng([seed, stream, ...])``: each district has its
own stream, so adding comparison districts does not move the treated district's noise.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from analysis.synthetic.allocation import allocate
from analysis.synthetic.config import Anchors, treated_district, treated_settings

Measure = Literal["visits", "admissions", "fund"]
MEASURES: tuple[Measure, ...] = ("visits", "admissions", "fund")
SHARE_NAME: dict[Measure, str] = {
    "visits": "visit_share",
    "admissions": "admission_share",
    "fund": "fund_share",
}


@dataclass(frozen=True)
class AnnualPath:
    """Annual integer counts of one measure for one district."""

    primary: dict[int, int]
    total: dict[int, int]

    def share(self, year: int) -> float:
        """Primary-care share in percent."""
        return 100.0 * self.primary[year] / self.total[year]


def years_of(config: dict[str, Any]) -> list[int]:
    """Calendar years covered by the monthly data."""
    gen = config["generator"]
    return list(range(int(gen["first_month"][:4]), int(gen["last_month"][:4]) + 1))


def season(config: dict[str, Any], measure: Measure) -> np.ndarray:
    """Month-of-year volume multipliers, rescaled to mean one."""
    s = np.asarray(config["seasonality"][measure], dtype=float)
    return s / s.mean()


def covid_multipliers(config: dict[str, Any], year: int) -> np.ndarray:
    """Monthly volume multipliers for ``year`` (ones outside the COVID-19 year)."""
    if year != int(config["covid"]["year"]):
        return np.ones(12)
    return np.asarray(config["covid"]["volume_multiplier"], dtype=float)


def year_factor(config: dict[str, Any], measure: Measure, year: int) -> float:
    """Annual volume relative to an undisrupted year (below one in the COVID-19 year)."""
    return float(np.mean(season(config, measure) * covid_multipliers(config, year)))


def _base_totals(
    config: dict[str, Any], measure: Measure, years: list[int], scale: float = 1.0
) -> dict[int, int]:
    q = treated_settings(config)
    start, growth = q[f"{measure}_total_2017"], q[f"{measure}_total_growth"]
    return {
        y: round(scale * start * (1 + growth) ** (y - years[0]) * year_factor(config, measure, y))
        for y in years
    }


def _interpolated_shares(anchor: dict[int, float], years: list[int]) -> dict[int, float]:
    known = sorted(anchor)
    return {y: float(np.interp(y, known, [anchor[k] for k in known])) for y in years}


def _round_share(share_pct: float, total: int) -> int:
    return round(share_pct / 100.0 * total)


def treated_annual(config: dict[str, Any], anchors: Anchors) -> dict[Measure, AnnualPath]:
    """Annual integer counts for the treated district that reproduce every reported anchor.

    Parameters
    ----------
    config
        Parsed assumptions file.
    anchors
        Reported values read from the claims file.

    Returns
    -------
    dict
        One :class:`AnnualPath` per measure.
    """
    q = treated_settings(config)
    years = years_of(config)
    reform, post = anchors.reform_year, anchors.post_year
    if not reform <= post <= years[-1]:
        raise ValueError(f"assumed post year {post} must lie in {reform}..{years[-1]}")
    pre_years = [y for y in years if y < reform]
    reform_years = [y for y in years if y >= reform]
    last_pre = pre_years[-1]
    out: dict[Measure, AnnualPath] = {}

    # Visits: shares on the anchors before the reform; the post year has the reported share
    # (last pre-reform year + reported rise) and the reported growth of primary-care visits.
    total = _base_totals(config, "visits", pre_years)
    shares = _interpolated_shares(anchors.visit_share, pre_years)
    primary = {y: _round_share(shares[y], total[y]) for y in pre_years}
    target_post = anchors.post_visit_share
    for y in reform_years:
        if y < post:
            reached = q["visit_share_rise_reached_before_post_year"]
            share = anchors.visit_share[last_pre] + reached * anchors.visit_share_change_pp
            total[y] = round(total[y - 1] * (1 + q["visits_total_growth_post"]))
            primary[y] = _round_share(share, total[y])
        elif y == post:
            primary[y] = round(primary[y - 1] * (1 + anchors.outpatient_growth_pct / 100))
            total[y] = round(primary[y] * 100 / target_post)
        else:
            share = target_post + q["visit_share_drift_after_post_year_pp"] * (y - post)
            total[y] = round(total[y - 1] * (1 + q["visits_total_growth_post"]))
            primary[y] = _round_share(share, total[y])
    out["visits"] = AnnualPath(primary, total)

    # Admissions: the post year has the reported growth of primary-care admissions; the share
    # follows from the assumed growth of all admissions.
    total = _base_totals(config, "admissions", pre_years)
    shares = _interpolated_shares(anchors.admission_share, pre_years)
    primary = {y: _round_share(shares[y], total[y]) for y in pre_years}
    growth_all = q["admissions_total_growth"]
    for y in reform_years:
        if y == post:
            primary[y] = round(primary[y - 1] * (1 + anchors.admission_growth_pct / 100))
            total[y] = round(total[y - 1] * (1 + q["admissions_total_growth_post"]))
            continue
        total[y] = round(total[y - 1] * (1 + growth_all))
        if y < post:
            share = (
                anchors.admission_share[last_pre] + q["admission_share_rise_before_post_year_pp"]
            )
        else:
            share = 100.0 * primary[post] / total[post]
        primary[y] = _round_share(share, total[y])
    out["admissions"] = AnnualPath(primary, total)

    # Fund: primary-care fund revenue grows at the reported average rate in every reform year;
    # the total follows from the ASSUMED post-reform fund share.
    total = _base_totals(config, "fund", pre_years)
    shares = _interpolated_shares(anchors.fund_share, pre_years)
    primary = {y: _round_share(shares[y], total[y]) for y in pre_years}
    fund_share_post = {int(k): float(v) for k, v in q["fund_share_post"].items()}
    for y in reform_years:
        if y not in fund_share_post:
            raise ValueError(
                f"[treated.{treated_district(config)}] fund_share_post has no value for {y}"
            )
        primary[y] = round(primary[y - 1] * (1 + anchors.fund_growth_pct / 100))
        total[y] = round(primary[y] * 100 / fund_share_post[y])
    out["fund"] = AnnualPath(primary, total)
    return out


def comparison_annual(
    config: dict[str, Any], rng: np.random.Generator
) -> dict[Measure, AnnualPath]:
    """Annual counts for one never-reformed comparison district (all assumed).

    Parameters
    ----------
    config
        Parsed assumptions file.
    rng
        The district's own random stream.

    Returns
    -------
    dict
        One :class:`AnnualPath` per measure.
    """
    c = config["comparisons"]
    years = years_of(config)
    size = float(np.exp(rng.normal(0.0, c["size_log_sd"])))
    out: dict[Measure, AnnualPath] = {}
    for measure in MEASURES:
        name = SHARE_NAME[measure]
        start = rng.normal(c[f"{name}_2017"]["mean"], c[f"{name}_2017"]["sd"])
        trend_key = name.replace("_share", "_trend_pp")
        trend = rng.normal(c[trend_key]["mean"], c[trend_key]["sd"])
        total = _base_totals(config, measure, years, scale=size)
        primary = {
            y: _round_share(float(np.clip(start + trend * (y - years[0]), 1, 95)), total[y])
            for y in years
        }
        out[measure] = AnnualPath(primary, total)
    return out


def monthly_counts(
    path: AnnualPath,
    config: dict[str, Any],
    measure: Measure,
    rng: np.random.Generator,
    reform_year: int | None,
) -> tuple[np.ndarray, np.ndarray]:
    """Split annual counts into months; annual sums are kept exactly.

    Parameters
    ----------
    path
        Annual integer counts.
    config
        Parsed assumptions file.
    measure
        Which count (chooses the seasonal profile).
    rng
        Random stream of the district.
    reform_year
        First reform year, so the within-year share trend breaks there; ``None`` if never.

    Returns
    -------
    (primary, total)
        Monthly integer arrays, January of the first year first.
    """
    years = years_of(config)
    shares = {y: path.share(y) for y in years}
    segments = [
        [y for y in years if reform_year is None or y < reform_year],
        [y for y in years if reform_year is not None and y >= reform_year],
    ]
    slope = {}
    for seg in segments:
        per_year = (shares[seg[-1]] - shares[seg[0]]) / (len(seg) - 1) if len(seg) > 1 else 0.0
        slope.update({y: per_year for y in seg})
    months = np.arange(12)
    amplitude = config["seasonality"]["share_amplitude_pp"]
    covid_shift = config["covid"]["share_shift_pp_at_full_disruption"]
    primary_out, total_out = [], []
    for y in years:
        covid = covid_multipliers(config, y)
        weights = (
            season(config, measure)
            * covid
            * np.exp(rng.normal(0.0, config["noise"]["volume_log_sd"], 12))
        )
        total_m = allocate(path.total[y], weights)
        share_m = (
            shares[y]
            + slope[y] * (months - 5.5) / 12
            + amplitude * np.cos(2 * np.pi * months / 12)
            + covid_shift * (1 - covid)
            + rng.normal(0.0, config["noise"]["share_sd_pp"], 12)
        )
        primary_m = allocate(path.primary[y], total_m * np.clip(share_m, 0.5, 99.5) / 100)
        if (primary_m > total_m).any():
            raise AssertionError(f"primary count above total in {y} ({measure})")
        primary_out.append(primary_m)
        total_out.append(total_m)
    return np.concatenate(primary_out), np.concatenate(total_out)


def district_frame(
    name: str,
    annual: dict[Measure, AnnualPath],
    config: dict[str, Any],
    rng: np.random.Generator,
    reform_year: int | None,
) -> pd.DataFrame:
    """Monthly rows of one district in the committed column order."""
    gen = config["generator"]
    months = pd.date_range(gen["first_month"] + "-01", gen["last_month"] + "-01", freq="MS")
    frame = pd.DataFrame({"district": name, "month": months.strftime("%Y-%m-%d")})
    for measure in MEASURES:
        primary, total = monthly_counts(annual[measure], config, measure, rng, reform_year)
        frame[f"{measure}_primary"] = primary
        frame[f"{measure}_total"] = total
    frame["treated"] = reform_year is not None
    frame["first_treated"] = f"{reform_year}-01-01" if reform_year is not None else ""
    frame["provenance"] = "synthetic"
    return frame


def district_monthly(config: dict[str, Any], anchors: Anchors) -> pd.DataFrame:
    """All districts' monthly counts, the treated district first.

    Parameters
    ----------
    config
        Parsed assumptions file.
    anchors
        The treated district's reported values.

    Returns
    -------
    pandas.DataFrame
        Raw columns as written to ``district_monthly.csv`` (dates as ISO text).
    """
    seed = int(config["generator"]["seed"])
    frames = [
        district_frame(
            treated_district(config),
            treated_annual(config, anchors),
            config,
            np.random.default_rng([seed, 0]),
            anchors.reform_year,
        )
    ]
    for i in range(1, int(config["comparisons"]["n_districts"]) + 1):
        rng = np.random.default_rng([seed, 1, i])
        frames.append(
            district_frame(f"comparison_{i:02d}", comparison_annual(config, rng), config, rng, None)
        )
    return pd.concat(frames, ignore_index=True)
