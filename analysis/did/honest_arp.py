"""Andrews, Roth & Pakes (ARP) conditional and hybrid tests for polyhedral restrictions.

Rambachan & Roth (2023, *Review of Economic Studies* 90(5), Section 3) test
``H0: l'tau_post = theta, delta in Delta`` for ``Delta = {delta : A delta <= d}`` with the
moment-inequality tests of Andrews, Roth & Pakes (2023, "Inference for linear conditional
moment inequalities", *Review of Economic Studies*), and invert the test over a grid of
``theta``. This module is our own implementation of that test.

Moments
    ``beta = delta + (0, tau_post)``. With an invertible ``Gamma`` whose first row is ``l'``,
    ``tau_post = Gamma^{-1} (theta, eta)`` and ``A_post Gamma^{-1} = [a_1 | X]``, so ``H0`` is
    ``E[Y - a_1 theta - X eta] <= 0`` for some nuisance ``eta``, with ``Y = A beta_hat - d``,
    ``Var(Y) = A Sigma A'``. As in the R package, only the rows of ``A`` that involve post
    periods enter the test ("post-period moments only").
Statistic
    ``eta_hat = min_{eta, t} t  s.t.  y - X eta <= t * sd(y)``; by duality
    ``eta_hat = max_gamma gamma'y`` over the polytope ``gamma >= 0, X'gamma = 0,
    sd(y)'gamma = 1``. We enumerate the polytope's vertices when there are few (exact and
    vectorised over the grid), and otherwise solve the dual with HiGHS (dual simplex).
Conditional test
    With ``gamma*`` the maximising vertex, ``y = S + b (gamma*'y)`` with
    ``b = Sigma_y gamma* / gamma*'Sigma_y gamma*`` and ``S`` independent of ``gamma*'y``.
    Given ``S``, ``gamma*`` stays optimal for ``gamma*'y`` in ``[v_lo, v_up]``; the test
    rejects when ``eta_hat / sigma_B`` exceeds the ``1 - alpha`` quantile of a standard normal
    truncated to ``[v_lo, v_up] / sigma_B`` (and at least 0), ``sigma_B^2 = gamma*'Sigma_y
    gamma*``.
Hybrid (conditional-least-favourable, "C-LF")
    First a least-favourable test at size ``kappa = alpha / 10``: reject if ``eta_hat`` is
    above the ``1 - kappa`` quantile of ``eta`` under ``y ~ N(0, Sigma_y)``; otherwise the
    conditional test at size ``(alpha - kappa) / (1 - kappa)`` with ``v_up`` capped at that
    quantile. The quantile is simulated (seed 0) from 20,000 draws where the vertices are
    enumerated (R uses 1,000, whose noise moves a set's end by one grid step from seed to
    seed; with 20,000 the R README's Medicaid sets are reproduced for every seed tried) and
    from R's 1,000 where each draw needs an LP.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy import optimize, stats

MAX_VERTEX_SUBSETS = 60_000  # n_post <= 9 under Delta^RM; larger problems use the dual LP
LF_SIMULATIONS = 20_000  # vertex enumeration: vectorised, cheap
LF_SIMULATIONS_LP = 1_000  # one LP per draw, R's number of draws
LF_SEED = 0


@dataclass(frozen=True)
class MomentProblem:
    """``E[y(theta) - X eta] <= 0`` with ``y(theta) = y0 - a1 theta`` and ``Var(y) = sigma_y``."""

    y0: np.ndarray
    a1: np.ndarray
    x: np.ndarray
    sigma_y: np.ndarray

    @property
    def sd(self) -> np.ndarray:
        """Standard deviations of the moments."""
        return np.sqrt(np.clip(np.diag(self.sigma_y), 0.0, None))


def moment_problem(
    betahat: np.ndarray,
    sigma: np.ndarray,
    a: np.ndarray,
    d: np.ndarray,
    n_pre: int,
    l_vec: np.ndarray,
    post_moments_only: bool = True,
) -> MomentProblem:
    """The ARP moments for ``Delta = {A delta <= d}`` and the parameter ``l'tau_post``."""
    l_vec = np.asarray(l_vec, dtype=float)
    n_post = len(l_vec)
    pivot = int(np.argmax(np.abs(l_vec)))
    gamma = np.zeros((n_post, n_post))
    gamma[0] = l_vec
    others = [j for j in range(n_post) if j != pivot]
    for row, j in enumerate(others, start=1):
        gamma[row, j] = 1.0
    a_post_gamma_inv = a[:, n_pre:] @ np.linalg.inv(gamma)
    rows = np.arange(a.shape[0])
    if post_moments_only:
        rows = np.flatnonzero(np.abs(a[:, n_pre:]).sum(axis=1) > 0)
    y0 = a @ betahat - d
    sigma_y = a @ sigma @ a.T
    return MomentProblem(
        y0=y0[rows],
        a1=a_post_gamma_inv[rows, 0],
        x=a_post_gamma_inv[np.ix_(rows, range(1, n_post))],
        sigma_y=sigma_y[np.ix_(rows, rows)],
    )


class DualPolytope:
    """``{gamma >= 0, X'gamma = 0, sd'gamma = 1}`` and ``max_gamma gamma'y`` over it."""

    def __init__(self, x: np.ndarray, sd: np.ndarray) -> None:
        self.sd = sd
        m = len(sd)
        if x.size:
            u, s, _ = np.linalg.svd(x, full_matrices=False)
            x = u[:, s > 1e-10 * max(s.max(), 1.0)]
        else:
            x = np.zeros((m, 0))
        self.x = x
        self.w = np.column_stack([sd, x])
        self.k1 = self.w.shape[1]
        self.vertices: np.ndarray | None = None
        self.infeasible = False
        n_subsets = _n_choose_k(m, self.k1)
        if n_subsets <= MAX_VERTEX_SUBSETS:
            self.vertices = self._enumerate()
            self.infeasible = len(self.vertices) == 0

    def _enumerate(self) -> np.ndarray:
        # Basic feasible solutions of W'gamma = e1, gamma >= 0, for every (k+1)-row basis at
        # once. The sd column is rescaled to unit maximum (X is orthonormal already) so the
        # singularity test is scale-free.
        m = len(self.sd)
        scale = float(self.sd.max()) if self.sd.size and self.sd.max() > 0 else 1.0
        w = self.w.copy()
        w[:, 0] /= scale
        subsets = np.array(list(itertools.combinations(range(m), self.k1)), dtype=int)
        if subsets.size == 0:
            return np.zeros((0, m))
        blocks = w[subsets]  # (n_subsets, k+1, k+1)
        singular = np.linalg.svd(blocks, compute_uv=False)
        regular = singular[:, -1] > 1e-10 * singular[:, 0]
        subsets, blocks = subsets[regular], blocks[regular]
        if not len(subsets):
            return np.zeros((0, m))
        e1 = np.zeros((len(blocks), self.k1, 1))
        e1[:, 0, 0] = 1.0
        g = np.linalg.solve(np.transpose(blocks, (0, 2, 1)), e1)[:, :, 0]
        feasible = np.all(g >= -1e-10 * np.abs(g).max(axis=1, keepdims=True), axis=1)
        subsets, g = subsets[feasible], np.clip(g[feasible], 0.0, None)
        full = np.zeros((len(g), m))
        np.put_along_axis(full, subsets, g, axis=1)
        # Degenerate vertices arise from several bases: keep one copy of each (gamma is
        # dimensionless after the rescaling, so rounding to 1e-9 is scale-free).
        _, keep = np.unique(np.round(full, 9), axis=0, return_index=True)
        return full[np.sort(keep)] / scale

    def maximise(self, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Values and maximising vertices for each row of ``y`` (``-inf`` if infeasible)."""
        y = np.atleast_2d(y)
        if self.vertices is not None:
            if self.infeasible:
                return np.full(len(y), -np.inf), np.zeros_like(y)
            values = y @ self.vertices.T
            best = np.argmax(values, axis=1)
            return values[np.arange(len(y)), best], self.vertices[best]
        out_v, out_g = np.empty(len(y)), np.zeros_like(y)
        e1 = np.zeros(self.k1)
        e1[0] = 1.0
        for i, row in enumerate(y):
            fit = optimize.linprog(
                -row, A_eq=self.w.T, b_eq=e1, bounds=(0, None), method="highs-ds"
            )
            if fit.status == 2:
                out_v[i] = -np.inf
            elif fit.status != 0:
                out_v[i] = np.nan
            else:
                out_v[i], out_g[i] = -fit.fun, fit.x
        return out_v, out_g


def _n_choose_k(n: int, k: int) -> int:
    from math import comb

    return comb(n, k) if 0 <= k <= n else 0


def _truncation(
    polytope: DualPolytope, s_vec: np.ndarray, b_vec: np.ndarray, eta: float
) -> tuple[float, float]:
    """``[v_lo, v_up]``: the values of ``gamma*'y`` for which ``gamma*`` stays optimal."""
    if polytope.vertices is not None:
        num = polytope.vertices @ s_vec
        den = 1.0 - polytope.vertices @ b_vec
        lo_mask, up_mask = den > 1e-10, den < -1e-10
        v_lo = float(np.max(num[lo_mask] / den[lo_mask])) if lo_mask.any() else -np.inf
        v_up = float(np.min(num[up_mask] / den[up_mask])) if up_mask.any() else np.inf
        return min(v_lo, eta), max(v_up, eta)
    # Large problems: the Newton-type iteration on the convex piecewise-linear
    # g(c) = max_gamma gamma'(S + b c), which equals c exactly on [v_lo, v_up].
    bounds = []
    for direction in (1.0, -1.0):
        c = eta + direction * max(100.0, 20.0 * abs(eta) + 100.0)
        value, g = polytope.maximise(s_vec + b_vec * c)
        if value[0] <= c + 1e-8 * max(1.0, abs(c)):
            bounds.append(direction * np.inf)
            continue
        for _ in range(200):
            gb = float(g[0] @ b_vec)
            if abs(1.0 - gb) < 1e-12:
                break
            c_new = float(g[0] @ s_vec) / (1.0 - gb)
            value, g = polytope.maximise(s_vec + b_vec * c_new)
            if abs(c_new - c) <= 1e-10 * max(1.0, abs(c)):
                c = c_new
                break
            c = c_new
        bounds.append(c)
    return min(bounds[1], eta), max(bounds[0], eta)


def truncated_normal_quantile(p: float, lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """``p`` quantile of a standard normal truncated to ``[lower, upper]`` (vectorised)."""
    lower = np.asarray(lower, dtype=float)
    upper = np.asarray(upper, dtype=float)
    q = np.asarray(stats.truncnorm.ppf(p, lower, np.maximum(upper, lower)), dtype=float)
    bad = ~np.isfinite(q)
    if bad.any():
        # Far in the upper tail the truncated normal is close to lower + Exp(rate = lower).
        q = np.where(bad, lower - np.log1p(-p) / np.maximum(np.abs(lower), 1e-12), q)
    return np.where(upper <= lower, lower, q)


@lru_cache(maxsize=8)
def _standard_normals(sims: int, dim: int) -> np.ndarray:
    draws = np.random.default_rng(LF_SEED).standard_normal((sims, dim))
    draws.setflags(write=False)
    return draws


def _root(sigma: np.ndarray) -> np.ndarray:
    """A square root ``R`` with ``R R' = sigma`` (eigen-decomposition; sigma may be singular)."""
    values, vectors = np.linalg.eigh((sigma + sigma.T) / 2)
    return vectors * np.sqrt(np.clip(values, 0.0, None))


def least_favourable_cv(
    problem: MomentProblem,
    kappa: float,
    sims: int | None = None,
    polytope: DualPolytope | None = None,
) -> float:
    """``1 - kappa`` quantile of ``eta`` when ``y ~ N(0, Sigma_y)`` (fixed seed)."""
    polytope = DualPolytope(problem.x, problem.sd) if polytope is None else polytope
    if sims is None:
        sims = LF_SIMULATIONS if polytope.vertices is not None else LF_SIMULATIONS_LP
    normals = _standard_normals(sims, len(problem.sd))
    root = _root(problem.sigma_y)
    if polytope.vertices is not None:
        if polytope.infeasible:
            return np.inf
        values = np.max(normals @ (root.T @ polytope.vertices.T), axis=1)
    else:
        values, _ = polytope.maximise(normals @ root.T)
        values = values[np.isfinite(values)]
    return float(np.quantile(values, 1 - kappa)) if values.size else np.inf


def arp_accept(
    problem: MomentProblem,
    thetas: np.ndarray,
    alpha: float = 0.05,
    hybrid: bool = True,
    kappa: float | None = None,
) -> np.ndarray:
    """Whether the (hybrid) conditional test accepts ``l'tau_post = theta`` for each theta."""
    thetas = np.atleast_1d(np.asarray(thetas, dtype=float))
    polytope = DualPolytope(problem.x, problem.sd)
    if polytope.infeasible:
        return np.ones(len(thetas), dtype=bool)  # eta_hat = -inf: nothing to reject
    kappa = alpha / 10 if kappa is None else kappa
    lf_cv = least_favourable_cv(problem, kappa, polytope=polytope) if hybrid else np.inf
    size = (alpha - kappa) / (1 - kappa) if hybrid else alpha
    ys = problem.y0[None, :] - np.outer(thetas, problem.a1)
    etas, gammas = polytope.maximise(ys)
    var_b = np.einsum("ti,ij,tj->t", gammas, problem.sigma_y, gammas)
    safe_var = np.where(var_b > 1e-20, var_b, 1.0)
    b_mat = (gammas @ problem.sigma_y) / safe_var[:, None]
    s_mat = ys - b_mat * etas[:, None]
    if polytope.vertices is not None:
        num = s_mat @ polytope.vertices.T
        den = 1.0 - b_mat @ polytope.vertices.T
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = num / den
        v_lo = np.max(np.where(den > 1e-10, ratio, -np.inf), axis=1, initial=-np.inf)
        v_up = np.min(np.where(den < -1e-10, ratio, np.inf), axis=1, initial=np.inf)
    else:
        ends = [
            _truncation(polytope, s_mat[i], b_mat[i], etas[i]) if np.isfinite(etas[i]) else (0, 0)
            for i in range(len(thetas))
        ]
        v_lo = np.array([e[0] for e in ends])
        v_up = np.array([e[1] for e in ends])
    v_lo = np.minimum(v_lo, etas)
    v_up = np.maximum(v_up, etas)
    sigma_b = np.sqrt(safe_var)
    z_lo, z_up = v_lo / sigma_b, np.minimum(v_up, lf_cv) / sigma_b
    stat = etas / sigma_b
    inside = (z_lo <= stat) & (stat <= z_up)
    cv = np.full(len(thetas), np.inf)
    if inside.any():
        cv[inside] = np.maximum(
            0.0, truncated_normal_quantile(1 - size, z_lo[inside], z_up[inside])
        )
    reject = inside & (stat > cv)
    reject |= np.isfinite(etas) & (etas > lf_cv)
    degenerate = np.isfinite(etas) & (var_b <= 1e-20)
    reject = np.where(degenerate, etas > 0, reject)
    # LP failures (nan) and an unbounded primal (-inf) never reject.
    reject &= np.isfinite(etas)
    return ~reject


# --- restrictions as polyhedra ---------------------------------------------------------------


def first_difference_matrix(n_pre: int, n_post: int) -> np.ndarray:
    """Rows ``delta_{t+1} - delta_t`` over positions ``-n_pre..n_post`` (reference column kept)."""
    n = n_pre + n_post + 1
    out = np.zeros((n - 1, n))
    for r in range(n - 1):
        out[r, r : r + 2] = (-1.0, 1.0)
    return out


def rm_polyhedron(
    n_pre: int, n_post: int, mbar: float, s: int, positive: bool
) -> tuple[np.ndarray, np.ndarray]:
    """``Delta^RM_{s,+/-}(Mbar)``: every first difference bounded by the one ending at ``s``.

    ``s`` in ``-(n_pre - 1)..0`` names the pre-period transition ``delta_s - delta_{s-1}``
    assumed largest (and of the given sign); pre-period differences are bounded by it and
    post-period ones by ``Mbar`` times it. The reference column is dropped.
    """
    diffs = first_difference_matrix(n_pre, n_post)
    ref = n_pre
    chosen = diffs[ref + s - 1] * (1.0 if positive else -1.0)
    bound = np.vstack([np.tile(chosen, (n_pre, 1)), np.tile(mbar * chosen, (n_post, 1))])
    a = np.vstack([diffs - bound, -diffs - bound])
    a = a[np.einsum("ij,ij->i", a, a) > 1e-20]
    a = np.delete(a, ref, axis=1)
    return a, np.zeros(len(a))


def sd_polyhedron(n_pre: int, n_post: int, m: float) -> tuple[np.ndarray, np.ndarray]:
    """``Delta^SD(M)``: every second difference (reference included) in ``[-M, M]``."""
    n = n_pre + n_post + 1
    second = np.zeros((n - 2, n))
    for r in range(n - 2):
        second[r, r : r + 3] = (1.0, -2.0, 1.0)
    second = np.delete(second, n_pre, axis=1)
    a = np.vstack([second, -second])
    return a, np.full(len(a), float(m))


def rm_pieces(n_pre: int) -> list[tuple[int, bool]]:
    """The ``(s, sign)`` pieces whose union is ``Delta^RM``."""
    return [(s, sign) for s in range(-(n_pre - 1), 1) for sign in (True, False)]


def rm_identified_set(
    betahat: np.ndarray, n_pre: int, l_vec: np.ndarray, mbar: float
) -> tuple[float, float]:
    """Identified set under ``Delta^RM(Mbar)`` in closed form.

    With ``beta_pre`` known, the largest pre-period change ``m*`` is known; post-period
    changes ``e_j`` (``|e_j| <= Mbar m*``) give ``l'delta_post = sum_j e_j L_j`` with
    ``L_j = sum_{t >= j} l_t``, so the bias ranges over ``-/+ Mbar m* sum_j |L_j|``.
    """
    pre = np.concatenate([betahat[:n_pre], [0.0]])
    largest = float(np.max(np.abs(np.diff(pre))))
    tail_sums = np.cumsum(np.asarray(l_vec, dtype=float)[::-1])[::-1]
    half = mbar * largest * float(np.abs(tail_sums).sum())
    centre = float(np.asarray(l_vec) @ betahat[n_pre:])
    return centre - half, centre + half


def identified_set(
    betahat: np.ndarray,
    n_pre: int,
    l_vec: np.ndarray,
    polyhedra: list[tuple[np.ndarray, np.ndarray]],
) -> tuple[float, float]:
    """Bounds on ``l'tau_post`` if ``beta`` were known: the union over the polyhedra."""
    n_post = len(l_vec)
    n = n_pre + n_post
    objective = np.concatenate([np.zeros(n_pre), l_vec])
    a_eq = np.hstack([np.eye(n_pre), np.zeros((n_pre, n_post))])
    centre = float(l_vec @ betahat[n_pre:])
    # The constraints are homogeneous in (delta, d): solve in scaled units so that HiGHS's
    # absolute tolerances (1e-7) do not depend on the unit of the outcome.
    unit = max([float(np.abs(betahat).max())] + [float(np.abs(d).max()) for _, d in polyhedra])
    unit = unit if unit > 0 else 1.0
    lows, highs = [], []
    for a, d in polyhedra:
        ends = []
        for sign in (1.0, -1.0):
            fit = optimize.linprog(
                sign * objective,
                A_ub=a,
                b_ub=d / unit,
                A_eq=a_eq,
                b_eq=betahat[:n_pre] / unit,
                bounds=[(None, None)] * n,
                method="highs",
            )
            if fit.status == 3:  # unbounded: no finite identified set
                return -np.inf, np.inf
            ends.append(sign * fit.fun * unit if fit.status == 0 else np.nan)
        if np.all(np.isfinite(ends)):
            low_bias, high_bias = ends
            lows.append(centre - high_bias)
            highs.append(centre - low_bias)
    if not lows:
        return np.nan, np.nan
    return float(min(lows)), float(max(highs))
