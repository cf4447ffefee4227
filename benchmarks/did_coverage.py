"""Coverage of every DiD estimator's default interval in the mission's design (issue 12).

One treated unit and 8 comparisons, a constant effect of 1, unit and time effects and AR(1)
errors (rho = 0.5) independent across units; annual (8 periods, adoption in period 7) and
monthly (96 periods, adoption in month 73, event study in years). 1,000 seeded panels per
design (``DID_COVERAGE_PANELS`` overrides). Target: >= 93 % coverage for nominal 95 % for
every default method; the old cluster-robust (CR1) intervals are run too, to show they do
not reach it. The two slow invalid references (wild bootstrap forced to run, CS analytic
SEs) run on a tenth of the panels (the first ones). Synthetic control and synthetic DiD run
only if their modules are present.
"""

from __future__ import annotations

import os
import time
import warnings
from dataclasses import replace

from analysis.did.coverage import coverage
from analysis.did.simulate import simulate_ar1_panel
from analysis.did.spec import DiDSpec

PANELS = int(os.environ.get("DID_COVERAGE_PANELS", "1000"))
DESIGNS = {
    "annual": dict(n_periods=8, treat_period=7, event=dict(leads=4, lags=1, bin_width=1)),
    "monthly": dict(n_periods=96, treat_period=73, event=dict(leads=4, lags=1, bin_width=12)),
}


def specs(event: dict) -> dict[str, DiDSpec]:
    """The estimators scored: defaults first, then the invalid reference intervals."""
    base = DiDSpec(unit="unit", time="time", outcome="y", first_treated="first_treated")
    out = {
        "2x2 (default: collapse)": replace(base, estimator="2x2"),
        "twfe (default: collapse)": replace(base, estimator="twfe"),
        "event post-average (default: collapse)": replace(base, estimator="event", **event),
        "cs (default: collapse)": replace(base, estimator="cs"),
        "placebo in space (exact)": replace(base, estimator="placebo"),
        "permutation (Monte Carlo, 999 draws)": replace(base, estimator="permutation", draws=999),
        "twfe --inference permutation": replace(base, estimator="twfe", inference="permutation"),
        "twfe --inference conley-taber": replace(base, estimator="twfe", inference="conley-taber"),
        "wild (default: refused)": replace(base, estimator="wild", draws=199),
        "twfe --inference cluster (CR1, not valid)": replace(
            base, estimator="twfe", inference="cluster"
        ),
    }
    try:
        from analysis.did.synthetic_control import synthetic_control  # noqa: F401

        out["sc (A2 default)"] = replace(base, estimator="sc")
    except ImportError:
        pass
    try:
        from analysis.did.sdid import synthetic_did  # noqa: F401

        out["sdid (placebo SE)"] = replace(base, estimator="sdid", draws=200)
    except ImportError:
        pass
    return out


def slow_specs() -> dict[str, DiDSpec]:
    """Invalid references that are slow: run on a tenth of the panels."""
    base = DiDSpec(unit="unit", time="time", outcome="y", first_treated="first_treated")
    return {
        "wild --inference cluster (not valid)": replace(
            base, estimator="wild", draws=199, inference="cluster"
        ),
        "cs --inference cluster (analytic, not valid)": replace(
            base, estimator="cs", inference="cluster"
        ),
    }


def run() -> dict[str, float | str]:
    """Coverage %, share unbounded, refusals and seconds per estimator and design."""
    out: dict[str, float | str] = {"DiD coverage: panels per design": str(PANELS)}
    for name, design in DESIGNS.items():
        start = time.perf_counter()

        def draw(seed: int, design=design) -> object:
            return simulate_ar1_panel(
                n_periods=design["n_periods"], treat_period=design["treat_period"], seed=seed
            )

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            table = coverage(specs(design["event"]), draw, truth=1.0, n_panels=PANELS)
            slow = coverage(slow_specs(), draw, truth=1.0, n_panels=max(PANELS // 10, 1))
        for row in (*table.itertuples(), *slow.itertuples()):
            key = f"{name}: {row.estimator} [{row.panels} panels]"
            out[f"{key}, coverage %"] = round(100 * row.coverage, 1)
            out[f"{key}, unbounded %"] = round(100 * row.share_unbounded, 1)
            if row.refused:
                out[f"{key}, refused panels"] = str(row.refused)
            out[f"{key}, seconds"] = round(row.seconds, 1)
        out[f"{name}: wall time (s)"] = round(time.perf_counter() - start, 1)
    return out


if __name__ == "__main__":
    for key, value in run().items():
        print(f"{key}: {value}")
