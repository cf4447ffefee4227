"""Degenerate input is refused with a message naming the column or row (never a "result").

The issue's example: a constant series reported p = 2.6e-07 for a slope of 1e-15.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from analysis.cli import main
from analysis.its import its
from analysis.its.errors import ITSInputError

N = 40


def frame(**columns: object) -> pd.DataFrame:
    rng = np.random.default_rng(9)
    t = np.arange(N)
    base = {"t": t, "y": 10 + 0.1 * t + (t >= 20) + rng.normal(0, 0.3, N)}
    return pd.DataFrame({**base, **columns})


def test_constant_outcome_is_refused() -> None:
    with pytest.raises(ITSInputError, match="outcome 'y' is constant"):
        its(frame(y=np.full(N, 5.0)), time="t", outcome="y", intervention=20, errors="hac")


def test_exact_fit_is_refused() -> None:
    t = np.arange(N)
    with pytest.raises(ITSInputError, match="fits every point of 'y' exactly"):
        its(frame(y=3.0 + 0.5 * t), time="t", outcome="y", intervention=20)


def test_all_zero_denominator_is_refused() -> None:
    data = frame(k=np.zeros(N), n=np.zeros(N))
    with pytest.raises(ITSInputError, match="denominator column 'n' is 0 in every row"):
        its(data, time="t", outcome="k", denominator="n", family="binomial", intervention=20)


def test_zero_denominator_in_one_row_names_the_row() -> None:
    n = np.full(N, 100.0)
    n[7] = 0
    data = frame(k=np.full(N, 30.0) + np.arange(N) % 3, n=n)
    with pytest.raises(ITSInputError, match=r"row 7 is 0"):
        its(data, time="t", outcome="k", denominator="n", family="binomial", intervention=20)


def test_fewer_points_than_parameters_in_a_segment() -> None:
    with pytest.raises(ITSInputError, match="1 from 39, fewer than the 2 parameters"):
        its(frame(), time="t", outcome="y", intervention=39, min_segment=1)


def test_fewer_points_than_parameters_overall() -> None:
    data = frame().iloc[:14]
    with pytest.raises(ITSInputError, match="14 points cannot estimate the 15 coefficients"):
        its(data, time="t", outcome="y", intervention=7, seasonality="month", min_segment=2)


def test_perfectly_collinear_design_names_the_term() -> None:
    with pytest.raises(ITSInputError, match="perfectly collinear: the intervention and others"):
        its(frame(), time="t", outcome="y", intervention=20, others=["shock=20:level"])
    # every third month observed: month dummies of unobserved months are all zero
    quarterly = frame().assign(t=lambda f: f["t"] * 3)
    with pytest.raises(ITSInputError, match="perfectly collinear: 'season_2'"):
        its(quarterly, time="t", outcome="y", intervention=60, seasonality="month", period=12)


@pytest.mark.parametrize("at", [0, 45, -3])
def test_intervention_outside_the_data(at: int) -> None:
    with pytest.raises(ITSInputError, match=r"outside the data: .*\(0\).*\(39\)"):
        its(frame(), time="t", outcome="y", intervention=at)


@pytest.mark.parametrize(
    ("columns", "args", "message"),
    [
        ({"y": np.full(N, 5.0)}, [], "outcome 'y' is constant"),
        ({}, ["--intervention", "99"], "outside the data"),
        ({}, ["--others", "shock=20:level+slope"], "perfectly collinear"),
    ],
)
def test_cli_refuses_with_exit_1_and_one_error_line(tmp_path, capsys, columns, args, message):
    path = tmp_path / "d.csv"
    frame(**columns).to_csv(path, index=False)
    intervention = [] if "--intervention" in args else ["--intervention", "20"]
    code = main(["its", "--data", str(path), "--time", "t", "--outcome", "y", *intervention, *args])
    out = capsys.readouterr()
    assert code == 1 and out.out == ""
    lines = out.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0]


def test_cli_constant_series_has_no_traceback(tmp_path) -> None:
    path = tmp_path / "d.csv"
    frame(y=np.full(N, 5.0)).to_csv(path, index=False)
    done = subprocess.run(
        [sys.executable, "-m", "analysis", "its", "--data", str(path), "--time", "t",
         "--outcome", "y", "--intervention", "20", "--errors", "hac"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 1 and "Traceback" not in done.stderr
    # the refusal names the data file (every command's refusals do)
    assert done.stderr.startswith(f"error: {path}: outcome 'y' is constant")
