"""Interrupted time series: segmented regression, diagnostics and power.

Public entry points: :func:`analysis.its.fit.its` / :func:`analysis.its.fit.fit_its` (results in
the shared dialect of :mod:`analysis.estimates`; Stata ``itsa``'s single- and multiple-group
models, coefficients under ``itsa``'s names), :mod:`analysis.tables.timelabels` (time as users
write it), :mod:`analysis.its.actest` (autocorrelation by lag and the Newey-West lag rule),
:mod:`analysis.its.diagnostics`, :mod:`analysis.its.events`, :mod:`analysis.its.interruptions`
(further interruptions such as an epidemic), :mod:`analysis.its.power`, and the command line
:mod:`analysis.its.cli`.
"""

from analysis.its.errors import ITSInputError
from analysis.its.fit import ITSSpec, fit_its, its
from analysis.its.interruptions import OtherInterruption
from analysis.its.results import ITSResult

__all__ = ["ITSInputError", "ITSResult", "ITSSpec", "OtherInterruption", "fit_its", "its"]
