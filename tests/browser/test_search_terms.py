"""The site's search finds the glossary's Chinese compounds and the names a referee looked for.

A referee searched 乡镇卫生院, 医保基金, 结余留用, 两包三单六贯通 and "Callaway" and found
nothing (issue 15, finding 9). Each of those is typed into the search box of the built site;
every glossary term is then run through the same search code in the page (Sphinx's
``_parseQuery`` and ``_performSearch``, which the search box calls), which is faster than one
page load per term. A term counts as found when at least one result page contains it.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from analysis.datasets import load_data
from browser_support import Browser
from site_helpers import read_soup

pytestmark = [pytest.mark.browser, pytest.mark.book]  # book: needs the built site

REFEREE_TERMS = ("乡镇卫生院", "医保基金", "结余留用", "两包三单六贯通", "Callaway")
ABSENT_TERM = "zqxjvwnotaword"
SEARCH_BOX = ".bd-search-container form.bd-search input[type=search]"
# The page's own search code: the same functions the search box runs, results by docname.
RUN_SEARCH_JS = """(terms) => terms.map((term) => {
  const parsed = Search._parseQuery(term);
  return Search._performSearch(...parsed).map((result) => result[0]);
})"""


def contains(html_root: Path, docname: str, term: str) -> bool:
    """Whether the built page of ``docname`` shows ``term`` (case-blind for Latin words)."""
    path = html_root / f"{docname}.html"
    if not path.is_file():
        return False
    soup = read_soup(path)
    if term.isascii():
        return term.lower() in soup.get_text(" ").lower()
    # Chinese runs on across inline markup: 医保<a>基金</a> reads 医保基金.
    return term in soup.get_text("")


def typed_search(context, base_url: str, term: str) -> list[str]:
    """Type ``term`` into the search page's box, press Enter, return the result docnames."""
    page = context.new_page()
    try:
        page.goto(f"{base_url}search.html", wait_until="load")
        page.fill(SEARCH_BOX, term)
        page.press(SEARCH_BOX, "Enter")
        page.wait_for_url("**/search.html?q=*")
        page.wait_for_function(
            """() => {
                const summary = document.querySelector("#search-results .search-summary, "
                                                        + "#search-results p");
                return summary && /found|did not match|找到|没有/.test(summary.textContent);
            }"""
        )
        hrefs = page.eval_on_selector_all(
            "#search-results ul.search li a", "links => links.map(a => a.href)"
        )
    finally:
        page.close()
    root = urlsplit(base_url).path
    return [urlsplit(href).path.removeprefix(root).removesuffix(".html") for href in hrefs]


def in_page_search(context, base_url: str, terms: list[str]) -> dict[str, list[str]]:
    """Run every term through the page's search code; return the result docnames per term."""
    page = context.new_page()
    try:
        page.goto(f"{base_url}search.html", wait_until="load")
        # `const Search` is a global binding, not a property of window.
        page.wait_for_function('() => typeof Search !== "undefined" && Search.hasIndex()')
        found = page.evaluate(RUN_SEARCH_JS, terms)
    finally:
        page.close()
    return dict(zip(terms, found))


def not_found(html_root: Path, results: dict[str, list[str]]) -> list[str]:
    """The terms none of whose result pages contains them."""
    return [
        term
        for term, docnames in results.items()
        if not any(contains(html_root, docname, term) for docname in docnames)
    ]


def glossary_terms_zh() -> list[str]:
    return sorted(load_data("glossary").frame["term_zh"])


@pytest.mark.parametrize("term", REFEREE_TERMS)
def test_typed_search_finds_the_referee_terms(browser: Browser, built_book: Path, term: str):
    results = typed_search(browser.context, browser.base_url, term)
    assert not_found(built_book, {term: results}) == [], f"{term}: results {results}"


def test_typed_search_finds_nothing_for_an_absent_word(browser: Browser):
    # The control that shows the assertions above can fail.
    assert typed_search(browser.context, browser.base_url, ABSENT_TERM) == []


def test_every_glossary_term_is_found(browser: Browser, built_book: Path):
    terms = glossary_terms_zh()
    results = in_page_search(browser.context, browser.base_url, [*terms, ABSENT_TERM])
    assert results.pop(ABSENT_TERM) == []
    missing = not_found(built_book, results)
    assert not missing, f"{len(missing)} of {len(terms)} glossary terms not found: {missing}"
