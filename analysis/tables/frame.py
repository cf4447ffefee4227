"""The typed-table reader every command and the Python API use for a user's table.

:func:`read_frame` reads any format of :func:`analysis.tables.reading.read_table` into a
pandas frame whose index holds each row's number as a spreadsheet shows it (header = row 1),
so that every later message can name the row.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.errors import InputError
from analysis.tables.reading import read_table

_AMOUNT = r"[￥¥]?\s*[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?\s*元?"


def read_frame(path: str | Path, *, header_row: int | None = None) -> pd.DataFrame:
    """Read a command's input table through the reader ``validate`` uses.

    Any format of :func:`analysis.tables.reading.read_table`: CSV in UTF-8 (with or
    without BOM), UTF-16 or GB18030/GBK with a comma, tab, semicolon or ``|`` delimiter,
    ``.xlsx``/``.xls`` (title rows above the header skipped, or ``header_row``), ``.dta`` and
    Parquet. Columns whose every non-empty cell is a number become numeric; the others stay
    text. Amounts written with thousands separators or a currency sign (``1,234.50``,
    ``1,234.50元``, ``￥1,234.50``) count as numbers when every cell of the column is one. A column with a cell
    such as ``007`` also stays text: a leading zero marks a code, and reading ``007`` and
    ``07`` as the number 7 would merge two units. The index holds each row's number as a
    spreadsheet shows it (header = row 1), so messages can name it.

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
        )
    frame = pd.DataFrame(rows, columns=header, dtype=object)
    frame.index = pd.Index(table.row_numbers, name="row")
    for column in frame.columns:
        text = frame[column].astype(str).str.strip()
        blank = text == ""
        amounts = text.str.fullmatch(_AMOUNT)
        numeric_text = text.where(~amounts, text.str.replace(r"[,￥¥元\s]", "", regex=True))
        converted = pd.to_numeric(numeric_text.where(~blank), errors="coerce")
        coded = text.str.match(r"[+-]?0\d").any()
        if not coded and (converted.notna() | blank).all() and (~blank).any():
            frame[column] = converted
        else:
            frame[column] = text.where(~blank, None)
    frame.attrs["source"] = str(path)
    return frame
