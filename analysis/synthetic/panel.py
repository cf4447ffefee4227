"""Annual county panel with staggered adoption: a reported pilot wave, then assumed waves.

The first wave has the reported number of pilot counties in the reported pilot year (the claim
named by ``[anchors].pilot_counties`` of the series assumptions); the number of counties, the
later waves (an expansion wave, then a province-wide roll-out that takes every remaining
county), the never-treated group, county sizes, shares, trends and treatment effects are
assumptions from ``[panel]`` in ``data/synthetic/anhui_panel.toml``. The seed and the COVID-19
year come from the series assumptions, so one seed drives every synthetic file.
The true effect of each county-year is written next to the data (``true_visit_effect_pp``,
``true_fund_effect_pp``) so that DiD estimators can be checked against the truth.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis import paths
from analysis.synthetic.config import Anchors

NEVER = "never_treated"
PANEL_CONFIG_PATH: Path = paths.DATA / "synthetic" / "anhui_panel.toml"


def load_panel_settings(path: Path | None = None) -> dict[str, Any]:
    """The ``[panel]`` table of the panel's assumptions file (the committed one by default)."""
    with open(path or PANEL_CONFIG_PATH, "rb") as handle:
        return tomllib.load(handle)["panel"]


def wave_sizes(settings: dict[str, Any], anchors: Anchors) -> dict[int, int]:
    """Adoption year -> number of counties, 0 for the never-treated group.

    The roll-out wave takes every county left after the pilot wave, the expansion waves and
    the never-treated group.

    Parameters
    ----------
    settings
        The ``[panel]`` table (:func:`load_panel_settings`).
    anchors
        Must carry the reported pilot-county count.

    Returns
    -------
    dict of int to int

    Raises
    ------
    ValueError
        When the pilot claim is missing or the counties do not add up.

    Examples
    --------
    >>> from analysis.synthetic.config import read_anchors
    >>> sizes = wave_sizes(load_panel_settings(), read_anchors())
    >>> sum(sizes.values()) == load_panel_settings()["n_counties"]
    True
    """
    if anchors.pilot_counties is None:
        raise ValueError("the pilot-county claim is missing; the panel cannot be shaped")
    sizes = {anchors.pilot_year: anchors.pilot_counties}
    sizes.update({int(year): int(n) for year, n in settings["expansion_waves"].items()})
    sizes[0] = int(settings["never_treated"])
    roll_out = int(settings["roll_out_year"])
    rest = int(settings["n_counties"]) - sum(sizes.values())
    if roll_out in sizes or rest < 0:
        raise ValueError(
            f"{PANEL_CONFIG_PATH.name} [panel]: n_counties = {settings['n_counties']} must be at "
            f"least the pilot wave ({anchors.pilot_counties}), the expansion waves and the "
            f"never-treated counties, and roll_out_year ({roll_out}) a year of its own"
        )
    sizes[roll_out] = rest
    return {year: n for year, n in sizes.items() if n > 0 or year == 0}


def wave_label(first_treated: int, pilot_year: int) -> str:
    """Human-readable wave name: ``pilot_<year>``, ``wave_<year>`` or ``never_treated``.

    Examples
    --------
    >>> [wave_label(year, pilot_year=2019) for year in (2019, 2021, 0)]
    ['pilot_2019', 'wave_2021', 'never_treated']
    """
    if first_treated == 0:
        return NEVER
    return f"pilot_{first_treated}" if first_treated == pilot_year else f"wave_{first_treated}"


def effect_pp(
    event_time: np.ndarray, impact: float, growth: float, growth_years: int, scale: np.ndarray
) -> np.ndarray:
    """True effect in percentage points, zero before adoption.

    Examples
    --------
    >>> effect_pp(np.array([-1, 0, 1, 5]), 2.0, 1.0, 3, np.ones(4)).tolist()
    [0.0, 2.0, 3.0, 5.0]
    """
    grown = impact + growth * np.minimum(np.maximum(event_time, 0), growth_years)
    return np.where(event_time >= 0, scale * grown, 0.0)


def county_panel(
    config: dict[str, Any], anchors: Anchors, settings: dict[str, Any] | None = None
) -> pd.DataFrame:
    """Generate the staggered-adoption panel.

    Parameters
    ----------
    config
        Parsed series assumptions (its seed and COVID-19 year are used).
    anchors
        Reported values (the pilot-wave size).
    settings
        The panel's ``[panel]`` table; the committed ``anhui_panel.toml`` when ``None``.

    Returns
    -------
    pandas.DataFrame
        One row per county and year, raw columns as written to ``county_staggered_panel.csv``.
    """
    p = settings if settings is not None else load_panel_settings()
    eff = p["effects"]
    rng = np.random.default_rng([int(config["generator"]["seed"]), 2])
    sizes = wave_sizes(p, anchors)
    first_treated = np.concatenate(
        [np.full(n, year) for year, n in sorted(sizes.items()) if year != 0]
        + [np.zeros(sizes[0], dtype=int)]
    )
    first_treated = rng.permutation(first_treated)
    n = first_treated.size
    years = np.arange(int(p["first_year"]), int(p["last_year"]) + 1)
    counties = np.array([f"county_{i:03d}" for i in range(1, n + 1)])

    visits0 = p["visits_total_median"] * np.exp(rng.normal(0.0, p["visits_total_log_sd"], n))
    visit_base = rng.normal(p["visit_share_base"]["mean"], p["visit_share_base"]["sd"], n)
    fund_base = rng.normal(p["fund_share_base"]["mean"], p["fund_share_base"]["sd"], n)
    wave_scale = {int(k): float(v) for k, v in eff["wave_scale"].items()}
    county_scale = np.array([wave_scale.get(int(f), 0.0) for f in first_treated]) * np.maximum(
        rng.normal(1.0, eff["county_scale_sd"], n), 0.0
    )

    grid_county = np.repeat(np.arange(n), years.size)
    grid_year = np.tile(years, n)
    t = grid_year - years[0]
    ft = first_treated[grid_county]
    event = np.where(ft > 0, grid_year - ft, -1)
    covid = grid_year == int(config["covid"]["year"])
    scale = county_scale[grid_county]

    volume = np.where(covid, p["covid_volume_multiplier"], 1.0)
    noise = np.exp(rng.normal(0.0, 0.03, grid_year.size))
    visits_total = np.rint(
        visits0[grid_county] * (1 + p["visits_total_growth"]) ** t * volume * noise
    ).astype(np.int64)
    fund_total = np.rint(
        visits0[grid_county]
        * p["fund_per_visit_yuan"]
        * (1 + p["fund_total_growth"]) ** t
        * volume
        * noise
    ).astype(np.int64)

    visit_effect = effect_pp(
        event, eff["visit_impact_pp"], eff["visit_growth_pp"], int(eff["growth_years"]), scale
    )
    fund_effect = effect_pp(
        event, eff["fund_impact_pp"], eff["fund_growth_pp"], int(eff["growth_years"]), scale
    )
    visit_share = (
        visit_base[grid_county]
        + p["visit_trend_pp"] * t
        + np.where(covid, p["covid_visit_share_shift_pp"], 0.0)
        + visit_effect
        + rng.normal(0.0, p["share_sd_pp"], grid_year.size)
    )
    fund_share = (
        fund_base[grid_county]
        + p["fund_trend_pp"] * t
        + fund_effect
        + rng.normal(0.0, p["share_sd_pp"], grid_year.size)
    )
    visits_primary = np.rint(visits_total * np.clip(visit_share, 1, 99) / 100).astype(np.int64)
    fund_primary = np.rint(fund_total * np.clip(fund_share, 1, 99) / 100).astype(np.int64)

    return pd.DataFrame(
        {
            "county": counties[grid_county],
            "year": grid_year,
            "first_treated": ft,
            "wave": [wave_label(int(f), anchors.pilot_year) for f in ft],
            "treated": (ft > 0) & (grid_year >= ft),
            "visits_primary": visits_primary,
            "visits_total": visits_total,
            "fund_primary": fund_primary,
            "fund_total": fund_total,
            "true_visit_effect_pp": np.round(visit_effect, 4),
            "true_fund_effect_pp": np.round(fund_effect, 4),
            "provenance": "synthetic",
        }
    )


def wave_summary(panel: pd.DataFrame, anchors: Anchors) -> pd.DataFrame:
    """One row per adoption wave: size, where the size comes from, and the true effect.

    Parameters
    ----------
    panel
        Rows of ``county_staggered_panel``.
    anchors
        Reported values (which wave size is reported).

    Returns
    -------
    pandas.DataFrame
        Columns ``wave``, ``first_treated``, ``counties``, ``size_provenance``,
        ``mean_true_visit_effect_pp_last_year``.

    Examples
    --------
    >>> from analysis.synthetic import generate
    >>> data = generate()
    >>> table = wave_summary(data.county_staggered_panel, data.anchors)
    >>> table.loc[table["first_treated"] == data.anchors.pilot_year, "size_provenance"].item()
    'reported (ah_pilot_counties_2019)'
    """
    last = panel["year"].max()
    rows = []
    for first, group in panel.groupby("first_treated"):
        size = group["county"].nunique()
        reported = first == anchors.pilot_year and size == anchors.pilot_counties
        rows.append(
            {
                "wave": group["wave"].iloc[0],
                "first_treated": int(first),
                "counties": size,
                "size_provenance": (
                    f"reported ({anchors.claim_ids['pilot_counties']})" if reported else "assumed"
                ),
                "mean_true_visit_effect_pp_last_year": round(
                    float(group.loc[group["year"] == last, "true_visit_effect_pp"].mean()), 2
                ),
            }
        )
    table = pd.DataFrame(rows)
    order = table["first_treated"].replace(0, 10_000)
    return table.iloc[order.argsort()].reset_index(drop=True)
