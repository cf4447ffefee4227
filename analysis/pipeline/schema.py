"""The input schema for settlement records, the label mappings and the quarantine reasons.

One row of input is one insurance settlement (医保结算记录). This module is the single source
of truth for what a valid row is: the SQL in :mod:`analysis.pipeline.query` is generated from
the tables below, and the book's appendix renders them with :func:`schema_table` and
:func:`label_table`, so the documentation cannot drift from the code.

Labels are matched after trimming spaces and lower-casing, so ``Primary``, ``primary`` and
`` primary `` all count; Chinese labels are matched as written.

Examples
--------
>>> [field.name for field in FIELDS][:3]
['record_id', 'settlement_date', 'county_code']
>>> LEVEL_LABELS["二级"], LEVEL_LABELS["乡镇卫生院"]
('secondary', 'primary')
>>> SERVICE_LABELS["住院"], SCHEME_LABELS["职工"]
('inpatient', 'employee')
>>> REASONS[0].code
'missing_record_id'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pandas as pd

from analysis.tables.mapping import shipped_labels

Level = Literal["primary", "secondary", "tertiary"]
ServiceType = Literal["outpatient", "inpatient"]
Scheme = Literal["employee", "resident"]


@dataclass(frozen=True)
class Field:
    """One column of the settlement-record input.

    Attributes
    ----------
    name
        Column name expected in the CSV header or Parquet schema.
    kind
        What the value must look like (human-readable; checked by the SQL rules).
    description
        Meaning of the column.
    example
        A valid value.
    """

    name: str
    kind: str
    description: str
    example: str


FIELDS: tuple[Field, ...] = (
    Field(
        "record_id",
        "text",
        "Settlement identifier, unique within the extract (结算流水号).",
        "S2021000001",
    ),
    Field(
        "settlement_date",
        "date: 2024-03-05, 2024/3/5, 2024.3.5, 2024年3月5日, 20240305, an Excel serial number "
        "(20000-79999) or a workbook date cell; a time after a space or 'T' is ignored; dates "
        "with the year last (01/02/2023) need --date-format",
        "Date the claim was settled (结算日期); the month of this date is the series month.",
        "2021-03-15",
    ),
    Field(
        "county_code",
        "text",
        "County of the insured person (参保地; also 统筹区/区县代码): the county a settlement "
        "counts for. Cleaned once (Excel's =\"420101\" and '420101 wrappers, full-width digits, "
        "spaces and a whole float's .0 removed: all are 420101); one county written in two "
        "forms in one run (420101 and 420101000 or 420101000000) is refused unless --code-map "
        "maps them; otherwise copied into the output column district. 就医地 (where "
        "the care took place) is optional and only counts out-of-county care.",
        "county_01",
    ),
    Field(
        "institution_id",
        "text",
        "Facility identifier (定点医药机构编码). Required, not aggregated.",
        "H42900500001",
    ),
    Field(
        "institution_level",
        "label, see the level table",
        "Facility level: primary, secondary or tertiary (机构级别).",
        "基层",
    ),
    Field(
        "service_type",
        "label: outpatient / inpatient",
        "门诊 (outpatient visit) or 住院 (inpatient admission).",
        "门诊",
    ),
    Field(
        "total_cost",
        "number ≥ 0, yuan; 1,234.50, 1,234.50元 and ￥1,234.50 are read as 1234.50; a column in "
        "万元 or 千元 (医疗总费用(万元), or [units] in --columns) is converted to yuan exactly; "
        "a negative total is a reversal (冲销/退费), netted against its original",
        "Total eligible cost of the settlement (医疗总费用).",
        "236.50",
    ),
    Field(
        "fund_paid",
        "number ≥ 0 and ≤ total_cost, yuan",
        "Amount paid by the insurance fund (统筹基金支付).",
        "151.00",
    ),
    Field(
        "scheme",
        "label: employee / resident",
        "Insurance scheme: 职工 (urban employee) or 居民 (urban-rural resident).",
        "居民",
    ),
)
FIELD_NAMES: tuple[str, ...] = tuple(field.name for field in FIELDS)


# Keys are compared with lower(trim(value)); they are lower case. Bureau spellings (三级甲等,
# 城乡居民基本医疗保险, ...) are in the shipped map; see analysis/tables/mappings/labels.toml.
LEVEL_LABELS: dict[str, Level] = shipped_labels("institution_level")  # type: ignore[assignment]
SERVICE_LABELS: dict[str, ServiceType] = shipped_labels("service_type")  # type: ignore[assignment]
SCHEME_LABELS: dict[str, Scheme] = shipped_labels("scheme")  # type: ignore[assignment]


@dataclass(frozen=True)
class Reason:
    """Why a row is quarantined.

    Attributes
    ----------
    code
        Stable machine-readable code written to the quarantine file.
    rule
        The rule the row broke, in words.
    """

    code: str
    rule: str


# Order matters: a row's reason is the first code that applies; all_reasons lists every one.
REASONS: tuple[Reason, ...] = (
    *(Reason(f"missing_{name}", f"{name} is empty or absent") for name in FIELD_NAMES),
    Reason(
        "malformed_date",
        "settlement_date is present but is not a real calendar date in an accepted format",
    ),
    Reason("malformed_amount", "total_cost or fund_paid is present but is not a number"),
    Reason("negative_amount", "total_cost or fund_paid is below zero"),
    Reason("fund_exceeds_total", "fund_paid is larger than total_cost"),
    Reason(
        "unknown_level",
        "institution_level is not one of the accepted labels (only with "
        "--drop-unknown-labels true; otherwise the run is refused; never counted toward "
        "--max-quarantine)",
    ),
    Reason(
        "unknown_service_type",
        "service_type is not one of the accepted labels (as unknown_level)",
    ),
    Reason("unknown_scheme", "scheme is not one of the accepted labels (as unknown_level)"),
    Reason(
        "conflicting_record_id",
        "another row has the same record_id but different "
        "content: every copy is quarantined, because the extract cannot say which is right",
    ),
    Reason(
        "duplicate_record_id",
        "an exact copy (every field equal after trimming) of a row "
        "that is kept: one copy is aggregated, the extra copies are quarantined",
    ),
)
REASON_CODES: tuple[str, ...] = tuple(reason.code for reason in REASONS)

OUTPUT_COLUMNS: tuple[str, ...] = (
    "district",
    "month",
    "visits_primary",
    "visits_total",
    "admissions_primary",
    "admissions_total",
    "fund_primary",
    "fund_total",
    "visit_share",
    "admission_share",
    "fund_share",
)
COUNT_COLUMNS: tuple[str, ...] = OUTPUT_COLUMNS[2:8]

OUTPUT_DEFINITIONS: dict[str, str] = {
    "district": "county_code of the settlement, unchanged",
    "month": "first day of the month of settlement_date",
    "visits_primary": "number of outpatient settlements at primary institutions",
    "visits_total": "number of outpatient settlements at any level",
    "admissions_primary": "number of inpatient settlements at primary institutions",
    "admissions_total": "number of inpatient settlements at any level",
    "fund_primary": "sum of fund_paid at primary institutions, rounded to whole yuan",
    "fund_total": "sum of fund_paid at any level, rounded to whole yuan",
    "visit_share": "100 × visits_primary / visits_total (percent)",
    "admission_share": "100 × admissions_primary / admissions_total (percent)",
    "fund_share": "100 × fund_primary / fund_total (percent)",
}


def schema_table() -> pd.DataFrame:
    """Return the input schema as a table for documentation.

    Returns
    -------
    pandas.DataFrame
        Columns ``column``, ``expected``, ``meaning``, ``example``; one row per field.

    Examples
    --------
    >>> schema_table().shape
    (9, 4)
    """
    return pd.DataFrame(
        [(f.name, f.kind, f.description, f.example) for f in FIELDS],
        columns=["column", "expected", "meaning", "example"],
    )


def label_table() -> pd.DataFrame:
    """Return every accepted label and the category it maps to.

    Returns
    -------
    pandas.DataFrame
        Columns ``column``, ``label``, ``maps_to``.

    Examples
    --------
    >>> table = label_table()
    >>> table.loc[table["label"] == "三级", "maps_to"].item()
    'tertiary'
    """
    rows = [
        (column, label, category)
        for column, mapping in (
            ("institution_level", LEVEL_LABELS),
            ("service_type", SERVICE_LABELS),
            ("scheme", SCHEME_LABELS),
        )
        for label, category in mapping.items()
    ]
    return pd.DataFrame(rows, columns=["column", "label", "maps_to"])


def reason_table() -> pd.DataFrame:
    """Return the quarantine reasons in the order they are checked.

    Returns
    -------
    pandas.DataFrame
        Columns ``reason`` and ``rule``.

    Examples
    --------
    >>> reason_table()["reason"].iloc[-1]
    'duplicate_record_id'
    """
    return pd.DataFrame([(r.code, r.rule) for r in REASONS], columns=["reason", "rule"])


def output_table() -> pd.DataFrame:
    """Return the output columns and their definitions.

    Returns
    -------
    pandas.DataFrame
        Columns ``column`` and ``definition``, in output order.

    Examples
    --------
    >>> output_table()["column"].tolist() == list(OUTPUT_COLUMNS)
    True
    """
    return pd.DataFrame(list(OUTPUT_DEFINITIONS.items()), columns=["column", "definition"])
