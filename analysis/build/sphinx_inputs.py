"""Sphinx extension: re-execute a page when, and only when, a file it used has changed.

jupyter-cache keys a notebook on its code cells only, so a page whose cells are unchanged
would be served from cache after ``data/`` or ``analysis/`` changed underneath it. Every
notebook page therefore gets two hidden (``remove-cell``) code cells on ``source-read``:

- a first cell that starts :mod:`analysis.build.page_inputs` (an audit hook that records
  every project file the kernel opens, however indirectly) and carries the page's *input
  fingerprint* as a comment, so a changed input changes the cache key;
- a last cell, always the same code, that writes the page's manifest: the files it opened,
  the project modules it imported and the folders it listed, each with its digest.

The fingerprint comes from the manifest of the page's previous execution (kept under
``_build/.page_inputs``, never committed): while none of the recorded inputs changed, the
page keeps the fingerprint it was executed with, so it is served from the cache; when one
changed, the fingerprint is recomputed from the inputs' current digests, so it executes.
A page without a manifest (first build, or a deleted manifest) is fingerprinted on every
file under ``data/`` and every ``analysis/`` source, and its stale cache records are
dropped, so it executes and records a manifest.

Sphinx decides which pages to re-read before any of this runs, so the extension also
answers ``env-get-outdated`` from the manifests (by content, not modification time) and,
once a page has run, notes each file it recorded as a Sphinx dependency. Files that no page opens (``benchmarks/``,
tests) are nobody's input.

For parallel builds (``-j``) the pages to read are reordered on ``env-before-read-docs`` so
that Sphinx's fixed-size chunks carry similar execution times (from the manifests).

The extension also chooses the execution mode: ``force`` when ``CI`` is true or
``BOOK_EXECUTE=force``, otherwise the ``cache`` mode from ``_config.yml``.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path
from typing import Any

from analysis import paths
from analysis.build import page_inputs

FINGERPRINT_MARKER = "compendium-inputs-fingerprint"
MANIFESTS_FOLDER = ".page_inputs"
_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.DOTALL)
_SKIPPED_PARTS = {"__pycache__", ".ipynb_checkpoints", ".pytest_cache", ".hypothesis"}


def input_files(root: Path = paths.ROOT) -> list[Path]:
    """List every file that could change what a page computes (used before a page has run).

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


def page_fingerprint(manifest: dict[str, Any], root: Path) -> str:
    """The fingerprint of a page that has a manifest.

    The recorded one while every recorded input is unchanged (the page stays cached),
    otherwise a digest of the inputs as they are now (the page executes).

    Examples
    --------
    >>> import tempfile
    >>> root = Path(tempfile.mkdtemp())
    >>> _ = (root / "a.csv").write_text("1")
    >>> manifest = {"fingerprint": "old", "modules": {}, "listings": {},
    ...             "files": {"a.csv": page_inputs.file_digest(root / "a.csv")}}
    >>> page_fingerprint(manifest, root)
    'old'
    >>> _ = (root / "a.csv").write_text("2")
    >>> page_fingerprint(manifest, root) != "old"
    True
    """
    if not page_inputs.changed_inputs(manifest, root):
        return manifest["fingerprint"]
    current = page_inputs.current_digests(manifest, root)
    return hashlib.sha256(json.dumps(current, sort_keys=True).encode()).hexdigest()


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


def first_cell(docname: str, fingerprint: str) -> str:
    """The hidden first code cell: starts recording and carries the fingerprint."""
    return (
        "```{code-cell} ipython3\n:tags: [remove-cell]\n\n"
        f"# {FINGERPRINT_MARKER}: {fingerprint}\n"
        "# Injected at build time: a change in a file this page used re-executes it.\n"
        "from analysis.build import page_inputs as _compendium_page_inputs\n\n"
        f"_compendium_page_inputs.start({docname!r}, {fingerprint!r})\n"
        "```\n\n"
    )


LAST_CELL = (
    "\n\n```{code-cell} ipython3\n:tags: [remove-cell]\n\n"
    "_compendium_page_inputs.finish()  # injected: records the files this page used\n"
    "```\n"
)


def with_input_cells(text: str, docname: str, fingerprint: str) -> str:
    """Insert the first cell after the front matter and append the last cell.

    Examples
    --------
    >>> page = "---\\nkernelspec:\\n  name: python3\\n---\\n# Title\\n"
    >>> out = with_input_cells(page, "book/x", "abc")
    >>> out.index("start('book/x', 'abc')") < out.index("# Title") < out.index("finish()")
    True
    """
    match = _FRONT_MATTER.match(text)
    split = match.end() if match else 0
    return text[:split] + first_cell(docname, fingerprint) + text[split:] + LAST_CELL


def manifests_folder(app: Any) -> Path:
    """Where this build keeps the page manifests: ``_build/.page_inputs``."""
    return Path(app.outdir).parent / MANIFESTS_FOLDER


def _drop_stale_cache(app: Any, docname: str) -> None:
    # A cached execution without a manifest would be served again and never record one.
    cache = Path(app.env.mystnb_config.execution_cache_path or "")
    if app.config.nb_execution_mode == "cache" and (cache / "global.db").exists():
        from analysis.build.page import drop_cached_execution

        drop_cached_execution(Path(app.env.doc2path(docname)), cache)


def _on_source_read(app: Any, docname: str, source: list[str]) -> None:
    if not is_notebook_source(source[0]):
        return
    root = Path(app.srcdir)
    manifest = page_inputs.read_manifest(manifests_folder(app), docname)
    if manifest is None:
        fingerprint = inputs_fingerprint(input_files(root), root)
        _drop_stale_cache(app, docname)
    else:
        fingerprint = page_fingerprint(manifest, root)
    source[0] = with_input_cells(source[0], docname, fingerprint)


def _on_doctree_read(app: Any, doctree: Any) -> None:
    # After execution (or a cache hit) the manifest names exactly what the page used; noting
    # only those keeps an edit elsewhere from marking every page outdated.
    docname = app.env.docname
    manifest = page_inputs.read_manifest(manifests_folder(app), docname)
    if manifest is None:
        return
    root = Path(app.srcdir)
    for name in (*manifest["files"], *manifest["modules"]):
        if (root / name).is_file():
            app.env.note_dependency(str(root / name))


def _on_env_get_outdated(
    app: Any, env: Any, added: set[str], changed: set[str], removed: set[str]
) -> list[str]:
    root, folder = Path(app.srcdir), manifests_folder(app)
    outdated = []
    for docname in sorted(set(env.all_docs) - added - changed - removed):
        manifest = page_inputs.read_manifest(folder, docname)
        if manifest is not None and page_inputs.changed_inputs(manifest, root):
            outdated.append(docname)
    return outdated


KERNEL_START_SECONDS = 1.0  # a page's cost before its first cell runs (measured on 2 cores)


def balanced_order(docnames: list[str], seconds: dict[str, float], chunks: int) -> list[str]:
    """Reorder pages so that ``chunks`` equal-sized consecutive slices take similar time.

    Sphinx's parallel reader cuts the list into consecutive chunks of ``len // chunks``
    pages and gives each to one process; the slowest chunk sets the wall time.

    Examples
    --------
    >>> balanced_order(["a", "b", "c", "d"], {"a": 9, "b": 8, "c": 1, "d": 1}, 2)
    ['a', 'd', 'b', 'c']
    """
    size = max(1, len(docnames) // max(1, chunks))
    bins: list[list[str]] = [[] for _ in range(-(-len(docnames) // size))]
    loads = [0.0] * len(bins)
    for name in sorted(docnames, key=lambda name: -seconds.get(name, 0.0)):
        open_bins = [i for i, members in enumerate(bins) if len(members) < size]
        target = min(open_bins, key=lambda i: (loads[i], i))
        bins[target].append(name)
        loads[target] += seconds.get(name, 0.0)
    return [name for members in bins for name in members]


def _on_env_before_read_docs(app: Any, env: Any, docnames: list[str]) -> None:
    if app.parallel <= 1 or len(docnames) <= 5:
        return
    folder = manifests_folder(app)
    seconds = {}
    for name in docnames:
        manifest = page_inputs.read_manifest(folder, name)
        if manifest is not None:  # recorded from the first cell on, so add the kernel's start
            seconds[name] = KERNEL_START_SECONDS + float(manifest.get("seconds", 0.0))
    if seconds:
        docnames[:] = balanced_order(docnames, seconds, app.parallel)


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


# Extensions in this build that are parallel-safe but do not say so (Sphinx then reads
# serially; checked against the pinned versions): sphinx_multitoc_numbering only replaces
# TocTreeCollector.assign_section_numbers, which Sphinx calls in the main process after the
# parallel readers have merged; sphinx-mathjax-offline sets mathjax_path and copies files on
# build-finished; sphinx_jupyterbook_latex's read transforms only annotate the document they
# are given, keeping no state between documents.
UNDECLARED_PARALLEL_SAFE = (
    "sphinx_multitoc_numbering",
    "sphinx-mathjax-offline",
    "sphinx_jupyterbook_latex",
)


def _on_config_inited(app: Any, config: Any) -> None:
    config.nb_execution_mode = execution_mode(os.environ, config.nb_execution_mode)
    for name in UNDECLARED_PARALLEL_SAFE:
        if name in app.extensions:
            app.extensions[name].parallel_read_safe = True
    # Kernels (and parallel readers) inherit the environment: this is how the injected
    # cells learn where the project and the manifests are without writing paths into pages.
    os.environ[page_inputs.ROOT_VARIABLE] = str(Path(app.srcdir).resolve())
    os.environ[page_inputs.MANIFESTS_VARIABLE] = str(manifests_folder(app).resolve())


def _on_builder_inited(app: Any) -> None:
    # Parallel readers would each create the cache's SQLite tables on a first build and
    # collide ("table settings already exists"): create them once, here, before forking.
    if app.config.nb_execution_mode == "cache":
        from jupyter_cache import get_cache

        get_cache(app.env.mystnb_config.execution_cache_path).get_cache_limit()


def setup(app: Any) -> dict[str, Any]:
    """Register the extension with Sphinx."""
    app.connect("config-inited", _on_config_inited, priority=900)
    # After MyST-NB's own builder-inited handler (priority 500), which sets the cache path.
    app.connect("builder-inited", _on_builder_inited, priority=900)
    app.connect("source-read", _on_source_read)
    app.connect("doctree-read", _on_doctree_read)
    app.connect("env-get-outdated", _on_env_get_outdated)
    app.connect("env-before-read-docs", _on_env_before_read_docs)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "2"}
