"""The claims table and Gong & Wang's two tables are faithful transcriptions of the seed papers.

Plain pandas on purpose: these checks must not depend on the validator they help to test.
Source words are compared with the seed text after *removing* all whitespace on both sides,
because the extracted full texts break lines (and sometimes words) wherever the PDF did.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from analysis import paths
from analysis.registry import declaration

# Where the files are comes from the registry; how they are read here stays plain pandas.
CLAIMS_CSV = declaration("claims").file
PAPERS_CSV = declaration("papers").file
POLICY_CSV = declaration("policy_documents").file
SCHEMES_CSV = declaration("security_schemes").file

CLAIM_COLUMNS = [
    "claim_id",
    "paper_id",
    "section",
    "source_zh",
    "gloss_en",
    "quantity",
    "geography",
    "period",
    "value",
    "value_as_printed",
    "unit",
    "provenance",
    "note",
    "used_in",
]
PROVENANCE = {"reported", "public", "reading", "assumed", "synthetic"}
# Values the paper prints as words, which the book reads as numbers (issue 15, finding 6).
NUMERIC_READINGS = {"qj_surplus_excess_returned": 100.0, "qj_overspend_band3_share": 0.0}
LAYERS = {"基本层", "补充层", "托底层"}

# claim_id -> (value, value as printed): the items the issue requires, with their printed values.
REQUIRED: dict[str, tuple[float | None, str]] = {
    "qj_visit_share_2017": (43.3, "43.3%"),
    "qj_visit_share_2022": (36.9, "36.9%"),
    "qj_admission_share_2017": (32.3, "32.3%"),
    "qj_admission_share_2022": (29.8, "29.8%"),
    "qj_fund_share_2017": (17.9, "17.9%"),
    "qj_fund_share_2022": (11.3, "11.3%"),
    "qj_reform_start_year": (2023, "2023年"),
    "qj_visit_share_change_post": (5.8, "5.8个百分点"),
    "qj_outpatient_volume_growth": (7.6, "7.6%"),
    "qj_admission_volume_growth": (4.3, "4.3%"),
    "qj_outpatient_payment_share_change": (8.4, "8.4个百分点"),
    "qj_fund_growth_annual": (3, "3%"),
    "qj_rural_population_share": (58.6, "58.6%"),
    "qj_aged65_share": (16.1, "16.1%"),
    "qj_townships": (24, "24个"),
    "qj_subdistricts": (6, "6个"),
    "qj_district_hospitals": (11, "11家"),
    "qj_district_hospitals_public": (3, "3家"),
    "qj_district_hospitals_private": (8, "8家"),
    "qj_primary_institutions": (30, "30家"),
    "qj_interviews": (25, "25份"),
    "qj_data_years": (None, "2017—2024年"),
    "qj_extended_farm_services": (200, "200余"),
    "qj_extended_home_rehab": (2500, "2500余"),
    "qj_extended_mental_screening": (4800, "4800余"),
    "qj_budget_formula": (None, "基数+因数"),
    "qj_surplus_retained_limit": (10, "10%"),
    "qj_overspend_band1_limit": (10, "10%"),
    "qj_overspend_band1_share": (100, "100%"),
    "qj_overspend_band2_limit": (20, "20%"),
    "qj_overspend_band2_share": (60, "60%"),
    "qj_surplus_performance_share": (80, "80%"),
    "qj_surplus_capacity_share": (20, "20%"),
    "gc_county_centres": (3, "3个"),
    "gc_township_stations": (16, "16个"),
    "gc_village_rooms": (269, "269家"),
    "gc_items_delegated": (29, "29个"),
    "gc_cases_2022": (226681, "226 681"),
    "gc_review_time_cut": (70, "70% 以上"),
    "gc_completion_days": (10, "10 个工作日"),
    "gc_bureau_year": (2019, "2019年"),
    "gc_provincial_pilot_year": (2020, "2020年"),
    "gc_programme_document_year": (2021, "[2021]3 号"),
    "gc_ocr_date": (None, "2022 年 5 月"),
    "gc_city_rollout_date": (None, "2022年4月"),
    "ah_pilot_counties_2019": (37, "37个"),
    "ah_surveyed_counties_2020": (37, "37个"),
    "ah_path_slogan": (None, "两包三单六贯通"),
    "ah_county_disease_catalogue": (100, "100 + N"),
    "ah_township_disease_catalogue": (50, "50 + N"),
    "ah_tianchang_personnel_powers": (6, "6 项"),
    "ah_tianchang_financial_powers": (5, "5 项"),
}
# Named elements of list-like items: one row each.
REQUIRED_ELEMENTS: dict[str, set[str]] = {
    "qj_budget_factor_": {
        "区域人口结构",
        "慢病人口增长率",
        "当年基金收支增幅",
        "本年度医疗服务数量增幅",
    },
    "ah_package_": {"城乡居民基本医保基金", "基本公共卫生资金"},
    "ah_list_": {"政府办医责任清单", "内部运营管理清单", "外部治理综合监管清单"},
    "ah_link_": {"专家资源", "医疗技术", "药械保障", "补偿政策", "双向转诊", "公卫服务"},
    "ah_tianchang_personnel_power_": {
        "乡镇卫生院周转池编制统筹使用",
        "人才招聘",
        "职称晋升",
        "人事推荐任命",
    },
    "ah_tianchang_financial_power_": {"预算管理", "收入管理", "绩效考核"},
}


def squash(text: str) -> str:
    """Drop every whitespace character (the seeds break lines and words at arbitrary points)."""
    return re.sub(r"\s+", "", text)


def read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


@pytest.fixture(scope="module")
def claims() -> pd.DataFrame:
    return read(CLAIMS_CSV)


@pytest.fixture(scope="module")
def papers() -> pd.DataFrame:
    return read(PAPERS_CSV)


@pytest.fixture(scope="module")
def seed_texts(papers: pd.DataFrame, seeds: Path) -> dict[str, str]:
    return {
        row.paper_id: squash((seeds / row.seed_file).read_text(encoding="utf-8"))
        for row in papers.itertuples()
    }


def missing_sources(
    frame: pd.DataFrame, texts: dict[str, str], column: str = "source_zh", paper: str | None = None
) -> list[str]:
    """Rows whose ``column`` is not a verbatim substring of their paper's seed text."""
    bad = []
    for index, row in frame.iterrows():
        paper_id = paper or row["paper_id"]
        if not row[column] or squash(row[column]) not in texts[paper_id]:
            bad.append(f"{row.get('claim_id', index)}: {row[column][:40]!r}")
    return bad


# ---------------------------------------------------------------- claims table structure


def test_claims_columns_and_encoding() -> None:
    raw = CLAIMS_CSV.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf"), "claims.csv must be UTF-8 without BOM"
    assert list(read(CLAIMS_CSV).columns) == CLAIM_COLUMNS


def test_claim_ids_unique_and_snake_case(claims: pd.DataFrame) -> None:
    duplicated = claims.loc[claims["claim_id"].duplicated(), "claim_id"].tolist()
    assert not duplicated, f"duplicate claim ids: {duplicated}"
    bad = [c for c in claims["claim_id"] if not re.fullmatch(r"[a-z][a-z0-9_]*", c)]
    assert not bad, f"claim ids not snake_case: {bad}"


def test_provenance_and_papers_known(claims: pd.DataFrame, papers: pd.DataFrame) -> None:
    assert set(claims["provenance"]) <= PROVENANCE
    assert set(claims["paper_id"]) <= set(papers["paper_id"])
    assert set(papers["paper_id"]) == {"yang2023", "gong2024", "cui2021", "luo2025"}


def test_numeric_readings_of_words_are_labelled_reading(claims: pd.DataFrame) -> None:
    by_id = claims.set_index("claim_id")
    for claim_id, value in NUMERIC_READINGS.items():
        row = by_id.loc[claim_id]
        assert row["provenance"] == "reading", claim_id
        assert float(row["value"]) == value
        assert not re.search(r"\d", row["value_as_printed"]), "a reading is printed as words"
        assert row["note"].startswith("The book's numeric reading"), claim_id
    # A value printed only in words is a reading, never "reported".
    worded = claims[
        (claims["value"] != "")
        & (claims["unit"] == "percent")
        & ~claims["value_as_printed"].str.contains(r"\d")
    ]
    assert set(worded["claim_id"]) == set(NUMERIC_READINGS)


def test_assumed_rows_explain_themselves(claims: pd.DataFrame) -> None:
    assumed = claims[claims["provenance"] == "assumed"]
    assert "qj_visit_share_change_year_assumed" in set(assumed["claim_id"])
    assert (assumed["note"].str.len() > 40).all(), "every assumption must state its reasoning"
    timing = assumed.set_index("claim_id").loc["qj_visit_share_change_year_assumed"]
    assert float(timing["value"]) == 2024 and timing["period"] == "2024"
    # The sentence quoted for the assumption is the one that lacks the year.
    assert "相较于2022年" in timing["source_zh"]


def test_values_are_numeric_or_empty(claims: pd.DataFrame) -> None:
    values = claims["value"].replace("", None)
    converted = pd.to_numeric(values, errors="coerce")
    assert converted.notna().sum() == values.notna().sum(), "non-numeric text in the value column"


def test_used_in_names_existing_chapters(claims: pd.DataFrame) -> None:
    for cell in claims["used_in"]:
        for docname in filter(None, cell.split(";")):
            assert (paths.ROOT / f"{docname}.md").exists(), f"unknown chapter {docname!r}"


# ---------------------------------------------------------------- fidelity to the seeds


def test_dois_appear_in_seeds(papers: pd.DataFrame, seed_texts: dict[str, str]) -> None:
    for row in papers.itertuples():
        assert squash(row.doi) in seed_texts[row.paper_id], row.paper_id


def test_every_source_is_verbatim(claims: pd.DataFrame, seed_texts: dict[str, str]) -> None:
    bad = missing_sources(claims, seed_texts)
    assert not bad, "source words not found verbatim in the seed:\n" + "\n".join(bad)


def test_verbatim_check_can_fail(claims: pd.DataFrame, seed_texts: dict[str, str]) -> None:
    tampered = claims.head(3).copy()
    tampered.loc[tampered.index[0], "source_zh"] = tampered.iloc[0]["source_zh"].replace(
        "43.3%", "43.8%"
    )
    tampered.loc[tampered.index[1], "source_zh"] = "黔江区下辖25个乡镇"
    assert len(missing_sources(tampered, seed_texts)) == 2


def test_printed_value_is_inside_its_source(claims: pd.DataFrame) -> None:
    reported = claims[(claims["provenance"] == "reported") & (claims["value_as_printed"] != "")]
    bad = [
        r.claim_id
        for r in reported.itertuples()
        if squash(r.value_as_printed) not in squash(r.source_zh)
    ]
    assert not bad, f"value_as_printed not found in source_zh: {bad}"


def test_numbered_sections_exist_in_seed(claims: pd.DataFrame, seed_texts: dict[str, str]) -> None:
    numbered = claims[claims["section"].str.match(r"^\d")]
    bad = [
        r.claim_id for r in numbered.itertuples() if squash(r.section) not in seed_texts[r.paper_id]
    ]
    assert not bad, f"section headings not found in the seed: {bad}"


@pytest.mark.parametrize("claim_id", sorted(REQUIRED))
def test_required_item_has_printed_value(claims: pd.DataFrame, claim_id: str) -> None:
    rows = claims[claims["claim_id"] == claim_id]
    assert len(rows) == 1, f"{claim_id} missing"
    row = rows.iloc[0]
    value, printed = REQUIRED[claim_id]
    assert row["value_as_printed"] == printed
    assert row["provenance"] == "reported"
    if value is None:
        assert row["value"] == ""
    else:
        assert float(row["value"]) == pytest.approx(value)


def test_reported_shares_keep_paper_precision(claims: pd.DataFrame) -> None:
    shares = claims[claims["claim_id"].str.match(r"qj_(visit|admission|fund)_share_20\d\d$")]
    assert len(shares) == 6
    assert all(re.fullmatch(r"\d+\.\d%", p) for p in shares["value_as_printed"])


@pytest.mark.parametrize("prefix", sorted(REQUIRED_ELEMENTS))
def test_list_items_have_one_row_per_element(claims: pd.DataFrame, prefix: str) -> None:
    named = set(claims.loc[claims["claim_id"].str.startswith(prefix), "value_as_printed"])
    assert REQUIRED_ELEMENTS[prefix] <= named


def test_risk_sharing_schedule_is_coherent(claims: pd.DataFrame) -> None:
    v = claims.set_index("claim_id")["value"].replace("", None).astype(float)
    assert v["qj_surplus_performance_share"] + v["qj_surplus_capacity_share"] == 100
    assert v["qj_overspend_band1_limit"] < v["qj_overspend_band2_limit"]
    assert (
        v["qj_overspend_band1_share"]
        > v["qj_overspend_band2_share"]
        > v["qj_overspend_band3_share"]
    )


# ---------------------------------------------------------------- Gong & Wang 2024, Tables 1 and 2


@pytest.fixture(scope="module")
def policy() -> pd.DataFrame:
    return read(POLICY_CSV)


@pytest.fixture(scope="module")
def schemes() -> pd.DataFrame:
    return read(SCHEMES_CSV)


def test_policy_table_as_printed(policy: pd.DataFrame, seed_texts: dict[str, str]) -> None:
    assert len(policy) == 15, "Table 1 prints 15 rows (one holds two 2016 documents)"
    assert (
        policy["year_as_printed"].iloc[0] == "1992" and policy["year_as_printed"].iloc[-1] == "2022"
    )
    assert policy["row"].astype(int).tolist() == list(range(1, 16))
    assert policy["n_documents"].astype(int).sum() == 16
    assert set(policy["provenance"]) == {"reported"}
    assert not missing_sources(policy, seed_texts, paper="gong2024")
    assert not missing_sources(policy, seed_texts, column="key_statement", paper="gong2024")
    years = policy["year"].astype(int)
    assert years.is_monotonic_increasing


def test_policy_table_notes_where_body_text_differs(
    policy: pd.DataFrame, seed_texts: dict[str, str]
) -> None:
    differs = policy[policy["body_text_check"] == "differs"]
    assert {"2016 2016", "2016", "2020"} <= set(differs["year_as_printed"])
    assert (differs["note"] != "").all() and (differs["body_text_source_zh"] != "").all()
    assert not missing_sources(differs, seed_texts, column="body_text_source_zh", paper="gong2024")
    # The body text's Healthy China statement sits on the 13th Five-Year health-plan row.
    health_plan = policy[policy["document"] == "“十三五”卫生与健康规划"].iloc[0]
    assert "多层次医疗保障体系" in health_plan["key_statement"]
    assert health_plan["body_text_check"] == "differs"


def test_schemes_table_as_printed(schemes: pd.DataFrame, seed_texts: dict[str, str]) -> None:
    assert len(schemes) == 8
    assert set(schemes["current_layer"]) == LAYERS and set(schemes["authors_layer"]) <= LAYERS
    assert (schemes["current_layer"] != "").all() and (schemes["authors_layer"] != "").all()
    assert set(schemes["compulsory_as_printed"]) == {"是", "否"}
    assert set(schemes["provenance"]) == {"reported"}
    for column in ("source_zh", "authors_layer_source_zh"):
        assert not missing_sources(schemes, seed_texts, column=column, paper="gong2024")
    moved = schemes[schemes["layer_changed"] == "true"]
    assert set(moved["scheme"]) == {"职工大额医疗补助", "居民大病保险"}
    assert set(moved["authors_layer"]) == {"基本层"}


# ---------------------------------------------------------------- the ledger chapter's table


def test_ledger_shows_every_claim_with_working_links(
    claims: pd.DataFrame, papers: pd.DataFrame
) -> None:
    from analysis import ledger

    labels = {
        row.paper_id: ledger.short_citation(row.authors, row.year) for row in papers.itertuples()
    }
    page = ledger.render_ledger(claims, labels)
    assert page.count("<tr>") == len(claims) + 1
    assert all(f'id="claim-{c}"' in page for c in claims["claim_id"])
    ledger_dir = paths.ROOT / Path(ledger.LEDGER_DOCNAME).parent
    for href in set(re.findall(r'href="([^"]+)\.html"', page)):
        assert (ledger_dir / f"{href}.md").resolve().exists(), href


def test_ledger_lists_flagged_issues(
    claims: pd.DataFrame, policy: pd.DataFrame, schemes: pd.DataFrame
) -> None:
    from analysis import ledger

    issues = ledger.printed_issues(claims, policy, schemes)
    flagged = claims["note"].str.match(r"^Printed (inconsistency|ambiguity):")
    listed = {i for ids in issues.loc[issues["where"] == "claims", "ids"] for i in ids.split(", ")}
    assert listed == set(claims.loc[flagged, "claim_id"])
    assert {"Table 1", "Table 2"} <= set(issues["where"])


def test_ledger_reads_on_a_phone_and_keeps_the_source_words(claims: pd.DataFrame) -> None:
    from bs4 import BeautifulSoup

    from analysis import ledger

    page = ledger.render_ledger(claims, {})
    soup = BeautifulSoup(page, "html.parser")
    headers = [th.get_text() for th in soup.thead.find_all("th")]
    assert len(headers) <= 6 and headers[-1] == "Details"
    rows = soup.tbody.find_all("tr")
    assert len(rows) == len(claims)
    for row in rows:
        assert [td.get("data-label") for td in row.find_all("td", recursive=False)] == headers
    details = [d.get_text() for d in soup.find_all("details")]
    assert len(details) == len(claims)
    assert all(squash(s) in squash(d) for s, d in zip(claims["source_zh"], details))
    readings = claims[claims["provenance"] == "reading"]
    for claim_id in readings["claim_id"]:
        cell = (
            soup.find(id=f"claim-{claim_id}")
            .find_parent("tr")
            .find(attrs={"data-label": "Provenance"})
        )
        assert cell.get_text().startswith("reading: the book reads the printed words as")
