"""Every data-driven chapter lets the reader download the exact CSV files it used.

A chapter is data-driven when its code cells call ``load_data("<name>")``; the registry says
which files each dataset reads (``Dataset.files``). The links are written at build time by
``analysis.build.data_downloads``; this test checks the built pages, whoever wrote the links. Each of those ``.csv`` files must be
linked from the built page through Sphinx's ``_downloads/`` folder, and the served copy must
be byte-identical to the file in ``data/`` (so the link is the data, not a stale copy).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from urllib.parse import unquote

import pytest
from site_helpers import read_soup, source_path, toc_docnames

from analysis.build.data_downloads import datasets_used


@cache
def dataset_csv_files(name: str) -> tuple[Path, ...]:
    """The CSV files a registry dataset reads."""
    from analysis.datasets import load_data

    return tuple(path for path in load_data(name).files if path.suffix.lower() == ".csv")


def linked_downloads(html: Path) -> dict[str, bytes]:
    """Map each ``_downloads/`` file a page links (that exists) to its bytes."""
    found: dict[str, bytes] = {}
    for link in read_soup(html).find_all("a", href=True):
        href = unquote(link["href"].split("#")[0].split("?")[0])
        if "_downloads/" not in href:
            continue
        target = (html.parent / href).resolve()
        if target.is_file():
            found[href] = target.read_bytes()
    return found


def data_driven_pages() -> dict[str, list[str]]:
    """Toc pages that load registry datasets, with the dataset names."""
    pages = {}
    for name in toc_docnames():
        used = datasets_used(source_path(name).read_text(encoding="utf-8"))
        if used:
            pages[name] = used
    return pages


def missing_downloads(html: Path, datasets: list[str]) -> list[str]:
    """The CSV files of ``datasets`` that the page does not link byte-for-byte."""
    served = linked_downloads(html)
    missing = []
    for dataset in datasets:
        for csv in dataset_csv_files(dataset):
            wanted = csv.read_bytes()
            if not any(href.endswith("/" + csv.name) and content == wanted
                       for href, content in served.items()):
                missing.append(f"{csv.name} (dataset {dataset})")
    return missing


def test_check_fails_on_a_page_without_links(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text('<html><body><a href="_downloads/abc/other.csv">x</a></body></html>',
                    encoding="utf-8")
    assert missing_downloads(page, ["claims"]) == ["claims.csv (dataset claims)"]


@pytest.mark.book  # reads the shared full build
def test_data_driven_chapters_link_the_csv_files_they_used(built_book: Path) -> None:
    pages = data_driven_pages()
    problems = []
    for name, datasets in pages.items():
        html = built_book / f"{name}.html"
        if not any(href.lower().endswith(".csv") for href in linked_downloads(html)):
            problems.append(f"{name}: links no .csv under _downloads/ (loads {datasets})")
            continue
        missing = missing_downloads(html, datasets)
        if missing:
            problems.append(f"{name}: does not link {', '.join(missing)}")
    assert not problems, "\n".join(problems)
