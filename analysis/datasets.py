"""The dataset registry: one place that knows every file in ``data/`` and its provenance class.

``load_data(name)`` returns a frozen :class:`Dataset` carrying the frame *and* its provenance
("reported", "public", "assumed", "synthetic" or "mixed"), so no chapter can pick up synthetic
numbers without being told what they are. Loaders only read: they never write to ``data/``.

Column conventions are those of the shared brief: dates become ``datetime64`` (first of month),
counts stay integers, and derived shares are percent (0-100) computed from the counts here
rather than stored, so a share can never disagree with its numerator and denominator.

Examples
--------
>>> ds = load_data("district_monthly")
>>> ds.provenance
'synthetic'
>>> ds.frame["month"].min().strftime("%Y-%m")
'2017-01'
>>> bool(((ds.frame["visit_share"] >= 0) & (ds.frame["visit_share"] <= 100)).all())
True
>>> "qianjiang_reported" in list_datasets()
True
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from analysis import paths

Provenance = Literal["reported", "public", "assumed", "synthetic", "mixed"]
PROVENANCE_CLASSES: tuple[str, ...] = ("reported", "public", "assumed", "synthetic")

CLAIMS_DIR = paths.DATA / "claims"
FRAMEWORKS_DIR = paths.DATA / "frameworks"
SYNTHETIC_DIR = paths.DATA / "synthetic"

SHARE_PAIRS: dict[str, tuple[str, str]] = {
    "visit_share": ("visits_primary", "visits_total"),
    "admission_share": ("admissions_primary", "admissions_total"),
    "fund_share": ("fund_primary", "fund_total"),
}


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


@dataclass(frozen=True)
class _Entry:
    files: tuple[Path, ...]
    provenance: Provenance
    description: str
    loader: Callable[[tuple[Path, ...]], pd.DataFrame]


def _read_text_csv(path: Path) -> pd.DataFrame:
    if not path.exists():
        raise FileNotFoundError(f"{path} is not there yet; the dataset cannot be loaded")
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


def _numeric(series: pd.Series) -> pd.Series:
    return pd.to_numeric(series.str.strip().replace("", None), errors="coerce").astype(float)


def _load_strings(files: tuple[Path, ...]) -> pd.DataFrame:
    return _read_text_csv(files[0])


def _load_papers(files: tuple[Path, ...]) -> pd.DataFrame:
    frame = _read_text_csv(files[0])
    for column in ("year", "volume", "issue"):
        if column in frame:
            frame[column] = _numeric(frame[column]).astype("Int64")
    return frame


def _load_claims(files: tuple[Path, ...]) -> pd.DataFrame:
    frame = _read_text_csv(files[0])
    frame["value"] = _numeric(frame["value"])
    return frame


def _load_policy_documents(files: tuple[Path, ...]) -> pd.DataFrame:
    frame = _read_text_csv(files[0])
    if "year" in frame:
        frame["year"] = _numeric(frame["year"]).astype("Int64")
    return frame


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


_MONTHLY_INTS = ["visits_primary", "visits_total", "admissions_primary", "admissions_total",
                 "fund_primary", "fund_total"]


def _load_district_monthly(files: tuple[Path, ...]) -> pd.DataFrame:
    frame = _read_text_csv(files[0])
    frame["month"] = pd.to_datetime(frame["month"], format="%Y-%m-%d").astype("datetime64[ns]")
    frame["first_treated"] = pd.to_datetime(frame["first_treated"].replace("", None),
                                            format="%Y-%m-%d").astype("datetime64[ns]")
    frame["treated"] = frame["treated"].map({"True": True, "False": False}).astype(bool)
    for column in _MONTHLY_INTS:
        frame[column] = frame[column].astype("int64")
    return add_shares(frame)


def _load_county_panel(files: tuple[Path, ...]) -> pd.DataFrame:
    frame = _read_text_csv(files[0])
    for column in ("year", "first_treated", "visits_primary", "visits_total", "fund_primary",
                   "fund_total"):
        frame[column] = frame[column].astype("int64")
    for column in ("true_visit_effect_pp", "true_fund_effect_pp"):
        frame[column] = frame[column].astype(float)
    frame["treated"] = frame["treated"].map({"True": True, "False": False}).astype(bool)
    return add_shares(frame)


def _load_qianjiang_reported(files: tuple[Path, ...]) -> pd.DataFrame:
    # Imported here: the synthetic package reads the same anchor ids from the assumptions file,
    # so the reported table and the calibration can never point at different claims.
    from analysis.synthetic.config import load_config, read_anchors

    claims = _load_claims(files[:1]).set_index("claim_id")
    anchors = read_anchors(load_config(files[1]), files[0], require_pilot=False)
    rows = []
    for series in ("visit_share", "admission_share", "fund_share"):
        for year in sorted(getattr(anchors, series)):
            claim_id = anchors.claim_ids[f"{series}_{year}"]
            rows.append({"series": series, "year": year, "value": claims.at[claim_id, "value"],
                         "provenance": claims.at[claim_id, "provenance"], "claim_id": claim_id,
                         "note": ""})
    change_id = anchors.claim_ids["visit_share_change_post"]
    year_id = anchors.claim_ids["visit_share_change_year"]
    base_year = anchors.reform_year - 1
    rows.append({
        "series": "visit_share", "year": anchors.post_year, "value": anchors.post_visit_share,
        "provenance": "assumed", "claim_id": change_id,
        "note": (f"computed: {base_year} value + reported rise ({change_id}); the year "
                 f"{anchors.post_year} is assumed ({year_id}), the paper does not state it"),
    })
    frame = pd.DataFrame(rows)
    frame["year"] = frame["year"].astype("int64")
    frame["value"] = frame["value"].astype(float)
    return frame


def _load_sicily(files: tuple[Path, ...]) -> pd.DataFrame:
    return pd.read_csv(files[0], encoding="utf-8")


_REGISTRY: dict[str, _Entry] = {
    "papers": _Entry((paths.DATA / "papers.csv",), "reported",
                     "The four papers: authors, journal, DOI, titles and theoretical lens.",
                     _load_papers),
    "claims": _Entry((CLAIMS_DIR / "claims.csv",), "mixed",
                     "Every quantitative statement of the four papers, with its verbatim source "
                     "words; a few rows are explicit assumptions.", _load_claims),
    "policy_documents": _Entry((CLAIMS_DIR / "gong2024_policy_documents.csv",), "reported",
                               "Gong & Wang 2024, Table 1: policy documents 1992-2022, as printed.",
                               _load_policy_documents),
    "security_schemes": _Entry((CLAIMS_DIR / "gong2024_security_schemes.csv",), "reported",
                               "Gong & Wang 2024, Table 2: the eight medical-security schemes.",
                               _load_strings),
    "lenses": _Entry((FRAMEWORKS_DIR / "lenses.csv",), "reported",
                     "The theoretical lens of each paper: theorists, unit of analysis, drivers.",
                     _load_strings),
    "mechanisms": _Entry((FRAMEWORKS_DIR / "mechanisms.csv",), "reported",
                         "Each mechanism as the paper names it, with observable indicators.",
                         _load_strings),
    "hypotheses": _Entry((FRAMEWORKS_DIR / "hypotheses.csv",), "assumed",
                         "Testable statements this book derives from the frameworks.",
                         _load_strings),
    "glossary": _Entry((paths.DATA / "glossary.csv",), "reported",
                       "Bilingual glossary of the policy terms the book uses.", _load_strings),
    "qianjiang_reported": _Entry(
        (CLAIMS_DIR / "claims.csv", SYNTHETIC_DIR / "assumptions.toml"), "mixed",
        "Qianjiang's reported primary-care shares (2017, 2022) and the post-reform visit share "
        "at an assumed year.", _load_qianjiang_reported),
    "district_monthly": _Entry(
        (SYNTHETIC_DIR / "district_monthly.csv",), "synthetic",
        "Synthetic monthly primary-care and total counts for Qianjiang and comparison "
        "districts, 2017-2024, calibrated to the reported Qianjiang anchors.",
        _load_district_monthly),
    "county_staggered_panel": _Entry(
        (SYNTHETIC_DIR / "county_staggered_panel.csv",), "synthetic",
        "Synthetic annual county panel with staggered adoption waves shaped like Anhui's.",
        _load_county_panel),
    "sicily_smoking_ban": _Entry(
        (paths.DATA / "public" / "sicily_smoking_ban.csv",), "public",
        "Public Sicily smoking-ban series (Lopez Bernal et al. 2017), used only to reproduce a "
        "published ITS result.", _load_sicily),
}


def list_datasets() -> tuple[str, ...]:
    """Names accepted by :func:`load_data`, in registry order."""
    return tuple(_REGISTRY)


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
        When a source file is missing.
    """
    if name not in _REGISTRY:
        raise KeyError(f"unknown dataset {name!r}; known: {', '.join(_REGISTRY)}")
    entry = _REGISTRY[name]
    return Dataset(name=name, frame=entry.loader(entry.files), provenance=entry.provenance,
                   description=entry.description, files=entry.files)


def dataset_table() -> pd.DataFrame:
    """One row per registered dataset: name, provenance class, description and files.

    Returns
    -------
    pandas.DataFrame
        ``files`` are paths relative to the repository root, joined with ``"; "``.
    """
    return pd.DataFrame([
        {"name": name, "provenance": entry.provenance, "description": entry.description,
         "files": "; ".join(str(f.relative_to(paths.ROOT)) for f in entry.files)}
        for name, entry in _REGISTRY.items()])
