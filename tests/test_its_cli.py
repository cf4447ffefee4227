"""``python -m analysis its``: options from ITSSpec, shared reader, JSON dialect, exit codes."""

from __future__ import annotations

import argparse
import dataclasses
import json
import shlex
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.chapters import its_qianjiang as ch
from analysis.cli import main
from analysis.datasets import load_data
from analysis.estimates import ESTIMATE_COLUMNS
from analysis.its.cli import command_line, configure, spec_arguments
from analysis.its.fit import ITSSpec, OtherInterruption
from analysis.published.registry import published_targets

ESTIMATE_KEYS = set(ESTIMATE_COLUMNS)


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "analysis", "its", *args],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict:
    """In-process through the dispatcher (same code path, no interpreter start-up)."""
    assert main(["its", *args, "--json"]) == 0, capsys.readouterr().err
    return json.loads(capsys.readouterr().out)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("its_cli")
    rng = np.random.default_rng(3)
    n = 60
    t = np.arange(n)
    monthly = pd.DataFrame(
        {
            "month": pd.date_range("2019-01-01", periods=n, freq="MS").strftime("%Y-%m-%d"),
            "share": 40 - 0.05 * t + 2.0 * (t >= 36) + rng.normal(0, 0.5, n),
            "control": 39 - 0.05 * t + rng.normal(0, 0.5, n),
            "primary": rng.integers(4000, 5000, n),
            "total": 10_000,
        }
    )
    short = pd.DataFrame(
        {
            "year": np.arange(2013, 2025),
            "share": 50 - np.arange(12.0) + 2 * (np.arange(12) >= 8) + rng.normal(0, 0.4, 12),
        }
    )
    paths = {
        "monthly": root / "monthly.csv",
        "short": root / "short.csv",
        "sicily": root / "sicily.csv",
        "bad": root / "bad.csv",
        "gb18030": root / "gb18030.csv",
        "xlsx": root / "monthly.xlsx",
    }
    monthly.to_csv(paths["monthly"], index=False)
    short.to_csv(paths["short"], index=False)
    load_data("sicily_smoking_ban").frame.to_csv(paths["sicily"], index=False)
    broken = monthly.copy()
    broken.loc[4, "share"] = np.nan
    broken.to_csv(paths["bad"], index=False)
    monthly.rename(columns={"month": "月份", "share": "基层占比"}).to_csv(
        paths["gb18030"], index=False, encoding="gb18030"
    )
    monthly.to_excel(paths["xlsx"], index=False)
    return paths


def check_estimate(record: dict) -> None:
    assert set(record) == ESTIMATE_KEYS
    assert record["ci_lower"] <= record["estimate"] <= record["ci_upper"]
    assert 0 <= record["p_value"] <= 1 and record["interval_method"]


def test_every_spec_field_is_an_option() -> None:
    parser = argparse.ArgumentParser()
    configure(parser)
    flags = parser.get_default("spec_flags")
    assert set(flags) == {f.name for f in dataclasses.fields(ITSSpec)}
    options = {s for action in parser._actions for s in action.option_strings}
    assert set(flags.values()) <= options
    assert {
        "--data",
        "--json",
        "--controls",
        "--others",
        "--window-kind",
        "--rho-grid",
        "--hac-lags",
        "--min-segment",
        "--short-series",
        "--alpha",
        "--window",
        "--time-format",
        "--unit",
        "--select",
        "--design",
        "--lag-rule",
        "--events",
        "--event-window",
    } <= options


def test_spec_round_trips_through_the_command_line() -> None:
    spec = ITSSpec(
        time="m",
        outcome="y",
        intervention="2021-03-01",
        impact="level",
        family="quasipoisson",
        denominator="n",
        exposure="pop",
        seasonality="fourier:1",
        period=4,
        errors="hac",
        controls=("a", "b"),
        window=2,
        window_kind="phase-in",
        others=(OtherInterruption(at="2020-01-01", name="s", impact="slope", window=1),),
        hac_lags=5,
        min_segment=4,
        short_series=10,
        rho_grid=(0.1, 0.5),
        alpha=0.1,
        time_format="month",
        unit="county",
        select="A",
        design="per-series",
        stacked_hac="within-series",
        lag_rule="actest",
        ac_lags=6,
        events="events.csv",
        event_window=2,
    )
    # every field differs from its default, so every flag is exercised
    assert all(
        getattr(spec, f.name) != f.default
        for f in dataclasses.fields(ITSSpec)
        if f.default is not dataclasses.MISSING
    )
    parser = argparse.ArgumentParser()
    configure(parser)
    args = parser.parse_args(["--data", "x.csv", *spec_arguments(spec)])
    from analysis.cli_spec import spec_from_args

    assert spec_from_args(ITSSpec, args) == spec
    assert shlex.split(command_line(spec, "x.csv"))[:6] == [
        "python",
        "-m",
        "analysis",
        "its",
        "--data",
        "x.csv",
    ]


def test_json_dialect_gaussian_hac_with_control(files: dict[str, Path], capsys) -> None:
    doc = run_json(
        capsys,
        "--data",
        str(files["monthly"]),
        "--time",
        "month",
        "--outcome",
        "share",
        "--intervention",
        "2022-01-01",
        "--errors",
        "hac",
        "--seasonality",
        "month",
        "--controls",
        "control",
    )
    assert set(doc) == {"method", "estimates", "notes", "details"}
    assert [e["name"] for e in doc["estimates"]] == ["level", "slope", "cumulative"]
    for record in doc["estimates"]:
        check_estimate(record)
    details = doc["details"]
    assert details["n"] == 120 and details["family"] == "gaussian" and details["dispersion"] > 0
    assert details["hac_lags"] == 3 and details["design"] == "pooled"
    assert "over the stacked series (as itsa" in details["interval_method"]


def test_json_published_sicily_model_with_rate_ratio(files: dict[str, Path], capsys) -> None:
    doc = run_json(
        capsys,
        "--data",
        str(files["sicily"]),
        "--time",
        "time",
        "--outcome",
        "aces",
        "--intervention",
        "37",
        "--impact",
        "level",
        "--family",
        "quasipoisson",
        "--exposure",
        "stdpop",
        "--seasonality",
        "fourier:2",
        "--period",
        "12",
    )
    by_name = {e["name"]: e for e in doc["estimates"]}
    assert "slope" not in by_name
    check_estimate(by_name["level"])
    ratio = by_name["level_rate_ratio"]
    # Lopez Bernal et al. (2017), model 3, as printed: the validation registry's its-sicily-*.
    printed = published_targets("its_sicily", "lopezbernal2017")
    assert round(ratio["estimate"], 3) == printed["rate_ratio"]
    assert (round(ratio["ci_lower"], 3), round(ratio["ci_upper"], 3)) == (
        printed["ci_low"],
        printed["ci_high"],
    )
    assert round(doc["details"]["dispersion"], 3) == printed["dispersion"]


def test_others_and_alpha_reach_the_fit(files: dict[str, Path], capsys) -> None:
    base = [
        "--data",
        str(files["monthly"]),
        "--time",
        "month",
        "--outcome",
        "share",
        "--intervention",
        "2022-01-01",
    ]
    doc = run_json(capsys, *base, "--others", "shock=2020-03-01:level:3:exclude", "--alpha", "0.1")
    names = [e["name"] for e in doc["estimates"]]
    assert names == ["level", "slope", "cumulative", "shock:level"]
    assert doc["details"]["n"] == 57 and all(e["alpha"] == 0.1 for e in doc["estimates"])
    assert main(["its", *base, "--others", "shock"]) == 2  # malformed text form: usage error
    assert "NAME=AT" in capsys.readouterr().err


def test_json_binomial_has_no_ratio(files: dict[str, Path], capsys) -> None:
    doc = run_json(
        capsys,
        "--data",
        str(files["monthly"]),
        "--time",
        "month",
        "--outcome",
        "primary",
        "--denominator",
        "total",
        "--family",
        "binomial",
        "--intervention",
        "2022-01-01",
    )
    assert not any("rate_ratio" in e["name"] for e in doc["estimates"])
    for record in doc["estimates"]:
        check_estimate(record)


def test_gb18030_csv_and_xlsx_are_read_like_utf8(files: dict[str, Path], capsys) -> None:
    base = ["--intervention", "2022-01-01", "--errors", "hac"]
    utf8 = run_json(
        capsys, "--data", str(files["monthly"]), "--time", "month", "--outcome", "share", *base
    )
    gb = run_json(
        capsys, "--data", str(files["gb18030"]), "--time", "月份", "--outcome", "基层占比", *base
    )
    xlsx = run_json(
        capsys, "--data", str(files["xlsx"]), "--time", "month", "--outcome", "share", *base
    )
    level = utf8["estimates"][0]["estimate"]
    assert gb["estimates"][0]["estimate"] == pytest.approx(level, abs=1e-10)
    assert xlsx["estimates"][0]["estimate"] == pytest.approx(level, abs=1e-10)
    assert gb["details"]["outcome"] == "基层占比"


def test_chapter_main_model_runs_from_the_command_line(tmp_path: Path, capsys) -> None:
    data = tmp_path / ch.MAIN_MODEL_FILE
    ch.main_model_data().to_csv(data, index=False)
    words = shlex.split(ch.main_model_command(data=str(data)))
    assert words[:4] == ["python", "-m", "analysis", "its"]
    assert main([*words[3:], "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    level = {e["name"]: e for e in doc["estimates"]}["level"]
    chapter = ch.fit_main(ch.qianjiang_monthly())["visit_share"].effects["level"]
    assert level["estimate"] == pytest.approx(chapter.estimate, abs=1e-9)
    assert level["ci_lower"] == pytest.approx(chapter.ci_lower, abs=1e-9)
    assert f"{level['estimate']:.2f}" == ch.numbers()["its-visit-level"]


def test_short_series_table_says_what_cannot_be_estimated(files: dict[str, Path]) -> None:
    out = run_cli(
        "--data",
        str(files["short"]),
        "--time",
        "year",
        "--outcome",
        "share",
        "--intervention",
        "2021",
        "--errors",
        "ar1",
    )
    assert out.returncode == 0, out.stderr
    assert "cannot be estimated from these data" in out.stdout
    assert "AR(1) is not identified" in out.stdout
    assert "assumed AR(1) rho" in out.stdout and "0.80" in out.stdout
    js = run_cli(
        "--data",
        str(files["short"]),
        "--time",
        "year",
        "--outcome",
        "share",
        "--intervention",
        "2021",
        "--errors",
        "ar1",
        "--json",
    )
    details = json.loads(js.stdout)["details"]
    assert [row["rho"] for row in details["rho_grid"]] == [0.0, 0.2, 0.4, 0.6, 0.8]
    assert any("AR(1)" in note for note in details["not_estimable"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--intervention", "2030-01-01"], "--intervention '2030-01-01' is outside the data"),
        (["--intervention", "2023-11-01"], "(need at least --min-segment 3)"),
        (["--family", "poisson", "--exposure", "nope"], "--exposure 'nope' is not a column"),
        (["--seasonality", "weekly"], "--seasonality 'weekly' is not none, month"),
        (["--denominator", "total"], "--denominator 'total' is for --family 'binomial' only"),
    ],
)
def test_bad_input_exits_1_with_one_line_in_flag_words(
    files: dict[str, Path], args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    base = [
        "its",
        "--data",
        str(files["monthly"]),
        "--time",
        "month",
        "--outcome",
        "share",
        "--intervention",
        "2022-01-01",
    ]
    assert main([*base, *args]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_missing_values_and_missing_file(files: dict[str, Path], tmp_path: Path) -> None:
    out = run_cli(
        "--data",
        str(files["bad"]),
        "--time",
        "month",
        "--outcome",
        "share",
        "--intervention",
        "2022-01-01",
    )
    assert out.returncode == 1 and "missing" in out.stderr
    assert "first at row 6" in out.stderr  # spreadsheet row of the blank cell (header = 1)
    assert len(out.stderr.strip().splitlines()) == 1 and "Traceback" not in out.stderr
    assert (
        main(
            [
                "its",
                "--data",
                str(tmp_path / "none.csv"),
                "--time",
                "t",
                "--outcome",
                "y",
                "--intervention",
                "3",
            ]
        )
        == 1
    )


def test_usage_error_is_argparse_exit_2(files: dict[str, Path]) -> None:
    out = run_cli(
        "--data",
        str(files["monthly"]),
        "--time",
        "month",
        "--outcome",
        "share",
        "--intervention",
        "2022-01-01",
        "--errors",
        "gls",
    )
    assert out.returncode == 2 and "invalid choice" in out.stderr


def test_events_file_lists_nearby_events_and_warns(tmp_path: Path, capsys) -> None:
    """Events within the window are listed (JSON and summary); unseparated ones warned."""
    rng = np.random.default_rng(8)
    months = pd.date_range("2020-01-01", periods=48, freq="MS")
    t = np.arange(48)
    data = tmp_path / "s.csv"
    pd.DataFrame(
        {
            "month": months.strftime("%Y-%m"),
            "y": 20 + 0.1 * t + 2 * (t >= 30) + rng.normal(0, 0.4, 48),
        }
    ).to_csv(data, index=False)
    events = tmp_path / "events.csv"
    pd.DataFrame(
        {
            "date": ["2022-03-20", "2022-07-01", "2020-03-01"],
            "name": ["Policy B", "Same month", "Far away"],
            "kind": ["policy", "policy", "epidemic"],
            "source": ["Doc B", "Doc S", "Doc F"],
        }
    ).to_csv(events, index=False)
    common = ["--data", str(data), "--time", "month", "--outcome", "y", "--intervention", "2022-07"]
    doc = run_json(capsys, *common, "--events", str(events))
    near = doc["details"]["events_near"]
    assert [e["name"] for e in near] == ["Policy B", "Same month"]
    assert doc["details"]["event_window"] == 6
    warned = " ".join(doc["details"]["event_warnings"])
    assert "Same month" in warned and "Policy B" in warned
    assert any("Same month" in n for n in doc["notes"])
    # modelling Policy B as its own interruption separates it; a 0-month window finds one event
    doc = run_json(
        capsys, *common, "--events", str(events), "--others", "b=2022-03:level",
        "--event-window", "0",
    )  # fmt: skip
    assert [e["name"] for e in doc["details"]["events_near"]] == ["Same month"]
    assert main(["its", *common, "--events", str(events)]) == 0
    assert "Events within 6 time units" in capsys.readouterr().out
