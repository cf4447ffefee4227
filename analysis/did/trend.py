"""Difference-in-differences with unit-specific linear trends (one adoption date).

The plain 2 x 2 assumes that treated and comparison units would have changed by the same
amount. When their pre-period trends differ, it adds that trend difference, times the gap
between the post- and pre-period mid-points, to the effect. The trend-adjusted estimator
instead fits a straight line to each unit's pre-period outcomes, extends it over the post
period, and compares the treated units' average post-period departure from their line with the
comparison units' (the unit-specific trends model, e.g. Wooldridge 2010, *Econometric Analysis
of Cross Section and Panel Data*, 2nd ed., section 11.7.1). It assumes parallel *departures
from linear trends*, not parallel levels; it extrapolates, so a bend in the pre-period trend
becomes bias.

The estimate is linear in the outcomes (each unit's contrast is its post mean minus its fitted
line's post mean, both linear in its own outcomes), so the inference of
:mod:`analysis.did.inference` applies as for the 2 x 2: in a few-treated design the default is
the unit-level collapse t-interval.

Examples
--------
>>> import numpy as np, pandas as pd
>>> from analysis.did.panel import prepare_panel
>>> t = np.arange(8)
>>> rows = [(u, s, 0.5 * s * (u == 0) + 2.0 * (u == 0) * (s >= 6) + 0.1 * u * s, 6 * (u == 0))
...         for u in range(4) for s in t]
>>> frame = pd.DataFrame(rows, columns=["u", "t", "y", "g"])
>>> panel = prepare_panel(frame, unit="u", time="t", outcome="y", first_treated="g")
>>> result = trend_adjusted(panel)
>>> round(result.effect.estimate, 6), round(result.plain.estimate, 2)
(2.0, 3.2)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from analysis.did import inference as inf
from analysis.did.panel import Panel, PanelError
from analysis.did.twobytwo import common_adoption, two_by_two
from analysis.estimates import Estimate, ResultMixin


@dataclass(frozen=True)
class TrendAdjustedResult(ResultMixin):
    """Result of :func:`trend_adjusted`.

    Attributes
    ----------
    effect
        The trend-adjusted estimate with the interval the few-treated rule chooses.
    plain
        The plain 2 x 2 estimate on the same panel and with the same inference.
    trend_gap
        Treated minus comparison pre-period slope (outcome units per period).
    trend_bias
        What the trend gap adds to the plain 2 x 2: ``plain - effect``.
    inference, notes
        The inference method and why it was chosen.
    """

    method_name = "trend-adjusted difference-in-differences"

    effect: Estimate
    plain: Estimate
    trend_gap: float
    trend_bias: float
    inference: str = "collapse"
    notes: tuple[str, ...] = ()

    def estimates(self) -> tuple[Estimate, ...]:
        """The trend-adjusted estimate, then the plain 2 x 2."""
        return (self.effect, self.plain)

    def summary_notes(self) -> list[str]:
        """The inference choice and its reason."""
        return list(self.notes)

    def json_extra(self) -> dict[str, Any]:
        """The pre-period slope gap and the bias it puts in the plain 2 x 2."""
        return {"trend_gap": self.trend_gap, "trend_bias": self.trend_bias}


def departure_weights(adoption: int, n_periods: int) -> np.ndarray:
    """Per-period weights of one unit's post mean minus its pre-period line's post mean."""
    if adoption < 2:
        raise PanelError(
            "a linear pre-period trend needs at least two pre-periods",
            zh="干预前线性趋势至少需要两个干预前时期",
        )
    t = np.arange(n_periods, dtype=float)
    pre, post = t[:adoption], t[adoption:]
    centred = pre - pre.mean()
    # The line's value at the post mid-point is linear in the pre outcomes: these weights.
    line = 1 / adoption + (post.mean() - pre.mean()) * centred / (centred @ centred)
    return np.r_[-line, np.full(post.size, 1 / post.size)]


def trend_weights(group_code: np.ndarray, adoption: int, n_periods: int) -> np.ndarray:
    """Weights (units x periods) of the trend-adjusted estimate for a given assignment."""
    treated = group_code != -1
    unit = np.where(treated, 1 / treated.sum(), -1 / (~treated).sum())
    return unit[:, None] * departure_weights(adoption, n_periods)[None, :]


def trend_adjusted(
    panel: Panel,
    *,
    alpha: float = 0.05,
    inference: inf.Inference = "auto",
    draws: int = 999,
    seed: int = 0,
) -> TrendAdjustedResult:
    """Estimate the DiD with unit-specific linear pre-period trends.

    Parameters
    ----------
    panel
        Panel with one adoption date, at least two pre-periods and some never-treated units.
    alpha
        1 - confidence level.
    inference
        ``"auto"`` (few-treated rule), ``"cluster"`` (two-sample SE of the unit departures),
        ``"collapse"``, ``"permutation"`` or ``"conley-taber"``.
    draws, seed
        Random reassignments for permutation inference when enumeration is too large.

    Returns
    -------
    TrendAdjustedResult
    """
    adoption = common_adoption(panel)
    n_periods = panel.n_periods
    method, reason = inf.choose(inference, panel)
    treated = panel.ever_treated
    departures = panel.outcome @ departure_weights(adoption, n_periods)
    cluster = inf.two_sample_estimate(
        "trend-adjusted att", departures, treated, "unit departures", alpha=alpha
    )
    value = cluster.estimate

    def weights(group_code: np.ndarray) -> np.ndarray:
        return trend_weights(group_code, adoption, n_periods)

    effect = inf.infer_linear(method, panel, cluster, weights, alpha=alpha, draws=draws, seed=seed)
    plain = two_by_two(panel, alpha=alpha, inference=inference, draws=draws, seed=seed).effect
    t = np.arange(adoption, dtype=float)
    slopes = np.polyfit(t, panel.outcome[:, :adoption].T, 1)[0]
    gap = float(slopes[treated].mean() - slopes[~treated].mean())
    return TrendAdjustedResult(
        effect=effect,
        plain=plain,
        trend_gap=gap,
        trend_bias=plain.estimate - value,
        inference=method,
        notes=(reason,),
    )
