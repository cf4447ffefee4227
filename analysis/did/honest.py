"""Sensitivity of event-study effects to violations of parallel trends (HonestDiD-style).

Rambachan & Roth (2023, *Review of Economic Studies*) replace "parallel trends holds" by
"post-treatment trend differences are not too different from pre-treatment ones" and report
the set of effects consistent with that, plus the *breakdown value*: the largest violation
under which the effect is still significant. This module implements the two restrictions of
that paper in their simplest transparent form, for one post period ``k`` (event time,
0 = first treated period) of an event study normalised at ``k = -1``. Write the event-study
coefficient as ``b_k = tau_k + delta_k`` with ``delta`` the trend difference (``delta_-1 = 0``).

Relative magnitudes, ``Delta^RM(Mbar)``
    Each post-period change ``|delta_{t+1} - delta_t|`` is at most ``Mbar`` times the largest
    pre-period change ``m = max_{s<-1} |b_{s+1} - b_s|`` (with ``b_-1 = 0``). So
    ``|delta_k| <= (k + 1) Mbar m`` and ``tau_k`` lies in ``b_k -/+ (k + 1) Mbar m``.
Smoothness, ``Delta^SD(M)``
    The slope of ``delta`` changes by at most ``M`` per period. Extrapolating the last
    pre-period slope ``s = b_-1 - b_-2 = -b_-2`` gives ``delta_k`` in
    ``(k + 1) s -/+ M (k + 1)(k + 2) / 2``; ``M = 0`` is a linear pre-trend extrapolation.

Confidence intervals add ``z * se`` to the identified set's ends. For smoothness the centre
``b_k + (k + 1) b_-2`` has its SE from the event-study covariance; for relative magnitudes
``m`` is plugged in as if known. This is simpler, and less exact, than Rambachan & Roth's
conditional/hybrid and FLCI intervals, which account for the estimation error in the
pre-period coefficients and optimise length; our intervals are the naive union-bound kind,
and the breakdown values are indicative rather than the paper's. They are meant to show how
fast a conclusion erodes, not to replace the ``HonestDiD`` R package.

Examples
--------
>>> import pandas as pd
>>> table = pd.DataFrame({"rel_time": [-3, -2, -1, 0], "estimate": [0.0, 0.1, 0.0, 1.0],
...                       "se": [0.1, 0.1, float("nan"), 0.1]})
>>> result = honest_bounds(table, restriction="relative_magnitude", m_grid=[0.0, 1.0])
>>> result.grid["identified_lower"].round(2).tolist()
[1.0, 0.9]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from analysis.did.event_study import EventStudyResult
from analysis.did.panel import PanelError
from analysis.estimates import Estimate, ResultMixin, critical_value

Restriction = Literal["relative_magnitude", "smoothness"]
_PARAMETER = {"relative_magnitude": "Mbar", "smoothness": "M"}


@dataclass(frozen=True)
class HonestResult(ResultMixin):
    """Result of :func:`honest_bounds`.

    Attributes
    ----------
    restriction
        Which restriction was imposed.
    rel_time
        The post period analysed.
    coefficient
        Event-study coefficient at ``rel_time`` with its SE.
    centre
        Centre of the identified set (the coefficient, minus the extrapolated pre-trend under
        smoothness) with the SE of that centre; its interval is the one at no violation.
    scale
        ``m`` (largest pre-period change) for relative magnitudes, the extrapolated slope
        ``s`` for smoothness.
    grid
        m (the restriction's parameter), identified_lower, identified_upper (identified set),
        ci_lower, ci_upper (robust interval).
    breakdown
        Smallest parameter value at which the confidence interval includes zero
        (0 if it already does at no violation; inf if it never does).
    alpha
        One minus the intervals' coverage.
    """

    method_name = "sensitivity bounds for parallel-trends violations"

    restriction: Restriction
    rel_time: int
    coefficient: float
    centre: Estimate
    scale: float
    grid: pd.DataFrame
    breakdown: float
    alpha: float

    @property
    def interval_method(self) -> str:
        """How the robust intervals are built."""
        return (
            f"identified set under {self.restriction.replace('_', ' ')} widened by the "
            "normal critical value times the centre's SE (naive union bound, not "
            "Rambachan-Roth's conditional or FLCI intervals)"
        )

    def estimates(self) -> tuple[Estimate, ...]:
        """One robust interval per grid value; the estimate is the identified set's centre."""
        name = _PARAMETER[self.restriction]
        return tuple(
            Estimate(
                name=f"rel_time={self.rel_time}, {name}={row.m:.4g}",
                estimate=self.centre.estimate,
                se=self.centre.se,
                ci_lower=float(row.ci_lower),
                ci_upper=float(row.ci_upper),
                interval_method=self.interval_method,
                alpha=self.alpha,
            )
            for row in self.grid.itertuples()
        )

    def summary_header(self) -> list[tuple[str, str]]:
        """Restriction, scale and breakdown value."""
        return [
            ("restriction", self.restriction),
            ("event time", str(self.rel_time)),
            ("scale", f"{self.scale:.4g}"),
            ("breakdown value", f"{self.breakdown:.4g}"),
        ]

    def json_extra(self) -> dict[str, Any]:
        """The grid with identified sets, the scale and the breakdown value."""
        return {
            "restriction": self.restriction,
            "rel_time": self.rel_time,
            "coefficient": self.coefficient,
            "scale": self.scale,
            "breakdown": self.breakdown,
            "grid": self.grid,
        }


def honest_bounds(
    result: EventStudyResult | pd.DataFrame,
    *,
    rel_time: int = 0,
    restriction: Restriction = "relative_magnitude",
    m_grid: Sequence[float] | None = None,
    alpha: float = 0.05,
    vcov: pd.DataFrame | None = None,
) -> HonestResult:
    """Bounds on one post-period effect under a parallel-trends violation restriction.

    Parameters
    ----------
    result
        Event study normalised at event time -1, or a frame with rel_time, estimate, se.
    rel_time
        Post period to analyse (0 = first treated period).
    restriction
        ``"relative_magnitude"`` or ``"smoothness"``.
    m_grid
        Values of Mbar (or M) to report; a default grid is used when omitted or empty.
    alpha
        1 - confidence level.
    vcov
        Covariance of the coefficients (index/columns: event times); taken from ``result``
        when it is an :class:`EventStudyResult`. Without it, smoothness intervals assume
        zero covariance between ``b_k`` and ``b_-2``.

    Returns
    -------
    HonestResult
    """
    if isinstance(result, EventStudyResult):
        table, vcov = result.table, result.vcov
    else:
        table = result
    coef = table.set_index("rel_time")["estimate"].astype(float)
    se_all = table.set_index("rel_time")["se"].astype(float)
    if rel_time < 0 or rel_time not in coef.index:
        raise PanelError(f"rel_time={rel_time}: not a post period of this event study")
    if -1 not in coef.index or abs(coef.loc[-1]) > 1e-12:
        raise PanelError("the event study must be normalised to 0 at event time -1")
    pre = coef[coef.index < 0].sort_index()
    if len(pre) < 2 or (pre.index[-2] != -2):
        raise PanelError("at least event times -2 and -1 are needed before treatment")
    beta, se = float(coef.loc[rel_time]), float(se_all.loc[rel_time])
    z = critical_value(alpha)
    steps = rel_time + 1
    if restriction == "relative_magnitude":
        scale = float(np.max(np.abs(np.diff(pre.to_numpy()))))
        centre, centre_se = beta, se
        width_per_m = steps * scale
        grid_default = np.linspace(0, 2, 21)
    elif restriction == "smoothness":
        scale = float(-coef.loc[-2])
        centre = beta - steps * scale
        cov = 0.0
        if vcov is not None and rel_time in vcov.index and -2 in vcov.index:
            cov = float(vcov.loc[rel_time, -2])
        centre_se = float(np.sqrt(se**2 + steps**2 * se_all.loc[-2] ** 2 + 2 * steps * cov))
        width_per_m = steps * (steps + 1) / 2
        grid_default = np.linspace(0, 4 * max(float(se_all.loc[-2]), 1e-9), 21)
    else:
        raise PanelError(
            f"restriction={restriction!r}: must be 'relative_magnitude' or 'smoothness'"
        )
    m = np.asarray(grid_default if m_grid is None or len(m_grid) == 0 else m_grid, dtype=float)
    half = m * width_per_m
    grid = pd.DataFrame(
        {
            "m": m,
            "identified_lower": centre - half,
            "identified_upper": centre + half,
            "ci_lower": centre - half - z * centre_se,
            "ci_upper": centre + half + z * centre_se,
        }
    )
    margin = abs(centre) - z * centre_se
    if margin <= 0:
        breakdown = 0.0
    elif width_per_m <= 0:
        breakdown = float("inf")
    else:
        breakdown = margin / width_per_m
    method = "normal, the event study's SE (no violation)"
    return HonestResult(
        restriction=restriction,
        rel_time=rel_time,
        coefficient=beta,
        centre=Estimate.from_se("centre", centre, centre_se, method=method, alpha=alpha),
        scale=scale,
        grid=grid,
        breakdown=float(breakdown),
        alpha=alpha,
    )
