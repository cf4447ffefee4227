"""Seeded, calibrated synthetic data: monthly district counts and a staggered county panel.

Everything the generator invents is stated in ``data/synthetic/assumptions.toml``; every reported
number it matches is read from ``data/claims/claims.csv``. ``python -m analysis.synthetic``
rewrites the committed CSV files, byte for byte, from those two files and the seed.

Examples
--------
>>> data = generate()
>>> sorted(data.files)
['county_staggered_panel.csv', 'district_monthly.csv']
>>> bool(data.anchor_check["matches"].all())
True
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis import paths
from analysis.synthetic.calibration import anchor_check
from analysis.synthetic.config import (CLAIMS_PATH, CONFIG_PATH, Anchors, load_config,
                                       read_anchors)
from analysis.synthetic.district import district_monthly
from analysis.synthetic.panel import county_panel

OUTPUT_DIR: Path = paths.DATA / "synthetic"
GENERATOR = "analysis.synthetic"

__all__ = ["GENERATOR", "OUTPUT_DIR", "SyntheticData", "generate", "write_outputs"]


class CalibrationError(RuntimeError):
    """The generated Qianjiang aggregates miss a reported anchor."""


@dataclass(frozen=True)
class SyntheticData:
    """Generated frames (raw CSV columns), the anchors used and the calibration table."""

    district_monthly: pd.DataFrame
    county_staggered_panel: pd.DataFrame
    anchors: Anchors
    anchor_check: pd.DataFrame
    seed: int

    @property
    def files(self) -> dict[str, pd.DataFrame]:
        """Output file name -> frame."""
        return {"district_monthly.csv": self.district_monthly,
                "county_staggered_panel.csv": self.county_staggered_panel}


def generate(config_path: Path | None = None, claims_path: Path | None = None) -> SyntheticData:
    """Generate both synthetic datasets in memory.

    Parameters
    ----------
    config_path
        Assumptions file; the committed one when ``None``.
    claims_path
        Claims CSV holding the anchors; the committed one when ``None``.

    Returns
    -------
    SyntheticData

    Raises
    ------
    CalibrationError
        When Qianjiang's annual aggregates miss a reported anchor at one decimal.
    """
    config = load_config(config_path or CONFIG_PATH)
    anchors = read_anchors(config, claims_path or CLAIMS_PATH)
    monthly = district_monthly(config, anchors)
    check = anchor_check(monthly, anchors)
    if not check["matches"].all():
        raise CalibrationError("synthetic data miss reported anchors:\n"
                               + check[~check["matches"]].to_string())
    return SyntheticData(monthly, county_panel(config, anchors), anchors, check,
                         int(config["generator"]["seed"]))


def write_outputs(out_dir: Path | None = None, data: SyntheticData | None = None) -> list[Path]:
    """Write the CSV files (UTF-8, ``\\n`` line ends) and return their paths.

    Parameters
    ----------
    out_dir
        Target directory; ``data/synthetic`` when ``None``.
    data
        Already generated data; generated from the committed inputs when ``None``.

    Returns
    -------
    list of pathlib.Path
    """
    data = data or generate()
    out_dir = Path(out_dir or OUTPUT_DIR)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, frame in data.files.items():
        target = out_dir / name
        frame.to_csv(target, index=False, lineterminator="\n", encoding="utf-8")
        written.append(target)
    return written
