"""The pipeline's logic, written once as SQL text that DuckDB and Spark SQL both execute.

Why shared SQL rather than Ibis: the query is a handful of views (de-duplicate, parse, check,
aggregate) that use only functions both dialects spell the same way (``try_cast``, ``substr``,
``concat_ws``, ``make_date``, ``bit_length``, ``count(CASE ...)``, ``row_number() OVER``).
Plain SQL text runs unchanged through ``duckdb`` and ``SparkSession.sql``, needs no extra
dependency, can be read and audited by a county analyst who knows SQL, and can be pasted into
any Spark SQL console on a cluster. Ibis would add a compiler layer (and a pin) between what
we write and what runs, for a query this small. The dialect differences that do exist
(reading files, materialising a table) live in the engine modules; the two that touch the SQL
text are in :func:`stages` (``trim`` removes Unicode space separators on DuckDB but only
U+0020 on Spark, so Spark gets the list; DuckDB finds duplicated ids with a sort, Spark with
a grouping) and neither changes a result.

Every engine registers a relation called ``settlements_raw`` holding the schema's fields
(staged by :func:`staging_select`) plus ``source_file``, then creates the relations of
:func:`stages` in order:

1. ``settlements_dup_ids`` and ``settlements_dup_spellings`` (materialised, small): the
   trimmed record ids that occur more than once, and every raw spelling of them (DuckDB
   finds the spellings directly, with one sort);
2. ``settlements_dup_rows`` (materialised, small): the rows carrying those ids, each with its
   duplicate status; only these rows pay for content signatures and copy numbering;
3. ``settlements_tagged`` (view): every other row (status 0) plus the duplicate rows;
4. ``settlements_parsed`` and ``settlements_checked`` (views): parsed values and one
   ``reason`` per failing row;
5. ``settlements_flagged``: narrow rows for the aggregation, and the quarantine columns for
   failing rows only.

:data:`GROUPS_SQL` then gives monthly counts of good rows and row counts of bad rows by reason,
and :data:`QUARANTINE_SQL` the rows written to the quarantine file.

**Typed input.** Rules are defined on text: a value is trimmed, then parsed, so that CSV and
Parquet, DuckDB and Spark, all give the same answer. Turning a typed Parquet column into text
only to parse it back costs most of a run, so a column that every input file stores with a
type whose text form is known to parse back to the same value (see :func:`column_kind`) keeps
its type, and the SQL uses the typed value directly: a ``DATE`` with a four-digit year, a
``DECIMAL`` with at most two decimals that fits ``DECIMAL(18, 2)``, or an integer. Anything
else (a date before year 1000, a double, a string) takes the text route. Where text is still
needed (content signatures of duplicated ids, the quarantine file), it is produced from the
typed value the same way the text route would, for the few rows that need it. The test suite
runs the same records both ways and requires identical results.

Examples
--------
>>> names = [name for name, _, _ in stages(TEXT_KINDS)]
>>> names[0], names[-1]
('settlements_dup_spellings', 'settlements_flagged')
>>> [name for name, _, _ in stages(TEXT_KINDS, "spark")][:2]
['settlements_dup_ids', 'settlements_dup_spellings']
>>> "try_cast" in dict((n, s) for n, s, _ in stages(TEXT_KINDS))["settlements_parsed"]
True
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from typing import Literal

from analysis.pipeline.schema import (
    FIELD_NAMES,
    LEVEL_LABELS,
    SCHEME_LABELS,
    SERVICE_LABELS,
)

Kind = str
"""How a field is staged: ``"text"``, ``"date"``, ``"integer"`` or ``"decimal(P,S)"``."""

TEXT_KINDS: dict[str, Kind] = dict.fromkeys(FIELD_NAMES, "text")
"""Every field staged as text: the reference route, and the only one for CSV input."""

Engine = Literal["duckdb", "spark"]

# Fields whose typed values the SQL can use directly, and the kinds each accepts.
_TYPED_FIELDS: dict[str, tuple[str, ...]] = {
    "settlement_date": ("date",),
    "total_cost": ("decimal", "integer"),
    "fund_paid": ("decimal", "integer"),
}
_INTEGER_TYPES = {
    "tinyint",
    "smallint",
    "integer",
    "int",
    "bigint",
    "byte",
    "short",
    "long",
    "int8",
    "int16",
    "int32",
    "int64",
}
_DECIMAL = re.compile(r"decimal\((\d+),\s*(\d+)\)")


def _quote(text: str) -> str:
    """Return ``text`` as a SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def column_kind(type_name: str) -> Kind:
    """Return the staging kind of a column from its engine type name.

    Only types whose text form (as both engines print it) parses back to the same value by
    the text rules are typed kinds; everything else is ``"text"``.

    Parameters
    ----------
    type_name
        A DuckDB (``DECIMAL(18,2)``, ``BIGINT``) or Spark (``decimal(18,2)``, ``bigint``) type.

    Returns
    -------
    str
        ``"date"``, ``"integer"``, ``"decimal(P,S)"`` or ``"text"``.

    Examples
    --------
    >>> column_kind("DECIMAL(18,2)"), column_kind("decimal(10,3)"), column_kind("date")
    ('decimal(18,2)', 'text', 'date')
    >>> column_kind("BIGINT"), column_kind("DOUBLE"), column_kind("VARCHAR")
    ('integer', 'text', 'text')
    """
    name = type_name.strip().lower()
    if name == "date":
        return "date"
    if name in _INTEGER_TYPES:
        return "integer"
    match = _DECIMAL.fullmatch(name)
    if match:
        precision, scale = int(match.group(1)), int(match.group(2))
        # Exactly representable in DECIMAL(18, 2): no rounding, no overflow.
        if scale <= 2 and precision - scale <= 16:
            return f"decimal({16 + scale},{scale})"
    return "text"


def field_kinds(files: Iterable[Mapping[str, str]]) -> dict[str, Kind]:
    """Return one staging kind per field, given each input file's column types.

    A field is typed only when every file stores it with the same typed kind; one CSV file
    (all text) or one file with another type sends the field down the text route.

    Parameters
    ----------
    files
        For each input file, column name (lower case) to engine type name.

    Returns
    -------
    dict
        Field name to kind.

    Examples
    --------
    >>> kinds = field_kinds([{"settlement_date": "DATE", "fund_paid": "DECIMAL(18,2)"},
    ...                      {"settlement_date": "DATE", "fund_paid": "VARCHAR"}])
    >>> kinds["settlement_date"], kinds["fund_paid"], kinds["record_id"]
    ('date', 'text', 'text')
    """
    per_file = [
        {name: column_kind(types.get(name, "varchar")) for name in FIELD_NAMES} for types in files
    ]
    kinds = dict(TEXT_KINDS)
    if not per_file:
        return kinds
    for name, accepted in _TYPED_FIELDS.items():
        found = {file[name] for file in per_file}
        if len(found) == 1:
            kind = found.pop()
            if kind.split("(")[0] in accepted:
                kinds[name] = kind
    return kinds


def _label_case(column: str, mapping: dict[str, str]) -> str:
    """CASE expression mapping accepted labels of ``column`` to their category (else NULL)."""
    branches = " ".join(
        f"WHEN {_quote(label)} THEN {_quote(category)}" for label, category in mapping.items()
    )
    return f"CASE lower({column}) {branches} END"


def _trimmed(column: str) -> str:
    return f"NULLIF(trim({column}), '')"


# What "trimming" removes: the Unicode space separators (category Zs), which include the
# ideographic space U+3000 and the no-break space U+00A0 found in Chinese exports. DuckDB's
# one-argument trim removes exactly these; Spark's removes only U+0020, so on Spark the SQL
# names them (see _dialect).
SPACE_SEPARATORS = "".join(
    chr(code) for code in (0x20, 0xA0, 0x1680, *range(0x2000, 0x200B), 0x202F, 0x205F, 0x3000)
)


def _dialect(sql: str, engine: Engine) -> str:
    """Adapt generated SQL to ``engine``: on Spark, trim every space separator explicitly.

    Examples
    --------
    >>> _dialect("NULLIF(trim(x), '')", "spark") == (
    ...     f"NULLIF(trim(BOTH '{SPACE_SEPARATORS}' FROM x), '')")
    True
    """
    if engine == "spark":
        return sql.replace("trim(", f"trim(BOTH '{SPACE_SEPARATORS}' FROM ")
    return sql


def _id_key(column: str) -> str:
    """The trimmed record id, skipping ``trim`` for ids that cannot change under it.

    Trimming ten million distinct ids is a large part of a run. An id that starts with a
    printable ASCII character other than a space, does not end with a space and is all ASCII
    (byte length equals 8 × character length) is already trimmed, in both engines.
    """
    return (
        f"CASE WHEN {column} >= '!' AND {column} < chr(127) AND NOT ({column} LIKE '% ') "
        f"AND bit_length({column}) = 8 * length({column}) THEN {column} "
        f"ELSE {_trimmed(column)} END"
    )


def _text(name: str, kinds: Mapping[str, Kind], prefix: str = "") -> str:
    """The trimmed text of a field, as the text route sees it."""
    column = f"{prefix}{name}"
    if name == "record_id" and kinds[name] == "text":
        return _id_key(column)
    if kinds[name] == "text":
        return _trimmed(column)
    return _trimmed(f"CAST({column} AS STRING)")


def _code(text: str) -> str:
    """A code with a whole float's ``.0`` dropped (``420101.0`` is ``420101``).

    Files normalised by :mod:`analysis.pipeline.normalise` arrive without it already; this
    covers Parquet files the engine reads directly. ``regexp_extract`` with a group index is
    spelled the same in DuckDB and Spark, and returns ``''`` when nothing matches.
    """
    whole = f"regexp_extract({text}, '^([0-9]+)[.]0+$', 1)"
    return f"CASE WHEN {whole} <> '' THEN {whole} ELSE {text} END"


def _missing(name: str, kinds: Mapping[str, Kind]) -> str:
    if kinds[name] == "text":
        return f"{_text(name, kinds)} IS NULL"
    return f"{name} IS NULL"  # the text of a typed value is never empty


# Accepted date shapes: YYYYMMDD, or YYYY-MM-DD / YYYY/MM/DD optionally followed by a time
# after ' ' or 'T'. The shape is checked explicitly because the two engines' own casts are
# lenient in different ways (Spark takes '2020-1-5', DuckDB takes '2020-01-05 12:00').
def _date_from_text(slashless: str) -> str:
    """Parse trimmed date text in which '/' has been replaced by '-'."""
    return f"""try_cast(CASE
      WHEN length({slashless}) = 8 AND try_cast({slashless} AS BIGINT) IS NOT NULL
        THEN substr({slashless}, 1, 4) || '-' || substr({slashless}, 5, 2) || '-'
             || substr({slashless}, 7, 2)
      WHEN (length({slashless}) = 10 OR substr({slashless}, 11, 1) IN (' ', 'T'))
           AND substr({slashless}, 5, 1) = '-' AND substr({slashless}, 8, 1) = '-'
        THEN substr({slashless}, 1, 10)
    END AS DATE)"""


def _slashless(kinds: Mapping[str, Kind]) -> str:
    return f"replace({_text('settlement_date', kinds)}, '/', '-')"


def _settlement_day(kinds: Mapping[str, Kind]) -> str:
    if kinds["settlement_date"] == "date":
        # Both engines print a date with a four-digit year as YYYY-MM-DD, which the text
        # rules parse back to the same date; other years take the text route.
        return (
            "CASE WHEN settlement_date BETWEEN DATE '1000-01-01' AND DATE '9999-12-31' "
            "THEN settlement_date ELSE "
            f"{_date_from_text(_slashless(kinds))} END"
        )
    return _date_from_text("date_slashless")


def _amount(name: str, kinds: Mapping[str, Kind]) -> str:
    if kinds[name].startswith("decimal"):
        return f"CAST({name} AS DECIMAL(18, 2))"  # exact: the kind guarantees it fits
    if kinds[name] == "integer":
        return f"try_cast({name} AS DECIMAL(18, 2))"  # NULL on overflow, as the text gives
    return f"try_cast({_text(name, kinds)} AS DECIMAL(18, 2))"


def staging_select(
    columns_present: Collection[str], source_sql: str, kinds: Mapping[str, Kind] | None = None
) -> list[str]:
    """Return the select list that turns one input file into ``settlements_raw`` rows.

    Parameters
    ----------
    columns_present
        Column names found in the file (lower case).
    source_sql
        SQL expression for ``source_file``: a quoted file name, or on Spark
        ``input_file_name()``.
    kinds
        Staging kind per field (from :func:`field_kinds`); all text when ``None``.

    Returns
    -------
    list of str
        Expressions: each schema field cast to its staging type, then ``source_file``.

    Raises
    ------
    ValueError
        When a schema field is missing from the file.

    Examples
    --------
    >>> staging_select(FIELD_NAMES, quote("a.csv"))[-1]
    "'a.csv' AS source_file"
    >>> staging_select(FIELD_NAMES, quote("a.parquet"), {**TEXT_KINDS, "fund_paid": "integer"})[7]
    'CAST(fund_paid AS BIGINT) AS fund_paid'
    """
    kinds = TEXT_KINDS if kinds is None else kinds
    missing = [name for name in FIELD_NAMES if name not in columns_present]
    if missing:
        raise ValueError(
            f"missing column(s) {', '.join(missing)}; expected {', '.join(FIELD_NAMES)}"
        )
    types = {"text": "STRING", "date": "DATE", "integer": "BIGINT"}
    casts = [
        f"CAST({name} AS {types.get(kinds[name], kinds[name].upper())}) AS {name}"
        for name in FIELD_NAMES
    ]
    return [*casts, f"{source_sql} AS source_file"]


_RAW_COLUMNS = ", ".join(f"r.{name}" for name in ("source_file", *FIELD_NAMES))


def _duplicates_sql(kinds: Mapping[str, Kind], engine: Engine) -> tuple[str, str, str, str]:
    """SQL of the duplicated ids, their spellings, the rows carrying them, the tagged rows."""
    key = _text("record_id", kinds, "r.")
    signature = (
        "concat_ws(chr(31), "
        + ", ".join(
            f"coalesce({_text(name, kinds, 'r.')}, chr(0))"
            for name in FIELD_NAMES
            if name != "record_id"
        )
        + ")"
    )
    # count(record_id) skips the NULL key: a NULL test would be pushed below the grouping
    # and compute the key twice.
    ids = f"""
SELECT record_id FROM (SELECT {key} AS record_id FROM settlements_raw AS r) AS keyed
GROUP BY record_id HAVING count(record_id) > 1
"""
    # Every raw spelling of a duplicated id: later joins compare raw values, which needs no
    # trimming and lets the engines skip non-matching rows while scanning.
    spellings = f"""
SELECT DISTINCT r.record_id
FROM settlements_raw AS r JOIN settlements_dup_ids AS d ON {key} = d.record_id
"""
    if engine == "duckdb":
        # The same spellings from one sort of the keys: DuckDB sorts ten million ids faster
        # than it hashes them, and the sort carries each key's raw spelling, which saves a
        # second pass. (On Spark a window without PARTITION BY would run on one executor,
        # hence the grouping there.)
        spellings = f"""
SELECT DISTINCT raw_id AS record_id FROM (
  SELECT raw_id, record_id,
         lag(record_id) OVER (ORDER BY record_id) AS previous,
         lead(record_id) OVER (ORDER BY record_id) AS next
  FROM (SELECT r.record_id AS raw_id, {key} AS record_id FROM settlements_raw AS r) AS keyed
) AS sorted
WHERE record_id = previous OR record_id = next
"""
        ids = ""

    # dup_status 0: unique id or the kept copy; 1: an extra exact copy (every field equal
    # after trimming); 2: copies differ, so every copy is quarantined.
    rows = f"""
SELECT source_file, {", ".join(FIELD_NAMES)},
       CASE WHEN min(signature) OVER (PARTITION BY dup_id)
                 <> max(signature) OVER (PARTITION BY dup_id) THEN 2
            WHEN row_number() OVER (PARTITION BY dup_id ORDER BY source_file) > 1 THEN 1
            ELSE 0 END AS dup_status
FROM (
  SELECT {_RAW_COLUMNS}, {key} AS dup_id, {signature} AS signature
  FROM settlements_raw AS r
  JOIN settlements_dup_spellings AS s ON r.record_id = s.record_id
) AS copies
"""
    tagged = f"""
SELECT {_RAW_COLUMNS}, 0 AS dup_status
FROM settlements_raw AS r
LEFT JOIN settlements_dup_spellings AS s ON r.record_id = s.record_id
WHERE s.record_id IS NULL
UNION ALL
SELECT source_file, {", ".join(FIELD_NAMES)}, dup_status FROM settlements_dup_rows
"""
    return ids, spellings, rows, tagged


def _parsed_sql(kinds: Mapping[str, Kind]) -> str:
    labels = (
        ("institution_level", "level", LEVEL_LABELS),
        ("service_type", "service", SERVICE_LABELS),
        ("scheme", "scheme_std", SCHEME_LABELS),
    )
    missing = ",\n    ".join(f"{_missing(name, kinds)} AS missing_{name}" for name in FIELD_NAMES)
    # The shaped date text is computed once per row, and only on the text route.
    date_text = _slashless(kinds) if kinds["settlement_date"] == "text" else "NULL"
    mapped = ",\n    ".join(
        f"{_label_case(_text(column, kinds), mapping)} AS {alias}"
        for column, alias, mapping in labels
    )
    return f"""
SELECT
    source_file, {", ".join(FIELD_NAMES)}, dup_status,
    {missing},
    {_code(_text("county_code", kinds))} AS district_code,
    {_settlement_day(kinds)} AS settlement_day,
    {_amount("total_cost", kinds)} AS total_cost_yuan,
    {_amount("fund_paid", kinds)} AS fund_paid_yuan,
    {mapped}
FROM (SELECT *, {date_text} AS date_slashless FROM settlements_tagged) AS shaped
"""


# Checks in the order of schema.REASONS; `reason` is the first failing one.
_CHECKS: tuple[tuple[str, str], ...] = (
    *((f"missing_{name}", f"missing_{name}") for name in FIELD_NAMES),
    ("malformed_date", "NOT missing_settlement_date AND settlement_day IS NULL"),
    (
        "malformed_amount",
        (
            "(NOT missing_total_cost AND total_cost_yuan IS NULL) "
            "OR (NOT missing_fund_paid AND fund_paid_yuan IS NULL)"
        ),
    ),
    ("negative_amount", "total_cost_yuan < 0 OR fund_paid_yuan < 0"),
    ("fund_exceeds_total", "fund_paid_yuan > total_cost_yuan"),
    ("unknown_level", "NOT missing_institution_level AND level IS NULL"),
    ("unknown_service_type", "NOT missing_service_type AND service IS NULL"),
    ("unknown_scheme", "NOT missing_scheme AND scheme_std IS NULL"),
    ("conflicting_record_id", "dup_status = 2"),
    ("duplicate_record_id", "dup_status = 1"),
)

_CASES = [f"CASE WHEN {condition} THEN {_quote(code)} END" for code, condition in _CHECKS]
# One searched CASE: the first failing check wins, and a row stops being tested once one fails.
_FIRST_REASON = (
    "CASE "
    + " ".join(f"WHEN {condition} THEN {_quote(code)}" for code, condition in _CHECKS)
    + " END"
)

CHECKED_SQL = f"""
SELECT *, {_FIRST_REASON} AS reason
FROM settlements_parsed
"""

QUARANTINE_COLUMNS: tuple[str, ...] = ("source_file", *FIELD_NAMES, "reason", "all_reasons")


def _flagged_sql(kinds: Mapping[str, Kind]) -> str:
    # One row per input row, narrow: good rows keep only what the aggregation needs, failing
    # rows only what the quarantine file needs (the other columns are NULL). The quarantine
    # columns are the trimmed text of each field, computed for failing rows only.
    bad_only = ",\n    ".join(
        f"CASE WHEN reason IS NOT NULL THEN {_text(name, kinds) if name in FIELD_NAMES else name}"
        f" END AS {name}"
        for name in ("source_file", *FIELD_NAMES)
    )
    return f"""
SELECT reason,
    CASE WHEN reason IS NULL THEN district_code END AS district,
    CASE WHEN reason IS NULL
         THEN make_date(year(settlement_day), month(settlement_day), 1) END AS month,
    CASE WHEN reason IS NULL THEN service = 'outpatient' END AS is_outpatient,
    CASE WHEN reason IS NULL THEN level = 'primary' END AS is_primary,
    CASE WHEN reason IS NULL THEN fund_paid_yuan END AS fund_paid_yuan,
    {bad_only},
    CASE WHEN reason IS NOT NULL THEN concat_ws(';', {", ".join(_CASES)}) END AS all_reasons
FROM settlements_checked
"""


_COUNTS = """count(*) AS n_rows,
    count(CASE WHEN is_outpatient AND is_primary THEN 1 END) AS visits_primary,
    count(CASE WHEN is_outpatient THEN 1 END) AS visits_total,
    count(CASE WHEN NOT is_outpatient AND is_primary THEN 1 END) AS admissions_primary,
    count(CASE WHEN NOT is_outpatient THEN 1 END) AS admissions_total"""

# One pass over the flagged rows: good rows grouped by county and month, failing rows by
# reason only.
GROUPS_SQL = f"""
SELECT reason, district, month,
    {_COUNTS},
    CAST(round(sum(CASE WHEN is_primary THEN fund_paid_yuan ELSE 0 END), 0) AS BIGINT)
        AS fund_primary,
    CAST(round(sum(fund_paid_yuan), 0) AS BIGINT) AS fund_total
FROM settlements_flagged
GROUP BY reason, district, month
"""

_DETAIL = ", ".join(name for name in QUARANTINE_COLUMNS if name != "reason")

# The DuckDB engine reads the flagged rows once: good rows are grouped by county and month
# as in GROUPS_SQL, and failing rows by their quarantine columns (NULL for good rows), so the
# same pass yields the series and the quarantine rows (identical failing rows are counted in
# n_rows, and written n_rows times). Fund sums stay exact decimals until DETAIL_TOTALS_SQL.
DETAIL_GROUPS_SQL = f"""
SELECT reason, district, month, {_DETAIL},
    {_COUNTS},
    sum(CASE WHEN is_primary THEN fund_paid_yuan ELSE 0 END) AS fund_primary,
    sum(fund_paid_yuan) AS fund_total
FROM settlements_flagged
GROUP BY reason, district, month, {_DETAIL}
"""

# GROUPS_SQL's result, from DETAIL_GROUPS_SQL stored as ``settlements_groups``.
DETAIL_TOTALS_SQL = """
SELECT reason, district, month,
    CAST(sum(n_rows) AS BIGINT) AS n_rows,
    CAST(sum(visits_primary) AS BIGINT) AS visits_primary,
    CAST(sum(visits_total) AS BIGINT) AS visits_total,
    CAST(sum(admissions_primary) AS BIGINT) AS admissions_primary,
    CAST(sum(admissions_total) AS BIGINT) AS admissions_total,
    CAST(round(sum(fund_primary), 0) AS BIGINT) AS fund_primary,
    CAST(round(sum(fund_total), 0) AS BIGINT) AS fund_total
FROM settlements_groups
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


def stages(
    kinds: Mapping[str, Kind], engine: Engine = "duckdb"
) -> tuple[tuple[str, str, tuple[Engine, ...]], ...]:
    """Return the relations to create after ``settlements_raw``, in order.

    Parameters
    ----------
    kinds
        Staging kind per field, as used for ``settlements_raw``.
    engine
        Two things differ, not the results: the plan that finds the duplicated ids (a sort
        on DuckDB, a grouping on Spark), and how ``trim`` is spelled (:func:`_dialect`).

    Returns
    -------
    tuple
        ``(name, sql, engines that materialise it)`` triples. Both engines store the two
        small duplicate relations. Spark also caches ``settlements_flagged``, which it reads
        twice (series and quarantine file); DuckDB reads the view twice instead, because
        storing ten million narrow rows costs it more than evaluating the checks again on
        the second, filtered read.
    """
    ids, spellings, rows, tagged = _duplicates_sql(kinds, engine)
    found = (("settlements_dup_ids", ids, ("duckdb", "spark")),) if ids else ()
    relations = (
        *found,
        ("settlements_dup_spellings", spellings, ("duckdb", "spark")),
        ("settlements_dup_rows", rows, ("duckdb", "spark")),
        ("settlements_tagged", tagged, ()),
        ("settlements_parsed", _parsed_sql(kinds), ()),
        ("settlements_checked", CHECKED_SQL, ()),
        ("settlements_flagged", _flagged_sql(kinds), ("spark",)),
    )
    return tuple((name, _dialect(sql, engine), where) for name, sql, where in relations)


def quote(text: str) -> str:
    """Return ``text`` as a SQL string literal (both dialects double single quotes).

    Examples
    --------
    >>> quote("潜江's.csv")
    "'潜江''s.csv'"
    """
    return _quote(text)
