"""What would change our mind (``book/limits/what_would_change_our_mind.md``): for each
hypothesis and main claim, a checkable observation, what result would overturn it, and the
analysis that would use it.

The rows are the book's own reading (provenance: our synthesis). Each names a hypothesis of
``data/frameworks/hypotheses.csv`` (or the summary finding it tests) and the page whose analysis
would take the observation; :func:`check_rows` refuses rows naming an unknown hypothesis and
testable hypotheses with no row.

Examples
--------
>>> values = numbers()
>>> values["change-n-observations"] >= values["change-n-testable"]
True
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pandas as pd
from pandas.io.formats.style import Styler

from analysis import paths
from analysis.chapters.case import TREATED_NAME
from analysis.datasets import load_data


@dataclass(frozen=True)
class Observation:
    """One observation that would change a conclusion.

    Attributes
    ----------
    tests
        Hypothesis id (``H1``...) or ``summary`` for a finding of the summary page.
    claim
        The claim or hypothesis, in a few words.
    observe
        What to obtain, and from whom.
    overturns
        The result that would change our mind.
    analysis
        Label of the page whose analysis would use it.
    """

    tests: str
    claim: str
    observe: str
    overturns: str
    analysis: str


OBSERVATIONS: tuple[Observation, ...] = (
    Observation(
        "H2",
        "The visit share rises after the reform, and keeps rising",
        "Monthly primary-care visit share, 2021–2024, from the district health bureau",
        "The rise starts before December 2022, or peaks in the December–January infection "
        "wave and fades",
        "evidence-its",
    ),
    Observation(
        "H2",
        "The rise is the district's own, not national",
        "National primary-care share of visits for 2022–2024 from the statistical bulletins",
        "The national share rises as much in 2023–2024",
        "data-public-context",
    ),
    Observation(
        "H1",
        "The fund share steps up in the first reform budget year",
        "The primary-care fund share for 2023 and 2024, with its denominator stated",
        "The share is at or below its 2022 value, or drifts rather than steps",
        "evidence-its",
    ),
    Observation(
        "H1",
        "The reform, not the epidemic, moved the shares",
        "Shares of comparison districts (Chongqing districts without the bundled fund) through "
        "the December 2022 wave",
        "Comparison districts' shares rise as much as Qianjiang's",
        "evidence-did",
    ),
    Observation(
        "H3",
        "The admission share has no predicted sign",
        "The primary-care admission share for 2023 and 2024",
        "Any clear change would show which of the opposing mechanisms dominates",
        "evidence-its",
    ),
    Observation(
        "H4",
        "The shares were falling steadily before the reform",
        "Annual shares for 2018–2021 from the district's statistical reports",
        "The decline is not steady (for example, all of it in 2020), so the extended trend "
        "is the wrong counterfactual",
        "evidence-its",
    ),
    Observation(
        "H1",
        "The budget rule protects primary care's money",
        "The budgets actually set for 2023–2025 and the base years used",
        "The base is not the highest of the last three years, or savings lower later budgets",
        "mechanics-qianjiang",
    ),
    Observation(
        "H5",
        "Tight medical communities raise the visit share",
        "County visit shares for Anhui's 2019 pilot counties and the later adopters",
        "Pilot counties do not gain relative to counties not yet adopting",
        "evidence-staggered",
    ),
    Observation(
        "H6",
        "The lead hospital decides how much of the fund reaches townships",
        "Fund shares of township health centres in pilot counties, before and after adoption",
        "A uniform rise or fall across counties, whatever the lead hospital does",
        "evidence-staggered",
    ),
    Observation(
        "summary",
        "After the reform the visit share is still below 2017",
        "The year in which the 5.8-point rise was measured, and the 2023 and 2024 shares",
        "A share at or above 2017's in either year",
        "evidence-its",
    ),
)


def check_rows(hypotheses: pd.DataFrame, rows: tuple[Observation, ...] = OBSERVATIONS) -> None:
    """Refuse rows that name an unknown hypothesis, and testable hypotheses left without a row.

    Raises
    ------
    ValueError
        Naming the hypothesis ids concerned and the file they come from.
    """
    known = set(hypotheses["hypothesis_id"])
    unknown = sorted({r.tests for r in rows} - known - {"summary"})
    if unknown:
        raise ValueError(f"no such hypothesis in data/frameworks/hypotheses.csv: {unknown}")
    testable = set(hypotheses.loc[hypotheses["analysis"].astype(str) != "none", "hypothesis_id"])
    uncovered = sorted(testable - {r.tests for r in rows})
    if uncovered:
        raise ValueError(
            f"testable hypotheses in data/frameworks/hypotheses.csv without an observation: "
            f"{uncovered}"
        )


_LABELLED_TITLE = re.compile(r"^\(([a-z0-9-]+)\)=\s*\n#+ (.+)$", re.MULTILINE)


def page_titles() -> dict[str, str]:
    """Page label -> title, for every labelled heading of the book."""
    titles: dict[str, str] = {}
    for page in sorted(paths.BOOK.rglob("*.md")):
        for label, title in _LABELLED_TITLE.findall(page.read_text(encoding="utf-8")):
            titles[label] = title.strip()
    return titles


def analysis_titles(rows: tuple[Observation, ...] = OBSERVATIONS) -> list[str]:
    """The title of each row's analysis page.

    Raises
    ------
    ValueError
        When a row names a page label that no book page defines.
    """
    titles = page_titles()
    missing = sorted({r.analysis for r in rows} - set(titles))
    if missing:
        raise ValueError(f"what_would_change_our_mind: no book page has the labels {missing}")
    return [titles[r.analysis] for r in rows]


def _hypotheses() -> pd.DataFrame:
    frame = load_data("hypotheses").frame
    check_rows(frame)
    return frame


def numbers() -> dict[str, Any]:
    """How many observations, and how many hypotheses they cover."""
    hypotheses = _hypotheses()
    testable = hypotheses["analysis"].astype(str) != "none"
    return {
        "change-n-observations": len(OBSERVATIONS),
        "change-n-testable": int(testable.sum()),
        "change-n-hypotheses": len(hypotheses),
        "change-untestable": ", ".join(hypotheses.loc[~testable, "hypothesis_id"]),
        "change-district": TREATED_NAME,
    }


def table_observations() -> Styler:
    """One row per observation (``tab-change-observations``)."""
    shown = pd.DataFrame(
        {
            "Tests": [r.tests.replace("summary", "Summary") for r in OBSERVATIONS],
            "Claim": [r.claim for r in OBSERVATIONS],
            "Observe": [r.observe for r in OBSERVATIONS],
            "Would change our mind": [r.overturns for r in OBSERVATIONS],
            "Analysis": analysis_titles(),
        }
    )
    return shown.style.hide(axis="index")
