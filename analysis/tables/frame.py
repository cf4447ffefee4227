"""The typed-table reader every command and the Python API use for a user's table.

:func:`read_frame` reads any format of :func:`analysis.tables.reading.read_table` into a
pandas frame whose index holds each row's number as a spreadsheet shows it (header = row 1),
so that every later message can name the row.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.errors import InputError
from analysis.tables.identity import unwrap_cell
from analysis.tables.numbers import parse_number
from analysis.tables.reading import read_table


def read_frame(path: str | Path, *, header_row: int | None = None) -> pd.DataFrame:
    """Read a command's input table through the reader ``validate`` uses.

    Any format of :func:`analysis.tables.reading.read_table`: CSV in UTF-8 (with or
    without BOM), UTF-16 or GB18030/GBK with a comma, tab, semicolon or ``|`` delimiter,
    ``.xlsx``/``.xls`` (title rows above the header skipped, or ``header_row``), ``.dta`` and
    Parquet. Columns whose every non-empty cell is a number by the one rule of
    :mod:`analysis.tables.numbers` (text-stored ``'46.1`` and ``="46.1"``, full-width digits,
    thousands separators, ``¥``/``元``/``RMB``/``CNY``, ``45.3%``) become numeric; the others
    stay text, and a command that needs a number there names the cell (``'abc' is not a
    number``). Columns written with ``%`` hold the number as written (45.3) and are listed in
    ``frame.attrs["percent_columns"]``: they are on the percent scale. Some columns stay text
    although their cells look numeric: a cell such as ``007`` (a leading zero marks a code, and
    reading ``007`` and ``07`` as 7 would merge two units), ids of 16 or more digits, and
    ``YYYY.MM`` month labels (:func:`year_month_labels`). The index holds each row's number as
    a spreadsheet shows it (header = row 1), so messages can name it.

    Raises
    ------
    InputError
        When the file cannot be read; the message names the file.
    """
    table = read_table(Path(path), header_row=header_row)
    header, rows = list(table.header), [list(r) for r in table.rows]
    for number, cells in zip(table.row_numbers, rows):
        extra = cells[len(header) :]
        if len(cells) < len(header) or any(cell.strip() for cell in extra):
            raise InputError(
                f"the row has {len(cells)} cells but the header has {len(header)} columns; "
                "check for an unquoted comma or a missing cell",
                file=path,
                row=number,
                zh=f"此行有 {len(cells)} 个单元格，但表头有 {len(header)} 列；请检查是否有未加引号"
                "的逗号或缺少的单元格",
            )
        del cells[len(header) :]
    # Spreadsheet exports often carry a blank spacer column; one that holds data is refused.
    unnamed = [i for i, name in enumerate(header) if not name]
    for i in unnamed:
        filled = [n for n, r in zip(table.row_numbers, rows) if i < len(r) and r[i].strip()]
        if filled:
            raise InputError(
                f"column {i + 1} has no name but holds data (first at row {filled[0]}); "
                "name it in the header",
                file=path,
                row=1,
                zh=f"第 {i + 1} 列没有列名却有数据（首见第 {filled[0]} 行）；请在表头中为它命名",
            )
    keep = [i for i, name in enumerate(header) if name]
    header, rows = [header[i] for i in keep], [[r[i] for i in keep] for r in rows]
    twice = sorted({name for name in header if header.count(name) > 1})
    if twice:
        raise InputError(
            f"the header names {', '.join(map(repr, twice))} more than once; give every "
            "column one distinct name",
            file=path,
            row=1,
            zh=f"表头中 {', '.join(map(repr, twice))} 出现了不止一次；请给每一列一个不同的名字",
        )
    frame = pd.DataFrame(rows, columns=header, dtype=object)
    frame.index = pd.Index(table.row_numbers, name="row")
    percent_columns = []
    for column in frame.columns:
        typed, percent = _typed_column(frame[column])
        frame[column] = typed
        if percent:
            percent_columns.append(column)
    frame.attrs["source"] = str(path)
    frame.attrs["percent_columns"] = percent_columns
    return frame


def _typed_column(cells: pd.Series) -> tuple[pd.Series, bool]:
    """A column as numbers when every non-empty cell is one (:mod:`analysis.tables.numbers`),
    else as text; and whether any cell carried a percent sign."""
    text = cells.astype(str).str.strip()
    unwrapped = text.map(unwrap_cell)
    blank = unwrapped == ""
    filled = unwrapped[~blank]
    if filled.empty or _stays_text(filled):
        return text.where(~blank, None), False
    numbers = [parse_number(cell) for cell in filled]
    if any(number is None for number in numbers):
        return text.where(~blank, None), False
    plain = pd.Series(None, index=cells.index, dtype=object)
    plain[~blank] = [number.plain for number in numbers]  # type: ignore[union-attr]
    return pd.to_numeric(plain), any(number.percent for number in numbers)  # type: ignore[union-attr]


def _stays_text(filled: pd.Series) -> bool:
    """Columns whose numbers would lose what the cells say: codes, long ids, month labels."""
    # a leading zero marks a code: reading 007 and 07 as 7 would merge two units
    if filled.str.match(r"[+-]?0\d").any():
        return True
    # ids of 16+ digits do not survive a float (an empty cell makes the column float)
    if filled.str.fullmatch(r"\d{16,}").any():
        return True
    return year_month_labels(filled)


def year_month_labels(cells: pd.Series) -> bool:
    """Whether a column holds ``YYYY.MM`` month labels, which must stay text.

    As numbers, ``2018.10`` (October) would become 2018.1 (January). A column is read as
    month labels when every cell is ``YYYY.M`` or ``YYYY.MM`` with a month from 1 to 12 and
    at least one month is written with two digits (``.01``, ``.10``); with one-digit months
    only, the number and the label agree (``2018.1`` is January either way).

    Examples
    --------
    >>> year_month_labels(pd.Series(["2018.09", "2018.10"])), year_month_labels(pd.Series(["2018.1"]))
    (True, False)
    >>> year_month_labels(pd.Series(["2018.10", "2018.13"]))
    False
    """
    parts = cells.map(unwrap_cell).str.extract(r"^(\d{4})\.(\d{1,2})$")
    if parts.isna().any().any():
        return False
    months = parts[1].astype(int)
    years = parts[0].astype(int)
    return bool(
        months.between(1, 12).all()
        and years.between(1800, 2200).all()
        and (parts[1].str.len() == 2).any()
    )
