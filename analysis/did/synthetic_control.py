"""Synthetic control for one treated unit, with the post/pre RMSPE ratio placebo test.

Donor weights solve the constrained least-squares problem
``min_w ||y_treated,pre - Y_donors,pre w||^2`` subject to ``w >= 0`` and ``sum(w) = 1``
(Abadie, Diamond & Hainmueller 2010, matching on the whole pre-period outcome path, no
covariates), solved with scipy's SLSQP. Fit is the pre-period root mean squared prediction
error (RMSPE). Inference follows Abadie et al. (2010): every donor in turn is treated as if
treated, with the other donors as its pool; the ratio of post- to pre-period RMSPE is
computed for all units and the p-value is the treated unit's rank among the N0 + 1 ratios
divided by N0 + 1 (the smallest attainable p is 1/(N0+1)).

scipy was chosen over a dedicated package because the problem is a small quadratic program
and the available synthetic-control packages pull in heavy solvers or do not support
pandas 3.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize

from analysis.did.panel import Panel, PanelError
from analysis.did.twobytwo import common_adoption
from analysis.estimates import Estimate, ResultMixin


@dataclass(frozen=True)
class SyntheticControlResult(ResultMixin):
    """Result of :func:`synthetic_control`.

    Attributes
    ----------
    treated_unit
        Label of the treated unit.
    effect
        Mean post-period gap (treated minus synthetic) with the placebo p-value: the rank
        of the treated unit's post/pre RMSPE ratio among all N0 + 1 ratios, divided by
        N0 + 1. There is no standard error or interval.
    weights
        Donor weights (index: donor labels), non-negative, summing to one.
    path
        Frame indexed by period label: treated, synthetic, gap.
    pre_rmspe, post_rmspe, rmspe_ratio
        Fit before adoption, divergence after, and their ratio.
    placebo_ratios
        Post/pre RMSPE ratio of each donor when treated as if treated (index: donors).
    placebo_gaps
        Gap paths of the placebos (rows: period labels, columns: donors).
    """

    method_name = "synthetic control"

    treated_unit: object
    effect: Estimate
    weights: pd.Series
    path: pd.DataFrame
    pre_rmspe: float
    post_rmspe: float
    rmspe_ratio: float
    placebo_ratios: pd.Series
    placebo_gaps: pd.DataFrame

    def estimates(self) -> tuple[Estimate, ...]:
        """The mean post-period gap with its placebo p-value."""
        return (self.effect,)

    def summary_header(self) -> list[tuple[str, str]]:
        """Treated unit, fit and the RMSPE ratio."""
        return [
            ("treated unit", str(self.treated_unit)),
            ("donors with weight > 0.01", str(int((self.weights > 0.01).sum()))),
            ("pre-period RMSPE", f"{self.pre_rmspe:.4g}"),
            ("post/pre RMSPE ratio", f"{self.rmspe_ratio:.4g}"),
            ("largest placebo ratio", f"{self.placebo_ratios.max():.4g}"),
        ]

    def json_extra(self) -> dict[str, Any]:
        """Unit weights, fit and the placebo ratios."""
        return {
            "treated_unit": str(self.treated_unit),
            "unit_weights": {str(k): v for k, v in self.weights.items()},
            "pre_rmspe": self.pre_rmspe,
            "post_rmspe": self.post_rmspe,
            "rmspe_ratio": self.rmspe_ratio,
            "placebo_ratios": {str(k): v for k, v in self.placebo_ratios.items()},
        }


def donor_weights(target: np.ndarray, donors: np.ndarray) -> np.ndarray:
    """Return simplex weights minimising squared pre-period error.

    Parameters
    ----------
    target
        Pre-period outcomes of the treated unit, shape (T0,).
    donors
        Pre-period outcomes of the donors, shape (T0, J).

    Returns
    -------
    numpy.ndarray
        Weights of shape (J,), non-negative and summing to one.

    Examples
    --------
    >>> import numpy as np
    >>> donors = np.array([[1.0, 3.0], [2.0, 4.0], [3.0, 7.0]])
    >>> w = donor_weights(donors @ np.array([0.25, 0.75]), donors)
    >>> np.round(w, 3).tolist()
    [0.25, 0.75]
    """
    j = donors.shape[1]
    scale = float(np.abs(target).mean()) or 1.0
    a, b = donors / scale, target / scale
    gram, cross = a.T @ a, a.T @ b
    result = optimize.minimize(
        lambda w: w @ gram @ w - 2 * cross @ w,
        np.full(j, 1.0 / j),
        jac=lambda w: 2 * (gram @ w - cross),
        method="SLSQP",
        bounds=[(0.0, 1.0)] * j,
        constraints=[{"type": "eq", "fun": lambda w: w.sum() - 1.0, "jac": lambda w: np.ones(j)}],
        options={"ftol": 1e-12, "maxiter": 500},
    )
    w = np.clip(result.x, 0.0, None)
    return w / w.sum()


def _fit_one(y: np.ndarray, donors: np.ndarray, adoption: int) -> tuple[np.ndarray, np.ndarray]:
    """Weights and gap path for one (possibly placebo) treated series."""
    w = donor_weights(y[:adoption], donors[:adoption])
    return w, y - donors @ w


def _rmspe(gap: np.ndarray) -> float:
    return float(np.sqrt(np.mean(gap**2)))


def synthetic_control(panel: Panel) -> SyntheticControlResult:
    """Fit a synthetic control for the single treated unit and run the placebo test.

    Parameters
    ----------
    panel
        Panel with exactly one treated unit and at least two never-treated donors.

    Returns
    -------
    SyntheticControlResult
    """
    adoption = common_adoption(panel)
    treated_idx = np.flatnonzero(panel.ever_treated)
    if treated_idx.size != 1:
        raise PanelError(
            f"synthetic control needs exactly one treated unit, found {treated_idx.size}"
        )
    if adoption < 2:
        raise PanelError("synthetic control needs at least two pre-treatment periods")
    donors_idx = np.flatnonzero(~panel.ever_treated)
    if donors_idx.size < 2:
        raise PanelError("synthetic control needs at least two donor units")
    y = panel.outcome
    treated = y[treated_idx[0]]
    pool = y[donors_idx].T  # periods x donors
    weights, gap = _fit_one(treated, pool, adoption)

    def ratio(g: np.ndarray) -> float:
        pre = _rmspe(g[:adoption])
        return _rmspe(g[adoption:]) / pre if pre > 0 else np.inf

    placebo_gaps = np.empty((panel.n_periods, donors_idx.size))
    placebo_ratio = np.empty(donors_idx.size)
    for k in range(donors_idx.size):
        others = np.delete(pool, k, axis=1)
        _, g = _fit_one(pool[:, k], others, adoption)
        placebo_gaps[:, k] = g
        placebo_ratio[k] = ratio(g)
    treated_ratio = ratio(gap)
    rank = 1 + int(np.sum(placebo_ratio >= treated_ratio))
    donors = panel.units[donors_idx]
    effect = Estimate(
        name="att",
        estimate=float(gap[adoption:].mean()),
        p_value=rank / (donors_idx.size + 1),
        interval_method=(
            f"placebo-in-space rank p-value of the post/pre RMSPE "
            f"ratio over {donors_idx.size} donors; no interval"
        ),
    )
    return SyntheticControlResult(
        treated_unit=panel.units[treated_idx[0]],
        effect=effect,
        weights=pd.Series(weights, index=donors, name="weight"),
        path=pd.DataFrame(
            {"treated": treated, "synthetic": treated - gap, "gap": gap}, index=panel.times
        ),
        pre_rmspe=_rmspe(gap[:adoption]),
        post_rmspe=_rmspe(gap[adoption:]),
        rmspe_ratio=treated_ratio,
        placebo_ratios=pd.Series(placebo_ratio, index=donors, name="rmspe_ratio"),
        placebo_gaps=pd.DataFrame(placebo_gaps, index=panel.times, columns=donors),
    )
