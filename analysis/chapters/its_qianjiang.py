"""Numbers, tables and figures of ``book/evidence/its_qianjiang.md``.

The page only calls :func:`numbers` (every glued value, keyed by its glue label), the figure
functions in :data:`FIGURES` (keyed by figure label), the table functions and
:func:`main_model_command`. Everything is computed here from ``data/`` and the generic engine
:mod:`analysis.its`; the case facts (reform month, COVID-19 window, share series) come from
:mod:`analysis.chapters.case`.

Pre-specified main model for the SYNTHETIC monthly Qianjiang series (2017-01 to 2024-12):

* reform: first post-reform month :data:`~analysis.chapters.case.REFORM_MONTH`, level + slope;
* COVID-19: a second interruption at :data:`~analysis.chapters.case.COVID_START` with a level
  change only, whose first :data:`~analysis.chapters.case.COVID_EXCLUDED_MONTHS` months (the
  acute disruption in the generator's assumptions) are excluded from the fit, so the transient
  shock neither bends the pre-reform trend nor poses as a permanent shift;
* seasonality: two Fourier pairs over 12 months (as in Lopez Bernal et al. 2017);
* errors: AR(1), iterated Prais–Winsten keeping the first observation.

The events near the reform (the end of zero-COVID, the infection wave, Class B management, the
2023 rural-health opinion; DRG/DIP further back) come from the public events file
``data/public/qianjiang_events.csv`` (:mod:`analysis.its.events`); the robustness menu
(:mod:`analysis.its.robustness`) refits the model with each of them as an extra interruption.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from analysis import paths
from analysis.chapters.case import (
    COVID_EXCLUDED_LAST,
    COVID_EXCLUDED_MONTHS,
    COVID_START,
    REFORM_MONTH,
    REFORM_YEAR,
    SHARES,
    TREATED_DISTRICT,
    reported_points,
)
from analysis.chapters.reported_points import (
    ReportedSummary,
    plot_reported_points,
    summarise_reported,
)
from analysis.datasets import load_data
from analysis.its import robustness as rob
from analysis.its.cli import command_line
from analysis.its.diagnostics import (
    AutocorrelationTests,
    PlaceboResult,
    autocorrelation_tests,
    placebo_in_time,
    plot_residual_acf,
)
from analysis.its.events import (
    Event,
    as_exclusion_windows,
    events_near,
    read_events,
    separation_warnings,
)
from analysis.its.fit import ITSSpec, OtherInterruption, fit_its, its
from analysis.its.power import PowerResult, analytic_mde, simulate_power
from analysis.its.results import ITSResult
from analysis.plotting.provenance import plot_synthetic, synthetic_title
from analysis.registry import declaration

OUTCOMES: dict[str, str] = {name: share.title for name, share in SHARES.items()}
REFORM = REFORM_MONTH.strftime("%Y-%m-%d")
COVID = OtherInterruption(
    at=COVID_START.strftime("%Y-%m-%d"), name="covid", impact="level", window=COVID_EXCLUDED_MONTHS
)
MAIN_OPTIONS: dict[str, object] = {
    "impact": "level+slope",
    "seasonality": "fourier:2",
    "errors": "ar1",
    "others": (COVID,),
}
# effects reported at December of the reform year and of the year after (months since reform)
HORIZONS = {f"Dec {REFORM_YEAR}": 11, f"Dec {REFORM_YEAR + 1}": 23}
POWER_REPS = 4000
MAIN_MODEL_FILE = "qianjiang_monthly.csv"
EVENTS_DATASET = "qianjiang_events"
#: months either side of the reform searched for confounding events
EVENT_WINDOW = 3

#: The published rate ratio of the Sicily smoking ban in the tutorial's model with seasonality
#: (quasi-Poisson, step change, linear trend, two harmonic pairs over 12 months, offset
#: log(stdpop)), to the three decimals printed, with its dispersion and yearly trend. Source:
#: Lopez Bernal, Cummins & Gasparrini, Int J Epidemiol 2017;46(1):348-355,
#: doi:10.1093/ije/dyw098 (corrigendum 2020;49(4):1414).
PUBLISHED_SICILY_MODEL3: dict[str, float] = {
    "rate_ratio": 0.885,
    "ci_low": 0.839,
    "ci_high": 0.933,
    "dispersion": 2.262,
    "trend_per_year": 1.067,
}


def pp(value: float, digits: int = 1) -> str:
    """A number as the page prints it (fixed decimals)."""
    return f"{value:.{digits}f}"


# ------------------------------------------------------------------ data and models


def qianjiang_monthly() -> pd.DataFrame:
    """Qianjiang's rows of the synthetic ``district_monthly`` dataset, in time order."""
    frame = load_data("district_monthly").frame
    rows = frame.loc[frame["district"] == TREATED_DISTRICT].sort_values("month")
    return rows.reset_index(drop=True)


def comparison_mean(outcome: str) -> pd.Series:
    """Mean of the synthetic comparison districts' share, by month (for comparative ITS)."""
    frame = load_data("district_monthly").frame
    rows = frame.loc[frame["district"] != TREATED_DISTRICT]
    return rows.groupby("month")[outcome].mean()


def main_spec(outcome: str, **overrides: object) -> ITSSpec:
    """The pre-specified main model for one outcome (options may be overridden)."""
    options = {**MAIN_OPTIONS, **overrides}
    return ITSSpec(time="month", outcome=outcome, intervention=REFORM, **options)  # type: ignore[arg-type]


def _repository_path(name: str) -> str:
    """A registered dataset's file as a path from the repository's root."""
    return declaration(name).file.relative_to(paths.ROOT).as_posix()


def command_spec(outcome: str = "visit_share") -> ITSSpec:
    """The main model as the command line runs it: :func:`main_spec` plus the events file.

    The events file only adds the list of events near the reform (and the warnings) to the
    output; the estimates are those of :func:`main_spec`.
    """
    return replace(
        main_spec(outcome), events=_repository_path(EVENTS_DATASET), event_window=EVENT_WINDOW
    )


def export_command(data: str = MAIN_MODEL_FILE) -> str:
    """The command that writes Qianjiang's monthly shares (:func:`main_model_data`) to ``data``.

    The shipped ``district_monthly`` file holds counts; the shares the main model fits are
    computed by the dataset's loader, so the series is exported first.
    """
    module = "analysis.chapters.its_qianjiang"
    code = f"from {module} import write_main_model_data; write_main_model_data({json.dumps(data)})"
    return shlex.join(["python", "-c", code])


def main_model_command(outcome: str = "visit_share", data: str = MAIN_MODEL_FILE) -> str:
    """The command that fits the main model to the exported file, from the repository's root."""
    return command_line(command_spec(outcome), data)


def write_main_model_data(path: str | Path) -> Path:
    """Write :func:`main_model_data` as UTF-8 CSV (months as ``YYYY-MM-DD``)."""
    target = Path(path)
    main_model_data().to_csv(target, index=False, date_format="%Y-%m-%d")
    return target


def main_model_data() -> pd.DataFrame:
    """Qianjiang's series as one file: ``month`` and the three shares."""
    return qianjiang_monthly()[["month", *OUTCOMES]]


def fit_main(frame: pd.DataFrame) -> dict[str, ITSResult]:
    """Fit the main model to each outcome."""
    return {outcome: fit_its(frame, main_spec(outcome)) for outcome in OUTCOMES}


@cache
def _monthly() -> pd.DataFrame:
    return qianjiang_monthly()


@cache
def _main() -> dict[str, ITSResult]:
    return fit_main(_monthly())


@cache
def _reported() -> tuple[pd.DataFrame, dict[str, ReportedSummary]]:
    points = reported_points()
    return points, {name: summarise_reported(points, name) for name in SHARES}


def _claims() -> pd.DataFrame:
    return load_data("claims").frame.set_index("claim_id")


def reported_rise_claim() -> str:
    """Claim id of the reported post-reform rise of the visit share."""
    points = _reported()[0]
    return str(points.loc[points["provenance"] == "assumed", "claim_id"].iloc[0])


# ------------------------------------------------------------------ tables


def effects_summary(results: dict[str, ITSResult]) -> pd.DataFrame:
    """One row per outcome: level, slope per year, effects at the horizons, cumulative."""
    rows = []
    for outcome, res in results.items():
        lvl, slp = res.effects["level"], res.effects["slope"]
        row = {
            "outcome": OUTCOMES[outcome],
            "level change (pp)": f"{lvl.estimate:.2f} [{lvl.ci_lower:.2f}, {lvl.ci_upper:.2f}]",
            "slope change (pp/year)": f"{12 * slp.estimate:.2f} [{12 * slp.ci_lower:.2f}, "
            f"{12 * slp.ci_upper:.2f}]",
        }
        h = res.horizon_effects.set_index("horizon")
        for name, horizon in HORIZONS.items():
            r = h.loc[float(horizon)]
            row[f"effect {name} (pp)"] = (
                f"{r['absolute']:.2f} [{r['absolute_low']:.2f}, {r['absolute_high']:.2f}]"
            )
            row[f"relative {name}"] = (
                f"{100 * r['relative']:.1f}% [{100 * r['relative_low']:.1f}"
                f", {100 * r['relative_high']:.1f}]"
            )
        cum = res.cumulative
        row["cumulative (pp·months)"] = (
            f"{cum.estimate:.1f} [{cum.ci_lower:.1f}, {cum.ci_upper:.1f}]"
        )
        row["AR(1) rho"] = f"{res.rho:.2f}" if res.rho is not None else "—"
        rows.append(row)
    return pd.DataFrame(rows)


def diagnostics_table(
    frame: pd.DataFrame, outcome: str
) -> tuple[pd.DataFrame, AutocorrelationTests, AutocorrelationTests]:
    """Autocorrelation tests on OLS residuals and on Prais–Winsten whitened residuals."""
    ols = autocorrelation_tests(fit_its(frame, main_spec(outcome, errors="ols")))
    ar1 = autocorrelation_tests(fit_its(frame, main_spec(outcome)))
    table = pd.concat(
        [
            ols.as_frame().assign(residuals="OLS"),
            ar1.as_frame().assign(residuals="Prais–Winsten (whitened)"),
        ]
    )
    return table[["residuals", "test", "statistic", "p", "lags"]], ols, ar1


# ------------------------------------------------------------------ events


@cache
def events() -> tuple[Event, ...]:
    """The events file shipped with the book (read as a user's file would be)."""
    return read_events(declaration(EVENTS_DATASET).file)


def events_near_reform() -> tuple[Event, ...]:
    """Events within :data:`EVENT_WINDOW` months of the reform."""
    return events_near(events(), REFORM, EVENT_WINDOW, "month")


def event_warnings() -> list[str]:
    """What the main model cannot separate from the reform."""
    return separation_warnings(events_near_reform(), REFORM, MAIN_OPTIONS["others"], "month")  # type: ignore[arg-type]


def events_table() -> pd.DataFrame:
    """Every event of the file, with its distance from the reform in months."""
    months = [
        (e.date.year - REFORM_MONTH.year) * 12 + e.date.month - REFORM_MONTH.month for e in events()
    ]
    return pd.DataFrame(
        {
            "date": [e.day for e in events()],
            "months from reform": months,
            "event": [e.name for e in events()],
            "kind": [e.kind for e in events()],
            "source": [e.source for e in events()],
            "provenance": [e.provenance for e in events()],
        }
    )


def event_warnings_markdown() -> str:
    """The warnings as a Markdown list."""
    return "\n".join(f"- {w}" for w in event_warnings())


# ------------------------------------------------------------------ robustness menu


def _event(key: str) -> Event:
    return next(e for e in events() if e.label == key)


def robustness_variations(outcome: str, frame: pd.DataFrame) -> list[rob.Variation]:
    """The menu: what is varied around the main model of ``outcome``."""
    base = main_spec(outcome)
    first = pd.Timestamp(frame["month"].min())
    starts = [(first + pd.DateOffset(years=k)).strftime("%Y-%m-%d") for k in (1, 2)]
    end_zero_covid = _event("end_zero_covid")
    windows = [
        (f"{a:%Y-%m} to {b:%Y-%m}", [(a, b)])
        for a, b in (as_exclusion_windows([end_zero_covid], n)[0] for n in (2, 4))
    ]
    covid_slope = rob.Variation(
        "COVID-19 term level+slope",
        "trend form",
        replace(base, others=(replace(COVID, impact="level+slope"),)),
    )
    return [
        rob.baseline(base),
        *rob.vary_intervention(base, (-3, -1, 3)),
        *rob.vary_phase_in(base, (3, 6), unit="months"),
        *rob.vary_start(base, starts),
        *rob.vary_trend(base, impacts=("level",)),
        covid_slope,
        *rob.vary_exclusion(base, windows),
        *rob.vary_events(base, events()),
        *rob.vary_events(base, [end_zero_covid], min_segment=1),
        *rob.vary_others(base),
        *rob.vary_errors(base, ("ols", "hac")),
        *rob.vary_seasonality(base, ("none", "month")),
    ]


def robustness(frame: pd.DataFrame) -> pd.DataFrame:
    """The menu for every outcome: one tidy row per outcome x specification x effect."""
    tables = [
        rob.robustness_menu(frame, robustness_variations(outcome, frame)).assign(outcome=outcome)
        for outcome in OUTCOMES
    ]
    return pd.concat(tables, ignore_index=True)


def _cell(estimate: float, low: float, high: float, scale: float = 1.0) -> str:
    if np.isnan(estimate):
        return "—"
    return f"{scale * estimate:.2f} [{scale * low:.2f}, {scale * high:.2f}]"


def robustness_wide(table: pd.DataFrame, outcome: str = "visit_share") -> pd.DataFrame:
    """One outcome's menu as the page shows it: one row per specification."""
    rows = table.loc[table["outcome"] == outcome]
    out = []
    for label, spec in rows.groupby("spec", sort=False):
        by = spec.set_index("effect")
        level, slope = by.loc["level"], by.loc["slope"]
        method = str(level["interval_method"])
        refused = method.startswith("not estimable: ")
        reason = re.split(r" \(need|, fewer than", method.removeprefix("not estimable: "))[0]
        out.append(
            {
                "specification": label,
                "varied": level["varied"],
                "level change (pp)": _cell(level["estimate"], level["ci_lower"], level["ci_upper"]),
                "slope change (pp/year)": _cell(
                    slope["estimate"], slope["ci_lower"], slope["ci_upper"], 12.0
                ),
                "months fitted": "—" if refused else str(int(level["n"])),
                "not estimable because": reason if refused else "",
            }
        )
    return pd.DataFrame(out)


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
    test: str = "level"


def power_scenarios(monthly_sd: float) -> list[PowerScenario]:
    """Annual (8 points) and monthly (96 points) designs under stated noise assumptions.

    Parameters
    ----------
    monthly_sd
        Marginal residual SD of the monthly series (pp), e.g. from the synthetic fit.
    """
    out = []
    for sd in (1.0, 2.0, 3.0):
        out.append(PowerScenario(f"annual, 8 points, SD {sd:g} pp", 6, 2, "level", sd, 0.3, "ols"))
        out.append(
            PowerScenario(
                f"annual, 8 points, SD {sd:g} pp, rho known", 6, 2, "level", sd, 0.3, "pw_known"
            )
        )
    out.append(
        PowerScenario(
            f"monthly, 96 points, SD {monthly_sd:.2f} pp (synthetic fit), rho 0.3",
            72,
            24,
            "level+slope",
            monthly_sd,
            0.3,
            "pw",
        )
    )
    for sd, rho in ((1.5, 0.3), (1.5, 0.6), (3.0, 0.6)):
        out.append(
            PowerScenario(
                f"monthly, 96 points, SD {sd:g} pp, rho {rho:g}",
                72,
                24,
                "level+slope",
                sd,
                rho,
                "pw",
            )
        )
    return out


def slope_power_scenarios(monthly_sd: float) -> list[PowerScenario]:
    """Designs for a slope change (hypothesis H2): annual to 2025 (9 points) and monthly.

    Two post-reform years cannot test a slope under the engine's three-point segments, so the
    annual design assumes one more year of data.
    """
    annual = "annual, 9 points (2017–2025), SD 2 pp"
    monthly = f"monthly, 96 points, SD {monthly_sd:.2f} pp (synthetic fit), rho 0.3"
    return [
        PowerScenario(annual, 6, 3, "level+slope", 2.0, 0.3, "ols", "slope"),
        PowerScenario(f"{annual}, rho known", 6, 3, "level+slope", 2.0, 0.3, "pw_known", "slope"),
        PowerScenario(monthly, 72, 24, "level+slope", monthly_sd, 0.3, "pw", "slope"),
        PowerScenario(
            f"{monthly}, rho known", 72, 24, "level+slope", monthly_sd, 0.3, "pw_known", "slope"
        ),
        PowerScenario(
            "monthly, 96 points, SD 3 pp, rho 0.6", 72, 24, "level+slope", 3.0, 0.6, "pw", "slope"
        ),
    ]


def run_power(
    scenarios: list[PowerScenario], effect: float, reps: int = POWER_REPS, seed: int = 20230101
) -> tuple[pd.DataFrame, dict[str, PowerResult]]:
    """Simulate each scenario; table of size, power at ``effect`` and MDE, plus the curves.

    For a slope scenario ``effect`` and the MDE are per time unit of the design (per month
    for monthly designs); :func:`slope_power_table` converts them to pp a year.
    """
    grid = np.linspace(0.0, 10.0, 41)
    curves: dict[str, PowerResult] = {}
    rows = []
    for i, sc in enumerate(scenarios):
        res = simulate_power(
            sc.n_pre,
            sc.n_post,
            rho=sc.rho,
            sd=sc.sd,
            effects=np.r_[grid, effect],
            reps=reps,
            seed=seed + i,
            impact=sc.impact,
            estimator=sc.estimator,
            test=sc.test,
        )  # type: ignore[arg-type]
        curves[sc.label] = res
        exact = (
            analytic_mde(sc.n_pre, sc.n_post, sc.rho, sc.sd, sc.impact, sc.test)  # type: ignore[arg-type]
            if sc.estimator == "pw_known"
            else float("nan")
        )
        rows.append(
            {
                "scenario": sc.label,
                "estimator": sc.estimator,
                "rho": sc.rho,
                "sd": sc.sd,
                "size": float(res.power[0]),
                "power": float(res.power[-1]),
                "mde": res.mde,
                "mde_analytic": exact,
            }
        )
    return pd.DataFrame(rows), curves


def monthly_residual_sd(result: ITSResult) -> float:
    """Marginal residual SD of a Prais–Winsten fit (GLS scale with a correlation matrix)."""
    return float(np.sqrt(result.dispersion))


@cache
def _diagnostics() -> tuple[pd.DataFrame, AutocorrelationTests, AutocorrelationTests]:
    return diagnostics_table(_monthly(), "visit_share")


@cache
def _placebo() -> PlaceboResult:
    return placebo_in_time(_monthly(), main_spec("visit_share"))


@cache
def _robustness() -> pd.DataFrame:
    return robustness(_monthly())


def _rise() -> float:
    return float(_claims().at[reported_rise_claim(), "value"])


@cache
def _power() -> tuple[list[PowerScenario], pd.DataFrame, dict[str, PowerResult]]:
    scenarios = power_scenarios(monthly_residual_sd(_main()["visit_share"]))
    table, curves = run_power(scenarios, effect=_rise())
    return scenarios, table, curves


@cache
def _slope_power() -> tuple[list[PowerScenario], pd.DataFrame]:
    scenarios = slope_power_scenarios(monthly_residual_sd(_main()["visit_share"]))
    table, _ = run_power(scenarios, effect=0.0, seed=20230201)
    per_year = np.array([12.0 if s.label.startswith("monthly") else 1.0 for s in scenarios])
    table = table.assign(mde=table["mde"] * per_year, mde_analytic=table["mde_analytic"] * per_year)
    return scenarios, table.drop(columns="power")


def effects_table() -> pd.DataFrame:
    """The main model's effects for every outcome, as the page shows them."""
    return effects_summary(_main())


def diagnostics_shown() -> pd.DataFrame:
    """Autocorrelation tests of the visit-share model, rounded as the page shows them."""
    return _diagnostics()[0].round({"statistic": 3, "p": 3})


def robustness_table() -> pd.DataFrame:
    """The visit share's robustness menu, one row per specification."""
    return robustness_wide(_robustness())


def power_table() -> pd.DataFrame:
    """Size, power at the reported rise and MDE of every scenario, as the page shows them."""
    rise = _rise()
    return (
        _power()[1]
        .drop(columns="mde_analytic")
        .assign(
            sd=lambda d: d["sd"].round(2),
            size=lambda d: (100 * d["size"]).round(1),
            power=lambda d: (100 * d["power"]).round(1),
            mde=lambda d: d["mde"].round(2),
        )
        .rename(
            columns={
                "size": "rejections with no effect (%)",
                "power": f"power at +{rise:g} pp (%)",
                "mde": "MDE at 80% (pp)",
            }
        )
    )


def slope_power_table() -> pd.DataFrame:
    """Size and MDE of the slope-change test (pp a year), simulated and exact."""
    return (
        _slope_power()[1]
        .assign(
            sd=lambda d: d["sd"].round(2),
            size=lambda d: (100 * d["size"]).round(1),
            mde=lambda d: d["mde"].round(2),
            mde_analytic=lambda d: d["mde_analytic"].round(2),
        )
        .rename(
            columns={
                "size": "rejections with no effect (%)",
                "mde": "MDE at 80% (pp/year), simulated",
                "mde_analytic": "MDE, exact (rho known)",
            }
        )
    )


def html_table(frame: pd.DataFrame) -> str:
    """A table as the page shows it (no index, missing cells as a dash)."""
    return frame.to_html(index=False, border=0, na_rep="—")


def cannot_estimate_markdown() -> str:
    """What the reported points cannot support, as a Markdown list."""
    return "\n".join(f"- {item}" for item in _reported()[1]["visit_share"].cannot_estimate)


# ------------------------------------------------------------------ numbers


def reported_numbers() -> dict[str, str]:
    """Arithmetic on the reported points (section 1 of the page)."""
    visits = _reported()[1]["visit_share"]
    return {
        "its-visit-2017": pp(visits.first_value),
        "its-visit-2022": pp(visits.last_pre_value),
        "its-visit-post": pp(visits.post_value),
        "its-visit-post-year": str(visits.post_year),
        "its-visit-change": pp(visits.before_after_change),
        "its-visit-fall-per-year": pp(-visits.pre_slope_per_year, 2),
        "its-visit-extrapolated": pp(visits.extrapolated_post),
        "its-visit-gap": pp(visits.gap_to_extrapolation),
        "its-visit-gap-2023": pp(visits.gap_by_post_year[REFORM_YEAR]),
        "its-admission-pre-slope": pp(_reported()[1]["admission_share"].pre_slope_per_year, 2),
        "its-fund-pre-slope": pp(_reported()[1]["fund_share"].pre_slope_per_year, 2),
        "its-rise-zh": _claims().at[reported_rise_claim(), "source_zh"],
    }


def _interval(prefix: str, estimate: Any, digits: int = 2) -> dict[str, str]:
    return {
        prefix: pp(estimate.estimate, digits),
        f"{prefix}-lo": pp(estimate.ci_lower, digits),
        f"{prefix}-hi": pp(estimate.ci_upper, digits),
    }


def main_model_numbers() -> dict[str, str]:
    """The main model's effects on the synthetic series."""
    frame, main = _monthly(), _main()
    visit = main["visit_share"]
    dec24 = visit.horizon_effects.set_index("horizon").loc[
        float(HORIZONS[f"Dec {REFORM_YEAR + 1}"])
    ]
    return {
        "its-n-months": str(len(frame)),
        "its-first-month": frame["month"].min().strftime("%Y-%m"),
        "its-last-month": frame["month"].max().strftime("%Y-%m"),
        "its-n-fit": str(visit.n),
        **_interval("its-visit-level", visit.effects["level"]),
        "its-visit-slope-per-year": pp(12 * visit.effects["slope"].estimate, 2),
        "its-visit-dec24": pp(dec24["absolute"], 1),
        "its-visit-dec24-lo": pp(dec24["absolute_low"], 1),
        "its-visit-dec24-hi": pp(dec24["absolute_high"], 1),
        "its-visit-dec24-rel": pp(100 * dec24["relative"], 0),
        "its-visit-rho": pp(visit.rho, 2),
        **_interval("its-admission-level", main["admission_share"].effects["level"]),
        **_interval("its-visit-covid", visit.other_effects[COVID.name]["level"]),
    }


def diagnostics_numbers() -> dict[str, str]:
    """Autocorrelation tests and the placebo-in-time check of the visit-share model."""
    _, ols, ar1 = _diagnostics()
    placebo = _placebo()
    return {
        "its-dw-ols": pp(ols.durbin_watson, 2),
        "its-bg-ols-p": f"{ols.breusch_godfrey_p:.3f}",
        "its-lb-ols-p": f"{ols.ljung_box_p:.3f}",
        "its-dw-ar1": pp(ar1.durbin_watson, 2),
        "its-bg-ar1-p": f"{ar1.breusch_godfrey_p:.3f}",
        "its-diag-lags": str(ols.lags),
        "its-placebo-n": str(len(placebo.table)),
        "its-placebo-p": f"{placebo.p_level:.3f}",
        "its-placebo-max": pp(placebo.table["level"].abs().max(), 2),
    }


def _level(table: pd.DataFrame, outcome: str) -> pd.DataFrame:
    return table.loc[(table["outcome"] == outcome) & (table["effect"] == "level")]


def events_numbers() -> dict[str, str]:
    """Events near the reform and what the main model cannot separate."""
    near = events_near_reform()
    return {
        "its-event-window": str(EVENT_WINDOW),
        "its-events-n": str(len(events())),
        "its-events-near-n": str(len(near)),
        "its-events-warned-n": str(len(event_warnings())),
        "its-events-file": _repository_path(EVENTS_DATASET),
    }


def robustness_numbers() -> dict[str, str]:
    """The robustness menu and comparative ITS against the comparison districts."""
    robust = _robustness()
    vis = _level(robust, "visit_share").set_index("spec")
    adm = _level(robust, "admission_share")
    fitted = vis.dropna(subset=["estimate"])
    frame = _monthly()
    comparison = frame.assign(comparison=comparison_mean("visit_share").to_numpy())
    cits = its(
        comparison,
        time="month",
        outcome="visit_share",
        intervention=REFORM,
        controls=["comparison"],
        errors="hac",
        seasonality="fourier:2",
    )
    districts = load_data("district_monthly").frame["district"].nunique()
    zero_covid = next(s for s in vis.index if "end_zero_covid" in s and "min_segment" in s)
    excluded = next(s for s in vis.index if s.startswith("exclude"))
    return {
        "its-rob-n": str(len(vis)),
        "its-rob-fitted": str(len(fitted)),
        "its-rob-refused": str(len(vis) - len(fitted)),
        "its-rob-min": pp(fitted["estimate"].min(), 2),
        "its-rob-max": pp(fitted["estimate"].max(), 2),
        "its-rob-lo-min": pp(fitted["ci_lower"].min(), 2),
        "its-rob-adm-sig": str(int((adm["ci_lower"] > 0).sum())),
        "its-rob-adm-fitted": str(int(adm["estimate"].notna().sum())),
        "its-rob-zc-level": pp(vis.at[zero_covid, "estimate"], 2),
        "its-rob-excl-level": pp(vis.at[excluded, "estimate"], 2),
        "its-rob-excl-label": excluded.removeprefix("exclude "),
        **_interval("its-cits-level", cits.effects["level"]),
        "its-cits-n-controls": str(districts - 1),
    }


def slope_power_numbers() -> dict[str, str]:
    """MDE of the slope change (pp a year) in the annual and monthly designs."""
    table = _slope_power()[1].set_index("scenario")
    labels = list(table.index)
    return {
        "its-slope-ann-size": f"{100 * table.at[labels[0], 'size']:.0f}",
        "its-slope-ann-mde": pp(table.at[labels[0], "mde"], 1),
        "its-slope-ann-known-mde": pp(table.at[labels[1], "mde"], 1),
        "its-slope-ann-exact-mde": pp(table.at[labels[1], "mde_analytic"], 1),
        "its-slope-mon-mde": pp(table.at[labels[2], "mde"], 2),
        "its-slope-mon-exact-mde": pp(table.at[labels[3], "mde_analytic"], 2),
        "its-slope-mon-noisy-mde": pp(table.at[labels[4], "mde"], 2),
    }


def power_numbers() -> dict[str, str]:
    """Simulated power of annual and monthly designs at the reported rise."""
    scenarios, table, _ = _power()
    by_label = table.set_index("scenario")
    ann_ols = by_label.loc["annual, 8 points, SD 2 pp"]
    ann_known = by_label.loc["annual, 8 points, SD 2 pp, rho known"]
    mon = by_label.loc[scenarios[6].label]
    mon_noisy = by_label.loc["monthly, 96 points, SD 3 pp, rho 0.6"]
    monthly_rows = table.loc[table["scenario"].str.startswith("monthly")]

    def pct(value: float) -> str:
        return f"{100 * value:.0f}"

    return {
        "its-rise": f"{_rise():g}",
        "its-monthly-sd": pp(monthly_residual_sd(_main()["visit_share"]), 2),
        "its-power-reps": f"{POWER_REPS:,}",
        "its-ann-size": pct(ann_ols["size"]),
        "its-ann-power": pct(ann_ols["power"]),
        "its-ann-known-power": pct(ann_known["power"]),
        "its-ann-known-mde": pp(ann_known["mde"], 1),
        "its-ann-sd1-power": pct(by_label.loc["annual, 8 points, SD 1 pp", "power"]),
        "its-ann-sd3-power": pct(by_label.loc["annual, 8 points, SD 3 pp", "power"]),
        "its-mon-power": pct(mon["power"]),
        "its-mon-mde": pp(mon["mde"], 2),
        "its-mon-size-lo": pct(monthly_rows["size"].min()),
        "its-mon-size-hi": pct(monthly_rows["size"].max()),
        "its-mon-noisy-power": pct(mon_noisy["power"]),
        "its-mon-noisy-mde": pp(mon_noisy["mde"], 1),
    }


def sicily_fit() -> ITSResult:
    """The tutorial's seasonally adjusted model fitted to the public Sicily series."""
    return its(
        load_data("sicily_smoking_ban").frame,
        time="time",
        outcome="aces",
        intervention=37,
        impact="level",
        family="quasipoisson",
        exposure="stdpop",
        seasonality="fourier:2",
        period=12,
    )


def sicily_numbers() -> dict[str, str]:
    """The published Sicily rate ratio and the engine's reproduction of it."""
    fit = sicily_fit()
    ratio = fit.rate_ratios["level"]
    published = PUBLISHED_SICILY_MODEL3
    return {
        "its-sic-rr": f"{ratio.estimate:.3f}",
        "its-sic-lo": f"{ratio.ci_lower:.3f}",
        "its-sic-hi": f"{ratio.ci_upper:.3f}",
        "its-sic-disp": f"{fit.dispersion:.3f}",
        "its-pub-rr": f"{published['rate_ratio']:.3f}",
        "its-pub-lo": f"{published['ci_low']:.3f}",
        "its-pub-hi": f"{published['ci_high']:.3f}",
        "its-pub-disp": f"{published['dispersion']:.3f}",
    }


def numbers() -> dict[str, str]:
    """Every value the page glues, keyed by its glue label."""
    return {
        **reported_numbers(),
        **main_model_numbers(),
        **diagnostics_numbers(),
        **events_numbers(),
        **robustness_numbers(),
        **power_numbers(),
        **slope_power_numbers(),
        **sicily_numbers(),
    }


# ------------------------------------------------------------------ figures


def plot_counterfactual(
    ax: Axes,
    result: ITSResult,
    dates: pd.Series,
    label: str,
    excluded: tuple[pd.Timestamp, pd.Timestamp] | None = None,
) -> Axes:
    """Synthetic series, model fit, and the no-reform counterfactual with its interval.

    Parameters
    ----------
    ax
        Target axes.
    result
        Fit of the synthetic monthly series.
    dates
        The month of each row (same order as ``result.counterfactual``).
    label
        Outcome name for the title.
    excluded
        First and last day of an exclusion window to shade.
    """
    cf = result.counterfactual
    x = pd.to_datetime(pd.Series(dates)).reset_index(drop=True)
    plot_synthetic(ax, x, cf["observed"], label=f"{label}, monthly (synthetic)", color="0.55")
    fit = cf["in_fit"].to_numpy()
    fitted = np.where(fit, cf["fitted"], np.nan)
    ax.plot(x, fitted, color="C0", linewidth=1.6, label="synthetic: model fit")
    post = cf["post"].to_numpy()
    ax.plot(
        x[post],
        cf.loc[post, "counterfactual"],
        color="C3",
        linestyle="--",
        linewidth=1.6,
        label="synthetic: counterfactual without the reform",
    )
    ax.fill_between(
        x[post],
        cf.loc[post, "counterfactual_low"],
        cf.loc[post, "counterfactual_high"],
        color="C3",
        alpha=0.15,
        label=f"{100 * (1 - result.alpha):.0f}% CI of the counterfactual",
    )
    reform = x[post].iloc[0]
    ax.axvline(reform, color="0.3", linewidth=0.8)
    if excluded is not None:
        ax.axvspan(
            excluded[0], excluded[1], color="0.85", label="COVID-19 months excluded from the fit"
        )
    ax.set_title(synthetic_title(label), fontsize=10)
    ax.set_ylabel("percent")
    ax.xaxis.set_major_locator(mdates.YearLocator())
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    return ax


def plot_placebo(ax: Axes, placebo: PlaceboResult, label: str) -> Axes:
    """Histogram of placebo level changes with the real estimate marked."""
    values = placebo.table["level"].to_numpy(dtype=float)
    ax.hist(
        values,
        bins=20,
        color="0.7",
        edgecolor="0.3",
        label=f"synthetic: placebo level changes ({values.size} fake dates)",
    )
    ax.axvline(
        placebo.real["level"],
        color="C3",
        linewidth=2,
        linestyle="--",
        label="synthetic: estimate at the real reform date",
    )
    ax.set_xlabel("level change (pp)")
    ax.set_ylabel("fake dates")
    ax.set_title(synthetic_title(f"{label}: placebo-in-time"), fontsize=10)
    ax.legend(fontsize=7)
    return ax


def plot_robustness(ax: Axes, table: pd.DataFrame, outcome: str, label: str) -> Axes:
    """Forest plot of the level change across the robustness menu for one outcome.

    Specifications the engine refused are marked "not estimable" instead of a point.
    """
    rows = _level(table, outcome).reset_index(drop=True)
    y = np.arange(len(rows))[::-1]
    fitted = rows["estimate"].notna().to_numpy()
    ax.errorbar(
        rows.loc[fitted, "estimate"],
        y[fitted],
        xerr=[
            (rows["estimate"] - rows["ci_lower"])[fitted],
            (rows["ci_upper"] - rows["estimate"])[fitted],
        ],
        fmt="o",
        color="C0",
        ecolor="0.4",
        capsize=2,
        markersize=4,
    )
    for row in y[~fitted]:
        ax.text(
            0.02,
            row,
            "not estimable",
            fontsize=7,
            va="center",
            color="0.35",
            transform=ax.get_yaxis_transform(),
        )
    ax.set_yticks(y)
    ax.set_yticklabels(rows["spec"], fontsize=7)
    ax.axvline(0, color="0.5", linewidth=0.8)
    ax.set_xlabel(f"level change at {REFORM_MONTH:%Y-%m} (pp), 95% CI")
    ax.set_title(synthetic_title(f"{label}: robustness menu"), fontsize=10)
    return ax


def plot_power(ax: Axes, curves: Mapping[str, PowerResult], effect: float) -> Axes:
    """Power curves of the level-change test; the reported effect size is marked."""
    styles = ["-", "--", ":", "-."]
    names = {"ols": "OLS", "pw_known": "GLS, rho known", "pw": "Prais–Winsten, rho estimated"}
    for i, (label, res) in enumerate(curves.items()):
        grid = res.effects[:-1]
        ax.plot(
            grid,
            res.power[:-1],
            linestyle=styles[i % len(styles)],
            linewidth=1.5,
            label=f"{label} [{names.get(res.estimator, res.estimator)}]",
        )
    ax.axhline(0.8, color="0.6", linewidth=0.8)
    ax.axhline(0.05, color="0.8", linewidth=0.8)
    ax.axvline(effect, color="0.2", linewidth=1.0, linestyle=(0, (1, 1)))
    ax.text(effect, 0.5, f" +{effect:g} pp (reported)", fontsize=8, rotation=90, va="center")
    ax.set_xlabel("true level change (pp)")
    ax.set_ylabel("power (share of simulations rejecting 'no change' at 5%)")
    ax.set_ylim(0, 1.02)
    ax.set_title("Simulated power (assumed noise; simulation, not data)", fontsize=10)
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.14))
    return ax


def figure_reported() -> Figure:
    """The reported points, the assumed-year point and the arithmetic (``fig-its-reported``)."""
    points, summaries = _reported()
    fig, ax = plt.subplots(figsize=(9.5, 4.2))
    plot_reported_points(ax, points, summaries["visit_share"])
    fig.tight_layout()
    return fig


def figure_counterfactual() -> Figure:
    """Fit and counterfactual of every share (``fig-its-counterfactual``)."""
    frame, main = _monthly(), _main()
    excluded = (COVID_START, COVID_EXCLUDED_LAST + pd.offsets.MonthEnd(0))
    fig, axes = plt.subplots(3, 1, figsize=(8.5, 9.5), sharex=True)
    for ax, (outcome, label) in zip(axes, OUTCOMES.items(), strict=True):
        plot_counterfactual(ax, main[outcome], frame["month"], label, excluded=excluded)
    axes[0].legend(fontsize=7, loc="lower left")
    axes[-1].set_xlabel("month")
    fig.tight_layout()
    return fig


def figure_acf() -> Figure:
    """Residual autocorrelation before and after Prais–Winsten whitening (``fig-its-acf``)."""
    ols_fit = fit_its(_monthly(), main_spec("visit_share", errors="ols"))
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.4), sharey=True)
    plot_residual_acf(ols_fit, axes[0])
    axes[0].set_title("Synthetic data — OLS residuals", fontsize=10)
    plot_residual_acf(_main()["visit_share"], axes[1])
    axes[1].set_title("Synthetic data — Prais–Winsten whitened", fontsize=10)
    fig.tight_layout()
    return fig


def figure_placebo() -> Figure:
    """Placebo level changes and the real estimate (``fig-its-placebo``)."""
    fig, ax = plt.subplots(figsize=(7, 3.4))
    plot_placebo(ax, _placebo(), OUTCOMES["visit_share"])
    fig.tight_layout()
    return fig


def figure_robustness() -> Figure:
    """The visit share's level change across the robustness menu (``fig-its-robustness``)."""
    fig, ax = plt.subplots(figsize=(7.5, 6.4))
    plot_robustness(ax, _robustness(), "visit_share", OUTCOMES["visit_share"])
    fig.tight_layout()
    return fig


def figure_power() -> Figure:
    """Power curves of four designs (``fig-its-power``)."""
    scenarios, _, curves = _power()
    shown = (
        "annual, 8 points, SD 2 pp",
        "annual, 8 points, SD 2 pp, rho known",
        scenarios[6].label,
        "monthly, 96 points, SD 3 pp, rho 0.6",
    )
    fig, ax = plt.subplots(figsize=(8, 5.6))
    plot_power(ax, {k: curves[k] for k in shown}, effect=_rise())
    fig.tight_layout()
    return fig


FIGURES: dict[str, Callable[[], Figure]] = {
    "fig-its-reported": figure_reported,
    "fig-its-counterfactual": figure_counterfactual,
    "fig-its-acf": figure_acf,
    "fig-its-placebo": figure_placebo,
    "fig-its-robustness": figure_robustness,
    "fig-its-power": figure_power,
}
