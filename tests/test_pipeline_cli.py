"""Command line and end to end: records -> ``python -m analysis series`` -> series -> ITS."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from test_pipeline_quarantine import good_rows, row, write_csv

from analysis.datasets import load_data
from analysis.its import its
from analysis.pipeline.records import RecordsManifest, scale_counts, write_records

SCALE = 200  # Qianjiang's ~20 million settlements become ~100 thousand


def series_cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "analysis", "series", *map(str, args)],
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def qianjiang_records(tmp_path_factory: pytest.TempPathFactory) -> RecordsManifest:
    monthly = load_data("district_monthly").frame
    frame = scale_counts(monthly[monthly["district"] == "qianjiang"], SCALE)
    return write_records(tmp_path_factory.mktemp("qj-records"), frame, bad_fraction=0.005, seed=5)


def test_records_to_series_to_its(qianjiang_records: RecordsManifest, tmp_path: Path) -> None:
    out = tmp_path / "series.csv"
    done = series_cli("--records", qianjiang_records.folder, "--out", out, "--json")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["rows_in"] == qianjiang_records.n_good + qianjiang_records.n_bad
    assert summary["rows_in"] == summary["rows_aggregated"] + summary["rows_quarantined"]
    assert summary["quarantine_by_reason"] == qianjiang_records.expected_quarantine
    assert (summary["months"], summary["counties"]) == (96, 1)

    series = pd.read_csv(out, parse_dates=["month"])
    expected = qianjiang_records.expected
    pd.testing.assert_frame_equal(series, expected, check_dtype=False)

    fitted = its(series, time="month", outcome="visit_share", intervention="2023-01-01")
    on_expected = its(expected, time="month", outcome="visit_share", intervention="2023-01-01")
    assert fitted.effects["level"].estimate == pytest.approx(
        on_expected.effects["level"].estimate, rel=1e-12
    )
    # Scaling by 1/200 only rounds counts: the ITS on the full-scale synthetic series agrees.
    monthly = load_data("district_monthly").frame
    full = its(
        monthly[monthly["district"] == "qianjiang"],
        time="month",
        outcome="visit_share",
        intervention="2023-01-01",
    )
    for effect in ("level", "slope"):
        low, high = full.effects[effect].ci
        assert low <= fitted.effects[effect].estimate <= high

    its_cli = subprocess.run(
        [
            sys.executable,
            "-m",
            "analysis",
            "its",
            "--data",
            str(out),
            "--time",
            "month",
            "--outcome",
            "visit_share",
            "--intervention",
            "2023-01-01",
            "--json",
        ],
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert its_cli.returncode == 0, its_cli.stderr
    estimates = {e["name"]: e for e in json.loads(its_cli.stdout)["estimates"]}
    level = estimates["level"]["estimate"]
    assert level == pytest.approx(fitted.effects["level"].estimate, rel=1e-9)


def test_default_quarantine_file_and_plain_summary(tmp_path: Path) -> None:
    records = write_csv(tmp_path / "r.csv", good_rows(10) + [row(record_id="B", scheme="商保")])
    done = series_cli(
        "--records",
        records,
        "--out",
        tmp_path / "out" / "s.csv",
        "--max-quarantine",
        "10%",
        "--drop-unknown-labels",  # an unknown label refuses the run unless dropped on purpose
        "true",
    )
    assert done.returncode == 0, done.stderr
    for label in (
        "rows read",
        "rows aggregated",
        "rows quarantined",
        "unknown_scheme",
        "months",
        "counties",
    ):
        assert label in done.stdout
    quarantine = tmp_path / "out" / "s.quarantine.csv"
    assert pd.read_csv(quarantine)["reason"].tolist() == ["unknown_scheme"]
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("absent", "records not found"),
        ("missing_column", "required column(s) not found: county_code"),
        ("not_csv", "expected a .csv, .tsv, .txt, .xlsx, .xls, .dta or .parquet file"),
        ("broken_xlsx", "not a valid .xlsx workbook"),
    ],
)
def test_bad_input_is_one_line_and_exit_1(tmp_path: Path, setup: str, message: str) -> None:
    target = tmp_path / "input.csv"
    if setup == "missing_column":
        target.write_text("record_id,settlement_date\nA,2023-01-01\n")
    elif setup == "not_csv":
        target = tmp_path / "input.docx"
        target.write_bytes(b"PK")
    elif setup == "broken_xlsx":
        target = tmp_path / "input.xlsx"
        target.write_bytes(b"PK")
    done = series_cli("--records", target, "--out", tmp_path / "s.csv")
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0]
    assert not (tmp_path / "s.csv").exists()


def test_usage_error_exits_2(tmp_path: Path) -> None:
    done = series_cli("--out", tmp_path / "s.csv")
    assert done.returncode == 2 and "--records" in done.stderr
    records = write_csv(tmp_path / "r.csv", good_rows(3))
    done = series_cli(
        "--records", records, "--out", tmp_path / "s.csv", "--engine", "spark", "--threads", "2"
    )
    assert done.returncode == 2 and "--threads" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "s.csv").exists()


def test_unparseable_csv_is_refused_as_input(tmp_path: Path) -> None:
    header = (
        "record_id,settlement_date,county_code,institution_id,institution_level,"
        "service_type,total_cost,fund_paid,scheme\n"
    )
    broken = tmp_path / "broken.csv"
    broken.write_text(header + '1,"2023-01-05,c1,H1,基层,门诊,100,60,居民\n', encoding="utf-8")
    done = series_cli("--records", broken, "--out", tmp_path / "s.csv")
    assert done.returncode == 1, done.stderr
    assert done.stderr.startswith("error: ") and "Traceback" not in done.stderr


def test_every_series_option_of_the_api_is_on_the_command_line() -> None:
    import argparse
    import inspect

    from analysis.cli_spec import spec_fields
    from analysis.pipeline import cli
    from analysis.pipeline.series import SeriesSpec, build_series

    parser = argparse.ArgumentParser()
    cli.configure(parser)
    flags = {flag for action in parser._actions for flag in action.option_strings}
    for f in spec_fields(SeriesSpec):
        assert "--" + f.name.replace("_", "-") in flags, f.name
    named = set(inspect.signature(build_series).parameters) - {"records", "step", "options"}
    assert named <= {f.name for f in spec_fields(SeriesSpec)}


def test_progress_bar_shows_on_long_runs_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import argparse
    import time

    from analysis.pipeline import build_series, cli
    from analysis.pipeline.series import STEPS

    records = write_csv(tmp_path / "r.csv", good_rows(6))
    done = series_cli("--records", records, "--out", tmp_path / "s.csv")
    assert "step" not in done.stderr  # under a second: no bar

    def slow_build(*args: object, step, **kwargs: object):  # type: ignore[no-untyped-def]
        for label in STEPS:
            time.sleep(0.3)
            step(label)
        return build_series(records)

    monkeypatch.setattr(cli, "build_series", slow_build)
    parser = argparse.ArgumentParser()
    cli.configure(parser)
    assert (
        cli.run(parser.parse_args(["--records", str(records), "--out", str(tmp_path / "slow.csv")]))
        == 0
    )
    captured = capsys.readouterr()
    assert "series (duckdb)" in captured.err and "step" in captured.err
    assert "rows read" in captured.out
    assert cli.default_quarantine(Path("a/b.csv")) == Path("a/b.quarantine.csv")
