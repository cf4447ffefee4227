"""The national public series: cited rows only, printed words kept, missing years named."""

from __future__ import annotations

import re

import matplotlib
import pandas as pd
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from analysis import paths  # noqa: E402
from analysis.chapters import public_context  # noqa: E402
from analysis.plotting.provenance import provenance_classes  # noqa: E402

FRAME = public_context.national_shares()


def test_every_row_is_public_with_its_bulletin_and_words():
    assert len(FRAME) > 0
    assert (FRAME["provenance"] == "public").all()
    for _, row in FRAME.iterrows():
        assert "公报" in row["source"] and row["issuer"].strip()
        year = str(int(row["year"]))
        # the verbatim words are Chinese, name the year and print the stored value
        assert re.search(r"[\u4e00-\u9fff]", row["source_zh"])
        assert year + "年" in row["source_zh"]
        assert "基层医疗卫生机构" in row["source_zh"]
        assert f"{row['value']:.1f}%" in row["source_zh"] or row["how_obtained"] != "printed share"


def test_printed_shares_agree_with_the_printed_counts():
    # Counts are printed to 0.1 亿, so the share they give is uncertain by about this much.
    for _, row in FRAME.iterrows():
        p, t = row["primary_visits_100m"], row["total_visits_100m"]
        tolerance = 100 * 0.05 * (1 / t + p / t**2) + 0.05
        assert row["value"] == pytest.approx(100 * p / t, abs=tolerance), row["year"]


def test_the_issue_s_cited_values_are_the_stored_ones():
    # Issue 15 cites 56.4 % (2015) and 50.2 % (2021) from the bulletins.
    by_year = FRAME.set_index("year")["value"]
    assert by_year[2015] == pytest.approx(56.4) and by_year[2021] == pytest.approx(50.2)


def test_missing_years_are_exactly_the_unfound_ones_and_are_glued():
    found = set(FRAME["year"].astype(int))
    missing = public_context.missing_years()
    assert set(missing) == set(public_context.SEARCHED_YEARS) - found
    values = public_context.numbers()
    assert values["public-missing-years"] == public_context.year_ranges(missing)
    page = (paths.BOOK / "data" / "public_context.md").read_text(encoding="utf-8")
    assert "{glue:text}`public-missing-years`" in page
    assert "public_context.table_missing()" in page


def test_a_year_without_value_or_reason_is_refused():
    fewer = FRAME.iloc[:-1]
    with pytest.raises(ValueError, match="missing years"):
        public_context.missing_years(fewer)


def test_the_figure_shows_public_and_reported_data():
    fig = public_context.figure_context()
    classes = provenance_classes(fig.axes[0])
    assert {"public", "reported"} <= classes and "synthetic" not in classes
    plt.close(fig)


def test_qianjiang_points_come_from_the_claims():
    claims = pd.read_csv(paths.DATA / "claims" / "claims.csv", encoding="utf-8")
    by_id = claims.set_index("claim_id")["value"]
    qj = public_context.qianjiang_points()
    assert qj.values == (by_id["qj_visit_share_2017"], by_id["qj_visit_share_2022"])
    assert qj.post_value == pytest.approx(
        by_id["qj_visit_share_2022"] + by_id["qj_visit_share_change_post"]
    )


def test_every_number_on_the_page_is_glued_from_the_module():
    page = (paths.BOOK / "data" / "public_context.md").read_text(encoding="utf-8")
    used = set(re.findall(r"\{glue:text\}`([^`]+)`", page))
    assert used and used <= set(public_context.numbers())


def test_every_row_names_the_stored_repost_it_was_read_in():
    # The citation is the bulletin, but the words were read in a repost: the note must let a
    # reader find that copy again.
    for _, row in FRAME.iterrows():
        assert re.search(r"https?://\S+", row["transcription_note"]), row["year"]


def test_a_restored_term_is_declared_with_what_the_copy_printed():
    # A machine-altered copy may be used only if the note records the altered wording it prints
    # beside the term put back, so the restoration can be checked against that copy.
    declared = re.compile(
        r"prints ([\u4e00-\u9fff]+) where the bulletin's term is ([\u4e00-\u9fff]+)"
    )
    for _, row in FRAME.iterrows():
        note = row["transcription_note"]
        if "restored" not in note:
            continue
        match = declared.search(note)
        assert match, row["year"]
        printed, restored = match.groups()
        assert printed not in row["source_zh"] and restored in row["source_zh"], row["year"]


def test_the_listed_years_name_every_stored_year():
    listed = public_context.numbers()["public-years"]
    for year in FRAME["year"].astype(int):
        assert str(year) in listed
    assert listed.count(" and ") == (1 if len(FRAME) > 1 else 0)
