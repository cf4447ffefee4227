"""An analyst's own tables in every command: the right number or a clear refusal, never a wrong one.

The cases (:mod:`input_corpus`) are written to the contract of the input layer, not to today's
behaviour: one county under two spellings, mixed share scales and text-stored numbers,
aggregate rows, money in 万元/千元, reversals and unknown labels, duplicated files, messages
that quote the offending values, and time labels as users write them -- across ``series``,
``validate``, ``panel``, ``its``, ``did`` and ``report``. Every command runs in-process through
``analysis.cli.main``; every truth is computed in :mod:`input_corpus` by hand.

A score table by class and command is printed at the end of the pytest session, and by
``python tests/test_input_corpus.py --score``.
"""

from __future__ import annotations

import hashlib
import re
import sys
import traceback
from collections import Counter
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from input_corpus import CASES, Case, Result, quoted  # noqa: E402

from analysis.cli import main  # noqa: E402

HAN = re.compile(r"[\u4e00-\u9fff]")
SCORES: dict[str, tuple[Case, str, str]] = {}


def _digest(folder: Path) -> dict[str, str]:
    return {
        str(p): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _refusal_problems(case: Case, result: Result, names: list[Path]) -> list[str]:
    problems = []
    allowed = (1, 2) if case.usage else (1,)
    if result.code not in allowed:
        problems.append(f"exit {result.code}, expected {' or '.join(map(str, allowed))}")
    if not any(p.name in result.err for p in names):
        problems.append(f"stderr names none of {[p.name for p in names]}")
    missing = [q for q in case.must_quote if not quoted(result.err, q)]
    if missing:
        problems.append(f"stderr does not quote {missing}")
    if case.zh and not HAN.search(result.err):
        problems.append("--lang zh refusal has no Chinese text")
    # A fix names an option of this command, or says which command offers it ("series --x").
    unknown = sorted(
        f"{command or case.command} {flag}"
        for command, flag in FLAG.findall(result.err)
        if flag not in _flags_offered(command or case.command)
    )
    if unknown:
        problems.append(f"the fix names {unknown}, which that command's --help does not offer")
    return problems


FLAG = re.compile(r"(?:\b(series|validate|panel|its|did|report) )?(?<![\w-])(--[a-z][a-z0-9-]*)")
_OFFERED: dict[str, frozenset[str]] = {}


def _flags_offered(command: str) -> frozenset[str]:
    """The options ``python -m analysis COMMAND --help`` lists."""
    if command not in _OFFERED:
        import contextlib
        import io

        text = io.StringIO()
        with contextlib.redirect_stdout(text), contextlib.suppress(SystemExit):
            main([command, "--help"])
        _OFFERED[command] = frozenset(flag for _, flag in FLAG.findall(text.getvalue()))
    return _OFFERED[command]


def test_the_flag_check_can_fail() -> None:
    assert "--time" in _flags_offered("its")
    assert "--no-such-option" not in _flags_offered("its")


def run_case(case: Case, tmp: Path, capsys=None) -> tuple[str, str]:
    """Run one case; return (outcome, detail): outcome correct, refused or failure."""
    inputs = tmp / "in"
    inputs.mkdir(parents=True, exist_ok=True)
    built = case.build(inputs)
    before = _digest(inputs)
    try:
        if capsys is None:
            import contextlib
            import io

            out, err = io.StringIO(), io.StringIO()
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                code = _main([case.command, *built.argv])
            result = Result(code, out.getvalue(), err.getvalue(), tmp)
        else:
            code = _main([case.command, *built.argv])
            captured = capsys.readouterr()
            result = Result(code, captured.out, captured.err, tmp)
    except BaseException as exc:  # an escaped exception is a traceback for the user
        if isinstance(exc, KeyboardInterrupt):
            raise
        return "failure", f"raised {type(exc).__name__}: {str(exc)[:160]}"
    after = _digest(inputs)
    changed = [Path(p).name for p, h in before.items() if after.get(p) != h]
    if changed:
        return "failure", f"inputs changed: {changed}"
    if "Traceback" in result.err + result.out:
        return "failure", "traceback: " + result.err.strip().splitlines()[-1][:160]
    if result.code == 0:
        if case.kind == "refused":
            return "failure", f"exit 0 on an input that must be refused: {result.out[:160]!r}"
        if not result.out.strip():
            return "failure", "exit 0 with empty output"
        if case.kind == "correct_or_refused" and case.notice:
            missing = [q for q in case.must_quote if not quoted(result.out + result.err, q)]
            if missing:
                return "failure", f"exit 0 without a notice quoting {missing}"
        if built.check is not None:
            try:
                built.check(result)
            except AssertionError as error:
                return "failure", "wrong numbers: " + " ".join(str(error).split())[:200]
            except Exception as error:  # an unreadable output is a wrong output
                return "failure", f"output unreadable: {type(error).__name__}: {error}"[:200]
        return "correct", ""
    if case.kind == "correct":
        last = (result.err.strip().splitlines() or [""])[-1]
        return "failure", f"exit {result.code} on a valid input: {last[:200]}"
    problems = _refusal_problems(case, result, built.names)
    if problems:
        last = " ".join(result.err.split())[:200]
        return "failure", "; ".join(problems) + f" -- stderr: {last}"
    return "refused", ""


def _main(argv: list[str]) -> int:
    try:
        return int(main(argv))
    except SystemExit as exit_:  # argparse's usage errors
        return int(exit_.code or 0)


def score_table(scores: dict[str, tuple[Case, str, str]]) -> str:
    """Cases, correct, refused-as-expected and failures by class and by command."""
    lines = []

    def block(title: str, key) -> None:
        groups: dict[str, Counter] = {}
        for case, outcome, _ in scores.values():
            groups.setdefault(key(case), Counter())[outcome] += 1
            groups[key(case)]["cases"] += 1
        lines.append(f"{title:<12} {'cases':>6} {'correct':>8} {'refused':>8} {'failures':>9}")
        for name in sorted(groups):
            c = groups[name]
            lines.append(
                f"{name:<12} {c['cases']:>6} {c['correct']:>8} {c['refused']:>8} {c['failure']:>9}"
            )
        lines.append("")

    block("class", lambda c: c.cls)
    block("command", lambda c: c.command)
    total = Counter(outcome for _, outcome, _ in scores.values())
    lines.append(
        f"total: {len(scores)} cases, {total['correct']} correct, "
        f"{total['refused']} refused as expected, {total['failure']} failures"
    )
    failures = [
        (cid, detail) for cid, (_, outcome, detail) in scores.items() if outcome == "failure"
    ]
    if failures:
        lines.append("failing cases:")
        lines += [f"  {cid}: {detail}" for cid, detail in sorted(failures)]
    return "\n".join(lines)


class _ScoreSummary:
    """Prints the score table in pytest's terminal summary, after all output capture ends."""

    def pytest_terminal_summary(self, terminalreporter) -> None:
        if SCORES:
            terminalreporter.section("input corpus score")
            terminalreporter.write_line(score_table(SCORES))


@pytest.fixture(scope="module", autouse=True)
def _score_summary(request):
    manager = request.config.pluginmanager
    if not manager.has_plugin("input-corpus-score"):
        manager.register(_ScoreSummary(), "input-corpus-score")
    yield


def test_corpus_covers_every_class_and_command() -> None:
    assert len(CASES) >= 60
    assert len({c.id for c in CASES}) == len(CASES)
    assert {c.cls for c in CASES} == set("abcdefgh")
    assert {c.command for c in CASES} == {"series", "validate", "panel", "its", "did", "report"}
    assert {c.kind for c in CASES} == {"correct", "refused", "correct_or_refused"}
    for case in CASES:
        if case.kind != "correct":
            assert case.must_quote, case.id


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_input_is_right_or_clearly_refused(case: Case, tmp_path: Path, capsys) -> None:
    outcome, detail = run_case(case, tmp_path, capsys)
    SCORES[case.id] = (case, outcome, detail)
    assert outcome != "failure", f"[{case.cls}/{case.command}/{case.kind}] {detail}"


def _score_main() -> int:
    import tempfile

    scores = {}
    for case in CASES:
        with tempfile.TemporaryDirectory() as folder:
            try:
                outcome, detail = run_case(case, Path(folder))
            except Exception:  # a broken case builder must not hide the rest of the table
                outcome, detail = "failure", traceback.format_exc().splitlines()[-1]
        scores[case.id] = (case, outcome, detail)
    print(score_table(scores))
    return 0


if __name__ == "__main__":
    if "--score" in sys.argv:
        sys.exit(_score_main())
    sys.exit(pytest.main([__file__, "-q", "-p", "no:cacheprovider"]))
