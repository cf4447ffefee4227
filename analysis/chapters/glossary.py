"""The bilingual glossary (``book/appendix/glossary.md``), rendered from ``data/glossary.csv``.

Examples
--------
>>> sort_key("Yībǎo")
'yibao'
>>> values = numbers()
>>> 0 <= values["glossary-n-unused"] < values["glossary-n-terms"]
True
"""

from __future__ import annotations

import unicodedata
from functools import cache
from typing import Any

import pandas as pd
from IPython.display import HTML

from analysis.datasets import load_data
from analysis.ledger import short_citation

#: Glossary columns shown, with their headers.
COLUMNS: dict[str, str] = {
    "term_zh": "中文",
    "pinyin": "Pinyin",
    "term_en": "English",
    "definition_en": "Definition",
    "first": "First paper",
}


@cache
def glossary() -> pd.DataFrame:
    """The glossary as stored."""
    return load_data("glossary").frame


def sort_key(pinyin: str) -> str:
    """Pinyin without tone marks, lower case: the glossary's sort order."""
    plain = unicodedata.normalize("NFD", pinyin)
    return "".join(ch for ch in plain if not unicodedata.combining(ch)).lower()


def numbers() -> dict[str, Any]:
    """How many terms, and how many occur in none of the four papers."""
    terms = glossary()
    return {
        "glossary-n-terms": len(terms),
        "glossary-n-unused": int((terms["first_paper"] == "").sum()),
    }


def table_glossary() -> HTML:
    """The terms sorted by pinyin, with the first paper that uses each."""
    papers = load_data("papers").frame.set_index("paper_id")
    cite = {pid: short_citation(row.authors, row.year) for pid, row in papers.iterrows()}
    terms = glossary()
    table = terms.assign(order=terms["pinyin"].map(sort_key)).sort_values("order")
    table = table.assign(first=table["first_paper"].map(lambda p: cite[p] if p else "—"))
    shown = table.rename(columns=COLUMNS)[list(COLUMNS.values())]
    return HTML(shown.to_html(index=False, border=0, classes="glossary"))
