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

from analysis.validation.checks import check_table
from analysis.validation.errors import Problem, ValidationError
from analysis.validation.reading import Table, read_table
from analysis.validation.schemas import ResourceSchema, generic_schema, schema_for_name

__all__ = ["Problem", "Report", "ValidationError", "Table", "read_table", "validate_file",
           "find_schema"]


@dataclass(frozen=True)
class Report:
    """Outcome of validating one file."""

    path: Path
    schema: str
    encoding: str
    n_rows: int
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        """True when no problem was found."""
        return not self.problems


def find_schema(table: Table, name: str | None = None) -> ResourceSchema:
    """The schema for ``table``: named, registered by file name, or inferred from its columns.

    Raises
    ------
    ValidationError
        When no schema applies.
    """
    from analysis.validation.schemas import RESOURCES

    if name is not None:
        for resource in RESOURCES:
            if resource.name == name:
                return resource
        raise ValidationError([Problem(table.path, f"unknown schema {name!r}; known: "
                                       + ", ".join(r.name for r in RESOURCES))])
    schema = schema_for_name(table.path.name) or generic_schema(table.header, table.path.name)
    if schema is None:
        raise ValidationError([Problem(
            table.path, "no schema applies: not a registered file name, and the columns have "
            "no month/year column with *_primary/*_total counts or *_share columns")])
    return schema


def validate_file(path: Path | str, schema: str | None = None) -> Report:
    """Read ``path`` and check it against its schema; never modifies the file.

    Parameters
    ----------
    path
        CSV or ``.xlsx`` file.
    schema
        Registered schema name to force; chosen from the file name or columns when ``None``.

    Returns
    -------
    Report
        With every problem found (``report.ok`` when none).

    Raises
    ------
    ValidationError
        When the file cannot be read at all or no schema applies.
    """
    table = read_table(path)
    resource = find_schema(table, schema)
    problems = check_table(table, resource)
    return Report(Path(path), resource.name, table.encoding, len(table.rows), tuple(problems))
