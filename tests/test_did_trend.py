"""Trend-adjusted DiD: exact under unit-specific linear trends, linear in the outcomes, and its
collapse interval equal to the textbook one-treated-unit formula computed by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.did.panel import PanelError, prepare_panel
from analysis.did.trend import trend_adjusted


def _frame(effect: float = 1.5, noise: float = 0.0, n_controls: int = 8, seed: int = 0):
    rng = np.random.default_rng(seed)
    rows = []
    for unit in range(n_controls + 1):
        slope, level = rng.normal(-1.0, 0.3), rng.normal(40, 3)
        for t in range(10):
            treated = unit == 0 and t >= 7
            y = level + slope * t + effect * treated + noise * rng.normal()
            rows.append((unit, t, y, 7 if unit == 0 else 0))
    return pd.DataFrame(rows, columns=["unit", "time", "y", "first"])


def _panel(frame):
    return prepare_panel(frame, unit="unit", time="time", outcome="y", first_treated="first")


def test_exact_under_unit_specific_linear_trends_while_the_plain_2x2_is_not():
    result = trend_adjusted(_panel(_frame(effect=1.5)))
    assert result.effect.estimate == pytest.approx(1.5, abs=1e-9)
    assert abs(result.plain.estimate - 1.5) > 0.1  # heterogeneous slopes bias the 2 x 2
    assert result.trend_bias == pytest.approx(result.plain.estimate - 1.5, abs=1e-9)


def test_estimate_and_collapse_interval_by_hand():
    frame = _frame(effect=1.0, noise=0.4, seed=3)
    result = trend_adjusted(_panel(frame))
    departures = []
    for _, rows in frame.groupby("unit"):
        y = rows.sort_values("time")["y"].to_numpy()
        slope, intercept = np.polyfit(np.arange(7), y[:7], 1)
        departures.append(y[7:].mean() - (intercept + slope * np.arange(7, 10)).mean())
    departures = np.array(departures)
    controls = departures[1:]
    estimate = departures[0] - controls.mean()
    se = controls.std(ddof=1) * np.sqrt(1 + 1 / controls.size)
    half = stats.t.ppf(0.975, controls.size - 1) * se
    assert result.effect.estimate == pytest.approx(estimate, rel=1e-9)
    assert result.effect.ci_lower == pytest.approx(estimate - half, rel=1e-9)
    assert result.effect.ci_upper == pytest.approx(estimate + half, rel=1e-9)
    assert "collapse t(7)" in result.effect.interval_method
    assert result.inference == "collapse"


def test_one_pre_period_is_refused():
    frame = _frame()
    frame = frame[frame["time"] >= 6]
    with pytest.raises(PanelError, match="two pre-periods"):
        trend_adjusted(_panel(frame))
