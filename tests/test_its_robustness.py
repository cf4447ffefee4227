"""The robustness menu: each variation changes what it says, and the table is tidy and honest."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from analysis.errors import InputError
from analysis.its import robustness as rob
from analysis.its.events import Event
from analysis.its.fit import ITSSpec, OtherInterruption, fit_its

MONTHS = pd.date_range("2016-01-01", periods=96, freq="MS")
REFORM = "2022-01-01"  # position 72


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    t = np.arange(96.0)
    season = 0.8 * np.sin(2 * np.pi * t / 12)
    y = 40 - 0.05 * t + 2.0 * (t >= 72) + 0.1 * np.maximum(t - 72, 0) + season
    return pd.DataFrame({"month": MONTHS, "y": y + rng.normal(0, 0.3, 96)})


@pytest.fixture(scope="module")
def base() -> ITSSpec:
    return ITSSpec(
        time="month", outcome="y", intervention=REFORM, seasonality="fourier:1", errors="ar1"
    )


def row(table: pd.DataFrame, spec: str, effect: str = "level") -> pd.Series:
    rows = table.loc[(table["spec"] == spec) & (table["effect"] == effect)]
    assert len(rows) == 1, (spec, effect)
    return rows.iloc[0]


def test_every_row_is_the_engine_fit_of_its_specification(frame, base) -> None:
    """Refit each variation directly and compare; the menu must not alter anything else."""
    variations = [
        rob.baseline(base),
        *rob.vary_errors(base, ("ols", "hac")),
        *rob.vary_seasonality(base, ("none", "month")),
        *rob.vary_intervention(base, (-3, 2)),
        *rob.vary_phase_in(base, (4,), unit="months"),
        *rob.vary_trend(base, impacts=("level",), knots=("2019-01-01",)),
    ]
    table = rob.robustness_menu(frame, variations)
    assert list(table.columns) == list(rob.COLUMNS)
    assert len(table) == 2 * len(variations)
    direct = {
        "baseline": base,
        "errors ols": replace(base, errors="ols"),
        "errors hac": replace(base, errors="hac"),
        "seasonality month": replace(base, seasonality="month"),
        "intervention 3 earlier (2021-10)": replace(base, intervention="2021-10-01"),
        "phase-in over 4 months": replace(base, window=4, window_kind="phase-in"),
        "trend bends at 2019-01": replace(
            base, others=(OtherInterruption(at="2019-01-01", name="knot", impact="slope"),)
        ),
    }
    for label, spec in direct.items():
        fit = fit_its(frame, spec)
        for effect in ("level", "slope"):
            r, e = row(table, label, effect), fit.effects[effect]
            assert r["estimate"] == pytest.approx(e.estimate, abs=1e-12)
            assert r["se"] == pytest.approx(e.se, abs=1e-12)
            assert (r["ci_lower"], r["ci_upper"]) == pytest.approx((e.ci_lower, e.ci_upper))
            assert r["p_value"] == pytest.approx(e.p_value)
            assert r["interval_method"] == e.interval_method
    assert "Newey-West" in row(table, "errors hac")["interval_method"]
    assert row(table, "intervention 2 later (2022-03)")["varied"] == "intervention date"
    level_only = row(table, "impact level", "slope")
    assert np.isnan(level_only["estimate"]) and "not in this model" in level_only["interval_method"]


def test_the_baseline_recovers_the_built_in_effects(frame, base) -> None:
    table = rob.robustness_menu(frame, [rob.baseline(base)])
    level, slope = row(table, "baseline"), row(table, "baseline", "slope")
    assert level["ci_lower"] < 2.0 < level["ci_upper"]
    assert slope["ci_lower"] < 0.1 < slope["ci_upper"]


def test_pre_period_start_and_exclusion_windows_drop_the_right_rows(frame, base) -> None:
    variations = [
        *rob.vary_start(base, ("2017-01-01",)),
        *rob.vary_exclusion(
            base, [("two months", [(pd.Timestamp("2021-12-01"), pd.Timestamp("2022-01-01"))])]
        ),
    ]
    table = rob.robustness_menu(frame, variations)
    assert row(table, "pre-period from 2017-01")["n"] == 96 - 12
    assert row(table, "exclude two months")["n"] == 96 - 2
    later = fit_its(frame.loc[frame["month"] >= "2017-01-01"], base)
    assert row(table, "pre-period from 2017-01")["estimate"] == pytest.approx(
        later.effects["level"].estimate, abs=1e-12
    )


def test_events_next_to_the_intervention_are_refused_rows_not_crashes(frame, base) -> None:
    events = [
        Event(pd.Timestamp("2019-06-15"), "far", "policy", "doc", key="far"),
        Event(pd.Timestamp("2021-12-07"), "next door", "policy", "doc", key="near"),
    ]
    table = rob.robustness_menu(frame, rob.vary_events(base, events))
    assert list(dict.fromkeys(table["spec"])) == [
        "+ far (level)",
        "+ near (level)",
        "+ all events (level)",
    ]
    far = row(table, "+ far (level)")
    assert np.isfinite(far["estimate"]) and far["varied"] == "events"
    for spec in ("+ near (level)", "+ all events (level)"):
        for effect in ("level", "slope"):
            r = row(table, spec, effect)
            assert np.isnan(r["estimate"]) and np.isnan(r["ci_lower"])
            assert r["interval_method"].startswith("not estimable: ")
            assert "too few points" in r["interval_method"]
    forced = rob.robustness_menu(frame, rob.vary_events(base, events[1:], min_segment=1))
    forced_row = row(forced, "+ near (level, min_segment=1)")
    assert np.isfinite(forced_row["estimate"]) and forced_row["note"].startswith("min_segment=1")


def test_leaving_out_each_other_interruption(frame, base) -> None:
    shock = OtherInterruption(at="2019-01-01", name="shock", impact="level")
    with_shock = replace(base, others=(shock,))
    (without,) = rob.vary_others(with_shock)
    assert without.label == "without shock" and without.spec.others == ()


def test_labels_must_be_distinct(frame, base) -> None:
    with pytest.raises(InputError, match="distinct labels"):
        rob.robustness_menu(frame, [rob.baseline(base), rob.baseline(base)])


def test_shifting_numbers_and_dates() -> None:
    assert rob.shift_time("2023-01-01", -1) == "2022-12-01"
    assert rob.shift_time("2023-01-01", 1, months_per_period=3) == "2023-04-01"
    assert rob.shift_time(2023, -2) == 2021
    assert rob.shift_time("2023", -2) == "2021"  # a year as the command line passes it
    with pytest.raises(InputError, match="neither a date nor a number"):
        rob.shift_time("soon", 1)
