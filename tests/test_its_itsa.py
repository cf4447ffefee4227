"""Reproduce Stata ``itsa`` (Linden 2015) on the California Proposition 99 cigarette-sales data.

Published reference values
--------------------------
Linden A. Conducting interrupted time-series analysis for single- and multiple-group
comparisons. *Stata Journal* 2015;15(2):480-500 (the ``itsa`` examples on ``cigsales``:
California = state 3, ``trperiod(1989)``, ``lag(1)``). The multiple-group model with all 38
other states as controls, ``itsa cigsale, treatid(3) trperiod(1989) lag(1) posttrend``, is
re-estimated and its printed output quoted in the help file of Linden's ``power itsa``
(SSC S459461, 2025; section "Examples, Multiple-group ITSA"): the coefficients, the treated
and control post-trends, and the P values of ``_z_x1989`` (difference in the level change)
and ``_z_x_t1989`` (difference in the trend change) that the issue quotes. The values are
typed once, with this citation, in the validation registry
(``data/published/published_results.csv``, source ``linden2015``, check ids
``itsa-multi-*``, ``itsa-single-*``, ``itsa-actest-lag``) and read from there.

Printed precision is seven significant digits for coefficients and three decimals for P.
The single-group model ``itsa cigsale, single trperiod(1989) lag(1) posttrend`` has the same
treated-series coefficients (its regression is the treated half of the saturated
multiple-group one), so ``_x_t1989`` is its posttrend minus ``_t``. Its printed standard
errors were not found in the stored sources, so its SEs are checked against an independent
implementation of Stata's ``newey`` formula ([TS] newey, Methods and formulas) written out
below.

Data: Abadie, Diamond & Hainmueller (2010), dataset ``california_smoking``.
"""

from __future__ import annotations

import json
import shlex

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.cli import main
from analysis.datasets import load_data
from analysis.its import its
from analysis.its.actest import lag_tests
from analysis.its.cli import command_line
from analysis.its.fit import ITSSpec
from analysis.published.registry import published_targets

# itsa's printed output (power itsa help file), see the module docstring
MULTI = published_targets("itsa_multi", "linden2015")  # check ids itsa-multi-*
SINGLE = published_targets("itsa_single", "linden2015")  # check ids itsa-single-*
PUBLISHED_MULTI = {
    "_cons": MULTI["cons"],
    "_t": MULTI["t"],
    "_x1989": MULTI["x"],
    "_z_x1989": MULTI["z_x"],
}
PUBLISHED_MULTI_P = {"_z_x1989": MULTI["p_z_x"], "_z_x_t1989": MULTI["p_z_x_t"]}
PUBLISHED_SINGLE = {"_cons": SINGLE["cons"], "_t": SINGLE["t"], "_x1989": SINGLE["x"]}


def sig(value: float, digits: int = 7) -> float:
    """Round to ``digits`` significant digits, as Stata prints coefficients."""
    return float(f"{value:.{digits - 1}e}")


@pytest.fixture(scope="module")
def smoking() -> pd.DataFrame:
    return load_data("california_smoking").frame


@pytest.fixture(scope="module")
def multi(smoking: pd.DataFrame):
    return its(
        smoking,
        time="year",
        outcome="cigsale",
        intervention=1989,
        unit="state",
        select="California",
        controls=["*"],
        errors="hac",
        hac_lags=1,
    )


@pytest.fixture(scope="module")
def single(smoking: pd.DataFrame):
    return its(
        smoking,
        time="year",
        outcome="cigsale",
        intervention=1989,
        unit="state",
        select="California",
        errors="hac",
        hac_lags=1,
    )


def coef(result, name: str):
    return {e.name: e for e in result.coefficients}[name]


def test_multiple_group_coefficients_match_itsa_at_printed_precision(multi) -> None:
    assert [e.name for e in multi.coefficients] == [
        "_cons", "_t", "_z", "_z_t", "_x1989", "_z_x1989", "_x_t1989", "_z_x_t1989",
    ]  # fmt: skip
    for name, value in PUBLISHED_MULTI.items():
        assert sig(coef(multi, name).estimate) == value, name
    intercept = coef(multi, "_cons").estimate + coef(multi, "_z").estimate
    assert sig(intercept) == MULTI["treated_intercept"]
    pretrend = coef(multi, "_t").estimate + coef(multi, "_z_t").estimate
    assert sig(pretrend) == MULTI["treated_pretrend"]
    step = coef(multi, "_x1989").estimate + coef(multi, "_z_x1989").estimate
    assert round(step, 4) == MULTI["treated_step"]
    trends = {e.name: e for e in multi.posttrend}
    assert sig(trends["posttrend"].estimate) == MULTI["posttrend_treated"]
    assert sig(trends["posttrend:controls"].estimate) == MULTI["posttrend_controls"]
    assert multi.n == 39 * 31 and multi.design == "pooled"


def test_multiple_group_p_values_match_itsa(multi) -> None:
    for name, value in PUBLISHED_MULTI_P.items():
        assert round(coef(multi, name).p_value, 3) == value, name
    # the headline effects are the same numbers
    assert multi.effects["level"].p_value == coef(multi, "_z_x1989").p_value
    assert "over the stacked series (as itsa" in multi.interval_method
    assert multi.reference_df == 39 * 31 - 8


def test_the_within_series_and_per_series_alternatives_differ_in_the_third_decimal(
    smoking: pd.DataFrame, multi
) -> None:
    """The issue's 0.635/0.067 came from the per-series design with t(G - 1) inference."""
    common = dict(
        time="year", outcome="cigsale", intervention=1989, unit="state", select="California",
        controls=["*"], errors="hac", hac_lags=1,
    )  # fmt: skip
    within = its(smoking, stacked_hac="within-series", **common)
    assert coef(within, "_z_x1989").estimate == pytest.approx(coef(multi, "_z_x1989").estimate)
    within_p = round(coef(within, "_z_x_t1989").p_value, 3)
    assert within_p == 0.137 != PUBLISHED_MULTI_P["_z_x_t1989"]  # not itsa's printed P
    per_series = its(smoking, design="per-series", **common)
    assert "control[Colorado]" in per_series.params.index
    assert per_series.reference_df == 38  # t(series - 1)


def newey_west(x: np.ndarray, resid: np.ndarray, lags: int) -> np.ndarray:
    """Stata [TS] newey, Methods and formulas: n/(n-k) (X'X)^-1 Omega (X'X)^-1."""
    n, k = x.shape
    omega = (x * resid[:, None]).T @ (x * resid[:, None])
    for lag in range(1, lags + 1):
        w = 1 - lag / (lags + 1)
        cross = (x[lag:] * resid[lag:, None]).T @ (x[:-lag] * resid[:-lag, None])
        omega += w * (cross + cross.T)
    bread = np.linalg.inv(x.T @ x)
    return n / (n - k) * bread @ omega @ bread


def test_single_group_matches_published_coefficients_and_the_newey_formula(
    single, smoking: pd.DataFrame
) -> None:
    for name, value in PUBLISHED_SINGLE.items():
        assert sig(coef(single, name).estimate) == value, name
    assert sig(single.posttrend[0].estimate) == SINGLE["posttrend"]
    assert sig(coef(single, "_x_t1989").estimate) == sig(SINGLE["posttrend"] - SINGLE["t"])
    cal = smoking.loc[smoking["state"] == "California"].sort_values("year")
    year = cal["year"].to_numpy(dtype=float)
    post = (year >= 1989).astype(float)
    x = np.column_stack([np.ones(31), year - 1970, post, (year - 1989) * post])
    y = cal["cigsale"].to_numpy(dtype=float)
    beta = np.linalg.lstsq(x, y, rcond=None)[0]
    cov = newey_west(x, y - x @ beta, lags=1)
    se = np.sqrt(np.diag(cov))
    names = ["_cons", "_t", "_x1989", "_x_t1989"]
    np.testing.assert_allclose([coef(single, n).se for n in names], se, rtol=1e-9)
    c = np.array([0, 1, 0, 1.0])
    assert single.posttrend[0].se == pytest.approx(float(np.sqrt(c @ cov @ c)), rel=1e-9)
    t = beta[3] / se[3]
    assert coef(single, "_x_t1989").p_value == pytest.approx(2 * stats.t.sf(abs(t), 27))
    assert single.interval_method == "t(27), OLS with Newey-West HAC lag 1 (as Stata newey)"


def test_stacked_newey_formula_reproduces_the_multiple_group_ses(multi, smoking) -> None:
    """itsa's `newey ..., force` over the stacked states (Stata's state order)."""
    blocks = []
    for state in sorted(smoking["state"].unique()):
        blocks.append(smoking.loc[smoking["state"] == state].sort_values("year"))
    stack = pd.concat(blocks)
    year = stack["year"].to_numpy(dtype=float)
    z = (stack["state"] == "California").to_numpy(dtype=float)
    post = (year >= 1989).astype(float)
    t, slope = year - 1970, (year - 1989) * post
    x = np.column_stack([np.ones_like(t), t, z, z * t, post, z * post, slope, z * slope])
    y = stack["cigsale"].to_numpy(dtype=float)
    beta = np.linalg.lstsq(x, y, rcond=None)[0]
    se = np.sqrt(np.diag(newey_west(x, y - x @ beta, lags=1)))
    np.testing.assert_allclose([e.se for e in multi.coefficients], se, rtol=1e-9)


def test_every_coefficient_and_posttrend_in_summary_and_json(multi) -> None:
    text = multi.summary()
    for name in ("_cons", "_z_x_t1989", "posttrend:difference", "Autocorrelation by lag"):
        assert name in text
    details = multi.to_json()["details"]
    names = [c["name"] for c in details["coefficients"]]
    assert names[:2] == ["_cons", "_t"] and details["coefficients"][1]["column"] == "time"
    assert [p["name"] for p in details["posttrend"]] == [
        "posttrend", "posttrend:controls", "posttrend:difference",
    ]  # fmt: skip
    assert details["autocorrelation"]["lags"][0]["lag"] == 1


def test_cli_long_file_reproduces_itsa(tmp_path, smoking, multi, capsys) -> None:
    path = tmp_path / "cigsales.csv"
    smoking.to_csv(path, index=False)
    spec = ITSSpec(
        time="year", outcome="cigsale", intervention=1989, unit="state", select="California",
        controls=("*",), errors="hac", hac_lags=1,
    )  # fmt: skip
    words = shlex.split(command_line(spec, str(path), json=True))[4:]
    assert "--hac-lags" in words and "--select" in words
    assert main(["its", *words]) == 0
    doc = json.loads(capsys.readouterr().out)
    p = {c["name"]: c["p_value"] for c in doc["details"]["coefficients"]}
    assert {name: round(p[name], 3) for name in PUBLISHED_MULTI_P} == PUBLISHED_MULTI_P
    assert doc["details"]["hac_lags"] == 1


def test_lag_tests_range_statistic_is_statsmodels_breusch_godfrey() -> None:
    import statsmodels.api as sm
    from statsmodels.stats.diagnostic import acorr_breusch_godfrey

    rng = np.random.default_rng(4)
    x = sm.add_constant(np.arange(60.0))
    e = np.zeros(60)
    for i in range(1, 60):
        e[i] = 0.7 * e[i - 1] + rng.normal()
    resid = sm.OLS(e, x).fit().resid
    check = lag_tests(resid, x, max_lag=4)
    aux = sm.OLS(resid, x).fit()
    for row in check.rows:
        lm, p, _, _ = acorr_breusch_godfrey(aux, nlags=row.lag, result_object=False)
        assert row.lm_range == pytest.approx(lm) and row.p_range == pytest.approx(p)
    # at-lag statistics add up to the range statistic
    assert sum(r.lm_at_lag for r in check.rows) == pytest.approx(check.rows[-1].lm_range)
    assert check.rows[0].p_at_lag < 0.05 and check.suggested_lag >= 1


def test_lag_rule_picks_the_last_consecutive_rejection_and_reaches_the_fit() -> None:
    rng = np.random.default_rng(11)
    n = 120
    noise = np.zeros(n)
    shocks = rng.normal(0, 1, n + 2)
    for i in range(n):  # MA(2): autocorrelation at lags 1 and 2 only
        noise[i] = shocks[i + 2] + 0.9 * shocks[i + 1] + 0.8 * shocks[i]
    t = np.arange(n)
    frame = pd.DataFrame({"t": t, "y": 5 + 0.05 * t + 2 * (t >= 60) + noise})
    fit = its(frame, time="t", outcome="y", intervention=60, errors="hac", lag_rule="actest")
    assert fit.autocorrelation.suggested_lag == fit.hac_lags >= 1
    assert fit.lag_rule == "actest" and "actest rule" in fit.summary()
    iid = frame.assign(y=5 + 0.05 * t + rng.normal(0, 1, n))
    plain = its(iid, time="t", outcome="y", intervention=60, errors="hac", lag_rule="actest")
    assert plain.hac_lags == plain.autocorrelation.suggested_lag
    given = its(frame, time="t", outcome="y", intervention=60, errors="hac", hac_lags=5)
    assert given.hac_lags == 5 and given.lag_rule is None
    formula = its(frame, time="t", outcome="y", intervention=60, errors="hac")
    assert formula.hac_lags == 4 and formula.lag_rule == "newey-west"  # floor(4 (1.2)^(2/9))


def test_actest_rule_picks_lindens_lag_for_california(smoking: pd.DataFrame) -> None:
    """Linden (2015; itsa help, example 1) runs `actest, lags(12)` and then uses lag(1)."""
    cal = smoking.loc[smoking["state"] == "California"]
    fit = its(
        cal, time="year", outcome="cigsale", intervention=1989, errors="hac",
        lag_rule="actest", ac_lags=12,
    )  # fmt: skip
    linden = published_targets("itsa_actest", "linden2015")["suggested_lag"]  # itsa-actest-lag
    assert fit.autocorrelation.suggested_lag == fit.hac_lags == linden
    assert fit.autocorrelation.rows[0].p_at_lag < 0.05 < fit.autocorrelation.rows[1].p_at_lag
    assert [e.se for e in fit.coefficients] == pytest.approx(
        [e.se for e in its(cal, time="year", outcome="cigsale", intervention=1989,
                            errors="hac", hac_lags=1).coefficients]
    )  # fmt: skip
