"""The book's front page (``book/index.md``): the summary of findings, what the book covers,
and the provenance key.

The one empirical comparison the papers allow is computed here from the claims by id:
Qianjiang's post-reform visit share (the 2022 value plus the reported rise) against 2017.

Examples
--------
>>> values = numbers()
>>> values["index-first-year"] <= values["index-last-year"], values["index-n-papers"]
(True, 4)
>>> comparison = post_reform_against_2017()
>>> comparison.post_value < comparison.first_value
True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure
from pandas.io.formats.style import Styler

from analysis import frameworks as fw
from analysis.chapters import limitations, public_context
from analysis.chapters.case import REFORM_MONTH, SHARES, TREATED_DISTRICT
from analysis.datasets import load_data
from analysis.plotting.provenance import key_figure
from analysis.plotting.style import use_book_style
from analysis.registry import DATASETS
from analysis.synthetic.config import load_config

THREAT_EVENTS = ("end_zero_covid", "infection_wave")


@dataclass(frozen=True)
class PostReformComparison:
    """Qianjiang's post-reform visit share against its first reported year.

    Attributes
    ----------
    first_year, first_value
        The earliest reported share (percent).
    last_pre_year, last_pre_value
        The last pre-reform share (percent).
    change
        The reported rise "compared with" the last pre-reform year (pp).
    post_value
        ``last_pre_value + change``.
    shortfall
        ``first_value - post_value`` (pp); positive when the post-reform share is still lower.
    """

    first_year: int
    first_value: float
    last_pre_year: int
    last_pre_value: float
    change: float
    post_value: float
    shortfall: float

    @property
    def still_below(self) -> bool:
        """Whether the post-reform share is below the first reported year's."""
        return self.post_value < self.first_value


def post_reform_against_2017(claims: pd.DataFrame | None = None) -> PostReformComparison:
    """The post-reform visit share against the earliest reported share, from the claims by id.

    Parameters
    ----------
    claims
        The claims ledger; read from ``data/claims/claims.csv`` unless given (tests pass edits).
    """
    qj = public_context.qianjiang_points(claims)
    return PostReformComparison(
        first_year=qj.years[0],
        first_value=qj.values[0],
        last_pre_year=qj.years[-1],
        last_pre_value=qj.values[-1],
        change=qj.change,
        post_value=qj.post_value,
        shortfall=round(qj.values[0] - qj.post_value, 10),
    )


def _event_dates() -> dict[str, pd.Timestamp]:
    events = load_data("qianjiang_events").frame.set_index("key")
    missing = [k for k in THREAT_EVENTS if k not in events.index]
    if missing:
        raise KeyError(f"data/public/qianjiang_events.csv: no row with key {missing}")
    return {k: pd.Timestamp(events.at[k, "date"]) for k in THREAT_EVENTS}


def _day(ts: pd.Timestamp) -> str:
    return f"{ts.day} {ts.strftime('%B %Y')}"


def _assumed_fund_shares() -> str:
    path = load_config()["treated"][TREATED_DISTRICT]["fund_share_post"]
    return " and ".join(f"{float(v):.1f}% in {y}" for y, v in sorted(path.items()))


def numbers() -> dict[str, Any]:
    """Counts for the overview and every number the summary of findings states."""
    papers = load_data("papers").frame
    claims = load_data("claims").frame
    cw = fw.load_crosswalk(
        load_data("lenses").frame, load_data("mechanisms").frame, load_data("hypotheses").frame
    )
    comparison = post_reform_against_2017(claims)
    events = _event_dates()
    fund = claims.set_index("claim_id")
    context = public_context.numbers()
    untestable = cw.hypotheses["analysis"].astype(str).str.strip().eq("none")
    return {
        "index-n-papers": len(papers),
        "index-first-year": int(papers["year"].min()),
        "index-last-year": int(papers["year"].max()),
        "index-n-claims": len(claims),
        "index-n-count-claims": int((claims["unit"] == "count").sum()),
        "index-n-share-points": sum(
            len(limitations.reported_share_points(claims, s)) for s in SHARES
        ),
        "index-n-lenses": len(cw.lenses),
        "index-n-theories": cw.lenses["lens_name_zh"].nunique(),
        "index-n-mechanisms": len(cw.mechanisms),
        "index-n-hypotheses": len(cw.hypotheses),
        "index-n-untestable": int(untestable.sum()),
        "index-journal": papers["journal"].iloc[0],
        "index-qj-first-year": comparison.first_year,
        "index-qj-first": f"{comparison.first_value:.1f}",
        "index-qj-last-year": comparison.last_pre_year,
        "index-qj-last": f"{comparison.last_pre_value:.1f}",
        "index-qj-change": f"{comparison.change:.1f}",
        "index-qj-post": f"{comparison.post_value:.1f}",
        "index-qj-shortfall": f"{abs(comparison.shortfall):.1f}",
        "index-qj-position": "still below" if comparison.still_below else "no longer below",
        "index-fund-last": f"{float(fund.at['qj_fund_share_2022', 'value']):.1f}",
        "index-fund-assumed": _assumed_fund_shares(),
        "index-end-zero-covid": _day(events["end_zero_covid"]),
        "index-wave-peak": _day(events["infection_wave"]),
        "index-reform-month": REFORM_MONTH.strftime("%B %Y"),
        "index-days-to-reform": (REFORM_MONTH - events["end_zero_covid"]).days,
        "index-n-synthetic": sum(d.provenance == "synthetic" for d in DATASETS),
        "index-national-first": context["public-first-value"],
        "index-national-first-year": context["public-first-year"],
        "index-national-last": context["public-last-value"],
        "index-national-last-year": context["public-last-year"],
    }


# The book's reading of each paper's reach (not the papers' words).
REACH: dict[str, tuple[str, str]] = {
    "yang2023": (
        "G County's service network, items delegated and cases handled",
        "any effect on where care or insurance money goes: no share, no comparison county",
    ),
    "gong2024": (
        "the history and layers of the national medical security system",
        "any measured effect: a conceptual paper with documents and years, no outcomes",
    ),
    "cui2021": (
        "Anhui's first pilot wave of tight county medical communities and its governance",
        "any effect on shares: no county outcome is reported",
    ),
    "luo2025": (
        "Qianjiang's shares in two pre-reform years, one later change, the budget rules",
        "a causal effect: one district, no comparison, unstated timing, no later fund share",
    ),
}


def short_citation(authors: str, year: int) -> str:
    """``"龚曦; 王红波 (GONG Xi, WANG Hong-bo)"`` -> ``"Gong & Wang 2024"``.

    Examples
    --------
    >>> short_citation("罗琳彬; 贺睿博 (LUO Lin-bin, HE Rei-bo, LI Hao-miao)", 2025)
    'Luo et al. 2025'
    """
    latin = authors[authors.index("(") + 1 : authors.rindex(")")]
    surnames = [name.strip().split(" ")[0].capitalize() for name in latin.split(",")]
    if len(surnames) == 1:
        return f"{surnames[0]} {year}"
    if len(surnames) == 2:
        return f"{surnames[0]} & {surnames[1]} {year}"
    return f"{surnames[0]} et al. {year}"


def table_papers() -> Styler:
    """Each paper: its lens, how many claims and shares it reports, and what it cannot support."""
    papers = load_data("papers").frame
    claims = load_data("claims").frame
    shares = pd.concat([limitations.reported_share_points(claims, s) for s in SHARES])
    missing = sorted(set(papers["paper_id"]) - set(REACH))
    if missing:
        raise KeyError(f"index.REACH has no entry for the papers {missing} of data/papers.csv")
    shown = pd.DataFrame(
        {
            "Paper": [short_citation(a, int(y)) for a, y in zip(papers["authors"], papers["year"])],
            "Lens": papers["lens"],
            "Claims": [int((claims["paper_id"] == p).sum()) for p in papers["paper_id"]],
            "Share points": [int((shares["paper_id"] == p).sum()) for p in papers["paper_id"]],
            "Reports": [REACH[p][0] for p in papers["paper_id"]],
            "Cannot support": [REACH[p][1] for p in papers["paper_id"]],
        }
    )
    return shown.style.hide(axis="index")


def figure_provenance_key() -> Figure:
    """The key to every figure: one legend entry per provenance class
    (``fig-index-provenance-key``)."""
    use_book_style()
    fig, ax = plt.subplots(figsize=(6.5, 1.9))
    key_figure(ax)
    return fig
