"""The bilingual glossary (``book/appendix/glossary.md``), rendered from ``data/glossary.csv``.

Examples
--------
>>> sort_key("Yībǎo")
'yibao'
>>> term_anchor("yīliáo bǎozhàng")
'term-yiliao-baozhang'
>>> values = numbers()
>>> 0 <= values["glossary-n-unused"] < values["glossary-n-terms"]
True
"""

from __future__ import annotations

import html
import re
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

#: How the definitions' provenance classes read in the table.
DEFINITION_SOURCES = {"reading": "the book's reading", "reported": "the papers' words"}


@cache
def glossary() -> pd.DataFrame:
    """The glossary as stored."""
    return load_data("glossary").frame


def sort_key(pinyin: str) -> str:
    """Pinyin without tone marks, lower case: the glossary's sort order."""
    plain = unicodedata.normalize("NFD", pinyin)
    return "".join(ch for ch in plain if not unicodedata.combining(ch)).lower()


def term_anchor(pinyin: str) -> str:
    """The id of a term's row in the glossary table, which links from the text point to."""
    return "term-" + re.sub(r"[^a-z0-9]+", "-", sort_key(pinyin)).strip("-")


def numbers() -> dict[str, Any]:
    """How many terms, and how many occur in none of the four papers."""
    terms = glossary()
    return {
        "glossary-n-terms": len(terms),
        "glossary-n-unused": int((terms["first_paper"] == "").sum()),
    }


def table_glossary() -> HTML:
    """The terms sorted by pinyin, with the first paper that uses each; one anchor per row."""
    papers = load_data("papers").frame.set_index("paper_id")
    cite = {pid: short_citation(row.authors, row.year) for pid, row in papers.iterrows()}
    terms = glossary()
    table = terms.assign(order=terms["pinyin"].map(sort_key)).sort_values("order")
    table = table.assign(first=table["first_paper"].map(lambda p: cite[p] if p else "—"))
    columns = dict(COLUMNS)
    if "definition_provenance" in table:
        columns["source"] = "Definition is"
        table = table.assign(
            source=table["definition_provenance"].map(lambda c: DEFINITION_SOURCES.get(c, c))
        )
    head = "".join(f"<th>{html.escape(label)}</th>" for label in columns.values())
    rows = [
        f'<tr id="{term_anchor(row["pinyin"])}">'
        + "".join(f"<td>{html.escape(str(row[column]))}</td>" for column in columns)
        + "</tr>"
        for _, row in table.iterrows()
    ]
    return HTML(
        '<table class="dataframe glossary">'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )
