"""One entry point for every DiD estimator: a :class:`DiDSpec` in, a result out.

:func:`estimate_did` checks the panel (:func:`~analysis.did.panel.prepare_panel`) and runs the
estimator the spec names: ``2x2``, ``twfe``, ``event``, ``cs`` (Callaway-Sant'Anna), ``sc``
(synthetic control, with predictors and outcome lags), ``sdid`` (synthetic DiD), ``placebo``
(exact placebo in space), ``permutation`` (Monte Carlo), ``wild`` (wild cluster bootstrap)
and ``honest`` (Rambachan-Roth sensitivity on the event study). The command line builds its
options from :class:`DiDSpec` (one option per field, see :mod:`analysis.cli_spec`), so
everything the API can do, the command line can do, under the same names.

Inference options shared by 2x2, twfe, event and cs: ``inference`` (``auto`` applies the
few-treated rule of :mod:`analysis.did.inference`: with fewer than 10 treated or control
clusters the headline interval is the unit-level collapse t-interval, not the cluster-robust
one; ``cluster``, ``collapse``, ``permutation`` and ``conley-taber`` by name) and ``vcov``
(the clustered convention of twfe and event: ``CR1`` = fixest/reghdfe, ``CR3``, ``HC1``,
``linearmodels``). ``alpha`` sets every interval's level.

Examples
--------
>>> from analysis.did.simulate import simulate_single_treated
>>> frame = simulate_single_treated(n_controls=8, n_periods=20, treat_period=14, seed=3)
>>> spec = DiDSpec(unit="unit", time="time", outcome="y", first_treated="first_treated",
...                estimator="placebo")
>>> run = estimate_did(frame, spec)
>>> run.result.effect.p_value
0.1111111111111111
>>> sorted(run.to_json())
['details', 'estimates', 'estimator', 'method', 'notes', 'panel']
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd

from analysis.did.event_study import event_study
from analysis.did.honest import Restriction, honest_bounds
from analysis.did.inference import Inference
from analysis.did.panel import (
    AlwaysTreatedPolicy,
    BalancePolicy,
    Panel,
    PanelError,
    prepare_panel,
)
from analysis.did.permutation import permutation_test, placebo_in_space
from analysis.did.staggered import ComparisonGroup, callaway_santanna
from analysis.did.twfe import Vcov, twfe
from analysis.did.twobytwo import two_by_two
from analysis.did.wild_bootstrap import WeightsType, wild_cluster_bootstrap
from analysis.errors import UsageError
from analysis.estimates import Estimate, ResultMixin
from analysis.options import option

Estimator = Literal[
    "2x2", "twfe", "event", "cs", "sc", "sdid", "placebo", "permutation", "wild", "honest"
]
ESTIMATORS: tuple[str, ...] = Estimator.__args__  # type: ignore[attr-defined]
SdidSE = Literal["placebo", "jackknife", "bootstrap"]
HonestMethod = Literal["auto", "flci", "conditional", "hybrid"]
DEFAULT_DRAWS = {"permutation": 10_000, "wild": 9_999, "sdid": 500}
INFERENCE_DRAWS = 999  # random reassignments for inference='permutation' when not exact
USES_INFERENCE = ("2x2", "twfe", "event", "cs", "honest")
USES_ALWAYS_TREATED = ("twfe", "wild")


@dataclass(frozen=True)
class DiDSpec:
    """What to estimate on a long unit x period panel, and how to infer.

    Every field is also a command-line option (``unit`` -> ``--unit``); the help texts below
    are the command line's.
    """

    unit: str = field(metadata=option("unit identifier column"))
    time: str = field(metadata=option("period column (numbers such as years, or dates)"))
    outcome: str = field(metadata=option("outcome column"))
    first_treated: str = field(
        metadata=option("column with each unit's first treated period; 0 or empty = never treated")
    )
    estimator: Estimator = field(
        default="twfe",
        metadata=option(
            "2x2: canonical DiD (one adoption date); twfe: two-way fixed effects; event: event "
            "study with a pre-trend test; cs: Callaway-Sant'Anna (staggered adoption); sc: "
            "synthetic control with predictors and placebo inference (one treated unit); sdid: "
            "synthetic difference-in-differences (Arkhangelsky et al. 2021); placebo: exact "
            "placebo-in-space test (one treated unit); permutation: Monte Carlo permutation "
            "test; wild: wild cluster bootstrap of the TWFE coefficient (refused with fewer "
            "than 10 treated or control clusters unless --inference cluster); honest: "
            "Rambachan-Roth sensitivity of the event study to parallel-trends violations "
            "(needs --leads 2 or more)"
        ),
    )
    comparison: ComparisonGroup = field(
        default="never",
        metadata=option("cs: comparison units, never treated or never and not yet treated"),
    )
    balance: BalancePolicy = field(
        default="error",
        metadata=option("unbalanced panels: refuse them, or drop units missing any period"),
    )
    always_treated: AlwaysTreatedPolicy = field(
        default="error",
        metadata=option(
            "units treated from the first observed period (no pre-period): refuse them, drop "
            "them (as R's did does), or keep them (twfe and wild only: the unit effects absorb "
            "them and they inform the time effects; other estimators refuse them)"
        ),
    )
    alpha: float = field(
        default=0.05, metadata=option("one minus the confidence level of every interval")
    )
    inference: Inference = field(
        default="auto",
        metadata=option(
            "2x2, twfe, event, cs (and honest's event study): auto = cluster-robust with 10 or "
            "more treated and control clusters, otherwise the unit-level collapse t-interval "
            "(Donald-Lang; exact under normal errors homoskedastic across units); cluster = "
            "cluster-robust (labelled NOT VALID when few treated; also lets wild run); "
            "collapse; permutation = randomisation inference with test-inversion interval "
            "(unbounded when 1/N > alpha); conley-taber = Conley-Taber (2011) interval"
        ),
    )
    vcov: Vcov = field(
        default="CR1",
        metadata=option(
            "twfe, event: clustered variance convention: CR1 = fixest/reghdfe default (nested "
            "unit effects not counted), CR3 = pyfixest CRV3, HC1 = heteroskedasticity-robust, "
            "linearmodels = the linearmodels convention (counts nested effects; comparison only)"
        ),
    )
    leads: int = field(
        default=4,
        metadata=option(
            "event, honest: event times before 0 in the window, reference -1 included (earlier "
            "ones are binned into the first); 0 or 1 = no lead coefficient (all pre-periods "
            "pooled into the reference); honest needs 2 or more"
        ),
    )
    lags: int = field(
        default=4,
        metadata=option(
            "event, honest: lags in the window (later event times are binned into the last)"
        ),
    )
    bin_width: int = field(
        default=1,
        metadata=option(
            "event, honest: periods per event-time bin (e.g. 12 for years of monthly data)"
        ),
    )
    draws: int | None = field(
        default=None,
        metadata=option(
            "permutation: random reassignments (default 10000); wild: bootstrap draws "
            "(default 9999); sdid: bootstrap/placebo replications (default 500); "
            "--inference permutation: random reassignments when exact enumeration is too "
            "large (default 999)"
        ),
    )
    seed: int = field(
        default=0, metadata=option("permutation, wild, sc, sdid, --inference: random seed")
    )
    bootstrap_weights: WeightsType = field(
        default="webb",
        metadata=option(
            "wild: weight distribution (Webb is better with fewer than about 12 clusters)"
        ),
    )
    restriction: Restriction = field(
        default="relative_magnitude",
        metadata=option("honest: relative magnitudes (Mbar) or smoothness (M)"),
    )
    rel_time: int = field(
        default=0,
        metadata=option("honest: post-period event time to bound (0 = first treated period)"),
    )
    m_grid: tuple[float, ...] = field(
        default=(),
        metadata=option(
            "honest: values of Mbar or M to report (default, as R HonestDiD: Mbar 0.5, 1, 1.5, "
            "2; M: 10 values from 0 to a bound on the pre-period second differences)",
            metavar="M",
        ),
    )
    honest_method: HonestMethod = field(
        default="auto",
        metadata=option(
            "honest: Rambachan-Roth confidence set: auto, flci (fixed-length), conditional, hybrid"
        ),
    )
    predictors: tuple[str, ...] = field(
        default=(),
        metadata=option(
            "sc: covariate columns used as predictors (pre-period means)", metavar="COL"
        ),
    )
    outcome_lags: tuple[int, ...] = field(
        default=(),
        metadata=option(
            "sc: pre-period outcome values used as predictors, by time label", metavar="T"
        ),
    )
    placebo_time: int | None = field(
        default=None,
        metadata=option("sc: in-time placebo: pretend adoption this many periods earlier"),
    )
    sdid_se: SdidSE = field(
        default="placebo",
        metadata=option("sdid: standard error by placebo, jackknife or bootstrap"),
    )

    def __post_init__(self) -> None:
        if not 0.0 < self.alpha < 1.0:
            raise UsageError(
                f"alpha={self.alpha}: must lie strictly between 0 and 1",
                zh=f"alpha={self.alpha}：必须严格介于 0 和 1 之间",
            )
        if self.draws is not None and self.draws < 1:
            raise UsageError(
                f"draws={self.draws}: at least one draw is needed",
                zh=f"draws={self.draws}：至少需要一次抽样",
            )
        if any(m < 0 for m in self.m_grid):
            raise UsageError(
                "m_grid= values must be 0 or more", zh="m_grid= 的取值必须大于或等于 0"
            )
        if self.leads < 0 or self.lags < 0:
            raise UsageError(
                "leads= and lags= must be 0 or more", zh="leads= 和 lags= 必须大于或等于 0"
            )
        if self.estimator == "honest" and self.leads < 2:
            raise UsageError(
                f"leads={self.leads}: honest needs at least 2 (one estimated lead besides the "
                "reference)",
                zh=f"leads={self.leads}：honest 至少需要 2（除参照期外至少还要估计一个处理前时期）",
            )
        if self.placebo_time is not None and self.placebo_time < 1:
            raise UsageError(
                f"placebo_time={self.placebo_time}: must be 1 or more periods",
                zh=f"placebo_time={self.placebo_time}：必须至少为 1 个时期",
            )

    def panel_options(self) -> dict[str, Any]:
        """The keyword arguments of :func:`~analysis.did.panel.prepare_panel`."""
        return {
            "unit": self.unit,
            "time": self.time,
            "outcome": self.outcome,
            "first_treated": self.first_treated,
            "balance": self.balance,
            "always_treated": self.always_treated,
            "covariates": self.predictors,
        }


@dataclass(frozen=True)
class DiDRun(ResultMixin):
    """An estimator's result together with the spec and the panel it ran on.

    Delegates :meth:`estimates`, the summary and the JSON details to ``result``; the JSON
    adds ``estimator`` and ``panel`` (sizes and the units dropped by the handling rules), so
    every estimator's document has the same top-level keys.
    """

    spec: DiDSpec
    panel: Panel
    result: Any

    @property
    def method_name(self) -> str:  # type: ignore[override]
        """The estimator's method name."""
        return self.result.method_name

    def estimates(self) -> tuple[Estimate, ...]:
        """The estimator's estimates, headline first."""
        return self.result.estimates()

    def panel_summary(self) -> dict[str, int]:
        """Units, periods, treated units and the units dropped or kept by the handling rules."""
        return {
            "n_units": self.panel.n_units,
            "n_periods": self.panel.n_periods,
            "n_treated": self.panel.n_treated,
            "n_dropped_unbalanced": self.panel.n_dropped_unbalanced,
            "n_dropped_always_treated": self.panel.n_dropped_always_treated,
            "n_always_treated_kept": self.panel.n_always_treated_kept,
        }

    def summary_header(self) -> list[tuple[str, str]]:
        """Estimator, panel size, then the estimator's own header."""
        p = self.panel
        return [
            ("estimator", self.spec.estimator),
            ("outcome", self.spec.outcome),
            ("units (treated) x periods", f"{p.n_units} ({p.n_treated}) x {p.n_periods}"),
            *self.result.summary_header(),
        ]

    def summary_notes(self) -> list[str]:
        """Units dropped by the handling rules, then the estimator's notes."""
        notes = []
        if self.panel.n_dropped_unbalanced:
            notes.append(
                f"{self.panel.n_dropped_unbalanced} unit(s) missing some periods "
                "were dropped (balance='drop')"
            )
        if self.panel.n_dropped_always_treated:
            notes.append(
                f"{self.panel.n_dropped_always_treated} unit(s) treated from the first "
                "period were dropped (always_treated='drop')"
            )
        if self.panel.n_always_treated_kept:
            notes.append(
                f"{self.panel.n_always_treated_kept} unit(s) treated from the first period "
                "were kept (always_treated='keep'); the unit effects absorb them"
            )
        return notes + list(self.result.summary_notes())

    def json_extra(self) -> dict[str, Any]:
        """The estimator's own fields."""
        return self.result.json_extra()

    def to_json(self) -> dict[str, Any]:
        """``estimator``, ``panel`` and the keys of :meth:`ResultMixin.to_json`."""
        return {
            "estimator": self.spec.estimator,
            "panel": self.panel_summary(),
            **super().to_json(),
        }


def call_contract(
    function: Callable[..., Any], label: str, *args: Any, **kwargs: tuple[Any, Any]
) -> Any:
    """Call ``function`` with the keyword arguments it accepts.

    Each keyword comes as ``(value, default)``. One the function does not accept is left out
    only while its value is the default; a non-default value it cannot take is a
    :class:`UsageError` (never silently ignored).
    """
    accepted = inspect.signature(function).parameters
    open_ended = any(p.kind is p.VAR_KEYWORD for p in accepted.values())
    passed = {}
    for name, (value, default) in kwargs.items():
        if name in accepted or open_ended:
            passed[name] = value
        elif value != default:
            raise UsageError(
                f"{label} does not support {name}={value!r} in this version",
                zh=f"此版本的 {label} 不支持 {name}={value!r}",
            )
    return function(*args, **passed)


def run_estimator(panel: Panel, spec: DiDSpec) -> ResultMixin:
    """Run the estimator ``spec`` names on a prepared panel."""
    name = spec.estimator
    draws = spec.draws if spec.draws is not None else DEFAULT_DRAWS.get(name, 0)
    if panel.n_always_treated_kept and name not in USES_ALWAYS_TREATED:
        raise PanelError(
            f"{panel.n_always_treated_kept} unit(s) treated from the first period were kept "
            f"(always_treated='keep'), which only {' and '.join(USES_ALWAYS_TREATED)} can use; "
            f"pass always_treated='drop' for estimator {name!r}",
            zh=f"保留了 {panel.n_always_treated_kept} 个从第一期起就接受处理的单位"
            "（always_treated='keep'），"
            f"只有 {' 和 '.join(USES_ALWAYS_TREATED)} 能使用它们；"
            f"对估计量 {name!r} 请传入 always_treated='drop'",
        )
    shared = {
        "alpha": spec.alpha,
        "inference": spec.inference,
        "draws": spec.draws if spec.draws is not None else INFERENCE_DRAWS,
        "seed": spec.seed,
    }
    if name == "2x2":
        return two_by_two(panel, **shared)
    if name == "twfe":
        return twfe(panel, vcov=spec.vcov, **shared)
    if name in ("event", "honest"):
        event = event_study(
            panel,
            leads=spec.leads,
            lags=spec.lags,
            bin_width=spec.bin_width,
            vcov=spec.vcov,
            **shared,
        )
        if name == "event":
            return event
        return call_contract(
            honest_bounds,
            "honest_bounds",
            event,
            rel_time=(spec.rel_time, None),
            restriction=(spec.restriction, None),
            m_grid=(spec.m_grid or None, None),
            alpha=(spec.alpha, None),
            method=(spec.honest_method, "auto"),
        )
    if name == "cs":
        return callaway_santanna(panel, comparison=spec.comparison, **shared)
    if name == "sc":
        from analysis.did.synthetic_control import synthetic_control

        return call_contract(
            synthetic_control,
            "synthetic_control",
            panel,
            predictors=(spec.predictors, ()),
            outcome_lags=(spec.outcome_lags, ()),
            placebo_time=(spec.placebo_time, None),
            alpha=(spec.alpha, 0.05),
            seed=(spec.seed, 0),
        )
    if name == "sdid":
        try:
            from analysis.did.sdid import synthetic_did
        except ImportError as error:
            raise UsageError(
                f"estimator 'sdid' is not available in this version ({error})",
                zh=f"此版本无法使用 sdid 估计方法（{error}）",
            ) from error
        return synthetic_did(
            panel, se_method=spec.sdid_se, draws=draws, seed=spec.seed, alpha=spec.alpha
        )
    if name == "placebo":
        return placebo_in_space(panel, alpha=spec.alpha)
    if name == "permutation":
        return permutation_test(panel, n_draws=draws, seed=spec.seed, alpha=spec.alpha)
    if name == "wild":
        return wild_cluster_bootstrap(
            panel,
            draws=draws,
            weights_type=spec.bootstrap_weights,
            seed=spec.seed,
            allow_few_treated=spec.inference == "cluster",
        )
    raise UsageError(
        f"estimator={name!r}: choose one of {', '.join(ESTIMATORS)}",
        zh=f"estimator={name!r}：请从 {', '.join(ESTIMATORS)} 中选择",
    )


def estimate_did(frame: pd.DataFrame, spec: DiDSpec) -> DiDRun:
    """Check ``frame`` as a panel and run the estimator ``spec`` names.

    Parameters
    ----------
    frame
        Long data, one row per unit and period (e.g. from :func:`analysis.tables.frame.read_frame`).
    spec
        Columns, estimator and inference options.

    Returns
    -------
    DiDRun
        ``.result`` is the estimator's own result (e.g. a
        :class:`~analysis.did.staggered.CSResult`).

    Raises
    ------
    PanelError
        When the panel or the design cannot give an answer (the message says why).
    """
    panel = prepare_panel(frame, **spec.panel_options())
    return DiDRun(spec=spec, panel=panel, result=run_estimator(panel, spec))
