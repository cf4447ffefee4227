"""The one exception family for refused input, shared by every engine and command.

Every engine raises a subclass of :class:`InputError` when the data or arguments it was given
cannot produce a right answer, so callers can tell a refusal from a bug. The command line turns
an :class:`InputError` into one ``error:`` line and exit status 1, a :class:`UsageError` into
exit status 2, and lets anything else surface as the bug it is.

Messages use the caller's vocabulary: Python argument names in the API (``outcome='visits'``),
and the command line rewrites them to its flags (``--outcome``) through :func:`as_flags`.

Examples
--------
>>> str(InputError("value -3 is below 0", file="a.csv", row=4, column="visits"))
"a.csv: row 4, column 'visits': value -3 is below 0"
>>> str(InputError("no rows"))
'no rows'
>>> issubclass(UsageError, InputError)
False
"""

from __future__ import annotations

import re
from pathlib import Path

EXIT_OK = 0
EXIT_INPUT_REFUSED = 1
EXIT_USAGE = 2


class InputError(ValueError):
    """Input that cannot give a right answer: the message says where and what to do.

    Parameters
    ----------
    message
        What is wrong, in words the data owner can act on.
    file, row, column
        Where, when known. ``row`` is the row number as a spreadsheet shows it (header = 1).
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.message = message
        self.file = None if file is None else str(file)
        self.row = row
        self.column = column
        super().__init__(self._located())

    def _located(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        prefix = ", ".join(where)
        if self.file is not None:
            prefix = f"{self.file}: {prefix}" if prefix else self.file
        return f"{prefix}: {self.message}" if prefix else self.message


class UsageError(Exception):
    """Arguments that contradict each other or name nothing (exit status 2 on the CLI)."""


_ARGUMENT = re.compile(r"\b([a-z][a-z0-9_]*)=")


def as_flags(message: str, arguments: dict[str, str]) -> str:
    """Rewrite ``name=`` mentions of Python arguments into the command line's flags.

    Parameters
    ----------
    message
        A message written with Python argument names.
    arguments
        Python argument name -> flag, e.g. ``{"first_treated": "--first-treated"}``.

    Examples
    --------
    >>> as_flags("first_treated='g' is not a column", {"first_treated": "--first-treated"})
    "--first-treated 'g' is not a column"
    """

    def swap(match: re.Match[str]) -> str:
        name = match.group(1)
        return f"{arguments[name]} " if name in arguments else match.group(0)

    return _ARGUMENT.sub(swap, message)
