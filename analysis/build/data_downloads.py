"""Sphinx extension: each data-driven chapter links the exact data files it computed from.

A reader who sees a number should be able to download the file it came from, from the same
site (no external host). Typing those links by hand in every chapter drifts as chapters
change, so they are derived at build time: on ``source-read`` every notebook page whose code
cells call ``load_data("<name>")`` gets a closing "Data used on this page" note with a
``{download}`` link to every file the dataset registry lists for those names
(:func:`analysis.datasets.dataset_table`). Sphinx copies each file into ``_downloads/``
unchanged, so the link serves the bytes the chapter read in that build.

Only direct ``load_data`` calls in code cells count; a chapter that reaches data another way
should link it itself.
"""

from __future__ import annotations

import re
from typing import Any

from analysis.build.sphinx_inputs import is_notebook_source

_CODE_CELL = re.compile(r"^(`{3,})\{code-cell\}[^\n]*\n(.*?)^\1\s*$", re.MULTILINE | re.DOTALL)
_LOAD_DATA = re.compile(r"""load_data\(\s*["']([A-Za-z0-9_]+)["']""")
NOTE_TITLE = "Data used on this page"


def datasets_used(text: str) -> list[str]:
    """Registry names loaded by the code cells of a MyST notebook, in first-use order.

    Examples
    --------
    >>> page = '''Prose mentioning `load_data("glossary")` does not count.
    ... ```{code-cell} ipython3
    ... claims = load_data("claims").frame
    ... series = load_data('district_monthly')
    ... ```
    ... '''
    >>> datasets_used(page)
    ['claims', 'district_monthly']
    """
    names: list[str] = []
    for _, body in _CODE_CELL.findall(text):
        names += _LOAD_DATA.findall(body)
    return list(dict.fromkeys(names))


def files_by_dataset() -> dict[str, tuple[str, list[str]]]:
    """Map each registry name to its provenance class and its files (relative to the root)."""
    from analysis.datasets import dataset_table

    return {row["name"]: (row["provenance"], [f for f in row["files"].split("; ") if f])
            for row in dataset_table().to_dict("records")}


def downloads_note(datasets: list[str],
                   registry: dict[str, tuple[str, list[str]]]) -> str:
    """MyST admonition linking every file of ``datasets`` (each file once).

    Examples
    --------
    >>> registry = {"claims": ("mixed", ["data/claims/claims.csv"]),
    ...             "qj": ("mixed", ["data/claims/claims.csv", "data/synthetic/a.toml"])}
    >>> print(downloads_note(["claims", "qj"], registry))  # doctest: +NORMALIZE_WHITESPACE
    <BLANKLINE>
    <BLANKLINE>
    :::{admonition} Data used on this page
    :class: note compendium-data-downloads
    <BLANKLINE>
    The code on this page read these data files when the site was built; they are served
    with the site. Each is listed with the datasets that read it and their provenance class.
    <BLANKLINE>
    - {download}`data/claims/claims.csv </data/claims/claims.csv>`: `claims` (mixed),
      `qj` (mixed)
    - {download}`data/synthetic/a.toml </data/synthetic/a.toml>`: `qj` (mixed)
    :::
    <BLANKLINE>
    >>> downloads_note(["unknown"], registry)
    ''
    """
    users: dict[str, list[str]] = {}
    for name in datasets:
        if name not in registry:  # a misspelt name fails the chapter's own execution
            continue
        provenance, files = registry[name]
        for path in files:
            users.setdefault(path, []).append(f"`{name}` ({provenance})")
    if not users:
        return ""
    items = "\n".join(f"- {{download}}`{path} </{path}>`: " + ",\n  ".join(used)
                      for path, used in users.items())
    return (f"\n\n:::{{admonition}} {NOTE_TITLE}\n:class: note compendium-data-downloads\n\n"
            "The code on this page read these data files when the site was built; they are "
            "served\nwith the site. Each is listed with the datasets that read it and their "
            "provenance class.\n\n"
            f"{items}\n:::\n")


def _on_source_read(app: Any, docname: str, source: list[str]) -> None:
    text = source[0]
    if not is_notebook_source(text):
        return
    datasets = datasets_used(text)
    if datasets:
        source[0] = text + downloads_note(datasets, files_by_dataset())


def setup(app: Any) -> dict[str, Any]:
    """Register the extension with Sphinx."""
    app.connect("source-read", _on_source_read)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
