"""What the reported Qianjiang points support, computed from the claims ledger."""

from __future__ import annotations

import pytest

from analysis.chapters.case import reported_points
from analysis.chapters.reported_points import CANNOT_ESTIMATE, summarise_reported
from analysis.datasets import load_data


def claim(claims, claim_id: str) -> float:
    return float(claims.loc[claims["claim_id"] == claim_id, "value"].iloc[0])


def test_visit_share_arithmetic_from_the_claims() -> None:
    claims = load_data("claims").frame
    points = reported_points()
    s = summarise_reported(points, "visit_share")
    v17, v22 = claim(claims, "qj_visit_share_2017"), claim(claims, "qj_visit_share_2022")
    rise = claim(claims, "qj_visit_share_change_post")
    year = int(claim(claims, "qj_visit_share_change_year_assumed"))
    assert s.before_after_change == pytest.approx(rise)
    slope = (v22 - v17) / 5
    assert s.pre_slope_per_year == pytest.approx(slope)
    assert s.post_year == year and s.post_provenance == "assumed"
    assert s.gap_to_extrapolation == pytest.approx(v22 + rise - (v22 + slope * (year - 2022)))
    assert s.gap_by_post_year[2023] == pytest.approx(rise - slope)
    assert s.gap_by_post_year[2023] < s.gap_by_post_year[2024]  # a decline extrapolates lower
    assert s.cannot_estimate == CANNOT_ESTIMATE


@pytest.mark.parametrize("series", ["admission_share", "fund_share"])
def test_series_without_post_point_give_only_the_pre_slope(series: str) -> None:
    s = summarise_reported(reported_points(), series)
    assert s.post_value is None and s.before_after_change is None and s.gap_by_post_year == {}
    assert s.pre_slope_per_year < 0


def test_needs_two_pre_points() -> None:
    points = reported_points()
    with pytest.raises(ValueError, match="two pre-reform points"):
        summarise_reported(points[points["year"] != 2017], "visit_share")
