"""Numbers, tables and figures of ``book/evidence/its_qianjiang.md``.

The page only calls :func:`numbers` (every glued value, keyed by its glue label), the figure
functions in :data:`FIGURES` (keyed by figure label), the table functions and
:func:`main_model_command`. Everything is computed here from ``data/`` and the generic engine
:mod:`analysis.its`; the case facts (reform month, COVID-19 window, share series) come from
:mod:`analysis.chapters.case`.

Main model for the SYNTHETIC monthly Qianjiang series (2017-01 to 2024-12), chosen by the
same team that built the generator (so it is not pre-specified in the trial sense):

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
(:mod:`analysis.its.robustness`) refits the model with each of them as an extra interruption,
and with the months from the end of zero-COVID left out. The identification table refits the
main model and its event handlings to the generator's shock scenarios
(``[scenarios.*]`` of the assumptions file) and compares each estimate with the effect the
generator builds in (:mod:`analysis.synthetic.truth`).
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
    figure_reported_points,
    summarise_reported,
)
from analysis.datasets import add_shares, load_data
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
from analysis.its.power import (
    PowerResult,
    aggregated_ar1_autocorrelation,
    analytic_mde,
    rho_interval,
    simulate_power,
)
from analysis.its.results import ITSResult
from analysis.plotting.provenance import plot_synthetic, synthetic_title
from analysis.published.fits import sicily_fit
from analysis.published.registry import published_targets
from analysis.registry import declaration
from analysis.synthetic import generate
from analysis.synthetic.config import load_config, read_anchors
from analysis.synthetic.scenarios import scenario_settings
from analysis.synthetic.truth import BuiltInEffect, built_in_effect

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
    """The main model for one outcome (options may be overridden)."""
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
            "slope change (pp/year)": f"{12 * slp.estimate:.2f} [{12 * slp.ci_lower:.2f}, "
            f"{12 * slp.ci_upper:.2f}]",
            "level change (pp)": f"{lvl.estimate:.2f} [{lvl.ci_lower:.2f}, {lvl.ci_upper:.2f}]",
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


_FIXED_LABELS = {
    "baseline": "main model",
    "impact level": "no slope change",
    "COVID-19 term level+slope": "COVID-19 term with a slope change",
    "without covid": "no COVID-19 term",
    "errors ols": "OLS errors",
    "errors hac": "Newey–West HAC errors",
    "seasonality none": "no seasonality",
    "seasonality month": "month dummies",
    "seasonality fourier:2": "two Fourier pairs",
}


def readable_spec(label: str) -> str:
    """A menu label in words: event names for event keys, no option names."""
    if label in _FIXED_LABELS:
        return _FIXED_LABELS[label]
    names = {e.label: e.name for e in events()}
    event = re.fullmatch(r"\+ (\S+) \((level|slope|level\+slope)(, min_segment=1)?\)", label)
    if event:
        key, impact, short = event.groups()
        what = "every event" if key == "all" or key not in names else names[key]
        change = {"level": "level change", "slope": "slope change"}.get(impact, "level and slope")
        return f"+ {change} at {what}" + (", one-month segment allowed" if short else "")
    if label.startswith("+ all events"):
        return "+ level change at every event"
    if label.startswith("exclude "):
        return f"months {label.removeprefix('exclude ')} left out"
    shifted = re.fullmatch(r"intervention (\d+) (earlier|later) \((.+)\)", label)
    if shifted:
        return f"reform date {shifted[1]} months {shifted[2]} ({shifted[3]})"
    return label


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
                "specification": readable_spec(str(label)),
                "varied": level["varied"],
                "slope change (pp/year)": _cell(
                    slope["estimate"], slope["ci_lower"], slope["ci_upper"], 12.0
                ),
                "level change (pp)": _cell(level["estimate"], level["ci_lower"], level["ci_upper"]),
                "months fitted": "—" if refused else str(int(level["n"])),
                "not estimable because": reason if refused else "",
            }
        )
    return pd.DataFrame(out)


# ------------------------------------------------------------------ identification: shocks

#: The worlds of the identification table: the committed data, then the generator's shock
#: scenarios (tables ``[scenarios.<name>]`` of the assumptions file).
SHOCK_WORLDS: dict[str, str | None] = {
    "no shock": None,
    "transient shock, all districts": "post_zero_covid_transient",
    "persistent shock, all districts": "post_zero_covid",
    "persistent shock, treated only": "post_zero_covid_treated_only",
}
#: the scenario whose settings the page quotes
SHOCK_SCENARIO = "post_zero_covid"
#: months the event handling leaves out from the end of zero-COVID (as in the menu's longer window)
SHOCK_EXCLUDED_MONTHS = 4
#: one fixed menu specification per event handling shown in the identification table
CITS_LABEL = "comparative ITS (mean of comparison districts)"


@cache
def _truth() -> dict[str, BuiltInEffect]:
    """The reform effect the generator builds into each share (the same in every world)."""
    config = load_config()
    anchors = read_anchors(config)
    return {
        name: built_in_effect(config, anchors, SHARES[name].numerator.removesuffix("_primary"))  # type: ignore[arg-type]
        for name in OUTCOMES
    }


def shock_settings() -> dict[str, Any]:
    """The resolved settings of :data:`SHOCK_SCENARIO`."""
    return scenario_settings(load_config(), SHOCK_SCENARIO)


@cache
def world_monthly(scenario: str | None) -> pd.DataFrame:
    """Every district's monthly counts and shares in one world (``None``: the committed data)."""
    if scenario is None:
        return load_data("district_monthly").frame
    raw = generate(scenario=scenario).district_monthly
    return add_shares(raw.assign(month=pd.to_datetime(raw["month"], format="%Y-%m-%d")))


def with_comparison(world: pd.DataFrame, outcome: str = "visit_share") -> pd.DataFrame:
    """The treated district's rows plus a ``comparison`` column: the comparisons' mean."""
    treated = world.loc[world["district"] == TREATED_DISTRICT].sort_values("month")
    others = world.loc[world["district"] != TREATED_DISTRICT].groupby("month")[outcome].mean()
    return treated.assign(comparison=treated["month"].map(others)).reset_index(drop=True)


def identification_variations(outcome: str = "visit_share") -> list[rob.Variation]:
    """The main model, its two event handlings from the menu, and comparative ITS."""
    base = main_spec(outcome)
    end_zero_covid = _event("end_zero_covid")
    (window,) = as_exclusion_windows([end_zero_covid], SHOCK_EXCLUDED_MONTHS)
    return [
        rob.baseline(base, "main model, no event term"),
        *rob.vary_exclusion(base, [(f"{window[0]:%Y-%m} to {window[1]:%Y-%m}", [window])]),
        *rob.vary_events(base, [end_zero_covid], min_segment=1),
        rob.Variation(
            CITS_LABEL,
            "comparison series",
            replace(base, controls=("comparison",), errors="hac", others=()),
        ),
    ]


def identification(outcome: str = "visit_share") -> pd.DataFrame:
    """Each world x specification: the estimates beside the effect built into the generator."""
    truth = _truth()[outcome]
    tables = []
    for world, scenario in SHOCK_WORLDS.items():
        frame = with_comparison(world_monthly(scenario), outcome)
        table = rob.robustness_menu(frame, identification_variations(outcome))
        tables.append(table.assign(world=world))
    out = pd.concat(tables, ignore_index=True)
    true = {"level": truth.level_change_pp, "slope": truth.slope_change_pp_per_year / 12}
    return out.assign(truth=out["effect"].map(true))


def identification_wide(table: pd.DataFrame) -> pd.DataFrame:
    """The identification table as the page shows it: slope first (H2), then level."""
    rows = []
    for (world, spec), group in table.groupby(["world", "spec"], sort=False):
        by = group.set_index("effect")
        slope, level = by.loc["slope"], by.loc["level"]
        rows.append(
            {
                "world": world,
                "specification": readable_spec(str(spec)),
                "slope (pp/year): built in": pp(12 * slope["truth"], 2),
                "slope: estimate [95% CI]": _cell(
                    slope["estimate"], slope["ci_lower"], slope["ci_upper"], 12.0
                ),
                "level (pp): built in": pp(level["truth"], 2),
                "level: estimate [95% CI]": _cell(
                    level["estimate"], level["ci_lower"], level["ci_upper"]
                ),
            }
        )
    return pd.DataFrame(rows)


@cache
def _identification() -> pd.DataFrame:
    return identification()


def identification_table() -> pd.DataFrame:
    """The visit share's identification table."""
    return identification_wide(_identification())


def _shock_estimate(world: str, spec_prefix: str, effect: str) -> pd.Series:
    table = _identification()
    rows = table.loc[
        (table["world"] == world)
        & table["spec"].str.startswith(spec_prefix)
        & (table["effect"] == effect)
    ]
    return rows.iloc[0]


def _day(date: pd.Timestamp) -> str:
    return f"{date.day} {date:%B %Y}"


def identification_numbers() -> dict[str, str]:
    """The shock scenario's settings, the built-in effect and what each design recovers."""
    settings = shock_settings()
    visits = settings["visits"]
    truth = _truth()["visit_share"]
    zero_covid = _event("end_zero_covid")
    start = pd.Timestamp(settings["start_month"] + "-01")
    surge_end = start + pd.DateOffset(months=len(visits["surge_share_pp"]) - 1)
    worlds = list(SHOCK_WORLDS)
    none, transient, persistent, local = worlds
    exclude = "exclude"
    regime = "+ end_zero_covid"

    def est(world: str, spec: str, effect: str = "level", scale: float = 1.0) -> str:
        return pp(scale * _shock_estimate(world, spec, effect)["estimate"], 2)

    return {
        "its-zero-covid-date": _day(zero_covid.date),
        "its-zero-covid-month": f"{zero_covid.date:%B %Y}",
        "its-wave-peak-date": _day(_event("infection_wave").date),
        "its-rural-health-date": _day(_event("rural_health").date),
        "its-drg-dip-date": f"{_event('drg_dip').date:%B %Y}",
        "its-shock-start": f"{start:%B %Y}",
        "its-shock-surge-end": f"{surge_end:%B %Y}",
        "its-shock-surge-max": f"{max(visits['surge_share_pp']):g}",
        "its-shock-persistent": f"{visits['persistent_share_pp']:g}",
        "its-shock-volume-max": f"{100 * (max(visits['surge_volume_multiplier']) - 1):.0f}",
        "its-shock-excluded-months": str(SHOCK_EXCLUDED_MONTHS),
        "its-true-level": pp(truth.level_change_pp, 2),
        "its-true-slope": pp(truth.slope_change_pp_per_year, 2),
        "its-true-pre-slope": pp(truth.pre_slope_pp_per_year, 2),
        "its-id-none-level": est(none, "main", "level"),
        "its-id-none-slope": est(none, "main", "slope", 12.0),
        "its-id-trans-level": est(transient, "main", "level"),
        "its-id-trans-slope": est(transient, "main", "slope", 12.0),
        "its-id-trans-excl-level": est(transient, exclude, "level"),
        "its-id-trans-excl-slope": est(transient, exclude, "slope", 12.0),
        "its-id-pers-level": est(persistent, "main", "level"),
        "its-id-pers-slope": est(persistent, "main", "slope", 12.0),
        "its-id-pers-excl-level": est(persistent, exclude, "level"),
        "its-id-pers-excl-slope": est(persistent, exclude, "slope", 12.0),
        "its-id-pers-regime-level": est(persistent, regime, "level"),
        "its-id-pers-cits-level": est(persistent, "comparative", "level"),
        "its-id-local-cits-level": est(local, "comparative", "level"),
    }


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


#: SD of a noisier monthly series than the synthetic one (pp), for the sensitivity rows
NOISY_MONTHLY_SD = 1.5
#: assumed year-to-year SDs of an annual series (pp): two reported points cannot reveal it
ANNUAL_SDS = (1.0, 2.0, 3.0)
#: the annual SD of the headline slope scenarios (pp)
ANNUAL_SLOPE_SD = 2.0
#: (pre, post) points of each design: annual to 2024; annual to one more year, because a slope
#: needs three points in every segment; the 96 synthetic months
ANNUAL_LEVEL_DESIGN = (6, 2)
ANNUAL_SLOPE_DESIGN = (6, 3)
MONTHLY_DESIGN = (72, 24)


def _points(design: tuple[int, int]) -> int:
    return sum(design)


def _annual_slope_years() -> tuple[int, int]:
    """First and last year of the annual slope design, which ends one year after the data."""
    first = int(_monthly()["month"].min().year)
    return first, first + _points(ANNUAL_SLOPE_DESIGN) - 1


@dataclass(frozen=True)
class NoiseCalibration:
    """The noise the power scenarios assume, calibrated to the fitted model's residuals."""

    sd: float
    rho: float
    rho_low: float
    rho_high: float
    annual_rho: float
    n: int


def noise_calibration(result: ITSResult) -> NoiseCalibration:
    """Residual SD and AR(1) coefficient of a Prais–Winsten fit, with a sensitivity range.

    The range is the large-sample ±1.96 SE of the estimated coefficient; ``annual_rho`` is the
    year-to-year autocorrelation that monthly AR(1) errors imply for annual means.
    """
    if result.rho is None:
        raise ValueError("the power calibration needs an AR(1) fit (errors='ar1')")
    rho = float(result.rho)
    low, high = rho_interval(rho, result.n)
    return NoiseCalibration(
        monthly_residual_sd(result),
        rho,
        low,
        high,
        aggregated_ar1_autocorrelation(rho, 12),
        result.n,
    )


def _rho_text(rho: float) -> str:
    return f"rho {rho:.2f}"


def power_scenarios(noise: NoiseCalibration) -> list[PowerScenario]:
    """Designs for the (secondary) level-change test: annual 8 points and monthly 96 points."""
    out = []
    annual, monthly = ANNUAL_LEVEL_DESIGN, (*MONTHLY_DESIGN, "level+slope")
    for sd in ANNUAL_SDS:
        label = f"annual, {_points(annual)} points, SD {sd:g} pp, {_rho_text(noise.annual_rho)}"
        out.append(PowerScenario(label, *annual, "level", sd, noise.annual_rho, "ols"))
        out.append(
            PowerScenario(f"{label}, known", *annual, "level", sd, noise.annual_rho, "pw_known")
        )
    points = _points(MONTHLY_DESIGN)
    label = f"monthly, {points} points, SD {noise.sd:.2f} pp, {_rho_text(noise.rho)}"
    out.append(PowerScenario(label, *monthly, noise.sd, noise.rho, "pw"))
    noisy = f"monthly, {points} points, SD {NOISY_MONTHLY_SD:g} pp, {_rho_text(noise.rho)}"
    out.append(PowerScenario(noisy, *monthly, NOISY_MONTHLY_SD, noise.rho, "pw"))
    return out


def slope_power_scenarios(noise: NoiseCalibration) -> list[PowerScenario]:
    """Designs for the headline slope-change test (hypothesis H2), in a fixed order.

    Annual to 2025 (9 points: two post-reform years cannot test a slope under the engine's
    three-point segments), then monthly at the residual calibration, its exact check, the two
    ends of the autocorrelation range and a noisier series.
    """
    years = _annual_slope_years()
    annual = (
        f"annual, {_points(ANNUAL_SLOPE_DESIGN)} points ({years[0]}–{years[1]}), "
        f"SD {ANNUAL_SLOPE_SD:g} pp, {_rho_text(noise.annual_rho)}"
    )
    monthly = f"monthly, {_points(MONTHLY_DESIGN)} points, SD {noise.sd:.2f} pp"
    design = (*MONTHLY_DESIGN, "level+slope")
    slope_annual = (*ANNUAL_SLOPE_DESIGN, "level+slope", ANNUAL_SLOPE_SD, noise.annual_rho)
    return [
        PowerScenario(annual, *slope_annual, "ols", "slope"),
        PowerScenario(f"{annual}, known", *slope_annual, "pw_known", "slope"),
        PowerScenario(
            f"{monthly}, {_rho_text(noise.rho)}", *design, noise.sd, noise.rho, "pw", "slope"
        ),
        PowerScenario(
            f"{monthly}, {_rho_text(noise.rho)}, known",
            *design,
            noise.sd,
            noise.rho,
            "pw_known",
            "slope",
        ),
        PowerScenario(
            f"{monthly}, {_rho_text(noise.rho_low)}",
            *design,
            noise.sd,
            noise.rho_low,
            "pw",
            "slope",
        ),
        PowerScenario(
            f"{monthly}, {_rho_text(noise.rho_high)}",
            *design,
            noise.sd,
            noise.rho_high,
            "pw",
            "slope",
        ),
        PowerScenario(
            f"monthly, {_points(MONTHLY_DESIGN)} points, SD {NOISY_MONTHLY_SD:g} pp, "
            f"{_rho_text(noise.rho)}",
            *design,
            NOISY_MONTHLY_SD,
            noise.rho,
            "pw",
            "slope",
        ),
    ]


def periods_per_year(scenario: PowerScenario) -> float:
    """Points a year of a scenario's design (12 for monthly designs)."""
    return 12.0 if scenario.label.startswith("monthly") else 1.0


def run_power(
    scenarios: list[PowerScenario], effect: float, reps: int = POWER_REPS, seed: int = 20230101
) -> tuple[pd.DataFrame, dict[str, PowerResult]]:
    """Simulate each scenario; table of size, power at ``effect`` and MDE, plus the curves.

    For a slope scenario ``effect``, the curve and the MDE are per time unit of the design
    (per month for monthly designs; the curve's grid is 0 to 10 pp a year);
    :func:`slope_power_table` converts the MDE to pp a year.
    """
    curves: dict[str, PowerResult] = {}
    rows = []
    for i, sc in enumerate(scenarios):
        unit = periods_per_year(sc) if sc.test == "slope" else 1.0
        grid = np.linspace(0.0, 10.0, 41) / unit
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


@cache
def _noise() -> NoiseCalibration:
    return noise_calibration(_main()["visit_share"])


@cache
def _power() -> tuple[list[PowerScenario], pd.DataFrame, dict[str, PowerResult]]:
    scenarios = power_scenarios(_noise())
    table, curves = run_power(scenarios, effect=0.0)
    return scenarios, table.drop(columns="power"), curves


@cache
def _slope_power() -> tuple[list[PowerScenario], pd.DataFrame, dict[str, PowerResult]]:
    scenarios = slope_power_scenarios(_noise())
    table, curves = run_power(scenarios, effect=0.0, seed=20230201)
    per_year = np.array([periods_per_year(s) for s in scenarios])
    table = table.assign(mde=table["mde"] * per_year, mde_analytic=table["mde_analytic"] * per_year)
    return scenarios, table.drop(columns="power"), curves


def effects_table() -> pd.DataFrame:
    """The main model's effects for every outcome, as the page shows them."""
    return effects_summary(_main())


def diagnostics_shown() -> pd.DataFrame:
    """Autocorrelation tests of the visit-share model, rounded as the page shows them."""
    return _diagnostics()[0].round({"statistic": 3, "p": 3})


def robustness_table() -> pd.DataFrame:
    """The visit share's robustness menu, one row per specification."""
    return robustness_wide(_robustness())


def _power_display(scenarios: pd.DataFrame, unit: str) -> pd.DataFrame:
    """A power scenario table rounded and labelled as the page shows it."""
    return scenarios.assign(
        sd=lambda d: d["sd"].round(2),
        rho=lambda d: d["rho"].round(2),
        size=lambda d: (100 * d["size"]).round(1),
        mde=lambda d: d["mde"].round(2),
        mde_analytic=lambda d: d["mde_analytic"].round(2),
    ).rename(
        columns={
            "size": "rejections with no effect (%)",
            "mde": f"MDE at 80% ({unit}), simulated",
            "mde_analytic": "MDE, exact (rho known)",
        }
    )


def power_table() -> pd.DataFrame:
    """Size and MDE of the level-change test in every scenario, as the page shows them."""
    return _power_display(_power()[1], "pp")


def slope_power_table() -> pd.DataFrame:
    """Size and MDE of the slope-change test (pp a year), simulated and exact."""
    return _power_display(_slope_power()[1], "pp/year")


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
        "its-horizon-first": str(HORIZONS[f"Dec {REFORM_YEAR}"]),
        "its-horizon-last": str(HORIZONS[f"Dec {REFORM_YEAR + 1}"]),
        "its-reform-months": str(HORIZONS[f"Dec {REFORM_YEAR + 1}"] + 1),
        "its-ann-level-points": str(_points(ANNUAL_LEVEL_DESIGN)),
        "its-ann-slope-points": str(_points(ANNUAL_SLOPE_DESIGN)),
        "its-ann-slope-last-year": str(_annual_slope_years()[1]),
        "its-ann-slope-sd": f"{ANNUAL_SLOPE_SD:g}",
        "its-last-year": str(frame["month"].max().year),
        "its-first-month": frame["month"].min().strftime("%Y-%m"),
        "its-last-month": frame["month"].max().strftime("%Y-%m"),
        "its-n-fit": str(visit.n),
        "its-reform-month": f"{REFORM_MONTH:%B %Y}",
        "its-covid-start": f"{COVID_START:%B %Y}",
        "its-covid-excluded-n": str(COVID_EXCLUDED_MONTHS),
        **_interval("its-visit-level", visit.effects["level"]),
        "its-visit-slope-per-year": pp(12 * visit.effects["slope"].estimate, 2),
        "its-visit-slope-lo": pp(12 * visit.effects["slope"].ci_lower, 2),
        "its-visit-slope-hi": pp(12 * visit.effects["slope"].ci_upper, 2),
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
    visit_rows = robust.loc[robust["outcome"] == "visit_share"]
    slopes = visit_rows.loc[visit_rows["effect"] == "slope", "estimate"].dropna()
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
        "its-rob-slope-min": pp(12 * slopes.min(), 2),
        "its-rob-slope-max": pp(12 * slopes.max(), 2),
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
    """The headline power analysis: MDE of the slope change (pp a year), by design."""
    table = _slope_power()[1]
    mde, exact = table["mde"].to_numpy(), table["mde_analytic"].to_numpy()
    noise = _noise()
    monthly = table.loc[table["scenario"].str.startswith("monthly")]
    return {
        "its-power-reps": f"{POWER_REPS:,}",
        "its-monthly-sd": pp(noise.sd, 2),
        "its-power-rho": pp(noise.rho, 2),
        "its-power-rho-lo": pp(noise.rho_low, 2),
        "its-power-rho-hi": pp(noise.rho_high, 2),
        "its-power-rho-n": str(noise.n),
        "its-annual-rho": pp(noise.annual_rho, 2),
        "its-noisy-sd": f"{NOISY_MONTHLY_SD:g}",
        "its-slope-ann-size": f"{100 * table['size'].iloc[0]:.0f}",
        "its-slope-ann-mde": pp(mde[0], 1),
        "its-slope-ann-known-mde": pp(mde[1], 1),
        "its-slope-ann-exact-mde": pp(exact[1], 1),
        "its-slope-mon-mde": pp(mde[2], 2),
        "its-slope-mon-exact-mde": pp(exact[3], 2),
        "its-slope-mon-rho-lo-mde": pp(mde[4], 2),
        "its-slope-mon-rho-hi-mde": pp(mde[5], 2),
        "its-slope-mon-noisy-mde": pp(mde[6], 2),
        "its-slope-mon-size-lo": f"{100 * monthly['size'].min():.0f}",
        "its-slope-mon-size-hi": f"{100 * monthly['size'].max():.0f}",
    }


def power_numbers() -> dict[str, str]:
    """The secondary power analysis: MDE of the level change (pp), by design."""
    table = _power()[1]
    annual = table.loc[table["scenario"].str.startswith("annual")]
    known = annual.loc[annual["estimator"] == "pw_known", "mde"].to_numpy()
    ols_size = annual.loc[annual["estimator"] == "ols", "size"].to_numpy()
    monthly = table.loc[table["scenario"].str.startswith("monthly")]
    return {
        "its-ann-size": f"{100 * ols_size[list(ANNUAL_SDS).index(2.0)]:.0f}",
        "its-ann-sd1-mde": pp(known[0], 1),
        "its-ann-known-mde": pp(known[list(ANNUAL_SDS).index(2.0)], 1),
        "its-ann-sd3-mde": pp(known[-1], 1),
        "its-mon-mde": pp(monthly["mde"].iloc[0], 2),
        "its-mon-noisy-mde": pp(monthly["mde"].iloc[-1], 2),
    }


def sicily_numbers() -> dict[str, str]:
    """The published Sicily rate ratio and the engine's reproduction of it."""
    fit = sicily_fit()
    ratio = fit.rate_ratios["level"]
    # the tutorial's printed values, typed once in the validation registry (its-sicily-*)
    published = published_targets("its_sicily", "lopezbernal2017")
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
        **identification_numbers(),
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
    ax.legend(fontsize=9)
    return ax


def plot_robustness(
    ax: Axes, table: pd.DataFrame, outcome: str, label: str, effect: str = "slope"
) -> Axes:
    """Forest plot of one effect across the robustness menu (slope change in pp a year).

    Specifications the engine refused are marked "not estimable", and those without the
    effect (no slope change) "not in this model", instead of a point.
    """
    rows = table.loc[(table["outcome"] == outcome) & (table["effect"] == effect)]
    rows = rows.reset_index(drop=True)
    scale = 12.0 if effect == "slope" else 1.0
    y = np.arange(len(rows))[::-1]
    fitted = rows["estimate"].notna().to_numpy()
    ax.errorbar(
        scale * rows.loc[fitted, "estimate"],
        y[fitted],
        xerr=[
            scale * (rows["estimate"] - rows["ci_lower"])[fitted],
            scale * (rows["ci_upper"] - rows["estimate"])[fitted],
        ],
        fmt="o",
        color="C0",
        ecolor="0.4",
        capsize=2,
        markersize=4,
    )
    for row, method in zip(y[~fitted], rows.loc[~fitted, "interval_method"], strict=True):
        ax.text(
            0.02,
            row,
            "not in this model" if str(method).startswith("not in this model") else "not estimable",
            fontsize=9,
            va="center",
            color="0.35",
            transform=ax.get_yaxis_transform(),
        )
    ax.set_yticks(y)
    ax.set_yticklabels([readable_spec(str(x)) for x in rows["spec"]], fontsize=9)
    ax.axvline(0, color="0.5", linewidth=0.8)
    what = "slope change (pp a year)" if effect == "slope" else "level change (pp)"
    ax.set_xlabel(f"{what} at {REFORM_MONTH:%Y-%m}, 95% CI")
    ax.set_title(synthetic_title(f"{label}: robustness menu"), fontsize=10)
    return ax


def plot_power(
    ax: Axes,
    curves: Mapping[str, PowerResult],
    per_year: Mapping[str, float],
    built_in: float | None = None,
) -> Axes:
    """Power curves of the slope-change test against the change in pp a year.

    ``per_year`` converts each curve's effects (per period of its design) to pp a year;
    ``built_in`` marks the slope change the synthetic generator builds in.
    """
    styles = ["-", "--", ":", "-."]
    names = {"ols": "OLS", "pw_known": "GLS, rho known", "pw": "Prais–Winsten, rho estimated"}
    for i, (label, res) in enumerate(curves.items()):
        ax.plot(
            res.effects[:-1] * per_year[label],
            res.power[:-1],
            linestyle=styles[i % len(styles)],
            linewidth=1.5,
            label=f"{label} [{names.get(res.estimator, res.estimator)}]",
        )
    ax.axhline(0.8, color="0.6", linewidth=0.8)
    ax.axhline(0.05, color="0.8", linewidth=0.8)
    if built_in is not None:
        ax.axvline(built_in, color="0.2", linewidth=1.0, linestyle=(0, (1, 1)))
        ax.text(
            built_in,
            0.5,
            f" {built_in:.1f} pp/year (built into the synthetic data)",
            fontsize=9,
            rotation=90,
            va="center",
        )
    ax.set_xlabel("true slope change (pp a year)")
    ax.set_ylabel("power (share of simulations rejecting 'no change' at 5%)")
    ax.set_ylim(0, 1.02)
    ax.set_title("Simulated power of the slope test (simulation, not data)", fontsize=10)
    ax.legend(fontsize=9, loc="upper center", bbox_to_anchor=(0.5, -0.14))
    return ax


def figure_reported() -> Figure:
    """The reported points, the assumed-year point and the arithmetic (``fig-its-reported``)."""
    return figure_reported_points()


def figure_counterfactual() -> Figure:
    """Fit and counterfactual of every share (``fig-its-counterfactual``)."""
    frame, main = _monthly(), _main()
    excluded = (COVID_START, COVID_EXCLUDED_LAST + pd.offsets.MonthEnd(0))
    fig, axes = plt.subplots(3, 1, figsize=(8.5, 9.5), sharex=True)
    for ax, (outcome, label) in zip(axes, OUTCOMES.items(), strict=True):
        plot_counterfactual(ax, main[outcome], frame["month"], label, excluded=excluded)
    axes[0].legend(fontsize=9, loc="lower left")
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
    """The visit share's slope change across the robustness menu (``fig-its-robustness``)."""
    fig, ax = plt.subplots(figsize=(7.5, 6.4))
    plot_robustness(ax, _robustness(), "visit_share", OUTCOMES["visit_share"])
    fig.tight_layout()
    return fig


def figure_power() -> Figure:
    """Power curves of the slope test in four designs (``fig-its-power``)."""
    scenarios, _, curves = _slope_power()
    shown = [scenarios[i] for i in (0, 1, 2, 6)]
    fig, ax = plt.subplots(figsize=(8, 5.6))
    plot_power(
        ax,
        {s.label: curves[s.label] for s in shown},
        {s.label: periods_per_year(s) for s in shown},
        built_in=_truth()["visit_share"].slope_change_pp_per_year,
    )
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
