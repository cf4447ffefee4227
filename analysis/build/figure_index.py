"""Which chapter draws which figure, from which datasets: read off the chapter sources.

The "Reproduce this book" appendix renders this index, so it follows the chapters as they
change instead of being typed by hand.

Examples
--------
>>> text = '''
... ```{code-cell} ipython3
... ds = load_data("district_monthly")
... ```
... ```{glue:figure} fig_its
... :name: fig-its-visits
...
... Visit share, synthetic.
... ```
... '''
>>> figures_in_source(text)
[('fig-its-visits', 'Visit share, synthetic.')]
>>> datasets_in_source(text)
['district_monthly']
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from analysis import paths

_LOAD_DATA = re.compile(r"""load_data\(\s*["']([a-z0-9_]+)["']""")
_DIRECTIVE = re.compile(
    r"^(`{3,}|:{3,})\{(glue:figure|figure)\}[^\n]*\n(.*?)^\1\s*$", re.MULTILINE | re.DOTALL
)
_CELL_FIGURE = re.compile(
    r"^\s*name:\s*([A-Za-z0-9_\-]+)\s*\n\s*caption:\s*\|?\s*\n?\s*(.+)$", re.MULTILINE
)


def datasets_in_source(text: str) -> list[str]:
    """Return the registry names a chapter loads, in first-use order."""
    return list(dict.fromkeys(_LOAD_DATA.findall(text)))


def figures_in_source(text: str) -> list[tuple[str, str]]:
    """Return ``(label, caption)`` for every numbered figure a chapter declares."""
    figures: list[tuple[str, str]] = []
    for _, _, body in _DIRECTIVE.findall(text):
        name = re.search(r"^:name:\s*(\S+)", body, re.MULTILINE)
        caption_lines = [
            line for line in body.splitlines() if line.strip() and not line.lstrip().startswith(":")
        ]
        figures.append(
            (name.group(1) if name else "", caption_lines[0].strip() if caption_lines else "")
        )
    for name, caption in _CELL_FIGURE.findall(text):
        figures.append((name, caption.strip()))
    return figures


def figure_index(book: Path = paths.BOOK) -> pd.DataFrame:
    """Tabulate every figure in the book with its chapter and the datasets that chapter loads.

    Parameters
    ----------
    book
        Folder holding the chapter sources.

    Returns
    -------
    pandas.DataFrame
        Columns ``chapter``, ``figure``, ``caption``, ``datasets``.
    """
    rows = []
    for source in sorted(book.rglob("*.md")):
        if "_build" in source.parts:
            continue
        text = source.read_text(encoding="utf-8")
        # A page's data loading lives in its chapter module, named like the page.
        module = Path(__file__).parents[1] / "chapters" / f"{source.stem}.py"
        code = module.read_text(encoding="utf-8") if module.exists() else ""
        datasets = ", ".join(datasets_in_source(text + "\n" + code))
        chapter = source.relative_to(book).with_suffix("").as_posix()
        for label, caption in figures_in_source(text):
            rows.append(
                {"chapter": chapter, "figure": label, "caption": caption, "datasets": datasets}
            )
    return pd.DataFrame(rows, columns=["chapter", "figure", "caption", "datasets"])
