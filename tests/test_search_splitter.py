"""The Chinese search splitter: compounds indexed whole, the browser's query split and stems agree.

The JavaScript halves (Sphinx's Porter stemmer for zh and our ``splitQuery``) run under Node
when it is installed, so the index side and the query side are checked against each other.
"""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from sphinx.search.en import SearchEnglish, js_porter_stemmer
from sphinx.search.zh import SearchChinese

from analysis.build.search_zh import (
    JS_SPLITTER,
    SearchChineseIndexed,
    compound_pieces,
    user_words,
)
from analysis.datasets import load_data

# The terms the referee searched for in vain (issue 15, finding 9).
REFEREE_TERMS = ("乡镇卫生院", "医保基金", "结余留用", "两包三单六贯通")

TEXTS = (
    "黔江区基层医疗卫生机构诊疗人次占比从43.3%下降至36.9%",
    "The DRG and DIP payment reforms; Callaway and Sant'Anna estimators for staggered DiD",
    "医保基金 fund share of primary-care institutions, running runs ran ITS its",
    "ab ABC abc xyzzy 乡镇卫生院 结余留用 两包三单六贯通",
)
LATIN_WORDS = (
    "Callaway",
    "Sant'Anna",
    "running",
    "ITS",
    "Abadie",
    "Conley",
    "Taber",
    "Bertrand",
    "Wüthrich",
    "Rambachan",
    "synthetic",
    "studies",
    "policy",
    "Goodman",
    "Bacon",
)


@pytest.fixture(scope="module")
def splitter() -> SearchChineseIndexed:
    return SearchChineseIndexed({})


def glossary_pieces() -> list[str]:
    terms = load_data("glossary").frame["term_zh"]
    return sorted({piece for term in terms for piece in compound_pieces(term)})


@pytest.mark.parametrize("context", ["{}", "推进{}改革", "我们的{}。"])
def test_every_glossary_compound_is_indexed_whole(splitter, context):
    missing = [
        piece
        for piece in (*REFEREE_TERMS, *glossary_pieces())
        if piece not in splitter.split(context.format(piece))
    ]
    assert not missing, f"indexed only in parts: {missing}"


def test_compound_parts_stay_searchable(splitter):
    words = splitter.split("乡镇卫生院的医保基金结余留用")
    assert {"乡镇", "卫生院", "乡镇卫生院", "医保", "基金", "医保基金", "结余留用"} <= set(words)
    assert "医疗保障" in splitter.split("多层次医疗保障体系")  # a term inside a longer term


def test_user_words_come_from_the_glossary():
    assert set(glossary_pieces()) <= set(user_words())
    assert user_words() == sorted(user_words())  # one order, so one dictionary, every build


def test_latin_words_split_like_sphinx(splitter):
    sphinx = SearchChinese({})
    sphinx.latin_terms = []
    for text in TEXTS:
        ours = [w for w in splitter.split(text) if w.isascii()]
        theirs = [w for w in sphinx.split(text) if w.isascii()]
        assert ours == theirs


def test_stems_are_the_porter_stems_the_browser_computes(splitter):
    english = SearchEnglish({})  # Sphinx pairs this Python stemmer with js_porter_stemmer
    for word in LATIN_WORDS:
        assert splitter.stem(word) == english.stem(word)
    assert splitter.stem("Callaway") == "callawai"  # Porter2 gave "callaway": never found


NODE = shutil.which("node")
needs_node = pytest.mark.skipif(NODE is None, reason="Node.js is not installed")


def run_js(script: str) -> object:
    result = subprocess.run([NODE, "-e", script], capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


@needs_node
def test_browser_stemmer_agrees_with_the_index(splitter):
    script = (
        js_porter_stemmer
        + f"\nconst s = new Stemmer();\nconsole.log(JSON.stringify({json.dumps(LATIN_WORDS)}"
        ".map((w) => s.stemWord(w.toLowerCase()))));"
    )
    browser = run_js(script)
    index = [splitter.stem(word) for word in LATIN_WORDS]
    assert browser == index


@needs_node
def test_browser_query_split_finds_indexed_compounds(splitter):
    indexed = sorted({w for text in TEXTS for w in splitter.split(text)} | {"医疗", "保障"})
    queries = [
        "乡镇卫生院",
        "医保基金",
        "结余留用",
        "两包三单六贯通",
        "Callaway",
        "医疗保障 DiD",
        "卫生院结余留用",
    ]
    script = (
        f"var Search = {{_index: {{terms: Object.fromEntries({json.dumps(indexed)}"
        ".map((t) => [t, 0])), titleterms: {}}};\n"
        + JS_SPLITTER
        + f"\nconsole.log(JSON.stringify({json.dumps(queries)}.map(splitQuery)));"
    )
    split = dict(zip(queries, run_js(script)))
    for term in REFEREE_TERMS + ("Callaway",):
        assert split[term] == [term]  # indexed whole, so queried whole
    assert split["医疗保障 DiD"] == ["医疗", "保障", "DiD"]  # not indexed: its indexed parts
    assert split["卫生院结余留用"] == ["卫生院", "结余留用"]
