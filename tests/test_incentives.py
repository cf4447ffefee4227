"""Qianjiang's settlement rules: boundaries, continuity, monotonicity, splits, claims round trip."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.datasets import load_data
from analysis.incentives import (
    RULE_CLAIM_IDS,
    BudgetRule,
    RiskSharingRules,
    base_plus_factors_budget,
    budget_path,
    kinks,
    marginal_net_position,
    schedule_table,
    settle,
)

BUDGET = 1_000.0


@pytest.fixture(scope="module")
def rules() -> RiskSharingRules:
    return RiskSharingRules.from_claims()


@pytest.fixture(scope="module")
def claims() -> pd.DataFrame:
    return load_data("claims").frame


def net(ratio: float, rules: RiskSharingRules) -> float:
    return float(settle(ratio * BUDGET, BUDGET, rules).group_net_position)


# ----------------------------------------------------------------- parameters from the claims


def test_rules_come_from_the_claims_rows(rules, claims):
    table = claims.set_index("claim_id")
    for name, claim_id in RULE_CLAIM_IDS.items():
        # Two parameters are printed in words (全额, 自行承担); their numbers are the book's
        # reading of those words, and the claims file says so.
        assert table.at[claim_id, "provenance"] in ("reported", "reading"), claim_id
        assert getattr(rules, name) == pytest.approx(table.at[claim_id, "value"] / 100.0)


def test_round_trip_through_a_claims_frame(rules, claims):
    assert RiskSharingRules.from_claims(claims) == rules
    altered = claims.copy()
    altered.loc[altered["claim_id"] == "qj_overspend_band2_share", "value"] = 50.0
    changed = RiskSharingRules.from_claims(altered)
    assert changed.overspend_band2_fund_share == pytest.approx(0.5)
    assert changed.as_percent()["qj_overspend_band2_share"] == pytest.approx(50.0)
    restored = dataclasses.replace(
        changed, overspend_band2_fund_share=rules.overspend_band2_fund_share
    )
    assert restored == rules
    assert rules.as_percent() == pytest.approx(
        claims.set_index("claim_id").loc[list(RULE_CLAIM_IDS.values()), "value"].to_dict()
    )


def test_missing_claim_is_a_clear_error(claims):
    without = claims.loc[claims["claim_id"] != "qj_overspend_band1_share"]
    with pytest.raises(KeyError, match="qj_overspend_band1_share"):
        RiskSharingRules.from_claims(without)


@pytest.mark.parametrize(
    "change",
    [
        {"overspend_band1_limit": 0.3},
        {"surplus_performance_share": 0.7},
        {"overspend_band2_fund_share": 1.2},
        {"surplus_retained_limit": float("nan")},
    ],
)
def test_invalid_parameters_are_refused(rules, change):
    with pytest.raises(ValueError):
        dataclasses.replace(rules, **change)


# ----------------------------------------------------------------- the schedule at its edges


def test_paper_reading_at_the_boundaries(rules):
    # Surplus exactly 10%: all kept. Surplus 15%: the part beyond 10% goes back.
    s = settle(0.90 * BUDGET, BUDGET, rules)
    assert float(s.surplus_retained) == pytest.approx(0.10 * BUDGET)
    assert float(s.surplus_returned) == pytest.approx(0.0)
    s = settle(0.85 * BUDGET, BUDGET, rules)
    assert float(s.surplus_retained) == pytest.approx(0.10 * BUDGET)
    assert float(s.surplus_returned) == pytest.approx(0.05 * BUDGET)
    # Overspend exactly 10%: the fund pays all of it.
    s = settle(1.10 * BUDGET, BUDGET, rules)
    assert float(s.overspend_fund) == pytest.approx(0.10 * BUDGET)
    assert float(s.overspend_group) == pytest.approx(0.0, abs=1e-9)
    # Overspend exactly 20%: fund pays 10% + 60% of the next 10%; group bears 40% of that.
    s = settle(1.20 * BUDGET, BUDGET, rules)
    assert float(s.overspend_fund) == pytest.approx(0.16 * BUDGET)
    assert float(s.overspend_group) == pytest.approx(0.04 * BUDGET)
    # Overspend 30%: everything beyond 20% is the group's.
    s = settle(1.30 * BUDGET, BUDGET, rules)
    assert float(s.overspend_group) == pytest.approx(0.14 * BUDGET)


def test_on_budget_nothing_moves(rules):
    s = settle(BUDGET, BUDGET, rules)
    for field in (
        "surplus_retained",
        "surplus_returned",
        "overspend_fund",
        "overspend_group",
        "group_net_position",
    ):
        assert float(getattr(s, field)) == 0.0


@pytest.mark.parametrize("kink_index", range(4))
def test_net_position_is_continuous_at_every_kink(rules, kink_index):
    k = kinks(rules)[kink_index]
    eps = 1e-9
    assert net(k - eps, rules) == pytest.approx(net(k + eps, rules), abs=1e-5)


def test_marginal_incentive_by_band(rules):
    ratios = np.array([0.80, 0.95, 1.05, 1.15, 1.30])
    expected = [0.0, -1.0, 0.0, -0.4, -1.0]
    assert marginal_net_position(ratios, rules) == pytest.approx(expected)
    # Intervals are closed on the left: at a kink the band above applies.
    assert marginal_net_position(np.array(kinks(rules)), rules) == pytest.approx(
        [-1.0, 0.0, -0.4, -1.0]
    )


def test_marginal_matches_finite_differences(rules):
    ratios = np.linspace(0.6, 1.4, 161)
    ratios = ratios[np.min(np.abs(ratios[:, None] - np.array(kinks(rules))), axis=1) > 1e-3]
    h = 1e-6
    numeric = (
        settle((ratios + h) * BUDGET, BUDGET, rules).group_net_position
        - settle(ratios * BUDGET, BUDGET, rules).group_net_position
    ) / (h * BUDGET)
    assert numeric == pytest.approx(marginal_net_position(ratios, rules), abs=1e-4)


def test_net_position_never_rises_with_spending(rules):
    table = schedule_table(rules, np.linspace(0.5, 1.5, 1001), budget=BUDGET)
    assert (np.diff(table["group_net_position"]) <= 1e-9).all()


def test_surplus_split_sums_to_the_retained_surplus(rules):
    s = settle(np.linspace(0.5, 1.0, 51) * BUDGET, BUDGET, rules)
    assert s.performance_pay + s.capacity_fund == pytest.approx(s.surplus_retained)
    assert s.performance_pay == pytest.approx(0.8 * s.surplus_retained)


def test_money_is_conserved(rules):
    s = settle(np.linspace(0.5, 1.5, 101) * BUDGET, BUDGET, rules)
    assert s.fund_outlay == pytest.approx(s.spending + s.group_net_position)
    assert s.overspend_fund + s.overspend_group == pytest.approx(np.maximum(s.spending - BUDGET, 0))
    assert s.surplus_retained + s.surplus_returned == pytest.approx(
        np.maximum(BUDGET - s.spending, 0)
    )


def test_bad_inputs(rules):
    with pytest.raises(ValueError, match="budget"):
        settle(10.0, 0.0, rules)
    with pytest.raises(ValueError, match="negative"):
        settle(-1.0, 10.0, rules)


shares = st.floats(0.0, 1.0)


@settings(max_examples=60, deadline=None)
@given(
    limit=st.floats(0.01, 0.5),
    b1=st.floats(0.01, 0.3),
    gap=st.floats(0.01, 0.3),
    s_keep=shares,
    s_ret=shares,
    f1=shares,
    f2=shares,
    f3=shares,
    perf=shares,
)
def test_monotone_and_continuous_for_any_valid_rules(
    limit, b1, gap, s_keep, s_ret, f1, f2, f3, perf
):
    rules = RiskSharingRules(
        surplus_retained_limit=limit,
        surplus_retained_share=s_keep,
        surplus_excess_returned_share=s_ret,
        overspend_band1_limit=b1,
        overspend_band1_fund_share=f1,
        overspend_band2_limit=b1 + gap,
        overspend_band2_fund_share=f2,
        overspend_band3_fund_share=f3,
        surplus_performance_share=perf,
        surplus_capacity_share=1.0 - perf,
    )
    grid = np.linspace(0.3, 1.9, 801)
    values = settle(grid * BUDGET, BUDGET, rules).group_net_position
    assert (np.diff(values) <= 1e-9).all()
    # Lipschitz with constant 1 per unit of spending: no jumps anywhere.
    assert (np.abs(np.diff(values)) <= np.diff(grid) * BUDGET + 1e-9).all()


# ----------------------------------------------------------------- base + factors budget


def test_budget_rule_from_claims(claims):
    rule = BudgetRule.from_claims()
    assert rule.base_years == 3
    factor_ids = [c for c in claims["claim_id"] if c.startswith("qj_budget_factor_")]
    assert len(rule.factors) == len(factor_ids) >= 4
    assert "慢病人口增长率" in rule.factor_labels_zh


def test_budget_base_is_max_of_last_three_years():
    rule = BudgetRule(base_years=3, factors=("growth",))
    assert base_plus_factors_budget([500, 90, 100, 95], {}, rule) == 100
    assert base_plus_factors_budget([90, 100, 95], {"growth": 0.05}, rule) == pytest.approx(105)
    assert base_plus_factors_budget(
        [90, 100, 95], {"growth": 0.05}, rule, weights={"growth": 2.0}
    ) == pytest.approx(110)


def test_budget_combination_rules_differ_as_expected():
    rule = BudgetRule(base_years=1, factors=("a", "b"))
    mult = base_plus_factors_budget([100], {"a": 0.1, "b": 0.2}, rule)
    add = base_plus_factors_budget([100], {"a": 0.1, "b": 0.2}, rule, combine="additive")
    assert mult == pytest.approx(132.0)
    assert add == pytest.approx(130.0)


def test_budget_refuses_bad_input():
    rule = BudgetRule(base_years=3, factors=("a",))
    with pytest.raises(ValueError, match="at least 3"):
        base_plus_factors_budget([1, 2], {}, rule)
    with pytest.raises(KeyError, match="unknown budget factors"):
        base_plus_factors_budget([1, 2, 3], {"z": 0.1}, rule)
    with pytest.raises(ValueError, match="combine"):
        base_plus_factors_budget([1, 2, 3], {}, rule, combine="geometric")  # type: ignore[arg-type]


def test_interactive_version_builds_and_redraws(rules, capsys):
    import matplotlib

    matplotlib.use("Agg")
    from analysis.chapters.qianjiang_incentives import interactive_schedule

    box = interactive_schedule(rules)
    sliders = box.children[:-1]
    assert len(sliders) == len(dataclasses.fields(rules)) - 1  # capacity share follows performance
    assert {s.description for s in sliders} == {f.name for f in dataclasses.fields(rules)} - {
        "surplus_capacity_share"
    }
    sliders[0].value = 0.2
    by_name = {s.description: s for s in sliders}
    by_name["overspend_band1_limit"].value = 0.5  # above band 2: must be refused, not raise
    assert "Not a valid schedule" in capsys.readouterr().out


def test_incentive_figure_runs(rules):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from analysis.chapters.qianjiang_incentives import plot_schedule

    fig = plot_schedule(rules)
    try:
        assert len(fig.axes) == 2
        assert "hypothetical" in fig.axes[1].get_xlabel()
    finally:
        plt.close(fig)


def test_chapter_numbers_follow_the_rules(rules, claims):
    from analysis.chapters import qianjiang_incentives as mq

    values = mq.numbers()
    assert all(key.startswith("mq-") and key == key.lower() and "_" not in key for key in values)
    assert values["mq-keep-limit"] == f"{100 * rules.surplus_retained_limit:.0f}%"
    assert values["mq-band2-group"] == f"{100 * (1 - rules.overspend_band2_fund_share):.0f}%"
    for ratio in mq.SCENARIO_RATIOS:
        key = f"{round(ratio * 100):d}"
        assert values[f"mq-net-{key}"] == f"{net(ratio, rules) * 100 / BUDGET + 0.0:.0f}"
    by_id = claims.set_index("claim_id")
    assert values["mq-budget-zh"] == by_id.at["qj_budget_formula", "source_zh"]
    assert values["mq-n-factors"] == len(BudgetRule.from_claims(claims).factors)


def test_every_glue_reference_of_the_page_is_glued():
    import re

    from analysis import paths
    from analysis.chapters import qianjiang_incentives as mq

    text = (paths.BOOK / "mechanics" / "qianjiang_incentives.md").read_text(encoding="utf-8")
    referenced = set(re.findall(r"\{glue:text\}`([^`]+)`", text))
    assert referenced and referenced <= set(mq.numbers())


# ----------------------------------------------------------------- the base over several years


def test_a_single_saving_never_lowers_a_three_year_maximum_base(rules):
    for reading in ("settled", "spent"):
        path = budget_path([85.0, 100.0, 100.0, 100.0, 100.0], rules, 3, [100.0] * 3, reading)
        assert path["budget"].min() == 100.0, reading
        # Last year's payment as the base: the saving is carried into next year's budget.
        classic = budget_path([85.0, 100.0, 100.0], rules, 1, [100.0], reading)
        assert classic.loc[2, "budget"] == classic.loc[1, "approved_payment"] < 100.0


@pytest.mark.parametrize("ratio", [0.9, 0.95, 1.0, 1.05, 1.1])
def test_settled_payment_is_the_larger_of_budget_and_spending_near_budget(rules, ratio):
    # A surplus within the retention limit is kept whole, so the fund pays the whole budget;
    # an overspend within the first band is paid whole, so the fund pays the spending.
    path = budget_path([ratio * 100.0], rules, 3, [100.0] * 3, "settled")
    assert path.loc[1, "approved_payment"] == pytest.approx(max(100.0, ratio * 100.0))


def test_an_overspend_lifts_the_base_for_exactly_the_look_back_window(rules):
    spending = [108.0] + [100.0] * 5
    spent = budget_path(spending, rules, 3, [100.0] * 3, "spent")
    assert spent["budget"].tolist() == [100.0, 108.0, 108.0, 108.0, 100.0, 100.0]
    assert spent.loc[1, "group_net_position"] == 0.0  # the fund paid the first band in full
    assert spent["group_net_position"].sum() == pytest.approx(3 * 8.0)
    settled = budget_path(spending, rules, 3, [100.0] * 3, "settled")
    assert settled["budget"].iloc[1:].eq(108.0).all()


def test_budget_path_refuses_bad_inputs(rules):
    with pytest.raises(ValueError, match="at least 3 past payments"):
        budget_path([100.0], rules, 3, [100.0])
    with pytest.raises(ValueError, match="reading"):
        budget_path([100.0], rules, 1, [100.0], "paid")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="base_years"):
        budget_path([100.0], rules, 0, [100.0])


def test_the_page_quotes_the_base_clause_and_glues_the_ratchet(claims):
    from analysis.chapters import qianjiang_incentives as mq

    row = claims.set_index("claim_id").loc["qj_budget_base_years"]
    clause = mq.base_clause()
    assert clause in row["source_zh"] and row["value_as_printed"] in clause
    assert len(clause) < len(row["source_zh"])
    values = mq.numbers()
    gain = mq.ratchet_paths(3, "spent")["overspend-once"]["group_net_position"].sum()
    assert values["mq-ratchet-max-spent-overspend-once-gain"] == f"{gain:.1f}"
    table = mq.ratchet_frame()
    assert len(table) == len(mq.RATCHET_SCENARIOS)
