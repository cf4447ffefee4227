"""The one reader: encodings, delimiters, title rows, workbooks, Stata, Parquet, row numbers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from analysis.tables.frame import read_frame
from analysis.tables.reading import detect_delimiter, find_header, read_sheet, read_table
from analysis.validation import ValidationError

HEADER = ["结算流水号", "结算日期", "医疗总费用"]
ROWS = [["S1", "2023-01-05", "12.50"], ["S2", "2023/1/6", "7"]]


def _text(delimiter: str = ",", title: str = "") -> str:
    lines = [title] if title else []
    lines += [delimiter.join(HEADER)] + [delimiter.join(r) for r in ROWS]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk", "utf-16"])
@pytest.mark.parametrize("delimiter", [",", "\t", ";", "|"])
def test_encodings_and_delimiters_give_the_same_cells(tmp_path, encoding, delimiter):
    path = tmp_path / "r.csv"
    path.write_bytes(_text(delimiter).encode(encoding))
    table = read_table(path)
    assert list(table.header) == HEADER
    assert [list(r) for r in table.rows] == ROWS
    assert table.row_numbers == (2, 3)
    sheet = read_sheet(path)
    assert list(sheet.header) == HEADER
    assert [c.to_pylist() for c in sheet.columns] == [list(col) for col in zip(*ROWS)]
    assert sheet.row_numbers.tolist() == [2, 3]
    expected = {"gbk": "gb18030"}.get(encoding, encoding)
    assert table.encoding == sheet.encoding == expected


def test_title_rows_blank_rows_and_row_numbers(tmp_path):
    text = "某县医保结算明细\n\n" + _text() + ",,\n\n"
    path = tmp_path / "r.csv"
    path.write_text(text, encoding="utf-8")
    for read in (read_table, read_sheet):
        got = read(path)
        assert list(got.header) == HEADER
        assert list(got.row_numbers) == [4, 5]  # the user's line numbers
    assert read_table(path, header_row=3).header == tuple(HEADER)
    with pytest.raises(ValidationError, match="header_row=2 is blank"):
        read_table(path, header_row=2)


def test_known_headers_find_the_header_below_a_merged_group_row():
    records = [["基本信息", "", "费用信息"], HEADER, ROWS[0]]
    assert find_header(records, known={"结算流水号", "医疗总费用"}) == 1
    assert find_header([["说明"], ["a", "b"], ["1", "2"]]) == 1


def test_delimiter_detection_prefers_consistent_splits():
    assert detect_delimiter(["a\tb\tc", "1\t1,234.50\t2", "3\t4\t5"]) == "\t"
    assert detect_delimiter(["a;b", "1;2"]) == ";"
    assert detect_delimiter(["a|b|c", "1|2|3"]) == "|"
    assert detect_delimiter(["a,b", "1,2"]) == ","


def test_unquoted_thousands_separator_names_the_row(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text(",".join(HEADER) + "\nS1,2023-01-05,12\nS2,2023-01-06,1,234.50\n")
    # read_table keeps ragged rows (validate reports them per row); read_sheet refuses them.
    with pytest.raises(ValidationError, match=r"r.csv: row 3: the row has 4 cells"):
        read_sheet(path)
    with pytest.raises(Exception, match="row 3"):
        read_frame(path)


def test_large_csv_fast_path_equals_exact_path(tmp_path):
    n = 5000
    lines = [",".join(HEADER)] + [f"S{i},2023-01-{1 + i % 28:02d},{i}.5" for i in range(n)]
    fast = tmp_path / "fast.csv"
    fast.write_text("\n".join(lines) + "\n", encoding="gb18030")
    exact = tmp_path / "exact.csv"  # a blank line forces the line-by-line route
    exact.write_text("\n".join(lines[:2] + [""] + lines[2:]) + "\n", encoding="gb18030")
    a, b = read_sheet(fast), read_sheet(exact)
    assert a.n_rows == b.n_rows == n
    for x, y in zip(a.columns, b.columns):
        assert x.to_pylist() == y.to_pylist()
    assert a.row_numbers[:2].tolist() == [2, 3] and b.row_numbers[:2].tolist() == [2, 4]
    assert a.row_numbers[-1] == n + 1 and b.row_numbers[-1] == n + 2


def _xlsx(path: Path, rows: list[list[object]], title: str | None = None, sheets: int = 1):
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet()
    fmt = workbook.add_format({"num_format": "yyyy-mm-dd"})
    offset = 0
    if title:
        sheet.merge_range(0, 0, 0, 2, title)
        offset = 2
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, dt.datetime):
                sheet.write_datetime(r + offset, c, value, fmt)
            else:
                sheet.write(r + offset, c, value)
    for extra in range(1, sheets):
        workbook.add_worksheet(f"s{extra}").write_row(0, 0, ["more", "data"])
    workbook.close()
    return path


def test_xlsx_title_rows_typed_cells_and_long_numbers(tmp_path):
    rows = [
        ["结算流水号", "结算日期", "参保地", "医疗总费用"],
        [4.20101202301e17, dt.datetime(2023, 1, 5), 420101.0, 1234.5],
        ["S2", dt.datetime(2023, 1, 6), 420102.0, 7.0],
    ]
    path = _xlsx(tmp_path / "r.xlsx", rows, title="某县结算明细")
    table = read_table(path)
    assert table.header == ("结算流水号", "结算日期", "参保地", "医疗总费用")
    assert table.row_numbers == (4, 5)
    first, second = table.rows
    # A 17-digit number cannot be an exact id: it keeps its scientific form to be refused.
    assert "E+17" in first[0]
    assert first[1:] == ("2023-01-05", "420101", "1234.5")
    assert second == ("S2", "2023-01-06", "420102", "7")


def test_xlsx_with_data_on_a_second_sheet_is_refused(tmp_path):
    path = _xlsx(tmp_path / "r.xlsx", [["a", "b"], [1, 2]], sheets=2)
    with pytest.raises(ValidationError, match="more than one sheet"):
        read_table(path)


def test_stata_and_parquet(tmp_path):
    frame = pd.DataFrame(
        {"county_code": [420101.0, 420102.0], "name": ["甲", "乙"], "fund": [1.5, 2.0]}
    )
    frame.to_stata(tmp_path / "r.dta", write_index=False, version=118)
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), tmp_path / "r.parquet")
    for name in ("r.dta", "r.parquet"):
        table = read_table(tmp_path / name)
        assert table.header == ("county_code", "name", "fund")
        assert table.rows == (("420101", "甲", "1.5"), ("420102", "乙", "2"))
        assert table.row_numbers == (2, 3)
        sheet = read_sheet(tmp_path / name)
        assert sheet.columns[0].to_pylist() == ["420101", "420102"]


def test_read_frame_reads_amounts_with_separators_and_yuan(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text('county,fund,code\na,"1,234.50元",007\nb,￥5,010\n', encoding="utf-8")
    frame = read_frame(path)
    assert frame["fund"].tolist() == [1234.5, 5.0]
    assert frame["code"].tolist() == ["007", "010"]  # leading zeros keep codes as text
    assert frame.index.tolist() == [2, 3]


def test_utf32_and_binary_are_refused(tmp_path):
    path = tmp_path / "r.csv"
    path.write_bytes("a,b\n1,2\n".encode("utf-32"))
    with pytest.raises(ValidationError, match="UTF-32"):
        read_sheet(path)
    path.write_bytes(b"a,b\n\x00\x01\x02\n")
    with pytest.raises(ValidationError, match="binary"):
        read_sheet(path)


def test_reader_never_writes(tmp_path):
    path = tmp_path / "r.csv"
    path.write_bytes(_text("\t", "标题").encode("gb18030"))
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    read_sheet(path)
    read_table(path)
    read_frame(path)
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.csv"]
    assert np.array_equal(read_sheet(path).row_numbers, [3, 4])
