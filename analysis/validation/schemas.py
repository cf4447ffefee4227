"""Table schemas: the column types, constraints and row rules the validator checks.

A :class:`TableSchema` lists a file's columns (:class:`Field`: Frictionless type and
constraints), its primary key and the rules across columns. The schemas of the committed files
are declared once, with the rest of each dataset, in :mod:`analysis.registry`; the same
declaration produces ``data/datapackage.json`` and the checks ``python -m analysis validate``
runs. :func:`generic_schema` infers a schema for an analyst's own share series.

Field types follow the Frictionless Table Schema names: ``string``, ``integer``, ``number``,
``boolean``, ``date`` (``YYYY-MM-DD``), ``year``.

Examples
--------
>>> schema = generic_schema(("district", "month", "visits_primary", "visits_total"), "mine.csv")
>>> schema.name, schema.primary_key, schema.time_index
('mine', ('district', 'month'), ('district', 'month', 'monthly'))
>>> generic_schema(("name", "comment"), "notes.csv") is None
True
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

FieldType = Literal["string", "integer", "number", "boolean", "date", "year"]

Provenance = Literal["reported", "public", "assumed", "synthetic", "reading", "mixed"]
PROVENANCE_CLASSES: tuple[str, ...] = ("reported", "public", "assumed", "synthetic", "reading")
"""Values of a per-row ``provenance`` column ("mixed" describes a whole dataset, never a row)."""

SHARE_PAIRS: dict[str, tuple[str, str]] = {
    "visit_share": ("visits_primary", "visits_total"),
    "admission_share": ("admissions_primary", "admissions_total"),
    "fund_share": ("fund_primary", "fund_total"),
}
"""Share column -> (numerator, denominator) count columns: the one definition of a share."""


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
class TableSchema:
    """A table's fields and the row-level rules beyond single columns.

    Attributes
    ----------
    name
        Schema name: the dataset name for a registered file, the file stem otherwise.
    fields
        Columns in file order.
    primary_key
        Columns that identify a row.
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
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...]
    share_pairs: tuple[tuple[str, str], ...] = ()
    time_index: tuple[str | None, str, str] | None = None
    share_columns: dict[str, tuple[str, str]] = field(default_factory=dict)
    closed: bool = True

    @property
    def field_names(self) -> tuple[str, ...]:
        """Column names in order."""
        return tuple(f.name for f in self.fields)

    def field(self, name: str) -> Field:
        """The field called ``name``."""
        return next(f for f in self.fields if f.name == name)


def text_fields(*names: str, required: tuple[str, ...] = ()) -> tuple[Field, ...]:
    """Text columns, the ones named in ``required`` required."""
    return tuple(Field(n, "string", required=n in required) for n in names)


def provenance_field(*allowed: str) -> Field:
    """The per-row ``provenance`` column, limited to ``allowed`` classes (all by default)."""
    return Field(
        "provenance",
        "string",
        "Provenance class of the row.",
        required=True,
        enum=allowed or PROVENANCE_CLASSES,
    )


# Measure -> (what is counted, the most one district or county can count in a year or month).
# The ceilings are above the whole country's yearly totals, so no real unit can reach them.
_COUNTS: dict[str, tuple[str, float]] = {
    # China: about 8.5e9 visits a year (2021 statistical bulletin: 84.7 亿人次).
    "visits": ("outpatient visits", 1e10),
    # China: about 2.5e8 admissions a year.
    "admissions": ("inpatient admissions", 1e9),
    # China's whole basic medical insurance fund spends about 2.5e12 yuan a year; one county's
    # is below 1e10, so 1e11 leaves room for any district or city.
    "fund": ("insurance-fund revenue, integer yuan", 1e11),
}


def count_fields(*measures: str) -> tuple[Field, ...]:
    """The ``<measure>_primary`` and ``<measure>_total`` count columns of each measure."""
    out = []
    for m in measures:
        what, most = _COUNTS[m]
        for part, whose in (("primary", "Primary-care"), ("total", "All institutions'")):
            out.append(
                Field(
                    f"{m}_{part}",
                    "integer",
                    f"{whose} {what}.",
                    required=True,
                    minimum=0,
                    maximum=most,
                )
            )
    return tuple(out)


_UNIT_COLUMNS = ("district", "county", "unit", "region", "institution", "area")


def generic_schema(header: tuple[str, ...], file_name: str) -> TableSchema | None:
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
    TableSchema or None
        ``None`` when the columns do not look like a share series.

    Examples
    --------
    >>> s = generic_schema(("county", "year", "visits_primary", "visits_total"), "mine.csv")
    >>> s.primary_key, s.share_pairs, s.time_index
    (('county', 'year'), (('visits_primary', 'visits_total'),), ('county', 'year', 'annual'))
    """
    cols = set(header)
    time = next((c for c in ("month", "date", "year") if c in cols), None)
    pairs = tuple(
        (c, c[: -len("_primary")] + "_total")
        for c in header
        if c.endswith("_primary") and c[: -len("_primary")] + "_total" in cols
    )
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
            fields.append(
                Field(name, "year", required=True, minimum=1900, maximum=2100)
                if time == "year"
                else Field(name, "date", required=True, first_of_month=True)
            )
        elif name in paired or name.endswith(("_count", "_n")):
            fields.append(Field(name, "integer", required=name in paired, minimum=0))
        elif name in shares:
            fields.append(Field(name, "number", minimum=0, maximum=100))
        elif name == "treated":
            fields.append(Field(name, "boolean"))
        elif name == "provenance":
            fields.append(provenance_field())
        else:
            fields.append(Field(name))
    share_columns = {
        s: SHARE_PAIRS[s] for s in shares if s in SHARE_PAIRS and set(SHARE_PAIRS[s]) <= cols
    }
    key = tuple(c for c in (unit, time) if c is not None)
    return TableSchema(
        name=Path(file_name).stem,
        fields=tuple(fields),
        primary_key=key,
        share_pairs=pairs,
        time_index=(unit, time, "annual" if time == "year" else "monthly"),
        share_columns=share_columns,
        closed=False,
    )
