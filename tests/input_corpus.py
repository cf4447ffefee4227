"""Acceptance corpus of the input layer: an analyst's own tables in every command that reads them.

Each :class:`Case` writes its input files into a folder and declares what the command must do:

- ``correct``: exit 0 and numbers equal to a truth computed here, independently of the code
  under test (plain Python and ``Decimal`` sums for series and panels, a hand-computed 2x2 mean
  difference for DiD, an ordinary least-squares fit by ``numpy.linalg.lstsq`` of the intended
  values for ITS, whose data are generated from a known level and slope change);
- ``refused``: exit 1 (2 only where the case is a usage error), no traceback, a message naming
  the data file and quoting the offending values (``must_quote``);
- ``correct_or_refused``: either; an exit-0 run must also quote ``must_quote`` (a notice).

Classes: a codes, b share scales and text-stored numbers, c aggregate rows, d money units,
e quarantine, f duplicate files, g messages, h time labels.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
from bureau_corpus import ZH, Record, Style, base_records, cells, truth

FULL_WIDTH = str.maketrans("0123456789.", "０１２３４５６７８９．")
DEFAULT_STYLE = Style(ZH, "zh")
COUNTS = [
    "visits_primary",
    "visits_total",
    "admissions_primary",
    "admissions_total",
    "fund_primary",
    "fund_total",
]


def excel_text(value: str) -> str:
    return f'="{value}"'


def apostrophe(value: str) -> str:
    return "'" + value


def full_width(value: str) -> str:
    return value.translate(FULL_WIDTH)


def write_plain(path: Path, header: list[str], rows: list[list[str]], encoding="utf-8") -> Path:
    """Cells joined by commas as written, so ``="x"`` stays raw as Excel writes it."""
    lines = [header, *rows]
    for line in lines:
        for cell in line:
            assert "," not in str(cell) and "\n" not in str(cell), cell
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "".join(",".join(str(c) for c in line) + "\n" for line in lines)
    path.write_bytes(text.encode(encoding))
    return path


# ---- outcome checks ------------------------------------------------------------------------


@dataclass
class Result:
    code: int
    out: str
    err: str
    tmp: Path


Check = Callable[[Result], None]


@dataclass
class Built:
    argv: list[str]
    """Arguments after the command name."""
    names: list[Path]
    """Data files one of which a refusal must name."""
    check: Check | None = None
    """Verifies an exit-0 run's numbers (raises AssertionError)."""


@dataclass
class Case:
    id: str
    cls: str
    command: str
    kind: str  # correct, refused, correct_or_refused
    build: Callable[[Path], Built]
    must_quote: tuple[str | tuple[str, ...], ...] = ()
    """Each entry a string, or alternatives of which one must appear."""
    usage: bool = False
    zh: bool = False
    notice: bool = True
    """correct_or_refused: whether an exit-0 run must also quote ``must_quote``."""
    note: str = ""
    files: list[Path] = field(default_factory=list)


def any_of(*values: str) -> tuple[str, ...]:
    """A quote satisfied by any one of ``values`` (an example value of a kind)."""
    return tuple(values)


def quoted(text: str, quote: str | tuple[str, ...]) -> bool:
    return any(q in text for q in ((quote,) if isinstance(quote, str) else quote))


def number_spellings(written: list[str]) -> tuple[str, ...]:
    """Each written number as written and as Python prints its float (0.4000 -> 0.4)."""
    return tuple(dict.fromkeys([*written, *(repr(float(w.strip("%"))) for w in written)]))


def _close(got: float, want: float, what: str, tol: float = 1e-6) -> None:
    assert abs(got - want) <= tol, f"{what}: got {got!r}, truth {want!r}"


# ---- series: settlement records -> monthly county series ----------------------------------


def series_check(expected: pd.DataFrame) -> Check:
    def check(result: Result) -> None:
        out = result.tmp / "out" / "series.csv"
        got = pd.read_csv(out, dtype={"district": str})
        assert not got.empty, "empty series"
        got = got[["district", "month", *COUNTS]].reset_index(drop=True)
        want = expected[["district", "month", *COUNTS]].reset_index(drop=True)
        pd.testing.assert_frame_equal(got, want, check_dtype=False)

    return check


def _series_argv(records: Path, *extra: str) -> list[str]:
    return ["--records", str(records), *extra]


def _series_out(tmp: Path) -> list[str]:
    return ["--out", str(tmp / "out" / "series.csv"), "--json", "--no-progress"]


def records_case(
    transform: Callable[[list[Record], list[list[str]]], tuple[list[list[str]], list[Record]]],
    style: Style = DEFAULT_STYLE,
    header: list[str] | None = None,
    records: list[Record] | None = None,
    extra: tuple[str, ...] = (),
) -> Callable[[Path], Built]:
    """One CSV of records; ``transform`` rewrites the text rows and returns the true records."""

    def build(folder: Path) -> Built:
        recs = base_records() if records is None else records
        rows, kept = transform(recs, cells(recs, style))
        path = write_plain(folder / "r.csv", header or list(style.header), rows)
        return Built(
            _series_argv(path, *extra) + _series_out(folder.parent),
            [path],
            series_check(truth(kept)),
        )

    return build


def _interleaved(recs: list[Record]) -> list[Record]:
    return sorted(recs, key=lambda r: (r.date, r.county, r.id))


def split_interleaved(second: Callable[[str], str], only_county: str | None = None):
    def build(folder: Path) -> Built:
        recs = _interleaved(base_records())
        rows = cells(recs, Style(ZH, "zh"))
        half = len(rows) // 2
        for r, row in zip(recs[half:], rows[half:]):
            if only_county is None or r.county == only_county:
                row[2] = second(row[2])
        a = write_plain(folder / "records" / "a.csv", list(ZH), rows[:half])
        b = write_plain(folder / "records" / "b.csv", list(ZH), rows[half:])
        return Built(
            _series_argv(folder / "records") + _series_out(folder.parent),
            [a, b],
            series_check(truth(recs)),
        )

    return build


def _every(column: int, make: Callable[[str], str], when=lambda i, r: True):
    def transform(recs, rows):
        for i, (r, row) in enumerate(zip(recs, rows)):
            if when(i, r):
                row[column] = make(row[column])
        return rows, recs

    return transform


def _sums(recs: list[Record]) -> tuple[str, str]:
    return f"{sum(r.total for r in recs):.2f}", f"{sum(r.fund for r in recs):.2f}"


def _grand_total(label: str, column: int):
    def transform(recs, rows):
        total, fund = _sums(recs)
        row = [""] * len(ZH)
        row[column] = label
        row[6], row[7] = total, fund
        return rows + [row], recs

    return transform


def _subtotals(label: str):
    def transform(recs, rows):
        out = []
        for county in sorted({r.county for r in recs}):
            part = [(r, row) for r, row in zip(recs, rows) if r.county == county]
            out += [row for _, row in part]
            total, fund = _sums([r for r, _ in part])
            out.append([label, "", county, "", "", "", total, fund, ""])
        return out, recs

    return transform


def _county_total(label: str):
    def transform(recs, rows):
        total, fund = _sums(recs)
        extra = ["ALL0001", "2023-01-15", label, "H1", "一级", "门诊", total, fund, "职工"]
        return rows + [extra], recs

    return transform


def _whole_yuan(recs: list[Record]) -> list[Record]:
    return [replace(r, total=Decimal(int(r.total)), fund=Decimal(int(r.fund))) for r in recs]


def money_units(unit: str, divisor: int, columns_map: bool = False) -> Callable[[Path], Built]:
    """Amounts written in 万元 or 千元; the truth is in yuan."""

    def build(folder: Path) -> Built:
        recs = _whole_yuan(base_records())
        rows = cells(recs, Style(ZH, "zh"))
        places = len(str(divisor)) - 1
        for r, row in zip(recs, rows):
            row[6] = f"{r.total / divisor:.{places}f}"
            row[7] = f"{r.fund / divisor:.{places}f}"
        header = list(ZH)
        extra: list[str] = []
        if columns_map:
            header[6], header[7] = f"总额({unit})", f"报销({unit})"
            mapping = folder / "map.toml"
            mapping.write_text(
                f'[fields]\ntotal_cost = ["{header[6]}"]\nfund_paid = ["{header[7]}"]\n',
                encoding="utf-8",
            )
            extra = ["--columns", str(mapping)]
        else:
            header[6], header[7] = f"医疗总费用({unit})", f"统筹基金支付({unit})"
        path = write_plain(folder / "r.csv", header, rows)
        return Built(
            _series_argv(path, *extra) + _series_out(folder.parent),
            [path],
            series_check(truth(recs)),
        )

    return build


def _negate(amount: str) -> str:
    return "-" + amount


def reversal_same_id(recs, rows):
    k = 9
    rev = list(rows[k])
    rev[6], rev[7] = _negate(rev[6]), _negate(rev[7])
    return rows + [rev], [r for i, r in enumerate(recs) if i != k]


def reversal_original_column(folder: Path) -> Built:
    recs = base_records()
    rows = [row + [""] for row in cells(recs, Style(ZH, "zh"))]
    k = 14
    rev = list(rows[k])
    rev[0], rev[-1] = "R000001", rows[k][0]
    rev[6], rev[7] = _negate(rev[6]), _negate(rev[7])
    path = write_plain(folder / "r.csv", [*ZH, "原结算流水号"], rows + [rev])
    kept = [r for i, r in enumerate(recs) if i != k]
    return Built(_series_argv(path) + _series_out(folder.parent), [path], series_check(truth(kept)))


def orphan_reversal(recs, rows):
    rev = list(rows[20])
    rev[0] = "T000001"
    rev[6], rev[7] = _negate(rev[6]), _negate(rev[7])
    return rows + [rev], recs


def unknown_level(recs, rows):
    bad = (3, 40)
    for k in bad:
        rows[k][4] = "社卫"
    return rows, [r for i, r in enumerate(recs) if i not in bad]


def duplicate_file(folder: Path) -> Built:
    recs = base_records()
    rows = cells(recs, Style(ZH, "zh"))
    names = []
    for month in (1, 2, 3):
        part = [row for r, row in zip(recs, rows) if r.date.month == month]
        names.append(write_plain(folder / "records" / f"2023-{month:02d}.csv", list(ZH), part))
    copy = folder / "records" / "2023-01 - 副本.csv"
    shutil.copyfile(names[0], copy)
    return Built(
        _series_argv(folder / "records") + _series_out(folder.parent),
        [*names, copy],
        series_check(truth(recs)),
    )


def wrong_columns_map(folder: Path) -> Built:
    recs = base_records()
    path = write_plain(folder / "r.csv", list(ZH), cells(recs, Style(ZH, "zh")))
    mapping = folder / "map.toml"
    mapping.write_text('[fields]\nfund_paid = ["基金支付额"]\n', encoding="utf-8")
    return Built(
        _series_argv(path, "--columns", str(mapping)) + _series_out(folder.parent),
        [path, mapping],
    )


def full_width_dates(recs, rows):
    for r, row in zip(recs, rows):
        row[1] = f"{r.date.year}．{r.date.month:02d}．{r.date.day:02d}"
    return rows, recs


def _when_county(code: str):
    return lambda i, r: r.county == code


def _alternate(code: str):
    return lambda i, r: r.county == code and i % 2 == 1


SERIES: list[Case] = [
    Case(
        "series-9digit-code-in-second-file",
        "a",
        "series",
        "correct_or_refused",
        split_interleaved(lambda c: c + "000", only_county="420101"),
        ("420101", "420101000"),
    ),
    Case(
        "series-12digit-code-same-file",
        "a",
        "series",
        "correct_or_refused",
        records_case(_every(2, lambda c: c + "000000", _alternate("420101"))),
        ("420101", "420101000000"),
    ),
    Case(
        "series-excel-text-wrapper-codes",
        "a",
        "series",
        "correct",
        records_case(_every(2, excel_text)),
    ),
    Case("series-apostrophe-codes", "a", "series", "correct", records_case(_every(2, apostrophe))),
    Case(
        "series-dot-zero-code-in-second-file",
        "a",
        "series",
        "correct",
        split_interleaved(lambda c: c + ".0"),
    ),
    Case(
        "series-full-width-code-in-second-file",
        "a",
        "series",
        "correct",
        split_interleaved(full_width),
    ),
    Case(
        "series-amounts-apostrophe-text",
        "b",
        "series",
        "correct",
        records_case(_every(7, apostrophe, lambda i, r: i % 3 == 0)),
    ),
    Case(
        "series-amounts-excel-text-wrapper",
        "b",
        "series",
        "correct",
        records_case(_every(6, excel_text, lambda i, r: i % 2 == 0)),
    ),
    Case(
        "series-grand-total-row-合计",
        "c",
        "series",
        "correct_or_refused",
        records_case(_grand_total("合计", 0)),
        ("合计",),
    ),
    Case(
        "series-grand-total-row-总计",
        "c",
        "series",
        "correct_or_refused",
        records_case(_grand_total("总计", 0)),
        ("总计",),
    ),
    Case(
        "series-subtotal-rows-小计",
        "c",
        "series",
        "correct_or_refused",
        records_case(_subtotals("小计")),
        ("小计",),
    ),
    Case(
        "series-county-全县-row",
        "c",
        "series",
        "correct_or_refused",
        records_case(_county_total("全县")),
        ("全县",),
    ),
    Case(
        "series-county-全市合计-row",
        "c",
        "series",
        "correct_or_refused",
        records_case(_county_total("全市合计")),
        ("全市合计",),
    ),
    Case("series-amounts-in-万元", "d", "series", "correct", money_units("万元", 10000)),
    Case("series-amounts-in-千元", "d", "series", "correct", money_units("千元", 1000)),
    Case(
        "series-千元-through-columns-map",
        "d",
        "series",
        "correct",
        money_units("千元", 1000, columns_map=True),
    ),
    Case(
        "series-万元-through-columns-map",
        "d",
        "series",
        "correct",
        money_units("万元", 10000, columns_map=True),
    ),
    Case(
        "series-reversal-same-record-id",
        "e",
        "series",
        "correct",
        records_case(reversal_same_id),
        note="a negative settlement with the id of the one it voids",
    ),
    Case("series-reversal-original-id-column", "e", "series", "correct", reversal_original_column),
    Case(
        "series-orphan-reversal",
        "e",
        "series",
        "correct_or_refused",
        records_case(orphan_reversal),
        ("T000001",),
    ),
    Case(
        "series-unknown-level-abbreviation",
        "e",
        "series",
        "correct_or_refused",
        records_case(unknown_level),
        ("社卫",),
    ),
    Case(
        "series-byte-identical-copy",
        "f",
        "series",
        "correct_or_refused",
        duplicate_file,
        ("2023-01 - 副本.csv",),
    ),
    Case(
        "series-columns-map-names-absent-header",
        "g",
        "series",
        "refused",
        wrong_columns_map,
        ("基金支付额",),
    ),
    Case("series-full-width-dot-dates", "h", "series", "correct", records_case(full_width_dates)),
]


# ---- validate --------------------------------------------------------------------------------

OK_SETTLEMENT = re.compile(r"OK .*?(\d+) rows.*?(\d+) county/ies, (\d+) month")
OK_ANY = re.compile(r"OK .*?\(schema [^,]+, (\d+) rows")


def validate_settlement_check(rows: int | set[int], counties: int = 2, months: int = 3) -> Check:
    """The OK line's rows (any of ``rows``: rows written or records meant), counties, months."""
    allowed = {rows} if isinstance(rows, int) else rows

    def check(result: Result) -> None:
        found = OK_SETTLEMENT.findall(result.out)
        assert found, f"no OK line with rows, counties and months: {result.out!r}"
        got = tuple(map(int, found[0]))
        assert got[0] in allowed and got[1:] == (counties, months), f"rows/counties/months {got}"

    return check


def validate_rows_check(rows: int) -> Check:
    def check(result: Result) -> None:
        found = OK_ANY.findall(result.out)
        assert found and int(found[0]) == rows, result.out

    return check


def validate_records(transform, header: list[str] | None = None, schema=True, records=None):
    def build(folder: Path) -> Built:
        recs = base_records() if records is None else records
        rows, kept = transform(recs, cells(recs, Style(ZH, "zh")))
        path = write_plain(folder / "r.csv", header or list(ZH), rows)
        argv = [str(path), *(["--schema", "settlement"] if schema else [])]
        return Built(argv, [path], validate_settlement_check({len(rows), len(kept)}))

    return build


def validate_money(folder: Path) -> Built:
    recs = _whole_yuan(base_records())
    rows = cells(recs, Style(ZH, "zh"))
    for r, row in zip(recs, rows):
        row[6], row[7] = f"{r.total / 10000:.4f}", f"{r.fund / 10000:.4f}"
    header = list(ZH)
    header[6], header[7] = "医疗总费用(万元)", "统筹基金支付(万元)"
    path = write_plain(folder / "r.csv", header, rows)
    return Built([str(path), "--schema", "settlement"], [path], validate_settlement_check(72))


def validate_duplicate(folder: Path) -> Built:
    built = duplicate_file(folder)
    return Built([str(folder / "records"), "--schema", "settlement"], built.names, None)


def month_table(
    labels: list[str], share=lambda i: f"{40 + 0.25 * i:.2f}", name="monthly.csv"
) -> Callable[[Path], Built]:
    """A monthly share table (month, visit_share) as an analyst keeps one."""

    def build(folder: Path) -> Built:
        rows = [[m, share(i)] for i, m in enumerate(labels)]
        path = write_plain(folder / name, ["month", "visit_share"], rows)
        return Built([str(path)], [path], validate_rows_check(len(rows)))

    return build


def validate_series(series_cell=None, extra_rows=None) -> Callable[[Path], Built]:
    """A monthly county series (the output of series) checked by validate."""

    def build(folder: Path) -> Built:
        rows = series_rows()
        text = _series_text(rows, series_cell or (lambda key, value, row: str(value)))
        if extra_rows:
            text += extra_rows(rows)
        header = ["district", "month", "visits_primary", "visits_total"]
        path = write_plain(folder / "series.csv", header, text)
        return Built([str(path)], [path], validate_rows_check(len(text)))

    return build


def _scale_share(i: int) -> str:
    share = 40 + 0.25 * i
    return f"{share / 100:.4f}" if i % 4 == 0 else f"{share:.2f}"


DECIMAL_MONTHS = [f"2018.{m}" for m in range(1, 13)] + [f"2019.{m}" for m in range(1, 13)]
SERIAL_MONTHS = [
    str((dt.date(2018 + (m - 1) // 12, (m - 1) % 12 + 1, 1) - dt.date(1899, 12, 30)).days)
    for m in range(1, 25)
]

VALIDATE: list[Case] = [
    Case(
        "validate-9digit-and-6digit-code-same-file",
        "a",
        "validate",
        "correct_or_refused",
        validate_records(_every(2, lambda c: c + "000", _alternate("420101"))),
        ("420101", "420101000"),
    ),
    Case(
        "validate-excel-text-wrapper-codes",
        "a",
        "validate",
        "correct",
        validate_records(_every(2, excel_text)),
    ),
    Case(
        "validate-apostrophe-codes",
        "a",
        "validate",
        "correct",
        validate_records(_every(2, apostrophe), schema=False),
    ),
    Case(
        "validate-full-width-codes",
        "a",
        "validate",
        "correct",
        validate_records(_every(2, full_width, lambda i, r: i % 2 == 0)),
    ),
    Case(
        "validate-amounts-text-stored",
        "b",
        "validate",
        "correct",
        validate_records(_every(7, apostrophe, lambda i, r: i % 3 == 0)),
    ),
    Case(
        "validate-grand-total-row",
        "c",
        "validate",
        "correct_or_refused",
        validate_records(_grand_total("合计", 0)),
        ("合计",),
    ),
    Case("validate-amounts-in-万元", "d", "validate", "correct", validate_money),
    Case(
        "validate-unknown-level-abbreviation",
        "e",
        "validate",
        "refused",
        validate_records(unknown_level),
        ("社卫",),
    ),
    Case(
        "validate-orphan-reversal",
        "e",
        "validate",
        "correct_or_refused",
        validate_records(orphan_reversal),
        ("T000001",),
    ),
    Case(
        "validate-byte-identical-copy",
        "f",
        "validate",
        "correct_or_refused",
        validate_duplicate,
        ("2023-01 - 副本.csv",),
    ),
    Case(
        "validate-month-2018.10-next-to-2018.1",
        "g",
        "validate",
        "correct_or_refused",
        month_table(DECIMAL_MONTHS),
        ("2018.1", "2018.10"),
        notice=False,
    ),
    Case(
        "validate-excel-serial-months",
        "g",
        "validate",
        "correct_or_refused",
        month_table(SERIAL_MONTHS),
        (SERIAL_MONTHS[0],),
    ),
    Case(
        "validate-full-width-dot-months",
        "h",
        "validate",
        "correct",
        month_table([f"{2018 + i // 12}．{i % 12 + 1:02d}" for i in range(24)]),
    ),
]


# ---- panel: series + reform table -> DiD panel ----------------------------------------------

PANEL_COUNTIES = ("420101", "420102", "420103", "420104")
PANEL_MONTHS = list(pd.date_range("2021-01-01", periods=24, freq="MS"))


def series_rows(counties=PANEL_COUNTIES, months=PANEL_MONTHS) -> list[dict]:
    """Monthly counts by formula: primary 1 + (i+k) % 3 of 4 + 2 ((i+2k) % 4) visits."""
    out = []
    for k, county in enumerate(counties):
        for i, month in enumerate(months):
            out.append(
                {
                    "district": county,
                    "month": month.date(),
                    "visits_primary": 1 + (i + k) % 3,
                    "visits_total": 4 + 2 * ((i + 2 * k) % 4),
                }
            )
    return out


def panel_truth(rows: list[dict], reforms: dict[str, dt.date]) -> list[dict]:
    """Annual sums and 100 x summed primary / summed total, by hand."""
    cells_: dict[tuple[str, int], list[int]] = {}
    for row in rows:
        key = (row["district"], row["month"].year)
        cell = cells_.setdefault(key, [0, 0, 0])
        cell[0] += row["visits_primary"]
        cell[1] += row["visits_total"]
        cell[2] += 1
    out = []
    for (county, year), (p, t, n) in sorted(cells_.items()):
        first = reforms[county].year if county in reforms else 0
        out.append(
            {
                "county": county,
                "year": year,
                "first_treated": first,
                "treated": int(bool(first) and year >= first),
                "visits_primary": p,
                "visits_total": t,
                "months": n,
                "visit_share": 100 * p / t,
            }
        )
    return out


def panel_check(expected: list[dict]) -> Check:
    def check(result: Result) -> None:
        got = pd.read_csv(result.tmp / "out" / "panel.csv", dtype={"county": str})
        assert not got.empty, "empty panel"
        want = pd.DataFrame(expected)
        got = got[list(want.columns)].sort_values(["county", "year"]).reset_index(drop=True)
        pd.testing.assert_frame_equal(got, want, check_dtype=False, rtol=1e-9)

    return check


def _series_text(rows: list[dict], write=lambda key, value, row: str(value)) -> list[list[str]]:
    header = ["district", "month", "visits_primary", "visits_total"]
    return [[write(h, row[h], row) for h in header] for row in rows]


def panel_case(
    series_cell=lambda key, value, row: str(value),
    reform_county="420101",
    reform_date="2022-01-01",
    extra_rows: Callable[[list[dict]], list[list[str]]] | None = None,
    extra_columns: tuple[str, Callable[[dict, int], str]] | None = None,
    reforms_header=("county", "reform_date"),
    with_truth: bool = True,
) -> Callable[[Path], Built]:
    def build(folder: Path) -> Built:
        rows = series_rows()
        header = ["district", "month", "visits_primary", "visits_total"]
        text = _series_text(rows, series_cell)
        if extra_columns:
            header.append(extra_columns[0])
            text = [t + [extra_columns[1](r, i)] for i, (t, r) in enumerate(zip(text, rows))]
        if extra_rows:
            text += extra_rows(rows)
        series = write_plain(folder / "series.csv", header, text)
        reforms = write_plain(
            folder / "reforms.csv", list(reforms_header), [[reform_county, reform_date]]
        )
        argv = ["--series", str(series), "--reforms", str(reforms), "--frequency", "annual"]
        argv += ["--out", str(folder.parent / "out" / "panel.csv")]
        expected = panel_truth(rows, {"420101": dt.date(2022, 1, 1)})
        return Built(argv, [series, reforms], panel_check(expected) if with_truth else None)

    return build


def _code_cell(make, when=lambda row: row["district"] == "420101"):
    return lambda key, value, row: (
        make(str(value)) if key == "district" and when(row) else str(value)
    )


def _count_cell(make):
    return lambda key, value, row: make(str(value)) if key.startswith("visits") else str(value)


def _month_cell(make):
    return lambda key, value, row: make(value) if key == "month" else str(value)


def _aggregate_rows(label: str, mean: bool = False):
    def make(rows: list[dict]) -> list[list[str]]:
        out = []
        for month in PANEL_MONTHS:
            part = [r for r in rows if r["month"] == month.date()]
            p = sum(r["visits_primary"] for r in part)
            t = sum(r["visits_total"] for r in part)
            if mean:
                p, t = p // len(part), t // len(part)
            out.append([label, str(month.date()), str(p), str(t)])
        return out

    return make


def _mixed_share(row: dict, i: int) -> str:
    share = 100 * row["visits_primary"] / row["visits_total"]
    return f"{share / 100:.4f}" if i % 5 == 0 else f"{share:.2f}"


def _odd_months(row: dict) -> bool:
    return row["district"] == "420101" and row["month"].month % 2 == 0


PANEL: list[Case] = [
    Case(
        "panel-reform-9digit-series-6digit",
        "a",
        "panel",
        "correct_or_refused",
        panel_case(reform_county="420101000"),
        ("420101", "420101000"),
    ),
    Case(
        "panel-reform-excel-text-wrapper",
        "a",
        "panel",
        "correct",
        panel_case(reform_county=excel_text("420101")),
    ),
    Case(
        "panel-reform-apostrophe",
        "a",
        "panel",
        "correct",
        panel_case(reform_county=apostrophe("420101")),
    ),
    Case(
        "panel-series-full-width-codes",
        "a",
        "panel",
        "correct",
        panel_case(series_cell=_code_cell(full_width)),
    ),
    Case(
        "panel-series-dot-zero-codes",
        "a",
        "panel",
        "correct",
        panel_case(series_cell=_code_cell(lambda c: c + ".0")),
    ),
    Case(
        "panel-series-12digit-and-6digit-same-county",
        "a",
        "panel",
        "correct_or_refused",
        panel_case(series_cell=_code_cell(lambda c: c + "000000", _odd_months)),
        ("420101", "420101000000"),
    ),
    Case(
        "panel-series-counts-apostrophe-text",
        "b",
        "panel",
        "correct",
        panel_case(series_cell=_count_cell(apostrophe)),
    ),
    Case(
        "panel-series-counts-excel-text-wrapper",
        "b",
        "panel",
        "correct",
        panel_case(series_cell=_count_cell(excel_text)),
    ),
    Case(
        "panel-series-share-column-mixed-scales",
        "b",
        "panel",
        "correct",
        panel_case(extra_columns=("visit_share", _mixed_share)),
        note="the counts define the share; a 0-1 share column beside 0-100 must not leak in",
    ),
    Case(
        "panel-series-合计-rows",
        "c",
        "panel",
        "correct_or_refused",
        panel_case(extra_rows=_aggregate_rows("合计")),
        ("合计",),
    ),
    Case(
        "panel-series-全市合计-rows",
        "c",
        "panel",
        "correct_or_refused",
        panel_case(extra_rows=_aggregate_rows("全市合计")),
        ("全市合计",),
    ),
    Case(
        "panel-series-平均-rows",
        "c",
        "panel",
        "correct_or_refused",
        panel_case(extra_rows=_aggregate_rows("平均", mean=True)),
        ("平均",),
    ),
    Case(
        "panel-reforms-wrong-column-name",
        "g",
        "panel",
        "refused",
        panel_case(reforms_header=("county", "date"), with_truth=False),
        ("reform_date",),
    ),
    Case(
        "panel-reform-date-excel-serial",
        "g",
        "panel",
        "correct",
        panel_case(reform_date=str((dt.date(2022, 1, 1) - dt.date(1899, 12, 30)).days)),
        (str((dt.date(2022, 1, 1) - dt.date(1899, 12, 30)).days),),
    ),
    Case(
        "panel-series-month-without-day",
        "h",
        "panel",
        "correct",
        panel_case(series_cell=_month_cell(lambda d: f"{d:%Y-%m}")),
    ),
    Case(
        "panel-series-month-chinese",
        "h",
        "panel",
        "correct",
        panel_case(series_cell=_month_cell(lambda d: f"{d.year}年{d.month}月")),
    ),
]


# ---- its --------------------------------------------------------------------------------------

ITS_N, ITS_T0 = 24, 12
TREATED = (40.0, 0.10, 3.0, 0.20)  # level, trend, level change, slope change
CONTROL = (38.0, 0.05, 1.0, 0.10)


def its_design(n: int = ITS_N, t0: int = ITS_T0) -> np.ndarray:
    t = np.arange(n, dtype=float)
    post = (t >= t0).astype(float)
    return np.column_stack([np.ones(n), t, post, post * (t - t0)])


def its_values(params, phase: float, n: int = ITS_N, t0: int = ITS_T0) -> list[float]:
    """Segmented line plus a wiggle orthogonal to it, rounded to 2 decimals (written values)."""
    x = its_design(n, t0)
    wiggle = 0.3 * np.sin(1.7 * np.arange(n) + phase)
    wiggle -= x @ np.linalg.lstsq(x, wiggle, rcond=None)[0]
    return [round(v, 2) for v in x @ np.array(params) + wiggle]


def ols_effects(values: list[float], n: int = ITS_N, t0: int = ITS_T0) -> tuple[float, float]:
    beta = np.linalg.lstsq(its_design(n, t0), np.array(values), rcond=None)[0]
    return float(beta[2]), float(beta[3])


def pooled_effects(treated: list[float], controls: list[list[float]]) -> tuple[float, float]:
    """itsa's multiple-group model fitted by hand: z, z t, z post, z post (t - t0) added."""
    blocks, ys = [], []
    for z, values in [(1.0, treated)] + [(0.0, c) for c in controls]:
        x = its_design()
        blocks.append(np.column_stack([x, z * x]))
        ys.extend(values)
    beta = np.linalg.lstsq(np.vstack(blocks), np.array(ys), rcond=None)[0]
    return float(beta[6]), float(beta[7])


def its_check(level: float, slope: float) -> Check:
    def check(result: Result) -> None:
        document = json.loads(result.out)
        got = {e["name"]: e["estimate"] for e in document["estimates"]}
        _close(got["level"], level, "level")
        _close(got["slope"], slope, "slope")
        assert document["details"]["n"] >= ITS_N, "not every period was used"

    return check


MONTH_LABELS = {
    "iso": lambda i: f"{2018 + i // 12}-{i % 12 + 1:02d}",
    "full-width-dot": lambda i: f"{2018 + i // 12}．{i % 12 + 1:02d}",
    "chinese": lambda i: f"{2018 + i // 12}年{i % 12 + 1}月",
    "decimal": lambda i: f"{2018 + i // 12}.{i % 12 + 1}",
    "serial": lambda i: SERIAL_MONTHS[i],
    # A numeric month column exported as text: October 2018.10 became 2018.1, as January.
    "numeric-export": lambda i: repr(float(f"{2018 + i // 12}.{i % 12 + 1}")),
    "quarter": lambda i: f"{2018 + i // 4}Q{i % 4 + 1}",
    "quarter-zh": lambda i: f"{2018 + i // 4}年第{i % 4 + 1}季度",
}


def its_case(
    labels: str = "iso",
    value=lambda v, i: f"{v:.2f}",
    unit_cell: Callable[[str, int], str] | None = None,
    controls: tuple[str, ...] = (),
    outcome_flag: str = "share",
    lang: str = "en",
    aggregate: str | None = None,
) -> Callable[[Path], Built]:
    def build(folder: Path) -> Built:
        label = MONTH_LABELS[labels]
        treated = its_values(TREATED, 0.0)
        units = {"420101": treated}
        for k, code in enumerate(controls):
            units[code] = its_values(CONTROL, 1.0 + k)
        if aggregate:
            units[aggregate] = [
                round(sum(v[i] for v in units.values()) / len(units), 2) for i in range(ITS_N)
            ]
        intervention = label(ITS_T0)
        argv = ["--time", "month", "--outcome", outcome_flag, "--intervention", intervention]
        argv += ["--json", "--ac-lags", "0", "--lang", lang]
        if unit_cell is None and not controls:
            rows = [[label(i), value(v, i)] for i, v in enumerate(treated)]
            path = write_plain(folder / "its.csv", ["month", "share"], rows)
        else:
            make = unit_cell or (lambda c, i: c)
            rows = [
                [make(code, i), label(i), value(v, i)]
                for code, values in units.items()
                for i, v in enumerate(values)
            ]
            path = write_plain(folder / "its.csv", ["county", "month", "share"], rows)
            argv += ["--unit", "county", "--select", "420101"]
            if controls:
                argv += ["--controls", "*"]
        if controls:
            level, slope = pooled_effects(treated, [units[c] for c in controls])
        else:
            level, slope = ols_effects(treated)
        return Built(["--data", str(path), *argv], [path], its_check(level, slope))

    return build


def _mixed_scale(v: float, i: int) -> str:
    return f"{v / 100:.4f}" if i < 6 else f"{v:.2f}"


ITS: list[Case] = [
    Case(
        "its-unit-9digit-and-6digit",
        "a",
        "its",
        "correct_or_refused",
        its_case(unit_cell=lambda c, i: c + "000" if i >= ITS_T0 else c),
        ("420101", "420101000"),
    ),
    Case(
        "its-unit-excel-text-wrapper",
        "a",
        "its",
        "correct",
        its_case(unit_cell=lambda c, i: excel_text(c)),
    ),
    Case(
        "its-unit-apostrophe", "a", "its", "correct", its_case(unit_cell=lambda c, i: apostrophe(c))
    ),
    Case(
        "its-unit-full-width",
        "a",
        "its",
        "correct",
        its_case(unit_cell=lambda c, i: full_width(c) if i % 2 else c),
    ),
    Case("its-unit-dot-zero", "a", "its", "correct", its_case(unit_cell=lambda c, i: c + ".0")),
    Case(
        "its-outcome-mixed-0-1-and-0-100",
        "b",
        "its",
        "correct_or_refused",
        its_case(value=_mixed_scale),
        (
            number_spellings(
                [_mixed_scale(v, i) for i, v in enumerate(its_values(TREATED, 0.0))][:6]
            ),
            number_spellings(
                [_mixed_scale(v, i) for i, v in enumerate(its_values(TREATED, 0.0))][6:]
            ),
        ),
    ),
    Case(
        "its-outcome-percent-strings",
        "b",
        "its",
        "correct",
        its_case(value=lambda v, i: f"{v:.2f}%"),
    ),
    Case(
        "its-outcome-apostrophe-text",
        "b",
        "its",
        "correct",
        its_case(value=lambda v, i: apostrophe(f"{v:.2f}") if i % 2 else f"{v:.2f}"),
    ),
    Case(
        "its-outcome-excel-text-wrapper",
        "b",
        "its",
        "correct",
        its_case(value=lambda v, i: excel_text(f"{v:.2f}")),
    ),
    Case(
        "its-controls-star-with-合计-unit",
        "c",
        "its",
        "correct_or_refused",
        its_case(controls=("420102", "420103"), aggregate="合计"),
        ("合计",),
    ),
    Case(
        "its-controls-star-with-平均-unit",
        "c",
        "its",
        "correct_or_refused",
        its_case(controls=("420102", "420103"), aggregate="平均"),
        ("平均",),
    ),
    Case(
        "its-controls-star-with-全县-unit",
        "c",
        "its",
        "correct_or_refused",
        its_case(controls=("420102", "420103"), aggregate="全县"),
        ("全县",),
    ),
    Case(
        "its-month-2018.10-next-to-2018.1",
        "g",
        "its",
        "correct_or_refused",
        its_case(labels="decimal"),
        ("2018.1", "2018.10"),
        notice=False,
    ),
    Case(
        "its-month-2018.10-next-to-2018.1-zh",
        "g",
        "its",
        "correct_or_refused",
        its_case(labels="decimal", lang="zh"),
        ("2018.1", "2018.10"),
        notice=False,
        zh=True,
    ),
    Case(
        "its-month-exported-as-number-2018.1-twice",
        "g",
        "its",
        "refused",
        its_case(labels="numeric-export"),
        ("2018.1",),
    ),
    Case(
        "its-month-exported-as-number-2018.1-twice-zh",
        "g",
        "its",
        "refused",
        its_case(labels="numeric-export", lang="zh"),
        ("2018.1",),
        zh=True,
    ),
    Case(
        "its-excel-serial-months",
        "g",
        "its",
        "correct_or_refused",
        its_case(labels="serial"),
        (SERIAL_MONTHS[0],),
    ),
    Case(
        "its-wrong-outcome-column",
        "g",
        "its",
        "refused",
        its_case(outcome_flag="基层占比"),
        ("基层占比",),
        usage=True,
    ),
    Case(
        "its-wrong-outcome-column-zh",
        "g",
        "its",
        "refused",
        its_case(outcome_flag="基层占比", lang="zh"),
        ("基层占比",),
        usage=True,
        zh=True,
    ),
    Case(
        "its-full-width-dot-months",
        "h",
        "its",
        "correct",
        its_case(labels="full-width-dot"),
    ),
    Case("its-chinese-months", "h", "its", "correct", its_case(labels="chinese")),
    Case("its-quarters-2018Q1", "h", "its", "correct", its_case(labels="quarter")),
    Case("its-quarters-chinese", "h", "its", "correct", its_case(labels="quarter-zh")),
]


# ---- did ----------------------------------------------------------------------------------------

DID_UNITS = ("420101", "420102", "420103", "420104", "420105", "420106")
DID_TREATED = ("420101", "420102")
DID_PERIODS, DID_FIRST = 6, 3


def did_values() -> dict[tuple[str, int], float]:
    """Unit and period effects, a deterministic wiggle and +2.5 after adoption, 2 decimals."""
    out = {}
    for k, unit in enumerate(DID_UNITS):
        for p in range(DID_PERIODS):
            wiggle = ((7 * k + 3 * p) % 5) * 0.13
            effect = 2.5 if unit in DID_TREATED and p >= DID_FIRST else 0.0
            out[(unit, p)] = round(30 + k + 0.4 * p + wiggle + effect, 2)
    return out


def did_truth(values: dict[tuple[str, int], float]) -> float:
    """(treated post - treated pre) - (control post - control pre), cell means by hand."""

    def mean(units, post):
        cells_ = [v for (u, p), v in values.items() if u in units and (p >= DID_FIRST) == post]
        return sum(cells_) / len(cells_)

    controls = [u for u in DID_UNITS if u not in DID_TREATED]
    return (mean(DID_TREATED, True) - mean(DID_TREATED, False)) - (
        mean(controls, True) - mean(controls, False)
    )


PERIOD_LABELS = {
    "year": lambda p: str(2018 + p),
    "full-width-dot": lambda p: f"2018．{p + 1:02d}",
    "chinese": lambda p: f"2023年{p + 1}月",
    "decimal": lambda p: f"2018.{p + 7}",  # 2018.7 .. 2018.12: 2018.10 next to 2018.1(0)
    "quarter": lambda p: f"{2018 + p // 4}Q{p % 4 + 1}",
}


def did_check(att: float) -> Check:
    def check(result: Result) -> None:
        document = json.loads(result.out)
        got = document["estimates"][0]["estimate"]
        _close(got, att, "att")
        panel = document["panel"]
        assert (panel["n_units"], panel["n_periods"], panel["n_treated"]) == (
            len(DID_UNITS),
            DID_PERIODS,
            len(DID_TREATED),
        ), panel

    return check


def did_case(
    labels: str = "year",
    unit_cell=lambda u, p: u,
    value=lambda v, k: f"{v:.2f}",
    aggregate: str | None = None,
    ever_treated: bool = False,
    outcome_flag: str = "share",
    lang: str = "en",
) -> Callable[[Path], Built]:
    def build(folder: Path) -> Built:
        label = PERIOD_LABELS[labels]
        values = did_values()
        rows = []
        for k, ((unit, p), v) in enumerate(values.items()):
            first = label(DID_FIRST) if unit in DID_TREATED else "0"
            if ever_treated:
                first = "1" if unit in DID_TREATED else "0"
            rows.append([unit_cell(unit, p), label(p), value(v, k), first])
        if aggregate:
            for p in range(DID_PERIODS):
                mean = sum(values[(u, p)] for u in DID_UNITS) / len(DID_UNITS)
                rows.append([aggregate, label(p), f"{mean:.2f}", "0"])
        column = "ever_treated" if ever_treated else "first_treated"
        path = write_plain(folder / "panel.csv", ["county", "period", "share", column], rows)
        argv = ["--data", str(path), "--unit", "county", "--time", "period"]
        argv += ["--outcome", outcome_flag, "--first-treated", column]
        argv += ["--estimator", "2x2", "--json", "--lang", lang]
        return Built(argv, [path], did_check(did_truth(values)))

    return build


def _did_mixed(v: float, k: int) -> str:
    return f"{v / 100:.4f}" if k % 7 == 0 else f"{v:.2f}"


_DID_VALUES = list(did_values().values())

DID: list[Case] = [
    Case(
        "did-unit-9digit-and-6digit",
        "a",
        "did",
        "correct_or_refused",
        did_case(unit_cell=lambda u, p: u + "000" if u == "420101" and p >= 3 else u),
        ("420101", "420101000"),
    ),
    Case(
        "did-unit-excel-text-wrapper",
        "a",
        "did",
        "correct",
        did_case(unit_cell=lambda u, p: excel_text(u)),
    ),
    Case(
        "did-unit-apostrophe",
        "a",
        "did",
        "correct",
        did_case(unit_cell=lambda u, p: apostrophe(u) if p % 2 else u),
    ),
    Case(
        "did-unit-full-width",
        "a",
        "did",
        "correct",
        did_case(unit_cell=lambda u, p: full_width(u) if p % 2 else u),
    ),
    Case(
        "did-unit-dot-zero",
        "a",
        "did",
        "correct",
        did_case(unit_cell=lambda u, p: u + ".0" if p >= 2 else u),
    ),
    Case(
        "did-outcome-percent-strings",
        "b",
        "did",
        "correct",
        did_case(value=lambda v, k: f"{v:.2f}%"),
    ),
    Case(
        "did-outcome-mixed-0-1-and-0-100",
        "b",
        "did",
        "correct_or_refused",
        did_case(value=_did_mixed),
        (
            number_spellings([_did_mixed(v, k) for k, v in enumerate(_DID_VALUES) if k % 7 == 0]),
            number_spellings([_did_mixed(v, k) for k, v in enumerate(_DID_VALUES) if k % 7]),
        ),
    ),
    Case(
        "did-outcome-text-stored",
        "b",
        "did",
        "correct",
        did_case(value=lambda v, k: [apostrophe, excel_text, str][k % 3](f"{v:.2f}")),
    ),
    Case(
        "did-合计-unit",
        "c",
        "did",
        "correct_or_refused",
        did_case(aggregate="合计"),
        ("合计",),
    ),
    Case(
        "did-全县-unit",
        "c",
        "did",
        "correct_or_refused",
        did_case(aggregate="全县"),
        ("全县",),
    ),
    Case(
        "did-平均-unit",
        "c",
        "did",
        "correct_or_refused",
        did_case(aggregate="平均"),
        ("平均",),
    ),
    Case(
        "did-ever-treated-0-1-as-first-treated",
        "g",
        "did",
        "refused",
        did_case(ever_treated=True),
        ("ever_treated",),
    ),
    Case(
        "did-ever-treated-0-1-as-first-treated-zh",
        "g",
        "did",
        "refused",
        did_case(ever_treated=True, lang="zh"),
        ("ever_treated",),
        zh=True,
    ),
    Case(
        "did-period-2018.10-next-to-2018.1",
        "g",
        "did",
        "correct_or_refused",
        did_case(labels="decimal"),
        ("2018.10",),
        notice=False,
        note="2018.7 .. 2018.12: 2018.10 reads as the number 2018.1",
    ),
    Case(
        "did-wrong-outcome-column",
        "g",
        "did",
        "refused",
        did_case(outcome_flag="基层占比"),
        ("基层占比",),
        usage=True,
    ),
    Case(
        "did-wrong-outcome-column-zh",
        "g",
        "did",
        "refused",
        did_case(outcome_flag="基层占比", lang="zh"),
        ("基层占比",),
        usage=True,
        zh=True,
    ),
    Case("did-full-width-dot-months", "h", "did", "correct", did_case(labels="full-width-dot")),
    Case("did-chinese-months", "h", "did", "correct", did_case(labels="chinese")),
    Case("did-quarters", "h", "did", "correct", did_case(labels="quarter")),
]


# ---- report -------------------------------------------------------------------------------------


def report_check(rows: list[dict], units: tuple[str, ...]) -> Check:
    def check(result: Result) -> None:
        from python_calamine import CalamineWorkbook

        book = CalamineWorkbook.from_path(str(result.tmp / "out" / "r.xlsx"))
        sheet = book.get_sheet_by_name("序列 Series").to_python()
        head, body = sheet[0], sheet[1:]
        got = pd.DataFrame(body, columns=head)
        got["county"] = got["county"].astype(str)
        for unit in units:
            want = [r for r in rows if r["district"] == unit]
            mine = got[got["county"] == unit].reset_index(drop=True)
            assert len(mine) == len(want), f"{unit}: {len(mine)} of {len(want)} months"
            for (_, g), w in zip(mine.iterrows(), want):
                assert str(g["month"])[:7] == f"{w['month']:%Y-%m}"
                assert int(g["visits_primary"]) == w["visits_primary"]
                assert int(g["visits_total"]) == w["visits_total"]
                _close(g["visit_share"], 100 * w["visits_primary"] / w["visits_total"], unit)

    return check


def report_case(
    series_cell=lambda key, value, row: str(value),
    comparisons: str = "420102",
    extra_rows=None,
    with_truth: bool = True,
) -> Callable[[Path], Built]:
    def build(folder: Path) -> Built:
        rows = series_rows()
        text = _series_text(rows, series_cell)
        if extra_rows:
            text += extra_rows(rows)
        header = ["district", "month", "visits_primary", "visits_total"]
        series = write_plain(folder / "series.csv", header, text)
        out = folder.parent / "out"
        argv = ["--series", str(series), "--county", "420101", "--comparisons", comparisons]
        argv += ["--out", str(out / "r.html"), "--xlsx", str(out / "r.xlsx"), "--lang", "en"]
        check = report_check(rows, ("420101", "420102")) if with_truth else None
        return Built(argv, [series], check)

    return build


REPORT: list[Case] = [
    Case(
        "report-series-9digit-and-6digit",
        "a",
        "report",
        "correct_or_refused",
        report_case(series_cell=_code_cell(lambda c: c + "000", _odd_months)),
        ("420101", "420101000"),
    ),
    Case(
        "report-series-excel-text-wrapper",
        "a",
        "report",
        "correct",
        report_case(series_cell=_code_cell(excel_text, lambda row: True)),
    ),
    Case(
        "report-series-apostrophe",
        "a",
        "report",
        "correct",
        report_case(series_cell=_code_cell(apostrophe, lambda row: True)),
    ),
    Case(
        "report-series-dot-zero",
        "a",
        "report",
        "correct",
        report_case(series_cell=_code_cell(lambda c: c + ".0", lambda row: True)),
    ),
    Case(
        "report-series-counts-text-stored",
        "b",
        "report",
        "correct",
        report_case(series_cell=_count_cell(apostrophe)),
    ),
    Case(
        "report-合计-as-comparison",
        "c",
        "report",
        "refused",
        report_case(
            comparisons="420102,合计", extra_rows=_aggregate_rows("合计"), with_truth=False
        ),
        ("合计",),
    ),
    Case(
        "report-合计-rows-in-series",
        "c",
        "report",
        "correct_or_refused",
        report_case(extra_rows=_aggregate_rows("合计")),
        ("合计",),
    ),
    Case(
        "report-series-month-2021.10-next-to-2021.1",
        "g",
        "report",
        "correct_or_refused",
        report_case(series_cell=_month_cell(lambda d: f"{d.year}.{d.month}")),
        ("2021.1", "2021.10"),
        notice=False,
    ),
    Case(
        "report-series-month-exported-as-number-2021.1-twice",
        "g",
        "report",
        "refused",
        report_case(
            series_cell=_month_cell(lambda d: repr(float(f"{d.year}.{d.month}"))),
            with_truth=False,
        ),
        (any_of("2021.1", "2021-01"),),
    ),
    Case(
        "report-series-month-chinese",
        "h",
        "report",
        "correct",
        report_case(series_cell=_month_cell(lambda d: f"{d.year}年{d.month}月")),
    ),
]

VALIDATE += [
    Case(
        "validate-series-9digit-and-6digit-district",
        "a",
        "validate",
        "correct_or_refused",
        validate_series(series_cell=_code_cell(lambda c: c + "000", _odd_months)),
        ("420101", "420101000"),
    ),
    Case(
        "validate-share-mixed-0-1-and-0-100",
        "b",
        "validate",
        "refused",
        month_table([MONTH_LABELS["iso"](i) for i in range(24)], share=_scale_share),
        (
            number_spellings([_scale_share(i) for i in range(24) if i % 4 == 0]),
            number_spellings([_scale_share(i) for i in range(24) if i % 4]),
        ),
    ),
    Case(
        "validate-share-percent-strings",
        "b",
        "validate",
        "correct",
        month_table([MONTH_LABELS["iso"](i) for i in range(24)], share=lambda i: f"{40 + i / 4}%"),
    ),
    Case(
        "validate-series-month-exported-as-number",
        "g",
        "validate",
        "refused",
        validate_series(series_cell=_month_cell(lambda d: repr(float(f"{d.year}.{d.month}")))),
        ("2021.1",),
    ),
    Case(
        "validate-series-合计-district-rows",
        "c",
        "validate",
        "correct_or_refused",
        validate_series(extra_rows=_aggregate_rows("合计")),
        ("合计",),
    ),
]

CASES: list[Case] = SERIES + VALIDATE + PANEL + ITS + DID + REPORT
