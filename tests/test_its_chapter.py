"""The ITS chapter module: its model, numbers, figures and the thin page that uses them."""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest

from analysis.chapters import its_qianjiang as ch
from analysis.chapters.case import COVID_EXCLUDED_MONTHS, COVID_START, REFORM_MONTH
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
    assert sum(len(lines) for lines in code) <= 30


def test_robustness_menu_covers_every_combination(frame) -> None:
    table = ch.robustness(frame)
    assert len(table) == 3 * 2 * 2 * 3
    wide = ch.robustness_wide(table)
    assert wide.shape == (12, 6)
    assert set(wide["errors"]) == {"ols", "hac", "ar1"}


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
