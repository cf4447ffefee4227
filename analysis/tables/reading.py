"""The one reader: CSV in any common Chinese encoding, Excel, Stata and Parquet, read safely.

Every command reads its input tables here (``validate``, the estimators through
:func:`analysis.tables.frame.read_frame`, and the settlement pipeline through :func:`read_sheet`).

**CSV text.** Encodings are decided by strict decoding, in a fixed order, not guessed:

1. UTF-16 with a byte-order mark (Excel's "Unicode text" export, usually tab-delimited);
2. UTF-8, with or without a byte-order mark;
3. GB18030, a superset of GBK and GB2312 (what Chinese government systems commonly export).

Strict decoding is predictable: the same bytes always give the same text or the same refusal.
A statistical detector alone (charset-normalizer) can mistake short GBK files for other CJK
encodings, so it is used only to name the encoding in the refusal when every decoding fails.
UTF-32 and other binary content are refused with a message saying what to do.

The delimiter is detected from the first lines: comma, tab, semicolon or ``|``, whichever
splits the most lines into the same number of cells (comma wins ties).

**Workbooks.** ``.xlsx`` and legacy ``.xls`` are read with python-calamine (the Rust calamine
reader; fast, maintained, MIT). Only the first sheet is read; a workbook with data on other
sheets is refused (save each sheet as its own file), so no month is skipped without a word.
Numbers that are whole become integers (``420101.0`` -> ``420101``); numbers of 15 or more
digits, which Excel cannot store exactly, keep their scientific form so that ids mangled by
Excel are refused downstream, not silently rounded; date cells become ``YYYY-MM-DD``.

**Title rows.** Rows above the header (a title such as "某县医保结算明细", a merged group
header) are skipped: the header is the first row with at least two cells and at least 60 % of
the widest row's cells, or, when the caller knows the expected headers (the pipeline's header
map), the row naming most of them. ``header_row=N`` sets it (spreadsheet numbering). Blank
rows anywhere (trailing ones included) carry no data and are dropped; every message keeps
each row's number as the user's spreadsheet shows it.

**Stata and Parquet.** ``.dta`` through pyreadstat, ``.parquet`` through pyarrow; rows are
numbered as in a spreadsheet (header = row 1, first observation = row 2).

Nothing here writes: inputs are only opened for reading.

Examples
--------
>>> import tempfile, pathlib
>>> with tempfile.TemporaryDirectory() as d:
...     p = pathlib.Path(d, "t.csv")
...     _ = p.write_bytes("地区,年份\\n某县,2017\\n".encode("gb18030"))
...     t = read_table(p)
>>> t.encoding, t.header, t.rows
('gb18030', ('地区', '年份'), (('某县', '2017'),))
>>> with tempfile.TemporaryDirectory() as d:
...     p = pathlib.Path(d, "t.txt")
...     _ = p.write_bytes("某县医保结算明细\\n\\n地区\\t费用\\n某县\\t1,234.50\\n".encode("utf-16"))
...     t = read_table(p)
>>> t.encoding, t.header, t.rows, t.row_numbers
('utf-16', ('地区', '费用'), (('某县', '1,234.50'),), (4,))
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import math
import re
import zipfile
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa

from analysis.tables.identity import normal_key
from analysis.tables.problems import Problem, ValidationError

MAX_BYTES = 200 * 1024 * 1024
"""Largest file :func:`read_table` (cell tuples, for ``validate``) reads."""
MAX_SHEET_BYTES = 8 * 1024**3
"""Largest file :func:`read_sheet` (columnar, for the pipeline) reads."""
SUFFIXES: dict[str, str] = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".xls": "xls",
    ".dta": "dta",
    ".parquet": "parquet",
    ".parq": "parquet",
    ".pq": "parquet",
}
"""File types the reader accepts, by suffix."""
DELIMITERS: tuple[str, ...] = (",", "\t", ";", "|")

_ZIP_MAGIC = b"PK\x03\x04"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_PARQUET_MAGIC = b"PAR1"
_UTF32_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_ALLOWED_CONTROLS = {"\t", "\n", "\r"}
_PREVIEW_LINES = 50
_CHUNK = 16 * 1024 * 1024
_EXACT_DIGITS = 15  # Excel keeps 15 significant digits of a number


@dataclass(frozen=True)
class Table:
    """Cells of a file as text, with the row number of each record.

    Attributes
    ----------
    path
        The file read.
    encoding
        ``utf-8``, ``utf-8-sig``, ``gb18030``, ``utf-16``, ``xlsx``, ``xls``, ``dta`` or
        ``parquet``.
    header
        Column names as written (stripped of surrounding spaces).
    rows
        Data records, each a tuple of cell texts.
    row_numbers
        Row number of each record as a spreadsheet shows it (header = row 1 when it is the
        first row); for CSV the line where the record starts.
    """

    path: Path
    encoding: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    row_numbers: tuple[int, ...]


@dataclass(frozen=True)
class Sheet:
    """A file's data as text columns, for large inputs (the settlement pipeline).

    Attributes
    ----------
    path, encoding
        As in :class:`Table`.
    header
        Column names as written (stripped), in file order.
    columns
        One Arrow string array per header position (cells as text; blank cells are ``""``).
    row_numbers
        Row number of each record (int64), as in :class:`Table`.
    header_row
        Spreadsheet row / line number of the header.
    delimiter
        The CSV delimiter found, ``None`` for other formats.
    """

    path: Path
    encoding: str
    header: tuple[str, ...]
    columns: tuple[pa.Array, ...]
    row_numbers: np.ndarray
    header_row: int
    delimiter: str | None = None

    @property
    def n_rows(self) -> int:
        """Number of data records."""
        return len(self.row_numbers)


def _refuse(path: Path, message: str, row: int | None = None) -> ValidationError:
    return ValidationError([Problem(path, message, row)])


_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _check_controls(path: Path, text: str, offset_line: int = 0) -> None:
    bad = _CONTROL.search(text)
    if bad is not None:
        line = text.count("\n", 0, bad.start()) + 1 + offset_line
        raise _refuse(
            path,
            f"binary or corrupt file: control character {bad.group()!r} on "
            f"line {line}; expected a CSV text file",
        )


def decode(path: Path, data: bytes) -> tuple[str, str]:
    """Decode CSV bytes with the strict encoding order; refuse anything else.

    Parameters
    ----------
    path
        Used in messages only.
    data
        The file's bytes.

    Returns
    -------
    (text, encoding)

    Raises
    ------
    ValidationError
        For UTF-32, binary content or an encoding outside the supported set.
    """
    if any(data.startswith(bom) for bom in _UTF32_BOMS):
        raise _refuse(path, "unsupported encoding UTF-32; save the file as UTF-8 (or GB18030)")
    if any(data.startswith(bom) for bom in _UTF16_BOMS):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise _refuse(path, "corrupt UTF-16 text; save the file as UTF-8") from error
        _check_controls(path, text)
        return text.lstrip("\ufeff"), "utf-16"
    if b"\x00" in data:
        raise _refuse(path, "binary file (contains NUL bytes); expected a CSV text file or .xlsx")
    attempts = (("utf-8-sig", data.startswith(codecs.BOM_UTF8)), ("utf-8", True), ("gb18030", True))
    for encoding, applicable in attempts:
        if not applicable:
            continue
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        _check_controls(path, text)
        return text, encoding
    raise _refuse(
        path,
        "unknown encoding: not UTF-8, UTF-16 or GB18030/GBK"
        f"{_guess_suffix(data)}; re-save the file as UTF-8",
    )


def _guess_suffix(data: bytes) -> str:
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data[:65536]).best()
    except Exception:  # noqa: BLE001 -- a guess only: never let the guesser fail the refusal
        return ""
    return f" (it looks like {best.encoding})" if best is not None else " (it looks binary)"


def detect_delimiter(lines: list[str]) -> str:
    """The delimiter that splits most of ``lines`` into the same number (>= 2) of cells.

    Examples
    --------
    >>> detect_delimiter(["a\\tb\\tc", "1\\t1,234.50\\t3", "2\\t5\\t6"])
    '\\t'
    >>> detect_delimiter(["title", "a,b", "1,2"]), detect_delimiter(["one column", "x"])
    (',', ',')
    """
    best, best_score = ",", (0, 0)
    for delimiter in DELIMITERS:
        widths = []
        for line in lines:
            try:
                widths.append(len(next(csv.reader([line], delimiter=delimiter), [])))
            except csv.Error:
                widths.append(0)
        counted = Counter(w for w in widths if w >= 2)
        if not counted:
            continue
        width, frequency = max(counted.items(), key=lambda item: (item[1], item[0]))
        score = (frequency, width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _filled(cells: list[str] | tuple[str, ...]) -> int:
    return sum(1 for cell in cells if str(cell).strip())


def find_header(
    records: list[list[str]],
    known: Collection[str] | None = None,
) -> int:
    """Index (into ``records``) of the header among the first non-blank records.

    With ``known`` (headers the caller expects, in :func:`analysis.tables.identity.normal_key`
    form), the record naming most of them, if it names at least two; otherwise the first
    record with at least two filled cells and at least 60 % of the widest record's.

    Examples
    --------
    >>> find_header([["某县结算明细"], [], ["a", "b", "c"], ["1", "2", "3"]])
    2
    >>> find_header([["基本信息", "", "费用"], ["id", "date", "cost"]], known={"id", "cost"})
    1
    """
    preview = records[:_PREVIEW_LINES]
    if known:
        hits = [sum(1 for c in r if normal_key(c) in known) for r in preview]
        if hits and max(hits) >= 2:
            return hits.index(max(hits))
    widest = max((_filled(r) for r in preview), default=0)
    for index, record in enumerate(preview):
        filled = _filled(record)
        if filled >= 2 and filled >= 0.6 * widest:
            return index
    return next((i for i, r in enumerate(preview) if _filled(r)), 0)


def _records_from_text(path: Path, text: str, delimiter: str) -> tuple[list[list[str]], list[int]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records: list[list[str]] = []
    starts: list[int] = []
    line = 1
    try:
        for record in reader:
            starts.append(line)
            records.append(record)
            line = reader.line_num + 1
    except csv.Error as error:
        raise _refuse(
            path, f"not a well-formed CSV file near line {reader.line_num}: {error}"
        ) from error
    return records, starts


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        if value.is_integer() and abs(value) < 10**_EXACT_DIGITS:
            return str(int(value))
        return repr(value) if abs(value) < 10**_EXACT_DIGITS else f"{value:.15E}"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    return str(value)


def _workbook_records(path: Path, kind: str) -> list[list[str]]:
    # calamine raises its own error types on damaged workbooks; any of them means "cannot
    # read this workbook", which is what the user needs to hear.
    try:
        from python_calamine import CalamineWorkbook

        workbook = CalamineWorkbook.from_path(str(path))
        try:
            names = workbook.sheet_names
            rows = workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
            others = [
                name
                for i, name in enumerate(names[1:], start=1)
                if any(
                    _filled([_cell_text(c) for c in r])
                    for r in workbook.get_sheet_by_index(i).to_python()[:200]
                )
            ]
        finally:
            workbook.close()
    except Exception as error:  # noqa: BLE001 -- the reader raises anything on a corrupt file
        label = "legacy .xls" if kind == "xls" else ".xlsx"
        raise _refuse(
            path,
            f"cannot read {label} workbook ({type(error).__name__}); "
            "save it again from a spreadsheet program or export CSV",
        ) from error
    if others:
        raise _refuse(
            path,
            f"the workbook has data on more than one sheet ({names[0]!r} and "
            f"{', '.join(map(repr, others))}); only one sheet is read, so save each sheet as "
            "its own file (or move the rows onto the first sheet)",
        )
    return [[_cell_text(v) for v in row] for row in rows]


def _frame_records(path: Path, kind: str) -> tuple[list[str], list[pa.Array]]:
    try:
        if kind == "dta":
            import pyreadstat

            frame, _ = pyreadstat.read_dta(str(path))
            header = [str(c) for c in frame.columns]
            arrays = [
                pa.array(
                    [_cell_text(None if _isnan(v) else v) for v in frame[c].tolist()], pa.string()
                )
                for c in frame.columns
            ]
            return header, arrays
        import pyarrow.compute as pc
        import pyarrow.parquet as pq

        table = pq.read_table(path)
        arrays = []
        for column in table.columns:
            column = column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
            if pa.types.is_dictionary(column.type):
                column = column.dictionary_decode()
            if pa.types.is_timestamp(column.type):
                text = pc.strftime(column, format="%Y-%m-%d %H:%M:%S")
            elif pa.types.is_floating(column.type):
                text = pa.array([_cell_text(v) for v in column.to_pylist()], pa.string())
            else:
                text = pc.cast(column, pa.string())
            arrays.append(pc.fill_null(text, ""))
        return [str(n) for n in table.column_names], arrays
    except ValidationError:
        raise
    except Exception as error:  # noqa: BLE001 -- both readers raise many types on a bad file
        label = "Stata .dta" if kind == "dta" else "Parquet"
        raise _refuse(
            path, f"cannot read the {label} file ({type(error).__name__}: {error})"
        ) from error


def _isnan(value: object) -> bool:
    return isinstance(value, float) and math.isnan(value)


def _kind(path: Path, head: bytes) -> str:
    suffix = path.suffix.lower()
    if head.startswith(_OLE2_MAGIC) or suffix == ".xls":
        return "xls"
    if suffix in (".xlsx", ".xlsm") or head.startswith(_ZIP_MAGIC):
        return "xlsx"
    if suffix == ".dta":
        return "dta"
    if suffix in (".parquet", ".parq", ".pq") or head.startswith(_PARQUET_MAGIC):
        return "parquet"
    return "csv"


def _open(path: Path, limit: int) -> bytes:
    if not path.exists():
        raise _refuse(path, "no such file")
    if not path.is_file():
        raise _refuse(path, "not a regular file")
    if path.stat().st_size > limit:
        raise _refuse(path, f"file larger than {limit // 2**20} MiB; split it first")
    try:
        with path.open("rb") as handle:
            return handle.read(8)
    except OSError as error:
        raise _refuse(path, f"cannot read file: {error.strerror or error}") from error


def _strip_rows(
    path: Path,
    records: list[list[str]],
    starts: list[int],
    header_row: int | None,
    known: Collection[str] | None,
) -> tuple[list[str], list[list[str]], list[int], int]:
    """Header, data records and their numbers: title rows and blank rows removed."""
    kept = [(r, n) for r, n in zip(records, starts) if _filled(r)]
    if not kept:
        raise _refuse(path, "empty file: no header row")
    if header_row is not None:
        at = [i for i, (_, n) in enumerate(kept) if n == header_row]
        if not at:
            raise _refuse(path, f"header_row={header_row} is blank or past the end of the file")
        index = at[0]
    else:
        index = find_header([r for r, _ in kept], known)
    (header, number), body = kept[index], kept[index + 1 :]
    return (
        [str(h).strip() for h in header],
        [r for r, _ in body],
        [n for _, n in body],
        number,
    )


def _table_from(path: Path, encoding: str, header, body, numbers) -> Table:
    return Table(
        path=path,
        encoding=encoding,
        header=tuple(header),
        rows=tuple(tuple(r) for r in body),
        row_numbers=tuple(numbers),
    )


def read_table(
    path: Path | str,
    *,
    header_row: int | None = None,
    known_headers: Collection[str] | None = None,
) -> Table:
    """Read a CSV, ``.xlsx``/``.xls``, ``.dta`` or Parquet file as text cells, unmodified.

    Parameters
    ----------
    path
        File to read.
    header_row
        Spreadsheet row (CSV: line) of the header; found automatically when ``None``.
    known_headers
        Headers the caller expects (normal form), to find the header below title rows.

    Returns
    -------
    Table

    Raises
    ------
    ValidationError
        When the file is missing, empty, binary, in an unsupported encoding or malformed.
    """
    path = Path(path)
    head = _open(path, MAX_BYTES)
    kind = _kind(path, head)
    if kind in ("xlsx", "xls"):
        if kind == "xlsx" and not zipfile.is_zipfile(path):
            raise _refuse(path, "not a valid .xlsx workbook (not a zip archive)")
        records = _workbook_records(path, kind)
        width = max((i + 1 for r in records for i, c in enumerate(r) if c.strip()), default=0)
        records = [r[:width] for r in records]
        starts = list(range(1, len(records) + 1))
        header, body, numbers, _ = _strip_rows(path, records, starts, header_row, known_headers)
        return _table_from(path, kind, header, body, numbers)
    if kind in ("dta", "parquet"):
        names, arrays = _frame_records(path, kind)
        rows = list(zip(*(a.to_pylist() for a in arrays))) if arrays else []
        kept = [(r, i + 2) for i, r in enumerate(rows) if _filled(r)]
        return _table_from(path, kind, names, [r for r, _ in kept], [n for _, n in kept])
    try:
        data = path.read_bytes()
    except OSError as error:
        raise _refuse(path, f"cannot read file: {error.strerror or error}") from error
    text, encoding = decode(path, data)
    if not text.strip():
        raise _refuse(path, "empty file: no header row")
    delimiter = detect_delimiter([ln for ln in text[:65536].splitlines() if ln.strip()][:50])
    records, starts = _records_from_text(path, text, delimiter)
    header, body, numbers, _ = _strip_rows(path, records, starts, header_row, known_headers)
    return _table_from(path, encoding, header, body, numbers)


def _transcode_to_utf8(path: Path) -> tuple[bytes, str]:
    """The file's text as UTF-8 bytes, decoded strictly in chunks; and the encoding."""
    with path.open("rb") as handle:
        start = handle.read(4)
    if any(start.startswith(b) for b in _UTF32_BOMS) or any(
        start.startswith(b) for b in _UTF16_BOMS
    ):
        text, encoding = decode(path, path.read_bytes())
        return text.encode("utf-8"), encoding
    for encoding in ("utf-8", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        parts: list[bytes] = []
        same = encoding == "utf-8"
        try:
            with path.open("rb") as handle:
                while chunk := handle.read(_CHUNK):
                    if b"\x00" in chunk:
                        raise _refuse(
                            path,
                            "binary file (contains NUL bytes); expected a CSV text file or .xlsx",
                        )
                    text = decoder.decode(chunk)
                    parts.append(chunk if same else text.encode("utf-8"))
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        data = b"".join(parts)
        if data.startswith(codecs.BOM_UTF8):
            return data[len(codecs.BOM_UTF8) :], "utf-8-sig"
        return data, encoding
    raise _refuse(
        path,
        "unknown encoding: not UTF-8, UTF-16 or GB18030/GBK"
        f"{_guess_suffix(path.read_bytes()[:65536])}; re-save the file as UTF-8",
    )


def read_sheet(
    path: Path | str,
    *,
    header_row: int | None = None,
    known_headers: Collection[str] | None = None,
) -> Sheet:
    """Read any supported file as text columns (fast for large CSV files).

    CSV is parsed by pyarrow after a strict, chunked decoding; when a line does not fit the
    header (an unquoted ``1,234.50``, a missing cell) the file is re-read line by line to name
    the row. Other formats go through :func:`read_table`'s readers.

    Parameters
    ----------
    path, header_row, known_headers
        As in :func:`read_table`.

    Raises
    ------
    ValidationError
        As :func:`read_table`, and for a record with more or fewer cells than the header
        (the message names the row).
    """
    path = Path(path)
    head = _open(path, MAX_SHEET_BYTES)
    kind = _kind(path, head)
    if kind != "csv":
        if kind in ("dta", "parquet"):
            names, arrays = _frame_records(path, kind)
            n = len(arrays[0]) if arrays else 0
            return _drop_blank(
                Sheet(path, kind, tuple(names), tuple(arrays), np.arange(2, n + 2), 1)
            )
        table = read_table(path, header_row=header_row, known_headers=known_headers)
        return _sheet_from_table(table, header_row)
    data, encoding = _transcode_to_utf8(path)
    preview_text = data[:65536].decode("utf-8", errors="ignore")
    _check_controls(path, preview_text)
    lines = preview_text.splitlines()
    if not "".join(lines).strip():
        raise _refuse(path, "empty file: no header row")
    delimiter = detect_delimiter([ln for ln in lines if ln.strip()][:_PREVIEW_LINES])
    preview_records, preview_starts = _records_from_text(
        path, "\n".join(lines[:-1] if len(lines) > 1 else lines), delimiter
    )
    header, _, _, header_number = _strip_rows(
        path, preview_records, preview_starts, header_row, known_headers
    )
    sheet = _fast_csv(path, data, encoding, delimiter, header, header_number)
    if sheet is None:  # anything irregular: the exact, slower route names the row
        text = data.decode("utf-8")
        _check_controls(path, text)
        records, starts = _records_from_text(path, text, delimiter)
        header, body, numbers, header_number = _strip_rows(
            path, records, starts, header_row, known_headers
        )
        table = Table(path, encoding, tuple(header), tuple(map(tuple, body)), tuple(numbers))
        return _sheet_from_table(table, header_number)
    return sheet


def _offset_of_line(data: bytes, line: int) -> int:
    offset = 0
    for _ in range(line - 1):
        offset = data.index(b"\n", offset) + 1
    return offset


def _fast_csv(
    path: Path, data: bytes, encoding: str, delimiter: str, header: list[str], header_number: int
) -> Sheet | None:
    import pyarrow.csv as pacsv

    # A bare carriage return (old Mac line ends) is a line break to Python's csv module but
    # not to the line count below: let the exact route read such files.
    if b"\r" in data and b"\r" in data.replace(b"\r\n", b""):
        return None
    start = _offset_of_line(data, header_number)
    body = data[start:]
    width = len(header)
    names = [f"c{i}" for i in range(width)]
    try:
        table = pacsv.read_csv(
            pa.py_buffer(body),
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, block_size=1 << 24),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, quote_char='"'),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
                null_values=[],
            ),
        )
    except pa.ArrowInvalid:
        return None
    lines = body.count(b"\n") + (0 if body.endswith(b"\n") else 1)
    # Blank lines, or a quoted cell holding a line break: let the exact route number the rows.
    if lines != table.num_rows + 1:
        return None
    columns = tuple(table.column(i).combine_chunks() for i in range(width))
    numbers = np.arange(header_number + 1, header_number + 1 + table.num_rows, dtype="int64")
    return _drop_blank(
        Sheet(
            path,
            encoding,
            tuple(h.strip() for h in header),
            columns,
            numbers,
            header_number,
            delimiter,
        )
    )


def _drop_blank(sheet: Sheet) -> Sheet:
    import pyarrow.compute as pc

    if not sheet.columns:
        return sheet
    filled = None
    for column in sheet.columns:
        has = pc.not_equal(pc.utf8_trim_whitespace(column), "")
        filled = has if filled is None else pc.or_(filled, has)
    if pc.all(filled).as_py() is not False:
        return sheet
    keep = filled
    return Sheet(
        sheet.path,
        sheet.encoding,
        sheet.header,
        tuple(pc.filter(c, keep) for c in sheet.columns),
        sheet.row_numbers[np.asarray(keep.to_numpy(zero_copy_only=False), dtype=bool)],
        sheet.header_row,
        sheet.delimiter,
    )


def _sheet_from_table(table: Table, header_row: int | None) -> Sheet:
    width = len(table.header)
    for number, cells in zip(table.row_numbers, table.rows):
        if len(cells) < width or any(str(c).strip() for c in cells[width:]):
            raise _refuse(
                table.path,
                f"the row has {len(cells)} cells but the header has {width} columns; check "
                "for an unquoted comma (e.g. 1,234.50 without quotes) or a missing cell",
                row=number,
            )
    columns = tuple(
        pa.array([r[i] if i < len(r) else "" for r in table.rows], pa.string())
        for i in range(width)
    )
    first = table.row_numbers[0] - 1 if table.row_numbers else 1
    return Sheet(
        table.path,
        table.encoding,
        table.header,
        columns,
        np.asarray(table.row_numbers, dtype="int64"),
        header_row if header_row is not None else first,
    )
