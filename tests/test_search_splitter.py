"""The faster Chinese search splitter gives the same words and stems as Sphinx's own."""

from __future__ import annotations

from sphinx.search.zh import SearchChinese

from analysis.build.search_zh import SearchChineseIndexed

TEXTS = (
    "黔江区基层医疗卫生机构诊疗人次占比从43.3%下降至36.9%",
    "The DRG and DIP payment reforms; Callaway and Sant'Anna estimators for staggered DiD",
    "医保基金 fund share of primary-care institutions, running runs ran ITS its",
    "ab ABC abc xyzzy 乡镇卫生院 结余留用 两包三单六贯通",
)


def _index(language_class: type[SearchChinese]) -> list[tuple[str, str]]:
    language = language_class({})
    # Sphinx's class keeps its terms in a class-level list shared by every instance; start
    # both from the same empty state.
    language.latin_terms = type(language.latin_terms)()
    words = [w for text in TEXTS for w in language.split(text)]
    return [(w, language.stem(w)) for w in words]


def test_indexed_splitter_equals_sphinx_splitter():
    assert _index(SearchChineseIndexed) == _index(SearchChinese)
    assert ("DRG", "drg") in _index(SearchChineseIndexed)
