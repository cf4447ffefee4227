"""The chapter computations on the data registry's panels (synthetic) and reported points."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.datasets import load_data
from analysis.did import report_qianjiang as rq
from analysis.did import report_staggered as rs


@pytest.fixture(scope="module")
def reported():
    return load_data("qianjiang_reported").frame


@pytest.fixture(scope="module")
def visit_analysis():
    return rq.analyse_district(load_data("district_monthly").frame, "visit_share")


def test_reported_summary_uses_only_the_reported_points(reported):
    summary = rq.reported_summary(reported, "visit_share")
    points = reported[(reported["series"] == "visit_share")
                      & (reported["provenance"] == "reported")].set_index("year")["value"]
    assert summary.value_2017 == points[2017] and summary.value_2022 == points[2022]
    assert summary.slope == pytest.approx((points[2022] - points[2017]) / 5)
    assert summary.against_trend == pytest.approx(
        summary.post_value - (points[2022] + summary.slope * (summary.post_year - 2022)))
    fund = rq.reported_summary(reported, "fund_share")
    assert np.isnan(fund.post_value)  # the paper reports no post-reform fund share


def test_district_analysis_is_internally_consistent(visit_analysis):
    a = visit_analysis
    n0 = int((~a.panel.ever_treated).sum())
    assert a.synthetic.p_value >= 1 / (n0 + 1)
    assert a.placebo.p_value >= 1 / (n0 + 1)
    assert a.synthetic.weights.sum() == pytest.approx(1.0)
    assert a.wild.n_treated_clusters == 1 and a.wild.caveat
    assert a.event.table["rel_time"].tolist() == [-6, -5, -4, -3, -2, -1, 0, 1]
    # The grid reaches past the breakdown value, where the CI's lower end crosses zero.
    grid = a.honest_sd.grid
    assert grid["m"].max() > a.honest_sd.breakdown
    assert (grid["ci_lower"].iloc[0] > 0) != (grid["ci_lower"].iloc[-1] > 0)


def test_hypotheses_are_matched_for_every_did_series(visit_analysis):
    hypotheses = load_data("hypotheses").frame
    table = rq.match_hypotheses(hypotheses, {"visit_share": visit_analysis})
    expected = rq.hypotheses_for(hypotheses, "evidence-did")
    visit_rows = expected[expected["series"].str.contains("visit_share")]
    assert set(table["hypothesis"]) == set(visit_rows["hypothesis"])


def test_cs_beats_twfe_on_the_county_panel():
    frame = load_data("county_staggered_panel").frame
    a = rs.analyse_counties(frame, "visit_share")
    cs_error = abs(a.cs_never.simple.estimate - a.true_att)
    twfe_error = abs(a.twfe.estimate - a.true_att)
    assert cs_error < twfe_error
    assert cs_error < 3 * a.cs_never.simple.se
    group = rs.group_table(a)
    assert len(group) == frame.loc[frame["first_treated"] > 0, "first_treated"].nunique()
