"""Shared helpers for the site tests: which pages the toc promises and where they were built.

The table of contents is parsed with ``sphinx_external_toc`` (the parser Jupyter Book itself
uses), so the tests check exactly the pages a reader can navigate to.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import yaml
from bs4 import BeautifulSoup
from sphinx_external_toc.parsing import parse_toc_yaml

from analysis import paths
from analysis.build.book import SCRATCH_COPY_IGNORE
from analysis.build.sphinx_inputs import is_notebook_source

# Sphinx's own pages that every reader can reach besides the chapters.
SPHINX_PAGES = ("search", "genindex")
SOURCE_SUFFIXES = (".md", ".ipynb")
IMAGE_SUFFIX = re.compile(r"\.(png|jpe?g|gif|svg|webp|pdf|bmp|tiff?)$", re.IGNORECASE)


def toc_docnames(root: Path = paths.ROOT) -> list[str]:
    """Return every document name listed in ``_toc.yml`` (root first)."""
    site_map = parse_toc_yaml(root / "_toc.yml")
    return [site_map.root.docname, *[name for name in site_map if name != site_map.root.docname]]


def book_config(root: Path = paths.ROOT) -> dict:
    """Return the parsed ``_config.yml``."""
    return yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))


def source_path(docname: str, root: Path = paths.ROOT) -> Path:
    """Return the source file (``.md`` or ``.ipynb``) of a document."""
    for suffix in SOURCE_SUFFIXES:
        candidate = root / f"{docname}{suffix}"
        if candidate.exists():
            return candidate
    raise FileNotFoundError(f"no source for {docname} under {root}")


def is_notebook_page(docname: str, root: Path = paths.ROOT) -> bool:
    """Tell whether a toc document is executed as a notebook (so it gets a launch button)."""
    source = source_path(docname, root)
    if source.suffix == ".ipynb":
        return True
    return is_notebook_source(source.read_text(encoding="utf-8"))


def html_path(html_root: Path, docname: str) -> Path:
    """Return the built HTML file of a document."""
    return html_root / f"{docname}.html"


def read_soup(path: Path) -> BeautifulSoup:
    """Parse a built HTML page."""
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def article(soup: BeautifulSoup):
    """Return the page's own content (without the theme's navigation and header)."""
    return (
        soup.select_one("article.bd-article")
        or soup.select_one("main#main-content")
        or soup.body
        or soup
    )


def built_pages(html_root: Path) -> list[Path]:
    """Every HTML page of the site, theme and Sphinx pages included."""
    return sorted(
        path
        for path in html_root.rglob("*.html")
        if not {"_static", "_sources"}.intersection(path.relative_to(html_root).parts)
    )


def copy_project(destination: Path, root: Path = paths.ROOT) -> Path:
    """Copy the project as a clean clone would have it and return the copy's root."""
    shutil.copytree(root, destination, ignore=SCRATCH_COPY_IGNORE)
    for stray in destination.rglob("_build"):
        shutil.rmtree(stray, ignore_errors=True)
    return destination


def write_reduced_toc(project: Path, root_doc: str, chapters: list[str]) -> None:
    """Replace the copy's ``_toc.yml`` with one that builds only ``root_doc`` and ``chapters``."""
    lines = ["format: jb-book", f"root: {root_doc}"]
    if chapters:
        lines.append("chapters:")
        lines += [f"  - file: {name}" for name in chapters]
    (project / "_toc.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")
