"""DiD estimators against reference implementations on simulated panels with known effects."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf

from analysis.did.event_study import event_study, plot_event_study
from analysis.did.honest import honest_bounds
from analysis.did.panel import PanelError, prepare_panel
from analysis.did.permutation import permutation_test, placebo_in_space
from analysis.did.simulate import simulate_single_treated, simulate_staggered
from analysis.did.synthetic_control import donor_weights, synthetic_control
from analysis.did.twfe import twfe
from analysis.did.twobytwo import two_by_two
from analysis.did.wild_bootstrap import wild_cluster_bootstrap


def _panel(frame: pd.DataFrame):
    return prepare_panel(
        frame, unit="unit", time="time", outcome="y", first_treated="first_treated"
    )


@pytest.fixture(scope="module")
def common_date() -> pd.DataFrame:
    return simulate_staggered(
        n_units=200, n_periods=8, cohorts=(4,), shape="constant", size=1.5, noise=0.5, seed=11
    )


@pytest.fixture(scope="module")
def single() -> pd.DataFrame:
    return simulate_single_treated(n_controls=15, n_periods=30, treat_period=20, effect=3.0, seed=5)


def test_two_by_two_equals_cell_means_and_ols_interaction(common_date):
    result = two_by_two(_panel(common_date))
    frame = common_date.assign(
        treated=common_date["first_treated"] > 0, post=common_date["time"] >= 2014
    )
    means = frame.groupby(["treated", "post"])["y"].mean()
    manual = (means[True, True] - means[True, False]) - (means[False, True] - means[False, False])
    assert result.effect.estimate == pytest.approx(manual, abs=1e-12)
    ols = smf.ols(
        "y ~ treated * post",
        data=frame.assign(treated=frame["treated"].astype(float), post=frame["post"].astype(float)),
    ).fit()
    assert result.effect.estimate == pytest.approx(ols.params["treated:post"], abs=1e-10)
    assert result.effect.ci_lower < 1.5 < result.effect.ci_upper
    assert result.n_pre == 4 and result.n_post == 4


def test_two_by_two_with_one_treated_unit_uses_the_collapse_t_interval(single):
    from scipy import stats

    panel = _panel(single)
    result = two_by_two(panel)
    # Donald & Lang (2007) / Bertrand, Duflo & Mullainathan (2004) collapse, by hand: per
    # unit post mean minus pre mean; SE = sd of the controls' changes * sqrt(1 + 1/N0);
    # t with N0 - 1 degrees of freedom.
    adoption = 20
    change = panel.outcome[:, adoption:].mean(1) - panel.outcome[:, :adoption].mean(1)
    treated = panel.ever_treated
    n0 = int((~treated).sum())
    se = change[~treated].std(ddof=1) * np.sqrt(1 + 1 / n0)
    q = stats.t.ppf(0.975, n0 - 1)
    assert result.effect.se == pytest.approx(se, rel=1e-10)
    assert result.effect.ci_lower == pytest.approx(result.effect.estimate - q * se, rel=1e-10)
    assert "collapse t(14)" in result.effect.interval_method
    assert result.n_treated == 1 and result.inference == "collapse"


def test_two_by_two_with_two_units_gives_the_estimate_and_no_se():
    frame = pd.DataFrame(
        {
            "unit": ["a", "a", "b", "b"],
            "time": [1, 2, 1, 2],
            "y": [1.0, 3.0, 1.0, 1.5],
            "first_treated": [2, 2, 0, 0],
        }
    )
    result = two_by_two(_panel(frame))
    assert result.effect.estimate == pytest.approx(1.5)
    assert np.isnan(result.effect.se) and np.isnan(result.effect.ci_lower)
    assert "not identified" in result.effect.interval_method


def test_twfe_matches_statsmodels_dummies(common_date):
    frame = simulate_staggered(n_units=60, n_periods=10, cohorts=(3, 6), shape="constant", seed=1)
    panel = _panel(frame)
    result = twfe(panel, vcov="linearmodels", inference="cluster")
    long = panel.to_long()
    ols = smf.ols("y ~ treated + C(unit) + C(time)", data=long)
    plain = ols.fit(cov_type="cluster", cov_kwds={"groups": long["unit"], "use_correction": False})
    assert result.effect.estimate == pytest.approx(plain.params["treated"], abs=1e-9)
    # The old (linearmodels) convention rescales the cluster sandwich by N / (N - K) with K
    # the regressors plus absorbed effects, nested unit effects included: this pins it to the
    # statsmodels sandwich. The fixest default is tested in tests/test_did_fixest.py.
    n, k = len(long), plain.df_model + 1
    assert result.effect.se == pytest.approx(plain.bse["treated"] * np.sqrt(n / (n - k)), rel=1e-8)
    assert result.n_clusters == 60
    assert "linearmodels convention" in result.effect.interval_method
    assert "60 clusters" in result.effect.interval_method


def test_event_study_matches_statsmodels_and_detects_no_pretrend(common_date):
    panel = _panel(common_date)
    result = event_study(panel, leads=3, lags=3)
    long = panel.to_long()
    rel = np.where(long["group"] >= 0, (long["period"] - long["group"]).clip(-3, 3), np.nan)
    for k in (-3, -2, 0, 1, 2, 3):
        long[f"e{k + 10}"] = (rel == k).astype(float)
    formula = (
        "y ~ " + " + ".join(f"e{k + 10}" for k in (-3, -2, 0, 1, 2, 3)) + " + C(unit) + C(period)"
    )
    ols = smf.ols(formula, data=long).fit()
    table = result.table.set_index("rel_time")
    for k in (-3, -2, 0, 1, 2, 3):
        assert table.loc[k, "estimate"] == pytest.approx(ols.params[f"e{k + 10}"], abs=1e-9)
    assert table.loc[-1, "estimate"] == 0.0
    assert result.pretrend_df == 2
    lead = result.vcov.loc[[-3, -2], [-3, -2]].to_numpy()
    b = table.loc[[-3, -2], "estimate"].to_numpy()
    assert result.pretrend_chi2 == pytest.approx(float(b @ np.linalg.inv(lead) @ b), rel=1e-8)
    assert result.pretrend_p_value > 0.01
    assert table.loc[[0, 1, 2, 3], "estimate"].mean() == pytest.approx(1.5, abs=0.3)


def test_event_study_pretrend_test_rejects_a_diverging_treated_group():
    frame = simulate_staggered(
        n_units=200, n_periods=8, cohorts=(5,), shape="constant", seed=4, noise=0.3
    )
    trend = np.where(frame["first_treated"] > 0, 0.4 * (frame["time"] - 2010), 0.0)
    result = event_study(_panel(frame.assign(y=frame["y"] + trend)), leads=4, lags=2)
    assert result.pretrend_p_value < 1e-6


def test_event_study_bins_periods():
    frame = simulate_single_treated(n_controls=10, n_periods=48, treat_period=36, seed=2)
    result = event_study(_panel(frame), leads=3, lags=0, bin_width=12)
    assert result.table["rel_time"].tolist() == [-3, -2, -1, 0]


def test_plot_event_study_draws(common_date):
    import matplotlib

    matplotlib.use("Agg")
    ax = plot_event_study(event_study(_panel(common_date)), label="synthetic")
    assert ax.get_legend_handles_labels()[1] == ["synthetic"]


def test_donor_weights_recover_a_convex_mix():
    rng = np.random.default_rng(0)
    donors = rng.normal(size=(40, 6)).cumsum(axis=0)
    truth = np.array([0.0, 0.6, 0.0, 0.4, 0.0, 0.0])
    weights = donor_weights(donors @ truth, donors)
    np.testing.assert_allclose(weights, truth, atol=1e-5)
    assert weights.min() >= 0 and weights.sum() == pytest.approx(1.0)


def test_synthetic_control_fit_effect_and_placebo_p(single):
    result = synthetic_control(_panel(single))
    assert result.weights.sum() == pytest.approx(1.0)
    # The treated path was built from controls 1-3; noise lets others take a little weight.
    assert result.weights[["control_01", "control_02", "control_03"]].sum() > 0.7
    assert result.pre_rmspe < 0.6
    assert result.effect.estimate == pytest.approx(3.0, abs=0.6)
    # The treated unit has the largest ratio among 16 units: p = 1/16.
    assert result.effect.p_value == pytest.approx(1 / 16)
    assert result.rmspe_ratio > result.placebo_ratios.max()
    assert len(result.placebo_ratios) == 15


def test_synthetic_control_no_effect_is_not_significant():
    frame = simulate_single_treated(
        n_controls=15, n_periods=30, treat_period=20, effect=0.0, seed=9
    )
    assert synthetic_control(_panel(frame)).effect.p_value > 0.1


def test_placebo_in_space_exact_p_formula(single):
    result = placebo_in_space(_panel(single))
    null = result.null_distribution.to_numpy()
    expected = (1 + np.sum(np.abs(null) >= abs(result.effect.estimate))) / (len(null) + 1)
    assert result.p_value == pytest.approx(expected)
    assert result.scheme == "exact" and result.n_draws == 15
    # 1/16 > 0.05: no constant effect can be rejected, so the confidence set is the line.
    assert np.isinf(result.effect.ci_lower) and np.isinf(result.effect.ci_upper)
    assert "unbounded" in result.effect.interval_method
    assert result.p_value >= 1 / 16
    wide = placebo_in_space(_panel(single), alpha=0.2)
    assert wide.effect.ci_lower < wide.effect.estimate < wide.effect.ci_upper


def test_placebo_statistics_equal_explicit_two_by_two(single):
    panel = _panel(single)
    result = placebo_in_space(panel)
    controls = single[single["first_treated"] == 0]
    placebo_unit = "control_03"
    frame = controls.assign(first_treated=np.where(controls["unit"] == placebo_unit, 20, 0))
    explicit = two_by_two(_panel(frame)).effect.estimate
    assert result.null_distribution[placebo_unit] == pytest.approx(explicit, abs=1e-10)


def test_permutation_test_enumeration_agrees_with_monte_carlo():
    frame = simulate_staggered(
        n_units=10, n_periods=6, cohorts=(3,), never_share=0.6, shape="constant", size=0.0, seed=3
    )
    panel = _panel(frame)
    n1 = int(panel.ever_treated.sum())
    changes = panel.outcome[:, 3:].mean(1) - panel.outcome[:, :3].mean(1)
    stat = changes[panel.ever_treated].mean() - changes[~panel.ever_treated].mean()
    exact = []
    for subset in itertools.combinations(range(10), n1):
        mask = np.zeros(10, bool)
        mask[list(subset)] = True
        exact.append(changes[mask].mean() - changes[~mask].mean())
    exact_p = np.mean(np.abs(exact) >= abs(stat) - 1e-12)
    result = permutation_test(panel, n_draws=20_000, seed=1)
    assert result.effect.estimate == pytest.approx(stat)
    assert result.p_value == pytest.approx(exact_p, abs=0.015)
    again = permutation_test(panel, n_draws=20_000, seed=1)
    assert again.p_value == result.p_value


def test_wild_bootstrap_refuses_one_treated_cluster_unless_asked(single):
    with pytest.raises(PanelError, match="wild cluster bootstrap is not valid here"):
        wild_cluster_bootstrap(_panel(single), draws=99, seed=1)
    result = wild_cluster_bootstrap(_panel(single), draws=999, seed=1, allow_few_treated=True)
    assert result.n_treated_clusters == 1
    assert "one treated cluster" in result.caveat
    assert result.effect.interval_method.startswith("NOT VALID with 1 treated")
    assert 0 <= result.p_value <= 1


def test_wild_bootstrap_rejects_a_large_effect_with_many_clusters():
    frame = simulate_staggered(
        n_units=40,
        n_periods=6,
        cohorts=(3,),
        never_share=0.5,
        shape="constant",
        size=3.0,
        noise=0.5,
        seed=8,
    )
    result = wild_cluster_bootstrap(_panel(frame), draws=1999, seed=2)
    assert result.p_value < 0.01
    assert result.effect.estimate == pytest.approx(twfe(_panel(frame)).effect.estimate, abs=1e-8)
    assert result.effect.interval_method.startswith("wild cluster bootstrap (WCR")


def _toy_event_table():
    return pd.DataFrame(
        {
            "rel_time": [-3, -2, -1, 0, 1],
            "estimate": [0.05, -0.1, 0.0, 1.0, 1.2],
            "se": [0.1, 0.1, np.nan, 0.2, 0.25],
        }
    )


def test_honest_rejects_a_pre_period():
    # The union-bound formulas tested here before issue 12 were replaced by Rambachan-Roth
    # confidence sets (helper A3's analysis/did/honest.py, tested against HonestDiD there).
    table = _toy_event_table()
    keys = [k for k in table["rel_time"] if k != -1]
    se = table.set_index("rel_time").loc[keys, "se"].to_numpy()
    vcov = pd.DataFrame(np.diag(se**2), index=keys, columns=keys)
    with pytest.raises(PanelError, match="post"):
        honest_bounds(table, rel_time=-2, vcov=vcov)


def _all_results(common_date, single):
    from analysis.did.staggered import callaway_santanna

    many, one = _panel(common_date), _panel(single)
    event = event_study(many, leads=3, lags=3)
    return {
        "2x2": two_by_two(many),
        "twfe": twfe(many),
        "event": event,
        "cs": callaway_santanna(many),
        "sc": synthetic_control(one),
        "placebo": placebo_in_space(one),
        "permutation": permutation_test(many, n_draws=200),
        "wild": wild_cluster_bootstrap(one, draws=99, seed=1, allow_few_treated=True),
        "honest": honest_bounds(event, m_grid=[0.0, 1.0]),
    }


def test_every_result_speaks_one_dialect(common_date, single):
    import json

    for name, result in _all_results(common_date, single).items():
        estimates = result.estimates()
        assert estimates, name
        assert all(e.interval_method for e in estimates), name
        doc = result.to_json()
        assert set(doc) == {"method", "estimates", "notes", "details"}, name
        assert set(doc["estimates"][0]) == {
            "name",
            "estimate",
            "se",
            "ci_lower",
            "ci_upper",
            "p_value",
            "interval_method",
            "alpha",
        }, name
        json.dumps(doc, allow_nan=False)
        assert list(result.to_frame()["estimate"]) == [e.estimate for e in estimates], name
        assert result.method_name in result.summary(), name
        for column in ("att", "statistic", "pvalue", "p", "lower", "upper"):
            for table in (v for v in vars(result).values() if isinstance(v, pd.DataFrame)):
                assert column not in table.columns, (name, column)


def test_event_study_post_average_uses_the_results_alpha(common_date):
    from analysis.estimates import critical_value

    panel = _panel(common_date)
    wide, narrow = (event_study(panel, leads=3, lags=3, alpha=a) for a in (0.01, 0.2))
    post = [0, 1, 2, 3]
    table = wide.table.set_index("rel_time")
    average = wide.post_average()
    assert average.estimate == pytest.approx(table.loc[post, "estimate"].mean(), abs=1e-12)
    weights = np.full(4, 0.25)
    assert average.se == pytest.approx(np.sqrt(weights @ wide.vcov.loc[post, post] @ weights))
    ratio = (average.ci_upper - average.ci_lower) / (
        narrow.post_average().ci_upper - narrow.post_average().ci_lower
    )
    # fixest convention: t(G - 1) for clustered intervals.
    assert wide.df == panel.n_units - 1
    assert ratio == pytest.approx(critical_value(0.01, wide.df) / critical_value(0.2, wide.df))
    assert average.alpha == 0.01 and wide.estimates()[0] == average


def test_alpha_sets_every_wald_interval(common_date):
    from analysis.did.staggered import callaway_santanna
    from analysis.estimates import critical_value

    panel = _panel(common_date)
    q = critical_value(0.1)
    cs = callaway_santanna(panel, alpha=0.1)
    cells = cs.group_time
    np.testing.assert_allclose(cells["ci_upper"] - cells["estimate"], q * cells["se"])
    for result in (two_by_two(panel, alpha=0.1).effect, cs.simple):
        assert result.ci_upper - result.estimate == pytest.approx(q * result.se)
    fixed = twfe(panel, alpha=0.1).effect  # fixest: t(G - 1)
    t_q = critical_value(0.1, panel.n_units - 1)
    assert fixed.ci_upper - fixed.estimate == pytest.approx(t_q * fixed.se)
