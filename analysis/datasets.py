"""Load any dataset in ``data/`` by name, together with its provenance class.

``load_data(name)`` returns a frozen :class:`Dataset` carrying the frame *and* its provenance
("reported", "public", "assumed", "synthetic" or "mixed"), so no chapter can pick up synthetic
numbers without being told what they are. Loaders only read: they never write to ``data/``.
Each dataset (file, provenance, description, schema, loader) is declared once, in
:mod:`analysis.registry`; this module is the way to read them.

Column conventions: dates become ``datetime64`` (first of month), counts stay integers, and
derived shares are percent (0-100) computed from the counts (:func:`add_shares`) rather than
stored, so a share can never disagree with its numerator and denominator.

Examples
--------
>>> ds = load_data("district_monthly")
>>> ds.provenance
'synthetic'
>>> ds.frame["month"].min().strftime("%Y-%m")
'2017-01'
>>> bool(((ds.frame["visit_share"] >= 0) & (ds.frame["visit_share"] <= 100)).all())
True
>>> "claims" in list_datasets()
True
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from analysis import paths

Provenance = Literal["reported", "public", "assumed", "synthetic", "reading", "mixed"]
PROVENANCE_CLASSES: tuple[str, ...] = ("reported", "public", "assumed", "synthetic", "reading")

SHARE_PAIRS: dict[str, tuple[str, str]] = {
    "visit_share": ("visits_primary", "visits_total"),
    "admission_share": ("admissions_primary", "admissions_total"),
    "fund_share": ("fund_primary", "fund_total"),
}
"""Share column -> (numerator, denominator) count columns: the one definition of a share."""


@dataclass(frozen=True, eq=False)
class Dataset:
    """A loaded dataset and what it is.

    Attributes
    ----------
    name
        Registry name.
    frame
        The data. When ``provenance == "mixed"`` it has a per-row ``provenance`` column.
    provenance
        Provenance class of the whole dataset, or "mixed".
    description
        One sentence on what the rows are.
    files
        Source files in ``data/`` (absolute paths).
    """

    name: str
    frame: pd.DataFrame
    provenance: Provenance
    description: str
    files: tuple[Path, ...]


def add_shares(frame: pd.DataFrame) -> pd.DataFrame:
    """Add percent shares for every ``*_primary`` / ``*_total`` pair present.

    Parameters
    ----------
    frame
        Counts; left unchanged.

    Returns
    -------
    pandas.DataFrame
        A copy with ``visit_share``, ``admission_share``, ``fund_share`` (those whose counts
        exist), in percent; a zero denominator gives ``NaN``.

    Examples
    --------
    >>> add_shares(pd.DataFrame({"visits_primary": [1], "visits_total": [4]}))["visit_share"][0]
    np.float64(25.0)
    """
    out = frame.copy()
    for share, (num, den) in SHARE_PAIRS.items():
        if num in out and den in out:
            denominator = out[den].astype(float).replace(0.0, np.nan)
            out[share] = 100.0 * out[num].astype(float) / denominator
    return out


# The registry is imported inside the functions below because its loaders use add_shares and
# its schemas use PROVENANCE_CLASSES from this module.


def list_datasets() -> tuple[str, ...]:
    """Names accepted by :func:`load_data`, in registry order."""
    from analysis.registry import DATASETS

    return tuple(d.name for d in DATASETS)


def load_data(name: str) -> Dataset:
    """Load a registered dataset with its provenance.

    Parameters
    ----------
    name
        One of :func:`list_datasets`.

    Returns
    -------
    Dataset

    Raises
    ------
    KeyError
        For an unknown name (the message lists the known ones).
    FileNotFoundError
        When the source file is missing.
    """
    from analysis.registry import declaration

    entry = declaration(name)
    if not entry.file.exists():
        raise FileNotFoundError(f"{entry.file} is not there yet; {name!r} cannot be loaded")
    return Dataset(
        name=name,
        frame=entry.loader(entry.file),
        provenance=entry.provenance,
        description=entry.description,
        files=(entry.file,),
    )


def dataset_table() -> pd.DataFrame:
    """One row per registered dataset: name, provenance class, description and files.

    Returns
    -------
    pandas.DataFrame
        ``files`` are paths relative to the repository root.
    """
    from analysis.registry import DATASETS

    return pd.DataFrame(
        [
            {
                "name": d.name,
                "provenance": d.provenance,
                "description": d.description,
                "files": str(d.file.relative_to(paths.ROOT)),
            }
            for d in DATASETS
        ]
    )
