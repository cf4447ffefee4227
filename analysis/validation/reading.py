"""Read a CSV or ``.xlsx`` file into a table of text cells, refusing what cannot be read safely.

Encodings are tried in a fixed, strict order rather than guessed:

1. UTF-8, with or without a byte-order mark (what this compendium writes);
2. GB18030, a superset of GBK and GB2312 (what Chinese government systems commonly export).

Strict decoding is predictable: the same bytes always give the same text or the same refusal.
A statistical detector alone (charset-normalizer) can mistake short GBK files for other CJK
encodings, so it is used only as a fallback *guess* to name the encoding in the refusal message
when both strict decodings fail. UTF-16/32 (byte-order marks, NUL bytes), legacy ``.xls`` and
other binary files are refused with a message saying what to do.

``.xlsx`` files are read with openpyxl in read-only mode (first sheet). Nothing here writes: the
input is read once as bytes.

Examples
--------
>>> import tempfile, pathlib
>>> with tempfile.TemporaryDirectory() as d:
...     p = pathlib.Path(d, "t.csv")
...     _ = p.write_bytes("地区,年份\\n某县,2017\\n".encode("gb18030"))
...     t = read_table(p)
>>> t.encoding, t.header, t.rows
('gb18030', ('地区', '年份'), (('某县', '2017'),))
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from analysis.validation.errors import Problem, ValidationError

MAX_BYTES = 200 * 1024 * 1024
_ZIP_MAGIC = b"PK\x03\x04"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_UTF16_32_BOMS = {
    codecs.BOM_UTF32_LE: "UTF-32",
    codecs.BOM_UTF32_BE: "UTF-32",
    codecs.BOM_UTF16_LE: "UTF-16",
    codecs.BOM_UTF16_BE: "UTF-16",
}
_ALLOWED_CONTROLS = {"\t", "\n", "\r"}


@dataclass(frozen=True)
class Table:
    """Cells of a file as text, with the row number of each record.

    Attributes
    ----------
    path
        The file read.
    encoding
        ``utf-8``, ``utf-8-sig``, ``gb18030`` or ``xlsx``.
    header
        Column names as written (stripped of surrounding spaces).
    rows
        Data records, each a tuple of cell texts.
    row_numbers
        Row number of each record as a spreadsheet shows it (header = 1); for CSV the line where
        the record starts.
    """

    path: Path
    encoding: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    row_numbers: tuple[int, ...]


def _refuse(path: Path, message: str) -> ValidationError:
    return ValidationError([Problem(path, message)])


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
        For UTF-16/32, binary content or an encoding outside the supported set.
    """
    for bom, name in _UTF16_32_BOMS.items():
        if data.startswith(bom) and not data.startswith(codecs.BOM_UTF8):
            raise _refuse(path, f"unsupported encoding {name}; save the file as UTF-8 (or GB18030)")
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
        bad = next(
            (
                i
                for i, ch in enumerate(text)
                if (ord(ch) < 32 and ch not in _ALLOWED_CONTROLS) or ch == "\x7f"
            ),
            None,
        )
        if bad is not None:
            line = text.count("\n", 0, bad) + 1
            raise _refuse(
                path,
                f"binary or corrupt file: control character {text[bad]!r} on "
                f"line {line}; expected a CSV text file",
            )
        return text, encoding
    raise _refuse(
        path,
        "unknown encoding: not UTF-8 and not GB18030/GBK"
        f"{_guess_suffix(data)}; re-save the file as UTF-8",
    )


def _guess_suffix(data: bytes) -> str:
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data[:65536]).best()
    except Exception:  # noqa: BLE001 -- a guess only: never let the guesser fail the refusal
        return ""
    return f" (it looks like {best.encoding})" if best is not None else " (it looks binary)"


def _parse_csv(path: Path, text: str, encoding: str) -> Table:
    if not text.strip():
        raise _refuse(path, "empty file: no header row")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records: list[tuple[str, ...]] = []
    starts: list[int] = []
    try:
        line = 1
        for record in reader:
            starts.append(line)
            records.append(tuple(record))
            line = reader.line_num + 1
    except csv.Error as error:
        raise _refuse(
            path, f"not a well-formed CSV file near line {reader.line_num}: {error}"
        ) from error
    return _table(path, encoding, records, starts)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _parse_xlsx(path: Path, data: bytes) -> Table:
    # openpyxl raises many exception types on damaged archives (zipfile, KeyError, XML errors);
    # any of them means "cannot read this workbook", which is what the user needs to hear.
    try:
        from openpyxl import load_workbook

        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheet = workbook.worksheets[0]
            records, starts = [], []
            for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
                records.append(tuple(_cell_text(v) for v in row))
                starts.append(number)
        finally:
            workbook.close()
    except Exception as error:  # noqa: BLE001 -- openpyxl raises anything on a corrupt file
        raise _refuse(
            path,
            f"cannot read .xlsx workbook ({type(error).__name__}); "
            "save it again from a spreadsheet program or export CSV",
        ) from error
    # Workbooks often report a used range wider than the data (formatted but empty cells):
    # drop columns that are empty in every row, including the header, at the right edge.
    width = max((i + 1 for r in records for i, cell in enumerate(r) if cell.strip()), default=0)
    records = [r[:width] for r in records]
    return _table(path, "xlsx", records, starts)


def _table(path: Path, encoding: str, records: list[tuple[str, ...]], starts: list[int]) -> Table:
    # Blank lines carry no data; dropping them keeps row numbers of the rest correct.
    kept = [(r, n) for r, n in zip(records, starts) if any(cell.strip() for cell in r)]
    if not kept:
        raise _refuse(path, "empty file: no header row")
    (header, _), body = kept[0], kept[1:]
    return Table(
        path=path,
        encoding=encoding,
        header=tuple(h.strip() for h in header),
        rows=tuple(r for r, _ in body),
        row_numbers=tuple(n for _, n in body),
    )


def read_table(path: Path | str) -> Table:
    """Read a CSV (UTF-8, UTF-8 with BOM, GB18030/GBK) or ``.xlsx`` file without modifying it.

    Parameters
    ----------
    path
        File to read.

    Returns
    -------
    Table

    Raises
    ------
    ValidationError
        When the file is missing, empty, binary, in an unsupported encoding or malformed.
    """
    path = Path(path)
    if not path.exists():
        raise _refuse(path, "no such file")
    if not path.is_file():
        raise _refuse(path, "not a regular file")
    if path.stat().st_size > MAX_BYTES:
        raise _refuse(path, f"file larger than {MAX_BYTES // 2**20} MiB; split it first")
    try:
        data = path.read_bytes()
    except OSError as error:
        raise _refuse(path, f"cannot read file: {error.strerror or error}") from error
    suffix = path.suffix.lower()
    if data.startswith(_OLE2_MAGIC) or suffix == ".xls":
        raise _refuse(path, "legacy .xls workbooks are not supported; save as .xlsx or CSV")
    if suffix == ".xlsx" or data.startswith(_ZIP_MAGIC):
        if not zipfile.is_zipfile(io.BytesIO(data)):
            raise _refuse(path, "not a valid .xlsx workbook (not a zip archive)")
        return _parse_xlsx(path, data)
    text, encoding = decode(path, data)
    return _parse_csv(path, text, encoding)
