"""``python -m analysis did``: difference-in-differences on a panel table.

Usage::

    python -m analysis did --data FILE --unit COL --time COL --outcome COL
        (--first-treated COL | --treated-indicator COL)
        [--estimator 2x2|twfe|event|cs|sc|sdid|placebo|permutation|wild|honest]
        [--inference auto|cluster|collapse|permutation|conley-taber]
        [--vcov CR1|CR3|HC1|linearmodels] [--alpha A] [--json] ...

The options other than ``--data`` and ``--json`` are generated from
:class:`analysis.did.spec.DiDSpec` (``--help`` lists them), so the command line reaches every
estimator and inference option of :func:`analysis.did.spec.estimate_did`. ``--data`` is read
by :func:`analysis.tables.frame.read_frame`: CSV in UTF-8 or GB18030, or ``.xlsx``; messages give
spreadsheet row numbers. ``--first-treated`` names the column with each unit's first treated
period; 0 or empty means never treated. A 0/1 column that is 1 in treated periods is given with
``--treated-indicator COL`` instead (a 0/1 column given to ``--first-treated`` is refused).
Times are read by the rule of every command (:mod:`analysis.tables.timelabels`), and every
refusal names the data file. Units treated from the first observed period have no
pre-period: they are refused unless ``--always-treated drop`` (or ``keep``, for twfe and wild,
whose unit effects absorb them); unbalanced panels are refused unless ``--balance drop``.

Inference: ``--inference auto`` (default) applies the few-treated rule of
:mod:`analysis.did.inference`. With fewer than 10 treated or control clusters (e.g. one
treated district), 2x2, twfe, event and cs report the unit-level collapse t-interval, the
cluster-robust one only in ``details.cluster_robust`` labelled NOT VALID, and ``wild``
refuses unless ``--inference cluster``. ``--vcov`` picks the clustered convention of twfe
and event (``CR1`` = fixest/reghdfe by default).

``--json`` prints one document with the same top-level keys for every estimator::

    {"estimator", "panel": {n_units, n_periods, n_treated, n_dropped_..., n_always_treated_kept},
     "method", "estimates": [{name, estimate, se, ci_lower, ci_upper, p_value,
                               interval_method, alpha}, ...],
     "notes": [...], "details": {...}}

``details`` holds the estimator's own fields (e.g. ``group_time`` and ``event_study`` for cs,
``event_study`` and ``pretrend_test`` for event, ``unit_weights`` for sc, ``inference`` and
``cluster_robust`` for twfe). Values that do not exist (e.g. the SE of a two-unit 2x2) are
``null``, and ``interval_method`` says why; an unbounded confidence set has ``null`` ends and
says "unbounded". Without ``--json`` a statsmodels-like summary is printed.

Exit status: 0 done; 1 input refused (one ``error:`` line on stderr naming the column, row or
flag); 2 usage error. Caveats print as ``warning:`` lines on stderr; stdout stays clean.
"""

from __future__ import annotations

import argparse
import sys
import warnings

import pandas as pd

from analysis.cli_spec import (
    add_lang_option,
    add_spec_options,
    run_guarded,
    spec_from_args,
)
from analysis.did.panel import first_treated_from_indicator
from analysis.did.spec import DiDSpec, estimate_did
from analysis.errors import UsageError
from analysis.tables.frame import read_frame


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the ``did`` command's options to ``parser``."""
    parser.add_argument(
        "--data", required=True, help="panel table (CSV or .xlsx), one row per unit and period"
    )
    parser.add_argument("--json", action="store_true", help="print results as JSON")
    flags = add_spec_options(parser, DiDSpec, group_title="design and inference")
    for action in parser._actions:
        if action.dest == "first_treated":
            action.required = False  # --treated-indicator may give it instead
    parser.add_argument(
        "--treated-indicator",
        default=None,
        metavar="COL",
        help="instead of --first-treated: a 0/1 column that is 1 in the periods a unit is "
        "treated (absorbing); each unit's first treated period is derived from it",
    )
    add_lang_option(parser)
    parser.set_defaults(spec_flags=flags)


def _design(args: argparse.Namespace, frame: pd.DataFrame) -> tuple[DiDSpec, pd.DataFrame]:
    """The spec and the panel, deriving the first treated period from an indicator if given."""
    indicator = getattr(args, "treated_indicator", None)
    given = getattr(args, "first_treated", None)
    if indicator is None:
        if given is None:
            raise UsageError(
                "give --first-treated COL or --treated-indicator COL",
                zh="请给出 --first-treated COL 或 --treated-indicator COL",
            )
        return spec_from_args(DiDSpec, args), frame
    if given is not None:
        raise UsageError(
            "give --first-treated or --treated-indicator, not both",
            zh="--first-treated 和 --treated-indicator 只能给出其一",
        )
    name = f"first treated (from {indicator})"
    derived = first_treated_from_indicator(
        frame, unit=args.unit, time=args.time, indicator=indicator, name=name
    )
    derived.attrs = dict(frame.attrs)
    return spec_from_args(DiDSpec, args, first_treated=name), derived


def run(args: argparse.Namespace) -> int:
    """Execute the command; return the exit status (0 done, 1 input refused, 2 usage)."""

    def action() -> str:
        frame = read_frame(args.data)
        spec, frame = _design(args, frame)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", UserWarning)
            analysis = estimate_did(frame, spec)
        for warning in caught:
            if issubclass(warning.category, UserWarning):
                print(f"warning: {str(warning.message).splitlines()[0]}", file=sys.stderr)
        return analysis.to_json_text() if args.json else analysis.summary()

    flags = {**args.spec_flags, "treated_indicator": "--treated-indicator"}
    return run_guarded(action, flags, lang=getattr(args, "lang", None), source=args.data)
