"""Refusals in Chinese and English: ``--lang zh|en``, default from the locale, every command."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.cli import main
from analysis.cli_spec import run_guarded
from analysis.errors import InputError, language, locate, set_language, translate_located


@pytest.fixture(autouse=True)
def _reset_language():
    set_language(None)
    yield
    set_language(None)


def test_location_prefix_in_both_languages():
    error = InputError("bad value", file="a.csv", row=4, column="结算日期", zh="数值错误")
    assert str(error) == "a.csv: row 4, column '结算日期': bad value"
    assert error.localised("en") == str(error)
    assert error.localised("zh") == "文件 a.csv，第 4 行，列 '结算日期'：数值错误"
    # Without zh text the message stays English but the location is translated.
    plain = InputError("bad value", file="a.csv", row=4)
    assert plain.localised("zh") == "文件 a.csv，第 4 行：bad value"
    assert locate("x", None, None, "c", "zh") == "列 'c'：x"


def test_joined_problem_lines_are_translated():
    text = "a.csv: row 3, column 'v': below 0\nb.csv: no such file"
    assert translate_located(text) == "文件 a.csv，第 3 行，列 'v'：below 0\nb.csv: no such file"


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"LC_ALL": "zh_CN.UTF-8"}, "zh"),
        ({"LANG": "zh_TW.UTF-8"}, "zh"),
        ({"LANG": "en_US.UTF-8"}, "en"),
        ({}, "en"),
        ({"LC_ALL": "C", "LANG": "zh_CN"}, "en"),
    ],
)
def test_default_language_follows_the_locale(monkeypatch, env, expected):
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert language() == expected


def test_run_guarded_prints_the_chosen_language(capsys):
    def refuse() -> str:
        raise InputError("no rows", file="x.csv", row=2, column="c", zh="没有数据行")

    assert run_guarded(refuse, lang="zh") == 1
    assert capsys.readouterr().err.strip() == "错误: 文件 x.csv，第 2 行，列 'c'：没有数据行"
    assert run_guarded(refuse, lang="en") == 1
    assert capsys.readouterr().err.strip() == "error: x.csv: row 2, column 'c': no rows"


def _bureau_file(tmp_path: Path) -> Path:
    path = tmp_path / "r.csv"
    path.write_text(
        "结算流水号,结算日期,参保地,医疗机构编码,机构等级,就诊类型,医疗总费用,统筹基金支付\n"
        "S1,2023-01-05,420101,H1,一级,门诊,10,5\n",
        encoding="utf-8",
    )
    return path


def test_series_refusal_in_chinese_and_english(tmp_path, capsys):
    path = _bureau_file(tmp_path)
    out = tmp_path / "o" / "s.csv"
    assert main(["series", "--records", str(path), "--out", str(out), "--lang", "zh"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"错误: 文件 {path}，第 1 行，列 'scheme'：找不到必需的列：scheme")
    assert main(["series", "--records", str(path), "--out", str(out), "--lang", "en"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: {path}: row 1, column 'scheme': required column(s) not found")


def test_locale_chooses_chinese_without_the_flag(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("LC_ALL", "zh_CN.UTF-8")
    path = _bureau_file(tmp_path)
    assert main(["series", "--records", str(path), "--out", str(tmp_path / "o.csv")]) == 1
    assert "找不到必需的列" in capsys.readouterr().err


def test_validate_takes_lang_and_translates_locations(tmp_path, capsys):
    path = tmp_path / "district_monthly.csv"
    path.write_text("district,month,visits_primary\nqj,2017-01-01,-3\n", encoding="utf-8")
    assert main(["validate", "--lang", "zh", str(path)]) == 1
    err = capsys.readouterr().err
    assert "错误:" in err and "文件 " in err and "第 1 行，列 'visits_total'" in err


def _settlements(tmp_path, last_row: str):
    rows = [
        "结算流水号,结算日期,参保地,医疗机构编码,机构等级,就诊类型,医疗总费用,统筹基金支付,险种类型"
    ]
    rows += [f"S{i},2023-01-0{1 + i % 9},420101,H1,一级,门诊,10,5,居民" for i in range(9)]
    rows.append(last_row)
    path = tmp_path / "r.csv"
    path.write_text("\n".join(rows) + "\n", encoding="gb18030")
    return path


def test_quarantine_table_in_chinese(tmp_path, capsys):
    # A percent is not a money amount: the row is corrupt and quarantined (an unknown label,
    # which this test used before, now refuses the run instead; see the next test).
    path = _settlements(tmp_path, "S99,2023-01-05,420101,H1,一级,门诊,10,5%,居民")
    assert (
        main(["series", "--records", str(path), "--out", str(tmp_path / "o.csv"), "--lang", "zh"])
        == 1
    )
    err = capsys.readouterr().err
    assert (
        f"错误: 文件 {path}，第 11 行，列 '统筹基金支付'：10 行中有 1 行（10.0 %）未通过检查" in err
    )
    assert "原因" in err and f"文件 {path}，第 11 行，列 '统筹基金支付'，值 '5%'" in err
    assert "row(s)" not in err and " row " not in err


def test_unknown_label_refusal_in_chinese(tmp_path, capsys):
    path = _settlements(tmp_path, "S99,2023-01-05,420101,H1,专科,门诊,10,5,居民")
    assert (
        main(["series", "--records", str(path), "--out", str(tmp_path / "o.csv"), "--lang", "zh"])
        == 1
    )
    err = capsys.readouterr().err
    assert f"错误: 文件 {path}，第 11 行，列 '机构等级'：标签对照表中没有以下标签" in err
    assert f"institution_level '专科'：1 行（{path} 第 11 行）" in err
    assert "row(s)" not in err and " row " not in err


def test_one_commands_lang_does_not_leak_into_the_next_call(capsys):
    from analysis.cli_spec import run_guarded
    from analysis.errors import InputError, chosen_language

    def refuse() -> str:
        raise InputError("bad", file="x.csv")

    assert run_guarded(refuse, lang="zh") == 1
    assert capsys.readouterr().err.startswith("错误")
    assert chosen_language() is None
