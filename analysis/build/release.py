"""Sphinx extension: the book's version and date in the footer of every page.

The version is ``pyproject.toml``'s; the date is the committer date of the last git commit,
so two builds of one commit are byte-identical and a page never shows when it happened to be
built. Outside a git checkout (a source archive, the tests' scratch copies) the date comes from
``SOURCE_DATE_EPOCH`` when set, else from ``date-released`` in ``CITATION.cff``, else it reads
"undated"; a tree without ``pyproject.toml`` shows the installed package's version.

The line is appended to ``html.extra_footer`` (the theme option Jupyter Book fills from
``_config.yml``), which every page of the theme renders, Sphinx's search and index pages
included; as a configuration value it also makes Sphinx rewrite every page when it changes.

Examples
--------
>>> footer_line("1.4.0", "2026-12-01")
'<p class="compendium-release">Version 1.4.0 · 2026-12-01</p>'
"""

from __future__ import annotations

import datetime as dt
import html
import os
import re
import subprocess
import tomllib
from importlib import metadata
from pathlib import Path
from typing import Any

from analysis import paths

FOOTER_CLASS = "compendium-release"
DISTRIBUTION = "county-reform-compendium"
_DATE_RELEASED = re.compile(r"^date-released:\s*['\"]?(\d{4}-\d{2}-\d{2})", re.MULTILINE)


def project_version(root: Path = paths.ROOT) -> str:
    """The version in ``pyproject.toml`` (a tree without one: the installed package's)."""
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        with pyproject.open("rb") as handle:
            return tomllib.load(handle)["project"]["version"]
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return "unversioned"


def commit_date(root: Path) -> str | None:
    """The date (YYYY-MM-DD, UTC) of the last commit, or None outside a git checkout."""
    if not (root / ".git").exists():
        return None
    try:
        result = subprocess.run(
            ["git", "-C", str(root), "log", "-1", "--format=%ct"],
            capture_output=True,
            text=True,
            check=True,
            timeout=20,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    stamp = result.stdout.strip()
    return _utc_date(stamp) if stamp.isdigit() else None


def _utc_date(seconds: str) -> str:
    return dt.datetime.fromtimestamp(int(seconds), tz=dt.UTC).date().isoformat()


def release_date(root: Path = paths.ROOT, environ: Any = os.environ) -> str:
    """The book's date: last commit, else ``SOURCE_DATE_EPOCH``, else CITATION.cff's.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> release_date(folder, {"SOURCE_DATE_EPOCH": "1764547200"})
    '2025-12-01'
    >>> _ = (folder / "CITATION.cff").write_text("date-released: 2026-12-01\\n")
    >>> release_date(folder, {})
    '2026-12-01'
    """
    committed = commit_date(root)
    if committed:
        return committed
    epoch = str(environ.get("SOURCE_DATE_EPOCH", "")).strip()
    if epoch.isdigit():
        return _utc_date(epoch)
    citation = root / "CITATION.cff"
    if citation.is_file():
        match = _DATE_RELEASED.search(citation.read_text(encoding="utf-8"))
        if match:
            return match.group(1)
    return "undated"


def footer_line(version: str, date: str) -> str:
    """The footer paragraph naming the version and date."""
    return f'<p class="{FOOTER_CLASS}">Version {html.escape(version)} · {html.escape(date)}</p>'


def _on_config_inited(app: Any, config: Any) -> None:
    root = Path(app.srcdir)
    version, date = project_version(root), release_date(root)
    options = dict(config.html_theme_options or {})
    footer = options.get("extra_footer") or ""
    options["extra_footer"] = f"{footer}\n{footer_line(version, date)}".strip()
    config.html_theme_options = options
    config.html_context = {
        **(config.html_context or {}),
        "compendium_version": version,
        "compendium_date": date,
    }


def setup(app: Any) -> dict[str, Any]:
    """Register the extension with Sphinx."""
    app.connect("config-inited", _on_config_inited)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
