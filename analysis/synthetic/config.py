"""Read the synthetic-data assumptions file and the reported anchors it points to.

The assumptions live in one commented TOML file (``data/synthetic/assumptions.toml``) so a reader
can audit every invented number in one place; ``tomllib`` from the standard library reads it.
Reported values are never copied into that file or into code: :func:`read_anchors` looks them up
in the claims ledger (dataset ``claims``) by ``claim_id`` each time the generator runs.

The treated district is whatever the assumptions file says: its id in the data is the name of
the one table under ``[treated]`` (:func:`analysis.registry.treated_district`), and that table
holds its settings.

Examples
--------
>>> cfg = load_config()
>>> cfg["generator"]["first_month"]
'2017-01'
>>> treated_district(cfg) in cfg["treated"]
True
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.registry import SYNTHETIC_CONFIG as CONFIG_PATH
from analysis.registry import declaration, read_config, treated_district


class AnchorError(LookupError):
    """A claim the generator is calibrated to is missing or has no numeric value."""


def load_config(path: Path | None = None) -> dict[str, Any]:
    """Parse the assumptions file.

    Parameters
    ----------
    path
        TOML file; ``data/synthetic/assumptions.toml`` when ``None``.

    Returns
    -------
    dict
        The parsed TOML tables.
    """
    return read_config(path or CONFIG_PATH)


def treated_settings(config: dict[str, Any]) -> dict[str, Any]:
    """The settings of the treated district (its ``[treated.<id>]`` table)."""
    return config["treated"][treated_district(config)]


def read_claim_values(claims_path: Path | None = None) -> dict[str, float]:
    """Return ``claim_id -> value`` for every claim with a numeric value.

    Parameters
    ----------
    claims_path
        The claims CSV; the registry's ``claims`` file when ``None``.

    Returns
    -------
    dict of str to float
    """
    if claims_path is None:
        claims_path = declaration("claims").file
    frame = pd.read_csv(claims_path, dtype=str, keep_default_na=False, encoding="utf-8")
    values = pd.to_numeric(frame["value"].str.strip().replace("", None), errors="coerce")
    return {cid: float(v) for cid, v in zip(frame["claim_id"], values) if pd.notna(v)}


@dataclass(frozen=True)
class Anchors:
    """The treated district's reported values the synthetic series must reproduce.

    Percent unless noted. ``visit_share``, ``admission_share`` and ``fund_share`` map a year to
    the reported share. ``post_year`` is an *assumed* year (the paper does not state it).
    ``pilot_counties`` is the size of the panel's first adoption wave, in ``pilot_year`` (the
    year its claim id ends with).
    """

    visit_share: dict[int, float]
    admission_share: dict[int, float]
    fund_share: dict[int, float]
    reform_year: int
    visit_share_change_pp: float
    post_year: int
    outpatient_growth_pct: float
    admission_growth_pct: float
    fund_growth_pct: float
    pilot_counties: int | None
    pilot_year: int
    claim_ids: dict[str, str]

    @property
    def post_visit_share(self) -> float:
        """Visit share in the assumed post year: last pre-reform value plus the reported rise."""
        return round(self.visit_share[self.reform_year - 1] + self.visit_share_change_pp, 1)


def _year_of(claim_id: str) -> int:
    digits = claim_id.rsplit("_", 1)[-1]
    if not digits.isdigit():
        raise AnchorError(f"cannot read a year from claim id {claim_id!r}")
    return int(digits)


def read_anchors(
    config: dict[str, Any] | None = None,
    claims_path: Path | None = None,
    *,
    require_pilot: bool = True,
) -> Anchors:
    """Look up every anchor named in the ``[anchors]`` table of the config.

    Parameters
    ----------
    config
        Parsed assumptions; loaded from the default file when ``None``.
    claims_path
        The claims CSV; the committed one when ``None``.
    require_pilot
        Raise when the pilot-county claim is missing (the panel needs it).

    Returns
    -------
    Anchors

    Raises
    ------
    AnchorError
        When a named claim is absent or not numeric.
    """
    cfg = (config or load_config())["anchors"]
    values = read_claim_values(claims_path)

    def value(claim_id: str) -> float:
        if claim_id not in values:
            raise AnchorError(f"claim {claim_id!r} not found (or not numeric) in the claims file")
        return values[claim_id]

    shares = {
        key: {_year_of(cid): value(cid) for cid in cfg[key]}
        for key in ("visit_share", "admission_share", "fund_share")
    }
    pilot_id = cfg["pilot_counties"]
    if pilot_id not in values and require_pilot:
        raise AnchorError(f"claim {pilot_id!r} not found (or not numeric) in the claims file")
    scalar_ids = {
        key: cfg[key]
        for key in (
            "reform_start_year",
            "visit_share_change_post",
            "visit_share_change_year",
            "outpatient_volume_growth",
            "admission_volume_growth",
            "fund_growth_annual",
            "pilot_counties",
        )
    }
    claim_ids = {
        f"{key}_{year}": cid
        for key in ("visit_share", "admission_share", "fund_share")
        for cid, year in ((c, _year_of(c)) for c in cfg[key])
    } | scalar_ids
    return Anchors(
        visit_share=shares["visit_share"],
        admission_share=shares["admission_share"],
        fund_share=shares["fund_share"],
        reform_year=int(value(cfg["reform_start_year"])),
        visit_share_change_pp=value(cfg["visit_share_change_post"]),
        post_year=int(value(cfg["visit_share_change_year"])),
        outpatient_growth_pct=value(cfg["outpatient_volume_growth"]),
        admission_growth_pct=value(cfg["admission_volume_growth"]),
        fund_growth_pct=value(cfg["fund_growth_annual"]),
        pilot_counties=int(values[pilot_id]) if pilot_id in values else None,
        pilot_year=_year_of(pilot_id),
        claim_ids=claim_ids,
    )


def _format_value(value: Any, key: str = "") -> str:
    if key in ("seed", "year") or key.endswith("_year"):
        return str(value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_format_value(v)}" for k, v in value.items())
    if isinstance(value, list):
        return "[" + ", ".join(_format_value(v) for v in value) + "]"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10_000:
        return f"{value:,}"
    return str(value)


def assumptions_table(path: Path | None = None) -> pd.DataFrame:
    """Every setting of the assumptions file with the comment that explains it.

    The comment of a setting is the block of ``#`` lines directly above it plus any comment on
    the same line; values come from ``tomllib`` so they are exactly what the generator uses.

    Parameters
    ----------
    path
        TOML file; the committed one when ``None``.

    Returns
    -------
    pandas.DataFrame
        Columns ``section``, ``setting``, ``value``, ``explanation``.

    Examples
    --------
    >>> table = assumptions_table()
    >>> row = table[table["setting"] == "seed"].iloc[0]
    >>> row["section"], "Seed" in row["explanation"]
    ('generator', True)
    """
    path = path or CONFIG_PATH
    config = load_config(path)
    rows: list[dict[str, str]] = []
    section: list[str] = []
    comments: list[str] = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line.startswith("#"):
            comments.append(line.lstrip("#").strip())
        elif line.startswith("["):
            section = line.strip("[]").split(".")
            comments = []
        elif "=" in line and section:
            key = line.split("=", 1)[0].strip()
            inline = line.split("#", 1)[1].strip() if " #" in line else ""
            value: Any = config
            for part in [*section, key]:
                value = value[part]
            rows.append(
                {
                    "section": ".".join(section),
                    "setting": key,
                    "value": _format_value(value, key),
                    "explanation": " ".join([*comments, inline]).strip(),
                }
            )
            comments = []
        elif not line:
            comments = []
    return pd.DataFrame(rows)
