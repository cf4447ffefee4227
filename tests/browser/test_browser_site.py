"""The site as a reader gets it, in a real browser with no network beyond this machine.

One pass visits every page in the toc (plus Sphinx's search and index pages) and records
what the reader would meet: the HTTP status, console errors, whether each image decodes,
the page language, the Binder launch link and screenshots of the key pages. The tests then
judge that record, so Chromium loads each page once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pytest

from analysis import paths
from browser_support import SCREENSHOTS, Browser, is_loopback
from site_helpers import SPHINX_PAGES, book_config, is_notebook_page, source_path, toc_docnames

pytestmark = [pytest.mark.browser, pytest.mark.book]  # book: needs the built site

# Pages a reviewer looks at first; screenshots are saved for those present in the toc.
KEY_PAGES = (
    "book/index",
    "book/evidence/its_qianjiang",
    "book/evidence/did_qianjiang",
    "book/evidence/did_staggered",
    "book/mechanics/qianjiang_incentives",
    "book/data/claims_ledger",
    "book/frameworks/side_by_side",
)
SEARCH_TERMS = {"english": "Qianjiang", "zh_primary_care": "基层", "zh_insurance": "医保"}
ABSENT_TERM = "zqxjvwnotaword"

# Waits for every image to finish loading (lazy ones too) and reports what decoded.
IMAGES_JS = """async () => {
  const images = Array.from(document.images);
  images.forEach((img) => { img.loading = "eager"; });
  await Promise.all(images.map((img) => img.decode().catch(() => null)));
  return images.map((img) => ({src: img.currentSrc || img.src, width: img.naturalWidth,
                               alt: img.getAttribute("alt")}));
}"""
# MathJax typesets after load; wait for it where a page uses it.
MATHJAX_JS = """async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
  }
  await document.fonts.ready;
  return document.querySelectorAll("mjx-container").length;
}"""


@dataclass
class PageVisit:
    """What one page showed the reader."""

    docname: str
    url: str
    status: int | None
    errors: list[str] = field(default_factory=list)
    images: list[dict] = field(default_factory=list)
    lang: str = ""
    launch_links: list[str] = field(default_factory=list)
    math_count: int = 0


@dataclass
class SiteVisit:
    """Every page visited once, in toc order."""

    pages: dict[str, PageVisit]
    screenshots: list[Path]


def _visit(page, browser: Browser, docname: str, errors: list[str]) -> PageVisit:
    url = f"{browser.base_url}{docname}.html"
    errors.clear()
    response = page.goto(url, wait_until="load")
    page.wait_for_load_state("networkidle")
    math_count = page.evaluate(MATHJAX_JS)
    images = page.evaluate(IMAGES_JS)
    return PageVisit(
        docname=docname,
        url=url,
        status=response.status if response else None,
        errors=list(errors),
        images=images,
        lang=page.evaluate("document.documentElement.lang"),
        launch_links=page.eval_on_selector_all(
            "a[href]", "links => links.map(a => a.href).filter(h => h.includes('/v2/'))"
        ),
        math_count=math_count,
    )


@pytest.fixture(scope="session")
def site_visit(browser: Browser) -> SiteVisit:
    """Load every page once and record what the reader meets."""
    page = browser.context.new_page()
    errors: list[str] = []
    page.on(
        "console",
        lambda message: (
            errors.append(f"console.{message.type}: {message.text}")
            if message.type == "error"
            else None
        ),
    )
    page.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))
    page.on(
        "requestfailed",
        lambda request: (
            errors.append(f"request failed: {request.url} ({request.failure})")
            if is_loopback(request.url)
            else None
        ),
    )
    page.on(
        "response",
        lambda response: (
            errors.append(f"HTTP {response.status}: {response.url}")
            if response.status >= 400
            else None
        ),
    )

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shots: list[Path] = []
    visits: dict[str, PageVisit] = {}
    for docname in [*toc_docnames(), *SPHINX_PAGES]:
        visits[docname] = _visit(page, browser, docname, errors)
        if docname in KEY_PAGES:
            shot = SCREENSHOTS / f"{docname.replace('/', '__')}.png"
            page.screenshot(path=str(shot), full_page=True)
            shots.append(shot)
    # The root redirect page readers land on first.
    visits["index"] = _visit(page, browser, "index", errors)
    page.close()
    return SiteVisit(pages=visits, screenshots=shots)


def test_every_toc_page_is_served(site_visit: SiteVisit) -> None:
    bad = {name: visit.status for name, visit in site_visit.pages.items() if visit.status != 200}
    assert not bad, f"pages not served with 200: {bad}"
    assert set(toc_docnames()) <= set(site_visit.pages)


def test_every_image_decodes(site_visit: SiteVisit) -> None:
    broken = [
        f"{name}: {image['src']}"
        for name, visit in site_visit.pages.items()
        for image in visit.images
        if image["width"] <= 0
    ]
    assert not broken, "images that did not decode:\n" + "\n".join(broken)


def test_no_console_errors(site_visit: SiteVisit) -> None:
    problems = [
        f"{name}: {error}" for name, visit in site_visit.pages.items() for error in visit.errors
    ]
    assert not problems, "console errors:\n" + "\n".join(problems)


def test_pages_declare_their_language(site_visit: SiteVisit) -> None:
    language = book_config()["sphinx"]["config"]["language"]
    wrong = {
        name: visit.lang
        for name, visit in site_visit.pages.items()
        if visit.docname != "index" and visit.lang != language
    }
    assert not wrong, f"pages whose <html lang> is not {language!r}: {wrong}"


def test_notebook_pages_carry_binder_launch_button(site_visit: SiteVisit) -> None:
    config = book_config()
    binder = config["launch_buttons"]["binderhub_url"].rstrip("/")
    notebooks = [name for name in toc_docnames() if is_notebook_page(name)]
    assert notebooks, "no notebook pages in the toc"
    missing = []
    for name in notebooks:
        source = source_path(name).relative_to(paths.ROOT).as_posix()
        links = [
            link
            for link in site_visit.pages[name].launch_links
            if link.startswith(f"{binder}/v2/") and link.endswith(source)
        ]
        if not links:
            missing.append(f"{name}: {site_visit.pages[name].launch_links}")
    assert not missing, "notebook pages without a Binder link to their own source:\n" + "\n".join(
        missing
    )


def test_math_is_typeset_locally(site_visit: SiteVisit, built_book: Path) -> None:
    with_math = [
        name
        for name, visit in site_visit.pages.items()
        if (built_book / f"{name}.html").exists()
        and 'class="math' in (built_book / f"{name}.html").read_text(encoding="utf-8")
    ]
    untypeset = [name for name in with_math if site_visit.pages[name].math_count == 0]
    assert not untypeset, f"pages whose math MathJax did not typeset: {untypeset}"


def test_key_pages_have_screenshots(site_visit: SiteVisit) -> None:
    expected = [name for name in KEY_PAGES if name in toc_docnames()]
    assert len(site_visit.screenshots) == len(expected)
    assert all(shot.stat().st_size > 10_000 for shot in site_visit.screenshots)


def _search(browser: Browser, term: str, screenshot: Path | None = None) -> list[str]:
    page = browser.context.new_page()
    try:
        page.goto(f"{browser.base_url}search.html?q={quote(term)}", wait_until="load")
        page.wait_for_function(
            """() => {
                const summary = document.querySelector("#search-results .search-summary, "
                                                        + "#search-results p");
                return summary && /found|did not match|找到|没有/.test(summary.textContent);
            }"""
        )
        if screenshot is not None:
            page.screenshot(path=str(screenshot), full_page=True)
        return page.eval_on_selector_all(
            "#search-results ul.search li a", "links => links.map(a => a.getAttribute('href'))"
        )
    finally:
        page.close()


@pytest.mark.parametrize("kind", sorted(SEARCH_TERMS))
def test_search_finds_english_and_chinese_terms(
    browser: Browser, site_visit: SiteVisit, kind: str
) -> None:
    term = SEARCH_TERMS[kind]
    shot = SCREENSHOTS / f"search__{kind}.png"
    results = _search(browser, term, screenshot=shot)
    assert results, f"in-site search found no page for {term!r}"


def test_search_reports_no_result_for_an_absent_word(
    browser: Browser, site_visit: SiteVisit
) -> None:
    # The control that shows the search assertions can fail.
    assert _search(browser, ABSENT_TERM) == []


def test_no_request_leaves_this_machine(browser: Browser, site_visit: SiteVisit) -> None:
    """Runs after every page and search above has been loaded in this context."""
    for kind in SEARCH_TERMS:
        _search(browser, SEARCH_TERMS[kind])
    external = sorted(set(browser.external_requests))
    assert external == [], f"{len(external)} external request(s):\n" + "\n".join(external)


def test_external_requests_are_really_caught(browser: Browser) -> None:
    """Control: a page that asks for a CDN script is recorded, so the zero above means zero."""
    page = browser.context.new_page()
    before = len(browser.external_requests)
    try:
        page.goto(f"{browser.base_url}search.html", wait_until="load")
        page.evaluate("""() => new Promise((resolve) => {
            const script = document.createElement("script");
            script.src = "https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-mml-chtml.js";
            script.onerror = script.onload = resolve;
            document.head.appendChild(script);
        })""")
    finally:
        page.close()
    caught = browser.external_requests[before:]
    del browser.external_requests[before:]
    assert any("cdn.jsdelivr.net" in request for request in caught), caught
    assert re.search(r"^script ", caught[0])
