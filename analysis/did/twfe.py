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
from typing import Any

import pandas as pd
from linearmodels.panel import PanelOLS

from analysis.did.panel import Panel, PanelError
from analysis.estimates import Estimate, ResultMixin


@dataclass(frozen=True)
class TWFEResult(ResultMixin):
    """Result of :func:`twfe`: coefficient on the treatment indicator with clustered SE."""

    method_name = "two-way fixed effects DiD"

    effect: Estimate
    n_obs: int
    n_clusters: int
    n_treated_clusters: int

    def estimates(self) -> tuple[Estimate, ...]:
        """The treatment coefficient."""
        return (self.effect,)

    def summary_header(self) -> list[tuple[str, str]]:
        """Observations and clusters."""
        return [
            ("observations", str(self.n_obs)),
            ("clusters (treated)", f"{self.n_clusters} ({self.n_treated_clusters})"),
        ]

    def json_extra(self) -> dict[str, Any]:
        """Observations and clusters."""
        return {
            "n_obs": self.n_obs,
            "n_clusters": self.n_clusters,
            "n_treated_clusters": self.n_treated_clusters,
        }


def panel_frame(panel: Panel) -> pd.DataFrame:
    """Long frame indexed by (unit, period) as ``PanelOLS`` expects."""
    long = panel.to_long()
    return long.set_index(["unit", "period"])


def cluster_robust_method(panel: Panel) -> str:
    """``interval_method`` of the unit-clustered linearmodels fits (TWFE, event study)."""
    return f"normal, cluster-robust by unit (linearmodels), {panel.cluster_description()}"


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
    effect = Estimate.from_se(
        "att",
        float(fit.params["treated"]),
        float(fit.std_errors["treated"]),
        method=cluster_robust_method(panel),
        alpha=alpha,
    )
    return TWFEResult(
        effect=effect,
        n_obs=int(fit.nobs),
        n_clusters=panel.n_units,
        n_treated_clusters=panel.n_treated,
    )
