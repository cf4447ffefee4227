"""Typed Parquet columns: the fast route gives exactly the text route's results."""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from analysis.pipeline import build_series as _build_series
from analysis.pipeline.query import TEXT_KINDS, field_kinds
from analysis.pipeline.schema import FIELD_NAMES

DAY = dt.date(2023, 1, 5)


def typed_rows() -> list[dict[str, object]]:
    """Good rows and edge cases, as Python values for typed Parquet columns."""
    base = {
        "record_id": "R",
        "settlement_date": DAY,
        "county_code": "qj",
        "institution_id": "H1",
        "institution_level": "基层",
        "service_type": "门诊",
        "total_cost": Decimal("100.00"),
        "fund_paid": 60,
        "scheme": "居民",
    }
    rows = [
        dict(
            base,
            record_id=f"G{i}",
            settlement_date=DAY + dt.timedelta(days=7 * i),
            institution_level=("基层", "二级", "三级")[i % 3],
            service_type=("门诊", "住院")[i % 2],
            total_cost=Decimal(f"{100 + i}.25"),
            fund_paid=50 + i,
            county_code=("qj", " cmp ")[i % 2],
        )
        for i in range(40)
    ]
    edges = [
        {"settlement_date": None},
        {"total_cost": None},
        {"fund_paid": None},
        # Years at the edges of the typed route; a fund above the total quarantines the rows
        # (the series holds nanosecond timestamps) while all_reasons shows how the date
        # parsed. (Unknown labels and negative totals are not row defects any more: they
        # refuse the run or are reversals, see analysis.pipeline.reconcile.)
        *(
            {"settlement_date": dt.date(year, 12, 31), "fund_paid": 101}
            for year in (1, 999, 1000, 9999)
        ),
        {"total_cost": Decimal("0.01")},
        {"fund_paid": -3},
        {"fund_paid": 101},
        {"total_cost": Decimal("0.00"), "fund_paid": 0},
        {"fund_paid": 10**17},  # does not fit DECIMAL(18, 2): malformed on both routes
        {"record_id": "  "},
        {"record_id": None},
        {"county_code": ""},
    ]
    rows += [
        dict(base, record_id=f"E{i}", **edge) if "record_id" not in edge else dict(base, **edge)
        for i, edge in enumerate(edges)
    ]
    # Duplicates: exact copies (spaces around the id do not count), and conflicting copies.
    rows += [
        dict(base, record_id="D1"),
        dict(base, record_id=" D1"),
        dict(base, record_id="D1 "),
        dict(base, record_id="C1"),
        dict(base, record_id="C1", fund_paid=61),
        dict(base, record_id="~Z"),
        dict(base, record_id="~Z", total_cost=Decimal("99.00")),
    ]
    return rows


DECIMAL_YUAN = pa.decimal128(18, 2)


def build_series(records, **options):
    """The pipeline with the quarantine limit and month check off: these rows are odd on
    purpose (a month with one row, duplicated ids)."""
    return _build_series(
        records, **{"max_quarantine": 100, "missing_months": "keep-gaps", **options}
    )


def write_typed(
    path: Path, rows: list[dict[str, object]], total_type: pa.DataType = DECIMAL_YUAN
) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    columns = {name: [row[name] for row in rows] for name in FIELD_NAMES}
    types = {name: pa.string() for name in FIELD_NAMES}
    types.update(
        {"settlement_date": pa.date32(), "total_cost": total_type, "fund_paid": pa.int64()}
    )
    pq.write_table(
        pa.table({name: pa.array(columns[name], types[name]) for name in FIELD_NAMES}), path
    )
    return path


def test_field_kinds_need_every_file_to_agree() -> None:
    typed = {"settlement_date": "DATE", "total_cost": "DECIMAL(10,2)", "fund_paid": "BIGINT"}
    kinds = field_kinds([typed, {**typed, "total_cost": "DECIMAL(18,1)"}])
    assert kinds["settlement_date"] == "date" and kinds["fund_paid"] == "integer"
    assert kinds["total_cost"] == "text"  # two scales: the text forms differ
    assert field_kinds([typed, {}]) == TEXT_KINDS  # a CSV file makes every field text
    assert (
        field_kinds([{**typed, "total_cost": "DECIMAL(20,2)", "fund_paid": "DOUBLE"}])["total_cost"]
        == "text"
    )


@pytest.mark.parametrize(
    "total_type", [pa.decimal128(18, 2), pa.decimal128(12, 1), pa.decimal128(18, 3)], ids=str
)
def test_typed_route_equals_text_route(tmp_path: Path, total_type: pa.DataType) -> None:
    rows = typed_rows()
    if total_type.scale < 2:
        rows = [
            dict(
                r,
                total_cost=r["total_cost"]
                and r["total_cost"].quantize(Decimal("0.1"), rounding="ROUND_DOWN"),
            )
            for r in rows
        ]
    records = write_typed(tmp_path / "r.parquet", rows, total_type)
    fast = build_series(records, quarantine=tmp_path / "fast.csv", max_quarantine=100)
    text = build_series(records, quarantine=tmp_path / "text.csv", typed=False, max_quarantine=100)
    assert fast.series.equals(text.series)
    assert fast.quarantine_counts == text.quarantine_counts
    assert (tmp_path / "fast.csv").read_bytes() == (tmp_path / "text.csv").read_bytes()
    counts = fast.quarantine_counts
    assert counts["duplicate_record_id"] == 2 and counts["conflicting_record_id"] == 4
    assert counts["malformed_amount"] == 1 and counts["missing_record_id"] == 2
    assert fast.rows_in == fast.rows_aggregated + fast.rows_quarantined == len(rows)


def test_unicode_spaces_around_ids_are_trimmed_like_spaces(tmp_path: Path) -> None:
    # DuckDB's trim removes Unicode space separators; ids that skip trim must not include them.
    rows = typed_rows()[:3]
    rows += [
        dict(rows[0], record_id=f"\u3000{rows[0]['record_id']}"),
        dict(rows[1], record_id=f"{rows[1]['record_id']}\u00a0"),
        dict(rows[2], record_id="\u3000"),
    ]
    run = build_series(write_typed(tmp_path / "r.parquet", rows), quarantine=tmp_path / "q.csv")
    assert run.quarantine_counts["duplicate_record_id"] == 2
    assert run.quarantine_counts["missing_record_id"] == 1


def test_mixed_csv_and_parquet_folder_uses_the_text_route(tmp_path: Path) -> None:
    rows = typed_rows()[:40]
    whole = build_series(write_typed(tmp_path / "whole.parquet", rows))
    folder = tmp_path / "mixed"
    write_typed(folder / "a.parquet", rows[:20])
    text_rows = [
        {name: "" if row[name] is None else str(row[name]) for name in FIELD_NAMES}
        for row in rows[20:]
    ]
    with (folder / "b.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(FIELD_NAMES))
        writer.writeheader()
        writer.writerows(text_rows)
    mixed = build_series(folder)
    assert mixed.series.equals(whole.series)
