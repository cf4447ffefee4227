"""Sphinx extension: re-execute a chapter whenever the data or code it runs on changes.

jupyter-cache keys a notebook on its code cells only, so a chapter whose cells are unchanged
would be served from cache even after ``data/`` or ``analysis/`` changed underneath it. This
extension closes that gap in two places that every ``jupyter-book build`` passes through:

1. ``source-read``: each notebook page gets one hidden (``remove-cell``) code cell holding a
   fingerprint of every input file. The fingerprint is part of the code, so a changed input
   changes the cache key and forces execution; no configuration can skip it.
2. ``env.note_dependency``: Sphinx itself marks the page outdated when an input's mtime is
   newer than the page, so an incremental build re-reads (and hence re-executes) it.

Inputs are all files under ``data/`` and the ``analysis/`` package sources. That is coarse
on purpose: chapters reach data through library functions, so a per-page list scraped from
the page text could miss an indirect read. A data change therefore re-runs every notebook
page, which costs one full execution and never serves a stale figure.

The extension also chooses the execution mode: ``force`` when ``CI`` is true or
``BOOK_EXECUTE=force``, otherwise the ``cache`` mode from ``_config.yml``.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from typing import Any

from analysis import paths

FINGERPRINT_MARKER = "compendium-inputs-fingerprint"
_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.DOTALL)
_SKIPPED_PARTS = {"__pycache__", ".ipynb_checkpoints", ".pytest_cache", ".hypothesis"}


def input_files(root: Path = paths.ROOT) -> list[Path]:
    """List the files whose content can change what a chapter computes.

    Parameters
    ----------
    root
        Repository root holding ``data/`` and ``analysis/``.

    Returns
    -------
    list of pathlib.Path
        Sorted paths: every file under ``data/`` and every ``.py`` file under ``analysis/``.
    """
    found: list[Path] = []
    for folder, pattern in ((root / "data", "*"), (root / "analysis", "*.py")):
        for path in folder.rglob(pattern):
            if path.is_file() and not _SKIPPED_PARTS.intersection(path.parts):
                found.append(path)
    return sorted(found)


def inputs_fingerprint(files: list[Path], root: Path = paths.ROOT) -> str:
    """Hash the names and bytes of ``files`` into one hex digest.

    Parameters
    ----------
    files
        Files to hash, as returned by :func:`input_files`.
    root
        Paths are hashed relative to this directory so that clones in different places
        share cache keys.

    Returns
    -------
    str
        SHA-256 hex digest.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> d = Path(tempfile.mkdtemp())
    >>> _ = (d / "a.csv").write_text("x\\n1\\n")
    >>> before = inputs_fingerprint([d / "a.csv"], root=d)
    >>> _ = (d / "a.csv").write_text("x\\n2\\n")
    >>> before == inputs_fingerprint([d / "a.csv"], root=d)
    False
    """
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def is_notebook_source(text: str) -> bool:
    """Tell whether a MyST source is a notebook (has jupytext or kernelspec front matter).

    Examples
    --------
    >>> is_notebook_source("---\\nkernelspec:\\n  name: python3\\n---\\n# T\\n")
    True
    >>> is_notebook_source("# Plain page\\n")
    False
    """
    match = _FRONT_MATTER.match(text)
    return bool(match and re.search(r"^(jupytext|kernelspec):", match.group(1), re.MULTILINE))


def fingerprint_cell(fingerprint: str) -> str:
    """Return the hidden MyST code cell that carries ``fingerprint`` into the cache key."""
    return (
        "\n\n```{code-cell} ipython3\n:tags: [remove-cell]\n\n"
        f"# {FINGERPRINT_MARKER}: {fingerprint}\n"
        "# Injected at build time so that a change in data/ or analysis/ re-executes this page.\n"
        "```\n"
    )


def _on_source_read(app: Any, docname: str, source: list[str]) -> None:
    if not is_notebook_source(source[0]):
        return
    # The book's own tree, not this module's: a copied or relocated project hashes its own data.
    root = Path(app.srcdir)
    files = input_files(root)
    for path in files:
        app.env.note_dependency(str(path))
    source[0] = source[0] + fingerprint_cell(inputs_fingerprint(files, root))


def execution_mode(environ: dict[str, str] | os._Environ[str], configured: str) -> str:
    """Choose the notebook execution mode for this build.

    Parameters
    ----------
    environ
        Process environment.
    configured
        Mode from ``_config.yml``.

    Returns
    -------
    str
        ``"force"`` for CI and publishing builds, otherwise ``configured``.

    Examples
    --------
    >>> execution_mode({"CI": "true"}, "cache")
    'force'
    >>> execution_mode({}, "cache")
    'cache'
    """
    if environ.get("BOOK_EXECUTE"):
        return environ["BOOK_EXECUTE"]
    if environ.get("CI", "").lower() in {"1", "true", "yes"}:
        return "force"
    return configured


def _on_config_inited(app: Any, config: Any) -> None:
    config.nb_execution_mode = execution_mode(os.environ, config.nb_execution_mode)


def setup(app: Any) -> dict[str, Any]:
    """Register the extension with Sphinx."""
    app.connect("config-inited", _on_config_inited, priority=900)
    app.connect("source-read", _on_source_read)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
