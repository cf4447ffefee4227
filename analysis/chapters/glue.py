"""Glue a chapter module's numbers into its page in one call.

Examples
--------
>>> glue_numbers({"its-n-months": 96}, glue_function=lambda k, v, display: print(k, v))
its-n-months 96
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any


def glue_numbers(
    numbers: Mapping[str, Any], glue_function: Callable[..., Any] | None = None
) -> None:
    """``glue(key, value, display=False)`` for every item of ``numbers``.

    Parameters
    ----------
    numbers
        Glue label -> value, as a chapter module's ``numbers()`` returns them.
    glue_function
        ``myst_nb.glue`` unless given (tests pass a recorder).
    """
    if glue_function is None:
        from myst_nb import glue as glue_function
    for key, value in numbers.items():
        glue_function(key, value, display=False)
