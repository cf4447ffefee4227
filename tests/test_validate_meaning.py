"""``validate`` reads meaning by the input layer's rules, as every other command does.

Numbers stored as text, percent strings in share columns, month labels as analysts write them
(full-width dots, ``2018.10`` beside ``2018.1``, Excel serial day numbers), unit codes in
Excel's wrappers, two forms of one county, total rows and shares on two scales. Each file is
written here by hand; the truths (the month a gap falls on, the ratio a share must match, the
row of a total) are computed in the test, not by the code under test. Every run must leave
its input byte-identical.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from pathlib import Path

import pytest
from bureau_corpus import ZH, Style, base_records, cells

from analysis.cli import main

HAN = re.compile(r"[\u4e00-\u9fff]")
EXCEL_EPOCH = dt.date(1899, 12, 30)


def _write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([header, *rows])
    path.write_bytes(buffer.getvalue().encode("utf-8"))
    return path


def _validate(capsys, path: Path, *extra: str) -> tuple[int, str, str]:
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    code = main(["validate", str(path), "--lang", "en", *extra])
    captured = capsys.readouterr()
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before, "validate changed its input"
    assert "Traceback" not in captured.err + captured.out
    return code, captured.out, captured.err


def _months(start: dt.date, n: int) -> list[dt.date]:
    return [
        dt.date(start.year + (start.month - 1 + i) // 12, (start.month - 1 + i) % 12 + 1, 1)
        for i in range(n)
    ]


def _monthly_share(path: Path, labels: list[str], shares: list[str]) -> Path:
    return _write(path, ["month", "visit_share"], [[m, s] for m, s in zip(labels, shares)])


# ---- numbers -------------------------------------------------------------------------------


def test_counts_stored_as_text_are_numbers_and_agree_with_their_share(tmp_path, capsys):
    # 1,200 / 3,000 is 40 %: the share check passes only if the text cells are read as those
    # numbers (1,200 read as 1.2 or '1200 as missing would disagree or be refused)
    rows = [
        ["420101", "2021-01", "'1,200", '="3000"', "40"],
        ["420101", "2021-02", '="900"', "'3000", "30%"],
        ["420101", "2021-03", "１５００", "3000", "50.00%"],
    ]
    path = _write(
        tmp_path / "s.csv",
        ["district", "month", "visits_primary", "visits_total", "visit_share"],
        rows,
    )
    code, out, err = _validate(capsys, path)
    assert code == 0, err
    assert "OK" in out and "3 rows" in out


def test_a_share_that_disagrees_with_text_counts_names_the_true_ratio(tmp_path, capsys):
    rows = [["420101", "2021-01", "'1,200", '="3000"', "41%"]]
    path = _write(
        tmp_path / "s.csv",
        ["district", "month", "visits_primary", "visits_total", "visit_share"],
        rows,
    )
    code, _, err = _validate(capsys, path)
    assert code == 1
    truth = 100 * 1200 / 3000
    assert f"share 41 disagrees with visits_primary/visits_total = {truth:.4g}" in err


def test_percent_strings_are_read_in_share_columns_only(tmp_path, capsys):
    labels = [f"{m:%Y-%m}" for m in _months(dt.date(2018, 1, 1), 6)]
    shares = [f"{40 + i / 4}%" for i in range(6)]
    code, out, err = _validate(capsys, _monthly_share(tmp_path / "ok.csv", labels, shares))
    assert code == 0, err
    # a percent sign in a count is not a count
    rows = [["420101", "2021-01", "45%", "100"]]
    bad = _write(
        tmp_path / "bad.csv", ["district", "month", "visits_primary", "visits_total"], rows
    )
    code, _, err = _validate(capsys, bad)
    assert code == 1
    assert f"{bad}: row 2, column 'visits_primary': '45%' is not an integer" in err


def test_a_percent_sign_in_a_number_column_that_is_not_a_share_is_refused(tmp_path, capsys):
    from analysis.registry import declaration

    source = declaration("county_staggered_panel").file
    lines = source.read_text(encoding="utf-8").splitlines()[:4]
    header = lines[0].split(",")
    column = header.index("true_visit_effect_pp")
    row = lines[2].split(",")
    row[column] = "3.5%"
    lines[2] = ",".join(row)
    path = tmp_path / "county_staggered_panel.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, _, err = _validate(capsys, path)
    assert code == 1
    assert "row 3, column 'true_visit_effect_pp': '3.5%' is not a number" in err
    assert "write 3.5" in err


def test_a_share_column_on_two_scales_is_refused_quoting_one_value_of_each(tmp_path, capsys):
    labels = [f"{m:%Y-%m}" for m in _months(dt.date(2018, 1, 1), 8)]
    shares = ["0.4100", "42.5", "43.0", "0.4400", "45.5", "46.0", "47.5", "48.0"]
    path = _monthly_share(tmp_path / "m.csv", labels, shares)
    code, _, err = _validate(capsys, path)
    assert code == 1
    assert "two scales" in err
    assert "0.41 (row 2)" in err and "42.5 (row 3)" in err
    one_scale = _monthly_share(
        tmp_path / "p.csv", labels, [str(float(s) * 100) if float(s) < 1 else s for s in shares]
    )
    assert _validate(capsys, one_scale)[0] == 0


# ---- month labels --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "write",
    [
        lambda d: f"{d.year}．{d.month:02d}",  # full-width dot
        lambda d: f"{d.year}.{d.month}",  # 2018.10 next to 2018.1
        lambda d: f"{d.year}年{d.month}月",
        lambda d: str((d - EXCEL_EPOCH).days),  # Excel serial day number
        lambda d: f'="{d:%Y-%m}"',
    ],
    ids=["full-width-dot", "yyyy.m", "chinese", "excel-serial", "excel-text"],
)
def test_month_labels_are_read_as_months_and_a_missing_month_is_named(write, tmp_path, capsys):
    months = _months(dt.date(2018, 7, 1), 8)  # 2018-07 .. 2019-02, across October
    labels = [write(m) for m in months]
    shares = [f"{40 + i}" for i in range(len(months))]
    code, out, err = _validate(capsys, _monthly_share(tmp_path / "all.csv", labels, shares))
    assert code == 0, err
    # drop October: if 2018.10 were read as 2018.1, or serials as numbers, the gap would
    # be elsewhere or absent
    gone = months.index(dt.date(2018, 10, 1))
    path = _monthly_share(
        tmp_path / "gap.csv",
        [m for i, m in enumerate(labels) if i != gone],
        [s for i, s in enumerate(shares) if i != gone],
    )
    code, _, err = _validate(capsys, path)
    assert code == 1
    assert "no row for 2018-10" in err, err
    assert f"row {gone + 1}, column 'month'" in err  # after the row of September


def test_excel_serial_months_are_reported_with_the_date_they_are(tmp_path, capsys):
    months = _months(dt.date(2018, 1, 1), 4)
    labels = [str((m - EXCEL_EPOCH).days) for m in months]
    path = _monthly_share(tmp_path / "m.csv", labels, ["40", "41", "42", "43"])
    code, out, _ = _validate(capsys, path)
    assert code == 0
    assert f"{labels[0]} is {months[0]:%Y-%m-%d}" in out


def test_unreadable_month_labels_are_named_never_a_crash(tmp_path, capsys):
    path = _monthly_share(tmp_path / "m.csv", ["Q1 2018", "soon", "2018Q3"], ["40", "41", "42"])
    code, _, err = _validate(capsys, path)
    assert code == 1
    for row, label in ((2, "Q1 2018"), (3, "soon"), (4, "2018Q3")):
        assert f"row {row}, column 'month': {label!r} is not a date or a month" in err


def test_a_month_label_with_a_day_must_be_the_first(tmp_path, capsys):
    path = _monthly_share(
        tmp_path / "m.csv", ["2018.01.01", "2018.02.15", "2018.02.30"], ["40", "41", "42"]
    )
    code, _, err = _validate(capsys, path)
    assert code == 1
    assert "row 3, column 'month': '2018.02.15' is not the first day of a month" in err
    assert "row 4, column 'month': '2018.02.30' is not a valid calendar date" in err


def test_months_exported_as_numbers_are_refused_quoting_both_labels(tmp_path, capsys):
    # October 2021 saved as the number 2021.1 is January again
    months = _months(dt.date(2021, 1, 1), 12)
    rows = [["420101", repr(float(f"{m.year}.{m.month}")), "1", "2"] for m in months]
    path = _write(tmp_path / "s.csv", ["district", "month", "visits_primary", "visits_total"], rows)
    code, _, err = _validate(capsys, path)
    assert code == 1
    assert "row 11, column 'district, month': duplicate key" in err
    assert "'2021.1' names the same row as row 2" in err


# ---- units: codes and totals ----------------------------------------------------------------


def _series_rows(codes: list[str], labels: list[str]) -> list[list[str]]:
    # primary 1..3 of total 4..7 by a formula, one row per unit and month
    return [
        [code, month, str(1 + (i + k) % 3), str(4 + (i + 2 * k) % 4)]
        for k, code in enumerate(codes)
        for i, month in enumerate(labels)
    ]


SERIES_HEADER = ["district", "month", "visits_primary", "visits_total"]


@pytest.mark.parametrize(
    "wrap",
    [
        lambda c: f'="{c}"',
        lambda c: "'" + c,
        lambda c: c.translate(str.maketrans("0123456789", "０１２３４５６７８９")),
    ],
    ids=["excel-text", "apostrophe", "full-width"],
)
def test_codes_in_excel_wrappers_are_one_unit(wrap, tmp_path, capsys):
    labels = [f"{m:%Y-%m}" for m in _months(dt.date(2021, 1, 1), 6)]
    rows = _series_rows(["420101", "420102"], labels)
    for i, row in enumerate(rows):
        if row[0] == "420101" and i % 2:
            row[0] = wrap(row[0])  # every other month written differently
    code, out, err = _validate(capsys, _write(tmp_path / "s.csv", SERIES_HEADER, rows))
    # read as two units, each would have gaps every other month
    assert code == 0, err


def test_two_forms_of_one_county_are_refused_naming_both(tmp_path, capsys):
    labels = [f"{m:%Y-%m}" for m in _months(dt.date(2021, 1, 1), 4)]
    rows = _series_rows(["420101", "420102"], labels)
    rows[1][0] = "420101000"
    code, _, err = _validate(capsys, _write(tmp_path / "s.csv", SERIES_HEADER, rows))
    assert code == 1
    assert "'420101' (" in err and "'420101000' (" in err and "two forms of one unit" in err
    assert "has no row for" not in err  # the codes are the problem, not gaps


@pytest.mark.parametrize("label", ["合计", "全市合计", "Total"])
def test_a_total_row_among_the_units_is_refused_naming_row_and_label(label, tmp_path, capsys):
    labels = [f"{m:%Y-%m}" for m in _months(dt.date(2021, 1, 1), 3)]
    rows = _series_rows(["420101", "420102", "420103"], labels)
    for month in labels:
        part = [r for r in rows if r[1] == month]
        primary = sum(int(r[2]) for r in part)
        total = sum(int(r[3]) for r in part)
        rows.append([label, month, str(primary), str(total)])
    first = 2 + 9  # header, then 3 units x 3 months
    code, _, err = _validate(capsys, _write(tmp_path / "s.csv", SERIES_HEADER, rows))
    assert code == 1
    assert f"row {first}, column 'district': {label!r} (first at row {first}) is a total" in err


def test_an_unlabelled_unit_whose_counts_sum_the_others_is_refused(tmp_path, capsys):
    labels = [f"{m:%Y-%m}" for m in _months(dt.date(2021, 1, 1), 3)]
    rows = _series_rows(["420101", "420102", "420103"], labels)
    for month in labels:
        part = [r for r in rows if r[1] == month]
        rows.append(
            ["420100", month, str(sum(int(r[2]) for r in part)), str(sum(int(r[3]) for r in part))]
        )
    code, _, err = _validate(capsys, _write(tmp_path / "s.csv", SERIES_HEADER, rows))
    assert code == 1
    assert "'420100' (first at row 11) is a total of the other units" in err


def test_settlement_total_row_is_reported_with_its_row_and_label(tmp_path, capsys):
    recs = base_records()
    rows = cells(recs, Style(ZH, "zh"))
    total = f"{sum(r.total for r in recs):.2f}"
    fund = f"{sum(r.fund for r in recs):.2f}"
    extra = [""] * len(ZH)
    extra[0], extra[6], extra[7] = "合计", total, fund
    path = _write(tmp_path / "r.csv", list(ZH), [*rows, extra])
    code, out, err = _validate(capsys, path, "--schema", "settlement")
    assert code == 0, err
    row = len(rows) + 2  # header is row 1
    assert f"row {row}, column '{ZH[0]}': '合计' is a total row" in out
    assert f"({len(recs)} rows" in out or f"{len(recs)} rows" in out


# ---- Chinese -------------------------------------------------------------------------------


def test_new_refusals_have_chinese_text(tmp_path, capsys):
    labels = [f"{m:%Y-%m}" for m in _months(dt.date(2021, 1, 1), 3)]
    rows = _series_rows(["420101", "420102"], labels)
    rows.append(["合计", labels[0], "3", "9"])
    rows.append(["420101", "soon", "'x", "9"])
    path = _write(tmp_path / "s.csv", SERIES_HEADER, rows)
    before = path.read_bytes()
    assert main(["validate", str(path), "--lang", "zh"]) == 1
    err = capsys.readouterr().err
    assert path.read_bytes() == before
    lines = [line for line in err.splitlines() if line.startswith("文件")]
    messages = [line.split("：", 1)[1] for line in lines]
    assert any("合计" in m and "不是一个单位" in m for m in messages), err
    assert any("'soon' 不是日期或月份" in m for m in messages), err
    assert any("'x 不是整数" in m or '"\'x" 不是整数' in m for m in messages), err
