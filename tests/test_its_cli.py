"""``python -m analysis its``: JSON schema, readable table, errors and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.cli import main
from analysis.its.reference_data import sicily


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "analysis", "its", *args],
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("its_cli")
    rng = np.random.default_rng(3)
    n = 60
    t = np.arange(n)
    monthly = pd.DataFrame({
        "month": pd.date_range("2019-01-01", periods=n, freq="MS").strftime("%Y-%m-%d"),
        "share": 40 - 0.05 * t + 2.0 * (t >= 36) + rng.normal(0, 0.5, n),
        "control": 39 - 0.05 * t + rng.normal(0, 0.5, n),
        "primary": rng.integers(4000, 5000, n), "total": 10_000})
    short = pd.DataFrame({"year": np.arange(2013, 2025),
                          "share": 50 - np.arange(12.0) + 2 * (np.arange(12) >= 8)
                          + rng.normal(0, 0.4, 12)})
    paths = {"monthly": root / "monthly.csv", "short": root / "short.csv",
             "sicily": root / "sicily.csv", "bad": root / "bad.csv"}
    monthly.to_csv(paths["monthly"], index=False)
    short.to_csv(paths["short"], index=False)
    sicily().to_csv(paths["sicily"], index=False)
    broken = monthly.copy()
    broken.loc[4, "share"] = np.nan
    broken.to_csv(paths["bad"], index=False)
    return paths


def check_effect_schema(effect: dict, log_link: bool) -> None:
    expected = {"estimate", "ci", "p"} | ({"ratio", "ratio_ci"} if log_link else set())
    assert set(effect) == expected
    assert len(effect["ci"]) == 2 and effect["ci"][0] <= effect["estimate"] <= effect["ci"][1]
    assert 0 <= effect["p"] <= 1
    if log_link:
        assert effect["ratio_ci"][0] <= effect["ratio"] <= effect["ratio_ci"][1]


def test_json_schema_gaussian_hac_with_control(files: dict[str, Path]) -> None:
    out = run_cli("--data", str(files["monthly"]), "--time", "month", "--outcome", "share",
                  "--intervention", "2022-01-01", "--errors", "hac", "--seasonality", "month",
                  "--control", "control", "--json")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert set(doc) == {"n", "family", "dispersion", "effects"}
    assert doc["n"] == 120 and doc["family"] == "gaussian" and doc["dispersion"] > 0
    assert set(doc["effects"]) == {"level", "slope"}
    for effect in doc["effects"].values():
        check_effect_schema(effect, log_link=False)


def test_json_published_sicily_model_with_ratios(files: dict[str, Path]) -> None:
    out = run_cli("--data", str(files["sicily"]), "--time", "time", "--outcome", "aces",
                  "--intervention", "37", "--impact", "level", "--family", "quasipoisson",
                  "--exposure", "stdpop", "--seasonality", "fourier:2", "--period", "12",
                  "--json")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    check_effect_schema(doc["effects"]["level"], log_link=True)
    assert doc["effects"]["slope"] is None
    assert round(doc["effects"]["level"]["ratio"], 3) == 0.885
    assert round(doc["dispersion"], 3) == 2.262


def test_json_binomial_has_no_ratio(files: dict[str, Path]) -> None:
    out = run_cli("--data", str(files["monthly"]), "--time", "month", "--outcome", "primary",
                  "--denominator", "total", "--family", "binomial", "--intervention",
                  "2022-01-01", "--json")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    for effect in doc["effects"].values():
        check_effect_schema(effect, log_link=False)


def test_short_series_table_says_what_cannot_be_estimated(files: dict[str, Path]) -> None:
    out = run_cli("--data", str(files["short"]), "--time", "year", "--outcome", "share",
                  "--intervention", "2021", "--errors", "ar1")
    assert out.returncode == 0, out.stderr
    assert "Cannot be estimated from these data" in out.stdout
    assert "AR(1) is not identified" in out.stdout
    assert "assumed AR(1) rho" in out.stdout and "0.80" in out.stdout
    js = run_cli("--data", str(files["short"]), "--time", "year", "--outcome", "share",
                 "--intervention", "2021", "--errors", "ar1", "--json")
    doc = json.loads(js.stdout)
    assert [row["rho"] for row in doc["rho_grid"]] == [0.0, 0.2, 0.4, 0.6, 0.8]
    assert any("AR(1)" in note for note in doc["not_estimable"])


@pytest.mark.parametrize(("args", "message"), [
    (["--intervention", "2030-01-01"], "outside the data"),
    (["--intervention", "2023-11-01"], "too few points in a segment"),
    (["--family", "poisson", "--exposure", "nope"], "exposure column 'nope' not found"),
    (["--seasonality", "weekly"], "seasonality must be"),
])
def test_bad_input_exits_non_zero_with_one_line(files: dict[str, Path], args: list[str],
                                                message: str,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    """In-process through the lead's dispatcher (same code path, no interpreter start-up)."""
    base = ["its", "--data", str(files["monthly"]), "--time", "month", "--outcome", "share",
            "--intervention", "2022-01-01"]
    assert main([*base, *args]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_missing_values_and_missing_file(files: dict[str, Path], tmp_path: Path) -> None:
    out = run_cli("--data", str(files["bad"]), "--time", "month", "--outcome", "share",
                  "--intervention", "2022-01-01")
    assert out.returncode == 1 and "missing" in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1 and "Traceback" not in out.stderr
    assert main(["its", "--data", str(tmp_path / "none.csv"), "--time", "t", "--outcome", "y",
                 "--intervention", "3"]) == 1


def test_usage_error_is_argparse_exit_2(files: dict[str, Path]) -> None:
    out = run_cli("--data", str(files["monthly"]), "--time", "month", "--outcome", "share",
                  "--intervention", "2022-01-01", "--errors", "gls")
    assert out.returncode == 2 and "invalid choice" in out.stderr
