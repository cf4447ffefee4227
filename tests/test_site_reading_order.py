"""The built book reads in order and speaks to readers, not to the code.

Two referee findings (issue 15): chapters used concepts defined later (the incentive and
provenance chapters came after the evidence chapters that use them), and code names such as
``fund_share`` or claim ids such as ``qj_visit_share_2017`` appeared in the prose.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from analysis import paths
from site_helpers import html_path, read_soup, toc_docnames

# Pages written for analysts running the toolkit: column names are their interface there.
ANALYST_PAGES = {
    "book/data/own_county_data",
    "book/appendix/spark_sizing",
    "book/appendix/reproduce",
}
CLAIM_ID = re.compile(r"\b(?:qj|gc|ah|hm|gw|cw|yang|luo|cui|gong)_[a-z0-9]+_[a-z0-9_]+\b")
COLUMN_NAME = re.compile(r"\b(?:visit|fund|admission)_share\b|\b[a-z]+_(?:primary|total)\b")
# Pages a chapter must come after when it uses their concepts: the provenance classes, the
# incentive rules and the calibration assumptions are used by every evidence chapter.
PREREQUISITES = {
    "book/evidence/its_qianjiang": (
        "book/data/provenance",
        "book/data/assumptions",
        "book/mechanics/qianjiang_incentives",
        "book/frameworks/side_by_side",
    ),
    "book/evidence/did_qianjiang": ("book/data/provenance", "book/evidence/its_qianjiang"),
    "book/evidence/did_staggered": ("book/data/provenance", "book/evidence/did_qianjiang"),
    "book/frameworks/side_by_side": (
        "book/frameworks/coproduction_g_county",
        "book/frameworks/holistic_multilevel_security",
        "book/frameworks/holistic_anhui_medical_community",
        "book/frameworks/embeddedness_qianjiang",
    ),
    "book/data/own_county_data": ("book/evidence/its_qianjiang", "book/evidence/did_qianjiang"),
    "book/limits/what_would_change_our_mind": ("book/limits/limitations",),
}


def prose_text(soup: BeautifulSoup, keep_tables: bool = True) -> str:
    """The article's reader-facing text, without code and math (and tables, if asked)."""
    article = soup.select_one("article.bd-article") or soup
    for node in article.find_all(["pre", "code", "script", "style", "math", "kbd"]):
        node.decompose()
    for node in article.select(".cell_input, .MathJax, .math, a.reference.download"):
        node.decompose()
    if not keep_tables:
        for node in article.find_all("table"):
            node.decompose()
    return article.get_text(" ")


def identifiers_in_prose(soup: BeautifulSoup, analyst_page: bool) -> list[str]:
    """Code names a reader would see: column names anywhere, claim ids outside tables.

    A claim id in a ledger table is the key that finds the row in the data file; in a sentence
    it is jargon.
    """
    found = CLAIM_ID.findall(prose_text(copy.copy(soup), keep_tables=False))
    if not analyst_page:
        found += COLUMN_NAME.findall(prose_text(copy.copy(soup)))
    return sorted(set(found))


def test_identifier_check_catches_code_names() -> None:
    sample = BeautifulSoup(
        "<article><p>The fund_share rose; see qj_visit_share_2017.</p>"
        "<pre>fund_share</pre></article>",
        "html.parser",
    )
    assert identifiers_in_prose(sample, analyst_page=False) == ["fund_share", "qj_visit_share_2017"]
    assert identifiers_in_prose(sample, analyst_page=True) == ["qj_visit_share_2017"]
    in_a_ledger = BeautifulSoup(
        "<article><table><tr><td>qj_visit_share_2017</td></tr></table></article>", "html.parser"
    )
    assert identifiers_in_prose(in_a_ledger, analyst_page=False) == []


@pytest.mark.parametrize(("page", "needs"), sorted(PREREQUISITES.items()))
def test_what_a_chapter_uses_comes_before_it(page: str, needs: tuple[str, ...]) -> None:
    order = toc_docnames()
    for needed in needs:
        assert order.index(needed) < order.index(page), f"{needed} must come before {page}"


def test_summary_of_findings_is_first() -> None:
    assert toc_docnames()[0] == "book/index"
    first = (paths.ROOT / "book/index.md").read_text(encoding="utf-8")
    assert re.search(r"^# .*[Ss]ummary of findings", first, re.MULTILINE)


@pytest.mark.book
def test_no_code_names_in_the_prose(built_book: Path) -> None:
    offenders = {}
    for docname in toc_docnames():
        soup = read_soup(html_path(built_book, docname))
        found = identifiers_in_prose(soup, analyst_page=docname in ANALYST_PAGES)
        if found:
            offenders[docname] = found
    assert not offenders, f"code names in reader-facing prose: {offenders}"
