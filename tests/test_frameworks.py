"""Framework crosswalk, hypotheses, glossary, the diagrams drawn from them, and the numbers the
framework chapters glue."""

from __future__ import annotations

import html
import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
import pytest

from analysis import frameworks as fw
from analysis.chapters import coproduction_g_county as gc
from analysis.chapters import embeddedness_qianjiang as qj
from analysis.chapters import glossary as glossary_chapter
from analysis.chapters import holistic_anhui_medical_community as ah
from analysis.chapters import holistic_multilevel_security as ml
from analysis.chapters import index as index_chapter
from analysis.chapters import side_by_side as sbs
from analysis.datasets import load_data
from analysis.plotting import diagrams

PAPER_ORDER = ("cui2021", "yang2023", "gong2024", "luo2025")  # by publication year


@pytest.fixture(scope="module")
def cw() -> fw.Crosswalk:
    return fw.load_crosswalk()


@pytest.fixture(scope="module")
def glossary() -> pd.DataFrame:
    return load_data("glossary").frame


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# ----------------------------------------------------------------- crosswalk


def test_the_four_lens_applications(cw):
    assert list(cw.lenses["lens_id"]) == list(fw.LENS_ORDER)
    papers = set(load_data("papers").frame["paper_id"])
    assert set(cw.lenses["paper_id"]) == papers


def test_crosswalk_has_no_problems(cw, seeds):
    assert fw.crosswalk_problems(cw) == []


@pytest.mark.parametrize("lens_id", fw.LENS_ORDER)
def test_every_lens_is_complete(cw, lens_id):
    lens = cw.lens(lens_id)
    for column in ("theorists", "unit_of_analysis", "drivers", "actors", "outcomes_claimed"):
        assert fw.split_cell(lens[column]), column
    mech = cw.mechanisms_of(lens_id)
    assert len(mech) >= 3
    assert mech["observable_indicator"].str.len().gt(10).all()
    assert len(fw.framework_diagram_data(cw, lens_id).nodes) >= len(mech)


def test_quotes_are_verbatim_and_the_check_can_fail(cw, seeds):
    for row in cw.mechanisms.itertuples():
        paper = cw.lens(row.lens_id)["paper_id"]
        assert fw.quote_in_seed(paper, row.source_zh), row.mechanism_id
    row = cw.mechanisms.iloc[0]
    paper = cw.lens(row["lens_id"])["paper_id"]
    assert not fw.quote_in_seed(paper, row["source_zh"] + "并非原文")
    assert not fw.quote_in_seed(paper, "")


def test_problems_are_reported_for_a_broken_crosswalk(cw, seeds):
    broken_mech = cw.mechanisms.copy()
    broken_mech.loc[0, "source_zh"] = "这句话不在论文里"
    broken_mech.loc[1, "hypothesis_id"] = "H99"
    broken_mech.loc[2, "predicted_direction"] = "up"
    broken_lenses = cw.lenses.copy()
    broken_lenses.loc[0, "drivers"] = ""
    broken_lenses.loc[1, "role_of_public_basis"] = "vibes"
    problems = fw.crosswalk_problems(fw.Crosswalk(broken_lenses, broken_mech, cw.hypotheses))
    text = "\n".join(problems)
    for expected in (
        "source_zh not found",
        "unknown hypothesis H99",
        "bad predicted_direction",
        "empty drivers",
        "role_of_public_basis",
    ):
        assert expected in text


def test_synthesis_cells_are_marked(cw):
    table = sbs.comparison_table(cw)
    assert list(table.index) == list(sbs.SHARED_DIMENSIONS.values())
    assert table.shape[1] == 4
    financing = table.loc["Role of financing"]
    assert financing.str.endswith(fw.SYNTHESIS_MARK).all()
    assert not table.loc["Unit of analysis"].str.endswith(fw.SYNTHESIS_MARK).any()


def test_hypotheses_cover_every_series_and_link_back(cw):
    hyp = cw.hypotheses
    assert list(hyp["hypothesis_id"]) == [f"H{i}" for i in range(1, len(hyp) + 1)]
    named = {s for cell in hyp["series"] for s in fw.split_cell(cell)}
    assert set(fw.SERIES) <= named
    cited = {h for cell in cw.mechanisms["hypothesis_id"] for h in fw.split_cell(cell)}
    assert cited == set(hyp["hypothesis_id"])
    table = sbs.hypothesis_table(cw)
    assert len(table) == len(hyp)
    assert set(sbs.hypothesis_table(cw, "embeddedness_qianjiang")["Id"]) >= {"H1", "H2"}


def test_crosswalk_table_names_every_mechanism(cw):
    table = sbs.crosswalk_table(cw)
    joined = " ".join(table["Mechanisms"])
    assert all(name in joined for name in cw.mechanisms["mechanism_zh"])


# ----------------------------------------------------------------- glossary


def test_glossary_terms(glossary):
    assert len(glossary) >= 40
    assert glossary["term_zh"].is_unique
    for column in ("pinyin", "term_en", "definition_en"):
        assert glossary[column].str.strip().str.len().gt(0).all(), column
    tone = re.compile(r"[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ]")
    chinese = glossary["term_zh"].str.contains(r"[\u4e00-\u9fff]")
    assert glossary.loc[chinese, "pinyin"].map(lambda p: bool(tone.search(p))).all()
    for term in (
        "医保",
        "基层医疗卫生机构",
        "医共体",
        "紧密型县域医共体",
        "打包付费",
        "结余留用",
        "合理超支分担",
        "医保经办服务",
        "共同生产",
        "整体性治理",
        "嵌入性",
        "两包三单六贯通",
        "按病种付费",
        "DRG/DIP",
        "城乡居民医保",
        "职工医保",
        "大病保险",
        "医疗救助",
        "门诊统筹",
        "家庭医生签约",
    ):
        assert term in set(glossary["term_zh"]), term


def test_glossary_paper_columns_match_the_texts(glossary, seeds):
    for row in glossary.itertuples():
        found = [
            p
            for p in PAPER_ORDER
            if row.seed_match and fw.normalise_whitespace(row.seed_match) in fw.seed_text(p)
        ]
        assert fw.split_cell(row.in_papers) == found, row.term_zh
        assert row.first_paper == (found[0] if found else ""), row.term_zh


# ----------------------------------------------------------------- diagrams


def test_concept_map_has_one_node_per_mechanism(cw):
    fig = diagrams.draw_concept_map(cw)
    gids = [p.get_gid() for p in diagrams.node_patches(fig, "mechanism")]
    assert sorted(gids) == sorted(f"mechanism:{m}" for m in cw.mechanisms["mechanism_id"])
    assert {p.get_gid() for p in diagrams.node_patches(fig, "analysis")} >= {
        "analysis:its",
        "analysis:did",
    }


def test_concept_map_edges_follow_the_data(cw):
    data = fw.concept_map_data(cw)
    edges = set(data.edges)
    assert ("mechanism:qj_resource_embedding", "indicator:fund_share") in edges
    assert ("indicator:fund_share", "analysis:its") in edges
    assert ("mechanism:gc_value_goal", "indicator:other") in edges
    node_ids = {n.node_id for n in data.nodes}
    assert {e for pair in edges for e in pair} <= node_ids


@pytest.mark.parametrize("lens_id", fw.LENS_ORDER)
def test_framework_diagram_has_one_box_per_mechanism(cw, lens_id):
    fig = diagrams.draw_framework(lens_id, cw)
    boxes = {p.get_gid() for p in diagrams.node_patches(fig, "mechanism")}
    assert boxes == {f"mechanism:{m}" for m in cw.mechanisms_of(lens_id)["mechanism_id"]}
    drivers = diagrams.node_patches(fig, "driver")
    assert len(drivers) == len(fw.split_cell(cw.lens(lens_id)["drivers"]))


def test_framework_diagram_refuses_unknown_lens(cw):
    with pytest.raises(KeyError, match="unknown lens"):
        diagrams.draw_framework("no_such_lens", cw)


def test_wrap_label_keeps_every_character():
    text = "结余激励(结余留用与超支分担) surplus incentive (banded retention)"
    lines = diagrams.wrap_label(text, 1.0)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    assert len(lines) > 1


# ----------------------------------------------------------------- chapter figures


def test_timeline_marks_documents_and_printed_inconsistencies():
    docs = load_data("policy_documents").frame
    fig = ml.plot_policy_timeline(docs)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert len(texts) == len(docs)
    flagged = (docs["body_text_check"] == "differs").sum()
    assert sum(t.endswith("‡") for t in texts) == flagged > 0
    classes = docs["key_statement"].map(ml.statement_class)
    assert classes.eq("multi-level medical security").any()


def test_scheme_matrix_draws_each_scheme_and_the_moves():
    schemes = load_data("security_schemes").frame
    fig = ml.plot_scheme_matrix(schemes)
    ax = fig.axes[0]
    assert sum(t.get_text() in set(schemes["scheme"]) for t in ax.texts) == len(schemes)
    moved = (schemes["current_layer_en"] != schemes["authors_layer_en"]).sum()
    assert moved >= 1
    assert len([c for c in ax.texts if getattr(c, "arrow_patch", None) is not None]) == moved


def test_g_county_network_uses_reported_counts():
    claims = load_data("claims").frame
    table = gc.g_county_network(claims)
    expected = claims.set_index("claim_id").loc[
        ["gc_county_centres", "gc_township_stations", "gc_village_rooms"], "value"
    ]
    assert table["outlets"].tolist() == expected.tolist()
    assert gc.plot_g_county_network(claims).axes


def test_qianjiang_reported_figure_draws_every_reported_point():
    from analysis.chapters.case import reported_points

    fig = qj.figure_reported()
    values = {t.get_text() for t in fig.axes[0].texts}
    points = reported_points()
    shown = points.loc[points["provenance"] == "reported", "value"]
    assert {f"{v:.1f}" for v in shown} <= values


# ----------------------------------------------------------------- chapter numbers

CHAPTERS = {
    "index": index_chapter,
    "sbs": sbs,
    "gc": gc,
    "ml": ml,
    "ah": ah,
    "qj": qj,
    "glossary": glossary_chapter,
}
PAGES = {
    "index": "index",
    "sbs": "frameworks/side_by_side",
    "gc": "frameworks/coproduction_g_county",
    "ml": "frameworks/holistic_multilevel_security",
    "ah": "frameworks/holistic_anhui_medical_community",
    "qj": "frameworks/embeddedness_qianjiang",
    "glossary": "appendix/glossary",
}


@pytest.mark.parametrize("prefix", CHAPTERS)
def test_chapter_numbers_use_one_prefix_and_plain_values(prefix):
    values = CHAPTERS[prefix].numbers()
    assert values
    for key, value in values.items():
        assert re.fullmatch(rf"{prefix}(-[a-z0-9]+)+", key), key
        # Glued values are shown through their repr: numpy scalars would print as np.int64(..).
        assert type(value) in (int, float, str), (key, type(value))


@pytest.mark.parametrize("prefix", CHAPTERS)
def test_every_glue_reference_of_a_page_is_glued(prefix):
    from analysis import paths

    text = (paths.BOOK / f"{PAGES[prefix]}.md").read_text(encoding="utf-8")
    referenced = set(re.findall(r"\{glue:text\}`([^`]+)`", text))
    assert referenced and referenced <= set(CHAPTERS[prefix].numbers())


def test_numbers_are_computed_from_the_data(cw):
    assert sbs.numbers()["sbs-n-mechanisms"] == len(cw.mechanisms)
    assert sbs.numbers()["sbs-n-mech-embeddedness-qianjiang"] == len(
        cw.mechanisms_of("embeddedness_qianjiang")
    )
    claims = load_data("claims").frame.set_index("claim_id")
    assert gc.numbers()["gc-county-centres"] == int(claims.at["gc_county_centres", "value"])
    assert qj.numbers()["qj-visit-share-2017"] == f"{claims.at['qj_visit_share_2017', 'value']:.1f}"
    assert ah.numbers()["ah-pilot-year"] == int(claims.at["ah_pilot_year", "value"])
    docs = load_data("policy_documents").frame
    assert ml.numbers()["ml-n-rows"] == len(docs)
    assert index_chapter.numbers()["index-n-claims"] == len(claims)
    glossary = load_data("glossary").frame
    assert glossary_chapter.numbers()["glossary-n-terms"] == len(glossary)


# ----------------------------------------------------------------- responsive tables

#: Most columns a table may show before its details open (issue 15, finding 9: one column per
#: phone screen came from eight and nine columns of long text).
MAX_SUMMARY_COLUMNS = 6


def _check_responsive(markup: str) -> tuple[list[str], list]:
    """Headers and body rows of a responsive table, after checking every cell is labelled."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(markup, "html.parser")
    table = soup.find("table")
    assert "rtable" in table["class"]
    headers = [th.get_text() for th in table.thead.find_all("th")]
    rows = table.tbody.find_all("tr")
    for row in rows:
        cells = row.find_all(["td", "th"], recursive=False)
        assert [c.get("data-label") for c in cells] == headers
    assert "@media (max-width:" in soup.style.get_text()
    assert "url(" not in soup.style.get_text()
    return headers, rows


def test_responsive_table_labels_cells_and_refuses_ragged_rows():
    from analysis.chapters.tables import Cell, responsive_table, summary_headers

    markup = responsive_table(
        ["Id", "Words", "Note"],
        [["a", Cell("<b>x</b>", lang="zh"), "n & m"], ["b", "y", ""]],
        details=["Note"],
    )
    headers, rows = _check_responsive(markup)
    assert headers == summary_headers(markup) == ["Id", "Words", "Details"]
    assert 'lang="zh"' in markup and "n &amp; m" in markup and len(rows) == 2
    with pytest.raises(ValueError, match="row 1 has 2 cells"):
        responsive_table(["a", "b", "c"], [["1", "2"]])
    with pytest.raises(ValueError, match="unknown columns"):
        responsive_table(["a"], [["1"]], details=["b"])


@pytest.mark.parametrize("table", ["table_crosswalk", "table_comparison", "table_hypotheses"])
def test_side_by_side_tables_fit_a_screen_and_read_as_cards(cw, table):
    markup = getattr(sbs, table)().data
    headers, rows = _check_responsive(markup)
    assert len(headers) <= MAX_SUMMARY_COLUMNS, headers
    assert rows


def test_crosswalk_details_keep_every_mechanism_and_no_codes(cw):
    markup = sbs.table_crosswalk().data
    assert all(name in markup for name in cw.mechanisms["mechanism_zh"])
    assert markup.count("<details>") == len(cw.lenses)
    assert not re.search(r"\b(?:visit|admission|fund)_share\b|luo2025|its;did", markup)
    hypotheses = sbs.table_hypotheses().data
    assert "fund_share" not in hypotheses
    assert html.escape(fw.SERIES_LABELS["fund_share"]) in hypotheses


def test_fund_share_sentence_is_computed_from_the_hypotheses(cw):
    labels = sbs.author_labels()
    sentence = sbs.fund_share_sentence(cw, labels)
    assert sentence.endswith("No two have opposite signs.")
    assert all(h in sentence for h in ("H1", "H6", "H8")) and "H4" not in sentence
    flipped = cw.hypotheses.copy()
    flipped.loc[flipped["hypothesis_id"] == "H8", "predicted_direction"] = "-"
    other = sbs.fund_share_sentence(fw.Crosswalk(cw.lenses, cw.mechanisms, flipped), labels)
    assert other.endswith("Two of them have opposite signs.") and "implies a fall" in other


def test_provenance_labels_do_not_overstate_reported(cw, glossary):
    assert fw.provenance_problems(cw) == []
    assert set(cw.lenses["provenance"]) == set(cw.mechanisms["provenance"]) == {fw.READING}
    for column in fw.DESCRIPTIVE_COLUMNS:
        assert set(cw.lenses[f"{column}_basis"]) <= set(fw.BASIS_VALUES)
    assert (glossary["definition_provenance"] == fw.READING).all()
    for name in ("lenses", "mechanisms", "hypotheses"):
        assert load_data(name).provenance == fw.READING
    broken = cw.mechanisms.copy()
    broken.loc[0, "provenance"] = "reported"
    broken.loc[1, "indicator_basis"] = "paper"
    problems = fw.provenance_problems(fw.Crosswalk(cw.lenses, broken, cw.hypotheses))
    assert len(problems) == 2
