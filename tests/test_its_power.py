"""Vectorised power simulation: equal to per-replication statsmodels fits, and sound."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.its.power import (
    naive_estimates,
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
