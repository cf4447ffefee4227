"""The two DiD pages show only valid intervals, lead with a design whose assumption holds, and
show what each design recovers with and without the post-zero-COVID shock."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd
import pytest

from analysis import paths
from analysis.chapters import did_qianjiang as dq
from analysis.chapters import did_staggered as ds
from analysis.estimates import Estimate

SMALLEST_P = 1e-10  # below this a p-value claims a precision no model here can carry


def offending(
    numbers: Mapping[str, Any], estimates: Iterable[Estimate], tables: Iterable[pd.DataFrame]
) -> list[str]:
    """Everything a page would show that is an invalid interval or an absurd p-value.

    Estimates are the ones behind the page's intervals and figures; the pages glue or tabulate
    their intervals, and p-values only where ``numbers`` or a table carries them.
    """
    found = []
    for key, value in numbers.items():
        if isinstance(value, str) and "NOT VALID" in value:
            found.append(f"glue {key}: {value}")
        is_p = re.search(r"(^|-)p(-|$)", key.removeprefix("did-").removeprefix("stag-"))
        if is_p and isinstance(value, float) and value < SMALLEST_P:
            found.append(f"glue {key} = {value:g}")
    for estimate in estimates:
        if estimate.interval_method.startswith("NOT VALID"):
            found.append(f"estimate {estimate.name}: {estimate.interval_method[:60]}")
    for table in tables:
        for column in table.columns:
            cells = table[column]
            if cells.astype(str).str.contains("NOT VALID").any():
                found.append(f"table column {column}: NOT VALID")
            if re.search(r"\bp\b|p-value|p value", str(column)):
                if (pd.to_numeric(cells, errors="coerce") < SMALLEST_P).any():
                    found.append(f"table column {column}: p < {SMALLEST_P:g}")
    return found


def test_the_scanner_finds_what_the_referee_found():
    bad = Estimate("x", 1.0, 0.1, 0.8, 1.2, p_value=4.3e-47, interval_method="NOT VALID: CR1")
    table = pd.DataFrame({"estimate": [1.0], "p-value": [4.3e-47]})
    found = offending({"did-2x2-p-visit": 4.3e-47}, [bad], [table])
    assert len(found) == 3, found
    assert not offending({"did-2x2-p-visit": 0.02}, [], [])


def _qianjiang_shown() -> tuple[list[Estimate], list[pd.DataFrame]]:
    estimates, tables = [], []
    for a in dq.analyses().values():
        estimates += [*a.did.estimates(), *a.trend.estimates(), *a.event.estimates()]
        estimates += [*a.placebo.estimates(), a.synthetic.effect]
        # The figure draws the event study's table: its intervals must be the valid ones.
        assert not a.event.interval_method.startswith("NOT VALID")
        assert "cluster" not in a.event.interval_method.lower()
    tables += [dq.match_hypotheses(dq.hypotheses(), dq.analyses()), dq.shock_comparison()]
    return estimates, tables


def _staggered_shown() -> tuple[list[Estimate], list[pd.DataFrame]]:
    estimates, tables = [], []
    for a in ds.analyses().values():
        estimates += list(a.cs.estimates())
        tables.append(ds.cells_table(a))
    tables += [ds.estimate_table(ds.analyses()), ds.pool_table()]
    tables.append(ds.match_hypotheses(ds.hypotheses(), ds.analyses()))
    return estimates, tables


@pytest.mark.parametrize(
    "module, shown", [(dq, _qianjiang_shown), (ds, _staggered_shown)], ids=["qianjiang", "stag"]
)
def test_no_page_shows_an_invalid_interval_or_an_absurd_p_value(module, shown):
    estimates, tables = shown()
    assert offending(module.numbers(), estimates, tables) == []


def test_staggered_intervals_come_from_the_rule_for_the_cells_shown():
    from analysis.did.inference import few_treated

    for a in ds.analyses().values():
        # Cluster-robust intervals only where the rule allows them.
        assert (a.cs.inference == "cluster") == (not few_treated(a.window))
        assert not a.cs.simple.interval_method.startswith("NOT VALID")


def test_the_headline_design_recovers_the_truth_and_the_plain_2x2_is_biased_by_the_trend():
    for a in (dq.analyses()["visit_share"], dq.analyses()["fund_share"]):
        trend, plain = a.trend.effect, a.did.effect
        assert trend.ci_lower <= a.truth <= trend.ci_upper
        assert abs(trend.estimate - a.truth) < abs(plain.estimate - a.truth) / 3
        # The bias is the pre-trend gap times the distance between the periods' mid-points.
        months = a.panel.n_periods
        adoption = int(a.panel.group_code.max())
        distance = (months + adoption - 1) / 2 - (adoption - 1) / 2
        assert a.trend.trend_bias == pytest.approx(a.trend.trend_gap * distance, rel=1e-9)
        # The page says "falls ... faster" and "steeper decline": the generator's pre-trend gap.
        assert a.trend.trend_gap < 0
    numbers = dq.numbers()
    assert numbers["did-2x2-error-visit"] == pytest.approx(
        abs(numbers["did-2x2-visit"] - numbers["did-true-visit"])
    )
    assert numbers["did-trend-bias-side-visit"] == "lowers"


def test_true_effect_is_the_post_share_minus_the_pre_reform_line():
    frame = dq.districts()
    rows = frame[frame["district"] == dq.TREATED_DISTRICT]
    annual = rows.groupby(rows["month"].dt.year)[["visits_primary", "visits_total"]].sum()
    share = 100 * annual["visits_primary"] / annual["visits_total"]
    slope = (share[2022] - share[2017]) / 5  # the generator's line through its two anchors
    expected = np.mean([share[y] - (share[2022] + slope * (y - 2022)) for y in (2023, 2024)])
    assert dq.true_effect(frame, "visit_share") == pytest.approx(expected, abs=0.02)


def test_a_common_shock_is_differenced_out_and_a_local_one_is_not():
    table = dq.shock_comparison().set_index("world")
    designs = [c for c in table.columns if c != "true effect (pp)"]
    base = table.loc[dq.SHOCKS[None], designs]
    common = table.loc[dq.SHOCKS["post_zero_covid"], designs] - base
    local = table.loc[dq.SHOCKS["post_zero_covid_treated_only"], designs] - base
    shift = dq.shock_size()["post_mean"]
    assert shift > 0.5
    assert (common.abs() < 0.1 * shift).all(), common
    assert (local > 0.5 * shift).all() and (local < 1.5 * shift).all(), local
    assert table["true effect (pp)"].nunique() == 1


def test_pages_say_which_shock_did_removes_and_name_no_code():
    text = (paths.ROOT / "book" / "evidence" / "did_qianjiang.md").read_text(encoding="utf-8")
    assert "chapter.shock_styled()" in text and "{glue:text}`did-shock-local-change" in text
    assert "differenced out" in text and "is not differenced out" in text
    assert "headline" in text.lower() and "{glue:text}`did-trend-bias-visit" in text
    for page in ("did_qianjiang.md", "did_staggered.md"):
        prose = (paths.ROOT / "book" / "evidence" / page).read_text(encoding="utf-8")
        prose = re.sub(r"```.*?```", "", prose, flags=re.S)
        inline_code = re.findall(r"(?<![}\w])`([^`]+)`", prose)
        assert not inline_code, (page, inline_code)


def test_displayed_tables_carry_no_code_names():
    code_name = re.compile(r"\b[a-z]+_(?:share|primary|total|pp)\b")
    styled = [
        dq.hypotheses_table(),
        dq.hypotheses_against_estimates(),
        dq.shock_styled(),
        ds.hypotheses_table(),
        ds.pool_styled(),
        ds.cells_styled(),
        ds.estimates_styled(),
        ds.hypotheses_against_estimates(),
    ]
    for table in styled:
        frame = table.data
        text = " ".join(map(str, frame.columns)) + " " + frame.astype(str).to_string()
        assert not code_name.findall(text), code_name.findall(text)
    assert code_name.findall("the fund_share column")  # the check can fail
