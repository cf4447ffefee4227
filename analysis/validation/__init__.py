"""Validate data files: schemas, strict reading, checks, and the ``validate`` command.

Examples
--------
>>> from analysis import paths
>>> report = validate_file(paths.DATA / "synthetic" / "district_monthly.csv")
>>> report.schema, report.ok
('district_monthly', True)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from analysis.errors import UsageError
from analysis.tables.problems import Problem, ValidationError
from analysis.tables.reading import Table, read_table
from analysis.validation.checks import check_table
from analysis.validation.schemas import TableSchema, generic_schema

__all__ = [
    "Problem",
    "Report",
    "Table",
    "ValidationError",
    "find_schema",
    "read_table",
    "schema_names",
    "validate_file",
]


@dataclass(frozen=True)
class Report:
    """Outcome of validating one file."""

    path: Path
    schema: str
    encoding: str
    n_rows: int
    problems: tuple[Problem, ...]
    notices: tuple[Problem, ...] = ()
    """How the file was read, where a reader should know it (Excel serial dates, ...)."""

    @property
    def ok(self) -> bool:
        """True when no problem was found."""
        return not self.problems


def schema_names() -> tuple[str, ...]:
    """Names of the registered schemas (one per dataset of :mod:`analysis.registry`)."""
    from analysis.registry import DATASETS

    return tuple(d.name for d in DATASETS)


def find_schema(table: Table, name: str | None = None) -> TableSchema:
    """The schema for ``table``: named, registered by file name, or inferred from its columns.

    Raises
    ------
    UsageError
        When ``name`` is not a registered schema (an argument error, not bad data).
    ValidationError
        When no schema applies.
    """
    # Imported here: the registry declares its schemas with this package's vocabulary.
    from analysis.registry import DATASETS, declaration_for_file

    if name is not None:
        named = [d.schema for d in DATASETS if d.name == name]
        if not named:
            raise UsageError(
                f"schema={name!r} is not a registered schema; known: " + ", ".join(schema_names()),
                zh=f"schema={name!r} 不是已登记的模式；已知的模式：" + ", ".join(schema_names()),
            )
        return named[0]
    registered = declaration_for_file(table.path.name)
    schema = registered.schema if registered else generic_schema(table.header, table.path.name)
    if schema is None:
        raise ValidationError(
            [
                Problem(
                    table.path,
                    "no schema applies: not a registered file name, and the columns have "
                    "no month/year column with *_primary/*_total counts or *_share columns",
                )
            ]
        )
    return schema


def validate_file(path: Path | str, schema: str | None = None) -> Report:
    """Read ``path`` and check it against its schema; never modifies the file.

    Parameters
    ----------
    path
        CSV or ``.xlsx`` file.
    schema
        Registered schema name (:func:`schema_names`) to force; chosen from the file name or
        columns when ``None``.

    Returns
    -------
    Report
        With every problem found (``report.ok`` when none).

    Raises
    ------
    ValidationError
        When the file cannot be read at all or no schema applies.
    UsageError
        When ``schema`` is not a registered name.
    """
    table = read_table(path)
    resource = find_schema(table, schema)
    notices: list[Problem] = []
    problems = check_table(table, resource, notices)
    return Report(
        Path(path),
        resource.name,
        table.encoding,
        len(table.rows),
        tuple(problems),
        tuple(notices),
    )
