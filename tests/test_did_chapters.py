"""The two DiD pages' chapter modules: numbers, figures and tables from the engines."""

from __future__ import annotations

import re

import matplotlib
import numpy as np
import pytest

from analysis import paths
from analysis.chapters import did_qianjiang as dq
from analysis.chapters import did_staggered as ds
from analysis.chapters.case import REFORM_YEAR, TREATED_DISTRICT, reported_points
from analysis.datasets import load_data

matplotlib.use("Agg")
GLUE = re.compile(r"\{glue(?::text)?\}`([^`:]+)|```\{glue:figure\} (\S+)")


def glue_keys(page: str) -> set[str]:
    text = (paths.ROOT / "book" / "evidence" / page).read_text(encoding="utf-8")
    return {a or b for a, b in GLUE.findall(text)}


@pytest.fixture(scope="module")
def visit_analysis():
    return dq.analyse_district(dq.districts(), "visit_share")


@pytest.mark.parametrize(
    "module, page, prefix", [(dq, "did_qianjiang.md", "did-"), (ds, "did_staggered.md", "stag-")]
)
def test_every_glue_key_of_the_page_comes_from_its_module(module, page, prefix):
    keys = glue_keys(page)
    numbers = module.numbers()
    assert all(re.fullmatch(rf"{prefix}[a-z0-9-]+", k) for k in numbers)
    assert all(re.fullmatch(rf"fig-{prefix}[a-z-]+", k) for k in module.FIGURES)
    assert keys <= set(numbers) | set(module.FIGURES), keys - set(numbers) - set(module.FIGURES)
    # glued values are plain Python, so the page prints 1.5 and not np.float64(1.5)
    assert not any(isinstance(v, np.generic) for v in numbers.values())


def test_reported_numbers_use_only_the_reported_points():
    numbers = dq.numbers()
    points = reported_points()
    visit = points[(points["series"] == "visit_share")].set_index("year")["value"]
    assert numbers["did-rep-visit-2017"] == visit[2017]
    assert numbers["did-rep-visit-slope"] == pytest.approx((visit[2022] - visit[2017]) / 5)
    post_year = numbers["did-rep-visit-post-year"]
    assert numbers["did-rep-visit-against-trend"] == pytest.approx(
        visit[post_year] - (visit[2022] + numbers["did-rep-visit-slope"] * (post_year - 2022))
    )


def test_district_analysis_is_internally_consistent(visit_analysis):
    a = visit_analysis
    n0 = int((~a.panel.ever_treated).sum())
    assert a.panel.units[a.panel.ever_treated].tolist() == [TREATED_DISTRICT]
    assert a.synthetic.effect.p_value >= 1 / (n0 + 1)
    assert a.placebo.p_value >= 1 / (n0 + 1)
    assert a.synthetic.weights.sum() == pytest.approx(1.0)
    assert not hasattr(a, "wild")  # refused with one treated cluster: not on the page
    assert a.event.table["rel_time"].tolist() == [-6, -5, -4, -3, -2, -1, 0, 1]
    # The grid reaches past the breakdown value, where the CI's lower end crosses zero.
    grid = a.honest_sd.grid
    assert grid["m"].max() > a.honest_sd.breakdown
    assert (grid["ci_lower"].iloc[0] > 0) != (grid["ci_lower"].iloc[-1] > 0)


def test_the_page_shows_no_interval_it_calls_invalid(visit_analysis):
    a = visit_analysis
    shown = [*a.did.estimates(), *a.event.estimates(), *a.placebo.estimates()]
    for estimate in shown:
        assert not estimate.interval_method.startswith("NOT VALID"), estimate.name
        assert "cluster" not in estimate.interval_method.lower(), estimate.name
    assert "collapse t(7)" in a.did.effect.interval_method
    assert "collapse t(7)" in a.event.interval_method
    assert "Hotelling" in a.event.pretrend_method
    numbers = dq.numbers()
    p_values = {k: v for k, v in numbers.items() if "-p-" in k or k.endswith("-p")}
    assert p_values and all(v >= 1e-4 for v in p_values.values()), p_values
    text = (paths.ROOT / "book" / "evidence" / "did_qianjiang.md").read_text(encoding="utf-8")
    assert "only remedy" not in text and "did-wcb" not in text


def test_hypotheses_are_matched_for_every_did_series(visit_analysis):
    register = load_data("hypotheses").frame
    table = dq.match_hypotheses(register, {"visit_share": visit_analysis})
    expected = dq.hypotheses_for(register, dq.PAGE_LABEL)
    visit_rows = expected[expected["series"].str.contains("visit_share")]
    assert set(table["hypothesis"]) == set(visit_rows["hypothesis"])
    assert f"{REFORM_YEAR} effect (pp)" in table.columns


def test_cs_beats_twfe_on_the_county_panel():
    a = ds.analyses()["visit_share"]
    cs_error = abs(a.cs_never.simple.estimate - a.true_att)
    twfe_error = abs(a.twfe.effect.estimate - a.true_att)
    assert cs_error < twfe_error
    assert cs_error < 3 * a.cs_never.simple.se
    frame = ds.counties()
    group = ds.group_table(a)
    assert len(group) == frame.loc[frame["first_treated"] > 0, "first_treated"].nunique()


def test_twfe_misleads_under_staggered_dynamic_effects():
    demo = ds.twfe_bias_demo(n_units=600, seed=3)
    assert abs(demo.cs.simple.estimate - demo.true_att) < 3 * demo.cs.simple.se
    assert abs(demo.twfe.effect.estimate - demo.true_att) > 10 * demo.twfe.effect.se
    assert demo.bias_share < -0.3


def test_staggered_hypotheses_use_the_interval_of_the_estimate():
    table = ds.match_hypotheses(load_data("hypotheses").frame, ds.analyses())
    row = table.iloc[0]
    simple = ds.analyses()[row["series"]].cs_notyet.simple
    assert row["95% CI"] == f"{simple.ci_lower:.2f} to {simple.ci_upper:.2f}"


@pytest.mark.parametrize("module", [dq, ds])
def test_every_figure_draws(module):
    import matplotlib.pyplot as plt

    for label, draw in module.FIGURES.items():
        fig = draw()
        assert fig.axes, label
        plt.close(fig)


def test_engines_know_nothing_of_the_book():
    engine = paths.ROOT / "analysis" / "did"
    for path in engine.glob("*.py"):
        text = path.read_text(encoding="utf-8").lower()
        assert "qianjiang" not in text, path.name
        assert "2023-01" not in text and "reform" not in text, path.name
