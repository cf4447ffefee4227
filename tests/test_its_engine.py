"""ITS engine against direct statsmodels calls on hand-built designs (tolerance 1e-8)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy.linalg import toeplitz

from analysis.its import ITSInputError, OtherInterruption, its
from analysis.its.design import Interruption, SegmentedDesign, time_positions
from analysis.its.fit import ITSSpec, design_matrix, fit_its, newey_west_lags, prais_winsten

TOL = 1e-8
REFORM = 72  # index of 2023-01 in a series starting 2017-01


def monthly(seed: int = 7, rho: float = 0.4, n: int = 96) -> pd.DataFrame:
    """Simulated monthly share with a 2023 level+slope change, AR(1) noise and seasonality."""
    rng = np.random.default_rng(seed)
    t = np.arange(n, dtype=float)
    post = (t >= REFORM).astype(float)
    noise = np.zeros(n)
    for i in range(n):
        noise[i] = (rho * noise[i - 1] if i else 0.0) + rng.normal(0, 0.6)
    share = (
        44
        - 0.1 * t
        + 3.0 * post
        + 0.08 * post * (t - REFORM)
        + 0.6 * np.cos(2 * np.pi * t / 12)
        + noise
    )
    total = rng.integers(150_000, 210_000, n)
    primary = np.round(total * share / 100).astype(int)
    exposure = 500_000 * (1 + 0.002 * t)
    rate = np.exp(np.log(0.01) - 0.003 * t - 0.15 * post + rng.normal(0, 0.03, n))
    return pd.DataFrame(
        {
            "month": pd.date_range("2017-01-01", periods=n, freq="MS"),
            "share": share,
            "primary": primary,
            "total": total,
            "events": rng.poisson(rate * exposure),
            "population": exposure,
            "control": 41 - 0.09 * t + 0.5 * np.cos(2 * np.pi * t / 12) + rng.normal(0, 0.6, n),
        }
    )


def hand_design(n: int = 96, slope: bool = True, fourier: int = 0) -> np.ndarray:
    t = np.arange(n, dtype=float)
    post = (t >= REFORM).astype(float)
    cols = [np.ones(n), t, post] + ([post * (t - REFORM)] if slope else [])
    for k in range(1, fourier + 1):
        # calendar month 0 = January: 2017-01 has position 12*2017 -> phase 0
        cols += [np.sin(2 * np.pi * k * t / 12), np.cos(2 * np.pi * k * t / 12)]
    return np.column_stack(cols)


def test_gaussian_ols_matches_statsmodels() -> None:
    data = monthly()
    res = its(data, time="month", outcome="share", intervention="2023-01-01")
    ref = sm.OLS(data["share"].to_numpy(), hand_design()).fit()
    np.testing.assert_allclose(res.params.to_numpy(), ref.params, rtol=0, atol=TOL)
    np.testing.assert_allclose(np.sqrt(np.diag(res.cov)), ref.bse, rtol=0, atol=TOL)
    lo, hi = ref.conf_int()[2]
    assert res.effects["level"].estimate == pytest.approx(ref.params[2], abs=TOL)
    level = res.effects["level"]
    assert (level.ci_lower, level.ci_upper) == pytest.approx((lo, hi), abs=TOL)
    assert level.se == pytest.approx(ref.bse[2], abs=TOL)
    assert res.effects["slope"].p_value == pytest.approx(ref.pvalues[3], abs=TOL)
    assert res.dispersion == pytest.approx(ref.scale, abs=TOL)
    assert res.rate_ratios == {}
    assert level.interval_method == f"t({ref.df_resid:g}), OLS model-based"


def test_gaussian_hac_matches_statsmodels_and_documented_lag() -> None:
    data = monthly()
    res = its(
        data,
        time="month",
        outcome="share",
        intervention="2023-01-01",
        errors="hac",
        seasonality="fourier:2",
    )
    lags = int(np.floor(4 * (96 / 100) ** (2 / 9)))
    assert res.hac_lags == lags == newey_west_lags(96) == 3
    # Stata's newey (and so itsa) scales the sandwich by n / (n - k): statsmodels'
    # use_correction=True (Stata manual [TS] newey, Methods and formulas)
    ref = sm.OLS(data["share"].to_numpy(), hand_design(fourier=2)).fit(
        cov_type="HAC", cov_kwds={"maxlags": lags, "use_correction": True}, use_t=True
    )
    np.testing.assert_allclose(res.params.to_numpy(), ref.params, atol=TOL)
    np.testing.assert_allclose(np.sqrt(np.diag(res.cov)), ref.bse, atol=TOL)
    slope = res.effects["slope"]
    assert (slope.ci_lower, slope.ci_upper) == pytest.approx(tuple(ref.conf_int()[3]), abs=TOL)
    assert slope.p_value == pytest.approx(ref.pvalues[3], abs=TOL)
    assert slope.interval_method == (
        f"t({ref.df_resid:g}), OLS with Newey-West HAC lag 3 (as Stata newey)"
    )


def test_ar1_is_prais_winsten_keeping_first_observation() -> None:
    data = monthly(rho=0.6)
    res = its(data, time="month", outcome="share", intervention="2023-01-01", errors="ar1")
    y, x = data["share"].to_numpy(), hand_design()
    rho = res.rho
    assert res.n == 96  # the first observation is kept
    ref = sm.GLS(y, x, sigma=toeplitz(rho ** np.arange(96))).fit()
    np.testing.assert_allclose(res.params.to_numpy(), ref.params, atol=TOL)
    np.testing.assert_allclose(np.sqrt(np.diag(res.cov)), ref.bse, atol=TOL)
    # the same estimate from the explicit Prais-Winsten transform
    pw_y = np.r_[np.sqrt(1 - rho**2) * y[0], y[1:] - rho * y[:-1]]
    pw_x = np.vstack([np.sqrt(1 - rho**2) * x[0], x[1:] - rho * x[:-1]])
    np.testing.assert_allclose(sm.OLS(pw_y, pw_x).fit().params, ref.params, atol=TOL)
    # rho is a fixed point: the GLS residuals reproduce it
    e = y - x @ ref.params
    assert np.sum(e[1:] * e[:-1]) / np.sum(e[:-1] ** 2) == pytest.approx(rho, abs=1e-9)
    assert 0.3 < rho < 0.8


def test_prais_winsten_differs_from_glsar_which_drops_first_observation() -> None:
    data = monthly(rho=0.6)
    y, x = data["share"].to_numpy(), hand_design()
    ours, _ = prais_winsten(y, x, np.arange(96.0))
    glsar = sm.GLSAR(y, x, rho=1).iterative_fit(maxiter=50)
    assert ours.nobs == 96 and glsar.nobs == 95


def test_binomial_counts_match_statsmodels_glm() -> None:
    data = monthly()
    res = its(
        data,
        time="month",
        outcome="primary",
        denominator="total",
        intervention="2023-01-01",
        family="binomial",
        seasonality="month",
    )
    t = np.arange(96)
    dummies = np.column_stack([(t % 12 == s).astype(float) for s in range(1, 12)])
    x = np.column_stack([hand_design(), dummies])
    trials = data["total"].to_numpy(dtype=float)
    share = data["primary"].to_numpy() / trials
    ref = sm.GLM(share, x, family=sm.families.Binomial(), var_weights=trials).fit(scale="X2")
    np.testing.assert_allclose(res.params.to_numpy(), ref.params, atol=TOL)
    np.testing.assert_allclose(np.sqrt(np.diag(res.cov)), ref.bse, atol=TOL)
    assert res.dispersion == pytest.approx(ref.scale, rel=1e-10)
    fitted = res.counterfactual["fitted"].to_numpy()
    np.testing.assert_allclose(fitted, ref.fittedvalues, atol=1e-10)


def test_quasi_binomial_scale_and_errors_follow_the_textbook_formulas() -> None:
    # Independent of statsmodels' weighting: Pearson X2 with the trial counts, and the
    # sandwich-free quasi-likelihood covariance phi * (X' W X)^-1 with W = n mu (1 - mu).
    # (statsmodels' two-column endog form leaves n out of X2 but not out of W, which made
    # standard errors about sqrt(n) times too small; this test fails on that form.)
    data = monthly()
    res = its(
        data,
        time="month",
        outcome="primary",
        denominator="total",
        intervention="2023-01-01",
        family="binomial",
    )
    x = hand_design()
    n = data["total"].to_numpy(dtype=float)
    p = data["primary"].to_numpy() / n
    mu = 1.0 / (1.0 + np.exp(-(x @ res.params.to_numpy())))
    phi = np.sum(n * (p - mu) ** 2 / (mu * (1 - mu))) / (len(p) - x.shape[1])
    cov = phi * np.linalg.inv(x.T @ (x * (n * mu * (1 - mu))[:, None]))
    assert res.dispersion == pytest.approx(phi, rel=1e-8)
    np.testing.assert_allclose(np.sqrt(np.diag(res.cov)), np.sqrt(np.diag(cov)), rtol=1e-6)
    assert res.rate_ratios == {}  # logit link: no rate ratio


def test_fractional_logit_on_proportions() -> None:
    data = monthly().assign(prop=lambda d: d["share"] / 100)
    res = its(
        data,
        time="month",
        outcome="prop",
        intervention="2023-01-01",
        family="binomial",
        errors="hac",
    )
    ref = sm.GLM(data["prop"].to_numpy(), hand_design(), family=sm.families.Binomial()).fit(
        scale="X2", cov_type="HAC", cov_kwds={"maxlags": 3}
    )
    np.testing.assert_allclose(res.params.to_numpy(), ref.params, atol=TOL)
    np.testing.assert_allclose(np.sqrt(np.diag(res.cov)), ref.bse, atol=TOL)


@pytest.mark.parametrize("family", ["poisson", "quasipoisson"])
def test_poisson_families_with_offset(family: str) -> None:
    data = monthly()
    res = its(
        data,
        time="month",
        outcome="events",
        exposure="population",
        intervention="2023-01-01",
        family=family,
        impact="level",
    )
    ref = sm.GLM(
        data["events"].to_numpy(),
        hand_design(slope=False),
        family=sm.families.Poisson(),
        offset=np.log(data["population"].to_numpy()),
    ).fit(scale=None if family == "poisson" else "X2")
    np.testing.assert_allclose(res.params.to_numpy(), ref.params, atol=TOL)
    np.testing.assert_allclose(np.sqrt(np.diag(res.cov)), ref.bse, atol=TOL)
    ratio = res.rate_ratios["level"]
    assert ratio.name == "level_rate_ratio"
    assert ratio.estimate == pytest.approx(np.exp(ref.params[2]), rel=1e-10)
    assert (ratio.ci_lower, ratio.ci_upper) == pytest.approx(
        tuple(np.exp(ref.conf_int()[2])), rel=1e-10
    )
    assert ratio.p_value == pytest.approx(ref.pvalues[2], rel=1e-8)
    assert [e.name for e in res.estimates()] == ["level", "level_rate_ratio", "cumulative"]
    assert res.estimates()[0].interval_method.startswith("normal, GLM")
    assert res.dispersion == (1.0 if family == "poisson" else pytest.approx(ref.scale))
    assert "slope" not in res.effects
    # fitted counts include the offset
    np.testing.assert_allclose(res.counterfactual["fitted"], ref.fittedvalues, rtol=1e-10)
    # the relative effect of a log-link level model is the same at every horizon
    np.testing.assert_allclose(
        res.horizon_effects["relative"], np.exp(ref.params[2]) - 1, rtol=1e-10
    )


def test_effects_horizon_cumulative_and_counterfactual_are_consistent() -> None:
    data = monthly()
    res = its(data, time="month", outcome="share", intervention="2023-01-01")
    lvl, slp = res.effects["level"].estimate, res.effects["slope"].estimate
    h = res.horizon_effects
    np.testing.assert_allclose(h["absolute"], lvl + slp * h["horizon"], atol=1e-10)
    assert res.cumulative.estimate == pytest.approx(h["absolute"].sum(), abs=1e-9)
    cf = res.counterfactual
    pre = ~cf["post"]
    np.testing.assert_allclose(cf.loc[pre, "fitted"], cf.loc[pre, "counterfactual"])
    post = cf["post"].to_numpy()
    np.testing.assert_allclose((cf["fitted"] - cf["counterfactual"])[post], h["absolute"])
    np.testing.assert_allclose(
        h["relative"].to_numpy(),
        h["absolute"].to_numpy() / cf.loc[post, "counterfactual"].to_numpy(),
    )
    assert (cf["counterfactual_low"] < cf["counterfactual"]).all()
    assert (cf["counterfactual"] < cf["counterfactual_high"]).all()
    # the delta-method interval of the horizon-0 effect equals the level's interval
    level = res.effects["level"]
    assert (h["absolute_low"].iloc[0], h["absolute_high"].iloc[0]) == pytest.approx(
        (level.ci_lower, level.ci_upper), abs=1e-9
    )
    # the cumulative effect is an Estimate in the same dialect
    assert res.cumulative.name == "cumulative"
    assert res.cumulative.ci_lower < res.cumulative.estimate < res.cumulative.ci_upper


def test_multiple_interruptions_covid_beside_reform() -> None:
    data = monthly()
    res = its(
        data,
        time="month",
        outcome="share",
        intervention="2023-01-01",
        others=[OtherInterruption(at="2020-02-01", name="covid", impact="level")],
    )
    t = np.arange(96.0)
    covid = (t >= 37).astype(float)
    ref = sm.OLS(data["share"].to_numpy(), np.column_stack([hand_design(), covid])).fit()
    np.testing.assert_allclose(res.params.to_numpy(), ref.params, atol=TOL)
    covid_level = res.other_effects["covid"]["level"]
    assert covid_level.name == "covid:level"
    assert covid_level.estimate == pytest.approx(ref.params[4], abs=TOL)
    assert [e.name for e in res.estimates()] == ["level", "slope", "cumulative", "covid:level"]
    # the counterfactual removes the reform but keeps the COVID shift
    cf = res.counterfactual
    assert cf["counterfactual"].iloc[-1] == pytest.approx(
        ref.params[0] + ref.params[1] * 95 + ref.params[4], abs=1e-8
    )


def test_exclusion_window_drops_rows_and_phase_in_ramps() -> None:
    data = monthly()
    res = its(data, time="month", outcome="share", intervention="2023-01-01", window=3)
    assert res.n == 93
    assert not res.counterfactual["in_fit"].iloc[72:75].any()
    keep = np.r_[0:72, 75:96]
    ref = sm.OLS(data["share"].to_numpy()[keep], hand_design()[keep]).fit()
    np.testing.assert_allclose(res.params.to_numpy(), ref.params, atol=TOL)
    design = SegmentedDesign(
        interruptions=(Interruption(at=3.0, window=2, window_kind="phase-in"),)
    )
    ramp = design.matrix(np.arange(7.0))["level"].to_numpy()
    np.testing.assert_allclose(ramp, [0, 0, 0, 1 / 3, 2 / 3, 1, 1])


def test_comparative_its_matches_stacked_statsmodels() -> None:
    data = monthly()
    res = its(
        data,
        time="month",
        outcome="share",
        intervention="2023-01-01",
        controls=["control"],
        errors="hac",
        design="per-series",
    )
    n = 96
    base = hand_design()
    stacked_y = np.r_[data["share"], data["control"]]
    z = np.r_[np.ones(n), np.zeros(n)]
    x_both = np.vstack([base, base])
    x = np.column_stack(
        [
            x_both[:, 0],
            x_both[:, 1],
            z,
            z * x_both[:, 1],
            x_both[:, 2],
            z * x_both[:, 2],
            x_both[:, 3],
            z * x_both[:, 3],
        ]
    )
    groups = np.r_[np.zeros(n, int), np.ones(n, int)]
    ref = sm.OLS(stacked_y, x).fit(
        cov_type="hac-panel", cov_kwds={"groups": groups, "maxlags": 3}, use_t=True
    )
    np.testing.assert_allclose(res.params.to_numpy(), ref.params, atol=TOL)
    np.testing.assert_allclose(np.sqrt(np.diag(res.cov)), ref.bse, atol=TOL)
    assert res.effects["level"].estimate == pytest.approx(ref.params[5], abs=TOL)
    # inference as statsmodels' own t test: t with (number of series - 1) degrees of freedom
    contrast = np.eye(8)[5]
    lo, hi = np.squeeze(ref.t_test(contrast).conf_int())
    level = res.effects["level"]
    assert (level.ci_lower, level.ci_upper) == pytest.approx((lo, hi), abs=TOL)
    assert level.interval_method.startswith("t(1), OLS with Newey-West HAC by series lag 3")
    # the treated-minus-control level change equals ITS on the difference series
    diff = its(
        data.assign(d=data["share"] - data["control"]),
        time="month",
        outcome="d",
        intervention="2023-01-01",
    )
    assert diff.effects["level"].estimate == pytest.approx(res.effects["level"].estimate, abs=1e-8)


def test_numeric_time_and_month_positions() -> None:
    pos, unit = time_positions(pd.Series(pd.to_datetime(["2017-01-01", "2017-12-01"])))
    assert unit == "month" and pos.tolist() == [12 * 2017, 12 * 2017 + 11]
    frame = pd.DataFrame({"year": np.arange(2005, 2025), "y": np.arange(20.0) ** 0.5})
    x = design_matrix(frame, ITSSpec(time="year", outcome="y", intervention=2020))
    assert x["time"].tolist() == list(range(20))
    assert x["level"].sum() == 5 and x["slope"].tolist()[-1] == 4


def test_short_series_reports_what_cannot_be_estimated_and_rho_grid() -> None:
    frame = pd.DataFrame(
        {
            "year": np.arange(2013, 2025),
            "y": 50
            - np.arange(12.0)
            + 2 * (np.arange(12) >= 8)
            + np.random.default_rng(1).normal(0, 0.5, 12),
        }
    )
    res = its(frame, time="year", outcome="y", intervention=2021, errors="ar1")
    assert res.errors == "ols" and res.rho is None
    assert any("AR(1) is not identified" in note for note in res.not_estimable)
    assert [row.rho for row in res.rho_grid] == [0.0, 0.2, 0.4, 0.6, 0.8]
    t = np.arange(12.0)
    post = (t >= 8).astype(float)
    x = np.column_stack([np.ones(12), t, post, post * (t - 8)])
    for row in res.rho_grid:
        ref = sm.GLS(frame["y"].to_numpy(), x, sigma=toeplitz(row.rho**t)).fit()
        assert row.effects["level"].estimate == pytest.approx(ref.params[2], abs=TOL)
        slope = row.effects["slope"]
        assert (slope.ci_lower, slope.ci_upper) == pytest.approx(tuple(ref.conf_int()[3]), abs=TOL)
        assert f"assumed AR(1) rho {row.rho:g}" in slope.interval_method
    assert res.rho_grid[0].effects["level"].estimate == pytest.approx(
        res.effects["level"].estimate, abs=TOL
    )
    details = res.to_json()["details"]
    assert len(details["rho_grid"]) == 5 and details["not_estimable"]
    summary = res.summary()
    assert "Effects under assumed AR(1) rho" in summary and "\n0.80 " in summary
    assert "AR(1) is not identified" in summary
    long = its(monthly(), time="month", outcome="share", intervention="2023-01-01")
    assert not long.not_estimable and not long.rho_grid
    assert long.to_json()["details"]["rho_grid"] == []


# ---------------------------------------------------------------- bad input


def _frame(**overrides: object) -> pd.DataFrame:
    frame = monthly()[["month", "share", "primary", "total", "events", "population"]].copy()
    for key, value in overrides.items():
        frame[key] = value
    return frame


@pytest.mark.parametrize(
    ("kwargs", "frame", "message"),
    [
        ({"intervention": "2017-03-01"}, None, "too few points in a segment: 2 before 2017-03"),
        ({"intervention": "2024-11-01"}, None, "too few points in a segment: 2 from 2024-11"),
        ({"intervention": "2030-01-01"}, None, "outside the data"),
        ({"intervention": "2017-01-01"}, None, "outside the data"),
        ({}, "nonincreasing", "rows 4 and 5 both have month = "),
        ({}, "missing", "missing or non-finite"),
        (
            {"family": "binomial", "outcome": "primary", "denominator": "total"},
            "share_range",
            "out of range",
        ),
        ({"family": "binomial"}, None, "out of range"),
        (
            {"family": "poisson", "outcome": "events", "exposure": "population"},
            "zero_exposure",
            "must be > 0",
        ),
        ({"outcome": "nope"}, None, "outcome='nope' is not a column"),
        (
            {"family": "poisson", "outcome": "events", "errors": "ar1"},
            None,
            "AR(1) errors are available for the gaussian family",
        ),
        ({"seasonality": "fourier:x"}, None, "seasonality='fourier:x' is not none, month"),
        ({"impact": "jump"}, None, "impact='jump' is not one of"),
        (
            {"family": "gaussian", "denominator": "total"},
            None,
            "denominator='total' is for family='binomial' only",
        ),
        ({"alpha": 1.5}, None, "alpha=1.5 must lie strictly between 0 and 1"),
    ],
)
def test_bad_input_raises_clear_error(kwargs: dict, frame: str | None, message: str) -> None:
    data = _frame()
    if frame == "nonincreasing":
        data.loc[5, "month"] = data.loc[4, "month"]
    elif frame == "missing":
        data.loc[10, "share"] = np.nan
    elif frame == "share_range":
        data.loc[3, "primary"] = data.loc[3, "total"] + 1
    elif frame == "zero_exposure":
        data.loc[7, "population"] = 0.0
    options = {"outcome": "share", "intervention": "2023-01-01", **kwargs}
    with pytest.raises(ITSInputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        its(data, time="month", **options)


def test_exclusion_window_can_empty_a_segment() -> None:
    with pytest.raises(ITSInputError, match="too few points"):
        its(monthly(), time="month", outcome="share", intervention="2024-06-01", window=5)


def test_frozen_spec_and_result() -> None:
    spec = ITSSpec(time="month", outcome="share", intervention="2023-01-01")
    res = fit_its(monthly(), spec)
    with pytest.raises(AttributeError):
        res.n = 3  # type: ignore[misc]
    with pytest.raises(AttributeError):
        spec.family = "poisson"  # type: ignore[misc]


def test_comparative_its_with_two_controls_adds_control_intercepts() -> None:
    data = monthly().assign(control2=lambda d: d["control"] + 1.5)
    res = its(
        data,
        time="month",
        outcome="share",
        intervention="2023-01-01",
        controls=["control", "control2"],
        design="per-series",
    )
    assert res.n == 3 * 96
    assert "control[control2]" in res.params.index
    assert res.params["control[control2]"] == pytest.approx(1.5, abs=1e-8)
    with pytest.raises(ITSInputError, match="gaussian family"):
        its(
            data,
            time="month",
            outcome="primary",
            denominator="total",
            family="binomial",
            intervention="2023-01-01",
            controls=["control"],
        )


def test_alpha_sets_every_interval_and_names_its_method() -> None:
    data = monthly(rho=0.6)
    wide = its(data, time="month", outcome="share", intervention="2023-01-01", errors="ar1")
    narrow = its(
        data, time="month", outcome="share", intervention="2023-01-01", errors="ar1", alpha=0.2
    )
    for kind in ("level", "slope"):
        w, n = wide.effects[kind], narrow.effects[kind]
        assert w.estimate == n.estimate and n.alpha == 0.2
        assert w.ci_lower < n.ci_lower < n.estimate < n.ci_upper < w.ci_upper
    assert narrow.effects["level"].interval_method == "t(92), GLS AR(1) Prais-Winsten"
    cf_w, cf_n = wide.counterfactual, narrow.counterfactual
    assert (cf_n["counterfactual_low"] > cf_w["counterfactual_low"]).all()


def test_result_dialect_frame_json_and_summary() -> None:
    res = its(
        monthly(),
        time="month",
        outcome="share",
        intervention="2023-01-01",
        errors="hac",
        others=[OtherInterruption(at="2020-02-01", name="covid")],
    )
    frame = res.to_frame()
    assert list(frame.columns) == [
        "name",
        "estimate",
        "se",
        "ci_lower",
        "ci_upper",
        "p_value",
        "interval_method",
        "alpha",
    ]
    assert list(frame["name"]) == ["level", "slope", "cumulative", "covid:level", "covid:slope"]
    assert frame.loc[0, "estimate"] == res.effects["level"].estimate
    doc = res.to_json()
    assert set(doc) == {"method", "estimates", "notes", "details"}
    assert doc["details"]["hac_lags"] == 3 and doc["details"]["n"] == 96
    assert doc["details"]["errors"] == "hac" and doc["details"]["rho"] is None
    summary = res.summary()
    assert "covid:slope" in summary and "Newey-West HAC lag 3" in summary


def test_other_interruption_text_form() -> None:
    other = OtherInterruption.parse("covid=2020-02-01:level:6:phase-in")
    assert other == OtherInterruption(
        at="2020-02-01", name="covid", impact="level", window=6, window_kind="phase-in"
    )
    assert OtherInterruption.parse(other.text) == other
    assert OtherInterruption.parse("s=37") == OtherInterruption(at="37", name="s")
    for bad, message in [
        ("2020-02-01", "is not NAME=AT"),
        ("c=2020-02-01:jump", "impact"),
        ("c=2020-02-01:level:x", "window"),
        ("c=2020-02-01:level:2:drop", "window kind"),
    ]:
        with pytest.raises(ITSInputError, match=message):
            OtherInterruption.parse(bad)
