"""The shared contracts: result dialect, interval helper, exit codes, spec-generated options,
the one input reader, and the case definition read from the claims ledger."""

from __future__ import annotations

import argparse
import hashlib
import json
import math
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.chapters import case
from analysis.cli import COMMANDS
from analysis.cli import main as cli_main
from analysis.cli_spec import add_spec_options, run_guarded, spec_from_args
from analysis.datasets import load_data
from analysis.errors import EXIT_INPUT_REFUSED, EXIT_OK, EXIT_USAGE, InputError, UsageError
from analysis.estimates import Estimate, ResultMixin, critical_value, wald_interval
from analysis.options import option
from analysis.tables.frame import read_frame


@pytest.mark.parametrize("alpha, df", [(0.05, None), (0.10, None), (0.05, 7), (0.01, 30)])
def test_wald_interval_uses_the_normal_or_t_quantile(alpha, df):
    q = stats.norm.ppf(1 - alpha / 2) if df is None else stats.t.ppf(1 - alpha / 2, df)
    lo, hi = wald_interval(1.5, 0.4, alpha, df)
    assert lo == pytest.approx(1.5 - q * 0.4, abs=1e-12)
    assert hi == pytest.approx(1.5 + q * 0.4, abs=1e-12)


def test_critical_value_refuses_an_impossible_alpha():
    with pytest.raises(ValueError, match="alpha"):
        critical_value(1.2)


def test_estimate_from_se_gives_the_two_sided_p_value():
    e = Estimate.from_se("att", -0.8, 0.5, method="t(12)", df=12)
    assert e.p_value == pytest.approx(2 * stats.t.sf(1.6, 12), rel=1e-12)
    assert e.ci == (e.ci_lower, e.ci_upper)
    assert e.ci_lower < e.estimate < e.ci_upper


@dataclass(frozen=True)
class _Toy(ResultMixin):
    method_name = "toy estimator"
    values: tuple[Estimate, ...]

    def estimates(self):
        return self.values

    def summary_notes(self):
        return ["one treated unit"]

    def json_extra(self):
        return {"n": np.int64(9), "gap": np.array([1.0, math.nan]).tolist()}


def test_result_mixin_serialises_summarises_and_tabulates():
    toy = _Toy(
        (
            Estimate.from_se("level", 2.0, 0.5, method="normal"),
            Estimate("slope", 0.1, interval_method="not identified: 2 cells"),
        )
    )
    doc = toy.to_json()
    assert set(doc) == {"method", "estimates", "notes", "details"}
    assert doc["estimates"][1]["se"] is None  # NaN becomes null
    assert doc["details"] == {"n": 9, "gap": [1.0, None]}
    json.dumps(doc, allow_nan=False)
    frame = toy.to_frame()
    assert list(frame["name"]) == ["level", "slope"]
    assert {"estimate", "se", "ci_lower", "ci_upper", "p_value", "interval_method"} <= set(frame)
    text = toy.summary()
    assert "toy estimator" in text and "level" in text and "not identified: 2 cells" in text
    assert "[0.025" in text and "one treated unit" in text


@dataclass(frozen=True)
class _Spec:
    data_column: str = field(metadata=option("outcome column"))
    family: Literal["gaussian", "poisson"] = field(default="gaussian", metadata=option("family"))
    lags: int | None = field(default=None, metadata=option("lags"))
    controls: tuple[str, ...] = field(default=(), metadata=option("controls"))
    robust: bool = field(default=False, metadata=option("robust"))
    frame: object = field(default=None, metadata=option("in memory", cli=False))


def test_every_spec_field_becomes_an_option_and_round_trips():
    parser = argparse.ArgumentParser()
    flags = add_spec_options(parser, _Spec)
    assert flags == {
        "data_column": "--data-column",
        "family": "--family",
        "lags": "--lags",
        "controls": "--controls",
        "robust": "--robust",
    }
    args = parser.parse_args(
        [
            "--data-column",
            "y",
            "--lags",
            "2",
            "--controls",
            "a",
            "--controls",
            "b",
            "--robust",
            "true",
        ]
    )
    assert spec_from_args(_Spec, args) == _Spec("y", "gaussian", 2, ("a", "b"), True)
    assert spec_from_args(_Spec, parser.parse_args(["--data-column", "y"])) == _Spec("y")
    with pytest.raises(SystemExit) as usage:
        parser.parse_args(["--data-column", "y", "--family", "binomial"])
    assert usage.value.code == EXIT_USAGE


def test_run_guarded_maps_refusals_to_the_shared_exit_codes(capsys):
    def refuse():
        raise InputError("outcome='v' is not a column", file="a.csv", row=3)

    assert run_guarded(refuse, {"outcome": "--outcome"}) == EXIT_INPUT_REFUSED
    assert "a.csv: row 3: --outcome 'v' is not a column" in capsys.readouterr().err

    def contradict():
        raise UsageError("give controls= or comparison=, not both")

    assert run_guarded(contradict) == EXIT_USAGE
    assert run_guarded(lambda: "done") == EXIT_OK
    assert capsys.readouterr().out == "done\n"


def test_read_frame_reads_gb18030_and_bom_csv_and_xlsx_with_spreadsheet_rows(tmp_path):
    text = "地区,年份,份额\n黔江,2017,43.3\n武隆,2017,\n"
    (tmp_path / "gb.csv").write_bytes(text.encode("gb18030"))
    (tmp_path / "bom.csv").write_bytes(text.encode("utf-8-sig"))
    pd.DataFrame({"地区": ["黔江", "武隆"], "年份": [2017, 2017], "份额": [43.3, None]}).to_excel(
        tmp_path / "x.xlsx", index=False
    )
    for name in ("gb.csv", "bom.csv", "x.xlsx"):
        frame = read_frame(tmp_path / name)
        assert list(frame.columns) == ["地区", "年份", "份额"], name
        assert list(frame.index) == [2, 3], name
        assert frame["年份"].tolist() == [2017, 2017], name
        assert frame["份额"].iloc[0] == pytest.approx(43.3) and pd.isna(frame["份额"].iloc[1])
        assert frame["地区"].tolist() == ["黔江", "武隆"]


def test_read_frame_refuses_a_missing_file_as_input_error(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_frame(tmp_path / "absent.csv")


def test_case_facts_come_from_the_claims_ledger_and_assumptions():
    claims = load_data("claims").frame.set_index("claim_id")
    assert case.REFORM_MONTH.year == int(claims.at[case.REFORM_CLAIM, "value"])
    assert case.REFORM_MONTH.month == 1
    for share in case.SHARES.values():
        assert share.claim_ids, share.name
        for claim_id in share.claim_ids:
            assert claims.at[claim_id, "provenance"] == "reported"
    points = case.reported_points()
    reported = points.loc[points["provenance"] == "reported"]
    assert len(reported) == sum(len(s.claim_ids) for s in case.SHARES.values())
    assumed = points.loc[points["provenance"] == "assumed"].iloc[0]
    rise = claims.at[assumed["claim_id"], "value"]
    before = reported.loc[
        (reported["series"] == "visit_share") & (reported["year"] == case.REFORM_YEAR - 1), "value"
    ].iloc[0]
    assert assumed["value"] == pytest.approx(before + rise)


def test_read_frame_keeps_codes_with_leading_zeros_as_text(tmp_path):
    path = tmp_path / "codes.csv"
    path.write_text("unit,year,y\n007,2020,1.5\n07,2020,2.5\n7,2020,3.5\n", encoding="utf-8")
    frame = read_frame(path)
    assert frame["unit"].tolist() == ["007", "07", "7"]  # three units, not one
    assert frame["year"].tolist() == [2020, 2020, 2020]
    assert frame["y"].tolist() == [1.5, 2.5, 3.5]


def test_read_frame_drops_an_empty_spacer_column_and_trailing_empty_cells(tmp_path):
    path = tmp_path / "spacer.csv"
    path.write_text("a,,b\n1,,3,\n4,,6\n", encoding="utf-8")
    frame = read_frame(path)
    assert list(frame.columns) == ["a", "b"]
    assert frame.to_dict("list") == {"a": [1, 4], "b": [3, 6]}


@pytest.mark.parametrize(
    "text, row, words",
    [
        ("a,a\n1,2\n", 1, "more than once"),
        ("a,,b\n1,2,3\n", 1, "no name but holds data .first at row 2"),
        ("a,b,c\n1,2,3\n4,5\n", 3, "2 cells but the header has 3"),
        ("a,b\n1,2\n1,234.50,3\n", 3, "unquoted comma"),
    ],
)
def test_read_frame_refuses_malformed_tables_naming_the_row(tmp_path, text, row, words):
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=words) as refused:
        read_frame(path)
    assert refused.value.row == row and refused.value.file == str(path)


def _digest(path):
    return path.stat().st_mtime_ns, hashlib.sha256(path.read_bytes()).hexdigest()


def test_commands_leave_their_inputs_untouched_and_refusals_print_no_result(tmp_path, capsys):
    from analysis.cli import main

    rng = np.random.default_rng(3)
    rows = [
        {
            "unit": f"u{u}",
            "year": y,
            "y": 10 + u + 0.5 * y + 2 * (u == 0 and y >= 4) + rng.normal(0, 0.3),
            "first": 4 if u == 0 else 0,
        }
        for u in range(6)
        for y in range(8)
    ]
    panel = tmp_path / "面板.csv"
    panel.write_bytes(pd.DataFrame(rows).to_csv(index=False).encode("gb18030"))
    series = tmp_path / "series.csv"
    # noise, because an exact piecewise-linear fit is refused (zero residuals, no valid SE)
    noise = np.tile([0.3, -0.2, 0.1, -0.4], 6)
    steps = np.r_[np.arange(12.0), np.arange(12.0) + 15] + noise
    pd.DataFrame({"t": range(1, 25), "y": steps}).to_csv(series, index=False)
    runs = {
        "its done": (
            [
                "its",
                "--data",
                str(series),
                "--time",
                "t",
                "--outcome",
                "y",
                "--intervention",
                "13",
                "--json",
            ],
            EXIT_OK,
        ),
        "its refused": (
            [
                "its",
                "--data",
                str(series),
                "--time",
                "t",
                "--outcome",
                "nope",
                "--intervention",
                "13",
            ],
            EXIT_INPUT_REFUSED,
        ),
        "did done": (
            [
                "did",
                "--data",
                str(panel),
                "--unit",
                "unit",
                "--time",
                "year",
                "--outcome",
                "y",
                "--first-treated",
                "first",
                "--estimator",
                "2x2",
                "--json",
            ],
            EXIT_OK,
        ),
        "did refused": (
            [
                "did",
                "--data",
                str(panel),
                "--unit",
                "unit",
                "--time",
                "year",
                "--outcome",
                "nope",
                "--first-treated",
                "first",
            ],
            EXIT_INPUT_REFUSED,
        ),
        "validate refused": (["validate", str(panel)], EXIT_INPUT_REFUSED),
    }
    before = {p: _digest(p) for p in (panel, series)}
    for name, (argv, expected) in runs.items():
        assert main(argv) == expected, name
        out = capsys.readouterr()
        if expected == EXIT_OK:
            assert out.out.strip(), name
        else:
            assert out.out == "" and "error: " in out.err, name
            assert "Traceback" not in out.err, name
    assert {p: _digest(p) for p in (panel, series)} == before


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_prints_its_help(command, capsys):
    # argparse formats help texts with %, so a literal "%d/%m/%Y" or "5 %" once crashed --help
    assert cli_main([command, "--help"]) == 0
    assert "usage: python -m analysis" in capsys.readouterr().out
