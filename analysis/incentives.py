"""Qianjiang's year-end settlement rules as functions of spending relative to budget.

Luo et al. (2025, section 4.1.2) describe how the primary-care group's bundled budget is
settled at year end:

    结余额低于预算总额10%的,结余100%留用,
    超出10%以上的部分,全额返还基金账户。
    伴随服务能力提升出现的超支情况,
    合理超出预算总额10%以内,分担100%,
    超出10%至20%部分,分担60%,
    超出20%以上部分,由基层医疗集团自行承担。
    结余资金中,80%可用于医务人员的绩效奖励,
    20%可用于基层卫生服务能力提升和服务模式转变。

Reading encoded here (every number comes from the claims table, never from this file):

* **Surplus.** The part of the surplus up to 10% of the budget is kept in full; the part beyond
  10% goes back to the fund. The bands are marginal ("超出10%以上的部分": *the part*
  above 10%).
* **Overspend.** The sentence does not say who "shares" (分担). Read with "the group does not
  bear the full budget risk" (4.2.2) and with the last band, which the group "bears itself",
  the percentages are the **fund's** share of each band of *reasonable* overspend: the fund
  pays 100% of overspend up to 10% of budget, 60% of the part from 10% to 20%, and nothing
  above 20%. So the group bears 0%, 40% and 100% of the three bands. Section 4.2.2 also says
  overspend is shared by "horizontal adjustment inside the group", which concerns how the
  group splits its own part among its members; that split is not modelled. Whether an
  overspend is "reasonable" (合理) is a judgement the functions cannot make: they treat all
  overspend as reasonable.
* **Surplus use.** The retained surplus "may be used" 80% for staff performance pay and 20% for
  capacity and service-model change; the functions split it in those proportions.
* **Budget.** "基数+因数": the highest approved payment of the last three years, adjusted by
  named factors. The paper does not say how factors combine or how much each weighs, so
  :func:`base_plus_factors_budget` takes the combination rule and weights as explicit,
  *assumed* inputs. :func:`budget_path` follows the base over several years, under either
  reading of a reform year's "approved payment" (核拨费用), which the paper does not define.

NumPy is enough: the rules are piecewise-linear, and vectorised ``np.minimum``/``np.clip``
make the band arithmetic readable and fast for the interactive figure.

Examples
--------
>>> rules = RiskSharingRules(surplus_retained_limit=0.10, surplus_retained_share=1.0,
...                          surplus_excess_returned_share=1.0, overspend_band1_limit=0.10,
...                          overspend_band1_fund_share=1.0, overspend_band2_limit=0.20,
...                          overspend_band2_fund_share=0.6, overspend_band3_fund_share=0.0,
...                          surplus_performance_share=0.8, surplus_capacity_share=0.2)
>>> s = settle(spending=85.0, budget=100.0, rules=rules)
>>> float(s.surplus_retained), float(s.surplus_returned), float(s.performance_pay)
(10.0, 5.0, 8.0)
>>> float(settle(spending=115.0, budget=100.0, rules=rules).group_net_position)
-2.0
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Literal

import numpy as np
import pandas as pd

from analysis.datasets import load_data

#: Claim ids of the risk-sharing parameters, all printed in percent.
RULE_CLAIM_IDS: dict[str, str] = {
    "surplus_retained_limit": "qj_surplus_retained_limit",
    "surplus_retained_share": "qj_surplus_retained_share",
    "surplus_excess_returned_share": "qj_surplus_excess_returned",
    "overspend_band1_limit": "qj_overspend_band1_limit",
    "overspend_band1_fund_share": "qj_overspend_band1_share",
    "overspend_band2_limit": "qj_overspend_band2_limit",
    "overspend_band2_fund_share": "qj_overspend_band2_share",
    "overspend_band3_fund_share": "qj_overspend_band3_share",
    "surplus_performance_share": "qj_surplus_performance_share",
    "surplus_capacity_share": "qj_surplus_capacity_share",
}
BUDGET_FACTOR_PREFIX = "qj_budget_factor_"
BUDGET_BASE_YEARS_ID = "qj_budget_base_years"
BUDGET_FORMULA_ID = "qj_budget_formula"


def _claims_frame(claims: pd.DataFrame | None) -> pd.DataFrame:
    frame = load_data("claims").frame if claims is None else claims
    return frame.set_index("claim_id")


def _claim_value(claims: pd.DataFrame, claim_id: str) -> float:
    if claim_id not in claims.index:
        raise KeyError(f"claim {claim_id!r} is missing from the claims table")
    value = float(claims.at[claim_id, "value"])
    if math.isnan(value):
        raise ValueError(f"claim {claim_id!r} has no numeric value")
    return value


@dataclass(frozen=True)
class RiskSharingRules:
    """Year-end settlement parameters, as fractions (0.1 means 10%).

    Attributes
    ----------
    surplus_retained_limit
        Surplus up to this fraction of the budget is retained (at ``surplus_retained_share``).
    surplus_retained_share
        Share of the surplus below the limit the group keeps.
    surplus_excess_returned_share
        Share of the surplus beyond the limit returned to the fund.
    overspend_band1_limit, overspend_band2_limit
        Upper edges of the first and second overspend bands, as fractions of the budget.
    overspend_band1_fund_share, overspend_band2_fund_share, overspend_band3_fund_share
        Share of each band of overspend the fund pays (band 3 is everything above band 2).
    surplus_performance_share, surplus_capacity_share
        Split of the retained surplus between performance pay and capacity; sums to one.
    """

    surplus_retained_limit: float
    surplus_retained_share: float
    surplus_excess_returned_share: float
    overspend_band1_limit: float
    overspend_band1_fund_share: float
    overspend_band2_limit: float
    overspend_band2_fund_share: float
    overspend_band3_fund_share: float
    surplus_performance_share: float
    surplus_capacity_share: float

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if not 0.0 <= value <= 1.0 or math.isnan(value):
                raise ValueError(f"{f.name} must lie in [0, 1], got {value!r}")
        if not 0.0 < self.overspend_band1_limit < self.overspend_band2_limit:
            raise ValueError("overspend bands need 0 < band1 limit < band2 limit")
        if not math.isclose(
            self.surplus_performance_share + self.surplus_capacity_share, 1.0, abs_tol=1e-9
        ):
            raise ValueError("performance and capacity shares of the surplus must sum to 1")

    @classmethod
    def from_claims(cls, claims: pd.DataFrame | None = None) -> RiskSharingRules:
        """Read every parameter from the claims table (percent → fraction).

        Parameters
        ----------
        claims
            A claims frame with ``claim_id`` and ``value``; defaults to ``load_data("claims")``.
        """
        table = _claims_frame(claims)
        return cls(
            **{
                name: _claim_value(table, claim_id) / 100.0
                for name, claim_id in RULE_CLAIM_IDS.items()
            }
        )

    def as_percent(self) -> dict[str, float]:
        """Parameters in percent, keyed by claim id (the inverse of :meth:`from_claims`)."""
        return {
            claim_id: round(getattr(self, name) * 100.0, 10)
            for name, claim_id in RULE_CLAIM_IDS.items()
        }


@dataclass(frozen=True)
class Settlement:
    """Year-end settlement for one or many spending levels (arrays broadcast together).

    All amounts are in the budget's currency. ``group_net_position`` is the group's gain
    (retained surplus) or loss (overspend it must bear) relative to receiving exactly its
    budget; ``fund_outlay`` is what the fund pays in total, equal to
    ``spending + group_net_position``.
    """

    spending: np.ndarray
    budget: np.ndarray
    surplus_retained: np.ndarray
    surplus_returned: np.ndarray
    overspend_fund: np.ndarray
    overspend_group: np.ndarray
    group_net_position: np.ndarray
    fund_outlay: np.ndarray
    performance_pay: np.ndarray
    capacity_fund: np.ndarray


def settle(
    spending: float | np.ndarray, budget: float | np.ndarray, rules: RiskSharingRules
) -> Settlement:
    """Apply the settlement rules to spending against budget.

    Parameters
    ----------
    spending
        Insurance-eligible spending of the group in the year (≥ 0).
    budget
        The group's bundled budget (> 0).
    rules
        Settlement parameters, e.g. ``RiskSharingRules.from_claims()``.

    Returns
    -------
    Settlement
    """
    spend = np.asarray(spending, dtype=float)
    bud = np.asarray(budget, dtype=float)
    if np.any(bud <= 0):
        raise ValueError("budget must be positive")
    if np.any(spend < 0):
        raise ValueError("spending cannot be negative")
    # Work in money, not ratios, so that round budgets give round answers.
    surplus = np.maximum(bud - spend, 0.0)
    over = np.maximum(spend - bud, 0.0)
    limit = rules.surplus_retained_limit * bud
    band1, band2 = rules.overspend_band1_limit * bud, rules.overspend_band2_limit * bud
    kept = rules.surplus_retained_share * np.minimum(surplus, limit) + (
        1.0 - rules.surplus_excess_returned_share
    ) * np.maximum(surplus - limit, 0.0)
    fund_over = (
        rules.overspend_band1_fund_share * np.minimum(over, band1)
        + rules.overspend_band2_fund_share * np.clip(over - band1, 0.0, band2 - band1)
        + rules.overspend_band3_fund_share * np.maximum(over - band2, 0.0)
    )
    group_over = over - fund_over
    net = kept - group_over
    return Settlement(
        spending=spend,
        budget=np.broadcast_to(bud, np.broadcast(spend, bud).shape).copy(),
        surplus_retained=kept,
        surplus_returned=surplus - kept,
        overspend_fund=fund_over,
        overspend_group=group_over,
        group_net_position=net,
        fund_outlay=spend + net,
        performance_pay=rules.surplus_performance_share * kept,
        capacity_fund=rules.surplus_capacity_share * kept,
    )


def marginal_net_position(
    spending_ratio: float | np.ndarray, rules: RiskSharingRules
) -> np.ndarray:
    """Change in the group's net position per extra yuan of spending (right derivative).

    Parameters
    ----------
    spending_ratio
        Spending divided by budget (1.0 = on budget).
    rules
        Settlement parameters.

    Returns
    -------
    numpy.ndarray
        Values in [-1, 0]: -1 means the group bears every extra yuan, 0 means the fund does.
        Intervals are closed on the left, so at a kink the value of the band above is given.
    """
    ratio = np.asarray(spending_ratio, dtype=float)
    # Compare with kinks() itself so a ratio built as 1 + limit lands on the same float.
    conditions = [ratio < edge for edge in kinks(rules)]
    choices = [
        -(1.0 - rules.surplus_excess_returned_share),
        -rules.surplus_retained_share,
        -(1.0 - rules.overspend_band1_fund_share),
        -(1.0 - rules.overspend_band2_fund_share),
    ]
    # Adding 0.0 turns IEEE negative zero into zero for display.
    return np.select(conditions, choices, default=-(1.0 - rules.overspend_band3_fund_share)) + 0.0


def schedule_table(
    rules: RiskSharingRules, ratios: Sequence[float] | np.ndarray, budget: float = 100.0
) -> pd.DataFrame:
    """Settlement across spending scenarios, as percent of budget when ``budget`` is 100.

    Returns
    -------
    pandas.DataFrame
        Columns: spending_ratio, spending, group_net_position, fund_outlay, surplus_retained,
        surplus_returned, overspend_fund, overspend_group, performance_pay, capacity_fund,
        marginal.
    """
    ratios = np.asarray(ratios, dtype=float)
    s = settle(ratios * budget, budget, rules)
    return pd.DataFrame(
        {
            "spending_ratio": ratios,
            "spending": s.spending,
            "group_net_position": s.group_net_position,
            "fund_outlay": s.fund_outlay,
            "surplus_retained": s.surplus_retained,
            "surplus_returned": s.surplus_returned,
            "overspend_fund": s.overspend_fund,
            "overspend_group": s.overspend_group,
            "performance_pay": s.performance_pay,
            "capacity_fund": s.capacity_fund,
            "marginal": marginal_net_position(ratios, rules),
        }
    )


def kinks(rules: RiskSharingRules) -> tuple[float, ...]:
    """Spending ratios where the schedule changes slope, in increasing order."""
    return (
        1.0 - rules.surplus_retained_limit,
        1.0,
        1.0 + rules.overspend_band1_limit,
        1.0 + rules.overspend_band2_limit,
    )


# --------------------------------------------------------------------------- budget rule

Combine = Literal["additive", "multiplicative"]


@dataclass(frozen=True)
class BudgetRule:
    """The "base + factors" rule: base from past payments, named adjustment factors.

    Attributes
    ----------
    base_years
        How many past years the base looks back over (the maximum is taken).
    factors
        Factor names (claim-id suffixes, e.g. ``"chronic_growth"``).
    factor_labels_zh
        The factors as printed in the paper, same order as ``factors``.
    """

    base_years: int
    factors: tuple[str, ...]
    factor_labels_zh: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.base_years < 1:
            raise ValueError("base_years must be at least 1")
        if len(set(self.factors)) != len(self.factors):
            raise ValueError("factor names must be unique")

    @classmethod
    def from_claims(cls, claims: pd.DataFrame | None = None) -> BudgetRule:
        """Read the base window and the named factors (``qj_budget_factor_*``) from claims."""
        table = _claims_frame(claims)
        if BUDGET_FORMULA_ID not in table.index:
            raise KeyError(f"claim {BUDGET_FORMULA_ID!r} is missing from the claims table")
        ids = [c for c in table.index if str(c).startswith(BUDGET_FACTOR_PREFIX)]
        if not ids:
            raise KeyError("no qj_budget_factor_* claims found")
        return cls(
            base_years=int(_claim_value(table, BUDGET_BASE_YEARS_ID)),
            factors=tuple(c.removeprefix(BUDGET_FACTOR_PREFIX) for c in ids),
            factor_labels_zh=tuple(str(table.at[c, "value_as_printed"]) for c in ids),
        )


def base_plus_factors_budget(
    past_payments: Sequence[float],
    factor_values: Mapping[str, float],
    rule: BudgetRule,
    weights: Mapping[str, float] | None = None,
    combine: Combine = "multiplicative",
) -> float:
    """Budget = base × adjustment, with the base the highest of the last ``base_years`` payments.

    Parameters
    ----------
    past_payments
        Approved payments to primary care, oldest first; the last ``rule.base_years`` are used.
    factor_values
        Proportional adjustment per factor (0.02 = +2%); factors not given count as zero.
        Names must be among ``rule.factors``.
    rule
        Base window and factor names, e.g. ``BudgetRule.from_claims()``.
    weights
        Weight per factor (assumed; default 1 for each). The paper gives none.
    combine
        "multiplicative": base × Π(1 + wᵢfᵢ); "additive": base × (1 + Σ wᵢfᵢ).
        The paper does not say which; both are offered so a reader can see how much the
        choice matters.

    Returns
    -------
    float

    Examples
    --------
    >>> rule = BudgetRule(base_years=3, factors=("a", "b"))
    >>> base_plus_factors_budget([90, 100, 95, 98], {"a": 0.1}, rule)
    110.00000000000001
    >>> base_plus_factors_budget([90, 100, 95, 98], {"a": 0.1, "b": 0.1}, rule, combine="additive")
    120.0
    """
    if len(past_payments) < rule.base_years:
        raise ValueError(f"need at least {rule.base_years} past payments, got {len(past_payments)}")
    recent = [float(p) for p in past_payments[-rule.base_years :]]
    if any(p < 0 for p in recent):
        raise ValueError("past payments cannot be negative")
    unknown = set(factor_values) - set(rule.factors)
    if unknown:
        raise KeyError(f"unknown budget factors {sorted(unknown)}; known: {list(rule.factors)}")
    weights = dict(weights or {})
    unknown_w = set(weights) - set(rule.factors)
    if unknown_w:
        raise KeyError(f"weights for unknown factors {sorted(unknown_w)}")
    terms = [weights.get(name, 1.0) * float(factor_values.get(name, 0.0)) for name in rule.factors]
    if combine == "multiplicative":
        adjustment = float(np.prod([1.0 + t for t in terms]))
    elif combine == "additive":
        adjustment = 1.0 + sum(terms)
    else:
        raise ValueError(f"combine must be 'additive' or 'multiplicative', not {combine!r}")
    return max(recent) * adjustment


# --------------------------------------------------------------------------- the base over time

#: What enters next years' base as a year's "approved payment" (核拨费用), which the paper does
#: not define for reform years: the fund's outlay after year-end settlement ("settled"), or the
#: group's eligible spending ("spent").
Reading = Literal["settled", "spent"]


def budget_path(
    spending: Sequence[float],
    rules: RiskSharingRules,
    base_years: int,
    history: Sequence[float],
    reading: Reading = "settled",
) -> pd.DataFrame:
    """Budgets, settlements and approved payments year by year when each year's base is the
    highest approved payment of the last ``base_years`` years (no adjustment factors).

    Parameters
    ----------
    spending
        The group's eligible spending in each year, in money (not relative to the budget).
    rules
        Settlement parameters.
    base_years
        Look-back window of the base; 1 is a base equal to last year's payment.
    history
        Approved payments before the first year, oldest first; at least ``base_years`` values.
    reading
        What counts as a year's approved payment: the fund's outlay after settlement
        ("settled") or the group's spending ("spent").

    Returns
    -------
    pandas.DataFrame
        One row per year (1, 2, ...): ``budget``, ``spending``, ``group_net_position``,
        ``fund_outlay``, ``approved_payment``.

    Examples
    --------
    >>> rules = RiskSharingRules.from_claims()
    >>> path = budget_path([85, 100, 100], rules, base_years=1, history=[100], reading="spent")
    >>> path["budget"].tolist()
    [100.0, 85.0, 100.0]
    """
    if base_years < 1:
        raise ValueError("base_years must be at least 1")
    if len(history) < base_years:
        raise ValueError(f"need at least {base_years} past payments, got {len(history)}")
    if reading not in ("settled", "spent"):
        raise ValueError(f"reading must be 'settled' or 'spent', not {reading!r}")
    payments = [float(p) for p in history]
    rows = []
    for year, spent in enumerate(spending, start=1):
        budget = max(payments[-base_years:])
        s = settle(spent, budget, rules)
        approved = float(s.fund_outlay) if reading == "settled" else float(spent)
        payments.append(approved)
        rows.append(
            {
                "year": year,
                "budget": budget,
                "spending": float(spent),
                "group_net_position": float(s.group_net_position),
                "fund_outlay": float(s.fund_outlay),
                "approved_payment": approved,
            }
        )
    return pd.DataFrame(rows).set_index("year")
