"""Input schema and quarantine: every failure reason, the row identity, encodings and formats."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from analysis.pipeline import InputError, PipelineError
from analysis.pipeline import build_series as _build_series
from analysis.pipeline.engines import EngineOutput
from analysis.pipeline.schema import FIELD_NAMES, REASON_CODES, label_table, schema_table
from analysis.pipeline.series import assemble

GOOD = {
    "record_id": "R1",
    "settlement_date": "2023-01-05",
    "county_code": "qj",
    "institution_id": "H1",
    "institution_level": "基层",
    "service_type": "门诊",
    "total_cost": "100.00",
    "fund_paid": "60",
    "scheme": "居民",
}


def build_series(records, **options):
    """The pipeline with the quarantine limit off and unknown labels dropped on purpose:
    these tests quarantine on purpose."""
    return _build_series(records, **{"max_quarantine": 100, "drop_unknown_labels": True, **options})


def write_csv(path: Path, rows: list[dict[str, str]], encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(FIELD_NAMES))
        writer.writeheader()
        writer.writerows(rows)
    return path


def row(**changes: str) -> dict[str, str]:
    return {**GOOD, **changes}


def good_rows(n: int) -> list[dict[str, str]]:
    levels = ["基层", "二级", "三级", "primary", "乡镇卫生院"]
    services = ["门诊", "住院", "outpatient"]
    return [
        row(
            record_id=f"G{i}",
            settlement_date=f"2023-0{1 + i % 3}-1{i % 10}",
            institution_level=levels[i % 5],
            service_type=services[i % 3],
            total_cost=f"{100 + i}.50",
            fund_paid=str(50 + i),
            county_code=("qj", "cmp")[i % 2],
        )
        for i in range(n)
    ]


DEFECTS: list[tuple[dict[str, str], str]] = [
    *((row(**{name: ""}), f"missing_{name}") for name in FIELD_NAMES),
    (row(settlement_date="   "), "missing_settlement_date"),
    (row(settlement_date="2023-02-30"), "malformed_date"),
    (row(settlement_date="2023-13-01"), "malformed_date"),
    (row(settlement_date="2023-00-05"), "malformed_date"),
    (row(settlement_date="2023-1-5x"), "malformed_date"),
    (row(settlement_date="二〇二三年一月"), "malformed_date"),
    (row(total_cost="1.000,00"), "malformed_amount"),
    (row(fund_paid="六十"), "malformed_amount"),
    (row(fund_paid="-1"), "negative_amount"),
    # A negative total is a reversal (netted, or refused without its original), not a
    # quarantined row: see test_pipeline_semantics.
    (row(total_cost="100", fund_paid="-0.01"), "negative_amount"),
    (row(fund_paid="100.01"), "fund_exceeds_total"),
    (row(institution_level="四级"), "unknown_level"),
    (row(institution_level="clinic"), "unknown_level"),
    (row(service_type="药店购药"), "unknown_service_type"),
    (row(scheme="商业保险"), "unknown_scheme"),
]


@pytest.mark.parametrize(
    ("bad", "reason"), DEFECTS, ids=[f"{reason}-{i}" for i, (_, reason) in enumerate(DEFECTS)]
)
def test_each_failure_reason_is_quarantined_with_its_code(
    tmp_path: Path, bad: dict[str, str], reason: str
) -> None:
    rows = [*good_rows(6), {**bad, "record_id": bad["record_id"] and "BAD"}]
    records = write_csv(tmp_path / "r.csv", rows)
    run = build_series(records, quarantine=tmp_path / "q.csv")
    assert run.rows_in == 7
    assert run.rows_quarantined == 1
    assert run.rows_aggregated == 6
    assert run.quarantine_counts[reason] == 1
    quarantined = pd.read_csv(tmp_path / "q.csv", dtype=str, keep_default_na=False)
    assert quarantined["reason"].tolist() == [reason]
    assert reason in quarantined["all_reasons"].item().split(";")


def test_a_row_with_several_faults_lists_them_all(tmp_path: Path) -> None:
    records = write_csv(
        tmp_path / "r.csv", [row(fund_paid="-5", scheme="商保", institution_level="四级")]
    )
    with pytest.raises(InputError, match="the series would be empty"):
        build_series(records, quarantine=tmp_path / "q.csv")
    quarantined = pd.read_csv(tmp_path / "q.csv", dtype=str)
    assert quarantined["reason"].item() == "negative_amount"
    assert quarantined["all_reasons"].item() == "negative_amount;unknown_level;unknown_scheme"


def test_duplicate_ids_keep_one_exact_copy_and_quarantine_every_conflicting_copy(
    tmp_path: Path,
) -> None:
    exact = row(record_id="D1", fund_paid="10")
    rows = [
        exact,
        dict(exact),
        dict(exact),  # three identical copies: one kept
        row(record_id="C1"),
        row(record_id="C1", fund_paid="61"),  # conflicting: none kept
        row(record_id="U1", fund_paid="7"),
    ]
    # Spaces around values do not make a copy different.
    rows.append({k: f" {v} " for k, v in exact.items()})
    run = build_series(write_csv(tmp_path / "r.csv", rows), quarantine=tmp_path / "q.csv")
    assert run.quarantine_counts["duplicate_record_id"] == 3
    assert run.quarantine_counts["conflicting_record_id"] == 2
    assert run.rows_aggregated == 2
    assert run.series["fund_total"].item() == 17
    quarantined = pd.read_csv(tmp_path / "q.csv", dtype=str)
    assert sorted(quarantined["record_id"]) == ["C1", "C1", "D1", "D1", "D1"]


def test_rows_in_equals_aggregated_plus_quarantined(tmp_path: Path) -> None:
    rows = good_rows(40) + [bad for bad, _ in DEFECTS]
    rows = [
        dict(r, record_id=r["record_id"] and f"{r['record_id']}-{i}") for i, r in enumerate(rows)
    ]
    rows += [rows[0], rows[1]]  # exact duplicates
    run = build_series(write_csv(tmp_path / "r.csv", rows), quarantine=tmp_path / "q.csv")
    assert run.rows_in == len(rows)
    assert run.rows_in == run.rows_aggregated + run.rows_quarantined
    assert run.rows_quarantined == len(DEFECTS) + 2
    assert len(pd.read_csv(tmp_path / "q.csv")) == run.rows_quarantined
    assert sum(run.quarantine_counts.values()) == run.rows_quarantined
    assert set(run.quarantine_counts) == set(REASON_CODES)


def test_unbalanced_accounting_is_an_error() -> None:
    groups = pd.DataFrame(
        {
            "reason": [None, "unknown_level"],
            "district": ["qj", None],
            "month": [pd.Timestamp("2023-01-01"), pd.NaT],
            "n_rows": [3, 1],
            "visits_primary": [1, 0],
            "visits_total": [2, 0],
            "admissions_primary": [0, 0],
            "admissions_total": [1, 0],
            "fund_primary": [5, 0],
            "fund_total": [9, 0],
        }
    )
    assemble(EngineOutput(groups, rows_read=4, rows_written=1))
    with pytest.raises(PipelineError, match="do not add up"):
        assemble(EngineOutput(groups, rows_read=5, rows_written=1))
    with pytest.raises(PipelineError, match="quarantine file has 0 rows"):
        assemble(EngineOutput(groups, rows_read=4, rows_written=0))


def test_series_counts_and_fund_follow_the_stated_definitions(tmp_path: Path) -> None:
    rows = [
        row(record_id="1", service_type="门诊", institution_level="基层", fund_paid="10"),
        row(
            record_id="2",
            service_type="outpatient",
            institution_level="社区卫生服务中心",
            fund_paid="20.40",
        ),
        row(record_id="3", service_type="门诊", institution_level="二级", fund_paid="30.20"),
        row(record_id="4", service_type="住院", institution_level="一级", fund_paid="40"),
        row(
            record_id="5",
            service_type="inpatient",
            institution_level="三级",
            total_cost="900",
            fund_paid="800",
        ),
        row(record_id="6", settlement_date="2023-02-01", fund_paid="1"),
    ]
    run = build_series(write_csv(tmp_path / "r.csv", rows))
    first = run.series.iloc[0]
    assert first["month"] == pd.Timestamp("2023-01-01")
    assert (first["visits_primary"], first["visits_total"]) == (2, 3)
    assert (first["admissions_primary"], first["admissions_total"]) == (1, 2)
    assert (first["fund_primary"], first["fund_total"]) == (70, 901)  # 70.40 and 900.60
    assert first["visit_share"] == pytest.approx(200 / 3)
    assert first["fund_share"] == pytest.approx(100 * 70 / 901)
    assert run.months == 2 and run.counties == 1


def test_accepted_date_shapes_and_labels(tmp_path: Path) -> None:
    dates = [
        "2023-01-05",
        "2023/01/05",
        "20230105",
        "2023-01-05 23:59:59",
        "2023-01-05T08:00",
        "2023-1-5",
        "2023/1/5",
        "2023年1月5日",
        "44931",
        "2023.1.5",
    ]
    rows = [row(record_id=str(i), settlement_date=d) for i, d in enumerate(dates)]
    labels = label_table()
    for i, label in enumerate(labels.loc[labels["column"] == "institution_level", "label"]):
        rows.append(row(record_id=f"L{i}", institution_level=label.upper()))
    run = build_series(write_csv(tmp_path / "r.csv", rows))
    assert run.rows_quarantined == 0
    assert run.series["month"].tolist() == [pd.Timestamp("2023-01-01")]


def test_gb18030_csv_gives_the_same_series_as_utf8(tmp_path: Path) -> None:
    rows = good_rows(30) + [row(record_id="X", institution_level="四级")]
    utf8 = build_series(write_csv(tmp_path / "u" / "r.csv", rows))
    gb = build_series(write_csv(tmp_path / "g" / "r.csv", rows, encoding="gb18030"))
    bom = build_series(write_csv(tmp_path / "b" / "r.csv", rows, encoding="utf-8-sig"))
    assert gb.encodings == {"csv gb18030": 1} and bom.encodings == {"csv utf-8-sig": 1}
    pd.testing.assert_frame_equal(utf8.series, gb.series)
    pd.testing.assert_frame_equal(utf8.series, bom.series)
    assert utf8.quarantine_counts == gb.quarantine_counts == bom.quarantine_counts
    assert gb.quarantine_counts["unknown_level"] == 1


def test_undecodable_csv_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes(",".join(FIELD_NAMES).encode() + b"\n\x81\x20\xff\xfe\n")
    with pytest.raises(InputError, match="unknown encoding: not UTF-8, UTF-16 or GB18030"):
        build_series(path)


def test_parquet_with_typed_columns_equals_csv(tmp_path: Path) -> None:
    rows = good_rows(30)
    from_csv = build_series(write_csv(tmp_path / "r.csv", rows))
    frame = pd.DataFrame(rows)
    table = pa.table(
        {
            **{name: pa.array(frame[name]) for name in FIELD_NAMES},
            "settlement_date": pa.array(
                pd.to_datetime(frame["settlement_date"]).dt.date, pa.date32()
            ),
            "fund_paid": pa.array(frame["fund_paid"].astype("int64")),
            "total_cost": pa.array(frame["total_cost"].astype(float)),
            "extra_column": pa.array(range(len(frame))),
        }
    )
    pq.write_table(table, tmp_path / "r.parquet")
    from_parquet = build_series(tmp_path / "r.parquet")
    pd.testing.assert_frame_equal(from_csv.series, from_parquet.series)


def test_folder_of_mixed_files_is_read_recursively(tmp_path: Path) -> None:
    rows = good_rows(30)
    whole = build_series(write_csv(tmp_path / "whole.csv", rows))
    folder = tmp_path / "folder"
    write_csv(folder / "2023" / "a.csv", rows[:10])
    write_csv(folder / "b.csv", rows[10:20], encoding="gb18030")
    (folder / "c").mkdir()
    pq.write_table(pa.Table.from_pandas(pd.DataFrame(rows[20:])), folder / "c" / "c.parquet")
    (folder / "notes.md").write_text("not read, and named")
    (folder / ".hidden.csv").write_text("ignored,too\n")
    run = build_series(folder, quarantine=tmp_path / "q.csv")
    assert run.input_files == 3
    assert dict(run.skipped) == {
        ".hidden.csv": "hidden file",
        "notes.md": "not a supported type (.csv .tsv .txt .xlsx .xls .dta .parquet)",
    }
    pd.testing.assert_frame_equal(whole.series, run.series)
    # Duplicates are found across files, and the quarantine names the file.
    write_csv(folder / "d.csv", [rows[0], row(record_id=rows[1]["record_id"], fund_paid="1")])
    rerun = build_series(folder, quarantine=tmp_path / "q.csv")
    assert rerun.quarantine_counts["duplicate_record_id"] == 1
    assert rerun.quarantine_counts["conflicting_record_id"] == 2
    files = set(pd.read_csv(tmp_path / "q.csv")["source_file"])
    assert files <= {"2023/a.csv", "d.csv"} and "d.csv" in files


def test_missing_column_and_missing_input_are_input_errors(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("record_id,settlement_date\nR1,2023-01-01\n")
    with pytest.raises(InputError, match="required column.*county_code"):
        build_series(path)
    with pytest.raises(InputError, match="not found"):
        build_series(tmp_path / "absent")
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="no .csv, .xlsx, .xls, .dta or .parquet"):
        build_series(tmp_path / "empty")


def test_schema_tables_cover_every_field_and_label() -> None:
    assert schema_table()["column"].tolist() == list(FIELD_NAMES)
    labels = label_table()
    mapped = dict(zip(labels["label"], labels["maps_to"], strict=True))
    assert mapped["基层"] == mapped["乡镇卫生院"] == mapped["社区卫生服务中心"] == "primary"
    assert mapped["二级"] == "secondary" and mapped["三级"] == "tertiary"
    assert mapped["门诊"] == "outpatient" and mapped["住院"] == "inpatient"
    assert mapped["职工"] == "employee" and mapped["居民"] == "resident"
