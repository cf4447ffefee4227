"""Build ``data/datapackage.json``: a Frictionless Tabular Data Package for every file in data/.

Each tabular resource carries its Table Schema (fields, types, constraints, primary key, foreign
keys) from :mod:`analysis.validation.schemas`, the file's ``sha256`` hash and size, and its
provenance (for synthetic files: generator, command, config file and its hash, seed, and the
claims it is calibrated to). The descriptor is *generated*, never hand-edited, so it cannot
drift from the schemas the validator enforces; the hash makes an edit to a raw file without a
refresh fail the test suite loudly.

Examples
--------
>>> descriptor = build_descriptor()
>>> descriptor["profile"]
'tabular-data-package'
>>> sorted(r["name"] for r in descriptor["resources"])[:3]
['claims', 'county_staggered_panel', 'district_monthly']
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from analysis import paths
from analysis.validation.schemas import RESOURCES, ResourceSchema

DESCRIPTOR_PATH: Path = paths.DATA / "datapackage.json"
ASSUMPTIONS = "synthetic/assumptions.toml"

FOREIGN_KEYS: dict[str, list[dict[str, Any]]] = {
    "claims": [{"fields": "paper_id", "reference": {"resource": "papers", "fields": "paper_id"}}],
    "lenses": [{"fields": "paper_id", "reference": {"resource": "papers", "fields": "paper_id"}}],
    "mechanisms": [{"fields": "lens_id", "reference": {"resource": "lenses", "fields": "lens_id"}}],
    "hypotheses": [{"fields": "lens_id", "reference": {"resource": "lenses", "fields": "lens_id"}}],
}


def sha256(path: Path) -> str:
    """Hex digest of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _provenance(resource: ResourceSchema) -> dict[str, Any]:
    if resource.provenance == "synthetic":
        from analysis.synthetic.config import load_config

        config = load_config()
        anchors = config["anchors"]
        calibrated = [cid for key in ("visit_share", "admission_share", "fund_share")
                      for cid in anchors[key]] + [
            anchors[k] for k in ("visit_share_change_post", "visit_share_change_year",
                                 "outpatient_volume_growth", "admission_volume_growth",
                                 "fund_growth_annual")]
        if resource.name == "county_staggered_panel":
            calibrated = [anchors["pilot_counties"]]
        return {"class": "synthetic", "generator": "analysis.synthetic",
                "command": "python -m analysis.synthetic", "config": ASSUMPTIONS,
                "config_sha256": sha256(paths.DATA / ASSUMPTIONS),
                "seed": int(config["generator"]["seed"]),
                "anchors_from": "claims/claims.csv", "calibrated_to_claims": calibrated}
    if resource.provenance == "mixed":
        return {"class": "mixed", "row_column": "provenance",
                "note": "each row's class is in its provenance column"}
    if resource.provenance == "assumed":
        return {"class": "assumed",
                "note": "the compendium's own synthesis; not stated by the papers"}
    if resource.provenance == "public":
        return {"class": "public", "source": resource.source}
    return {"class": resource.provenance, "sources": "the four papers (see papers.csv)"}


def _tabular(resource: ResourceSchema) -> dict[str, Any]:
    path = paths.DATA / resource.path
    schema: dict[str, Any] = {"fields": [f.descriptor() for f in resource.fields],
                              "primaryKey": list(resource.primary_key), "missingValues": [""]}
    if resource.name in FOREIGN_KEYS:
        schema["foreignKeys"] = FOREIGN_KEYS[resource.name]
    out: dict[str, Any] = {
        "name": resource.name, "path": resource.path, "profile": "tabular-data-resource",
        "title": resource.title, "description": resource.description, "format": "csv",
        "mediatype": "text/csv", "encoding": "utf-8",
        "bytes": path.stat().st_size if path.exists() else None,
        "hash": f"sha256:{sha256(path)}" if path.exists() else None,
        "schema": schema, "provenance": _provenance(resource)}
    if resource.share_pairs:
        out["rules"] = {"numerator_not_above_denominator": [list(p) for p in resource.share_pairs],
                        "complete_index": list(resource.time_index or ())}
    return out


def build_descriptor() -> dict[str, Any]:
    """The full descriptor for the current contents of ``data/``.

    Returns
    -------
    dict
        JSON-serialisable Frictionless descriptor.
    """
    resources = [_tabular(r) for r in RESOURCES]
    config = paths.DATA / ASSUMPTIONS
    resources.append({
        "name": "synthetic_assumptions", "path": ASSUMPTIONS, "title": "Synthetic-data assumptions",
        "description": "Every assumption of the synthetic-data generator, commented (TOML).",
        "format": "toml", "mediatype": "application/toml", "encoding": "utf-8",
        "bytes": config.stat().st_size, "hash": f"sha256:{sha256(config)}",
        "provenance": {"class": "assumed", "note": "stated assumptions; anchors are read from "
                                                   "claims/claims.csv, not typed here"}})
    # Documentation files (READMEs written next to the data) are described and hashed too, so
    # every file in data/ is covered; they hold no data values.
    for doc in sorted(paths.DATA.rglob("*.md")):
        relative = str(doc.relative_to(paths.DATA))
        resources.append({
            "name": "doc_" + relative.removesuffix(".md").replace("/", "_").lower(),
            "path": relative, "title": f"Documentation: {relative}", "format": "md",
            "mediatype": "text/markdown", "encoding": "utf-8", "bytes": doc.stat().st_size,
            "hash": f"sha256:{sha256(doc)}",
            "provenance": {"class": "documentation", "note": "describes other resources"}})
    return {
        "profile": "tabular-data-package",
        "name": "county-reform-compendium-data",
        "title": "Data of the county-reform compendium",
        "description": "Claims transcribed from four papers in the Chinese Journal of Health "
                       "Policy, framework crosswalks, a glossary, and clearly labelled synthetic "
                       "series calibrated to the reported values. Generated by "
                       "python -m analysis.validation.checksums --write.",
        "provenance_classes": {
            "reported": "printed in one of the four papers (paper, section, verbatim words)",
            "public": "from a citable public source",
            "assumed": "an assumption stated by this compendium",
            "synthetic": "generated by analysis.synthetic from a config and a seed"},
        "resources": resources,
    }


def render(descriptor: dict[str, Any]) -> str:
    """Deterministic JSON text (sorted nothing, fixed indent, UTF-8, final newline)."""
    return json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n"


def described_paths(descriptor: dict[str, Any]) -> set[str]:
    """Paths (relative to data/) the descriptor covers."""
    return {r["path"] for r in descriptor["resources"]}


def stale_resources() -> list[str]:
    """Human-readable differences between the committed descriptor and the data files.

    Returns
    -------
    list of str
        Empty when ``data/datapackage.json`` is up to date.
    """
    fresh = build_descriptor()
    if not DESCRIPTOR_PATH.exists():
        return [f"{DESCRIPTOR_PATH} is missing"]
    committed = json.loads(DESCRIPTOR_PATH.read_text(encoding="utf-8"))
    problems = []
    old = {r["name"]: r for r in committed.get("resources", [])}
    for resource in fresh["resources"]:
        before = old.get(resource["name"])
        if before is None:
            problems.append(f"{resource['path']}: not described in datapackage.json")
        elif before.get("hash") != resource["hash"]:
            problems.append(f"{resource['path']}: sha256 differs from datapackage.json "
                            "(file edited without refreshing the hashes)")
        elif before != resource:
            problems.append(f"{resource['path']}: schema or provenance in datapackage.json "
                            "is out of date")
    on_disk = {str(p.relative_to(paths.DATA)) for p in paths.DATA.rglob("*")
               if p.is_file() and p != DESCRIPTOR_PATH}
    problems += [f"{p}: file in data/ has no resource in datapackage.json"
                 for p in sorted(on_disk - described_paths(fresh))]
    if not problems and committed != fresh:
        problems.append("datapackage.json differs from the generated descriptor")
    return problems
