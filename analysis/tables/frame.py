"""The typed-table reader every command and the Python API use for a user's table.

:func:`read_frame` reads any format of :func:`analysis.tables.reading.read_table` into a
pandas frame whose index holds each row's number as a spreadsheet shows it (header = row 1),
so that every later message can name the row.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from analysis.errors import InputError
from analysis.tables.identity import unwrap_cell
from analysis.tables.numbers import parse_number
from analysis.tables.reading import read_table

# Full-width forms of the ASCII range (U+FF01..U+FF5E) and the ideographic space.
_WIDE_TO_ASCII = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
# Full-width digits and Latin letters only: these are folded inside any text.
_WIDE_ALNUM = {
    code: code - 0xFEE0
    for start, end in ((0xFF10, 0xFF19), (0xFF21, 0xFF3A), (0xFF41, 0xFF5A))
    for code in range(start, end + 1)
}
_EXCEL_WRAPPED = re.compile(r'^[=＝]\s*["＂“”](.*)["＂“”]$')
_APOSTROPHES = ("'", "＇", "\u2018", "\u2019")


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
    ``YYYY.MM`` month labels (:func:`year_month_labels`). Text cells are given in their identity
    form (:func:`text_identity`): Excel's wrappers removed, full-width digits and letters
    folded, so ``="007001"``, ``'007001`` and ``００７００１`` all read ``007001``. The index
    holds each row's number as a spreadsheet shows it (header = row 1), so messages can name
    it.

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
        return text.map(text_identity).where(~blank, None), False
    numbers = [parse_number(cell) for cell in filled]
    if any(number is None for number in numbers):
        return text.map(text_identity).where(~blank, None), False
    plain = pd.Series(None, index=cells.index, dtype=object)
    plain[~blank] = [number.plain for number in numbers]  # type: ignore[union-attr]
    return pd.to_numeric(plain), any(number.percent for number in numbers)  # type: ignore[union-attr]


def text_identity(cell: str) -> str:
    """A text cell in the form that names what it means, the same however it was written.

    Excel's text wrappers (``="007001"``, ``'007001``; :func:`analysis.tables.identity.unwrap_cell`)
    are removed and surrounding spaces dropped. Full-width characters are folded by one rule:

    - full-width digits and Latin letters (``００７``, ``Ａ``) always become ASCII: no label
      means something else by ``１`` than by ``1``, and a code must come out as the code;
    - other full-width characters of the ASCII range (``（）－．：`` and the ideographic space)
      are folded only when the folded cell is plain ASCII (``２０２４－０３`` is the month
      ``2024-03``). In Chinese text they are the standard way of writing, so a label such as
      ``社区卫生服务中心（站）`` keeps its brackets as written; labels are compared through
      :func:`analysis.tables.identity.normal_key`, which folds them, so nothing splits a unit.

    Leading zeros stay (``007`` is a code). Other compatibility forms (``①``, ``㎡``) are not
    full-width forms and stay as written.

    Examples
    --------
    >>> [text_identity(c) for c in ('="007001"', "'007001", "００７００１", " ２０２４－０３ ")]
    ['007001', '007001', '007001', '2024-03']
    >>> text_identity("社区卫生服务中心（站）"), text_identity("'第１社区（西）")
    ('社区卫生服务中心（站）', '第1社区（西）')
    """
    folded = unwrap_cell(cell)
    if folded.isascii():
        return folded
    # unwrap_cell folds every compatibility form (NFKC); undo that by unwrapping the cell as
    # written and folding only what the rule above says.
    value = str(cell).strip()
    match = _EXCEL_WRAPPED.match(value)
    if match:
        value = match.group(1).strip()
    if value.startswith(_APOSTROPHES):
        value = value[1:].strip()
    value = value.translate(_WIDE_ALNUM)
    wide = value.translate(_WIDE_TO_ASCII)
    return wide if wide.isascii() else value


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
    month labels when every cell is ``YYYY.M`` or ``YYYY.MM`` with a month from 1 to 12, or
    ``0``, and at least one month is written with two digits (``.01``, ``.10``); with
    one-digit months only, the number and the label agree (``2018.1`` is January either way).
    ``0`` is allowed among the labels because a first-treated column (``did --first-treated``)
    writes "never treated" as 0 next to its months (``2018.10``, ``0``); the column must stay
    text like its time column, or its October would be read as January.

    Examples
    --------
    >>> year_month_labels(pd.Series(["2018.09", "2018.10"])), year_month_labels(pd.Series(["2018.1"]))
    (True, False)
    >>> year_month_labels(pd.Series(["2018.10", "0", "0"])), year_month_labels(pd.Series(["0"]))
    (True, False)
    >>> year_month_labels(pd.Series(["2018.10", "2018.13"]))
    False
    """
    texts = cells.map(unwrap_cell)
    labels = texts[texts != "0"]
    if labels.empty:
        return False
    parts = labels.str.extract(r"^(\d{4})\.(\d{1,2})$")
    if parts.isna().any().any():
        return False
    months = parts[1].astype(int)
    years = parts[0].astype(int)
    return bool(
        months.between(1, 12).all()
        and years.between(1800, 2200).all()
        and (parts[1].str.len() == 2).any()
    )
