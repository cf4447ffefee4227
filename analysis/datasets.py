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
from typing import IO

import numpy as np
import pandas as pd

from analysis import paths
from analysis.registry import DATASETS, declaration
from analysis.validation.schemas import SHARE_PAIRS, Provenance


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


def load_frame(name: str, source: Path | IO[str]) -> pd.DataFrame:
    """The frame of dataset ``name`` read from ``source``, as :func:`load_data` returns it.

    The declared loader reads the file; the shares of the declared count pairs are then derived
    (:func:`add_shares`), so a regenerated copy of a file loads exactly like the committed one.

    Parameters
    ----------
    name
        One of :func:`list_datasets`.
    source
        A path or an open text stream holding the file's contents.
    """
    entry = declaration(name)
    frame = entry.loader(source)
    return add_shares(frame) if entry.share_pairs else frame


def list_datasets() -> tuple[str, ...]:
    """Names accepted by :func:`load_data`, in registry order."""
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
    entry = declaration(name)
    if not entry.file.exists():
        raise FileNotFoundError(f"{entry.file} is not there yet; {name!r} cannot be loaded")
    return Dataset(
        name=name,
        frame=load_frame(name, entry.file),
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
