"""Two-way fixed effects DiD through linearmodels ``PanelOLS``.

``y_it = a_i + l_t + b * D_it + e_it`` with unit and time effects absorbed, standard errors
clustered by unit. linearmodels is used because it absorbs both effects without building
dummy matrices and implements clustered covariances that are widely checked; the tests compare
its point estimate with statsmodels OLS on explicit dummies.

Under staggered adoption with effects that change over time, ``b`` is a weighted average of
2 x 2 comparisons some of which use already-treated units as controls, with weights that
can be negative (Goodman-Bacon 2021); see :mod:`analysis.did.staggered`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from linearmodels.panel import PanelOLS
from scipy import stats

from analysis.did.panel import Panel, PanelError


@dataclass(frozen=True)
class TWFEResult:
    """Result of :func:`twfe`: coefficient on the treatment indicator with clustered SE."""

    estimate: float
    se: float
    ci: tuple[float, float]
    pvalue: float
    n_obs: int
    n_clusters: int


def panel_frame(panel: Panel) -> pd.DataFrame:
    """Long frame indexed by (unit, period) as ``PanelOLS`` expects."""
    long = panel.to_long()
    return long.set_index(["unit", "period"])


def twfe(panel: Panel, *, alpha: float = 0.05) -> TWFEResult:
    """Estimate the TWFE DiD coefficient with unit-clustered standard errors.

    Parameters
    ----------
    panel
        Balanced panel with some treated and some untreated unit-periods.
    alpha
        1 - confidence level.

    Returns
    -------
    TWFEResult
    """
    if not panel.ever_treated.any() or panel.ever_treated.all():
        raise PanelError("TWFE needs treated and never-treated units")
    data = panel_frame(panel)
    model = PanelOLS(data["y"], data[["treated"]], entity_effects=True, time_effects=True)
    fit = model.fit(cov_type="clustered", cluster_entity=True)
    estimate = float(fit.params["treated"])
    se = float(fit.std_errors["treated"])
    z = stats.norm.ppf(1 - alpha / 2)
    ci = (float(estimate - z * se), float(estimate + z * se))
    return TWFEResult(estimate=estimate, se=se, ci=ci,
                      pvalue=float(2 * stats.norm.sf(abs(estimate / se))) if se > 0 else np.nan,
                      n_obs=int(fit.nobs), n_clusters=panel.n_units)
