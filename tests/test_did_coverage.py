"""Coverage by simulation in the mission's design: one treated unit, 8 controls, AR(1) errors.

The default (``inference="auto"``) interval of 2x2, TWFE, the event study's post-period
average and Callaway-Sant'Anna is the unit-level collapse t(7) interval, exact under this
design (normal errors, homoskedastic across units, any serial correlation), so its coverage
must be 95 % up to simulation noise. Tolerance: 3 binomial standard errors,
``3 * sqrt(0.95 * 0.05 / n)`` (0.060 with 120 panels), both ways. The old default, the CR1
clustered interval, must under-cover by more than that: that is the few-treated rule at work
(the issue saw 38 % for TWFE). ``benchmarks/did_coverage.py`` runs 1,000 panels per design.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from analysis.did.coverage import binomial_tolerance, coverage
from analysis.did.event_study import event_study
from analysis.did.panel import prepare_panel
from analysis.did.simulate import simulate_ar1_panel
from analysis.did.spec import DiDSpec
from analysis.did.staggered import callaway_santanna
from analysis.did.twfe import twfe
from analysis.did.twobytwo import two_by_two

ANNUAL = dict(n_periods=8, treat_period=7)
MONTHLY = dict(n_periods=96, treat_period=73)


def _panel(seed: int, design: dict):
    frame = simulate_ar1_panel(rho=0.5, effect=1.0, seed=seed, **design)
    return prepare_panel(
        frame, unit="unit", time="time", outcome="y", first_treated="first_treated"
    )


def _covers(estimate, truth: float = 1.0) -> bool:
    return estimate.ci_lower <= truth <= estimate.ci_upper


@pytest.fixture(scope="module")
def annual_hits() -> dict[str, list[bool]]:
    hits: dict[str, list[bool]] = {k: [] for k in ("2x2", "twfe", "cr1", "event", "cs")}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for seed in range(120):
            panel = _panel(10_000 + seed, ANNUAL)
            hits["2x2"].append(_covers(two_by_two(panel).effect))
            hits["twfe"].append(_covers(twfe(panel).effect))
            hits["cr1"].append(_covers(twfe(panel, inference="cluster").effect))
            event = event_study(panel, leads=4, lags=1)
            hits["event"].append(_covers(event.post_average()))
            hits["cs"].append(_covers(callaway_santanna(panel).simple))
    return hits


@pytest.mark.parametrize("estimator", ["2x2", "twfe", "event", "cs"])
def test_default_interval_covers_95_percent_annual(annual_hits, estimator):
    share = float(np.mean(annual_hits[estimator]))
    tolerance = binomial_tolerance(120)
    assert abs(share - 0.95) <= tolerance, (estimator, share)


def test_old_cr1_interval_under_covers_with_one_treated_unit(annual_hits):
    share = float(np.mean(annual_hits["cr1"]))
    assert share < 0.95 - binomial_tolerance(120), share


def test_default_interval_covers_95_percent_monthly():
    hits = {"2x2": [], "event": []}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for seed in range(80):
            panel = _panel(20_000 + seed, MONTHLY)
            hits["2x2"].append(_covers(two_by_two(panel).effect))
            event = event_study(panel, leads=4, lags=1, bin_width=12)  # years of months
            hits["event"].append(_covers(event.post_average()))
    for name, values in hits.items():
        share = float(np.mean(values))
        assert abs(share - 0.95) <= binomial_tolerance(80), (name, share)


def test_harness_counts_unbounded_sets_and_refusals():
    spec = DiDSpec(unit="unit", time="time", outcome="y", first_treated="first_treated")
    specs = {
        "placebo": DiDSpec(**{**spec.__dict__, "estimator": "placebo"}),
        "wild": DiDSpec(**{**spec.__dict__, "estimator": "wild", "draws": 99}),
    }
    table = coverage(
        specs, lambda seed: simulate_ar1_panel(seed=seed), truth=1.0, n_panels=5
    ).set_index("estimator")
    # 1/9 > 0.05: the exact randomisation set is the whole line, every time.
    assert table.loc["placebo", "share_unbounded"] == 1.0
    assert table.loc["placebo", "coverage"] == 1.0
    assert table.loc["wild", "refused"] == 5 and np.isnan(table.loc["wild", "coverage"])
    assert "not valid here" in table.loc["wild", "interval_method"]
