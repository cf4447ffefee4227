"""Reproduce this book (``book/appendix/reproduce.md``): the pinned environment and the figure
index, both read at build time.

Examples
--------
>>> values = numbers()
>>> values["reproduce-figure-count"] >= values["reproduce-chapter-count"] > 0
True
"""

from __future__ import annotations

from functools import cache
from typing import Any

import pandas as pd
from pandas.io.formats.style import Styler

from analysis.build.environment import LOCK, read_pins
from analysis.build.figure_index import figure_index


@cache
def figures() -> pd.DataFrame:
    """Every numbered figure with its chapter and the datasets the chapter loads."""
    return figure_index()


def numbers() -> dict[str, Any]:
    """Pin count, Jupyter Book version and figure counts."""
    pins = read_pins(LOCK.read_text(encoding="utf-8"))
    return {
        "reproduce-pin-count": len(pins),
        "reproduce-jupyter-book-version": pins["jupyter-book"],
        "reproduce-figure-count": len(figures()),
        "reproduce-chapter-count": figures()["chapter"].nunique(),
    }


def table_figures() -> Styler:
    """The figure index, without the row index."""
    return figures().style.hide(axis="index")
