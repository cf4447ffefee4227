"""Every dataset in ``data/``, declared once: file, provenance, description, schema and loader.

Each :class:`Declaration` below is the only place its dataset is described. Everything else is
derived from it:

* :func:`analysis.datasets.load_data` reads the file with the declared loader and returns it
  with its provenance;
* ``python -m analysis validate`` finds the schema of a file by its name
  (:func:`declaration_for_file`) and checks the declared fields and rules;
* ``data/datapackage.json`` (:mod:`analysis.validation.datapackage`) is generated from the
  declarations and the files' hashes; a test fails when it drifts;
* the synthetic generator writes the files declared ``generated_by="analysis.synthetic"``.

Examples
--------
>>> declaration("district_monthly").path
'synthetic/district_monthly.csv'
>>> declaration_for_file("my_copy/district_monthly.xlsx").name
'district_monthly'
>>> declaration_for_file("my_county.csv") is None
True
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import pandas as pd

from analysis import paths
from analysis.validation.schemas import (
    Field,
    Provenance,
    TableSchema,
    count_fields,
    provenance_field,
    text_fields,
)


@dataclass(frozen=True)
class Declaration:
    """One dataset: what it is, where it is, what its columns must hold and how to load it.

    Attributes
    ----------
    name
        Dataset name, for :func:`analysis.datasets.load_data` and the data package.
    path
        File path relative to ``data/``.
    provenance
        "reported", "public", "assumed", "synthetic", "reading" (the book's own reading of
        a paper) or "mixed" (per-row ``provenance`` column).
    title, description
        A short title and one sentence on what the rows are.
    fields, primary_key, share_pairs, time_index
        The table schema (see :class:`analysis.validation.schemas.TableSchema`).
    loader
        Reads the file (a path or an open text stream); :func:`~analysis.datasets.load_data`
        then adds the shares of ``share_pairs``.
    foreign_keys
        ``(column, other dataset, its column)`` references.
    source
        Citation of a public source.
    generated_by
        Module that writes the file (synthetic data), if any.
    calibrated_to
        Keys of ``[anchors]`` in the assumptions file whose claims the generated file reproduces.
    extra_configs
        Further config files (paths relative to ``data/``) the generator reads for this file,
        beside the assumptions file; their hashes enter the file's provenance.
    """

    name: str
    path: str
    provenance: Provenance
    title: str
    description: str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...]
    loader: Callable[[Path | IO[str]], pd.DataFrame]
    share_pairs: tuple[tuple[str, str], ...] = ()
    time_index: tuple[str | None, str, str] | None = None
    foreign_keys: tuple[tuple[str, str, str], ...] = ()
    source: str = ""
    generated_by: str = ""
    calibrated_to: tuple[str, ...] = ()
    extra_configs: tuple[str, ...] = ()

    @property
    def file(self) -> Path:
        """Absolute path of the file."""
        return paths.DATA / self.path

    @property
    def schema(self) -> TableSchema:
        """The table schema the validator checks."""
        return TableSchema(
            name=self.name,
            fields=self.fields,
            primary_key=self.primary_key,
            share_pairs=self.share_pairs,
            time_index=self.time_index,
        )


# The generators' config files ---------------------------------------------------------------
# They are data like any other file here: the declarations of the generated files (the treated
# district's id, the bureau's labels) are read from them, and the generators in
# analysis.synthetic import these readers, never the reverse.

SYNTHETIC_CONFIG: Path = paths.DATA / "synthetic" / "assumptions.toml"
BUREAU_CONFIG: Path = paths.DATA / "synthetic" / "bureau_exports" / "config.toml"


def read_config(path: Path) -> dict[str, Any]:
    """Parse a generator's TOML config file."""
    with open(path, "rb") as handle:
        return tomllib.load(handle)


def treated_district(config: dict[str, Any] | None = None) -> str:
    """Id of the treated district: the name of the one table under ``[treated]``.

    Parameters
    ----------
    config
        Parsed assumptions; the committed file (:data:`SYNTHETIC_CONFIG`) when ``None``.

    Raises
    ------
    ValueError
        When ``[treated]`` does not hold exactly one table.
    """
    tables = (config or read_config(SYNTHETIC_CONFIG)).get("treated", {})
    if len(tables) != 1 or not all(isinstance(v, dict) for v in tables.values()):
        raise ValueError("the assumptions file needs exactly one table [treated.<district id>]")
    return next(iter(tables))


def bureau_export_fields(config: dict[str, Any] | None = None) -> tuple[Field, ...]:
    """Fields of the bureau's CSV export (closed schema, file order); labels from its config."""
    config = config or read_config(BUREAU_CONFIG)
    levels = sorted({kind["level"] for kind in config["institution_type"]} | {"三级甲等"})
    schemes = (config["schemes"]["employee"], config["schemes"]["resident"])
    return (
        Field(
            "结算流水号",
            required=True,
            unique=True,
            pattern=r"^JS\d{8}$",
            description="Settlement id (record_id).",
        ),
        Field("结算日期", "date", "Settlement date (settlement_date).", required=True),
        Field(
            "参保地",
            required=True,
            pattern=r"^\d{6}$",
            description="County of the insured person (county_code).",
        ),
        Field("医疗机构编码", required=True, description="Institution id (institution_id)."),
        Field("医疗机构名称", required=True, description="Institution name."),
        Field(
            "机构等级",
            required=True,
            enum=tuple(levels),
            description="Institution level as the bureau writes it.",
        ),
        Field("就诊类型", required=True, enum=("门诊", "住院"), description="Service type."),
        # One settlement: the costliest treatments cost a few million yuan, never 1e8.
        Field(
            "医疗总费用",
            "number",
            "Total cost, yuan (total_cost).",
            required=True,
            minimum=0,
            maximum=1e8,
        ),
        Field(
            "统筹基金支付",
            "number",
            "Fund paid, yuan (fund_paid).",
            required=True,
            minimum=0,
            maximum=1e8,
        ),
        Field("险种类型", required=True, enum=schemes, description="Insurance scheme."),
        Field(
            "就医地",
            required=True,
            pattern=r"^\d{6}$",
            description="County where the care took place (treatment_county).",
        ),
        provenance_field("synthetic"),
    )


# Loaders ------------------------------------------------------------------------------------


def _text(path: Path | IO[str]) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


def _numeric(series: pd.Series) -> pd.Series:
    return pd.to_numeric(series.str.strip().replace("", None), errors="coerce").astype(float)


def _text_with(**conversions: str) -> Callable[[Path], pd.DataFrame]:
    """A loader that reads text and converts the named columns: "float" or "Int64"."""

    def load(path: Path | IO[str]) -> pd.DataFrame:
        frame = _text(path)
        for column, dtype in conversions.items():
            if column in frame:
                frame[column] = _numeric(frame[column]).astype(dtype)
        return frame

    return load


def _boolean(series: pd.Series) -> pd.Series:
    return series.map({"True": True, "False": False}).astype(bool)


def _district_monthly(path: Path | IO[str]) -> pd.DataFrame:
    frame = _text(path)
    frame["month"] = pd.to_datetime(frame["month"], format="%Y-%m-%d").astype("datetime64[ns]")
    frame["first_treated"] = pd.to_datetime(
        frame["first_treated"].replace("", None), format="%Y-%m-%d"
    ).astype("datetime64[ns]")
    frame["treated"] = _boolean(frame["treated"])
    for column in frame.columns[frame.columns.str.endswith(("_primary", "_total"))]:
        frame[column] = frame[column].astype("int64")
    return frame


def _county_panel(path: Path | IO[str]) -> pd.DataFrame:
    frame = _text(path)
    for column in (
        "year",
        "first_treated",
        "visits_primary",
        "visits_total",
        "fund_primary",
        "fund_total",
    ):
        frame[column] = frame[column].astype("int64")
    for column in ("true_visit_effect_pp", "true_fund_effect_pp"):
        frame[column] = frame[column].astype(float)
    frame["treated"] = _boolean(frame["treated"])
    return frame


def _typed(path: Path | IO[str]) -> pd.DataFrame:
    return pd.read_csv(path, encoding="utf-8")


def _bureau_export(path: Path) -> pd.DataFrame:
    # The export's encoding is the one its config says the generator wrote it in.
    spec = next((f for f in read_config(BUREAU_CONFIG)["file"] if f["name"] == path.name), {})
    frame = pd.read_csv(
        path, dtype=str, keep_default_na=False, encoding=spec.get("encoding", "utf-8")
    )
    for column in ("医疗总费用", "统筹基金支付"):
        frame[column] = pd.to_numeric(frame[column]).astype(float)
    return frame


# Declarations -------------------------------------------------------------------------------

PAPER_IDS = ("yang2023", "gong2024", "cui2021", "luo2025")
_PAPER = ("paper_id", "papers", "paper_id")
_LENS = ("lens_id", "lenses", "lens_id")

_CONFIG = read_config(SYNTHETIC_CONFIG)
_TREATED = treated_district(_CONFIG)
_FIRST_YEAR = _CONFIG["generator"]["first_month"][:4]
_LAST_YEAR = _CONFIG["generator"]["last_month"][:4]

DATASETS: tuple[Declaration, ...] = (
    Declaration(
        name="papers",
        path="papers.csv",
        provenance="reported",
        title="The four papers",
        description="The four papers: authors, journal, DOI, titles and theoretical lens.",
        fields=(
            Field("paper_id", required=True, unique=True, enum=PAPER_IDS),
            Field("authors", required=True),
            Field("year", "year", required=True, minimum=1990, maximum=2100),
            Field("journal", required=True),
            # Journal volumes and issues are small counters; these ceilings are far above any.
            Field("volume", "integer", minimum=1, maximum=10_000),
            Field("issue", "integer", minimum=1, maximum=1_000),
            Field("doi", required=True, pattern=r"^10\.\d{4,9}/\S+$"),
            *text_fields("title_zh", "title_en", required=("title_zh", "title_en")),
            Field("seed_file", required=True, pattern=r"^\d{3}_[0-9a-f]+\.txt$"),
            Field("lens", required=True),
        ),
        primary_key=("paper_id",),
        loader=_text_with(year="Int64", volume="Int64", issue="Int64"),
    ),
    Declaration(
        name="claims",
        path="claims/claims.csv",
        provenance="mixed",
        title="Claims ledger",
        description="Every quantitative statement of the four papers, with its verbatim source "
        "words; a few rows are explicit assumptions.",
        fields=(
            Field("claim_id", required=True, unique=True, pattern=r"^[a-z0-9_]+$"),
            Field("paper_id", required=True, enum=PAPER_IDS),
            *text_fields(
                "section",
                "source_zh",
                "gloss_en",
                "quantity",
                "geography",
                "period",
                required=("section", "gloss_en", "quantity"),
            ),
            Field(
                "value",
                "number",
                "Numeric reading of the printed value; empty when the claim is not a number.",
                # Printed numbers are counts, yuan, years and percent, all non-negative, or a
                # change in percent or points, which cannot fall below -100. The ceiling is
                # above any count or yuan amount of a county or province (China: 1.4e9 people).
                minimum=-100,
                maximum=1e11,
            ),
            Field("value_as_printed", description="The value exactly as printed."),
            Field("unit", required=True),
            provenance_field(),
            *text_fields("note", "used_in"),
        ),
        primary_key=("claim_id",),
        foreign_keys=(_PAPER,),
        loader=_text_with(value="float"),
    ),
    Declaration(
        name="policy_documents",
        path="claims/gong2024_policy_documents.csv",
        provenance="reported",
        title="Gong & Wang 2024, Table 1",
        description="Gong & Wang 2024, Table 1: policy documents 1992-2022, as printed.",
        fields=(
            # Row numbers and document counts of one printed table.
            Field("row", "integer", required=True, unique=True, minimum=1, maximum=10_000),
            Field("year_as_printed", required=True),
            Field("year", "year", minimum=1949, maximum=2100),
            Field("n_documents", "integer", minimum=0, maximum=10_000),
            *text_fields(
                "document",
                "key_statement",
                "source_zh",
                "section",
                "table",
                required=("document", "key_statement"),
            ),
            provenance_field(),
            *text_fields("body_text_check", "body_text_source_zh", "note"),
        ),
        primary_key=("row",),
        loader=_text_with(year="Int64"),
    ),
    Declaration(
        name="security_schemes",
        path="claims/gong2024_security_schemes.csv",
        provenance="reported",
        title="Gong & Wang 2024, Table 2",
        description="Gong & Wang 2024, Table 2: the eight medical-security schemes.",
        fields=(
            Field("row", "integer", required=True, unique=True, minimum=1, maximum=10_000),
            *text_fields(
                "layer_cell_as_printed",
                "current_layer",
                "current_layer_en",
                "scheme",
                "organiser",
                "funding_source",
                "compulsory_as_printed",
                required=("current_layer", "scheme"),
            ),
            Field("compulsory", "boolean"),
            *text_fields("authors_layer", "authors_layer_en"),
            Field("layer_changed", "boolean"),
            *text_fields("authors_layer_source_zh", "source_zh", "section", "table"),
            provenance_field(),
            Field("note"),
        ),
        primary_key=("row",),
        loader=_text,
    ),
    Declaration(
        name="lenses",
        path="frameworks/lenses.csv",
        provenance="reading",
        title="Framework crosswalk: lenses",
        description="The theoretical lens of each paper: theorists, unit of analysis, drivers.",
        fields=(
            Field("lens_id", required=True, unique=True),
            Field("paper_id", required=True, enum=PAPER_IDS),
            *text_fields(
                "lens_name_en",
                "lens_name_zh",
                "theorists",
                "theorists_basis",
                "theorists_context",
                "unit_of_analysis",
                "unit_of_analysis_basis",
                "drivers",
                "drivers_basis",
                "drivers_zh",
                "drivers_zh_basis",
                "actors",
                "actors_basis",
                "outcomes_claimed",
                "outcomes_claimed_basis",
                "outcomes_claimed_zh",
                "outcomes_claimed_zh_basis",
                "role_of_financing",
                "role_of_financing_basis",
                "role_of_public",
                "role_of_public_basis",
                "how_change_happens",
                "how_change_happens_basis",
                "level_order",
                "source_zh",
                "section",
                required=("lens_name_en",),
            ),
            provenance_field(),
        ),
        primary_key=("lens_id",),
        foreign_keys=(_PAPER,),
        loader=_text,
    ),
    Declaration(
        name="mechanisms",
        path="frameworks/mechanisms.csv",
        provenance="reading",
        title="Framework crosswalk: mechanisms",
        description="Each mechanism as the paper names it, with observable indicators.",
        fields=(
            Field("mechanism_id", required=True, unique=True),
            Field("lens_id", required=True),
            *text_fields(
                "mechanism_zh",
                "mechanism_en",
                "level",
                "groups_under",
                "description_en",
                "source_zh",
                "section",
                "observable_indicator",
                "series",
                "testable_by",
                "predicted_direction",
                "hypothesis_id",
                required=("mechanism_zh",),
            ),
            provenance_field(),
            Field("description_basis"),
            Field("indicator_basis"),
        ),
        primary_key=("mechanism_id",),
        foreign_keys=(_LENS,),
        loader=_text,
    ),
    Declaration(
        name="hypotheses",
        path="frameworks/hypotheses.csv",
        provenance="reading",
        title="Testable hypotheses",
        description="Testable statements this book derives from the frameworks.",
        fields=(
            Field("hypothesis_id", required=True, unique=True),
            Field("lens_id", required=True),
            *text_fields(
                "mechanism_ids",
                "series",
                "predicted_direction",
                "effect_form",
                "statement_en",
                "analysis",
                "testable_by",
                "data_in_book",
                "evidence_labels",
                "basis",
                required=("statement_en",),
            ),
        ),
        primary_key=("hypothesis_id",),
        foreign_keys=(_LENS,),
        loader=_text,
    ),
    Declaration(
        name="glossary",
        path="glossary.csv",
        provenance="reported",
        title="Bilingual glossary",
        description="Bilingual glossary of the policy terms the book uses.",
        fields=(
            Field("term_zh", required=True, unique=True),
            *text_fields(
                "pinyin",
                "term_en",
                "definition_en",
                "definition_provenance",
                "seed_match",
                "in_papers",
                "first_paper",
                required=("pinyin", "term_en", "definition_en"),
            ),
        ),
        primary_key=("term_zh",),
        loader=_text,
    ),
    Declaration(
        name="district_monthly",
        path="synthetic/district_monthly.csv",
        provenance="synthetic",
        title="Synthetic monthly district counts",
        description=f"Synthetic monthly primary-care and total counts for the treated district "
        f"({_TREATED}) and never-reformed comparison districts, "
        f"{_FIRST_YEAR}-{_LAST_YEAR}, calibrated to the treated district's "
        "reported anchors.",
        fields=(
            Field(
                "district", required=True, pattern=rf"^({re.escape(_TREATED)}|comparison_\d{{2}})$"
            ),
            Field("month", "date", "First day of the month.", required=True, first_of_month=True),
            *count_fields("visits", "admissions", "fund"),
            Field(
                "treated", "boolean", "District is reformed (the treated district).", required=True
            ),
            Field("first_treated", "date", "First reform month; empty if never reformed."),
            provenance_field("synthetic"),
        ),
        primary_key=("district", "month"),
        share_pairs=(
            ("visits_primary", "visits_total"),
            ("admissions_primary", "admissions_total"),
            ("fund_primary", "fund_total"),
        ),
        time_index=("district", "month", "monthly"),
        generated_by="analysis.synthetic",
        calibrated_to=(
            "visit_share",
            "admission_share",
            "fund_share",
            "visit_share_change_post",
            "visit_share_change_year",
            "outpatient_volume_growth",
            "admission_volume_growth",
            "fund_growth_annual",
        ),
        loader=_district_monthly,
    ),
    Declaration(
        name="county_staggered_panel",
        path="synthetic/county_staggered_panel.csv",
        provenance="synthetic",
        title="Synthetic staggered-adoption county panel",
        description="Synthetic annual panel of about 60 counties shaped like Anhui's roll-out: "
        "the reported 2019 pilot wave, then assumed waves up to every county "
        "(assumptions in synthetic/anhui_panel.toml).",
        fields=(
            Field("county", required=True, pattern=r"^county_\d{3}$"),
            Field("year", "year", required=True, minimum=1990, maximum=2100),
            Field(
                "first_treated",
                "integer",
                "Adoption year; 0 = never treated.",
                required=True,
                minimum=0,
                maximum=2100,
            ),
            Field("wave", required=True, pattern=r"^(pilot_\d{4}|wave_\d{4}|never_treated)$"),
            Field("treated", "boolean", "Adopted by this year.", required=True),
            *count_fields("visits", "fund"),
            # A change in a percent share lies within -100 and +100 points.
            Field(
                "true_visit_effect_pp",
                "number",
                "Simulated effect on the visit share, pp.",
                required=True,
                minimum=-100,
                maximum=100,
            ),
            Field(
                "true_fund_effect_pp",
                "number",
                "Simulated effect on the fund share, pp.",
                required=True,
                minimum=-100,
                maximum=100,
            ),
            provenance_field("synthetic"),
        ),
        primary_key=("county", "year"),
        share_pairs=(("visits_primary", "visits_total"), ("fund_primary", "fund_total")),
        time_index=("county", "year", "annual"),
        generated_by="analysis.synthetic",
        calibrated_to=("pilot_counties",),
        extra_configs=("synthetic/anhui_panel.toml",),
        loader=_county_panel,
    ),
    Declaration(
        name="sicily_smoking_ban",
        path="public/sicily_smoking_ban.csv",
        provenance="public",
        title="Sicily smoking-ban series (Lopez Bernal et al. 2017)",
        description="Public Sicily smoking-ban series (Lopez Bernal et al. 2017), used only to "
        "reproduce a published ITS result.",
        fields=(
            Field("year", "year", required=True, minimum=2002, maximum=2006),
            Field("month", "integer", required=True, minimum=1, maximum=12),
            # Sicily has about 5e6 people: a million coronary events in a month is impossible.
            Field(
                "aces",
                "integer",
                "Acute coronary events, ages 0-69.",
                required=True,
                minimum=0,
                maximum=1e6,
            ),
            # Months since the start: 10,000 months is over 800 years.
            Field(
                "time",
                "integer",
                "Month counter.",
                required=True,
                unique=True,
                minimum=1,
                maximum=10_000,
            ),
            Field(
                "smokban",
                "integer",
                "1 from the ban (January 2005).",
                required=True,
                minimum=0,
                maximum=1,
            ),
            # Above Italy's whole population (about 6e7).
            Field("pop", "number", "Population.", required=True, minimum=0, maximum=1e8),
            Field(
                "stdpop",
                "number",
                "Age-standardised population.",
                required=True,
                minimum=0,
                maximum=1e8,
            ),
            provenance_field("public"),
        ),
        primary_key=("year", "month"),
        source=(
            "Lopez Bernal J, Cummins S, Gasparrini A. Interrupted time series regression "
            "for the evaluation of public health interventions: a tutorial. Int J "
            "Epidemiol 2017;46(1):348-355, doi:10.1093/ije/dyw098 (corrigendum "
            "2020;49(4):1414); the sicily.csv file published with the authors' code."
        ),
        loader=_typed,
    ),
    Declaration(
        name="qianjiang_events",
        path="public/qianjiang_events.csv",
        provenance="mixed",
        title="Events around Qianjiang's 2023 reform",
        description="National events near the reform that could move primary-care shares "
        "(end of zero-COVID, the infection wave, Class B management, DRG/DIP, the 2023 "
        "rural-health opinion), each with its official source; the ITS events file.",
        fields=(
            Field("date", "date", "Day the event took effect or was published.", required=True),
            Field("key", required=True, unique=True, pattern=r"^[a-z][a-z0-9_]*$"),
            *text_fields("name", "kind", "description", required=("name", "kind")),
            Field("source", required=True, description="Issuer, title and document number."),
            provenance_field("public", "reported"),
            *text_fields("reported_in", "source_zh"),
        ),
        primary_key=("key",),
        source=(
            "国家医疗保障局 医保发〔2021〕48号 (2021-11-19); 国务院联防联控机制综合组 "
            "联防联控机制综发〔2022〕113号 (2022-12-07) and 〔2022〕144号 (2022-12-26); "
            "中国疾病预防控制中心《全国新型冠状病毒感染疫情情况》(2023-01-25); 中共中央办公厅 "
            "国务院办公厅《关于进一步深化改革促进乡村医疗卫生体系健康发展的意见》(2023-02-23), "
            "as cited by Luo et al. 2025, reference [26]."
        ),
        loader=_text,
    ),
    Declaration(
        name="national_primary_care_shares",
        path="public/national_primary_care_shares.csv",
        provenance="public",
        title="National primary-care share of visits (statistical bulletins)",
        description="China's primary-care institutions' share of all medical and health "
        "institutions' visits, by year, from the national health statistical bulletins: only "
        "years whose printed words could be found, each with the bulletin and its words.",
        fields=(
            Field("year", "year", required=True, unique=True, minimum=2000, maximum=2100),
            Field("value", "number", "Share, percent.", required=True, minimum=0, maximum=100),
            Field("unit", required=True, enum=("percent",)),
            Field("measure", required=True),
            # In 1e8 visits: China's yearly total is about 85; 1,000 is over ten times that.
            Field(
                "primary_visits_100m",
                "number",
                "Primary-care visits, 亿人次, as printed.",
                minimum=0,
                maximum=1_000,
            ),
            Field(
                "total_visits_100m",
                "number",
                "All institutions' visits, 亿人次, as printed.",
                minimum=0,
                maximum=1_000,
            ),
            Field(
                "how_obtained",
                required=True,
                enum=("printed share", "computed from printed counts"),
            ),
            Field("source", required=True, description="Bulletin title (and English)."),
            Field("issuer", required=True),
            Field("published", required=True, pattern=r"^\d{4}-\d{2}$"),
            *text_fields("official_url"),
            Field("source_zh", required=True, description="The bulletin's words, verbatim."),
            Field("transcription_note", required=True),
            provenance_field("public"),
        ),
        primary_key=("year",),
        source=(
            "国家卫生和计划生育委员会《2015年我国卫生和计划生育事业发展统计公报》(2016); "
            "国家卫生健康委员会《2021年我国卫生健康事业发展统计公报》(2022)."
        ),
        loader=_text_with(
            year="Int64", value="float", primary_visits_100m="float", total_visits_100m="float"
        ),
    ),
    Declaration(
        name="california_smoking",
        path="public/california_smoking.csv",
        provenance="public",
        title="California Proposition 99 smoking panel (Abadie, Diamond & Hainmueller 2010)",
        description="Annual per-capita cigarette sales and predictors for 39 US states, "
        "1970-2000 (California treated from 1989); used to reproduce published synthetic "
        "control, synthetic DiD and ITS results.",
        fields=(
            Field("state", required=True, description="US state name as in the source."),
            Field("year", "year", required=True, minimum=1970, maximum=2000),
            # A pack a day is 365 packs a year; 1,000 per head, smokers or not, is impossible.
            Field(
                "cigsale",
                "number",
                "Cigarette sales, packs per capita.",
                required=True,
                minimum=0,
                maximum=1_000,
            ),
            # In cents: 10,000 is 100 dollars a pack, far above any state's price to 2000.
            Field(
                "retprice",
                "number",
                "Average retail price per pack, cents.",
                required=True,
                minimum=0,
                maximum=10_000,
            ),
            # Natural log of dollars: 0 is one dollar a year, 20 is about 500 million.
            Field(
                "lnincome",
                "number",
                "Log state per-capita personal income (1972-1997).",
                minimum=0,
                maximum=20,
            ),
            # 200 gallons a year is over two litres a day for every resident.
            Field(
                "beer",
                "number",
                "Beer consumption per capita, gallons (1984-1997).",
                minimum=0,
                maximum=200,
            ),
            Field(
                "age15to24",
                "number",
                "Share of the population aged 15-24 (1970-1990).",
                minimum=0,
                maximum=1,
            ),
            provenance_field("public"),
        ),
        primary_key=("state", "year"),
        source=(
            "Abadie A, Diamond A, Hainmueller J. Synthetic control methods for comparative "
            "case studies: estimating the effect of California's tobacco control program. "
            "J Am Stat Assoc 2010;105(490):493-505. Values as distributed in the R Synth "
            "package's `smoking` data (also tidysynth::smoking); stored at float32 precision "
            "(sales, price and beer to 0.1, lnincome to 1e-6, age15to24 to 7 digits). "
            "cigsale equals synthdid's california_prop99 data (Arkhangelsky et al. 2021)."
        ),
        loader=_typed,
    ),
    Declaration(
        name="basque_terrorism",
        path="public/basque_terrorism.csv",
        provenance="public",
        title="Basque Country terrorism panel (Abadie & Gardeazabal 2003)",
        description="Real GDP per capita and growth predictors for Spain and its 17 regions, "
        "1955-1997 (the Basque Country's terrorism from 1970); used to reproduce the "
        "published synthetic control.",
        fields=(
            # Spain (1) and its 17 regions.
            Field(
                "regionno",
                "integer",
                "Region number (1 = Spain).",
                required=True,
                minimum=1,
                maximum=18,
            ),
            Field("regionname", required=True, description="Region name as in the source."),
            Field("year", "year", required=True, minimum=1955, maximum=1997),
            # Thousands of 1986 dollars: 1,000 (a million dollars a head) is no region's.
            Field(
                "gdpcap",
                "number",
                "Real GDP per capita, thousands of 1986 USD.",
                required=True,
                minimum=0,
                maximum=1_000,
            ),
            *(
                Field(
                    f"sec.{s}",
                    "number",
                    f"Production share of {s}, percent (odd years 1961-69).",
                    minimum=0,
                    maximum=100,
                )
                for s in (
                    "agriculture",
                    "energy",
                    "industry",
                    "construction",
                    "services.venta",
                    "services.nonventa",
                )
            ),
            *(
                # In thousands: 1e5 is 100 million people, above Spain's population (4e7).
                Field(
                    f"school.{s}",
                    "number",
                    f"Population by schooling: {s}, thousands (1964-69).",
                    minimum=0,
                    maximum=1e5,
                )
                for s in ("illit", "prim", "med", "high", "post.high")
            ),
            # The densest cities have about 4e4 persons per km2; no region averages 1e5.
            Field(
                "popdens",
                "number",
                "Population density, persons per km2 (1969).",
                minimum=0,
                maximum=1e5,
            ),
            Field(
                "invest",
                "number",
                "Gross investment over GDP, percent (1964-95).",
                minimum=0,
                maximum=100,
            ),
            provenance_field("public"),
        ),
        primary_key=("regionname", "year"),
        source=(
            "Abadie A, Gardeazabal J. The economic costs of conflict: a case study of the "
            "Basque Country. Am Econ Rev 2003;93(1):113-132. Values as distributed in the R "
            "Synth package's `basque` data; gdpcap to 1e-6, shares and density to 0.01, "
            "schooling and investment to 7 significant digits (float32 precision)."
        ),
        loader=_typed,
    ),
    Declaration(
        name="bureau_exports_2021_2022",
        path="synthetic/bureau_exports/settlements_2021_2022.csv",
        provenance="synthetic",
        title="Synthetic bureau settlement export (GB18030 CSV, Chinese headers)",
        description="Synthetic settlement records shaped like a county healthcare-security "
        "bureau's export (Chinese headers and labels, GB18030), invented counties 9901xx; "
        "written by analysis.synthetic.bureau_exports from "
        "synthetic/bureau_exports/config.toml and its seed, with settlements_2023.xlsx.",
        fields=bureau_export_fields(),
        primary_key=("结算流水号",),
        generated_by="analysis.synthetic.bureau_exports",
        loader=_bureau_export,
    ),
    # The published numbers the engines reproduce (analysis.published): each value typed once,
    # as printed, with the source that printed it.
    Declaration(
        name="published_results",
        path="published/published_results.csv",
        provenance="public",
        title="Published results the engines reproduce",
        description="One number per row as a publication or a reference package printed it, "
        "with the engine fit and target that compute ours and the tolerance with its reason; "
        "the validation appendix's registry of checks.",
        fields=(
            Field("check_id", required=True, unique=True, pattern=r"^[a-z0-9][a-z0-9-]*$"),
            Field("area", required=True, description="Method family of the check."),
            Field("source_id", required=True, description="Source that printed the value."),
            Field("quantity", required=True, description="What the number is."),
            Field("printed", required=True, description="The value exactly as printed."),
            Field(
                "derived",
                description="How the value follows from the printed text, if not read as is.",
                enum=("se-from-95-ci",),
            ),
            Field("fit", required=True, pattern=r"^[a-z][a-z0-9_]*$"),
            Field("target", required=True, description="Name of our number in the fit."),
            Field(
                "tolerance",
                required=True,
                description="Acceptance rule: printed digits, an absolute or relative allowance, "
                "or the spread of R's placebo draws.",
                pattern=r"^(printed|placebo-draws|(abs|rel):[0-9.e+-]+)$",
            ),
            Field("tolerance_why", description="Reason for an allowance beyond printed digits."),
        ),
        primary_key=("check_id",),
        foreign_keys=(("source_id", "published_sources", "source_id"),),
        source="Each row's source_id names its publication in published/published_sources.csv.",
        loader=_text,
    ),
    Declaration(
        name="published_sources",
        path="published/published_sources.csv",
        provenance="public",
        title="Sources of the published results",
        description="The publications and reference packages whose printed numbers the "
        "validation checks reproduce: a short name and the full citation (edition, section, "
        "commit or version where the number was printed).",
        fields=(
            Field("source_id", required=True, unique=True, pattern=r"^[a-z][a-z0-9_]*$"),
            Field("short", required=True, description="Short name for tables."),
            Field("citation", required=True, description="Full citation."),
        ),
        primary_key=("source_id",),
        source="The citations are in the file, one per row.",
        loader=_text,
    ),
    Declaration(
        name="readme_medicaid_results",
        path="published/honestdid/readme_medicaid_results.csv",
        provenance="public",
        title="HonestDiD R README: Medicaid sensitivity results",
        description="The robust 95 % sets for the 2014 Medicaid effect that the R package "
        "HonestDiD's README prints (relative magnitudes, C-LF; smoothness, FLCI), as printed.",
        fields=(
            Field("restriction", required=True, enum=("relative_magnitude", "smoothness")),
            Field("method", required=True, enum=("C-LF", "FLCI")),
            # M-bar is a ratio of violations and M a slope bound; the README's grids stop at 2.
            Field("m", "number", "M-bar or M, as printed.", required=True, minimum=0, maximum=100),
            # Effects on a coverage rate (a fraction): a change lies within -1 and 1.
            Field("lb", "number", "Lower end of the set.", required=True, minimum=-1, maximum=1),
            Field("ub", "number", "Upper end of the set.", required=True, minimum=-1, maximum=1),
        ),
        primary_key=("restriction", "m"),
        source=(
            "HonestDiD R package README, section 'Example usage -- Medicaid expansions' "
            "(github.com/asheshrambachan/HonestDiD, commit "
            "02b541bb42b5d98d11e7803cd1caa0a0506434de); see published/honestdid/SOURCE.md."
        ),
        loader=_text_with(m="float", lb="float", ub="float"),
    ),
    Declaration(
        name="stata_readme_medicaid_average",
        path="published/honestdid/stata_readme_medicaid_average.csv",
        provenance="public",
        title="HonestDiD Stata README: Medicaid original and average-effect sets",
        description="The original 95 % intervals and the relative-magnitude sets for the "
        "average 2014-15 Medicaid effect that the Stata honestdid README prints, as printed.",
        fields=(
            Field("target", required=True, enum=("first", "average")),
            Field("restriction", required=True, enum=("original", "relative_magnitude")),
            Field("method", required=True, enum=("Original", "C-LF")),
            # M-bar is a ratio of violations; the README's grid stops at 2.
            Field(
                "m",
                "number",
                "M-bar, as printed (empty for the original interval).",
                minimum=0,
                maximum=100,
            ),
            # Effects on a coverage rate (a fraction): a change lies within -1 and 1.
            Field("lb", "number", "Lower end.", required=True, minimum=-1, maximum=1),
            Field("ub", "number", "Upper end.", required=True, minimum=-1, maximum=1),
        ),
        primary_key=("target", "restriction", "m"),
        source=(
            "Stata honestdid README (github.com/mcaceresb/stata-honestdid, commit "
            "0aa6d4f1ba557728e61eba230f8b357e77ed337b, version 0.5.3); see "
            "published/honestdid/SOURCE.md."
        ),
        loader=_text_with(m="float", lb="float", ub="float"),
    ),
)


@dataclass(frozen=True)
class ReferenceFile:
    """A non-tabular file in ``data/`` (JSON) read as it is: described and hashed, no schema."""

    name: str
    path: str
    provenance: Provenance
    title: str
    description: str
    source: str

    @property
    def file(self) -> Path:
        """Absolute path of the file."""
        return paths.DATA / self.path


REFERENCE_FILES: tuple[ReferenceFile, ...] = (
    ReferenceFile(
        name="honestdid_medicaid_event_study",
        path="published/honestdid/medicaid_event_study.json",
        provenance="public",
        title="HonestDiD R README: the Medicaid event study (input)",
        description="Coefficients and clustered covariance of the README's TWFE event study, "
        "recomputed from the same public data; the input of the Medicaid sensitivity checks.",
        source="R HonestDiD README's feols event study on the Mixtape Sessions ehec_data, "
        "recomputed with pyfixest 0.60.0; see published/honestdid/SOURCE.md.",
    ),
    ReferenceFile(
        name="honestdid_bc_event_study",
        path="published/honestdid/bc_event_study.json",
        provenance="public",
        title="HonestDiD: Benzarti & Carloni (2019) event study and R's intervals",
        description="The event study shipped with R HonestDiD (BCdata_EventStudy) and R's "
        "original interval and FLCIs for its first post period.",
        source="Benzarti & Carloni 2019 via R HonestDiD data(BCdata_EventStudy), as transcribed "
        "in eohne/HonestDiD.jl test/reference.jl (commit "
        "c749750ef998882c4e5e14f5ed9ce5c32ac2a7cb); see published/honestdid/SOURCE.md.",
    ),
)


def declaration(name: str) -> Declaration:
    """The declaration of dataset ``name``.

    Raises
    ------
    KeyError
        For an unknown name; the message lists the known ones.
    """
    for entry in DATASETS:
        if entry.name == name:
            return entry
    raise KeyError(f"unknown dataset {name!r}; known: {', '.join(d.name for d in DATASETS)}")


def declaration_for_file(file_name: str | Path) -> Declaration | None:
    """The declaration whose file has the same stem (any folder, ``.csv`` or ``.xlsx``), if any."""
    stem = Path(file_name).stem
    return next((d for d in DATASETS if Path(d.path).stem == stem), None)
