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
from analysis.did.inference import FEW_CLUSTERS

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


def test_anhui_shaped_panel_has_the_reported_pilots_and_almost_no_clean_controls():
    from analysis.synthetic.panel import load_panel_settings

    frame = ds.counties()
    first = frame.drop_duplicates("county")["first_treated"]
    claims = load_data("claims").frame.set_index("claim_id")
    pilots = int(float(claims.loc["ah_pilot_counties_2019", "value"]))
    assert first.size == load_panel_settings()["n_counties"]
    assert 50 <= first.size <= 70
    assert (first == 2019).sum() == pilots
    assert (first == 0).sum() <= 2  # a province-wide roll-out leaves (almost) no never-treated
    assert first.max() < frame["year"].max()  # the last wave adopts inside the panel


def test_not_yet_treated_pool_shrinks_and_the_page_says_so():
    # Computed here from the panel itself, not through the chapter's helpers.
    frame = load_data("county_staggered_panel").frame
    first = frame.drop_duplicates("county")["first_treated"]
    years = sorted(first[first > 0].unique())
    pool = [int(((first == 0) | (first > y)).sum()) for y in years]
    assert all(later < earlier for earlier, later in zip(pool, pool[1:]))
    numbers = ds.numbers()
    assert [numbers["stag-pool-first"], numbers["stag-pool-second"]] == pool[:2]
    assert numbers["stag-pool-last"] == pool[-1]
    assert numbers["stag-pool-first-year"] == str(years[0])
    text = (paths.ROOT / "book" / "evidence" / "did_staggered.md").read_text(encoding="utf-8")
    assert "keeps more counties in play" not in text
    assert "shrinks" in text and "{glue:text}`stag-pool-second`" in text


def test_only_cells_with_a_comparison_county_are_estimated():
    a = ds.analyses()["visit_share"]
    cells = a.cells
    assert (cells["estimable"] == (cells["comparison counties"] > 0)).all()
    assert 0 < cells["estimable"].sum() < len(cells)
    assert a.never_refusal  # no never-treated county: that comparison is refused
    shown = cells[cells["estimable"]]
    assert (shown["treated counties"] >= FEW_CLUSTERS).all()
    assert (shown["comparison counties"] >= FEW_CLUSTERS).all()
    # Each cell's interval holds its truth (fixed seed; three cells).
    assert (shown["ci_lower"] <= shown["true effect (pp)"]).all()
    assert (shown["true effect (pp)"] <= shown["ci_upper"]).all()
    # TWFE reports a number for all years, far from the truth it claims to average.
    assert abs(a.twfe_estimate - a.true_att) > 0.3 * a.true_att


def test_twfe_misleads_under_staggered_dynamic_effects():
    demo = ds.twfe_bias_demo(n_units=600, seed=3)
    assert abs(demo.cs.simple.estimate - demo.true_att) < 3 * demo.cs.simple.se
    assert abs(demo.twfe.effect.estimate - demo.true_att) > 10 * demo.twfe.effect.se
    assert demo.bias_share < -0.3


def test_staggered_hypotheses_use_the_interval_of_the_estimate():
    table = ds.match_hypotheses(load_data("hypotheses").frame, ds.analyses())
    row = table.iloc[0]
    series = {v: k for k, v in ds.SHARE_NAMES.items()}[row["share"]]
    simple = ds.analyses()[series].cs.simple
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
