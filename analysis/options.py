"""How a spec dataclass declares the command-line form of its fields.

The engines' specs (``ITSSpec``, ``DiDSpec``, ``SeriesSpec``) attach ``metadata=option(...)`` to
each field; the commands (:mod:`analysis.cli_spec`) turn those fields into argparse options. The
metadata lives here, at the bottom of the layering, so an engine can declare its options without
importing the commands.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any


def option(
    help: str,
    *,
    flag: str | None = None,
    metavar: str | None = None,
    choices: Sequence[str] | None = None,
    parse: Callable[[str], Any] | None = None,
    cli: bool = True,
) -> dict[str, Any]:
    """Field metadata describing the command-line form of a spec field.

    Parameters
    ----------
    help
        Help text (shown by ``--help``).
    flag
        The flag; ``--`` plus the field name with ``-`` for ``_`` by default.
    metavar, choices
        As in argparse; ``Literal`` types give their choices automatically.
    parse
        Turns one command-line word into the field's value (for structured fields).
    cli
        ``False`` for fields the command fills itself (e.g. an in-memory table).
    """
    return {
        "help": help,
        "flag": flag,
        "metavar": metavar,
        "choices": choices,
        "parse": parse,
        "cli": cli,
    }
