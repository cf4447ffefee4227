"""The director's report: a county's series -> one self-contained bilingual HTML file (+ .xlsx).

``python -m analysis report --series series.csv --county CODE [--comparisons CODE,...]
[--reform YYYY-MM] [--events events.csv] --out report.html [--xlsx report.xlsx]
[--lang zh|en|both]``

:mod:`.content` computes (ITS and DiD through the engines' public entry points, diagnostics,
input hashes, the reproducing command); :mod:`.build` lays it out as HTML with inline SVG
figures and inline CSS (no external resource); :mod:`.tables` writes the workbook;
:mod:`.text` holds every sentence in Chinese and English; :mod:`.cli` is the command.
The package knows no case of the book: the county, dates and files are arguments.
"""

from analysis.report.content import Report, ReportSpec, analyse

__all__ = ["Report", "ReportSpec", "analyse", "write_report"]


def write_report(spec: ReportSpec) -> Report:
    """Analyse and write the HTML (and the workbook, if asked) atomically; return the content."""
    from analysis.report.cli import write_outputs

    report = analyse(spec)
    write_outputs(report)
    return report
