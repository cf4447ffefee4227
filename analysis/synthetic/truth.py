"""The treated district's reform effect as the generator builds it: the truth for a design.

The generator draws the treated district's share as a straight line within each segment (the
years before the reform year, and the reform year on), through the annual shares it calibrates
(:func:`analysis.synthetic.district.treated_annual`); each month sits on that line before
seasonality and noise (:func:`analysis.synthetic.district.monthly_counts`). The built-in effect
is therefore the post-reform line minus the pre-reform line continued: a jump at the reform's
first month (January of the reform year) and a change of slope. That the pre-reform line would
have continued is the generator's construction, not a claim about the district.

Examples
--------
>>> from analysis.synthetic.config import load_config, read_anchors
>>> cfg = load_config()
>>> effect = built_in_effect(cfg, read_anchors(cfg), "visits")
>>> effect.slope_change_pp_per_year > 0
True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from analysis.synthetic.config import Anchors
from analysis.synthetic.district import Measure, treated_annual, years_of

#: month of the generator's within-year line where it passes through the annual share
_MID_YEAR = 5.5


@dataclass(frozen=True)
class BuiltInEffect:
    """Level and slope change of one share at the reform, in percentage points."""

    measure: str
    reform_year: int
    pre_slope_pp_per_year: float
    post_slope_pp_per_year: float
    level_change_pp: float

    @property
    def slope_change_pp_per_year(self) -> float:
        """Post-reform slope minus pre-reform slope."""
        return self.post_slope_pp_per_year - self.pre_slope_pp_per_year

    def effect_at(self, months_since_reform: float) -> float:
        """Effect ``months_since_reform`` months after the reform's first month."""
        return self.level_change_pp + self.slope_change_pp_per_year * months_since_reform / 12


def built_in_effect(config: dict[str, Any], anchors: Anchors, measure: Measure) -> BuiltInEffect:
    """The reform effect on the treated district's ``measure`` share, before any shock.

    Parameters
    ----------
    config
        Parsed assumptions file.
    anchors
        The reported values the generator calibrates to.
    measure
        ``"visits"``, ``"admissions"`` or ``"fund"``.

    Returns
    -------
    BuiltInEffect
    """
    path = treated_annual(config, anchors)[measure]
    years = years_of(config)
    reform = anchors.reform_year
    pre = [y for y in years if y < reform]
    post = [y for y in years if y >= reform]

    def slope(segment: list[int]) -> float:
        if len(segment) < 2:
            return 0.0
        return (path.share(segment[-1]) - path.share(segment[0])) / (len(segment) - 1)

    pre_slope, post_slope = slope(pre), slope(post)
    # January of the reform year, on each segment's line
    on_post_line = path.share(reform) + post_slope * (0 - _MID_YEAR) / 12
    on_pre_line = path.share(pre[-1]) + pre_slope * (12 - _MID_YEAR) / 12
    return BuiltInEffect(measure, reform, pre_slope, post_slope, on_post_line - on_pre_line)
