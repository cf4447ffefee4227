"""The frameworks side by side (``book/frameworks/side_by_side.md``): the crosswalk as tables.

The page compares the four lens applications along shared dimensions, draws the concept map
from mechanisms to analyses, and lists the pre-specified hypotheses.

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
        Append :data:`analysis.frameworks.SYNTHESIS_MARK` to cells whose basis is
        "compendium synthesis".

    Returns
    -------
    pandas.DataFrame
        Index: dimension labels; columns: English lens names with their paper id.
    """
    dimensions = dimensions or SHARED_DIMENSIONS
    table = {}
    for _, lens in cw.lenses.iterrows():
        column = {}
        for key, label in dimensions.items():
            text = str(lens[key])
            if mark_synthesis and lens.get(f"{key}_basis") == "compendium synthesis":
                text += f" {fw.SYNTHESIS_MARK}"
            column[label] = text
        table[f"{lens['lens_name_en']} ({lens['paper_id']})"] = column
    return pd.DataFrame(table)


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
                "Paper": lens["paper_id"],
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
    """The pre-specified hypotheses, optionally for one lens.

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
            "Series": hyp["series"].map(lambda c: ", ".join(fw.split_cell(c))),
            "Predicted": hyp["predicted_direction"],
            "Form": hyp["effect_form"],
            "Statement": hyp["statement_en"],
            "Tested by": hyp["testable_by"].map(
                lambda c: c if c == fw.NOT_TESTABLE else _analyses(fw.split_cell(c))
            ),
            "Data in this book": hyp["data_in_book"],
        }
    ).reset_index(drop=True)


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
    }
    for lens_id, n in mech.groupby("lens_id").size().items():
        out["sbs-n-mech-" + lens_id.replace("_", "-")] = int(n)
    return out


def _scrollable(frame: pd.DataFrame, **kwargs: Any) -> HTML:
    return HTML(
        '<div style="overflow-x:auto">' + frame.to_html(escape=True, border=0, **kwargs) + "</div>"
    )


def table_crosswalk() -> HTML:
    """The crosswalk table, horizontally scrollable."""
    return _scrollable(crosswalk_table(crosswalk()), index=False)


def table_comparison() -> HTML:
    """The lenses along the shared dimensions."""
    return _scrollable(comparison_table(crosswalk()))


def table_hypotheses() -> HTML:
    """The pre-specified hypotheses."""
    return _scrollable(hypothesis_table(crosswalk()), index=False)


def figure_concept_map() -> Figure:
    """Mechanisms → observable indicators → analyses (``fig-sbs-concept-map``)."""
    return draw_concept_map(crosswalk())
