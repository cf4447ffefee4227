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

Encodings, formats and finding the files are the input layer's (:mod:`analysis.tables`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pyarrow.parquet as pq
import pyarrow.types as pa_types

from analysis.errors import InputError as CompendiumInputError
from analysis.pipeline.schema import FIELD_NAMES
from analysis.tables.files import find_files
from analysis.tables.reading import SUFFIXES

Format = Literal["csv", "parquet"]
Encoding = Literal["utf-8", "utf-8-sig", "gb18030"]


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
    identical: list[tuple[str, str]] = field(default_factory=list)
    """(copy, original): byte-identical files, read once."""
    reconciled: Any = None
    """:class:`analysis.pipeline.reconcile.Reconciled`: what the run-level steps changed."""


def prepare(records: Path, workdir: Path, options: Any = None) -> list[InputFile]:
    """Resolve ``records`` into engine-readable files (see :func:`prepare_all`)."""
    return prepare_all(records, workdir, options).files


def _direct_needs_nothing(path: Path, options: Any) -> bool:
    """Whether a schema-named Parquet file can go to the engine as it is: its county codes
    are clean, its labels known, and it holds no aggregate row and no reversal. Only a few
    columns' distinct values are read."""
    import pyarrow.compute as pc

    from analysis.tables.identity import canonical_code, is_total_label

    columns = {c.lower(): c for c in pq.read_schema(path).names}
    wanted = [
        "county_code",
        "institution_id",
        "institution_level",
        "service_type",
        "scheme",
        "total_cost",
    ]
    table = pq.read_table(path, columns=[columns[c] for c in wanted])
    for name, column in zip(wanted, table.columns):
        if name == "total_cost":
            if pa_types.is_string(column.type) or pa_types.is_large_string(column.type):
                if pc.any(pc.starts_with(pc.utf8_trim_whitespace(column), "-")).as_py():
                    return False
            elif len(column) and (pc.min(column).as_py() or 0) < 0:
                return False
            continue
        uniques = [str(v) for v in pc.unique(column).to_pylist() if v is not None]
        if any(is_total_label(v) for v in uniques):
            return False
        # The SQL trims codes and drops a whole float's .0; anything more needs normalising.
        if name == "county_code" and any(canonical_code(v) != _sql_code(v) for v in uniques):
            return False
        if name in ("institution_level", "service_type", "scheme"):
            known = options.label_map.labels[name]
            from analysis.tables.identity import normal_key

            if any(v.strip() and known.get(normal_key(v)) in (None, "unrated") for v in uniques):
                return False
    return True


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
        :class:`~analysis.pipeline.normalise.FileReport`, the files not read, the
        byte-identical copies read once, and what the run-level steps changed
        (:mod:`analysis.pipeline.reconcile`: county codes, reversals, unknown labels).
    """
    from analysis.pipeline.normalise import (
        Options,
        engine_table,
        normalise_file,
        write_engine_table,
    )
    from analysis.pipeline.reconcile import (
        Reconciled,
        net_reversals,
        unify_counties,
        unknown_labels,
    )
    from analysis.tables.mapping import load_header_map, load_label_map

    if options is None:
        options = Options(load_header_map(), load_label_map())
    found = find_files(records)
    # Direct reading only when every file allows it: duplicates are compared on the text the
    # engine sees, so one run must not mix normalised and raw spellings of the same record.
    direct = []
    if direct_parquet and all(SUFFIXES[p.suffix.lower()] == "parquet" for p, _ in found.files):
        direct = [_canonical_parquet(p) for p, _ in found.files]
    if direct and all(columns is not None for columns in direct):
        if all(_direct_needs_nothing(p, options) for p, _ in found.files):
            # One county in two forms across files still needs the run-level check.
            seen = _direct_codes(found.files)
            from analysis.tables.identity import unify_codes

            try:
                unified = unify_codes(seen)
            except CompendiumInputError:  # located properly by the normalising route
                unified = {"": "?"}
            if all(k == v for k, v in unified.items()):
                return Prepared(
                    [
                        InputFile(path, name, "parquet", "utf-8", columns, origin="parquet")
                        for (path, name), columns in zip(found.files, direct)
                    ],
                    [],
                    found.skipped,
                    found.identical,
                    Reconciled(),
                )
    tables, reports = [], []
    for path, _ in found.files:
        # Messages name the file as the user gave it; source_file keeps the name in the folder.
        table, report = normalise_file(path, str(path), options, None)
        tables.append(table)
        reports.append(report)
    tables, codes = unify_counties(tables, reports, options.code_map)
    tables, reversals = net_reversals(tables, reports)
    dropped = unknown_labels(tables, reports, options.drop_unknown_labels)
    prepared = []
    for index, ((_, name), table, report) in enumerate(zip(found.files, tables, reports)):
        target = workdir / f"{index:05d}.parquet"
        if not in_memory:
            write_engine_table(table, target)
        prepared.append(
            InputFile(
                target,
                name,
                "parquet",
                "utf-8",
                FIELD_NAMES,
                origin=report.origin,
                table=engine_table(table) if in_memory else None,
            )
        )
    return Prepared(
        prepared,
        reports,
        found.skipped,
        found.identical,
        Reconciled(codes, reversals, dropped),
    )


def _sql_code(text: str) -> str:
    value = text.strip()
    match = re.match(r"^([0-9]+)[.]0+$", value)
    return match.group(1) if match else value


def _direct_codes(files: list[tuple[Path, str]]) -> list[Any]:
    """The first row of each county code of schema-named Parquet files (for unify_codes)."""
    import pyarrow.compute as pc

    from analysis.tables.identity import CodeSeen

    seen = []
    for path, _ in files:
        columns = {c.lower(): c for c in pq.read_schema(path).names}
        codes = pq.read_table(path, columns=[columns["county_code"]]).column(0)
        for code in pc.unique(codes).to_pylist():
            if code is not None and str(code).strip():
                seen.append(CodeSeen(_sql_code(str(code)), str(path)))
    return seen
