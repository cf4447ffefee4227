"""``validate`` refuses numbers no dataset can hold, in every numeric column of every shipped file.

Each case copies one shipped file with one cell replaced by an impossible value (-1e9, and 1e12
above a finite ceiling) and runs ``python -m analysis validate`` on the copy: the command must
refuse it with a line naming the copy, the row and the column. The cell is chosen here, with the
standard ``csv`` module, so the expected row number (the file's line) does not come from the
reader under test.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from analysis.cli import main as cli_main
from analysis.registry import DATASETS, Declaration

NUMERIC = ("integer", "number", "year")
FAR_BELOW = "-1000000000"
FAR_ABOVE = "1000000000000"
# The shipped files are UTF-8, except the bureau export, written as a bureau writes it.
ENCODINGS = ("utf-8", "gb18030")


def shipped() -> list[Declaration]:
    return [entry for entry in DATASETS if entry.file.exists()]


def numeric_columns() -> list[tuple[Declaration, str]]:
    return [(entry, f.name) for entry in shipped() for f in entry.fields if f.type in NUMERIC]


def cases() -> list[tuple[Declaration, str, str]]:
    out = []
    for entry, column in numeric_columns():
        out.append((entry, column, FAR_BELOW))
        if entry.schema.field(column).maximum is not None:
            out.append((entry, column, FAR_ABOVE))
    return out


def _read(path: Path) -> tuple[list[list[str]], str]:
    for encoding in ENCODINGS:
        try:
            text = path.read_text(encoding=encoding)
        except UnicodeDecodeError:
            continue
        return list(csv.reader(text.splitlines())), encoding
    raise AssertionError(f"{path} is in none of {ENCODINGS}")


def planted_copy(entry: Declaration, column: str, value: str, folder: Path) -> tuple[Path, int]:
    """A copy of the file (same name, so the same schema) with ``value`` in one cell of
    ``column``; returns the copy and the cell's line number, counting the header as line 1."""
    rows, encoding = _read(entry.file)
    # A middle row, so a reader that reported the first or the last row would be caught.
    line = 1 + (len(rows) - 1 + 1) // 2
    rows[line - 1][rows[0].index(column)] = value
    copy = folder / entry.file.name
    with open(copy, "w", newline="", encoding=encoding) as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    return copy, line


def test_every_numeric_column_has_both_bounds() -> None:
    unbounded = [
        f"{entry.name}.{column}"
        for entry, column in numeric_columns()
        if entry.schema.field(column).minimum is None or entry.schema.field(column).maximum is None
    ]
    assert not unbounded, f"numeric columns without a plausible minimum and maximum: {unbounded}"


def test_there_are_numeric_columns_to_check() -> None:
    # Guards the parametrisation below: an empty registry would make it pass vacuously.
    assert len(numeric_columns()) > 40


@pytest.mark.parametrize(
    ("entry", "column", "value"),
    cases(),
    ids=[f"{e.name}-{c}-{'low' if v == FAR_BELOW else 'high'}" for e, c, v in cases()],
)
def test_validate_refuses_an_impossible_value(
    entry: Declaration,
    column: str,
    value: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    copy, line = planted_copy(entry, column, value, tmp_path)
    code = cli_main(["validate", str(copy)])
    err = capsys.readouterr().err
    assert code == 1, f"{entry.name}.{column} = {value} was accepted:\n{err}"
    named = [
        text
        for text in err.splitlines()
        if str(copy) in text and f"row {line}," in text and f"column '{column}'" in text
    ]
    assert named, f"no problem names {copy}, row {line} and column {column!r}:\n{err}"


@pytest.mark.parametrize("entry", shipped(), ids=lambda e: e.name)
def test_the_committed_files_validate(
    entry: Declaration, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli_main(["validate", str(entry.file)]) == 0, capsys.readouterr().err
