"""``python -m analysis panel``: monthly county series + reform dates -> the panel ``did`` takes.

Usage::

    python -m analysis panel --series series.csv --reforms reforms.csv \\
        --frequency annual|monthly --out panel.csv \\
        [--partial-year refuse|treat|next|cutoff:M] [--missing-months refuse|drop|keep]
        [--lang zh|en]

The rules (first treated period, partial years, missing months, shares from summed counts) are
those of :func:`analysis.pipeline.to_panel.build_panel`. The output is written atomically (a
temporary file in the same folder, then renamed), and ``--out`` may not be one of the inputs.

Exit status: 0 done; 1 input refused (one ``error:`` line naming file, row and column);
2 usage error.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from analysis.cli_spec import add_lang_option, run_guarded
from analysis.errors import UsageError
from analysis.pipeline.to_panel import FREQUENCIES, MISSING_CHOICES, build_panel
from analysis.tables.frame import read_frame


def refuse_overwrite(out: Path, inputs: Iterable[Path], flag: str = "--out") -> None:
    """Refuse an output path equal to, or inside, an input (a file or a folder).

    Raises
    ------
    UsageError
        When ``out`` is an input or lies inside an input folder.

    Examples
    --------
    >>> refuse_overwrite(Path("a/panel.csv"), [Path("a/series.csv")])
    >>> refuse_overwrite(Path("a/../a/series.csv"), [Path("a/series.csv")])
    Traceback (most recent call last):
    ...
    analysis.errors.UsageError: --out a/../a/series.csv is the input a/series.csv; write the \
output to another file
    """
    target = Path(os.path.abspath(out))
    for given in inputs:
        source = Path(os.path.abspath(given))
        same = target == source or (
            target.exists() and source.exists() and os.path.samefile(target, source)
        )
        if same:
            raise UsageError(
                f"{flag} {out} is the input {given}; write the output to another file",
                zh=f"{flag} {out} 就是输入 {given}；请把输出写到另一个文件",
            )
        if source.is_dir() and target.is_relative_to(source):
            raise UsageError(
                f"{flag} {out} is inside the input folder {given}; write it elsewhere",
                zh=f"{flag} {out} 位于输入文件夹 {given} 之内；请写到别处",
            )


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomic(path: Path, data: bytes | Callable[[Path], None]) -> None:
    """Write ``path`` through a temporary file in the same folder, then rename it into place.

    ``data`` is the bytes to write, or a function that writes the file it is given. A reader
    never sees a half-written file, and a failure leaves any earlier file untouched.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            if isinstance(data, bytes):
                stream.write(data)
        if not isinstance(data, bytes):
            data(Path(temporary))
        os.chmod(temporary, 0o666 & ~_umask())  # mkstemp makes 0600; give the usual mode
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the ``panel`` options to ``parser``."""
    parser.add_argument(
        "--series",
        required=True,
        type=Path,
        metavar="CSV",
        help="monthly series (output of series)",
    )
    parser.add_argument(
        "--reforms",
        required=True,
        type=Path,
        metavar="CSV",
        help="reform table: columns county and reform_date (YYYY-MM-DD or YYYY-MM)",
    )
    parser.add_argument("--frequency", required=True, choices=FREQUENCIES, help="panel periods")
    parser.add_argument("--out", required=True, type=Path, metavar="CSV", help="panel to write")
    parser.add_argument(
        "--partial-year",
        default="refuse",
        metavar="refuse|treat|next|cutoff:M",
        help="annual: what a year partly under the reform is (default: refuse)",
    )
    parser.add_argument(
        "--missing-months",
        default="refuse",
        choices=MISSING_CHOICES,
        help="months missing inside a county's span: refuse, drop the county-year (annual) or "
        "keep (default: refuse)",
    )
    add_lang_option(parser)


_FLAGS = {
    "partial_year": "--partial-year",
    "missing_months": "--missing-months",
    "frequency": "--frequency",
}


def _panel(args: argparse.Namespace) -> str:
    if args.out.suffix.lower() != ".csv":
        raise UsageError(
            f"--out {args.out}: the panel is written as CSV; name it .csv",
            zh=f"--out {args.out}：面板以 CSV 格式写出；请以 .csv 结尾命名",
        )
    refuse_overwrite(args.out, [args.series, args.reforms])
    panel = build_panel(
        read_frame(args.series),
        read_frame(args.reforms),
        frequency=args.frequency,
        partial_year=args.partial_year,
        missing_months=args.missing_months,
        series_name=str(args.series),
        reforms_name=str(args.reforms),
    )
    write_atomic(args.out, panel.to_csv(index=False).encode("utf-8"))
    never = panel["first_treated"].astype(str).isin(["0", ""])
    treated = panel.loc[~never, "county"]
    return (
        f"panel: {panel['county'].nunique()} counties ({treated.nunique()} treated) x "
        f"{panel.iloc[:, 1].nunique()} {'years' if args.frequency == 'annual' else 'months'}, "
        f"{len(panel)} rows written to {args.out}"
    )


def run(args: argparse.Namespace) -> int:
    """Build and write the panel. Returns the exit status."""
    return run_guarded(lambda: _panel(args), _FLAGS, lang=args.lang, source=args.series)
