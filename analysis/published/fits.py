"""Our side of each published check: one engine call per fit, answering every target asked.

Each fit runs an engine the way the publication ran its software (same data, same options)
and returns a mapping from target names (as ``data/published/published_results.csv``
names them) to numbers, plus what a tolerance rule needs (placebo estimates, grid steps,
half-lengths). :mod:`analysis.published.registry` compares them with the published values.
"""

from __future__ import annotations

import gzip
import json
import pickle
from collections.abc import Callable, Sequence
from importlib.metadata import distribution
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis.registry import REFERENCE_FILES

Values = dict[str, Any]


def reference_file(name: str) -> Path:
    """Path of a non-tabular reference file declared in :data:`analysis.registry.REFERENCE_FILES`.

    >>> reference_file("honestdid_bc_event_study").name
    'bc_event_study.json'
    """
    for entry in REFERENCE_FILES:
        if entry.name == name:
            return entry.file
    known = ", ".join(e.name for e in REFERENCE_FILES)
    raise KeyError(f"no reference file {name!r} in analysis.registry; known: {known}")


def m_key(m: str) -> str:
    """One spelling of a sensitivity parameter value: "0.00" and "0" are the same key."""
    return f"{float(m):g}"


def _prop99_panel(covariates: bool = False):
    from analysis.datasets import load_data
    from analysis.did.panel import prepare_panel

    frame = load_data("california_smoking").frame
    frame = frame.assign(first=np.where(frame["state"] == "California", 1989, 0))
    extra = ["lnincome", "age15to24", "retprice", "beer"] if covariates else []
    return prepare_panel(
        frame,
        unit="state",
        time="year",
        outcome="cigsale",
        first_treated="first",
        covariates=extra,
    )


def sicily_fit():
    """Lopez Bernal et al.'s (2017) seasonally adjusted Sicily model, as the tutorial fits it."""
    from analysis.datasets import load_data
    from analysis.its import its

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


def _its_sicily() -> Values:
    fit = sicily_fit()
    ratio = fit.rate_ratios["level"]
    return {
        "rate_ratio": ratio.estimate,
        "ci_low": ratio.ci_lower,
        "ci_high": ratio.ci_upper,
        "dispersion": fit.dispersion,
        "trend_per_year": float(np.exp(12 * fit.params["time"])),
    }


def _itsa(controls: bool) -> Values:
    from analysis.datasets import load_data
    from analysis.its import its

    comparison = {"controls": ["*"]} if controls else {}  # all 38 other states
    fit = its(
        load_data("california_smoking").frame,
        time="year",
        outcome="cigsale",
        intervention=1989,
        unit="state",
        select="California",
        errors="hac",
        hac_lags=1,
        **comparison,
    )
    c = {e.name: e for e in fit.coefficients}
    trends = {e.name: e.estimate for e in fit.posttrend}
    values = {
        "cons": c["_cons"].estimate,
        "t": c["_t"].estimate,
        "x": c["_x1989"].estimate,
        "posttrend": trends["posttrend"],
    }
    if controls:
        values |= {
            "z_x": c["_z_x1989"].estimate,
            "treated_intercept": c["_cons"].estimate + c["_z"].estimate,
            "treated_pretrend": c["_t"].estimate + c["_z_t"].estimate,
            "treated_step": c["_x1989"].estimate + c["_z_x1989"].estimate,
            "posttrend_treated": trends["posttrend"],
            "posttrend_controls": trends["posttrend:controls"],
            "p_z_x": c["_z_x1989"].p_value,
            "p_z_x_t": c["_z_x_t1989"].p_value,
        }
    return values


def _itsa_actest() -> Values:
    from analysis.datasets import load_data
    from analysis.its import its

    frame = load_data("california_smoking").frame
    fit = its(
        frame[frame["state"] == "California"],
        time="year",
        outcome="cigsale",
        intervention=1989,
        errors="hac",
        lag_rule="actest",
        ac_lags=12,
    )
    return {"suggested_lag": float(fit.autocorrelation.suggested_lag)}


def load_mpdta() -> pd.DataFrame:
    """R did's ``mpdta``, from the copy vendored in the ``moderndid`` wheel (offline)."""
    path = distribution("moderndid").locate_file("moderndid/core/datasets/mpdta_long.pkl.gz")
    with gzip.open(path, "rb") as handle:
        return pd.DataFrame(pickle.load(handle))


def _fixest_mpdta() -> Values:
    from analysis.did.twfe import fixest_fit

    data = load_mpdta()
    cells = [(2004, t) for t in range(2004, 2008)] + [(2006, 2006), (2006, 2007), (2007, 2007)]
    names = {cell: f"d{cell[0]}_{cell[1]}" for cell in cells}
    for (g, t), name in names.items():
        data[name] = ((data["first.treat"] == g) & (data["year"] == t)).astype(float)
    data = data.rename(columns={"first.treat": "cohort"})
    fit = fixest_fit(
        data, list(names.values()), outcome="lemp", unit="cohort", time="year", cluster="countyreal"
    )
    values: Values = {}
    for (g, t), name in names.items():
        values[f"coef:{g}:{t}"] = float(fit.coef[name])
        values[f"se:{g}:{t}"] = float(fit.se[name])
    return values


def _cs_mpdta() -> Values:
    from analysis.did.panel import prepare_panel
    from analysis.did.staggered import callaway_santanna

    panel = prepare_panel(
        load_mpdta(), unit="countyreal", time="year", outcome="lemp", first_treated="first.treat"
    )
    result = callaway_santanna(panel, comparison="never")
    values: Values = {}
    for row in result.group_time.itertuples():
        values[f"att:{row.group}:{row.time}"] = row.estimate
        values[f"se:{row.group}:{row.time}"] = row.se
    for row in result.dynamic.itertuples():
        values[f"dynamic:{row.rel_time}"] = row.estimate
    for row in result.group.itertuples():
        values[f"group:{row.group}"] = row.estimate
    return values | {
        "dynamic_overall": result.dynamic_overall.estimate,
        "dynamic_overall_se": result.dynamic_overall.se,
        "group_overall": result.group_overall.estimate,
        "group_overall_se": result.group_overall.se,
        "simple": result.simple.estimate,
    }


ADH_PREDICTORS = [
    ("lnincome", 1980, 1988),
    ("age15to24", 1980, 1988),
    ("retprice", 1980, 1988),
    ("beer", 1984, 1988),
]
ADH_WEIGHTED_STATES = ("Colorado", "Connecticut", "Montana", "Nevada", "Utah")


def _sc_prop99() -> Values:
    from analysis.did.synthetic_control import synthetic_control

    result = synthetic_control(
        _prop99_panel(covariates=True),
        predictors=ADH_PREDICTORS,
        outcome_lags=[1975, 1980, 1988],
        placebos=False,
    )
    values: Values = {f"weight:{s}": float(w) for s, w in result.weights.items()}
    for label, row in result.balance.iterrows():
        values[f"synthetic:{label}"] = float(row["synthetic"])
        values[f"treated:{label}"] = float(row["treated"])
    values["synthetic_age_percent"] = 100 * values["synthetic:age15to24 (1980-1988)"]
    values["max_other_weight"] = float(result.weights.drop(list(ADH_WEIGHTED_STATES)).max())
    return values


BASQUE_PREDICTORS = (
    [(f"school.{s}", 1964, 1969) for s in ("illit", "prim", "med", "high", "post.high")]
    + [("invest", 1964, 1969)]
    + [
        (f"sec.{s}", 1961, 1969)
        for s in (
            "agriculture",
            "energy",
            "industry",
            "construction",
            "services.venta",
            "services.nonventa",
        )
    ]
    + [("popdens", 1969, 1969)]
)


def _sc_basque() -> Values:
    from analysis.datasets import load_data
    from analysis.did.panel import prepare_panel
    from analysis.did.synthetic_control import synthetic_control

    frame = load_data("basque_terrorism").frame
    frame = frame[frame["regionno"] != 1]  # Spain as a whole is not a donor
    frame = frame.assign(first=np.where(frame["regionno"] == 17, 1970, 0))
    panel = prepare_panel(
        frame,
        unit="regionname",
        time="year",
        outcome="gdpcap",
        first_treated="first",
        covariates=[p[0] for p in BASQUE_PREDICTORS],
    )
    result = synthetic_control(
        panel,
        predictors=BASQUE_PREDICTORS,
        outcome_lags=[(1960, 1969)],
        fit_window=(1960, 1969),
        placebos=False,
        v_search="synth",  # R Synth's search, as the published weights used
    )
    return {f"weight:{s}": float(w) for s, w in result.weights.items()}


def _sdid(variant: str) -> Values:
    from analysis.did.sdid import synthetic_did

    result = synthetic_did(_prop99_panel(), variant=variant)
    values: Values = {
        "estimate": result.att.estimate,
        "se": result.att.se,
        "placebo": np.asarray(result.placebo_estimates, dtype=float),
    }
    if variant == "sdid":
        omega, lam = result.unit_weights, result.time_weights
        values |= {f"unit_weight:{s}": float(w) for s, w in omega.items()}
        values |= {f"time_weight:{y}": float(w) for y, w in lam.items()}
        values["n0_effective"] = float(1 / np.sum(omega**2))
        values["t0_effective"] = float(1 / np.sum(lam**2))
    return values


def _event_study(betahat, sigma, rel_time) -> tuple[pd.DataFrame, pd.DataFrame]:
    table = pd.DataFrame({"rel_time": list(rel_time), "estimate": list(betahat)})
    table = pd.concat([table, pd.DataFrame({"rel_time": [-1], "estimate": [0.0]})])
    table = table.sort_values("rel_time").reset_index(drop=True)
    vcov = pd.DataFrame(np.asarray(sigma), index=list(rel_time), columns=list(rel_time))
    return table, vcov


def _honest_values(result) -> Values:
    values: Values = {
        "original:lb": result.original.ci_lower,
        "original:ub": result.original.ci_upper,
    }
    for row in result.grid.itertuples():
        key = m_key(str(row.m))
        values |= {
            f"{key}:lb": row.ci_lower,
            f"{key}:ub": row.ci_upper,
            f"{key}:centre": (row.ci_lower + row.ci_upper) / 2,
            f"{key}:half": (row.ci_upper - row.ci_lower) / 2,
        }
    if result.theta_grid:
        values["grid_step"] = (result.theta_grid["upper"] - result.theta_grid["lower"]) / (
            result.theta_grid["points"] - 1
        )
    return values


def _m_grid(targets: Sequence[str]) -> list[float]:
    """The sensitivity parameter values the published targets were printed for."""
    keys = {t.split(":")[0] for t in targets} - {"original"}
    return sorted(float(m) for m in keys)


def _honest_medicaid(targets: Sequence[str], restriction: str, average: bool = False) -> Values:
    from analysis.did.honest import honest_bounds

    doc = json.loads(reference_file("honestdid_medicaid_event_study").read_text(encoding="utf-8"))
    table, vcov = _event_study(doc["betahat"], doc["sigma"], doc["rel_time"])
    result = honest_bounds(
        table,
        vcov=vcov,
        restriction=restriction,
        m_grid=_m_grid(targets),
        l_vec="average" if average else None,
    )
    return _honest_values(result)


def _honest_bc() -> Values:
    from analysis.did.honest import honest_bounds

    doc = json.loads(reference_file("honestdid_bc_event_study").read_text(encoding="utf-8"))
    n_pre = doc["num_pre_periods"]
    rel_time = [*range(-n_pre - 1, -1), *range(doc["num_post_periods"])]
    table, vcov = _event_study(doc["betahat"], doc["sigma"], rel_time)
    result = honest_bounds(
        table,
        vcov=vcov,
        restriction="smoothness",
        m_grid=[r["M"] for r in doc["r_flci_first_post_period"]],
    )
    return _honest_values(result)


# Fit name -> function of the targets asked (most fits answer all their targets at once).
FITS: dict[str, Callable[[Sequence[str]], Values]] = {
    "its_sicily": lambda _: _its_sicily(),
    "itsa_multi": lambda _: _itsa(controls=True),
    "itsa_single": lambda _: _itsa(controls=False),
    "itsa_actest": lambda _: _itsa_actest(),
    "fixest_mpdta": lambda _: _fixest_mpdta(),
    "cs_mpdta": lambda _: _cs_mpdta(),
    "sc_prop99": lambda _: _sc_prop99(),
    "sc_basque": lambda _: _sc_basque(),
    "sdid_prop99": lambda _: _sdid("sdid"),
    "sdid_prop99_sc": lambda _: _sdid("sc"),
    "sdid_prop99_did": lambda _: _sdid("did"),
    "honest_medicaid_rm": lambda t: _honest_medicaid(t, "relative_magnitude"),
    "honest_medicaid_sd": lambda t: _honest_medicaid(t, "smoothness"),
    "honest_medicaid_average": lambda t: _honest_medicaid(t, "relative_magnitude", average=True),
    "honest_bc": lambda _: _honest_bc(),
}
