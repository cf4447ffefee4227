"""Every data-driven page lets the reader download the exact data files its code read.

During the build each page's kernel records the files it opens (``analysis.build.page_inputs``,
an audit hook, so reads through library code count); ``analysis.build.data_downloads`` turns
that record into the page's "Data used on this page" links. This test checks the built pages
against the record: every ``data/`` file a page read must be linked through Sphinx's
``_downloads/`` folder, byte-identical to the file in ``data/`` (so the link is the data, not
a stale copy), and nothing the page did not read may be linked. Independently of the record,
a page whose code cells still name ``load_data("<name>")`` must link that dataset's CSVs.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from urllib.parse import unquote

import pytest

from analysis import paths
from analysis.build import page_inputs
from analysis.build.sphinx_inputs import MANIFESTS_FOLDER
from site_helpers import is_notebook_page, read_soup, source_path, toc_docnames

_CODE_CELL = re.compile(r"^(`{3,})\{code-cell\}[^\n]*\n(.*?)^\1\s*$", re.MULTILINE | re.DOTALL)
NOTE_SELECTOR = ".compendium-data-downloads"
_LOAD_DATA = re.compile(r"""load_data\(\s*["']([A-Za-z0-9_]+)["']""")


def datasets_named(text: str) -> list[str]:
    """Registry names that the code cells of a MyST page load directly."""
    return list(
        dict.fromkeys(
            name for _, body in _CODE_CELL.findall(text) for name in _LOAD_DATA.findall(body)
        )
    )


@cache
def dataset_csv_files(name: str) -> tuple[str, ...]:
    """The CSV files a registry dataset reads, relative to the project root."""
    from analysis.datasets import load_data

    return tuple(
        path.relative_to(paths.ROOT).as_posix()
        for path in load_data(name).files
        if path.suffix.lower() == ".csv"
    )


def linked_downloads(html: Path, within: str | None = None) -> dict[str, bytes]:
    """Map each ``_downloads/`` file a page links (that exists) to its bytes.

    ``within`` restricts the search to the element matching that CSS selector.
    """
    soup = read_soup(html)
    scope = soup.select_one(within) if within else soup
    found: dict[str, bytes] = {}
    for link in scope.find_all("a", href=True) if scope else []:
        href = unquote(link["href"].split("#")[0].split("?")[0])
        if "_downloads/" not in href:
            continue
        target = (html.parent / href).resolve()
        if target.is_file():
            found[href] = target.read_bytes()
    return found


def download_problems(html: Path, wanted: list[str], root: Path = paths.ROOT) -> list[str]:
    """Files of ``wanted`` not linked byte-for-byte, and files the data note links besides."""
    served = linked_downloads(html)
    problems = [
        f"does not link {name}"
        for name in wanted
        if not any(
            href.endswith("/" + Path(name).name) and content == (root / name).read_bytes()
            for href, content in served.items()
        )
    ]
    names = {Path(name).name for name in wanted}
    # Authors may link more files in their text; the generated note lists what was read.
    problems += [
        f"lists {href}, which it did not read"
        for href in linked_downloads(html, within=NOTE_SELECTOR)
        if Path(href).name not in names
    ]
    return problems


def test_check_fails_on_missing_and_extra_links(tmp_path: Path) -> None:
    (tmp_path / "_downloads" / "abc").mkdir(parents=True)
    (tmp_path / "_downloads" / "abc" / "other.csv").write_text("x\n", encoding="utf-8")
    page = tmp_path / "page.html"
    page.write_text(
        '<html><body><div class="compendium-data-downloads">'
        '<a href="_downloads/abc/other.csv">x</a></div></body></html>',
        encoding="utf-8",
    )
    assert download_problems(page, ["data/claims/claims.csv"]) == [
        "does not link data/claims/claims.csv",
        "lists _downloads/abc/other.csv, which it did not read",
    ]


def test_direct_load_data_calls_are_found() -> None:
    page = """Prose mentioning `load_data("glossary")` does not count.
```{code-cell} ipython3
claims = load_data("claims").frame
series = load_data('district_monthly')
```
"""
    assert datasets_named(page) == ["claims", "district_monthly"]


@pytest.mark.book  # reads the shared full build
def test_data_driven_pages_link_exactly_the_files_they_read(built_book: Path) -> None:
    manifests = built_book.parent / MANIFESTS_FOLDER
    problems, data_driven = [], 0
    for name in toc_docnames():
        if not is_notebook_page(name):
            continue
        manifest = page_inputs.read_manifest(manifests, name)
        if manifest is None:
            problems.append(f"{name}: executed without recording its inputs")
            continue
        read = manifest["data_files"]
        data_driven += bool(read)
        named = datasets_named(source_path(name).read_text(encoding="utf-8"))
        unrecorded = [
            csv for dataset in named for csv in dataset_csv_files(dataset) if csv not in read
        ]
        problems += [f"{name}: loads {csv} but its record misses it" for csv in unrecorded]
        problems += [
            f"{name}: {problem}" for problem in download_problems(built_book / f"{name}.html", read)
        ]
    assert data_driven, "no page read any data file: the recording is not working"
    assert not problems, "\n".join(problems)
