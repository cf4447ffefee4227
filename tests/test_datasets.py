"""The dataset registry: names, provenance, column types, derived shares, read-only loading."""

from __future__ import annotations

import dataclasses
import hashlib

import numpy as np
import pandas as pd
import pytest

from analysis import paths, registry
from analysis.datasets import Dataset, dataset_table, list_datasets, load_data
from analysis.synthetic.config import load_config, read_claim_values, treated_district
from analysis.validation.schemas import PROVENANCE_CLASSES

REQUIRED = (
    "papers",
    "claims",
    "policy_documents",
    "security_schemes",
    "lenses",
    "mechanisms",
    "glossary",
    "district_monthly",
    "county_staggered_panel",
    "sicily_smoking_ban",
)


def _load_or_skip(name: str) -> Dataset:
    try:
        return load_data(name)
    except FileNotFoundError as missing:  # written by another helper, maybe not yet
        pytest.skip(str(missing))


def test_registry_has_every_required_name():
    assert set(REQUIRED) <= set(list_datasets())


@pytest.mark.parametrize("name", list_datasets())
def test_each_dataset_loads_with_a_valid_provenance(name):
    ds = _load_or_skip(name)
    assert isinstance(ds, Dataset) and ds.name == name
    assert ds.provenance in (*PROVENANCE_CLASSES, "mixed")
    assert len(ds.frame) > 0 and ds.description
    assert all(f.is_file() and f.is_relative_to(paths.DATA) for f in ds.files)
    if ds.provenance == "mixed":
        assert set(ds.frame["provenance"]) <= set(PROVENANCE_CLASSES)
    if ds.provenance == "synthetic":
        assert (ds.frame["provenance"] == "synthetic").all()


def test_dataset_is_frozen():
    ds = load_data("district_monthly")
    with pytest.raises(dataclasses.FrozenInstanceError):
        ds.provenance = "reported"  # type: ignore[misc]


def test_unknown_name_lists_known_ones():
    with pytest.raises(KeyError, match="district_monthly"):
        load_data("no_such_dataset")


def test_district_monthly_types_and_shares():
    frame = load_data("district_monthly").frame
    assert frame["month"].dtype.kind == "M" and (frame["month"].dt.day == 1).all()
    assert frame["first_treated"].dtype.kind == "M"
    treated = frame["district"] == treated_district(load_config())
    reform_year = int(read_claim_values()[load_config()["anchors"]["reform_start_year"]])
    assert (
        frame.loc[treated, "first_treated"].eq(pd.Timestamp(year=reform_year, month=1, day=1)).all()
    )
    assert frame.loc[~treated, "first_treated"].isna().all()
    assert frame["treated"].dtype == bool
    for measure, share in (
        ("visits", "visit_share"),
        ("admissions", "admission_share"),
        ("fund", "fund_share"),
    ):
        assert frame[f"{measure}_primary"].dtype == np.int64
        expected = 100 * frame[f"{measure}_primary"] / frame[f"{measure}_total"]
        np.testing.assert_allclose(frame[share], expected)
        assert frame[share].between(0, 100).all()


def test_county_panel_types_and_shares():
    frame = load_data("county_staggered_panel").frame
    assert frame["year"].dtype == np.int64 and frame["first_treated"].dtype == np.int64
    assert frame["visit_share"].between(0, 100).all() and frame["fund_share"].between(0, 100).all()
    assert {"county", "wave", "treated", "true_visit_effect_pp"} <= set(frame.columns)


def test_reported_points_are_tidy_and_mark_the_assumed_point():
    # A chapter's table built from the claims dataset, not a registered dataset of its own.
    from analysis.chapters.case import reported_points

    claims = read_claim_values()
    frame = reported_points()
    assert list(frame.columns[:5]) == ["series", "year", "value", "provenance", "claim_id"]
    reported = frame[frame["provenance"] == "reported"]
    assert len(reported) == 6
    for row in reported.itertuples():
        assert row.value == claims[row.claim_id]
        assert row.year == int(row.claim_id[-4:])
    assumed = frame[frame["provenance"] == "assumed"]
    assert len(assumed) == 1
    point = assumed.iloc[0]
    assert point["series"] == "visit_share"
    assert point["year"] == int(claims["qj_visit_share_change_year_assumed"])
    assert point["value"] == pytest.approx(
        claims["qj_visit_share_2022"] + claims["qj_visit_share_change_post"], abs=0.05
    )


def test_claims_value_is_float_and_provenance_known():
    frame = load_data("claims").frame
    assert frame["value"].dtype == float
    assert set(frame["provenance"]) <= set(PROVENANCE_CLASSES)
    assert frame["claim_id"].is_unique


def test_dataset_table_lists_every_dataset():
    table = dataset_table()
    assert table["name"].tolist() == list(list_datasets())
    assert table["files"].str.startswith("data/").all()


def test_every_data_table_is_declared_once():
    declared = [d.path for d in registry.DATASETS]
    assert len(set(declared)) == len(declared) == len(list_datasets())
    on_disk = {p.relative_to(paths.DATA).as_posix() for p in paths.DATA.rglob("*.csv")}
    assert on_disk == set(declared)
    for entry in registry.DATASETS:
        assert registry.declaration_for_file(entry.file.with_suffix(".xlsx")) is entry
        assert entry.schema.name == entry.name and entry.schema.primary_key


def test_loaders_keep_what_the_schema_declares():
    # A declared integer or year column never comes back as text, a declared text column
    # never as a number: the loader and the schema describe the same file.
    for entry in registry.DATASETS:
        frame = load_data(entry.name).frame
        for f in entry.fields:
            kind = frame[f.name].dtype.kind
            if f.type == "string":
                assert kind == "O", (entry.name, f.name)
            elif f.type == "number":
                assert kind == "f", (entry.name, f.name)


def _snapshot() -> dict[str, tuple[int, str]]:
    return {
        str(p): (p.stat().st_mtime_ns, hashlib.sha256(p.read_bytes()).hexdigest())
        for p in sorted(paths.DATA.rglob("*"))
        if p.is_file()
    }


def test_loaders_never_write_to_data():
    before = _snapshot()
    for name in list_datasets():
        try:
            load_data(name)
        except FileNotFoundError:
            pass
    assert _snapshot() == before
