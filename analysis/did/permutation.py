"""Permutation and placebo-in-space inference for DiD with few treated units.

The statistic is the 2 x 2 DiD estimate for a given set of treated units: the mean
pre-to-post change of the treated minus that of the others (one common adoption date).
Each unit's change ``d_i`` is computed once; any assignment ``a`` (a 0/1 vector over units)
then has statistic ``a.d / n1 - (1 - a).d / n0``, so thousands of assignments are one
matrix product. That is what makes 10,000 draws cheap.

* :func:`placebo_in_space` (exact, for one treated unit): each of the N0 comparison units is
  assigned the treatment in turn; the p-value is ``rank / (N0 + 1)`` where rank counts the
  units (treated one included) whose absolute statistic is at least the treated unit's.
  This is a randomisation test: it is exact if the treated unit could equally have been any
  of the N0 + 1 units, and the smallest p it can give is ``1 / (N0 + 1)``.
* :func:`permutation_test` (Monte Carlo, several treated units): ``n_draws`` random
  reassignments keeping the number treated; p = (1 + #{|stat_b| >= |stat|}) / (1 + B).

Both also give a confidence set for a constant effect ``tau`` by test inversion
(:func:`analysis.did.inference.inversion`): under the sharp null the treated units' changes
are ``d_i - tau``, so every statistic is ``A - tau * B`` with ``A`` and ``B`` from the same
matrix product. When the smallest attainable p exceeds ``alpha`` (e.g. 1/9 with 8
comparison units at alpha = 0.05) the set is the whole line, reported as unbounded.

Written with NumPy because it is a single vectorised product; no package offers it for
panel DiD with this exact-p convention.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from analysis.did.inference import inversion
from analysis.did.panel import Panel, PanelError
from analysis.did.twobytwo import common_adoption, unit_changes
from analysis.estimates import Estimate, ResultMixin


@dataclass(frozen=True)
class PermutationResult(ResultMixin):
    """Result of a placebo or permutation test.

    Attributes
    ----------
    effect
        DiD estimate for the actual assignment with the randomisation p-value (two-sided,
        absolute statistics) and the confidence set by test inversion (infinite ends when
        the set is unbounded).
    null_distribution
        The DiD estimate under each placebo assignment (index: the placebo unit for the exact
        test, draw number for the Monte Carlo test).
    scheme
        ``"exact"`` (placebo in space over all comparison units) or ``"random"``.
    n_draws
        Number of placebo assignments.
    """

    method_name = "randomisation inference for DiD"

    effect: Estimate
    null_distribution: pd.Series
    scheme: Literal["exact", "random"]
    n_draws: int

    @property
    def p_value(self) -> float:
        """The randomisation p-value."""
        return self.effect.p_value

    def estimates(self) -> tuple[Estimate, ...]:
        """The DiD estimate with its randomisation p-value."""
        return (self.effect,)

    def summary_header(self) -> list[tuple[str, str]]:
        """Scheme and number of placebo assignments."""
        return [
            ("scheme", self.scheme),
            ("placebo assignments", str(self.n_draws)),
            ("smallest attainable p", f"{1 / (self.n_draws + 1):.4g}"),
        ]

    def json_extra(self) -> dict[str, Any]:
        """Scheme, draws and (for the exact test) each placebo unit's estimate."""
        extra: dict[str, Any] = {"scheme": self.scheme, "n_draws": self.n_draws}
        if self.scheme == "exact":
            extra["placebo_estimates"] = {str(k): v for k, v in self.null_distribution.items()}
        return extra


def assignment_statistics(changes: np.ndarray, assignments: np.ndarray) -> np.ndarray:
    """DiD statistic for each row of a 0/1 ``assignments`` matrix (draws x units).

    Examples
    --------
    >>> import numpy as np
    >>> assignment_statistics(np.array([3.0, 1.0, 1.0]), np.array([[1, 0, 0], [0, 1, 0]]))
    array([ 2., -1.])
    """
    a = assignments.astype(float)
    n1 = a.sum(axis=1)
    total = changes.sum()
    treated_sum = a @ changes
    return treated_sum / n1 - (total - treated_sum) / (changes.size - n1)


def placebo_in_space(panel: Panel, *, alpha: float = 0.05) -> PermutationResult:
    """Exact placebo-in-space test for a single treated unit.

    Parameters
    ----------
    panel
        Panel with one treated unit and N0 never-treated comparison units.
    alpha
        1 - confidence level of the test-inversion set.

    Returns
    -------
    PermutationResult
        ``p_value = rank / (N0 + 1)``.
    """
    adoption = common_adoption(panel)
    treated = panel.ever_treated
    if treated.sum() != 1:
        raise PanelError(
            f"placebo in space needs exactly one treated unit, found "
            f"{int(treated.sum())}; use permutation_test",
            zh="空间安慰剂检验需要恰好一个处理组单位，"
            f"实际有 {int(treated.sum())} 个；请使用 permutation_test",
        )
    changes = unit_changes(panel, adoption)
    # The real treated unit stays out of every placebo's comparison group.
    controls = changes[~treated]
    n0 = controls.size
    placebo = assignment_statistics(controls, np.eye(n0))
    statistic = float(changes[treated][0] - controls.mean())
    # Shifting the treated unit's change by tau moves its statistic only.
    p, lower, upper, method = inversion(
        statistic,
        1.0,
        placebo,
        np.zeros_like(placebo),
        alpha=alpha,
        scheme=f"placebo in space over {n0} comparison units (rank p-value)",
    )
    effect = Estimate(
        name="att",
        estimate=statistic,
        ci_lower=lower,
        ci_upper=upper,
        p_value=p,
        interval_method=method,
        alpha=alpha,
    )
    return PermutationResult(
        effect=effect,
        null_distribution=pd.Series(placebo, index=panel.units[~treated], name="placebo"),
        scheme="exact",
        n_draws=n0,
    )


def permutation_test(
    panel: Panel, *, n_draws: int = 10_000, seed: int = 0, alpha: float = 0.05
) -> PermutationResult:
    """Monte Carlo permutation test reassigning treatment across units.

    Parameters
    ----------
    panel
        Panel with one adoption date.
    n_draws
        Number of random reassignments.
    seed
        Seed for :func:`numpy.random.default_rng`.
    alpha
        1 - confidence level of the test-inversion set.

    Returns
    -------
    PermutationResult
    """
    if n_draws < 1:
        raise PanelError(
            f"n_draws={n_draws}: at least one draw is needed",
            zh=f"n_draws={n_draws}：至少需要一次抽样",
        )
    adoption = common_adoption(panel)
    changes = unit_changes(panel, adoption)
    treated = panel.ever_treated
    n, n1 = changes.size, int(treated.sum())
    rng = np.random.default_rng(seed)
    # Shuffle unit indices row-wise and take the first m as the smaller of the two groups;
    # gathering m changes is cheaper than building a draws x units assignment matrix.
    m = min(n1, n - n1)
    index_type = np.int16 if n < np.iinfo(np.int16).max else np.int32
    base = np.broadcast_to(np.arange(n, dtype=index_type), (min(n_draws, 500), n))
    picked_sum = np.empty(n_draws)
    picked_treated = np.empty(n_draws)
    indicator = treated.astype(float)
    for start in range(0, n_draws, base.shape[0]):  # chunks keep memory small and cache-warm
        stop = min(start + base.shape[0], n_draws)
        order = rng.permuted(base[: stop - start], axis=1)
        picked_sum[start:stop] = changes[order[:, :m]].sum(axis=1)
        picked_treated[start:stop] = indicator[order[:, :m]].sum(axis=1)
    treated_sum = picked_sum if m == n1 else changes.sum() - picked_sum
    null = treated_sum / n1 - (changes.sum() - treated_sum) / (n - n1)
    # B: how the statistic moves when the actual treated units' changes shift by tau.
    hit = picked_treated if m == n1 else n1 - picked_treated
    slope = hit / n1 - (n1 - hit) / (n - n1)
    statistic = float(assignment_statistics(changes, treated[None, :])[0])
    p, lower, upper, method = inversion(
        statistic,
        1.0,
        null,
        slope,
        alpha=alpha,
        scheme=(
            f"Monte Carlo permutation, {n_draws} random reassignments of {n1} treated among "
            f"{n} units (seed {seed})"
        ),
    )
    effect = Estimate(
        name="att",
        estimate=statistic,
        ci_lower=lower,
        ci_upper=upper,
        p_value=p,
        interval_method=method,
        alpha=alpha,
    )
    return PermutationResult(
        effect=effect,
        null_distribution=pd.Series(null, name="draw"),
        scheme="random",
        n_draws=n_draws,
    )
