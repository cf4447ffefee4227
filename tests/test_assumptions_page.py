"""The assumptions page: implied quantities of the calibration and the switchable alternatives.

The hospital-revenue path is checked three ways: the synthetic annual totals, the engine's
closed form, and a formula written out here from the claims file and the assumptions file
(primary care's revenue P grows at the reported rate, the share s is assumed, so the rest of
the fund is P / s - P).
"""

from __future__ import annotations

import re
import tomllib

import numpy as np
import pandas as pd
import pytest

from analysis import paths
from analysis.synthetic import generate
from analysis.synthetic.calibration import (
    annual_totals,
    closed_form_fund_path,
    implied_quantities,
    non_primary,
    with_treated_settings,
    write_config,
)
from analysis.synthetic.config import load_config, read_claim_values

PAGE = paths.BOOK / "data" / "assumptions.md"


@pytest.fixture(scope="module")
def config() -> dict:
    return load_config()


@pytest.fixture(scope="module")
def claims() -> dict[str, float]:
    return read_claim_values()


@pytest.fixture(scope="module")
def generated():
    return generate()


@pytest.fixture(scope="module")
def implied(generated, config) -> pd.DataFrame:
    return implied_quantities(generated.district_monthly, generated.anchors, config)


@pytest.fixture(scope="module")
def chapter():
    from analysis.chapters import assumptions

    return assumptions


def _row(table: pd.DataFrame, start: str, years: str) -> float:
    rows = table[table["quantity"].str.startswith(start) & (table["years"] == years)]
    assert len(rows) == 1, (start, years)
    return float(rows["value"].iloc[0])


def _hand_formula(config, claims) -> dict[str, float]:
    """Hospitals' fund-revenue growth (percent) from the reported values and the assumptions."""
    settings = config["treated"]["qianjiang"]
    primary_growth = 1 + claims["qj_fund_growth_annual"] / 100
    shares = {2022: claims["qj_fund_share_2022"]} | {
        int(y): v for y, v in settings["fund_share_post"].items()
    }
    out = {}
    for year in (2023, 2024):
        before, now = shares[year - 1] / 100, shares[year] / 100
        out[str(year)] = 100 * (primary_growth * ((1 - now) / now) / ((1 - before) / before) - 1)
    total = (1 + settings["fund_total_growth"]) ** 5
    rest = (100 - claims["qj_fund_share_2022"]) / (100 - claims["qj_fund_share_2017"])
    out["2017-2022"] = 100 * ((total * rest) ** (1 / 5) - 1)
    return out


def test_hospital_growth_from_synthetic_totals_equals_closed_form(generated, config):
    synthetic = non_primary(annual_totals(generated.district_monthly), "fund")
    closed = closed_form_fund_path(config, generated.anchors)["fund_other"]
    # The generator rounds to whole yuan; nothing else may separate the two.
    np.testing.assert_allclose(synthetic.to_numpy(), closed.loc[synthetic.index], rtol=1e-7)
    np.testing.assert_allclose(
        100 * synthetic.pct_change().dropna(),
        100 * closed.pct_change().dropna(),
        atol=1e-4,
    )


def test_implied_hospital_path_equals_the_formula_from_claims_and_assumed_shares(
    implied, config, claims
):
    expected = _hand_formula(config, claims)
    others = "fund-share denominator less primary care"
    for years, value in expected.items():
        assert _row(implied, others, years) == pytest.approx(value, abs=1e-4), years
    # Printed precision of the referee's reading: about 6.6 %/yr, then 1.0 % and 0.0 %.
    assert [round(expected[y], 1) for y in ("2017-2022", "2023", "2024")] == [6.6, 1.0, 0.0]


def test_every_implied_row_names_real_claims_and_settings(implied, config, claims):
    assert not implied.empty
    for row in implied.itertuples():
        named = [c for c in row.reported_claims.split("; ") if c]
        assert named and all(c in claims for c in named), row.quantity
        for setting in row.assumed_settings.split("; "):
            table, key = re.fullmatch(r"\[([^\]]+)\] (\w+)", setting).groups()
            section = config
            for part in table.split("."):
                section = section[part]
            assert key in section, setting


def test_implied_quantities_follow_the_assumed_post_year(tmp_path, config):
    frame = pd.read_csv(paths.DATA / "claims" / "claims.csv", dtype=str, keep_default_na=False)
    frame.loc[frame["claim_id"] == "qj_visit_share_change_year_assumed", "value"] = "2023"
    changed = tmp_path / "claims.csv"
    frame.to_csv(changed, index=False)
    data = generate(claims_path=changed)
    table = implied_quantities(data.district_monthly, data.anchors, config)
    share = _row(table, "primary-care share of inpatient admissions", "2023")
    assert share == pytest.approx(annual_totals(data.district_monthly).loc[2023, "admission_share"])


def test_written_config_reads_back_and_overrides_are_checked(tmp_path, config):
    path = write_config(config, tmp_path / "a.toml")
    assert tomllib.loads(path.read_text(encoding="utf-8")) == config
    changed = with_treated_settings(config, fund_share_post={"2023": 10.0, "2024": 9.0})
    assert changed["treated"]["qianjiang"]["fund_share_post"] == {"2023": 10.0, "2024": 9.0}
    assert config["treated"]["qianjiang"]["fund_share_post"] != {"2023": 10.0, "2024": 9.0}
    with pytest.raises(KeyError, match="fund_share_later"):
        with_treated_settings(config, fund_share_later={})


def test_page_glues_the_hospital_path_it_prints(chapter, config, claims):
    values = chapter.numbers()
    expected = _hand_formula(config, claims)
    assert values["asm-hosp-pre"] == f"{expected['2017-2022']:.1f}"
    assert values["asm-hosp-2023"] == f"{expected['2023']:.1f}"
    assert values["asm-hosp-2024"] == f"{round(expected['2024'], 1) + 0.0:.1f}"
    text = PAGE.read_text(encoding="utf-8")
    referenced = set(re.findall(r"\{glue:text\}`([^`]+)`", text))
    assert {"asm-hosp-pre", "asm-hosp-2023", "asm-hosp-2024"} <= referenced
    assert referenced <= set(values)


def test_alternative_shares_imply_the_hospital_growth_they_are_built_from(chapter, claims):
    results = chapter.results()
    pre = float(chapter.numbers()["asm-hosp-pre"])
    for year, growth in results["flat"].other_growth.items():
        assert growth == pytest.approx(claims["qj_fund_growth_annual"], abs=1e-4), year
        assert results["flat"].shares[year] == pytest.approx(claims["qj_fund_share_2022"])
    for growth in results["pregrowth"].other_growth.values():
        assert round(growth, 1) == pre
    slope = (claims["qj_fund_share_2022"] - claims["qj_fund_share_2017"]) / 5
    assert results["trend"].shares[2024] == pytest.approx(claims["qj_fund_share_2022"] + 2 * slope)


def test_alternatives_change_the_its_estimate_as_the_page_says(chapter, claims):
    results = chapter.results()
    slopes = {k: r.slope.estimate for k, r in results.items()}
    # Post-reform share slopes are ordered committed > flat > pre-reform growth > trend, and
    # the pre-reform slope is common, so the slope changes must keep that order.
    assert slopes["committed"] > slopes["flat"] > slopes["pregrowth"] > slopes["trend"]
    # With the share on its pre-reform line there is no effect to find.
    trend = results["trend"]
    assert trend.level.ci_lower < 0 < trend.level.ci_upper
    assert trend.slope.ci_lower < 0 < trend.slope.ci_upper
    assert chapter.h1_sign(trend.level) == "no clear sign"
    # Under (b) the share falls below its 2022 value, yet the level change is positive.
    falling = results["pregrowth"]
    assert falling.shares[2024] < claims["qj_fund_share_2022"]
    assert falling.level.ci_lower > 0
    assert chapter.h1_sign(falling.level) == "as predicted"
    table = chapter.alternatives_frame()
    assert table["H1 sign (synthetic data)"].tolist() == [
        chapter.h1_sign(r.level) for r in results.values()
    ]


def test_committed_alternative_reproduces_the_committed_file(chapter):
    # The alternative goes through a rewritten assumptions file; it must lose nothing.
    committed = chapter.generate_alternative(chapter.ALTERNATIVES[0])
    shipped = pd.read_csv(paths.DATA / "synthetic" / "district_monthly.csv")
    shipped = shipped[shipped["district"] == "qianjiang"]
    assert committed["fund_primary"].tolist() == shipped["fund_primary"].tolist()
    assert committed["fund_total"].tolist() == shipped["fund_total"].tolist()


def test_figure_draws_the_path_as_assumed_never_synthetic(chapter):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from analysis.plotting.provenance import provenance_classes

    fig = chapter.figure_alternatives()
    try:
        for ax in fig.axes:
            assert provenance_classes(ax) == {"assumed", "reported"}
    finally:
        plt.close(fig)


def test_selector_redraws_the_chosen_alternatives(chapter, capsys):
    import matplotlib

    matplotlib.use("Agg")
    box = chapter.interactive_alternatives()
    selector = box.children[0]
    assert [key for _, key in selector.options] == [a.key for a in chapter.ALTERNATIVES]
    selector.value = ("pregrowth", "trend")
    selector.value = ()
    assert "Select at least one" in capsys.readouterr().out
    with pytest.raises(KeyError, match="unknown alternatives"):
        chapter.figure_alternatives(["nothing"])
