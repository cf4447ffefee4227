"""``python -m analysis its``: interrupted time series on a CSV file.

Usage::

    python -m analysis its --data CSV --time COL --outcome COL --intervention T
        [--impact level|slope|level+slope] [--family gaussian|binomial|poisson|quasipoisson]
        [--denominator COL] [--exposure COL] [--seasonality none|month|fourier:K] [--period N]
        [--errors ols|hac|ar1] [--control COL ...] [--json]

``T`` is the first post-intervention value of the time column. ``--exposure`` names the column
whose log is the offset. ``--json`` prints ``{"n", "family", "dispersion", "effects": {"level":
{"estimate", "ci", "p"[, "ratio", "ratio_ci"]}, "slope": {...}}}`` with 95 % intervals; ratios
only for log-link families, ``null`` for an effect the impact model leaves out, and for series
of 12 points or fewer also ``not_estimable`` (list of statements) and ``rho_grid``.
Bad input prints one line on stderr and exits with status 1.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from typing import Any

import numpy as np
import pandas as pd

from analysis.its.design import IMPACTS
from analysis.its.errors import ITSInputError
from analysis.its.fit import ERRORS, FAMILIES, ITSSpec, fit_its
from analysis.its.results import Effect, ITSResult


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the ``its`` options to ``parser``."""
    parser.add_argument("--data", required=True, metavar="CSV", help="input CSV file")
    parser.add_argument("--time", required=True, metavar="COL",
                        help="time column (numbers or first-of-month dates)")
    parser.add_argument("--outcome", required=True, metavar="COL",
                        help="outcome column (numerator counts for binomial with --denominator)")
    parser.add_argument("--intervention", required=True, metavar="T",
                        help="first post-intervention value of the time column")
    parser.add_argument("--impact", choices=IMPACTS, default="level+slope")
    parser.add_argument("--family", choices=FAMILIES, default="gaussian")
    parser.add_argument("--denominator", metavar="COL", help="binomial totals column")
    parser.add_argument("--exposure", metavar="COL",
                        help="exposure column; its log is the offset (poisson, quasipoisson)")
    parser.add_argument("--seasonality", default="none", metavar="none|month|fourier:K")
    parser.add_argument("--period", type=int, default=12, metavar="N",
                        help="season length in time units (default 12)")
    parser.add_argument("--errors", choices=ERRORS, default="ols")
    parser.add_argument("--control", nargs="+", action="extend", default=[], metavar="COL",
                        help="control series column(s) for comparative ITS")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")


def _clean(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, float | np.floating):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, np.integer):
        return int(value)
    return value


def _fmt(x: float | None, digits: int = 4) -> str:
    return "—" if x is None or not math.isfinite(x) else f"{x:.{digits}g}"


def _effect_line(name: str, eff: Effect | None) -> str:
    if eff is None:
        return f"  {name:<11} not modelled"
    line = (f"  {name:<11} {_fmt(eff.estimate):>11}  [{_fmt(eff.ci[0])}, {_fmt(eff.ci[1])}]"
            f"  p = {_fmt(eff.p, 3)}")
    if eff.ratio is not None and eff.ratio_ci is not None:
        line += (f"  ratio {_fmt(eff.ratio)} [{_fmt(eff.ratio_ci[0])}, "
                 f"{_fmt(eff.ratio_ci[1])}]")
    return line


def format_table(result: ITSResult, spec: ITSSpec) -> str:
    """Readable summary of a fit.

    Parameters
    ----------
    result, spec
        The fit and its specification.

    Returns
    -------
    str
        Multi-line text.
    """
    lines = [
        f"Interrupted time series: {spec.outcome} ~ intervention at {spec.intervention} "
        f"({spec.impact})",
        f"family {result.family}, errors {result.errors}"
        + (f" (Newey–West lag {result.hac_lags})" if result.hac_lags else "")
        + (f" (rho = {result.rho:.3f})" if result.rho is not None else "")
        + f", n = {result.n}, dispersion = {_fmt(result.dispersion)}",
        "",
        "  effect         estimate  95% CI  p",
        _effect_line("level", result.effects.get("level")),
        _effect_line("slope", result.effects.get("slope")),
        _effect_line("cumulative", result.cumulative),
    ]
    for name, effects in result.other_effects.items():
        for kind, eff in effects.items():
            lines.append(_effect_line(f"{name}:{kind}", eff))
    if result.not_estimable:
        lines += ["", "Cannot be estimated from these data:"]
        lines += [f"  - {note}" for note in result.not_estimable]
    if result.rho_grid:
        lines += ["", "Effects under assumed AR(1) rho (GLS, first observation kept):",
                  "  rho   level [95% CI]                    slope [95% CI]"]
        for row in result.rho_grid:
            cells = []
            for kind in ("level", "slope"):
                eff = row.effects.get(kind)
                cells.append("not modelled" if eff is None else
                             f"{_fmt(eff.estimate)} [{_fmt(eff.ci[0])}, {_fmt(eff.ci[1])}]")
            lines.append(f"  {row.rho:<5.2f} {cells[0]:<33} {cells[1]}")
    return "\n".join(lines)


def spec_from_args(args: argparse.Namespace) -> ITSSpec:
    """Translate parsed options into an :class:`ITSSpec`."""
    return ITSSpec(time=args.time, outcome=args.outcome, intervention=args.intervention,
                   impact=args.impact, family=args.family, denominator=args.denominator,
                   exposure=args.exposure, seasonality=args.seasonality, period=args.period,
                   errors=args.errors, controls=tuple(args.control))


def run(args: argparse.Namespace) -> int:
    """Run the analysis; print JSON or a table. Returns the exit status."""
    try:
        data = pd.read_csv(args.data)
    except FileNotFoundError:
        print(f"error: data file not found: {args.data}", file=sys.stderr)
        return 1
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        print(f"error: cannot read {args.data} as CSV: {str(exc).splitlines()[0]}",
              file=sys.stderr)
        return 1
    try:
        spec = spec_from_args(args)
        result = fit_its(data, spec)
    except ITSInputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except (np.linalg.LinAlgError, ValueError) as exc:
        print(f"error: the model could not be fitted: {str(exc).splitlines()[0]}",
              file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(_clean(result.as_json()), indent=2, allow_nan=False))
    else:
        print(format_table(result, spec))
    return 0
