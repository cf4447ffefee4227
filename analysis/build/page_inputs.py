"""Record, while a page executes, the files it reads and the project modules it imports.

A book page reaches its data through library code (``analysis.chapters`` calls the dataset
registry, which calls pandas, which opens the CSV), so no scan of the page text can tell
which files it depends on. The kernel itself can: :func:`start`, run by a hidden first cell
that :mod:`analysis.build.sphinx_inputs` injects, installs an audit hook
(:func:`sys.addaudithook`) that sees every ``open`` and every directory listing of the
process, however deep in library code it happens; :func:`finish`, run by a hidden last
cell, adds the project modules found in :data:`sys.modules` and writes the page's
*manifest*: each input's path (relative to the project root) and the SHA-256 of its bytes.

The next build compares a page's manifest with the files as they are now
(:func:`changed_inputs`): the page re-executes when, and only when, something it used
changed. Reads by native code that bypasses Python's ``open`` (a DuckDB or Arrow scan of a
path) are not seen; every reader of ``data/`` in this project goes through Python.

The kernel learns where the project and the manifests are from two environment variables
that the Sphinx process sets before it starts kernels; without them (a notebook opened in
Jupyter or Binder) both functions do nothing. This module uses the standard library only
and imports nothing from ``analysis``, so recording starts before the page imports any of
it.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT_VARIABLE = "COMPENDIUM_PROJECT_ROOT"
MANIFESTS_VARIABLE = "COMPENDIUM_PAGE_INPUTS"
# Folders of the project whose files are never a page's input: build output, environment,
# version control.
IGNORED_TOP_LEVEL = frozenset({"_build", ".venv", ".git", ".pytest_cache", ".hypothesis"})
_IGNORED_SUFFIXES = (".pyc",)
# Installed-package metadata that importlib.metadata reads: packaging, not a page's input.
_METADATA_FOLDERS = (".egg-info/", ".dist-info/")
_IMPORTLIB_FOLDER = f"{os.sep}importlib{os.sep}"

_state: dict[str, Any] = {}


def _relative(path: Any, root: str) -> str | None:
    """``path`` relative to ``root`` (POSIX form) when it is a project file, else ``None``."""
    try:
        text = os.fsdecode(path)
    except TypeError:  # a file descriptor or another object: nothing to record
        return None
    absolute = os.path.abspath(text)
    if not absolute.startswith(root + os.sep):
        return None
    relative = absolute[len(root) + 1 :].replace(os.sep, "/")
    top = relative.split("/", 1)[0]
    if (
        top in IGNORED_TOP_LEVEL
        or "__pycache__" in relative
        or relative.endswith(_IGNORED_SUFFIXES)
        or any(folder in relative + "/" for folder in _METADATA_FOLDERS)
    ):
        return None
    return relative


def _hook(event: str, args: tuple[Any, ...]) -> None:
    # Runs on every audited event of the kernel: keep the common path to two comparisons,
    # and never raise (an exception here would fail the page's own code).
    if event == "open":
        kind = "opened"
    elif event in ("os.listdir", "os.scandir"):
        # The import system lists every folder on its path to cache the names; those
        # listings say which modules exist, not what the page reads (imports are recorded
        # from sys.modules instead).
        # importlib.metadata likewise lists every path entry, the page's own folder included.
        caller = sys._getframe(1).f_code.co_filename
        if caller.startswith("<frozen importlib") or _IMPORTLIB_FOLDER in caller:
            return
        kind = "listed"
    else:
        return
    try:
        found = _relative(args[0] if args[0] is not None else ".", _state["root"])
        if found is not None:
            _state[kind].setdefault(found, None)
    except Exception:  # noqa: BLE001 - recording must not change what the page does
        pass


def start(docname: str, fingerprint: str, environ: dict[str, str] | None = None) -> bool:
    """Start recording the inputs of ``docname``; return whether recording is on.

    Parameters
    ----------
    docname
        The page, e.g. ``book/appendix/glossary``.
    fingerprint
        The input fingerprint the build injected into this page; it is stored in the
        manifest so that the next build can give the page the same cache key while its
        inputs are unchanged.
    environ
        Environment to read the two variables from (default: :data:`os.environ`).
    """
    environ = os.environ if environ is None else environ
    root, manifests = environ.get(ROOT_VARIABLE), environ.get(MANIFESTS_VARIABLE)
    if not root or not manifests:
        return False
    first_start = not _state
    _state.update(
        root=os.path.abspath(root),
        manifests=manifests,
        docname=docname,
        fingerprint=fingerprint,
        opened={},
        listed={},
        started=time.perf_counter(),
    )
    if first_start:  # audit hooks cannot be removed: install one per process
        sys.addaudithook(_hook)
    return True


def file_digest(path: Path) -> str:
    """SHA-256 of a file's bytes, or ``"missing"`` when it does not exist.

    Examples
    --------
    >>> file_digest(Path("/nonexistent/file"))
    'missing'
    """
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return "missing"


def listing_digest(folder: Path) -> str:
    """SHA-256 of the sorted names in a folder (a new or removed file changes it).

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> before = listing_digest(folder)
    >>> _ = (folder / "new.csv").write_text("x")
    >>> before == listing_digest(folder)
    False
    """
    try:
        names = sorted(os.listdir(folder))
    except (FileNotFoundError, NotADirectoryError):
        return "missing"
    return hashlib.sha256("\0".join(names).encode()).hexdigest()


def current_digests(manifest: dict[str, Any], root: Path) -> dict[str, dict[str, str]]:
    """Digests, as they are now, of every input a manifest lists."""
    return {
        "files": {name: file_digest(root / name) for name in manifest["files"]},
        "modules": {name: file_digest(root / name) for name in manifest["modules"]},
        "listings": {name: listing_digest(root / name) for name in manifest["listings"]},
    }


def changed_inputs(manifest: dict[str, Any], root: Path) -> list[str]:
    """Inputs of a manifest whose bytes (or, for folders, names) differ from the recording.

    Examples
    --------
    >>> import tempfile
    >>> root = Path(tempfile.mkdtemp())
    >>> _ = (root / "a.csv").write_text("x\\n1\\n")
    >>> manifest = {"files": {"a.csv": file_digest(root / "a.csv")}, "modules": {},
    ...             "listings": {}}
    >>> changed_inputs(manifest, root)
    []
    >>> _ = (root / "a.csv").write_text("x\\n2\\n")
    >>> changed_inputs(manifest, root)
    ['a.csv']
    """
    now = current_digests(manifest, root)
    return [
        name
        for kind in ("files", "modules", "listings")
        for name, digest in manifest[kind].items()
        if now[kind][name] != digest
    ]


def manifest_path(manifests: Path | str, docname: str) -> Path:
    """Where the manifest of ``docname`` lives in the manifests folder.

    Examples
    --------
    >>> manifest_path("/b/.page_inputs", "book/appendix/glossary").as_posix()
    '/b/.page_inputs/book/appendix/glossary.json'
    """
    return Path(manifests, *docname.split("/")).with_suffix(".json")


def read_manifest(manifests: Path | str, docname: str) -> dict[str, Any] | None:
    """The manifest of ``docname``, or ``None`` when the page has none (or an unreadable one)."""
    try:
        manifest = json.loads(manifest_path(manifests, docname).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None
    if not {"fingerprint", "files", "modules", "listings", "data_files"} <= set(manifest):
        return None
    return manifest


def project_modules(root: str, modules: dict[str, Any] | None = None) -> list[str]:
    """Source files (relative to ``root``) of the loaded modules that belong to the project."""
    found = []
    for module in list((sys.modules if modules is None else modules).values()):
        relative = _relative(getattr(module, "__file__", None) or "", root)
        if relative is not None and relative.endswith(".py"):
            found.append(relative)
    return sorted(set(found))


def finish() -> Path | None:
    """Write the manifest of the page being recorded; return its path (``None`` if off)."""
    if not _state:
        return None
    root = Path(_state["root"])
    opened = [name for name in _state["opened"] if (root / name).is_file()]
    listed = [name for name in _state["listed"] if (root / name).is_dir()]
    modules = project_modules(_state["root"])
    manifest = {
        "docname": _state["docname"],
        "fingerprint": _state["fingerprint"],
        "seconds": round(time.perf_counter() - _state["started"], 3),
        # In the order the page first opened them: the order the reader sees them listed.
        "data_files": [name for name in opened if name.startswith("data/")],
        "files": {name: file_digest(root / name) for name in opened if name not in modules},
        "modules": {name: file_digest(root / name) for name in modules},
        "listings": {name: listing_digest(root / name) for name in listed},
    }
    target = manifest_path(_state["manifests"], _state["docname"])
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(f".{os.getpid()}.partial")
    partial.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    partial.replace(target)  # atomic: a parallel reader never sees half a manifest
    return target
