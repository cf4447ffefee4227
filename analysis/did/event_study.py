"""Event study (dynamic TWFE) with leads and lags, a joint pre-trend test, and a plot.

Relative-time dummies ``1[t - g = k]`` for treated units are added to a TWFE regression
(pyfixest ``feols``, unit and time effects, clustered by unit with the fixest/reghdfe CR1
convention by default, see :mod:`analysis.did.twfe`); ``k = -1`` is the reference. Event
times beyond the window are binned into the end points, so the end-point coefficients
average over the far leads/lags and never-treated units anchor the time effects.
``bin_width`` groups periods first, e.g. 12 turns monthly event time into years.

``leads`` counts the event times before 0 in the window, the reference -1 included:
``leads=2`` estimates one lead (-2, pooling every earlier period), ``leads=1`` (or 0)
estimates none: every pre-period is pooled into the reference, and there is no pre-trend
test. (:mod:`analysis.did.honest` needs ``leads >= 2``.)

Inference follows :mod:`analysis.did.inference`: with many treated and control clusters the
coefficients carry clustered intervals and the pre-trend test is the Wald test
``W = b' V^{-1} b ~ chi2(#leads)``. In a few-treated design (e.g. one treated unit) the
default ``inference="auto"`` gives every coefficient the unit-level collapse t(N0 - 1)
interval, ``vcov`` is the collapse covariance, and the pre-trend test is Hotelling's
``T^2`` on that covariance, ``F = (m - L + 1) / (L m) T^2 ~ F(L, m - L + 1)`` with
``m = N0 - 1`` (exact for one treated unit under normal errors homoskedastic across units);
the clustered table is kept in ``cluster_table`` labelled not valid.

A non-rejection is weak evidence (Roth 2022: pre-tests have low power and conditioning on
them distorts inference), which is why :mod:`analysis.did.honest` reports sensitivity sets.
With staggered adoption and heterogeneous effects these coefficients are contaminated by
other periods' effects (Sun & Abraham 2021); use the dynamic aggregation of
:mod:`analysis.did.staggered` there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from analysis.did import inference as inf
from analysis.did.panel import Panel, PanelError
from analysis.did.twfe import Vcov, convention_label, fixest_fit
from analysis.estimates import Estimate, ResultMixin, estimates_frame

REFERENCE = -1


@dataclass(frozen=True)
class EventStudyResult(ResultMixin):
    """Result of :func:`event_study`.

    Attributes
    ----------
    table
        One row per event time: rel_time, estimate, se, ci_lower, ci_upper, p_value (the
        reference row has estimate 0 and NaN elsewhere), from the inference in use.
    vcov
        Covariance of the non-reference coefficients under that inference, ordered as in
        ``table`` (clustered, or the collapse covariance in a few-treated design).
    df
        Degrees of freedom of the t reference of ``table`` and ``vcov`` (None = normal).
    pretrend_chi2, pretrend_df, pretrend_p_value, pretrend_method
        Joint test that all leads are zero (Wald chi2 or Hotelling F, see the module).
    reference, bin_width
        Omitted event time and the period grouping used.
    alpha, interval_method
        Interval level and how the table's intervals were obtained.
    inference, vcov_convention
        The inference method and the clustered variance convention.
    cluster_table
        The clustered table (labelled not valid in ``cluster_method`` when few-treated).
    post
        The post-period average under the inference in use.
    notes
        The inference choice and its reason.
    """

    method_name = "event study (dynamic TWFE)"

    table: pd.DataFrame
    vcov: pd.DataFrame
    pretrend_chi2: float
    pretrend_df: int
    pretrend_p_value: float
    reference: int
    bin_width: int
    alpha: float
    interval_method: str
    df: float | None = None
    pretrend_method: str = ""
    inference: str = "cluster"
    vcov_convention: str = "CR1"
    cluster_table: pd.DataFrame | None = None
    cluster_method: str = ""
    post: Estimate | None = None
    notes: tuple[str, ...] = field(default=())

    def coefficient(self, rel_time: int) -> Estimate:
        """The coefficient at one event time (the reference row has no interval)."""
        row = self.table.set_index("rel_time").loc[rel_time]
        method = (
            "reference period (normalised to 0)"
            if rel_time == self.reference
            else self.interval_method
        )
        return Estimate(
            name=f"rel_time={rel_time}",
            estimate=float(row["estimate"]),
            se=float(row["se"]),
            ci_lower=float(row["ci_lower"]),
            ci_upper=float(row["ci_upper"]),
            p_value=float(row["p_value"]),
            interval_method=method,
            alpha=self.alpha,
        )

    def post_average(self) -> Estimate:
        """Equally weighted mean of the post-period coefficients (event time >= 0)."""
        if self.post is not None:
            return self.post
        post = [k for k in self.vcov.index if k >= 0]
        if not post:
            raise PanelError(
                "the event study has no post-period coefficient",
                zh="事件研究没有任何干预后时期的系数",
            )
        weights = np.full(len(post), 1.0 / len(post))
        coef = self.table.set_index("rel_time").loc[post, "estimate"].to_numpy()
        se = float(np.sqrt(weights @ self.vcov.loc[post, post].to_numpy() @ weights))
        return Estimate.from_se(
            "post-period average",
            float(weights @ coef),
            se,
            method=self.interval_method,
            alpha=self.alpha,
            df=self.df,
        )

    def estimates(self) -> tuple[Estimate, ...]:
        """The post-period average first, then one coefficient per event time."""
        return (self.post_average(), *(self.coefficient(int(k)) for k in self.table["rel_time"]))

    def summary_header(self) -> list[tuple[str, str]]:
        """Reference period, binning, inference and the pre-trend test."""
        return [
            ("reference event time", str(self.reference)),
            ("periods per bin", str(self.bin_width)),
            ("inference", self.inference),
            ("pre-trend statistic (df)", f"{self.pretrend_chi2:.3f} ({self.pretrend_df})"),
            ("pre-trend p-value", f"{self.pretrend_p_value:.4g}"),
        ]

    def summary_notes(self) -> list[str]:
        """The inference choice and the pre-trend test's method."""
        return [*self.notes, f"pre-trend test: {self.pretrend_method}"]

    def json_extra(self) -> dict[str, Any]:
        """The event-study table, the pre-trend test and the clustered table."""
        extra: dict[str, Any] = {
            "event_study": self.table,
            "pretrend_test": {
                "statistic": self.pretrend_chi2,
                "df": self.pretrend_df,
                "p_value": self.pretrend_p_value,
                "method": self.pretrend_method,
            },
            "reference": self.reference,
            "bin_width": self.bin_width,
            "inference": self.inference,
            "vcov": self.vcov_convention,
        }
        if self.cluster_table is not None:
            extra["cluster_robust"] = {
                "interval_method": self.cluster_method,
                "event_study": self.cluster_table,
            }
        return extra


def relative_time(panel: Panel, *, bin_width: int = 1) -> np.ndarray:
    """Binned event time (units x periods) for treated units, NaN for never-treated units."""
    return relative_time_codes(panel.group_code, panel.n_periods, bin_width=bin_width)


def relative_time_codes(
    group_code: np.ndarray, n_periods: int, *, bin_width: int = 1
) -> np.ndarray:
    """Binned event time for adoption codes ``group_code`` (NaN for never treated)."""
    period = np.arange(n_periods)[None, :]
    rel = np.floor((period - group_code[:, None]) / bin_width)
    return np.where(group_code[:, None] != -1, rel, np.nan)


def event_dummies(
    group_code: np.ndarray, n_periods: int, *, leads: int, lags: int, bin_width: int
) -> dict[int, np.ndarray]:
    """Event time -> 0/1 (units x periods) dummy, the reference excluded."""
    low = -max(leads, 1)
    rel = np.clip(relative_time_codes(group_code, n_periods, bin_width=bin_width), low, lags)
    observed = np.unique(rel[~np.isnan(rel)]).astype(int)
    return {int(k): (rel == k).astype(float) for k in observed if k != REFERENCE}


def _name(k: int) -> str:
    return f"rel_m{-k}" if k < 0 else f"rel_{k}"


def _table(rows: list[Estimate], alpha: float) -> pd.DataFrame:
    rows = [*rows, Estimate(str(REFERENCE), 0.0, alpha=alpha)]
    table = estimates_frame(rows)
    table.insert(0, "rel_time", table.pop("name").astype(int))
    return (
        table.drop(columns=["interval_method", "alpha"])
        .sort_values("rel_time")
        .reset_index(drop=True)
    )


def _pretrend_wald(b: np.ndarray, v: np.ndarray) -> tuple[float, float, str]:
    chi2 = float(b @ np.linalg.pinv(v) @ b)
    return chi2, float(stats.chi2.sf(chi2, b.size)), f"Wald chi2({b.size}), clustered covariance"


def _pretrend_hotelling(b: np.ndarray, v: np.ndarray, m: int) -> tuple[float, float, str]:
    n_leads = b.size
    if m < n_leads:
        return (
            float("nan"),
            float("nan"),
            f"not computed: {n_leads} leads need at least {n_leads + 1} never-treated units",
        )
    t2 = float(b @ np.linalg.pinv(v) @ b)
    f_stat = (m - n_leads + 1) / (n_leads * m) * t2
    p = float(stats.f.sf(f_stat, n_leads, m - n_leads + 1))
    return (
        f_stat,
        p,
        f"Hotelling T2 on the collapse covariance, F({n_leads}, {m - n_leads + 1})",
    )


def event_study(
    panel: Panel,
    *,
    leads: int = 4,
    lags: int = 4,
    bin_width: int = 1,
    alpha: float = 0.05,
    vcov: Vcov = "CR1",
    inference: inf.Inference = "auto",
    draws: int = 999,
    seed: int = 0,
) -> EventStudyResult:
    """Estimate a binned event study by TWFE.

    Parameters
    ----------
    panel
        Balanced panel with treated and never-treated units.
    leads, lags
        Window ``-leads .. lags`` in (binned) event time; outside values go to the ends.
        ``leads`` includes the reference -1; 0 or 1 estimate no lead coefficient.
    bin_width
        Number of periods per event-time bin.
    alpha
        1 - confidence level.
    vcov
        Clustered variance convention (``"CR1"`` fixest/reghdfe default).
    inference
        ``"auto"`` (few-treated rule), ``"cluster"``, ``"collapse"``, ``"permutation"`` or
        ``"conley-taber"`` (see :mod:`analysis.did.inference`).
    draws, seed
        Random reassignments for permutation inference when enumeration is too large.

    Returns
    -------
    EventStudyResult
    """
    if leads < 0:
        raise PanelError(f"leads={leads}: must be 0 or more", zh=f"leads={leads}：必须大于或等于 0")
    if lags < 0:
        raise PanelError(f"lags={lags}: must be 0 or more", zh=f"lags={lags}：必须大于或等于 0")
    if bin_width < 1:
        raise PanelError(
            f"bin_width={bin_width}: must be 1 or more",
            zh=f"bin_width={bin_width}：必须大于或等于 1",
        )
    if not panel.ever_treated.any() or panel.ever_treated.all():
        raise PanelError(
            "an event study needs treated and never-treated units",
            zh="事件研究需要处理组单位和从未处理的单位",
        )
    method, reason = inf.choose(inference, panel)
    options = {"leads": leads, "lags": lags, "bin_width": bin_width}
    dummies = event_dummies(panel.group_code, panel.n_periods, **options)
    if not dummies:
        raise PanelError(
            "the event window holds no event time other than the reference",
            zh="事件窗口中除参照期外没有其他事件时间",
        )
    long = panel.to_long()
    for k, x in dummies.items():
        long[_name(k)] = x.ravel()
    cluster_method = convention_label(vcov, panel.n_units, panel.n_treated)
    if inf.few_treated(panel):
        cluster_method = f"{inf.invalid_label(panel)}: {cluster_method}"
    fit = None
    keep = list(dummies)
    if method != "cluster":
        # The clustered fit is not needed (nor valid) here: estimates from the weights.
        try:
            weights = inf.regression_weights([dummies[k] for k in keep])
        except np.linalg.LinAlgError:
            fit = fixest_fit(long, [_name(k) for k in dummies], vcov=vcov)
    else:
        fit = fixest_fit(long, [_name(k) for k in dummies], vcov=vcov)
    if fit is not None:
        keep = [k for k in dummies if _name(k) in fit.coef.index]
        weights = inf.regression_weights([dummies[k] for k in keep])
        names = [_name(k) for k in keep]
        cluster_rows = [
            Estimate.from_se(
                str(k),
                float(fit.coef[n]),
                float(fit.se[n]),
                method=cluster_method,
                alpha=alpha,
                df=fit.df,
            )
            for n, k in zip(names, keep)
        ]
        cluster_vcov = fit.vcov.loc[names, names].copy()
        cluster_vcov.index = cluster_vcov.columns = keep
        fit_df = fit.df
    else:
        cluster_rows = [
            Estimate(str(k), float((w * panel.outcome).sum()), alpha=alpha)
            for k, w in zip(keep, weights)
        ]
        cluster_vcov = pd.DataFrame(np.nan, index=keep, columns=keep)
        fit_df = None
    post_keys = [k for k in keep if k >= 0]
    lead_keys = [k for k in keep if k < REFERENCE]
    notes = [reason]
    by_key = dict(zip(keep, weights))

    def weight_function(key: int | None):
        def weights_for(group_code: np.ndarray) -> np.ndarray:
            placebo = event_dummies(group_code, panel.n_periods, **options)
            if any(k not in placebo for k in keep):
                raise PanelError(
                    "placebo assignment lacks an event time", zh="安慰剂分配缺少事件时间"
                )
            rows = dict(zip(keep, inf.regression_weights([placebo[k] for k in keep])))
            if key is not None:
                return rows[key]
            return sum(rows[k] for k in post_keys) / len(post_keys)

        return weights_for

    def infer(name: str, w: np.ndarray, cluster: Estimate, key: int | None) -> Estimate:
        shifted = [key] if key is not None else post_keys
        direction = sum(dummies[k] for k in shifted)
        linear = inf.LinearEstimate(name, w, panel.outcome, direction)
        return inf.infer(
            method,
            panel,
            linear,
            cluster,
            weight_function(key),
            alpha=alpha,
            common_adoption=np.unique(panel.group_code[panel.ever_treated]).size == 1,
            draws=draws,
            seed=seed,
        )

    post_estimate = None
    if post_keys:
        pw = np.full(len(post_keys), 1.0 / len(post_keys))
        pv = cluster_vcov.loc[post_keys, post_keys].to_numpy()
        post_cluster = Estimate.from_se(
            "post-period average",
            float(pw @ np.array([cluster_rows[keep.index(k)].estimate for k in post_keys])),
            float(np.sqrt(pw @ pv @ pw)),
            method=cluster_method,
            alpha=alpha,
            df=fit_df,
        )
        post_w = sum(by_key[k] for k in post_keys) / len(post_keys)
        post_estimate = infer("post-period average", post_w, post_cluster, None)

    if method == "cluster":
        rows, table_vcov, df = cluster_rows, cluster_vcov, fit_df
        interval_method = cluster_method
        if lead_keys:
            b = cluster_vcov.index.get_indexer(lead_keys)
            coef = np.array([cluster_rows[keep.index(k)].estimate for k in lead_keys])
            stat, p, pre_method = _pretrend_wald(coef, cluster_vcov.to_numpy()[np.ix_(b, b)])
        cluster_table = None
    else:
        rows = [infer(str(k), by_key[k], c, k) for k, c in zip(keep, cluster_rows)]
        interval_method = rows[0].interval_method
        cov, m = (
            inf.collapse_covariance(panel, weights)
            if inf.n_never(panel) >= 2
            else (np.full((len(keep), len(keep)), np.nan), 0)
        )
        table_vcov = pd.DataFrame(cov, index=keep, columns=keep)
        df = float(m) if m else None
        if lead_keys and m:
            idx = [keep.index(k) for k in lead_keys]
            coef = np.array([by_key[k].ravel() @ panel.outcome.ravel() for k in lead_keys])
            stat, p, pre_method = _pretrend_hotelling(coef, cov[np.ix_(idx, idx)], m)
        cluster_table = _table(cluster_rows, alpha) if fit is not None else None
        if inf.few_treated(panel) and fit is not None:
            notes.append("the clustered table is in details.cluster_robust, labelled not valid")
    if not lead_keys:
        stat, p, pre_method = float("nan"), float("nan"), "no lead coefficient (leads <= 1)"
    elif method != "cluster" and not df:
        stat, p, pre_method = float("nan"), float("nan"), "not computed: no collapse variance"
    return EventStudyResult(
        table=_table(rows, alpha),
        vcov=table_vcov,
        pretrend_chi2=stat,
        pretrend_df=len(lead_keys),
        pretrend_p_value=p,
        reference=REFERENCE,
        bin_width=bin_width,
        alpha=alpha,
        interval_method=interval_method,
        df=df,
        pretrend_method=pre_method,
        inference=method,
        vcov_convention=vcov,
        cluster_table=cluster_table,
        cluster_method=cluster_method,
        post=post_estimate,
        notes=tuple(notes),
    )


def plot_event_study(
    result: EventStudyResult | pd.DataFrame,
    *,
    ax=None,
    label: str = "estimate",
    offset: float = 0.0,
    marker: str = "o",
    linestyle: str = "-",
    color: str | None = None,
    xlabel: str = "event time",
):
    """Draw point estimates with confidence intervals against event time.

    Parameters
    ----------
    result
        An :class:`EventStudyResult` or a frame with rel_time, estimate, ci_lower, ci_upper.
    ax
        Matplotlib axes (a new figure when omitted).
    label
        Legend label; say "synthetic" in it when the data are synthetic.
    offset
        Horizontal shift, to draw two estimators side by side.
    marker, linestyle, color
        Styling, so that series differ in more than colour.
    xlabel
        Axis label.

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt

    table = result.table if isinstance(result, EventStudyResult) else result
    if ax is None:
        _, ax = plt.subplots()
    x = table["rel_time"].to_numpy(dtype=float) + offset
    y = table["estimate"].to_numpy()
    lower = y - table["ci_lower"].to_numpy()
    upper = table["ci_upper"].to_numpy() - y
    ax.errorbar(
        x,
        y,
        yerr=np.vstack([np.nan_to_num(lower), np.nan_to_num(upper)]),
        marker=marker,
        linestyle=linestyle,
        color=color,
        capsize=3,
        label=label,
    )
    ax.axhline(0, color="black", linewidth=0.8)
    ax.axvline(-0.5, color="grey", linestyle=":", linewidth=1)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("effect relative to event time -1")
    return ax
