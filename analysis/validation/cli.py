"""``python -m analysis validate PATH...``: check data files against their schemas.

Each problem is printed on stderr as ``FILE: row N, column 'C': message``; a valid file gets one
``OK`` line on stdout. Directories are searched for ``.csv``, ``.tsv``, ``.xlsx``, ``.xls``,
``.dta`` and ``.parquet`` files (any file the reader takes may be named directly). A file's
schema is the registered one of the same name (see :mod:`analysis.registry`), else one inferred
from its columns, unless ``--schema`` names one. Inputs are only read, never written.

Cells are read as every other command reads them: numbers stored as text (``'6600.63``,
``="8462.35"``, ``1,234``) are numbers, ``40.25%`` is a share in percent, month labels may be
``2021-03``, ``2021年3月``, ``2018．01``, ``2018.10`` or Excel serial day numbers, and unit codes
lose Excel's wrappers. A unit that is a total of the others (``合计``), a share column on two
scales (0.41 beside 41) and two forms of one county (``420101``, ``420101000``) are problems.
Notes on how a valid file was read (Excel serial dates, total rows a settlement export carries,
amounts in 万元) follow its ``OK`` line.

Files whose headers the shipped settlement header map recognises are checked as settlement
records when no registered schema applies. ``--schema settlement`` checks settlement records (医保结算记录) as ``python -m analysis series``
reads them: the header map, labels, dates, amounts, codes and duplicates; every row that the
series would quarantine is a problem (the per-reason table names the first file, row and
column of each), and months without records are listed. ``--columns``, ``--labels``,
``--institutions``, ``--date-format`` and ``--header-row`` are those of ``series``.

Exit status: 0 every file is valid; 1 a file was refused (its problems above a final ``error:``
line); 2 usage error.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from analysis.cli_spec import add_lang_option, run_guarded
from analysis.errors import InputError, language, locate, translate_located
from analysis.tables.problems import Problem
from analysis.validation import ValidationError, schema_names, validate_file

FLAGS = {
    "schema": "--schema",
    "max_quarantine": "--max-quarantine",
    "missing_months": "--missing-months",
    "date_format": "--date-format",
}
SETTLEMENT = "settlement"
# Searched in folders; .txt is read when named, not picked up from a folder (notes, READMEs).
_FOLDER_SUFFIXES = (".csv", ".tsv", ".xlsx", ".xls", ".dta", ".parquet")
_SETTLEMENT_OPTIONS = ("columns", "labels", "institutions", "date_format", "header_row")


SETTLEMENT_OPTIONS: tuple[tuple[str, str], ...] = (
    ("columns", "MAP.toml"),
    ("labels", "LABELS.toml"),
    ("institutions", "NAMES.csv"),
    ("date-format", "FORMAT"),
)
"""The series command's reading options that validate also takes (with --header-row)."""
_OWN_FLAGS = {f"--{name}" for name, _ in SETTLEMENT_OPTIONS} | {
    "--header-row",
    "--schema",
    "--lang",
}
_FLAG = re.compile(r"(?<![\w-])--[a-z][a-z0-9-]*")


def series_advice(message: str) -> str:
    """A pipeline refusal as validate prints it: an option validate lacks is the series
    command's, so the fix says so (``--code-map`` -> ``series --code-map``).

    Examples
    --------
    >>> series_advice("map them with --code-map MAP.csv, or --labels L.toml")
    'map them with series --code-map MAP.csv, or --labels L.toml'
    """
    return _FLAG.sub(
        lambda m: m.group(0) if m.group(0) in _OWN_FLAGS else f"series {m.group(0)}", message
    )


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the ``validate`` arguments."""
    parser.add_argument(
        "paths",
        nargs="+",
        type=Path,
        metavar="PATH",
        help="CSV or .xlsx files, or directories to search",
    )
    parser.add_argument(
        "--schema",
        default=None,
        choices=(*schema_names(), SETTLEMENT),
        metavar="NAME",
        help="force a registered schema: "
        + ", ".join((*schema_names(), SETTLEMENT))
        + " (default: by file name, else inferred from the columns)",
    )
    for name, metavar in SETTLEMENT_OPTIONS:
        parser.add_argument(
            f"--{name}",
            default=None,
            metavar=metavar,
            help="with --schema settlement: as for the series command",
        )
    parser.add_argument(
        "--header-row",
        type=int,
        default=None,
        metavar="N",
        help="with --schema settlement: as for the series command",
    )
    add_lang_option(parser)
    parser.add_argument(
        "--max-problems",
        type=int,
        default=50,
        help="problems printed per file (default 50; 0 = all)",
    )


def _expand(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(
                sorted(
                    p
                    for p in path.rglob("*")
                    if p.suffix.lower() in _FOLDER_SUFFIXES and p.is_file()
                )
            )
        else:
            files.append(path)
    return files


def _localised(problem: Problem) -> str:
    """A problem in the chosen language: its Chinese text when it has one (new checks do)."""
    if language() != "zh":
        return str(problem)
    zh = getattr(problem, "zh", None)
    if zh:
        return locate(zh, str(problem.file), problem.row, problem.column, "zh")
    return translate_located(str(problem))


def _print_problems(problems: tuple[Problem, ...], limit: int) -> None:
    shown = problems if limit <= 0 else problems[:limit]
    for problem in shown:
        print(_localised(problem), file=sys.stderr)
    if len(shown) < len(problems):
        print(
            f"... and {len(problems) - len(shown)} more problems in {problems[0].file}",
            file=sys.stderr,
        )


def _print_notices(notices: tuple[Problem, ...]) -> None:
    for notice in notices:
        print(f"  {'说明' if language() == 'zh' else 'note'}: {_localised(notice)}", flush=True)


def settlement_notices(run: object) -> list[tuple[str, str]]:
    """What the series command would report about a file beside its numbers, ``(en, zh)``:
    total rows dropped (合计), amounts converted from 万元/千元, identical copies read once."""
    notes = []
    for name, row, column, label in getattr(run, "total_rows", ()):
        notes.append(
            (
                f"{name}: row {row}, column {column!r}: {label!r} is a total row, not a record; "
                "series drops it (it is not counted)",
                f"文件 {name}，第 {row} 行，列 {column!r}：{label!r} 是合计行，不是结算记录；"
                "series 会删除它（不计入）",
            )
        )
    for name, field, header, unit in getattr(run, "converted", ()):
        notes.append(
            (
                f"{name}: column {header!r} ({field}) is in {unit}; converted to yuan",
                f"文件 {name}：列 {header!r}（{field}）的单位是 {unit}；已换算为元",
            )
        )
    for copy, original in getattr(run, "identical", ()):
        notes.append(
            (
                f"{copy} has the same bytes as {original}; read once",
                f"{copy} 与 {original} 内容完全相同；只读取一次",
            )
        )
    return notes


def is_settlement_file(path: Path) -> bool:
    """Whether the file's headers map onto every settlement-record field (shipped header map)."""
    from analysis.tables.mapping import known_headers, load_header_map, match_headers
    from analysis.tables.reading import read_table

    header_map = load_header_map()
    try:
        table = read_table(path, known_headers=set(known_headers(header_map)))
        return not match_headers(table.header, header_map, path).missing
    except InputError:
        return False


def validate_settlement(files: list[Path], options: dict[str, object]) -> int:
    """Check each file as settlement records; print OK lines; return how many were refused."""
    from analysis.pipeline.series import build_series

    refused = 0
    for path in files:
        try:
            run = build_series(path, max_quarantine=0, missing_months="keep-gaps", **options)
        except InputError as error:
            print(series_advice(error.localised()), file=sys.stderr)
            refused += 1
            continue
        gaps = "; ".join(f"{c}: {', '.join(m)}" for c, m in run.missing.items())
        print(
            f"OK {path} (schema settlement, {run.rows_in} rows, "
            f"{', '.join(run.encodings)}; {run.counties} county/ies, {run.months} month(s)"
            + (f"; months without records: {gaps}" if gaps else "")
            + ")",
            flush=True,
        )
        for en, zh in settlement_notices(run):
            print(f"  {'说明：' + zh if language() == 'zh' else 'note: ' + en}", flush=True)
    return refused


def validate_paths(
    paths: list[Path],
    schema: str | None = None,
    max_problems: int = 50,
    settlement_options: dict[str, object] | None = None,
) -> str:
    """Validate every file, printing each problem as it is found.

    Returns
    -------
    str
        Empty: the ``OK`` lines are printed as each file passes.

    Raises
    ------
    InputError
        When no file was found or any file was refused.
    """
    files = _expand(paths)
    if not files:
        raise InputError(
            "no CSV, .xlsx, .xls, .dta or .parquet files found in: " + ", ".join(map(str, paths)),
            zh="在以下位置没有找到 CSV、.xlsx、.xls、.dta 或 .parquet 文件："
            + ", ".join(map(str, paths)),
        )
    if schema == SETTLEMENT:
        refused = validate_settlement(files, settlement_options or {})
        if refused:
            raise InputError(
                f"{refused} of {len(files)} file(s) did not validate",
                zh=f"{len(files)} 个文件中有 {refused} 个未通过验证",
            )
        return ""
    refused = 0
    for path in files:
        try:
            report = validate_file(path, schema)
        except ValidationError as error:
            if schema is None and is_settlement_file(path):
                refused += validate_settlement([path], settlement_options or {})
                continue
            _print_problems(error.problems, max_problems)
            refused += 1
            continue
        if report.ok:
            print(
                f"OK {path} (schema {report.schema}, {report.n_rows} rows, {report.encoding})",
                flush=True,
            )
            _print_notices(report.notices)
        else:
            _print_problems(report.problems, max_problems)
            print(
                f"{path}: {len(report.problems)} problem(s) (schema {report.schema})",
                file=sys.stderr,
            )
            refused += 1
    if refused:
        raise InputError(
            f"{refused} of {len(files)} file(s) did not validate",
            zh=f"{len(files)} 个文件中有 {refused} 个未通过验证",
        )
    return ""


def run(args: argparse.Namespace) -> int:
    """Validate every file; return the exit status (0, 1 or 2)."""
    options = {
        name: getattr(args, name)
        for name in _SETTLEMENT_OPTIONS
        if getattr(args, name, None) is not None
    }
    return run_guarded(
        lambda: validate_paths(list(args.paths), args.schema, args.max_problems, options),
        FLAGS,
        lang=getattr(args, "lang", None),
    )


def main(argv: list[str] | None = None) -> int:
    """Stand-alone entry point (the usual one is ``python -m analysis validate``)."""
    parser = argparse.ArgumentParser(prog="python -m analysis validate", description=__doc__)
    configure(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
