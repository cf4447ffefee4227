"""The report's figures, drawn with matplotlib and inlined as SVG.

The book's style (:func:`analysis.plotting.style.use_book_style`) registers the pip-installed
Noto Sans CJK SC font and writes SVG text as paths (``svg.fonttype = "path"``), so the figure's
汉字 need no font in the reader's browser; its fixed hash salt and the metadata filter of
:func:`analysis.plotting.figure_files.save_figure` make the SVG bytes repeat. The XML prolog, DOCTYPE
and ``<metadata>`` block are removed so the inlined SVG refers to no external document.
"""

from __future__ import annotations

import io
import re

import matplotlib.pyplot as plt
import pandas as pd

from analysis.plotting.figure_files import save_figure
from analysis.plotting.style import use_book_style
from analysis.report.content import Report
from analysis.report.text import OUTCOME_NAMES, TEXT, label

_PROLOG = re.compile(r"^.*?(?=<svg\b)", re.DOTALL)
_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.DOTALL)


def svg_text(fig: plt.Figure) -> str:
    """The figure as inline SVG markup (no prolog, DOCTYPE or metadata)."""
    buffer = io.BytesIO()
    save_figure(fig, buffer, format="svg")
    plt.close(fig)
    text = buffer.getvalue().decode("utf-8")
    return _METADATA.sub("", _PROLOG.sub("", text, count=1))


def series_figure(report: Report) -> str:
    """Figure 1 as inline SVG."""
    return svg_text(draw_series(report))


def draw_series(report: Report) -> plt.Figure:
    """Figure 1: the county's share, the ITS fit and counterfactual, and the comparisons."""
    use_book_style()
    spec, lang = report.spec, report.spec.lang
    fig, ax = plt.subplots(figsize=(8.0, 4.2))
    for _, rows in report.comparison_series.groupby("county"):
        ax.plot(rows["month"], rows[spec.outcome], color="0.75", linewidth=0.9, zorder=1)
    county = report.county_series
    ax.plot(county["month"], county[spec.outcome], "o", color="#1f4e79", markersize=3.5, zorder=3)
    handles = [
        plt.Line2D([], [], marker="o", linestyle="", color="#1f4e79"),
    ]
    names = [label(TEXT["legend_observed"], lang)]
    if report.its is not None:
        cf = report.its.counterfactual
        months = pd.to_datetime(cf["time"].astype(str))
        fitted = ax.plot(months, cf["fitted"], color="#1f4e79", linewidth=1.4, zorder=2)[0]
        post = cf["post"].to_numpy(dtype=bool)
        counter = ax.plot(
            months[post], cf["counterfactual"][post], "--", color="#c55a11", linewidth=1.4
        )[0]
        lo, hi = _band(cf)
        if lo is not None:
            ax.fill_between(months[post], lo[post], hi[post], color="#c55a11", alpha=0.15, lw=0)
        ax.axvline(report.first_month, color="0.3", linewidth=1.0, linestyle=":")
        handles += [fitted, counter, plt.Line2D([], [], color="0.3", linestyle=":")]
        names += [
            label(TEXT["legend_fitted"], lang),
            label(TEXT["legend_counterfactual"], lang),
            label(TEXT["legend_reform"], lang),
        ]
    if len(report.comparison_series):
        handles.append(plt.Line2D([], [], color="0.75"))
        names.append(label(TEXT["legend_comparisons"], lang))
    ax.set_ylabel(label(OUTCOME_NAMES[spec.outcome], "zh" if lang == "zh" else "en"))
    ax.set_xlabel(label(TEXT["axis_month"], lang))
    ax.set_title(f"{spec.county}: {label(OUTCOME_NAMES[spec.outcome], lang)}", fontsize=10)
    ax.legend(handles, names, fontsize=9, loc="best", frameon=False)
    fig.tight_layout()
    return fig


def _band(cf: pd.DataFrame):
    for lo, hi in (("counterfactual_low", "counterfactual_high"),):
        if lo in cf and hi in cf:
            return cf[lo].to_numpy(dtype=float), cf[hi].to_numpy(dtype=float)
    return None, None


def acf_figure(report: Report) -> str | None:
    """Figure 2: the residual autocorrelation of the ITS fit (none for short series)."""
    if report.its is None or report.autocorrelation is None:
        return None
    from analysis.its.diagnostics import plot_residual_acf

    use_book_style()
    fig, ax = plt.subplots(figsize=(6.0, 2.8))
    plot_residual_acf(report.its, ax)
    fig.tight_layout()
    return svg_text(fig)
