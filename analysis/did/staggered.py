"""Staggered adoption: Callaway & Sant'Anna (2021) group-time ATTs and their aggregations.

Estimator choice
----------------
This module wraps the ``differences`` package (0.3.0, ``differences.ATTgt``) rather than
implementing the estimator again. Two packages were evaluated on the R ``did`` package's
own example data (``mpdta``, obtained offline from the ``moderndid`` wheel) and on a
simulated 3,000 counties x 10 years panel:

* ``differences`` 0.3.0 reproduces every published ATT(g,t) of R ``did`` on ``mpdta`` to four
  decimals, and its simple, cohort and event aggregations (e.g. simple ATT -0.0400 against
  the vignette's -0.04), has analytic influence-function standard errors, never-treated and
  not-yet-treated controls, runs under pandas 3, and fits 3,000 x 10 with SEs and all
  aggregations in about 1.5 s on one core. Its results are tidy frames.
* ``csdid`` 0.4.3 gives the same point estimates and is as fast, but prints summaries to
  stdout and its standard errors come from a multiplier bootstrap by default, which makes
  them depend on a random draw. It is kept as a second implementation in the tests.

Only the unconditional estimator is exposed (no covariates): with no covariates the
outcome-regression, IPW and doubly-robust estimators coincide. The base period is
"varying" (R ``did``'s default): pre-period ATT(g,t) compare t with t-1, post-period ones
compare t with g-1. Units adopting after the panel ends count as never treated. With
``comparison="notyet"`` and no never-treated units, ``differences`` (like R ``did``) uses the
last cohort as the comparison group, drops periods from its adoption on, and warns.

Inference: with many treated and control units the intervals are ``differences``' analytic
influence-function SEs (``inference="cluster"``). In a few-treated design
(:mod:`analysis.did.inference`) the default ``inference="auto"`` replaces them everywhere
(aggregates and tables) by the unit-level collapse t-interval computed from the estimator's
weights (:func:`cell_weights`): every ATT(g,t) is a difference of unit means, so every
aggregate is linear in the outcomes. The analytic intervals are kept in
``details.cluster_robust`` labelled not valid.

Examples
--------
>>> from analysis.did.simulate import simulate_staggered
>>> from analysis.did.panel import prepare_panel
>>> frame = simulate_staggered(n_units=200, n_periods=6, cohorts=(3,), shape="constant",
...                            noise=0.1, seed=3)
>>> panel = prepare_panel(frame, unit="unit", time="time", outcome="y",
...                       first_treated="first_treated")
>>> result = callaway_santanna(panel)
>>> round(result.simple.estimate, 1)
1.0
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np
import pandas as pd

from analysis.did import inference as inf
from analysis.did.panel import NEVER, Panel, PanelError
from analysis.estimates import Estimate, ResultMixin, wald_interval, wald_p_value

ComparisonGroup = Literal["never", "notyet"]
_COMPARISON = {"never": "never_treated", "notyet": "not_yet_treated"}
_DESCRIPTION = {"never": "never-treated", "notyet": "never- and not-yet-treated"}


@dataclass(frozen=True)
class CSResult(ResultMixin):
    """Result of :func:`callaway_santanna`.

    Attributes
    ----------
    group_time
        group, time (original labels), rel_time (in periods), estimate, se, ci_lower,
        ci_upper, p_value: one row per ATT(g,t).
    simple
        Simple aggregation: ATT(g,t) for t >= g averaged with group-size weights.
    group
        Per-group average of post-period ATT(g,t): group, estimate, se, ci_lower, ci_upper,
        p_value; ``group_overall`` averages these across groups.
    dynamic
        Event-time aggregation: rel_time, estimate, se, ci_lower, ci_upper, p_value;
        ``dynamic_overall`` averages event times >= 0.
    comparison
        Comparison group used.
    inference, notes
        Inference method of the aggregates and tables, and why it was chosen.
    cluster_estimates
        The analytic-SE aggregates (labelled not valid in a few-treated design).
    """

    method_name = "Callaway-Sant'Anna group-time ATT"

    group_time: pd.DataFrame
    simple: Estimate
    group: pd.DataFrame
    group_overall: Estimate
    dynamic: pd.DataFrame
    dynamic_overall: Estimate
    comparison: ComparisonGroup
    inference: str = "cluster"
    notes: tuple[str, ...] = ()
    cluster_estimates: tuple[Estimate, ...] = ()

    def estimates(self) -> tuple[Estimate, ...]:
        """Simple, group and dynamic aggregates, headline (simple) first."""
        return (self.simple, self.group_overall, self.dynamic_overall)

    def summary_header(self) -> list[tuple[str, str]]:
        """Comparison group and the number of group-time cells."""
        return [
            ("comparison group", _DESCRIPTION[self.comparison]),
            ("group-time cells", str(len(self.group_time))),
            ("inference", self.inference),
        ]

    def summary_notes(self) -> list[str]:
        """The inference choice and its reason."""
        return list(self.notes)

    def json_extra(self) -> dict[str, Any]:
        """Group-time cells and the group and event-time aggregations."""
        return {
            "comparison": self.comparison,
            "group_time": self.group_time,
            "group": self.group,
            "event_study": self.dynamic,
            "inference": self.inference,
            "cluster_robust": [e.to_dict() for e in self.cluster_estimates],
        }


def _flatten(frame: pd.DataFrame) -> pd.DataFrame:
    """Turn a ``differences`` result (3-level columns) into estimate and se."""
    out = pd.DataFrame(index=frame.index)
    out["estimate"] = frame.xs("ATT", axis=1, level=-1).iloc[:, 0].astype(float)
    out["se"] = frame.xs("std_error", axis=1, level=-1).iloc[:, 0].astype(float)
    return out


def _with_ci(frame: pd.DataFrame, alpha: float) -> pd.DataFrame:
    frame = frame.copy()
    frame["ci_lower"], frame["ci_upper"] = wald_interval(frame["estimate"], frame["se"], alpha)
    frame["p_value"] = [wald_p_value(e, s) for e, s in zip(frame["estimate"], frame["se"])]
    return frame


def cell_weights(
    group_code: np.ndarray, n_periods: int, comparison: ComparisonGroup = "never"
) -> dict[tuple[int, int], np.ndarray]:
    """Weights (units x periods) of every ATT(g,t), keyed by (cohort code, period code).

    Post cells (t >= g) compare t with g - 1, pre cells compare t with t - 1 (R ``did``'s
    varying base period); the comparison is the never-treated units, or with ``"notyet"``
    also the units not yet treated at t (cohort g itself excluded).
    """
    cells: dict[tuple[int, int], np.ndarray] = {}
    n = group_code.size
    for g in np.unique(group_code[group_code != NEVER]):
        members = group_code == g
        for t in range(1, n_periods):
            base = g - 1 if t >= g else t - 1
            if comparison == "never":
                control = group_code == NEVER
            else:
                control = (group_code == NEVER) | ((group_code > max(t, base)) & ~members)
            if not control.any():
                continue
            unit = np.where(members, 1 / members.sum(), 0.0) - np.where(
                control, 1 / control.sum(), 0.0
            )
            w = np.zeros((n, n_periods))
            w[:, t] += unit
            w[:, base] -= unit
            cells[(int(g), t)] = w
    return cells


def aggregate_weights(
    group_code: np.ndarray, n_periods: int, comparison: ComparisonGroup = "never"
) -> dict[str, Any]:
    """Weights of the simple, group and dynamic aggregations (and their tables)."""
    cells = cell_weights(group_code, n_periods, comparison)
    sizes = {int(g): int((group_code == g).sum()) for g in np.unique(group_code) if g != NEVER}
    post = [(g, t) for (g, t) in cells if t >= g]
    if not post:
        raise PanelError("no post-treatment group-time cell", zh="没有任何干预后的组-时期单元")
    total = sum(sizes[g] for g, _ in post)
    simple = sum(sizes[g] * cells[(g, t)] for g, t in post) / total
    group = {}
    for g in sorted({g for g, _ in post}):
        own = [cells[(h, t)] for h, t in post if h == g]
        group[g] = sum(own) / len(own)
    group_overall = sum(sizes[g] * w for g, w in group.items()) / sum(sizes[g] for g in group)
    dynamic = {}
    for e in sorted({t - g for g, t in cells}):
        members = [(g, t) for g, t in cells if t - g == e]
        weight = sum(sizes[g] for g, _ in members)
        dynamic[e] = sum(sizes[g] * cells[(g, t)] for g, t in members) / weight
    post_e = [e for e in dynamic if e >= 0]
    dynamic_overall = sum(dynamic[e] for e in post_e) / len(post_e)
    return {
        "cells": cells,
        "simple": simple,
        "group": group,
        "group_overall": group_overall,
        "dynamic": dynamic,
        "dynamic_overall": dynamic_overall,
    }


def callaway_santanna(
    panel: Panel,
    *,
    comparison: ComparisonGroup = "never",
    alpha: float = 0.05,
    inference: inf.Inference = "auto",
    draws: int = 999,
    seed: int = 0,
) -> CSResult:
    """Estimate group-time ATTs and their simple, group and dynamic aggregations.

    Parameters
    ----------
    panel
        Balanced panel; ``group_code`` gives each unit's adoption period.
    comparison
        ``"never"``: never-treated units; ``"notyet"``: never and not-yet-treated units.
    alpha
        1 - confidence level (pointwise intervals).
    inference
        ``"auto"`` (few-treated rule), ``"cluster"`` (analytic SEs), ``"collapse"``,
        ``"permutation"`` or ``"conley-taber"`` (see :mod:`analysis.did.inference`).
    draws, seed
        Random reassignments for permutation inference when enumeration is too large.

    Returns
    -------
    CSResult

    Raises
    ------
    PanelError
        If no unit is treated, or there is no valid comparison group.
    """
    from differences import ATTgt

    if comparison not in _COMPARISON:
        raise PanelError(
            f"comparison={comparison!r}: must be 'never' or 'notyet'",
            zh=f"comparison={comparison!r}：必须是 'never' 或 'notyet'",
        )
    if not panel.ever_treated.any():
        raise PanelError("no treated units in the panel", zh="面板中没有处理组单位")
    if comparison == "never" and panel.ever_treated.all():
        raise PanelError(
            "no never-treated units: use comparison='notyet'",
            zh="没有从未处理的单位：请使用 comparison='notyet'",
        )
    chosen, reason = inf.choose(inference, panel)
    if inf.n_never(panel) == 0 and chosen != "cluster":
        if inference != "auto":
            raise PanelError(
                f"inference={inference!r} needs never-treated units (none here); use "
                "inference='cluster'",
                zh=f"inference={inference!r} 需要从未处理的单位（这里没有）；"
                "请使用 inference='cluster'",
            )
        chosen = "cluster"
        reason = (
            "no never-treated units: the collapse variance and the randomisation test are not "
            "available, so the analytic SEs are reported (labelled NOT VALID if few-treated); "
            + reason
        )
    sizes = np.unique(panel.group_code[panel.ever_treated], return_counts=True)[1]
    if sizes.min() < 2 and chosen == "cluster":
        # The influence-function SE of a one-unit cohort has no treated-side variance.
        warnings.warn(
            "a cohort has a single treated unit: its analytic standard errors ignore that "
            "unit's own variability; use --inference auto (collapse) or permutation",
            UserWarning,
            stacklevel=2,
        )
    if chosen != "cluster":
        # Point estimates from the estimator's own weights (equal to differences' to 1e-12,
        # tests/test_did_staggered.py); the analytic SEs are not computed: not valid here.
        base = _from_weights(panel, comparison, alpha)
        return _reinfer(panel, base, chosen, reason, alpha=alpha, draws=draws, seed=seed)
    n, t = panel.outcome.shape
    cohort = np.where(panel.ever_treated, panel.group_code, np.nan)
    data = pd.DataFrame(
        {
            "entity": np.repeat(np.arange(n), t),
            "time": np.tile(np.arange(t), n),
            "y": panel.outcome.ravel(),
            "cohort": np.repeat(cohort, t),
        }
    ).set_index(["entity", "time"])
    with warnings.catch_warnings():
        # differences emits pandas FutureWarnings from its internals; they do not affect results.
        warnings.simplefilter("ignore", FutureWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        model = ATTgt(data=data, cohort_column="cohort")
        model.fit(
            formula="y", est_method="reg", control_group=_COMPARISON[comparison], progress_bar=False
        )
        gt = _flatten(model.results()).reset_index()
        simple = _flatten(model.aggregate("simple")).iloc[0]
        cohort_agg = _flatten(model.aggregate("cohort")).reset_index()
        cohort_all = _flatten(model.aggregate("cohort", overall=True)).iloc[0]
        event = _flatten(model.aggregate("event")).reset_index()
        event_all = _flatten(model.aggregate("event", overall=True)).iloc[0]
    times = panel.times
    method = (
        f"normal, analytic influence-function SE (differences), "
        f"{_DESCRIPTION[comparison]} comparison, {panel.n_units} units "
        f"({panel.n_treated} treated)"
    )

    def aggregate(name: str, row: pd.Series) -> Estimate:
        return Estimate.from_se(
            name, float(row["estimate"]), float(row["se"]), method=method, alpha=alpha
        )

    group_time = pd.DataFrame(
        {
            "group": times[gt["cohort"].to_numpy(dtype=int)],
            "time": times[gt["time"].to_numpy(dtype=int)],
            "rel_time": (gt["time"] - gt["cohort"]).to_numpy(dtype=int),
            "estimate": gt["estimate"].to_numpy(),
            "se": gt["se"].to_numpy(),
        }
    )
    group = pd.DataFrame(
        {
            "group": times[cohort_agg["cohort"].to_numpy(dtype=int)],
            "estimate": cohort_agg["estimate"],
            "se": cohort_agg["se"],
        }
    )
    dynamic = pd.DataFrame(
        {
            "rel_time": event["relative_period"].to_numpy(dtype=int),
            "estimate": event["estimate"],
            "se": event["se"],
        }
    )
    analytic = CSResult(
        group_time=_with_ci(group_time, alpha),
        simple=aggregate("simple ATT", simple),
        group=_with_ci(group, alpha),
        group_overall=aggregate("group-average ATT", cohort_all),
        dynamic=_with_ci(dynamic, alpha),
        dynamic_overall=aggregate("event-time average ATT", event_all),
        comparison=comparison,
    )
    if chosen == "cluster":
        return replace(
            analytic,
            simple=inf.label_cluster(panel, analytic.simple),
            group_overall=inf.label_cluster(panel, analytic.group_overall),
            dynamic_overall=inf.label_cluster(panel, analytic.dynamic_overall),
            inference=chosen,
            notes=(reason,),
        )
    return _reinfer(panel, analytic, chosen, reason, alpha=alpha, draws=draws, seed=seed)


def _from_weights(panel: Panel, comparison: ComparisonGroup, alpha: float) -> CSResult:
    """CS point estimates computed from :func:`aggregate_weights` (no standard errors)."""
    weights = aggregate_weights(panel.group_code, panel.n_periods, comparison)
    y, times = panel.outcome, panel.times

    def value(w: np.ndarray) -> float:
        return float((w * y).sum())

    group_time = pd.DataFrame(
        [
            {"group": times[g], "time": times[t], "rel_time": t - g, "estimate": value(w)}
            for (g, t), w in weights["cells"].items()
        ]
    )
    group = pd.DataFrame(
        [{"group": times[g], "estimate": value(w)} for g, w in weights["group"].items()]
    )
    dynamic = pd.DataFrame(
        [{"rel_time": e, "estimate": value(w)} for e, w in weights["dynamic"].items()]
    )
    for frame in (group_time, group, dynamic):
        frame["se"] = np.nan
    return CSResult(
        group_time=_with_ci(group_time, alpha),
        simple=Estimate("simple ATT", value(weights["simple"]), alpha=alpha),
        group=_with_ci(group, alpha),
        group_overall=Estimate("group-average ATT", value(weights["group_overall"]), alpha=alpha),
        dynamic=_with_ci(dynamic, alpha),
        dynamic_overall=Estimate(
            "event-time average ATT", value(weights["dynamic_overall"]), alpha=alpha
        ),
        comparison=comparison,
    )


def _reinfer(
    panel: Panel,
    analytic: CSResult,
    method: str,
    reason: str,
    *,
    alpha: float,
    draws: int,
    seed: int,
) -> CSResult:
    """Replace the analytic intervals by ``method``'s, from the estimator's weights."""
    n_periods, comparison = panel.n_periods, analytic.comparison
    actual = aggregate_weights(panel.group_code, n_periods, comparison)
    d = inf.treated_indicator(panel.group_code, n_periods)

    def one(name: str, w: np.ndarray, pick, cluster: Estimate) -> Estimate:
        def weight_function(group_code: np.ndarray) -> np.ndarray:
            return pick(aggregate_weights(group_code, n_periods, comparison))

        positive = (w > 0).astype(float)
        shift = positive * d
        if not shift.any():  # a pre-period cell: its own treated units at its period
            shift = positive * panel.ever_treated[:, None]
        linear = inf.LinearEstimate(name, w, panel.outcome, shift)
        return inf.infer(
            method,
            panel,
            linear,
            cluster,
            weight_function,
            alpha=alpha,
            common_adoption=np.unique(panel.group_code[panel.ever_treated]).size == 1,
            draws=draws,
            seed=seed,
        )

    simple = one("simple ATT", actual["simple"], lambda a: a["simple"], analytic.simple)
    group_overall = one(
        "group-average ATT",
        actual["group_overall"],
        lambda a: a["group_overall"],
        analytic.group_overall,
    )
    dynamic_overall = one(
        "event-time average ATT",
        actual["dynamic_overall"],
        lambda a: a["dynamic_overall"],
        analytic.dynamic_overall,
    )

    def table(frame: pd.DataFrame, weights: list[np.ndarray], picks: list) -> pd.DataFrame:
        frame = frame.copy()
        rows = [
            one(str(i), w, pick, Estimate(str(i), float(e)))
            for i, (w, pick, e) in enumerate(zip(weights, picks, frame["estimate"]))
        ]
        for column in ("se", "ci_lower", "ci_upper", "p_value"):
            frame[column] = [getattr(r, column) for r in rows]
        return frame

    times = panel.times
    code_of = {t: i for i, t in enumerate(times)}
    gt_keys = [
        (code_of[g], code_of[t])
        for g, t in zip(analytic.group_time["group"], analytic.group_time["time"])
    ]
    group_time = table(
        analytic.group_time,
        [actual["cells"][k] for k in gt_keys],
        [(lambda a, k=k: a["cells"][k]) for k in gt_keys],
    )
    g_keys = [code_of[g] for g in analytic.group["group"]]
    group = table(
        analytic.group,
        [actual["group"][k] for k in g_keys],
        [(lambda a, k=k: a["group"][k]) for k in g_keys],
    )
    e_keys = [int(e) for e in analytic.dynamic["rel_time"]]
    dynamic = table(
        analytic.dynamic,
        [actual["dynamic"][k] for k in e_keys],
        [(lambda a, k=k: a["dynamic"][k]) for k in e_keys],
    )
    notes = [reason]
    if inf.few_treated(panel) and not np.isnan(analytic.simple.se):
        notes.append("the analytic intervals are in details.cluster_robust, labelled not valid")
    return CSResult(
        group_time=group_time,
        simple=simple,
        group=group,
        group_overall=group_overall,
        dynamic=dynamic,
        dynamic_overall=dynamic_overall,
        comparison=comparison,
        inference=method,
        notes=tuple(notes),
        cluster_estimates=tuple(
            inf.label_cluster(panel, e)
            for e in analytic.estimates()
            if not np.isnan(e.se)  # none when the analytic SEs were skipped
        ),
    )
