"""The first mention of a glossary term on a page links to the term's row in the glossary.

Unit tests run the linker on small doctrees and on a three-page Sphinx project; the book
test checks the real site: every such link lands on an existing row.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from docutils import nodes
from sphinx.application import Sphinx

from analysis import paths
from analysis.build.glossary_links import (
    GLOSSARY_CSV,
    LINK_CLASS,
    Term,
    glossary_terms,
    link_terms,
)
from analysis.chapters.glossary import table_glossary, term_anchor
from site_helpers import built_pages, read_soup

TERMS = [
    Term("城乡居民医保", "term-residents", "residents"),
    Term("医保", "term-yibao", "insurance"),
    Term("capitation", "term-capitation", "capitation"),
]


def _uri(anchor: str) -> str:
    return f"glossary.html#{anchor}"


def _links(node: nodes.Node) -> list[tuple[str, str]]:
    return [(n.astext(), n["refuri"]) for n in node.findall(nodes.reference)]


def test_first_mention_only_and_longest_term_first():
    para = nodes.paragraph(
        "", "", nodes.Text("医保 and 城乡居民医保; 医保 again, Capitation, capitation")
    )
    assert link_terms(para, TERMS, _uri) == 3
    assert _links(para) == [
        ("医保", _uri("term-yibao")),
        ("城乡居民医保", _uri("term-residents")),
        ("Capitation", _uri("term-capitation")),
    ]
    assert para.astext() == "医保 and 城乡居民医保; 医保 again, Capitation, capitation"


def test_code_headings_links_and_maths_are_left_alone():
    section = nodes.section(
        "",
        nodes.title("", "医保 in a heading"),
        nodes.paragraph(
            "",
            "",
            nodes.literal("", "医保"),
            nodes.reference("", "医保", refuri="elsewhere.html"),
            nodes.math("", "医保"),
        ),
        nodes.literal_block("", "医保 = 1"),
        nodes.paragraph("", "", nodes.Text("then 医保 in prose")),
    )
    link_terms(section, TERMS, _uri)
    assert _links(section) == [("医保", "elsewhere.html"), ("医保", _uri("term-yibao"))]
    assert section.children[-1].children[1].get("classes") == [LINK_CLASS]


def test_bibliography_entries_are_left_alone():
    entry = nodes.citation("", nodes.paragraph("", "", nodes.Text("Capitation and 医保, a title")))
    assert link_terms(nodes.section("", entry), TERMS, _uri) == 0


def test_english_words_match_whole_words_only():
    para = nodes.paragraph("", "", nodes.Text("recapitation capitations"))
    assert link_terms(para, TERMS, _uri) == 0


def test_every_term_has_a_row_in_the_glossary_table():
    terms = glossary_terms(paths.ROOT / GLOSSARY_CSV)
    rows = table_glossary().data
    assert terms
    assert all(f'<tr id="{term.anchor}">' in rows for term in terms)
    english = [t for t in terms if t.text.isascii()]
    assert len({t.text.lower() for t in english}) == len(english)  # no ambiguous English form


def test_anchor_is_stable_ascii():
    assert term_anchor("xiāngzhèn wèishēngyuàn") == "term-xiangzhen-weishengyuan"


def test_sphinx_links_other_pages_but_not_the_glossary_itself(tmp_path: Path):
    src = tmp_path / "src"
    (src / "book" / "appendix").mkdir(parents=True)
    (src / "data").mkdir()
    shutil.copy(paths.ROOT / GLOSSARY_CSV, src / "data" / "glossary.csv")
    (src / "conf.py").write_text(
        'extensions = ["analysis.build.glossary_links"]\nroot_doc = "book/index"\n'
    )
    (src / "book" / "index.rst").write_text(
        "Start\n=====\n\nThe 乡镇卫生院 pays ``医保`` and 医保.\n\n"
        ".. toctree::\n\n   appendix/glossary\n"
    )
    (src / "book" / "appendix" / "glossary.rst").write_text("Glossary\n========\n\n医保 here.\n")
    app = Sphinx(
        str(src),
        str(src),
        str(tmp_path / "out"),
        str(tmp_path / "doctrees"),
        "html",
        status=None,
        warning=None,
        freshenv=True,
    )
    app.build()
    index = read_soup(tmp_path / "out" / "book" / "index.html")
    links = {a.get_text(): a["href"] for a in index.select(f"a.{LINK_CLASS}")}
    assert links == {
        "乡镇卫生院": "appendix/glossary.html#term-xiangzhen-weishengyuan",
        "医保": "appendix/glossary.html#term-yibao",
    }
    glossary = read_soup(tmp_path / "out" / "book" / "appendix" / "glossary.html")
    assert not glossary.select(f"a.{LINK_CLASS}")


@pytest.mark.book
def test_built_links_land_on_glossary_rows(built_book: Path):
    glossary_page = built_book / "book" / "appendix" / "glossary.html"
    rows = {row["id"] for row in read_soup(glossary_page).select("tr[id]")}
    linked_pages, broken = 0, []
    for page in built_pages(built_book):
        links = read_soup(page).select(f"a.{LINK_CLASS}")
        linked_pages += bool(links)
        for link in links:
            if link.find_parent(["h1", "h2", "h3", "h4", "h5", "h6", "pre", "code"]) or (
                link.find_parent(class_="citation") or link.find_parent(role="doc-biblioentry")
            ):
                broken.append(f"{page.relative_to(built_book)}: inside a heading, code or citation")
            target, _, anchor = link["href"].partition("#")
            if (page.parent / target).resolve() != glossary_page.resolve() or anchor not in rows:
                broken.append(f"{page.relative_to(built_book)}: {link['href']}")
    assert not broken, broken
    assert linked_pages >= 5
