"""Table schemas of every file in ``data/``, written once and used twice.

The same declarations produce the Frictionless ``data/datapackage.json`` (field types,
constraints, primary keys; see :mod:`analysis.validation.datapackage`) and the pandera checks
that ``python -m analysis validate`` runs (:mod:`analysis.validation.checks`). Declaring them in
Python rather than hand-editing JSON keeps the two from drifting apart.

Field types follow the Frictionless Table Schema names: ``string``, ``integer``, ``number``,
``boolean``, ``date`` (``YYYY-MM-DD``), ``year``.

Examples
--------
>>> schema = schema_for_name("district_monthly.csv")
>>> schema.name, schema.primary_key, schema.time_index
('district_monthly', ('district', 'month'), ('district', 'month', 'monthly'))
>>> schema_for_name("my_county.xlsx") is None
True
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

FieldType = Literal["string", "integer", "number", "boolean", "date", "year"]
PROVENANCE = ("reported", "public", "assumed", "synthetic")
PAPER_IDS = ("yang2023", "gong2024", "cui2021", "luo2025")


@dataclass(frozen=True)
class Field:
    """One column: Frictionless type and constraints."""

    name: str
    type: FieldType = "string"
    description: str = ""
    required: bool = False
    minimum: float | None = None
    maximum: float | None = None
    enum: tuple[str, ...] | None = None
    pattern: str | None = None
    unique: bool = False
    first_of_month: bool = False

    def descriptor(self) -> dict[str, Any]:
        """Frictionless field descriptor."""
        out: dict[str, Any] = {"name": self.name, "type": self.type}
        if self.type == "date":
            out["format"] = "%Y-%m-%d"
        if self.description:
            out["description"] = self.description
        constraints: dict[str, Any] = {}
        if self.required:
            constraints["required"] = True
        if self.unique:
            constraints["unique"] = True
        if self.minimum is not None:
            constraints["minimum"] = self.minimum
        if self.maximum is not None:
            constraints["maximum"] = self.maximum
        if self.enum is not None:
            constraints["enum"] = list(self.enum)
        if self.pattern is not None:
            constraints["pattern"] = self.pattern
        if constraints:
            out["constraints"] = constraints
        return out


@dataclass(frozen=True)
class ResourceSchema:
    """A tabular resource: its file, fields and the row-level rules beyond single columns.

    Attributes
    ----------
    name
        Resource name (also the registry dataset name where there is one).
    path
        File path relative to ``data/``.
    fields
        Columns in file order.
    primary_key
        Columns that identify a row.
    provenance
        "reported", "public", "assumed", "synthetic" or "mixed".
    share_pairs
        ``(numerator, denominator)`` count columns; the numerator may not exceed the denominator.
    time_index
        ``(unit column, time column, "monthly" | "annual")``: each unit's periods must be
        consecutive; ``unit column`` is ``None`` for a single-unit file.
    share_columns
        Percent share columns (0-100) that must agree with a count pair, if both exist.
    closed
        Extra columns are a problem (registered files) or allowed (an analyst's own file).
    """

    name: str
    path: str
    title: str
    description: str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...]
    provenance: str
    share_pairs: tuple[tuple[str, str], ...] = ()
    time_index: tuple[str | None, str, str] | None = None
    share_columns: dict[str, tuple[str, str]] = field(default_factory=dict)
    closed: bool = True
    source: str = ""

    @property
    def field_names(self) -> tuple[str, ...]:
        """Column names in order."""
        return tuple(f.name for f in self.fields)

    def field(self, name: str) -> Field:
        """The field called ``name``."""
        return next(f for f in self.fields if f.name == name)


def _text(*names: str, required: tuple[str, ...] = ()) -> tuple[Field, ...]:
    return tuple(Field(n, "string", required=n in required) for n in names)


def _provenance(*allowed: str) -> Field:
    return Field("provenance", "string", "Provenance class of the row.", required=True,
                 enum=allowed or PROVENANCE)


_COUNT_DESCRIPTIONS = {
    "visits": "outpatient visits", "admissions": "inpatient admissions",
    "fund": "insurance-fund revenue, integer yuan",
}


def _counts(*measures: str) -> tuple[Field, ...]:
    out = []
    for m in measures:
        what = _COUNT_DESCRIPTIONS[m]
        out.append(Field(f"{m}_primary", "integer", f"Primary-care {what}.", required=True,
                         minimum=0))
        out.append(Field(f"{m}_total", "integer", f"All institutions' {what}.", required=True,
                         minimum=0))
    return tuple(out)


PAPERS = ResourceSchema(
    name="papers", path="papers.csv", title="The four papers",
    description="Bibliographic record and theoretical lens of each paper.",
    fields=(Field("paper_id", required=True, unique=True, enum=PAPER_IDS),
            Field("authors", required=True),
            Field("year", "year", required=True, minimum=1990, maximum=2100),
            Field("journal", required=True),
            Field("volume", "integer", minimum=1), Field("issue", "integer", minimum=1),
            Field("doi", required=True, pattern=r"^10\.\d{4,9}/\S+$"),
            *_text("title_zh", "title_en", required=("title_zh", "title_en")),
            Field("seed_file", required=True, pattern=r"^\d{3}_[0-9a-f]+\.txt$"),
            Field("lens", required=True)),
    primary_key=("paper_id",), provenance="reported")

CLAIMS = ResourceSchema(
    name="claims", path="claims/claims.csv", title="Claims ledger",
    description="One row per quantitative statement of the four papers, with verbatim source "
                "words; rows marked 'assumed' are the compendium's explicit assumptions.",
    fields=(Field("claim_id", required=True, unique=True, pattern=r"^[a-z0-9_]+$"),
            Field("paper_id", required=True, enum=PAPER_IDS),
            *_text("section", "source_zh", "gloss_en", "quantity", "geography", "period",
                   required=("section", "gloss_en", "quantity")),
            Field("value", "number", "Numeric reading of the printed value; empty when the "
                                     "claim is not a number."),
            Field("value_as_printed", description="The value exactly as printed."),
            Field("unit", required=True),
            _provenance(),
            *_text("note", "used_in")),
    primary_key=("claim_id",), provenance="mixed")

POLICY_DOCUMENTS = ResourceSchema(
    name="policy_documents", path="claims/gong2024_policy_documents.csv",
    title="Gong & Wang 2024, Table 1",
    description="Policy documents 1992-2022 on the multi-level medical security system, as "
                "printed, with a check against the body text.",
    fields=(Field("row", "integer", required=True, unique=True, minimum=1),
            Field("year_as_printed", required=True),
            Field("year", "year", minimum=1949, maximum=2100),
            Field("n_documents", "integer", minimum=0),
            *_text("document", "key_statement", "source_zh", "section", "table",
                   required=("document", "key_statement")),
            _provenance(),
            *_text("body_text_check", "body_text_source_zh", "note")),
    primary_key=("row",), provenance="reported")

SECURITY_SCHEMES = ResourceSchema(
    name="security_schemes", path="claims/gong2024_security_schemes.csv",
    title="Gong & Wang 2024, Table 2",
    description="The eight medical-security schemes: organiser, funding source, compulsion, "
                "layer as printed and layer the authors assign.",
    fields=(Field("row", "integer", required=True, unique=True, minimum=1),
            *_text("layer_cell_as_printed", "current_layer", "current_layer_en", "scheme",
                   "organiser", "funding_source", "compulsory_as_printed",
                   required=("current_layer", "scheme")),
            Field("compulsory", "boolean"),
            *_text("authors_layer", "authors_layer_en"),
            Field("layer_changed", "boolean"),
            *_text("authors_layer_source_zh", "source_zh", "section", "table"),
            _provenance(), Field("note")),
    primary_key=("row",), provenance="reported")

LENSES = ResourceSchema(
    name="lenses", path="frameworks/lenses.csv", title="Framework crosswalk: lenses",
    description="Each paper's theoretical lens: theorists, unit of analysis, drivers, actors, "
                "outcomes claimed.",
    fields=(Field("lens_id", required=True, unique=True),
            Field("paper_id", required=True, enum=PAPER_IDS),
            *_text("lens_name_en", "lens_name_zh", "theorists", "theorists_basis",
                   "theorists_context", "unit_of_analysis", "unit_of_analysis_basis", "drivers",
                   "drivers_basis", "actors", "actors_basis", "outcomes_claimed",
                   "outcomes_claimed_basis", "role_of_financing", "role_of_financing_basis",
                   "role_of_public", "role_of_public_basis", "how_change_happens",
                   "how_change_happens_basis", "level_order", "source_zh", "section",
                   required=("lens_name_en",)),
            _provenance()),
    primary_key=("lens_id",), provenance="reported")

MECHANISMS = ResourceSchema(
    name="mechanisms", path="frameworks/mechanisms.csv", title="Framework crosswalk: mechanisms",
    description="Each mechanism as its paper names it, with observable indicators and the "
                "analysis that could test it.",
    fields=(Field("mechanism_id", required=True, unique=True),
            Field("lens_id", required=True),
            *_text("mechanism_zh", "mechanism_en", "level", "groups_under", "description_en",
                   "source_zh", "section", "observable_indicator", "series", "testable_by",
                   "predicted_direction", "hypothesis_id", required=("mechanism_zh",)),
            _provenance(), Field("basis")),
    primary_key=("mechanism_id",), provenance="reported")

HYPOTHESES = ResourceSchema(
    name="hypotheses", path="frameworks/hypotheses.csv", title="Testable hypotheses",
    description="Statements the book derives from the frameworks, with the series and analysis "
                "that could test them (the compendium's synthesis, not the papers' words).",
    fields=(Field("hypothesis_id", required=True, unique=True),
            Field("lens_id", required=True),
            *_text("mechanism_ids", "series", "predicted_direction", "effect_form",
                   "statement_en", "analysis", "testable_by", "data_in_book", "evidence_labels",
                   "basis", required=("statement_en",))),
    primary_key=("hypothesis_id",), provenance="assumed")

GLOSSARY = ResourceSchema(
    name="glossary", path="glossary.csv", title="Bilingual glossary",
    description="Chinese term, pinyin, English term and one-line definition.",
    fields=(Field("term_zh", required=True, unique=True),
            *_text("pinyin", "term_en", "definition_en", "seed_match", "in_papers",
                   "first_paper", required=("pinyin", "term_en", "definition_en"))),
    primary_key=("term_zh",), provenance="reported")

_PAIRS3 = (("visits_primary", "visits_total"), ("admissions_primary", "admissions_total"),
           ("fund_primary", "fund_total"))

DISTRICT_MONTHLY = ResourceSchema(
    name="district_monthly", path="synthetic/district_monthly.csv",
    title="Synthetic monthly district counts",
    description="SYNTHETIC monthly primary-care and total counts, Qianjiang and comparison "
                "districts, 2017-01 to 2024-12; Qianjiang's annual shares reproduce the "
                "reported anchors. Generated by analysis.synthetic.",
    fields=(Field("district", required=True, pattern=r"^(qianjiang|comparison_\d{2})$"),
            Field("month", "date", "First day of the month.", required=True,
                  first_of_month=True),
            *_counts("visits", "admissions", "fund"),
            Field("treated", "boolean", "District is reformed (Qianjiang).", required=True),
            Field("first_treated", "date", "First reform month; empty if never reformed."),
            _provenance("synthetic")),
    primary_key=("district", "month"), provenance="synthetic", share_pairs=_PAIRS3,
    time_index=("district", "month", "monthly"))

COUNTY_PANEL = ResourceSchema(
    name="county_staggered_panel", path="synthetic/county_staggered_panel.csv",
    title="Synthetic staggered-adoption county panel",
    description="SYNTHETIC annual county panel, 2015-2024, adoption waves shaped like Anhui's "
                "tight county medical communities (37 pilot counties in 2019), with the true "
                "simulated effects. Generated by analysis.synthetic.",
    fields=(Field("county", required=True, pattern=r"^county_\d{3}$"),
            Field("year", "year", required=True, minimum=1990, maximum=2100),
            Field("first_treated", "integer", "Adoption year; 0 = never treated.",
                  required=True, minimum=0, maximum=2100),
            Field("wave", required=True, pattern=r"^(pilot_\d{4}|wave_\d{4}|never_treated)$"),
            Field("treated", "boolean", "Adopted by this year.", required=True),
            *_counts("visits", "fund"),
            Field("true_visit_effect_pp", "number", "Simulated effect on the visit share, pp.",
                  required=True),
            Field("true_fund_effect_pp", "number", "Simulated effect on the fund share, pp.",
                  required=True),
            _provenance("synthetic")),
    primary_key=("county", "year"), provenance="synthetic",
    share_pairs=(("visits_primary", "visits_total"), ("fund_primary", "fund_total")),
    time_index=("county", "year", "annual"))

SICILY = ResourceSchema(
    name="sicily_smoking_ban", path="public/sicily_smoking_ban.csv",
    title="Sicily smoking-ban series (Lopez Bernal et al. 2017)",
    description="PUBLIC data used only to check the ITS engine against a published result: "
                "monthly acute coronary events in Sicily, 2002-01 to 2006-11, with the smoking "
                "ban from January 2005.",
    fields=(Field("year", "year", required=True, minimum=2002, maximum=2006),
            Field("month", "integer", required=True, minimum=1, maximum=12),
            Field("aces", "integer", "Acute coronary events, ages 0-69.", required=True,
                  minimum=0),
            Field("time", "integer", "Month counter.", required=True, unique=True, minimum=1),
            Field("smokban", "integer", "1 from the ban (January 2005).", required=True,
                  minimum=0, maximum=1),
            Field("pop", "number", "Population.", required=True, minimum=0),
            Field("stdpop", "number", "Age-standardised population.", required=True, minimum=0),
            _provenance("public")),
    primary_key=("year", "month"), provenance="public",
    source=("Lopez Bernal J, Cummins S, Gasparrini A. Interrupted time series regression for "
            "the evaluation of public health interventions: a tutorial. Int J Epidemiol "
            "2017;46(1):348-355, doi:10.1093/ije/dyw098 (corrigendum 2020;49(4):1414); the "
            "sicily.csv file published with the authors' code."))

RESOURCES: tuple[ResourceSchema, ...] = (
    PAPERS, CLAIMS, POLICY_DOCUMENTS, SECURITY_SCHEMES, LENSES, MECHANISMS, HYPOTHESES, GLOSSARY,
    DISTRICT_MONTHLY, COUNTY_PANEL, SICILY)


def schema_for_name(file_name: str | Path) -> ResourceSchema | None:
    """The registered schema whose file has the same stem (``.csv`` or ``.xlsx``), if any."""
    stem = Path(file_name).stem
    return next((r for r in RESOURCES if Path(r.path).stem == stem), None)


_UNIT_COLUMNS = ("district", "county", "unit", "region", "institution", "area")
_KNOWN_SHARES = {"visit_share": ("visits_primary", "visits_total"),
                 "admission_share": ("admissions_primary", "admissions_total"),
                 "fund_share": ("fund_primary", "fund_total")}


def generic_schema(header: tuple[str, ...], file_name: str) -> ResourceSchema | None:
    """A schema for an analyst's own monthly or annual share file, inferred from its header.

    The file qualifies when it has a ``month`` (or ``date``) or ``year`` column and at least one
    ``X_primary``/``X_total`` pair or a ``*_share`` column. The unit column is the first of
    ``district``, ``county``, ``unit``, ``region``, ``institution``, ``area`` present.

    Parameters
    ----------
    header
        Column names.
    file_name
        Used as the schema name.

    Returns
    -------
    ResourceSchema or None
        ``None`` when the columns do not look like a share series.

    Examples
    --------
    >>> s = generic_schema(("county", "year", "visits_primary", "visits_total"), "mine.csv")
    >>> s.primary_key, s.share_pairs, s.time_index
    (('county', 'year'), (('visits_primary', 'visits_total'),), ('county', 'year', 'annual'))
    """
    cols = set(header)
    time = next((c for c in ("month", "date", "year") if c in cols), None)
    pairs = tuple((c, c[: -len("_primary")] + "_total") for c in header
                  if c.endswith("_primary") and c[: -len("_primary")] + "_total" in cols)
    shares = tuple(c for c in header if c.endswith("_share"))
    if time is None or not (pairs or shares):
        return None
    unit = next((c for c in _UNIT_COLUMNS if c in cols), None)
    fields: list[Field] = []
    paired = {c for p in pairs for c in p}
    for name in header:
        if name == unit:
            fields.append(Field(name, required=True))
        elif name == time:
            fields.append(Field(name, "year", required=True, minimum=1900, maximum=2100)
                          if time == "year" else
                          Field(name, "date", required=True, first_of_month=True))
        elif name in paired or name.endswith(("_count", "_n")):
            fields.append(Field(name, "integer", required=name in paired, minimum=0))
        elif name in shares:
            fields.append(Field(name, "number", minimum=0, maximum=100))
        elif name == "treated":
            fields.append(Field(name, "boolean"))
        elif name == "provenance":
            fields.append(_provenance())
        else:
            fields.append(Field(name))
    share_columns = {s: _KNOWN_SHARES[s] for s in shares
                     if s in _KNOWN_SHARES and set(_KNOWN_SHARES[s]) <= cols}
    key = tuple(c for c in (unit, time) if c is not None)
    return ResourceSchema(
        name=Path(file_name).stem, path=file_name, title="analyst file",
        description="inferred share-series schema", fields=tuple(fields), primary_key=key,
        provenance="unknown", share_pairs=pairs,
        time_index=(unit, time, "annual" if time == "year" else "monthly"),
        share_columns=share_columns, closed=False)
