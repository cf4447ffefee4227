"""The book's front page (``book/index.md``): what the book covers, and the provenance key.

Examples
--------
>>> values = numbers()
>>> values["index-first-year"] <= values["index-last-year"], values["index-n-papers"]
(True, 4)
"""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from analysis import frameworks as fw
from analysis.datasets import load_data
from analysis.plotting.provenance import key_figure
from analysis.plotting.style import use_book_style


def numbers() -> dict[str, Any]:
    """Counts of papers, claims, lenses, theories, mechanisms and hypotheses."""
    papers = load_data("papers").frame
    claims = load_data("claims").frame
    cw = fw.load_crosswalk(
        load_data("lenses").frame, load_data("mechanisms").frame, load_data("hypotheses").frame
    )
    return {
        "index-n-papers": len(papers),
        "index-first-year": int(papers["year"].min()),
        "index-last-year": int(papers["year"].max()),
        "index-n-claims": len(claims),
        "index-n-lenses": len(cw.lenses),
        "index-n-theories": cw.lenses["lens_name_zh"].nunique(),
        "index-n-mechanisms": len(cw.mechanisms),
        "index-n-hypotheses": len(cw.hypotheses),
        "index-journal": papers["journal"].iloc[0],
    }


def figure_provenance_key() -> Figure:
    """The key to every figure: one legend entry per provenance class
    (``fig-index-provenance-key``)."""
    use_book_style()
    fig, ax = plt.subplots(figsize=(6.5, 1.9))
    key_figure(ax)
    return fig
