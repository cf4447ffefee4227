"""Seeded, calibrated synthetic data: monthly district counts and a staggered county panel.

Everything the generator invents is stated in ``data/synthetic/assumptions.toml``; every reported
number it matches is read from the claims ledger. ``python -m analysis.synthetic`` rewrites the
committed CSV files, byte for byte, from those two files and the seed; where they go is the
registry's business (:mod:`analysis.registry`), not the generator's.

Examples
--------
>>> data = generate()
>>> sorted(data.files)
['county_staggered_panel.csv', 'district_monthly.csv']
>>> bool(data.anchor_check["matches"].all())
True
>>> shocked = generate(scenario="post_zero_covid")
>>> shocked.scenario, "scenario post_zero_covid" in shocked.provenance
('post_zero_covid', True)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis import paths
from analysis.registry import DATASETS, treated_district
from analysis.synthetic.calibration import anchor_check
from analysis.synthetic.config import CONFIG_PATH, Anchors, load_config, read_anchors
from analysis.synthetic.district import district_monthly
from analysis.synthetic.panel import county_panel
from analysis.synthetic.scenarios import (
    ScenarioError,
    apply_shock,
    scenario_settings,
    shock_path,
)

__all__ = [
    "CalibrationError",
    "ScenarioError",
    "SyntheticData",
    "generate",
    "output_files",
    "write_outputs",
]
GENERATOR = "analysis.synthetic"


class CalibrationError(RuntimeError):
    """The generated treated district's aggregates miss a reported anchor."""


def output_files() -> dict[str, Path]:
    """Dataset name -> the committed file the generator writes, as the registry declares it."""
    return {d.name: d.file for d in DATASETS if d.generated_by == __name__}


@dataclass(frozen=True)
class SyntheticData:
    """Generated frames (raw CSV columns), the anchors used and the calibration table.

    ``anchor_check`` is the calibrated world's check. Under a ``scenario`` the shock is laid
    over that world afterwards, so its shocked years leave the anchors; ``shock`` then holds
    the shock by district, month and measure (empty without a scenario), and ``provenance``
    names generator, config, scenario and seed.
    """

    district_monthly: pd.DataFrame
    county_staggered_panel: pd.DataFrame
    anchors: Anchors
    anchor_check: pd.DataFrame
    seed: int
    scenario: str | None = None
    shock: pd.DataFrame | None = None
    provenance: str = ""

    @property
    def files(self) -> dict[str, pd.DataFrame]:
        """Output file name -> frame."""
        return {path.name: getattr(self, name) for name, path in output_files().items()}


def _config_name(path: Path) -> str:
    try:
        return path.resolve().relative_to(paths.ROOT).as_posix()
    except ValueError:
        return str(path)


def generate(
    config_path: Path | None = None,
    claims_path: Path | None = None,
    *,
    scenario: str | None = None,
) -> SyntheticData:
    """Generate both synthetic datasets in memory.

    Parameters
    ----------
    config_path
        Assumptions file; the committed one when ``None``.
    claims_path
        Claims CSV holding the anchors; the registry's ``claims`` file when ``None``.
    scenario
        Name of a ``[scenarios.<name>]`` table of the assumptions file; ``None`` (the default)
        gives the committed data. The panel generator sees the resolved scenario as
        ``config["active_scenario"]`` (absent without one).

    Returns
    -------
    SyntheticData

    Raises
    ------
    CalibrationError
        When the treated district's annual aggregates miss a reported anchor at one decimal.
    ScenarioError
        When the scenario is not declared or badly specified.
    """
    path = config_path or CONFIG_PATH
    config = load_config(path)
    anchors = read_anchors(config, claims_path)
    monthly = district_monthly(config, anchors)
    check = anchor_check(monthly, anchors, treated_district(config))
    if not check["matches"].all():
        raise CalibrationError(
            "synthetic data miss reported anchors:\n" + check[~check["matches"]].to_string()
        )
    seed = int(config["generator"]["seed"])
    provenance = f"synthetic: generator {GENERATOR}, config {_config_name(path)}, seed {seed}"
    if scenario is None:
        return SyntheticData(
            monthly, county_panel(config, anchors), anchors, check, seed, provenance=provenance
        )
    settings = scenario_settings(config, scenario)
    shock = shock_path(config, settings)
    provenance = provenance.replace(", seed", f", scenario {scenario}, seed")
    shocked = apply_shock(monthly, shock)
    panel = county_panel({**config, "active_scenario": settings}, anchors)
    for frame in (shocked, panel):
        frame.attrs["provenance"] = provenance
    return SyntheticData(shocked, panel, anchors, check, seed, scenario, shock, provenance)


def write_outputs(out_dir: Path | None = None, data: SyntheticData | None = None) -> list[Path]:
    """Write the CSV files (UTF-8, ``\\n`` line ends) and return their paths.

    Parameters
    ----------
    out_dir
        Target directory; the committed files are replaced when ``None``.
    data
        Already generated data; generated from the committed inputs when ``None``.

    Returns
    -------
    list of pathlib.Path
    """
    data = data or generate()
    written = []
    for name, committed in output_files().items():
        target = committed if out_dir is None else Path(out_dir) / committed.name
        target.parent.mkdir(parents=True, exist_ok=True)
        getattr(data, name).to_csv(target, index=False, lineterminator="\n", encoding="utf-8")
        written.append(target)
    return written
