"""Sphinx extension: the first mention of each glossary term on a page links to its entry.

The terms are ``data/glossary.csv``'s: the Chinese term always, the English rendering where it
names one entry only (its bracketed gloss removed). On each page other than the glossary the
first occurrence of an entry, in either language, becomes a link to the entry's row in the
glossary table (the row ids come from :func:`analysis.chapters.glossary.term_anchor`). Code,
maths, headings, captions, existing links, bibliography entries and raw HTML are left alone.
At one position the longest term wins, so 城乡居民医保 links that entry rather than 医保.

The search index is fed the page as it was before linking (:func:`unlinked`): a link splits
the text it sits in, and the Chinese splitter would otherwise see 医保 | 基金 instead of the
compound 医保基金.

Every page notes ``data/glossary.csv`` as a dependency, so editing the glossary re-reads (and
re-links) every page; pages re-read that way come from the execution cache, as before.

Examples
--------
>>> from docutils import nodes
>>> terms = [Term("医保", "term-yibao", "medical insurance"),
...          Term("城乡居民医保", "term-chengxiang", "residents' insurance")]
>>> para = nodes.paragraph("", "", nodes.Text("城乡居民医保 and 医保, 医保 again"))
>>> link_terms(para, terms, lambda anchor: "glossary.html#" + anchor)
2
>>> [n.get("refuri") for n in para.findall(nodes.reference)]
['glossary.html#term-chengxiang', 'glossary.html#term-yibao']
"""

from __future__ import annotations

import csv
import functools
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx import addnodes

GLOSSARY_CSV = Path("data") / "glossary.csv"  # under the book's source folder
GLOSSARY_DOC = "book/appendix/glossary"
LINK_CLASS = "glossary-term"

#: Where a mention is not linked: code, maths, headings, captions, links, raw markup and
#: bibliography entries (a cited title is the source's words).
SKIPPED = (
    nodes.FixedTextElement,
    nodes.literal,
    nodes.math,
    nodes.math_block,
    nodes.title,
    nodes.subtitle,
    nodes.rubric,
    nodes.caption,
    nodes.reference,
    nodes.target,
    nodes.raw,
    nodes.comment,
    nodes.citation,
    nodes.citation_reference,
    nodes.footnote_reference,
    addnodes.pending_xref,
    addnodes.desc_signature,
    addnodes.toctree,
)


@dataclass(frozen=True)
class Term:
    """One way of writing a glossary entry, and where the entry is."""

    text: str
    anchor: str
    title: str


def english_forms(term_en: str) -> str:
    """An English rendering without its bracketed gloss ("capitation (per head)" -> capitation)."""
    return re.sub(r"\s*\([^)]*\)", "", term_en).strip()


def glossary_terms(path: Path) -> list[Term]:
    """Every linkable form of every entry, longest first."""
    return list(_glossary_terms(path, path.stat().st_mtime_ns))


@functools.lru_cache(maxsize=4)
def _glossary_terms(path: Path, _mtime_ns: int) -> tuple[Term, ...]:
    from analysis.chapters.glossary import term_anchor

    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    english = Counter(english_forms(row["term_en"]).lower() for row in rows)
    terms = []
    for row in rows:
        anchor, title = term_anchor(row["pinyin"]), f"{row['term_zh']}: {row['term_en']}"
        terms.append(Term(row["term_zh"], anchor, title))
        plain = english_forms(row["term_en"])
        if len(plain) >= 4 and english[plain.lower()] == 1:
            terms.append(Term(plain, anchor, title))
    return tuple(sorted(terms, key=lambda term: (-len(term.text), term.text)))


def _pattern(terms: Iterable[Term]) -> re.Pattern[str]:
    def one(text: str) -> str:
        escaped = re.escape(text)
        # English forms are whole words; Chinese has no spaces, so a term is a substring.
        return rf"(?<![\w-]){escaped}(?![\w-])" if text.isascii() else escaped

    return re.compile("|".join(one(term.text) for term in terms), re.IGNORECASE)


def _linkable_texts(root: nodes.Node) -> list[nodes.Text]:
    found: list[nodes.Text] = []

    def walk(node: nodes.Node) -> None:
        if isinstance(node, SKIPPED):
            return
        if isinstance(node, nodes.Text):
            found.append(node)
            return
        for child in node.children:
            walk(child)

    walk(root)
    return found


def link_terms(root: nodes.Node, terms: list[Term], uri: Callable[[str], str]) -> int:
    """Link the first mention of each entry under ``root``; return how many links were made."""
    if not terms:
        return 0
    by_text = {term.text.lower(): term for term in terms}
    pattern, linked = _pattern(terms), set()
    for text_node in _linkable_texts(root):
        text, pieces, cursor = text_node.astext(), [], 0
        for match in pattern.finditer(text):
            term = by_text[match.group(0).lower()]
            if term.anchor in linked:
                continue
            linked.add(term.anchor)
            pieces.append(nodes.Text(text[cursor : match.start()]))
            link = nodes.reference(
                "", "", internal=True, refuri=uri(term.anchor), reftitle=term.title
            )
            link["classes"].append(LINK_CLASS)
            link += nodes.Text(match.group(0))
            pieces.append(link)
            cursor = match.end()
        if pieces:
            pieces.append(nodes.Text(text[cursor:]))
            parent = text_node.parent
            index = parent.index(text_node)
            parent[index : index + 1] = [piece for piece in pieces if piece.astext()]
    return len(linked)


def unlinked(doctree: nodes.Node) -> nodes.Node:
    """A copy of ``doctree`` with the glossary links undone and their text rejoined.

    Examples
    --------
    >>> terms = [Term("医保", "term-yibao", "medical insurance")]
    >>> para = nodes.paragraph("", "", nodes.Text("黔江医保基金"))
    >>> _ = link_terms(para, terms, lambda anchor: "#" + anchor)
    >>> [child.astext() for child in unlinked(para).children]
    ['黔江医保基金']
    """
    copy = doctree.deepcopy()
    links = [n for n in copy.findall(nodes.reference) if LINK_CLASS in n.get("classes", [])]
    parents = {id(link.parent): link.parent for link in links}
    for link in links:
        parent = link.parent
        index = parent.index(link)
        parent[index : index + 1] = [nodes.Text(link.astext())]
    for element in parents.values():
        merged: list[nodes.Node] = []
        for child in element.children:
            if merged and isinstance(child, nodes.Text) and isinstance(merged[-1], nodes.Text):
                merged[-1] = nodes.Text(merged[-1].astext() + child.astext())
            else:
                merged.append(child)
        element[:] = merged
    return copy


def _index_unlinked(index_page: Callable[..., None]) -> Callable[..., None]:
    @functools.wraps(index_page)
    def index(pagename: str, doctree: nodes.document, title: str) -> None:
        has_links = any(
            LINK_CLASS in n.get("classes", ()) for n in doctree.findall(nodes.reference)
        )
        index_page(pagename, unlinked(doctree) if has_links else doctree, title)

    return index


def _on_builder_inited(app: Any) -> None:
    if getattr(app.builder, "format", "") == "html" and hasattr(app.builder, "index_page"):
        # Sphinx indexes a page after doctree-resolved (when the links are made).
        app.builder.index_page = _index_unlinked(app.builder.index_page)


def _glossary_csv(app: Any) -> Path:
    return Path(app.srcdir) / GLOSSARY_CSV


def _on_doctree_read(app: Any, doctree: Any) -> None:
    if _glossary_csv(app).is_file():
        app.env.note_dependency(str(_glossary_csv(app)))


def _on_doctree_resolved(app: Any, doctree: Any, docname: str) -> None:
    if app.builder.format != "html" or docname == GLOSSARY_DOC:
        return
    if GLOSSARY_DOC not in app.env.all_docs or not _glossary_csv(app).is_file():
        return
    target = app.builder.get_relative_uri(docname, GLOSSARY_DOC)
    link_terms(doctree, glossary_terms(_glossary_csv(app)), lambda anchor: f"{target}#{anchor}")


def setup(app: Any) -> dict[str, Any]:
    """Register the extension with Sphinx."""
    app.connect("builder-inited", _on_builder_inited)
    app.connect("doctree-read", _on_doctree_read)
    app.connect("doctree-resolved", _on_doctree_resolved)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
