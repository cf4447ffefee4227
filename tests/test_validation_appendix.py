"""Every published result in the registry is reproduced, and the appendix shows all of them.

The registry (``analysis/published/registry.py``) holds each published value once, with its
citation, in ``data/published/`` and ``data/published/honestdid/``. These tests run
every check through the engines (one engine call per fit, shared with the appendix page), test
the comparison rules on values that must fail, and check that no test or chapter module types
a published value again instead of reading it from the registry.
"""

from __future__ import annotations

import dataclasses
import re

import pytest

from analysis import paths
from analysis.chapters import validation
from analysis.published import registry as published
from analysis.published.registry import FITS, half_unit, load_checks, sources, status

CHECKS = {c.check_id: c for c in load_checks()}


@pytest.fixture(scope="module")
def outcomes():
    return {o.check.check_id: o for o in validation.outcomes()}


@pytest.mark.parametrize("check_id", list(CHECKS))
def test_published_value_is_reproduced(outcomes, check_id):
    o = outcomes[check_id]
    assert o.status != "fails", (
        f"{check_id}: published {o.check.printed} ({o.check.published}), ours {o.ours}, "
        f"accepted {o.low} to {o.high}"
    )


def test_known_differences_are_only_randomised_standard_errors(outcomes):
    known = {i for i, o in outcomes.items() if o.status == "known difference"}
    assert known == {
        "sdid-prop99-se",
        "sdid-prop99-se-r",
        "sdid-prop99-sc-se",
        "sdid-prop99-did-se",
    }
    # our exact-enumeration SE differs from the paper's by more than its printed digit
    o = outcomes["sdid-prop99-se"]
    paper = o.check.published
    assert abs(o.ours - paper) > half_unit(o.check.printed) and o.low < paper < o.high


def test_registry_is_complete_and_cited():
    assert len(CHECKS) == len(load_checks()) > 150
    cited = set(sources().index)
    for check in CHECKS.values():
        assert check.source_id in cited, check.check_id
        assert check.fit in FITS, check.check_id
        assert check.quantity and "_" not in check.quantity, check.check_id
        if check.tolerance != "printed":  # any wider allowance states why
            assert check.tolerance_why, check.check_id
    areas = {c.area for c in CHECKS.values()}
    assert areas == set(validation.AREAS)
    standard_errors = [c for c in CHECKS.values() if "standard error" in c.quantity]
    assert len(standard_errors) >= 20


def test_a_value_outside_the_tolerance_fails(outcomes):
    for check_id in ("its-sicily-rate-ratio", "fixest-mpdta-2004-2004-se", "sdid-prop99-se"):
        o = outcomes[check_id]
        far = o.high + 2 * (o.high - o.low) + 1e-6
        moved = dataclasses.replace(o.check, published=far)
        assert status(moved, o.ours, o.low, o.high) == "fails"
    o = outcomes["its-sicily-rate-ratio"]
    just_out = dataclasses.replace(o.check, published=o.ours + 1.01 * half_unit(o.check.printed))
    assert status(just_out, o.ours, o.low, o.high) == "fails"


def test_derived_published_values():
    assert published._published("(-1.50, 2.42)", "se-from-95-ci") == pytest.approx(1.0, 1e-4)
    se = CHECKS["sdid-prop99-se-r"]
    assert se.published == published._published(se.printed, "se-from-95-ci")
    assert half_unit("-.1234567") == pytest.approx(5e-8)
    with pytest.raises(ValueError, match="unknown derivation"):
        published._published("1.0", "made-up")


def test_the_page_counts_and_shows_every_check(outcomes):
    values = validation.numbers()
    count = values["validation-check-count"]
    assert count == len(CHECKS)
    parts = ("validation-agree-count", "validation-known-count", "validation-fail-count")
    assert sum(values[k] for k in parts) == count
    page = validation.table_checks().data
    for check_id in CHECKS:
        assert f'id="{check_id}"' in page
    assert page.count("<tbody>") == len(validation.AREAS)
    assert page.count("<th>") == len(validation.COLUMNS) <= 6


def test_a_failure_is_shown_and_counted(outcomes, monkeypatch):
    first = next(iter(outcomes.values()))
    failing = dataclasses.replace(first, status="fails")
    monkeypatch.setattr(validation, "outcomes", lambda: (failing, *list(outcomes.values())[1:]))
    assert validation.numbers()["validation-fail-count"] == 1
    assert 'class="validation-fails">fails<' in validation.table_checks().data


# A number written like a published value (at least three significant digits, as printed or
# as Python writes the float); integral values (a lag of 1, a weight of 0) are too common.
NUMBER = re.compile(r"(?<![\w.])(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?(?![\w.])")
# Files allowed to type published values while they move to the registry (none left).
AWAITING_THE_REGISTRY: set[str] = set()


def _significant_digits(number: str) -> int:
    return len(number.lower().split("e")[0].lstrip("+-").replace(".", "").lstrip("0"))


def _typed_published_values(text: str, published: dict[float, str]) -> list[str]:
    return [
        f"line {i}: {m.group()} ({published[float(m.group())]})"
        for i, line in enumerate(text.splitlines(), 1)
        for m in NUMBER.finditer(line)
        if _significant_digits(m.group()) >= 3 and float(m.group()) in published
    ]


def test_no_test_or_chapter_types_a_published_value():
    """Each published value is typed once, in the registry; tests and pages read it from there."""
    published = {
        abs(c.published): c.check_id
        for c in reversed(load_checks())
        if _significant_digits(c.printed.strip("()")) >= 3 and not float(c.published).is_integer()
    }
    files = sorted(paths.ROOT.glob("tests/*.py")) + sorted(
        paths.ROOT.glob("analysis/chapters/*.py")
    )
    typed = {}
    for path in files:
        found = _typed_published_values(path.read_text(encoding="utf-8"), published)
        name = path.relative_to(paths.ROOT).as_posix()
        if found or name in AWAITING_THE_REGISTRY:
            typed[name] = found
    stale = sorted(name for name in AWAITING_THE_REGISTRY if not typed.get(name))
    assert not stale, f"{stale} now read the registry: remove them from AWAITING_THE_REGISTRY"
    wrong = {name: found for name, found in typed.items() if name not in AWAITING_THE_REGISTRY}
    assert not wrong, (
        f"published values typed outside data/published/: {wrong}; read them with "
        "analysis.published.registry.published_value(check_id) or published_targets(...)"
    )


def test_the_typed_value_guard_sees_a_copy():
    published = {0.4321: "a-ratio", 98.76543: "a-step"}
    text = "x = round(r, 3) == 0.4321\n# step -98.76543\ntol = 0.005; lag = 1; y = 10.4321"
    assert _typed_published_values(text, published) == [
        "line 1: 0.4321 (a-ratio)",
        "line 2: 98.76543 (a-step)",
    ]
