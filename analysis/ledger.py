"""The claims ledger: every transcribed claim in one table, linked to the chapters that use it.

The table is rendered through :func:`analysis.chapters.tables.responsive_table` rather than
``DataFrame.to_html``, because each row needs a variable number of links (the ``used_in`` list)
and ``lang="zh"`` on the Chinese cells, and because the ledger must read on a phone: the long
columns sit behind each row's details and every cell is labelled for the card layout.
Escaping uses :func:`html.escape`, so source words containing ``<`` or ``&`` cannot break the
page.

Links are relative to the ledger page (``book/data/claims_ledger.html``), so the built site works
from any location, including straight from the file system.

Examples
--------
>>> import pandas as pd
>>> claims = pd.DataFrame({"claim_id": ["a", "b"], "paper_id": ["p", "p"],
...                        "provenance": ["reported", "assumed"],
...                        "note": ["Printed ambiguity: no year.", ""]})
>>> count_claims(claims).by_provenance
{'assumed': 1, 'reported': 1}
>>> printed_issues(claims)[["kind", "ids"]].to_dict("records")
[{'kind': 'ambiguity', 'ids': 'a'}]
"""

from __future__ import annotations

import html
import posixpath
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.chapters.tables import Cell, responsive_table, text

LEDGER_DOCNAME = "book/data/claims_ledger"
ISSUE_PATTERN = re.compile(r"^Printed (inconsistency|ambiguity):\s*")

#: Ledger columns: (header, claims column).
LEDGER_COLUMNS: tuple[tuple[str, str], ...] = (
    ("Claim", "claim_id"),
    ("Paper", "paper_id"),
    ("Section", "section"),
    ("As printed", "value_as_printed"),
    ("Source words (verbatim)", "source_zh"),
    ("English gloss", "gloss_en"),
    ("Provenance", "provenance"),
    ("Used in", "used_in"),
)
_CHINESE_COLUMNS = {"section", "value_as_printed", "source_zh"}
#: Long columns shown behind each row's details, so the table fits a screen.
LEDGER_DETAILS: tuple[str, ...] = ("Section", "Source words (verbatim)", "Used in")


@dataclass(frozen=True)
class LedgerCounts:
    """How many claims there are, in total and by paper and provenance class.

    Attributes
    ----------
    total
        Number of claims.
    by_paper
        ``paper_id -> count``, sorted by ``paper_id``.
    by_provenance
        ``provenance class -> count``, sorted by class name.
    """

    total: int
    by_paper: dict[str, int]
    by_provenance: dict[str, int]


def count_claims(claims: pd.DataFrame) -> LedgerCounts:
    """Count claims in total, per paper and per provenance class.

    Parameters
    ----------
    claims
        The claims table (needs ``paper_id`` and ``provenance``).

    Returns
    -------
    LedgerCounts
        The counts, with plain ``int`` values.
    """

    def tally(column: str) -> dict[str, int]:
        return {str(k): int(v) for k, v in sorted(claims[column].value_counts().items())}

    return LedgerCounts(
        total=len(claims), by_paper=tally("paper_id"), by_provenance=tally("provenance")
    )


def chapter_href(docname: str, from_docname: str = LEDGER_DOCNAME) -> str:
    """Relative link from one book page to another.

    Parameters
    ----------
    docname
        Target page, as in ``_toc.yml`` (e.g. ``book/evidence/its_qianjiang``).
    from_docname
        Page the link is written on.

    Returns
    -------
    str
        A relative ``.html`` path.

    Examples
    --------
    >>> chapter_href("book/evidence/its_qianjiang")
    '../evidence/its_qianjiang.html'
    >>> chapter_href("book/data/provenance")
    'provenance.html'
    """
    return posixpath.relpath(docname, posixpath.dirname(from_docname)) + ".html"


def chapter_titles(docnames: Iterable[str], root: Path) -> dict[str, str]:
    """Read each chapter's title (its first ``# `` heading) from the Markdown source.

    Parameters
    ----------
    docnames
        Chapters, e.g. ``book/evidence/its_qianjiang``.
    root
        Repository root holding the ``.md`` files.

    Returns
    -------
    dict
        ``docname -> title``; a chapter whose file or heading is missing maps to its docname.
    """
    titles: dict[str, str] = {}
    for docname in docnames:
        source = root / f"{docname}.md"
        title = docname
        if source.exists():
            match = re.search(r"^# (.+)$", source.read_text(encoding="utf-8"), flags=re.MULTILINE)
            title = match.group(1).strip() if match else docname
        titles[docname] = title
    return titles


def used_in_docnames(claims: pd.DataFrame) -> list[str]:
    """Every chapter named in the ``used_in`` column, sorted and without repeats."""
    return sorted({d for cell in claims["used_in"].fillna("") for d in cell.split(";") if d})


def _links(cell: str, titles: Mapping[str, str], from_docname: str) -> str:
    anchors = []
    for docname in filter(None, cell.split(";")):
        href = html.escape(chapter_href(docname, from_docname))
        anchors.append(f'<a href="{href}">{html.escape(titles.get(docname, docname))}</a>')
    return "<br>".join(anchors) if anchors else "&mdash;"


def _value_cell(row: pd.Series) -> str:
    """The value as printed; for an assumption (nothing printed), the assumed value, labelled."""
    value = "" if pd.isna(row["value_as_printed"]) else str(row["value_as_printed"])
    if value or row.get("provenance") == "reported":
        return value
    assumed = row.get("value")
    shown = f"{float(assumed):g}" if assumed not in (None, "") and pd.notna(assumed) else ""
    return f"{shown} ({row['provenance']})"


def _provenance_cell(row: pd.Series) -> str:
    """The row's class; a reading also says which number the words were read as."""
    provenance = str(row["provenance"])
    value = row.get("value")
    if provenance == "reading" and value not in (None, "") and pd.notna(value):
        return f"reading: the book reads the printed words as {float(value):g}"
    return provenance


def render_ledger(
    claims: pd.DataFrame,
    paper_labels: Mapping[str, str],
    titles: Mapping[str, str] | None = None,
    from_docname: str = LEDGER_DOCNAME,
) -> str:
    """Render every claim as one responsive HTML table, with links to the chapters that use it.

    The short columns stand in the table; the section, the verbatim source words and the links
    sit behind each row's *Details* (:func:`analysis.chapters.tables.responsive_table`), and on
    a phone each claim is a card.

    Parameters
    ----------
    claims
        The claims table (columns of :data:`LEDGER_COLUMNS`).
    paper_labels
        ``paper_id -> short citation`` shown in the Paper column.
    titles
        ``docname -> link text``; defaults to the docname.
    from_docname
        The page the table is shown on, for relative links.

    Returns
    -------
    str
        An HTML ``<table>``; every cell's text is escaped.

    Examples
    --------
    >>> row = {"claim_id": "x", "paper_id": "p", "section": "1 引言", "value_as_printed": "3%",
    ...        "source_zh": "增幅<3%", "gloss_en": "g", "provenance": "reported",
    ...        "used_in": "book/evidence/its_qianjiang"}
    >>> out = render_ledger(pd.DataFrame([row]), {"p": "P 2025"})
    >>> 'href="../evidence/its_qianjiang.html"' in out, "增幅&lt;3%" in out
    (True, True)
    """
    titles = titles or {}
    headers = [h for h, _ in LEDGER_COLUMNS]
    rows = []
    for _, row in claims.iterrows():
        cells = []
        for _, column in LEDGER_COLUMNS:
            value = "" if pd.isna(row[column]) else str(row[column])
            if column == "value_as_printed":
                cells.append(text(_value_cell(row), lang="zh" if value else None))
            elif column == "provenance":
                cells.append(text(_provenance_cell(row)))
            elif column == "used_in":
                cells.append(Cell(_links(value, titles, from_docname)))
            elif column == "paper_id":
                cells.append(text(paper_labels.get(value, value)))
            elif column == "claim_id":
                code = f"<code>{html.escape(value)}</code>"
                cells.append(Cell(code, id=f"claim-{value}"))
            else:
                cells.append(text(value, lang="zh" if column in _CHINESE_COLUMNS else None))
        rows.append(cells)
    return responsive_table(headers, rows, details=LEDGER_DETAILS, css_class="claims-ledger")


def short_citation(authors: str, year: int | str) -> str:
    """Short author-year label from the ``authors`` cell of ``papers.csv``.

    The romanised names in brackets are used (``SURNAME Given``); three or more authors give
    "et al.".

    Examples
    --------
    >>> short_citation("龚曦; 王红波 (GONG Xi, WANG Hong-bo)", 2024)
    'Gong & Wang 2024'
    >>> short_citation("罗琳彬; 贺睿博; 李浩淼 (LUO Lin-bin, HE Rei-bo, LI Hao-miao)", 2025)
    'Luo et al. 2025'
    """
    match = re.search(r"\(([^)]*)\)", authors)
    names = [n.strip() for n in (match.group(1) if match else authors).split(",") if n.strip()]
    surnames = [n.split()[0].capitalize() for n in names]
    if len(surnames) >= 3:
        return f"{surnames[0]} et al. {year}"
    return f"{' & '.join(surnames)} {year}"


def printed_issues(
    claims: pd.DataFrame, policy: pd.DataFrame | None = None, schemes: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Collect the printed inconsistencies and ambiguities flagged in the ``note`` columns.

    A note flags an issue when it starts with ``Printed inconsistency:`` or ``Printed ambiguity:``.
    Claims sharing the same note are listed together.

    Parameters
    ----------
    claims
        The claims table.
    policy, schemes
        Gong & Wang's Tables 1 and 2 as transcribed (optional): ``load_data("policy_documents")``
        and ``load_data("security_schemes")`` frames.

    Returns
    -------
    pandas.DataFrame
        Columns ``kind`` ("inconsistency" or "ambiguity"), ``where`` (claims, Table 1, Table 2),
        ``ids`` (comma-separated claim ids or table rows), ``paper_id`` and ``issue`` (the note
        without its prefix); inconsistencies first.
    """
    records: list[dict[str, str]] = []

    def collect(frame: pd.DataFrame, where: str, ident: pd.Series, paper: pd.Series) -> None:
        grouped: dict[tuple[str, str, str], list[str]] = {}
        for note, name, paper_id in zip(frame["note"].fillna(""), ident, paper):
            match = ISSUE_PATTERN.match(note)
            if match:
                text = note[match.end() :]
                grouped.setdefault(
                    (match.group(1), paper_id, text[:1].upper() + text[1:]), []
                ).append(str(name))
        for (kind, paper_id, text), names in grouped.items():
            records.append(
                {
                    "kind": kind,
                    "where": where,
                    "ids": ", ".join(names),
                    "paper_id": paper_id,
                    "issue": text,
                }
            )

    collect(claims, "claims", claims["claim_id"], claims["paper_id"])
    for frame, where, label in (
        (policy, "Table 1", "year_as_printed"),
        (schemes, "Table 2", "scheme"),
    ):
        if frame is not None:
            ident = "row " + frame["row"].astype(str) + " (" + frame[label] + ")"
            collect(frame, where, ident, pd.Series(["gong2024"] * len(frame), index=frame.index))
    columns = ["kind", "where", "ids", "paper_id", "issue"]
    out = pd.DataFrame.from_records(records, columns=columns)
    order = {"inconsistency": 0, "ambiguity": 1}
    return out.sort_values("kind", key=lambda s: s.map(order), kind="stable").reset_index(drop=True)
