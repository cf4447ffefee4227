"""The built site names no other host in anything a browser loads by itself.

The browser suite proves that loading every page makes zero external requests; this static
check covers what a browser may do without a request event (``preconnect`` and
``dns-prefetch`` hints) and what only runs later (CDN addresses in inline scripts, CSS
``url()`` and ``@import``), and it names the file and line to fix. Links a reader clicks
(``<a href>``: the repository, Binder, DOIs) are fine: they are navigation, not page assets.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from site_helpers import book_config, built_pages, read_soup, toc_docnames

# Attributes through which HTML makes the browser fetch something without a click.
FETCHING_ATTRIBUTES = {
    "script": ("src",),
    "img": ("src", "srcset"),
    "iframe": ("src",),
    "source": ("src", "srcset"),
    "video": ("src", "poster"),
    "audio": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "track": ("src",),
    "input": ("src",),
}
# Every <link rel> except pure navigation metadata fetches or connects.
NAVIGATION_RELS = {
    "index",
    "search",
    "next",
    "prev",
    "canonical",
    "author",
    "license",
    "alternate",
    "help",
    "top",
    "up",
    "first",
    "last",
    "contents",
    "copyright",
    "glossary",
    "start",
}
CDN_HOSTS = re.compile(
    r"(unpkg\.com|cdn\.jsdelivr\.net|cdnjs\.cloudflare\.com|fonts\.googleapis\.com|"
    r"fonts\.gstatic\.com|ajax\.googleapis\.com|code\.jquery\.com|googletagmanager\.com|"
    r"google-analytics\.com|mathjax\.org|polyfill\.io|plausible\.io|cdn\.plot\.ly|"
    r"stackpath\.bootstrapcdn\.com|use\.fontawesome\.com|kit\.fontawesome\.com|"
    r"requirejs\.org|thebe\.|binder\.org/.*\.js)"
)
CSS_URL = re.compile(r"""(?:url\(\s*['"]?|@import\s+['"])([^'")\s]+)""")
CJK = re.compile(r"[\u4e00-\u9fff]")
EXECUTABLE_SCRIPT_TYPES = {"", "text/javascript", "module", "application/javascript"}


def _is_external(url: str) -> bool:
    """A URL that leaves the site (absolute with a host, or protocol-relative)."""
    url = url.strip()
    if not url or url.startswith(("data:", "blob:", "#", "about:")):
        return False
    parts = urlsplit(url)
    return bool(parts.netloc) and parts.hostname not in {"127.0.0.1", "localhost"}


def _srcset_urls(value: str) -> list[str]:
    return [candidate.strip().split(" ")[0] for candidate in value.split(",") if candidate.strip()]


def external_assets(html: Path) -> list[str]:
    """List the external addresses a page would fetch or connect to on its own."""
    soup = read_soup(html)
    found: list[str] = []
    for tag, attributes in FETCHING_ATTRIBUTES.items():
        for element in soup.find_all(tag):
            for attribute in attributes:
                value = element.get(attribute)
                if not value:
                    continue
                urls = _srcset_urls(value) if attribute == "srcset" else [value]
                found += [f"<{tag} {attribute}={url}>" for url in urls if _is_external(url)]
    for link in soup.find_all("link", href=True):
        rels = set(link.get("rel") or [])
        if rels and rels <= NAVIGATION_RELS:
            continue
        if _is_external(link["href"]):
            found.append(f"<link rel={' '.join(sorted(rels))} href={link['href']}>")
    for script in soup.find_all("script", src=False):
        if (script.get("type") or "").lower() in EXECUTABLE_SCRIPT_TYPES:
            for match in CDN_HOSTS.finditer(script.get_text()):
                found.append(f"inline <script> names {match.group(0)}")
    for style in soup.find_all("style"):
        found += [
            f"<style> url({url})" for url in CSS_URL.findall(style.get_text()) if _is_external(url)
        ]
    for element in soup.find_all(style=True):
        found += [
            f"style= url({url})" for url in CSS_URL.findall(element["style"]) if _is_external(url)
        ]
    return found


def test_external_assets_detector_can_fail(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(
        '<html lang="en"><head>'
        '<link rel="preconnect" href="https://fonts.gstatic.com">'
        '<link rel="next" href="https://example.org/next.html">'
        '<script src="https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-mml-chtml.js"></script>'
        '<script>const THEBE_JS_URL = "https://unpkg.com/thebe@0.8.2/lib/index.js"</script>'
        '<script type="text/x-thebe-config">{"binderUrl": "https://unpkg.com/x"}</script>'
        '<style>@import "https://fonts.googleapis.com/css?family=Noto";</style>'
        '</head><body><a href="https://doi.org/10.1/x">doi</a>'
        '<img src="../_images/a.png" srcset="https://cdn.example/a.png 2x"></body></html>',
        encoding="utf-8",
    )
    found = external_assets(page)
    assert len(found) == 5, found
    assert not any("doi.org" in item or "example.org/next" in item for item in found)


@pytest.mark.book  # reads the shared full build
def test_no_page_loads_assets_from_another_host(built_book: Path) -> None:
    offenders = {
        html.relative_to(built_book).as_posix(): assets
        for html in built_pages(built_book)
        if (assets := external_assets(html))
    }
    assert not offenders, "pages naming external assets:\n" + "\n".join(
        f"{page}: {assets}" for page, assets in offenders.items()
    )


def _linked_stylesheets(built_book: Path) -> set[Path]:
    sheets: set[Path] = set()
    for html in built_pages(built_book):
        for link in read_soup(html).find_all("link", rel="stylesheet", href=True):
            target = (html.parent / link["href"].split("?")[0]).resolve()
            if target.is_file():
                sheets.add(target)
    return sheets


@pytest.mark.book  # reads the shared full build
def test_stylesheets_import_nothing_from_another_host(built_book: Path) -> None:
    sheets = _linked_stylesheets(built_book)
    assert sheets, "no stylesheet found: the check would be vacuous"
    offenders = []
    for sheet in sorted(sheets):
        text = sheet.read_text(encoding="utf-8", errors="replace")
        # Licence comments quote URLs; only live declarations count.
        text = re.sub(r"/\*.*?\*/", "", text, flags=re.DOTALL)
        offenders += [
            f"{sheet.relative_to(built_book)}: {url}"
            for url in CSS_URL.findall(text)
            if _is_external(url)
        ]
    assert not offenders, "\n".join(offenders)


@pytest.mark.book  # reads the shared full build
def test_mathjax_is_served_with_the_site(built_book: Path) -> None:
    pages_with_math = [
        html
        for html in built_pages(built_book)
        if 'class="math' in html.read_text(encoding="utf-8")
    ]
    for html in pages_with_math:
        scripts = [
            script["src"]
            for script in read_soup(html).find_all("script", src=True)
            if "mathjax" in script["src"].lower() or "tex-" in script["src"]
        ]
        assert scripts, f"{html} has math but loads no MathJax"
        for src in scripts:
            assert not _is_external(src), f"{html}: MathJax from {src}"
            assert (html.parent / src.split("?")[0]).resolve().is_file(), src
    # The fonts MathJax's CommonHTML output asks for must be there too.
    assert list((built_book / "_static" / "mathjax").rglob("*.woff")), (
        "MathJax web fonts are not served with the site"
    )


@pytest.mark.book  # reads the shared full build
def test_pages_declare_their_language(built_book: Path) -> None:
    language = book_config()["sphinx"]["config"]["language"]
    wrong = {}
    for docname in toc_docnames():
        html = read_soup(built_book / f"{docname}.html").find("html")
        if html is None or html.get("lang") != language:
            wrong[docname] = html.get("lang") if html else None
    assert not wrong, f"pages whose <html lang> is not {language!r}: {wrong}"


def search_terms(built_book: Path) -> set[str]:
    """Return the words of the site's search index."""
    text = (built_book / "searchindex.js").read_text(encoding="utf-8")
    index = json.loads(text[text.index("(") + 1 : text.rindex(")")])
    return set(index["terms"]) | set(index.get("titleterms", {}))


@pytest.mark.book  # reads the shared full build
def test_search_index_holds_chinese_words(built_book: Path) -> None:
    """jieba segments Chinese at index time; without it no Chinese word would be indexed."""
    terms = search_terms(built_book)
    chinese = {term for term in terms if CJK.search(term)}
    assert chinese, "the search index holds no Chinese word (is jieba installed?)"
    # Words, not whole sentences: jieba cut the runs into short pieces.
    assert max(len(term) for term in chinese) <= 12
    # The two words a Chinese reader of this book searches first. (The index file stores
    # them as JSON \\u escapes, so they must be looked up in the parsed index.)
    assert {"基层", "医保"} <= terms, sorted({"基层", "医保"} - terms)
