"""Further interruptions beside the intervention, as the design and the events file name them.

A module of its own because both the fit (:mod:`analysis.its.fit`, which models them) and the
events table (:mod:`analysis.its.events`, which turns dated events into them) need the type;
kept here, neither of the two has to import the other for it.

Examples
--------
>>> other = OtherInterruption.parse("shock=2019-06-01:level:6")
>>> other
OtherInterruption(at='2019-06-01', name='shock', impact='level', window=6, window_kind='exclude')
>>> other.text
'shock=2019-06-01:level:6:exclude'
>>> OtherInterruption.parse(other.text) == other
True
"""

from __future__ import annotations

from dataclasses import dataclass

from analysis.its.design import IMPACTS, Impact, WindowKind
from analysis.its.errors import ITSInputError

WINDOW_KINDS: tuple[str, ...] = ("exclude", "phase-in")
OTHER_FORM = "NAME=AT[:IMPACT[:WINDOW[:KIND]]]"


@dataclass(frozen=True)
class OtherInterruption:
    """A further interruption modelled beside the intervention (e.g. an epidemic).

    Parameters
    ----------
    at
        First affected time, in the time column's format.
    impact, window, window_kind
        As for the main intervention.
    name
        Column prefix, e.g. ``"shock"``.
    """

    at: object
    name: str
    impact: Impact = "level+slope"
    window: int = 0
    window_kind: WindowKind = "exclude"

    @classmethod
    def parse(cls, text: str) -> OtherInterruption:
        """Read the text form ``NAME=AT[:IMPACT[:WINDOW[:KIND]]]``.

        ``AT`` is a number or a date without a clock time (``2019-06-01`` or ``2019-06``);
        ``IMPACT`` defaults to ``level+slope``, ``WINDOW`` to 0 and ``KIND`` to ``exclude``.
        """
        name, sep, rest = text.strip().partition("=")
        parts = [p.strip() for p in rest.split(":")]
        if not sep or not name.strip() or not parts[0] or len(parts) > 4:
            raise ITSInputError(
                f"{text!r} is not {OTHER_FORM}, e.g. shock=2019-06-01:level:6",
                zh=f"{text!r} 不符合 {OTHER_FORM} 的写法，例如 shock=2019-06-01:level:6",
            )
        impact = parts[1] if len(parts) > 1 and parts[1] else "level+slope"
        if impact not in IMPACTS:
            raise ITSInputError(
                f"{text!r}: impact {impact!r} is not one of {', '.join(IMPACTS)}",
                zh=f"{text!r}：影响形式 {impact!r} 不是 {', '.join(IMPACTS)} 之一",
            )
        window_text = parts[2] if len(parts) > 2 and parts[2] else "0"
        if not window_text.isdigit():
            raise ITSInputError(
                f"{text!r}: window {window_text!r} is not a whole number >= 0",
                zh=f"{text!r}：窗口 {window_text!r} 不是大于或等于 0 的整数",
            )
        kind = parts[3] if len(parts) > 3 and parts[3] else "exclude"
        if kind not in WINDOW_KINDS:
            raise ITSInputError(
                f"{text!r}: window kind {kind!r} is not one of {', '.join(WINDOW_KINDS)}",
                zh=f"{text!r}：窗口类型 {kind!r} 不是 {', '.join(WINDOW_KINDS)} 之一",
            )
        return cls(
            at=parts[0],
            name=name.strip(),
            impact=impact,  # type: ignore[arg-type]
            window=int(window_text),
            window_kind=kind,
        )  # type: ignore[arg-type]

    @property
    def text(self) -> str:
        """The text form :meth:`parse` reads (dates written ``YYYY-MM-DD``)."""
        at = self.at.strftime("%Y-%m-%d") if hasattr(self.at, "strftime") else self.at
        return f"{self.name}={at}:{self.impact}:{self.window}:{self.window_kind}"
