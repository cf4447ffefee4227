"""Figures of the "Data and provenance" chapter, drawn with the provenance helpers.

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> fig = anchors_figure()
>>> [ax.get_title() for ax in fig.axes]
['Visit share', 'Admission share', 'Fund share']
>>> fig.get_suptitle().startswith("Synthetic data")
True
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

from analysis.datasets import load_data
from analysis.plotting.provenance import (key_figure, mark_assumed, mark_reported,
                                          plot_synthetic, provenance_legend, synthetic_title)
from analysis.plotting.style import use_book_style
from analysis.synthetic.calibration import annual_totals

SOURCE = "Luo et al. 2025, §4.1"
_PANELS = (("visit_share", "Visit share"), ("admission_share", "Admission share"),
           ("fund_share", "Fund share"))


def provenance_key() -> Figure:
    """A legend-only figure: how each provenance class is drawn throughout the book."""
    use_book_style()
    fig, ax = plt.subplots(figsize=(7.0, 1.9))
    key_figure(ax)
    return fig


def anchors_figure() -> Figure:
    """Qianjiang's synthetic monthly and annual shares against the reported and assumed points.

    Returns
    -------
    matplotlib.figure.Figure
        Three panels (visit, admission, fund share, percent); every class is in the legend.
    """
    use_book_style()
    monthly = load_data("district_monthly").frame
    reported = load_data("qianjiang_reported").frame
    qj = monthly[monthly["district"] == "qianjiang"]
    annual = annual_totals(monthly)
    mid_year = pd.to_datetime([f"{y}-07-01" for y in annual.index])
    fig, axes = plt.subplots(1, 3, figsize=(10.0, 4.8), sharex=True)
    for ax, (series, title) in zip(axes, _PANELS):
        plot_synthetic(ax, qj["month"], qj[series], label="monthly", color="0.6", linewidth=0.8)
        plot_synthetic(ax, mid_year, annual[series], label="annual aggregate", color="C0",
                       linewidth=1.8)
        points = reported[reported["series"] == series]
        shown = points[points["provenance"] == "reported"]
        mark_reported(ax, pd.to_datetime([f"{y}-07-01" for y in shown["year"]]), shown["value"],
                      label="Qianjiang, as printed", source=SOURCE)
        assumed = points[points["provenance"] == "assumed"]
        if len(assumed):
            mark_assumed(ax, pd.to_datetime([f"{y}-07-01" for y in assumed["year"]]),
                         assumed["value"], label="2022 + 5.8 pp, year assumed")
        ax.axvline(pd.Timestamp("2023-01-01"), color="0.3", linewidth=0.8, linestyle="-.")
        ax.set_title(title)
        ax.set_ylabel("percent")
        ax.tick_params(axis="x", labelrotation=45)
    provenance_legend(axes[0], loc="upper left", bbox_to_anchor=(0.0, -0.32), ncols=2,
                      fontsize=9, title_fontsize=9)
    fig.suptitle(synthetic_title("Qianjiang's primary-care shares, calibrated to the "
                                 "reported points (dash-dot line: 2023 reform)"), fontsize=10)
    # No tight_layout: it would make room for the legend by squeezing the panels.
    fig.subplots_adjust(left=0.07, right=0.98, top=0.86, bottom=0.36, wspace=0.32)
    return fig
