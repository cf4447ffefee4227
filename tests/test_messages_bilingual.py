"""Every refusal of the engines, the input layer and the commands carries a Chinese text.

Three checks:

* a scan of the source (``analysis/its``, ``analysis/did``, ``analysis/tables``,
  ``analysis/pipeline``, ``analysis/report``, ``analysis/validation``) that finds every
  construction of :class:`analysis.errors.InputError` or a subclass and fails, naming file and
  line, when it has no ``zh=`` text. Constructions are checked wherever they happen (``raise
  X(...)``, ``return X(...)`` in a helper that builds the error, ``error = X(...)``), so a helper
  cannot hide an English-only message: it has to take the Chinese text from its callers and pass
  it on. Re-raising an existing error object (``raise error``, bare ``raise``) constructs
  nothing and is not checked; the object was checked where it was made.
* the same scan for :class:`analysis.errors.UsageError` (contradictory or unknown arguments,
  exit status 2) over every module of ``analysis/``: the command line prints its ``zh=`` text
  under ``--lang zh`` too.
* the command line run end to end with ``--lang zh`` (and with a Chinese locale) on small bad
  inputs: the part of the message after the location prefix must be Chinese too.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from analysis.cli import main
from analysis.errors import set_language

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "analysis"
# The folders whose refusals reach a command; ``rglob`` so that subpackages
# (``pipeline/engines``) cannot slip out of the scan.
SCANNED_FOLDERS = ("its", "did", "tables", "pipeline", "report", "validation")
SCANNED = sorted(path for folder in SCANNED_FOLDERS for path in (PACKAGE / folder).rglob("*.py"))

# Subclasses whose constructor takes no ``zh=`` because their message is assembled from parts
# that are translated elsewhere; a new subclass that drops ``zh`` fails the scan until it is
# listed here with its reason.
NO_ZH_CONSTRUCTOR = {
    "ValidationError": "joins located Problem lines; the command line translates each line's "
    "location prefix (analysis.errors.translate_located)",
}

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\u3000-\u303f\uff00-\uffef]")


def _name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _init_takes_zh(cls: ast.ClassDef) -> bool | None:
    """Whether the class's own ``__init__`` accepts ``zh``; ``None`` if it defines none."""
    for item in cls.body:
        if isinstance(item, ast.FunctionDef) and item.name == "__init__":
            args = item.args
            names = {a.arg for a in (*args.args, *args.kwonlyargs)}
            return "zh" in names or args.kwarg is not None
    return None


def input_error_family(
    sources: dict[str, str], root: str = "InputError"
) -> tuple[set[str], set[str]]:
    """Names of ``root`` and its subclasses defined in ``sources`` (path -> text).

    Returns
    -------
    family, without_zh
        All class names of the family, and those whose constructor takes no ``zh``.
    """
    classes = [
        node
        for text in sources.values()
        for node in ast.walk(ast.parse(text))
        if isinstance(node, ast.ClassDef)
    ]
    family = {root}
    without_zh: set[str] = set()
    grew = True
    while grew:
        grew = False
        for cls in classes:
            if cls.name not in family and any(_name(b) in family for b in cls.bases):
                family.add(cls.name)
                grew = True
    for cls in classes:
        if cls.name in family and _init_takes_zh(cls) is False:
            without_zh.add(cls.name)
    return family, without_zh


def missing_zh(source: str, filename: str, family: set[str], exempt: set[str]) -> list[str]:
    """``file:line`` of every construction of a ``family`` class without a ``zh=`` text.

    A ``zh=None`` literal counts as missing; a class in ``exempt`` is skipped.
    """
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.Raise) and node.exc is not None:
            # ``raise PanelError`` constructs the class with no message at all
            if _name(node.exc) in family - exempt and not isinstance(node.exc, ast.Call):
                found.append(f"{filename}:{node.lineno}")
            continue
        if not isinstance(node, ast.Call):
            continue
        name = _name(node.func)
        if name not in family or name in exempt:
            continue
        zh = [k for k in node.keywords if k.arg == "zh"]
        if not zh or (isinstance(zh[0].value, ast.Constant) and zh[0].value.value is None):
            found.append(f"{filename}:{node.lineno}")
    return sorted(found, key=lambda where: int(where.rsplit(":", 1)[1]))


def _all_sources() -> dict[str, str]:
    return {str(p.relative_to(ROOT)): p.read_text(encoding="utf-8") for p in PACKAGE.rglob("*.py")}


PLANTED = """
from analysis.errors import InputError
from analysis.did.panel import PanelError

class LocalError(PanelError):
    pass

def refuse(message, zh):
    return InputError(message, zh=zh)            # helper passes its caller's zh: fine

def english_helper(message):
    return InputError(message)                   # MISSING: helper without zh

def check(x):
    if x < 0:
        raise InputError("negative", zh="负数")  # fine
    if x == 0:
        raise PanelError("zero")                 # MISSING: no zh
    if x == 1:
        raise LocalError("one", column="c")      # MISSING: subclass of a subclass, no zh
    if x == 2:
        raise refuse("two", "二")                # fine: the helper is checked itself
    if x == 3:
        raise InputError("three", zh=None)       # MISSING: zh=None is no text
    try:
        pass
    except InputError as error:
        raise error                              # re-raise: nothing constructed
    if x == 4:
        raise PanelError                         # MISSING: the bare class, no text at all
    raise ValueError("not an input error")       # not of the family
"""


def test_the_scan_finds_planted_english_only_refusals() -> None:
    sources = {**_all_sources(), "planted.py": PLANTED}
    family, without_zh = input_error_family(sources)
    assert {"InputError", "PanelError", "ITSInputError", "LocalError"} <= family
    assert "ValueError" not in family
    planted = [
        f"planted.py:{number}"
        for number, line in enumerate(PLANTED.splitlines(), start=1)
        if "# MISSING" in line
    ]
    assert len(planted) == 5
    assert missing_zh(PLANTED, "planted.py", family, without_zh) == planted


def test_constructors_without_zh_are_the_documented_ones() -> None:
    _, without_zh = input_error_family(_all_sources())
    assert without_zh == set(NO_ZH_CONSTRUCTOR)


@pytest.mark.parametrize("path", SCANNED, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_every_refusal_has_a_chinese_text(path: Path) -> None:
    family, without_zh = input_error_family(_all_sources())
    source = path.read_text(encoding="utf-8")
    missing = missing_zh(source, str(path.relative_to(ROOT)), family, without_zh)
    assert not missing, "InputError raised without zh= at:\n" + "\n".join(missing)


def test_the_scan_covers_the_command_folders() -> None:
    # a renamed or emptied folder would make its parametrised cases vanish without a failure
    for folder in SCANNED_FOLDERS:
        assert any(path.parent.name == folder for path in SCANNED), folder
    assert PACKAGE / "pipeline" / "engines" / "duckdb.py" in SCANNED


# UsageError ---------------------------------------------------------------------------------

PLANTED_USAGE = """
from analysis import errors
from analysis.errors import UsageError

class SpecError(UsageError):
    pass

def check(x, flag):
    if x == 0:
        raise UsageError("zero", zh="零")                     # fine
    if x == 1:
        raise UsageError(f"{flag}= is 1")                     # MISSING: no zh
    if x == 2:
        raise errors.UsageError("two")                        # MISSING: through the module
    if x == 3:
        raise SpecError("three")                              # MISSING: subclass, no zh
    if x == 4:
        error = UsageError("four", zh=None)                   # MISSING: zh=None is no text
        raise error
    if x == 5:
        raise UsageError                                      # MISSING: the bare class
    if x == 6:
        raise UsageError(
            "six, over lines", zh="六，跨行"
        )                                                     # fine
    raise ValueError("not a usage error")                     # not of the family
"""


def _usage_family(extra: dict[str, str] | None = None) -> tuple[set[str], set[str]]:
    return input_error_family({**_all_sources(), **(extra or {})}, root="UsageError")


def test_the_usage_scan_finds_planted_english_only_usage_errors() -> None:
    family, without_zh = _usage_family({"planted.py": PLANTED_USAGE})
    assert family == {"UsageError", "SpecError"}
    planted = [
        f"planted.py:{number}"
        for number, line in enumerate(PLANTED_USAGE.splitlines(), start=1)
        if "# MISSING" in line
    ]
    assert len(planted) == 5
    assert missing_zh(PLANTED_USAGE, "planted.py", family, without_zh) == planted


def test_every_usage_error_in_the_package_has_a_chinese_text() -> None:
    family, without_zh = _usage_family()
    assert without_zh == set(), "a UsageError subclass drops zh: " + ", ".join(without_zh)
    missing = [
        where
        for path in sorted(PACKAGE.rglob("*.py"))
        for where in missing_zh(
            path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)), family, without_zh
        )
    ]
    assert not missing, "UsageError raised without zh= at:\n" + "\n".join(missing)


# End to end ----------------------------------------------------------------------------------

_LOCATION = re.compile(r"^(?:文件 [^，：]+)?(?:，?第 \d+ 行)?(?:，?列 '[^']*')?：")


def _message_after_location(err: str) -> str:
    """The refusal line without ``错误: `` and without the (always Chinese) location prefix."""
    line = err.strip().splitlines()[-1]
    assert line.startswith("错误: "), err
    return _LOCATION.sub("", line[len("错误: ") :], count=1)


@pytest.fixture(autouse=True)
def _reset_language():
    set_language(None)
    yield
    set_language(None)


def _its_series(path: Path, months: list[str], visits: list[int]) -> Path:
    path.write_text(
        "month,visits\n" + "".join(f"{m},{v}\n" for m, v in zip(months, visits, strict=True)),
        encoding="utf-8",
    )
    return path


def _months(n: int) -> list[str]:
    return [f"2020-{m:02d}" for m in range(1, n + 1)]


def _panel(path: Path, duplicate: bool = False, pre_periods: int = 3) -> Path:
    """Six units, years 2001..2005; units 1-2 treated from ``2001 + pre_periods``."""
    start = 2001 + pre_periods
    rows = ["unit,year,y,g"]
    for unit in range(1, 7):
        first = start if unit <= (1 if pre_periods < 2 else 2) else 0
        for year in range(2001, 2006):
            effect = 2 if first and year >= first else 0
            rows.append(
                f"{unit},{year},{unit + (year - 2000) * 1.1 + effect + unit * 0.01},{first}"
            )
    if duplicate:
        rows.append(rows[1])
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def _its_args(data: Path, outcome: str = "visits", intervention: str = "2020-05") -> list[str]:
    return [
        "its",
        "--data",
        str(data),
        "--time",
        "month",
        "--outcome",
        outcome,
        "--intervention",
        intervention,
    ]


def _did_args(data: Path, outcome: str = "y", *extra: str) -> list[str]:
    return [
        "did",
        "--data",
        str(data),
        "--unit",
        "unit",
        "--time",
        "year",
        "--outcome",
        outcome,
        "--first-treated",
        "g",
        *extra,
    ]


CASES = {
    "its: missing outcome column": lambda tmp: _its_args(
        _its_series(tmp / "s.csv", _months(8), list(range(10, 18))), outcome="nope"
    ),
    "its: too few pre-periods": lambda tmp: _its_args(
        _its_series(tmp / "s.csv", _months(8), [10, 11, 13, 12, 15, 16, 18, 17]),
        intervention="2020-02",
    ),
    "its: repeated time": lambda tmp: _its_args(
        _its_series(tmp / "s.csv", ["2020-01", *_months(6)], [9, 10, 11, 13, 12, 15, 16]),
        intervention="2020-04",
    ),
    "did: missing outcome column": lambda tmp: _did_args(_panel(tmp / "p.csv"), "nope"),
    "did: duplicate unit-time row": lambda tmp: _did_args(_panel(tmp / "p.csv", duplicate=True)),
    "did: too few pre-periods (sc)": lambda tmp: _did_args(
        _panel(tmp / "p.csv", pre_periods=1), "y", "--estimator", "sc"
    ),
    "did: too few pre-periods (sdid)": lambda tmp: _did_args(
        _panel(tmp / "p.csv", pre_periods=1), "y", "--estimator", "sdid"
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_refusals_are_chinese_after_the_location(case, tmp_path, capsys) -> None:
    argv = CASES[case](tmp_path)
    assert main([*argv, "--lang", "en"]) == 1
    english = capsys.readouterr().err.strip()
    assert english.startswith("error: ") and not CJK.search(english), english
    assert main([*argv, "--lang", "zh"]) == 1
    message = _message_after_location(capsys.readouterr().err)
    assert CJK.search(message), message


def test_a_chinese_locale_alone_gives_chinese_refusals(tmp_path, capsys, monkeypatch) -> None:
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LC_ALL", "zh_CN.UTF-8")
    assert main(CASES["its: too few pre-periods"](tmp_path)) == 1
    message = _message_after_location(capsys.readouterr().err)
    assert CJK.search(message), message
    assert "2020-02" in message  # the value at fault survives the translation


def _panel_usage(tmp: Path, *options: str) -> list[str]:
    (tmp / "s.csv").write_text("county,month,visits\n", encoding="utf-8")
    (tmp / "r.csv").write_text("county,reform_date\n", encoding="utf-8")
    return [
        "panel",
        "--series",
        str(tmp / "s.csv"),
        "--reforms",
        str(tmp / "r.csv"),
        "--out",
        str(tmp / "o.csv"),
        *options,
    ]


USAGE_CASES = {
    "panel: partial year on a monthly panel": (
        lambda tmp: _panel_usage(tmp, "--frequency", "monthly", "--partial-year", "treat"),
        "--partial-year",
    ),
    "panel: cutoff month out of range": (
        lambda tmp: _panel_usage(tmp, "--frequency", "annual", "--partial-year", "cutoff:13"),
        "cutoff:13",
    ),
    "series: quarantine is the output": (
        lambda tmp: [
            "series",
            "--records",
            str(_its_series(tmp / "s.csv", _months(2), [1, 2])),
            "--out",
            str(tmp / "o.csv"),
            "--quarantine",
            str(tmp / "o.csv"),
        ],
        "--quarantine",
    ),
}


@pytest.mark.parametrize("case", USAGE_CASES)
def test_usage_errors_are_chinese_with_the_flags_named(case, tmp_path, capsys) -> None:
    build, named = USAGE_CASES[case]
    argv = build(tmp_path)
    assert main([*argv, "--lang", "en"]) == 2
    english = capsys.readouterr().err.strip()
    assert english.startswith("error: ") and not CJK.search(english), english
    assert main([*argv, "--lang", "zh"]) == 2
    chinese = capsys.readouterr().err.strip()
    assert chinese.startswith("错误: ") and CJK.search(chinese), chinese
    # the Chinese text names the same flag or value, rewritten from ``name=`` like the English
    assert named in english and named in chinese, (english, chinese)
    assert "_year=" not in chinese and "quarantine=" not in chinese, chinese


def test_validate_refusals_are_chinese(tmp_path, capsys) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["validate", str(empty), "--lang", "zh"]) == 1
    message = _message_after_location(capsys.readouterr().err)
    assert CJK.search(message) and str(empty) in message, message
