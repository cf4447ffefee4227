"""Public context (``book/data/public_context.md``): the national primary-care share of visits
from the national health statistical bulletins, beside Qianjiang's reported points.

Only years whose bulletin words could be found are in ``data/public/``; every other year of
:data:`SEARCHED_YEARS` must have a reason in :data:`NOT_FOUND`, so the page lists what is missing
instead of interpolating it.

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> from analysis.plotting.provenance import provenance_classes
>>> fig = figure_context()
>>> {"public", "reported"} <= provenance_classes(fig.axes[0])
True
>>> values = numbers()
>>> values["public-n-years"] + values["public-n-missing"] == len(SEARCHED_YEARS)
True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure
from pandas.io.formats.style import Styler

from analysis.chapters.case import REFORM_YEAR, SHARES
from analysis.chapters.reported_points import plot_reported_points
from analysis.datasets import load_data
from analysis.plotting.provenance import (
    mark_public,
    provenance_legend,
)
from analysis.plotting.style import use_book_style

SEARCHED_YEARS = tuple(range(2015, 2025))
# Each reason says what the stored copies do print, so a reader can tell "not searched" from
# "searched, and the part needed is not there".
_ONLY_TOTAL = "the stored reports give the national total of visits but not primary care's part"
_CENTRES_ONLY = (
    "the stored reports give the national total of visits and the township and community "
    "health centres' share of outpatient visits, not all primary-care institutions together"
)
NOT_FOUND: dict[int, str] = {
    2017: (
        "the stored reports give the national rise in outpatient visits but not primary care's "
        "part; no stored copy of the bulletin's passage on visits by type of institution was found"
    ),
    2018: _CENTRES_ONLY,
    2019: _CENTRES_ONLY,
    2020: (
        "a stored copy of the bulletin and a news report quoting it are kept only up to their "
        "opening, before the visits by type; one English-language page gives primary care's "
        "visits and share, but neither the bulletin's words nor the total, so it is not used"
    ),
    2022: (
        "the stored reports give the national total of visits and the township health centres' "
        "and village clinics' visits, not all primary-care institutions together"
    ),
    2023: (
        "the stored reports give the total and the hospitals' visits, and some primary-care "
        "types, but not all primary-care institutions together"
    ),
    2024: _ONLY_TOTAL,
}
PUBLIC_SOURCE = "national statistical bulletins"
CHANGE_CLAIM = "qj_visit_share_change_post"
CHANGE_YEAR_CLAIM = "qj_visit_share_change_year_assumed"


@dataclass(frozen=True)
class QianjiangPoints:
    """Qianjiang's visit-share points, read from the claims by id.

    Attributes
    ----------
    years, values
        The reported pre-reform shares (percent).
    change
        The reported rise "compared with 2022" (percentage points).
    post_value, post_year
        Last pre-reform value plus the rise, at the assumed year.
    """

    years: tuple[int, ...]
    values: tuple[float, ...]
    change: float
    post_value: float
    post_year: int


def national_shares() -> pd.DataFrame:
    """The national rows as stored, sorted by year."""
    return load_data("national_primary_care_shares").frame.sort_values("year")


def missing_years(shares: pd.DataFrame | None = None) -> tuple[int, ...]:
    """Searched years without a national value.

    Raises
    ------
    ValueError
        When a missing year has no stated reason, or a stored year still has one.
    """
    shares = national_shares() if shares is None else shares
    found = set(shares["year"].astype(int))
    missing = tuple(y for y in SEARCHED_YEARS if y not in found)
    if set(missing) != set(NOT_FOUND):
        raise ValueError(
            "public_context.NOT_FOUND must give a reason for exactly the missing years "
            f"{list(missing)}; it covers {sorted(NOT_FOUND)}"
        )
    return missing


def qianjiang_points(claims: pd.DataFrame | None = None) -> QianjiangPoints:
    """Qianjiang's reported visit shares and the post-reform point, from the claims ledger."""
    claims = load_data("claims").frame if claims is None else claims
    by_id = claims.set_index("claim_id")
    ids = SHARES["visit_share"].claim_ids
    years = tuple(int(by_id.at[i, "period"]) for i in ids)
    values = tuple(float(by_id.at[i, "value"]) for i in ids)
    change = float(by_id.at[CHANGE_CLAIM, "value"])
    return QianjiangPoints(
        years=years,
        values=values,
        change=change,
        post_value=round(values[-1] + change, 10),
        post_year=int(by_id.at[CHANGE_YEAR_CLAIM, "value"]),
    )


def year_ranges(years: tuple[int, ...]) -> str:
    """``(2016, 2017, 2018, 2022)`` -> ``"2016–2018, 2022"``.

    Examples
    --------
    >>> year_ranges((2016, 2017, 2018, 2022))
    '2016–2018, 2022'
    """
    runs: list[list[int]] = []
    for y in years:
        if runs and y == runs[-1][-1] + 1:
            runs[-1].append(y)
        else:
            runs.append([y])
    return ", ".join(f"{r[0]}–{r[-1]}" if len(r) > 1 else str(r[0]) for r in runs)


def _listed(years: list[int]) -> str:
    """``[2015, 2016, 2021]`` -> ``"2015, 2016 and 2021"``.

    Examples
    --------
    >>> _listed([2015, 2016, 2021])
    '2015, 2016 and 2021'
    >>> _listed([2015])
    '2015'
    """
    words = [str(y) for y in years]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _per_year(first_year: int, first: float, last_year: int, last: float) -> float:
    return (last - first) / (last_year - first_year)


def numbers() -> dict[str, Any]:
    """National values, the years not found, and the slopes the page compares."""
    national = national_shares()
    first, last = national.iloc[0], national.iloc[-1]
    qj = qianjiang_points()
    missing = missing_years(national)
    national_slope = _per_year(
        int(first["year"]), float(first["value"]), int(last["year"]), float(last["value"])
    )
    qj_slope = _per_year(qj.years[0], qj.values[0], qj.years[-1], qj.values[-1])
    return {
        "public-n-years": len(national),
        "public-years": _listed(national["year"].astype(int).tolist()),
        "public-n-printed": int((national["how_obtained"] == "printed share").sum()),
        "public-n-computed": int((national["how_obtained"] != "printed share").sum()),
        "public-n-missing": len(missing),
        "public-missing-years": year_ranges(missing),
        "public-searched": f"{SEARCHED_YEARS[0]}–{SEARCHED_YEARS[-1]}",
        "public-first-year": int(first["year"]),
        "public-first-value": f"{float(first['value']):.1f}",
        "public-last-year": int(last["year"]),
        "public-last-value": f"{float(last['value']):.1f}",
        "public-national-change": f"{float(last['value']) - float(first['value']):.1f}",
        "public-national-slope": f"{national_slope:.2f}",
        "public-qj-first-year": qj.years[0],
        "public-qj-first": f"{qj.values[0]:.1f}",
        "public-qj-last-year": qj.years[-1],
        "public-qj-last": f"{qj.values[-1]:.1f}",
        "public-qj-change": f"{qj.change:.1f}",
        "public-qj-post": f"{qj.post_value:.1f}",
        "public-qj-post-year": qj.post_year,
        "public-qj-slope": f"{qj_slope:.2f}",
        "public-qj-position": (
            "below" if max(qj.values) < national["value"].min() else "not below"
        ),
        "public-n-qj-institutions": int(
            load_data("claims").frame.set_index("claim_id").at["qj_primary_institutions", "value"]
        ),
    }


def table_national() -> Styler:
    """The national values with the printed counts and a check computed from them."""
    national = national_shares()
    shown = pd.DataFrame(
        {
            "Year": national["year"].astype(int),
            "Share (%)": national["value"],
            "Primary care (亿 visits)": national["primary_visits_100m"],
            "All (亿 visits)": national["total_visits_100m"],
            "From counts (%)": 100
            * national["primary_visits_100m"]
            / national["total_visits_100m"],
            "How obtained": national["how_obtained"],
            "Bulletin": national["source"].str.split(" ").str[0]
            + ", "
            + national["issuer"].str.split(" ").str[0]
            + ", "
            + national["published"],
        }
    )
    return shown.style.hide(axis="index").format(
        {
            "Share (%)": "{:.1f}",
            "From counts (%)": "{:.2f}",
            "Primary care (亿 visits)": "{:.1f}",
            "All (亿 visits)": "{:.1f}",
        }
    )


def table_words() -> Styler:
    """The bulletins' words for each national value, and how they were transcribed."""
    national = national_shares()
    shown = pd.DataFrame(
        {
            "Year": national["year"].astype(int),
            "Bulletin's words": national["source_zh"],
            "Transcription": national["transcription_note"],
        }
    )
    return shown.style.hide(axis="index")


def table_missing() -> Styler:
    """The searched years without a national value, and why."""
    shown = pd.DataFrame(
        {"Year": list(missing_years()), "Why no value": [NOT_FOUND[y] for y in missing_years()]}
    )
    return shown.style.hide(axis="index")


def figure_context() -> Figure:
    """National shares (public) beside Qianjiang's reported points (``fig-public-context``)."""
    use_book_style()
    national = national_shares()
    qj = qianjiang_points()
    fig, ax = plt.subplots(figsize=(9.0, 5.0))
    mark_public(
        ax,
        national["year"].astype(int).tolist(),
        national["value"].tolist(),
        label="China, all medical and health institutions",
        source=PUBLIC_SOURCE,
    )
    for year, value in zip(national["year"].astype(int), national["value"]):
        ax.annotate(
            f"{value:.1f}",
            (year, value),
            textcoords="offset points",
            xytext=(6, 6),
            fontsize=9,
            color="0.25",
        )
    plot_reported_points(ax, series=("visit_share",), arithmetic=False, decorate=False)
    ax.axvline(REFORM_YEAR - 0.5, color="0.6", linewidth=0.8)
    ax.set_xlim(SEARCHED_YEARS[0] - 0.5, SEARCHED_YEARS[-1] + 0.5)
    shown = [*national["value"], *qj.values, qj.post_value]
    ax.set_ylim(5 * (min(shown) // 5) - 5, 5 * (max(shown) // 5) + 5)
    ax.text(
        REFORM_YEAR - 0.45,
        5 * (max(shown) // 5) + 4,
        f"Qianjiang reform ({REFORM_YEAR})",
        fontsize=9,
        color="0.4",
    )
    ax.set_xticks(list(SEARCHED_YEARS))
    ax.set_xlabel("year")
    ax.set_ylabel("primary-care share of visits (%)")
    ax.set_title("Primary-care share of visits: China and Qianjiang")
    provenance_legend(ax, loc="lower left")
    fig.tight_layout()
    return fig
