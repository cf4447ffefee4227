"""Fixed-length confidence intervals (FLCIs) under the smoothness restriction Delta^SD(M).

Rambachan & Roth (2023, *Review of Economic Studies* 90(5), Section 4.1) build, following
Armstrong & Kolesar (2018, 2020), the shortest interval of the form ``theta_hat -/+ chi`` with
``theta_hat = a + v'beta_hat`` affine in the event-study coefficients that covers
``theta = l'tau_post`` with probability ``1 - alpha`` for *every* trend difference ``delta`` in

    Delta^SD(M) = {delta : |(delta_t - delta_{t-1}) - (delta_{t-1} - delta_{t-2})| <= M},

the second differences taken over all consecutive event times, the reference period included
(``delta_ref = 0``). This module is our own implementation of that construction.

Positions follow Rambachan & Roth: pre periods ``-n_pre..-1``, reference ``0``, post periods
``1..n_post``; ``beta`` stacks the pre then the post coefficients (no reference entry).

Derivation used here
    ``v`` must put weight ``l`` on the post coefficients (else the bias in ``tau`` is
    unbounded) and free weights ``w`` on the pre coefficients. Writing any ``delta`` with
    ``delta_0 = 0`` as ``s * p + K d`` (``p`` the event time, ``s`` the slope at the reference
    period, ``d`` the second differences), the bias ``v'delta`` is bounded only if ``v'p = 0``
    (no linear trend passes through), and then its worst case over ``|d_j| <= M`` is
    ``M * ||K'v||_1``. Since the bias set is symmetric, ``a = 0``. With
    ``sd(w) = sqrt(v' Sigma v)`` the half-length is ``sd * cv_alpha(M ||K'v||_1 / sd)``, where
    ``cv_alpha(t)`` is the ``1 - alpha`` quantile of ``|N(t, 1)|``. That function of ``w`` is
    convex (a perspective of the convex ``cv_alpha`` composed with norms), and it is minimised
    here directly (SLSQP on the epigraph of the l1 norm, started at the ``M = 0`` solution,
    the generalised-least-squares linear-trend extrapolation).

R's ``findOptimalFLCI`` instead scans 100 candidate standard deviations and takes
``cv_alpha`` from a simulated folded normal, so its intervals are slightly longer or shorter
than the exact optimum in the third significant digit; see ``tests/test_did_honest.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize, special, stats


@dataclass(frozen=True)
class FLCI:
    """One fixed-length interval: centre ``estimate``, half-length, and the estimator weights."""

    estimate: float
    half_length: float
    sd: float
    max_bias: float
    weights: np.ndarray

    @property
    def lower(self) -> float:
        """Lower end."""
        return self.estimate - self.half_length

    @property
    def upper(self) -> float:
        """Upper end."""
        return self.estimate + self.half_length


def folded_normal_quantile(t: float, alpha: float) -> float:
    """``1 - alpha`` quantile of ``|N(t, 1)|`` (Armstrong & Kolesar's ``cv_alpha(t)``).

    >>> round(folded_normal_quantile(0.0, 0.05), 6)
    1.959964
    """
    t = abs(float(t))
    if t == 0.0:
        return float(stats.norm.isf(alpha / 2))
    # Newton from the right (the coverage is concave in c there), bracketed fallback.
    c = t + float(stats.norm.isf(alpha / 2))
    for _ in range(50):
        gap = special.ndtr(c - t) - special.ndtr(-c - t) - (1 - alpha)
        slope = _pdf(c - t) + _pdf(c + t)
        step = gap / slope
        c -= step
        if abs(step) < 1e-13 * max(1.0, c):
            return float(c)

    def coverage(c: float) -> float:
        return stats.norm.cdf(c - t) - stats.norm.cdf(-c - t) - (1 - alpha)

    upper = t + stats.norm.isf(alpha / 2) + 1.0
    return float(optimize.brentq(coverage, t, upper, xtol=1e-14, rtol=1e-14))


def _pdf(x: float) -> float:
    return float(np.exp(-0.5 * x * x) / np.sqrt(2 * np.pi))


def _cv_slope(c: float, t: float) -> float:
    """``d cv_alpha / d t`` by implicit differentiation of the coverage equation."""
    lo, hi = _pdf(c - t), _pdf(c + t)
    return float((lo - hi) / (lo + hi))


def _trend_and_kernel(n_pre: int, n_post: int) -> tuple[np.ndarray, np.ndarray]:
    """``delta_nonref = p * s + K d``: event times ``p`` and the second-difference kernel ``K``."""
    n = n_pre + n_post + 1  # positions -n_pre..n_post, reference at index n_pre
    ref = n_pre
    rows = np.zeros((n, n))
    for j in range(n - 2):  # second difference centred at position j + 1
        rows[j, j : j + 3] = (1.0, -2.0, 1.0)
    rows[n - 2, ref] = 1.0  # delta_0 = 0
    rows[n - 1, ref : ref + 2] = (-1.0, 1.0)  # slope at the reference period (n_post >= 1)
    inverse = np.linalg.inv(rows)
    keep = [i for i in range(n) if i != ref]
    kernel = inverse[np.ix_(keep, range(n - 2))]
    trend = np.arange(-n_pre, n_post + 1, dtype=float)[keep]
    return trend, kernel


def optimal_flci(
    betahat: np.ndarray,
    sigma: np.ndarray,
    n_pre: int,
    n_post: int,
    l_vec: np.ndarray,
    m: float,
    alpha: float = 0.05,
) -> FLCI:
    """The shortest affine fixed-length interval for ``l'tau_post`` under ``Delta^SD(m)``."""
    betahat = np.asarray(betahat, dtype=float)
    sigma = np.asarray(sigma, dtype=float)
    l_vec = np.asarray(l_vec, dtype=float)
    # Work in units of the coefficients' typical sd, so the optimiser's tolerances are
    # scale-free (outcomes in shares or in points give the same interval, rescaled).
    unit = float(np.sqrt(np.mean(np.diag(sigma))))
    if not unit > 0:
        raise ValueError("the covariance of the event-study coefficients is zero")
    betahat, sigma, m = betahat / unit, sigma / unit**2, m / unit
    trend, kernel = _trend_and_kernel(n_pre, n_post)
    k_pre, k_post = kernel[:n_pre], kernel[n_pre:]
    p_pre, p_post = trend[:n_pre], trend[n_pre:]
    s_pp, s_pq, s_qq = sigma[:n_pre, :n_pre], sigma[:n_pre, n_pre:], sigma[n_pre:, n_pre:]
    target = -float(p_post @ l_vec)  # constraint p_pre'w = target

    # M = 0 start: minimum variance subject to the linear-trend constraint (closed form KKT).
    kkt = np.block([[2 * s_pp, p_pre[:, None]], [p_pre[None, :], np.zeros((1, 1))]])
    rhs = np.concatenate([-2 * s_pq @ l_vec, [target]])
    w0 = np.linalg.lstsq(kkt, rhs, rcond=None)[0][:n_pre]

    def sd_of(w: np.ndarray) -> float:
        var = w @ s_pp @ w + 2 * w @ s_pq @ l_vec + l_vec @ s_qq @ l_vec
        return float(np.sqrt(max(var, 1e-300)))

    def bias_terms(w: np.ndarray) -> np.ndarray:
        return k_pre.T @ w + k_post.T @ l_vec

    if m > 0:

        def objective(x: np.ndarray) -> tuple[float, np.ndarray]:
            w, u = x[:n_pre], x[n_pre:]
            sd = sd_of(w)
            t = m * u.sum() / sd
            cv = folded_normal_quantile(t, alpha)
            slope = _cv_slope(cv, t)
            d_sd = (s_pp @ w + s_pq @ l_vec) / sd
            grad = np.concatenate([(cv - t * slope) * d_sd, np.full(len(u), m * slope)])
            return sd * cv, grad

        constraints = [
            {"type": "eq", "fun": lambda x: np.array([p_pre @ x[:n_pre] - target])},
            {"type": "ineq", "fun": lambda x: x[n_pre:] - bias_terms(x[:n_pre])},
            {"type": "ineq", "fun": lambda x: x[n_pre:] + bias_terms(x[:n_pre])},
        ]
        best = None
        starts = [w0]  # the problem is convex: one start suffices
        for start in starts:
            x0 = np.concatenate([start, np.abs(bias_terms(start)) + 1e-12])
            fit = optimize.minimize(
                objective,
                x0,
                jac=True,
                method="SLSQP",
                constraints=constraints,
                options={"maxiter": 500, "ftol": 1e-13},
            )
            w = fit.x[:n_pre]
            # Re-project onto the trend constraint and score with the exact l1 bias.
            w = w + (target - p_pre @ w) * p_pre / (p_pre @ p_pre)
            value = sd_of(w) * folded_normal_quantile(
                m * np.abs(bias_terms(w)).sum() / sd_of(w), alpha
            )
            if best is None or value < best[0]:
                best = (value, w)
        assert best is not None
        w = best[1]
    else:
        w = w0
    sd = sd_of(w)
    max_bias = float(m * np.abs(bias_terms(w)).sum())
    half = sd * folded_normal_quantile(max_bias / sd, alpha)
    weights = np.concatenate([w, l_vec])
    return FLCI(
        estimate=float(weights @ betahat) * unit,
        half_length=float(half) * unit,
        sd=sd * unit,
        max_bias=max_bias * unit,
        weights=weights,
    )
