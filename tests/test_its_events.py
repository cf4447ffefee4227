"""Confounding events as data: the reader, the window, the warnings and the modelling helpers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.datasets import load_data
from analysis.its.errors import ITSInputError
from analysis.its.events import (
    Event,
    as_exclusion_windows,
    as_interruptions,
    drop_windows,
    events_near,
    parse_date,
    read_events,
    separation_warnings,
)
from analysis.its.fit import ITSSpec, OtherInterruption, fit_its, its
from analysis.registry import declaration

HEADER = "date,name,kind,source\n"


def write(tmp_path: Path, text: str, name: str = "events.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def event(day: str, name: str = "e", key: str = "") -> Event:
    return Event(pd.Timestamp(day), name, "policy", "a document", key=key)


# ------------------------------------------------------------------ the shipped file


def test_shipped_events_carry_their_official_documents() -> None:
    """Dates and document numbers as the issuing bodies printed them.

    医保发〔2021〕48号 is dated 19 November 2021 (National Healthcare Security Administration);
    联防联控机制综发〔2022〕113号 was published on 7 December 2022 and 〔2022〕144号 is dated
    26 December 2022 with Class B management from 8 January 2023 (State Council Joint
    Prevention and Control Mechanism); China CDC's report of 25 January 2023 puts the peak of
    infections about 22 December 2022; Luo et al. 2025, reference [26], dates the rural-health
    opinion 2023-02-23.
    """
    events = {e.label: e for e in read_events(declaration("qianjiang_events").file)}
    expected = {
        "drg_dip": ("2021-11-19", "医保发〔2021〕48号"),
        "end_zero_covid": ("2022-12-07", "联防联控机制综发〔2022〕113号"),
        "infection_wave": ("2022-12-22", "中国疾病预防控制中心"),
        "class_b": ("2023-01-08", "联防联控机制综发〔2022〕144号"),
        "rural_health": ("2023-02-23", "关于进一步深化改革促进乡村医疗卫生体系健康发展的意见"),
    }
    assert set(events) == set(expected)
    for key, (day, document) in expected.items():
        assert events[key].day == day
        assert document in events[key].source
    frame = load_data("qianjiang_events").frame.set_index("key")
    assert set(frame["provenance"]) == {"public", "reported"}
    reported = frame.loc[frame["provenance"] == "reported"]
    assert (reported["reported_in"].str.contains("Luo et al. 2025")).all()
    assert (reported["source_zh"].str.len() > 0).all()


def test_the_rural_health_opinion_is_quoted_as_luo_et_al_print_it(seeds: Path) -> None:
    """The title, the quoted sentence and the date of reference [26], as in the paper."""
    words = load_data("qianjiang_events").frame.set_index("key").at["rural_health", "source_zh"]
    paper = "".join((seeds / "004_991a64c9be17c6fb.txt").read_text(encoding="utf-8").split())
    title = words[words.index("《") + 1 : words.index("》")]
    quoted = words[words.index("“") + 1 : words.index("”")]
    assert f"《{title}》" in paper and quoted in paper
    assert f"{title}》[EB/OL].(2023-02-23)" in paper


# ------------------------------------------------------------------ reading


def test_dates_in_the_forms_users_write() -> None:
    assert parse_date("2022-12-07") == pd.Timestamp("2022-12-07")
    assert parse_date("2022/12/07") == pd.Timestamp("2022-12-07")
    assert parse_date("2022年12月7日") == pd.Timestamp("2022-12-07")
    assert parse_date("2023年2月") == pd.Timestamp("2023-02-01")
    assert parse_date("2023-02") == pd.Timestamp("2023-02-01")
    assert parse_date("12/07/2022") is None  # ambiguous day/month order: refused
    assert parse_date("2022-13-01") is None
    assert parse_date("2023") == parse_date(2023) == pd.Timestamp("2023-01-01")
    assert parse_date("2023Q2") == parse_date("2023年第2季度") == pd.Timestamp("2023-04-01")
    assert parse_date(37) is None and parse_date("2023Q5") is None


def test_reads_a_file_in_date_order_with_chinese_dates(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "2023年2月23日,B,policy,doc B\n2022-12-07,A,policy,doc A\n")
    events = read_events(path)
    assert [e.name for e in events] == ["A", "B"]
    assert events[1].date == pd.Timestamp("2023-02-23")


def test_missing_column_is_refused_with_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "date,name,kind\n2022-12-07,A,policy\n")
    with pytest.raises(ITSInputError, match="no column 'source'") as info:
        read_events(path)
    assert info.value.file == str(path)


def test_unreadable_date_names_the_spreadsheet_row_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "2022-12-07,A,policy,doc\n7 Dec 2022,B,policy,doc\n")
    with pytest.raises(ITSInputError, match="is not a date") as info:
        read_events(path)
    assert (info.value.row, info.value.column) == (3, "date")  # header is row 1


def test_empty_source_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "2022-12-07,A,policy,\n")
    with pytest.raises(ITSInputError, match="source is empty") as info:
        read_events(path)
    assert (info.value.row, info.value.column) == (2, "source")


def test_duplicate_keys_are_refused() -> None:
    frame = pd.DataFrame(
        {"date": ["2022-01-01", "2022-02-01"], "name": ["Shock", "shock"], "kind": ["x", "x"]}
    ).assign(source="doc")
    with pytest.raises(ITSInputError, match="share the key shock"):
        read_events(frame)


# ------------------------------------------------------------------ near, warnings


def test_events_near_counts_calendar_periods() -> None:
    events = (event("2021-11-19", "far"), event("2022-12-31", "dec"), event("2023-04-01", "apr"))
    assert [e.name for e in events_near(events, "2023-01-01", 1)] == ["dec"]
    assert [e.name for e in events_near(events, "2023-01-01", 3)] == ["dec", "apr"]
    assert [e.name for e in events_near(events, "2023-01-01", 1, "quarter")] == ["dec", "apr"]
    assert [e.name for e in events_near(events, "2023", 2, "year")] == ["far", "dec", "apr"]
    with pytest.raises(ITSInputError, match="frequency"):
        events_near(events, "2023-01-01", 1, "week")
    with pytest.raises(ITSInputError, match="not a date"):
        events_near(events, 37, 1)


def test_warnings_say_when_the_effect_is_a_sum() -> None:
    dec, jan = event("2022-12-07", "end"), event("2023-01-08", "same")
    warnings = separation_warnings([dec, jan], "2023-01-01")
    assert len(warnings) == 2
    assert "1 month before" in warnings[0] and "sum of both effects" in warnings[0]
    assert "own month" in warnings[1]
    modelled = OtherInterruption(at="2022-12-01", name="end", impact="level")
    warnings = separation_warnings([dec, jan], "2023-01-01", [modelled])
    assert len(warnings) == 1 and "own month" in warnings[0]  # same month: never separable
    excluded = OtherInterruption(at="2022-11-01", name="x", impact="level", window=2)
    assert len(separation_warnings([dec], "2023-01-01", [excluded])) == 0
    as_pairs = [("end", pd.Timestamp("2022-12-01"))]
    assert separation_warnings([dec], "2023-01-01", as_pairs) == []


# ------------------------------------------------------------------ modelling helpers


def test_interruptions_start_at_the_events_period_and_round_trip() -> None:
    (other,) = as_interruptions([event("2022-12-07", "End of zero-COVID")], impact="level")
    assert (other.at, other.name, other.impact) == ("2022-12-01", "end_of_zero_covid", "level")
    assert OtherInterruption.parse(other.text) == other
    (yearly,) = as_interruptions([event("2021-11-19", key="drg")], frequency="year")
    assert yearly.at == "2021"


def test_exclusion_windows_and_dropping_rows() -> None:
    (window,) = as_exclusion_windows([event("2022-12-22")], 3)
    assert window == (pd.Timestamp("2022-12-01"), pd.Timestamp("2023-02-01"))
    months = pd.date_range("2022-10-01", periods=8, freq="MS")
    frame = pd.DataFrame({"month": months, "y": range(8)})
    kept = drop_windows(frame, "month", [window])
    assert list(kept["y"]) == [0, 1, 5, 6, 7]
    text = frame.assign(month=months.strftime("%Y-%m"))
    assert list(drop_windows(text, "month", [window])["y"]) == [0, 1, 5, 6, 7]
    years = pd.DataFrame({"year": range(2017, 2025), "y": range(8)})
    (annual,) = as_exclusion_windows([event("2022-12-22")], 2, "year")
    assert list(drop_windows(years, "year", [annual])["year"]) == [
        2017,
        2018,
        2019,
        2020,
        2021,
        2024,
    ]
    with pytest.raises(ITSInputError, match=">= 1"):
        as_exclusion_windows([event("2022-12-22")], 0)


def test_an_event_modelled_as_an_interruption_recovers_its_own_effect() -> None:
    """Two known level changes, 12 months apart: the event term separates them."""
    months = pd.date_range("2016-01-01", periods=96, freq="MS")
    t = np.arange(96.0)
    rng = np.random.default_rng(4)
    event_at, reform_at = 60, 72
    y = 30 + 0.05 * t + 1.5 * (t >= event_at) + 3.0 * (t >= reform_at) + rng.normal(0, 0.2, 96)
    frame = pd.DataFrame({"month": months, "y": y})
    ev = event(months[event_at].strftime("%Y-%m-%d"), key="shock")
    fit = its(
        frame,
        time="month",
        outcome="y",
        intervention=months[reform_at].strftime("%Y-%m-%d"),
        impact="level",
        others=as_interruptions([ev]),
    )
    assert fit.effects["level"].estimate == pytest.approx(3.0, abs=0.3)
    assert fit.other_effects["shock"]["level"].estimate == pytest.approx(1.5, abs=0.3)
    naive = fit_its(
        frame,
        ITSSpec(
            time="month",
            outcome="y",
            intervention=months[reform_at].strftime("%Y-%m-%d"),
            impact="level",
        ),
    )
    assert naive.effects["level"].ci_lower > 3.0  # without the term it absorbs part of the event
