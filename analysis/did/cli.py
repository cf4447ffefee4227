"""``python -m analysis did``: difference-in-differences on a panel CSV.

Usage::

    python -m analysis did --data CSV --unit COL --time COL --outcome COL --first-treated COL
        [--estimator twfe|event|cs|sc] [--control never|notyet] [--json]

``--first-treated`` names the column with each unit's first treated period; 0 or empty means
never treated. ``--json`` prints one object::

    {"estimator": ..., "att": {"estimate", "se", "ci": [lo, hi]},
     "group_time": [{"group", "time", "att", "se"}, ...],          # cs only
     "event_study": [{"rel_time", "estimate", "ci": [lo, hi]}, ...], # event and cs
     "unit_weights": {unit: weight}, "rmspe_ratio", "pre_rmspe", "p_value"}  # sc only

For ``event`` the ATT is the mean of the post-period event-study coefficients; for ``sc`` it
is the mean post-period gap, with ``se`` and ``ci`` null (inference is the placebo p-value).
Missing values (e.g. an SE that does not exist) are ``null``. Bad input prints one line
``error: ...`` on stderr and exits with status 2; caveats print as ``warning: ...`` lines on
stderr (the JSON on stdout stays clean).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import warnings
from typing import Any

import numpy as np
import pandas as pd

ESTIMATORS = ("twfe", "event", "cs", "sc")
CONTROLS = ("never", "notyet")


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the ``did`` command's options to ``parser``."""
    parser.add_argument("--data", required=True, help="panel CSV, one row per unit and period")
    parser.add_argument("--unit", required=True, help="unit identifier column")
    parser.add_argument("--time", required=True, help="period column (numbers or dates)")
    parser.add_argument("--outcome", required=True, help="outcome column")
    parser.add_argument("--first-treated", required=True, dest="first_treated",
                        help="first treated period column; 0 or empty = never treated")
    parser.add_argument("--estimator", choices=ESTIMATORS, default="twfe")
    parser.add_argument("--control", choices=CONTROLS, default="never",
                        help="comparison group for cs (default: never)")
    parser.add_argument("--leads", type=int, default=4, help="event study: leads (default 4)")
    parser.add_argument("--lags", type=int, default=4, help="event study: lags (default 4)")
    parser.add_argument("--bin-width", type=int, default=1, dest="bin_width",
                        help="event study: periods per event-time bin (default 1)")
    parser.add_argument("--balance", choices=("error", "drop"), default="error",
                        help="unbalanced panels: fail (default) or drop incomplete units")
    parser.add_argument("--json", action="store_true", help="print results as JSON")


def _plain(value: Any) -> Any:
    """JSON-safe scalar: NumPy to Python, NaN/inf to None, dates to ISO strings."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, (pd.Timestamp, np.datetime64)):
        return pd.Timestamp(value).date().isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _att(estimate: float, se: float | None, ci: tuple[float, float] | None) -> dict[str, Any]:
    return {"estimate": _plain(float(estimate)),
            "se": None if se is None else _plain(float(se)),
            "ci": None if ci is None else [_plain(float(ci[0])), _plain(float(ci[1]))]}


def _event_rows(table: pd.DataFrame) -> list[dict[str, Any]]:
    return [{"rel_time": int(row.rel_time), "estimate": _plain(float(row.estimate)),
             "ci": [_plain(float(row.ci_lower)), _plain(float(row.ci_upper))]}
            for row in table.itertuples()]


def estimate(args: argparse.Namespace) -> dict[str, Any]:
    """Run the chosen estimator on the CSV named in ``args`` and return the JSON object."""
    from analysis.did.panel import prepare_panel

    frame = pd.read_csv(args.data, dtype={args.unit: str})
    panel = prepare_panel(frame, unit=args.unit, time=args.time, outcome=args.outcome,
                          first_treated=args.first_treated, balance=args.balance)
    out: dict[str, Any] = {"estimator": args.estimator}
    if args.estimator == "twfe":
        from analysis.did.twfe import twfe

        result = twfe(panel)
        out["att"] = _att(result.estimate, result.se, result.ci)
    elif args.estimator == "event":
        from scipy import stats

        from analysis.did.event_study import event_study

        result = event_study(panel, leads=args.leads, lags=args.lags, bin_width=args.bin_width)
        post = [k for k in result.vcov.index if k >= 0]
        weights = np.full(len(post), 1.0 / len(post))
        coef = result.table.set_index("rel_time").loc[post, "estimate"].to_numpy()
        est = float(weights @ coef)
        se = float(np.sqrt(weights @ result.vcov.loc[post, post].to_numpy() @ weights))
        z = float(stats.norm.ppf(0.975))
        out["att"] = _att(est, se, (est - z * se, est + z * se))
        out["event_study"] = _event_rows(result.table)
        out["pretrend_test"] = {"stat": _plain(result.pretrend_stat), "df": result.pretrend_df,
                                "pvalue": _plain(result.pretrend_pvalue)}
    elif args.estimator == "cs":
        from analysis.did.staggered import callaway_santanna

        result = callaway_santanna(panel, control=args.control)
        out["att"] = _att(result.simple.estimate, result.simple.se, result.simple.ci)
        out["group_time"] = [{"group": _plain(r.group), "time": _plain(r.time),
                              "att": _plain(float(r.att)), "se": _plain(float(r.se))}
                             for r in result.group_time.itertuples()]
        out["event_study"] = _event_rows(result.dynamic)
        out["control"] = args.control
    else:
        from analysis.did.synthetic_control import synthetic_control

        result = synthetic_control(panel)
        out["att"] = _att(result.att, None, None)
        out["unit_weights"] = {str(k): _plain(float(v)) for k, v in result.weights.items()}
        out["rmspe_ratio"] = _plain(result.rmspe_ratio)
        out["pre_rmspe"] = _plain(result.pre_rmspe)
        out["p_value"] = _plain(result.p_value)
    return out


def _text(out: dict[str, Any]) -> str:
    att = out["att"]
    lines = [f"estimator: {out['estimator']}",
             f"ATT: {att['estimate']:.4f}" + (f" (SE {att['se']:.4f}, 95% CI "
                                              f"{att['ci'][0]:.4f} to {att['ci'][1]:.4f})"
                                              if att["se"] is not None else "")]
    if "rmspe_ratio" in out:
        lines.append(f"post/pre RMSPE ratio: {out['rmspe_ratio']:.3f}; placebo p = "
                     f"{out['p_value']:.3f}")
    for row in out.get("event_study", []):
        lines.append(f"  event time {row['rel_time']:>3}: {row['estimate']:.4f}")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """Execute the command; return 0 on success, 2 on bad input."""
    from analysis.did.panel import PanelError

    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", UserWarning)
            out = estimate(args)
        for warning in caught:
            if issubclass(warning.category, UserWarning):
                print(f"warning: {str(warning.message).splitlines()[0]}", file=sys.stderr)
    except (PanelError, FileNotFoundError, pd.errors.ParserError, pd.errors.EmptyDataError,
            KeyError, ValueError) as error:
        message = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        print(f"error: {message}", file=sys.stderr)
        return 2
    print(json.dumps(out, allow_nan=False, ensure_ascii=False) if args.json else _text(out))
    return 0
