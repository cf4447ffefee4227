"""Sphinx extension: each data-driven page links the exact data files its code read.

A reader who sees a number should be able to download the file it came from, from the same
site (no external host). The page's code reaches data through library functions, so the
list cannot come from the page text; it comes from the page's manifest
(:mod:`analysis.build.page_inputs`): the files under ``data/`` that the kernel actually
opened, in the order it opened them. On ``doctree-read`` (after the page executed, or was
served from the cache with the manifest of that execution) each such page gets a closing
"Data used on this page" note with a download link to every file, labelled with the file's
resource name and provenance class from ``data/datapackage.json``. Sphinx copies each file
into ``_downloads/`` unchanged, so the link serves the bytes the page read in that build.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx import addnodes

from analysis.build import page_inputs
from analysis.build.sphinx_inputs import is_notebook_source, manifests_folder

NOTE_TITLE = "Data used on this page"
NOTE_CLASSES = ["note", "compendium-data-downloads"]
INTRO = (
    "The code on this page read these data files when the site was built; they are "
    "served with the site. Each is listed with its resource name and provenance class."
)


def resource_labels(root: Path) -> dict[str, str]:
    """Map each ``data/`` file (relative to ``root``) to ``"name (class)"`` from the descriptor.

    Examples
    --------
    >>> from analysis import paths
    >>> resource_labels(paths.ROOT)["data/glossary.csv"]
    'glossary (reported)'
    """
    try:
        package = json.loads((root / "data" / "datapackage.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    labels = {"data/datapackage.json": "the data package descriptor"}
    for resource in package.get("resources", []):
        provenance = resource.get("provenance", {}).get("class", "unknown")
        labels[f"data/{resource['path']}"] = f"{resource['name']} ({provenance})"
    return labels


def downloads_note(files: list[str], labels: dict[str, str], docname: str) -> nodes.Element:
    """The admonition linking ``files`` (paths relative to the project root).

    Examples
    --------
    >>> note = downloads_note(["data/a.csv"], {"data/a.csv": "a (reported)"}, "book/x")
    >>> note.astext().splitlines()[0]
    'Data used on this page'
    >>> [ref["reftarget"] for ref in note.findall(addnodes.download_reference)]
    ['/data/a.csv']
    """
    items = nodes.bullet_list()
    for name in files:
        reference = addnodes.download_reference(
            "",
            "",
            nodes.literal(name, name),
            refdoc=docname,
            refdomain="",
            reftype="download",
            refexplicit=True,
            refwarn=False,
            reftarget=f"/{name}",
        )
        paragraph = nodes.paragraph("", "", reference)
        if name in labels:
            paragraph += nodes.Text(f": {labels[name]}")
        items += nodes.list_item("", paragraph)
    return nodes.admonition(
        "",
        nodes.title(NOTE_TITLE, NOTE_TITLE),
        nodes.paragraph(INTRO, INTRO),
        items,
        classes=list(NOTE_CLASSES),
    )


def _last_section(doctree: nodes.Node) -> nodes.Element:
    # Where text appended to the source would land: the innermost last section.
    node = doctree
    while node.children and isinstance(node.children[-1], nodes.section):
        node = node.children[-1]
    return node


def _on_doctree_read(app: Any, doctree: nodes.document) -> None:
    docname = app.env.docname
    source = Path(app.env.doc2path(docname))
    if source.suffix != ".md" or not is_notebook_source(source.read_text(encoding="utf-8")):
        return
    manifest = page_inputs.read_manifest(manifests_folder(app), docname)
    files = manifest["data_files"] if manifest else []
    if files:
        labels = resource_labels(Path(app.srcdir))
        _last_section(doctree).append(downloads_note(files, labels, docname))


def setup(app: Any) -> dict[str, Any]:
    """Register the extension with Sphinx."""
    # Before Sphinx's download collector (priority 500), which copies what the links name.
    app.connect("doctree-read", _on_doctree_read, priority=400)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "2"}
