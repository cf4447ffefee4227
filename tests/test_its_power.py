"""Vectorised power simulation: equal to per-replication statsmodels fits, and sound."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.its.power import (
    aggregated_ar1_autocorrelation,
    analytic_mde,
    analytic_power,
    analytic_se,
    naive_estimates,
    rho_interval,
    segmented_design,
    simulate_ar1,
    simulate_power,
    vectorised_estimates,
)


@pytest.mark.parametrize("estimator", ["ols", "pw_known", "pw"])
@pytest.mark.parametrize(("n_pre", "n_post", "impact"), [(72, 24, "level+slope"), (6, 2, "level")])
def test_vectorised_equals_statsmodels(
    estimator: str, n_pre: int, n_post: int, impact: str
) -> None:
    x = segmented_design(n_pre, n_post, impact)  # type: ignore[arg-type]
    rng = np.random.default_rng(11)
    beta = np.r_[40.0, -0.1, 5.8, 0.05][: x.shape[1]]
    y = x @ beta + simulate_ar1(rng, 40, x.shape[0], 0.5, 1.5)
    fast = vectorised_estimates(y, x, estimator, rho=0.5)  # type: ignore[arg-type]
    slow = naive_estimates(y, x, estimator, rho=0.5)  # type: ignore[arg-type]
    np.testing.assert_allclose(fast.params, slow.params, rtol=0, atol=1e-10)
    np.testing.assert_allclose(fast.bse, slow.bse, rtol=0, atol=1e-10)
    np.testing.assert_allclose(fast.rho, slow.rho, rtol=0, atol=1e-12)


def test_ar1_noise_has_the_requested_autocorrelation() -> None:
    e = simulate_ar1(np.random.default_rng(0), 4000, 50, 0.6, 2.0)
    lag1 = np.mean(e[:, 1:] * e[:, :-1]) / np.mean(e**2)
    assert lag1 == pytest.approx(0.6, abs=0.02)
    assert e.std() == pytest.approx(2.0, rel=0.02)


def test_null_simulation_gives_the_curve_under_true_effects() -> None:
    """Common random numbers: adding the effect to y shifts the estimate by exactly it."""
    x = segmented_design(72, 24, "level")
    noise = simulate_ar1(np.random.default_rng(5), 500, 96, 0.4, 1.0)
    null = vectorised_estimates(noise, x, "pw")
    shifted = vectorised_estimates(noise + 2.5 * x[:, 2], x, "pw")
    np.testing.assert_allclose(shifted.params[:, 2] - null.params[:, 2], 2.5, atol=1e-9)
    np.testing.assert_allclose(shifted.bse, null.bse, atol=1e-9)


def test_power_curve_size_and_mde() -> None:
    res = simulate_power(
        72,
        24,
        rho=0.3,
        sd=1.0,
        effects=np.linspace(0, 2, 11),
        reps=4000,
        seed=3,
        estimator="pw_known",
    )
    assert res.power[0] == pytest.approx(0.05, abs=0.015)  # correct size with known rho
    assert np.all(np.diff(res.power) >= -0.01)
    assert res.power[-1] > 0.95
    assert res.power_at(res.mde) == pytest.approx(0.8, abs=0.03)
    again = simulate_power(
        72,
        24,
        rho=0.3,
        sd=1.0,
        effects=[res.mde, res.mde * 0.98],
        reps=4000,
        seed=3,
        estimator="pw_known",
    )
    # same seed, same noise: the MDE is the smallest effect reaching 80 %
    assert again.power[0] >= 0.8 > again.power[1]


def test_short_annual_design_is_not_a_valid_test_with_estimated_rho() -> None:
    """Eight annual points: rho is biased and the feasible test over-rejects under the null."""
    res = simulate_power(6, 2, rho=0.5, sd=1.0, effects=[0.0], reps=4000, seed=9)
    assert res.power[0] > 0.1
    assert res.mean_rho_hat < 0.2


def test_ols_ignoring_autocorrelation_over_rejects() -> None:
    res = simulate_power(72, 24, rho=0.6, sd=1.0, effects=[0.0], reps=4000, seed=4, estimator="ols")
    assert res.power[0] > 0.1


# ------------------------------------------------------------------ slope changes, exact power


def _segment_variance(t: np.ndarray, at: float) -> float:
    """Variance factor of an OLS line's fitted value at ``at``: 1/n + (at - mean)^2 / Sxx."""
    return 1.0 / t.size + (at - t.mean()) ** 2 / float(np.sum((t - t.mean()) ** 2))


@pytest.mark.parametrize(("n_pre", "n_post"), [(6, 3), (72, 24)])
def test_exact_standard_errors_are_those_of_two_separate_lines(n_pre: int, n_post: int) -> None:
    """With rho = 0 a level+slope ITS is two OLS lines (Wagner et al. 2002, J Clin Pharm Ther
    27:299): the slope change is the difference of two independent slopes, variance
    sd^2 (1/Sxx_pre + 1/Sxx_post); the level change is the post line minus the extrapolated
    pre line at the intervention, variance sd^2 (v_pre(T) + v_post(T))."""
    sd = 1.7
    pre, post = np.arange(n_pre, dtype=float), np.arange(n_pre, n_pre + n_post, dtype=float)
    sxx = [float(np.sum((s - s.mean()) ** 2)) for s in (pre, post)]
    slope = sd * np.sqrt(1 / sxx[0] + 1 / sxx[1])
    level = sd * np.sqrt(_segment_variance(pre, n_pre) + _segment_variance(post, n_pre))
    assert analytic_se(n_pre, n_post, 0.0, sd, "level+slope", "slope") == pytest.approx(slope)
    assert analytic_se(n_pre, n_post, 0.0, sd, "level+slope", "level") == pytest.approx(level)


@pytest.mark.parametrize(
    ("n_pre", "n_post", "impact", "test", "rho"),
    [
        (6, 3, "level+slope", "slope", 0.3),  # annual, data to 2025
        (72, 24, "level+slope", "slope", 0.5),  # monthly
        (72, 24, "slope", "slope", 0.0),
        (6, 2, "level", "level", 0.3),  # annual, level only
        (72, 24, "level+slope", "level", 0.3),
    ],
)
def test_simulated_power_matches_the_exact_noncentral_t(
    n_pre: int, n_post: int, impact: str, test: str, rho: float
) -> None:
    """GLS at the true rho: t is exactly noncentral t; the simulation must agree within its
    Monte Carlo error (4 binomial standard errors)."""
    reps = 4000
    mde = analytic_mde(n_pre, n_post, rho, 2.0, impact, test)  # type: ignore[arg-type]
    effects = np.array([0.0, 0.5 * mde, mde, 1.5 * mde])
    exact = analytic_power(n_pre, n_post, rho, 2.0, effects, impact, test)  # type: ignore[arg-type]
    assert exact[0] == pytest.approx(0.05) and exact[2] == pytest.approx(0.8)
    sim = simulate_power(
        n_pre,
        n_post,
        rho=rho,
        sd=2.0,
        effects=effects,
        reps=reps,
        seed=17,
        impact=impact,  # type: ignore[arg-type]
        test=test,  # type: ignore[arg-type]
        estimator="pw_known",
    )
    tolerance = 4 * np.sqrt(exact * (1 - exact) / reps) + 1e-3
    assert np.all(np.abs(sim.power - exact) <= tolerance), (sim.power, exact)
    assert sim.mde == pytest.approx(mde, rel=0.08)
    assert sim.test == test


def test_slope_power_uses_common_random_numbers() -> None:
    x = segmented_design(72, 24, "level+slope")
    noise = simulate_ar1(np.random.default_rng(2), 300, 96, 0.4, 1.0)
    null = vectorised_estimates(noise, x, "pw")
    shifted = vectorised_estimates(noise + 0.05 * x[:, 3], x, "pw")
    np.testing.assert_allclose(shifted.params[:, 3] - null.params[:, 3], 0.05, atol=1e-10)
    np.testing.assert_allclose(shifted.bse, null.bse, atol=1e-10)


def test_a_change_the_model_lacks_cannot_be_tested() -> None:
    with pytest.raises(ValueError, match="no 'slope' change"):
        simulate_power(6, 2, rho=0.0, sd=1.0, effects=[0.0], reps=10, impact="level", test="slope")
    with pytest.raises(ValueError, match="no 'level' change"):
        analytic_power(6, 3, 0.0, 1.0, [0.0], impact="slope", test="level")


@pytest.mark.parametrize("rho", [-0.25, 0.3, 0.8])
def test_aggregated_autocorrelation_matches_simulated_annual_sums(rho: float) -> None:
    # 2,000 series of 20 "years" of 12 AR(1) months: the lag-1 correlation of annual sums
    e = simulate_ar1(np.random.default_rng(3), 2000, 240, rho, 1.0)
    sums = e.reshape(2000, 20, 12).sum(axis=2)
    sums = sums - sums.mean(axis=1, keepdims=True)
    lag1 = np.mean(sums[:, 1:] * sums[:, :-1]) / np.mean(sums**2)
    # the within-series demeaning biases lag1 down by about 1/20; allow for it
    assert aggregated_ar1_autocorrelation(rho, 12) == pytest.approx(lag1, abs=0.07)
    assert aggregated_ar1_autocorrelation(rho, 1) == pytest.approx(rho, abs=1e-12)


def test_rho_interval_is_the_large_sample_range_and_refuses_tiny_samples() -> None:
    low, high = rho_interval(-0.23, 90)
    half = 1.959964 * np.sqrt((1 - 0.23**2) / 90)
    assert (low, high) == pytest.approx((-0.23 - half, -0.23 + half), abs=1e-12)
    assert rho_interval(0.97, 4)[1] == 0.98  # clipped like the simulation's estimates
    with pytest.raises(ValueError, match="at least 2"):
        rho_interval(0.1, 1)
