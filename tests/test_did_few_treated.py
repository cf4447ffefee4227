"""The few-treated rule and the inference methods valid with one treated unit.

Rule (analysis.did.inference): fewer than 10 treated or control clusters -> cluster-robust
and wild-bootstrap inference are not presented as valid (Conley & Taber 2011, REStat;
MacKinnon & Webb 2017, JAE; 2018, Econometrics Journal; Ferman & Pinto 2019, REStat).
Each method is checked against a hand computation of its textbook formula.
"""

from __future__ import annotations

import argparse
import json
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.did import cli
from analysis.did import inference as inf
from analysis.did.event_study import event_study
from analysis.did.panel import PanelError, prepare_panel
from analysis.did.simulate import simulate_ar1_panel, simulate_staggered
from analysis.did.staggered import callaway_santanna
from analysis.did.twfe import twfe
from analysis.did.twobytwo import two_by_two
from analysis.did.wild_bootstrap import wild_cluster_bootstrap
from analysis.errors import EXIT_INPUT_REFUSED, EXIT_OK


def _panel(frame: pd.DataFrame):
    return prepare_panel(
        frame, unit="unit", time="time", outcome="y", first_treated="first_treated"
    )


@pytest.fixture(scope="module")
def one() -> pd.DataFrame:
    return simulate_ar1_panel(n_controls=8, n_periods=8, treat_period=7, seed=4)


def _changes(panel, adoption: int) -> np.ndarray:
    return panel.outcome[:, adoption:].mean(1) - panel.outcome[:, :adoption].mean(1)


@pytest.mark.parametrize(
    "n_treated, n_controls, expected",
    [(1, 8, "collapse"), (9, 30, "collapse"), (12, 9, "collapse"), (12, 12, "cluster")],
)
def test_auto_applies_the_threshold_to_treated_and_control_clusters(
    n_treated, n_controls, expected
):
    frame = simulate_ar1_panel(n_treated=n_treated, n_controls=n_controls, seed=1)
    method, reason = inf.choose("auto", _panel(frame))
    assert method == expected
    assert "MacKinnon & Webb" in reason and str(inf.FEW_CLUSTERS) in reason


def test_twfe_default_is_the_collapse_interval_and_cr1_is_labelled(one):
    panel = _panel(one)
    result = twfe(panel)
    d = _changes(panel, 6)
    treated = panel.ever_treated
    se = d[~treated].std(ddof=1) * np.sqrt(1 + 1 / 8)
    q = stats.t.ppf(0.975, 7)
    assert result.effect.estimate == pytest.approx(d[treated][0] - d[~treated].mean(), abs=1e-9)
    assert result.effect.se == pytest.approx(se, rel=1e-9)
    assert result.effect.ci_upper == pytest.approx(result.effect.estimate + q * se, rel=1e-9)
    assert result.inference == "collapse" and "collapse t(7)" in result.effect.interval_method
    doc = result.to_json()
    assert doc["details"]["cluster_robust"]["interval_method"].startswith("NOT VALID")
    assert np.isnan(result.cluster.se)  # not valid here, so not computed
    assert any("few-treated threshold" in n for n in doc["notes"])
    forced = twfe(panel, inference="cluster")
    assert forced.effect.estimate == pytest.approx(result.effect.estimate, abs=1e-9)
    assert forced.effect.interval_method.startswith("NOT VALID with 1 treated of 9 clusters")
    assert "CR1" in forced.effect.interval_method


def test_event_study_default_uses_collapse_rows_and_hotelling_pretrend(one):
    panel = _panel(one)
    default = event_study(panel, leads=4, lags=1)
    cluster = event_study(panel, leads=4, lags=1, inference="cluster")
    a, b = default.table.set_index("rel_time"), cluster.table.set_index("rel_time")
    np.testing.assert_allclose(a["estimate"], b["estimate"], atol=1e-9)
    # Event time 0 by hand: per unit, period-7 outcome minus period-6 outcome (reference -1).
    d = panel.outcome[:, 6] - panel.outcome[:, 5]
    treated = panel.ever_treated
    se = d[~treated].std(ddof=1) * np.sqrt(1 + 1 / 8)
    assert a.loc[0, "se"] == pytest.approx(se, rel=1e-8)
    assert default.df == 7 and "Hotelling" in default.pretrend_method
    assert "F(3, 5)" in default.pretrend_method
    assert cluster.table.loc[0, "se"] != pytest.approx(se, rel=1e-3)


@pytest.mark.parametrize("leads", [0, 1])
def test_event_study_with_no_lead_coefficient(one, leads):
    result = event_study(_panel(one), leads=leads, lags=1)
    assert result.table["rel_time"].tolist() == [-1, 0, 1]
    assert np.isnan(result.pretrend_p_value) and "no lead" in result.pretrend_method
    # All pre-periods pooled into the reference: event time 0 is the 2x2 with period 7 only.
    panel = _panel(one)
    d = panel.outcome[:, 6] - panel.outcome[:, :6].mean(1)
    t = panel.ever_treated
    assert result.table.set_index("rel_time").loc[0, "estimate"] == pytest.approx(
        d[t][0] - d[~t].mean(), abs=1e-9
    )


def test_permutation_set_is_unbounded_when_1_over_n_exceeds_alpha(one):
    panel = _panel(one)
    strict = twfe(panel, inference="permutation").effect
    assert np.isinf(strict.ci_lower) and np.isinf(strict.ci_upper)
    assert "1/9" in strict.interval_method and "unbounded" in strict.interval_method
    # Exact p by hand: each unit in turn is "treated" against the other 8.
    d = _changes(panel, 6)
    stats_all = np.array([d[j] - np.delete(d, j).mean() for j in range(d.size)])
    actual = stats_all[panel.ever_treated][0]
    assert strict.p_value == pytest.approx(np.mean(np.abs(stats_all) >= abs(actual) - 1e-12))
    loose = twfe(panel, inference="permutation", alpha=0.25).effect
    assert loose.ci_lower < loose.estimate < loose.ci_upper
    # The set's ends are exactly where the p-value falls to alpha.
    assert np.isfinite(loose.ci_lower) and np.isfinite(loose.ci_upper)


def test_conley_taber_states_its_finite_sample_coverage(one):
    panel = _panel(one)
    result = two_by_two(panel, inference="conley-taber").effect
    d = _changes(panel, 6)
    treated = panel.ever_treated
    residuals = d[~treated] - d[~treated].mean()
    low, high = np.quantile(residuals, [0.025, 0.975])
    assert result.ci_lower == pytest.approx(result.estimate - high, abs=1e-9)
    assert result.ci_upper == pytest.approx(result.estimate - low, abs=1e-9)
    assert "7/9 = 0.78" in result.interval_method
    assert result.interval_method.startswith("NOT VALID at 95%")


def test_cs_default_with_one_treated_unit(one):
    panel = _panel(one)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no single-cohort warning: the interval is valid
        result = callaway_santanna(panel)
    # Simple ATT by hand: post periods 7, 8 each against period 6 (g - 1), averaged.
    d = panel.outcome[:, 6:].mean(1) - panel.outcome[:, 5]
    t = panel.ever_treated
    assert result.simple.estimate == pytest.approx(d[t][0] - d[~t].mean(), abs=1e-9)
    assert result.simple.se == pytest.approx(d[~t].std(ddof=1) * np.sqrt(1 + 1 / 8), rel=1e-8)
    assert result.inference == "collapse"
    assert result.group_time["se"].notna().all()


def test_collapse_weights_equal_differences_estimates_on_a_staggered_panel():
    frame = simulate_staggered(n_units=60, n_periods=7, cohorts=(2, 4), shape="dynamic", seed=3)
    panel = _panel(frame)
    for comparison in ("never", "notyet"):
        reference = callaway_santanna(panel, comparison=comparison, inference="cluster")
        own = callaway_santanna(panel, comparison=comparison, inference="collapse")
        for a, b in zip(reference.estimates(), own.estimates()):
            assert a.estimate == pytest.approx(b.estimate, abs=1e-9)
        np.testing.assert_allclose(
            reference.group_time["estimate"], own.group_time["estimate"], atol=1e-9
        )
        np.testing.assert_allclose(
            reference.dynamic["estimate"], own.dynamic["estimate"], atol=1e-9
        )


def test_wild_bootstrap_refuses_few_treated(one):
    with pytest.raises(PanelError, match="not valid here"):
        wild_cluster_bootstrap(_panel(one), draws=99)


def _cli(*args: str, capsys) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser()
    cli.configure(parser)
    code = cli.run(parser.parse_args(list(args)))
    out = capsys.readouterr()
    return code, out.out, out.err


def _base(path) -> list[str]:
    return [
        "--data",
        str(path),
        "--unit",
        "unit",
        "--time",
        "time",
        "--outcome",
        "y",
        "--first-treated",
        "first_treated",
    ]


def test_cli_two_units_exit_0_with_se_not_identified(tmp_path, capsys):
    frame = pd.DataFrame(
        {
            "unit": ["a"] * 3 + ["b"] * 3,
            "time": [1, 2, 3] * 2,
            "y": [1.0, 1.2, 2.5, 1.0, 1.1, 1.3],
            "first_treated": [3] * 3 + [0] * 3,
        }
    )
    frame.to_csv(tmp_path / "two.csv", index=False)
    code, out, err = _cli(
        *_base(tmp_path / "two.csv"), "--estimator", "2x2", "--json", capsys=capsys
    )
    assert code == EXIT_OK, err
    effect = json.loads(out)["estimates"][0]
    assert effect["estimate"] == pytest.approx((2.5 - 1.1) - (1.3 - 1.05))
    assert effect["se"] is None and "not identified" in effect["interval_method"]


def test_cli_wild_refuses_then_runs_labelled_with_inference_cluster(tmp_path, one, capsys):
    one.to_csv(tmp_path / "one.csv", index=False)
    code, _, err = _cli(*_base(tmp_path / "one.csv"), "--estimator", "wild", capsys=capsys)
    assert code == EXIT_INPUT_REFUSED and "not valid here" in err
    code, out, _ = _cli(
        *_base(tmp_path / "one.csv"),
        "--estimator",
        "wild",
        "--inference",
        "cluster",
        "--draws",
        "99",
        "--json",
        capsys=capsys,
    )
    assert code == EXIT_OK
    assert json.loads(out)["estimates"][0]["interval_method"].startswith("NOT VALID")


def test_cli_always_treated_keep_for_twfe_only(tmp_path, capsys):
    frame = simulate_staggered(
        n_units=40, n_periods=6, cohorts=(3,), shape="constant", never_share=0.5, seed=5
    ).drop(columns="true_effect")
    first = frame["unit"].iloc[0]
    frame.loc[frame["unit"] == first, "first_treated"] = frame["time"].min()
    frame.to_csv(tmp_path / "early.csv", index=False)
    args = [*_base(tmp_path / "early.csv"), "--always-treated", "keep", "--json"]
    code, out, err = _cli(*args, "--estimator", "twfe", capsys=capsys)
    assert code == EXIT_OK, err
    doc = json.loads(out)
    assert doc["panel"]["n_always_treated_kept"] == 1
    assert any("kept" in n for n in doc["notes"])
    code, _, err = _cli(*args, "--estimator", "2x2", capsys=capsys)
    assert code == EXIT_INPUT_REFUSED and "--always-treated 'drop'" in err
