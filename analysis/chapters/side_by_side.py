"""The frameworks side by side (``book/frameworks/side_by_side.md``): the crosswalk as tables.

The page compares the four lens applications along shared dimensions, draws the concept map
from mechanisms to analyses, and lists the hypotheses the book derives from them.

Examples
--------
>>> numbers()["sbs-n-lenses"], numbers()["sbs-first-h"]
(4, 'H1')
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from IPython.display import HTML
from matplotlib.figure import Figure

from analysis import frameworks as fw
from analysis.chapters.sources import crosswalk
from analysis.chapters.tables import frame_table
from analysis.datasets import load_data
from analysis.ledger import short_citation
from analysis.plotting.diagrams import draw_concept_map

#: The shared dimensions the chapter compares, with reader-facing names.
SHARED_DIMENSIONS: dict[str, str] = {
    "unit_of_analysis": "Unit of analysis",
    "actors": "Actors",
    "role_of_financing": "Role of financing",
    "role_of_public": "Role of the public",
    "how_change_happens": "How change happens",
}


def _analyses(tests: list[str]) -> str:
    return ", ".join("ITS" if t == "its" else "DiD" for t in tests)


def comparison_table(
    cw: fw.Crosswalk, dimensions: dict[str, str] | None = None, mark_synthesis: bool = True
) -> pd.DataFrame:
    """Lenses side by side along shared dimensions: one row per dimension, one column per lens.

    Parameters
    ----------
    cw
        The crosswalk.
    dimensions
        Column name to row label; defaults to :data:`SHARED_DIMENSIONS`.
    mark_synthesis
        Append :data:`analysis.frameworks.SYNTHESIS_MARK` to cells whose basis is the book's
        reading (:data:`analysis.frameworks.READING`).

    Returns
    -------
    pandas.DataFrame
        Index: dimension labels; columns: English lens names with their paper's citation.
    """
    dimensions = dimensions or SHARED_DIMENSIONS
    table = {}
    for _, lens in cw.lenses.iterrows():
        column = {}
        for key, label in dimensions.items():
            text = str(lens[key])
            if mark_synthesis and lens.get(f"{key}_basis") == fw.READING:
                text += f" {fw.SYNTHESIS_MARK}"
            column[label] = text
        table[
            f"{lens['lens_name_en']} ({paper_citations().get(lens['paper_id'], lens['paper_id'])})"
        ] = column
    return pd.DataFrame(table).rename_axis("Dimension")


def crosswalk_table(cw: fw.Crosswalk) -> pd.DataFrame:
    """The full crosswalk: one row per lens with theorists, unit, drivers, mechanisms, actors,
    outcomes and the analyses that can test it.

    Returns
    -------
    pandas.DataFrame
        Columns: Lens, Paper, Theorists, Unit of analysis, Drivers, Mechanisms, Actors,
        Outcomes claimed, Testable here by.
    """
    rows = []
    for _, lens in cw.lenses.iterrows():
        mech = cw.mechanisms_of(lens["lens_id"])
        tests = sorted(
            {t for cell in mech["testable_by"] for t in fw.split_cell(cell) if t in fw.ANALYSES}
        )
        rows.append(
            {
                "Lens": f"{lens['lens_name_en']} ({lens['lens_name_zh']})",
                "Paper": paper_citations().get(lens["paper_id"], lens["paper_id"]),
                "Theorists": lens["theorists"],
                "Unit of analysis": lens["unit_of_analysis"],
                "Drivers": lens["drivers"],
                "Mechanisms": "; ".join(
                    f"{zh} ({en})" for zh, en in zip(mech["mechanism_zh"], mech["mechanism_en"])
                ),
                "Actors": lens["actors"],
                "Outcomes claimed": lens["outcomes_claimed"],
                "Testable here by": _analyses(tests) or "nothing in this book's data",
            }
        )
    return pd.DataFrame(rows)


def hypothesis_table(cw: fw.Crosswalk, lens_id: str | None = None) -> pd.DataFrame:
    """The derived hypotheses, optionally for one lens.

    Returns
    -------
    pandas.DataFrame
        Columns: Id, Lens, Series, Predicted, Form, Statement, Tested by, Data in this book.
    """
    hyp = cw.hypotheses
    if lens_id is not None:
        cw.lens(lens_id)
        hyp = hyp.loc[hyp["lens_id"] == lens_id]
    names = dict(zip(cw.lenses["lens_id"], cw.lenses["lens_name_en"]))
    return pd.DataFrame(
        {
            "Id": hyp["hypothesis_id"],
            "Lens": hyp["lens_id"].map(names),
            "Series": hyp["series"].map(
                lambda c: "; ".join(fw.SERIES_LABELS.get(s, s) for s in fw.split_cell(c))
            ),
            "Predicted": hyp["predicted_direction"],
            "Form": hyp["effect_form"],
            "Statement": hyp["statement_en"],
            "Tested by": hyp["testable_by"].map(
                lambda c: c if c == fw.NOT_TESTABLE else _analyses(fw.split_cell(c))
            ),
            "Data in this book": hyp["data_in_book"],
        }
    ).reset_index(drop=True)


#: How each predicted direction reads in prose, after "<authors>' lens".
DIRECTION_WORDS: dict[str, str] = {
    "+": "implies a rise",
    "-": "implies a fall",
    "0": "implies no change",
    "ambiguous": "gives no signed prediction",
}


def fund_share_predictions(cw: fw.Crosswalk) -> pd.DataFrame:
    """The hypotheses that predict a reform effect on the fund share, one row per lens.

    Pre-reform trends (``effect_form`` "pre-reform trend") are not reform predictions and are
    left out.

    Returns
    -------
    pandas.DataFrame
        Columns ``lens_id``, ``paper_id``, ``hypothesis_id``, ``predicted_direction`` and
        ``effect_form``, in :data:`analysis.frameworks.LENS_ORDER`.
    """
    hyp = cw.hypotheses
    names_fund = hyp["series"].map(lambda c: "fund_share" in fw.split_cell(c))
    chosen = hyp.loc[names_fund & (hyp["effect_form"] != "pre-reform trend")]
    papers = dict(zip(cw.lenses["lens_id"], cw.lenses["paper_id"]))
    out = chosen.assign(paper_id=chosen["lens_id"].map(papers))
    order = {lens_id: i for i, lens_id in enumerate(fw.LENS_ORDER)}
    out = out.sort_values("lens_id", key=lambda s: s.map(order), kind="stable")
    columns = ["lens_id", "paper_id", "hypothesis_id", "predicted_direction", "effect_form"]
    return out[columns].reset_index(drop=True)


def fund_share_sentence(cw: fw.Crosswalk, citations: dict[str, str]) -> str:
    """One sentence, computed from the hypotheses, on what the lenses predict for the fund share.

    Parameters
    ----------
    cw
        The crosswalk.
    citations
        ``paper_id -> author label`` (e.g. "Luo et al."), without year.

    Examples
    --------
    >>> cw = crosswalk()
    >>> labels = {p: p for p in cw.lenses["paper_id"]}
    >>> fund_share_sentence(cw, labels).endswith("No two have opposite signs.")
    True
    """
    rows = fund_share_predictions(cw)
    if rows.empty:
        return "No lens bears on the fund share."
    parts = []
    for r in rows.itertuples():
        words = DIRECTION_WORDS[r.predicted_direction]
        if r.effect_form.startswith("conditional"):
            words += f" {r.effect_form}"
        author = citations.get(r.paper_id, r.paper_id)
        possessive = author + ("'" if author.endswith("s") else "'s")
        parts.append(f"{possessive} lens {words} ({r.hypothesis_id})")
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    signs = set(rows["predicted_direction"]) & {"+", "-"}
    verdict = (
        "Two of them have opposite signs." if len(signs) == 2 else "No two have opposite signs."
    )
    number = {1: "one lens bears", 2: "two lenses bear", 3: "three lenses bear"}
    lead = number.get(len(rows), f"{len(rows)} lenses bear")
    return f"Read as hypotheses, {lead} on the fund share: {listed}. {verdict}"


def paper_citations() -> dict[str, str]:
    """``paper_id -> "Luo et al. 2025"``: what a reader sees instead of the id."""
    papers = load_data("papers").frame
    return {r.paper_id: short_citation(r.authors, r.year) for r in papers.itertuples()}


def author_labels() -> dict[str, str]:
    """``paper_id -> "Luo et al."``: the short citation without its year."""
    papers = load_data("papers").frame
    return {
        r.paper_id: short_citation(r.authors, r.year).rsplit(" ", 1)[0].replace(" & ", " and ")
        for r in papers.itertuples()
    }


def numbers() -> dict[str, Any]:
    """Every number the page glues: counts of lenses, mechanisms and hypotheses."""
    cw = crosswalk()
    mech, hyp = cw.mechanisms, cw.hypotheses
    names_series = mech["series"].map(lambda c: any(s in fw.SERIES for s in fw.split_cell(c)))
    hyp_testable = hyp["testable_by"] != fw.NOT_TESTABLE
    out: dict[str, Any] = {
        "sbs-n-lenses": len(cw.lenses),
        "sbs-n-mechanisms": len(mech),
        "sbs-n-series-mechanisms": int(names_series.sum()),
        "sbs-n-testable-mechanisms": int((mech["testable_by"] != fw.NOT_TESTABLE).sum()),
        "sbs-n-hypotheses": len(hyp),
        "sbs-n-hyp-testable": int(hyp_testable.sum()),
        "sbs-n-hyp-untestable": int((~hyp_testable).sum()),
        "sbs-n-hyp-synthetic-only": int(hyp["data_in_book"].str.startswith("synthetic only").sum()),
        "sbs-first-h": hyp["hypothesis_id"].iloc[0],
        "sbs-last-h": hyp["hypothesis_id"].iloc[-1],
        "sbs-fund-share-predictions": fund_share_sentence(cw, author_labels()),
        "sbs-fund-share-definition": fw.FUND_SHARE_EN,
        "sbs-fund-share-words": fw.FUND_SHARE_ZH,
    }
    for lens_id, n in mech.groupby("lens_id").size().items():
        out["sbs-n-mech-" + lens_id.replace("_", "-")] = int(n)
    return out


def table_crosswalk() -> HTML:
    """The crosswalk: short columns in the table, the long lists behind each row's details."""
    table = crosswalk_table(crosswalk())
    long = ["Theorists", "Drivers", "Mechanisms", "Actors", "Outcomes claimed"]
    return HTML(frame_table(table, details=long, css_class="crosswalk"))


def table_comparison() -> HTML:
    """The lenses along the shared dimensions: a card per dimension on a phone."""
    return HTML(frame_table(comparison_table(crosswalk()), index=True, css_class="comparison"))


def table_hypotheses() -> HTML:
    """The derived hypotheses; series, form and data behind each row's details."""
    table = hypothesis_table(crosswalk())
    return HTML(
        frame_table(table, details=["Series", "Form", "Data in this book"], css_class="hypotheses")
    )


def figure_concept_map() -> Figure:
    """Mechanisms → observable indicators → analyses (``fig-sbs-concept-map``)."""
    return draw_concept_map(crosswalk())
