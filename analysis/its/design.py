"""Segmented-regression design matrices for interrupted time series.

The parametrisation follows Linden's Stata ``itsa`` (Linden 2015, *Stata Journal* 15(2)):
for an interruption whose first post-intervention time is ``T``,

* ``level`` is 1 from ``T`` on (the immediate jump at ``T``),
* ``slope`` is ``(t - T)`` from ``T`` on, 0 before (the change in trend per time unit, so the
  effect at ``T + h`` of a level+slope model is ``level + h * slope``).

Time is a numeric position (:mod:`analysis.tables.timelabels` reads the forms users write):
numbers are used as they are (years, month counters); months
become *calendar* month numbers ``12 * year + month - 1`` so that ``position mod 12`` is the
calendar month, which makes month dummies and Fourier terms line up with the calendar. A
series finer than monthly is therefore not supported (two dates in one month are rejected as
non-increasing time).

An optional window after an interruption either drops its rows from the fit
(``"exclude"``, e.g. a transition period whose data follow neither regime) or phases the level
change in linearly over the window (``"phase-in"``: the level regressor is ``(t - T + 1)/(w + 1)``
capped at 1).

For comparative ITS the treated series and the control series are stacked; the common
``level``/``slope`` terms absorb whatever the controls also experienced, and the effect is the
treated-only difference (``treated:level``, ``treated:slope``), as in ``itsa``'s multiple-group
model.

Examples
--------
>>> import numpy as np
>>> from analysis.its.design import Interruption, SegmentedDesign
>>> d = SegmentedDesign(interruptions=(Interruption(at=4.0, impact="level+slope"),), origin=1.0)
>>> d.matrix(np.arange(1.0, 7.0)).to_numpy().tolist()
[[1.0, 0.0, 0.0, 0.0], [1.0, 1.0, 0.0, 0.0], [1.0, 2.0, 0.0, 0.0], [1.0, 3.0, 1.0, 0.0], [1.0, 4.0, 1.0, 1.0], [1.0, 5.0, 1.0, 2.0]]
>>> d.columns()
('const', 'time', 'level', 'slope')
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from analysis.its.errors import ITSInputError
from analysis.tables.timelabels import label_of as label_of
from analysis.tables.timelabels import parse_point, parse_time

Impact = Literal["level", "slope", "level+slope"]
WindowKind = Literal["exclude", "phase-in"]
IMPACTS: tuple[str, ...] = ("level", "slope", "level+slope")


@dataclass(frozen=True)
class Interruption:
    """One pre-specified interruption.

    Parameters
    ----------
    at
        Time position of the first post-interruption period.
    impact
        Which changes the model allows: ``"level"``, ``"slope"`` or ``"level+slope"``.
    name
        Label used as a column prefix; the main intervention is unprefixed.
    window
        Number of periods from ``at`` that are excluded or phased in (0 = none).
    window_kind
        ``"exclude"`` drops the window's rows from the fit; ``"phase-in"`` ramps the level.
    """

    at: float
    impact: Impact = "level+slope"
    name: str = ""
    window: int = 0
    window_kind: WindowKind = "exclude"

    def __post_init__(self) -> None:
        if self.impact not in IMPACTS:
            raise ITSInputError(
                f"impact={self.impact!r} is not one of {', '.join(IMPACTS)}",
                zh=f"impact={self.impact!r} 不是 {', '.join(IMPACTS)} 之一",
            )
        if self.window < 0:
            raise ITSInputError(
                f"window={self.window} must be >= 0", zh=f"window={self.window} 必须大于或等于 0"
            )
        if self.window_kind not in ("exclude", "phase-in"):
            raise ITSInputError(
                f"window_kind={self.window_kind!r} is not 'exclude' or 'phase-in'",
                zh=f"window_kind={self.window_kind!r} 不是 'exclude' 或 'phase-in'",
            )

    def prefix(self) -> str:
        """Column prefix: empty for the main intervention, ``name + ':'`` otherwise."""
        return f"{self.name}:" if self.name else ""

    def effect_columns(self) -> dict[str, str]:
        """Map ``"level"``/``"slope"`` to this interruption's own column names."""
        out: dict[str, str] = {}
        if self.impact in ("level", "level+slope"):
            out["level"] = f"{self.prefix()}level"
        if self.impact in ("slope", "level+slope"):
            out["slope"] = f"{self.prefix()}slope"
        return out

    def level_regressor(self, t: np.ndarray) -> np.ndarray:
        """Level regressor: a step, or a linear ramp over a phase-in window."""
        post = t >= self.at
        if self.window_kind == "phase-in" and self.window > 0:
            return np.where(post, np.minimum(1.0, (t - self.at + 1.0) / (self.window + 1.0)), 0.0)
        return post.astype(float)

    def slope_regressor(self, t: np.ndarray) -> np.ndarray:
        """Slope regressor: time since the interruption, 0 before it."""
        return np.where(t >= self.at, t - self.at, 0.0)

    def excluded(self, t: np.ndarray) -> np.ndarray:
        """Rows inside an exclusion window."""
        if self.window_kind != "exclude" or self.window == 0:
            return np.zeros(t.shape, dtype=bool)
        return (t >= self.at) & (t < self.at + self.window)


def parse_seasonality(text: str) -> tuple[str, int]:
    """Parse ``none``, ``month`` or ``fourier:K`` into ``(kind, K)``.

    Parameters
    ----------
    text
        The option as given on the command line.

    Returns
    -------
    tuple of (str, int)
        Kind and number of harmonics (0 unless Fourier).

    Examples
    --------
    >>> parse_seasonality("fourier:2")
    ('fourier', 2)
    >>> parse_seasonality("month")
    ('month', 0)
    """
    text = text.strip().lower()
    if text in ("none", "month"):
        return text, 0
    if text.startswith("fourier:"):
        try:
            k = int(text.split(":", 1)[1])
        except ValueError:
            k = 0
        if k >= 1:
            return "fourier", k
    raise ITSInputError(
        f"seasonality={text!r} is not none, month or fourier:K with K >= 1",
        zh=f"seasonality={text!r} 不是 none、month 或 fourier:K（K >= 1）",
    )


@dataclass(frozen=True)
class SegmentedDesign:
    """Recipe for the design matrix, reusable for new time points (counterfactuals).

    Parameters
    ----------
    interruptions
        The main intervention first, then any others (e.g. an epidemic shock).
    seasonality
        ``"none"``, ``"month"`` (period - 1 dummies) or ``"fourier:K"``.
    period
        Season length in time units (12 for monthly data).
    controls
        Names of control series for comparative ITS (empty = single series).
    origin
        Time position where the ``time`` regressor is 0 (the first observation), so the
        intercept is the level at the start of the series rather than at year 0.
    pooled
        Comparative designs only. ``True`` (itsa's multiple-group model): the controls share
        one intercept and one trend, so the stacked regression has exactly itsa's regressors
        ``_cons _t _z _z_t _x _x_t _z_x _z_x_t``. ``False`` (per-series): each control after
        the first also gets its own intercept ``control[name]``.
    """

    interruptions: tuple[Interruption, ...]
    seasonality: str = "none"
    period: int = 12
    controls: tuple[str, ...] = ()
    origin: float = 0.0
    pooled: bool = True

    def __post_init__(self) -> None:
        parse_seasonality(self.seasonality)
        if self.period < 2:
            raise ITSInputError(
                f"period={self.period} must be >= 2", zh=f"period={self.period} 必须大于或等于 2"
            )
        names = [i.name for i in self.interruptions]
        if len(set(names)) != len(names):
            raise ITSInputError("interruptions need distinct names", zh="各中断需要互不相同的名称")

    @property
    def comparative(self) -> bool:
        """Whether control series are stacked with the treated one."""
        return bool(self.controls)

    def _season_columns(self, t: np.ndarray) -> dict[str, np.ndarray]:
        kind, k = parse_seasonality(self.seasonality)
        cols: dict[str, np.ndarray] = {}
        if kind == "month":
            season = np.mod(np.round(t).astype(int), self.period)
            for s in range(1, self.period):
                cols[f"season_{s + 1}"] = (season == s).astype(float)
        elif kind == "fourier":
            for j in range(1, k + 1):
                angle = 2.0 * np.pi * j * t / self.period
                cols[f"sin{j}"] = np.sin(angle)
                cols[f"cos{j}"] = np.cos(angle)
        return cols

    def matrix(
        self,
        t: np.ndarray,
        group: Sequence[str] | np.ndarray | None = None,
        counterfactual: bool = False,
    ) -> pd.DataFrame:
        """Design matrix rows at time positions ``t``.

        Parameters
        ----------
        t
            Time positions.
        group
            For comparative designs, the series name of each row (``"treated"`` or a control
            name); ignored for a single series.
        counterfactual
            Zero the main intervention's *own* effect terms, giving the prediction had it not
            happened (other interruptions and, for comparative ITS, the changes the controls
            also show are kept).

        Returns
        -------
        pandas.DataFrame
            One column per regressor, in :meth:`columns` order.
        """
        t = np.asarray(t, dtype=float)
        n = t.size
        t0 = self.origin
        cols: dict[str, np.ndarray] = {"const": np.ones(n), "time": t - t0}
        treated = np.ones(n)
        if self.comparative:
            groups = np.asarray(group if group is not None else ["treated"] * n)
            treated = (groups == "treated").astype(float)
            cols["treated"] = treated
            cols["treated:time"] = treated * (t - t0)
            for name in self.controls[1:] if not self.pooled else ():
                cols[f"control[{name}]"] = (groups == name).astype(float)
        for index, itv in enumerate(self.interruptions):
            main = index == 0
            for kind, col in itv.effect_columns().items():
                x = itv.level_regressor(t) if kind == "level" else itv.slope_regressor(t)
                if self.comparative:
                    cols[col] = x
                    cols[f"treated:{col}"] = (
                        treated * x * (0.0 if (counterfactual and main) else 1.0)
                    )
                else:
                    cols[col] = x * (0.0 if (counterfactual and main) else 1.0)
        cols.update(self._season_columns(t))
        return pd.DataFrame(cols)

    def columns(self) -> tuple[str, ...]:
        """Regressor names, in matrix order."""
        probe = self.matrix(np.array([0.0]), group=["treated"])
        return tuple(probe.columns)

    def effect_columns(self, index: int = 0) -> dict[str, str]:
        """Columns carrying interruption ``index``'s effects (``"level"``/``"slope"`` keys).

        For comparative designs these are the treated-only difference terms.
        """
        own = self.interruptions[index].effect_columns()
        if self.comparative:
            return {k: f"treated:{v}" for k, v in own.items()}
        return own

    def excluded(self, t: np.ndarray) -> np.ndarray:
        """Rows dropped by any exclusion window."""
        t = np.asarray(t, dtype=float)
        out = np.zeros(t.shape, dtype=bool)
        for itv in self.interruptions:
            out |= itv.excluded(t)
        return out


def time_positions(values: pd.Series | Sequence[object]) -> tuple[np.ndarray, str]:
    """Convert a time column to numeric positions (see :mod:`analysis.tables.timelabels`).

    Returns
    -------
    tuple of (numpy.ndarray, str)
        Positions and the unit: ``"month"``, ``"quarter"``, ``"year"`` or ``"unit"``.

    Examples
    --------
    >>> time_positions(["2021-03-01", "2021-04-01"])[0].tolist()
    [24254.0, 24255.0]
    >>> time_positions([2017, 2022])
    (array([2017., 2022.]), 'year')
    """
    axis = parse_time(values)
    return axis.positions, axis.unit


def position_of(value: object, unit: str, what: str | None = None) -> float:
    """Convert one intervention time to a position in the same unit as the data.

    Examples
    --------
    >>> position_of("2021-03", "month")
    24254.0
    >>> position_of("37", "unit")
    37.0
    """
    return parse_point(value, unit, what)
