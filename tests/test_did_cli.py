"""``python -m analysis did`` as a public interface: JSON schema, estimators, errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from analysis import paths
from analysis.did.simulate import simulate_single_treated, simulate_staggered


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "analysis", "did", *args], cwd=paths.ROOT,
                          capture_output=True, text=True, timeout=120)


def base_args(csv: Path) -> list[str]:
    return ["--data", str(csv), "--unit", "unit", "--time", "time", "--outcome", "y",
            "--first-treated", "first_treated"]


@pytest.fixture(scope="module")
def staggered_csv(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("did") / "staggered.csv"
    frame = simulate_staggered(n_units=120, n_periods=6, cohorts=(2, 4), shape="constant",
                               seed=5)
    # Never-treated written as empty cells: the CLI must read them as never treated.
    frame["first_treated"] = frame["first_treated"].map(lambda v: "" if v == 0 else v)
    frame.drop(columns="true_effect").to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def single_csv(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("did") / "single.csv"
    simulate_single_treated(n_controls=8, n_periods=20, treat_period=14, seed=3).to_csv(
        path, index=False)
    return path


def test_cs_json_schema(staggered_csv):
    result = run_cli(*base_args(staggered_csv), "--estimator", "cs", "--control", "notyet",
                     "--json")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["estimator"] == "cs"
    assert set(out["att"]) == {"estimate", "se", "ci"} and len(out["att"]["ci"]) == 2
    assert out["att"]["ci"][0] < out["att"]["estimate"] < out["att"]["ci"][1]
    assert out["att"]["estimate"] == pytest.approx(1.0, abs=0.4)
    assert {tuple(sorted(row)) for row in out["group_time"]} == {("att", "group", "se", "time")}
    assert {(r["group"], r["time"]) for r in out["group_time"]} >= {(2012, 2012), (2014, 2015)}
    assert all(set(r) == {"rel_time", "estimate", "ci"} for r in out["event_study"])


def test_twfe_json_has_no_event_study(staggered_csv):
    out = json.loads(run_cli(*base_args(staggered_csv), "--json").stdout)
    assert out["estimator"] == "twfe" and "event_study" not in out and "group_time" not in out
    assert out["att"]["se"] > 0


def test_event_json_has_event_study_with_reference(staggered_csv):
    out = json.loads(run_cli(*base_args(staggered_csv), "--estimator", "event", "--leads", "2",
                             "--lags", "2", "--json").stdout)
    rel = [r["rel_time"] for r in out["event_study"]]
    assert rel == [-2, -1, 0, 1, 2]
    reference = out["event_study"][1]
    assert reference["estimate"] == 0 and reference["ci"] == [None, None]


def test_sc_json_has_weights_and_ratio(single_csv):
    result = run_cli(*base_args(single_csv), "--estimator", "sc", "--json")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert sum(out["unit_weights"].values()) == pytest.approx(1.0)
    assert len(out["unit_weights"]) == 8
    assert out["rmspe_ratio"] > 0 and 0 < out["p_value"] <= 1
    assert out["att"]["se"] is None and out["att"]["ci"] is None


def test_text_output(single_csv):
    result = run_cli(*base_args(single_csv), "--estimator", "sc")
    assert result.returncode == 0
    assert "RMSPE ratio" in result.stdout


@pytest.mark.parametrize("mutate, message", [
    (lambda f: f.drop(columns="y"), "missing column"),
    (lambda f: pd.concat([f, f.iloc[[0]]]), "duplicated unit-time"),
    (lambda f: f.iloc[1:], "unbalanced panel"),
])
def test_bad_input_gives_one_line_error(tmp_path, single_csv, mutate, message):
    bad = tmp_path / "bad.csv"
    mutate(pd.read_csv(single_csv)).to_csv(bad, index=False)
    result = run_cli(*base_args(bad), "--json")
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith("error: ") and message in result.stderr
    assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1


def test_missing_file_and_wrong_design(tmp_path, staggered_csv):
    result = run_cli(*base_args(tmp_path / "nope.csv"))
    assert result.returncode == 2 and result.stderr.startswith("error: ")
    result = run_cli(*base_args(staggered_csv), "--estimator", "sc")
    assert result.returncode == 2 and "adoption dates" in result.stderr


def test_unknown_estimator_is_a_usage_error(staggered_csv):
    result = run_cli(*base_args(staggered_csv), "--estimator", "magic")
    assert result.returncode == 2 and "invalid choice" in result.stderr


def test_caveats_go_to_stderr_and_json_stays_clean(single_csv):
    result = run_cli(*base_args(single_csv), "--estimator", "cs", "--json")
    assert result.returncode == 0
    assert json.loads(result.stdout)["estimator"] == "cs"
    assert result.stderr.startswith("warning: a cohort has a single treated unit")
