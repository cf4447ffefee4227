"""Find the input files and make them readable by both engines.

Accepted inputs: one file, or a folder holding any mix of CSV (any delimiter; UTF-8, UTF-16,
GB18030/GBK), ``.xlsx``/``.xls``, Stata ``.dta`` and Parquet files, searched recursively.
Every such file is read; a folder's other files are *named* in the run summary as not read
(never skipped without a word), and so are files this tool wrote itself (``*.quarantine.csv``,
``*.quarantine.parquet``, ``*.series.csv`` and temporary ``.~*`` files): outputs are never read
back as inputs. Hidden files and Excel lock files (``~$...``) are skipped and named too.

Each file is normalised by :mod:`analysis.pipeline.normalise` (header map, label map, dates,
amounts, codes) into a text Parquet file in the run's scratch folder; only a Parquet file that
already uses the schema's column names is read by the engine directly (out of core, typed
columns kept), and only when every file of the run is such a file and no header, label or date
option is given; its values then follow the SQL's own rules (ISO and ``YYYYMMDD`` dates,
plain decimals, the shipped labels, ``.0`` dropped from county codes).

The encoding is decided by strict decoding, not guessed: a file that decodes as UTF-8 over its
whole length is UTF-8; otherwise it must decode as GB18030, or the run stops with a message.
A statistical detector (charset-normalizer) is not needed when only two encodings are allowed.

Examples
--------
>>> from pathlib import Path
>>> import tempfile
>>> folder = Path(tempfile.mkdtemp())
>>> _ = (folder / "a.csv").write_bytes("record_id\\n潜江\\n".encode("gb18030"))
>>> detect_encoding(folder / "a.csv")
'gb18030'
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pyarrow.parquet as pq

from analysis.errors import InputError as CompendiumInputError
from analysis.pipeline.schema import FIELD_NAMES
from analysis.validation.reading import SUFFIXES as READER_SUFFIXES

Format = Literal["csv", "parquet"]
Encoding = Literal["utf-8", "utf-8-sig", "gb18030"]

SUFFIXES: dict[str, str] = dict(READER_SUFFIXES)
OWN_OUTPUT_PATTERNS: tuple[str, ...] = (
    "*.quarantine.csv",
    "*.quarantine.parquet",
    ".*.tmp",
    ".*.tmp.*",
    "*.series.csv",
)
"""Names of files this tool writes: never read back as records."""
_CHUNK = 16 * 1024 * 1024


InputError = CompendiumInputError
"""The records cannot be read; the message says which file and why. The compendium's one
refusal type, so that a refusal from the reader (:class:`analysis.validation.ValidationError`)
or the normaliser is caught like any other pipeline refusal."""


@dataclass(frozen=True)
class InputFile:
    """One file ready for an engine to read.

    Attributes
    ----------
    path
        File the engine reads (a UTF-8 copy when the original was GB18030 or had a BOM).
    name
        The original file's path relative to the records root, written to ``source_file``.
    format
        ``"csv"`` or ``"parquet"``.
    encoding
        Encoding of the original CSV (``"utf-8"`` for Parquet).
    columns
        Column names in the file, lower case, in file order.
    uri
        Set instead of a local file for remote inputs (``hdfs://``, ``s3a://``, ``file://``),
        which only the Spark engine reads.
    """

    path: Path
    name: str
    format: Format
    encoding: Encoding
    columns: tuple[str, ...]
    uri: str | None = None
    origin: str = ""
    """How the original was stored, e.g. ``csv gb18030``, ``xlsx``, ``parquet``."""
    table: Any = None
    """The normalised rows in memory (an Arrow table), for the DuckDB engine; ``path`` is then
    only a name. ``None``: the engine reads ``path``."""

    @property
    def location(self) -> str:
        """What an engine opens: the URI if set, else the local path."""
        return self.uri if self.uri is not None else str(self.path)


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
    from analysis.errors import UsageError

    what = what if what.startswith("-") else f"{what}="
    source, target = records.resolve(), output.resolve()
    if source == target:
        raise UsageError(
            f"{what} {output} is the records file itself: it would be overwritten; "
            "choose another path"
        )
    if not records.is_file() and source in target.parents:
        raise UsageError(
            f"{what} {output} is inside the records folder {records}: outputs are never "
            "written among the inputs (they would be read back as records); choose a path "
            "outside it"
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
    return Discovery(found, skipped)


def discover(records: Path) -> list[tuple[Path, str]]:
    """List the supported files under ``records`` with their display names.

    Parameters
    ----------
    records
        A file or a folder.

    Returns
    -------
    list of (path, name)
        Sorted by name, so every engine sees the files in the same order.
    """
    return find_files(records).files


def detect_encoding(path: Path) -> Encoding:
    """Return the encoding of a CSV file: UTF-8 (maybe with BOM) or GB18030.

    Parameters
    ----------
    path
        CSV file; read in chunks, so any size works.

    Returns
    -------
    str
        ``"utf-8"``, ``"utf-8-sig"`` or ``"gb18030"``.

    Raises
    ------
    InputError
        When the file decodes as neither.
    """
    with path.open("rb") as handle:
        has_bom = handle.read(len(codecs.BOM_UTF8)) == codecs.BOM_UTF8
    if _decodes(path, "utf-8"):
        return "utf-8-sig" if has_bom else "utf-8"
    if _decodes(path, "gb18030"):
        return "gb18030"
    raise InputError(f"{path}: CSV text is neither UTF-8 nor GB18030")


def _decodes(path: Path, encoding: str) -> bool:
    """Whether the whole file decodes strictly with ``encoding``."""
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _csv_header(path: Path, encoding: str) -> tuple[str, ...]:
    with path.open("r", encoding=encoding, newline="") as handle:
        header = next(csv.reader(io.StringIO(handle.readline())), [])
    return tuple(name.strip().lower() for name in header)


def _transcode(source: Path, target: Path, encoding: str) -> None:
    """Copy ``source`` to ``target`` as UTF-8 without a byte-order mark, in chunks."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with (
        source.open("r", encoding=encoding, newline="") as reader,
        target.open("w", encoding="utf-8", newline="") as writer,
    ):
        while text := reader.read(_CHUNK):
            writer.write(text)


def remote(uri: str) -> list[InputFile]:
    """Describe a remote file or folder for the Spark engine, without opening it.

    A name ending in ``.csv`` is read as UTF-8 CSV; anything else (a folder of part files,
    typically) as Parquet. Missing columns are reported by Spark when it reads the schema.

    Parameters
    ----------
    uri
        For example ``hdfs:///claims/2024/`` or ``s3a://bucket/settlements/``.

    Returns
    -------
    list of InputFile
        One entry.

    Examples
    --------
    >>> remote("s3a://bucket/claims/")[0].format
    'parquet'
    """
    fmt: Format = "csv" if uri.lower().rstrip("/").endswith(".csv") else "parquet"
    return [
        InputFile(
            Path(uri.rstrip("/").rsplit("/", 1)[-1] or "remote"),
            uri,
            fmt,
            "utf-8",
            FIELD_NAMES,
            uri=uri,
        )
    ]


def is_remote(records: str | Path) -> bool:
    """Whether ``records`` is a URI (``scheme://...``) rather than a local path.

    Examples
    --------
    >>> is_remote("hdfs:///claims"), is_remote("data/claims")
    (True, False)
    """
    return "://" in str(records)


def _canonical_parquet(path: Path) -> tuple[str, ...] | None:
    try:
        columns = tuple(n.lower() for n in pq.read_schema(path).names)
    except Exception as error:  # pyarrow raises several types for a bad file
        raise InputError(
            f"{path.name}: not a readable Parquet file ({error})",
            zh=f"{path.name}：无法读取的 Parquet 文件（{error}）",
        ) from error
    return columns if set(FIELD_NAMES) <= set(columns) else None


@dataclass(frozen=True)
class Prepared:
    """The engine-ready files of a run, what normalising found, and the files not read."""

    files: list[InputFile]
    reports: list[Any]
    skipped: list[tuple[str, str]]


def prepare(records: Path, workdir: Path, options: Any = None) -> list[InputFile]:
    """Resolve ``records`` into engine-readable files (see :func:`prepare_all`)."""
    return prepare_all(records, workdir, options).files


def prepare_all(
    records: Path,
    workdir: Path,
    options: Any = None,
    *,
    direct_parquet: bool = True,
    in_memory: bool = False,
) -> Prepared:
    """Resolve ``records`` into engine-readable files, normalising each one.

    Parameters
    ----------
    records
        A file or a folder of supported files.
    workdir
        Scratch folder for the normalised copies; the caller deletes it.
    options
        :class:`analysis.pipeline.normalise.Options`; the shipped maps when ``None``.
    direct_parquet
        Let the engine read Parquet files with the schema's column names directly.
    in_memory
        Hand normalised rows to the engine as Arrow tables (DuckDB) instead of Parquet files.

    Returns
    -------
    Prepared
        Files in name order, each normalised file's
        :class:`~analysis.pipeline.normalise.FileReport`, and the files not read.
    """
    from analysis.pipeline.mapping import load_header_map, load_label_map
    from analysis.pipeline.normalise import Options, normalise_file

    if options is None:
        options = Options(load_header_map(), load_label_map())
    found = find_files(records)
    # Direct reading only when every file allows it: duplicates are compared on the text the
    # engine sees, so one run must not mix normalised and raw spellings of the same record.
    direct = []
    if direct_parquet and all(SUFFIXES[p.suffix.lower()] == "parquet" for p, _ in found.files):
        direct = [_canonical_parquet(p) for p, _ in found.files]
    if direct and all(columns is not None for columns in direct):
        return Prepared(
            [
                InputFile(path, name, "parquet", "utf-8", columns, origin="parquet")
                for (path, name), columns in zip(found.files, direct)
            ],
            [],
            found.skipped,
        )
    prepared, reports = [], []
    for index, (path, name) in enumerate(found.files):
        # Messages name the file as the user gave it; source_file keeps the name in the folder.
        target = workdir / f"{index:05d}.parquet"
        table, report = normalise_file(path, str(path), options, None if in_memory else target)
        reports.append(report)
        prepared.append(
            InputFile(
                target,
                name,
                "parquet",
                "utf-8",
                FIELD_NAMES,
                origin=report.origin,
                table=table if in_memory else None,
            )
        )
    return Prepared(prepared, reports, found.skipped)
