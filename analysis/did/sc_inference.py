"""Simplex-weight solver and conformal inference for synthetic controls with one treated unit.

Two pieces used by :mod:`analysis.did.synthetic_control` and :mod:`analysis.did.sdid`:

:func:`simplex_least_squares`
    ``min_w ||A w - b||^2`` subject to ``w >= 0`` and ``sum(w) = 1``: scipy's Lawson-Hanson
    NNLS on the system augmented by a heavily weighted row ``rho * 1'w = rho``, then an exact
    equality-constrained solve on the active set (the KKT system), so the weights sum to one
    to machine precision.

:func:`conformal_interval`
    Chernozhukov, Wuethrich & Zhu (2021), "An exact and robust conformal inference method for
    counterfactual and synthetic controls", *JASA* 116(536): 1849-1864. To test
    ``H0: effect = theta`` in every post period, the null is imposed (``theta`` is subtracted
    from the treated unit's post-period outcomes), the synthetic control is refitted on **all**
    periods, and the statistic ``S(u) = mean_{post} |u_t|`` of the residuals is compared with
    its values under the moving-block (cyclic) permutations of the time index (their
    Section 3.2, ``Pi_->``): ``p(theta) = #{shifts j : S(u shifted by j) >= S(u)} / T``. The
    confidence set ``{theta : p(theta) > alpha}`` is found on a grid and refined by bisection
    at its ends. The method is valid when the residuals are stationary and weakly dependent
    (AR errors included) and the synthetic control is a good model of the untreated outcome;
    the effect is assumed constant over the post-period (for a time-varying effect the set
    covers the effect path's constant summaries only approximately). The smallest attainable
    p-value is ``1/T`` (the identity shift always counts), so when ``1/T > alpha`` no value can
    be rejected and the set is the whole real line: returned as an unbounded interval with
    that reason. Per-period intervals (``H0: effect_t = theta`` for one post period ``t``) use
    the pre-period plus that period, so their smallest attainable p is ``1/(T0 + 1)``.

The refit is the outcome-only synthetic control (weights on the simplex, no V-matrix): the
conformal argument needs an estimator that treats all periods symmetrically, which
pre-period predictor averages do not. A point estimate from a predictor-based fit is
therefore reported with an interval from the outcome-based refits; the interval is a
statement about the effect, not about either estimator.

Examples
--------
>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> donors = rng.normal(size=(30, 5)).cumsum(axis=0)
>>> w = simplex_least_squares(donors, donors @ np.array([0.2, 0.8, 0, 0, 0]))
>>> np.round(w, 6).tolist()
[0.2, 0.8, 0.0, 0.0, 0.0]
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import optimize


def simplex_least_squares(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Weights ``w >= 0`` with ``sum(w) = 1`` minimising ``||a @ w - b||^2``.

    Parameters
    ----------
    a
        Matrix of shape (n, J): one column per donor.
    b
        Target of shape (n,).

    Returns
    -------
    numpy.ndarray
        Weights of shape (J,).
    """
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    j = a.shape[1]
    if j == 1:
        return np.ones(1)
    scale = float(max(np.abs(a).max(initial=0.0), np.abs(b).max(initial=0.0), 1e-12))
    a_s, b_s = a / scale, b / scale
    rho = 1e3 * max(1.0, math.sqrt(a_s.shape[0]))
    aug = np.vstack([a_s, np.full((1, j), rho)])
    rhs = np.concatenate([b_s, [rho]])
    w, _ = optimize.nnls(aug, rhs, maxiter=50 * j)
    w = np.clip(w, 0.0, None)
    if w.sum() <= 0:
        w = np.full(j, 1.0 / j)
    w = w / w.sum()
    return _polish(a_s, b_s, w)


def _polish(a: np.ndarray, b: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Exact equality-constrained least squares on the active set, when it stays feasible."""
    active = np.flatnonzero(w > 1e-12)
    if active.size == 0:
        return w
    sub = a[:, active]
    k = active.size
    kkt = np.zeros((k + 1, k + 1))
    kkt[:k, :k] = sub.T @ sub
    kkt[:k, k] = 1.0
    kkt[k, :k] = 1.0
    rhs = np.concatenate([sub.T @ b, [1.0]])
    try:
        solution = np.linalg.solve(kkt, rhs)
    except np.linalg.LinAlgError:
        return w
    exact = solution[:k]
    if not np.all(np.isfinite(exact)) or exact.min() < -1e-10:
        return w
    out = np.zeros_like(w)
    out[active] = np.clip(exact, 0.0, None)
    out /= out.sum()
    before = np.sum((a @ w - b) ** 2)
    after = np.sum((a @ out - b) ** 2)
    return out if after <= before + 1e-12 * max(1.0, before) else w


def moving_block_p(residuals: np.ndarray, post: np.ndarray) -> float:
    """Moving-block permutation p-value of ``S(u) = mean_{post} |u_t|`` (CWZ 2021, Pi_->).

    Parameters
    ----------
    residuals
        Residuals of the refitted synthetic control over all T periods.
    post
        Boolean mask of the post periods (length T).

    Examples
    --------
    >>> import numpy as np
    >>> u = np.array([0.1, -0.2, 0.1, 0.0, 3.0])
    >>> moving_block_p(u, np.array([False, False, False, False, True]))
    0.2
    """
    u = np.abs(np.asarray(residuals, dtype=float))
    t = u.size
    positions = np.flatnonzero(post)
    shifted = u[(positions[None, :] + np.arange(t)[:, None]) % t].mean(axis=1)
    observed = shifted[0]
    return float(np.mean(shifted >= observed - 1e-12 * max(1.0, observed)))


@dataclass(frozen=True)
class ConformalInterval:
    """A conformal confidence set for a constant effect, as its hull.

    Attributes
    ----------
    lower, upper
        Ends of the set (``-inf``/``inf`` when unbounded).
    p_zero
        p-value of ``H0: effect = 0``.
    smallest_p
        Smallest attainable p-value (``1/T`` for moving blocks).
    method
        Description of the interval for ``interval_method``.
    bounded
        Whether the set is bounded.
    """

    lower: float
    upper: float
    p_zero: float
    smallest_p: float
    method: str
    bounded: bool


def _refit_residuals(y1: np.ndarray, donors: np.ndarray, adjusted_post: np.ndarray) -> np.ndarray:
    """Residuals of the outcome-only synthetic control fitted on all periods."""
    w = simplex_least_squares(donors, adjusted_post)
    return adjusted_post - donors @ w


def conformal_interval(
    y1: np.ndarray,
    donors: np.ndarray,
    post: np.ndarray,
    *,
    center: float,
    scale: float,
    alpha: float = 0.05,
    grid_points: int = 41,
    what: str = "the average post-period effect",
) -> ConformalInterval:
    """Invert the CWZ (2021) moving-block test of a constant effect ``theta``.

    Parameters
    ----------
    y1
        Treated outcomes over the T periods used.
    donors
        Donor outcomes, shape (T, J).
    post
        Boolean mask (length T) of the periods under the null ``effect = theta``.
    center, scale
        Where to centre the search grid and its half-width unit (e.g. the estimate and the
        pre-period RMSPE); the grid widens until both ends are rejected.
    alpha
        Level of the test; the set has coverage ``1 - alpha``.
    grid_points
        Points of the initial grid.
    what
        Wording of the estimand, for the method text.

    Returns
    -------
    ConformalInterval
    """
    y1 = np.asarray(y1, dtype=float)
    donors = np.asarray(donors, dtype=float)
    post = np.asarray(post, dtype=bool)
    t = y1.size
    smallest = 1.0 / t
    base = (
        f"conformal inference (Chernozhukov, Wuethrich & Zhu 2021) for {what}, assumed "
        f"constant: null imposed, outcome-only synthetic control refitted on all {t} periods, "
        f"moving-block permutations over {t} periods, smallest attainable p = {smallest:.3g}"
    )

    def p_at(theta: float) -> float:
        adjusted = y1 - theta * post
        return moving_block_p(_refit_residuals(y1, donors, adjusted), post)

    p_zero = p_at(0.0)
    if smallest > alpha:
        return ConformalInterval(
            -math.inf,
            math.inf,
            p_zero,
            smallest,
            base + f" > alpha = {alpha:g}: no value can be rejected, the interval is unbounded",
            False,
        )
    scale = float(scale) if scale > 0 and math.isfinite(scale) else 1.0
    half = 6.0 * scale + abs(center)
    for _ in range(8):
        grid = np.linspace(center - half, center + half, grid_points)
        accepted = np.array([p_at(x) > alpha for x in grid])
        if not accepted.any():
            # The point estimate itself is rejected (a poor fit): a finer grid near it.
            half /= 4.0
            continue
        if accepted[0] or accepted[-1]:
            half *= 3.0
            continue
        inside = np.flatnonzero(accepted)
        step = grid[1] - grid[0]
        lower = _bisect(p_at, grid[inside[0]] - step, grid[inside[0]], alpha, rising=True)
        upper = _bisect(p_at, grid[inside[-1]], grid[inside[-1]] + step, alpha, rising=False)
        holes = inside.size != inside[-1] - inside[0] + 1
        method = base + ("; hull of the accepted values (the set has gaps)" if holes else "")
        return ConformalInterval(lower, upper, p_zero, smallest, method, True)
    return ConformalInterval(
        math.nan,
        math.nan,
        p_zero,
        smallest,
        base + "; the grid search found no bounded set (poor pre-period fit): no interval",
        False,
    )


def _bisect(p_at, lo: float, hi: float, alpha: float, *, rising: bool, steps: int = 25) -> float:
    """End of the accepted set between a rejected and an accepted grid point."""
    for _ in range(steps):
        mid = 0.5 * (lo + hi)
        ok = p_at(mid) > alpha
        if rising:
            lo, hi = (lo, mid) if ok else (mid, hi)
        else:
            lo, hi = (mid, hi) if ok else (lo, mid)
    return 0.5 * (lo + hi)
