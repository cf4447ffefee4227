"""Rambachan-Roth confidence sets (analysis.did.honest) against R HonestDiD's published output.

Published reference: the R package HonestDiD's README, "Example usage -- Medicaid expansions"
(github.com/asheshrambachan/HonestDiD, README.md), which prints the C-LF sets under
Delta^RM(Mbar) and the FLCIs under Delta^SD(M) for the 2014 effect. The numbers, the event
study they come from and the secondary Benzarti-Carloni check are in
``data/published/honestdid/`` with their sources in ``SOURCE.md`` there.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis import paths
from analysis.did import honest_arp
from analysis.did.honest import HonestResult, honest_bounds
from analysis.did.honest_flci import folded_normal_quantile, optimal_flci
from analysis.did.panel import PanelError
from analysis.errors import UsageError

REFERENCE = paths.DATA / "published" / "honestdid"


def _frame(betahat, sigma, rel_time):
    """Event-study table with the reference -1 inserted at 0, and its covariance."""
    table = pd.DataFrame({"rel_time": list(rel_time), "estimate": list(betahat)})
    table = pd.concat([table, pd.DataFrame({"rel_time": [-1], "estimate": [0.0]})])
    table = table.sort_values("rel_time").reset_index(drop=True)
    vcov = pd.DataFrame(np.asarray(sigma), index=list(rel_time), columns=list(rel_time))
    return table, vcov


@pytest.fixture(scope="module")
def medicaid():
    doc = json.loads((REFERENCE / "medicaid_event_study.json").read_text())
    return _frame(doc["betahat"], doc["sigma"], doc["rel_time"])


@pytest.fixture(scope="module")
def published():
    return pd.read_csv(REFERENCE / "readme_medicaid_results.csv")


@pytest.fixture(scope="module")
def medicaid_rm(medicaid, published):
    table, vcov = medicaid
    mbar = published.loc[published.restriction == "relative_magnitude", "m"].tolist()
    return honest_bounds(table, vcov=vcov, restriction="relative_magnitude", m_grid=mbar)


@pytest.fixture(scope="module")
def medicaid_sd(medicaid, published):
    table, vcov = medicaid
    m = published.loc[published.restriction == "smoothness", "m"].tolist()
    return honest_bounds(table, vcov=vcov, restriction="smoothness", m_grid=m)


def _half_unit(printed: float, digits: int = 3) -> float:
    """Half a unit in the last of ``digits`` significant digits of a printed number."""
    exponent = math.floor(math.log10(abs(printed)))
    return 0.5 * 10.0 ** (exponent - digits + 1)


def test_relative_magnitudes_match_the_published_readme(medicaid_rm, published):
    # R's C-LF set is the hull of accepted points of its grid, 1,000 points on
    # [-20, 20] * sd(theta_hat); ours uses the same grid, so the ends are the same grid points
    # and agree to the printed 3 significant digits (README, Delta^RM table).
    expected = published[published.restriction == "relative_magnitude"].reset_index()
    grid = medicaid_rm.grid
    assert medicaid_rm.method == "hybrid"
    for row, ours in zip(expected.itertuples(), grid.itertuples(), strict=True):
        assert ours.m == row.m
        assert abs(ours.ci_lower - row.lb) <= _half_unit(row.lb), (row.m, ours.ci_lower)
        assert abs(ours.ci_upper - row.ub) <= _half_unit(row.ub), (row.m, ours.ci_upper)
    # README: "the breakdown value for a significant effect is Mbar = 2" (on its grid): the
    # set at 1.5 excludes 0, at 2 includes it, so the breakdown lies in (1.5, 2].
    assert 1.5 < medicaid_rm.breakdown <= 2.0


def test_smoothness_flci_matches_the_published_readme(medicaid_sd, published):
    # Tolerance: half a unit in the 3rd printed digit, plus 0.15 % of the half-length for
    # R's simulated folded-normal quantile (10^6 draws, 0.12 % off at t = 0; see SOURCE.md).
    expected = published[published.restriction == "smoothness"].reset_index()
    grid = medicaid_sd.grid
    assert medicaid_sd.method == "flci"
    for row, ours in zip(expected.itertuples(), grid.itertuples(), strict=True):
        half = (ours.ci_upper - ours.ci_lower) / 2
        for got, want in ((ours.ci_lower, row.lb), (ours.ci_upper, row.ub)):
            assert abs(got - want) <= _half_unit(want) + 0.0015 * half, (row.m, got, want)
    # README: "the breakdown value for a significant effect is M ~ 0.03"; between the
    # printed rows 0.02 (lb > 0) and 0.03 (lb < 0).
    assert 0.02 < medicaid_sd.breakdown < 0.03


def test_average_effect_matches_the_published_stata_readme(medicaid, medicaid_rm):
    # Stata honestdid README (same Medicaid example), l_vec = (0.5, 0.5), C-LF under
    # Delta^RM, 3 decimals. Tolerance: half a printed unit plus one grid step, the size of
    # the move caused by the simulated least-favourable critical value (SOURCE.md).
    table, vcov = medicaid
    expected = pd.read_csv(REFERENCE / "stata_readme_medicaid_average.csv")
    original = expected[expected.restriction == "original"].set_index("target")
    assert round(medicaid_rm.original.ci_lower, 3) == original.loc["first", "lb"]
    assert round(medicaid_rm.original.ci_upper, 3) == original.loc["first", "ub"]
    rows = expected[expected.restriction == "relative_magnitude"]
    average = honest_bounds(table, vcov=vcov, l_vec="average", m_grid=rows.m.tolist())
    assert round(average.original.ci_lower, 3) == original.loc["average", "lb"]
    assert round(average.original.ci_upper, 3) == original.loc["average", "ub"]
    step = (average.theta_grid["upper"] - average.theta_grid["lower"]) / 999
    assert step == pytest.approx(0.000357, abs=1e-6)
    for row, ours in zip(rows.itertuples(), average.grid.itertuples(), strict=True):
        assert abs(ours.ci_lower - row.lb) <= 0.0005 + step + 1e-12, (row.m, ours.ci_lower)
        assert abs(ours.ci_upper - row.ub) <= 0.0005 + step + 1e-12, (row.m, ours.ci_upper)


def test_original_interval_and_benzarti_carloni_flci_match_r():
    doc = json.loads((REFERENCE / "bc_event_study.json").read_text())
    n_pre = doc["num_pre_periods"]
    rel_time = [*range(-n_pre - 1, -1), *range(doc["num_post_periods"])]
    table, vcov = _frame(doc["betahat"], doc["sigma"], rel_time)
    result = honest_bounds(
        table,
        vcov=vcov,
        restriction="smoothness",
        m_grid=[r["M"] for r in doc["r_flci_first_post_period"]],
    )
    lb, ub = doc["r_original_ci"]
    assert result.original.ci_lower == pytest.approx(lb, abs=1e-9)
    assert result.original.ci_upper == pytest.approx(ub, abs=1e-9)
    for r, ours in zip(doc["r_flci_first_post_period"], result.grid.itertuples(), strict=True):
        half = (ours.ci_upper - ours.ci_lower) / 2
        # Same centre (the same optimal estimator); half-length within R's Monte Carlo
        # quantile error (0.15 %).
        assert ours.centre == pytest.approx((r["lb"] + r["ub"]) / 2, abs=1e-6)
        assert half == pytest.approx(r["half_length"], rel=1.5e-3)
    # At M = 0 the ratio is exactly R's simulated quantile over the exact one (SOURCE.md).
    m0 = result.grid.iloc[0]
    assert doc["r_flci_first_post_period"][0]["half_length"] / (
        (m0.ci_upper - m0.ci_lower) / 2
    ) == pytest.approx(1.96224 / 1.959964, abs=2e-5)


def test_medicaid_event_study_matches_fixest():
    # The stored input is the README's fixest TWFE event study, re-derived from the data.
    import pyfixest as pf

    path = Path(pf.__file__).parents[1] / "moderndid" / "core" / "datasets" / "ehec_data.pkl.gz"
    if not path.exists():
        pytest.skip("moderndid's copy of ehec_data is not installed")
    df = pd.read_pickle(path)
    df = df[(df.year < 2016) & (df.yexp2.isna() | (df.yexp2 != 2015))].copy()
    df["D"] = (df.yexp2 == 2014).astype(int)
    fit = pf.feols("dins ~ i(year, D, ref=2013) | stfips + year", data=df, vcov={"CRV1": "stfips"})
    doc = json.loads((REFERENCE / "medicaid_event_study.json").read_text())
    np.testing.assert_allclose(fit.coef().to_numpy(), doc["betahat"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(np.asarray(fit._vcov), doc["sigma"], rtol=1e-9, atol=0)


# --- properties ---------------------------------------------------------------------------


def test_smoothness_at_zero_is_the_linear_trend_extrapolation():
    # With Sigma = s^2 I the M = 0 FLCI is the least-squares line through the reference
    # point (event time -1, value 0) and the pre-period coefficients, extrapolated.
    rng = np.random.default_rng(3)
    rel_time = [-5, -4, -3, -2, 0, 1]
    beta = rng.normal(size=6)
    s2 = 0.04
    table, vcov = _frame(beta, s2 * np.eye(6), rel_time)
    result = honest_bounds(table, vcov=vcov, restriction="smoothness", m_grid=[0.0], rel_time=1)
    dist = np.array([-4.0, -3.0, -2.0, -1.0])  # distance from the reference period
    slope = dist @ beta[:4] / (dist @ dist)
    centre = beta[5] - 2 * slope  # event time 1 is two periods after the reference
    half = 1.959963984540054 * np.sqrt(s2 * (1 + 4 / (dist @ dist)))
    row = result.grid.iloc[0]
    assert row.ci_lower == pytest.approx(centre - half, abs=1e-10)
    assert row.ci_upper == pytest.approx(centre + half, abs=1e-10)


def test_sets_widen_with_m_and_the_breakdown_splits_them(medicaid, medicaid_rm, medicaid_sd):
    table, vcov = medicaid
    for result in (medicaid_rm, medicaid_sd):
        grid = result.grid
        assert (np.diff(grid.ci_lower) <= 1e-12).all() and (np.diff(grid.ci_upper) >= -1e-12).all()
        assert (grid.ci_lower <= grid.identified_lower.fillna(np.inf)).all()
        assert (grid.ci_upper >= grid.identified_upper.fillna(-np.inf)).all()
        b = result.breakdown
        below, above = honest_bounds(
            table, vcov=vcov, restriction=result.restriction, m_grid=[0.99 * b, 1.01 * b]
        ).grid.itertuples()
        assert not below.ci_lower <= 0 <= below.ci_upper
        assert above.ci_lower <= 0 <= above.ci_upper


def test_flci_is_no_longer_than_other_unbiased_affine_estimators():
    doc = json.loads((REFERENCE / "bc_event_study.json").read_text())
    beta, sigma = np.array(doc["betahat"]), np.array(doc["sigma"])
    l_vec = np.array([0.0, 1.0, 0.0, 0.0])
    m = 0.05
    best = optimal_flci(beta, sigma, 4, 4, l_vec, m)
    pre_time = np.array([-4.0, -3.0, -2.0, -1.0])
    rng = np.random.default_rng(0)
    trend, kernel = honest_flci_parts(4, 4)
    for _ in range(200):
        w = best.weights[:4] + rng.normal(scale=0.3, size=4)
        w += (-2.0 - pre_time @ w) * pre_time / (pre_time @ pre_time)  # keep v'p = 0
        v = np.concatenate([w, l_vec])
        assert abs(v @ trend) < 1e-10
        sd = np.sqrt(v @ sigma @ v)
        half = sd * folded_normal_quantile(m * np.abs(kernel.T @ v).sum() / sd, 0.05)
        assert half >= best.half_length - 1e-9


def honest_flci_parts(n_pre, n_post):
    from analysis.did.honest_flci import _trend_and_kernel

    return _trend_and_kernel(n_pre, n_post)


def test_relative_magnitude_identified_set_closed_form_equals_the_lp_union(medicaid):
    table, vcov = medicaid
    beta = table.set_index("rel_time").loc[[-6, -5, -4, -3, -2, 0, 1], "estimate"].to_numpy()
    for l_vec in (np.array([1.0, 0.0]), np.array([0.5, 0.5]), np.array([-1.0, 2.0])):
        for mbar in (0.0, 0.7, 2.0):
            pieces = [
                honest_arp.rm_polyhedron(5, 2, mbar, s, positive)
                for s, positive in honest_arp.rm_pieces(5)
            ]
            lp = honest_arp.identified_set(beta, 5, l_vec, pieces)
            closed = honest_arp.rm_identified_set(beta, 5, l_vec, mbar)
            np.testing.assert_allclose(closed, lp, atol=1e-10)


def test_lp_dual_agrees_with_vertex_enumeration(medicaid, monkeypatch):
    # Large problems solve the dual LP (HiGHS) instead of enumerating vertices; both must
    # give the same decisions. Conditional test (no simulation), one piece, 40 thetas.
    table, vcov = medicaid
    order = [-6, -5, -4, -3, -2, 0, 1]
    beta = table.set_index("rel_time").loc[order, "estimate"].to_numpy()
    sigma = vcov.loc[order, order].to_numpy()
    a, d = honest_arp.rm_polyhedron(5, 2, 1.0, 0, True)
    problem = honest_arp.moment_problem(beta, sigma, a, d, 5, np.array([1.0, 0.0]))
    thetas = np.linspace(-0.02, 0.12, 40)
    by_vertices = honest_arp.arp_accept(problem, thetas, hybrid=False)
    monkeypatch.setattr(honest_arp, "MAX_VERTEX_SUBSETS", 0)
    by_lp = honest_arp.arp_accept(problem, thetas, hybrid=False)
    assert 0 < by_vertices.sum() < len(thetas)
    np.testing.assert_array_equal(by_lp, by_vertices)


@pytest.mark.parametrize("unit", [1e-6, 1e4])
def test_sets_do_not_depend_on_the_unit_of_the_outcome(medicaid, unit):
    # Outcomes in shares or in per-mille points: beta * c and Sigma * c^2 scale every set by c.
    table, vcov = medicaid
    order = [-6, -5, -4, -3, -2, 0, 1]
    beta = table.set_index("rel_time").loc[order, "estimate"].to_numpy()
    sigma = vcov.loc[order, order].to_numpy()
    l_vec = np.array([1.0, 0.0])
    thetas = np.linspace(-0.05, 0.15, 300)
    for s, positive in honest_arp.rm_pieces(5):
        a, d = honest_arp.rm_polyhedron(5, 2, 1.0, s, positive)
        base = honest_arp.arp_accept(honest_arp.moment_problem(beta, sigma, a, d, 5, l_vec), thetas)
        scaled = honest_arp.arp_accept(
            honest_arp.moment_problem(beta * unit, sigma * unit**2, a, d, 5, l_vec), thetas * unit
        )
        np.testing.assert_array_equal(base, scaled)
    flci = optimal_flci(beta, sigma, 5, 2, l_vec, 0.02)
    flci_scaled = optimal_flci(beta * unit, sigma * unit**2, 5, 2, l_vec, 0.02 * unit)
    assert flci_scaled.lower == pytest.approx(flci.lower * unit, rel=1e-6)
    assert flci_scaled.upper == pytest.approx(flci.upper * unit, rel=1e-6)
    ids = honest_arp.identified_set(beta, 5, l_vec, [honest_arp.sd_polyhedron(5, 2, 0.02)])
    ids_scaled = honest_arp.identified_set(
        beta * unit, 5, l_vec, [honest_arp.sd_polyhedron(5, 2, 0.02 * unit)]
    )
    np.testing.assert_allclose(ids_scaled, np.array(ids) * unit, rtol=1e-7)


def test_folded_normal_quantile():
    from scipy import stats

    for t in (0.0, 0.3, 2.0, 8.0):
        c = folded_normal_quantile(t, 0.05)
        assert stats.norm.cdf(c - t) - stats.norm.cdf(-c - t) == pytest.approx(0.95, abs=1e-12)


def test_coverage_under_a_linear_pre_trend(monkeypatch):
    # A known linear trend difference (in Delta^SD(0) and in Delta^RM(1)) and a known effect
    # 0.3: the naive interval under-covers, the robust sets cover. Seeded; 300 draws for the
    # FLCI (binomial sd of a 95 % coverage estimate: 1.3 points), 100 for the C-LF set (with
    # 2,000 least-favourable draws instead of 20,000, for speed). Engine calls, no breakdown.
    monkeypatch.setattr(honest_arp, "LF_SIMULATIONS", 2000)
    n_pre, n_post = 2, 2  # event times -3, -2 | -1 reference | 0, 1
    sigma = 0.01 * 0.5 ** np.abs(np.subtract.outer(range(4), range(4)))
    trend = 0.2 * (np.array([-3, -2, 0, 1]) + 1.0)  # zero at the reference period
    truth = 0.3
    rng = np.random.default_rng(12)
    draws = rng.multivariate_normal(np.array([0, 0, truth, truth]) + trend, sigma, size=300)
    l_vec = np.array([1.0, 0.0])
    sd_theta = np.sqrt(sigma[2, 2])
    thetas = np.linspace(-20 * sd_theta, 20 * sd_theta, 1000)
    covered = {"original": 0, "flci": 0, "rm": 0}
    for i, beta in enumerate(draws):
        covered["original"] += abs(beta[2] - truth) <= 1.959963984540054 * sd_theta
        flci = optimal_flci(beta, sigma, n_pre, n_post, l_vec, 0.0)
        covered["flci"] += flci.lower <= truth <= flci.upper
        if i < 100:
            accept = np.zeros(len(thetas), dtype=bool)
            for s, positive in honest_arp.rm_pieces(n_pre):
                a, d = honest_arp.rm_polyhedron(n_pre, n_post, 1.0, s, positive)
                problem = honest_arp.moment_problem(beta, sigma, a, d, n_pre, l_vec)
                accept |= honest_arp.arp_accept(problem, thetas)
            covered["rm"] += thetas[accept].min() <= truth <= thetas[accept].max()
    assert covered["original"] / 300 < 0.6
    assert 0.92 <= covered["flci"] / 300 <= 0.98
    assert covered["rm"] / 100 >= 0.90


# --- contract -----------------------------------------------------------------------------


def test_result_speaks_the_dialect(medicaid_rm):
    assert isinstance(medicaid_rm, HonestResult)
    doc = medicaid_rm.to_json()
    assert set(doc) == {"method", "estimates", "notes", "details"}
    assert doc["estimates"][0]["name"] == "rel_time=0, original"
    assert len(doc["estimates"]) == 1 + len(medicaid_rm.grid)
    details = doc["details"]
    assert details["method"] == "C-LF" and details["parameter"] == "Mbar"
    assert details["breakdown"] == pytest.approx(medicaid_rm.breakdown)
    assert details["theta_grid"]["points"] == 1000
    assert "Andrews-Roth-Pakes" in doc["estimates"][1]["interval_method"]
    assert "valid only if parallel trends hold exactly" in doc["estimates"][0]["interval_method"]
    medicaid_rm.to_json_text()
    assert "breakdown Mbar" in medicaid_rm.summary()


def test_average_of_post_periods(medicaid):
    table, vcov = medicaid
    result = honest_bounds(
        table, vcov=vcov, restriction="smoothness", l_vec="average", m_grid=[0.0, 0.02]
    )
    post = table.set_index("rel_time").loc[[0, 1], "estimate"].mean()
    assert result.coefficient == pytest.approx(post)
    assert result.rel_time is None and result.l_vec == (0.5, 0.5)
    second = honest_bounds(table, vcov=vcov, restriction="smoothness", rel_time=1, m_grid=[0.0])
    assert second.target == "rel_time=1"


def test_refusals(medicaid):
    table, vcov = medicaid
    with pytest.raises(PanelError, match="post period"):
        honest_bounds(table, vcov=vcov, rel_time=-2)
    with pytest.raises(PanelError, match="covariance"):
        honest_bounds(table)
    with pytest.raises(UsageError, match="not valid under relative magnitudes"):
        honest_bounds(table, vcov=vcov, method="flci")
    with pytest.raises(PanelError, match="not consecutive"):
        honest_bounds(table[table.rel_time != -4], vcov=vcov)
    with pytest.raises(PanelError, match="at least one lead"):
        honest_bounds(table[table.rel_time >= -1], vcov=vcov)
    with pytest.raises(PanelError, match="normalised to 0"):
        shifted = table.assign(estimate=table.estimate + 0.01)
        honest_bounds(shifted, vcov=vcov)
    with pytest.raises(UsageError, match="l_vec"):
        honest_bounds(table, vcov=vcov, l_vec=[1.0, 0.0, 0.0])
