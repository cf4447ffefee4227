"""``python -m analysis panel``: monthly county series + reform dates -> the DiD panel.

Truths are computed by hand in the tests (small series whose sums and shares can be read off).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest

from analysis.cli import main as cli_main
from analysis.errors import InputError, UsageError
from analysis.pipeline.to_panel import build_panel


def _series(counties=("a", "b"), start="2021-01-01", months=24, drop=()) -> pd.DataFrame:
    rows = []
    for county in counties:
        for i, month in enumerate(pd.date_range(start, periods=months, freq="MS")):
            if (county, f"{month:%Y-%m}") in drop:
                continue
            # Month i: 1 + (i % 3) primary visits of 2 + (i % 4) * 2 total (never above).
            rows.append(
                {
                    "district": county,
                    "month": f"{month:%Y-%m-%d}",
                    "visits_primary": 1 + (i % 3),
                    "visits_total": 4 + (i % 4) * 2,
                }
            )
    return pd.DataFrame(rows)


def _reforms(*rows: tuple[str, str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["county", "reform_date"])


def test_annual_counts_are_sums_and_the_share_comes_from_summed_counts():
    panel = build_panel(_series(), _reforms(("a", "2022-01-01")), frequency="annual")
    first = panel[(panel["county"] == "a") & (panel["year"] == 2021)].iloc[0]
    # Hand sums over months 0-11: primary 1,2,3 repeated 4 times = 24; total 4,6,8,10 x3 = 84.
    assert (first["visits_primary"], first["visits_total"], first["months"]) == (24, 84, 12)
    assert first["visit_share"] == pytest.approx(100 * 24 / 84)
    averaged = pd.Series([(1 + i % 3) / (4 + (i % 4) * 2) for i in range(12)]).mean() * 100
    assert abs(first["visit_share"] - averaged) > 0.5  # the averaged share would be wrong


def test_annual_first_treated_january_reform_and_never_treated():
    panel = build_panel(_series(), _reforms(("a", "2022-01")), frequency="annual")
    a = panel[panel["county"] == "a"]
    assert a["first_treated"].tolist() == [2022, 2022]
    assert a["treated"].tolist() == [0, 1]
    b = panel[panel["county"] == "b"]
    assert b["first_treated"].tolist() == [0, 0] and b["treated"].tolist() == [0, 0]


@pytest.mark.parametrize(
    ("date", "rule", "first"),
    [
        ("2021-07-01", "treat", 2021),
        ("2021-07-01", "next", 2022),
        ("2021-06-01", "cutoff:6", 2021),
        ("2021-07-01", "cutoff:6", 2022),
        # In force from 31 May: June is the first wholly treated month -> cutoff 6 treats 2021.
        ("2021-05-31", "cutoff:6", 2021),
        ("2021-06-02", "cutoff:6", 2022),
    ],
)
def test_partial_year_rules(date, rule, first):
    panel = build_panel(_series(), _reforms(("a", date)), frequency="annual", partial_year=rule)
    assert set(panel.loc[panel["county"] == "a", "first_treated"]) == {first}


def test_a_partial_year_is_refused_by_default_naming_the_row_and_column():
    with pytest.raises(InputError) as refused:
        build_panel(_series(), _reforms(("b", "2022-01-01"), ("a", "2021-07-01")))
    assert (refused.value.row, refused.value.column) == (3, "reform_date")
    assert "partly treated" in str(refused.value)


@pytest.mark.parametrize(
    "written", ["2021-07-15", "2021/7/15", "2021年7月15日", "2021-07-15 00:00:00", " 2021-7-15 "]
)
def test_reform_dates_as_spreadsheets_and_bureaus_write_them(written):
    panel = build_panel(_series(), _reforms(("a", written)), frequency="monthly")
    assert set(panel.loc[panel["county"] == "a", "first_treated"]) == {"2021-08-01"}


def test_monthly_first_treated_is_the_first_whole_month():
    on_first = build_panel(_series(), _reforms(("a", "2021-07-01")), frequency="monthly")
    mid = build_panel(_series(), _reforms(("a", "2021-07-15")), frequency="monthly")
    a = on_first[on_first["county"] == "a"]
    assert set(a["first_treated"]) == {"2021-07-01"}
    assert a.loc[a["month"] == "2021-06-01", "treated"].item() == 0
    assert a.loc[a["month"] == "2021-07-01", "treated"].item() == 1
    assert set(mid.loc[mid["county"] == "a", "first_treated"]) == {"2021-08-01"}
    assert set(mid.loc[mid["county"] == "b", "first_treated"]) == {""}
    row = a[a["month"] == "2021-03-01"].iloc[0]  # month index 2: 3 of 8
    assert row["visit_share"] == pytest.approx(37.5)


@pytest.mark.parametrize(
    ("reforms", "row", "column", "words"),
    [
        (_reforms(("zz", "2022-01-01")), 2, "county", "not in the series"),
        (_reforms(("a", "2022-01-01"), ("a", "2022-03-01")), 3, "county", "second reform"),
        (_reforms(("a", "2022-13-01")), 2, "reform_date", "not a date"),
        (_reforms(("a", "")), 2, "reform_date", "not a date"),
        (_reforms(("a", "2022-07-01 12:30")), 2, "reform_date", "not a date"),
        (_reforms(("a", "20220701")), 2, "reform_date", "not a date"),
        (pd.DataFrame({"county": ["a"], "date": ["2022-01"]}), 1, None, "reform_date"),
    ],
)
def test_bad_reform_tables_are_refused_with_row_and_column(reforms, row, column, words):
    with pytest.raises(InputError) as refused:
        build_panel(_series(), reforms, frequency="annual")
    assert (refused.value.row, refused.value.column) == (row, column)
    assert words in str(refused.value) and refused.value.file == "reforms"


def test_codes_written_as_numbers_match_the_series():
    series = _series(counties=("420101", "420102"))
    reforms = pd.DataFrame({"county": [420101.0], "reform_date": ["2022-01-01"]})
    panel = build_panel(series, reforms)
    assert set(panel.loc[panel["first_treated"] > 0, "county"]) == {"420101"}


def test_missing_months_refused_dropped_or_kept_as_chosen():
    series = _series(drop={("a", "2021-05")})
    with pytest.raises(InputError, match=r"11 of 12 months in 2021 \(missing 2021-05\)"):
        build_panel(series, _reforms(("a", "2022-01")))
    dropped = build_panel(series, _reforms(("a", "2022-01")), missing_months="drop")
    assert dropped[dropped["county"] == "a"]["year"].tolist() == [2022]
    kept = build_panel(series, _reforms(("a", "2022-01")), missing_months="keep")
    first = kept[(kept["county"] == "a") & (kept["year"] == 2021)].iloc[0]
    # Month index 4 (primary 2, total 4) left out: 24 - 2 = 22 of 84 - 4 = 80.
    assert (first["visits_primary"], first["visits_total"], first["months"]) == (22, 80, 11)
    with pytest.raises(InputError, match="2021-05"):
        build_panel(series, _reforms(("a", "2022-01")), frequency="monthly")
    monthly = build_panel(
        series, _reforms(("a", "2022-01")), frequency="monthly", missing_months="keep"
    )
    assert len(monthly) == 47


def test_a_whole_missing_year_inside_the_span_is_refused():
    drop = {("a", f"2022-{m:02d}") for m in range(1, 13)}
    series = _series(months=36, drop=drop)
    with pytest.raises(InputError, match="2022-01 to 2022-12"):
        build_panel(series, _reforms(("b", "2022-01")))


@pytest.mark.parametrize(
    ("change", "column"),
    [
        ({"visits_primary": 11}, "visits_primary"),  # above the total of 10
        ({"visits_total": -1}, "visits_total"),
        ({"visits_total": 4.5}, "visits_total"),
        ({"month": "2021-03-15"}, "month"),
    ],
)
def test_bad_series_rows_are_refused_with_row_and_column(change, column):
    series = _series()
    for key, value in change.items():
        series[key] = series[key].astype(object)
        series.loc[3, key] = value
    with pytest.raises(InputError) as refused:
        build_panel(series, _reforms(("a", "2022-01")))
    assert (refused.value.row, refused.value.column) == (5, column)


def test_duplicate_county_months_and_contradictory_options():
    series = pd.concat([_series(), _series().iloc[[0]]], ignore_index=True)
    with pytest.raises(InputError, match="twice"):
        build_panel(series, _reforms(("a", "2022-01")))
    with pytest.raises(UsageError):
        build_panel(_series(), _reforms(), frequency="monthly", partial_year="treat")
    with pytest.raises(UsageError):
        build_panel(_series(), _reforms(), partial_year="cutoff:13")


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_cli_writes_the_panel_that_did_reads(tmp_path, capsys):
    series, reforms = tmp_path / "series.csv", tmp_path / "reforms.csv"
    _series(counties=("a", "b", "c", "d"), months=36).to_csv(series, index=False)
    _reforms(("a", "2022-01-01")).to_csv(reforms, index=False)
    out = tmp_path / "out" / "panel.csv"
    argv = ["panel", "--series", str(series), "--reforms", str(reforms), "--frequency", "annual"]
    assert cli_main([*argv, "--out", str(out)]) == 0
    assert "4 counties (1 treated) x 3 years" in capsys.readouterr().out
    assert [p.name for p in out.parent.iterdir()] == ["panel.csv"]  # no temporary left
    did = ["did", "--data", str(out), "--unit", "county", "--time", "year"]
    did += ["--outcome", "visit_share", "--first-treated", "first_treated", "--json"]
    # The panel's columns are what did takes; 2x2 needs no slow import.
    assert cli_main([*did, "--estimator", "2x2"]) == 0
    document = json.loads(capsys.readouterr().out)
    panel = document["panel"]
    assert (panel["n_units"], panel["n_periods"], panel["n_treated"]) == (4, 3, 1)
    assert panel["n_dropped_unbalanced"] == panel["n_dropped_always_treated"] == 0


def test_cli_refuses_to_overwrite_an_input_and_leaves_it_unchanged(tmp_path, capsys):
    series, reforms = tmp_path / "series.csv", tmp_path / "reforms.csv"
    _series().to_csv(series, index=False)
    _reforms(("a", "2021-07-01")).to_csv(reforms, index=False)
    before = (_sha(series), _sha(reforms))
    base = ["panel", "--series", str(series), "--reforms", str(reforms), "--frequency", "annual"]
    base += ["--lang", "en"]
    assert cli_main([*base, "--out", str(series)]) == 2
    assert cli_main([*base, "--out", str(tmp_path / "." / "reforms.csv")]) == 2
    assert "is the input" in capsys.readouterr().err
    assert cli_main([*base, "--out", str(tmp_path / "p.csv")]) == 1  # partial year
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "row 2, column 'reform_date'" in err
    assert "--partial-year" in err and "Traceback" not in err
    assert not (tmp_path / "p.csv").exists()
    assert (_sha(series), _sha(reforms)) == before
