"""Find the input files and make CSV text readable by both engines.

Accepted inputs: one CSV or Parquet file, or a folder holding any mix of them (searched
recursively; other files are ignored). CSV text may be UTF-8 (with or without a byte-order
mark) or GB18030, the Chinese national encoding many hospital information systems export.
Neither DuckDB nor Spark 4 reads GB18030 without extensions that must be downloaded, so such
files are transcoded to UTF-8 in a temporary folder first.

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
from typing import Literal

import pyarrow.parquet as pq

from analysis.errors import InputError as CompendiumInputError
from analysis.pipeline.schema import FIELD_NAMES

Format = Literal["csv", "parquet"]
Encoding = Literal["utf-8", "utf-8-sig", "gb18030"]

SUFFIXES: dict[str, Format] = {
    ".csv": "csv",
    ".parquet": "parquet",
    ".parq": "parquet",
    ".pq": "parquet",
}
_CHUNK = 16 * 1024 * 1024


class InputError(CompendiumInputError):
    """The records cannot be read; the message says which file and why."""


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

    @property
    def location(self) -> str:
        """What an engine opens: the URI if set, else the local path."""
        return self.uri if self.uri is not None else str(self.path)


def discover(records: Path) -> list[tuple[Path, str]]:
    """List the CSV and Parquet files under ``records`` with their display names.

    Parameters
    ----------
    records
        A file or a folder.

    Returns
    -------
    list of (path, name)
        Sorted by name, so every engine sees the files in the same order.
    """
    if not records.exists():
        raise InputError(f"records not found: {records}")
    if records.is_file():
        if records.suffix.lower() not in SUFFIXES:
            raise InputError(f"{records}: expected a .csv or .parquet file")
        return [(records, records.name)]
    found = sorted(
        (p, p.relative_to(records).as_posix())
        for p in records.rglob("*")
        if p.is_file()
        and p.suffix.lower() in SUFFIXES
        and not any(part.startswith(".") for part in p.relative_to(records).parts)
    )
    if not found:
        raise InputError(f"{records}: no .csv or .parquet files in this folder")
    return found


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


def _checked(file: InputFile) -> InputFile:
    missing = [name for name in FIELD_NAMES if name not in file.columns]
    if missing:
        raise InputError(f"{file.name}: missing column(s) {', '.join(missing)}")
    return file


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


def prepare(records: Path, workdir: Path) -> list[InputFile]:
    """Resolve ``records`` into engine-readable files, transcoding CSV text when needed.

    Parameters
    ----------
    records
        A CSV or Parquet file, or a folder of them.
    workdir
        Scratch folder for UTF-8 copies; the caller deletes it.

    Returns
    -------
    list of InputFile
        In name order.
    """
    prepared = []
    for index, (path, name) in enumerate(discover(records)):
        fmt = SUFFIXES[path.suffix.lower()]
        if fmt == "parquet":
            try:
                columns = tuple(n.lower() for n in pq.read_schema(path).names)
            except Exception as error:  # pyarrow raises several types for a bad file
                raise InputError(f"{name}: not a readable Parquet file ({error})") from error
            prepared.append(_checked(InputFile(path, name, fmt, "utf-8", columns)))
            continue
        encoding = detect_encoding(path)
        readable = path
        if encoding != "utf-8":
            readable = workdir / f"{index:05d}.csv"
            _transcode(path, readable, encoding)
        columns = _csv_header(readable, "utf-8")
        prepared.append(_checked(InputFile(readable, name, fmt, encoding, columns)))
    return prepared
