"""Sphinx extension: the Chinese search splitter that finds the glossary's compounds.

Sphinx's ``SearchChinese`` (``html_search_language: zh``) splits Chinese text with jieba. Three
things kept the book's own terms from being found, and this subclass fixes each:

1. **Compounds.** jieba's general dictionary does not know policy compounds such as
   乡镇卫生院 or 结余留用, so the text was indexed as 乡镇 + 卫生院 and the query 乡镇卫生院
   (which the browser keeps as one word) matched nothing. Every Chinese piece of
   ``data/glossary.csv``'s ``term_zh`` (plus :data:`EXTRA_COMPOUNDS`) is added to jieba's
   dictionary before indexing, in sorted order, so the index holds the compound *and* its
   parts (``cut_for_search``), the same on every build.
2. **The query side.** The browser cannot run jieba. :data:`JS_SPLITTER` replaces Sphinx's
   ``splitQuery``: a Chinese run that is an indexed word stays whole; any other run is cut
   into the longest indexed words it contains (greedy longest match against the index), so
   a compound nobody listed still finds the pages that contain all of its parts.
3. **English stems.** ``SearchChinese`` stems with Snowball's *English* (Porter2) stemmer in
   Python but ships the original *Porter* stemmer to the browser; the two disagree on words
   such as Callaway (``callaway`` against ``callawai``), so those words were unfindable.
   This class stems with Snowball's ``porter`` algorithm, the one the browser runs (as
   Sphinx's own English search does), and without ``SearchChinese``'s exception for short
   stems, which the browser does not make either.

It also keeps Latin terms in a set and memoises stems (Sphinx's list made indexing grow with
the square of the book's length).

Examples
--------
>>> terms = _TermSet()
>>> terms.extend(["DRG", "DIP", "DRG"])
>>> sorted(terms), "DIP" in terms
(['DIP', 'DRG'], True)
>>> compound_pieces("保基本、强基层、建机制")
['保基本', '强基层', '建机制']
>>> compound_pieces("DRG/DIP"), compound_pieces("基数+因数")
([], ['基数', '因数'])
"""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

import snowballstemmer
from sphinx.search import languages
from sphinx.search.zh import SearchChinese

from analysis import paths

GLOSSARY = paths.DATA / "glossary.csv"
#: The ``html_search_options`` key through which the build names the book's own glossary.
GLOSSARY_OPTION = "compendium_glossary"

#: Compounds the book's text uses that are not glossary terms but readers search for.
EXTRA_COMPOUNDS = ("医保基金",)

# The browser's splitQuery cuts the query on what is not a letter, digit or underscore;
# Python's \w is the same class, so a dictionary piece is exactly a query word.
_NOT_WORD = re.compile(r"[^\w]+")
_HAN = re.compile(r"[\u3400-\u9fff]")


def compound_pieces(term: str) -> list[str]:
    """The Chinese words of a term as the browser will split a query for it."""
    return [piece for piece in _NOT_WORD.split(term) if len(piece) > 1 and _HAN.search(piece)]


def user_words(glossary: Path = GLOSSARY) -> list[str]:
    """Every compound to add to jieba's dictionary: glossary pieces and the extras, sorted."""
    words = set(EXTRA_COMPOUNDS)
    if glossary.is_file():
        with glossary.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                words.update(compound_pieces(row["term_zh"]))
    return sorted(words)


def add_user_words(words: list[str]) -> None:
    """Add ``words`` to jieba's default dictionary, in the order given (one order, one index)."""
    import jieba

    jieba.setLogLevel(60)  # no "Building prefix dict" chatter in the build log
    for word in words:
        # Without a frequency jieba suggests one just high enough to keep the word whole.
        jieba.add_word(word)


# Runs in the browser as language_data.js's splitQuery (see the module docstring, item 2).
JS_SPLITTER = r"""
function splitQuery(query) {
  const words = query
    .split(/[^\p{Letter}\p{Number}_\p{Emoji_Presentation}]+/gu)
    .filter((term) => term);
  const index = typeof Search !== "undefined" && Search._index ? Search._index : null;
  if (!index) return words;
  const known = (word) =>
    Object.prototype.hasOwnProperty.call(index.terms, word) ||
    Object.prototype.hasOwnProperty.call(index.titleterms, word);
  const han = /\p{Script=Han}/u;
  const pieces = [];
  words.forEach((word) => {
    if (!han.test(word) || known(word)) {
      pieces.push(word);
      return;
    }
    let start = 0;
    let rest = "";
    while (start < word.length) {
      let end = word.length;
      while (end > start + 1 && !known(word.slice(start, end))) end -= 1;
      if (end > start + 1) {
        if (rest.length > 1) pieces.push(rest);
        rest = "";
        pieces.push(word.slice(start, end));
      } else {
        rest += word[start];
      }
      start = end;
    }
    if (rest.length > 1) pieces.push(rest);
  });
  return pieces.length ? pieces : words;
}
"""


class _TermSet(set):
    """A set with the list method ``SearchChinese.split`` calls."""

    def extend(self, terms: Any) -> None:
        self.update(terms)


class SearchChineseIndexed(SearchChinese):
    """``SearchChinese`` with the glossary's compounds, the browser's stemmer and set lookups."""

    js_splitter_code = JS_SPLITTER

    def init(self, options: dict[str, str]) -> None:
        super().init(options)
        self.user_words = frozenset(user_words(Path(options.get(GLOSSARY_OPTION, GLOSSARY))))
        add_user_words(sorted(self.user_words))
        # The algorithm of the JavaScript stemmer Sphinx ships for zh (js_porter_stemmer).
        self.stemmer = snowballstemmer.stemmer("porter")
        self.latin_terms = _TermSet()
        self._stems: dict[str, str] = {}

    def split(self, input: str) -> list[str]:
        words = super().split(input)
        # cut_for_search adds only the 2- and 3-character words inside a longer one; a
        # glossary term inside a longer term (医疗保障 in 多层次医疗保障体系) is added here.
        return words + [inner for word in words if len(word) > 4 for inner in self._inner(word)]

    def _inner(self, word: str) -> list[str]:
        return [
            word[start : start + size]
            for size in range(4, len(word))
            for start in range(len(word) - size + 1)
            if word[start : start + size] in self.user_words
        ]

    def stem(self, word: str) -> str:
        # Always the browser's stem: Sphinx's exception for short stems (ITS kept as "its")
        # indexed words under a key the browser's query ("it") never looks up.
        lowered = word.lower()
        stemmed = self._stems.get(lowered)
        if stemmed is None:
            stemmed = self._stems[lowered] = self.stemmer.stemWord(lowered)
        return stemmed


def _on_config_inited(app: Any, config: Any) -> None:
    # The glossary of the tree being built (a scratch copy has its own), not the package's.
    config.html_search_options = {
        **(config.html_search_options or {}),
        GLOSSARY_OPTION: str(Path(app.srcdir) / "data" / "glossary.csv"),
    }


def setup(app: Any) -> dict[str, Any]:
    """Register the splitter for ``html_search_language: zh``."""
    languages["zh"] = SearchChineseIndexed
    app.connect("config-inited", _on_config_inited)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "2"}
