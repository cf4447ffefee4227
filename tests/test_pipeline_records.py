"""The synthetic record generator reproduces the monthly series exactly through the pipeline."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.datasets import load_data
from analysis.pipeline import build_series
from analysis.pipeline.records import scale_counts, write_records
from analysis.pipeline.schema import COUNT_COLUMNS


@pytest.fixture(scope="module")
def district_monthly() -> pd.DataFrame:
    return load_data("district_monthly").frame


def test_full_scale_slice_of_district_monthly_is_reproduced_exactly(
    tmp_path: Path, district_monthly: pd.DataFrame
) -> None:
    # Two districts, two months at full scale: about 0.9 million records.
    frame = district_monthly[
        district_monthly["district"].isin(["qianjiang", "comparison_01"])
        & (district_monthly["month"] <= "2017-02-01")
    ].sort_values(["district", "month"])
    manifest = write_records(tmp_path / "records", frame, bad_fraction=0.001, seed=7)
    assert manifest.n_good == int(frame[["visits_total", "admissions_total"]].to_numpy().sum())
    run = build_series(manifest.folder, quarantine=tmp_path / "q.csv")
    expected = frame.reset_index(drop=True)[list(run.series.columns)]
    pd.testing.assert_frame_equal(run.series, expected)
    assert {k: v for k, v in run.quarantine_counts.items() if v} == manifest.expected_quarantine
    assert run.rows_in == manifest.n_good + manifest.n_bad
    assert manifest.expected_quarantine["duplicate_record_id"] > 0
    assert manifest.expected_quarantine["conflicting_record_id"] > 0


def test_generated_records_look_like_settlements(
    tmp_path: Path, district_monthly: pd.DataFrame
) -> None:
    frame = scale_counts(district_monthly[district_monthly["district"] == "qianjiang"], 2000)
    manifest = write_records(tmp_path, frame, seed=3)
    table = pd.read_parquet(manifest.good_files[0])
    assert table["record_id"].is_unique
    assert set(table["institution_level"]) <= {
        "乡镇卫生院",
        "社区卫生服务中心",
        "基层",
        "一级",
        "二级",
        "三级",
    }
    assert set(table["service_type"]) == {"门诊", "住院"}
    assert (table["fund_paid"] >= 0).all()
    assert (table["total_cost"].astype(float) >= table["fund_paid"]).all()
    inpatient = table["service_type"] == "住院"
    assert (
        table.loc[inpatient, "fund_paid"].median() > 5 * table.loc[~inpatient, "fund_paid"].median()
    )
    again = write_records(tmp_path / "again", frame, seed=3)
    pd.testing.assert_frame_equal(table, pd.read_parquet(again.good_files[0]))


@pytest.mark.parametrize(("encoding", "labels"), [("gb18030", "zh"), ("utf-8", "en")])
def test_csv_records_round_trip(
    tmp_path: Path, district_monthly: pd.DataFrame, encoding: str, labels: str
) -> None:
    frame = scale_counts(district_monthly[district_monthly["district"] == "comparison_02"], 3000)
    manifest = write_records(
        tmp_path,
        frame,
        fmt="csv",
        encoding=encoding,  # type: ignore[arg-type]
        labels=labels,  # type: ignore[arg-type]
        bad_fraction=0.02,
    )
    run = build_series(tmp_path)
    pd.testing.assert_frame_equal(run.series, manifest.expected)
    assert run.encodings == {f"csv {encoding}": len(manifest.good_files) + 1}
    assert run.rows_quarantined == manifest.n_bad > 0
    assert {k: v for k, v in run.quarantine_counts.items() if v} == manifest.expected_quarantine


counts_rows = st.tuples(
    st.integers(0, 40),
    st.integers(0, 40),
    st.integers(0, 6),
    st.integers(0, 6),
    st.integers(0, 10**7),
    st.integers(0, 10**7),
)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(counts_rows, min_size=1, max_size=4), st.integers(0, 2**32 - 1))
def test_any_consistent_counts_are_reproduced(
    tmp_path: Path, cells: list[tuple[int, ...]], seed: int
) -> None:
    rows = []
    for i, (vp, vo, ap, ao, fp, fo) in enumerate(cells):
        primary_records, other_records = vp + ap, vo + ao
        rows.append(
            {
                "district": f"d{i % 2}",
                "month": pd.Timestamp(2020, 1 + i, 1),
                "visits_primary": vp,
                "visits_total": vp + vo,
                "admissions_primary": ap,
                "admissions_total": ap + ao,
                # A pot needs records to carry it.
                "fund_primary": fp if primary_records else 0,
                "fund_total": (fp if primary_records else 0) + (fo if other_records else 0),
            }
        )
    frame = pd.DataFrame(rows)
    if frame[["visits_total", "admissions_total"]].to_numpy().sum() == 0:
        return
    folder = Path(tempfile.mkdtemp(dir=tmp_path))  # hypothesis may repeat a seed
    manifest = write_records(folder, frame, seed=seed)
    run = build_series(folder, missing_months="keep-gaps")
    nonempty = manifest.expected[
        (manifest.expected["visits_total"] + manifest.expected["admissions_total"]) > 0
    ]
    pd.testing.assert_frame_equal(run.series, nonempty.reset_index(drop=True))


def test_fund_without_records_cannot_be_generated(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "district": ["a"],
            "month": [pd.Timestamp("2020-01-01")],
            "visits_primary": [0],
            "visits_total": [3],
            "admissions_primary": [0],
            "admissions_total": [0],
            "fund_primary": [10],
            "fund_total": [50],
        }
    )
    with pytest.raises(ValueError, match="no records"):
        write_records(tmp_path, frame)


def test_scaling_keeps_primary_within_total(district_monthly: pd.DataFrame) -> None:
    small = scale_counts(district_monthly, 500)
    for part, whole in (
        ("visits_primary", "visits_total"),
        ("admissions_primary", "admissions_total"),
        ("fund_primary", "fund_total"),
    ):
        assert (small[part] <= small[whole]).all()
    assert np.allclose(small["visit_share"], district_monthly["visit_share"], atol=0.5)
    assert list(small.columns[:8]) == ["district", "month", *COUNT_COLUMNS]
