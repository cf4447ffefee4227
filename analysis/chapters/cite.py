"""How to cite the book (``book/appendix/cite.md``), rendered from ``CITATION.cff``.

The citation is written once, in ``CITATION.cff`` (which GitHub and Zenodo also read); the
page's text citation and BibTeX entry are generated from it, so they cannot disagree.

Examples
--------
>>> meta = {"title": "T", "version": "1.0.0", "date-released": "2026-12-01",
...         "authors": [{"name": "Team"}], "repository-code": "https://x.org/r",
...         "license": ["MIT", "CC-BY-4.0"]}
>>> text_citation(meta)
'Team (2026). *T* (version 1.0.0, released 2026-12-01). [x.org/r](https://x.org/r)'
>>> print(bibtex(meta))
@software{team2026,
  author  = {{Team}},
  title   = {{T}},
  version = {1.0.0},
  year    = {2026},
  date    = {2026-12-01},
  url     = {https://x.org/r},
  note    = {Licences: MIT; CC-BY-4.0}
}
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import yaml
from IPython.display import Markdown

from analysis import paths

CITATION = paths.ROOT / "CITATION.cff"


@cache
def citation() -> dict[str, Any]:
    """``CITATION.cff`` as parsed YAML (dates as ISO strings)."""
    meta = yaml.safe_load(CITATION.read_text(encoding="utf-8"))
    meta["date-released"] = str(meta["date-released"])
    return meta


def author_names(meta: dict[str, Any]) -> list[str]:
    """Each author as cited: an entity's name, or "Family, Given"."""
    names = []
    for author in meta["authors"]:
        if "name" in author:
            names.append(author["name"])
        else:
            names.append(f"{author['family-names']}, {author.get('given-names', '')}".strip(", "))
    return names


def _licences(meta: dict[str, Any]) -> list[str]:
    licence = meta.get("license", [])
    return [licence] if isinstance(licence, str) else list(licence)


def text_citation(meta: dict[str, Any]) -> str:
    """The citation as a sentence (Markdown).

    The link text is the address without its scheme: the theme shortens a link whose text
    is its address to "owner/repository", which is no citation.
    """
    year = meta["date-released"][:4]
    url = meta["repository-code"]
    return (
        f"{'; '.join(author_names(meta))} ({year}). *{meta['title']}* "
        f"(version {meta['version']}, released {meta['date-released']}). "
        f"[{url.split('://', 1)[-1]}]({url})"
    )


def bibtex(meta: dict[str, Any]) -> str:
    """The citation as a BibTeX ``@software`` entry (braced names keep their case)."""
    year = meta["date-released"][:4]
    first = re.sub(r"[^a-z]", "", author_names(meta)[0].split(",")[0].split()[0].lower())
    fields = {
        "author": " and ".join(f"{{{name}}}" for name in author_names(meta)),
        "title": f"{{{meta['title']}}}",
        "version": meta["version"],
        "year": year,
        "date": meta["date-released"],
        "url": meta["repository-code"],
        "note": "Licences: " + "; ".join(_licences(meta)),
    }
    body = ",\n".join(f"  {key:<7} = {{{value}}}" for key, value in fields.items())
    return f"@software{{{first}{year},\n{body}\n}}"


def numbers() -> dict[str, Any]:
    """The version and release date the page states."""
    meta = citation()
    return {"cite-version": str(meta["version"]), "cite-date": meta["date-released"]}


def citation_markdown() -> Markdown:
    """The text citation and the BibTeX entry, as the page shows them."""
    meta = citation()
    return Markdown(f"{text_citation(meta)}\n\n```bibtex\n{bibtex(meta)}\n```\n")


def licence_links() -> Markdown:
    """Where the two licences live in the repository."""
    base = citation()["repository-code"].rstrip("/") + "/blob/main"
    return Markdown(
        f"- Code: MIT licence, [`LICENSE`]({base}/LICENSE).\n"
        f"- Data and the book's text and figures: CC BY 4.0, "
        f"[`data/LICENSE.md`]({base}/data/LICENSE.md). The four papers' own words, quoted "
        "for scholarship, stay their authors'.\n"
    )
