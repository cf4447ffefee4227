"""The chapter's computations and figures: shapes, labels and honesty markers."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest

from analysis.datasets import load_data
from analysis.its import chapter as ch
from analysis.its import plots
from analysis.its.reported import summarise_reported
from analysis.plotting.provenance import provenance_classes


@pytest.fixture(scope="module")
def frame():
    return ch.qianjiang_monthly()


def test_main_model_is_the_pre_specified_one(frame) -> None:
    fits = ch.fit_main(frame)
    assert set(fits) == set(ch.OUTCOMES)
    visit = fits["visit_share"]
    assert visit.errors == "ar1" and visit.rho is not None
    assert visit.n == len(frame) - 6  # six COVID-19 months excluded
    assert "covid" in visit.other_effects
    summary = ch.effects_summary(fits)
    assert list(summary["outcome"]) == list(ch.OUTCOMES.values())


def test_robustness_menu_covers_every_combination(frame) -> None:
    table = ch.robustness(frame)
    assert len(table) == 3 * 2 * 2 * 3
    wide = ch.robustness_wide(table)
    assert wide.shape == (12, 6)
    assert set(wide["errors"]) == {"ols", "hac", "ar1"}


def test_power_scenarios_have_distinct_labels_and_annual_is_weaker() -> None:
    scenarios = ch.power_scenarios(0.5)
    assert len({s.label for s in scenarios}) == len(scenarios)
    table, curves = ch.run_power(scenarios, effect=5.8, reps=500)
    annual = table[table["scenario"].str.startswith("annual")]["power"]
    monthly = table[table["scenario"].str.startswith("monthly")]["power"]
    assert annual.max() <= monthly.max()
    assert set(curves) == {s.label for s in scenarios}


def test_figures_label_provenance(frame) -> None:
    points = load_data("qianjiang_reported").frame
    fig, ax = plt.subplots()
    plots.plot_reported(ax, points, summarise_reported(points, "visit_share"))
    assert provenance_classes(ax) == {"reported", "assumed"}
    plt.close(fig)
    fit = ch.fit_main(frame)["fund_share"]
    fig, ax = plt.subplots()
    plots.plot_counterfactual(ax, fit, frame["month"], "Fund share")
    assert ax.get_title().startswith("Synthetic data")
    assert all("synthetic" in t.get_text().lower() or "CI" in t.get_text()
               for t in ax.legend().get_texts())
    plt.close(fig)
