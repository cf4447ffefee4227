"""One result dialect for every estimator: an estimate record, one interval helper, one contract.

Every ITS and DiD result is built on :class:`Estimate` and mixes in :class:`ResultMixin`, so
they share field names (``estimate``, ``se``, ``ci_lower``, ``ci_upper``, ``p_value``), a
statsmodels-like ``summary()``, ``to_frame()`` and ``to_json()``. Each estimate names the method
that produced its interval, because with one treated unit a cluster-robust interval and a
permutation interval are not interchangeable and a reader must be able to tell which is which.

Examples
--------
>>> lo, hi = wald_interval(2.0, 0.5)
>>> round(lo, 4), round(hi, 4)
(1.02, 2.98)
>>> e = Estimate.from_se("att", 2.0, 0.5, method="normal (model-based)")
>>> round(e.p_value, 5)
6e-05
>>> sorted(e.to_dict())[:4]
['alpha', 'ci_lower', 'ci_upper', 'estimate']
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

ESTIMATE_COLUMNS = (
    "name",
    "estimate",
    "se",
    "ci_lower",
    "ci_upper",
    "p_value",
    "interval_method",
    "alpha",
)


def wald_interval(
    estimate: float, se: float, alpha: float = 0.05, df: float | None = None
) -> tuple[float, float]:
    """``estimate ± q * se`` with ``q`` the normal (``df=None``) or Student-t quantile.

    Parameters
    ----------
    estimate, se
        Point estimate and standard error.
    alpha
        One minus the coverage.
    df
        Degrees of freedom of a t reference distribution; normal when ``None``.

    Returns
    -------
    tuple of float
        ``(lower, upper)``.
    """
    q = critical_value(alpha, df)
    return estimate - q * se, estimate + q * se


def critical_value(alpha: float = 0.05, df: float | None = None) -> float:
    """Two-sided critical value of the normal or Student-t distribution.

    Examples
    --------
    >>> round(critical_value(0.05), 4), round(critical_value(0.05, df=10), 4)
    (1.96, 2.2281)
    """
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha must lie strictly between 0 and 1, got {alpha}")
    return float(stats.norm.ppf(1 - alpha / 2) if df is None else stats.t.ppf(1 - alpha / 2, df))


def wald_p_value(estimate: float, se: float, df: float | None = None) -> float:
    """Two-sided p-value of ``estimate / se`` against the normal or Student-t distribution."""
    if not (se > 0 and math.isfinite(se)):
        return math.nan
    z = abs(estimate / se)
    return float(2 * (stats.norm.sf(z) if df is None else stats.t.sf(z, df)))


@dataclass(frozen=True)
class Estimate:
    """One estimated quantity with its interval and the method behind the interval.

    Attributes
    ----------
    name
        What is estimated, e.g. ``"level"``, ``"att"``, ``"rel_time=2"``.
    estimate
        Point estimate.
    se
        Standard error, ``nan`` where none exists (then the reason is in ``interval_method``).
    ci_lower, ci_upper
        Interval at level ``1 - alpha``; ``nan`` where none exists.
    p_value
        Two-sided p-value of "no effect"; ``nan`` where none exists.
    interval_method
        How the interval and p-value were obtained, e.g. ``"t(93), Newey-West lag 3"``.
    alpha
        One minus the interval's coverage.
    """

    name: str
    estimate: float
    se: float = math.nan
    ci_lower: float = math.nan
    ci_upper: float = math.nan
    p_value: float = math.nan
    interval_method: str = ""
    alpha: float = 0.05

    @classmethod
    def from_se(
        cls,
        name: str,
        estimate: float,
        se: float,
        *,
        method: str,
        alpha: float = 0.05,
        df: float | None = None,
    ) -> Estimate:
        """A Wald estimate: interval and p-value from ``se`` (normal, or t with ``df``)."""
        lower, upper = wald_interval(estimate, se, alpha, df)
        return cls(
            name=name,
            estimate=float(estimate),
            se=float(se),
            ci_lower=float(lower),
            ci_upper=float(upper),
            p_value=wald_p_value(estimate, se, df),
            interval_method=method,
            alpha=alpha,
        )

    @property
    def ci(self) -> tuple[float, float]:
        """``(ci_lower, ci_upper)``."""
        return self.ci_lower, self.ci_upper

    def to_dict(self) -> dict[str, Any]:
        """Plain dictionary (NaN kept; :func:`json_safe` turns it into ``null``)."""
        return asdict(self)


def json_safe(value: Any) -> Any:
    """Recursively convert NumPy/pandas values to JSON types; NaN and infinity become ``None``.

    Examples
    --------
    >>> json_safe({"a": np.float64("nan"), "b": [np.int64(2), (1.5,)]})
    {'a': None, 'b': [2, [1.5]]}
    """
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    if isinstance(value, pd.DataFrame):
        return [json_safe(r) for r in value.to_dict(orient="records")]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, pd.Timestamp | np.datetime64):
        return pd.Timestamp(value).isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def estimates_frame(estimates: Iterable[Estimate]) -> pd.DataFrame:
    """One row per estimate with the dialect's columns."""
    rows = [e.to_dict() for e in estimates]
    return pd.DataFrame(rows, columns=list(ESTIMATE_COLUMNS))


def _cell(x: float, digits: int = 4) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "—"
    if x != 0 and (abs(x) < 1e-3 or abs(x) >= 1e5):
        return f"{x:.{digits - 1}e}"
    return f"{x:.{digits}f}"


class ResultMixin:
    """The result contract: ``estimates()``, ``summary()``, ``to_frame()``, ``to_json()``.

    A result class implements :meth:`estimates` and, optionally, :meth:`summary_header` (label
    and value pairs shown above the table), :meth:`summary_notes` (caveats shown below it) and
    :meth:`json_extra` (fields the JSON carries besides the estimates).
    """

    method_name: str = "estimator"

    def estimates(self) -> tuple[Estimate, ...]:
        """The result's estimates, headline first."""
        raise NotImplementedError

    def summary_header(self) -> list[tuple[str, str]]:
        """Label/value pairs printed above the table."""
        return []

    def summary_notes(self) -> list[str]:
        """Caveats printed below the table."""
        return []

    def json_extra(self) -> dict[str, Any]:
        """Fields beyond the estimates in :meth:`to_json`."""
        return {}

    def to_frame(self) -> pd.DataFrame:
        """The estimates as a tidy table (one row each, the dialect's columns)."""
        return estimates_frame(self.estimates())

    def to_json(self) -> dict[str, Any]:
        """A JSON-safe document with the same top-level keys for every estimator.

        Keys: ``method``, ``estimates`` (list of records), ``notes`` and ``details`` (the
        estimator's own extra fields).
        """
        return json_safe(
            {
                "method": self.method_name,
                "estimates": [e.to_dict() for e in self.estimates()],
                "notes": list(self.summary_notes()),
                "details": self.json_extra(),
            }
        )

    def to_json_text(self) -> str:
        """:meth:`to_json` as text (UTF-8, no NaN)."""
        return json.dumps(self.to_json(), ensure_ascii=False, allow_nan=False, indent=2)

    def summary(self) -> str:
        """A plain-text table in the manner of statsmodels' ``summary()``."""
        estimates = self.estimates()
        alpha = estimates[0].alpha if estimates else 0.05
        lo, hi = f"[{alpha / 2:.3f}", f"{1 - alpha / 2:.3f}]"
        width = 78
        lines = ["=" * width, f"{self.method_name:^{width}}", "=" * width]
        for label, value in self.summary_header():
            lines.append(f"{label + ':':<28}{value}")
        if self.summary_header():
            lines.append("-" * width)
        name_width = max([12, *(len(e.name) for e in estimates)])
        lines.append(
            f"{'':<{name_width}} {'estimate':>11} {'se':>10} {lo:>10} {hi:>10} {'p_value':>10}"
        )
        lines.append("-" * width)
        for e in estimates:
            lines.append(
                f"{e.name:<{name_width}} {_cell(e.estimate):>11} {_cell(e.se):>10} "
                f"{_cell(e.ci_lower):>10} {_cell(e.ci_upper):>10} "
                f"{_cell(e.p_value):>10}"
            )
        lines.append("-" * width)
        methods = list(dict.fromkeys(e.interval_method for e in estimates if e.interval_method))
        for method in methods:
            lines.append(f"Intervals: {method}")
        for note in self.summary_notes():
            lines.append(f"Note: {note}")
        lines.append("=" * width)
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()
