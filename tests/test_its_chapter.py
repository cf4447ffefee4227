"""The ITS chapter module: its model, numbers, figures and the thin page that uses them."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from analysis.chapters import its_qianjiang as ch
from analysis.chapters.case import COVID_EXCLUDED_MONTHS, COVID_START, REFORM_MONTH
from analysis.cli import main
from analysis.its import OtherInterruption, its
from analysis.plotting.provenance import provenance_classes

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "book" / "evidence" / "its_qianjiang.md"


@pytest.fixture(scope="module")
def frame():
    return ch.qianjiang_monthly()


@pytest.fixture(scope="module")
def numbers():
    return ch.numbers()


def test_main_model_is_the_pre_specified_one(frame) -> None:
    spec = ch.main_spec("visit_share")
    assert spec.intervention == REFORM_MONTH.strftime("%Y-%m-%d")
    (covid,) = spec.others
    assert covid.at == COVID_START.strftime("%Y-%m-%d") and covid.window == COVID_EXCLUDED_MONTHS
    fits = ch.fit_main(frame)
    assert set(fits) == set(ch.OUTCOMES)
    visit = fits["visit_share"]
    assert visit.errors == "ar1" and visit.rho is not None
    assert visit.n == len(frame) - COVID_EXCLUDED_MONTHS
    assert "covid" in visit.other_effects
    summary = ch.effects_summary(fits)
    assert list(summary["outcome"]) == list(ch.OUTCOMES.values())


def test_numbers_are_the_engine_estimates(frame, numbers) -> None:
    """Refit the model from options typed here, not from the chapter's spec."""
    fit = its(
        frame,
        time="month",
        outcome="visit_share",
        intervention="2023-01-01",
        seasonality="fourier:2",
        errors="ar1",
        others=[OtherInterruption(at="2020-02-01", name="covid", impact="level", window=6)],
    )
    level = fit.effects["level"]
    assert numbers["its-visit-level"] == f"{level.estimate:.2f}"
    assert numbers["its-visit-level-lo"] == f"{level.ci_lower:.2f}"
    assert numbers["its-visit-level-hi"] == f"{level.ci_upper:.2f}"
    assert numbers["its-visit-rho"] == f"{fit.rho:.2f}"
    assert numbers["its-n-fit"] == str(fit.n)
    assert numbers["its-n-months"] == str(len(frame))


def test_numbers_use_one_key_scheme_and_the_page_uses_exactly_them(numbers) -> None:
    assert all(re.fullmatch(r"its-[a-z0-9]+(-[a-z0-9]+)*", key) for key in numbers)
    assert all(re.fullmatch(r"fig-its-[a-z]+", key) for key in ch.FIGURES)
    assert all(isinstance(value, str) for value in numbers.values())
    text = PAGE.read_text(encoding="utf-8")
    used = set(re.findall(r"\{glue:text\}`([^`:]+)", text))
    assert used == set(numbers)
    figures = re.findall(r"```\{glue:figure\} (\S+)\n:name: (\S+)", text)
    assert {key for key, _ in figures} == set(ch.FIGURES)
    assert all(key == label for key, label in figures)


def test_page_cells_are_short() -> None:
    cells = re.findall(
        r"```\{code-cell\} ipython3\n(.*?)```", PAGE.read_text(encoding="utf-8"), re.DOTALL
    )
    code = [
        [line for line in cell.splitlines() if line.strip() and not line.startswith(":")]
        for cell in cells
    ]
    assert code and max(len(lines) for lines in code) <= 10
    assert sum(len(lines) for lines in code) <= 32


def test_robustness_menu_varies_what_the_issue_asks_for(frame) -> None:
    variations = ch.robustness_variations("visit_share", frame)
    assert {v.varied for v in variations} >= {
        "baseline",
        "intervention date",
        "phase-in",
        "pre-period start",
        "trend form",
        "exclusion window",
        "events",
        "error model",
        "seasonality",
    }
    table = ch.rob.robustness_menu(frame, variations)
    base = table.loc[(table["spec"] == "baseline") & (table["effect"] == "level")].iloc[0]
    main = ch.fit_main(frame)["visit_share"].effects["level"]
    assert base["estimate"] == pytest.approx(main.estimate, abs=1e-12)
    levels = table.loc[table["effect"] == "level"]
    refused = set(levels.loc[levels["estimate"].isna(), "spec"])
    # every event within one month of the reform (or in its month) leaves a too-short segment
    near = {e.label for e in ch.events() if abs((e.date - REFORM_MONTH).days) <= 62}
    assert refused == {f"+ {k} (level)" for k in near} | {"+ all events (level)"}
    wide = ch.robustness_wide(table.assign(outcome="visit_share"))
    assert len(wide) == len(variations)
    assert (wide.loc[wide["level change (pp)"] == "—", "not estimable because"] != "").all()


def test_events_near_the_reform_and_their_warnings() -> None:
    near = {e.label for e in ch.events_near_reform()}
    assert near == {"end_zero_covid", "infection_wave", "class_b", "rural_health"}
    warnings = ch.event_warnings()
    assert len(warnings) == len(near)
    assert sum("own month" in w for w in warnings) == 1  # Class B management, 8 January 2023
    table = ch.events_table()
    assert list(table["months from reform"]) == [-14, -1, -1, 0, 1]


def test_the_printed_commands_give_the_chapters_numbers(numbers, tmp_path, capsys) -> None:
    """Run the page's two commands as printed, in this process and from the repository's root
    (the exported file goes to a scratch folder): the export's ``python -c`` code, then
    ``python -m analysis its ...`` through the same entry point."""
    data = str(tmp_path / ch.MAIN_MODEL_FILE)
    export = shlex.split(ch.export_command(data))
    assert export[:2] == ["python", "-c"]
    exec(export[2], {})  # the printed code, verbatim
    words = shlex.split(ch.main_model_command(data=data))
    assert words[:4] == ["python", "-m", "analysis", "its"]
    assert shlex.split(ch.main_model_command())[4:6] == ["--data", ch.MAIN_MODEL_FILE]
    assert Path.cwd() == ROOT  # the events file's path is relative to the root
    assert main([*words[3:], "--json"]) == 0, capsys.readouterr().err
    doc = json.loads(capsys.readouterr().out)
    est = {e["name"]: e for e in doc["estimates"]}
    level = est["level"]
    assert f"{level['estimate']:.2f}" == numbers["its-visit-level"]
    assert f"{level['ci_lower']:.2f}" == numbers["its-visit-level-lo"]
    assert f"{level['ci_upper']:.2f}" == numbers["its-visit-level-hi"]
    assert f"{12 * est['slope']['estimate']:.2f}" == numbers["its-visit-slope-per-year"]
    assert f"{est['covid:level']['estimate']:.2f}" == numbers["its-visit-covid"]
    assert str(doc["details"]["n"]) == numbers["its-n-fit"]
    assert f"{doc['details']['rho']:.2f}" == numbers["its-visit-rho"]
    listed = {e["date"] for e in doc["details"]["events_near"]}
    assert listed == {e.day for e in ch.events_near_reform()}


def test_slope_power_table_checks_the_simulation_against_the_exact_mde() -> None:
    table = ch.run_power(ch.slope_power_scenarios(0.5), effect=0.0, reps=1000)[0]
    known = table.loc[table["estimator"] == "pw_known"]
    assert len(known) == 2
    assert np.allclose(known["mde"], known["mde_analytic"], rtol=0.1)
    assert table.loc[table["estimator"] != "pw_known", "mde_analytic"].isna().all()


def test_power_scenarios_have_distinct_labels_and_annual_is_weaker() -> None:
    scenarios = ch.power_scenarios(0.5)
    assert len({s.label for s in scenarios}) == len(scenarios)
    table, curves = ch.run_power(scenarios, effect=5.8, reps=500)
    annual = table[table["scenario"].str.startswith("annual")]["power"]
    monthly = table[table["scenario"].str.startswith("monthly")]["power"]
    assert annual.max() <= monthly.max()
    assert set(curves) == {s.label for s in scenarios}


def test_figures_label_provenance() -> None:
    fig = ch.figure_reported()
    assert provenance_classes(fig.axes[0]) == {"reported", "assumed"}
    plt.close(fig)
    fig = ch.figure_counterfactual()
    assert len(fig.axes) == 3
    for ax in fig.axes:
        assert ax.get_title().startswith("Synthetic data")
    assert all(
        "synthetic" in t.get_text().lower() or "CI" in t.get_text() or "excluded" in t.get_text()
        for t in fig.axes[0].get_legend().get_texts()
    )
    plt.close(fig)


def test_engine_knows_nothing_about_the_case() -> None:
    engine = ROOT / "analysis" / "its"
    for path in engine.glob("*.py"):
        text = path.read_text(encoding="utf-8").lower()
        for fact in ("qianjiang", "2023-01", "covid", "2020-02", "luo et al"):
            assert fact not in text, f"{path.name} mentions {fact!r}"
