"""What the *reported* Qianjiang points alone can support, and the one function that draws them.

Luo et al. (2025) report each share for 2017 and 2022 only, plus (for the visit share) a
+5.8 percentage-point rise "compared with 2022" in a year the paper does not state (the claims
ledger assumes 2024, provenance *assumed*). From such points one can compute two pieces of
arithmetic and nothing more:

* the before–after change: post value minus the 2022 value;
* the gap to a straight line through 2017 and 2022, extended to the post year.

Two points determine a line exactly, so there is no residual variance: no standard error, no
confidence interval, no test. This module computes the arithmetic and lists what cannot be
estimated, so the chapter and the command line say it in the same words.

Examples
--------
>>> import pandas as pd
>>> points = pd.DataFrame({"series": ["visit_share"] * 3, "year": [2017, 2022, 2024],
...                        "value": [43.3, 36.9, 42.7],
...                        "provenance": ["reported", "reported", "assumed"]})
>>> s = summarise_reported(points, "visit_share")
>>> round(s.before_after_change, 1), round(s.pre_slope_per_year, 2)
(5.8, -1.28)
>>> round(s.gap_to_extrapolation, 2)
8.36
>>> {y: round(g, 2) for y, g in s.gap_by_post_year.items()}
{2023: 7.08, 2024: 8.36}
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from analysis.chapters.case import REFORM_YEAR, REPORTED_SOURCE, SHARES, reported_points
from analysis.plotting.provenance import (
    GID_PREFIX,
    STYLES,
    mark_assumed,
    mark_reported,
    provenance_classes,
)
from analysis.plotting.style import use_book_style

CANNOT_ESTIMATE: tuple[str, ...] = (
    (
        "a standard error, confidence interval or p-value: two pre-reform points fit a line "
        "exactly, so there is no residual variance to measure noise"
    ),
    "whether the 2017–2022 decline was linear: nothing is reported for 2018–2021",
    "a level change separately from a slope change: there is at most one post-reform point",
    "autocorrelation, seasonality or the 2020 COVID-19 disruption: annual points cannot show them",
    (
        "a causal effect: there is no comparison series, so the gap to the extrapolated line also "
        "contains everything else that changed after 2022"
    ),
)


@dataclass(frozen=True)
class ReportedSummary:
    """Arithmetic on the reported points of one series.

    Attributes
    ----------
    series
        ``visit_share``, ``admission_share`` or ``fund_share``.
    first_year, first_value, last_pre_year, last_pre_value
        The two pre-reform points (percent).
    pre_slope_per_year
        Slope of the line through them (pp per year).
    post_year, post_value, post_provenance
        The post-reform point, if the paper gives one (``None`` otherwise); its year may be
        assumed.
    before_after_change
        ``post_value - last_pre_value`` (pp), or ``None``.
    extrapolated_post
        The 2017–2022 line at ``post_year``, or ``None``.
    gap_to_extrapolation
        ``post_value - extrapolated_post`` (pp), or ``None``.
    gap_by_post_year
        The gap if the post value had been measured in 2023 or 2024 (the timing is unstated).
    cannot_estimate
        What these points cannot support.
    """

    series: str
    first_year: int
    first_value: float
    last_pre_year: int
    last_pre_value: float
    pre_slope_per_year: float
    post_year: int | None
    post_value: float | None
    post_provenance: str | None
    before_after_change: float | None
    extrapolated_post: float | None
    gap_to_extrapolation: float | None
    gap_by_post_year: dict[int, float]
    cannot_estimate: tuple[str, ...]


def summarise_reported(
    points: pd.DataFrame,
    series: str,
    reform_year: int = REFORM_YEAR,
    alternative_years: tuple[int, ...] = (REFORM_YEAR, REFORM_YEAR + 1),
) -> ReportedSummary:
    """Compute the before–after change and the gap to the linear extrapolation.

    Parameters
    ----------
    points
        Rows with ``series``, ``year``, ``value`` (percent) and ``provenance``, e.g.
        :func:`analysis.chapters.case.reported_points`.
    series
        Which share.
    reform_year
        First reform year; rows from it on are post-reform.
    alternative_years
        Post years for the timing sensitivity of the gap.

    Returns
    -------
    ReportedSummary
        The arithmetic and the list of what cannot be estimated.
    """
    rows = points.loc[points["series"] == series].sort_values("year")
    pre = rows.loc[rows["year"] < reform_year]
    post = rows.loc[rows["year"] >= reform_year]
    if len(pre) < 2:
        raise ValueError(f"{series}: need two pre-reform points, found {len(pre)}")
    first, last = pre.iloc[0], pre.iloc[-1]
    slope = (float(last["value"]) - float(first["value"])) / (
        int(last["year"]) - int(first["year"])
    )

    def line(year: int) -> float:
        return float(last["value"]) + slope * (year - int(last["year"]))

    if len(post):
        p = post.iloc[-1]
        post_year, post_value = int(p["year"]), float(p["value"])
        provenance = str(p.get("provenance", "reported"))
        change = post_value - float(last["value"])
        extrapolated = line(post_year)
        gap = post_value - extrapolated
        by_year = {y: post_value - line(y) for y in alternative_years}
    else:
        post_year = post_value = provenance = change = extrapolated = gap = None
        by_year = {}
    return ReportedSummary(
        series=series,
        first_year=int(first["year"]),
        first_value=float(first["value"]),
        last_pre_year=int(last["year"]),
        last_pre_value=float(last["value"]),
        pre_slope_per_year=slope,
        post_year=post_year,
        post_value=post_value,
        post_provenance=provenance,
        before_after_change=change,
        extrapolated_post=extrapolated,
        gap_to_extrapolation=gap,
        gap_by_post_year=by_year,
        cannot_estimate=CANNOT_ESTIMATE,
    )


#: Smallest font of the reported-points figure (points), as for every figure of the book.
FONT_SIZE = 9.0
#: Figure size (inches): no wider than the book's content column.
FIGURE_SIZE = (9.0, 5.2)
#: Chinese names of the provenance classes, for the legend title.
CLASS_ZH = {
    "reported": "报告值",
    "public": "公开数据",
    "reading": "本书解读",
    "assumed": "假设",
    "synthetic": "合成数据",
}
_GREYS = {"visit_share": "black", "admission_share": "0.3", "fund_share": "0.5"}


def _series_label(name: str) -> str:
    share = SHARES[name]
    return f"{share.label_zh} {share.short_label}"


def plot_reported_points(
    ax: Axes,
    points: pd.DataFrame | None = None,
    summary: ReportedSummary | None = None,
    source: str = REPORTED_SOURCE,
    *,
    series: tuple[str, ...] | None = None,
    arithmetic: bool = True,
    assumed: bool = True,
    position: Callable[[int], Any] | None = None,
    decorate: bool = True,
) -> Axes:
    """The one drawing of Qianjiang's reported points: every chapter that shows them calls this.

    Reported values are filled, annotated circles; the post-reform visit share, whose year is
    assumed, a hollow diamond (markers from :mod:`analysis.plotting.provenance`). Legend entries
    carry the paper's Chinese term beside the English name.

    Parameters
    ----------
    ax
        Target axes.
    points
        :func:`analysis.chapters.case.reported_points` (read when omitted).
    summary
        :func:`summarise_reported` of the series whose arithmetic is drawn (the visit share
        when omitted).
    source
        Citation for the legend.
    series
        Which shares to draw (all three when omitted).
    arithmetic
        Draw the line through the two pre-reform points, extended, and the gap to it.
    assumed
        Draw the post-reform point whose year is assumed.
    position
        Maps a year to an x value, e.g. mid-year dates on a monthly axis (the year itself
        when omitted).
    decorate
        Set axis labels, ticks, reform line, legend and title; leave them to the caller when
        the points are drawn over another chart.
    """
    use_book_style()  # the labels carry 汉字: the CJK font must be in the fallback chain
    points = reported_points() if points is None else points
    summary = summary or summarise_reported(points, "visit_share")
    at = position or (lambda year: year)
    names = series or tuple(SHARES)
    for name in names:
        label, colour = _series_label(name), _GREYS.get(name, "black")
        rows = points.loc[points["series"] == name]
        rep = rows.loc[rows["provenance"] == "reported"]
        xs = [at(int(year)) for year in rep["year"]]
        mark_reported(
            ax,
            xs,
            rep["value"].tolist(),
            label=label,
            source=source,
            color=colour,
            markerfacecolor=colour,
            annotate=False,
        )
        for x, value in zip(xs, rep["value"]):
            text = ax.annotate(
                f"{value:.1f}",
                (x, value),
                textcoords="offset points",
                xytext=(6, 5),
                fontsize=FONT_SIZE,
                color=colour,
            )
            text.set_gid(GID_PREFIX + "reported")
        other = rows.loc[rows["provenance"] != "reported"]
        drawn = assumed and name == summary.series and summary.before_after_change is not None
        if len(other) and drawn:
            mark_assumed(
                ax,
                [at(int(year)) for year in other["year"]],
                other["value"].tolist(),
                label=(
                    f"{SHARES[name].short_label} after the reform: {summary.last_pre_year} value "
                    f"+ reported {summary.before_after_change:+.1f} pp, year assumed"
                ),
                color=colour,
            )
    if arithmetic and summary.post_year is not None and summary.extrapolated_post is not None:
        ax.plot(
            [at(summary.first_year), at(summary.post_year)],
            [summary.first_value, summary.extrapolated_post],
            linestyle=(0, (1, 2)),
            color="0.4",
            linewidth=1.0,
            label="arithmetic 推算: line through the two reported points, extended",
        )
        ax.annotate(
            "",
            xy=(at(summary.post_year), summary.post_value),
            xytext=(at(summary.post_year), summary.extrapolated_post),
            arrowprops={"arrowstyle": "<->", "color": "0.3", "lw": 0.8},
        )
        ax.annotate(
            f"gap 差距\n{summary.gap_to_extrapolation:.1f} pp",
            (at(summary.post_year), 0.5 * (summary.post_value + summary.extrapolated_post)),
            xytext=(5, 0),
            textcoords="offset points",
            fontsize=FONT_SIZE,
            va="center",
        )
    if not decorate:
        return ax
    ax.set_xlim(at(summary.first_year) - 0.5, at(max(summary.post_year or 0, REFORM_YEAR)) + 1.0)
    ax.axvline(at(REFORM_YEAR) - 0.5, color="0.6", linewidth=0.8)
    ax.text(
        at(REFORM_YEAR) - 0.45,
        0.98,
        f"改革 reform ({REFORM_YEAR})",
        va="top",
        fontsize=FONT_SIZE,
        color="0.35",
        transform=ax.get_xaxis_transform(),
    )
    # Axis labels and title exist since the axes were made, perhaps before the book style was
    # applied: give them the style's font chain explicitly.
    family = plt.rcParams["font.family"]
    ax.set_xlabel("year 年份", fontsize=FONT_SIZE + 1, family=family)
    ax.set_ylabel("primary-care share 基层占比 (%)", fontsize=FONT_SIZE + 1, family=family)
    ax.set_xticks(range(summary.first_year, (summary.post_year or REFORM_YEAR) + 1))
    ax.tick_params(labelsize=FONT_SIZE)
    ax.legend(
        fontsize=FONT_SIZE,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.15),
        ncol=1,
        frameon=False,
        title="Provenance 来源: "
        + " / ".join(f"{c} {CLASS_ZH.get(c, '')}" for c in STYLES if c in provenance_classes(ax)),
        title_fontsize=FONT_SIZE,
    )
    ax.set_title(
        "Qianjiang: the points the paper reports 黔江：论文报告的数值",
        fontsize=FONT_SIZE + 2,
        family=family,
    )
    return ax


def figure_reported_points(source: str = REPORTED_SOURCE) -> Figure:
    """The reported-points figure every chapter shows, at one size and style."""
    use_book_style()
    fig, ax = plt.subplots(figsize=FIGURE_SIZE)
    plot_reported_points(ax, source=source)
    fig.tight_layout()
    return fig
