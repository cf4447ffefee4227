"""Inference that stays valid with few treated units: the rule, and the methods it chooses.

The rule
--------
Cluster-robust (CR1) standard errors and the wild cluster bootstrap rest on many treated
*and* many control clusters. With few treated clusters CR1 t-tests over-reject severely,
whatever the total number of clusters, because the treated clusters' own residuals are
fitted almost to zero (Conley & Taber 2011, *REStat* 93(1); MacKinnon & Webb 2017, *J.
Applied Econometrics* 32(2): 233-254, sections 3-5); the restricted wild cluster bootstrap
then under-rejects and the unrestricted one over-rejects (MacKinnon & Webb 2018, *The
Econometrics Journal* 21(2): 114-135, "The wild bootstrap for few (treated) clusters"), and
synthetic-control style designs with one treated unit have the same problem (Ferman & Pinto
2019, *REStat* 101(3): 452-467). Those papers give no single cut-off; their simulations show
the failure is severe for one to a few treated clusters and fades as the number grows towards
ten. The toolkit therefore calls a design **few-treated** when fewer than
:data:`FEW_CLUSTERS` = 10 clusters are treated, or fewer than 10 are controls, and then does
not present a CR1 interval (or a wild-bootstrap p-value) as valid.

The methods (``inference=``)
----------------------------
Every DiD estimator handled here (2x2, TWFE, the event study, Callaway-Sant'Anna) is linear
in the outcome on a balanced panel: ``estimate = sum_it C_it y_it`` for a weight matrix ``C``
(units x periods) whose rows sum to zero (unit effects cancel) and whose columns sum to zero
(time effects cancel). The methods work on ``C``:

``collapse``
    Unit-level aggregation (Donald & Lang 2007, *REStat* 89(2); Bertrand, Duflo &
    Mullainathan 2004, *QJE* 119(1), section IV.C). The error of the estimate is
    ``sum_i c_i' e_i``; if units' error vectors are independent draws with a common
    covariance ``S`` over periods (any serial correlation), its variance is
    ``sum_i c_i' S c_i``. ``S`` is estimated from the never-treated units' deviations from
    their cross-sectional mean, with N0 - 1 degrees of freedom, and the interval is
    ``estimate +/- t(N0 - 1) * se``. With one treated unit and one adoption date this is
    the textbook collapse: per unit, post mean minus pre mean; treated minus the controls'
    mean; SE the controls' standard deviation times sqrt(1 + 1/N0). It is exact under
    normal errors homoskedastic across units; with several adoption dates the t(N0 - 1)
    reference is an approximation.
``permutation``
    Randomisation inference: the adoption dates are reassigned across units (for one treated
    unit, to each of the N units in turn: exact), the estimator is recomputed, and the
    confidence set collects every constant effect ``tau`` the test does not reject at
    ``alpha`` (test inversion under the sharp null ``y(0) = y - tau * D``). The smallest
    attainable p-value is 1/N (exact) or 1/(B + 1) (B random draws); when it exceeds
    ``alpha`` the confidence set is the whole line, reported as an unbounded interval.
``conley-taber``
    Conley & Taber (2011): the distribution of the treated units' error term is estimated
    from the controls' residuals projected on the treated weights. It is asymptotic in the
    number of controls N0: with N0 controls the treated error lies inside the controls'
    range with probability (N0 - 1)/(N0 + 1) only, which bounds the interval's coverage
    (0.78 with 8 controls). The interval says so.
``cluster``
    The estimator's own cluster-robust interval (CR1 fixest convention for TWFE and the
    event study; the analytic influence-function SE for CS). Labelled as not valid when
    the design is few-treated.
``auto`` (default)
    ``cluster`` when the design is not few-treated; otherwise ``collapse`` (the exact-under-
    normality method above; ``permutation`` if fewer than two never-treated units exist).
    The choice and its reason go into the result's notes.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from itertools import combinations
from typing import Literal

import numpy as np

from analysis.did.panel import NEVER, Panel, PanelError
from analysis.estimates import Estimate, critical_value

Inference = Literal["auto", "cluster", "collapse", "permutation", "conley-taber"]
INFERENCE_METHODS: tuple[str, ...] = Inference.__args__  # type: ignore[attr-defined]
FEW_CLUSTERS = 10
RULE_CITATION = (
    "Conley & Taber 2011; MacKinnon & Webb 2017, 2018; Ferman & Pinto 2019: cluster-robust "
    f"and wild-bootstrap inference are unreliable with fewer than {FEW_CLUSTERS} treated "
    "(or control) clusters"
)
# Weight function: group codes (one per unit, -1 never) -> weight matrix (units x periods).
WeightFunction = Callable[[np.ndarray], np.ndarray]


def few_treated(panel: Panel) -> bool:
    """True when the panel has fewer than :data:`FEW_CLUSTERS` treated or control units."""
    n_treated = panel.n_treated
    return min(n_treated, panel.n_units - n_treated) < FEW_CLUSTERS


def rule_note(panel: Panel) -> str:
    """One sentence: how many treated and control clusters, and what the rule says."""
    k, n0 = panel.n_treated, panel.n_units - panel.n_treated
    verdict = "below" if few_treated(panel) else "at or above"
    return (
        f"{k} treated and {n0} control clusters: {verdict} the few-treated threshold "
        f"({FEW_CLUSTERS}; {RULE_CITATION})"
    )


def rule_note_zh(panel: Panel) -> str:
    """:func:`rule_note` in Chinese, for refusals shown under ``--lang zh``."""
    k, n0 = panel.n_treated, panel.n_units - panel.n_treated
    verdict = "低于" if few_treated(panel) else "达到或高于"
    return (
        f"{k} 个处理组聚类和 {n0} 个对照组聚类：{verdict}少处理组阈值（{FEW_CLUSTERS}；"
        "Conley & Taber 2011；MacKinnon & Webb 2017, 2018；Ferman & Pinto 2019：处理组"
        f"（或对照组）聚类少于 {FEW_CLUSTERS} 个时，聚类稳健推断和野聚类自助法推断不可靠）"
    )


def invalid_label(panel: Panel) -> str:
    """The prefix every cluster-robust method gets in a few-treated design."""
    return f"NOT VALID with {panel.n_treated} treated of {panel.n_units} clusters"


def choose(requested: Inference, panel: Panel) -> tuple[str, str]:
    """Resolve ``auto``; return (method, reason for the notes)."""
    if requested not in INFERENCE_METHODS:
        raise PanelError(
            f"inference={requested!r}: choose one of {', '.join(INFERENCE_METHODS)}",
            zh=f"inference={requested!r}：请从 {', '.join(INFERENCE_METHODS)} 中选择",
        )
    if requested != "auto":
        return requested, f"inference={requested!r} as requested; {rule_note(panel)}"
    if not few_treated(panel):
        return "cluster", f"inference 'auto' chose the cluster-robust interval: {rule_note(panel)}"
    if n_never(panel) >= 2:
        return "collapse", (
            f"inference 'auto' chose the unit-level collapse t-interval: {rule_note(panel)}"
        )
    return "permutation", (
        f"inference 'auto' chose randomisation inference (fewer than 2 never-treated units "
        f"for the collapse variance): {rule_note(panel)}"
    )


def n_never(panel: Panel) -> int:
    """Number of never-treated units."""
    return int((panel.group_code == NEVER).sum())


# --- weights of the linear estimators ------------------------------------------------------


def within(x: np.ndarray) -> np.ndarray:
    """Two-way demeaning of a balanced (units x periods) array."""
    return x - x.mean(axis=1, keepdims=True) - x.mean(axis=0, keepdims=True) + x.mean()


def treated_indicator(group_code: np.ndarray, n_periods: int) -> np.ndarray:
    """0/1 (units x periods): treated in that period (absorbing treatment)."""
    period = np.arange(n_periods)[None, :]
    return ((group_code[:, None] != NEVER) & (period >= group_code[:, None])).astype(float)


def twfe_weights(group_code: np.ndarray, n_periods: int) -> np.ndarray:
    """Weights of the TWFE coefficient on a balanced panel (Frisch-Waugh-Lovell)."""
    d = within(treated_indicator(group_code, n_periods))
    norm = float((d * d).sum())
    if norm <= 1e-12:
        raise PanelError(
            "the treatment indicator is absorbed by the unit and time effects",
            zh="处理指示变量被单位固定效应和时间固定效应吸收",
        )
    return d / norm


def regression_weights(regressors: list[np.ndarray]) -> list[np.ndarray]:
    """Weights of each coefficient of a two-way FE regression on several regressors."""
    tilde = np.stack([within(x).ravel() for x in regressors])  # k x NT
    gram = tilde @ tilde.T
    rows = np.linalg.solve(gram, tilde)
    shape = regressors[0].shape
    return [row.reshape(shape) for row in rows]


# --- the methods ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LinearEstimate:
    """An estimate written as ``sum(C * y)``, with what is needed to infer about it."""

    name: str
    weights: np.ndarray
    outcome: np.ndarray
    direction: np.ndarray | None = None  # where a constant effect enters (default: treated)

    @property
    def value(self) -> float:
        """The estimate."""
        return float((self.weights * self.outcome).sum())


def control_residuals(panel: Panel) -> np.ndarray:
    """Never-treated units' outcomes minus their cross-sectional mean (N0 x T)."""
    controls = panel.outcome[panel.group_code == NEVER]
    return controls - controls.mean(axis=0, keepdims=True)


def collapse_covariance(panel: Panel, weights: list[np.ndarray]) -> tuple[np.ndarray, int]:
    """Covariance of several linear estimates under the unit-level model, and its df.

    ``V_jk = sum_i c_ji' S c_ki`` with ``S = R'R / (N0 - 1)`` from :func:`control_residuals`.
    """
    residuals = control_residuals(panel)
    n0 = residuals.shape[0]
    if n0 < 2:
        raise PanelError(
            f"{n0} never-treated unit(s): the collapse variance needs at least 2; use "
            "inference='permutation'",
            zh=f"只有 {n0} 个从未处理的单位：折叠方差至少需要 2 个；请使用 inference='permutation'",
        )
    # projected[j] = R @ C_j' : (N0 x units) per estimate
    projected = np.stack([residuals @ w.T for w in weights])
    flat = projected.reshape(len(weights), -1)
    return flat @ flat.T / (n0 - 1), n0 - 1


def collapse_estimate(
    panel: Panel, est: LinearEstimate, *, alpha: float, common_adoption: bool
) -> Estimate:
    """The unit-level collapse t-interval (see the module docstring)."""
    cov, df = collapse_covariance(panel, [est.weights])
    se = float(math.sqrt(max(cov[0, 0], 0.0)))
    exactness = (
        "exact under normal errors homoskedastic across units, any serial correlation"
        if common_adoption and panel.n_treated == 1
        else "t reference approximate (several treated units or adoption dates)"
    )
    method = (
        f"unit-level collapse t({df}) interval (Donald & Lang 2007; Bertrand, Duflo & "
        f"Mullainathan 2004): variance from {df + 1} never-treated units' dispersion, "
        f"{panel.n_treated} treated unit(s); {exactness}"
    )
    return Estimate.from_se(est.name, est.value, se, method=method, alpha=alpha, df=df)


def _assignments(group_code: np.ndarray, *, draws: int, seed: int) -> tuple[list[np.ndarray], bool]:
    """Placebo adoption vectors: all distinct ones when few enough, else random draws."""
    n = group_code.size
    treated = np.flatnonzero(group_code != NEVER)
    if treated.size == 1:
        out = []
        for j in range(n):
            g = np.full(n, NEVER)
            g[j] = group_code[treated[0]]
            out.append(g)
        return out, True
    if math.comb(n, treated.size) <= draws and np.unique(group_code[treated]).size == 1:
        out = []
        for chosen in combinations(range(n), treated.size):
            g = np.full(n, NEVER)
            g[list(chosen)] = group_code[treated[0]]
            out.append(g)
        return out, True
    rng = np.random.default_rng(seed)
    return [rng.permutation(group_code) for _ in range(draws)], False


def permutation_estimate(
    panel: Panel,
    est: LinearEstimate,
    weight_function: WeightFunction,
    *,
    alpha: float,
    draws: int = 999,
    seed: int = 0,
) -> Estimate:
    """Randomisation p-value of ``tau = 0`` and the confidence set by test inversion.

    Under the sharp null of a constant effect ``tau``, ``y(0) = y - tau * D``; for a placebo
    assignment ``g`` the statistic is ``A_g - tau * B_g`` with ``A_g = sum(C_g * y)`` and
    ``B_g = sum(C_g * D)``. The p-value at ``tau`` counts assignments at least as extreme
    (absolute value) as the actual one.
    """
    d = (
        est.direction
        if est.direction is not None
        else treated_indicator(panel.group_code, panel.n_periods)
    )
    assignments, exact = _assignments(panel.group_code, draws=draws, seed=seed)
    a_list, b_list = [], []
    for g in assignments:
        if np.array_equal(g, panel.group_code) and exact:
            continue
        try:
            w = weight_function(g)
        except (PanelError, np.linalg.LinAlgError):
            continue  # e.g. a placebo cohort whose indicator the effects absorb
        a_list.append(float((w * panel.outcome).sum()))
        b_list.append(float((w * d).sum()))
    a, b = np.array(a_list), np.array(b_list)
    a0, b0 = est.value, float((est.weights * d).sum())
    scheme = (
        f"exact over {a.size + 1} assignments"
        if exact
        else f"{a.size} random reassignments, seed {seed}"
    )
    p0, lower, upper, method = inversion(a0, b0, a, b, alpha=alpha, scheme=scheme)
    return Estimate(
        name=est.name,
        estimate=est.value,
        ci_lower=lower,
        ci_upper=upper,
        p_value=p0,
        interval_method=method,
        alpha=alpha,
    )


def inversion(
    a0: float, b0: float, a: np.ndarray, b: np.ndarray, *, alpha: float, scheme: str
) -> tuple[float, float, float, str]:
    """p-value at 0 and the confidence set of a randomisation test, by test inversion.

    The statistic at a hypothesised constant effect ``tau`` is ``a0 - tau * b0`` for the
    actual assignment and ``a - tau * b`` for the placebo ones; the p-value counts the
    actual one itself. Returns (p at tau = 0, lower, upper, interval_method text).
    """
    total = a.size + 1

    def p_at(tau: float) -> float:
        return (1 + int(np.sum(np.abs(a - tau * b) >= abs(a0 - tau * b0) - 1e-12))) / total

    smallest = 1 / total
    if smallest > alpha:
        lower, upper = -math.inf, math.inf
        set_note = (
            f"confidence set unbounded: smallest attainable p = 1/{total} = {smallest:.3g} "
            f"> alpha = {alpha:g}"
        )
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            roots = np.concatenate([(a - a0) / (b - b0), (a + a0) / (b + b0)])
        roots = np.unique(roots[np.isfinite(roots)])
        spread = float(np.max(np.abs(roots))) if roots.size else 1.0
        far = 1e6 * max(spread, abs(a0), 1.0)
        middles = (roots[:-1] + roots[1:]) / 2 if roots.size > 1 else np.array([])
        points = np.sort(np.concatenate([[-far], middles, roots, [far]]))
        lower, upper = _hull(points, a0, b0, a, b, alpha * total)
        set_note = "confidence set by test inversion (hull of the accepted constant effects)"
        if math.isinf(lower) or math.isinf(upper):
            set_note += "; unbounded"
    method = (
        f"randomisation inference, {scheme}; smallest attainable p = {smallest:.3g}; {set_note}"
    )
    return p_at(0.0), lower, upper, method


def _accepted(points: np.ndarray, a0: float, b0: float, a, b, needed: float) -> np.ndarray:
    """Whether each point's count of at-least-as-extreme placebos (+1) exceeds ``needed``."""
    actual = np.abs(a0 - points * b0)[:, None]
    count = 1 + (np.abs(a[None, :] - points[:, None] * b[None, :]) >= actual - 1e-12).sum(axis=1)
    return count > needed + 1e-9


def _hull(points, a0, b0, a, b, needed, chunk: int = 256) -> tuple[float, float]:
    """Smallest and largest accepted point, scanning in from both ends (inf at the ends)."""
    chunk = max(1, min(chunk, 4_000_000 // max(a.size, 1)))
    lower = upper = math.nan
    for start in range(0, points.size, chunk):
        block = points[start : start + chunk]
        hit = _accepted(block, a0, b0, a, b, needed)
        if hit.any():
            first = int(np.argmax(hit))
            lower = -math.inf if start + first == 0 else float(block[first])
            break
    if math.isnan(lower):
        return lower, upper
    for stop in range(points.size, 0, -chunk):
        block = points[max(0, stop - chunk) : stop]
        hit = _accepted(block, a0, b0, a, b, needed)
        if hit.any():
            last = int(np.flatnonzero(hit)[-1])
            upper = math.inf if stop - block.size + last == points.size - 1 else float(block[last])
            break
    return lower, upper


def conley_taber_estimate(
    panel: Panel, est: LinearEstimate, *, alpha: float, draws: int = 999, seed: int = 0
) -> Estimate:
    """Conley & Taber (2011) interval from the controls' residual distribution."""
    residuals = control_residuals(panel)
    n0 = residuals.shape[0]
    treated = np.flatnonzero(panel.ever_treated)
    if n0 < 2 or treated.size == 0:
        raise PanelError(
            "Conley-Taber needs treated units and at least 2 never-treated units",
            zh="Conley-Taber 推断需要处理组单位和至少 2 个从未处理的单位",
        )
    # Each treated unit's weights applied to each control's residual path.
    projected = residuals @ est.weights[treated].T  # N0 x k
    k = treated.size
    if k == 1:
        null = projected[:, 0]
    else:
        rng = np.random.default_rng(seed)
        picks = np.stack([rng.choice(n0, size=k, replace=k > n0) for _ in range(draws)])
        null = projected[picks, np.arange(k)[None, :]].sum(axis=1)
    low_q, high_q = np.quantile(null, [alpha / 2, 1 - alpha / 2])
    value = est.value
    lower, upper = value - float(high_q), value - float(low_q)
    bound = (n0 - 1) / (n0 + 1)
    p = (1 + int(np.sum(np.abs(null) >= abs(value) - 1e-12))) / (null.size + 1)
    method = (
        f"Conley-Taber (2011) interval from {n0} control residuals; asymptotic in the number "
        f"of controls: with {n0} controls the treated error lies within the controls' range "
        f"with probability {n0 - 1}/{n0 + 1} = {bound:.2f}, which bounds its coverage"
    )
    if bound < 1 - alpha:
        method = f"NOT VALID at {100 * (1 - alpha):g}% with {n0} controls: " + method
    return Estimate(
        name=est.name,
        estimate=value,
        ci_lower=lower,
        ci_upper=upper,
        p_value=p,
        interval_method=method,
        alpha=alpha,
    )


def label_cluster(panel: Panel, estimate: Estimate) -> Estimate:
    """A cluster-robust estimate, its method prefixed NOT VALID in a few-treated design."""
    if not few_treated(panel) or estimate.interval_method.startswith("NOT VALID"):
        return estimate
    return replace(estimate, interval_method=f"{invalid_label(panel)}: {estimate.interval_method}")


def infer(
    method: str,
    panel: Panel,
    est: LinearEstimate,
    cluster: Estimate,
    weight_function: WeightFunction,
    *,
    alpha: float,
    common_adoption: bool,
    draws: int = 999,
    seed: int = 0,
) -> Estimate:
    """The headline estimate under ``method`` (already resolved by :func:`choose`)."""
    if method == "cluster":
        return label_cluster(panel, cluster)
    if method == "collapse":
        return collapse_estimate(panel, est, alpha=alpha, common_adoption=common_adoption)
    if method == "permutation":
        return permutation_estimate(
            panel, est, weight_function, alpha=alpha, draws=draws, seed=seed
        )
    if method == "conley-taber":
        return conley_taber_estimate(panel, est, alpha=alpha, draws=draws, seed=seed)
    raise PanelError(
        f"inference={method!r}: choose one of {', '.join(INFERENCE_METHODS)}",
        zh=f"inference={method!r}：请从 {', '.join(INFERENCE_METHODS)} 中选择",
    )


def two_sample_estimate(
    name: str, per_unit: np.ndarray, treated: np.ndarray, what: str, *, alpha: float
) -> Estimate:
    """Treated minus comparison mean of a per-unit contrast, with its two-sample normal SE.

    The "cluster" estimate of the common-adoption estimators (2 x 2, trend-adjusted): with one
    unit on a side there is no variance to estimate, so no SE is reported.
    """
    value = float(per_unit[treated].mean() - per_unit[~treated].mean())
    n_t, n_c = int(treated.sum()), int((~treated).sum())
    if n_t > 1 and n_c > 1:
        se = float(
            np.sqrt(per_unit[treated].var(ddof=1) / n_t + per_unit[~treated].var(ddof=1) / n_c)
        )
        label = f"normal, two-sample SE of {what} ({n_t} treated, {n_c} comparison units)"
        return Estimate.from_se(name, value, se, method=label, alpha=alpha)
    return Estimate(
        name,
        value,
        interval_method=f"no two-sample SE: {min(n_t, n_c)} unit on one side",
        alpha=alpha,
    )


def infer_linear(
    method: str,
    panel: Panel,
    cluster: Estimate,
    weight_function: WeightFunction,
    *,
    alpha: float,
    common_adoption: bool = True,
    draws: int,
    seed: int,
) -> Estimate:
    """:func:`infer` for an estimate linear in the outcomes with weights from ``weight_function``."""
    linear = LinearEstimate(cluster.name, weight_function(panel.group_code), panel.outcome)
    return infer(
        method,
        panel,
        linear,
        cluster,
        weight_function,
        alpha=alpha,
        common_adoption=common_adoption,
        draws=draws,
        seed=seed,
    )


def critical_t(alpha: float, df: int) -> float:
    """Two-sided t critical value (re-exported for the event study's tables)."""
    return critical_value(alpha, df)
