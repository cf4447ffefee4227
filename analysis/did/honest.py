"""Rambachan-Roth confidence sets for event-study effects when parallel trends may fail.

Rambachan & Roth (2023, "A More Credible Approach to Parallel Trends", *Review of Economic
Studies* 90(5), 2555-2591) write each event-study coefficient as ``beta_t = tau_t + delta_t``,
with ``delta`` the difference in trends (``delta = 0`` at the reference period, event time -1
here) and ``tau_pre = 0``, and bound ``delta`` by what the pre-periods show:

Relative magnitudes, ``Delta^RM(Mbar)``
    No post-period change ``|delta_{t+1} - delta_t|`` exceeds ``Mbar`` times the largest
    pre-period change (between consecutive periods). ``Mbar = 1``: the post-period violation
    is no worse than the worst pre-period one.
Smoothness, ``Delta^SD(M)``
    The slope of ``delta`` changes by at most ``M`` between consecutive periods. ``M = 0``:
    the violation is exactly linear, i.e. a linear extrapolation of the pre-trend.

For ``theta = l'tau_post`` (by default the effect at one post period, R's ``basisVector``;
``l_vec="average"`` is the mean over post periods) :func:`honest_bounds` reports, per value of
``M`` or ``Mbar``, a confidence set that covers ``theta`` with probability ``1 - alpha`` for
every ``delta`` in the restriction, the identified set, the "original" interval (valid only
under exact parallel trends) and the breakdown value. Methods, as in the R package
``HonestDiD``'s defaults (its vignette; Rambachan & Roth Section 5.3):

* smoothness -> the optimal fixed-length interval (FLCI, :mod:`analysis.did.honest_flci`);
* relative magnitudes -> the conditional-least-favourable hybrid ("C-LF") test of Andrews,
  Roth & Pakes inverted over a grid of ``theta`` (:mod:`analysis.did.honest_arp`).
  ``Delta^RM`` is a union of polyhedra (which pre-period change is the largest, and its sign);
  the set is the union of the pieces' sets. The grid is R's: 1,000 points on
  ``[-20, 20] * sd(theta_hat)``, widened only if the set reaches its end (then a note says so),
  so the reported ends are grid points, as in R.

``method="conditional"`` (ARP without the hybrid) and ``"hybrid"`` also work for smoothness.
The breakdown value is the smallest ``M``/``Mbar`` at which the robust set contains 0, found by
bisection (to 0.1 % of the bracket); it assumes the sets grow with ``M``.

Examples
--------
>>> import numpy as np, pandas as pd
>>> table = pd.DataFrame({"rel_time": [-3, -2, -1, 0], "estimate": [0.0, 0.1, 0.0, 1.0],
...                       "se": [0.1, 0.1, float("nan"), 0.1]})
>>> vcov = pd.DataFrame(np.diag([0.01, 0.01, 0.01]), index=[-3, -2, 0], columns=[-3, -2, 0])
>>> result = honest_bounds(table, vcov=vcov, restriction="smoothness", m_grid=[0.0])
>>> # M = 0: least-squares line through (-1, 0), (-2, 0.1), (-3, 0): slope -0.02 per period,
>>> # so theta = 1 - (-0.02) = 1.02 with sd 0.1 * sqrt(1 + 1/5).
>>> round(float(result.grid["ci_lower"].iloc[0]), 4), round(1.02 - 1.959964 * 0.1 * 1.2**0.5, 4)
(0.8053, 0.8053)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from analysis.did import honest_arp as arp
from analysis.did.event_study import EventStudyResult
from analysis.did.honest_flci import optimal_flci
from analysis.did.panel import PanelError
from analysis.errors import UsageError
from analysis.estimates import Estimate, ResultMixin, critical_value

Restriction = Literal["relative_magnitude", "smoothness"]
Method = Literal["auto", "flci", "conditional", "hybrid"]
_PARAMETER = {"relative_magnitude": "Mbar", "smoothness": "M"}
_METHOD_LABEL = {"flci": "FLCI", "conditional": "Conditional", "hybrid": "C-LF"}
GRID_POINTS = 1000
GRID_HALF_WIDTH = 20.0  # in units of sd(theta_hat), R HonestDiD's default
DEFAULT_MBAR = (0.5, 1.0, 1.5, 2.0)  # R createSensitivityResults_relativeMagnitudes


@dataclass(frozen=True)
class HonestResult(ResultMixin):
    """Result of :func:`honest_bounds`.

    Attributes
    ----------
    restriction, method
        The restriction imposed and the interval method (``"flci"``, ``"conditional"`` or
        ``"hybrid"`` = C-LF).
    rel_time
        The post period targeted, or ``None`` when ``l_vec`` is not a basis vector.
    target
        What ``theta`` is, e.g. ``"rel_time=0"`` or ``"average of rel_time 0..2"``.
    l_vec
        Weights on the post-period effects (event times 0, 1, ...).
    coefficient
        ``l'beta_post``, the event-study estimate of ``theta`` under parallel trends.
    original
        That estimate with its normal interval (valid only if parallel trends hold exactly).
    scale
        Largest absolute pre-period first difference of the coefficients (relative
        magnitudes; the unit of ``Mbar``) or second difference (smoothness; the unit of ``M``).
    grid
        One row per value: m, ci_lower, ci_upper (robust set), identified_lower,
        identified_upper (the set if ``beta`` were known), and for FLCI its centre.
    breakdown
        Smallest value at which the robust set contains 0 (0 if it does at the smallest value
        tried, inf if it never does up to the search limit).
    alpha
        One minus the coverage.
    notes
        Caveats (grid widened, empty or unbounded sets, ...).
    """

    method_name = "Rambachan-Roth sensitivity to parallel-trends violations"

    restriction: Restriction
    method: str
    rel_time: int | None
    target: str
    l_vec: tuple[float, ...]
    coefficient: float
    original: Estimate
    scale: float
    grid: pd.DataFrame
    breakdown: float
    alpha: float
    theta_grid: dict[str, float] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    @property
    def interval_method(self) -> str:
        """How the robust intervals are built."""
        name = _PARAMETER[self.restriction]
        delta = "Delta^RM(Mbar)" if self.restriction == "relative_magnitude" else "Delta^SD(M)"
        if self.method == "flci":
            how = "optimal fixed-length CI (Armstrong-Kolesar), exact folded-normal quantile"
        else:
            kind = "hybrid C-LF" if self.method == "hybrid" else "conditional"
            how = (
                f"Andrews-Roth-Pakes {kind} test inverted on a grid of "
                f"{int(self.theta_grid.get('points', GRID_POINTS))} points"
            )
        return f"Rambachan-Roth {delta}, {how}; valid for every violation with that {name}"

    def estimates(self) -> tuple[Estimate, ...]:
        """The original interval, then one robust interval per value of M / Mbar."""
        name = _PARAMETER[self.restriction]
        robust = tuple(
            Estimate(
                name=f"{self.target}, {name}={row.m:.4g}",
                estimate=float(row.centre) if self.method == "flci" else self.coefficient,
                ci_lower=float(row.ci_lower),
                ci_upper=float(row.ci_upper),
                interval_method=self.interval_method,
                alpha=self.alpha,
            )
            for row in self.grid.itertuples()
        )
        return (self.original, *robust)

    def summary_header(self) -> list[tuple[str, str]]:
        """Restriction, method, target, scale and breakdown value."""
        return [
            ("restriction", self.restriction.replace("_", " ")),
            ("method", _METHOD_LABEL[self.method]),
            ("parameter", self.target),
            ("scale (pre-period)", f"{self.scale:.4g}"),
            (f"breakdown {_PARAMETER[self.restriction]}", f"{self.breakdown:.4g}"),
        ]

    def summary_notes(self) -> list[str]:
        """Caveats collected while computing."""
        return list(self.notes)

    def json_extra(self) -> dict[str, Any]:
        """Restriction, method, target, original interval, grid and breakdown value."""
        return {
            "restriction": self.restriction,
            "method": _METHOD_LABEL[self.method],
            "parameter": _PARAMETER[self.restriction],
            "rel_time": self.rel_time,
            "target": self.target,
            "l_vec": list(self.l_vec),
            "coefficient": self.coefficient,
            "original": {"lb": self.original.ci_lower, "ub": self.original.ci_upper},
            "scale": self.scale,
            "breakdown": self.breakdown,
            "theta_grid": self.theta_grid,
            "grid": self.grid,
        }


@dataclass(frozen=True)
class _EventStudy:
    """Coefficients in Rambachan-Roth order: pre periods, then post periods (no reference)."""

    betahat: np.ndarray
    sigma: np.ndarray
    pre: list[int]
    post: list[int]

    @property
    def n_pre(self) -> int:
        return len(self.pre)

    @property
    def n_post(self) -> int:
        return len(self.post)


def _inherited_caveats(result: EventStudyResult) -> list[str]:
    """What the event study's own inference implies for sets built on its covariance."""
    notes = []
    method = str(getattr(result, "interval_method", ""))
    if "not valid" in method.lower():
        notes.append(
            "NOT VALID: the event study's covariance is labelled not valid for this design "
            f"({method}); Rambachan-Roth sets built on it are not valid either"
        )
    df = getattr(result, "df", None)
    if df is not None and np.isfinite(df):
        notes.append(
            f"the event study's covariance has a t({df:g}) reference (few-treated design); "
            "Rambachan-Roth sets treat the coefficients as normal with that covariance, so "
            "with few degrees of freedom they are approximate and too short"
        )
    return notes


def _event_study(result: EventStudyResult | pd.DataFrame, vcov: pd.DataFrame | None) -> _EventStudy:
    if isinstance(result, EventStudyResult):
        table = result.table
        vcov = result.vcov if vcov is None else vcov
    else:
        table = result
    missing = {"rel_time", "estimate"} - set(table.columns)
    if missing:
        raise PanelError(
            f"the event-study table lacks column(s) {sorted(missing)}",
            zh=f"事件研究表缺少列 {sorted(missing)}",
        )
    coef = table.set_index("rel_time")["estimate"].astype(float)
    times = sorted(int(t) for t in coef.index)
    if len(set(times)) != len(times):
        raise PanelError(
            "the event-study table repeats an event time in column rel_time",
            zh="事件研究表的 rel_time 列中有重复的事件时间",
        )
    if times != list(range(times[0], times[-1] + 1)):
        raise PanelError(
            f"event times {times} are not consecutive: Rambachan-Roth restrictions compare "
            "consecutive periods; bin the event study so that no event time is missing",
            zh=f"事件时间 {times} 不连续：Rambachan-Roth 约束比较的是相邻时期；"
            "请对事件研究分箱，使事件时间不缺失",
        )
    if -1 not in coef.index or abs(coef.loc[-1]) > 1e-12:
        raise PanelError(
            "the event study must be normalised to 0 at event time -1 (the reference period)",
            zh="事件研究必须在事件时间 -1（参照期）处标准化为 0",
        )
    pre = [t for t in times if t < -1]
    post = [t for t in times if t >= 0]
    if not pre:
        raise PanelError(
            "no pre-period coefficient besides the reference -1: Rambachan-Roth bounds need "
            "at least one lead (event time -2 or earlier); re-run the event study with leads >= 2",
            zh="除参照期 -1 外没有干预前时期的系数："
            "Rambachan-Roth 界至少需要一个前导期（事件时间 -2 或更早）；"
            "请以 leads >= 2 重新运行事件研究",
        )
    if not post:
        raise PanelError(
            "the event study has no post-period coefficient (event time >= 0)",
            zh="事件研究没有干预后时期的系数（事件时间 >= 0）",
        )
    if vcov is None:
        raise PanelError(
            "the covariance of the event-study coefficients is needed (vcov=, index and "
            "columns = event times); standard errors alone ignore their correlation",
            zh="需要事件研究系数的协方差矩阵（vcov=，"
            "行和列均为事件时间）；只有标准误会忽略系数之间的相关",
        )
    order = pre + post
    absent = [t for t in order if t not in vcov.index or t not in vcov.columns]
    if absent:
        raise PanelError(
            f"vcov has no row/column for event time(s) {absent}",
            zh=f"vcov 缺少事件时间 {absent} 的行/列",
        )
    sigma = vcov.loc[order, order].to_numpy(dtype=float)
    betahat = coef.loc[order].to_numpy(dtype=float)
    if not (np.all(np.isfinite(sigma)) and np.all(np.isfinite(betahat))):
        raise PanelError(
            "the event-study coefficients or their covariance contain NaN or inf",
            zh="事件研究的系数或其协方差矩阵含有 NaN 或 inf",
        )
    if not np.allclose(sigma, sigma.T, atol=1e-12 * max(1.0, np.abs(sigma).max())):
        raise PanelError("vcov is not symmetric", zh="vcov 不对称")
    if np.linalg.eigvalsh((sigma + sigma.T) / 2).min() < -1e-10 * np.abs(sigma).max():
        raise PanelError("vcov is not positive semi-definite", zh="vcov 不是半正定矩阵")
    return _EventStudy(betahat=betahat, sigma=sigma, pre=pre, post=post)


def _target(
    es: _EventStudy, rel_time: int, l_vec: Sequence[float] | str | None
) -> tuple[np.ndarray, int | None, str]:
    if l_vec is None:
        if rel_time not in es.post:
            raise PanelError(
                f"rel_time={rel_time}: not a post period of this event study "
                f"(post periods: {es.post[0]}..{es.post[-1]})",
                zh=f"rel_time={rel_time}：不是此事件研究的干预后时期（干预后时期："
                f"{es.post[0]}..{es.post[-1]}）",
            )
        weights = np.zeros(es.n_post)
        weights[es.post.index(rel_time)] = 1.0
        return weights, rel_time, f"rel_time={rel_time}"
    if isinstance(l_vec, str):
        if l_vec != "average":
            raise UsageError(
                f"l_vec={l_vec!r}: give weights or 'average'",
                zh=f"l_vec={l_vec!r}：请给出权重或 'average'",
            )
        weights = np.full(es.n_post, 1.0 / es.n_post)
        return weights, None, f"average of rel_time {es.post[0]}..{es.post[-1]}"
    weights = np.asarray(l_vec, dtype=float)
    if weights.shape != (es.n_post,) or not np.all(np.isfinite(weights)):
        raise UsageError(
            f"l_vec has {weights.size} entries; give {es.n_post} finite weights, one per post "
            f"period {es.post[0]}..{es.post[-1]}",
            zh=f"l_vec 有 {weights.size} 个元素；请给出 {es.n_post} 个有限的权重，每个处理后时期 "
            f"{es.post[0]}..{es.post[-1]} 一个",
        )
    if not np.any(weights != 0):
        raise UsageError("l_vec is all zeros", zh="l_vec 全为 0")
    nonzero = np.flatnonzero(weights)
    if len(nonzero) == 1 and weights[nonzero[0]] == 1.0:
        t = es.post[nonzero[0]]
        return weights, t, f"rel_time={t}"
    label = ", ".join(f"{w:.4g}" for w in weights)
    return weights, None, f"l'tau_post with l = ({label})"


def _polyhedra(
    restriction: Restriction, es: _EventStudy, m: float
) -> list[tuple[np.ndarray, np.ndarray]]:
    if restriction == "smoothness":
        return [arp.sd_polyhedron(es.n_pre, es.n_post, m)]
    return [
        arp.rm_polyhedron(es.n_pre, es.n_post, m, s, sign) for s, sign in arp.rm_pieces(es.n_pre)
    ]


def _arp_set(
    es: _EventStudy,
    l_vec: np.ndarray,
    restriction: Restriction,
    m: float,
    alpha: float,
    hybrid: bool,
    thetas: np.ndarray,
) -> np.ndarray:
    accept = np.zeros(len(thetas), dtype=bool)
    for a, d in _polyhedra(restriction, es, m):
        problem = arp.moment_problem(es.betahat, es.sigma, a, d, es.n_pre, l_vec)
        accept |= arp.arp_accept(problem, thetas, alpha=alpha, hybrid=hybrid)
    return accept


_NOTE_TEXT = {
    "empty": "the test rejects every theta on the grid: the pre-period coefficients reject the "
    "restriction there, so the set is empty (NaN)",
    "gaps": "the accepted set has gaps; [ci_lower, ci_upper] is its hull, as in R",
    "widened": "the set reached the end of R's default grid ([-20, 20] x sd of the estimate), "
    "so the grid was extended at the same spacing until the set closed (R would cut it there)",
    "unbounded": "the set is unbounded on the widest grid tried (ends reported as -inf/inf)",
    "id_empty": "the identified set is empty: the estimated pre-period coefficients themselves "
    "violate the restriction (the robust set allows for their sampling error)",
}


def _compose_notes(flags: list[tuple[str, str]]) -> list[str]:
    """One note per kind of event, naming the values of M / Mbar it happened at."""
    grouped: dict[str, list[str]] = {}
    for kind, label in flags:
        grouped.setdefault(kind, [])
        if label not in grouped[kind]:
            grouped[kind].append(label)
    out = []
    for kind, labels in grouped.items():
        shown = labels if len(labels) <= 4 else [labels[0], "...", labels[-1]]
        out.append(f"{', '.join(shown)}: {_NOTE_TEXT[kind]}")
    return out


def _arp_interval(
    es: _EventStudy,
    l_vec: np.ndarray,
    restriction: Restriction,
    m: float,
    alpha: float,
    hybrid: bool,
    sd_theta: float,
    flags: list[tuple[str, str]],
    label: str,
) -> tuple[float, float, dict[str, float]]:
    lower, upper = -GRID_HALF_WIDTH * sd_theta, GRID_HALF_WIDTH * sd_theta
    points = GRID_POINTS
    for attempt in range(4):
        thetas = np.linspace(lower, upper, points)
        accept = _arp_set(es, l_vec, restriction, m, alpha, hybrid, thetas)
        grid_info = {"lower": float(lower), "upper": float(upper), "points": points}
        if not accept.any():
            flags.append(("empty", label))
            return np.nan, np.nan, grid_info
        open_low, open_high = bool(accept[0]), bool(accept[-1])
        if not (open_low or open_high):
            where = np.flatnonzero(accept)
            if not accept[where[0] : where[-1] + 1].all():
                flags.append(("gaps", label))
            if attempt:
                flags.append(("widened", label))
            return float(thetas[where[0]]), float(thetas[where[-1]]), grid_info
        span = upper - lower
        lower = lower - span if open_low else lower
        upper = upper + span if open_high else upper
        points = points + GRID_POINTS
    flags.append(("unbounded", label))
    lo = -np.inf if accept[0] else float(thetas[accept].min())
    hi = np.inf if accept[-1] else float(thetas[accept].max())
    return lo, hi, grid_info


def _scale(restriction: Restriction, es: _EventStudy) -> float:
    full = np.concatenate([es.betahat[: es.n_pre], [0.0]])  # pre coefficients and reference
    order = 1 if restriction == "relative_magnitude" else 2
    diffs = np.diff(full, n=order)
    return float(np.max(np.abs(diffs))) if diffs.size else float("nan")


def _default_m_grid(restriction: Restriction, es: _EventStudy, alpha: float) -> np.ndarray:
    if restriction == "relative_magnitude":
        return np.array(DEFAULT_MBAR)
    # As R's createSensitivityResults: 10 values from 0 to an upper confidence bound on the
    # largest pre-period second difference (its sd with one pre period).
    if es.n_pre == 1:
        top = float(np.sqrt(es.sigma[0, 0]))
    else:
        n = es.n_pre + 1
        second = np.zeros((n - 2, n))
        for r in range(n - 2):
            second[r, r : r + 3] = (1.0, -2.0, 1.0)
        second = second[:, : es.n_pre]  # the reference column multiplies 0
        pre_sigma = es.sigma[: es.n_pre, : es.n_pre]
        values = second @ es.betahat[: es.n_pre]
        sds = np.sqrt(np.einsum("ij,jk,ik->i", second, pre_sigma, second))
        top = float(np.max(np.abs(values) + critical_value(2 * alpha) * sds))
    return np.linspace(0.0, top, 10)


def honest_bounds(
    result: EventStudyResult | pd.DataFrame,
    *,
    rel_time: int = 0,
    restriction: Restriction = "relative_magnitude",
    m_grid: Sequence[float] | None = None,
    alpha: float = 0.05,
    vcov: pd.DataFrame | None = None,
    method: Method = "auto",
    l_vec: Sequence[float] | str | None = None,
) -> HonestResult:
    """Rambachan-Roth robust confidence sets for one post-period effect (or a combination).

    Parameters
    ----------
    result
        Event study normalised at event time -1, or a frame with rel_time and estimate.
    rel_time
        Post period to analyse (0 = first treated period); ignored when ``l_vec`` is given.
    restriction
        ``"relative_magnitude"`` (Delta^RM(Mbar)) or ``"smoothness"`` (Delta^SD(M)).
    m_grid
        Values of Mbar (or M) to report; R's defaults when omitted or empty (Mbar 0.5, 1, 1.5,
        2; M: 10 values from 0 to an upper bound on the pre-period second differences).
    alpha
        1 - confidence level.
    vcov
        Covariance of the non-reference coefficients (index/columns: event times); taken from
        ``result`` when it is an :class:`EventStudyResult`. Required.
    method
        ``"auto"`` (FLCI for smoothness, C-LF hybrid for relative magnitudes, R's defaults),
        ``"flci"`` (smoothness only), ``"conditional"`` or ``"hybrid"``.
    l_vec
        Weights on the post-period effects (event times 0, 1, ...), or ``"average"``.

    Returns
    -------
    HonestResult
    """
    if restriction not in _PARAMETER:
        raise UsageError(
            f"restriction={restriction!r}: must be 'relative_magnitude' or 'smoothness'",
            zh=f"restriction={restriction!r}：必须是 'relative_magnitude' 或 'smoothness'",
        )
    if method not in ("auto", "flci", "conditional", "hybrid"):
        raise UsageError(
            f"method={method!r}: choose auto, flci, conditional or hybrid",
            zh=f"method={method!r}：请从 auto、flci、conditional、hybrid 中选择",
        )
    if not 0 < alpha < 1:
        raise UsageError(
            f"alpha={alpha}: must be between 0 and 1", zh=f"alpha={alpha}：必须介于 0 和 1 之间"
        )
    chosen = method
    if method == "auto":
        chosen = "flci" if restriction == "smoothness" else "hybrid"
    if chosen == "flci" and restriction == "relative_magnitude":
        raise UsageError(
            "method='flci' is not valid under relative magnitudes: Delta^RM is not convex "
            "(Rambachan & Roth 2023, Section 5.3); use 'hybrid' (the default) or 'conditional'",
            zh="method='flci' 不适用于相对幅度限制：Delta^RM 不是凸集（Rambachan & Roth 2023，"
            "第 5.3 节）；请用 'hybrid'（默认）或 'conditional'",
        )
    es = _event_study(result, vcov)
    weights, target_time, target = _target(es, rel_time, l_vec)
    m_values = (
        _default_m_grid(restriction, es, alpha)
        if m_grid is None or len(m_grid) == 0
        else np.asarray(m_grid, dtype=float)
    )
    if np.any(~np.isfinite(m_values)) or np.any(m_values < 0):
        raise UsageError(
            "m_grid values must be finite and 0 or more",
            zh="m_grid 的取值必须是有限的且大于或等于 0",
        )
    post_sigma = es.sigma[es.n_pre :, es.n_pre :]
    sd_theta = float(np.sqrt(weights @ post_sigma @ weights))
    coefficient = float(weights @ es.betahat[es.n_pre :])
    # the original interval keeps the event study's own reference distribution (t(N0 - 1) in
    # a few-treated design), so it equals the event study's interval for the same target
    event_df = getattr(result, "df", None)
    event_df = float(event_df) if event_df is not None and np.isfinite(event_df) else None
    reference = "normal" if event_df is None else f"t({event_df:g})"
    original = Estimate.from_se(
        f"{target}, original",
        coefficient,
        sd_theta,
        method=f"{reference}, event-study covariance; valid only if parallel trends hold exactly",
        alpha=alpha,
        df=event_df,
    )
    param = _PARAMETER[restriction]
    notes = _inherited_caveats(result) if isinstance(result, EventStudyResult) else []
    flags: list[tuple[str, str]] = []
    rows = []
    theta_grid: dict[str, float] = {}

    def robust(m: float, collect: list[tuple[str, str]]) -> tuple[float, float, float]:
        nonlocal theta_grid
        if chosen == "flci":
            flci = optimal_flci(es.betahat, es.sigma, es.n_pre, es.n_post, weights, m, alpha)
            return flci.lower, flci.upper, flci.estimate
        lo, hi, info = _arp_interval(
            es,
            weights,
            restriction,
            m,
            alpha,
            chosen == "hybrid",
            sd_theta,
            collect,
            f"{param}={m:.4g}",
        )
        theta_grid = info
        return lo, hi, coefficient

    for m in m_values:
        lo, hi, centre = robust(float(m), flags)
        if restriction == "relative_magnitude":
            id_lo, id_hi = arp.rm_identified_set(es.betahat, es.n_pre, weights, float(m))
        else:
            id_lo, id_hi = arp.identified_set(
                es.betahat, es.n_pre, weights, _polyhedra(restriction, es, float(m))
            )
        if np.isnan(id_lo):
            flags.append(("id_empty", f"{param}={m:.4g}"))
        rows.append(
            {
                "m": float(m),
                "ci_lower": lo,
                "ci_upper": hi,
                "identified_lower": id_lo,
                "identified_upper": id_hi,
                "centre": centre,
            }
        )
    grid = pd.DataFrame(rows)
    breakdown = _breakdown(lambda m: robust(m, [])[:2], float(m_values.max()))
    if np.isinf(breakdown):
        top = max(float(m_values.max()), 1.0) * 2**8
        notes.append(f"the robust set excludes 0 for every {param} tried up to {top:.4g}")
    if chosen != "flci":
        theta_grid = {
            "lower": -GRID_HALF_WIDTH * sd_theta,
            "upper": GRID_HALF_WIDTH * sd_theta,
            "points": GRID_POINTS,
            "lf_simulations": arp.LF_SIMULATIONS if chosen == "hybrid" else 0,
        }
    return HonestResult(
        restriction=restriction,
        method=chosen,
        rel_time=target_time,
        target=target,
        l_vec=tuple(float(w) for w in weights),
        coefficient=coefficient,
        original=original,
        scale=_scale(restriction, es),
        grid=grid,
        breakdown=breakdown,
        alpha=alpha,
        theta_grid=theta_grid,
        notes=tuple(dict.fromkeys(notes + _compose_notes(flags))),
    )


def _contains_zero(interval: tuple[float, float]) -> bool:
    lo, hi = interval
    return bool(lo <= 0 <= hi)  # False for an empty (NaN) set


def _breakdown(interval_at, top: float, rel_tol: float = 1e-3) -> float:
    """Smallest m with 0 in the robust set, by bisection (the sets are assumed to grow)."""
    if _contains_zero(interval_at(0.0)):
        return 0.0
    high = top if top > 0 else 1.0
    for _ in range(8):
        if _contains_zero(interval_at(high)):
            break
        high *= 2
    else:
        return float("inf")
    low = 0.0
    while high - low > rel_tol * high:
        mid = (low + high) / 2
        if _contains_zero(interval_at(mid)):
            high = mid
        else:
            low = mid
    return float(high)
