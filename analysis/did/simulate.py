"""Simulated panels with known effects, and the true estimands of such panels.

Outcomes are unit effect + common time trend + treatment effect + noise, so every estimator's
target is known exactly. All randomness is seeded.

Examples
--------
>>> frame = simulate_staggered(n_units=40, n_periods=6, cohorts=(3, 5), seed=1)
>>> sorted(frame["first_treated"].unique().tolist())
[0, 2013, 2015]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

EffectShape = Literal["constant", "dynamic"]


def treatment_effect(
    event_time: np.ndarray, cohort_rank: np.ndarray, *, shape: EffectShape, size: float
) -> np.ndarray:
    """Return the true effect at each event time (0 = first treated period; <0 untreated).

    ``"constant"``: ``size`` from adoption on. ``"dynamic"``: grows by ``size`` per period of
    exposure and is larger for earlier cohorts (``cohort_rank`` 0 = earliest), the pattern
    under which TWFE's implicit comparisons of late to early adopters go wrong.
    """
    exposed = event_time >= 0
    if shape == "constant":
        return np.where(exposed, size, 0.0)
    return np.where(exposed, size * (event_time + 1) * (1.0 + 0.5 / (1.0 + cohort_rank)), 0.0)


def simulate_staggered(
    *,
    n_units: int = 300,
    n_periods: int = 10,
    start: int = 2010,
    cohorts: tuple[int, ...] = (3, 5, 7),
    never_share: float = 0.3,
    shape: EffectShape = "dynamic",
    size: float = 1.0,
    noise: float = 1.0,
    seed: int = 0,
) -> pd.DataFrame:
    """Simulate a balanced annual panel with staggered, absorbing adoption.

    Parameters
    ----------
    n_units, n_periods, start
        Panel size; years run ``start .. start + n_periods - 1``.
    cohorts
        Adoption period offsets from ``start`` (e.g. 3 -> year ``start + 3``).
    never_share
        Expected share of never-treated units.
    shape, size
        True effect, see :func:`treatment_effect`.
    noise
        Standard deviation of the idiosyncratic error.
    seed
        Seed for :func:`numpy.random.default_rng`.

    Returns
    -------
    pandas.DataFrame
        Columns unit, time, y, first_treated (0 = never), true_effect.
    """
    rng = np.random.default_rng(seed)
    n_cohorts = len(cohorts)
    probabilities = [never_share] + [(1 - never_share) / n_cohorts] * n_cohorts
    cohort_index = rng.choice(n_cohorts + 1, size=n_units, p=probabilities) - 1
    first = np.where(cohort_index >= 0, start + np.asarray(cohorts)[cohort_index.clip(0)], 0)
    years = start + np.arange(n_periods)
    unit_effect = rng.normal(0, 1, n_units) + 0.5 * (cohort_index + 1)
    time_effect = 0.3 * np.arange(n_periods) + rng.normal(0, 0.2, n_periods)
    event_time = years[None, :] - first[:, None]
    event_time = np.where(first[:, None] > 0, event_time, -1)
    effect = treatment_effect(event_time, cohort_index[:, None].clip(0), shape=shape, size=size)
    y = (
        unit_effect[:, None]
        + time_effect[None, :]
        + effect
        + rng.normal(0, noise, (n_units, n_periods))
    )
    return pd.DataFrame(
        {
            "unit": np.repeat(np.arange(n_units), n_periods),
            "time": np.tile(years, n_units),
            "y": y.ravel(),
            "first_treated": np.repeat(first, n_periods),
            "true_effect": effect.ravel(),
        }
    )


def simulate_single_treated(
    *,
    n_controls: int = 12,
    n_periods: int = 24,
    treat_period: int = 16,
    effect: float = 2.0,
    noise: float = 0.5,
    seed: int = 0,
) -> pd.DataFrame:
    """Simulate one treated unit ('treated') and ``n_controls`` comparisons.

    The treated unit's untreated path is a convex mix of three comparisons plus noise, so a
    synthetic control can reproduce it; the effect is ``effect`` from ``treat_period`` on.

    Returns
    -------
    pandas.DataFrame
        Columns unit, time (0..n_periods-1), y, first_treated (0 = never).
    """
    rng = np.random.default_rng(seed)
    t = np.arange(n_periods)
    level = rng.normal(10, 2, n_controls)
    slope = rng.normal(0.1, 0.05, n_controls)
    season = rng.normal(0, 0.5, n_controls)
    controls = (
        level[:, None]
        + slope[:, None] * t
        + season[:, None] * np.sin(t / 2)
        + rng.normal(0, noise, (n_controls, n_periods))
    )
    mix = np.zeros(n_controls)
    mix[:3] = [0.5, 0.3, 0.2]
    treated = mix @ (controls - rng.normal(0, noise, (n_controls, n_periods)) * 0.0)
    treated = (
        treated + rng.normal(0, noise * 0.5, n_periods) + np.where(t >= treat_period, effect, 0.0)
    )
    labels = ["treated"] + [f"control_{i:02d}" for i in range(1, n_controls + 1)]
    y = np.vstack([treated, controls])
    first = np.array([treat_period] + [0] * n_controls)
    return pd.DataFrame(
        {
            "unit": np.repeat(labels, n_periods),
            "time": np.tile(t, n_controls + 1),
            "y": y.ravel(),
            "first_treated": np.repeat(first, n_periods),
        }
    )


@dataclass(frozen=True)
class TrueEffects:
    """The estimands of a panel that stores its true effects.

    Attributes
    ----------
    att
        Mean true effect over treated unit-periods (CS's simple aggregation targets it).
    dynamic
        rel_time, effect: mean true effect by event time.
    group
        group, effect: per adoption period, the mean over its post periods of the period means
        (what CS's group aggregation targets).
    """

    att: float
    dynamic: pd.DataFrame
    group: pd.DataFrame


def true_effects(
    frame: pd.DataFrame,
    *,
    effect: str = "true_effect",
    time: str = "time",
    first_treated: str = "first_treated",
) -> TrueEffects:
    """Average the stored true effects the way the DiD estimators aggregate theirs.

    Parameters
    ----------
    frame
        Long panel with a numeric ``time``, ``first_treated`` (0 = never) and ``effect``.
    effect, time, first_treated
        Column names.

    Examples
    --------
    >>> truth = true_effects(simulate_staggered(n_units=40, n_periods=6, cohorts=(3,),
    ...                                         shape="constant", seed=1))
    >>> truth.att, truth.dynamic["effect"].tolist()
    (1.0, [1.0, 1.0, 1.0])
    """
    post = frame[(frame[first_treated] > 0) & (frame[time] >= frame[first_treated])]
    post = post.assign(rel_time=post[time] - post[first_treated])
    dynamic = post.groupby("rel_time")[effect].mean().rename("effect").reset_index()
    group = (
        post.groupby([first_treated, time])[effect]
        .mean()
        .groupby(level=0)
        .mean()
        .rename("effect")
        .reset_index()
        .rename(columns={first_treated: "group"})
    )
    return TrueEffects(att=float(post[effect].mean()), dynamic=dynamic, group=group)


def simulate_ar1_panel(
    *,
    n_treated: int = 1,
    n_controls: int = 8,
    n_periods: int = 8,
    treat_period: int = 7,
    effect: float = 1.0,
    rho: float = 0.5,
    sigma: float = 1.0,
    unit_sd: float = 1.0,
    time_sd: float = 0.5,
    seed: int = 0,
) -> pd.DataFrame:
    """Simulate unit effect + common time effect + constant effect + AR(1) noise.

    The design of one treated district against a handful of comparisons: periods are labelled
    ``1..n_periods``; treated units adopt at label ``treat_period`` (so ``treat_period - 1``
    pre-periods); each unit's errors follow a stationary AR(1) with autocorrelation ``rho``
    and innovation standard deviation ``sigma``, independent across units.

    Returns
    -------
    pandas.DataFrame
        Columns unit, time, y, first_treated (0 = never), true_effect.

    Examples
    --------
    >>> frame = simulate_ar1_panel(seed=1)
    >>> frame.groupby("unit")["time"].count().unique().tolist(), float(frame["true_effect"].max())
    ([8], 1.0)
    """
    if not 1 < treat_period <= n_periods:
        raise ValueError(f"treat_period={treat_period}: must lie in 2..n_periods")
    if not -1 < rho < 1:
        raise ValueError(f"rho={rho}: must lie strictly between -1 and 1")
    rng = np.random.default_rng(seed)
    n = n_treated + n_controls
    errors = np.empty((n, n_periods))
    errors[:, 0] = rng.normal(0, sigma / np.sqrt(1 - rho**2), n)
    shocks = rng.normal(0, sigma, (n, n_periods))
    for t in range(1, n_periods):
        errors[:, t] = rho * errors[:, t - 1] + shocks[:, t]
    times = np.arange(1, n_periods + 1)
    treated = np.arange(n) < n_treated
    true = np.where(treated[:, None] & (times[None, :] >= treat_period), effect, 0.0)
    y = (
        rng.normal(0, unit_sd, n)[:, None]
        + rng.normal(0, time_sd, n_periods)[None, :]
        + true
        + errors
    )
    labels = [f"treated_{i + 1:02d}" for i in range(n_treated)] + [
        f"control_{i + 1:02d}" for i in range(n_controls)
    ]
    return pd.DataFrame(
        {
            "unit": np.repeat(labels, n_periods),
            "time": np.tile(times, n),
            "y": y.ravel(),
            "first_treated": np.repeat(np.where(treated, treat_period, 0), n_periods),
            "true_effect": true.ravel(),
        }
    )
