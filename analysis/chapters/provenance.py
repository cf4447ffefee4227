"""Data and provenance (``book/data/provenance.md``): the provenance classes, the datasets, and
the synthetic data calibrated to the reported points.

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> fig = figure_anchors()
>>> fig.get_suptitle().startswith("Synthetic data")
True
>>> from analysis.plotting.provenance import provenance_classes
>>> sorted(provenance_classes(fig.axes[0]))
['assumed', 'reported', 'synthetic']
>>> values = numbers()
>>> values["prov-n-matched"] == values["prov-n-anchors"]
True
"""

from __future__ import annotations

from functools import cache
from typing import Any

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure
from pandas.io.formats.style import Styler

from analysis.chapters.case import (
    SHARES,
    TREATED_DISTRICT,
    TREATED_NAME,
    reported_points,
)
from analysis.chapters.reported_points import plot_reported_points, summarise_reported
from analysis.datasets import dataset_table, load_data
from analysis.plotting.provenance import (
    key_figure,
    plot_synthetic,
    synthetic_title,
)
from analysis.plotting.style import use_book_style
from analysis.registry import DATASETS
from analysis.synthetic.calibration import anchor_check, annual_totals
from analysis.synthetic.config import Anchors, assumptions_table, load_config, read_anchors
from analysis.synthetic.panel import wave_summary


@cache
def anchors() -> Anchors:
    """The reported anchors the generator calibrates to."""
    return read_anchors(load_config())


@cache
def monthly() -> pd.DataFrame:
    """The synthetic district-month series, as loaded."""
    return load_data("district_monthly").frame


@cache
def panel() -> pd.DataFrame:
    """The synthetic staggered county panel."""
    return load_data("county_staggered_panel").frame


@cache
def written_monthly() -> pd.DataFrame:
    """The committed synthetic file as text: the checks are about the file as written."""
    return pd.read_csv(load_data("district_monthly").files[0], keep_default_na=False)


@cache
def anchor_checks() -> pd.DataFrame:
    """Each reported anchor against the committed synthetic file, at printed precision."""
    return anchor_check(written_monthly(), anchors())


def numbers() -> dict[str, Any]:
    """Every number the page glues: registry and generator facts, and the anchor checks."""
    config, anchor = load_config(), anchors()
    datasets, months = dataset_table(), monthly()["month"]
    annual = annual_totals(written_monthly(), TREATED_DISTRICT)
    districts = monthly().loc[monthly()["district"] != TREATED_DISTRICT, "district"]
    counties = panel().groupby("county")["first_treated"].first()
    first_wave = counties[counties > 0].min()
    return {
        "prov-n-datasets": len(datasets),
        "prov-n-synthetic": int((datasets["provenance"] == "synthetic").sum()),
        "prov-n-schemas": sum(d.schema is not None for d in DATASETS),
        "prov-n-assumptions": len(assumptions_table()),
        "prov-seed": str(config["generator"]["seed"]),
        "prov-n-comparisons": int(districts.nunique()),
        "prov-n-months": int(months.nunique()),
        "prov-first-month": months.min().strftime("%Y-%m"),
        "prov-last-month": months.max().strftime("%Y-%m"),
        "prov-n-anchors": len(anchor_checks()),
        "prov-n-matched": int(anchor_checks()["matches"].sum()),
        "prov-post-year": str(anchor.post_year),
        "prov-reform-year": str(anchor.reform_year),
        "prov-post-visit-share": f"{anchor.post_visit_share:.1f}",
        "prov-change-pp": f"{anchor.visit_share_change_pp:.1f}",
        "prov-adm-share-post": f"{annual.loc[anchor.post_year, 'admission_share']:.1f}",
        "prov-fund-share-post": f"{annual.loc[anchor.post_year, 'fund_share']:.1f}",
        "prov-n-counties": int(counties.size),
        "prov-n-pilot": int((counties == first_wave).sum()),
        "prov-n-never": int((counties == 0).sum()),
        "prov-never-sentence": (
            "every county has adopted by the last wave, as in Anhui's province-wide roll-out"
            if not (counties == 0).any()
            else f"{int((counties == 0).sum())} counties never adopt"
        ),
        "prov-panel-first": str(int(panel()["year"].min())),
        "prov-panel-last": str(int(panel()["year"].max())),
    }


def table_datasets() -> Styler:
    """Every registered dataset with its class and files."""
    return dataset_table().style.hide(axis="index")


def table_waves() -> Styler:
    """The adoption waves of the county panel."""
    return wave_summary(panel(), anchors()).style.hide(axis="index")


def table_anchor_checks() -> Styler:
    """The anchor checks the page quotes."""
    shown = anchor_checks()[
        ["quantity", "year", "claim_id", "target_provenance", "reported", "synthetic", "matches"]
    ]
    return shown.style.hide(axis="index").format({"reported": "{:.1f}", "synthetic": "{:.1f}"})


def figure_key() -> Figure:
    """A legend-only figure: how each provenance class is drawn (``fig-prov-key``)."""
    use_book_style()
    fig, ax = plt.subplots(figsize=(7.0, 1.9))
    key_figure(ax)
    return fig


def _decimal_year(months: pd.Series) -> pd.Series:
    """Months as decimal years centred on the year, so the annual points sit mid-year."""
    month = pd.to_datetime(months)
    return month.dt.year + (month.dt.month - 6.5) / 12


def figure_anchors() -> Figure:
    """The treated district's synthetic monthly and annual shares with the reported and assumed
    points, drawn by :func:`~analysis.chapters.reported_points.plot_reported_points`
    (``fig-prov-anchors``).

    Returns
    -------
    matplotlib.figure.Figure
        One axes, every share series (percent); every provenance class is in the legend.
    """
    use_book_style()
    series = monthly()
    treated = series[series["district"] == TREATED_DISTRICT]
    annual = annual_totals(series, TREATED_DISTRICT)
    fig, ax = plt.subplots(figsize=(9.0, 5.6))
    for i, share in enumerate(SHARES.values()):
        lines = [
            plot_synthetic(
                ax,
                _decimal_year(treated["month"]),
                treated[share.name],
                label="monthly",
                color="0.75",
                linewidth=0.7,
            ),
            plot_synthetic(
                ax,
                annual.index,
                annual[share.name],
                label="annual aggregate",
                color="C0",
                linewidth=1.6,
            ),
        ]
        if i:  # one legend entry per line style, not per series
            for line in lines:
                line.set_label("_nolegend_")
    points = reported_points()
    plot_reported_points(ax, points, summarise_reported(points, "visit_share"))
    ax.set_title("")
    fig.suptitle(
        synthetic_title(f"{TREATED_NAME}'s primary-care shares, calibrated to the reported points"),
        fontsize=10,
    )
    fig.tight_layout()
    return fig
