"""Reproduce Stata ``itsa`` (Linden 2015) on the California Proposition 99 cigarette-sales data.

Published reference values
--------------------------
Linden A. Conducting interrupted time-series analysis for single- and multiple-group
comparisons. *Stata Journal* 2015;15(2):480-500 (the ``itsa`` examples on ``cigsales``:
California = state 3, ``trperiod(1989)``, ``lag(1)``). The multiple-group model with all 38
other states as controls, ``itsa cigsale, treatid(3) trperiod(1989) lag(1) posttrend``, is
re-estimated and its printed output quoted in the help file of Linden's ``power itsa``
(SSC S459461, 2025; section "Examples, Multiple-group ITSA"):

* ``_z_x1989`` (difference in the level change) P = 0.631; ``_z_x_t1989`` (difference in
  the trend change) P = 0.136 -- the p-values the issue quotes (0.631/0.136);
* treated: intercept 132.2258 (``_cons + _z``), pre-trend -1.779474 (``_t + _z_t``),
  post-trend -3.274126, step -20.0581 (``_x1989 + _z_x1989``);
* controls: intercept 135.4995 (``_cons``), pre-trend -.5477701 (``_t``), post-trend
  -1.051279, step -17.25168 (``_x1989``); ``_z_x1989`` = -2.806417.

Printed precision is seven significant digits for coefficients and three decimals for P.
The single-group model ``itsa cigsale, single trperiod(1989) lag(1) posttrend`` has the same
treated-series coefficients (its regression is the treated half of the saturated
multiple-group one): ``_cons`` 132.2258, ``_t`` -1.779474, ``_x1989`` -20.0581, posttrend
-3.274126, so ``_x_t1989`` = -3.274126 + 1.779474. Its printed standard errors were not
found in the stored sources, so its SEs are checked against an independent implementation
of Stata's ``newey`` formula ([TS] newey, Methods and formulas) written out below.

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

# typed from the power itsa help file (itsa's printed output), see the module docstring
PUBLISHED_MULTI = {
    "_cons": 135.4995,
    "_t": -0.5477701,
    "_x1989": -17.25168,
    "_z_x1989": -2.806417,
}
PUBLISHED_MULTI_TREATED = {"intercept": 132.2258, "pretrend": -1.779474, "step": -20.0581}
PUBLISHED_MULTI_POSTTREND = {"treated": -3.274126, "controls": -1.051279}
PUBLISHED_MULTI_P = {"_z_x1989": 0.631, "_z_x_t1989": 0.136}
PUBLISHED_SINGLE = {"_cons": 132.2258, "_t": -1.779474, "_x1989": -20.0581}
PUBLISHED_SINGLE_POSTTREND = -3.274126


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
    treated = PUBLISHED_MULTI_TREATED
    assert sig(coef(multi, "_cons").estimate + coef(multi, "_z").estimate) == treated["intercept"]
    assert sig(coef(multi, "_t").estimate + coef(multi, "_z_t").estimate) == treated["pretrend"]
    step = coef(multi, "_x1989").estimate + coef(multi, "_z_x1989").estimate
    assert round(step, 4) == treated["step"]
    trends = {e.name: e for e in multi.posttrend}
    assert sig(trends["posttrend"].estimate) == PUBLISHED_MULTI_POSTTREND["treated"]
    assert sig(trends["posttrend:controls"].estimate) == PUBLISHED_MULTI_POSTTREND["controls"]
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
    assert round(coef(within, "_z_x_t1989").p_value, 3) == 0.137  # != itsa's 0.136
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
    assert sig(single.posttrend[0].estimate) == PUBLISHED_SINGLE_POSTTREND
    assert sig(coef(single, "_x_t1989").estimate) == sig(-3.274126 + 1.779474)
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
    assert round(p["_z_x1989"], 3) == 0.631 and round(p["_z_x_t1989"], 3) == 0.136
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
    assert fit.autocorrelation.suggested_lag == fit.hac_lags == 1
    assert fit.autocorrelation.rows[0].p_at_lag < 0.05 < fit.autocorrelation.rows[1].p_at_lag
    assert [e.se for e in fit.coefficients] == pytest.approx(
        [e.se for e in its(cal, time="year", outcome="cigsale", intervention=1989,
                            errors="hac", hac_lags=1).coefficients]
    )  # fmt: skip
