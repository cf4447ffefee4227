"""Optional shock scenarios laid over the calibrated monthly series.

A scenario is a table ``[scenarios.<name>]`` of the assumptions file. It adds a shock to the
primary-care share (and optionally to volumes) of the districts it names, from its first month
on: a transient surge month by month, plus an optional persistent shift that stays to the end.
The shock is laid over the calibrated data, so the shocked years no longer reproduce the
reported anchors: a scenario is a "what if the world also had this shock" with the reform's
built-in effect unchanged, which lets a design be checked against a known truth.

``based_on = "<other scenario>"`` copies another scenario and overrides some of its keys, so a
variant (another set of districts, no persistent part) states only what differs.

Examples
--------
>>> from analysis.synthetic.config import load_config
>>> cfg = load_config()
>>> spec = scenario_settings(cfg, "post_zero_covid")
>>> spec["districts"] in ("all", "treated")
True
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from analysis.synthetic.config import treated_district

DISTRICT_CHOICES = ("all", "treated")
SHOCKABLE = ("visits", "admissions", "fund")


class ScenarioError(ValueError):
    """A scenario is missing or badly specified in the assumptions file."""


def scenario_names(config: dict[str, Any]) -> list[str]:
    """Names of the scenarios declared under ``[scenarios]``."""
    return sorted(config.get("scenarios", {}))


def scenario_settings(config: dict[str, Any], name: str) -> dict[str, Any]:
    """The settings of one scenario, with ``based_on`` resolved.

    Parameters
    ----------
    config
        Parsed assumptions file.
    name
        A table name under ``[scenarios]``.

    Returns
    -------
    dict
        ``start_month``, ``districts`` and one table per shocked measure, plus ``name``.

    Raises
    ------
    ScenarioError
        When the scenario is not declared, loops through ``based_on`` or misses a setting.
    """
    declared = config.get("scenarios", {})
    chain: list[str] = []
    settings: dict[str, Any] = {}
    current: str | None = name
    while current is not None:
        if current not in declared:
            known = ", ".join(scenario_names(config)) or "none"
            raise ScenarioError(
                f"scenario {current!r} is not declared in the assumptions file "
                f"(declared: {known}); add a table [scenarios.{current}]"
            )
        if current in chain:
            raise ScenarioError(f"scenario {name!r}: based_on loops through {current!r}")
        chain.append(current)
        table = declared[current]
        for key, value in table.items():
            if key == "based_on":
                continue
            if isinstance(value, dict) and isinstance(settings.get(key), dict):
                settings[key] = {**value, **settings[key]}
            else:
                settings.setdefault(key, value)
        current = table.get("based_on")
    _validate(name, settings)
    return {"name": name, **settings}


def _validate(name: str, settings: dict[str, Any]) -> None:
    where = f"[scenarios.{name}]"
    for key in ("start_month", "districts"):
        if key not in settings:
            raise ScenarioError(f"{where} needs {key!r}")
    if settings["districts"] not in DISTRICT_CHOICES:
        raise ScenarioError(f"{where} districts must be one of {DISTRICT_CHOICES}")
    measures = [m for m in SHOCKABLE if m in settings]
    if not measures:
        raise ScenarioError(f"{where} shocks no measure; add a table such as {where[:-1]}.visits]")
    for measure in measures:
        shock = settings[measure]
        share = shock.get("surge_share_pp", [])
        volume = shock.get("surge_volume_multiplier", [1.0] * len(share))
        if len(volume) != len(share):
            raise ScenarioError(
                f"{where[:-1]}.{measure}] surge_share_pp and surge_volume_multiplier "
                "need one value per surge month each"
            )
        if any(v <= 0 for v in volume):
            raise ScenarioError(f"{where[:-1]}.{measure}] volume multipliers must be positive")


def shock_path(config: dict[str, Any], settings: dict[str, Any]) -> pd.DataFrame:
    """The shock by district, month and measure: the truth a design should find.

    Returns
    -------
    pandas.DataFrame
        Columns ``district``, ``month`` (ISO text), ``measure``, ``share_shift_pp`` (transient
        plus persistent), ``persistent_pp``, ``volume_multiplier``; only shocked months.
    """
    gen = config["generator"]
    months = pd.date_range(gen["first_month"] + "-01", gen["last_month"] + "-01", freq="MS")
    start = pd.Timestamp(settings["start_month"] + "-01")
    if start not in months:
        raise ScenarioError(
            f"[scenarios.{settings['name']}] start_month {settings['start_month']} lies outside "
            f"{gen['first_month']}..{gen['last_month']}"
        )
    treated = treated_district(config)
    n_comparisons = int(config["comparisons"]["n_districts"])
    districts = [treated]
    if settings["districts"] == "all":
        districts += [f"comparison_{i:02d}" for i in range(1, n_comparisons + 1)]
    since = np.arange(len(months)) - months.get_loc(start)
    rows = []
    for measure in (m for m in SHOCKABLE if m in settings):
        shock = settings[measure]
        surge = np.asarray(shock.get("surge_share_pp", []), dtype=float)
        volume = np.asarray(shock.get("surge_volume_multiplier", [1.0] * len(surge)), float)
        persistent = float(shock.get("persistent_share_pp", 0.0))
        for k in np.flatnonzero(since >= 0):
            step = since[k]
            in_surge = step < len(surge)
            transient = surge[step] if in_surge else 0.0
            if not in_surge and persistent == 0.0:
                continue
            for district in districts:
                rows.append(
                    {
                        "district": district,
                        "month": months[k].strftime("%Y-%m-%d"),
                        "measure": measure,
                        "share_shift_pp": transient + persistent,
                        "persistent_pp": persistent,
                        "volume_multiplier": volume[step] if in_surge else 1.0,
                    }
                )
    return pd.DataFrame(
        rows,
        columns=[
            "district",
            "month",
            "measure",
            "share_shift_pp",
            "persistent_pp",
            "volume_multiplier",
        ],
    )


def apply_shock(monthly: pd.DataFrame, shock: pd.DataFrame) -> pd.DataFrame:
    """Lay the shock over the monthly counts; integers stay integers, primary <= total.

    The total of a shocked month is scaled by its volume multiplier; the primary-care count is
    then set so the share is the unshocked share plus the shift.
    """
    out = monthly.copy()
    key = out["district"] + "|" + out["month"]
    for measure, rows in shock.groupby("measure", sort=False):
        lookup = rows.set_index(rows["district"] + "|" + rows["month"])
        hit = key.isin(lookup.index)
        where = key[hit]
        primary = out.loc[hit, f"{measure}_primary"].to_numpy(dtype=float)
        total = out.loc[hit, f"{measure}_total"].to_numpy(dtype=float)
        share = primary / total + lookup.loc[where, "share_shift_pp"].to_numpy() / 100
        new_total = np.round(total * lookup.loc[where, "volume_multiplier"].to_numpy())
        new_primary = np.clip(np.round(np.clip(share, 0, 1) * new_total), 0, new_total)
        out.loc[hit, f"{measure}_total"] = new_total.astype(np.int64)
        out.loc[hit, f"{measure}_primary"] = new_primary.astype(np.int64)
    return out
