"""Wild cluster bootstrap (WCR) test of the TWFE DiD coefficient, for few clusters.

Wraps ``wildboottest`` 0.3.2 (the Python port of the ``fwildclusterboot``/``boottest``
algorithm): the null ``b = 0`` is imposed, residuals are multiplied by cluster-level
Rademacher (or Webb) weights, and the bootstrap t-statistics give the p-value. With G
clusters and Rademacher weights there are only 2^G distinct draws, which the package
enumerates fully when that is smaller than B; Webb's six-point weights help when G < 12.

Caveats (MacKinnon & Webb 2017, 2018): the wild cluster bootstrap fixes the over-rejection
of clustered t-tests when clusters are few but *balanced*; it does not rescue designs with
very few **treated** clusters. With one treated cluster the restricted bootstrap
under-rejects badly (it almost never rejects) and the unrestricted one over-rejects, so its
p-value is not evidence either way. Following the rule of :mod:`analysis.did.inference`
(fewer than 10 treated or control clusters), :func:`wild_cluster_bootstrap` therefore
**refuses** such designs unless ``allow_few_treated=True`` (command line: ``--inference
cluster``), in which case the p-value is labelled NOT VALID. Use the collapse,
permutation or synthetic-control inference instead.
"""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from analysis.did import inference as inf
from analysis.did.panel import Panel, PanelError
from analysis.estimates import Estimate, ResultMixin

WeightsType = Literal["rademacher", "webb"]


@dataclass(frozen=True)
class WildBootstrapResult(ResultMixin):
    """Result of :func:`wild_cluster_bootstrap`.

    Attributes
    ----------
    effect
        TWFE coefficient on the treatment indicator, its cluster-robust SE and the wild
        cluster bootstrap p-value (two-sided, null imposed); no interval.
    t_stat
        Cluster-robust t-statistic.
    n_clusters, n_treated_clusters
        Clusters in total and clusters that are ever treated.
    draws, weights_type
        Bootstrap draws requested and weight distribution.
    caveat
        Plain-language warning; empty when the design is not in a known failure region.
    """

    method_name = "wild cluster bootstrap test of the TWFE coefficient"

    effect: Estimate
    t_stat: float
    n_clusters: int
    n_treated_clusters: int
    draws: int
    weights_type: WeightsType
    caveat: str

    @property
    def p_value(self) -> float:
        """The bootstrap p-value."""
        return self.effect.p_value

    def estimates(self) -> tuple[Estimate, ...]:
        """The coefficient with its bootstrap p-value."""
        return (self.effect,)

    def summary_header(self) -> list[tuple[str, str]]:
        """Clusters, draws and the t-statistic."""
        return [
            ("clusters (treated)", f"{self.n_clusters} ({self.n_treated_clusters})"),
            ("draws, weights", f"{self.draws}, {self.weights_type}"),
            ("cluster-robust t", f"{self.t_stat:.4g}"),
        ]

    def summary_notes(self) -> list[str]:
        """The few-treated-clusters caveat, if any."""
        return [self.caveat] if self.caveat else []

    def json_extra(self) -> dict[str, Any]:
        """t-statistic, clusters and bootstrap settings."""
        return {
            "t_stat": self.t_stat,
            "n_clusters": self.n_clusters,
            "n_treated_clusters": self.n_treated_clusters,
            "draws": self.draws,
            "weights_type": self.weights_type,
        }


def wild_cluster_bootstrap(
    panel: Panel,
    *,
    draws: int = 9_999,
    weights_type: WeightsType = "webb",
    seed: int = 0,
    allow_few_treated: bool = False,
) -> WildBootstrapResult:
    """Test the TWFE DiD coefficient with a wild cluster bootstrap clustered by unit.

    Parameters
    ----------
    panel
        Balanced panel with treated and never-treated units.
    draws
        Number of bootstrap draws (full enumeration is used when 2^G is smaller).
    weights_type
        ``"webb"`` (default; better with fewer than ~12 clusters) or ``"rademacher"``.
    seed
        Seed passed to ``wildboottest``.
    allow_few_treated
        Run in a few-treated design anyway (the p-value is then labelled NOT VALID).

    Returns
    -------
    WildBootstrapResult
    """
    import statsmodels.api as sm
    from wildboottest.wildboottest import wildboottest

    if not panel.ever_treated.any() or panel.ever_treated.all():
        raise PanelError(
            "the wild cluster bootstrap needs treated and never-treated units",
            zh="野聚类自助法需要处理组单位和从未处理的单位",
        )
    if draws < 1:
        raise PanelError(
            f"draws={draws}: at least one bootstrap draw is needed",
            zh=f"draws={draws}：至少需要一次自助抽样",
        )
    if inf.few_treated(panel) and not allow_few_treated:
        raise PanelError(
            f"the wild cluster bootstrap is not valid here: {inf.rule_note(panel)}; use "
            "inference='collapse' or 'permutation' (or inference='cluster' to run it anyway, "
            "labelled not valid)",
            zh=f"野聚类自助法在此无效：{inf.rule_note_zh(panel)}；"
            "请使用 inference='collapse' 或 'permutation'（或用 inference='cluster' 强行运行，"
            "结果标注为无效）",
        )
    long = panel.to_long()
    unit_dummies = pd.get_dummies(
        long["unit"].astype(str), prefix="u", drop_first=True, dtype=float
    )
    time_dummies = pd.get_dummies(long["period"], prefix="t", drop_first=True, dtype=float)
    exog = pd.concat([long[["treated"]], unit_dummies, time_dummies], axis=1)
    exog.insert(0, "const", 1.0)
    model = sm.OLS(long["y"].to_numpy(), exog)
    fit = model.fit(cov_type="cluster", cov_kwds={"groups": long["unit"].astype(str)})
    # Integer cluster codes: the package's numba kernels cannot type string labels.
    cluster = pd.factorize(long["unit"])[0].astype(np.int64)
    with contextlib.redirect_stdout(io.StringIO()):
        table = wildboottest(
            model,
            B=draws,
            cluster=cluster,
            param="treated",
            weights_type=weights_type,
            seed=seed,
            show=False,
            parallel=False,
        )
    n_treated = int(panel.ever_treated.sum())
    g = panel.n_units
    if n_treated == 1:
        caveat = (
            "only one treated cluster: the wild cluster bootstrap is known to fail here "
            "(MacKinnon & Webb 2017); do not read this p-value as evidence"
        )
    elif n_treated < 5 or g - n_treated < 5:
        caveat = (
            f"{min(n_treated, g - n_treated)} clusters on one side: wild cluster "
            "bootstrap p-values are unreliable with so few treated or control clusters"
        )
    else:
        caveat = ""
    label = (
        f"wild cluster bootstrap (WCR, {weights_type.title()}), "
        f"{g} clusters ({n_treated} treated), {draws} draws; p-value only, no interval"
    )
    if inf.few_treated(panel):
        label = f"{inf.invalid_label(panel)}: {label}"
    effect = Estimate(
        name="att",
        estimate=float(fit.params["treated"]),
        se=float(fit.bse["treated"]),
        p_value=float(np.asarray(table["p-value"].iloc[0]).item()),
        interval_method=label,
    )
    return WildBootstrapResult(
        effect=effect,
        t_stat=float(table["statistic"].iloc[0]),
        n_clusters=g,
        n_treated_clusters=n_treated,
        draws=draws,
        weights_type=weights_type,
        caveat=caveat,
    )
