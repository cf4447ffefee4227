"""Using your own county's data (``book/data/own_county_data.md``): the whole path from a
bureau's exports to the director's report, walked on shipped synthetic exports.

:func:`walkthrough` runs, on the synthetic exports in ``data/synthetic/bureau_exports/`` (a
GB18030 CSV and an ``.xlsx`` with the bureau's Chinese headers and labels), records -> series
(:func:`analysis.pipeline.build_series`, with the shipped header and label maps) -> panel ->
ITS and DiD -> report (:func:`analysis.report.write_report`), in a temporary folder removed
before it returns, and keeps what the page shows. The accepted headers and labels are read from
the pipeline's shipped maps (:mod:`analysis.tables.mapping`), not typed here.
The Spark
cluster sizing is the appendix :mod:`analysis.chapters.spark_sizing`.

Examples
--------
>>> print(commands().splitlines()[0])
python -m analysis series --records data/synthetic/bureau_exports --out series.csv
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.figure import Figure
from pandas.io.formats.style import Styler

from analysis import paths
from analysis.pipeline import build_series
from analysis.pipeline.schema import COUNT_COLUMNS, output_table, reason_table
from analysis.pipeline.series import SeriesRun
from analysis.pipeline.to_panel import build_panel
from analysis.report import Report, ReportSpec, write_report
from analysis.report.build import estimate_headers, estimate_rows
from analysis.report.figures import draw_series
from analysis.synthetic import bureau_exports
from analysis.tables.mapping import header_rows, load_label_map

DEMO_SCALE = 400
DEMO_BAD_FRACTION = 0.01
DEMO_SEED = 20250901
SHARE_COLUMNS = {"visit_share": "{:.1f}", "admission_share": "{:.1f}", "fund_share": "{:.1f}"}


@dataclass(frozen=True)
class Walkthrough:
    """What the page shows of the path from the shipped exports to the report.

    Attributes
    ----------
    run
        The series run on the shipped exports.
    expected
        The series the generator says the exports hold (from its own rows).
    panel
        The annual panel of ``python -m analysis panel``.
    report
        The report's content (ITS, DiD, diagnostics).
    spec
        The report's options, with the file names the page's commands use.
    sizes
        Bytes of ``report.html`` and ``report.xlsx``.
    """

    run: SeriesRun
    expected: pd.DataFrame
    panel: pd.DataFrame
    report: Report
    spec: ReportSpec
    sizes: dict[str, int]


def _config() -> dict[str, Any]:
    return bureau_exports.load_config()


def report_spec(folder: Path = Path()) -> ReportSpec:
    """The report of the page: the reformed county against the others, files in ``folder``."""
    config = _config()
    county = config["reform"]["county"]
    return ReportSpec(
        series=folder / "series.csv",
        county=county,
        comparisons=tuple(c["code"] for c in config["county"] if c["code"] != county),
        reform=config["reform"]["month"],
        out=folder / "report.html",
        xlsx=folder / "report.xlsx",
    )


@cache
def walkthrough() -> Walkthrough:
    """Records -> series -> panel -> ITS/DiD -> report on the shipped synthetic exports."""
    config = _config()
    work = Path(tempfile.mkdtemp(prefix="own-county-"))
    try:
        run = build_series(bureau_exports.FOLDER)
        series = run.series.assign(month=run.series["month"].dt.strftime("%Y-%m-%d"))
        series.to_csv(work / "series.csv", index=False)
        reforms = pd.DataFrame(
            {"county": [config["reform"]["county"]], "reform_date": [_reform_day()]}
        )
        panel = build_panel(series, reforms, frequency="annual", partial_year="next")
        report = write_report(report_spec(work))
        sizes = {name: (work / name).stat().st_size for name in ("report.html", "report.xlsx")}
    finally:
        shutil.rmtree(work, ignore_errors=True)
    expected = bureau_exports.expected_series(bureau_exports.generate_records(config), config)
    return Walkthrough(run, expected, panel, report, report_spec(), sizes)


def _reform_day() -> str:
    return f"{_config()['reform']['month']}-01"


def _same_series(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    """Same counties, months and counts (types aside)."""

    def plain(frame: pd.DataFrame) -> list[tuple]:
        rows = frame.assign(district=frame["district"].astype(str))
        rows = rows.assign(month=pd.to_datetime(rows["month"]).dt.strftime("%Y-%m"))
        return list(rows[["district", "month", *COUNT_COLUMNS]].astype(str).itertuples(index=False))

    return plain(a) == plain(b)


def _walk_numbers(walk: Walkthrough) -> dict[str, Any]:
    config, run, report = _config(), walk.run, walk.report
    exact = _same_series(run.series, walk.expected)
    level, slope = report.its.effects["level"], report.its.effects["slope"]
    did = report.did.estimates()[0]
    placebo = report.did_placebo.estimates()[0]
    files = config["file"]
    return {
        "own-export-files": len(files),
        "own-export-csv": files[0]["name"],
        "own-export-xlsx": files[1]["name"],
        "own-export-rows": f"{run.rows_in:,}",
        "own-export-counties": len(config["county"]),
        "own-export-first": config["generator"]["first_month"],
        "own-export-last": config["generator"]["last_month"],
        "own-export-seed": config["generator"]["seed"],
        "own-rows-aggregated": f"{run.rows_aggregated:,}",
        "own-rows-quarantined": f"{run.rows_quarantined:,}",
        "own-months": run.months,
        "own-counties": run.counties,
        "own-seconds": f"{run.seconds:.1f}",
        "own-out-of-county": f"{run.out_of_county:,}",
        "own-out-of-county-pct": f"{100 * run.out_of_county / run.rows_in:.1f}",
        "own-exact": "yes" if exact else "no",
        "own-reform-county": config["reform"]["county"],
        "own-reform-month": config["reform"]["month"],
        "own-true-level": f"{config['reform']['visit_share_change_pp']:g}",
        "own-its-level": f"{level.estimate:.1f}",
        "own-its-level-lo": f"{level.ci_lower:.1f}",
        "own-its-level-hi": f"{level.ci_upper:.1f}",
        "own-its-slope": f"{slope.estimate:.2f}",
        "own-its-method": report.its.interval_method,
        "own-did": f"{did.estimate:.1f}",
        "own-did-lo": f"{did.ci_lower:.1f}",
        "own-did-hi": f"{did.ci_upper:.1f}",
        "own-did-method": did.interval_method.split(":")[0],
        "own-did-placebo-p": f"{placebo.p_value:.2f}",
        "own-panel-rows": len(walk.panel),
        "own-its-pre": int((report.county_series["month"] < report.first_month).sum()),
        "own-its-post": int((report.county_series["month"] >= report.first_month).sum()),
        "own-visits-per-month": f"{report.county_series['visits_total'].mean():.0f}",
        "own-n-comparisons": len(report.spec.comparisons),
        "own-n-units": 1 + len(report.spec.comparisons),
        "own-did-placebo-min": f"{1 / (1 + len(report.spec.comparisons)):.2f}",
        "own-report-kib": f"{walk.sizes['report.html'] / 1024:.0f}",
        "own-xlsx-kib": f"{walk.sizes['report.xlsx'] / 1024:.0f}",
    }


def numbers() -> dict[str, Any]:
    """Every number the page glues: the walk-through and the shipped maps."""
    headers = header_rows()
    return {
        "own-n-fields": len({field for field, _, required in headers if required}),
        "own-n-headers": len(headers),
        "own-n-optional": len({field for field, _, required in headers if not required}),
        "own-n-labels": len(load_label_map().rows()),
        "own-n-reasons": len(reason_table()),
        **_walk_numbers(walkthrough()),
    }


def table_reasons() -> Styler:
    """Why a row is quarantined, one reason per row."""
    return reason_table().style.hide(axis="index")


def table_files() -> Styler:
    """The shipped exports: file, format, months and rows (from the run's file reports)."""
    rows = [
        {
            "file": spec["name"],
            "format": spec["format"] + (f" ({spec['encoding']})" if "encoding" in spec else ""),
            "months": f"{spec['first_month']} to {spec['last_month']}",
            "rows": f"{report.rows:,}",
        }
        for spec, report in zip(_config()["file"], walkthrough().run.file_reports)
    ]
    return pd.DataFrame(rows).style.hide(axis="index")


def table_export_head() -> Styler:
    """The first rows of the CSV export, exactly as the bureau's system writes them."""
    path = bureau_exports.FOLDER / _config()["file"][0]["name"]
    head = pd.read_csv(path, encoding="gb18030", dtype=str, nrows=5)
    return head.style.hide(axis="index").format(escape="html")


def table_headers() -> Styler:
    """The accepted headers of each field, from the shipped header map."""
    rows = pd.DataFrame(header_rows(), columns=["field", "header", "required"])
    grouped = rows.groupby(["field", "required"], sort=False)["header"].agg(" / ".join)
    table = grouped.reset_index()[["field", "required", "header"]]
    table["required"] = table["required"].map({True: "yes", False: "optional"})
    return table.rename(columns={"header": "accepted headers"}).style.hide(axis="index")


def table_labels() -> Styler:
    """The accepted labels of each category, from the shipped label map."""
    rows = pd.DataFrame(load_label_map().rows(), columns=["field", "label", "category"])
    grouped = rows.groupby(["field", "category"], sort=False)["label"].agg(" / ".join)
    return grouped.reset_index().rename(columns={"label": "labels"}).style.hide(axis="index")


def table_output() -> Styler:
    """The output columns and their definitions."""
    return output_table().style.hide(axis="index")


def table_series() -> Styler:
    """The first months of the series built from the exports."""
    rows = walkthrough().run.series.head(6)
    return rows.style.hide(axis="index").format({"month": "{:%Y-%m}", **SHARE_COLUMNS})


def table_panel() -> Styler:
    """The annual panel rows of the reformed county."""
    panel = walkthrough().panel
    rows = panel[panel["county"] == _config()["reform"]["county"]]
    return rows.style.hide(axis="index").format(SHARE_COLUMNS)


def _estimates(estimates) -> Styler:
    table = pd.DataFrame(estimate_rows(estimates, "en"), columns=estimate_headers("en"))
    return table.style.hide(axis="index")


def table_its() -> Styler:
    """The report's ITS estimates, as the report shows them (English)."""
    return _estimates(walkthrough().report.its.estimates())


def table_did() -> Styler:
    """The report's DiD estimate with the engine's default inference."""
    return _estimates(walkthrough().report.did.estimates())


def commands() -> str:
    """The commands of the whole path, with the file names of the page."""
    folder = bureau_exports.FOLDER.relative_to(paths.ROOT).as_posix()
    county = _config()["reform"]["county"]
    return "\n".join(
        [
            f"python -m analysis series --records {folder} --out series.csv",
            f"printf 'county,reform_date\\n{county},{_reform_day()}\\n' > reforms.csv",
            "python -m analysis panel --series series.csv --reforms reforms.csv "
            "--frequency annual --partial-year next --out panel.csv",
            report_spec().command(),
        ]
    )


def figure_series() -> Figure:
    """The report's Figure 1, drawn for the page."""
    return draw_series(walkthrough().report)


def figures() -> dict[str, Figure]:
    """Every figure of the page, keyed by its glue label."""
    return {"fig-own-series": figure_series()}
