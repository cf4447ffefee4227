"""Coverage of DiD intervals by simulation: does a nominal 95 % interval cover 95 % of the time?

:func:`coverage` draws panels from a seeded generator with a known constant effect, runs
each :class:`~analysis.did.spec.DiDSpec` through :func:`~analysis.did.spec.estimate_did`, and
counts how often the headline estimate's interval covers the true effect. Estimators that
give a p-value but no interval (the wild cluster bootstrap) are scored by test inversion at
the truth: the panel is re-run with the true effect subtracted from the treated cells and
"covered" means the test does not reject at ``alpha``. Unbounded intervals (e.g. a
randomisation confidence set when 1/N > alpha) cover trivially; their share is reported so
that a method is not praised for saying nothing. An estimator that refuses a panel (e.g. the
wild bootstrap in a few-treated design) is counted as refused, not as covered.

Examples
--------
>>> from analysis.did.simulate import simulate_ar1_panel
>>> from analysis.did.spec import DiDSpec
>>> spec = DiDSpec(unit="unit", time="time", outcome="y", first_treated="first_treated",
...                estimator="2x2")
>>> table = coverage({"2x2": spec}, lambda seed: simulate_ar1_panel(seed=seed), truth=1.0,
...                  n_panels=20)
>>> row = table.iloc[0]
>>> row["estimator"], int(row["panels"]), int(row["refused"]), bool(0.8 <= row["coverage"] <= 1)
('2x2', 20, 0, True)
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd

from analysis.did.panel import PanelError
from analysis.did.spec import DiDSpec, estimate_did
from analysis.errors import InputError

Design = Callable[[int], pd.DataFrame]
COLUMNS = (
    "estimator",
    "panels",
    "coverage",
    "share_unbounded",
    "refused",
    "median_width",
    "seconds",
    "interval_method",
)


def _treated_cells(frame: pd.DataFrame, spec: DiDSpec) -> np.ndarray:
    first = pd.to_numeric(frame[spec.first_treated], errors="coerce").fillna(0)
    return ((first > 0) & (frame[spec.time] >= first)).to_numpy()


def score(frame: pd.DataFrame, spec: DiDSpec, truth: float) -> dict[str, float | str]:
    """Run one spec on one panel: covered (0/1), unbounded (0/1), width, method."""
    estimate = estimate_did(frame, spec).estimates()[0]
    lower, upper = estimate.ci_lower, estimate.ci_upper
    if not (math.isnan(lower) or math.isnan(upper)):
        return {
            "covered": float(lower <= truth <= upper),
            "unbounded": float(math.isinf(lower) or math.isinf(upper)),
            "width": upper - lower,
            "method": estimate.interval_method,
        }
    if math.isnan(estimate.p_value):
        # counted as refused: the estimator says it has no valid interval for this design
        raise PanelError(
            f"no interval or p-value: {estimate.interval_method}",
            zh=f"没有置信区间或 p 值：{estimate.interval_method}",
        )
    shifted = frame.copy()
    shifted[spec.outcome] = shifted[spec.outcome] - truth * _treated_cells(frame, spec)
    at_truth = estimate_did(shifted, spec).estimates()[0]
    return {
        "covered": float(at_truth.p_value > spec.alpha),
        "unbounded": 0.0,
        "width": math.nan,
        "method": f"test at the true effect: {at_truth.interval_method}",
    }


def coverage(
    specs: Mapping[str, DiDSpec],
    design: Design,
    *,
    truth: float,
    n_panels: int,
    first_seed: int = 0,
) -> pd.DataFrame:
    """Coverage of each spec's headline interval over ``n_panels`` seeded panels.

    Parameters
    ----------
    specs
        Label -> spec (the label names the row).
    design
        ``seed -> frame``: one simulated panel per seed (seeds ``first_seed ..``).
    truth
        The true constant effect.
    n_panels
        Number of panels.

    Returns
    -------
    pandas.DataFrame
        One row per spec: estimator, panels, coverage (share of scored panels whose
        interval covers the truth), share_unbounded, refused (panels the estimator refused),
        median_width, seconds (wall time of that estimator over all panels) and the
        interval_method of the first panel.
    """
    frames = [design(first_seed + i) for i in range(n_panels)]
    rows = []
    for label, spec in specs.items():
        start = time.perf_counter()
        scored, refused = [], 0
        method = ""
        for frame in frames:
            try:
                result = score(frame, spec, truth)
            except (PanelError, InputError) as error:
                refused += 1
                method = method or f"refused: {str(error).splitlines()[0]}"
                continue
            method = method if scored else str(result["method"])
            scored.append(result)
        seconds = time.perf_counter() - start
        covered = [r["covered"] for r in scored]
        rows.append(
            {
                "estimator": label,
                "panels": n_panels,
                "coverage": float(np.mean(covered)) if covered else math.nan,
                "share_unbounded": float(np.mean([r["unbounded"] for r in scored]))
                if scored
                else math.nan,
                "refused": refused,
                "median_width": float(np.median([r["width"] for r in scored]))
                if scored
                else math.nan,
                "seconds": seconds,
                "interval_method": method,
            }
        )
    return pd.DataFrame(rows, columns=list(COLUMNS))


def binomial_tolerance(n: int, p: float = 0.95, z: float = 3.0) -> float:
    """``z`` binomial standard errors of a coverage share estimated from ``n`` panels."""
    return z * math.sqrt(p * (1 - p) / n)
