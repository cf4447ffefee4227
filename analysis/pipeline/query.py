"""The pipeline's logic, written once as SQL text that DuckDB and Spark SQL both execute.

Why shared SQL rather than Ibis: the query is a handful of views (trim, parse, check,
de-duplicate, aggregate) that use only functions both dialects spell the same way
(``try_cast``, ``substr``, ``concat_ws``, ``make_date``, ``count(CASE ...)``,
``row_number() OVER``). Plain SQL text runs unchanged through ``duckdb`` and
``SparkSession.sql``, needs no extra dependency, can be read and audited by a county analyst
who knows SQL, and can be pasted into any Spark SQL console on a cluster. Ibis would add a
compiler layer (and a pin) between what we write and what runs, for a query this small.
The dialect differences that do exist (reading files, materialising a table) live in the
engine modules, not here.

Every engine must register a relation called ``settlements_raw`` whose columns are the
schema's fields as strings plus ``source_file``; then it runs, in order:

1. :data:`DUPLICATES_SQL` materialised as ``settlements_dups`` (small: duplicated ids only);
2. :data:`TAGGED_SQL` as view ``settlements_tagged`` (each row's duplicate status);
3. :data:`PARSED_SQL` as view ``settlements_parsed`` (trimmed text plus parsed values) and
   :data:`CHECKED_SQL` as view ``settlements_checked`` (one ``reason`` per failing row);
4. :data:`FLAGGED_SQL` as ``settlements_flagged`` (narrow rows, materialised);
5. :data:`GROUPS_SQL` (monthly counts of good rows, row counts of bad rows by reason), and
   :data:`QUARANTINE_SQL` for the rows to write to the quarantine file.

Examples
--------
>>> "try_cast" in PARSED_SQL and "settlements_tagged" in PARSED_SQL
True
>>> STAGES[0][0]
'settlements_dups'
"""

from __future__ import annotations

from collections.abc import Collection

from analysis.pipeline.schema import (
    FIELD_NAMES,
    LEVEL_LABELS,
    SCHEME_LABELS,
    SERVICE_LABELS,
)


def _quote(text: str) -> str:
    """Return ``text`` as a SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def _label_case(column: str, mapping: dict[str, str]) -> str:
    """CASE expression mapping accepted labels of ``column`` to their category (else NULL)."""
    branches = " ".join(f"WHEN {_quote(label)} THEN {_quote(category)}"
                        for label, category in mapping.items())
    return f"CASE lower({column}) {branches} END"


_TRIMMED = ",\n    ".join(f"NULLIF(trim({name}), '') AS {name}" for name in FIELD_NAMES)

# Accepted date shapes: YYYYMMDD, or YYYY-MM-DD / YYYY/MM/DD optionally followed by a time
# after ' ' or 'T'. The shape is checked explicitly because the two engines' own casts are
# lenient in different ways (Spark takes '2020-1-5', DuckDB takes '2020-01-05 12:00').
_DATE_TEXT = """CASE
      WHEN length(date_slashless) = 8 AND try_cast(date_slashless AS BIGINT) IS NOT NULL
        THEN substr(date_slashless, 1, 4) || '-' || substr(date_slashless, 5, 2) || '-'
             || substr(date_slashless, 7, 2)
      WHEN (length(date_slashless) = 10 OR substr(date_slashless, 11, 1) IN (' ', 'T'))
           AND substr(date_slashless, 5, 1) = '-' AND substr(date_slashless, 8, 1) = '-'
        THEN substr(date_slashless, 1, 10)
    END"""

_SIGNATURE = "concat_ws(chr(31), " + ", ".join(
    f"coalesce(NULLIF(trim(r.{name}), ''), chr(0))" for name in FIELD_NAMES
    if name != "record_id") + ")"
_ID = "NULLIF(trim(r.record_id), '')"

# One row per raw spelling (`raw_id`) of each duplicated id (`record_id`, trimmed), with
# dup_kind 1: every copy identical (keep one); 2: copies differ (quarantine all). Keying the
# later joins on the raw spelling spares them trimming every id again, and lets the engines
# push the join filter down to the scan. Signatures are built after the join, so only the
# few rows with a duplicated id pay for them.
DUPLICATES_SQL = f"""
SELECT raw_id, record_id,
       CASE WHEN min(low) OVER (PARTITION BY record_id) = max(high) OVER (PARTITION BY record_id)
            THEN 1 ELSE 2 END AS dup_kind
FROM (
  SELECT r.record_id AS raw_id, ids.record_id, min({_SIGNATURE}) AS low,
         max({_SIGNATURE}) AS high
  FROM settlements_raw AS r
  JOIN (
    SELECT {_ID} AS record_id FROM settlements_raw AS r
    WHERE {_ID} IS NOT NULL
    GROUP BY {_ID} HAVING count(*) > 1
  ) AS ids ON {_ID} = ids.record_id
  GROUP BY r.record_id, ids.record_id
) AS spellings
"""

_RAW_COLUMNS = ", ".join(f"r.{name}" for name in ("source_file", *FIELD_NAMES))

# dup_status 0: unique id or the kept copy; 1: an extra exact copy; 2: conflicting copies.
# Rows with unique ids take the first branch (a hash probe); the copy numbering runs on the
# duplicated rows only.
TAGGED_SQL = f"""
SELECT {_RAW_COLUMNS}, 0 AS dup_status
FROM settlements_raw AS r
LEFT JOIN settlements_dups AS d ON r.record_id = d.raw_id
WHERE d.raw_id IS NULL
UNION ALL
SELECT {_RAW_COLUMNS},
       CASE WHEN d.dup_kind = 2 THEN 2
            WHEN row_number() OVER (PARTITION BY d.record_id ORDER BY r.source_file) > 1
            THEN 1 ELSE 0 END AS dup_status
FROM settlements_raw AS r
JOIN settlements_dups AS d ON r.record_id = d.raw_id
"""

PARSED_SQL = f"""
SELECT
    source_file,
    {", ".join(FIELD_NAMES)},
    dup_status,
    try_cast({_DATE_TEXT} AS DATE) AS settlement_day,
    try_cast(total_cost AS DECIMAL(18, 2)) AS total_cost_yuan,
    try_cast(fund_paid AS DECIMAL(18, 2)) AS fund_paid_yuan,
    {_label_case("institution_level", LEVEL_LABELS)} AS level,
    {_label_case("service_type", SERVICE_LABELS)} AS service,
    {_label_case("scheme", SCHEME_LABELS)} AS scheme_std
FROM (
  SELECT *, replace(settlement_date, '/', '-') AS date_slashless
  FROM (
    SELECT
    source_file,
    dup_status,
    {_TRIMMED}
    FROM settlements_tagged
  ) AS trimmed
) AS shaped
"""

# Checks in the order of schema.REASONS; `reason` is the first failing one.
_CHECKS: tuple[tuple[str, str], ...] = (
    *((f"missing_{name}", f"{name} IS NULL") for name in FIELD_NAMES),
    ("malformed_date", "settlement_date IS NOT NULL AND settlement_day IS NULL"),
    ("malformed_amount", "(total_cost IS NOT NULL AND total_cost_yuan IS NULL) "
                         "OR (fund_paid IS NOT NULL AND fund_paid_yuan IS NULL)"),
    ("negative_amount", "total_cost_yuan < 0 OR fund_paid_yuan < 0"),
    ("fund_exceeds_total", "fund_paid_yuan > total_cost_yuan"),
    ("unknown_level", "institution_level IS NOT NULL AND level IS NULL"),
    ("unknown_service_type", "service_type IS NOT NULL AND service IS NULL"),
    ("unknown_scheme", "scheme IS NOT NULL AND scheme_std IS NULL"),
    ("conflicting_record_id", "dup_status = 2"),
    ("duplicate_record_id", "dup_status = 1"),
)
CHECK_CODES: tuple[str, ...] = tuple(code for code, _ in _CHECKS)

_CASES = [f"CASE WHEN {condition} THEN {_quote(code)} END" for code, condition in _CHECKS]
# One searched CASE: the first failing check wins, and a row stops being tested once one fails.
_FIRST_REASON = "CASE " + " ".join(f"WHEN {condition} THEN {_quote(code)}"
                                   for code, condition in _CHECKS) + " END"

CHECKED_SQL = f"""
SELECT *, {_FIRST_REASON} AS reason
FROM settlements_parsed
"""

QUARANTINE_COLUMNS: tuple[str, ...] = ("source_file", *FIELD_NAMES, "reason", "all_reasons")

# One row per input row, narrow: good rows keep only what the aggregation needs, failing
# rows only what the quarantine file needs (the other columns are NULL and cost nothing).
# Filtering on `reason` further down would make DuckDB inline the whole check expression
# into the filter; reading `reason` from this relation avoids that.
_BAD_ONLY = ",\n    ".join(f"CASE WHEN reason IS NOT NULL THEN {name} END AS {name}"
                          for name in ("source_file", *FIELD_NAMES))
FLAGGED_SQL = f"""
SELECT reason,
    CASE WHEN reason IS NULL THEN county_code END AS district,
    CASE WHEN reason IS NULL
         THEN make_date(year(settlement_day), month(settlement_day), 1) END AS month,
    CASE WHEN reason IS NULL THEN service = 'outpatient' END AS is_outpatient,
    CASE WHEN reason IS NULL THEN level = 'primary' END AS is_primary,
    CASE WHEN reason IS NULL THEN fund_paid_yuan END AS fund_paid_yuan,
    {_BAD_ONLY},
    CASE WHEN reason IS NOT NULL THEN concat_ws(';', {", ".join(_CASES)}) END AS all_reasons
FROM settlements_checked
"""

# One pass over the flagged rows: good rows grouped by county and month, failing rows by
# reason only.
GROUPS_SQL = """
SELECT reason, district, month,
    count(*) AS n_rows,
    count(CASE WHEN is_outpatient AND is_primary THEN 1 END) AS visits_primary,
    count(CASE WHEN is_outpatient THEN 1 END) AS visits_total,
    count(CASE WHEN NOT is_outpatient AND is_primary THEN 1 END) AS admissions_primary,
    count(CASE WHEN NOT is_outpatient THEN 1 END) AS admissions_total,
    CAST(round(sum(CASE WHEN is_primary THEN fund_paid_yuan ELSE 0 END), 0) AS BIGINT)
        AS fund_primary,
    CAST(round(sum(fund_paid_yuan), 0) AS BIGINT) AS fund_total
FROM settlements_flagged
GROUP BY reason, district, month
"""

QUARANTINE_SQL = f"""
SELECT {", ".join(QUARANTINE_COLUMNS)}
FROM settlements_flagged
WHERE reason IS NOT NULL
"""

# A total order, so both engines write the quarantine file row for row the same.
QUARANTINE_ORDER = "ORDER BY " + ", ".join(f"{name} NULLS LAST" for name in QUARANTINE_COLUMNS)

RAW_COUNT_SQL = "SELECT count(*) AS n_rows FROM settlements_raw"

# (view name, SQL, engines that materialise it) in execution order, after settlements_raw
# exists. Both engines store the flagged rows once (narrow, spilling to disk if needed) and
# read them twice, for the series and for the quarantine file: filtering the unmaterialised
# view on `reason` makes both optimisers inline the whole check expression into the filter,
# which was many times slower.
STAGES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("settlements_dups", DUPLICATES_SQL, ("duckdb", "spark")),
    ("settlements_tagged", TAGGED_SQL, ()),
    ("settlements_parsed", PARSED_SQL, ()),
    ("settlements_checked", CHECKED_SQL, ()),
    ("settlements_flagged", FLAGGED_SQL, ("duckdb", "spark")),
)


def quote(text: str) -> str:
    """Return ``text`` as a SQL string literal (both dialects double single quotes).

    Examples
    --------
    >>> quote("潜江's.csv")
    "'潜江''s.csv'"
    """
    return _quote(text)


def staging_select(columns_present: Collection[str], source_sql: str) -> list[str]:
    """Return the select list that turns one input file into ``settlements_raw`` rows.

    Parameters
    ----------
    columns_present
        Column names found in the file (lower case).
    source_sql
        SQL expression for ``source_file``: a quoted file name, or on Spark
        ``input_file_name()``.

    Returns
    -------
    list of str
        Expressions: each schema field cast to a string, then ``source_file``.

    Raises
    ------
    ValueError
        When a schema field is missing from the file.

    Examples
    --------
    >>> staging_select(FIELD_NAMES, quote("a.csv"))[-1]
    "'a.csv' AS source_file"
    """
    missing = [name for name in FIELD_NAMES if name not in columns_present]
    if missing:
        raise ValueError(f"missing column(s) {', '.join(missing)}; "
                         f"expected {', '.join(FIELD_NAMES)}")
    casts = [f"CAST({name} AS STRING) AS {name}" for name in FIELD_NAMES]
    return [*casts, f"{source_sql} AS source_file"]
