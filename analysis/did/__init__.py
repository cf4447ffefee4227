"""Difference-in-differences toolkit for county reforms: one treated district or staggered waves.

Modules (one estimator each): :mod:`~analysis.did.panel` (input checks),
:mod:`~analysis.did.twobytwo`, :mod:`~analysis.did.twfe`, :mod:`~analysis.did.event_study`,
:mod:`~analysis.did.staggered` (Callaway & Sant'Anna), :mod:`~analysis.did.synthetic_control`,
:mod:`~analysis.did.permutation`, :mod:`~analysis.did.wild_bootstrap`,
:mod:`~analysis.did.honest`; :mod:`~analysis.did.simulate` and :mod:`~analysis.did.demo`
provide panels with known effects; :mod:`~analysis.did.cli` is the command line and
:mod:`~analysis.did.benchmark` the ``make bench`` entry.
"""

from analysis.did.panel import Panel, PanelError, first_treated_from_indicator, prepare_panel

__all__ = ["Panel", "PanelError", "first_treated_from_indicator", "prepare_panel"]
