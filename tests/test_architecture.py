"""The README's architecture map matches ``analysis/``, and the engines know nothing of the book.

Engines (the estimators, the pipeline, validation, the synthetic generator, the dataset
loader and the paths) must be usable on any county's data: they may not import the chapter
modules, and may not name the book's case (Qianjiang) or its reform month.
"""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest

from analysis import paths

ANALYSIS = paths.ROOT / "analysis"
README = paths.ROOT / "README.md"
ENGINES = ("its", "did", "pipeline", "validation", "synthetic", "datasets.py", "paths.py")
# The case and its date, as the book writes them; an engine takes them as arguments instead.
CASE_WORDS = ("qianjiang", "Qianjiang", "2023-01")
_MAPPED = re.compile(r"^\|\s*`analysis/([A-Za-z0-9_]+(?:/|\.py))`\s*\|", re.MULTILINE)


def architecture_map(readme: str) -> list[str]:
    """Entries of the README's architecture table, e.g. ``its/`` or ``paths.py``.

    Examples
    --------
    >>> architecture_map("| `analysis/its/` | engine |\\n| `analysis/paths.py` | paths |\\n")
    ['its/', 'paths.py']
    """
    return _MAPPED.findall(readme)


def analysis_parts(folder: Path = ANALYSIS) -> set[str]:
    """Packages (``name/``) and top-level modules (``name.py``) of the library."""
    packages = {f"{path.parent.name}/" for path in folder.glob("*/__init__.py")}
    modules = {
        path.name for path in folder.glob("*.py") if path.name not in {"__init__.py", "__main__.py"}
    }
    return packages | modules


def test_the_map_lists_every_package_and_module_once() -> None:
    mapped = architecture_map(README.read_text(encoding="utf-8"))
    assert len(mapped) == len(set(mapped)), f"listed twice: {sorted(mapped)}"
    existing = analysis_parts()
    assert not set(mapped) - existing, (
        f"the map names what does not exist: {sorted(set(mapped) - existing)}"
    )
    assert not existing - set(mapped), (
        f"not in the README's architecture map: {sorted(existing - set(mapped))}"
    )


def test_the_map_check_can_fail(tmp_path: Path) -> None:
    (tmp_path / "engine").mkdir()
    (tmp_path / "engine" / "__init__.py").write_text("", encoding="utf-8")
    (tmp_path / "tool.py").write_text("", encoding="utf-8")
    assert analysis_parts(tmp_path) == {"engine/", "tool.py"}
    assert architecture_map("| `analysis/engine/` | x |\n") == ["engine/"]


def engine_files() -> list[Path]:
    files = []
    for name in ENGINES:
        target = ANALYSIS / name
        files += sorted(target.rglob("*.py")) if target.is_dir() else [target]
    return [path for path in files if "__pycache__" not in path.parts]


def imported_modules(source: str) -> set[str]:
    """Absolute module names a Python source imports (``import x`` and ``from x import y``).

    Examples
    --------
    >>> sorted(imported_modules("import a.b\\nfrom analysis import chapters\\nfrom c import d"))
    ['a.b', 'analysis', 'analysis.chapters', 'c', 'c.d']
    """
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


@pytest.mark.parametrize("path", engine_files(), ids=lambda p: p.relative_to(ANALYSIS).as_posix())
def test_engines_do_not_import_the_chapters(path: Path) -> None:
    imports = imported_modules(path.read_text(encoding="utf-8"))
    assert not {
        name
        for name in imports
        if name == "analysis.chapters" or name.startswith("analysis.chapters.")
    }


@pytest.mark.parametrize("path", engine_files(), ids=lambda p: p.relative_to(ANALYSIS).as_posix())
def test_engines_do_not_name_the_case(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    hits = [
        f"line {number}: {word!r}"
        for number, line in enumerate(text.splitlines(), 1)
        for word in CASE_WORDS
        if word in line
    ]
    assert not hits, f"{path.relative_to(paths.ROOT)} names the book's case: {hits}"


BENCHMARKS = sorted(
    path.stem
    for path in (paths.ROOT / "benchmarks").glob("*.py")
    if not path.stem.startswith("_") and path.stem != "run"
)


def test_every_benchmark_area_is_run_by_make_bench(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(paths.ROOT))
    from benchmarks.run import AREAS

    assert sorted(AREAS) == BENCHMARKS


@pytest.mark.parametrize("name", BENCHMARKS)
def test_benchmarks_import_against_the_current_engines(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Benchmarks are not run by the tests, but an engine API change must not break them
    # silently: importing resolves every name they use from the engines.
    monkeypatch.syspath_prepend(str(paths.ROOT))
    module = importlib.import_module(f"benchmarks.{name}")
    assert callable(module.run)
