"""Wide tables that read on a desktop and on a phone: one HTML helper for every long table.

A wide table of long text (the crosswalk, the claims ledger) either scrolls sideways or shows one
column per phone screen. :func:`responsive_table` avoids both:

* **split view**: only the short columns stand in the table; the long ones sit behind one
  ``<details>`` element per row ("Details"), as a labelled list, so a desktop row stays a line
  or two high and nothing is lost;
* **cards on narrow screens**: every cell carries ``data-label`` (its column's header), and the
  CSS of :data:`TABLE_CSS` turns each row into a card of labelled fields below
  :data:`NARROW_SCREEN`, so a phone shows whole rows, top to bottom, without sideways scrolling.

The CSS is inlined once per table (a ``<style>`` element with no external URL), so the pages
need no theme configuration and the built site stays self-contained.

Examples
--------
>>> html = responsive_table(["Id", "Text"], [["a", "long <text>"]], details=["Text"])
>>> 'data-label="Id"' in html and "&lt;text&gt;" in html and "<details>" in html
True
>>> summary_headers(html)
['Id', 'Details']
"""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pandas as pd

#: Width below which rows become cards; 48em is about 770 px at the default font size.
NARROW_SCREEN = "48em"
TABLE_CLASS = "rtable"
DETAILS_HEADER = "Details"

TABLE_CSS = f"""
table.{TABLE_CLASS}{{border-collapse:collapse;width:100%;font-size:.9em}}
table.{TABLE_CLASS} th,table.{TABLE_CLASS} td{{vertical-align:top;text-align:left;
padding:.35em .5em;border-bottom:1px solid #d0d0d0;overflow-wrap:break-word}}
table.{TABLE_CLASS} thead th{{border-bottom:2px solid #888}}
table.{TABLE_CLASS} details>summary{{cursor:pointer}}
table.{TABLE_CLASS} dl{{margin:.3em 0 0}}
table.{TABLE_CLASS} dt{{font-weight:600;font-size:.9em}}
table.{TABLE_CLASS} dd{{margin:0 0 .5em}}
@media (max-width:{NARROW_SCREEN}){{
table.{TABLE_CLASS},table.{TABLE_CLASS} tbody,table.{TABLE_CLASS} tr{{display:block;width:auto}}
table.{TABLE_CLASS} thead{{position:absolute;width:1px;height:1px;overflow:hidden;
clip:rect(0 0 0 0)}}
table.{TABLE_CLASS} tr{{border:1px solid #c8c8c8;border-radius:4px;margin:0 0 .8em;
padding:.3em .2em}}
table.{TABLE_CLASS} td,table.{TABLE_CLASS} tbody th{{border:none;padding:.15em .4em;
display:grid;grid-template-columns:minmax(5.5em,30%) minmax(0,1fr);column-gap:.5em;
overflow-wrap:anywhere}}
table.{TABLE_CLASS} td::before,table.{TABLE_CLASS} tbody th::before{{content:attr(data-label);
font-weight:600;font-size:.8em;color:#555}}
table.{TABLE_CLASS} td>details{{grid-column:1/-1}}
}}
""".strip()


@dataclass(frozen=True)
class Cell:
    """One cell whose content is already safe HTML.

    Attributes
    ----------
    html
        Markup, escaped by whoever built it (use :func:`text` for plain text).
    lang
        Language of the content (``"zh"`` for the papers' words), for fonts and screen readers.
    id
        Anchor id, so other pages can link to the row.
    """

    html: str
    lang: str | None = None
    id: str | None = None


def text(value: object, lang: str | None = None) -> Cell:
    """A cell of plain text, escaped; missing values become an empty cell."""
    shown = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
    return Cell(html_lib.escape(shown), lang=lang)


def _as_cell(value: Cell | object) -> Cell:
    return value if isinstance(value, Cell) else text(value)


def _attributes(cell: Cell, label: str) -> str:
    parts = [f'data-label="{html_lib.escape(label)}"']
    if cell.lang:
        parts.append(f'lang="{html_lib.escape(cell.lang)}"')
    if cell.id:
        parts.append(f'id="{html_lib.escape(cell.id)}"')
    return " ".join(parts)


def _details(pairs: Sequence[tuple[str, Cell]], label: str) -> Cell:
    items = "".join(
        f"<dt>{html_lib.escape(h)}</dt>"
        + (f'<dd lang="{html_lib.escape(c.lang)}">' if c.lang else "<dd>")
        + f"{c.html}</dd>"
        for h, c in pairs
        if c.html
    )
    return Cell(f"<details><summary>{html_lib.escape(label)}</summary><dl>{items}</dl></details>")


def responsive_table(
    headers: Sequence[str],
    rows: Iterable[Sequence[Cell | object]],
    *,
    details: Sequence[str] = (),
    row_header: bool = False,
    css_class: str = "",
    details_label: str | None = None,
) -> str:
    """Render rows as one responsive HTML table (split view on desktops, cards on phones).

    Parameters
    ----------
    headers
        Column headers, in the order of each row's cells.
    rows
        One sequence of cells per row: :class:`Cell` for ready markup, anything else is escaped.
    details
        Headers of the long columns to put behind a per-row ``<details>`` element, in a last
        column headed :data:`DETAILS_HEADER`; the other columns stay visible.
    row_header
        Render each row's first cell as ``<th scope="row">`` (tables whose rows are named).
    css_class
        Extra class names for the ``<table>``.
    details_label
        Text of each ``<summary>``; by default the hidden columns' headers, so a reader knows
        what opening it shows.

    Returns
    -------
    str
        A ``<style>`` element and the table; every body cell has ``data-label``.

    Raises
    ------
    ValueError
        When a row's length differs from ``headers`` or ``details`` names an unknown header.
    """
    unknown = [h for h in details if h not in headers]
    if unknown:
        raise ValueError(f"details names unknown columns {unknown}; headers are {list(headers)}")
    shown = [h for h in headers if h not in details]
    summary = details_label or " · ".join(details)
    visible = shown + ([DETAILS_HEADER] if details else [])
    body = []
    for number, row in enumerate(rows, start=1):
        cells = [_as_cell(v) for v in row]
        if len(cells) != len(headers):
            raise ValueError(f"row {number} has {len(cells)} cells for {len(headers)} headers")
        by_header = dict(zip(headers, cells))
        out = [by_header[h] for h in shown]
        if details:
            out.append(_details([(h, by_header[h]) for h in details], summary))
        tags = []
        for i, (label, cell) in enumerate(zip(visible, out)):
            tag = "th" if row_header and i == 0 else "td"
            scope = ' scope="row"' if tag == "th" else ""
            tags.append(f"<{tag}{scope} {_attributes(cell, label)}>{cell.html}</{tag}>")
        body.append("<tr>" + "".join(tags) + "</tr>")
    head = "".join(f'<th scope="col">{html_lib.escape(h)}</th>' for h in visible)
    classes = " ".join(filter(None, (TABLE_CLASS, css_class)))
    return (
        f"<style>{TABLE_CSS}</style>\n"
        f'<table class="{classes}">\n<thead><tr>{head}</tr></thead>\n<tbody>\n'
        + "\n".join(body)
        + "\n</tbody>\n</table>"
    )


def frame_table(
    frame: pd.DataFrame,
    *,
    details: Sequence[str] = (),
    index: bool = False,
    lang: dict[str, str] | None = None,
    css_class: str = "",
) -> str:
    """:func:`responsive_table` of a DataFrame, every value escaped.

    Parameters
    ----------
    frame
        The table; its column names are the headers.
    details
        Columns to put behind each row's ``<details>``.
    index
        Show the index as the first column, as a row header (its name, or "", as header).
    lang
        ``column -> language`` for columns in another language than English.
    css_class
        Extra class names for the ``<table>``.
    """
    lang = lang or {}
    headers = [str(c) for c in frame.columns]
    rows = []
    for key, row in frame.iterrows():
        cells = [text(row[c], lang.get(str(c))) for c in frame.columns]
        rows.append([text(key), *cells] if index else cells)
    if index:
        headers = [str(frame.index.name or ""), *headers]
    return responsive_table(headers, rows, details=details, row_header=index, css_class=css_class)


_HEAD = re.compile(r"<thead>(.*?)</thead>", re.S)
_TH = re.compile(r"<th[^>]*>(.*?)</th>", re.S)


def summary_headers(table_html: str) -> list[str]:
    """Headers a reader sees without opening any details (for tests and checks)."""
    head = _HEAD.search(table_html)
    return [html_lib.unescape(h) for h in _TH.findall(head.group(1))] if head else []
