"""Bureau exports as they come -> the settlement schema, value by value, before the SQL.

Every local input file (CSV in any common Chinese encoding, ``.xlsx``/``.xls``, ``.dta``,
Parquet under other column names) is read by :func:`analysis.tables.reading.read_sheet`,
its headers mapped with the header map and its values normalised, then written as a
text-only Parquet file in the run's scratch folder for the engine to read:

- **aggregate rows** (合计, 小计, 全县, 平均 ... in the id, county, institution or level
  cell, or in another cell of a row without an id) are dropped before anything else and
  listed in :attr:`FileReport.total_rows`: they are not settlements;
- **codes** (``county_code``, ``institution_id``, ``treatment_county``, ``record_id``,
  ``original_record_id``): cleaned as :func:`analysis.tables.identity.canonical_code` does,
  column-wise (:func:`canonical_codes`): Excel's ``="420101"`` and ``'420101`` wrappers,
  full-width digits, spaces and a whole float's ``.0`` removed; a value in scientific
  notation (``4.20101E+17``: Excel turned a long number into a rounded float) refuses the
  file. Forms of one county across files are reconciled by :mod:`analysis.pipeline.reconcile`;
- **dates**: ``2024-03-05``, ``2024/3/5``, ``2024.3.5``, ``2024年3月5日``, ``20240305``,
  a time after the date (ignored), date cells of a workbook, and Excel serial numbers 20000
  to 79999 (1954-10-03 to 2118-12-03) all become ``YYYY-MM-DD``. A date with the year last
  (``01/02/2023``) cannot be read without knowing whether day or month comes first: the file
  is refused with examples unless ``date_format`` (e.g. ``%d/%m/%Y``) says;
- **amounts**: read by the one rule for a numeric cell that every command shares
  (:func:`analysis.tables.numbers.parse_number`): ``1,234.50``, ``1,234.50元``, ``¥1,234.50``,
  ``RMB 1234.50``, Excel's ``'46.1`` and ``="46.1"``, full-width digits, ``297.990`` become
  plain decimals written without trailing zeros, so that a re-exported duplicate (``297.99``
  vs ``297.990``) is the same record; a percent (``45%``) is not an amount. A column in 万元
  or 千元 (unit in the header, or ``[units]`` of the header map; :mod:`analysis.tables.units`)
  is converted to yuan exactly;
- **labels** (level, service type, scheme): mapped with the label map onto the schema's
  categories; unknown labels stay as written and are counted with their first row (the run
  refuses them, or with ``drop_unknown_labels`` the SQL quarantines them);
  ``未定级`` becomes ``unrated`` unless the institution-name file gives the level.

What cannot be parsed is left as written, so the SQL's checks quarantine it with its reason;
this module records the first row of each problem so refusals can name file, row and column.

Examples
--------
>>> canonical_date("2024年3月5日"), canonical_date("2024/3/5 08:00"), canonical_date("45356")
('2024-03-05', '2024-03-05', '2024-03-05')
>>> canonical_date("2023-02-30") is None, canonical_date("01/02/2023")
(True, 'year-last')
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from analysis.errors import InputError
from analysis.pipeline.schema import FIELD_NAMES
from analysis.tables.identity import TOTAL_HINT, is_total_label, normal_key
from analysis.tables.mapping import (
    LABEL_FIELDS,
    UNRATED,
    HeaderMap,
    LabelMap,
    known_headers,
    match_headers,
    missing_message,
)
from analysis.tables.numbers import parse_number
from analysis.tables.reading import read_sheet
from analysis.tables.units import to_yuan, unit_factor

EXCEL_EPOCH = dt.date(1899, 12, 30)
SERIAL_RANGE = (20000, 80000)
_YEAR_FIRST = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})(?:\d{6})?$")
_YEAR_LAST = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")
_SERIAL = re.compile(r"^(\d{5})(?:\.\d+)?$")
_SCIENTIFIC = r"^[+-]?\d+(?:\.\d+)?[eE][+-]?\d+$"
_PLAIN_NUMBER = r"^-?\d+(?:\.\d+)?$"
CODE_FIELDS: tuple[str, ...] = ("county_code", "institution_id", "treatment_county")
EXTRA_FIELDS: tuple[str, ...] = ("treatment_county", "original_record_id")
"""Optional columns carried past normalising for the run-level steps, never to the engine."""
ROW = "_row"
"""Column of the spreadsheet row number of each normalised row (for messages)."""
# Rows whose label cells hold one of these hold a total, if any of these fields says so; the
# other fields only when the record id is empty (a total row has no settlement id).
_TOTAL_FIELDS = ("record_id", "county_code", "institution_id", "institution_level")
_TOTAL_IF_NO_ID = ("settlement_date", "service_type", "scheme", "institution_name")


def canonical_date(text: str, date_format: str | None = None) -> str | None:
    """``YYYY-MM-DD`` for an accepted date text, ``"year-last"`` for D/M/Y or M/D/Y, or None.

    A time after a space or ``T`` is ignored.
    """
    value = unicodedata.normalize("NFKC", text).strip()
    if date_format:
        try:
            return dt.datetime.strptime(value, date_format).date().isoformat()
        except ValueError:
            pass
    value = re.split(r"[ T]", value, maxsplit=1)[0]
    for pattern in (_YEAR_FIRST, _COMPACT):
        match = pattern.match(value)
        if match:
            try:
                return dt.date(*map(int, match.groups()[:3])).isoformat()
            except ValueError:
                return None
    match = _SERIAL.match(value)
    if match and SERIAL_RANGE[0] <= int(match.group(1)) < SERIAL_RANGE[1]:
        return (EXCEL_EPOCH + dt.timedelta(days=int(match.group(1)))).isoformat()
    if _YEAR_LAST.match(value):
        return "year-last"
    return None


@dataclass(frozen=True)
class Options:
    """How to read the bureau's files (the header, label and date options of a run)."""

    header_map: HeaderMap
    label_map: LabelMap
    institutions: dict[str, str] | None = None
    date_format: str | None = None
    header_row: int | None = None
    code_map: dict[str, str] | None = None
    """Written county code -> unit code (``--code-map``), for the run-level reconciliation."""
    drop_unknown_labels: bool = False


@dataclass
class FileReport:
    """What normalising one file found (for the run summary and refusal messages)."""

    name: str
    origin: str
    rows: int
    header_row: int
    rename: dict[str, str]
    unknown_labels: Counter[tuple[str, str]] = field(default_factory=Counter)
    label_rows: dict[tuple[str, str], tuple[int, str]] = field(default_factory=dict)
    """(field, label) -> (first row, column as written) of each unknown label."""
    total_rows: list[tuple[int, str, str]] = field(default_factory=list)
    """(row, column, label) of each aggregate row (合计, 全县, ...) dropped as not a record."""
    units: dict[str, tuple[str, str]] = field(default_factory=dict)
    """Amount field -> (column as written, unit) of amounts converted to yuan."""
    unrated_resolved: int = 0
    out_of_county: int | None = None
    examples: dict[str, tuple[int, str, str]] = field(default_factory=dict)
    """Reason code -> (row, column as written in the file, value) of its first row."""
    pending: list = field(default_factory=list, repr=False)

    def resolve(self) -> FileReport:
        """Find the examples left for when a message needs them; return self."""
        while self.pending:
            self.pending.pop()()
        return self


def _first_row(mask: pa.Array, numbers: np.ndarray) -> int | None:
    where = np.flatnonzero(np.asarray(mask.to_numpy(zero_copy_only=False), dtype=bool))
    return int(numbers[where[0]]) if len(where) else None


def _map_uniques(column: pa.Array, function) -> tuple[pa.Array, pa.Array, list]:
    """Apply ``function`` to each distinct value; return (mapped column, indices, uniques)."""
    encoded = pc.dictionary_encode(column)
    uniques = encoded.dictionary.to_pylist()
    mapped = [function(v) for v in uniques]
    return encoded.indices, pa.array(mapped, pa.string()), uniques


def _any_literal(values: pa.Array, text: str, regex: bool = False) -> bool:
    if not len(values):
        return False
    match = pc.match_substring_regex if regex else pc.match_substring
    return bool(pc.any(match(values, text)).as_py())


def _fold(values: pa.Array) -> pa.Array:
    """NFKC (full-width digits and letters to ASCII), skipped for an all-ASCII column."""
    if not len(values) or pc.all(pc.string_is_ascii(values)).as_py():
        return values
    return pc.utf8_normalize(values, "NFKC")


def canonical_codes(values: pa.Array) -> pa.Array:
    """:func:`analysis.tables.identity.canonical_code` for a whole column (scientific
    notation is left as written, for the caller to refuse).

    Each rewrite runs only when some cell needs it.

    Examples
    --------
    >>> from analysis.tables.identity import canonical_code
    >>> cells = ['="420101"', "'420101", " ４２０１０１.0 ", "4201 01", "‘S1", "S2"]
    >>> canonical_codes(pa.array(cells)).to_pylist() == [canonical_code(c) for c in cells]
    True
    """
    values = _fold(_trim(values))
    if not _any_literal(values, r"[=\s'‘’.]", regex=True):  # one scan for the usual clean column
        return values
    if _any_literal(values, "="):
        values = pc.replace_substring_regex(values, r'^=\s*"(.*)"$', r"\1")
    if _any_literal(values, "^\\s*['‘’]", regex=True):
        values = pc.replace_substring_regex(values, "^\\s*['‘’]", "")
    if _any_literal(values, r"\s", regex=True):
        values = pc.replace_substring_regex(values, r"\s+", "")
    if _any_literal(values, "."):
        values = pc.replace_substring_regex(values, r"^([+-]?\d+)\.0+$", r"\1")
    return values


def amount_text(cell: str) -> str | None:
    """A money cell as plain decimal text in its own unit, or ``None`` when it is not an amount.

    The number is read by :func:`analysis.tables.numbers.parse_number` (the rule every command
    shares) and written without exponent, ``+``, leading or trailing zeros, so that
    re-exported duplicates (``297.99``, ``297.990``, ``¥297.99``) are one record. A percent
    (``45%``) is a number but never a money amount.

    Examples
    --------
    >>> [amount_text(c) for c in ("RMB 1234.50", "¥1,234.50", "1,234.50元", "'46.10", '="46.1"')]
    ['1234.5', '1234.5', '1234.5', '46.1', '46.1']
    >>> amount_text("１２.５０"), amount_text("+007"), amount_text("-0.0"), amount_text("1E+3")
    ('12.5', '7', '0', '1000')
    >>> amount_text("45%"), amount_text("abc"), amount_text("1.5万元"), amount_text("")
    (None, None, None, None)
    """
    number = parse_number(cell)
    if number is None or number.percent:
        return None
    return to_yuan(number.plain, "元")


def canonical_amounts(values: pa.Array) -> pa.Array:
    """:func:`amount_text` for a whole column of trimmed text; a cell that is not an amount
    is left as written, for the SQL to quarantine as ``malformed_amount``.

    Plain decimals (most exports write nothing else) lose their trailing zeros column-wise;
    only the other distinct texts go through :func:`amount_text`.

    Examples
    --------
    >>> cells = ["297.990", "20.00", "-0.0", "-0", "007", "¥1,234.50", "'46.1", '="8462.35"', "4,5"]
    >>> canonical_amounts(pa.array(cells + [""])).to_pylist() == [
    ...     amount_text(c) or c for c in cells] + [""]
    True
    """
    plain = pc.match_substring_regex(values, _PLAIN_NUMBER)
    # The fast path must write what amount_text would, so every other text goes through it.
    plain = pc.and_(plain, pc.invert(pc.match_substring_regex(values, r"^-?0\d")))
    decimals = pc.and_(plain, pc.match_substring(values, "."))
    if pc.any(decimals).as_py():
        stripped = pc.utf8_rtrim(pc.utf8_rtrim(values, characters="0"), characters=".")
        values = pc.if_else(decimals, stripped, values)
    if _any_literal(values, "-0"):
        values = pc.if_else(pc.equal(values, "-0"), pa.scalar("0"), values)
    other = pc.and_(pc.invert(plain), pc.not_equal(values, ""))
    if not pc.any(other).as_py():
        return values
    texts = pc.filter(values, other)
    encoded = pc.dictionary_encode(texts)
    mapped = pa.array([amount_text(v) for v in encoded.dictionary.to_pylist()], pa.string())
    return pc.replace_with_mask(values, other, pc.coalesce(pc.take(mapped, encoded.indices), texts))


def _total_mask(out: dict[str, pa.Array], present: set[str]) -> np.ndarray:
    """Rows holding an aggregate (合计, 全县, 平均, ...) rather than one settlement."""
    n = len(out["record_id"])
    mask = np.zeros(n, dtype=bool)
    no_id = np.asarray(pc.equal(out["record_id"], "").to_numpy(zero_copy_only=False), bool)
    without_id = np.flatnonzero(no_id)
    for f in (*_TOTAL_FIELDS, *_TOTAL_IF_NO_ID):
        if f not in present or f not in out:
            continue
        # The other fields only matter on rows without a record id (usually none: skipped).
        rows = None if f in _TOTAL_FIELDS else without_id
        if rows is not None and not len(rows):
            continue
        values = out[f] if rows is None else out[f].take(pa.array(rows))
        hint = pc.match_substring_regex(values, TOTAL_HINT)
        where = np.flatnonzero(np.asarray(hint.to_numpy(zero_copy_only=False), bool))
        if not len(where):
            continue
        found = where[[is_total_label(v) for v in values.take(pa.array(where)).to_pylist()]]
        mask[found if rows is None else rows[found]] = True
    return mask


def _take(values: pa.Array, indices: pa.Array) -> pa.Array:
    return pc.take(values, indices)


def _trim(column: pa.Array) -> pa.Array:
    return pc.utf8_trim_whitespace(pc.cast(column, pa.string()))


def normalise_file(
    path: Path, name: str, options: Options, target: Path | None
) -> tuple[pa.Table, FileReport]:
    """Read one input file, normalise it; return the schema's text columns (an Arrow table),
    also written as Parquet to ``target`` unless it is ``None``.

    Raises
    ------
    InputError
        When a required column is missing (each listed with the closest header), an id or
        code is in scientific notation, or dates put the year last without ``date_format``.
    """
    sheet = read_sheet(
        path, header_row=options.header_row, known_headers=set(known_headers(options.header_map))
    )
    origin = (
        f"csv {sheet.encoding}"
        if sheet.delimiter is not None or sheet.encoding.startswith(("utf", "gb"))
        else sheet.encoding
    )
    plan = match_headers(sheet.header, options.header_map, name, sheet.header_row)
    by_field = {f: sheet.header.index(h) for h, f in plan.rename.items()}
    missing = dict(plan.missing)
    if (
        "institution_level" in missing
        and options.institutions is not None
        and "institution_name" in by_field
    ):
        del missing["institution_level"]
    if missing:
        en, zh = missing_message(dataclasses.replace(plan, missing=missing))
        raise InputError(en, file=name, row=sheet.header_row, column=next(iter(missing)), zh=zh)
    numbers = sheet.row_numbers
    n = sheet.n_rows
    report = FileReport(name, origin, n, sheet.header_row, dict(plan.rename))
    header_of = {f: sheet.header[i] for f, i in by_field.items()}

    # Each mapped column is trimmed once: the steps below read some columns several times.
    trimmed = {f: _trim(sheet.columns[i]) for f, i in by_field.items()}

    def column(field_name: str) -> pa.Array:
        if field_name not in trimmed:
            return pa.array([""] * n, pa.string())
        return trimmed[field_name]

    out: dict[str, pa.Array] = {}
    for f in (*FIELD_NAMES, *EXTRA_FIELDS, "institution_name"):
        if f not in FIELD_NAMES:
            out[f] = column(f)
    totals = _total_mask({**out, **{f: column(f) for f in FIELD_NAMES}}, set(by_field))
    if totals.any():
        # An aggregate row is not a settlement: dropped, listed in the summary, and never
        # counted as a quarantined row (it would otherwise double a county-month).
        for i in np.flatnonzero(totals):
            f, label = next(
                (f, column(f)[int(i)].as_py())
                for f in (*_TOTAL_FIELDS, *_TOTAL_IF_NO_ID)
                if f in by_field and is_total_label(column(f)[int(i)].as_py())
            )
            report.total_rows.append((int(numbers[i]), header_of[f], label))
        keep = pa.array(~totals)
        trimmed = {f: pc.filter(c, keep) for f, c in trimmed.items()}
        numbers = numbers[~totals]
        n = len(numbers)
        report.rows = n
        for f in list(out):
            out[f] = column(f)
    for f in FIELD_NAMES:
        values = column(f)
        empty = pc.equal(values, "")
        row = _first_row(empty, numbers) if n else None
        if row is not None and f in by_field:
            report.examples.setdefault(f"missing_{f}", (row, header_of[f], ""))
        out[f] = values

    # Ids: cleaned as analysis.tables.identity.canonical_code does; refuse scientific notation.
    for f in ("record_id", *CODE_FIELDS, "original_record_id"):
        if f not in by_field:
            continue
        values = canonical_codes(out[f] if f in out else column(f))
        scientific = pc.match_substring_regex(values, _SCIENTIFIC)
        row = _first_row(scientific, numbers)
        if row is not None:
            value = values[int(np.flatnonzero(numbers == row)[0])].as_py()
            raise InputError(
                f"{value!r} is a number in scientific notation: Excel has turned a long id "
                "into a rounded number, so different ids may now be equal. Export the column "
                "as text (in the bureau system's CSV export, or in Excel: format the column as "
                "Text before entering data, or import the CSV with Data > From Text and set "
                "this column to Text); do not open and re-save the CSV in Excel",
                file=name,
                row=row,
                column=header_of[f],
                zh=f"{value!r} 是科学计数法数字：Excel 把长编号变成了四舍五入的数字，不同的编号"
                "可能已变得相同。请把该列按文本导出（医保系统直接导出 CSV；或在 Excel 中先把该列"
                "设为“文本”格式，或用“数据 > 自文本”导入并把该列设为文本），不要在 Excel 中"
                "打开后另存",
            )
        out[f] = values

    # Dates (few distinct values once a time of day is dropped: parsed once each in Python).
    date_values = _fold(out["settlement_date"])
    if _any_literal(date_values, " ") or _any_literal(date_values, "T"):
        date_values = pc.replace_substring_regex(date_values, r"^(\S+?)[ T].*$", r"\1")
    indices, mapped, uniques = _map_uniques(
        date_values, lambda v: canonical_date(v, options.date_format) if v else ""
    )
    year_last = [i for i, m in enumerate(mapped.to_pylist()) if m == "year-last"]
    if year_last:
        mask = pc.is_in(indices, pa.array(year_last, indices.type))
        where = np.flatnonzero(np.asarray(mask.to_numpy(zero_copy_only=False), dtype=bool))
        shown = ", ".join(
            f"{out['settlement_date'][int(i)].as_py()!r} (row {int(numbers[i])})" for i in where[:3]
        )
        raise InputError(
            f"dates such as {shown} put the year last, so day/month and month/day orders "
            "cannot be told apart (01/02/2023: 1 February or 2 January?). Say which with "
            "--date-format %d/%m/%Y (day first) or --date-format %m/%d/%Y (month first)",
            file=name,
            row=int(numbers[where[0]]),
            column=header_of["settlement_date"],
            zh=f"日期（如 {shown}）年份在后，无法判断日/月顺序（01/02/2023 是 2 月 1 日还是 "
            "1 月 2 日？）。请用 --date-format %d/%m/%Y（日在前）或 --date-format %m/%d/%Y"
            "（月在前）说明",
        )
    failed = [i for i, m in enumerate(mapped.to_pylist()) if m is None]
    canonical = pc.if_else(pc.is_null(mapped), pa.array(uniques, pa.string()), mapped)
    out["settlement_date"] = (
        pc.if_else(
            pc.is_in(indices, pa.array(failed, indices.type)) if failed else pa.array([False] * n),
            out["settlement_date"],
            _take(canonical, indices),
        )
        if n
        else out["settlement_date"]
    )
    if failed:
        mask = pc.is_in(indices, pa.array(failed, indices.type))
        row = _first_row(mask, numbers)
        i = int(np.flatnonzero(numbers == row)[0])
        report.examples.setdefault(
            "malformed_date", (row, header_of["settlement_date"], out["settlement_date"][i].as_py())
        )

    # Amounts: the one rule for a numeric cell (analysis.tables.numbers), column-wise.
    for f in ("total_cost", "fund_paid"):
        values = canonical_amounts(out[f])
        bad = pc.and_(
            pc.invert(pc.match_substring_regex(values, _PLAIN_NUMBER)), pc.not_equal(values, "")
        )
        row = _first_row(bad, numbers) if n else None
        if row is not None:
            i = int(np.flatnonzero(numbers == row)[0])
            report.examples.setdefault("malformed_amount", (row, header_of[f], out[f][i].as_py()))
        unit = plan.units.get(f)
        if unit is not None and unit_factor(unit) and n:
            # Moving the decimal point of each distinct value: exact, unlike a float product.
            indices, mapped, _ = _map_uniques(
                values, lambda v, u=unit: to_yuan(v, u) if _is_plain(v) else v
            )
            values = _take(mapped, indices)
        if unit is not None:
            report.units[f] = (header_of[f], unit)
        out[f] = values

    _amount_examples(out, numbers, header_of, report)
    ids, header = out["record_id"], header_of.get("record_id", "")
    # Only needed for a refusal message: found when asked (a hash of every id costs).
    report.pending.append(lambda: _duplicate_examples(ids, numbers, header, report))

    # Labels.
    for f in LABEL_FIELDS:
        if f not in by_field:
            continue
        indices, mapped, uniques = _map_uniques(
            out[f], lambda v, f=f: options.label_map.category(f, v) if v else ""
        )
        counts = np.bincount(
            np.asarray(indices.to_numpy(zero_copy_only=False)), minlength=len(uniques)
        )
        first = np.full(len(uniques), -1)
        order = np.asarray(indices.to_numpy(zero_copy_only=False))
        first[order[::-1]] = np.arange(len(order))[::-1]
        for i, (label, category) in enumerate(zip(uniques, mapped.to_pylist())):
            if category is None or category == UNRATED:
                report.unknown_labels[(f, label)] += int(counts[i])
                report.label_rows[(f, label)] = (int(numbers[first[i]]), header_of[f])
        known = pc.if_else(pc.is_null(mapped), pa.array(uniques, pa.string()), mapped)
        out[f] = _take(known, indices)
        unknown = [i for i, m in enumerate(mapped.to_pylist()) if m is None or m == UNRATED]
        if unknown:
            mask = pc.is_in(indices, pa.array(unknown, indices.type))
            row = _first_row(mask, numbers)
            i = int(np.flatnonzero(numbers == row)[0])
            code = {
                "institution_level": "unknown_level",
                "service_type": "unknown_service_type",
                "scheme": "unknown_scheme",
            }[f]
            report.examples.setdefault(code, (row, header_of[f], uniques[int(indices[i].as_py())]))

    # Institution name -> level, for unrated or absent levels.
    if options.institutions is not None and "institution_name" in by_field and n:
        names = column("institution_name")
        indices, mapped, _ = _map_uniques(
            names, lambda v: options.institutions.get(normal_key(v)) if v else None
        )
        from_name = _take(mapped, indices)
        level = out["institution_level"]
        open_level = pc.or_(pc.equal(level, UNRATED), pc.equal(level, ""))
        use = pc.and_(open_level, pc.is_valid(from_name))
        use = pc.fill_null(use, False)
        report.unrated_resolved = int(pc.sum(use).as_py() or 0)
        out["institution_level"] = pc.if_else(use, from_name, level)
        for key in list(report.unknown_labels):
            if key[0] == "institution_level":
                del report.unknown_labels[key]
        still = pc.fill_null(pc.equal(out["institution_level"], UNRATED), False)
        if pc.any(still).as_py():
            report.unknown_labels[("institution_level", "未定级/unrated")] = int(
                pc.sum(still).as_py()
            )
            report.label_rows[("institution_level", "未定级/unrated")] = (
                _first_row(still, numbers),
                header_of.get("institution_level", header_of["institution_name"]),
            )
        other = pc.invert(pc.fill_null(pc.is_in(level, pa.array([*_CATEGORIES, UNRATED])), False))
        still = pc.and_(pc.and_(other, pc.not_equal(level, "")), pc.invert(use))
        for label, count in Counter(pc.filter(level, still).to_pylist()).items():
            report.unknown_labels[("institution_level", label)] = count
            where = pc.and_(still, pc.equal(level, label))
            report.label_rows[("institution_level", label)] = (
                _first_row(where, numbers),
                header_of["institution_level"],
            )

    if "treatment_county" in by_field and n:
        treated_at = out["treatment_county"]
        differs = pc.and_(
            pc.not_equal(treated_at, ""), pc.not_equal(treated_at, out["county_code"])
        )
        report.out_of_county = int(pc.sum(differs).as_py() or 0)

    table = pa.table(
        {
            **{f: out[f] for f in (*FIELD_NAMES, *EXTRA_FIELDS)},
            ROW: pa.array(numbers, pa.int64()),
        }
    )
    if target is not None:
        write_engine_table(table, target)
    return table, report


def engine_table(table: pa.Table) -> pa.Table:
    """The schema's columns only: what an engine reads."""
    return table.select(list(FIELD_NAMES))


def write_engine_table(table: pa.Table, target: Path) -> None:
    """Write the schema's columns of a normalised table as Parquet for an engine."""
    target.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(engine_table(table), target, compression="none")


_CATEGORIES = ("primary", "secondary", "tertiary")


def _is_plain(value: str) -> bool:
    return bool(re.match(_PLAIN_NUMBER, value))


def _amount_examples(
    out: dict[str, pa.Array], numbers: np.ndarray, header_of: dict[str, str], report: FileReport
) -> None:
    """First rows of negative amounts and of a fund paid above the total (for messages)."""
    if not len(numbers):
        return
    parsed = {}
    for f in ("total_cost", "fund_paid"):
        plain = pc.match_substring_regex(out[f], _PLAIN_NUMBER)
        parsed[f] = pc.cast(pc.if_else(plain, out[f], pa.scalar(None, pa.string())), pa.float64())
        negative = pc.fill_null(pc.less(parsed[f], 0), False)
        row = _first_row(negative, numbers)
        if row is not None:
            i = int(np.flatnonzero(numbers == row)[0])
            report.examples.setdefault("negative_amount", (row, header_of[f], out[f][i].as_py()))
    above = pc.fill_null(pc.greater(parsed["fund_paid"], parsed["total_cost"]), False)
    row = _first_row(above, numbers)
    if row is not None:
        i = int(np.flatnonzero(numbers == row)[0])
        report.examples.setdefault(
            "fund_exceeds_total", (row, header_of["fund_paid"], out["fund_paid"][i].as_py())
        )


def _duplicate_examples(
    ids: pa.Array, numbers: np.ndarray, header: str, report: FileReport
) -> None:
    """First row of an id that occurs twice in this file (for messages)."""
    if len(ids) < 2:
        return
    counts = pc.value_counts(ids)
    repeated = pc.filter(counts.field("values"), pc.greater(counts.field("counts"), 1))
    if not len(repeated):
        return
    mask = pc.and_(pc.is_in(ids, repeated), pc.not_equal(ids, ""))
    row = _first_row(mask, numbers)
    if row is not None:
        i = int(np.flatnonzero(numbers == row)[0])
        for code in ("duplicate_record_id", "conflicting_record_id"):
            report.examples.setdefault(code, (row, header, ids[i].as_py()))
