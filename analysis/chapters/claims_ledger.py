"""The claims ledger (``book/data/claims_ledger.md``): every transcribed claim in one table.

The rendering itself is :mod:`analysis.ledger`; this module feeds it the registry's tables and
computes the counts the page quotes.

Examples
--------
>>> values = numbers()
>>> parts = ("reported", "reading", "assumed")
>>> values["ledger-n-claims"] == sum(values[f"ledger-n-{p}"] for p in parts)
True
>>> values["ledger-qj-reform-year"] == REFORM_YEAR
True
"""

from __future__ import annotations

from functools import cache
from typing import Any

import pandas as pd
from IPython.display import HTML

from analysis import ledger, paths
from analysis.chapters.case import POST_YEAR_ASSUMED, REFORM_YEAR, SHARES
from analysis.chapters.sources import claims as claim_table
from analysis.chapters.tables import frame_table
from analysis.datasets import load_data


@cache
def paper_labels() -> dict[str, str]:
    """``paper_id -> short citation``, e.g. ``"Luo et al. 2025"``."""
    papers = load_data("papers").frame
    return {
        row.paper_id: ledger.short_citation(row.authors, row.year) for row in papers.itertuples()
    }


@cache
def gong_tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Gong & Wang's Table 1 (policy documents) and Table 2 (schemes), as printed."""
    return load_data("policy_documents").frame, load_data("security_schemes").frame


def issues() -> pd.DataFrame:
    """The printed inconsistencies and ambiguities flagged in the claims and Gong's tables."""
    return ledger.printed_issues(claim_table(), *gong_tables())


def numbers() -> dict[str, Any]:
    """Every number the page glues: counts by paper, class and issue, and Qianjiang's timing."""
    claims = claim_table()
    policy, schemes = gong_tables()
    counts = ledger.count_claims(claims)
    found = issues()
    by_id = claims.set_index("claim_id")
    first_id, last_pre_id = SHARES["visit_share"].claim_ids
    out: dict[str, Any] = {"ledger-n-claims": counts.total}
    out.update({f"ledger-n-{paper_id}": n for paper_id, n in counts.by_paper.items()})
    out.update(
        {
            f"ledger-n-{provenance}": counts.by_provenance.get(provenance, 0)
            for provenance in ("reported", "reading", "assumed")
        }
    )
    out.update(
        {
            "ledger-n-inconsistencies": int((found["kind"] == "inconsistency").sum()),
            "ledger-n-ambiguities": int((found["kind"] == "ambiguity").sum()),
            "ledger-n-policy-rows": len(policy),
            "ledger-n-policy-documents": int(policy["n_documents"].astype(int).sum()),
            "ledger-n-schemes": len(schemes),
            "ledger-n-schemes-moved": int((schemes["layer_changed"] == "true").sum()),
            "ledger-n-chapters": len(ledger.used_in_docnames(claims)),
            "ledger-qj-change": float(by_id.at["qj_visit_share_change_post", "value"]),
            "ledger-qj-assumed-year": POST_YEAR_ASSUMED,
            "ledger-qj-first-year": int(by_id.at[first_id, "period"]),
            "ledger-qj-last-pre-year": int(by_id.at[last_pre_id, "period"]),
            "ledger-qj-reform-year": REFORM_YEAR,
        }
    )
    return out


def table_ledger() -> HTML:
    """Every claim, with links to the chapters that use it (a card per claim on a phone)."""
    claims = claim_table()
    titles = ledger.chapter_titles(ledger.used_in_docnames(claims), paths.ROOT)
    return HTML(ledger.render_ledger(claims, paper_labels(), titles))


def table_issues() -> HTML:
    """The printed inconsistencies and open points."""
    found = issues()
    shown = found.assign(paper=found["paper_id"].map(paper_labels()))[
        ["kind", "where", "ids", "paper", "issue"]
    ]
    shown.columns = ["Kind", "Where", "Claims or rows", "Paper", "Issue"]
    return HTML(frame_table(shown, css_class="claims-issues"))
