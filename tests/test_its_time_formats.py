"""Time as users write it: one test per accepted format and per refusal (warnings are errors).

Every format must give the same fit as the canonical first-of-month dates; refusals name the
row as a spreadsheet shows it (header = row 1) and the user's own time labels.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.cli import main
from analysis.its import its
from analysis.its.errors import ITSInputError
from analysis.tables.frame import read_frame
from analysis.tables.timelabels import TimeLabelError, parse_point, parse_time

pytestmark = pytest.mark.filterwarnings("error")

N = 36
MONTHS = pd.date_range("2021-01-01", periods=N, freq="MS")


def series() -> pd.DataFrame:
    rng = np.random.default_rng(5)
    t = np.arange(N)
    share = 30 + 0.1 * t + 2.0 * (t >= 24) + rng.normal(0, 0.3, N)
    return pd.DataFrame({"month": MONTHS.strftime("%Y-%m-%d"), "share": share})


@pytest.fixture(scope="module")
def reference():
    return its(series(), time="month", outcome="share", intervention="2023-01-01")


def written(path: Path, frame: pd.DataFrame) -> pd.DataFrame:
    frame.to_csv(path, index=False, encoding="utf-8")
    return read_frame(path)


def same_fit(result, reference) -> None:
    np.testing.assert_allclose(result.params.to_numpy(), reference.params.to_numpy(), atol=1e-9)
    assert result.n == reference.n


@pytest.mark.parametrize(
    ("labels", "intervention"),
    [
        (MONTHS.strftime("%Y-%m-%d"), "2023-01-01"),
        (MONTHS.strftime("%Y-%m"), "2023-01"),
        (MONTHS.strftime("%Y/%m/%d"), "2023-01"),
        ([f"{d.year}年{d.month}月" for d in MONTHS], "2023年1月"),
        (MONTHS.strftime("%Y%m").astype(int), 202301),
    ],
    ids=["iso-date", "yyyy-mm", "slashes", "chinese-month", "yyyymm"],
)
def test_month_formats_give_the_same_fit(tmp_path, reference, labels, intervention) -> None:
    frame = written(tmp_path / "s.csv", series().assign(month=list(labels)))
    result = its(frame, time="month", outcome="share", intervention=intervention)
    same_fit(result, reference)
    assert result.time_unit == "month"


def test_yyyymm_december_to_january_is_one_month(tmp_path) -> None:
    frame = written(tmp_path / "s.csv", series().assign(month=MONTHS.strftime("%Y%m").astype(int)))
    axis = parse_time(frame["month"])
    assert axis.time_format == "yyyymm"
    dec, jan = list(frame["month"]).index(202212), list(frame["month"]).index(202301)
    assert axis.positions[jan] - axis.positions[dec] == 1
    result = its(frame, time="month", outcome="share", intervention=202301)
    assert any("read as YYYYMM months" in n for n in result.notices)


def test_excel_dates_are_read(tmp_path, reference) -> None:
    path = tmp_path / "s.xlsx"
    series().assign(month=MONTHS).to_excel(path, index=False)
    result = its(read_frame(path), time="month", outcome="share", intervention="2023-01")
    same_fit(result, reference)


def test_years(tmp_path) -> None:
    rng = np.random.default_rng(2)
    years = np.arange(2001, 2021)
    y = 10 - 0.2 * (years - 2001) - 3 * (years >= 2012) + rng.normal(0, 0.2, 20)
    frame = written(tmp_path / "y.csv", pd.DataFrame({"year": years, "y": y}))
    result = its(frame, time="year", outcome="y", intervention=2012)
    assert result.time_unit == "year" and result.intervention_label == "2012"
    cn = frame.assign(year=[f"{v}年" for v in years])
    assert its(cn, time="year", outcome="y", intervention="2012年").params.equals(result.params)


@pytest.mark.parametrize(
    ("form", "intervention"),
    [
        (lambda y, q: f"{y}Q{q}", "2023Q1"),
        (lambda y, q: f"{y}-Q{q}", "2023-Q1"),
        (lambda y, q: f"{y}年第{q}季度", "2023年第1季度"),
        (lambda y, q: f"{y}年{q}季度", "2023Q1"),
    ],
    ids=["2023Q1", "2023-Q1", "chinese-quarter", "chinese-quarter-short"],
)
def test_quarters(form, intervention) -> None:
    rng = np.random.default_rng(3)
    quarters = [(2018 + i // 4, i % 4 + 1) for i in range(24)]
    y = 5 + 0.05 * np.arange(24) + 1.0 * (np.arange(24) >= 20) + rng.normal(0, 0.1, 24)
    frame = pd.DataFrame({"q": [form(a, b) for a, b in quarters], "y": y})
    result = its(frame, time="q", outcome="y", intervention=intervention)
    assert result.time_unit == "quarter"
    assert result.counterfactual["post"].sum() == 4  # 2023Q1..2023Q4
    assert parse_point(intervention, "quarter") == 4 * 2023


def test_ambiguous_integers_are_refused_with_the_fix() -> None:
    frame = pd.DataFrame({"t": np.arange(202301, 202313), "y": np.arange(12.0) ** 1.5})
    with pytest.raises(TimeLabelError, match="--time-format yyyymm or --time-format number"):
        its(frame, time="t", outcome="y", intervention=202307)
    fit = its(frame, time="t", outcome="y", intervention=202307, time_format="number")
    assert fit.time_unit == "unit"


def test_yyyymmdd_integers_are_refused_with_the_fix() -> None:
    days = pd.date_range("2021-01-01", periods=N, freq="MS").strftime("%Y%m%d").astype(int)
    frame = series().assign(month=days)
    with pytest.raises(TimeLabelError, match="--time-format month"):
        its(frame, time="month", outcome="share", intervention=20230101)
    its(frame, time="month", outcome="share", intervention="2023-01", time_format="month")


def test_unreadable_time_names_the_spreadsheet_row(tmp_path) -> None:
    frame = series()
    frame.loc[4, "month"] = "sometime"
    data = written(tmp_path / "s.csv", frame)
    with pytest.raises(TimeLabelError, match=r"row 6, column 'month': cannot read 'sometime'"):
        its(data, time="month", outcome="share", intervention="2023-01")
    frame.loc[4, "month"] = "2021-13"
    with pytest.raises(TimeLabelError, match=r"row 6, column 'month': '2021-13' has month 13"):
        its(
            written(tmp_path / "t.csv", frame),
            time="month",
            outcome="share",
            intervention="2023-01",
        )


def test_unsorted_rows_are_sorted_with_a_notice(tmp_path, reference) -> None:
    shuffled = series().sample(frac=1.0, random_state=1)
    data = written(tmp_path / "s.csv", shuffled)
    result = its(data, time="month", outcome="share", intervention="2023-01")
    same_fit(result, reference)
    notice = [n for n in result.notices if "not in time order" in n]
    # spreadsheet rows and the user's labels, not internal month numbers such as 24276
    assert re.search(r"\(row \d+, 20\d\d-\d\d-01, follows row \d+, 20\d\d-\d\d-01\)", notice[0])


def test_repeated_times_name_both_rows_and_suggest_unit_select(tmp_path) -> None:
    two = pd.concat([series().assign(county="A"), series().assign(county="B")])
    data = written(tmp_path / "s.csv", two)
    with pytest.raises(
        ITSInputError, match=r"rows 2 and 38 both have month = 2021-01-01.*--unit|unit=COL"
    ):
        its(data, time="month", outcome="share", intervention="2023-01")


def test_unit_select_picks_one_series(tmp_path, reference) -> None:
    other = series().assign(share=lambda d: d["share"] + 5, county="B")
    two = pd.concat([other, series().assign(county="A")])
    data = written(tmp_path / "s.csv", two)
    result = its(
        data, time="month", outcome="share", intervention="2023-01", unit="county", select="A"
    )
    same_fit(result, reference)
    with pytest.raises(ITSInputError, match="values: B, A"):
        its(data, time="month", outcome="share", intervention="2023-01", unit="county", select="C")
    with pytest.raises(ITSInputError, match="pick the treated one with select"):
        its(data, time="month", outcome="share", intervention="2023-01", unit="county")


def test_messages_use_the_users_labels(tmp_path) -> None:
    frame = series().assign(month=[f"{d.year}年{d.month}月" for d in MONTHS])
    with pytest.raises(ITSInputError, match=r"first time \(2021年1月\).*last \(2023年12月\)"):
        its(frame, time="month", outcome="share", intervention="2030年1月")


def test_cli_reads_chinese_months_without_warnings(tmp_path, capsys) -> None:
    """In-process through the dispatcher; warnings are errors in this file (pytestmark)."""
    path = tmp_path / "s.csv"
    series().assign(month=[f"{d.year}年{d.month}月" for d in MONTHS]).to_csv(path, index=False)
    args = ["--data", str(path), "--time", "month", "--outcome", "share"]
    assert main(["its", *args, "--intervention", "2023年1月"]) == 0
    out = capsys.readouterr()
    assert "Warning" not in out.err and "2023年1月" in out.out
    assert main(["its", *args, "--intervention", "2023年13月"]) == 1
    assert "month 13" in capsys.readouterr().err
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        parse_time(["2023年1月", "2023年2月"])
