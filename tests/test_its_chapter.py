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


def test_main_model_is_the_one_the_chapter_describes(frame) -> None:
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


def test_robustness_menu_varies_the_event_handling_and_shows_words(frame) -> None:
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
    events_rows = [v for v in variations if v.varied in ("events", "exclusion window")]
    assert len(events_rows) >= len(ch.events()) + 2  # each event, all, own regime, windows
    wide = ch.robustness_wide(table.assign(outcome="visit_share"))
    assert len(wide) == len(variations)
    assert not wide["specification"].str.contains("_").any()
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


NOISE = ch.NoiseCalibration(sd=0.5, rho=-0.2, rho_low=-0.4, rho_high=0.0, annual_rho=-0.02, n=90)


def test_slope_power_table_checks_the_simulation_against_the_exact_mde() -> None:
    table = ch.run_power(ch.slope_power_scenarios(NOISE), effect=0.0, reps=1000)[0]
    known = table.loc[table["estimator"] == "pw_known"]
    assert len(known) == 2
    assert np.allclose(known["mde"], known["mde_analytic"], rtol=0.1)
    assert table.loc[table["estimator"] != "pw_known", "mde_analytic"].isna().all()


def test_power_scenarios_have_distinct_labels_and_annual_is_weaker() -> None:
    scenarios = ch.power_scenarios(NOISE)
    assert len({s.label for s in scenarios}) == len(scenarios)
    table, curves = ch.run_power(scenarios, effect=0.0, reps=500)
    annual = table[table["scenario"].str.startswith("annual")]["mde"]
    monthly = table[table["scenario"].str.startswith("monthly")]["mde"]
    assert annual.min() > monthly.max()
    assert set(curves) == {s.label for s in scenarios}


# --- identification, the slope headline and the calibrated power ------------------------------


def test_power_uses_the_residual_autocorrelation_of_the_fitted_model(frame, numbers) -> None:
    fit = its(
        frame,
        time="month",
        outcome="visit_share",
        intervention="2023-01-01",
        seasonality="fourier:2",
        errors="ar1",
        others=[OtherInterruption(at="2020-02-01", name="covid", impact="level", window=6)],
    )
    noise = ch.noise_calibration(fit)
    assert noise.rho == fit.rho and noise.rho < 0  # the synthetic residuals are anti-correlated
    half = 1.959964 * np.sqrt((1 - fit.rho**2) / fit.n)
    assert noise.rho_low == pytest.approx(fit.rho - half) and noise.rho_high == pytest.approx(
        fit.rho + half
    )
    headline = [s for s in ch.slope_power_scenarios(noise) if s.estimator == "pw"]
    assert headline[0].rho == fit.rho
    assert {s.rho for s in headline} == {fit.rho, noise.rho_low, noise.rho_high}
    assert 0.3 not in {s.rho for s in ch.power_scenarios(noise) + ch.slope_power_scenarios(noise)}
    assert numbers["its-power-rho"] == f"{fit.rho:.2f}"
    assert numbers["its-annual-rho"] == f"{noise.annual_rho:.2f}"


def test_headline_test_is_the_slope_change() -> None:
    scenarios = ch.slope_power_scenarios(NOISE)
    assert {s.test for s in scenarios} == {"slope"}
    assert all("slope" in s.impact for s in scenarios)
    text = PAGE.read_text(encoding="utf-8")
    headline = text[text.index("the headline estimate is the slope change") :]
    assert headline.index("its-visit-slope-per-year") < headline.index("its-visit-level")
    power = text[text.index("## Power") :]
    assert "headline test is the slope change" in power
    assert power.index("slope_power_table") < power.index("ch.power_table")
    fig = ch.figure_power()
    assert "slope" in fig.axes[0].get_xlabel()
    plt.close(fig)


def test_prose_keeps_power_apart_from_identification_and_claims_no_protocol() -> None:
    text = PAGE.read_text(encoding="utf-8")
    prose = re.sub(r"```.*?```", "", text, flags=re.DOTALL)
    assert "high power" not in prose.lower()
    assert "pre-specified" not in prose.lower() and "prespecified" not in prose.lower()
    assert "same team" in prose  # who derived the hypotheses and built the generator
    for identifier in ("min_segment", "analysis.its", "end_zero_covid", "visit_share"):
        assert identifier not in prose, identifier


def test_reported_rise_is_a_before_after_difference_compared_with_2022(numbers) -> None:
    claims = ch._claims()
    words = claims.at[ch.reported_rise_claim(), "source_zh"]
    assert "相较于2022年" in words and "提高了5.8个百分点" in words
    assert (
        numbers["its-visit-change"] == f"{float(claims.at[ch.reported_rise_claim(), 'value']):.1f}"
    )
    text = PAGE.read_text(encoding="utf-8")
    bullet = text[text.index("**Before–after change (as reported).**") :]
    bullet = bullet[: bullet.index("- **Gap")]
    assert "its-visit-change" in bullet and "not an effect" in bullet
    gap = text[text.index("- **Gap to the extrapolated line") :].split("\n\n")[0]
    assert "its-visit-gap" in gap and "the book's reading" in gap and "assumption" in gap


def test_glue_names_the_shock_dates_from_the_events_file_and_the_scenario(numbers) -> None:
    import tomllib

    import pandas as pd

    events = pd.read_csv(ROOT / "data" / "public" / "qianjiang_events.csv", dtype=str)
    day = pd.Timestamp(events.set_index("key").at["end_zero_covid", "date"])
    assert numbers["its-zero-covid-date"] == f"{day.day} {day:%B %Y}"
    config = tomllib.loads((ROOT / "data" / "synthetic" / "assumptions.toml").read_text("utf-8"))
    shock = config["scenarios"][ch.SHOCK_SCENARIO]
    start = pd.Timestamp(shock["start_month"] + "-01")
    assert numbers["its-shock-start"] == f"{start:%B %Y}"
    assert numbers["its-shock-persistent"] == f"{shock['visits']['persistent_share_pp']:g}"
    text = PAGE.read_text(encoding="utf-8")
    assert "its-zero-covid-date" in text[text.index("## Identification") :]


def test_built_in_effect_matches_the_committed_data(numbers) -> None:
    """Recompute the generator's truth from the committed CSV's annual shares, independently."""
    from analysis.synthetic.calibration import annual_totals

    raw = ch.load_data("district_monthly").frame
    annual = annual_totals(raw)["visit_share"]
    reform = REFORM_MONTH.year
    pre = annual.loc[: reform - 1]
    post = annual.loc[reform:]
    pre_slope = (pre.iloc[-1] - pre.iloc[0]) / (len(pre) - 1)
    post_slope = (post.iloc[-1] - post.iloc[0]) / (len(post) - 1)
    level = (post.iloc[0] - post_slope * 5.5 / 12) - (pre.iloc[-1] + pre_slope * 6.5 / 12)
    assert numbers["its-true-slope"] == f"{post_slope - pre_slope:.2f}"
    assert float(numbers["its-true-level"]) == pytest.approx(level, abs=0.01)


def test_identification_table_shows_what_each_design_recovers() -> None:
    table = ch.identification()
    level = table.loc[table["effect"] == "level"].set_index(["world", "spec"])
    truth = level["truth"].iloc[0]
    worlds = list(ch.SHOCK_WORLDS)
    none, transient, persistent, local = worlds
    excl = next(s for s in level.loc[none].index if s.startswith("exclude"))
    persistent_pp = ch.shock_settings()["visits"]["persistent_share_pp"]
    # no shock, or a transient one with its months left out: the truth is recovered
    assert level.at[(none, "main model, no event term"), "estimate"] == pytest.approx(
        truth, abs=0.3
    )
    assert level.at[(transient, excl), "estimate"] == pytest.approx(truth, abs=0.3)
    # a persistent shift survives every event handling of a single series: it is the bias
    for spec in (excl, "main model, no event term"):
        assert level.at[(persistent, spec), "estimate"] - truth == pytest.approx(
            persistent_pp, abs=0.6
        )
    # a comparison series removes a common shock, not a local one
    assert level.at[(persistent, ch.CITS_LABEL), "estimate"] == pytest.approx(truth, abs=0.3)
    assert level.at[(local, ch.CITS_LABEL), "estimate"] - truth > 0.5
    shown = ch.identification_table()
    assert len(shown) == len(worlds) * len(ch.identification_variations())
    assert not shown["specification"].str.contains("_").any()


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
