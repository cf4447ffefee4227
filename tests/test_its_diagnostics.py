"""Diagnostics equal statsmodels' own tests; placebo-in-time covers every feasible date."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from statsmodels.stats.diagnostic import acorr_breusch_godfrey, acorr_ljungbox
from statsmodels.stats.stattools import durbin_watson

from analysis.its import OtherInterruption, its
from analysis.its.diagnostics import autocorrelation_tests, placebo_in_time, plot_residual_acf
from analysis.its.fit import ITSSpec


def series(jump: float = 0.0, rho: float = 0.5, n: int = 96, seed: int = 2) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    e = np.zeros(n)
    for i in range(1, n):
        e[i] = rho * e[i - 1] + rng.normal(0, 0.5)
    t = np.arange(n)
    return pd.DataFrame(
        {
            "month": pd.date_range("2017-01-01", periods=n, freq="MS"),
            "y": 40 - 0.05 * t + jump * (t >= 72) + e,
        }
    )


def test_tests_match_statsmodels_on_ols_residuals() -> None:
    data = series()
    fit = its(data, time="month", outcome="y", intervention="2023-01-01")
    t = np.arange(96.0)
    post = (t >= 72).astype(float)
    ref = sm.OLS(
        data["y"].to_numpy(), np.column_stack([np.ones(96), t, post, post * (t - 72)])
    ).fit()
    got = autocorrelation_tests(fit, lags=6)
    assert got.durbin_watson == pytest.approx(durbin_watson(ref.resid), abs=1e-10)
    lm, p, _, _ = acorr_breusch_godfrey(ref, nlags=6, result_object=False)
    assert (got.breusch_godfrey_lm, got.breusch_godfrey_p) == pytest.approx((lm, p), abs=1e-8)
    lb = acorr_ljungbox(ref.resid, lags=[6], return_df=True)
    assert got.ljung_box_q == pytest.approx(lb["lb_stat"].iloc[0], abs=1e-8)
    assert got.breusch_godfrey_p < 0.05  # rho = 0.5 is detected
    assert got.residual_kind == "OLS"
    assert list(got.as_frame()["test"]) == ["Durbin–Watson", "Breusch–Godfrey", "Ljung–Box"]


def test_prais_winsten_whitened_residuals_show_little_autocorrelation() -> None:
    fit = its(series(), time="month", outcome="y", intervention="2023-01-01", errors="ar1")
    got = autocorrelation_tests(fit)
    assert got.residual_kind.startswith("whitened")
    assert got.lags == 12
    assert 1.6 < got.durbin_watson < 2.4


def test_glm_uses_pearson_residuals() -> None:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"t": np.arange(60), "y": rng.poisson(50, 60), "pop": 1000.0})
    fit = its(frame, time="t", outcome="y", intervention=40, family="poisson", exposure="pop")
    assert autocorrelation_tests(fit).residual_kind == "Pearson"


def test_acf_plot_draws() -> None:
    fig, ax = plt.subplots()
    plot_residual_acf(its(series(), time="month", outcome="y", intervention="2023-01-01"), ax)
    assert ax.get_xlabel() == "lag" and len(ax.lines) + len(ax.collections) > 0
    plt.close(fig)


def test_placebo_covers_every_feasible_date_and_ranks_a_real_jump() -> None:
    data = series(jump=6.0, rho=0.2)
    spec = ITSSpec(time="month", outcome="y", intervention="2023-01-01", impact="level")
    res = placebo_in_time(data, spec)
    # 72 pre-reform months; a fake date needs >= 3 months on each side: months 3..69
    assert len(res.table) == 67
    assert res.table["time"].iloc[0] == pd.Timestamp("2017-04-01")
    assert res.table["slope"].isna().all()
    assert res.p_level == pytest.approx(1 / 68)
    assert res.real["level"] == pytest.approx(6.0, abs=1.0)


def test_placebo_skips_dates_next_to_another_interruption() -> None:
    data = series()
    spec = ITSSpec(
        time="month",
        outcome="y",
        intervention="2023-01-01",
        others=(OtherInterruption(at="2020-02-01", name="covid", impact="level"),),
    )
    res = placebo_in_time(data, spec)
    times = pd.to_datetime(res.table["time"])
    near = (times >= pd.Timestamp("2019-12-01")) & (times <= pd.Timestamp("2020-04-01"))
    # a fake date needs 3 months before COVID-19 (2020-02) and 3 from it on
    assert not near.any() and len(res.table) == 62
    assert pd.Timestamp("2019-11-01") in set(times) and pd.Timestamp("2020-05-01") in set(times)
    assert 0 < res.p_level <= 1 and 0 < res.p_slope <= 1
