"""A robustness menu for interrupted time series: refit one analysis under what matters.

A :class:`Variation` is one alternative specification: an :class:`~analysis.its.fit.ITSSpec`
plus, optionally, rows left out of the data (a later pre-period start, exclusion windows). The
builders below each vary one thing about a base specification:

========================  ===========================================================
``vary_intervention``     the intervention date, shifted by whole periods
``vary_phase_in``         a linear phase-in of the level change over ``w`` periods
``vary_start``            the first period of the pre-period
``vary_trend``            the trend form: the intervention's impact model, and a
                          piecewise-linear pre-trend (a slope-only knot)
``vary_exclusion``        windows of periods left out of the fit
``vary_events``           events (:mod:`analysis.its.events`) as extra interruptions,
                          one at a time and all together
``vary_others``           each of the base's further interruptions left out
``vary_errors``           the error model (OLS, Newey-West HAC, AR(1))
``vary_seasonality``      the seasonal terms
========================  ===========================================================

:func:`robustness_menu` fits every variation and returns one tidy table: one row per
specification x effect with ``spec``, ``varied``, ``effect``, ``estimate``, ``se``,
``ci_lower``, ``ci_upper``, ``p_value``, ``interval_method``, ``n`` and ``note``. A
specification the engine refuses (for instance an event one period before the intervention,
which leaves a segment too short to estimate) is kept as a row with NaN estimates and the
refusal in ``interval_method``: the menu shows what cannot be separated instead of hiding it.
An effect the model does not contain (the slope of a level-only model) is NaN with the reason.

Examples
--------
>>> import numpy as np, pandas as pd
>>> from analysis.its.fit import ITSSpec
>>> t = np.arange(1, 49)
>>> data = pd.DataFrame({"t": t, "y": 10 + 0.1 * t + 2.0 * (t >= 25) + np.sin(t)})
>>> base = ITSSpec(time="t", outcome="y", intervention=25)
>>> table = robustness_menu(data, [baseline(base), *vary_intervention(base, (-2, 2))])
>>> table[["spec", "effect"]].head(3).to_numpy().tolist()
[['baseline', 'level'], ['baseline', 'slope'], ['intervention 2 earlier (23)', 'level']]
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from analysis.errors import InputError
from analysis.its.events import (
    Event,
    as_interruptions,
    drop_windows,
    parse_date,
)
from analysis.its.fit import ITSSpec, fit_its
from analysis.its.interruptions import OtherInterruption

EFFECTS: tuple[str, ...] = ("level", "slope")
COLUMNS: tuple[str, ...] = (
    "spec",
    "varied",
    "effect",
    "estimate",
    "se",
    "ci_lower",
    "ci_upper",
    "p_value",
    "interval_method",
    "n",
    "note",
)


@dataclass(frozen=True)
class Variation:
    """One specification of the menu.

    Attributes
    ----------
    label
        Short name of the specification, e.g. ``"errors hac"``.
    varied
        What it varies: ``"baseline"``, ``"intervention date"``, ``"phase-in"``,
        ``"pre-period start"``, ``"trend form"``, ``"exclusion window"``, ``"events"``,
        ``"other interruptions"``, ``"error model"`` or ``"seasonality"``.
    spec
        The analysis.
    start
        First time kept (rows before it are left out), or ``None``.
    drop
        ``(first, last)`` windows of rows left out (inclusive).
    note
        Anything the reader of the table should know about this row.
    """

    label: str
    varied: str
    spec: ITSSpec
    start: object | None = None
    drop: tuple[tuple[object, object], ...] = ()
    note: str = ""

    def data(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The rows this variation fits."""
        out = frame
        if self.start is not None:
            out = _from_start(out, self.spec.time, self.start)
        if self.drop:
            out = drop_windows(out, self.spec.time, self.drop)
        return out


def _from_start(frame: pd.DataFrame, time: str, start: object) -> pd.DataFrame:
    values = frame[time]
    if pd.api.types.is_numeric_dtype(values):
        return frame.loc[values.astype(float) >= float(start)]  # type: ignore[arg-type]
    first = parse_date(start)
    if first is None:
        raise InputError(
            f"pre-period start {start!r} is not a date like the time column",
            zh=f"干预前时期的起点 {start!r} 不是与时间列同样形式的日期",
        )
    return frame.loc[[(d is not None and d >= first) for d in map(parse_date, values)]]


def _text(value: object) -> str:
    stamp = parse_date(value)
    if stamp is not None and not isinstance(value, (int, float, np.integer, np.floating)):
        return stamp.strftime("%Y-%m")
    return f"{value}"


def baseline(base: ITSSpec, label: str = "baseline") -> Variation:
    """The base specification itself."""
    return Variation(label, "baseline", base)


def shift_time(value: object, periods: int, months_per_period: int = 1) -> object:
    """``value`` moved by ``periods``: whole months for dates, units for numbers.

    Examples
    --------
    >>> shift_time("2019-01-01", -3), shift_time(37, 2), shift_time("2019", 1)
    ('2018-10-01', 39, '2020')
    """
    if isinstance(value, (int, float, np.integer, np.floating)):
        return value + periods
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return str(int(value) + periods)  # a year or a counter as the command line gives it
    stamp = parse_date(value)
    if stamp is None:
        try:
            return float(str(value)) + periods
        except ValueError:
            raise InputError(
                f"{value!r} is neither a date nor a number", zh=f"{value!r} 既不是日期也不是数字"
            ) from None
    moved = stamp + pd.DateOffset(months=periods * months_per_period)
    return moved.strftime("%Y-%m-%d")


def vary_intervention(
    base: ITSSpec, shifts: Iterable[int] = (-3, 3), months_per_period: int = 1
) -> list[Variation]:
    """The intervention moved by each of ``shifts`` periods (negative = earlier)."""
    out = []
    for k in shifts:
        if k == 0:
            continue
        at = shift_time(base.intervention, k, months_per_period)
        side = "earlier" if k < 0 else "later"
        out.append(
            Variation(
                f"intervention {abs(k)} {side} ({_text(at)})",
                "intervention date",
                replace(base, intervention=at),
            )
        )
    return out


def vary_phase_in(
    base: ITSSpec, windows: Iterable[int] = (3, 6), unit: str = "periods"
) -> list[Variation]:
    """The level change phased in linearly over each of ``windows`` periods (named ``unit``)."""
    return [
        Variation(
            f"phase-in over {w} {unit}",
            "phase-in",
            replace(base, window=w, window_kind="phase-in"),
        )
        for w in windows
        if w > 0
    ]


def vary_start(base: ITSSpec, starts: Iterable[object]) -> list[Variation]:
    """The pre-period starting later: rows before each of ``starts`` left out."""
    return [
        Variation(f"pre-period from {_text(s)}", "pre-period start", base, start=s) for s in starts
    ]


def vary_trend(
    base: ITSSpec, impacts: Iterable[str] = ("level",), knots: Iterable[object] = ()
) -> list[Variation]:
    """The trend form: other impact models, and a pre-trend that bends at each knot.

    A knot is a slope-only interruption named ``knot`` (a piecewise-linear trend).
    """
    out = [
        Variation(f"impact {impact}", "trend form", replace(base, impact=impact))  # type: ignore[arg-type]
        for impact in impacts
        if impact != base.impact
    ]
    for knot in knots:
        bend = OtherInterruption(at=knot, name="knot", impact="slope")
        out.append(
            Variation(
                f"trend bends at {_text(knot)}",
                "trend form",
                replace(base, others=(*base.others, bend)),
            )
        )
    return out


def vary_exclusion(
    base: ITSSpec, windows: Iterable[tuple[str, Sequence[tuple[object, object]]]]
) -> list[Variation]:
    """Each ``(label, windows)`` pair: those windows of rows left out of the fit."""
    return [
        Variation(f"exclude {label}", "exclusion window", base, drop=tuple(w))
        for label, w in windows
    ]


def vary_events(
    base: ITSSpec,
    events: Sequence[Event],
    impact: str = "level",
    frequency: str = "month",
    together: bool = True,
    min_segment: int | None = None,
) -> list[Variation]:
    """Each event as an extra interruption (and, with ``together``, all of them at once).

    Parameters
    ----------
    base
        The base specification; the events' interruptions are added to its ``others``.
    events
        The events to model (e.g. those :func:`~analysis.its.events.events_near` returns).
    impact, frequency
        As for :func:`~analysis.its.events.as_interruptions`.
    together
        Also add one specification with every event.
    min_segment
        Override the base's fewest points between interruptions (e.g. 1 to let an event one
        period before the intervention form its own regime; say so when reporting it).
    """
    spec = base if min_segment is None else replace(base, min_segment=min_segment)
    note = "" if min_segment is None else f"min_segment={min_segment}"
    out = []
    groups = [[e] for e in events]
    if together and len(events) > 1:
        groups.append(list(events))
    for group in groups:
        added = as_interruptions(group, impact=impact, frequency=frequency)
        label = "all events" if len(group) > 1 else group[0].label
        out.append(
            Variation(
                f"+ {label} ({impact}{', ' + note if note else ''})",
                "events",
                replace(spec, others=(*spec.others, *added)),
                note=note,
            )
        )
    return out


def vary_others(base: ITSSpec) -> list[Variation]:
    """Each of the base's further interruptions left out."""
    return [
        Variation(
            f"without {o.name}",
            "other interruptions",
            replace(base, others=tuple(x for x in base.others if x is not o)),
        )
        for o in base.others
    ]


def vary_errors(base: ITSSpec, errors: Iterable[str] = ("ols", "hac", "ar1")) -> list[Variation]:
    """Each other error model."""
    return [
        Variation(f"errors {e}", "error model", replace(base, errors=e))  # type: ignore[arg-type]
        for e in errors
        if e != base.errors
    ]


def vary_seasonality(
    base: ITSSpec, options: Iterable[str] = ("none", "month", "fourier:2")
) -> list[Variation]:
    """Each other seasonality."""
    return [
        Variation(f"seasonality {s}", "seasonality", replace(base, seasonality=s))
        for s in options
        if s != base.seasonality
    ]


def _rows(variation: Variation, data: pd.DataFrame, effects: Sequence[str]) -> list[dict]:
    head = {"spec": variation.label, "varied": variation.varied}
    try:
        result = fit_its(variation.data(data), variation.spec)
    except (InputError, np.linalg.LinAlgError) as error:
        reason = getattr(error, "message", None) or str(error).splitlines()[0]
        return [
            {
                **head,
                "effect": e,
                "estimate": np.nan,
                "se": np.nan,
                "ci_lower": np.nan,
                "ci_upper": np.nan,
                "p_value": np.nan,
                "interval_method": f"not estimable: {reason}",
                "n": np.nan,
                "note": variation.note,
            }
            for e in effects
        ]
    out = []
    for e in effects:
        est = result.effects.get(e)
        if est is None:
            values = dict.fromkeys(("estimate", "se", "ci_lower", "ci_upper", "p_value"), np.nan)
            method = f"not in this model (impact {variation.spec.impact})"
        else:
            values = {
                "estimate": est.estimate,
                "se": est.se,
                "ci_lower": est.ci_lower,
                "ci_upper": est.ci_upper,
                "p_value": est.p_value,
            }
            method = est.interval_method
        notes = [variation.note] if variation.note else []
        notes += list(result.not_estimable)
        out.append(
            {
                **head,
                "effect": e,
                **values,
                "interval_method": method,
                "n": result.n,
                "note": "; ".join(notes),
            }
        )
    return out


def robustness_menu(
    data: pd.DataFrame, variations: Iterable[Variation], effects: Sequence[str] = EFFECTS
) -> pd.DataFrame:
    """Fit every variation; one tidy row per specification x effect.

    Parameters
    ----------
    data
        The series, as for :func:`~analysis.its.fit.fit_its`.
    variations
        The menu (a :func:`baseline` first, by convention).
    effects
        Which of the intervention's effects to report.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COLUMNS`.
    """
    variations = list(variations)
    labels = [v.label for v in variations]
    if len(set(labels)) != len(labels):
        raise InputError(
            "the menu's specifications need distinct labels", zh="清单中的各设定需要互不相同的标签"
        )
    rows = [row for v in variations for row in _rows(v, data, effects)]
    return pd.DataFrame(rows, columns=list(COLUMNS))
