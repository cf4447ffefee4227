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

from dataclasses import dataclass

import pandas as pd
from matplotlib.axes import Axes

from analysis.chapters.case import REFORM_YEAR, REPORTED_SOURCE, SHARES
from analysis.plotting.provenance import mark_assumed, mark_reported

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


def plot_reported_points(
    ax: Axes, points: pd.DataFrame, summary: ReportedSummary, source: str = REPORTED_SOURCE
) -> Axes:
    """The reported Qianjiang points as reported, the assumed-year point, and the arithmetic.

    Parameters
    ----------
    ax
        Target axes.
    points
        :func:`analysis.chapters.case.reported_points`.
    summary
        :func:`summarise_reported` for the visit share.
    source
        Citation for the legend.
    """
    colours = {"visit_share": "black", "admission_share": "0.3", "fund_share": "0.5"}
    for series, label in ((s.name, s.short_label) for s in SHARES.values()):
        rows = points.loc[points["series"] == series]
        rep = rows.loc[rows["provenance"] == "reported"]
        mark_reported(
            ax,
            rep["year"].tolist(),
            rep["value"].tolist(),
            label=label,
            source=source,
            color=colours[series],
            markerfacecolor=colours[series],
        )
        # name each series at its 2022 point so the chart reads in greyscale
        ax.annotate(
            label,
            (rep["year"].iloc[-1], rep["value"].iloc[-1]),
            textcoords="offset points",
            xytext=(-10, 4),
            ha="right",
            fontsize=8,
            color=colours[series],
        )
        ass = rows.loc[rows["provenance"] == "assumed"]
        if len(ass) and series == summary.series and summary.before_after_change is not None:
            mark_assumed(
                ax,
                ass["year"].tolist(),
                ass["value"].tolist(),
                label=(
                    f"{label} after the reform: 2022 value + reported "
                    f"{summary.before_after_change:+.1f} pp, year assumed"
                ),
                color=colours[series],
            )
    if summary.post_year is not None and summary.extrapolated_post is not None:
        years = [summary.first_year, summary.post_year]
        values = [summary.first_value, summary.extrapolated_post]
        ax.plot(
            years,
            values,
            linestyle=(0, (1, 2)),
            color="0.4",
            linewidth=1.0,
            label="arithmetic: line through the two reported visit-share points, extended",
        )
        ax.annotate(
            "",
            xy=(summary.post_year, summary.post_value),
            xytext=(summary.post_year, summary.extrapolated_post),
            arrowprops={"arrowstyle": "<->", "color": "0.3", "lw": 0.8},
        )
        ax.annotate(
            f"gap\n{summary.gap_to_extrapolation:.1f} pp",
            (summary.post_year, 0.5 * (summary.post_value + summary.extrapolated_post)),
            xytext=(5, 0),
            textcoords="offset points",
            fontsize=8,
            va="center",
        )
        ax.set_xlim(2016.5, 2025.2)
    ax.axvline(REFORM_YEAR - 0.5, color="0.6", linewidth=0.8)
    ax.text(
        REFORM_YEAR - 0.45,
        ax.get_ylim()[1],
        f"reform ({REFORM_YEAR})",
        va="top",
        fontsize=8,
        color="0.4",
    )
    ax.set_xlabel("year")
    ax.set_ylabel("share of primary care (%)")
    ax.set_xticks(range(2017, 2025))
    ax.legend(
        fontsize=7,
        loc="center left",
        bbox_to_anchor=(1.01, 0.5),
        title="Provenance: reported (filled) / assumed (hollow)",
        title_fontsize=7,
    )
    ax.set_title("Qianjiang: the points the paper reports")
    return ax
