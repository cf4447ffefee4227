"""Computations behind the ITS chapter (``book/evidence/its_qianjiang.md``).

The chapter only formats and glues what these functions return, so every number in its prose
is computed here from ``data/`` and the engine.

Pre-specified main model for the SYNTHETIC monthly Qianjiang series (2017-01 to 2024-12):

* reform: first post-reform month 2023-01, level + slope change;
* COVID-19: a second interruption at 2020-02 with a level change only, whose first six months
  (February–July 2020, the acute disruption in the generator's assumptions) are excluded from
  the fit, so the transient shock neither bends the pre-reform trend nor poses as a permanent
  shift;
* seasonality: two Fourier pairs over 12 months (as in Lopez Bernal et al. 2017);
* errors: AR(1), iterated Prais–Winsten keeping the first observation.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product

import numpy as np
import pandas as pd

from analysis.datasets import load_data
from analysis.its.diagnostics import AutocorrelationTests, autocorrelation_tests
from analysis.its.fit import ITSSpec, OtherInterruption, fit_its
from analysis.its.power import PowerResult, simulate_power
from analysis.its.results import ITSResult

OUTCOMES: dict[str, str] = {"visit_share": "Visit share", "admission_share": "Admission share",
                            "fund_share": "Fund share"}
REFORM = "2023-01-01"
COVID = OtherInterruption(at="2020-02-01", name="covid", impact="level", window=6)
MAIN_OPTIONS: dict[str, object] = {"impact": "level+slope", "seasonality": "fourier:2",
                                   "errors": "ar1", "others": (COVID,)}
HORIZONS = {"Dec 2023": 11, "Dec 2024": 23}
REPORTED_RISE_CLAIM = "qj_visit_share_change_post"


def qianjiang_monthly() -> pd.DataFrame:
    """Qianjiang's rows of the synthetic ``district_monthly`` dataset, in time order."""
    frame = load_data("district_monthly").frame
    rows = frame.loc[frame["district"] == "qianjiang"].sort_values("month")
    return rows.reset_index(drop=True)


def comparison_mean(outcome: str) -> pd.Series:
    """Mean of the synthetic comparison districts' share, by month (for comparative ITS)."""
    frame = load_data("district_monthly").frame
    rows = frame.loc[frame["district"] != "qianjiang"]
    return rows.groupby("month")[outcome].mean()


def main_spec(outcome: str, **overrides: object) -> ITSSpec:
    """The pre-specified main model for one outcome (options may be overridden)."""
    options = {**MAIN_OPTIONS, **overrides}
    return ITSSpec(time="month", outcome=outcome, intervention=REFORM,
                   **options)  # type: ignore[arg-type]


def fit_main(frame: pd.DataFrame) -> dict[str, ITSResult]:
    """Fit the main model to each outcome."""
    return {outcome: fit_its(frame, main_spec(outcome)) for outcome in OUTCOMES}


def effects_summary(results: dict[str, ITSResult]) -> pd.DataFrame:
    """One row per outcome: level, slope per year, effects at the horizons, cumulative."""
    rows = []
    for outcome, res in results.items():
        lvl, slp = res.effects["level"], res.effects["slope"]
        row = {"outcome": OUTCOMES[outcome],
               "level change (pp)": f"{lvl.estimate:.2f} [{lvl.ci[0]:.2f}, {lvl.ci[1]:.2f}]",
               "slope change (pp/year)": f"{12 * slp.estimate:.2f} [{12 * slp.ci[0]:.2f}, "
                                         f"{12 * slp.ci[1]:.2f}]"}
        h = res.horizon_effects.set_index("horizon")
        for name, horizon in HORIZONS.items():
            r = h.loc[float(horizon)]
            row[f"effect {name} (pp)"] = (f"{r['absolute']:.2f} [{r['absolute_low']:.2f}, "
                                          f"{r['absolute_high']:.2f}]")
            row[f"relative {name}"] = (f"{100 * r['relative']:.1f}% [{100 * r['relative_low']:.1f}"
                                       f", {100 * r['relative_high']:.1f}]")
        cum = res.cumulative
        row["cumulative (pp·months)"] = f"{cum.estimate:.1f} [{cum.ci[0]:.1f}, {cum.ci[1]:.1f}]"
        row["AR(1) rho"] = f"{res.rho:.2f}" if res.rho is not None else "—"
        rows.append(row)
    return pd.DataFrame(rows)


def diagnostics_table(frame: pd.DataFrame, outcome: str) -> tuple[pd.DataFrame,
                                                                  AutocorrelationTests,
                                                                  AutocorrelationTests]:
    """Autocorrelation tests on OLS residuals and on Prais–Winsten whitened residuals."""
    ols = autocorrelation_tests(fit_its(frame, main_spec(outcome, errors="ols")))
    ar1 = autocorrelation_tests(fit_its(frame, main_spec(outcome)))
    table = pd.concat([ols.as_frame().assign(residuals="OLS"),
                       ar1.as_frame().assign(residuals="Prais–Winsten (whitened)")])
    return table[["residuals", "test", "statistic", "p", "lags"]], ols, ar1


@dataclass(frozen=True)
class RobustnessRow:
    """One specification of the robustness menu."""

    errors: str
    seasonality: str
    covid: bool
    outcome: str
    level: float
    level_low: float
    level_high: float
    slope_per_year: float


def robustness(frame: pd.DataFrame) -> pd.DataFrame:
    """OLS/HAC/AR(1) x seasonality none/Fourier x with/without the COVID-19 interruption."""
    rows = []
    for errors, seasonality, covid, outcome in product(("ols", "hac", "ar1"),
                                                       ("none", "fourier:2"), (True, False),
                                                       OUTCOMES):
        spec = main_spec(outcome, errors=errors, seasonality=seasonality,
                         others=(COVID,) if covid else ())
        res = fit_its(frame, spec)
        lvl = res.effects["level"]
        rows.append(RobustnessRow(errors=errors, seasonality=seasonality, covid=covid,
                                  outcome=outcome, level=lvl.estimate, level_low=lvl.ci[0],
                                  level_high=lvl.ci[1],
                                  slope_per_year=12 * res.effects["slope"].estimate))
    return pd.DataFrame([r.__dict__ for r in rows])


def robustness_wide(table: pd.DataFrame) -> pd.DataFrame:
    """The robustness menu side by side: one row per specification, one column per outcome."""
    cells = table.assign(cell=[f"{r.level:.2f} [{r.level_low:.2f}, {r.level_high:.2f}]"
                               for r in table.itertuples()])
    wide = cells.pivot_table(index=["errors", "seasonality", "covid"], columns="outcome",
                             values="cell", aggfunc="first")
    wide = wide[list(OUTCOMES)].rename(columns=OUTCOMES).reset_index()
    wide.columns.name = None
    wide["covid"] = wide["covid"].map({True: "yes", False: "no"})
    return wide.rename(columns={"covid": "COVID-19 term"})


@dataclass(frozen=True)
class PowerScenario:
    """A design and noise assumption for the power question."""

    label: str
    n_pre: int
    n_post: int
    impact: str
    sd: float
    rho: float
    estimator: str


def power_scenarios(monthly_sd: float) -> list[PowerScenario]:
    """Annual (8 points) and monthly (96 points) designs under stated noise assumptions.

    Parameters
    ----------
    monthly_sd
        Marginal residual SD of the monthly series (pp), e.g. from the synthetic fit.
    """
    out = []
    for sd in (1.0, 2.0, 3.0):
        out.append(PowerScenario(f"annual, 8 points, SD {sd:g} pp", 6, 2, "level", sd, 0.3,
                                 "ols"))
        out.append(PowerScenario(f"annual, 8 points, SD {sd:g} pp, rho known", 6, 2, "level",
                                 sd, 0.3, "pw_known"))
    out.append(PowerScenario(f"monthly, 96 points, SD {monthly_sd:.2f} pp (synthetic fit), "
                             "rho 0.3", 72, 24, "level+slope", monthly_sd, 0.3, "pw"))
    for sd, rho in ((1.5, 0.3), (1.5, 0.6), (3.0, 0.6)):
        out.append(PowerScenario(f"monthly, 96 points, SD {sd:g} pp, rho {rho:g}", 72, 24,
                                 "level+slope", sd, rho, "pw"))
    return out


def run_power(scenarios: list[PowerScenario], effect: float, reps: int = 4000,
              seed: int = 20230101) -> tuple[pd.DataFrame, dict[str, PowerResult]]:
    """Simulate each scenario; table of size, power at ``effect`` and MDE, plus the curves."""
    grid = np.linspace(0.0, 10.0, 41)
    curves: dict[str, PowerResult] = {}
    rows = []
    for i, sc in enumerate(scenarios):
        res = simulate_power(sc.n_pre, sc.n_post, rho=sc.rho, sd=sc.sd,
                             effects=np.r_[grid, effect], reps=reps, seed=seed + i,
                             impact=sc.impact, estimator=sc.estimator)  # type: ignore[arg-type]
        curves[sc.label] = res
        rows.append({"scenario": sc.label, "estimator": sc.estimator, "rho": sc.rho,
                     "sd": sc.sd, "size": float(res.power[0]), "power": float(res.power[-1]),
                     "mde": res.mde})
    return pd.DataFrame(rows), curves


def monthly_residual_sd(result: ITSResult) -> float:
    """Marginal residual SD of a Prais–Winsten fit (GLS scale with a correlation matrix)."""
    return float(np.sqrt(result.dispersion))
