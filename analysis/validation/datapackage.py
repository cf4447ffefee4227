"""Build ``data/datapackage.json``: a Frictionless Tabular Data Package for every file in data/.

Each tabular resource is generated from its declaration in :mod:`analysis.registry`: Table
Schema (fields, types, constraints, primary key, foreign keys), title, description and
provenance (for synthetic files: generator, command, config file and its hash, seed, and the
claims it is calibrated to), plus the file's ``sha256`` hash and size. The descriptor is
*generated*, never hand-edited, so it cannot drift from the schemas the validator enforces; the
hash makes an edit to a raw file without a refresh fail the test suite loudly. Refresh it with
``python -m analysis.validation.checksums --write``.

Examples
--------
>>> descriptor = build_descriptor()
>>> descriptor["profile"]
'tabular-data-package'
>>> {"claims", "county_staggered_panel", "district_monthly"} <= {
...     r["name"] for r in descriptor["resources"]}
True
"""

from __future__ import annotations

import hashlib
import importlib
import json
from pathlib import Path
from typing import Any

from analysis import paths
from analysis.registry import DATASETS, REFERENCE_FILES, Declaration, declaration
from analysis.synthetic.config import CONFIG_PATH, load_config
from analysis.tables.reading import read_table

DESCRIPTOR_PATH: Path = paths.DATA / "datapackage.json"
REFRESH_COMMAND = "python -m analysis.validation.checksums --write"


def sha256(path: Path) -> str:
    """Hex digest of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _relative(path: Path) -> str:
    return path.relative_to(paths.DATA).as_posix()


_CONFIG_IN_DATA = CONFIG_PATH.relative_to(paths.DATA)


def _config_path() -> Path:
    # Resolved at call time: paths.DATA may point at a copy of data/ (the tests do this).
    return paths.DATA / _CONFIG_IN_DATA


def _other_generator(entry: Declaration) -> dict[str, Any]:
    """Provenance of a file written by a generator other than the series generator."""
    module = importlib.import_module(entry.generated_by)
    config_path = paths.DATA / module.CONFIG_PATH.relative_to(paths.ROOT / "data")
    return {
        "class": entry.provenance,
        "generator": entry.generated_by,
        "command": f"python -m {entry.generated_by}",
        "config": _relative(config_path),
        "config_sha256": sha256(config_path),
        "seed": int(module.load_config(config_path)["generator"]["seed"]),
    }


def _provenance(entry: Declaration) -> dict[str, Any]:
    if entry.generated_by and entry.generated_by != "analysis.synthetic":
        return _other_generator(entry)
    if entry.generated_by:
        config = load_config(_config_path())
        anchors = config["anchors"]
        calibrated = [
            cid
            for key in entry.calibrated_to
            for cid in (anchors[key] if isinstance(anchors[key], list) else [anchors[key]])
        ]
        return {
            "class": entry.provenance,
            "generator": entry.generated_by,
            "command": f"python -m {entry.generated_by}",
            "config": _relative(_config_path()),
            "config_sha256": sha256(_config_path()),
            "seed": int(config["generator"]["seed"]),
            "anchors_from": declaration("claims").path,
            "calibrated_to_claims": calibrated,
            **(
                {
                    "also_configured_by": [
                        {"config": extra, "config_sha256": sha256(paths.DATA / extra)}
                        for extra in entry.extra_configs
                    ]
                }
                if entry.extra_configs
                else {}
            ),
        }
    if entry.provenance == "mixed":
        return {
            "class": "mixed",
            "row_column": "provenance",
            "note": "each row's class is in its provenance column",
        }
    if entry.provenance == "assumed":
        return {
            "class": "assumed",
            "note": "the compendium's own synthesis; not stated by the papers",
        }
    if entry.provenance == "public":
        return {"class": "public", "source": entry.source}
    if entry.provenance == "reading":
        return {
            "class": "reading",
            "note": "the book's own reading of the papers; which cells quote a paper and "
            "which are the book's is said per field (the *_basis columns)",
            "sources": "the four papers (see papers.csv)",
        }
    return {"class": entry.provenance, "sources": "the four papers (see papers.csv)"}


def _tabular(entry: Declaration) -> dict[str, Any]:
    path = paths.DATA / entry.path
    schema: dict[str, Any] = {
        "fields": [f.descriptor() for f in entry.fields],
        "primaryKey": list(entry.primary_key),
        "missingValues": [""],
    }
    if entry.foreign_keys:
        schema["foreignKeys"] = [
            {"fields": column, "reference": {"resource": other, "fields": other_column}}
            for column, other, other_column in entry.foreign_keys
        ]
    out: dict[str, Any] = {
        "name": entry.name,
        "path": entry.path,
        "profile": "tabular-data-resource",
        "title": entry.title,
        "description": entry.description,
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": read_table(path).encoding if path.exists() else "utf-8",
        "bytes": path.stat().st_size if path.exists() else None,
        "hash": f"sha256:{sha256(path)}" if path.exists() else None,
        "schema": schema,
        "provenance": _provenance(entry),
    }
    if entry.share_pairs:
        out["rules"] = {
            "numerator_not_above_denominator": [list(p) for p in entry.share_pairs],
            "complete_index": list(entry.time_index or ()),
        }
    return out


def _file_resource(path: Path, name: str, title: str, provenance: dict[str, Any]) -> dict:
    kinds = {
        ".toml": ("toml", "application/toml"),
        ".json": ("json", "application/json"),
        ".xlsx": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    }
    fmt, mediatype = kinds[path.suffix]
    return {
        "name": name,
        "path": _relative(path),
        "title": title,
        "format": fmt,
        "mediatype": mediatype,
        "bytes": path.stat().st_size,
        "hash": f"sha256:{sha256(path)}",
        "provenance": provenance,
    }


def _companion_files() -> list[dict[str, Any]]:
    """A generator's config and its non-CSV outputs, beside the declared CSV it writes."""
    out = []
    for entry in DATASETS:
        for extra in entry.extra_configs:
            out.append(
                _file_resource(
                    paths.DATA / extra,
                    f"{entry.name}_{Path(extra).stem}_config",
                    f"Generator config of {entry.name}: {Path(extra).name}",
                    {"class": "assumed", "note": f"the stated config of {entry.generated_by}"},
                )
            )
        if not entry.generated_by or entry.generated_by == "analysis.synthetic":
            continue
        generated = _other_generator(entry)
        config = paths.DATA / generated["config"]
        stem = entry.name
        out.append(
            _file_resource(
                config,
                f"{stem}_config",
                f"Generator config of {entry.name}",
                {"class": "assumed", "note": f"the stated config of {entry.generated_by}"},
            )
        )
        for workbook in sorted(config.parent.glob("*.xlsx")):
            out.append(
                _file_resource(
                    workbook,
                    f"{stem}_{workbook.stem}",
                    f"{entry.title}: {workbook.name}",
                    generated,
                )
            )
    return out


def build_descriptor() -> dict[str, Any]:
    """The full descriptor for the current contents of ``data/``.

    Returns
    -------
    dict
        JSON-serialisable Frictionless descriptor.
    """
    resources = [_tabular(entry) for entry in DATASETS]
    config = _config_path()
    resources.append(
        {
            "name": "synthetic_assumptions",
            "path": _relative(config),
            "title": "Synthetic-data assumptions",
            "description": "Every assumption of the synthetic-data generator, commented (TOML).",
            "format": "toml",
            "mediatype": "application/toml",
            "encoding": "utf-8",
            "bytes": config.stat().st_size,
            "hash": f"sha256:{sha256(config)}",
            "provenance": {
                "class": "assumed",
                "note": "stated assumptions; anchors are read from "
                f"{declaration('claims').path}, not typed "
                "here",
            },
        }
    )
    resources.extend(_companion_files())
    # Non-tabular reference files (JSON) declared in the registry: described and hashed.
    resources.extend(
        {
            **_file_resource(
                paths.DATA / ref.path,
                ref.name,
                ref.title,
                {"class": ref.provenance, "source": ref.source},
            ),
            "description": ref.description,
        }
        for ref in REFERENCE_FILES
    )
    # Documentation files (READMEs written next to the data) are described and hashed too, so
    # every file in data/ is covered; they hold no data values.
    for doc in sorted(paths.DATA.rglob("*.md")):
        relative = str(doc.relative_to(paths.DATA))
        resources.append(
            {
                "name": "doc_" + relative.removesuffix(".md").replace("/", "_").lower(),
                "path": relative,
                "title": f"Documentation: {relative}",
                "format": "md",
                "mediatype": "text/markdown",
                "encoding": "utf-8",
                "bytes": doc.stat().st_size,
                "hash": f"sha256:{sha256(doc)}",
                "provenance": {"class": "documentation", "note": "describes other resources"},
            }
        )
    return {
        "profile": "tabular-data-package",
        "name": "county-reform-compendium-data",
        "title": "Data of the county-reform compendium",
        "description": "Claims transcribed from four papers in the Chinese Journal of Health "
        "Policy, framework crosswalks, a glossary, and clearly labelled synthetic "
        "series calibrated to the reported values. Generated by "
        f"{REFRESH_COMMAND}.",
        "provenance_classes": {
            "reported": "printed in one of the four papers (paper, section, verbatim words)",
            "public": "from a citable public source",
            "assumed": "an assumption stated by this compendium",
            "synthetic": "generated by analysis.synthetic from a config and a seed",
            "reading": "the book's own reading of a paper: a number read from printed words, "
            "a synthesis cell, a definition, a derived hypothesis",
        },
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
            problems.append(
                f"{resource['path']}: sha256 differs from datapackage.json "
                "(file edited without refreshing the hashes)"
            )
        elif before != resource:
            problems.append(
                f"{resource['path']}: schema or provenance in datapackage.json is out of date"
            )
    on_disk = {
        str(p.relative_to(paths.DATA))
        for p in paths.DATA.rglob("*")
        if p.is_file() and p != DESCRIPTOR_PATH
    }
    problems += [
        f"{p}: file in data/ has no resource in datapackage.json"
        for p in sorted(on_disk - described_paths(fresh))
    ]
    if not problems and committed != fresh:
        problems.append("datapackage.json differs from the generated descriptor")
    return problems
