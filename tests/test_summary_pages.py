"""The summary, limitations and what-would-change pages compute what they state."""

from __future__ import annotations

import csv
import re

import pandas as pd
import pytest

from analysis import paths
from analysis.chapters import index, limitations
from analysis.chapters import what_would_change_our_mind as change
from analysis.datasets import load_data

GLUE = re.compile(r"\{glue:text\}`([^`]+)`")


def _claims_from_csv() -> dict[str, str]:
    # Read the file directly, not through the loader, so the check is independent of it.
    with open(paths.DATA / "claims" / "claims.csv", encoding="utf-8") as f:
        return {row["claim_id"]: row["value"] for row in csv.DictReader(f)}


def test_post_reform_share_is_below_2017_computed_from_the_claims():
    raw = _claims_from_csv()
    expected_post = float(raw["qj_visit_share_2022"]) + float(raw["qj_visit_share_change_post"])
    comparison = index.post_reform_against_2017()
    assert comparison.post_value == pytest.approx(expected_post)
    assert comparison.first_value == pytest.approx(float(raw["qj_visit_share_2017"]))
    assert comparison.still_below == (expected_post < float(raw["qj_visit_share_2017"]))
    values = index.numbers()
    assert values["index-qj-post"] == f"{expected_post:.1f}"
    assert values["index-qj-position"] == "still below"


def test_the_comparison_follows_the_claims_not_a_constant():
    claims = load_data("claims").frame.copy()
    claims.loc[claims["claim_id"] == "qj_visit_share_2022", "value"] = 38.0
    edited = index.post_reform_against_2017(claims)
    assert edited.post_value == pytest.approx(43.8)
    assert not edited.still_below and edited.shortfall == pytest.approx(-0.5)


def test_reported_points_are_counted_from_the_ledger():
    claims = load_data("claims").frame
    before = limitations.reported_share_points(claims, "visit_share")
    assert "qj_visit_share_change_year_assumed" not in set(before["claim_id"])
    extra = before.iloc[[0]].assign(claim_id="qj_visit_share_2019", period="2019")
    grown = pd.concat([claims, extra], ignore_index=True)
    assert len(limitations.reported_share_points(grown, "visit_share")) == len(before) + 1


def test_every_testable_hypothesis_has_an_observation():
    hypotheses = load_data("hypotheses").frame
    change.check_rows(hypotheses)
    extra = pd.DataFrame({"hypothesis_id": ["H99"], "analysis": ["its"]})
    with pytest.raises(ValueError, match="H99"):
        change.check_rows(pd.concat([hypotheses, extra], ignore_index=True))
    bad = (change.Observation("H42", "c", "o", "x", "evidence-its"),)
    with pytest.raises(ValueError, match="H42"):
        change.check_rows(hypotheses, bad)


def test_every_observation_names_a_page_of_the_book():
    assert len(change.analysis_titles()) == len(change.OBSERVATIONS)
    bad = (change.Observation("H1", "c", "o", "x", "no-such-page"),)
    with pytest.raises(ValueError, match="no-such-page"):
        change.analysis_titles(bad)


@pytest.mark.parametrize(
    ("page", "module"),
    [
        ("index.md", index),
        ("limits/limitations.md", limitations),
        ("limits/what_would_change_our_mind.md", change),
    ],
)
def test_every_glued_number_is_computed(page, module):
    used = set(GLUE.findall((paths.BOOK / page).read_text(encoding="utf-8")))
    assert used and used <= set(module.numbers())


def test_the_papers_table_covers_every_paper_and_counts_the_share_points(monkeypatch):
    table = index.table_papers().data
    papers = load_data("papers").frame
    assert len(table) == len(papers)
    assert table["Share points"].sum() == index.numbers()["index-n-share-points"]
    assert table["Claims"].sum() == len(load_data("claims").frame)
    monkeypatch.delitem(index.REACH, "luo2025")
    with pytest.raises(KeyError, match="luo2025"):
        index.table_papers()
