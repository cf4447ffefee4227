"""Coverage of the synthetic control and synthetic DiD intervals on the mission's design.

Design (``simulate_design``): one treated unit and 8 controls; annual (8 periods, adoption
after 5) and monthly (96 periods, adoption after 60). Untreated outcomes follow a two-factor
model ``y_it = a_i + l_i' f_t + e_it`` with AR(1) errors ``e_it = 0.5 e_i,t-1 + u_it``,
``u ~ N(0, 1)`` (stationary start); the treated unit's factor loadings and level are a convex
mix (Dirichlet) of the controls', so a synthetic control can reproduce its untreated path,
and it gains a constant effect of 1 from adoption on. Seeded: panel ``k`` of a design uses
seed ``k``.

Figures: coverage of the nominal 95 % interval, share of unbounded intervals and wall time,
for the conformal SC interval (default of :func:`analysis.did.synthetic_control.synthetic_control`)
and for synthetic DiD with the placebo SE (default t(N0 - 1) interval, and R's normal
interval for comparison).
"""

from __future__ import annotations

import math
import time

import numpy as np

from analysis.did.panel import Panel
from analysis.published.registry import published_value

DESIGNS = {"annual": (8, 5), "monthly": (96, 60)}
N_CONTROLS = 8
EFFECT = 1.0
RHO = 0.5


def simulate_design(
    n_periods: int,
    treat_period: int,
    *,
    n_controls: int = N_CONTROLS,
    rho: float = RHO,
    effect: float = EFFECT,
    seed: int = 0,
) -> Panel:
    """One panel of the design as a :class:`~analysis.did.panel.Panel` (treated unit last)."""
    rng = np.random.default_rng(seed)
    t = np.arange(n_periods)
    factors = np.vstack(
        [0.05 * t + rng.normal(0, 0.3, n_periods).cumsum() * 0.3, np.sin(2 * np.pi * t / 12.0)]
    )
    load = rng.normal(1.0, 0.5, (n_controls, 2))
    level = rng.normal(10.0, 2.0, n_controls)
    mix = rng.dirichlet(np.ones(n_controls))
    load = np.vstack([load, mix @ load])
    level = np.r_[level, mix @ level]
    n = n_controls + 1
    e = np.empty((n, n_periods))
    e[:, 0] = rng.normal(0, 1 / math.sqrt(1 - rho**2), n)
    for s in range(1, n_periods):
        e[:, s] = rho * e[:, s - 1] + rng.normal(0, 1, n)
    y = level[:, None] + load @ factors + e
    y[-1, treat_period:] += effect
    group = np.full(n, -1)
    group[-1] = treat_period
    return Panel(
        units=np.array([f"control_{i}" for i in range(1, n)] + ["treated"]),
        times=t,
        outcome=y,
        group_code=group,
    )


def _covers(lower: float, upper: float, truth: float) -> bool:
    return bool(lower <= truth <= upper)


def coverage(
    design: str,
    n_panels: int,
    *,
    alpha: float = 0.05,
    methods: tuple[str, ...] = ("sc", "sdid"),
    progress: str | None = None,
    first_seed: int = 0,
) -> dict[str, float]:
    """Coverage, share unbounded and time per method over ``n_panels`` seeded panels.

    ``progress``: a file rewritten every 25 panels with the running figures. Panels use seeds
    ``first_seed .. first_seed + n_panels - 1`` (to split a run across processes).
    """
    from analysis.did.sdid import synthetic_did
    from analysis.did.synthetic_control import synthetic_control

    n_periods, treat = DESIGNS[design]
    hits = {"sc_conformal": 0, "sdid_placebo_t": 0, "sdid_placebo_normal": 0}
    unbounded = 0
    seconds = {"sc_conformal": 0.0, "sdid_placebo": 0.0}
    done = 0

    def figures() -> dict[str, float]:
        out: dict[str, float] = {}
        if "sc" in methods:
            out[f"{design} sc_conformal coverage (nominal 0.95)"] = hits["sc_conformal"] / done
            out[f"{design} sc_conformal share unbounded"] = unbounded / done
            out[f"{design} sc_conformal seconds per panel"] = seconds["sc_conformal"] / done
        if "sdid" in methods:
            for m in ("sdid_placebo_t", "sdid_placebo_normal"):
                out[f"{design} {m} coverage (nominal 0.95)"] = hits[m] / done
            out[f"{design} sdid_placebo seconds per panel"] = seconds["sdid_placebo"] / done
        out[f"{design} panels"] = float(done)
        return out

    for k in range(n_panels):
        panel = simulate_design(n_periods, treat, seed=first_seed + k)
        if "sc" in methods:
            start = time.perf_counter()
            c = synthetic_control(panel, placebos=False, alpha=alpha).conformal
            seconds["sc_conformal"] += time.perf_counter() - start
            unbounded += not (math.isfinite(c.ci_lower) and math.isfinite(c.ci_upper))
            hits["sc_conformal"] += _covers(c.ci_lower, c.ci_upper, EFFECT)
        if "sdid" in methods:
            start = time.perf_counter()
            att = synthetic_did(panel, alpha=alpha).att
            seconds["sdid_placebo"] += time.perf_counter() - start
            hits["sdid_placebo_t"] += _covers(att.ci_lower, att.ci_upper, EFFECT)
            q = 1.959963984540054
            hits["sdid_placebo_normal"] += _covers(
                att.estimate - q * att.se, att.estimate + q * att.se, EFFECT
            )
        done += 1
        if progress and done % 25 == 0:
            with open(progress, "w") as handle:
                handle.write(repr(figures()))
    return figures()


def validation() -> dict[str, float]:
    """Published-example figures: Prop 99 SC weights and SDID estimate (see the tests)."""
    from analysis.datasets import load_data
    from analysis.did.panel import prepare_panel
    from analysis.did.sdid import synthetic_did
    from analysis.did.synthetic_control import synthetic_control

    frame = load_data("california_smoking").frame
    frame = frame.assign(first=np.where(frame["state"] == "California", 1989, 0))
    panel = prepare_panel(
        frame,
        unit="state",
        time="year",
        outcome="cigsale",
        first_treated="first",
        covariates=["lnincome", "age15to24", "retprice", "beer"],
    )
    start = time.perf_counter()
    sc = synthetic_control(
        panel,
        predictors=[
            ("lnincome", 1980, 1988),
            ("age15to24", 1980, 1988),
            ("retprice", 1980, 1988),
            ("beer", 1984, 1988),
        ],
        outcome_lags=[1975, 1980, 1988],
        placebos=False,
    )
    sc_seconds = time.perf_counter() - start
    start = time.perf_counter()
    sd = synthetic_did(panel)
    sd_seconds = time.perf_counter() - start
    utah, nevada = (published_value(f"sc-prop99-weight-{s}") for s in ("utah", "nevada"))
    sdid, sdid_se = published_value("sdid-prop99-estimate"), published_value("sdid-prop99-se")
    return {
        f"prop99 SC weight Utah (ADH 2010: {utah})": float(sc.weights["Utah"]),
        f"prop99 SC weight Nevada (ADH 2010: {nevada})": float(sc.weights["Nevada"]),
        "prop99 SC fit seconds": sc_seconds,
        f"prop99 SDID estimate (AAHIW 2021: {sdid})": sd.att.estimate,
        f"prop99 SDID placebo SE, exact (paper: {sdid_se} from 200 random draws)": sd.att.se,
        "prop99 SDID seconds": sd_seconds,
    }


def run(n_panels: int = 1000) -> dict[str, float | str]:
    """All figures: validation, then coverage on both designs (1,000 panels each)."""
    out: dict[str, float | str] = dict(validation())
    for design in DESIGNS:
        start = time.perf_counter()
        out.update(coverage(design, n_panels))
        out[f"{design} wall time, s"] = time.perf_counter() - start
    return out


if __name__ == "__main__":
    import json
    import sys

    panels = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    print(json.dumps(run(panels), indent=2))
