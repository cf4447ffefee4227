"""The package's layering holds, the README's architecture map matches ``analysis/``, and the
engines know nothing of the book.

Layers, bottom to top (:data:`LAYERS`): a module may import only from its own layer or a lower
one, also inside functions, and no modules of ``analysis/`` import each other in a circle. Both
rules are read from the source (``ast``), so an import inside a function counts like one at the
top of the file.

Engines (the estimators, the pipeline, validation, the synthetic generator, the dataset
loader and the paths) must be usable on any county's data: they may not import the chapter
modules, and may not name the book's case (Qianjiang) or its reform month.
"""

from __future__ import annotations

import ast
import importlib
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from analysis import paths

ANALYSIS = paths.ROOT / "analysis"
README = paths.ROOT / "README.md"
ENGINES = (
    "tables",
    "its",
    "did",
    "pipeline",
    "validation",
    "synthetic",
    "datasets.py",
    "paths.py",
)
# The case and its date, as the book writes them; an engine takes them as arguments instead.
CASE_WORDS = ("qianjiang", "Qianjiang", "2023-01")
_MAPPED = re.compile(r"^\|\s*`analysis/([A-Za-z0-9_]+(?:/|\.py))`\s*\|", re.MULTILINE)

CORE, INPUT, DATA, ENGINE, APPLICATION, BOOK = range(6)
LAYERS: dict[str, int] = {
    # The package root holds only its version; it is the root of every other module's name.
    "analysis": CORE,
    "analysis.errors": CORE,
    "analysis.estimates": CORE,
    "analysis.paths": CORE,
    # How a spec dataclass declares its command-line form: the engines' specs use it.
    "analysis.options": CORE,
    "analysis.tables": INPUT,
    "analysis.validation.schemas": DATA,
    "analysis.registry": DATA,
    "analysis.datasets": DATA,
    "analysis.its": ENGINE,
    "analysis.did": ENGINE,
    "analysis.pipeline": ENGINE,
    "analysis.synthetic": ENGINE,
    "analysis.plotting": ENGINE,
    "analysis.__main__": APPLICATION,
    "analysis.cli": APPLICATION,
    "analysis.cli_spec": APPLICATION,
    # Each engine's command: the engine's options and output on the command line.
    "analysis.its.cli": APPLICATION,
    "analysis.did.cli": APPLICATION,
    "analysis.pipeline.cli": APPLICATION,
    "analysis.pipeline.panel_cli": APPLICATION,
    "analysis.report": APPLICATION,
    "analysis.validation": APPLICATION,
    "analysis.published": APPLICATION,
    # The spark-submit driver script runs the series command, like python -m analysis.
    "analysis.pipeline.spark_submit": APPLICATION,
    "analysis.chapters": BOOK,
    "analysis.build": BOOK,
    "analysis.frameworks": BOOK,
    "analysis.incentives": BOOK,
    "analysis.ledger": BOOK,
    # They draw the book's framework diagrams from the book's crosswalk (analysis.frameworks).
    "analysis.plotting.diagrams": BOOK,
    "analysis.plotting.framework_layouts": BOOK,
}
"""Module name or package prefix -> layer; the longest matching entry decides."""
# What the input layer may use besides itself: the core modules and nothing else.
INPUT_MAY_IMPORT = ("analysis.errors", "analysis.estimates", "analysis.paths")


@dataclass(frozen=True)
class Import:
    """One import statement's target, where it is written."""

    file: Path
    line: int
    importer: str
    module: str

    def where(self) -> str:
        return f"{self.file}:{self.line}: {self.importer} imports {self.module}"


def module_name(path: Path, root: Path = ANALYSIS) -> str:
    """Dotted module name of a file of the package whose folder is ``root``.

    Examples
    --------
    >>> module_name(Path("/x/analysis/its/fit.py"), Path("/x/analysis"))
    'analysis.its.fit'
    >>> module_name(Path("/x/analysis/tables/__init__.py"), Path("/x/analysis"))
    'analysis.tables'
    """
    parts = [root.name, *path.relative_to(root).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def library_modules(root: Path = ANALYSIS) -> dict[str, Path]:
    """Every module of the package in ``root``, by dotted name."""
    return {
        module_name(path, root): path
        for path in sorted(root.rglob("*.py"))
        if "__pycache__" not in path.parts
    }


def _known(name: str, modules: dict[str, Path]) -> str:
    # An import of a name the tree does not hold (a class, or a module being moved) depends on
    # the nearest module that holds it.
    while name not in modules and "." in name:
        name = name.rpartition(".")[0]
    return name


def imports_of(path: Path, modules: dict[str, Path], root: Path = ANALYSIS) -> list[Import]:
    """Every import of a module of the package in ``path``, wherever it is written.

    ``import a.b`` and ``from a import b`` (``b`` a module) import ``a.b``; ``from a import x``
    (``x`` a name) imports ``a``; relative imports are resolved against the file's package.
    Imports under ``if TYPE_CHECKING:`` count too: an annotation depends on its module.
    """
    importer = module_name(path, root)
    package = importer if path.name == "__init__.py" else importer.rpartition(".")[0]
    shown = path.relative_to(root.parent)
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            targets = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                for alias in node.names
            ]
        else:
            continue
        for target in targets:
            if target.split(".")[0] == root.name:
                found.append(Import(shown, node.lineno, importer, _known(target, modules)))
    # ``from m import a, b`` is one import of ``m``, reported once.
    return list(dict.fromkeys(found))


def layer_of(module: str, layers: dict[str, int] = LAYERS) -> int | None:
    """Layer of a module: the longest entry of ``layers`` that is it or a package holding it.

    Examples
    --------
    >>> layer_of("analysis.its.fit"), layer_of("analysis.plotting.diagrams")
    (3, 5)
    >>> layer_of("analysis.somewhere_new") is None
    True
    """
    root = module.split(".")[0]
    matches = [
        prefix
        for prefix in layers
        if module == prefix or (prefix != root and module.startswith(prefix + "."))
    ]
    return layers[max(matches, key=len)] if matches else None


def unassigned_modules(modules: dict[str, Path]) -> list[str]:
    """Modules :data:`LAYERS` does not place."""
    return sorted(name for name in modules if layer_of(name) is None)


def upward_imports(root: Path = ANALYSIS) -> list[str]:
    """Each import from a lower layer into a higher one, as ``file:line: a imports b (2 -> 3)``."""
    modules = library_modules(root)
    found = []
    for path in modules.values():
        for imp in imports_of(path, modules, root):
            low, high = layer_of(imp.importer), layer_of(imp.module)
            if low is not None and high is not None and high > low:
                found.append(f"{imp.where()} (layer {low} -> {high})")
    return found


def input_layer_imports(root: Path = ANALYSIS) -> list[str]:
    """Imports of the input layer (``tables/``) of anything but the core modules and itself."""
    modules = library_modules(root)
    tables = f"{root.name}.tables"
    allowed = {name.replace("analysis", root.name, 1) for name in INPUT_MAY_IMPORT}
    return [
        imp.where()
        for name, path in modules.items()
        if name == tables or name.startswith(tables + ".")
        for imp in imports_of(path, modules, root)
        if imp.module not in allowed and not (imp.module + ".").startswith(tables + ".")
    ]


def import_cycles(root: Path = ANALYSIS) -> list[str]:
    """Each set of modules that import each other in a circle, with the imports that close it.

    Strongly connected components of the module graph (Tarjan's algorithm, iterative).
    """
    modules = library_modules(root)
    edges: dict[str, list[Import]] = {
        name: [i for i in imports_of(path, modules, root) if i.module in modules.keys() - {name}]
        for name, path in modules.items()
    }
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    for start in modules:
        if start in index:
            continue
        work = [(start, iter(edges[start]))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, pending = work[-1]
            step = next(pending, None)
            if step is not None:
                target = step.module
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(edges[target])))
                elif target in on_stack:
                    low[node] = min(low[node], index[target])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    components.append(sorted(component))
    return [
        "circle of "
        + ", ".join(component)
        + ": "
        + "; ".join(
            imp.where() for name in component for imp in edges[name] if imp.module in component
        )
        for component in components
    ]


def test_every_module_has_a_layer() -> None:
    assert not unassigned_modules(library_modules()), (
        "add these modules to LAYERS in tests/test_architecture.py (and to the README's map): "
        f"{unassigned_modules(library_modules())}"
    )


def test_no_module_imports_from_a_higher_layer() -> None:
    found = upward_imports()
    assert not found, "imports from a higher layer:\n" + "\n".join(found)


def test_the_input_layer_imports_only_the_core() -> None:
    found = input_layer_imports()
    assert not found, "analysis/tables/ imports beyond the core:\n" + "\n".join(found)


def test_no_modules_import_each_other_in_a_circle() -> None:
    found = import_cycles()
    assert not found, "import circles:\n" + "\n".join(found)


def _plant(root: Path, files: dict[str, str]) -> Path:
    package = root / "analysis"
    for name, text in files.items():
        target = package / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return package


def test_the_layer_checks_can_fail(tmp_path: Path) -> None:
    package = _plant(
        tmp_path,
        {
            "__init__.py": "",
            "errors.py": "def f():\n    from analysis.its import fit\n",
            "tables/__init__.py": "",
            "tables/reading.py": "import os\n\nfrom ..registry import DATASETS\n",
            "registry.py": "DATASETS = ()\n",
            "its/__init__.py": "from . import fit\n",
            "its/fit.py": "import analysis.errors\n",
            "newthing.py": "",
        },
    )
    assert upward_imports(package) == [
        "analysis/errors.py:2: analysis.errors imports analysis.its.fit (layer 0 -> 3)",
        "analysis/tables/reading.py:3: analysis.tables.reading imports analysis.registry "
        "(layer 1 -> 2)",
    ]
    assert input_layer_imports(package) == [
        "analysis/tables/reading.py:3: analysis.tables.reading imports analysis.registry"
    ]
    assert unassigned_modules(library_modules(package)) == ["analysis.newthing"]


def test_the_circle_check_can_fail(tmp_path: Path) -> None:
    package = _plant(
        tmp_path,
        {
            "__init__.py": "",
            "its/__init__.py": "",
            "its/events.py": "from analysis.its.fit import Fit\n",
            "its/fit.py": "class Fit:\n    def events(self):\n        from . import events\n",
            "its/results.py": "from analysis.its import fit\n",
        },
    )
    assert import_cycles(package) == [
        "circle of analysis.its.events, analysis.its.fit: "
        "analysis/its/events.py:1: analysis.its.events imports analysis.its.fit; "
        "analysis/its/fit.py:3: analysis.its.fit imports analysis.its.events"
    ]


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
