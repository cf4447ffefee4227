"""Difference-in-differences toolkit: one treated unit, one adoption date or staggered waves.

Start from :func:`~analysis.did.spec.estimate_did` with a :class:`~analysis.did.spec.DiDSpec`,
or call an estimator directly on a :class:`~analysis.did.panel.Panel`. Modules (one estimator
each): :mod:`~analysis.did.panel` (input checks), :mod:`~analysis.did.twobytwo`,
:mod:`~analysis.did.twfe`, :mod:`~analysis.did.event_study`, :mod:`~analysis.did.staggered`
(Callaway & Sant'Anna), :mod:`~analysis.did.synthetic_control`,
:mod:`~analysis.did.sdid`, :mod:`~analysis.did.permutation`,
:mod:`~analysis.did.wild_bootstrap`, :mod:`~analysis.did.honest`. Every result is built on
:class:`analysis.estimates.Estimate` and has ``estimates()``, ``summary()``, ``to_frame()``
and ``to_json()``. :mod:`~analysis.did.inference` holds the few-treated rule (fewer than 10
treated or control clusters: no cluster-robust interval is presented as valid) and the
methods valid there (unit-level collapse, randomisation inference with test inversion,
Conley-Taber); :mod:`~analysis.did.twfe` uses pyfixest so clustered SEs follow the
fixest/reghdfe CR1 convention. :mod:`~analysis.did.simulate` provides panels with known
effects and their true estimands, :mod:`~analysis.did.coverage` the coverage simulation;
:mod:`~analysis.did.cli` is the command line.
"""

from typing import Any

from analysis.did.panel import Panel, PanelError, first_treated_from_indicator, prepare_panel

__all__ = [
    "DiDRun",
    "DiDSpec",
    "Panel",
    "PanelError",
    "estimate_did",
    "first_treated_from_indicator",
    "prepare_panel",
]
_FROM_SPEC = ("DiDRun", "DiDSpec", "estimate_did")


def __getattr__(name: str) -> Any:
    # The spec imports every estimator (linearmodels, differences); load it only when asked.
    if name in _FROM_SPEC:
        from analysis.did import spec

        return getattr(spec, name)
    raise AttributeError(f"module 'analysis.did' has no attribute {name!r}")
