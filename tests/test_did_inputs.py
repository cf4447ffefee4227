"""Bad panel input gets a clear PanelError, or the documented handling."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.did.panel import PanelError, first_treated_from_indicator, prepare_panel
from analysis.did.simulate import simulate_staggered
from analysis.did.synthetic_control import synthetic_control
from analysis.did.twobytwo import two_by_two

COLUMNS = {"unit": "unit", "time": "time", "outcome": "y", "first_treated": "first_treated"}


@pytest.fixture()
def frame() -> pd.DataFrame:
    return simulate_staggered(n_units=30, n_periods=6, cohorts=(3,), seed=1)


def test_missing_columns_are_named_with_their_argument(frame):
    with pytest.raises(PanelError, match="missing column.*first_treated='first_treated'"):
        prepare_panel(frame.drop(columns="first_treated"), **COLUMNS)


def test_rows_are_named_when_the_frame_has_spreadsheet_rows(frame):
    bad = frame.set_axis(pd.Index(range(2, len(frame) + 2), name="row"))
    bad.loc[7, "y"] = np.nan
    with pytest.raises(PanelError, match=r"^row 7: outcome='y' has 1 missing"):
        prepare_panel(bad, **COLUMNS)
    doubled = pd.concat([bad.dropna(), bad.dropna().loc[[9]]])
    with pytest.raises(PanelError, match=r"^row 9: 2 duplicated unit-time rows"):
        prepare_panel(doubled, **COLUMNS)


def test_duplicated_unit_time_rows_are_rejected(frame):
    doubled = pd.concat([frame, frame.iloc[[5]]])
    with pytest.raises(PanelError, match="1 duplicated|2 duplicated"):
        prepare_panel(doubled, **COLUMNS)


def test_unbalanced_panel_errors_or_drops_incomplete_units(frame):
    holed = frame.drop(index=frame.index[(frame["unit"] == 4) & (frame["time"] == 2012)])
    with pytest.raises(PanelError, match="unbalanced"):
        prepare_panel(holed, **COLUMNS)
    panel = prepare_panel(holed, **COLUMNS, balance="drop")
    assert panel.n_units == 29 and panel.n_dropped_unbalanced == 1
    assert 4 not in panel.units


def test_treated_without_pre_period_errors_or_is_dropped(frame):
    early = frame.copy()
    early.loc[early["unit"] == 0, "first_treated"] = 2010
    with pytest.raises(PanelError, match="no pre-treatment period"):
        prepare_panel(early, **COLUMNS)
    panel = prepare_panel(early, **COLUMNS, always_treated="drop")
    assert 0 not in panel.units and panel.n_dropped_always_treated == 1


def test_treatment_that_switches_off_is_rejected():
    data = pd.DataFrame(
        {"unit": [1] * 4 + [2] * 4, "time": list(range(4)) * 2, "d": [0, 1, 1, 0, 0, 0, 0, 0]}
    )
    with pytest.raises(PanelError, match="switches off in unit 1 at time=3"):
        first_treated_from_indicator(data, unit="unit", time="time", indicator="d")


def test_indicator_is_converted_to_first_treated():
    data = pd.DataFrame(
        {
            "unit": [1] * 4 + [2] * 4,
            "time": list(range(2000, 2004)) * 2,
            "d": [0, 0, 1, 1, 0, 0, 0, 0],
        }
    )
    out = first_treated_from_indicator(data, unit="unit", time="time", indicator="d")
    assert out.groupby("unit")["first_treated"].first().to_dict() == {1: 2002, 2: 0}


def test_first_treated_must_be_constant_within_unit(frame):
    bad = frame.copy()
    bad.loc[(bad["unit"] == 2) & (bad["time"] == 2011), "first_treated"] = 2014
    with pytest.raises(PanelError, match="changes within unit 2"):
        prepare_panel(bad, **COLUMNS)


def test_missing_outcome_values_are_rejected(frame):
    bad = frame.copy()
    bad.loc[3, "y"] = np.nan
    with pytest.raises(PanelError, match="has 1 missing value"):
        prepare_panel(bad, **COLUMNS)


def test_empty_and_zero_first_treated_both_mean_never(frame):
    as_text = frame.assign(
        first_treated=frame["first_treated"].map(lambda v: "" if v == 0 else str(v))
    )
    a = prepare_panel(frame, **COLUMNS)
    b = prepare_panel(as_text, **COLUMNS)
    np.testing.assert_array_equal(a.group_code, b.group_code)


def test_adoption_after_the_window_counts_as_never_treated(frame):
    late = frame.copy()
    late.loc[late["unit"] == 1, "first_treated"] = 2030
    panel = prepare_panel(late, **COLUMNS)
    assert panel.group_code[list(panel.units).index(1)] == -1


def test_dates_are_accepted_for_monthly_panels():
    months = pd.date_range("2020-01-01", periods=6, freq="MS")
    data = pd.DataFrame(
        {
            "unit": np.repeat(["a", "b", "c"], 6),
            "time": np.tile(months, 3),
            "y": np.arange(18, dtype=float),
            "first_treated": np.repeat([pd.Timestamp("2020-04-01"), pd.NaT, pd.NaT], 6),
        }
    )
    panel = prepare_panel(data, **COLUMNS)
    assert panel.group_code.tolist() == [3, -1, -1]


def test_single_date_estimators_reject_staggered_panels():
    staggered = simulate_staggered(n_units=30, n_periods=6, cohorts=(2, 4), seed=3)
    panel = prepare_panel(staggered, **COLUMNS)
    with pytest.raises(PanelError, match="adoption dates"):
        two_by_two(panel)
    with pytest.raises(PanelError, match="adoption dates"):
        synthetic_control(panel)


def test_synthetic_control_needs_exactly_one_treated_unit(frame):
    with pytest.raises(PanelError, match="exactly one treated unit"):
        synthetic_control(prepare_panel(frame, **COLUMNS))
