"""TWFE and event-study standard errors follow the fixest / reghdfe CR1 convention.

Reference: fixest's small-sample correction (Bergé, ``fixest`` vignette "On standard
errors", section "Small sample correction": ``ssc(adj = TRUE, fixef.K = "nested",
cluster.adj = TRUE)`` is the default) multiplies the cluster sandwich by
``G/(G-1) * (n-1)/(n-K)`` where K leaves out fixed effects nested in the cluster variable
(keeping one constant for them, lrberge/fixest#554); Stata ``reghdfe`` does the same. pyfixest 0.60 (``ssc(k_fixef="nonnested")`` default) is the
Python port tested against R. Three checks per panel kind (balanced, unbalanced,
two-period, staggered): equality with an independent pyfixest call on the raw frame at 1e-6,
equality with that formula computed here by hand with explicit dummies, and the old
linearmodels convention being different (it counts the nested unit effects in K). Published
anchor: the engine reproduces R fixest's printed coefficient table on R did's ``mpdta``
(etwfe's test suite, see ETWFE_M1; registry check ids ``fixest-mpdta-*``) to 1e-9.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.did.event_study import event_study
from analysis.did.panel import prepare_panel
from analysis.did.simulate import simulate_staggered
from analysis.did.twfe import fixest_fit, twfe
from analysis.published.registry import published_targets

pf = pytest.importorskip("pyfixest")


def _panel(frame: pd.DataFrame):
    return prepare_panel(
        frame, unit="unit", time="time", outcome="y", first_treated="first_treated"
    )


def _with_indicator(frame: pd.DataFrame) -> pd.DataFrame:
    treated = (frame["first_treated"] > 0) & (frame["time"] >= frame["first_treated"])
    return frame.assign(d=treated.astype(float))


def _hand_cr1(frame: pd.DataFrame, regressor: str = "d") -> float:
    """CR1 SE with the fixest small-sample factor, from explicit unit and time dummies."""
    units = pd.get_dummies(frame["unit"], dtype=float).to_numpy()
    times = pd.get_dummies(frame["time"], dtype=float).to_numpy()[:, 1:]
    effects = np.hstack([units, times])
    y, x = frame["y"].to_numpy(), frame[[regressor]].to_numpy()

    def resid(v):
        return v - effects @ np.linalg.lstsq(effects, v, rcond=None)[0]

    xt, yt = resid(x), resid(y)
    beta = np.linalg.lstsq(xt, yt, rcond=None)[0]
    u = yt - xt @ beta
    bread = np.linalg.inv(xt.T @ xt)
    groups = frame["unit"].to_numpy()
    meat = sum(
        np.outer(xt[groups == g].T @ u[groups == g], xt[groups == g].T @ u[groups == g])
        for g in np.unique(groups)
    )
    n, g_count = len(frame), len(np.unique(groups))
    # K: the slope, the T - 1 time effects and one constant; the unit effects are nested in
    # the clusters and, but for that one constant, not counted (fixest issue lrberge/fixest#554).
    k = x.shape[1] + times.shape[1] + 1
    factor = g_count / (g_count - 1) * (n - 1) / (n - k)
    return float(np.sqrt(factor * (bread @ meat @ bread)[0, 0]))


def _reference(frame: pd.DataFrame):
    fit = pf.feols("y ~ d | unit + time", data=frame, vcov={"CRV1": "unit"})
    return float(fit.coef().iloc[0]), float(fit.se().iloc[0]), fit.tidy().iloc[0]


PANELS = {
    "balanced": dict(n_units=30, n_periods=6, cohorts=(3,), shape="constant", seed=21),
    "two-period": dict(n_units=40, n_periods=2, cohorts=(1,), shape="constant", seed=22),
    "staggered": dict(n_units=46, n_periods=8, cohorts=(2, 4, 6), shape="dynamic", seed=23),
}


@pytest.mark.parametrize("kind", sorted(PANELS))
def test_twfe_cr1_equals_pyfixest_and_the_fixest_formula(kind):
    frame = _with_indicator(simulate_staggered(**PANELS[kind]))
    result = twfe(_panel(frame), inference="cluster")
    coef, se, row = _reference(frame)
    assert result.cluster.estimate == pytest.approx(coef, abs=1e-6)
    assert result.cluster.se == pytest.approx(se, abs=1e-6)
    # fixest intervals use t(G - 1) for clustered SEs.
    assert result.cluster.ci_lower == pytest.approx(float(row["2.5%"]), abs=1e-6)
    assert result.cluster.p_value == pytest.approx(float(row["Pr(>|t|)"]), abs=1e-6)
    assert result.cluster.se == pytest.approx(_hand_cr1(frame), rel=1e-8)
    assert "CR1" in result.cluster.interval_method
    assert "fixest/reghdfe" in result.cluster.interval_method
    old = twfe(_panel(frame), vcov="linearmodels", inference="cluster").cluster
    assert old.estimate == pytest.approx(coef, abs=1e-8)
    assert abs(old.se - se) > 1e-3 * se  # the discrepancy: nested effects counted


def test_unbalanced_frame_equals_pyfixest():
    frame = _with_indicator(simulate_staggered(**PANELS["staggered"]))
    rng = np.random.default_rng(5)
    frame = frame.drop(index=rng.choice(frame.index, size=40, replace=False))
    fit = fixest_fit(frame, ["d"], unit="unit", time="time")
    coef, se, _ = _reference(frame)
    assert fit.coef["d"] == pytest.approx(coef, abs=1e-6)
    assert fit.se["d"] == pytest.approx(se, abs=1e-6)
    assert fit.se["d"] == pytest.approx(_hand_cr1(frame), rel=1e-8)
    old = fixest_fit(frame, ["d"], unit="unit", time="time", vcov="linearmodels")
    assert abs(old.se["d"] - se) > 1e-3 * se


def test_other_conventions_by_name_equal_pyfixest():
    frame = _with_indicator(simulate_staggered(**PANELS["balanced"]))
    panel = _panel(frame)
    cr3 = pf.feols("y ~ d | unit + time", data=frame, vcov={"CRV3": "unit"})
    hc1 = pf.feols("y ~ d | unit + time", data=frame, vcov="hetero")
    assert twfe(panel, vcov="CR3", inference="cluster").cluster.se == pytest.approx(
        float(cr3.se().iloc[0]), abs=1e-6
    )
    assert twfe(panel, vcov="HC1", inference="cluster").cluster.se == pytest.approx(
        float(hc1.se().iloc[0]), abs=1e-6
    )


@pytest.mark.parametrize("kind", ["balanced", "staggered"])
def test_event_study_cr1_equals_pyfixest(kind):
    frame = simulate_staggered(**PANELS[kind])
    result = event_study(_panel(frame), leads=3, lags=2, inference="cluster")
    # Independent dummies from the raw columns: event time clipped to [-3, 2], -1 omitted.
    rel = np.where(
        frame["first_treated"] > 0, (frame["time"] - frame["first_treated"]).clip(-3, 2), np.nan
    )
    keys = [k for k in (-3, -2, 0, 1, 2) if (rel == k).any()]
    names = {k: f"e{k + 10}" for k in keys}
    data = frame.assign(**{names[k]: (rel == k).astype(float) for k in keys})
    fit = pf.feols(
        "y ~ " + " + ".join(names.values()) + " | unit + time",
        data=data,
        vcov={"CRV1": "unit"},
    )
    table = result.table.set_index("rel_time")
    for k in keys:
        assert table.loc[k, "estimate"] == pytest.approx(float(fit.coef()[names[k]]), abs=1e-6)
        assert table.loc[k, "se"] == pytest.approx(float(fit.se()[names[k]]), abs=1e-6)
    assert result.df == frame["unit"].nunique() - 1


# R fixest output on R did's mpdta, printed in etwfe's test suite (grantmcdermott/etwfe,
# inst/tinytest/test_etwfe.R, object m1_known: ``etwfe(lemp ~ 0, tvar = year, gvar =
# first.treat, data = mpdta, vcov = ~countyreal) |> fixest::coeftable()``): the extended
# TWFE regression of lemp on cohort x post-year treatment cells with cohort and year effects,
# clustered by county. Estimates and standard errors are typed once, in the validation
# registry (source etwfe_m1, check ids fixest-mpdta-*), and read from there.
_COEF = published_targets("fixest_mpdta", "etwfe_m1", "coef:")
_SE = published_targets("fixest_mpdta", "etwfe_m1", "se:")
ETWFE_M1 = {
    tuple(int(part) for part in cell.split(":")): (estimate, _SE[cell])
    for cell, estimate in _COEF.items()
}


def test_the_engine_reproduces_r_fixest_cr1_on_mpdta():
    from tests.test_did_staggered import load_mpdta

    data = load_mpdta()
    treated_cells = {(g, t) for g, t in zip(data["first.treat"], data["year"]) if 0 < g <= t}
    assert set(ETWFE_M1) == treated_cells  # the registry holds every cell of the table
    names = {}
    for g, t in ETWFE_M1:
        name = f"d{g}_{t}"
        names[(g, t)] = name
        data[name] = ((data["first.treat"] == g) & (data["year"] == t)).astype(float)
    data = data.rename(columns={"first.treat": "cohort"})
    fit = fixest_fit(
        data,
        list(names.values()),
        outcome="lemp",
        unit="cohort",
        time="year",
        cluster="countyreal",
    )
    for key, (estimate, se) in ETWFE_M1.items():
        assert fit.coef[names[key]] == pytest.approx(estimate, abs=1e-9)
        assert fit.se[names[key]] == pytest.approx(se, abs=1e-9)
