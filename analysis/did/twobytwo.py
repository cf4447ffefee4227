"""Canonical 2 x 2 difference-in-differences.

With one adoption date, periods split into pre (before adoption) and post, units into
treated and comparison. The estimate is the treated group's mean pre-to-post change minus
the comparison group's. The standard error treats each unit's own pre-to-post change as one
independent draw (a two-sample SE on unit-level changes), which is what clustering by unit
amounts to in a balanced 2 x 2 (``inference="cluster"``). In a few-treated design
(:mod:`analysis.did.inference`) the default ``inference="auto"`` uses the unit-level collapse
t-interval instead (with one treated unit: the controls' dispersion times sqrt(1 + 1/N0),
t(N0 - 1)); permutation and Conley-Taber intervals are available by name. With two units
(four cells) the point estimate is defined but no standard error is: it is NaN and
``interval_method`` says why.

Written by hand because it is three means; the tests check it against cell means and against
statsmodels OLS with a treated x post interaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from analysis.did import inference as inf
from analysis.did.panel import Panel, PanelError
from analysis.estimates import Estimate, ResultMixin


@dataclass(frozen=True)
class TwoByTwoResult(ResultMixin):
    """Result of :func:`two_by_two`.

    Attributes
    ----------
    effect
        The DiD estimate with its normal interval (no SE or interval with one treated or one
        comparison unit; ``interval_method`` then says so).
    cell_means
        2 x 2 table of means: rows treated/comparison, columns pre/post.
    n_treated, n_control, n_pre, n_post
        Units and periods in each cell.
    inference, notes
        The inference method of ``effect`` and why it was chosen.
    """

    method_name = "2x2 difference-in-differences"

    effect: Estimate
    cell_means: pd.DataFrame
    n_treated: int
    n_control: int
    n_pre: int
    n_post: int
    inference: str = "cluster"
    notes: tuple[str, ...] = ()

    def estimates(self) -> tuple[Estimate, ...]:
        """The DiD estimate."""
        return (self.effect,)

    def summary_header(self) -> list[tuple[str, str]]:
        """Units and periods behind the four cells."""
        return [
            ("treated / comparison units", f"{self.n_treated} / {self.n_control}"),
            ("pre / post periods", f"{self.n_pre} / {self.n_post}"),
            ("inference", self.inference),
        ]

    def summary_notes(self) -> list[str]:
        """The inference choice and its reason."""
        return list(self.notes)

    def json_extra(self) -> dict[str, Any]:
        """Cell means and cell sizes."""
        return {
            "cell_means": self.cell_means.reset_index(names="group"),
            "n_treated": self.n_treated,
            "n_control": self.n_control,
            "n_pre": self.n_pre,
            "n_post": self.n_post,
            "inference": self.inference,
        }


def common_adoption(panel: Panel) -> int:
    """Return the single adoption period code shared by all treated units.

    Raises
    ------
    PanelError
        If there are no treated units, no comparison units, or several adoption dates.
    """
    codes = np.unique(panel.group_code[panel.ever_treated])
    if codes.size == 0:
        raise PanelError("no treated units in the panel", zh="面板中没有处理组单位")
    if panel.ever_treated.all():
        raise PanelError(
            "no never-treated comparison units in the panel", zh="面板中没有从未处理的对照单位"
        )
    if codes.size > 1:
        raise PanelError(
            f"{codes.size} adoption dates: a 2x2 or single-date design needs one; "
            "use the staggered (cs) estimator",
            zh=f"有 {codes.size} 个采纳日期：2x2 或单一日期设计只能有一个；请使用交错（cs）估计量",
        )
    return int(codes[0])


def unit_changes(panel: Panel, adoption: int) -> np.ndarray:
    """Per-unit change: mean outcome in post periods minus mean in pre periods."""
    return panel.outcome[:, adoption:].mean(axis=1) - panel.outcome[:, :adoption].mean(axis=1)


def two_by_two(
    panel: Panel,
    *,
    alpha: float = 0.05,
    inference: inf.Inference = "auto",
    draws: int = 999,
    seed: int = 0,
) -> TwoByTwoResult:
    """Estimate the canonical 2 x 2 DiD.

    Parameters
    ----------
    panel
        Panel with one adoption date and some never-treated units.
    alpha
        1 - confidence level.
    inference
        ``"auto"`` (few-treated rule), ``"cluster"`` (two-sample SE of unit changes),
        ``"collapse"``, ``"permutation"`` or ``"conley-taber"``.
    draws, seed
        Random reassignments for permutation inference when enumeration is too large.

    Returns
    -------
    TwoByTwoResult
    """
    adoption = common_adoption(panel)
    treated = panel.ever_treated
    pre = panel.outcome[:, :adoption].mean(axis=1)
    post = panel.outcome[:, adoption:].mean(axis=1)
    means = pd.DataFrame(
        {
            "pre": [pre[treated].mean(), pre[~treated].mean()],
            "post": [post[treated].mean(), post[~treated].mean()],
        },
        index=["treated", "comparison"],
    )
    estimate = float(
        (means.loc["treated", "post"] - means.loc["treated", "pre"])
        - (means.loc["comparison", "post"] - means.loc["comparison", "pre"])
    )
    change = post - pre
    n_t, n_c = int(treated.sum()), int((~treated).sum())
    sizes = dict(n_treated=n_t, n_control=n_c, n_pre=adoption, n_post=panel.n_periods - adoption)
    if n_t == 1 and n_c == 1:
        effect = Estimate(
            "att",
            estimate,
            interval_method=(
                "standard error not identified: two units (four cells) leave no unit-level "
                "variation to estimate it from; no interval or p-value"
            ),
            alpha=alpha,
        )
        note = "two units: the point estimate is defined, its standard error is not"
        return TwoByTwoResult(effect, means, **sizes, inference="none", notes=(note,))
    method, reason = inf.choose(inference, panel)
    cluster = inf.two_sample_estimate("att", change, treated, "unit-level changes", alpha=alpha)

    def weights(group_code: np.ndarray) -> np.ndarray:
        return change_weights(group_code, adoption, panel.n_periods)

    effect = inf.infer_linear(method, panel, cluster, weights, alpha=alpha, draws=draws, seed=seed)
    return TwoByTwoResult(effect, means, **sizes, inference=method, notes=(reason,))


def change_weights(group_code: np.ndarray, adoption: int, n_periods: int) -> np.ndarray:
    """Weights of the 2 x 2 estimate: treated mean change minus comparison mean change."""
    treated = group_code != -1
    per_period = np.where(
        np.arange(n_periods) >= adoption, 1 / (n_periods - adoption), -1 / adoption
    )
    unit = np.where(treated, 1 / treated.sum(), -1 / (~treated).sum())
    return unit[:, None] * per_period[None, :]
