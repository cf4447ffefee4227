"""Problems found in a data file, and the one exception type the validation code raises."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from analysis.errors import InputError


@dataclass(frozen=True)
class Problem:
    """One problem, located as precisely as the check allows.

    Attributes
    ----------
    file
        The file checked.
    message
        What is wrong, in words a data owner can act on.
    row
        Row number as a spreadsheet shows it (the header is row 1), or ``None`` for file-level
        problems. For CSV files this is the line where the record starts.
    column
        Column name, or ``None`` when the problem concerns a whole row or the file.

    Examples
    --------
    >>> str(Problem(Path("a.csv"), "value -3 is below the minimum 0", 4, "visits_total"))
    "a.csv: row 4, column 'visits_total': value -3 is below the minimum 0"
    >>> str(Problem(Path("a.csv"), "empty file"))
    'a.csv: empty file'
    """

    file: Path
    message: str
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        parts = []
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column is not None:
            parts.append(f"column {self.column!r}")
        location = ", ".join(parts)
        if not location:
            return f"{self.file}: {self.message}"
        return f"{self.file}: {location}: {self.message}"


class ValidationError(InputError):
    """A file cannot be read or does not meet its schema.

    The only exception the validation package lets escape on bad input, so callers (the command
    line, the fuzz tests) can tell bad data from a bug.
    """

    def __init__(self, problems: list[Problem] | tuple[Problem, ...]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
        # Each problem carries its own location; the joined message is already located.
