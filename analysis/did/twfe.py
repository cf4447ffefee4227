"""Two-way fixed effects DiD with fixest/reghdfe-convention clustered standard errors.

``y_it = a_i + l_t + b * D_it + e_it`` with unit and time effects absorbed. The engine is
pyfixest (``pyfixest.feols``), the Python port of R's fixest, tested by its authors against R:
by default the standard error is CR1 clustered by unit with fixest's small-sample factor
``G/(G-1) * (n-1)/(n-K)`` where K does **not** count fixed effects nested in the clusters
(the unit effects), which is also Stata ``reghdfe``'s convention, and intervals use t(G-1).
Other conventions by name (``vcov=``): ``"CR3"`` (pyfixest CRV3, jackknife-like), ``"HC1"``
(heteroskedasticity-robust, not clustered) and ``"linearmodels"`` (linearmodels
``PanelOLS``, which counts the nested unit effects in K and so gives larger SEs; kept only
for comparison with earlier output).

With few treated clusters (:mod:`analysis.did.inference`), the default ``inference="auto"``
does not present the clustered interval as valid: the headline interval is the unit-level
collapse t-interval, and the clustered one is not computed (``inference="cluster"`` computes
it, labelled NOT VALID).

Under staggered adoption with effects that change over time, ``b`` is a weighted average of
2 x 2 comparisons some of which use already-treated units as controls, with weights that
can be negative (Goodman-Bacon 2021); see :mod:`analysis.did.staggered`.

:func:`fixest_fit` also takes an unbalanced long frame directly (the :class:`Panel` path is
balanced).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from analysis.did import inference as inf
from analysis.did.panel import Panel, PanelError
from analysis.estimates import Estimate, ResultMixin

Vcov = Literal["CR1", "CR3", "HC1", "linearmodels"]
VCOV_CONVENTIONS: tuple[str, ...] = Vcov.__args__  # type: ignore[attr-defined]
_PYFIXEST_VCOV: dict[str, Any] = {
    "CR1": {"CRV1": "cluster"},
    "CR3": {"CRV3": "cluster"},
    "HC1": "hetero",
}


@dataclass(frozen=True)
class FixestFit:
    """Coefficients, SEs, covariance and t degrees of freedom of one two-way FE fit."""

    coef: pd.Series
    se: pd.Series
    vcov: pd.DataFrame
    df: float | None
    n_obs: int
    n_clusters: int
    convention: str


def convention_label(vcov: str, n_clusters: int, n_treated: int) -> str:
    """``interval_method`` text of a variance convention."""
    clusters = f"{n_clusters} clusters ({n_treated} treated)"
    return {
        "CR1": f"t(G-1), CR1 clustered by unit, fixest/reghdfe small-sample convention, {clusters}",
        "CR3": f"t(G-1), CR3 clustered by unit (pyfixest CRV3), {clusters}",
        "HC1": "t(n-K), HC1 heteroskedasticity-robust, not clustered (pyfixest 'hetero')",
        "linearmodels": (
            f"normal, clustered by unit, linearmodels convention (counts the unit effects "
            f"nested in the clusters in its small-sample factor), {clusters}"
        ),
    }[vcov]


def fixest_fit(
    long: pd.DataFrame,
    regressors: list[str],
    *,
    outcome: str = "y",
    unit: str = "unit",
    time: str = "period",
    vcov: Vcov = "CR1",
    cluster: str | None = None,
) -> FixestFit:
    """Regress ``outcome`` on ``regressors`` with ``unit`` and ``time`` effects.

    Clustered by ``cluster`` (default: the ``unit`` column). ``long`` may be unbalanced.
    Regressors collinear with the effects are dropped (as fixest does) and are absent from
    the result.
    """
    if vcov not in VCOV_CONVENTIONS:
        raise PanelError(
            f"vcov={vcov!r}: choose one of {', '.join(VCOV_CONVENTIONS)}",
            zh=f"vcov={vcov!r}：请从 {', '.join(VCOV_CONVENTIONS)} 中选择",
        )
    data = pd.DataFrame(
        {
            "y": long[outcome].to_numpy(dtype=float),
            "unit": pd.factorize(long[unit])[0],
            "period": pd.factorize(long[time])[0],
            "cluster": pd.factorize(long[cluster or unit])[0],
        }
    )
    for name in regressors:
        data[name] = long[name].to_numpy(dtype=float)
    n_clusters = int(data["cluster"].nunique())
    if vcov == "linearmodels":
        if cluster not in (None, unit):
            raise PanelError(
                "vcov='linearmodels' clusters by the unit effect only",
                zh="vcov='linearmodels' 只按单位效应聚类",
            )
        from linearmodels.panel import PanelOLS

        indexed = data.set_index(["unit", "period"])
        fit = PanelOLS(
            indexed["y"],
            indexed[regressors],
            entity_effects=True,
            time_effects=True,
            drop_absorbed=True,
        ).fit(cov_type="clustered", cluster_entity=True)
        names = [n for n in regressors if n in fit.params.index]
        return FixestFit(
            coef=fit.params[names].astype(float),
            se=fit.std_errors[names].astype(float),
            vcov=fit.cov.loc[names, names].astype(float),
            df=None,
            n_obs=int(fit.nobs),
            n_clusters=n_clusters,
            convention=vcov,
        )
    import pyfixest as pf

    formula = f"y ~ {' + '.join(regressors)} | unit + period"
    fit = pf.feols(formula, data=data, vcov=_PYFIXEST_VCOV[vcov])
    names = [str(n) for n in fit._coefnames]
    if not names:
        raise PanelError(
            "every regressor is absorbed by the unit and time effects",
            zh="所有回归变量都被单位固定效应和时间固定效应吸收",
        )
    coef = pd.Series(np.asarray(fit.coef(), dtype=float), index=names)
    se = pd.Series(np.asarray(fit.se(), dtype=float), index=names)
    cov = pd.DataFrame(np.asarray(fit._vcov, dtype=float), index=names, columns=names)
    return FixestFit(
        coef=coef,
        se=se,
        vcov=cov,
        df=float(fit._df_t),
        n_obs=int(fit._N),
        n_clusters=n_clusters,
        convention=vcov,
    )


@dataclass(frozen=True)
class TWFEResult(ResultMixin):
    """Result of :func:`twfe`.

    Attributes
    ----------
    effect
        The headline estimate: its interval comes from ``inference`` (``interval_method``
        names it).
    cluster
        The clustered estimate under ``vcov`` (labelled NOT VALID in a few-treated design).
    inference, vcov
        The inference method used for ``effect`` and the variance convention of ``cluster``.
    n_obs, n_clusters, n_treated_clusters
        Observations, clusters and treated clusters.
    notes
        Why this inference (the few-treated rule) and other caveats.
    """

    method_name = "two-way fixed effects DiD"

    effect: Estimate
    cluster: Estimate
    inference: str
    vcov: str
    n_obs: int
    n_clusters: int
    n_treated_clusters: int
    notes: tuple[str, ...] = field(default=())

    def estimates(self) -> tuple[Estimate, ...]:
        """The headline treatment coefficient."""
        return (self.effect,)

    def summary_header(self) -> list[tuple[str, str]]:
        """Observations, clusters and the inference used."""
        return [
            ("observations", str(self.n_obs)),
            ("clusters (treated)", f"{self.n_clusters} ({self.n_treated_clusters})"),
            ("inference", self.inference),
            ("variance convention", self.vcov),
        ]

    def summary_notes(self) -> list[str]:
        """The inference choice and its reason."""
        return list(self.notes)

    def json_extra(self) -> dict[str, Any]:
        """Observations, clusters, inference and the clustered estimate."""
        return {
            "n_obs": self.n_obs,
            "n_clusters": self.n_clusters,
            "n_treated_clusters": self.n_treated_clusters,
            "inference": self.inference,
            "vcov": self.vcov,
            "cluster_robust": self.cluster.to_dict(),
        }


def panel_frame(panel: Panel) -> pd.DataFrame:
    """Long frame with unit, period, y and the treatment indicator."""
    return panel.to_long()


def twfe(
    panel: Panel,
    *,
    alpha: float = 0.05,
    vcov: Vcov = "CR1",
    inference: inf.Inference = "auto",
    draws: int = 999,
    seed: int = 0,
) -> TWFEResult:
    """Estimate the TWFE DiD coefficient.

    Parameters
    ----------
    panel
        Balanced panel with some treated and some untreated unit-periods.
    alpha
        1 - confidence level.
    vcov
        Variance convention of the clustered estimate (``"CR1"`` = fixest/reghdfe default).
    inference
        ``"auto"`` (few-treated rule), ``"cluster"``, ``"collapse"``, ``"permutation"`` or
        ``"conley-taber"`` (see :mod:`analysis.did.inference`).
    draws, seed
        Random reassignments for permutation inference when exact enumeration is too large.

    Returns
    -------
    TWFEResult
    """
    if not panel.ever_treated.any() or panel.ever_treated.all():
        raise PanelError(
            "TWFE needs treated and never-treated units", zh="TWFE 需要处理组单位和从未处理的单位"
        )
    method, reason = inf.choose(inference, panel)
    skip_fit = method != "cluster" and inf.few_treated(panel)
    if skip_fit:
        # Not valid here, so not computed: the estimate comes from the weights (equal to
        # pyfixest's, tests/test_did_few_treated.py); --inference cluster shows it labelled.
        cluster = Estimate(
            "att",
            float((inf.twfe_weights(panel.group_code, panel.n_periods) * panel.outcome).sum()),
            interval_method=(
                f"{inf.invalid_label(panel)}: the clustered interval ({vcov}) is not computed; "
                "inference='cluster' shows it"
            ),
            alpha=alpha,
        )
        n_obs = panel.n_units * panel.n_periods
    else:
        fit = fixest_fit(panel_frame(panel), ["treated"], vcov=vcov)
        if "treated" not in fit.coef.index:
            raise PanelError(
                "the treatment indicator is absorbed by the unit and time effects",
                zh="处理指示变量被单位固定效应和时间固定效应吸收",
            )
        cluster = Estimate.from_se(
            "att",
            float(fit.coef["treated"]),
            float(fit.se["treated"]),
            method=convention_label(vcov, panel.n_units, panel.n_treated),
            alpha=alpha,
            df=fit.df,
        )
        n_obs = fit.n_obs
    codes = np.unique(panel.group_code[panel.ever_treated])

    def weights(group_code: np.ndarray) -> np.ndarray:
        return inf.twfe_weights(group_code, panel.n_periods)

    effect = inf.infer_linear(
        method,
        panel,
        cluster,
        weights,
        alpha=alpha,
        common_adoption=codes.size == 1,
        draws=draws,
        seed=seed,
    )
    notes = [reason]
    if skip_fit:
        notes.append(f"the clustered interval ({vcov}) is not valid here and was not computed")
    return TWFEResult(
        effect=effect,
        cluster=inf.label_cluster(panel, cluster),
        inference=method,
        vcov=vcov,
        n_obs=n_obs,
        n_clusters=panel.n_units,
        n_treated_clusters=panel.n_treated,
        notes=tuple(notes),
    )
