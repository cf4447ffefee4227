"""The published-result registry reads only declared files of data/; no library code reads tests/.

The published values behind the validation appendix live in ``data/published/``, each file
declared in :mod:`analysis.registry` and hashed in ``data/datapackage.json``. Library code
(everything under ``analysis/``) must never name a path under ``tests/``: a test fixture is
not a data source, and an installed package has no tests folder.
"""

from __future__ import annotations

import ast
import csv
import json
import re
from pathlib import Path

import pytest

from analysis import paths, registry
from analysis.published import registry as published
from analysis.published.fits import FITS, reference_file

ANALYSIS = paths.ROOT / "analysis"
PUBLISHED_DATA = paths.DATA / "published"

# "tests" as a whole path component: "tests", "tests/x", "a/tests", "..\\tests\\x".
TESTS_COMPONENT = re.compile(r"(?:^|[/\\])tests(?:[/\\]|$)")


def _docstrings(tree: ast.AST) -> set[int]:
    """ids of the docstring nodes: prose may say which test checks a module."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if (
                body
                and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)
            ):
                found.add(id(body[0].value))
    return found


def paths_under_tests(source: str) -> list[str]:
    """``line: text`` of every string in ``source`` (outside docstrings) naming a tests/ path.

    Covers a literal path (``"tests/reference/x.csv"``), a path joined from parts
    (``paths.ROOT / "tests" / "reference"``, ``os.path.join(root, "tests")``) and the
    literal parts of an f-string (``f"{root}/tests/x"``).
    """
    tree = ast.parse(source)
    prose = _docstrings(tree)
    found = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in prose
        and TESTS_COMPONENT.search(node.value)
    ]
    return [f"{node.lineno}: {node.value!r}" for node in sorted(found, key=lambda n: n.lineno)]


def _library_files() -> list[Path]:
    return sorted(p for p in ANALYSIS.rglob("*.py") if "__pycache__" not in p.parts)


def test_no_library_code_names_a_path_under_tests():
    offenders = {
        path.relative_to(paths.ROOT).as_posix(): found
        for path in _library_files()
        if (found := paths_under_tests(path.read_text(encoding="utf-8")))
    }
    assert not offenders, (
        f"library code reads files under tests/: {offenders}; move the file to data/, declare "
        "it in analysis/registry.py and refresh data/datapackage.json"
    )


def test_the_scan_sees_every_library_module():
    scanned = {p.relative_to(ANALYSIS).as_posix() for p in _library_files()}
    assert {"published/registry.py", "published/fits.py", "registry.py"} <= scanned


def test_the_tests_path_scan_catches_a_planted_reader():
    planted = '''"""Checked by tests/test_x.py (prose: allowed)."""
from analysis import paths

REFERENCE = paths.ROOT / "tests" / "reference" / "published"
OTHER = "tests/fixtures/x.json"
WINDOWS = "..\\\\tests\\\\x.csv"
JOINED = f"{paths.ROOT}/tests/x.csv"
WORDS = "diagnostic tests, placebo tests"
CONTESTS = "contests/x.csv"


def read():
    """Reads tests/x (prose: allowed)."""
    return (paths.ROOT / "tests").glob("*.csv")
'''
    found = paths_under_tests(planted)
    assert [line.split(":")[0] for line in found] == ["4", "5", "6", "7", "14"], found


def test_each_file_of_data_published_is_declared_and_hashed():
    declared = {d.path for d in registry.DATASETS} | {r.path for r in registry.REFERENCE_FILES}
    descriptor = json.loads((paths.DATA / "datapackage.json").read_text(encoding="utf-8"))
    hashed = {r["path"]: r for r in descriptor["resources"]}
    files = sorted(p for p in PUBLISHED_DATA.rglob("*") if p.is_file())
    assert files, f"no files in {PUBLISHED_DATA}"
    for path in files:
        relative = path.relative_to(paths.DATA).as_posix()
        assert relative in hashed, f"{relative} is not in data/datapackage.json"
        if path.suffix != ".md":  # documentation is hashed, not declared
            assert relative in declared, f"{relative} is not declared in analysis/registry.py"
            assert hashed[relative]["provenance"]["class"] == "public", relative
            assert hashed[relative]["provenance"]["source"], relative


def test_the_registry_reads_its_values_from_data_published():
    for path in (
        published.RESULTS,
        published.SOURCES,
        reference_file("honestdid_bc_event_study"),
        reference_file("honestdid_medicaid_event_study"),
    ):
        assert path.is_file() and path.is_relative_to(PUBLISHED_DATA), path
    with pytest.raises(KeyError, match="honestdid_bc_event_study"):
        reference_file("no_such_file")
    with pytest.raises(KeyError, match=re.escape(str(published.RESULTS))):
        published.published_value("no-such-check")


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_every_row_of_every_reference_file_becomes_a_check():
    # Counted from the files with the csv and json modules, not through the registry.
    results = _rows(PUBLISHED_DATA / "published_results.csv")
    readme = _rows(PUBLISHED_DATA / "honestdid" / "readme_medicaid_results.csv")
    stata = _rows(PUBLISHED_DATA / "honestdid" / "stata_readme_medicaid_average.csv")
    bc = json.loads((PUBLISHED_DATA / "honestdid" / "bc_event_study.json").read_text("utf-8"))
    expected = (
        len(results)
        + 2 * len(readme)  # lower and upper end of each set
        + 2 * len(stata)
        + len(bc["r_original_ci"])
        + 2 * len(bc["r_flci_first_post_period"])  # centre and half-length of each FLCI
    )
    checks = published.load_checks()
    assert len(checks) == expected
    assert {r["check_id"] for r in results} <= {c.check_id for c in checks}


def test_each_check_cites_a_source_and_names_a_fit():
    cited = {r["source_id"] for r in _rows(PUBLISHED_DATA / "published_sources.csv")}
    checks = published.load_checks()
    assert {c.source_id for c in checks} <= cited
    assert {c.fit for c in checks} <= set(FITS)


def test_the_entry_point_names_its_module(capsys):
    with pytest.raises(SystemExit) as done:
        published.main(["--help"])
    assert done.value.code == 0
    assert capsys.readouterr().out.startswith("usage: python -m analysis.published.registry")
