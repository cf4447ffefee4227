"""``python -m analysis report``: a county's series -> bilingual HTML report (+ .xlsx).

Usage::

    python -m analysis report --series series.csv --county CODE
        [--comparisons CODE,CODE,...] [--reform YYYY-MM[-DD]] [--events events.csv]
        [--outcome visit_share|admission_share|fund_share]
        --out report.html [--xlsx report.xlsx] [--lang zh|en|both]

``--series`` is the output of ``python -m analysis series``. ``--reform`` is the day the reform
took effect; the first wholly reformed month is the first month of the ITS and DiD (the rule of
``python -m analysis panel``). Outputs are written atomically and may not be an input file.

Exit status: 0 done; 1 input refused (one ``error:`` line naming file, row and column);
2 usage error.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from analysis.cli_spec import run_guarded
from analysis.errors import UsageError
from analysis.pipeline.panel_cli import refuse_overwrite, write_atomic
from analysis.report.content import OUTCOMES, Report, ReportSpec, analyse
from analysis.report.text import LANGS


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the ``report`` options to ``parser``."""
    parser.add_argument("--series", required=True, type=Path, metavar="CSV", help="monthly series")
    parser.add_argument("--county", required=True, metavar="CODE", help="the reformed county")
    parser.add_argument(
        "--comparisons",
        default="",
        metavar="CODE,...",
        help="comparison counties, comma-separated (adds the DiD)",
    )
    parser.add_argument(
        "--reform", default=None, metavar="YYYY-MM[-DD]", help="the day the reform took effect"
    )
    parser.add_argument(
        "--events",
        default=None,
        type=Path,
        metavar="CSV",
        help="dated events near the reform (columns date, name, kind, source)",
    )
    parser.add_argument("--outcome", default="visit_share", choices=OUTCOMES, help="the share")
    parser.add_argument("--out", required=True, type=Path, metavar="HTML", help="report to write")
    parser.add_argument("--xlsx", default=None, type=Path, metavar="XLSX", help="tables workbook")
    parser.add_argument(
        "--lang",
        default="both",
        choices=LANGS,
        help="report language(s), also the language of refusals unless both (default: both)",
    )


def spec_from(args: argparse.Namespace) -> ReportSpec:
    """The :class:`ReportSpec` the arguments describe."""
    comparisons = tuple(c.strip() for c in args.comparisons.split(",") if c.strip())
    return ReportSpec(
        series=args.series,
        county=args.county.strip(),
        out=args.out,
        comparisons=comparisons,
        reform=args.reform,
        events=args.events,
        xlsx=args.xlsx,
        outcome=args.outcome,
        lang=args.lang,
    )


def check_outputs(spec: ReportSpec) -> None:
    """Refuse output names that are wrong, equal or an input."""
    if spec.out.suffix.lower() not in (".html", ".htm"):
        raise UsageError(
            f"--out {spec.out}: the report is HTML; name it .html",
            zh=f"--out {spec.out}：报告是 HTML 文件；请以 .html 结尾命名",
        )
    if spec.xlsx is not None and spec.xlsx.suffix.lower() != ".xlsx":
        raise UsageError(
            f"--xlsx {spec.xlsx}: name the workbook .xlsx",
            zh=f"--xlsx {spec.xlsx}：请以 .xlsx 结尾命名工作簿",
        )
    inputs = [spec.series, *([spec.events] if spec.events else [])]
    refuse_overwrite(spec.out, inputs)
    if spec.xlsx is not None:
        refuse_overwrite(spec.xlsx, inputs, flag="--xlsx")
        if os.path.abspath(spec.xlsx) == os.path.abspath(spec.out):
            raise UsageError(
                "--xlsx and --out name the same file", zh="--xlsx 和 --out 指向同一个文件"
            )


def write_outputs(report: Report) -> None:
    """Write the HTML and the workbook, each atomically."""
    from analysis.report.build import render
    from analysis.report.tables import write_workbook

    spec = report.spec
    check_outputs(spec)
    html = render(report).encode("utf-8")
    if spec.xlsx is not None:
        write_atomic(spec.xlsx, lambda path: write_workbook(report, path))
    write_atomic(spec.out, html)


def _report(args: argparse.Namespace) -> str:
    spec = spec_from(args)
    check_outputs(spec)
    report = analyse(spec)
    write_outputs(report)
    written = [str(spec.out), *([str(spec.xlsx)] if spec.xlsx else [])]
    return f"report written to {', '.join(written)}"


_FLAGS = {
    "comparisons": "--comparisons",
    "reform": "--reform",
    "outcome": "--outcome",
    "lang": "--lang",
}


def run(args: argparse.Namespace) -> int:
    """Write the report. Returns the exit status."""
    # Refusals follow the report's language; with both, the locale's (analysis.errors).
    lang = args.lang if args.lang in ("zh", "en") else None
    return run_guarded(lambda: _report(args), _FLAGS, lang=lang, source=args.series)
