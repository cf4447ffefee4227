"""``python -m analysis did`` as a public interface: options from DiDSpec, JSON, exit codes."""

from __future__ import annotations

import argparse
import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from analysis import paths
from analysis.cli_spec import spec_from_args
from analysis.did import cli
from analysis.did.simulate import simulate_single_treated, simulate_staggered
from analysis.did.spec import ESTIMATORS, DiDSpec
from analysis.errors import EXIT_INPUT_REFUSED, EXIT_OK, EXIT_USAGE
from analysis.estimates import ESTIMATE_COLUMNS

TOP_LEVEL = {"estimator", "panel", "method", "estimates", "notes", "details"}
ESTIMATE_KEYS = set(ESTIMATE_COLUMNS)


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "analysis", "did", *args],
        cwd=paths.ROOT,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def run_inline(*args: str, capsys) -> tuple[int, str, str]:
    """Run the command in-process (faster than a subprocess) and capture its output."""
    parser = argparse.ArgumentParser()
    cli.configure(parser)
    code = cli.run(parser.parse_args(list(args)))
    out = capsys.readouterr()
    return code, out.out, out.err


def base_args(path: Path) -> list[str]:
    return [
        "--data",
        str(path),
        "--unit",
        "unit",
        "--time",
        "time",
        "--outcome",
        "y",
        "--first-treated",
        "first_treated",
    ]


@pytest.fixture(scope="module")
def common_csv(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("did") / "common.csv"
    frame = simulate_staggered(
        n_units=40, n_periods=6, cohorts=(3,), shape="constant", never_share=0.5, seed=5
    )
    # Never-treated written as empty cells: the command must read them as never treated.
    frame["first_treated"] = frame["first_treated"].map(lambda v: "" if v == 0 else v)
    frame.drop(columns="true_effect").to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def staggered_csv(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("did") / "staggered.csv"
    frame = simulate_staggered(n_units=120, n_periods=6, cohorts=(2, 4), shape="constant", seed=5)
    frame.drop(columns="true_effect").to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def single_csv(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("did") / "single.csv"
    simulate_single_treated(n_controls=8, n_periods=20, treat_period=14, seed=3).to_csv(
        path, index=False
    )
    return path


def test_every_spec_field_has_an_option():
    parser = argparse.ArgumentParser()
    cli.configure(parser)
    flags = {a.dest: a.option_strings for a in parser._actions}
    for f in dataclasses.fields(DiDSpec):
        assert flags.get(f.name), f.name
    assert set(ESTIMATORS) == {
        "2x2",
        "twfe",
        "event",
        "cs",
        "sc",
        "sdid",
        "placebo",
        "permutation",
        "wild",
        "honest",
    }
    assert "--comparison" in flags["comparison"] and "control" not in flags


def test_help_lists_every_estimator_and_inference_option():
    result = run_cli("--help")
    assert result.returncode == EXIT_OK
    text = " ".join(result.stdout.split())
    for name in ESTIMATORS:
        assert name in text, name
    for flag in ("--alpha", "--vcov", "--inference", "--always-treated", "--leads", "--draws"):
        assert flag in text, flag
    for choice in ("auto", "cluster", "collapse", "permutation", "conley-taber"):
        assert choice in text, choice
    for choice in ("CR1", "CR3", "HC1", "linearmodels"):
        assert choice in text, choice
    assert "{error,drop,keep}" in text
    assert "honest needs 2 or more" in text


def test_options_round_trip_into_the_spec(common_csv):
    parser = argparse.ArgumentParser()
    cli.configure(parser)
    args = parser.parse_args(
        [
            *base_args(common_csv),
            "--estimator",
            "honest",
            "--alpha",
            "0.1",
            "--m-grid",
            "0",
            "0.5",
            "--always-treated",
            "drop",
            "--comparison",
            "notyet",
            "--draws",
            "99",
        ]
    )
    spec = spec_from_args(DiDSpec, args)
    assert spec == DiDSpec(
        unit="unit",
        time="time",
        outcome="y",
        first_treated="first_treated",
        estimator="honest",
        alpha=0.1,
        m_grid=(0.0, 0.5),
        always_treated="drop",
        comparison="notyet",
        draws=99,
    )


ESTIMATOR_RUNS = [
    ("2x2", "common", []),
    ("twfe", "staggered", []),
    ("event", "common", ["--leads", "2", "--lags", "2"]),
    ("cs", "staggered", ["--comparison", "notyet"]),
    ("sc", "single", []),
    ("placebo", "single", []),
    ("permutation", "common", ["--draws", "500", "--seed", "3"]),
    ("wild", "common", ["--draws", "99", "--bootstrap-weights", "rademacher"]),
    ("sdid", "single", ["--draws", "50"]),
    ("twfe", "single", ["--inference", "permutation"]),
    ("2x2", "single", ["--inference", "conley-taber"]),
    ("event", "single", ["--leads", "0", "--lags", "1"]),
    ("event", "single", ["--leads", "1", "--lags", "1", "--vcov", "CR3"]),
    (
        "honest",
        "common",
        ["--leads", "2", "--lags", "2", "--restriction", "smoothness", "--m-grid", "0", "0.1"],
    ),
]


@pytest.mark.parametrize("estimator, data, extra", ESTIMATOR_RUNS)
def test_each_estimator_gives_the_same_top_level_keys(
    estimator, data, extra, common_csv, staggered_csv, single_csv, capsys
):
    path = {"common": common_csv, "staggered": staggered_csv, "single": single_csv}[data]
    if estimator == "sdid":
        pytest.importorskip("analysis.did.sdid")  # helper A2's module (issue 12)
    code, out, err = run_inline(
        *base_args(path), "--estimator", estimator, *extra, "--json", capsys=capsys
    )
    assert code == EXIT_OK, err
    doc = json.loads(out)
    assert set(doc) == TOP_LEVEL
    assert doc["estimator"] == estimator
    assert doc["estimates"] and all(set(e) == ESTIMATE_KEYS for e in doc["estimates"])
    assert all(e["interval_method"] for e in doc["estimates"])
    assert doc["panel"]["n_units"] > 0


def test_cs_json_carries_group_time_cells(staggered_csv, capsys):
    code, out, err = run_inline(
        *base_args(staggered_csv), "--estimator", "cs", "--json", capsys=capsys
    )
    assert code == EXIT_OK, err
    doc = json.loads(out)
    simple = doc["estimates"][0]
    assert simple["ci_lower"] < simple["estimate"] < simple["ci_upper"]
    assert simple["estimate"] == pytest.approx(1.0, abs=0.4)
    cells = doc["details"]["group_time"]
    assert {(r["group"], r["time"]) for r in cells} >= {(2012, 2012), (2014, 2015)}
    assert {"estimate", "se", "ci_lower", "ci_upper", "p_value"} <= set(cells[0])
    assert "att" not in cells[0]


def test_event_json_has_reference_row_and_post_average(common_csv, capsys):
    _, out, _ = run_inline(
        *base_args(common_csv),
        "--estimator",
        "event",
        "--leads",
        "2",
        "--lags",
        "2",
        "--alpha",
        "0.1",
        "--json",
        capsys=capsys,
    )
    doc = json.loads(out)
    rows = doc["details"]["event_study"]
    assert [r["rel_time"] for r in rows] == [-2, -1, 0, 1, 2]
    assert rows[1]["estimate"] == 0 and rows[1]["ci_lower"] is None
    average = doc["estimates"][0]
    assert average["name"] == "post-period average" and average["alpha"] == 0.1
    post = [r["estimate"] for r in rows if r["rel_time"] >= 0]
    assert average["estimate"] == pytest.approx(sum(post) / len(post))
    assert set(doc["details"]["pretrend_test"]) == {"statistic", "df", "p_value", "method"}


def test_sc_json_has_weights_and_names_its_interval(single_csv, capsys):
    _, out, _ = run_inline(*base_args(single_csv), "--estimator", "sc", "--json", capsys=capsys)
    doc = json.loads(out)
    weights = doc["details"]["unit_weights"]
    assert sum(weights.values()) == pytest.approx(1.0) and len(weights) == 8
    effect = doc["estimates"][0]
    assert effect["se"] is None and 0 < effect["p_value"] <= 1
    assert effect["interval_method"]


def test_text_output_is_a_summary(single_csv, capsys):
    code, out, _ = run_inline(*base_args(single_csv), "--estimator", "sc", capsys=capsys)
    assert code == EXIT_OK
    assert "post/pre RMSPE ratio" in out and "synthetic control" in out


def test_always_treated_units_are_refused_or_dropped(tmp_path, common_csv, capsys):
    frame = pd.read_csv(common_csv)
    first_unit = frame["unit"].iloc[0]
    frame.loc[frame["unit"] == first_unit, "first_treated"] = frame["time"].min()
    path = tmp_path / "early.csv"
    frame.to_csv(path, index=False)
    code, _, err = run_inline(*base_args(path), "--estimator", "2x2", capsys=capsys)
    assert code == EXIT_INPUT_REFUSED and "--always-treated 'drop'" in err
    code, out, _ = run_inline(
        *base_args(path), "--estimator", "2x2", "--always-treated", "drop", "--json", capsys=capsys
    )
    assert code == EXIT_OK
    doc = json.loads(out)
    assert doc["panel"]["n_dropped_always_treated"] == 1 and doc["notes"]


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda f: f.drop(columns="y"), "--outcome 'y'"),
        (lambda f: pd.concat([f, f.iloc[[0]]]), "duplicated unit-time"),
        (lambda f: f.iloc[1:], "--balance 'drop'"),
        (lambda f: f.assign(y=f["y"].where(f.index != 4)), "--outcome 'y' has 1 missing"),
    ],
)
def test_bad_input_exits_1_with_one_line_naming_the_flag(
    tmp_path, single_csv, mutate, message, capsys
):
    bad = tmp_path / "bad.csv"
    mutate(pd.read_csv(single_csv)).to_csv(bad, index=False)
    code, out, err = run_inline(*base_args(bad), "--json", capsys=capsys)
    assert code == EXIT_INPUT_REFUSED
    assert out == ""
    assert err.startswith("error: ") and message in err and err.count("\n") == 1


def test_spreadsheet_row_numbers_name_the_bad_row(tmp_path, single_csv, capsys):
    frame = pd.read_csv(single_csv)
    frame.loc[6, "y"] = None  # data row 7 is spreadsheet row 8 (the header is row 1)
    bad = tmp_path / "hole.csv"
    frame.to_csv(bad, index=False)
    _, _, err = run_inline(*base_args(bad), capsys=capsys)
    assert "row 8" in err


def test_gb18030_and_xlsx_input(tmp_path, single_csv, capsys):
    frame = pd.read_csv(single_csv).rename(columns={"unit": "地区"})
    frame.to_csv(tmp_path / "gb.csv", index=False, encoding="gb18030")
    frame.to_excel(tmp_path / "x.xlsx", index=False)
    results = []
    for name in ("gb.csv", "x.xlsx"):
        code, out, err = run_inline(
            "--data",
            str(tmp_path / name),
            "--unit",
            "地区",
            "--time",
            "time",
            "--outcome",
            "y",
            "--first-treated",
            "first_treated",
            "--estimator",
            "placebo",
            "--json",
            capsys=capsys,
        )
        assert code == EXIT_OK, err
        results.append(json.loads(out)["estimates"][0]["p_value"])
    assert results[0] == results[1]


def test_missing_file_and_wrong_design_are_refused(tmp_path, staggered_csv, capsys):
    code, _, err = run_inline(*base_args(tmp_path / "nope.csv"), capsys=capsys)
    assert code == EXIT_INPUT_REFUSED and err.startswith("error: ")
    code, _, err = run_inline(*base_args(staggered_csv), "--estimator", "sc", capsys=capsys)
    assert code == EXIT_INPUT_REFUSED and "adoption dates" in err


def test_bad_alpha_is_a_usage_error_naming_the_flag(common_csv, capsys):
    code, _, err = run_inline(*base_args(common_csv), "--alpha", "1.5", capsys=capsys)
    assert code == EXIT_USAGE and "--alpha" in err


def test_unknown_estimator_and_old_control_flag_are_usage_errors(staggered_csv):
    result = run_cli(*base_args(staggered_csv), "--estimator", "magic")
    assert result.returncode == EXIT_USAGE and "invalid choice" in result.stderr
    result = run_cli(*base_args(staggered_csv), "--control", "never")
    assert result.returncode == EXIT_USAGE


def test_caveats_go_to_stderr_and_json_stays_clean(single_csv):
    result = run_cli(
        *base_args(single_csv), "--estimator", "cs", "--inference", "cluster", "--json"
    )
    assert result.returncode == EXIT_OK
    assert json.loads(result.stdout)["estimator"] == "cs"
    assert result.stderr.startswith("warning: a cohort has a single treated unit")


def test_synthetic_control_sdid_and_honest_options_reach_the_spec():
    parser = argparse.ArgumentParser()
    cli.configure(parser)
    args = parser.parse_args(
        [
            *base_args(Path("x.csv")),
            "--estimator",
            "sc",
            "--predictors",
            "a",
            "b",
            "--outcome-lags",
            "2001",
            "2003",
            "--placebo-time",
            "2",
            "--sdid-se",
            "jackknife",
            "--honest-method",
            "flci",
            "--inference",
            "conley-taber",
            "--vcov",
            "CR3",
        ]
    )
    spec = spec_from_args(DiDSpec, args)
    assert spec.predictors == ("a", "b") and spec.outcome_lags == (2001, 2003)
    assert spec.placebo_time == 2 and spec.sdid_se == "jackknife"
    assert spec.honest_method == "flci" and spec.inference == "conley-taber"
    assert spec.vcov == "CR3" and spec.panel_options()["covariates"] == ("a", "b")


def test_honest_needs_two_leads_and_says_so(common_csv, capsys):
    code, _, err = run_inline(
        *base_args(common_csv), "--estimator", "honest", "--leads", "1", capsys=capsys
    )
    assert code == EXIT_USAGE and "honest needs at least 2" in err
