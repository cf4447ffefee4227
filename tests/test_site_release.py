"""Every page of the built site shows the book's version and the date of its last change.

The check itself is tried first on a small fake site, so that it is known to fail when a
page lacks the line; the book test then runs it on the real build.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from analysis import paths
from analysis.build.release import FOOTER_CLASS, footer_line, project_version, release_date
from site_helpers import built_pages, read_soup


def is_redirect(soup) -> bool:
    """Jupyter Book's root ``index.html`` only forwards to the first page: nothing to show."""
    refresh = soup.find("meta", attrs={"http-equiv": lambda v: v and v.lower() == "refresh"})
    return refresh is not None and soup.body is None


def pages_without_release(html_root: Path, version: str, date: str) -> list[str]:
    """The pages (relative paths) whose footer does not say ``Version <version> · <date>``."""
    missing = []
    for page in built_pages(html_root):
        soup = read_soup(page)
        if is_redirect(soup):
            continue
        shown = [tag.get_text(" ", strip=True) for tag in soup.select(f".{FOOTER_CLASS}")]
        if f"Version {version} · {date}" not in shown:
            missing.append(page.relative_to(html_root).as_posix())
    return missing


def _page(body: str) -> str:
    return f"<html><head><title>t</title></head><body>{body}</body></html>"


def test_the_check_finds_a_page_without_the_line(tmp_path: Path):
    (tmp_path / "book").mkdir()
    (tmp_path / "_static").mkdir()
    line = footer_line("9.9.9", "2026-01-02")
    (tmp_path / "index.html").write_text(
        '<meta http-equiv="Refresh" content="0; url=book/a.html" />'
    )
    (tmp_path / "book" / "a.html").write_text(_page(f"<footer>{line}</footer>"))
    (tmp_path / "book" / "b.html").write_text(_page("<footer>no version</footer>"))
    (tmp_path / "book" / "c.html").write_text(_page(footer_line("9.9.8", "2026-01-02")))
    (tmp_path / "_static" / "x.html").write_text(_page(""))  # theme asset, not a page
    assert pages_without_release(tmp_path, "9.9.9", "2026-01-02") == ["book/b.html", "book/c.html"]


def test_the_date_is_the_last_commit_not_the_clock(tmp_path: Path):
    git = shutil.which("git")
    if git is None:
        pytest.skip("git is not installed")
    env = {
        **os.environ,
        "GIT_AUTHOR_DATE": "2024-02-29T23:30:00+00:00",
        "GIT_COMMITTER_DATE": "2024-02-29T23:30:00+00:00",
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.org",
    }
    (tmp_path / "CITATION.cff").write_text("date-released: 2030-01-01\n")
    assert release_date(tmp_path, {}) == "2030-01-01"  # not a checkout: the citation's date
    for args in (["init", "-q"], ["add", "CITATION.cff"], ["commit", "-q", "-m", "x"]):
        subprocess.run([git, "-C", str(tmp_path), *args], env=env, check=True)
    # The commit's UTC date, whatever SOURCE_DATE_EPOCH or the clock say.
    assert release_date(tmp_path, {"SOURCE_DATE_EPOCH": "0"}) == "2024-02-29"


@pytest.mark.book
def test_every_built_page_shows_version_and_date(built_book: Path):
    version, date = project_version(), release_date(paths.ROOT)
    assert built_pages(built_book)
    assert pages_without_release(built_book, version, date) == []


def test_the_package_reports_the_books_version() -> None:
    # One version: the chapters print analysis.__version__, the footer project_version().
    import analysis

    assert analysis.__version__ == project_version()
