"""The validator: a corpus of broken files, committed data, encodings, read-only inputs, fuzzing."""

from __future__ import annotations

import csv
import hashlib
import io
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis import paths
from analysis.cli import main as cli_main
from analysis.errors import UsageError
from analysis.registry import DATASETS, declaration
from analysis.validation import ValidationError, read_table, validate_file

MONTHLY = declaration("district_monthly").file
PANEL = declaration("county_staggered_panel").file


def _rows(path: Path, n: int) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))[: n + 1]


def _csv(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def _monthly(edit: Callable[[list[list[str]]], None] | None = None, n: int = 24) -> str:
    rows = _rows(MONTHLY, n)  # qianjiang 2017-01 .. 2018-12
    if edit:
        edit(rows)
    return _csv(rows)


def _set(row: int, column: str, value: str) -> Callable[[list[list[str]]], None]:
    def edit(rows: list[list[str]]) -> None:
        rows[row - 1][rows[0].index(column)] = value  # row numbers as a spreadsheet shows them

    return edit


def _panel(edit: Callable[[list[list[str]]], None] | None = None) -> str:
    rows = _rows(PANEL, 20)
    if edit:
        edit(rows)
    return _csv(rows)


def _generic_annual(rows: list[list[str]]) -> str:
    return _csv([["county", "year", "visits_primary", "visits_total", "visit_share"], *rows])


def _xlsx(rows: list[list[object]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _monthly_xlsx_negative() -> bytes:
    rows: list[list[object]] = [list(r) for r in _rows(MONTHLY, 12)]
    for r in rows[1:]:
        for i, name in enumerate(rows[0]):
            if name.endswith(("_primary", "_total")):
                r[i] = int(r[i])
    rows[5][rows[0].index("fund_total")] = -1
    return _xlsx(rows)


def _drop_row(row: int) -> Callable[[list[list[str]]], None]:
    return lambda rows: rows.pop(row - 1)


def _drop_column(name: str) -> Callable[[list[list[str]]], None]:
    def edit(rows: list[list[str]]) -> None:
        i = rows[0].index(name)
        for r in rows:
            del r[i]

    return edit


@dataclass(frozen=True)
class Case:
    """A broken file and what the validator must say about it."""

    id: str
    file_name: str
    content: Callable[[], bytes | str]
    row: int | None
    column: str | None
    fragment: str
    encoding: str = "utf-8"


CASES = [
    Case(
        "negative-count",
        "district_monthly.csv",
        lambda: _monthly(_set(5, "visits_total", "-3")),
        5,
        "visits_total",
        "below the minimum 0",
    ),
    Case(
        "numerator-above-denominator",
        "district_monthly.csv",
        lambda: _monthly(_set(7, "admissions_primary", "999999")),
        7,
        "admissions_primary",
        "exceeds admissions_total",
    ),
    Case(
        "decimal-count",
        "district_monthly.csv",
        lambda: _monthly(_set(3, "visits_primary", "12.5")),
        3,
        "visits_primary",
        "not an integer",
    ),
    Case(
        "text-in-count",
        "district_monthly.csv",
        lambda: _monthly(_set(4, "fund_primary", "abc")),
        4,
        "fund_primary",
        "not an integer",
    ),
    Case(
        "missing-value",
        "district_monthly.csv",
        lambda: _monthly(_set(9, "visits_total", "")),
        9,
        "visits_total",
        "missing value",
    ),
    Case(
        "impossible-date",
        "district_monthly.csv",
        lambda: _monthly(_set(3, "month", "2017-02-30")),
        3,
        "month",
        "not a valid calendar",
    ),
    Case(
        "mid-month-date",
        "district_monthly.csv",
        lambda: _monthly(_set(4, "month", "2017-03-15")),
        4,
        "month",
        "first day of a month",
    ),
    Case(
        "garbage-date",
        "district_monthly.csv",
        lambda: _monthly(_set(2, "month", "March 2017")),
        2,
        "month",
        "not a date",
    ),
    Case(
        "duplicate-key",
        "district_monthly.csv",
        lambda: _monthly(_set(6, "month", "2017-04-01")),
        6,
        "district, month",
        "duplicate key",
    ),
    Case(
        "gap-in-months",
        "district_monthly.csv",
        lambda: _monthly(_drop_row(8)),
        7,
        "month",
        "no row for 2017-07",
    ),
    Case(
        "missing-column",
        "district_monthly.csv",
        lambda: _monthly(_drop_column("fund_total")),
        1,
        "fund_total",
        "required column is missing",
    ),
    Case(
        "extra-column",
        "district_monthly.csv",
        lambda: _monthly(lambda rows: [r.append("x") for r in rows]),
        1,
        "x",
        "not in the schema",
    ),
    Case(
        "duplicate-column",
        "district_monthly.csv",
        lambda: _monthly(lambda rows: rows[0].__setitem__(3, "visits_primary")),
        1,
        "visits_primary",
        "duplicate column name",
    ),
    Case(
        "empty-column-name",
        "district_monthly.csv",
        lambda: _monthly(lambda rows: rows[0].__setitem__(10, "")),
        1,
        None,
        "empty name",
    ),
    Case(
        "ragged-row",
        "district_monthly.csv",
        lambda: _monthly(lambda rows: rows[5].append("1")),
        6,
        None,
        "fields, the header has",
    ),
    Case(
        "bad-boolean",
        "district_monthly.csv",
        lambda: _monthly(_set(2, "treated", "maybe")),
        2,
        "treated",
        "not a boolean",
    ),
    Case(
        "provenance-not-allowed",
        "district_monthly.csv",
        lambda: _monthly(_set(11, "provenance", "observed")),
        11,
        "provenance",
        "not one of: synthetic",
    ),
    Case(
        "district-pattern",
        "district_monthly.csv",
        lambda: _monthly(_set(2, "district", "Qianjiang!")),
        2,
        "district",
        "pattern",
    ),
    Case("empty-file", "district_monthly.csv", lambda: "", None, None, "empty file"),
    Case("header-only", "district_monthly.csv", lambda: _monthly(n=0), None, None, "no data rows"),
    Case(
        "png-binary",
        "district_monthly.csv",
        lambda: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        None,
        None,
        "binary file",
    ),
    Case(
        # UTF-16 (Excel's "Unicode text") is read since the bureau-export work; UTF-32 is not.
        "utf32",
        "district_monthly.csv",
        lambda: _monthly().encode("utf-32"),
        None,
        None,
        "unsupported encoding UTF-32",
    ),
    Case(
        "latin1-unknown-encoding",
        "district_monthly.csv",
        lambda: "district,month\ncafé,2017-01-01\n".encode("cp1252"),
        None,
        None,
        "unknown encoding",
    ),
    Case(
        "legacy-xls",
        "district_monthly.xls",
        lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"0" * 64,
        None,
        None,
        "legacy .xls",
    ),
    Case(
        "corrupt-xlsx",
        "district_monthly.xlsx",
        lambda: b"PK\x03\x04" + b"not really a zip",
        None,
        None,
        ".xlsx",
    ),
    Case(
        "xlsx-negative-fund",
        "district_monthly.xlsx",
        _monthly_xlsx_negative,
        6,
        "fund_total",
        "below the minimum 0",
    ),
    Case(
        "gbk-bad-value",
        "district_monthly.csv",
        lambda: _monthly(_set(5, "visits_total", "五百")),
        5,
        "visits_total",
        "not an integer",
        encoding="gbk",
    ),
    Case(
        "bom-gap",
        "district_monthly.csv",
        lambda: _monthly(_drop_row(14)),
        13,
        "month",
        "no row for 2018-01",
        encoding="utf-8-sig",
    ),
    Case(
        "generic-annual-gap",
        "my_counties.csv",
        lambda: _generic_annual([["a", "2015", "5", "10", "50"], ["a", "2017", "5", "10", "50"]]),
        2,
        "year",
        "no row for 2016",
    ),
    Case(
        "generic-share-above-100",
        "my_counties.csv",
        lambda: _generic_annual([["a", "2015", "5", "10", "150"]]),
        2,
        "visit_share",
        "above the maximum 100",
    ),
    Case(
        "generic-share-disagrees",
        "my_counties.csv",
        lambda: _generic_annual([["a", "2015", "5", "10", "50"], ["a", "2016", "5", "10", "40"]]),
        3,
        "visit_share",
        "disagrees with visits_primary/visits_total",
    ),
    Case(
        "generic-no-schema",
        "notes.csv",
        lambda: "name,comment\nx,y\n",
        None,
        None,
        "no schema applies",
    ),
    Case(
        "panel-negative-first-treated",
        "county_staggered_panel.csv",
        lambda: _panel(_set(4, "first_treated", "-1")),
        4,
        "first_treated",
        "below the minimum",
    ),
    Case(
        "panel-year-not-a-year",
        "county_staggered_panel.csv",
        lambda: _panel(_set(3, "year", "20x6")),
        3,
        "year",
        "not a year",
    ),
    Case(
        "panel-infinite-effect",
        "county_staggered_panel.csv",
        lambda: _panel(_set(6, "true_visit_effect_pp", "inf")),
        6,
        "true_visit_effect_pp",
        "not a finite number",
    ),
    Case(
        "unterminated-quote",
        "district_monthly.csv",
        lambda: _monthly() + '"qianjiang,2019-01-01,"1\n',
        None,
        None,
        "well-formed CSV",
    ),
    Case(
        "control-character",
        "district_monthly.csv",
        lambda: _monthly().replace("qianjiang", "qian\x01jiang", 1),
        None,
        None,
        "control character",
    ),
    Case(
        "huge-integer",
        "district_monthly.csv",
        lambda: _monthly(_set(3, "visits_total", "9" * 25)),
        3,
        "visits_total",
        "out of range",
    ),
    Case(
        "claims-duplicate-id",
        "claims.csv",
        lambda: (
            (declaration("claims").file).read_text(encoding="utf-8")
            + (declaration("claims").file).read_text(encoding="utf-8").splitlines()[1]
            + "\n"
        ),
        None,
        "claim_id",
        "duplicate value",
    ),
    Case(
        "claims-value-with-percent",
        "claims.csv",
        lambda: _csv(
            [
                r if i != 2 else r[:8] + ["43.3%"] + r[9:]
                for i, r in enumerate(_rows(declaration("claims").file, 5), 1)
            ]
        ),
        2,
        "value",
        "not a number",
    ),
    Case(
        "papers-bad-doi",
        "papers.csv",
        lambda: _csv(
            [
                r if i != 3 else r[:6] + ["doi:nonsense"] + r[7:]
                for i, r in enumerate(_rows(declaration("papers").file, 4), 1)
            ]
        ),
        3,
        "doi",
        "pattern",
    ),
]


def _write(case: Case, directory: Path) -> Path:
    path = directory / case.id / case.file_name
    path.parent.mkdir(parents=True)
    content = case.content()
    path.write_bytes(content if isinstance(content, bytes) else content.encode(case.encoding))
    return path


def test_corpus_is_large_enough():
    assert len(CASES) >= 30 and len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_broken_file_fails_with_located_message(case, tmp_path, capsys):
    path = _write(case, tmp_path)
    before = (path.stat().st_mtime_ns, path.read_bytes())
    code = cli_main(["validate", str(path)])
    err = capsys.readouterr().err
    assert code == 1, err
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if case.fragment in line]
    assert lines, f"expected {case.fragment!r} in:\n{err}"
    assert all(line.startswith(str(path) + ": ") for line in lines)
    if case.row is not None:
        lines = [
            line for line in lines if f": row {case.row}," in line or f": row {case.row}:" in line
        ]
        assert lines, f"no message names row {case.row}:\n{err}"
    if case.column is not None:
        assert any(f"column {case.column!r}" in line for line in lines), err
    assert (path.stat().st_mtime_ns, path.read_bytes()) == before  # never writes its inputs


def test_committed_data_files_are_valid(capsys):
    assert cli_main(["validate", str(paths.DATA)]) == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    files = [p for p in paths.DATA.rglob("*") if p.suffix in (".csv", ".xlsx")]
    assert out.count("OK ") == len(files)


def test_every_registered_schema_matches_a_committed_file():
    for entry in DATASETS:
        report = validate_file(entry.file)
        assert report.schema == entry.name and report.ok, report.problems[:5]


def test_schema_can_be_forced_by_name_and_an_unknown_name_is_a_usage_error(tmp_path, capsys):
    copy = tmp_path / "renamed.csv"
    copy.write_bytes(MONTHLY.read_bytes())
    assert validate_file(copy, "district_monthly").ok
    assert not validate_file(copy, "county_staggered_panel").ok
    with pytest.raises(UsageError, match="schema='nope'"):
        validate_file(copy, "nope")
    assert cli_main(["validate", "--schema", "nope", str(copy)]) == 2
    assert "invalid choice" in capsys.readouterr().err


def test_cli_without_a_known_command_is_a_usage_error(capsys):
    assert cli_main([]) == 2
    assert cli_main(["no-such-command"]) == 2
    assert cli_main(["validate"]) == 2
    assert "usage:" in capsys.readouterr().err


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk"])
def test_supported_encodings_read_the_same_cells(encoding, tmp_path):
    text = _csv([["district", "month", "备注"], ["qianjiang", "2017-01-01", "黔江区 基层医疗"]])
    path = tmp_path / f"t_{encoding}.csv"
    path.write_bytes(text.encode(encoding))
    table = read_table(path)
    assert table.header == ("district", "month", "备注")
    assert table.rows == (("qianjiang", "2017-01-01", "黔江区 基层医疗"),)
    assert table.encoding == ("gb18030" if encoding in ("gbk", "gb18030") else encoding)


def test_valid_xlsx_copy_of_committed_data_passes(tmp_path):
    rows: list[list[object]] = [list(r) for r in _rows(MONTHLY, 24)]
    path = tmp_path / "district_monthly.xlsx"
    path.write_bytes(_xlsx(rows))
    report = validate_file(path)
    assert report.ok and report.encoding == "xlsx" and report.n_rows == 24


def test_cli_subprocess_has_no_traceback_and_exit_codes(tmp_path):
    bad = _write(CASES[0], tmp_path)
    run = subprocess.run(
        [sys.executable, "-m", "analysis", "validate", str(bad), str(MONTHLY)],
        check=False,
        capture_output=True,
        text=True,
        cwd=paths.ROOT,
        timeout=120,
    )
    assert run.returncode == 1
    assert "Traceback" not in run.stderr and "row 5, column 'visits_total'" in run.stderr
    assert f"OK {MONTHLY}" in run.stdout
    missing = subprocess.run(
        [sys.executable, "-m", "analysis", "validate", str(tmp_path / "no")],
        check=False,
        capture_output=True,
        text=True,
        cwd=paths.ROOT,
        timeout=120,
    )
    assert missing.returncode == 1 and "no such file" in missing.stderr
    assert "Traceback" not in missing.stderr


# Property-based fuzzing: whatever the bytes, the loaders either return or raise ValidationError.
_FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _only_validation_errors(path: Path) -> None:
    try:
        validate_file(path)
    except ValidationError as error:
        assert error.problems and all(str(p).startswith(str(path)) for p in error.problems)


@_FUZZ
@given(data=st.binary(max_size=2048), suffix=st.sampled_from([".csv", ".xlsx", ".txt"]))
def test_fuzz_random_bytes(tmp_path, data, suffix):
    path = tmp_path / f"fuzz{suffix}"
    path.write_bytes(data)
    _only_validation_errors(path)


_cell = st.text(
    st.characters(min_codepoint=1, max_codepoint=0x9FFF, exclude_categories=("Cs",)), max_size=12
)


@_FUZZ
@given(
    header=st.lists(
        st.sampled_from(
            [
                "district",
                "county",
                "month",
                "year",
                "visits_primary",
                "visits_total",
                "visit_share",
                "fund_primary",
                "fund_total",
                "treated",
                "provenance",
                "x",
                "",
            ]
        ),
        min_size=1,
        max_size=8,
    ),
    body=st.lists(st.lists(_cell, max_size=9), max_size=8),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16", "cp1252", "big5"]),
    name=st.sampled_from(
        ["district_monthly.csv", "mine.csv", "claims.csv", "county_staggered_panel.csv"]
    ),
)
def test_fuzz_random_csv_text_and_encodings(tmp_path, header, body, encoding, name):
    path = tmp_path / name
    path.write_bytes(_csv([header, *body]).encode(encoding, errors="replace"))
    _only_validation_errors(path)


@_FUZZ
@given(
    values=st.lists(
        st.one_of(
            st.integers(-10, 10**7),
            st.just(""),
            st.just("x"),
            st.floats(allow_nan=True, allow_infinity=True).map(str),
        ),
        min_size=6,
        max_size=6,
    ),
    months=st.lists(st.dates().map(lambda d: d.isoformat()), min_size=1, max_size=4),
)
def test_fuzz_monthly_values(tmp_path, values, months):
    rows = [
        [
            "district",
            "month",
            "visits_primary",
            "visits_total",
            "fund_primary",
            "fund_total",
            "visit_share",
        ]
    ]
    for m in months:
        rows.append(["d1", m, *map(str, values[:4]), str(values[5])])
    path = tmp_path / "series.csv"
    path.write_text(_csv(rows), encoding="utf-8")
    _only_validation_errors(path)


def test_inputs_unchanged_after_validating_committed_data():
    def snapshot() -> dict[str, tuple[int, str]]:
        return {
            str(p): (p.stat().st_mtime_ns, hashlib.sha256(p.read_bytes()).hexdigest())
            for p in paths.DATA.rglob("*")
            if p.is_file()
        }

    before = snapshot()
    for path in paths.DATA.rglob("*.csv"):
        validate_file(path)
    assert snapshot() == before


# The data package descriptor: schemas, hashes, provenance for every file in data/.
def test_datapackage_is_up_to_date():
    from analysis.validation.datapackage import stale_resources

    problems = stale_resources()
    assert not problems, (
        "data/datapackage.json is stale; run python -m "
        "analysis.validation.checksums --write\n" + "\n".join(problems)
    )


def test_datapackage_detects_an_unrefreshed_raw_edit(tmp_path, monkeypatch):
    import shutil

    from analysis.validation import datapackage

    copy = tmp_path / "data"
    shutil.copytree(paths.DATA, copy)
    monkeypatch.setattr(paths, "DATA", copy)
    monkeypatch.setattr(datapackage, "DESCRIPTOR_PATH", copy / "datapackage.json")
    assert datapackage.stale_resources() == []
    target = copy / "synthetic" / "district_monthly.csv"
    target.write_text(
        target.read_text(encoding="utf-8").replace(",94175,", ",94176,", 1), encoding="utf-8"
    )
    (copy / "stray.csv").write_text("a\n1\n", encoding="utf-8")
    problems = datapackage.stale_resources()
    assert any(p.startswith("synthetic/district_monthly.csv: sha256 differs") for p in problems)
    assert any(p.startswith("stray.csv: file in data/ has no resource") for p in problems)


def test_datapackage_schemas_match_file_headers_and_carry_provenance():
    import json

    descriptor = json.loads((paths.DATA / "datapackage.json").read_text(encoding="utf-8"))
    for resource in descriptor["resources"]:
        assert resource["hash"].startswith("sha256:") and resource["provenance"]["class"]
        if resource.get("format") != "csv":
            continue
        path = paths.DATA / resource["path"]
        with open(path, encoding=resource["encoding"], newline="") as handle:
            header = next(csv.reader(handle))
        assert [f["name"] for f in resource["schema"]["fields"]] == header, resource["path"]
        assert set(resource["schema"]["primaryKey"]) <= set(header)
    synthetic = [r for r in descriptor["resources"] if r["provenance"]["class"] == "synthetic"]
    generators = {
        "analysis.synthetic": (
            "synthetic/assumptions.toml",
            {"district_monthly", "county_staggered_panel"},
        ),
        "analysis.synthetic.bureau_exports": (
            "synthetic/bureau_exports/config.toml",
            {"bureau_exports_2021_2022", "bureau_exports_2021_2022_settlements_2023"},
        ),
    }
    assert {r["provenance"]["generator"] for r in synthetic} == set(generators)
    for generator, (config, names) in generators.items():
        mine = [r for r in synthetic if r["provenance"]["generator"] == generator]
        assert {r["name"] for r in mine} == names
        for resource in mine:
            assert resource["provenance"]["config"] == config
            assert isinstance(resource["provenance"]["seed"], int)


def test_checksums_cli_reports_up_to_date(capsys):
    from analysis.validation.checksums import main

    assert main([]) == 0, capsys.readouterr().err


@_FUZZ
@given(
    mutations=st.lists(
        st.tuples(st.integers(0, 10**6), st.integers(0, 255)), min_size=1, max_size=6
    )
)
def test_fuzz_corrupted_xlsx(tmp_path, mutations):
    data = bytearray(_VALID_XLSX)
    for position, value in mutations:
        data[position % len(data)] = value
    path = tmp_path / "district_monthly.xlsx"
    path.write_bytes(bytes(data))
    _only_validation_errors(path)


_VALID_XLSX = _xlsx(
    [
        ["district", "month", "visits_primary", "visits_total"],
        ["qianjiang", "2017-01-01", 5, 10],
        ["qianjiang", "2017-02-01", 6, 11],
    ]
)


@_FUZZ
@given(
    cells=st.lists(
        st.lists(_cell.filter(lambda s: s.strip() == s and s), min_size=2, max_size=2),
        min_size=1,
        max_size=5,
    ),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]),
)
def test_fuzz_supported_encodings_round_trip(tmp_path, cells, encoding):
    rows = [["a", "b"], *cells]
    text = _csv(rows)
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        return
    if encoding == "gb18030":
        try:
            if data.decode("utf-8") != text:
                return  # bytes valid in both encodings: UTF-8 wins by design (documented)
        except UnicodeDecodeError:
            pass
    path = tmp_path / "round.csv"
    path.write_bytes(data)
    try:
        table = read_table(path)
    except ValidationError as error:  # e.g. a control character in the text: refused clearly
        assert all(
            "control character" in p.message or "empty" in p.message for p in error.problems
        ), error
        return
    expected = [tuple(r) for r in csv.reader(io.StringIO(text, newline=""))][1:]
    assert list(table.rows) == [r for r in expected if any(c.strip() for c in r)]
