"""The report's tables as an ``.xlsx`` workbook (xlsxwriter), one sheet per table.

Sheets: ``说明 About`` (inputs with SHA-256, the command, what the data cannot support),
``序列 Series`` (the county's and the comparisons' monthly counts and shares), ``ITS``
(estimates, with the interval method of each), ``ITS 反事实 Counterfactual``, ``DiD`` (when
comparisons were given; an interval the engine does not call valid is left empty and the reason
written beside it) and ``事件 Events``. The workbook's creation time is fixed, so the same
report gives the same bytes.

Why xlsxwriter: it writes ``.xlsx`` only (never reads), fast and with no dependency, and lets
the creation date be fixed; openpyxl would also do, but is slower and stamps the current time.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pandas as pd

from analysis.report.content import Report, shown_p_value, valid_interval
from analysis.report.text import say

_CREATED = dt.datetime(2000, 1, 1)


def estimates_table(estimates) -> pd.DataFrame:
    """Estimates with the interval left empty where it is not valid."""
    rows = []
    for e in estimates:
        ok = valid_interval(e)
        rows.append(
            {
                "name": e.name,
                "estimate": e.estimate,
                "ci_lower": e.ci_lower if ok else None,
                "ci_upper": e.ci_upper if ok else None,
                "p_value": None if math.isnan(shown_p_value(e)) else e.p_value,
                "interval_method": e.interval_method,
                "interval_valid": "yes" if ok else "no",
            }
        )
    return pd.DataFrame(rows)


def sheets(report: Report) -> dict[str, pd.DataFrame]:
    """The tables of the workbook, by sheet name."""
    lang = report.spec.lang
    about = [("command", report.spec.command())]
    about += [
        (f"input ({f.role})", f"{f.path}  sha256={f.sha256}  bytes={f.bytes}")
        for f in report.inputs
    ]
    for key in ("cannot_1", "cannot_2", "cannot_4"):
        about += [("cannot support", text) for _, text in say(key, lang)]
    out = {"说明 About": pd.DataFrame(about, columns=["item", "value"])}
    series = pd.concat([report.county_series, report.comparison_series], ignore_index=True)
    series = series.drop(columns="_row").assign(month=series["month"].dt.strftime("%Y-%m"))
    out["序列 Series"] = series
    if report.its is not None:
        out["ITS"] = estimates_table(report.its.estimates())
        out["ITS 反事实 Counterfactual"] = report.its.counterfactual.drop(
            columns=["position"], errors="ignore"
        )
    if report.did is not None:
        out["DiD"] = estimates_table(report.did.estimates())
    if report.events is not None:
        out["事件 Events"] = report.events
    return out


def write_workbook(report: Report, path: Path) -> None:
    """Write the workbook to ``path`` (the caller makes the write atomic)."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"nan_inf_to_errors": True})
    book.set_properties({"created": _CREATED, "title": report.spec.county})
    header = book.add_format({"bold": True, "bg_color": "#f2f2f2"})
    for name, frame in sheets(report).items():
        sheet = book.add_worksheet(name[:31])
        sheet.write_row(0, 0, [str(c) for c in frame.columns], header)
        for r, row in enumerate(frame.itertuples(index=False), start=1):
            for c, value in enumerate(row):
                if hasattr(value, "item") and not isinstance(value, str):
                    value = value.item()  # NumPy scalars -> Python
                if isinstance(value, float) and math.isinf(value):
                    sheet.write_string(r, c, "inf" if value > 0 else "-inf")
                elif value is None or (isinstance(value, float) and math.isnan(value)):
                    sheet.write_blank(r, c, None)
                elif isinstance(value, bool):
                    sheet.write_boolean(r, c, value)
                elif isinstance(value, int | float):
                    sheet.write_number(r, c, float(value))
                else:
                    sheet.write_string(r, c, str(value))
        sheet.set_column(0, max(len(frame.columns) - 1, 0), 16)
    book.close()
