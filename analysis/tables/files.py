"""Finding a user's input files, and keeping outputs away from them.

A records folder is searched recursively; every supported file is read and every other file is
*named* with the reason it was not read (never skipped without a word). Files this toolkit
wrote itself (``*.quarantine.csv``, ``*.series.csv``, temporary ``.~*`` files) are never read
back as inputs, and no output may be written onto an input or inside an input folder.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from analysis.errors import InputError, UsageError
from analysis.tables.reading import SUFFIXES

OWN_OUTPUT_PATTERNS: tuple[str, ...] = (
    "*.quarantine.csv",
    "*.quarantine.parquet",
    ".*.tmp",
    ".*.tmp.*",
    "*.series.csv",
)
"""Names of files this tool writes: never read back as records."""


def refuse_output_inside_input(records: Path, output: Path, what: str) -> None:
    """Refuse an output path equal to the records file or inside the records folder.

    Raises
    ------
    UsageError
        Writing there would overwrite an input, or be read back as input on the next run.

    Examples
    --------
    >>> refuse_output_inside_input(Path("in/r.csv"), Path("out/s.csv"), "out")
    >>> refuse_output_inside_input(Path("in"), Path("in/s.csv"), "out")
    Traceback (most recent call last):
    ...
    analysis.errors.UsageError: out= in/s.csv is inside the records folder in: outputs are never written among the inputs (they would be read back as records); choose a path outside it
    """
    what = what if what.startswith("-") else f"{what}="
    source, target = records.resolve(), output.resolve()
    if source == target:
        raise UsageError(
            f"{what} {output} is the records file itself: it would be overwritten; "
            "choose another path",
            zh=f"{what} {output} 就是记录文件本身：它会被覆盖；请选择另一个路径",
        )
    if not records.is_file() and source in target.parents:
        raise UsageError(
            f"{what} {output} is inside the records folder {records}: outputs are never "
            "written among the inputs (they would be read back as records); choose a path "
            "outside it",
            zh=f"{what} {output} 位于记录文件夹 {records} 之内：输出从不写在输入之间"
            "（否则会被当作记录读回）；请选择该文件夹之外的路径",
        )


def is_own_output(path: Path) -> bool:
    """Whether ``path`` is named like a file this tool writes (see :data:`OWN_OUTPUT_PATTERNS`).

    Examples
    --------
    >>> is_own_output(Path("runs/series.quarantine.csv")), is_own_output(Path("2024-05.csv"))
    (True, False)
    """
    return any(path.match(pattern) for pattern in OWN_OUTPUT_PATTERNS)


@dataclass(frozen=True)
class Discovery:
    """The files of a records folder: read, and not read (with the reason)."""

    files: list[tuple[Path, str]]
    skipped: list[tuple[str, str]]
    identical: list[tuple[str, str]] = field(default_factory=list)
    """(copy, first file with the same bytes): byte-identical copies, read once (not in
    ``files``)."""


def _digest(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()


def identical_files(files: list[tuple[Path, str]]) -> list[tuple[str, str]]:
    """(copy, original) name pairs of files with the same bytes (sha256), in name order.

    Only files of equal size are hashed, so a folder of distinct exports is not read twice.

    Examples
    --------
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> for name, text in (("a.csv", "x"), ("b.csv", "y"), ("c.csv", "x")):
    ...     _ = (d / name).write_text(text)
    >>> identical_files([(d / n, n) for n in ("a.csv", "b.csv", "c.csv")])
    [('c.csv', 'a.csv')]
    """
    by_size: dict[int, list[tuple[Path, str]]] = {}
    for path, name in files:
        by_size.setdefault(path.stat().st_size, []).append((path, name))
    pairs = []
    for group in by_size.values():
        if len(group) < 2:
            continue
        first: dict[str, str] = {}
        for path, name in group:
            digest = _digest(path)
            if digest in first:
                pairs.append((name, first[digest]))
            else:
                first[digest] = name
    return sorted(pairs)


def find_files(records: Path) -> Discovery:
    """Every supported file under ``records`` (sorted by name), and the others with reasons."""
    if not records.exists():
        raise InputError(f"records not found: {records}", zh=f"找不到结算记录：{records}")
    if records.is_file():
        if records.suffix.lower() not in SUFFIXES:
            raise InputError(
                f"{records}: expected a .csv, .tsv, .txt, .xlsx, .xls, .dta or .parquet file",
                zh=f"{records}：应为 .csv、.tsv、.txt、.xlsx、.xls、.dta 或 .parquet 文件",
            )
        return Discovery([(records, records.name)], [])
    found, skipped = [], []
    for p in sorted(records.rglob("*")):
        if not p.is_file():
            continue
        rel = p.relative_to(records)
        name = rel.as_posix()
        if any(part.startswith(".") for part in rel.parts):
            skipped.append((name, "hidden file"))
        elif p.name.startswith("~$"):
            skipped.append((name, "Excel lock file"))
        elif is_own_output(p):
            skipped.append((name, "written by this tool (an output, never read as input)"))
        elif p.suffix.lower() not in SUFFIXES:
            skipped.append((name, "not a supported type (.csv .tsv .txt .xlsx .xls .dta .parquet)"))
        else:
            found.append((p, name))
    if not found:
        raise InputError(
            f"{records}: no .csv, .xlsx, .xls, .dta or .parquet files in this folder"
            + (f" (not read: {', '.join(n for n, _ in skipped[:5])})" if skipped else ""),
            zh=f"{records}：文件夹中没有 .csv、.xlsx、.xls、.dta 或 .parquet 文件",
        )
    # A copy of one export (the same month saved twice) is one file's records, not twice
    # the records: read once, and named.
    identical = identical_files(found)
    copies = {copy for copy, _ in identical}
    return Discovery([(p, n) for p, n in found if n not in copies], skipped, identical)
