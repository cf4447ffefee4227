"""Synthetic control with predictors, placebos and conformal intervals, against published results.

Published references (typed once, with their citations, in the validation registry
``data/published/``, and read from there; never from our output):

* Abadie, Diamond & Hainmueller (2010), "Synthetic control methods for comparative case
  studies: estimating the effect of California's tobacco control program", JASA 105(490):
  493-505: Table 2 (state weights in synthetic California, all but five states 0) and Table 1
  (predictor means, synthetic and real California). Source ``adh2010``, check ids
  ``sc-prop99-weight-*``, ``sc-prop99-synthetic-*``, ``sc-prop99-real-*``.
* The same specification run by Stata ``synth`` on the same data (a published Stata log of
  the example; the paper's MATLAB optimiser differs slightly). Source ``stata_synth``, check
  ids ``sc-prop99-stata-weight-*``.
* Abadie & Gardeazabal (2003), "The economic costs of conflict: a case study of the Basque
  Country", AER 93(1): 113-132: synthetic Basque Country = a mix of Cataluna and Madrid
  (R ``Synth``'s ``basque`` example prints the same to four decimals). Source ``ag2003``,
  check ids ``sc-basque-*``.

The nested V/W problem has local optima and the published weights depend on the optimiser;
our search reaches a pre-period MSPE no worse than the published weights' (checked below), and
the weights are tested at +/- 0.005, which covers the paper-versus-Stata differences
(up to 0.003). Balance is tested at +/- 0.15 packs: a weight difference of 0.004 times the
donors' spread of about 30 packs.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis.datasets import load_data
from analysis.did.panel import Panel, PanelError, prepare_panel
from analysis.did.sc_inference import conformal_interval, moving_block_p, simplex_least_squares
from analysis.did.synthetic_control import synthetic_control
from analysis.published.fits import BASQUE_PREDICTORS
from analysis.published.registry import published_targets

ADH_WEIGHTS = published_targets("sc_prop99", "adh2010", "weight:")
STATA_WEIGHTS = published_targets("sc_prop99", "stata_synth", "weight:")
ADH_SYNTHETIC_BALANCE = published_targets("sc_prop99", "adh2010", "synthetic:")
ADH_REAL_BALANCE = published_targets("sc_prop99", "adh2010", "treated:")
# Percent aged 15-24: the paper prints the same value for both columns.
ADH_AGE_PERCENT = published_targets("sc_prop99", "adh2010")["synthetic_age_percent"]
AG_WEIGHTS = published_targets("sc_basque", "ag2003", "weight:")
ADH_PREDICTORS = [
    ("lnincome", 1980, 1988),
    ("age15to24", 1980, 1988),
    ("retprice", 1980, 1988),
    ("beer", 1984, 1988),
]
ADH_LAGS = [1975, 1980, 1988]


def _prop99() -> Panel:
    frame = load_data("california_smoking").frame
    frame = frame.assign(first=np.where(frame["state"] == "California", 1989, 0))
    return prepare_panel(
        frame,
        unit="state",
        time="year",
        outcome="cigsale",
        first_treated="first",
        covariates=["lnincome", "age15to24", "retprice", "beer"],
    )


@pytest.fixture(scope="module")
def prop99():
    panel = _prop99()
    result = synthetic_control(
        panel, predictors=ADH_PREDICTORS, outcome_lags=ADH_LAGS, placebos=False
    )
    return panel, result


def test_prop99_donor_weights_match_adh_2010_table_2(prop99):
    _, result = prop99
    used = result.weights[result.weights > 0.005]
    assert set(used.index) == set(ADH_WEIGHTS)
    for state, weight in ADH_WEIGHTS.items():
        assert result.weights[state] == pytest.approx(weight, abs=0.005), state
        assert result.weights[state] == pytest.approx(STATA_WEIGHTS[state], abs=0.005), state
    assert result.weights.sum() == pytest.approx(1.0, abs=1e-12)


def test_prop99_fit_is_no_worse_than_the_published_weights(prop99):
    panel, result = prop99
    units = list(panel.units)
    pre = panel.outcome[:, :19]
    published = np.zeros(len(units))
    for state, weight in ADH_WEIGHTS.items():
        published[units.index(state)] = weight
    california = units.index("California")
    published_mspe = np.mean((pre[california] - published @ pre) ** 2)
    ours = np.mean(result.path["gap"].to_numpy()[:19] ** 2)
    assert ours <= published_mspe + 1e-3


def test_prop99_predictor_balance_matches_adh_2010_table_1(prop99):
    _, result = prop99
    balance = result.balance
    for label, value in ADH_SYNTHETIC_BALANCE.items():
        assert balance.loc[label, "synthetic"] == pytest.approx(value, abs=0.15), label
    for label, value in ADH_REAL_BALANCE.items():
        assert balance.loc[label, "treated"] == pytest.approx(value, abs=0.005), label
    age = 100 * balance.loc["age15to24 (1980-1988)", "synthetic"]
    assert age == pytest.approx(ADH_AGE_PERCENT, abs=0.05)
    assert result.v_weights.sum() == pytest.approx(1.0)
    assert len(result.v_weights) == 7


def test_prop99_json_carries_the_gap_path_and_fit(prop99):
    _, result = prop99
    doc = result.to_json()
    assert set(doc) == {"method", "estimates", "notes", "details"}
    details = doc["details"]
    assert len(details["gap_path"]) == 31
    assert details["gap_path"][0]["time"] == 1970
    first = details["gap_path"][0]
    assert first["gap"] == pytest.approx(first["treated"] - first["synthetic"])
    assert details["pre_rmspe"] == pytest.approx(result.pre_rmspe)
    assert set(details["v_weights"]) == set(result.v_weights.index)
    assert len(details["balance"]) == 7
    # ADH 2010 (Figure 2 and text): a large, growing negative gap after 1988.
    assert result.path.loc[2000, "gap"] < -20
    assert result.conformal.estimate < -15


def test_prop99_conformal_interval_is_labelled_and_excludes_zero_or_says_why(prop99):
    _, result = prop99
    c = result.conformal
    assert "Chernozhukov" in c.interval_method
    assert "smallest attainable p = 0.0323" in c.interval_method
    assert c.ci_lower < c.estimate < c.ci_upper
    assert 1 / 31 <= c.p_value <= 1


def _basque() -> Panel:
    frame = load_data("basque_terrorism").frame
    frame = frame[frame["regionno"] != 1]  # Spain as a whole is not a donor
    frame = frame.assign(first=np.where(frame["regionno"] == 17, 1970, 0))
    return prepare_panel(
        frame,
        unit="regionname",
        time="year",
        outcome="gdpcap",
        first_treated="first",
        covariates=[p[0] for p in BASQUE_PREDICTORS],
    )


def test_basque_weights_match_abadie_gardeazabal_2003_with_synths_search():
    """R Synth's search (v_search="synth") lands where the paper did, to +/- 0.01.

    The tolerance covers R's BFGS path (numerical gradients): our BFGS from R's equal-weight
    start stops at Cataluna 0.859 with an MSPE within 1 % of the published weights'. The
    default multistart search finds a better optimum (MSPE less than half the published
    one, weight spread over three regions), checked too: published SC weights are an
    optimiser's output, not the unique solution.
    """
    panel = _basque()
    kwargs = dict(
        predictors=BASQUE_PREDICTORS,
        outcome_lags=[(1960, 1969)],
        fit_window=(1960, 1969),
        placebos=False,
    )
    synth = synthetic_control(panel, v_search="synth", **kwargs)
    for region, weight in AG_WEIGHTS.items():
        assert synth.weights[region] == pytest.approx(weight, abs=0.01), region
    assert synth.weights.drop(list(AG_WEIGHTS)).max() < 0.001
    units = list(panel.units)
    fit = [list(panel.times).index(t) for t in range(1960, 1970)]
    basque = units.index("Basque Country (Pais Vasco)")
    published = np.zeros(len(units))
    for region, weight in AG_WEIGHTS.items():
        published[units.index(region)] = weight
    published_mspe = np.mean((panel.outcome[basque, fit] - published @ panel.outcome[:, fit]) ** 2)
    synth_mspe = np.mean(synth.path["gap"].to_numpy()[fit] ** 2)
    assert synth_mspe == pytest.approx(published_mspe, rel=0.01)
    default = synthetic_control(panel, **kwargs)
    assert np.mean(default.path["gap"].to_numpy()[fit] ** 2) < 0.6 * published_mspe
    # A&G 2003: the gap opens after terrorism starts (about 10 % of GDP per capita by the 1990s).
    assert synth.path.loc[1990, "gap"] < 0


def test_moving_block_p_is_the_rank_over_cyclic_shifts():
    u = np.array([0.1, -0.2, 0.3, 0.05, -4.0, 3.0])
    post = np.array([False, False, False, False, True, True])
    # Shifts put each pair of cyclically adjacent periods in the post slot; the observed pair
    # (4, 5) has the largest mean |u|, so p = 1/6, the smallest attainable.
    assert moving_block_p(u, post) == pytest.approx(1 / 6)
    assert moving_block_p(np.zeros(6), post) == pytest.approx(1.0)


def test_conformal_is_unbounded_when_one_over_t_exceeds_alpha():
    rng = np.random.default_rng(3)
    donors = rng.normal(size=(8, 4)).cumsum(axis=0)
    y = donors @ np.array([0.5, 0.5, 0, 0]) + rng.normal(0, 0.1, 8)
    post = np.arange(8) >= 5
    ci = conformal_interval(y, donors, post, center=0.0, scale=1.0, alpha=0.05)
    assert not ci.bounded and ci.lower == -math.inf and ci.upper == math.inf
    assert "smallest attainable p = 0.125 > alpha = 0.05" in ci.method
    assert "unbounded" in ci.method


def test_conformal_rejects_a_large_effect_with_enough_periods():
    rng = np.random.default_rng(5)
    t = 60
    donors = rng.normal(size=(t, 5)).cumsum(axis=0)
    y = donors @ np.array([0.3, 0.7, 0, 0, 0]) + rng.normal(0, 0.2, t)
    post = np.arange(t) >= 48
    y = y + 3.0 * post
    ci = conformal_interval(y, donors, post, center=3.0, scale=0.2, alpha=0.05)
    assert ci.bounded and ci.lower < 3.0 < ci.upper
    assert ci.upper - ci.lower < 1.5
    assert ci.p_zero == pytest.approx(1 / t)


def _small(effect: float, seed: int, n_donors: int = 9, periods: int = 30, adopt: int = 20):
    rng = np.random.default_rng(seed)
    t = np.arange(periods)
    donors = (
        10 + rng.normal(0, 2, (n_donors, 1)) + rng.normal(0, 0.5, (n_donors, periods)).cumsum(1)
    )
    treated = donors[:3].mean(axis=0) + rng.normal(0, 0.3, periods) + effect * (t >= adopt)
    y = np.vstack([treated, donors])
    x = y + rng.normal(0, 1, y.shape)  # a covariate related to the outcome
    units = ["treated"] + [f"d{i}" for i in range(n_donors)]
    frame = pd.DataFrame(
        {
            "unit": np.repeat(units, periods),
            "time": np.tile(t, n_donors + 1),
            "y": y.ravel(),
            "x": x.ravel(),
            "first": np.repeat([adopt] + [0] * n_donors, periods),
        }
    )
    return prepare_panel(
        frame, unit="unit", time="time", outcome="y", first_treated="first", covariates=["x"]
    )


def test_placebo_in_space_with_predictors_gives_the_exact_rank_p():
    panel = _small(effect=6.0, seed=11)
    result = synthetic_control(panel, predictors=["x"], outcome_lags=[5, 10, 19])
    n0 = len(result.placebo_ratios)
    assert n0 == 9
    rank = 1 + int((result.placebo_ratios >= result.rmspe_ratio).sum())
    assert result.effect.p_value == pytest.approx(rank / (n0 + 1))
    assert result.effect.p_value == pytest.approx(1 / 10)
    assert "smallest attainable p = 1/10" in result.effect.interval_method
    assert result.to_json()["details"]["placebo_in_space_smallest_p"] == pytest.approx(0.1)


def test_placebo_in_time_is_fitted_on_the_pre_period_only():
    panel = _small(effect=6.0, seed=11)
    result = synthetic_control(panel, outcome_lags=[(0, 9)], placebo_time=5, placebos=False)
    pit = result.placebo_in_time
    assert pit is not None and pit.adoption_label == 15
    assert pit.gap.index.max() == 19  # the real post-period is not used
    assert abs(pit.effect) < 1.5  # no effect before the real adoption
    assert any(e.name == "placebo_in_time_15" for e in result.estimates())


def test_per_period_intervals_use_the_pre_period_plus_one():
    panel = _small(effect=6.0, seed=2)
    result = synthetic_control(panel, placebos=False, per_period=True)
    table = result.per_period
    assert list(table.index) == list(range(20, 30))
    assert (table["p_value"] >= 1 / 21 - 1e-12).all()
    assert (table["ci_lower"] <= table["gap"]).all() and (table["gap"] <= table["ci_upper"]).all()


def test_predictor_errors_name_the_problem():
    panel = _small(effect=0.0, seed=1)
    with pytest.raises(PanelError, match="'z' is not a covariate"):
        synthetic_control(panel, predictors=["z"], placebos=False)
    with pytest.raises(PanelError, match="no pre-treatment period between 25 and 29"):
        synthetic_control(panel, predictors=[("x", 25, 29)], placebos=False)
    with pytest.raises(PanelError, match="placebo_time=19"):
        synthetic_control(panel, placebo_time=19, placebos=False)


def test_simplex_solver_matches_a_convex_mix_exactly():
    rng = np.random.default_rng(0)
    donors = rng.normal(size=(40, 6)).cumsum(axis=0)
    truth = np.array([0.0, 0.6, 0.0, 0.4, 0.0, 0.0])
    np.testing.assert_allclose(simplex_least_squares(donors, donors @ truth), truth, atol=1e-9)


def test_conformal_coverage_on_the_monthly_design():
    """Seeded coverage of the default conformal interval, 1 treated + 8 controls, 96 months.

    60 panels: with true coverage 0.95 the count falls below 0.85 x 60 = 51 with binomial
    probability < 0.2 %; benchmarks/did_synth.py runs 1,000.
    """
    from benchmarks.did_synth import EFFECT, simulate_design

    hits = 0
    for seed in range(60):
        panel = simulate_design(96, 60, seed=seed)
        ci = synthetic_control(panel, placebos=False).conformal
        hits += ci.ci_lower <= EFFECT <= ci.ci_upper
    assert hits >= 51
