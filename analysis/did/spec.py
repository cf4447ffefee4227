"""One entry point for every DiD estimator: a :class:`DiDSpec` in, a result out.

:func:`estimate_did` checks the panel (:func:`~analysis.did.panel.prepare_panel`) and runs the
estimator the spec names. The command line builds its options from :class:`DiDSpec` (one
option per field, see :mod:`analysis.cli_spec`), so everything the API can do, the command
line can do, under the same names.

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

from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd

from analysis.cli_spec import option
from analysis.did.event_study import event_study
from analysis.did.honest import Restriction, honest_bounds
from analysis.did.panel import AlwaysTreatedPolicy, BalancePolicy, Panel, prepare_panel
from analysis.did.permutation import permutation_test, placebo_in_space
from analysis.did.staggered import ComparisonGroup, callaway_santanna
from analysis.did.synthetic_control import synthetic_control
from analysis.did.twfe import twfe
from analysis.did.twobytwo import two_by_two
from analysis.did.wild_bootstrap import WeightsType, wild_cluster_bootstrap
from analysis.errors import UsageError
from analysis.estimates import Estimate, ResultMixin

Estimator = Literal["2x2", "twfe", "event", "cs", "sc", "placebo", "permutation", "wild", "honest"]
ESTIMATORS: tuple[str, ...] = Estimator.__args__  # type: ignore[attr-defined]
DEFAULT_DRAWS = {"permutation": 10_000, "wild": 9_999}


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
            "synthetic control with placebo p-value (one treated unit); placebo: placebo-in-space "
            "test (one treated unit); permutation: Monte Carlo permutation test; wild: wild "
            "cluster bootstrap of the TWFE coefficient; honest: sensitivity bounds for "
            "parallel-trends violations on the event study"
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
            "units treated from the first observed period (no pre-period): refuse them, or drop "
            "them (as R's did does)"
        ),
    )
    alpha: float = field(
        default=0.05, metadata=option("one minus the confidence level of every interval")
    )
    leads: int = field(
        default=4,
        metadata=option(
            "event, honest: leads in the window (earlier event times are binned into the first)"
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
            "(default 9999)"
        ),
    )
    seed: int = field(default=0, metadata=option("permutation, wild: random seed"))
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
            "honest: values of Mbar or M to report (default: a grid of 21 values)", metavar="M"
        ),
    )

    def __post_init__(self) -> None:
        if not 0.0 < self.alpha < 1.0:
            raise UsageError(f"alpha={self.alpha}: must lie strictly between 0 and 1")
        if self.draws is not None and self.draws < 1:
            raise UsageError(f"draws={self.draws}: at least one draw is needed")
        if any(m < 0 for m in self.m_grid):
            raise UsageError("m_grid= values must be 0 or more")

    def panel_options(self) -> dict[str, str]:
        """The keyword arguments of :func:`~analysis.did.panel.prepare_panel`."""
        return {
            "unit": self.unit,
            "time": self.time,
            "outcome": self.outcome,
            "first_treated": self.first_treated,
            "balance": self.balance,
            "always_treated": self.always_treated,
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
        """Units, periods and the units dropped by ``balance`` and ``always_treated``."""
        return {
            "n_units": self.panel.n_units,
            "n_periods": self.panel.n_periods,
            "n_treated": self.panel.n_treated,
            "n_dropped_unbalanced": self.panel.n_dropped_unbalanced,
            "n_dropped_always_treated": self.panel.n_dropped_always_treated,
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


def run_estimator(panel: Panel, spec: DiDSpec) -> ResultMixin:
    """Run the estimator ``spec`` names on a prepared panel."""
    name = spec.estimator
    draws = spec.draws if spec.draws is not None else DEFAULT_DRAWS.get(name, 0)
    if name == "2x2":
        return two_by_two(panel, alpha=spec.alpha)
    if name == "twfe":
        return twfe(panel, alpha=spec.alpha)
    if name in ("event", "honest"):
        event = event_study(
            panel, leads=spec.leads, lags=spec.lags, bin_width=spec.bin_width, alpha=spec.alpha
        )
        if name == "event":
            return event
        return honest_bounds(
            event,
            rel_time=spec.rel_time,
            restriction=spec.restriction,
            m_grid=spec.m_grid or None,
            alpha=spec.alpha,
        )
    if name == "cs":
        return callaway_santanna(panel, comparison=spec.comparison, alpha=spec.alpha)
    if name == "sc":
        return synthetic_control(panel)
    if name == "placebo":
        return placebo_in_space(panel)
    if name == "permutation":
        return permutation_test(panel, n_draws=draws, seed=spec.seed)
    if name == "wild":
        return wild_cluster_bootstrap(
            panel, draws=draws, weights_type=spec.bootstrap_weights, seed=spec.seed
        )
    raise UsageError(f"estimator={name!r}: choose one of {', '.join(ESTIMATORS)}")


def estimate_did(frame: pd.DataFrame, spec: DiDSpec) -> DiDRun:
    """Check ``frame`` as a panel and run the estimator ``spec`` names.

    Parameters
    ----------
    frame
        Long data, one row per unit and period (e.g. from :func:`analysis.cli_spec.read_frame`).
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
