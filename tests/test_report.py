"""``python -m analysis report``: the director's report shows the engines' results faithfully,
never an invalid interval, is self-contained and bilingual, lists its inputs with SHA-256, and
its printed command rewrites it byte for byte. Refusals exit 1 or 2 with one ``error:`` line.

The numbers are checked against direct calls of the engines' public entry points with the model
the report states (the engines themselves are tested against R and published results in
tests/test_its_*.py and tests/test_did_*.py).
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
import re
import shlex
from pathlib import Path

import pandas as pd
import pytest
from python_calamine import CalamineWorkbook

from analysis.cli import main as cli_main
from analysis.estimates import Estimate
from analysis.report import write_report
from analysis.report.build import estimate_rows, fmt, render
from analysis.report.content import ReportSpec, valid_interval
from analysis.synthetic.bureau_exports import expected_series, generate_records, load_config

CONFIG = load_config()
COUNTY = CONFIG["reform"]["county"]
REFORM = CONFIG["reform"]["month"]
OTHERS = [c["code"] for c in CONFIG["county"] if c["code"] != COUNTY]


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("report")
    series = expected_series(generate_records(CONFIG), CONFIG)
    series = series.assign(month=series["month"].dt.strftime("%Y-%m-%d"))
    series.to_csv(folder / "series.csv", index=False)
    events = pd.DataFrame(
        {
            "date": ["2020-03-01", f"{REFORM}-15"],
            "name": ["Far event", "Coinciding event"],
            "kind": ["policy", "policy"],
            "source": ["Document A", "Document B"],
        }
    )
    events.to_csv(folder / "events.csv", index=False)
    return folder


@pytest.fixture(scope="module")
def full(folder: Path) -> dict[str, object]:
    hashes = {p.name: _sha(p) for p in folder.iterdir()}
    spec = ReportSpec(
        series=folder / "series.csv",
        county=COUNTY,
        out=folder / "out" / "r.html",
        comparisons=tuple(OTHERS),
        reform=REFORM,
        events=folder / "events.csv",
        xlsx=folder / "out" / "r.xlsx",
    )
    report = write_report(spec)  # the command line's own run is the rewrite test below
    return {
        "html": (folder / "out" / "r.html").read_text(encoding="utf-8"),
        "report": report,
        "hashes": hashes,
    }


def test_the_its_numbers_are_the_engines_with_the_stated_model(full, folder):
    from analysis.its.fit import ITSSpec, fit_its

    series = pd.read_csv(folder / "series.csv")
    rows = series[series["district"].astype(str) == COUNTY].reset_index(drop=True)
    rows["visit_share"] = 100 * rows["visits_primary"] / rows["visits_total"]
    direct = fit_its(
        rows[["month", "visit_share"]],
        ITSSpec(
            time="month",
            outcome="visit_share",
            intervention=f"{REFORM}-01",
            seasonality="fourier:2",
            errors="ar1",
        ),
    )
    shown = full["report"].its
    for name in ("level", "slope"):
        assert shown.effects[name].estimate == pytest.approx(direct.effects[name].estimate)
        assert shown.effects[name].ci_lower == pytest.approx(direct.effects[name].ci_lower)
    html = full["html"]
    assert f">{fmt(direct.effects['level'].estimate)}<" in html
    assert direct.interval_method in html


def test_the_did_is_the_engines_default_inference_and_only_valid_intervals_are_shown(full):
    run = full["report"].did
    headline = run.estimates()[0]
    assert run.spec.estimator == "twfe" and run.panel.n_treated == 1
    assert run.panel.n_units == 1 + len(OTHERS)
    if valid_interval(headline):
        assert f"[{fmt(headline.ci_lower)}, {fmt(headline.ci_upper)}]" in full["html"]
    for e in run.estimates():
        assert "not valid" not in e.interval_method.lower() or not valid_interval(e)
    # The reform is a +8 pp level change in the generator's config; the DiD finds it roughly.
    assert abs(headline.estimate - CONFIG["reform"]["visit_share_change_pp"]) < 5


def test_an_interval_the_engine_calls_invalid_or_cannot_compute_is_never_shown():
    bad = Estimate("att", 1.0, 0.5, -1.0, 3.0, 0.04, "CR1 clustered, NOT VALID with 1 treated")
    none = Estimate("att", 1.0, math.nan, math.nan, math.nan, 0.2, "rank p-value; no interval")
    good = Estimate.from_se("att", 1.0, 0.5, method="collapse t(4)")
    assert not valid_interval(bad) and not valid_interval(none) and valid_interval(good)
    rows = estimate_rows([bad, none, good], "en")
    assert rows[0][2].startswith("no valid interval") and "-1.00" not in rows[0][2]
    assert rows[0][3] == "—"  # nor the p-value of the invalid method
    assert rows[1][2].startswith("no valid interval") and rows[1][3] == "0.200"
    assert rows[2][2] == "[0.02, 1.98]"
    whole_line = Estimate("att", 1.0, math.nan, -math.inf, math.inf, 0.5, "permutation over 2")
    assert estimate_rows([whole_line], "en")[0][2:4] == ["[−∞, ∞]", "0.500"]


def test_the_report_is_self_contained(full):
    html = full["html"]
    for pattern in (r"<script", r"<link", r"<img", r"<iframe", r"@import", r"@font-face"):
        assert not re.search(pattern, html, re.IGNORECASE), pattern
    assert re.findall(r"url\((.)", html) == ["#"] * html.count("url(")  # SVG clip paths only
    # The only references are the SVG's own glyphs and clip paths (#id), never a file or URL.
    targets = re.findall(r"(?:src|href)\s*=\s*[\"']?(.)", html, re.IGNORECASE)
    assert targets and set(targets) == {"#"}
    assert not re.search(r"<!DOCTYPE svg|<\?xml|<metadata", html)
    assert html.count("<svg") == 2  # the series and the residual autocorrelation


def test_contents_diagnostics_events_and_limits(full):
    html = full["html"]
    for anchor in ("summary", "series", "its", "did", "diagnostics", "events", "support"):
        assert f'id="{anchor}"' in html
    assert "诊疗人次" in html and "异地就医" in html and "coincide" in html
    warnings = re.findall(r"<li[^>]*>(.*?)</li>", html)
    assert len(warnings) == 1 and warnings[0].startswith("Coinciding event (")
    assert "Durbin–Watson" in html and "Placebo in time" in html and "Placebo in space" in html


def test_every_input_is_listed_with_its_sha256_and_left_unchanged(full, folder):
    for name in ("series.csv", "events.csv"):
        assert _sha(folder / name) == full["hashes"][name]
        assert full["hashes"][name] in full["html"]


def test_the_printed_command_rewrites_the_report_byte_for_byte(full, folder):
    command = re.search(r"<pre><code>(.*?)</code></pre>", full["html"]).group(1)
    words = shlex.split(command.replace("&#x27;", "'").replace("&quot;", '"'))
    assert words[:4] == ["python", "-m", "analysis", "report"]
    again = folder / "again"
    words = [w.replace(str(folder / "out"), str(again)) for w in words[3:]]
    assert cli_main(words) == 0
    first = full["html"].replace(str(folder / "out"), str(again))
    assert (again / "r.html").read_text(encoding="utf-8") == first
    sheets = []
    for path in (folder / "out" / "r.xlsx", again / "r.xlsx"):
        book = CalamineWorkbook.from_path(str(path))
        sheets.append([book.get_sheet_by_name(name).to_python() for name in book.sheet_names])
    text = repr(sheets[0]).replace(str(folder / "out"), str(again))
    assert text == repr(sheets[1])


def test_languages(full):
    report = full["report"]
    zh = render(dataclasses.replace(report, spec=dataclasses.replace(report.spec, lang="zh")))
    en = render(dataclasses.replace(report, spec=dataclasses.replace(report.spec, lang="en")))
    both = full["html"]
    assert "Summary" not in zh and "What these data can" not in zh  # engine notes stay English
    assert 'lang="zh-CN"' not in en and '<html lang="en">' in en
    assert 'lang="zh-CN"' in both and 'p lang="en"' in both
    assert "不能说明" in zh and "Cannot support" in en and "Cannot support" not in zh


def test_the_workbook_holds_the_tables(full, folder):
    book = CalamineWorkbook.from_path(str(folder / "out" / "r.xlsx"))
    assert book.sheet_names == [
        "说明 About",
        "序列 Series",
        "ITS",
        "ITS 反事实 Counterfactual",
        "DiD",
        "事件 Events",
    ]
    its = book.get_sheet_by_name("ITS").to_python()
    assert its[0][:4] == ["name", "estimate", "ci_lower", "ci_upper"]
    level = full["report"].its.effects["level"]
    assert its[1][0] == "level" and its[1][1] == pytest.approx(level.estimate)
    series = book.get_sheet_by_name("序列 Series").to_python()
    assert len(series) == 1 + 36 * len(CONFIG["county"])
    about = book.get_sheet_by_name("说明 About").to_python()
    assert about[1][1].startswith("python -m analysis report")


def _run(argv: list[str], capsys) -> tuple[int, str]:
    code = cli_main(argv)
    return code, capsys.readouterr().err


def test_refusals_name_what_to_fix_and_leave_inputs_unchanged(folder, capsys):
    series = str(folder / "series.csv")
    before = _sha(folder / "series.csv")
    base = ["report", "--series", series, "--out", str(folder / "x" / "r.html"), "--lang", "en"]
    code, err = _run([*base, "--county", "nope"], capsys)
    assert code == 1 and "county 'nope' is not in the series" in err and series in err
    code, err = _run([*base, "--county", COUNTY, "--reform", "2030-01"], capsys)
    assert code == 1 and "outside" in err
    code, err = _run([*base, "--county", COUNTY, "--reform", "2021-02"], capsys)
    assert code == 1 and "too few points" in err and series in err
    code, err = _run([*base, "--county", COUNTY, "--reform", "2022-13"], capsys)
    assert code == 2 and "--reform" in err
    code, err = _run([*base, "--county", COUNTY, "--comparisons", f"{COUNTY},{OTHERS[0]}"], capsys)
    assert code == 2
    code, err = _run(
        ["report", "--series", series, "--county", COUNTY, "--out", series + ".html"], capsys
    )
    assert code == 0  # beside the input is fine
    code, err = _run(["report", "--series", series, "--county", COUNTY, "--out", series], capsys)
    assert code == 2
    assert "Traceback" not in err and _sha(folder / "series.csv") == before
    assert not (folder / "x").exists()


def test_a_missing_month_is_refused(tmp_path, folder, capsys):
    series = pd.read_csv(folder / "series.csv", dtype=str)
    gap = series[~((series["district"] == COUNTY) & (series["month"] == "2022-02-01"))]
    gap.to_csv(tmp_path / "gap.csv", index=False)
    argv = ["report", "--series", str(tmp_path / "gap.csv"), "--county", COUNTY]
    code, err = _run([*argv, "--out", str(tmp_path / "r.html")], capsys)
    assert code == 1 and "2022-02" in err and "column 'month'" in err
    assert not (tmp_path / "r.html").exists()
