"""Validation appendix (``book/appendix/validation.md``): every published result the engines
reproduce, recomputed when the book is built.

The checks, their published values, citations and tolerances are the registry of
:mod:`analysis.published.registry`; this module only counts and lays them out.

Examples
--------
>>> fmt_allowance(5e-05), fmt_allowance(0.12), fmt_allowance(1e-9)
('0.00005', '0.12', '0.000000001')
"""

from __future__ import annotations

import html
from functools import cache
from typing import Any

import numpy as np
import pandas as pd
from IPython.display import HTML
from pandas.io.formats.style import Styler

from analysis.datasets import load_data
from analysis.published.registry import (
    PLACEBO_DRAWS,
    Outcome,
    half_unit,
    run_checks,
    sources,
)

AREAS = {
    "ITS": "Interrupted time series",
    "fixest": "Two-way fixed effects: coefficients and cluster-robust standard errors",
    "DiD": "Staggered difference-in-differences (Callaway and Sant'Anna)",
    "SC": "Synthetic control",
    "SDID": "Synthetic difference-in-differences",
    "HonestDiD": "Sensitivity to violations of parallel trends (Rambachan and Roth)",
}
COLUMNS = ("Source", "Quantity", "Published", "Ours", "Tolerance", "Status")


@cache
def outcomes() -> tuple[Outcome, ...]:
    """Every check, computed by the engines now."""
    return tuple(run_checks()[0])


def fmt_allowance(value: float) -> str:
    """A tolerance in plain positional notation, two significant digits."""
    return np.format_float_positional(value, precision=2, unique=True, fractional=False, trim="-")


def _decimals(printed: str) -> int:
    return max(0, -round(np.log10(2 * half_unit(printed))))


def _ours(o: Outcome) -> str:
    if o.check.tolerance == "placebo-draws":
        return f"{o.ours:.2f}"
    digits = _decimals(o.check.printed) if o.check.printed[0] not in "(" else 7
    return f"{o.ours:.{min(digits + 1, 16)}f}"


def _published(o: Outcome) -> str:
    if o.check.printed.startswith("("):  # derived from printed numbers: show both
        digits = 2 if o.check.tolerance == "placebo-draws" else 7
        return f"{o.check.printed} → {o.check.published:.{digits}f}"
    return o.check.printed


def _notes() -> dict[str, str]:
    """Letter for each stated tolerance reason, in order of first use."""
    reasons = [o.check.tolerance_why for o in outcomes() if o.check.tolerance_why]
    return {why: chr(ord("a") + i) for i, why in enumerate(dict.fromkeys(reasons))}


def _tolerance(o: Outcome, notes: dict[str, str]) -> str:
    mark = f" ({notes[o.check.tolerance_why]})" if o.check.tolerance_why else ", printed digits"
    if o.check.tolerance == "placebo-draws":
        return f"R's 95 % range {o.low:.2f} to {o.high:.2f}{mark}"
    return f"±{fmt_allowance(o.allowance)}{mark}"


def frame() -> pd.DataFrame:
    """The appendix table as data: area, the six displayed columns, check id."""
    notes = _notes()
    rows = []
    for o in outcomes():
        rows.append(
            {
                "area": o.check.area,
                "Source": sources().loc[o.check.source_id, "short"],
                "Quantity": o.check.quantity,
                "Published": _published(o),
                "Ours": _ours(o),
                "Tolerance": _tolerance(o, notes),
                "Status": o.status,
                "check_id": o.check.check_id,
            }
        )
    return pd.DataFrame(rows)


def numbers() -> dict[str, Any]:
    """Counts of checks by status, and the synthetic DiD standard error's known difference."""
    table = frame()
    by_id = {o.check.check_id: o for o in outcomes()}
    se, r_se = by_id["sdid-prop99-se"], by_id["sdid-prop99-se-r"]
    inside = [o.status != "fails" for o in (se, r_se)]
    verdict = {
        (True, True): "both published values lie inside it",
        (False, False): "both published values lie outside it, so the checks fail",
    }.get(tuple(inside), "one published value lies outside it, so its check fails")
    return {
        "validation-check-count": len(table),
        "validation-agree-count": int((table["Status"] == "agrees").sum()),
        "validation-known-count": int((table["Status"] == "known difference").sum()),
        "validation-fail-count": int((table["Status"] == "fails").sum()),
        "validation-source-count": table["Source"].nunique(),
        "validation-area-count": table["area"].nunique(),
        "validation-se-count": int(table["Quantity"].str.contains("standard error").sum()),
        "validation-sdid-se-ours": f"{se.ours:.2f}",
        "validation-sdid-se-published": se.check.printed,
        "validation-sdid-se-r": f"{r_se.check.published:.2f}",
        "validation-sdid-se-low": f"{se.low:.2f}",
        "validation-sdid-se-high": f"{se.high:.2f}",
        "validation-sdid-se-verdict": verdict,
        # California is the one treated state; every other state is a placebo candidate.
        "validation-sdid-donors": load_data("california_smoking").frame["state"].nunique() - 1,
        "validation-sdid-r-draws": PLACEBO_DRAWS,
    }


def _cell(tag: str, text: str, cls: str = "") -> str:
    attribute = f' class="{cls}"' if cls else ""
    return f"<{tag}{attribute}>{html.escape(text)}</{tag}>"


def table_checks() -> HTML:
    """One table, a body per area with a heading row; failures are kept and marked."""
    table = frame()
    head = "<thead><tr>" + "".join(_cell("th", c) for c in COLUMNS) + "</tr></thead>"
    bodies = []
    for area, rows in table.groupby("area", sort=False):
        agree = int((rows["Status"] != "fails").sum())
        title = f"{AREAS[area]}: {len(rows)} checks, {agree} pass"
        lines = [
            f'<tr><th colspan="{len(COLUMNS)}" scope="rowgroup">{html.escape(title)}</th></tr>'
        ]
        for row in rows.itertuples(index=False):
            status_class = "validation-" + row.Status.replace(" ", "-")
            cells = [_cell("td", getattr(row, c)) for c in COLUMNS[:-1]]
            cells.append(_cell("td", row.Status, status_class))
            lines.append(f'<tr id="{row.check_id}">' + "".join(cells) + "</tr>")
        bodies.append("<tbody>" + "".join(lines) + "</tbody>")
    return HTML(f'<table class="validation-table">{head}{"".join(bodies)}</table>')


def table_notes() -> Styler:
    """The reason behind each lettered tolerance."""
    notes = pd.DataFrame({"Note": list(_notes().values()), "Why this tolerance": list(_notes())})
    return notes.style.hide(axis="index")


def table_sources() -> Styler:
    """The full citation of every source in the table."""
    used = dict.fromkeys(o.check.source_id for o in outcomes())
    cited = sources().loc[list(used), ["short", "citation"]]
    cited = cited.rename(columns={"short": "Source", "citation": "Citation"})
    return cited.style.hide(axis="index")
