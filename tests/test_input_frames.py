"""The typed-table front door of ``its``, ``did``, ``panel`` and ``report``: one rule per meaning.

Every test writes an analyst's file the way spreadsheets write them, runs the command in-process
through :func:`analysis.cli.main` (or the Python API), and compares with a truth computed here
with numpy from the clean numbers, never with the code under test. Inputs are never modified
(sha256 before and after).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.cli import main
from analysis.did.panel import PanelError, prepare_panel
from analysis.errors import InputError
from analysis.tables.checks import (
    numeric_values,
    require_no_totals,
    require_one_share_scale,
    unit_codes,
)
from analysis.tables.frame import read_frame
from analysis.tables.numbers import parse_number
from analysis.tables.timelabels import parse_time

N, T0 = 24, 13  # ITS: 24 periods, first post period 13


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    lines = [",".join(header)] + [",".join(_csv(c) for c in row) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _csv(cell: object) -> str:
    text = str(cell)
    return f'"{text.replace(chr(34), chr(34) * 2)}"' if ("," in text or '"' in text) else text


def its_series(seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    t = np.arange(1, N + 1)
    y = np.round(40 + 0.2 * t + 3 * (t >= T0) + rng.normal(0, 0.5, N), 1)
    return t, y


def ols_level(t: np.ndarray, y: np.ndarray, at: float = T0) -> float:
    """The level change of a level+slope segmented OLS fit, by numpy."""
    post = (t >= at).astype(float)
    x = np.column_stack([np.ones_like(t, dtype=float), t - t[0], post, post * (t - at)])
    return float(np.linalg.lstsq(x, y, rcond=None)[0][2])


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def estimate(out: str, name: str) -> float:
    doc = json.loads(out)
    return next(e["estimate"] for e in doc["estimates"] if e["name"] == name)


# 1. text-stored numbers -------------------------------------------------------------------


@pytest.mark.parametrize(
    "form",
    [
        lambda v: f"'{v}",
        lambda v: f'="{v}"',
        lambda v: str(v).translate(str.maketrans("0123456789.", "０１２３４５６７８９．")),
        lambda v: f"RMB {v}",
        lambda v: f"CNY {v * 1000:,.1f}",
        lambda v: f"{v}%",
    ],
    ids=["apostrophe", "excel-text", "full-width", "rmb", "cny-thousands", "percent"],
)
def test_its_reads_text_stored_numbers_like_the_numbers(tmp_path, capsys, form) -> None:
    t, y = its_series()
    cells = [form(v) for v in y]
    path = write(tmp_path / "s.csv", ["t", "y"], [[a, b] for a, b in zip(t, cells)])
    before = sha(path)
    code, out, err = run(
        capsys, "its", "--data", str(path), "--time", "t", "--outcome", "y",
        "--intervention", str(T0), "--json",
    )  # fmt: skip
    assert code == 0, err
    scale = 1000 if "CNY" in cells[0] else 1
    assert estimate(out, "level") == pytest.approx(ols_level(t, y * scale), rel=1e-6)
    assert sha(path) == before


def test_percent_column_is_recorded_on_the_percent_scale(tmp_path) -> None:
    path = write(tmp_path / "p.csv", ["t", "share"], [[1, "45.3%"], [2, "46.1%"]])
    frame = read_frame(path)
    assert frame["share"].tolist() == [45.3, 46.1]
    assert frame.attrs["percent_columns"] == ["share"]


def test_a_cell_that_is_not_a_number_is_named_not_missing(tmp_path, capsys) -> None:
    t, y = its_series()
    cells = [str(v) for v in y]
    cells[6] = "abc"  # data row 7 = spreadsheet row 8
    path = write(tmp_path / "s.csv", ["t", "y"], [[a, b] for a, b in zip(t, cells)])
    code, out, err = run(
        capsys, "its", "--data", str(path), "--time", "t", "--outcome", "y",
        "--intervention", str(T0),
    )  # fmt: skip
    assert code == 1 and out == ""
    assert f"{path}: row 8, column 'y': 'abc' is not a number" in err
    assert "missing" not in err.split("'abc'")[1].split(";")[0]
    code, _, err = run(
        capsys, "its", "--data", str(path), "--time", "t", "--outcome", "y",
        "--intervention", str(T0), "--lang", "zh",
    )  # fmt: skip
    assert code == 1 and "'abc' 不是数字" in err and f"文件 {path}，第 8 行" in err


def test_did_reads_money_and_wrapped_numbers(tmp_path, capsys) -> None:
    rows, truth = did_rows()
    for row in rows:
        row[2] = f"￥{row[2]:,.2f}" if row[0] == "u1" else f'="{row[2]}"'
    path = write(tmp_path / "p.csv", ["unit", "year", "y", "first"], rows)
    code, out, err = run(capsys, *did_args(path), "--estimator", "2x2", "--json")
    assert code == 0, err
    assert estimate(out, "att") == pytest.approx(truth, rel=1e-9)


def did_rows(
    units: tuple[str, ...] = ("u0", "u1", "u2", "u3"), seed: int = 2
) -> tuple[list[list[object]], float]:
    """A 2x2 panel (u0 treated from 2004) and its DiD computed from the cell means."""
    rng = np.random.default_rng(seed)
    rows = []
    for i, unit in enumerate(units):
        for year in range(2000, 2008):
            effect = 2.0 if (i == 0 and year >= 2004) else 0.0
            value = round(1000 + 10 * i + 3 * (year - 2000) + effect + rng.normal(0, 1), 2)
            rows.append([unit, year, value, 2004 if i == 0 else 0])
    f = pd.DataFrame(rows, columns=["unit", "year", "y", "first"])
    treated, post = f["unit"] == units[0], f["year"] >= 2004
    mean = lambda m: f.loc[m, "y"].mean()  # noqa: E731
    truth = (mean(treated & post) - mean(treated & ~post)) - (
        mean(~treated & post) - mean(~treated & ~post)
    )
    return rows, float(truth)


def did_args(path: Path, first: str = "first") -> list[str]:
    return [
        "did", "--data", str(path), "--unit", "unit", "--time", "year", "--outcome", "y",
        "--first-treated", first,
    ]  # fmt: skip


def test_numbers_rule_directly() -> None:
    assert parse_number("CNY 1,234.50").value == 1234.5
    assert parse_number("1.5万元") is None  # scaled money is never read as 1.5
    assert parse_number("1,23") is None
    with pytest.raises(InputError, match="'x' is not a number"):
        numeric_values(pd.DataFrame({"y": ["1", "x"]}), "y")


# 2. mixed share scales --------------------------------------------------------------------


def test_its_refuses_a_share_in_proportions_before_and_percent_after(tmp_path, capsys) -> None:
    rng = np.random.default_rng(5)
    pre = np.round(0.40 + rng.normal(0, 0.01, T0 - 1), 3)
    post = np.round(45 + rng.normal(0, 1, N - T0 + 1), 1)
    t = np.arange(1, N + 1)
    path = write(tmp_path / "s.csv", ["t", "share"], [[a, b] for a, b in zip(t, [*pre, *post])])
    code, out, err = run(
        capsys, "its", "--data", str(path), "--time", "t", "--outcome", "share",
        "--intervention", str(T0),
    )  # fmt: skip
    assert code == 1 and out == ""
    assert str(path) in err and "two scales" in err
    assert f"{pre[0]:g} (row 2)" in err and f"{post[0]:g} (row {T0 + 1})" in err


def test_a_share_rising_through_one_percent_is_not_refused() -> None:
    frame = pd.DataFrame({"share": [0.3, 0.8, 2.1, 2.6, 4.3, 4.8, 6.1]})
    require_one_share_scale(frame, "share")  # one scale: a rise, not two scales


def test_did_refuses_a_unit_in_proportions_among_units_in_percent(tmp_path, capsys) -> None:
    rows, _ = did_rows()
    for row in rows:
        row[2] = round(row[2] / 20, 2)  # shares in percent, about 50
        if row[0] == "u2":
            row[2] = round(row[2] / 100, 4)  # this county wrote proportions
    path = write(tmp_path / "p.csv", ["unit", "year", "y", "first"], rows)
    code, out, err = run(capsys, *did_args(path), "--estimator", "2x2")
    assert code == 1 and out == ""
    assert "two scales" in err and "unit 'u2'" in err and str(path) in err


# 3. totals as units -----------------------------------------------------------------------


@pytest.mark.parametrize("label", ["合计", "全市", "合 计", "Total", "全县合计"])
def test_did_refuses_a_total_row_as_a_unit(tmp_path, capsys, label) -> None:
    rows, _ = did_rows(units=("u0", "u1", "u2", label))
    path = write(tmp_path / "p.csv", ["unit", "year", "y", "first"], rows)
    code, out, err = run(capsys, *did_args(path), "--estimator", "2x2")
    assert code == 1 and out == ""
    assert repr(label) in err and "total" in err and str(path) in err


def test_a_unit_equal_to_the_sum_of_the_others_is_refused() -> None:
    rng = np.random.default_rng(4)
    counts = rng.integers(10, 50, size=(3, 6))
    frame = pd.DataFrame(
        [
            {"county": c, "month": m, "visits": int(v)}
            for c, row in zip(["420101", "420102", "420103"], counts)
            for m, v in enumerate(row)
        ]
        + [{"county": "420100", "month": m, "visits": int(v)} for m, v in enumerate(counts.sum(0))]
    )
    with pytest.raises(InputError, match="'420100'.*is a total"):
        require_no_totals(frame, "county", time="month", counts=["visits"])


def test_comparative_its_refuses_a_total_among_the_controls(tmp_path, capsys) -> None:
    t, y = its_series()
    rows = [[u, a, b + 5 * k] for k, u in enumerate(["A", "B", "全市"]) for a, b in zip(t, y)]
    path = write(tmp_path / "s.csv", ["county", "t", "y"], rows)
    code, _, err = run(
        capsys, "its", "--data", str(path), "--time", "t", "--outcome", "y",
        "--intervention", str(T0), "--unit", "county", "--select", "A", "--controls", "*",
    )  # fmt: skip
    assert code == 1 and "'全市'" in err and "total" in err


# 4. identity ------------------------------------------------------------------------------


def test_did_refuses_two_forms_of_the_treated_county(tmp_path, capsys) -> None:
    rows, _ = did_rows(units=("420101", "420102", "420103", "420104"))
    for row in rows:
        if row[0] == "420101" and row[1] >= 2006:
            row[0] = "420101000"  # the same county, written in its 9-digit form
    path = write(tmp_path / "p.csv", ["unit", "year", "y", "first"], rows)
    before = sha(path)
    code, out, err = run(capsys, *did_args(path), "--estimator", "2x2")
    assert code == 1 and out == ""
    assert "'420101'" in err and "'420101000'" in err and "row 8" in err and str(path) in err
    assert sha(path) == before


def test_did_reads_wrapped_codes_as_one_unit(tmp_path, capsys) -> None:
    rows, truth = did_rows(units=("420101", "420102", "420103", "420104"))
    for i, row in enumerate(rows):
        if row[0] == "420101":
            row[0] = ['="420101"', "'420101", "４２０１０１", "420101.0"][i % 4]
    path = write(tmp_path / "p.csv", ["unit", "year", "y", "first"], rows)
    code, out, err = run(capsys, *did_args(path), "--estimator", "2x2", "--json")
    assert code == 0, err
    assert estimate(out, "att") == pytest.approx(truth, rel=1e-9)
    assert json.loads(out)["panel"]["n_units"] == 4


def test_unit_codes_rule() -> None:
    frame = pd.DataFrame({"u": ['="420101"', "420102.0", "4.20101E+17"]})
    with pytest.raises(InputError, match="scientific notation"):
        unit_codes(frame, "u")
    assert unit_codes(frame.iloc[:2], "u").tolist() == ["420101", "420102"]


def panel_inputs(tmp_path: Path, reform_code: str) -> tuple[Path, Path]:
    months = pd.date_range("2021-01-01", periods=24, freq="MS").strftime("%Y-%m-%d")
    rows = [
        [c, m, 10 + i, 40] for c in ("420101", "420102", "420103") for i, m in enumerate(months)
    ]
    series = write(
        tmp_path / "series.csv", ["district", "month", "visits_primary", "visits_total"], rows
    )
    reforms = write(
        tmp_path / "reforms.csv", ["county", "reform_date"], [[reform_code, "2022-01-01"]]
    )
    return series, reforms


def test_panel_refuses_a_reform_table_in_another_code_form(tmp_path, capsys) -> None:
    series, reforms = panel_inputs(tmp_path, "420101000")
    code, _, err = run(
        capsys, "panel", "--series", str(series), "--reforms", str(reforms),
        "--frequency", "annual", "--out", str(tmp_path / "panel.csv"),
    )  # fmt: skip
    assert code == 1
    assert "'420101'" in err and "'420101000'" in err
    assert str(series) in err and str(reforms) in err
    assert not (tmp_path / "panel.csv").exists()


def test_panel_accepts_a_wrapped_code_in_the_reform_table(tmp_path, capsys) -> None:
    series, reforms = panel_inputs(tmp_path, '="420101"')
    out_path = tmp_path / "panel.csv"
    code, _, err = run(
        capsys, "panel", "--series", str(series), "--reforms", str(reforms),
        "--frequency", "annual", "--out", str(out_path),
    )  # fmt: skip
    assert code == 0, err
    panel = pd.read_csv(out_path, dtype={"county": str})
    assert set(panel.loc[panel["first_treated"] == 2022, "county"]) == {"420101"}


# 5. time labels ---------------------------------------------------------------------------


def month_labels(fmt) -> list[str]:
    return [fmt(2021 + i // 12, i % 12 + 1) for i in range(N)]


@pytest.mark.parametrize(
    "fmt, intervention",
    [
        (lambda y, m: f"{y}．{m:02d}", "2022-01"),
        (lambda y, m: f"{y}.{m:02d}", "2022.01"),
        (lambda y, m: str((pd.Timestamp(y, m, 1) - pd.Timestamp(1899, 12, 30)).days), "2022-01"),
    ],
    ids=["full-width-dot", "year-dot-month", "excel-serial"],
)
def test_its_reads_month_labels_as_months(tmp_path, capsys, fmt, intervention) -> None:
    _, y = its_series()
    labels = month_labels(fmt)
    path = write(tmp_path / "s.csv", ["month", "y"], [[a, b] for a, b in zip(labels, y)])
    code, out, err = run(
        capsys, "its", "--data", str(path), "--time", "month", "--outcome", "y",
        "--intervention", intervention, "--json",
    )  # fmt: skip
    assert code == 0, err
    # 2022-01 is the 13th month of the series
    assert estimate(out, "level") == pytest.approx(ols_level(np.arange(1, N + 1), y), rel=1e-6)


def test_year_dot_month_labels_stay_months(tmp_path) -> None:
    path = write(tmp_path / "m.csv", ["month", "y"], [["2018.01", 1], ["2018.10", 2]])
    frame = read_frame(path)
    assert frame["month"].tolist() == ["2018.01", "2018.10"]
    axis = parse_time(frame["month"], name="month", rows=frame.index)
    assert np.diff(axis.positions).tolist() == [9.0]  # January to October


def test_no_traceback_for_unreadable_times(tmp_path, capsys) -> None:
    path = write(tmp_path / "m.csv", ["month", "y"], [["？？", 1.0], ["！！", 2.0]])
    code, _, err = run(
        capsys, "its", "--data", str(path), "--time", "month", "--outcome", "y",
        "--intervention", "1",
    )  # fmt: skip
    assert code == 1 and "Traceback" not in err and str(path) in err


def test_did_reads_chinese_months_like_iso_months(tmp_path, capsys) -> None:
    rows, truth = did_rows()
    months = {y: f"{2020 + (y - 2000) // 12}-{(y - 2000) % 12 + 1:02d}" for y in range(2000, 2008)}
    iso = [[u, months[y], v, "2020-05" if f else 0] for u, y, v, f in rows]
    chinese = [[u, f"{m[:4]}年{int(m[5:])}月", v, "2020年5月" if f else 0] for u, m, v, f in iso]
    results = []
    for name, table in (("iso.csv", iso), ("zh.csv", chinese)):
        path = write(tmp_path / name, ["unit", "year", "y", "first"], table)
        code, out, err = run(capsys, *did_args(path), "--estimator", "2x2", "--json")
        assert code == 0, err
        results.append(estimate(out, "att"))
    assert results[0] == pytest.approx(truth, rel=1e-9)
    assert results[1] == pytest.approx(truth, rel=1e-9)


# 6. a 0/1 indicator given as --first-treated ----------------------------------------------


def test_did_refuses_an_indicator_as_first_treated_and_takes_it_as_indicator(
    tmp_path, capsys
) -> None:
    rows, truth = did_rows()
    indicator = [[u, y, v, int(f and y >= f)] for u, y, v, f in rows]
    path = write(tmp_path / "p.csv", ["unit", "year", "y", "d"], indicator)
    code, out, err = run(capsys, *did_args(path, "d"), "--estimator", "2x2")
    assert code == 1 and out == ""
    assert "--first-treated 'd'" in err and "0/1" in err and "--treated-indicator" in err
    args = did_args(path, "d")
    args[args.index("--first-treated") : args.index("--first-treated") + 2] = [
        "--treated-indicator", "d",
    ]  # fmt: skip
    code, out, err = run(capsys, *args, "--estimator", "2x2", "--json")
    assert code == 0, err
    assert estimate(out, "att") == pytest.approx(truth, rel=1e-9)
    ever = [[u, y, v, 1 if f else 0] for u, y, v, f in rows]
    with pytest.raises(PanelError, match="0/1"):
        prepare_panel(
            pd.DataFrame(ever, columns=["unit", "year", "y", "e"]),
            unit="unit", time="year", outcome="y", first_treated="e",
        )  # fmt: skip


# 7. refusals name the file, in the user's language ---------------------------------------


def test_refusals_name_the_data_file_in_every_command(tmp_path, capsys) -> None:
    t, y = its_series()
    its_path = write(tmp_path / "s.csv", ["t", "y"], [[a, b] for a, b in zip(t, y)])
    code, _, err = run(
        capsys, "its", "--data", str(its_path), "--time", "t", "--outcome", "y",
        "--intervention", "99",
    )  # fmt: skip
    assert code == 1 and str(its_path) in err
    rows, _ = did_rows()
    did_path = write(tmp_path / "p.csv", ["unit", "year", "y", "first"], rows[1:])  # unbalanced
    code, _, err = run(capsys, *did_args(did_path), "--lang", "zh")
    assert code == 1 and f"错误: 文件 {did_path}" in err
    series, reforms = panel_inputs(tmp_path, "420101")
    code, _, err = run(
        capsys, "report", "--series", str(series), "--county", "999999",
        "--out", str(tmp_path / "r.html"),
    )  # fmt: skip
    assert code == 1 and str(series) in err


def test_did_refusal_in_chinese_names_file_and_row(tmp_path, capsys) -> None:
    rows, _ = did_rows()
    rows[5][2] = "缺"
    path = write(tmp_path / "p.csv", ["unit", "year", "y", "first"], rows)
    code, _, err = run(capsys, *did_args(path), "--lang", "zh")
    assert code == 1
    assert f"文件 {path}，第 7 行，列 'y'：'缺' 不是数字" in err


def test_its_group_column_refuses_two_forms_of_one_county(tmp_path, capsys) -> None:
    t, y = its_series()
    rows = [["420101" if a < 20 else "420101000000", a, b] for a, b in zip(t, y)]
    rows += [["420102", a, b + 3] for a, b in zip(t, y)]
    path = write(tmp_path / "s.csv", ["county", "t", "y"], rows)
    code, _, err = run(
        capsys, "its", "--data", str(path), "--time", "t", "--outcome", "y",
        "--intervention", str(T0), "--unit", "county", "--select", "420101",
        "--controls", "420102",
    )  # fmt: skip
    assert code == 1 and "'420101'" in err and "'420101000000'" in err and str(path) in err


def test_report_refuses_a_series_with_a_total_row(tmp_path, capsys) -> None:
    series, _ = panel_inputs(tmp_path, "420101")
    frame = pd.read_csv(series, dtype=str)
    total = frame[frame["district"] == "420101"].assign(district="全市合计")
    pd.concat([frame, total]).to_csv(series, index=False)
    before = sha(series)
    code, _, err = run(
        capsys, "report", "--series", str(series), "--county", "420101",
        "--out", str(tmp_path / "r.html"), "--lang", "zh",
    )  # fmt: skip
    assert code == 1 and "'全市合计'" in err and f"文件 {series}" in err and "合计" in err
    assert sha(series) == before and not (tmp_path / "r.html").exists()


def test_python_api_refuses_mixed_scales_and_totals() -> None:
    rows, _ = did_rows()
    frame = pd.DataFrame(rows, columns=["unit", "year", "y", "first"])
    frame["y"] = frame["y"] / 20
    frame.loc[frame["unit"] == "u3", "y"] /= 100
    with pytest.raises(PanelError, match="two scales"):
        prepare_panel(frame, unit="unit", time="year", outcome="y", first_treated="first")
    frame.loc[frame["unit"] == "u3", "unit"] = "合计"
    frame.loc[frame["unit"] == "合计", "y"] *= 100
    with pytest.raises(PanelError, match="'合计'.*total"):
        prepare_panel(frame, unit="unit", time="year", outcome="y", first_treated="first")


# 8. text cells in their identity form (read_frame) ----------------------------------------


def test_read_frame_gives_text_cells_their_identity_form(tmp_path) -> None:
    cells = ['="007001"', "'007001", "００７００１", " 007001 ", '="社区卫生服务中心（站）"']
    labels = ["社区卫生服务中心（站）", "'第１社区", "２０２３－０１", "＇A01", "乡镇卫生院"]
    path = write(tmp_path / "t.csv", ["code", "label"], [list(r) for r in zip(cells, labels)])
    frame = read_frame(path)
    # a code written any way is the code, leading zeros kept (text, not 7001)
    assert frame["code"].tolist()[:4] == ["007001"] * 4
    assert frame["code"].tolist()[4] == "社区卫生服务中心（站）"
    # Chinese text keeps its full-width brackets; digits fold; an all-ASCII cell folds wholly
    assert frame["label"].tolist() == [
        "社区卫生服务中心（站）",
        "第1社区",
        "2023-01",
        "A01",
        "乡镇卫生院",
    ]


def test_its_api_finds_a_series_named_with_full_width_brackets(tmp_path) -> None:
    from analysis.its.fit import its

    t, y = its_series(3)
    rows = [["社区卫生服务中心（站）", a, b] for a, b in zip(t, y)]
    rows += [["乡镇卫生院", a, b + 2] for a, b in zip(t, y)]
    path = write(tmp_path / "s.csv", ["unit", "t", "y"], rows)
    result = its(
        read_frame(path), time="t", outcome="y", intervention=T0, unit="unit",
        select="社区卫生服务中心（站）", errors="ols",
    )  # fmt: skip
    level = next(e for e in result.estimates() if e.name == "level")
    assert level.estimate == pytest.approx(ols_level(t.astype(float), y), rel=1e-9)


# 9. YYYY.MM first-treated periods next to YYYY.MM time labels ------------------------------


def _decimal_month_rows() -> tuple[list[list[object]], float]:
    """Units a, b treated from October 2018 (2018.10) in a panel of 2018.7 .. 2018.12."""
    labels = [f"2018.{m}" for m in range(7, 13)]
    rows, cells = [], {}
    for i, unit in enumerate("abcd"):
        for p, label in enumerate(labels):
            value = round(20 + i + 0.5 * p + ((i * 7 + p * 3) % 5) * 0.1, 2)
            value += 1.5 if (unit in "ab" and p >= 3) else 0.0
            cells[(unit, p)] = value
            rows.append([unit, label, f"{value:.2f}", "2018.10" if unit in "ab" else "0"])

    def mean(units: str, post: bool) -> float:
        return float(np.mean([v for (u, p), v in cells.items() if u in units and (p >= 3) == post]))

    truth = (mean("ab", True) - mean("ab", False)) - (mean("cd", True) - mean("cd", False))
    return rows, truth


def test_did_reads_first_treated_2018_10_as_october(tmp_path, capsys) -> None:
    rows, truth = _decimal_month_rows()
    path = write(tmp_path / "p.csv", ["unit", "period", "y", "first"], rows)
    frame = read_frame(path)
    assert set(frame["first"]) == {"2018.10", "0"}  # text like its time column, not 2018.1
    code, out, err = run(
        capsys, "did", "--data", str(path), "--unit", "unit", "--time", "period",
        "--outcome", "y", "--first-treated", "first", "--estimator", "2x2", "--json",
    )  # fmt: skip
    assert code == 0, err
    assert estimate(out, "att") == pytest.approx(truth, rel=1e-9)


def test_did_api_refuses_2018_1_as_a_number_next_to_month_labels() -> None:
    rows, _ = _decimal_month_rows()
    frame = pd.DataFrame(rows, columns=["unit", "period", "y", "first"])
    frame["first"] = pd.to_numeric(frame["first"])  # what pandas.read_csv makes of 2018.10
    with pytest.raises(PanelError, match=r"2018\.10 \(October\) and 2018\.1 \(January\)"):
        prepare_panel(frame, unit="unit", time="period", outcome="y", first_treated="first")


# 10. the ITS Python API runs the checks the its command runs -------------------------------


def test_its_api_refuses_mixed_share_scales() -> None:
    from analysis.its.errors import ITSInputError
    from analysis.its.fit import its

    t = np.arange(1, N + 1)
    y = np.where(t < T0, 0.40 + 0.001 * t, 45.0 + 0.1 * t)
    with pytest.raises(ITSInputError, match="two scales"):
        its(pd.DataFrame({"t": t, "share": y}), time="t", outcome="share", intervention=T0)


def test_its_api_refuses_a_total_series_and_two_forms_of_a_county() -> None:
    from analysis.its.errors import ITSInputError
    from analysis.its.fit import its

    t, y = its_series(4)
    long = pd.DataFrame(
        {
            "county": ["420101"] * N + ["420102"] * N + ["全市合计"] * N,
            "t": np.tile(t, 3),
            "y": np.concatenate([y, y + 1, 2 * y + 1]),
        }
    )
    with pytest.raises(ITSInputError, match="'全市合计'"):
        its(long, time="t", outcome="y", intervention=T0, unit="county", select="420101",
            controls=("*",))  # fmt: skip
    twice = long[long["county"] != "全市合计"].copy()
    twice.loc[twice.index[N - 3 : N], "county"] = "420101000"
    with pytest.raises(ITSInputError, match="'420101'.*'420101000'"):
        its(twice, time="t", outcome="y", intervention=T0, unit="county", select="420101",
            controls=("420102",))  # fmt: skip


# 11. usage errors in the chosen language -------------------------------------------------


def test_usage_errors_print_in_chinese_under_lang_zh(tmp_path, capsys) -> None:
    rows, _ = did_rows()
    path = write(tmp_path / "p.csv", ["unit", "year", "y", "first"], rows)
    code, _, err = run(capsys, *did_args(path), "--estimator", "honest", "--leads", "1",
                       "--lang", "zh")  # fmt: skip
    assert code == 2
    assert "错误: --leads 1：honest 至少需要 2" in err and "needs" not in err
    code, _, err = run(capsys, *did_args(path), "--treated-indicator", "first", "--lang", "zh")
    assert code == 2 and "只能给出其一" in err
    code, _, err = run(capsys, *did_args(path), "--estimator", "honest", "--leads", "1",
                       "--lang", "en")  # fmt: skip
    assert code == 2 and "--leads 1: honest needs at least 2" in err
    series, _ = panel_inputs(tmp_path, "420101")
    code, _, err = run(
        capsys, "report", "--series", str(series), "--county", "420101",
        "--out", str(tmp_path / "r.txt"), "--lang", "zh",
    )  # fmt: skip
    assert code == 2 and "请以 .html 结尾命名" in err


def test_two_spellings_refusal_in_chinese_offers_only_the_commands_fix(
    tmp_path: Path, capsys
) -> None:
    # The report has no code map: its Chinese refusal must not suggest one, nor keep English.
    series = tmp_path / "p.csv"
    lines = ["district,month,visits_primary,visits_total"]
    lines += [f"{d},{m},10,20" for d in ("420101", "420101000") for m in ("2024-01", "2024-02")]
    series.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code = main(
        ["report", "--series", str(series), "--county", "420101", "--reform", "2024-02",
         "--out", str(tmp_path / "r.html"), "--lang", "zh"]
    )  # fmt: skip
    err = capsys.readouterr().err
    assert code == 1
    assert "'420101'" in err and "'420101000'" in err and "p.csv 第 2 行" in err
    assert " row " not in err and "编码映射" not in err and "--code-map" not in err
