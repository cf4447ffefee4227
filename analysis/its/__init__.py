"""Interrupted time series: segmented regression, diagnostics, power and the reported points.

Public entry points: :func:`analysis.its.fit.its` / :func:`analysis.its.fit.fit_its`,
:mod:`analysis.its.diagnostics`, :mod:`analysis.its.power`, :mod:`analysis.its.reported`.
"""

from analysis.its.errors import ITSInputError
from analysis.its.fit import ITSSpec, OtherInterruption, fit_its, its
from analysis.its.results import Effect, ITSResult

__all__ = ["Effect", "ITSInputError", "ITSResult", "ITSSpec", "OtherInterruption", "fit_its",
           "its"]
