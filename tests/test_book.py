"""The whole book builds strictly, and the built site is complete and self-contained."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from analysis import paths

pytestmark = pytest.mark.book


def _toc_files() -> list[str]:
    toc = yaml.safe_load((paths.ROOT / "_toc.yml").read_text(encoding="utf-8"))
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files.extend(chapter["file"] for chapter in part["chapters"])
        for chapter in part["chapters"]:
            files.extend(section["file"] for section in chapter.get("sections", []))
    return files


def test_site_has_an_index(built_book: Path) -> None:
    assert (built_book / "index.html").is_file()


@pytest.mark.parametrize("docname", _toc_files())
def test_every_toc_entry_is_built(built_book: Path, docname: str) -> None:
    assert (paths.ROOT / f"{docname}.md").is_file(), f"{docname}.md is in _toc.yml but missing"
    assert (built_book / f"{docname}.html").is_file()


def test_every_chapter_source_is_in_the_toc() -> None:
    in_toc = set(_toc_files())
    sources = {
        p.relative_to(paths.ROOT).with_suffix("").as_posix()
        for p in paths.BOOK.rglob("*.md")
        if "_build" not in p.parts
    }
    assert sources <= in_toc, f"chapters missing from _toc.yml: {sorted(sources - in_toc)}"


def test_skeleton_parts_are_all_present() -> None:
    toc = yaml.safe_load((paths.ROOT / "_toc.yml").read_text(encoding="utf-8"))
    captions = {part["caption"] for part in toc["parts"]}
    assert {
        "Frameworks",
        "Evidence",
        "Incentive mechanics",
        "Data, provenance and assumptions",
        "Limits",
        "Back matter",
    } <= captions
    files = set(_toc_files())
    for needed in (
        "book/appendix/reproduce",
        "book/appendix/glossary",
        "book/appendix/references",
        "book/evidence/its_qianjiang",
        "book/evidence/did_qianjiang",
    ):
        assert needed in files


CDN_HOSTS = re.compile(
    r"https?://(?:cdn\.jsdelivr\.net|cdnjs\.cloudflare\.com|unpkg\.com|fonts\.googleapis\.com|"
    r"fonts\.gstatic\.com|www\.googletagmanager\.com|www\.google-analytics\.com|"
    r"cdn\.mathjax\.org|polyfill\.io)"
)


def test_pages_reference_no_cdn_asset(built_book: Path) -> None:
    offenders = {}
    for page in built_book.rglob("*.html"):
        for tag in re.findall(r"<(?:script|link)[^>]+>", page.read_text(encoding="utf-8")):
            if CDN_HOSTS.search(tag):
                offenders.setdefault(page.relative_to(built_book).as_posix(), []).append(tag)
    assert not offenders, offenders


def test_mathjax_is_served_from_the_site(built_book: Path) -> None:
    assert (built_book / "_static" / "mathjax" / "tex-chtml.js").is_file()
    loaded = 0
    for page in built_book.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        for src in re.findall(r'<script[^>]+src="([^"]*mathjax[^"]*)"', text, flags=re.I):
            loaded += 1
            assert not src.startswith(("http:", "https:", "//")), (page, src)
            assert (page.parent / src.split("?")[0]).resolve().is_file(), (page, src)
    assert loaded, "no page loads MathJax, yet the evidence chapters typeset equations"
