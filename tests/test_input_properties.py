"""Property: however a clean small table is written, ``read_frame`` reads the same frame or
refuses with an InputError naming the file -- never another exception, never other values.

Hypothesis draws a clean table (a text code column whose codes may start with a zero, a
numeric share column, a month column) and then how it is written: the encoding (UTF-8,
UTF-8 with BOM, GB18030, UTF-16), the delimiter (``,`` tab ``;`` ``|``), per-column cell
wrappers (Excel's ``="x"``, an apostrophe ``'x``, CSV quotes), full-width digits, surrounding
spaces, and 0-3 title rows above the header. The reference is the frame ``read_frame`` gives
for the clean file; every variant must give that frame (same columns, values and dtypes, with
the index shifted by the title rows, as spreadsheet row numbers are) or refuse.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from analysis.errors import InputError
from analysis.tables.frame import read_frame

FULL_WIDTH = str.maketrans("0123456789.-", "０１２３４５６７８９．－")
HEADER = ("code", "share", "month")
TITLES = ("某县医疗保障局月度统计", "导出时间：2023-04-01", "单位：%")
ENCODINGS = ("utf-8", "utf-8-sig", "gb18030", "utf-16")
DELIMITERS = (",", "\t", ";", "|")
WRAPPERS = ("none", "excel", "apostrophe", "quotes")

settings.register_profile(
    "input-properties",
    max_examples=200,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
    # No shrinking: the single-change tests below name the minimal failing variants, and a
    # failing run stays well under the time budget.
    phases=(Phase.explicit, Phase.generate),
)

codes = st.sampled_from(["420101", "420102", "007001", "110105", "000123"])
shares = st.integers(min_value=0, max_value=1000).map(lambda n: f"{n / 10:.1f}")
months = st.integers(min_value=0, max_value=23).map(lambda i: f"{2022 + i // 12}-{i % 12 + 1:02d}")
tables = st.lists(st.tuples(codes, shares, months), min_size=2, max_size=6)


@st.composite
def writings(draw) -> dict:
    return {
        "encoding": draw(st.sampled_from(ENCODINGS)),
        "delimiter": draw(st.sampled_from(DELIMITERS)),
        "wrappers": tuple(draw(st.sampled_from(WRAPPERS)) for _ in HEADER),
        "full_width": tuple(draw(st.booleans()) for _ in HEADER),
        "spaces": tuple(draw(st.booleans()) for _ in HEADER),
        "titles": draw(st.integers(min_value=0, max_value=3)),
    }


def _cell(value: str, wrapper: str, wide: bool, spaced: bool) -> str:
    if wide:
        value = value.translate(FULL_WIDTH)
    if spaced:
        value = f" {value} "
    if wrapper == "excel":
        return f'="{value}"'
    if wrapper == "apostrophe":
        return "'" + value
    if wrapper == "quotes":
        return f'"{value}"'
    return value


def write_clean(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    lines = [",".join(HEADER), *(",".join(row) for row in rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_variant(path: Path, rows: list[tuple[str, str, str]], how: dict) -> Path:
    sep = how["delimiter"]
    lines = list(TITLES[: how["titles"]])
    lines.append(sep.join(HEADER))
    for row in rows:
        cells = [
            _cell(value, how["wrappers"][i], how["full_width"][i], how["spaces"][i])
            for i, value in enumerate(row)
        ]
        lines.append(sep.join(cells))
    path.write_bytes(("\n".join(lines) + "\n").encode(how["encoding"]))
    return path


def _values(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.reset_index(drop=True)


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("properties")


def test_the_clean_table_is_read_with_codes_as_text_and_shares_as_numbers(folder: Path) -> None:
    rows = [("007001", "45.3", "2023-01"), ("420101", "0.0", "2023-02")]
    frame = read_frame(write_clean(folder / "clean.csv", rows))
    assert list(frame.columns) == list(HEADER)
    assert frame["code"].tolist() == ["007001", "420101"]
    assert frame["share"].tolist() == [45.3, 0.0]
    assert frame["month"].tolist() == ["2023-01", "2023-02"]
    assert frame.index.tolist() == [2, 3]


def check_variant(folder: Path, rows: list[tuple[str, str, str]], how: dict) -> None:
    """The variant reads as the clean file does, or is refused naming the file."""
    clean = read_frame(write_clean(folder / "clean.csv", rows))
    path = folder / "variant.csv"
    write_variant(path, rows, how)
    try:
        got = read_frame(path)
    except InputError as error:
        assert path.name in str(error) or (error.file and Path(error.file).name == path.name), (
            f"refusal does not name the file: {error}"
        )
        return
    assert list(got.columns) == list(clean.columns), how
    assert list(got.dtypes) == list(clean.dtypes), (how, dict(got.dtypes))
    pd.testing.assert_frame_equal(_values(got), _values(clean), obj=f"frame written as {how}")
    # Row numbers are as a spreadsheet shows them: title rows push every row down.
    assert got.index.tolist() == [n + how["titles"] for n in clean.index], how


@settings(settings.get_profile("input-properties"))
@given(rows=tables, how=writings())
def test_any_writing_of_a_clean_table_reads_the_same_or_is_refused(folder, rows, how) -> None:
    check_variant(folder, rows, how)


PLAIN = {
    "encoding": "utf-8",
    "delimiter": ",",
    "wrappers": ("none",) * 3,
    "full_width": (False,) * 3,
    "spaces": (False,) * 3,
    "titles": 0,
}


def _one_change(key: str, column: int | None, value) -> dict:
    how = dict(PLAIN)
    if column is None:
        how[key] = value
    else:
        changed = list(how[key])
        changed[column] = value
        how[key] = tuple(changed)
    return how


SINGLE_CHANGES = (
    [(f"encoding={e}", _one_change("encoding", None, e)) for e in ENCODINGS[1:]]
    + [(f"delimiter={d!r}", _one_change("delimiter", None, d)) for d in DELIMITERS[1:]]
    + [(f"titles={n}", _one_change("titles", None, n)) for n in (1, 2, 3)]
    + [
        (f"{w}-wrapped {HEADER[c]}", _one_change("wrappers", c, w))
        for c in range(3)
        for w in WRAPPERS[1:]
    ]
    + [(f"full-width {HEADER[c]}", _one_change("full_width", c, True)) for c in range(3)]
    + [(f"spaced {HEADER[c]}", _one_change("spaces", c, True)) for c in range(3)]
)
ROWS = [("007001", "45.3", "2023-01"), ("420101", "0.5", "2023-02"), ("110105", "12.0", "2023-03")]


@pytest.mark.parametrize("how", [h for _, h in SINGLE_CHANGES], ids=[n for n, _ in SINGLE_CHANGES])
def test_each_single_change_reads_the_same_or_is_refused(folder, how) -> None:
    """One change at a time, so that a failure names the variant the reader does not recover."""
    check_variant(folder, ROWS, how)
