"""The series never silently wrong: one county in two code forms, total rows, money units,
unknown labels, reversals and copied files.

Each case writes a bureau-like export from logical records (:mod:`bureau_corpus`), runs
``python -m analysis series`` in-process through the CLI's ``main``, and compares the output
with a truth computed here from the logical records (plain Python, ``Decimal``), never by the
pipeline. Every case also checks the exit code, the message and that no input file changed.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from bureau_corpus import ZH, Record, Style, base_records, cells, header_of, truth, write_csv

from analysis.cli import main

COUNTS = [
    "visits_primary",
    "visits_total",
    "admissions_primary",
    "admissions_total",
    "fund_primary",
    "fund_total",
]


def _digest(folder: Path) -> dict[str, str]:
    return {
        str(p): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def run(tmp_path: Path, capsys, *args: str, lang: str = "en") -> tuple[int, str, str, Path]:
    """``series`` on the inputs under ``tmp_path/in``; inputs must be unchanged afterwards."""
    out = tmp_path / "out" / "series.csv"
    before = _digest(tmp_path / "in")
    code = main(["series", *args, "--out", str(out), "--no-progress", "--lang", lang])
    captured = capsys.readouterr()
    assert _digest(tmp_path / "in") == before, "an input file changed"
    assert "Traceback" not in captured.err + captured.out
    if code != 0:
        assert not out.exists(), "a refused run wrote its output"
    return code, captured.out, captured.err, out


def same_series(out: Path, records: list[Record]) -> None:
    got = pd.read_csv(out, dtype={"district": str})[["district", "month", *COUNTS]]
    expected = truth(records)[["district", "month", *COUNTS]]
    pd.testing.assert_frame_equal(got.reset_index(drop=True), expected, check_dtype=False)


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    return folder


# ---- 1. one county, two spellings ---------------------------------------------------------


def _split_by_county_form(inputs: Path, long_form: str) -> list[Record]:
    """County 420101 written as 420101 in a.csv, as a longer form in b.csv."""
    recs = base_records()
    a, b = recs[:36], recs[36:]  # 420101 in a, 420102 in b ...
    b = [replace(r, county="420101") if i % 2 else r for i, r in enumerate(b)]
    style_b = Style(ZH, "zh", county=lambda c, i: c + long_form if c == "420101" else c)
    write_csv(inputs / "records" / "a.csv", list(ZH), cells(a, Style(ZH, "zh")))
    write_csv(inputs / "records" / "b.csv", list(ZH), cells(b, style_b))
    return a + b


@pytest.mark.parametrize("long_form", ["000", "000000"])
def test_two_forms_of_one_county_are_refused_naming_both(
    tmp_path: Path, inputs: Path, capsys, long_form: str
) -> None:
    _split_by_county_form(inputs, long_form)
    code, _, err, _ = run(tmp_path, capsys, "--records", str(inputs / "records"))
    assert code == 1
    assert "'420101'" in err and f"'420101{long_form}'" in err
    assert "a.csv row 2" in err and "b.csv row" in err
    assert "--code-map" in err and "two forms of one county" in err
    code, _, err_zh, _ = run(tmp_path, capsys, "--records", str(inputs / "records"), lang="zh")
    assert code == 1 and "--code-map" in err_zh and "同一行政区划" in err_zh


@pytest.mark.parametrize(("long_form", "kind"), [("000", "csv"), ("000000", "toml")])
def test_a_code_map_makes_one_county(
    tmp_path: Path, inputs: Path, capsys, long_form: str, kind: str
) -> None:
    records = _split_by_county_form(inputs, long_form)
    written = f"420101{long_form}"
    if kind == "csv":
        mapping = inputs / "codes.csv"
        mapping.write_text(f"写法,县区\n{written},420101\n", encoding="utf-8")
    else:
        mapping = inputs / "codes.toml"
        mapping.write_text(f'[codes]\n{written} = "420101"\n', encoding="utf-8")
    code, out_text, err, out = run(
        tmp_path, capsys, "--records", str(inputs / "records"), "--code-map", str(mapping)
    )
    assert code == 0, err
    same_series(out, records)
    assert set(pd.read_csv(out, dtype={"district": str})["district"]) == {"420101", "420102"}
    assert f"county code '{written}' counted as '420101'" in out_text


def test_excel_text_wrappers_and_apostrophes_are_not_part_of_a_code(
    tmp_path: Path, inputs: Path, capsys
) -> None:
    records = base_records()
    wrappers = [lambda c: f'="{c}"', lambda c: f"'{c}", lambda c: f"＇{c}", lambda c: c]
    style = Style(ZH, "zh", county=lambda c, i: wrappers[i % 4](c))
    rows = cells(records, style)
    for i, row in enumerate(rows):
        if i % 3 == 0:
            row[0] = f'="{row[0]}"'  # record ids wrapped the same way stay one id
    rows.append(list(rows[3]))  # a re-exported copy written without the wrapper
    rows[-1][0] = records[3].id
    path = write_csv(inputs / "r.csv", list(ZH), rows)
    code, out_text, err, out = run(tmp_path, capsys, "--records", str(path))
    assert code == 0, err
    same_series(out, records)
    assert "duplicate_record_id" in out_text  # the copy is recognised as the same record


# ---- 2. total rows ------------------------------------------------------------------------


def test_total_rows_are_dropped_listed_and_never_counted(
    tmp_path: Path, inputs: Path, capsys
) -> None:
    records = base_records()
    rows = cells(records, Style(ZH, "zh"))
    total = sum(r.total for r in records)
    fund = sum(r.fund for r in records)
    width = len(ZH)
    blank = [""] * width
    totals = [
        ["合计", "", "", "", "", "", str(total), str(fund), ""],
        ["T9", "2023-01-31", "合 计", "H0", "三级", "门诊", "1", "1", "居民"],
        ["", "小计", "", "", "", "", str(total), str(fund), ""],
        [*blank[:4], "全县", *blank[5:]],
        ["", "2023-03-31", "420101", "平均", "", "", "50", "20", ""],
    ]
    path = write_csv(inputs / "r.csv", list(ZH), rows + totals)
    code, out_text, err, out = run(tmp_path, capsys, "--records", str(path), "--json")
    assert code == 0, err
    same_series(out, records)
    summary = json.loads(out_text)
    assert summary["rows_in"] == len(records) and summary["rows_quarantined"] == 0
    listed = {(t["row"], t["label"]) for t in summary["total_rows_dropped"]}
    first = len(records) + 2  # header is row 1
    assert listed == {
        (first, "合计"),
        (first + 1, "合 计"),
        (first + 2, "小计"),
        (first + 3, "全县"),
        (first + 4, "平均"),
    }
    code, out_text, _, _ = run(tmp_path, capsys, "--records", str(path))
    assert f"total row dropped (not a record): {path} row {first}, column '结算流水号'" in out_text


# ---- 3. money units -----------------------------------------------------------------------


def _in(value: Decimal, power: int) -> str:
    return format(value.scaleb(-power), "f")


@pytest.mark.parametrize(
    ("total_header", "fund_header", "power"),
    [
        ("医疗总费用(万元)", "统筹基金支付（万元）", 4),
        ("医疗总费用（千元）", "统筹基金支付(单位:千元)", 3),
        ("total_cost_wan", "fund_paid_wan", 4),
        ("医疗总费用(元)", "统筹基金支付", 0),
    ],
)
def test_amounts_in_wan_or_qian_yuan_are_converted_exactly(
    tmp_path: Path, inputs: Path, capsys, total_header: str, fund_header: str, power: int
) -> None:
    records = base_records()
    rows = cells(records, Style(ZH, "zh"))
    fund_power = power if fund_header != "统筹基金支付" else 0
    for r, row in zip(records, rows):
        row[6], row[7] = _in(r.total, power), _in(r.fund, fund_power)
    header = list(ZH)
    header[6], header[7] = total_header, fund_header
    path = write_csv(inputs / "r.csv", header, rows)
    code, out_text, err, out = run(tmp_path, capsys, "--records", str(path))
    assert code == 0, err
    same_series(out, records)
    if power:
        unit = {3: "千元", 4: "万元"}[power]
        assert f"total_cost ({total_header!r}) converted from {unit} to yuan" in out_text


def test_units_declared_in_the_columns_map_are_converted(
    tmp_path: Path, inputs: Path, capsys
) -> None:
    records = base_records()
    custom = ("流水", "日子", "县", "机构", "级别", "类型", "总额", "报销", "保险")
    rows = cells(records, Style(custom, "zh"))
    for r, row in zip(records, rows):
        row[6], row[7] = _in(r.total, 4), _in(r.fund, 3)
    path = write_csv(inputs / "r.csv", list(custom), rows)
    mapping = tmp_path / "map.toml"
    fields = ("record_id", "settlement_date", "county_code", "institution_id")
    fields += ("institution_level", "service_type", "total_cost", "fund_paid", "scheme")
    mapping.write_text(
        "[fields]\n"
        + "".join(f'{f} = ["{h}"]\n' for f, h in zip(fields, custom))
        + '[units]\ntotal_cost = "万元"\nfund_paid = "千元"\n',
        encoding="utf-8",
    )
    code, out_text, err, out = run(
        tmp_path, capsys, "--records", str(path), "--columns", str(mapping)
    )
    assert code == 0, err
    same_series(out, records)
    assert "fund_paid ('报销') converted from 千元 to yuan (x 1,000)" in out_text
    # Without the [units] section the same file would be read as yuan: the fund sums
    # differ from the truth, which is why a unit must be declared or written in the header.
    assert int(truth(records)["fund_total"].sum()) > 1000


def test_a_header_unit_contradicting_the_map_is_refused(
    tmp_path: Path, inputs: Path, capsys
) -> None:
    header = list(ZH)
    header[6] = "医疗总费用(万元)"
    path = write_csv(inputs / "r.csv", header, cells(base_records(), Style(ZH, "zh")))
    mapping = tmp_path / "map.toml"
    mapping.write_text('[units]\ntotal_cost = "元"\n', encoding="utf-8")
    code, _, err, _ = run(tmp_path, capsys, "--records", str(path), "--columns", str(mapping))
    assert code == 1
    assert str(path) in err and "column '医疗总费用(万元)'" in err and "[units]" in err


# ---- 4. quarantine that cannot bias a share -----------------------------------------------


def _with_unknown_levels(inputs: Path) -> tuple[Path, list[Record], dict[tuple[str, str], int]]:
    records = base_records()
    rows = cells(records, Style(ZH, "zh"))
    dropped: dict[tuple[str, str], int] = {}
    kept = []
    for i, (r, row) in enumerate(zip(records, rows)):
        # Only primary facilities are written with the unknown abbreviation: dropping them
        # silently would lower the primary shares.
        if r.level == "primary" and i % 3 == 0:
            row[4] = "社卫"
            key = (r.county, r.date.strftime("%Y-%m"))
            dropped[key] = dropped.get(key, 0) + 1
        else:
            kept.append(r)
    return write_csv(inputs / "r.csv", list(ZH), rows), kept, dropped


def test_unknown_labels_refuse_with_the_labels_and_counts(
    tmp_path: Path, inputs: Path, capsys
) -> None:
    path, _, dropped = _with_unknown_levels(inputs)
    code, _, err, _ = run(tmp_path, capsys, "--records", str(path), "--max-quarantine", "50")
    assert code == 1
    assert f"institution_level '社卫': {sum(dropped.values())} row(s)" in err
    assert str(path) in err and "column '机构等级'" in err
    assert "--labels" in err and "--drop-unknown-labels true" in err
    code, _, err_zh, _ = run(tmp_path, capsys, "--records", str(path), lang="zh")
    assert code == 1 and "标签对照表中没有以下标签" in err_zh


def test_unknown_labels_dropped_on_purpose_are_listed_per_county_month(
    tmp_path: Path, inputs: Path, capsys
) -> None:
    path, kept, dropped = _with_unknown_levels(inputs)
    assert 100 * sum(dropped.values()) / 72 > 5  # above the default limit: not corruption
    code, out_text, err, out = run(
        tmp_path, capsys, "--records", str(path), "--drop-unknown-labels", "true", "--json"
    )
    assert code == 0, err
    same_series(out, kept)
    summary = json.loads(out_text)
    listed = {(d["county"], d["month"]): d["rows"] for d in summary["unknown_labels_dropped"]}
    assert listed == dropped
    # The effect on each share, from the kept records' own counts (not the pipeline's).
    counted = truth(kept).assign(key=lambda f: list(zip(f["district"], f["month"].str[:7])))
    by_key = counted.set_index("key")
    for entry in summary["unknown_labels_dropped"]:
        n = entry["rows"]
        row = by_key.loc[[(entry["county"], entry["month"])]].iloc[0]
        primary, total = float(row["visits_primary"]), float(row["visits_total"])
        assert entry["visit_share"] == pytest.approx(100 * primary / total)
        assert entry["visit_share_if_not_primary"] == pytest.approx(100 * primary / (total + n))
        assert entry["visit_share_if_primary"] == pytest.approx(100 * (primary + n) / (total + n))


def test_labels_map_gives_the_full_series(tmp_path: Path, inputs: Path, capsys) -> None:
    path, _, _ = _with_unknown_levels(inputs)
    labels = tmp_path / "labels.toml"
    labels.write_text('[institution_level]\nprimary = ["社卫"]\n', encoding="utf-8")
    code, _, err, out = run(tmp_path, capsys, "--records", str(path), "--labels", str(labels))
    assert code == 0, err
    same_series(out, base_records())


def test_reversals_are_netted_against_their_originals(tmp_path: Path, inputs: Path, capsys) -> None:
    records = base_records()
    style = Style(ZH, "zh", extra=(("原结算流水号", lambda r, i: ""),))
    rows = cells(records, style)
    # Full reversal by the same id with negated amounts (冲销), in a later file.
    full = [records[i] for i in (2, 30, 50)]
    later = []
    for r in full:
        row = cells([r], style)[0]
        row[6], row[7] = f"-{r.total}", f"-{r.fund}"
        later.append(row)
    # Partial refund (退费) with its own id and the original's id in 原结算流水号.
    partial = records[10]
    refund_total, refund_fund = Decimal("10.00"), Decimal("4.00")
    row = cells([partial], style)[0]
    row[0], row[6], row[7], row[-1] = "R000001", f"-{refund_total}", f"-{refund_fund}", partial.id
    later.append(row)
    write_csv(inputs / "records" / "a.csv", header_of(style), rows)
    write_csv(inputs / "records" / "b.csv", header_of(style), later)
    expected = [
        replace(r, total=r.total - refund_total, fund=r.fund - refund_fund)
        if r.id == partial.id
        else r
        for r in records
        if r not in full
    ]
    code, out_text, err, out = run(tmp_path, capsys, "--records", str(inputs / "records"))
    assert code == 0, err
    same_series(out, expected)
    assert "reversals netted (冲销/退费): 4 row(s); 3 fully reversed" in out_text
    assert "rows quarantined            0" in out_text


def test_a_reversal_without_its_original_is_refused(tmp_path: Path, inputs: Path, capsys) -> None:
    records = base_records()
    rows = cells(records, Style(ZH, "zh"))
    rows[5][0], rows[5][6], rows[5][7] = "S999999", "-100.00", "-60.00"
    path = write_csv(inputs / "r.csv", list(ZH), rows)
    code, _, err, _ = run(tmp_path, capsys, "--records", str(path))
    assert code == 1
    assert f"{path}: row 7, column '结算流水号'" in err and "'S999999'" in err
    assert "reversal" in err and "--records" in err


def test_a_copied_monthly_file_is_read_once_and_named(tmp_path: Path, inputs: Path, capsys) -> None:
    records = base_records()
    jan = [r for r in records if r.date.month == 1]
    rest = [r for r in records if r.date.month != 1]
    folder = inputs / "records"
    write_csv(folder / "2023-01.csv", list(ZH), cells(jan, Style(ZH, "zh")))
    write_csv(folder / "2023-02_03.csv", list(ZH), cells(rest, Style(ZH, "zh")))
    shutil.copyfile(folder / "2023-01.csv", folder / "2023-01 (copy).csv")
    code, out_text, err, out = run(tmp_path, capsys, "--records", str(folder), "--json")
    assert code == 0, err
    same_series(out, records)
    summary = json.loads(out_text)
    assert summary["rows_quarantined"] == 0 and summary["input_files"] == 2
    assert summary["identical_files"] == [{"file": "2023-01.csv", "same_as": "2023-01 (copy).csv"}]


def test_corrupt_rows_under_the_limit_are_the_only_quarantine(
    tmp_path: Path, inputs: Path, capsys
) -> None:
    records = base_records()
    rows = cells(records, Style(ZH, "zh"))
    rows[0][1] = "2023-02-30"  # one malformed date: corrupt, quarantined under the limit
    path = write_csv(inputs / "r.csv", list(ZH), rows)
    code, out_text, err, out = run(tmp_path, capsys, "--records", str(path), "--json")
    assert code == 0, err
    same_series(out, records[1:])
    assert json.loads(out_text)["quarantine_by_reason"] == {"malformed_date": 1}


# ---- 7. one rule for a numeric cell ---------------------------------------------------------

_FULL_WIDTH = str.maketrans("0123456789.,", "０１２３４５６７８９．，")


def _spelled(value: Decimal, i: int) -> str:
    """``value`` as analysts' spreadsheets write money, one spelling per row in turn."""
    plain, grouped = f"{value:.2f}", f"{value:,.2f}"
    return [
        f"RMB {plain}",
        f"¥{grouped}",
        f"{grouped}元",
        f"'{plain}",
        f'="{plain}"',
        plain.translate(_FULL_WIDTH),
        f"CNY {grouped}",
        f"￥ {grouped}",
        f"{value:.4f}",
    ][i % 9]


@pytest.mark.parametrize("spelling", ["mixed", "apostrophe", "excel-text"])
def test_amounts_as_text_mean_the_number_written(
    tmp_path: Path, inputs: Path, capsys, spelling: str
) -> None:
    records = base_records()
    rows = cells(records, Style(ZH, "zh"))
    for i, (r, row) in enumerate(zip(records, rows)):
        if spelling == "mixed":
            row[6], row[7] = _spelled(r.total, i), _spelled(r.fund, i + 4)
        elif spelling == "apostrophe":
            row[6], row[7] = f"'{r.total}", f"'{r.fund}"
        else:
            row[6], row[7] = f'="{r.total}"', f'="{r.fund}"'
    path = write_csv(inputs / "r.csv", list(ZH), rows)
    code, out_text, err, out = run(tmp_path, capsys, "--records", str(path), "--json")
    assert code == 0, err
    same_series(out, records)
    assert json.loads(out_text)["rows_quarantined"] == 0


def test_text_amounts_in_wan_yuan_are_converted_exactly(
    tmp_path: Path, inputs: Path, capsys
) -> None:
    records = base_records()
    rows = cells(records, Style(ZH, "zh"))
    for r, row in zip(records, rows):
        row[6], row[7] = f"'{_in(r.total, 4)}", f'="{_in(r.fund, 4)}"'
    header = list(ZH)
    header[6], header[7] = "医疗总费用(万元)", "统筹基金支付(万元)"
    path = write_csv(inputs / "r.csv", header, rows)
    code, _, err, out = run(tmp_path, capsys, "--records", str(path))
    assert code == 0, err
    same_series(out, records)


@pytest.mark.parametrize("cell", ["5%", "12.5 %", "1.5万元", "abc"])
def test_a_percent_or_a_non_number_is_not_an_amount(
    tmp_path: Path, inputs: Path, capsys, cell: str
) -> None:
    records = base_records()
    rows = cells(records, Style(ZH, "zh"))
    rows[0][7] = cell  # corrupt, quarantined under the limit, never read as a number
    path = write_csv(inputs / "r.csv", list(ZH), rows)
    code, out_text, err, out = run(tmp_path, capsys, "--records", str(path), "--json")
    assert code == 0, err
    same_series(out, records[1:])
    assert json.loads(out_text)["quarantine_by_reason"] == {"malformed_amount": 1}


# ---- 8. a --columns map naming a header the file lacks --------------------------------------


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        (
            "en",
            ("names '基金支付额'", "not a header of this file", "closest header: '统筹基金支付'"),
        ),
        ("zh", ("'基金支付额' 不是本文件的列名", "最相近的列名：'统筹基金支付'", "fund_paid")),
    ],
)
def test_a_columns_map_naming_an_absent_header_is_quoted(
    tmp_path: Path, inputs: Path, capsys, lang: str, words: tuple[str, ...]
) -> None:
    path = write_csv(inputs / "r.csv", list(ZH), cells(base_records(), Style(ZH, "zh")))
    mapping = inputs / "map.toml"
    mapping.write_text('[fields]\nfund_paid = ["基金支付额"]\n', encoding="utf-8")
    code, _, err, _ = run(
        tmp_path, capsys, "--records", str(path), "--columns", str(mapping), lang=lang
    )
    assert code == 1
    assert str(path) in err and str(mapping) in err
    for word in words:
        assert word in err, err
