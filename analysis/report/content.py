"""What the director's report says: the analysis behind it, computed once.

:func:`analyse` reads the series (through the one reader, :func:`analysis.tables.frame.read_frame`),
checks it (:func:`analysis.pipeline.to_panel.series_counts`), fits the ITS with the engine's
public entry point (:func:`analysis.its.fit.fit_its`), and with comparison counties runs the DiD
engine (:func:`analysis.did.spec.estimate_did`) with the spec's *default* inference, which
does not present a cluster-robust interval as valid when few units are treated; an interval
that the engine labels as not valid, or cannot compute, is never shown (:func:`valid_interval`).

The ITS model is fixed and stated in the report: Gaussian segmented regression of the share in
percent, level and slope changes, Fourier seasonality of order 2, AR(1) errors by
Prais–Winsten GLS (the engine falls back, and says so, for short series).
"""

from __future__ import annotations

import hashlib
import math
import shlex
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis.datasets import SHARE_PAIRS, add_shares
from analysis.errors import InputError, UsageError
from analysis.estimates import Estimate
from analysis.pipeline.to_panel import build_panel, read_reforms, series_counts
from analysis.tables.frame import read_frame
from analysis.tables.identity import canonical_code

OUTCOMES: tuple[str, ...] = tuple(SHARE_PAIRS)
EVENT_WINDOW = 6  # months either side of the reform in which an event is flagged


@dataclass(frozen=True)
class ReportSpec:
    """Everything that defines one report (the command line's options, see :mod:`.cli`)."""

    series: Path
    county: str
    out: Path
    comparisons: tuple[str, ...] = ()
    reform: str | None = None
    events: Path | None = None
    xlsx: Path | None = None
    outcome: str = "visit_share"
    lang: str = "both"

    def __post_init__(self) -> None:
        if self.outcome not in OUTCOMES:
            raise UsageError(
                f"outcome={self.outcome!r}: choose one of {', '.join(OUTCOMES)}",
                zh=f"outcome={self.outcome!r}：请从 {', '.join(OUTCOMES)} 中选择一个",
            )
        if self.lang not in ("zh", "en", "both"):
            raise UsageError(
                f"lang={self.lang!r}: choose zh, en or both",
                zh=f"lang={self.lang!r}：请选择 zh、en 或 both",
            )
        if self.county in self.comparisons:
            raise UsageError(
                f"comparisons= names the reformed county {self.county!r} itself",
                zh=f"comparisons= 列出了实施改革的县区 {self.county!r} 本身",
            )
        if len(set(self.comparisons)) != len(self.comparisons):
            raise UsageError(
                "comparisons= names a county twice", zh="comparisons= 把同一个县区列出了两次"
            )

    def command(self) -> str:
        """The exact command that writes this report again."""
        words = ["python", "-m", "analysis", "report", "--series", str(self.series)]
        words += ["--county", self.county]
        if self.comparisons:
            words += ["--comparisons", ",".join(self.comparisons)]
        if self.reform:
            words += ["--reform", self.reform]
        if self.events:
            words += ["--events", str(self.events)]
        if self.outcome != "visit_share":
            words += ["--outcome", self.outcome]
        words += ["--out", str(self.out)]
        if self.xlsx:
            words += ["--xlsx", str(self.xlsx)]
        words += ["--lang", self.lang]
        return shlex.join(words)


@dataclass(frozen=True)
class InputFile:
    """One input file and its fingerprint."""

    path: str
    role: str
    bytes: int
    sha256: str


@dataclass(frozen=True)
class Report:
    """The computed content of a report; the HTML and the workbook only lay it out."""

    spec: ReportSpec
    county_series: pd.DataFrame
    comparison_series: pd.DataFrame
    first_month: pd.Timestamp | None
    its: Any = None
    its_options: dict[str, str] = field(default_factory=dict)
    autocorrelation: Any = None
    placebo_time: Any = None
    did: Any = None
    did_placebo: Any = None
    events: pd.DataFrame | None = None
    event_warnings: tuple[str, ...] = ()
    inputs: tuple[InputFile, ...] = ()


def sha256(path: Path) -> str:
    """Hex SHA-256 of a file."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def valid_interval(estimate: Estimate) -> bool:
    """True when the estimate has an interval its method does not call invalid.

    An unbounded interval (a permutation confidence set that is the whole line) is valid, only
    uninformative; a missing (NaN) one is not an interval.

    Examples
    --------
    >>> valid_interval(Estimate("att", 1.0, ci_lower=-math.inf, ci_upper=math.inf))
    True
    >>> valid_interval(Estimate("att", 1.0, ci_lower=0.0, ci_upper=2.0,
    ...                         interval_method="CR1, NOT VALID with 1 treated cluster"))
    False
    """
    present = not (math.isnan(estimate.ci_lower) or math.isnan(estimate.ci_upper))
    return present and not labelled_invalid(estimate)


def labelled_invalid(estimate: Estimate) -> bool:
    """True when the estimate's own method text says it is not valid (then no p-value either)."""
    method = estimate.interval_method.lower()
    return "not valid" in method or "invalid" in method


def shown_p_value(estimate: Estimate) -> float:
    """The p-value the report shows: NaN when the method is labelled not valid."""
    return math.nan if labelled_invalid(estimate) else estimate.p_value


def _county_rows(frame: pd.DataFrame, county: str, name: str) -> pd.DataFrame:
    rows = frame[frame["county"] == county].sort_values("month").reset_index(drop=True)
    if rows.empty:
        known = sorted(frame["county"].unique())
        shown = f"{', '.join(known[:12])}{' ...' if len(known) > 12 else ''}"
        raise InputError(
            f"county {county!r} is not in the series; counties there: {shown}",
            file=name,
            column="district",
            zh=f"县区 {county!r} 不在序列中；序列中的县区：{shown}",
        )
    full = pd.date_range(rows["month"].iloc[0], rows["month"].iloc[-1], freq="MS")
    missing = full.difference(pd.DatetimeIndex(rows["month"]))
    if len(missing):
        shown = f"{', '.join(f'{m:%Y-%m}' for m in missing[:6])}"
        shown += " ..." if len(missing) > 6 else ""
        raise InputError(
            f"county {county!r} has no row for {shown} ({len(missing)} month(s) missing inside "
            "its span): the report needs every month; rebuild the series with those months",
            file=name,
            column="month",
            zh=f"县区 {county!r} 缺少 {shown} 的行（其时间范围内缺 {len(missing)} 个月）：报告需要"
            "每个月的数据；请重新生成包含这些月份的序列",
        )
    return rows


def _its(rows: pd.DataFrame, spec: ReportSpec, first: pd.Timestamp) -> tuple[Any, ...]:
    from analysis.its.diagnostics import autocorrelation_tests, placebo_in_time
    from analysis.its.fit import ITSSpec, fit_its

    data = rows[["month", spec.outcome]].copy()
    numerator, denominator = SHARE_PAIRS[spec.outcome]
    zero = rows.index[rows[denominator] == 0]
    if len(zero):
        month = f"{rows['month'].iloc[zero[0]]:%Y-%m}"
        raise InputError(
            f"{denominator} is 0 in {month}: the share is undefined",
            file=str(spec.series),
            row=int(rows["_row"].iloc[zero[0]]),
            column=denominator,
            zh=f"{month} 的 {denominator} 为 0：占比无法计算",
        )
    its_spec = ITSSpec(
        time="month",
        outcome=spec.outcome,
        intervention=f"{first:%Y-%m-%d}",
        impact="level+slope",
        seasonality="fourier:2",
        errors="ar1",
    )
    try:
        result = fit_its(data, its_spec)
    except InputError as exc:  # the engine's words, located in the report's input
        if exc.file is not None:
            raise
        raise InputError(
            f"county {spec.county!r}: {exc.message}",
            file=str(spec.series),
            column=spec.outcome,
            zh=f"县区 {spec.county!r}：{exc.message_zh or exc.message}",
        ) from exc
    except np.linalg.LinAlgError as exc:
        raise InputError(
            f"the ITS model could not be fitted: {exc}",
            file=str(spec.series),
            zh=f"无法拟合 ITS 模型：{exc}",
        ) from exc
    options = {
        "family": its_spec.family,
        "impact": its_spec.impact,
        "seasonality": its_spec.seasonality,
        "errors": result.errors,
        "intervention": its_spec.intervention,
    }
    short = bool(result.not_estimable)
    acf = None if short else autocorrelation_tests(result)
    placebo = None if short else placebo_in_time(data, its_spec)
    return result, options, acf, placebo


def _did(frame: pd.DataFrame, spec: ReportSpec, reform: pd.DataFrame) -> tuple[Any, Any]:
    from analysis.did.spec import DiDSpec, estimate_did

    units = [spec.county, *spec.comparisons]
    rows = frame[frame["county"].isin(units)].drop(columns="_row")
    series = rows.rename(columns={"county": "district"})
    series["month"] = series["month"].dt.strftime("%Y-%m-%d")
    panel = build_panel(series, reform, frequency="monthly", series_name=str(spec.series))
    did_spec = DiDSpec(
        unit="county", time="month", outcome=spec.outcome, first_treated="first_treated"
    )
    run = estimate_did(panel, did_spec)
    placebo = estimate_did(
        panel,
        DiDSpec(
            unit="county",
            time="month",
            outcome=spec.outcome,
            first_treated="first_treated",
            estimator="placebo",
        ),
    )
    return run, placebo


def _events(spec: ReportSpec, first: pd.Timestamp | None) -> tuple[pd.DataFrame | None, tuple]:
    if spec.events is None:
        return None, ()
    from analysis.its.events import events_near, read_events, separation_warnings

    events = read_events(read_frame(spec.events))
    table = pd.DataFrame(
        [
            {"date": f"{e.date:%Y-%m-%d}", "name": e.name, "kind": e.kind, "source": e.source}
            for e in events
        ],
        columns=["date", "name", "kind", "source"],
    )
    if first is None:
        return table, ()
    near = events_near(events, f"{first:%Y-%m-%d}", window=EVENT_WINDOW, frequency="month")
    warnings = separation_warnings(near, f"{first:%Y-%m-%d}", others=())
    return table, tuple(warnings)


def analyse(spec: ReportSpec) -> Report:
    """Read, check and analyse; every refusal names the file, row and column.

    Raises
    ------
    InputError
        Refused input (a county not in the series, a missing month, a malformed file, ...).
    UsageError
        Contradictory options.
    """
    name = str(spec.series)
    # the county codes as the one rule writes them (="420101", 420101.0, full width)
    spec = replace(
        spec,
        county=canonical_code(spec.county) or spec.county,
        comparisons=tuple(canonical_code(c) or c for c in spec.comparisons),
    )
    frame, counts = series_counts(read_frame(spec.series), name)
    if spec.outcome not in add_shares(frame.head(1)):
        pair = " and ".join(SHARE_PAIRS[spec.outcome])
        raise InputError(
            f"the series has no counts for {spec.outcome} ({pair})",
            file=name,
            row=1,
            zh=f"序列中没有计算 {spec.outcome} 所需的计数列（{'、'.join(SHARE_PAIRS[spec.outcome])}）",
        )
    frame = add_shares(frame)
    county = _county_rows(frame, spec.county, name)
    for other in spec.comparisons:
        _county_rows(frame, other, name)
    comparisons = frame[frame["county"].isin(spec.comparisons)].reset_index(drop=True)
    inputs = [InputFile(name, "series", spec.series.stat().st_size, sha256(spec.series))]
    if spec.events:
        inputs.append(
            InputFile(str(spec.events), "events", spec.events.stat().st_size, sha256(spec.events))
        )
    first = None
    its = options = acf = placebo = did = did_placebo = None
    if spec.reform:
        reform = pd.DataFrame({"county": [spec.county], "reform_date": [spec.reform]})
        try:
            first = read_reforms(reform, {spec.county}, "reform")[0].first_month
        except InputError:
            raise UsageError(
                f"reform={spec.reform!r} is not a date; write YYYY-MM or YYYY-MM-DD",
                zh=f"reform={spec.reform!r} 不是日期；请写成 YYYY-MM 或 YYYY-MM-DD",
            ) from None
        start, end = county["month"].iloc[0], county["month"].iloc[-1]
        if not start < first <= end:
            raise InputError(
                f"the first reform month {first:%Y-%m} is outside {spec.county}'s series "
                f"({start:%Y-%m} to {end:%Y-%m}): the series needs months before and after it",
                file=name,
                column="month",
                zh=f"改革后的首月 {first:%Y-%m} 不在 {spec.county} 的序列范围内（{start:%Y-%m} "
                f"至 {end:%Y-%m}）：序列需要包含改革前后的月份",
            )
        its, options, acf, placebo = _its(county, spec, first)
        if spec.comparisons:
            did, did_placebo = _did(frame, spec, reform)
    events, warnings = _events(spec, first)
    return Report(
        spec=spec,
        county_series=county,
        comparison_series=comparisons,
        first_month=first,
        its=its,
        its_options=options or {},
        autocorrelation=acf,
        placebo_time=placebo,
        did=did,
        did_placebo=did_placebo,
        events=events,
        event_warnings=warnings,
        inputs=tuple(inputs),
    )
