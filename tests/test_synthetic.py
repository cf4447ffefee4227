"""Synthetic data: calibration to the reported anchors, integrity, byte-identical regeneration."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.registry import declaration
from analysis.synthetic import CalibrationError, generate, write_outputs
from analysis.synthetic.calibration import anchor_check, annual_totals
from analysis.synthetic.config import CONFIG_PATH, load_config, read_anchors, read_claim_values

MONTHLY = declaration("district_monthly").file
PANEL = declaration("county_staggered_panel").file
CLAIMS = declaration("claims").file
ASSUMPTIONS = CONFIG_PATH


@pytest.fixture(scope="module")
def monthly() -> pd.DataFrame:
    return pd.read_csv(MONTHLY, keep_default_na=False)


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    return pd.read_csv(PANEL, keep_default_na=False)


@pytest.fixture(scope="module")
def claims() -> dict[str, float]:
    return read_claim_values(CLAIMS)


@pytest.mark.parametrize(
    "claim_id, measure",
    [
        ("qj_visit_share_2017", "visits"),
        ("qj_visit_share_2022", "visits"),
        ("qj_admission_share_2017", "admissions"),
        ("qj_admission_share_2022", "admissions"),
        ("qj_fund_share_2017", "fund"),
        ("qj_fund_share_2022", "fund"),
    ],
)
def test_committed_annual_shares_reproduce_reported_anchor(monthly, claims, claim_id, measure):
    # Computed here from the raw CSV, independently of the generator's own check.
    year = int(claim_id[-4:])
    qianjiang = monthly["district"] == "qianjiang"
    rows = monthly[qianjiang & monthly["month"].str.startswith(str(year))]
    assert len(rows) == 12
    share = 100 * rows[f"{measure}_primary"].sum() / rows[f"{measure}_total"].sum()
    assert round(share, 1) == claims[claim_id]


def test_post_year_visit_share_and_volume_growth(monthly, claims):
    post = int(claims["qj_visit_share_change_year_assumed"])
    annual = annual_totals(monthly)
    expected = round(claims["qj_visit_share_2022"] + claims["qj_visit_share_change_post"], 1)
    assert round(annual.loc[post, "visit_share"], 1) == expected
    growth = 100 * (annual.loc[post, "visits_primary"] / annual.loc[post - 1, "visits_primary"] - 1)
    assert round(growth, 1) == claims["qj_outpatient_volume_growth"]
    growth = 100 * (
        annual.loc[post, "admissions_primary"] / annual.loc[post - 1, "admissions_primary"] - 1
    )
    assert round(growth, 1) == claims["qj_admission_volume_growth"]
    base, last = int(claims["qj_reform_start_year"]) - 1, int(annual.index.max())
    average = 100 * (
        (annual.loc[last, "fund_primary"] / annual.loc[base, "fund_primary"]) ** (1 / (last - base))
        - 1
    )
    assert round(average, 1) == claims["qj_fund_growth_annual"]


def test_anchor_check_table_all_match_and_can_fail(monthly):
    anchors = read_anchors()
    table = anchor_check(monthly, anchors)
    assert len(table) == 10 and table["matches"].all()
    broken = monthly.copy()
    first_2017 = broken.index[
        (broken["district"] == "qianjiang") & (broken["month"] == "2017-01-01")
    ][0]
    broken.loc[first_2017, "visits_primary"] += 20_000
    assert not anchor_check(broken, anchors)["matches"].all()


def test_committed_outputs_regenerate_byte_identically(tmp_path):
    for written in write_outputs(tmp_path):
        committed = declaration(written.stem).file
        assert written.read_bytes() == committed.read_bytes(), f"{committed} is stale"


def test_anchors_are_read_from_the_claims_file_not_typed(tmp_path):
    changed = tmp_path / "claims.csv"
    text = CLAIMS.read_text(encoding="utf-8")
    frame = pd.read_csv(CLAIMS, dtype=str, keep_default_na=False)
    frame.loc[frame["claim_id"] == "qj_visit_share_2017", "value"] = "47.1"
    frame.to_csv(changed, index=False)
    assert text  # the committed file is untouched
    data = generate(claims_path=changed)
    annual = annual_totals(data.district_monthly)
    assert round(annual.loc[2017, "visit_share"], 1) == 47.1


def test_other_seed_changes_noise_but_keeps_anchors(tmp_path):
    config_text = ASSUMPTIONS.read_text(encoding="utf-8")
    seed = load_config()["generator"]["seed"]
    other = tmp_path / "assumptions.toml"
    other.write_text(config_text.replace(f"seed = {seed}", f"seed = {seed + 1}"), encoding="utf-8")
    data = generate(config_path=other)
    assert data.anchor_check["matches"].all()
    committed = pd.read_csv(MONTHLY)
    assert not np.array_equal(committed["visits_total"], data.district_monthly["visits_total"])


def test_impossible_config_is_refused(tmp_path):
    config_text = ASSUMPTIONS.read_text(encoding="utf-8")
    bad = tmp_path / "assumptions.toml"
    # A post year beyond the data cannot be calibrated: the assumed-year claim is 2024.
    bad.write_text(
        config_text.replace('last_month = "2024-12"', 'last_month = "2023-12"'), encoding="utf-8"
    )
    with pytest.raises((ValueError, CalibrationError)):
        generate(config_path=bad)


def test_monthly_integrity(monthly):
    counts = [c for c in monthly.columns if c.endswith(("_primary", "_total"))]
    assert counts == [
        "visits_primary",
        "visits_total",
        "admissions_primary",
        "admissions_total",
        "fund_primary",
        "fund_total",
    ]
    for column in counts:
        assert monthly[column].dtype == np.int64
        assert (monthly[column] >= 0).all()
    for measure in ("visits", "admissions", "fund"):
        assert (monthly[f"{measure}_primary"] <= monthly[f"{measure}_total"]).all()
    expected = pd.date_range("2017-01-01", "2024-12-01", freq="MS").strftime("%Y-%m-%d").tolist()
    districts = monthly["district"].unique().tolist()
    assert districts[0] == "qianjiang" and len(districts) >= 8
    assert all(d.startswith("comparison_") for d in districts[1:])
    for _, rows in monthly.groupby("district"):
        assert rows["month"].tolist() == expected
    assert (monthly["provenance"] == "synthetic").all()
    qj = monthly["district"] == "qianjiang"
    assert monthly.loc[qj, "treated"].all() and not monthly.loc[~qj, "treated"].any()
    assert set(monthly.loc[qj, "first_treated"]) == {"2023-01-01"}
    assert set(monthly.loc[~qj, "first_treated"]) == {""}


def test_covid_dip_and_seasonality_are_visible(monthly):
    qj = monthly[monthly["district"] == "qianjiang"].set_index("month")
    assert qj.loc["2020-02-01", "visits_total"] < 0.7 * qj.loc["2019-02-01", "visits_total"]
    assert qj.loc["2019-12-01", "visits_total"] > qj.loc["2019-02-01", "visits_total"]


def test_panel_shape_waves_and_truth(panel, claims):
    from analysis.synthetic.panel import load_panel_settings

    settings = load_panel_settings()
    first, last = settings["first_year"], settings["last_year"]
    assert panel["year"].min() == first and panel["year"].max() == last
    n_counties = panel["county"].nunique()
    assert n_counties == settings["n_counties"]
    assert len(panel) == n_counties * (last - first + 1)
    per_county = panel.groupby("county")["first_treated"].first()
    assert (per_county == 2019).sum() == claims["ah_pilot_counties_2019"]
    assert (per_county == 0).sum() == settings["never_treated"]
    waves = {2019, settings["roll_out_year"], *map(int, settings["expansion_waves"])}
    assert set(per_county.unique()) - {0} == waves
    treated = (panel["first_treated"] > 0) & (panel["year"] >= panel["first_treated"])
    assert (panel["treated"] == treated).all()
    assert (panel.loc[~treated, "true_visit_effect_pp"] == 0).all()
    assert (panel.loc[treated, "true_visit_effect_pp"] >= 0).all()
    assert panel.loc[treated, "true_visit_effect_pp"].mean() > 0
    assert (panel["visits_primary"] <= panel["visits_total"]).all()
    assert (panel["fund_primary"] <= panel["fund_total"]).all()
    assert (panel["provenance"] == "synthetic").all()
    assert not panel.duplicated(["county", "year"]).any()


def test_regeneration_cli_writes_to_chosen_directory(tmp_path):
    from analysis.synthetic.__main__ import main

    assert main(["--out", str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "county_staggered_panel.csv",
        "district_monthly.csv",
    ]


def test_calibration_holds_if_the_assumed_post_year_were_2023(tmp_path):
    # The paper does not say when the +5.8 pp was measured; the generator must not depend on
    # the assumed year being 2024.
    frame = pd.read_csv(CLAIMS, dtype=str, keep_default_na=False)
    frame.loc[frame["claim_id"] == "qj_visit_share_change_year_assumed", "value"] = "2023"
    changed = tmp_path / "claims.csv"
    frame.to_csv(changed, index=False)
    data = generate(claims_path=changed)
    assert data.anchors.post_year == 2023
    assert data.anchor_check["matches"].all()
    annual = annual_totals(data.district_monthly)
    assert round(annual.loc[2023, "visit_share"], 1) == data.anchors.post_visit_share


def test_every_assumption_is_commented():
    from analysis.synthetic.config import assumptions_table

    table = assumptions_table()
    assert len(table) >= 40
    missing = table[table["explanation"].str.len() < 10]
    assert missing.empty, f"uncommented settings in assumptions.toml:\n{missing}"
    # The reported anchors are named, never typed, in the assumptions file.
    text = ASSUMPTIONS.read_text(encoding="utf-8")
    for value in ("43.3", "36.9", "32.3", "29.8", "17.9", "11.3"):
        assert f"= {value}" not in text and f"={value}" not in text


def test_wave_summary_marks_only_the_pilot_size_as_reported(panel):
    from analysis.synthetic.panel import wave_summary

    table = wave_summary(panel, read_anchors())
    reported = table[table["size_provenance"].str.startswith("reported")]
    assert reported["first_treated"].tolist() == [2019]
    never = table["first_treated"] == 0
    assert (table.loc[never, "mean_true_visit_effect_pp_last_year"] == 0).all()


def test_treated_district_is_named_by_the_assumptions_file(tmp_path):
    config_text = ASSUMPTIONS.read_text(encoding="utf-8")
    treated = next(iter(load_config()["treated"]))
    other = tmp_path / "assumptions.toml"
    other.write_text(
        config_text.replace(f"[treated.{treated}]", "[treated.elsewhere]"), encoding="utf-8"
    )
    data = generate(config_path=other)
    assert data.district_monthly["district"].iloc[0] == "elsewhere"
    assert data.anchor_check["matches"].all()
    regenerated = data.district_monthly.to_csv(index=False, lineterminator="\n")
    committed = (MONTHLY).read_text(encoding="utf-8")
    assert regenerated.replace("elsewhere,", f"{treated},") == committed


# --- Shock scenarios -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def baseline():
    return generate()


def _share(frame: pd.DataFrame, district: str, month: str) -> float:
    row = frame[(frame["district"] == district) & (frame["month"] == month)].iloc[0]
    return 100 * row["visits_primary"] / row["visits_total"]


def test_default_generation_is_the_committed_data_and_has_no_shock(baseline):
    assert baseline.scenario is None and baseline.shock is None
    assert "scenario" not in baseline.provenance and "seed" in baseline.provenance
    regenerated = baseline.district_monthly.to_csv(index=False, lineterminator="\n")
    assert regenerated == MONTHLY.read_text(encoding="utf-8")


def test_scenario_lays_the_declared_shock_over_the_calibrated_series(baseline):
    from analysis.synthetic.scenarios import scenario_settings

    name = "post_zero_covid"
    settings = scenario_settings(load_config(), name)
    data = generate(scenario=name)
    start = pd.Timestamp(settings["start_month"] + "-01")
    surge = settings["visits"]["surge_share_pp"]
    volume = settings["visits"]["surge_volume_multiplier"]
    persistent = settings["visits"]["persistent_share_pp"]
    before = (start - pd.DateOffset(months=1)).strftime("%Y-%m-%d")
    later = (start + pd.DateOffset(months=len(surge) + 3)).strftime("%Y-%m-%d")
    shocked, calm = data.district_monthly, baseline.district_monthly
    districts = calm["district"].unique()
    assert settings["districts"] == "all"
    for district in (districts[0], districts[-1]):
        assert _share(shocked, district, before) == _share(calm, district, before)
        for step, extra in enumerate(surge):
            month = (start + pd.DateOffset(months=step)).strftime("%Y-%m-%d")
            gap = _share(shocked, district, month) - _share(calm, district, month)
            assert gap == pytest.approx(extra + persistent, abs=0.01)
            ratio = (
                shocked.set_index(["district", "month"]).loc[(district, month), "visits_total"]
                / calm.set_index(["district", "month"]).loc[(district, month), "visits_total"]
            )
            assert ratio == pytest.approx(volume[step], abs=1e-4)
        gap = _share(shocked, district, later) - _share(calm, district, later)
        assert gap == pytest.approx(persistent, abs=0.01)
    untouched = ["admissions_primary", "admissions_total", "fund_primary", "fund_total"]
    assert shocked[untouched].equals(calm[untouched])
    for measure in ("visits",):
        assert (shocked[f"{measure}_primary"] <= shocked[f"{measure}_total"]).all()
        assert shocked[f"{measure}_primary"].dtype == np.int64


def test_scenario_variants_differ_only_where_declared(baseline):
    calm = baseline.district_monthly
    local = generate(scenario="post_zero_covid_treated_only")
    comparisons = calm["district"] != calm["district"].iloc[0]
    assert local.district_monthly[comparisons].equals(calm[comparisons])
    assert not local.district_monthly[~comparisons].equals(calm[~comparisons])
    transient = generate(scenario="post_zero_covid_transient")
    end = calm["month"].iloc[-1]
    assert _share(transient.district_monthly, "comparison_01", end) == _share(
        calm, "comparison_01", end
    )
    assert transient.shock["persistent_pp"].eq(0).all()


def test_scenario_provenance_names_generator_config_scenario_and_seed():
    data = generate(scenario="post_zero_covid")
    seed = load_config()["generator"]["seed"]
    for part in ("analysis.synthetic", "assumptions.toml", "scenario post_zero_covid", str(seed)):
        assert part in data.provenance
    assert data.district_monthly.attrs["provenance"] == data.provenance
    assert data.county_staggered_panel.attrs["provenance"] == data.provenance


def test_unknown_or_broken_scenario_is_refused(tmp_path):
    from analysis.synthetic import ScenarioError

    with pytest.raises(ScenarioError, match="post_zero_covid"):
        generate(scenario="no_such_scenario")
    text = ASSUMPTIONS.read_text(encoding="utf-8")
    bad = tmp_path / "assumptions.toml"
    bad.write_text(
        text.replace(
            "surge_volume_multiplier = [1.30, 1.20, 1.05]", "surge_volume_multiplier = [1.3]"
        ),
        encoding="utf-8",
    )
    with pytest.raises(ScenarioError, match="one value per surge month"):
        generate(config_path=bad, scenario="post_zero_covid")
    bad.write_text(text.replace('start_month = "2022-12"', 'start_month = "2031-01"'), "utf-8")
    with pytest.raises(ScenarioError, match="outside"):
        generate(config_path=bad, scenario="post_zero_covid")


def test_scenario_cli_never_overwrites_the_committed_files(tmp_path):
    from analysis.synthetic.__main__ import main

    with pytest.raises(SystemExit):
        main(["--scenario", "post_zero_covid"])
    assert main(["--out", str(tmp_path), "--scenario", "post_zero_covid"]) == 0
    written = pd.read_csv(tmp_path / "district_monthly.csv")
    assert not written["visits_primary"].equals(pd.read_csv(MONTHLY)["visits_primary"])
