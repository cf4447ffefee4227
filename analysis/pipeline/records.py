"""Synthetic settlement records whose aggregation reproduces a monthly series exactly.

Given monthly counts in the ``district_monthly`` schema (by default the synthetic dataset
``load_data("district_monthly")``), :func:`write_records` writes one settlement row per visit
and per admission, with institution levels, dates, schemes and per-record fund amounts, such
that the pipeline turns them back into exactly the same counts and integer-yuan fund totals.
Every number is synthetic: the generator invents records to match a synthetic series; it does
not model any real county's claims.

How the fund is split: each district-month has two pots, ``fund_primary`` for primary-level
records and ``fund_total - fund_primary`` for the rest. A pot is divided among its records in
proportion to random log-normal weights (inpatient stays weigh far more than visits) with
integer arithmetic: each record gets ``floor(pot * w / sum(w))`` yuan and the leftover yuan go
one each to the first records of the pot, so the amounts sum to the pot to the yuan.

Bad rows (``bad_fraction``) go to a separate file, ``bad_rows.csv``; each carries exactly one
defect, and the manifest says how many rows of each quarantine reason to expect. Because
exact duplicates copy a good row (one copy is kept) and conflicting ids are new ids, the good
rows still reproduce the series exactly when the bad file is read alongside them.

The full synthetic dataset is about 200 million records (9 districts, 96 months); tests and
the book use one district, a few months, or a scaled-down copy (:func:`scale_counts`).

Examples
--------
>>> import pandas as pd, tempfile
>>> counts = pd.DataFrame({"district": ["c1"], "month": [pd.Timestamp("2021-03-01")],
...     "visits_primary": [3], "visits_total": [5], "admissions_primary": [1],
...     "admissions_total": [2], "fund_primary": [1000], "fund_total": [9000]})
>>> manifest = write_records(tempfile.mkdtemp(), counts, seed=1)
>>> manifest.n_good, manifest.n_bad
(7, 0)
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from analysis.pipeline.schema import COUNT_COLUMNS, FIELD_NAMES, OUTPUT_COLUMNS

FileFormat = Literal["parquet", "csv"]
CsvEncoding = Literal["utf-8", "gb18030"]
LabelStyle = Literal["zh", "en"]

DEFAULT_SEED = 20250901

# Labels the generator writes; the pipeline's schema accepts all of them.
LABELS: dict[LabelStyle, dict[str, tuple[str, ...]]] = {
    "zh": {
        "primary": ("乡镇卫生院", "社区卫生服务中心", "基层", "一级"),
        "secondary": ("二级",),
        "tertiary": ("三级",),
        "outpatient": ("门诊",),
        "inpatient": ("住院",),
        "employee": ("职工",),
        "resident": ("居民",),
    },
    "en": {
        "primary": ("primary",),
        "secondary": ("secondary",),
        "tertiary": ("tertiary",),
        "outpatient": ("outpatient",),
        "inpatient": ("inpatient",),
        "employee": ("employee",),
        "resident": ("resident",),
    },
}
# Facilities per district and level: many township/community centres, few hospitals.
POOL_SIZES: dict[str, int] = {"primary": 40, "secondary": 3, "tertiary": 1}
SECONDARY_SHARE_OF_HOSPITAL = 0.55  # of non-primary records, the share at secondary level
EMPLOYEE_SHARE = 0.3
# Log-normal weights for splitting a fund pot: mean log yuan and spread (assumed shapes).
WEIGHT_LOG_MEAN = {"outpatient": np.log(90.0), "inpatient": np.log(3500.0)}
WEIGHT_LOG_SD = 0.6

# Rows that are individually corrupt. Unknown labels are not among them: they refuse a run
# (or are dropped on purpose with drop_unknown_labels), see analysis.pipeline.reconcile.
BAD_KINDS: tuple[str, ...] = (
    "malformed_date",
    "negative_amount",
    "fund_exceeds_total",
    "missing_value",
    "malformed_amount",
    "duplicate_record_id",
    "conflicting_record_id",
)


@dataclass(frozen=True)
class RecordsManifest:
    """What :func:`write_records` wrote.

    Attributes
    ----------
    folder
        Root folder; pass it to the pipeline.
    good_files
        Files holding the good records.
    bad_file
        ``bad_rows.csv`` when ``bad_fraction > 0``, else ``None``.
    n_good, n_bad
        Row counts.
    expected
        The series the good rows reproduce (columns of
        :data:`analysis.pipeline.schema.OUTPUT_COLUMNS`).
    expected_quarantine
        Rows per quarantine reason the pipeline should report.
    seed
        Seed used.
    """

    folder: Path
    good_files: tuple[Path, ...]
    bad_file: Path | None
    n_good: int
    n_bad: int
    expected: pd.DataFrame
    expected_quarantine: dict[str, int] = field(default_factory=dict)
    seed: int = DEFAULT_SEED


def scale_counts(frame: pd.DataFrame, divisor: float) -> pd.DataFrame:
    """Return counts and fund divided by ``divisor`` and rounded, for small demo extracts.

    Rounding is half-up on every column separately; primary never exceeds total because
    rounding is monotone. Shares move by rounding only.

    Parameters
    ----------
    frame
        Monthly counts (``district``, ``month`` and the six count columns).
    divisor
        For example 400 turns ~20 million records into ~50 thousand.

    Returns
    -------
    pandas.DataFrame
        Same columns, shares recomputed.

    Examples
    --------
    >>> small = scale_counts(pd.DataFrame({"district": ["a"], "month": [pd.Timestamp("2020-01-01")],
    ...     "visits_primary": [250], "visits_total": [1000], "admissions_primary": [5],
    ...     "admissions_total": [20], "fund_primary": [3000], "fund_total": [12000]}), 10)
    >>> columns = ["visits_primary", "visits_total", "admissions_primary", "fund_total"]
    >>> small[columns].iloc[0].tolist()
    [25, 100, 1, 1200]
    """
    from analysis.datasets import add_shares

    out = frame[["district", "month", *COUNT_COLUMNS]].copy()
    for column in COUNT_COLUMNS:
        out[column] = np.floor(out[column].to_numpy(dtype="float64") / divisor + 0.5).astype(
            "int64"
        )
    return add_shares(out)


def _decimal_from_fen(fen: np.ndarray) -> pa.Array:
    """Arrow decimal128(18, 2) array from integer fen (hundredths of a yuan), exactly."""
    words = np.empty((len(fen), 2), dtype="<i8")
    words[:, 0] = fen
    words[:, 1] = np.where(fen < 0, -1, 0)  # two's-complement high word
    return pa.Array.from_buffers(
        pa.decimal128(18, 2), len(fen), [None, pa.py_buffer(words.tobytes())]
    )


def _pick(labels: tuple[str, ...], size: int, rng: np.random.Generator) -> pa.Array:
    indices = pa.array(rng.integers(0, len(labels), size=size, dtype=np.int32))
    return pa.DictionaryArray.from_arrays(indices, pa.array(labels)).cast(pa.string())


def _split_pots(pot: np.ndarray, group: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Split integer ``pot[g]`` among the records of contiguous group ``g`` exactly."""
    n_groups = len(pot)
    sizes = np.bincount(group, minlength=n_groups)
    if np.any((sizes == 0) & (pot > 0)):
        raise ValueError("a month has fund paid but no records to carry it")
    weight_sums = np.bincount(group, weights=weights, minlength=n_groups).astype("int64")
    safe_sums = np.where(weight_sums > 0, weight_sums, 1)
    amounts = pot[group] * weights // safe_sums[group]
    leftover = pot - np.bincount(group, weights=amounts, minlength=n_groups).astype("int64")
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    rank = np.arange(len(group)) - starts[group]
    return amounts + (rank < leftover[group])


def _records_for(
    frame: pd.DataFrame, rng: np.random.Generator, first_id: int, labels: LabelStyle
) -> pa.Table:
    """Generate the records of the rows of ``frame`` as an Arrow table."""
    style = LABELS[labels]
    visits_p = frame["visits_primary"].to_numpy("int64")
    admissions_p = frame["admissions_primary"].to_numpy("int64")
    # Cell order per month: primary visits, primary stays, other visits, other stays, so that
    # each fund pot (primary, other) is a contiguous block of records.
    cells = np.stack(
        [
            visits_p,
            admissions_p,
            frame["visits_total"].to_numpy("int64") - visits_p,
            frame["admissions_total"].to_numpy("int64") - admissions_p,
        ],
        axis=1,
    )
    if np.any(cells < 0):
        raise ValueError("primary counts exceed totals")
    n_rows = len(frame)
    cell_of_record = np.repeat(np.arange(n_rows * 4), cells.reshape(-1))
    row = cell_of_record // 4
    kind = cell_of_record % 4
    n = len(row)
    primary = kind < 2
    inpatient = (kind % 2) == 1
    group = row * 2 + (~primary)

    log_mean = np.where(inpatient, WEIGHT_LOG_MEAN["inpatient"], WEIGHT_LOG_MEAN["outpatient"])
    weights = np.rint(np.exp(rng.normal(log_mean, WEIGHT_LOG_SD)) * 100).astype("int64") + 1
    fund_p = frame["fund_primary"].to_numpy("int64")
    pots = np.stack([fund_p, frame["fund_total"].to_numpy("int64") - fund_p], axis=1).reshape(-1)
    fund = _split_pots(pots, group, weights)
    employee = rng.random(n) < EMPLOYEE_SHARE
    out_of_pocket_ratio = np.where(employee, rng.uniform(0.1, 0.5, n), rng.uniform(0.3, 0.9, n))
    total_fen = (
        fund * 100
        + np.rint(fund * 100 * out_of_pocket_ratio).astype("int64")
        + rng.integers(0, 500, n)
    )

    month_start = frame["month"].to_numpy("datetime64[D]")
    month_end = (frame["month"] + pd.offsets.MonthBegin(1)).to_numpy("datetime64[D]")
    days = (month_end - month_start).astype("int64")
    date = month_start[row] + (rng.random(n) * days[row]).astype("int64").astype("timedelta64[D]")

    secondary = rng.random(n) < SECONDARY_SHARE_OF_HOSPITAL
    level_code = np.where(primary, 0, np.where(secondary, 1, 2))
    level_parts = [_pick(style[name], n, rng) for name in ("primary", "secondary", "tertiary")]
    level = pc.choose(pa.array(level_code.astype("int8")), *level_parts)

    districts = frame["district"].astype(str).to_numpy()
    pool = np.array([POOL_SIZES["primary"], POOL_SIZES["secondary"], POOL_SIZES["tertiary"]])
    facility = (rng.random(n) * pool[level_code]).astype("int64")
    level_letter = np.array(["P", "S", "T"])[level_code]
    institution = pc.binary_join_element_wise(
        pa.array(districts[row]),
        pa.array(level_letter),
        pc.utf8_lpad(pc.cast(pa.array(facility + 1), pa.string()), 3, "0"),
        "-",
    )

    record_id = pc.binary_join_element_wise(
        "S",
        pc.utf8_lpad(pc.cast(pa.array(np.arange(first_id, first_id + n)), pa.string()), 10, "0"),
        "",
    )
    service = pc.if_else(
        pa.array(inpatient), _pick(style["inpatient"], n, rng), _pick(style["outpatient"], n, rng)
    )
    scheme = pc.if_else(
        pa.array(employee), _pick(style["employee"], n, rng), _pick(style["resident"], n, rng)
    )
    return pa.table(
        {
            "record_id": record_id,
            "settlement_date": pa.array(date, type=pa.date32()),
            "county_code": pa.array(districts[row]),
            "institution_id": institution,
            "institution_level": level,
            "service_type": service,
            "total_cost": _decimal_from_fen(total_fen),
            "fund_paid": pa.array(fund, type=pa.int64()),
            "scheme": scheme,
        }
    )


def _write_table(table: pa.Table, path: Path, fmt: FileFormat, encoding: CsvEncoding) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "parquet":
        pq.write_table(table, path, compression="zstd")
        return
    options = pacsv.WriteOptions(quoting_style="needed")
    if encoding == "utf-8":
        pacsv.write_csv(table, path, write_options=options)
        return
    utf8 = path.with_suffix(".utf8.tmp")
    pacsv.write_csv(table, utf8, write_options=options)
    with (
        utf8.open("r", encoding="utf-8", newline="") as reader,
        path.open("w", encoding=encoding, newline="") as writer,
    ):
        while text := reader.read(1 << 24):
            writer.write(text)
    utf8.unlink()


def _as_text(table: pa.Table) -> list[dict[str, str]]:
    """Rows of ``table`` with every value as the engines render it in text."""
    columns = {name: pc.cast(table[name], pa.string()).to_pylist() for name in FIELD_NAMES}
    return [
        dict(zip(FIELD_NAMES, values, strict=True))
        for values in zip(*columns.values(), strict=True)
    ]


def _bad_rows(
    n_bad: int,
    frame: pd.DataFrame,
    samples: list[dict[str, str]],
    rng: np.random.Generator,
    labels: LabelStyle,
) -> tuple[list[dict[str, str]], dict[str, int]]:
    """Build ``n_bad`` defective rows and the quarantine counts they should produce."""
    style = LABELS[labels]
    rows: list[dict[str, str]] = []
    expected: dict[str, int] = {}
    serial = 0

    def fresh() -> dict[str, str]:
        nonlocal serial
        serial += 1
        pick = frame.iloc[int(rng.integers(len(frame)))]
        day = pd.Timestamp(pick["month"]) + pd.Timedelta(days=int(rng.integers(0, 28)))
        return {
            "record_id": f"B{serial:08d}",
            "settlement_date": day.strftime("%Y-%m-%d"),
            "county_code": str(pick["district"]),
            "institution_id": f"{pick['district']}-P001",
            "institution_level": style["primary"][0],
            "service_type": style["outpatient"][0],
            "total_cost": "120.00",
            "fund_paid": "80",
            "scheme": style["resident"][0],
        }

    def add(row: dict[str, str], reason: str) -> None:
        rows.append(row)
        expected[reason] = expected.get(reason, 0) + 1

    kind_index = 0
    while len(rows) < n_bad:
        kind = BAD_KINDS[kind_index % len(BAD_KINDS)]
        kind_index += 1
        row = fresh()
        if kind == "malformed_date":
            row["settlement_date"] = ("2021-02-30", "2021-13-01", "2021-00-10", "二〇二一年一月")[
                kind_index % 4
            ]
            add(row, kind)
        elif kind == "negative_amount":
            row["fund_paid"] = "-80"
            add(row, kind)
        elif kind == "fund_exceeds_total":
            row["fund_paid"] = "150"
            add(row, kind)
        elif kind == "missing_value":
            blank = FIELD_NAMES[int(rng.integers(len(FIELD_NAMES)))]
            row[blank] = ""
            add(row, f"missing_{blank}")
        elif kind == "malformed_amount":
            row["total_cost"] = ("1.200,00", "约120")[kind_index % 2]
            add(row, kind)
        elif kind == "duplicate_record_id" and samples:
            add(dict(samples.pop()), kind)
        elif kind == "conflicting_record_id" and len(rows) + 2 <= n_bad:
            twin = dict(row)
            twin["settlement_date"] = (
                pd.Timestamp(row["settlement_date"]) + pd.Timedelta(days=1)
            ).strftime("%Y-%m-%d")
            add(row, kind)
            add(twin, kind)
    return rows, expected


def write_records(
    folder: str | Path,
    frame: pd.DataFrame | None = None,
    *,
    seed: int = DEFAULT_SEED,
    fmt: FileFormat = "parquet",
    encoding: CsvEncoding = "utf-8",
    labels: LabelStyle = "zh",
    bad_fraction: float = 0.0,
) -> RecordsManifest:
    """Write settlement records that aggregate exactly to ``frame``.

    Parameters
    ----------
    folder
        Output folder; files go to ``<district>/<year>.<ext>`` plus ``bad_rows.csv``.
    frame
        Monthly counts (``district``, ``month``, six count columns); by default
        ``load_data("district_monthly").frame``, about 200 million records.
    seed
        Seed for :func:`numpy.random.default_rng`.
    fmt
        ``"parquet"`` (typed columns) or ``"csv"``.
    encoding
        CSV text encoding (ignored for Parquet; ``bad_rows.csv`` uses it too).
    labels
        ``"zh"`` (基层, 门诊, 居民 ...) or ``"en"`` (primary, outpatient, resident ...).
    bad_fraction
        Defective rows to add, as a fraction of the good rows (written separately).

    Returns
    -------
    RecordsManifest
    """
    from analysis.datasets import add_shares, load_data

    if frame is None:
        frame = load_data("district_monthly").frame
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    frame = frame.sort_values(["district", "month"]).reset_index(drop=True)
    suffix = "parquet" if fmt == "parquet" else "csv"
    files: list[Path] = []
    samples: list[dict[str, str]] = []
    n_good = 0
    total_records = int(frame[["visits_total", "admissions_total"]].to_numpy().sum())
    # Good rows to copy as exact duplicates, drawn across all chunks in proportion to size.
    duplicates_wanted = bad_fraction * total_records / len(BAD_KINDS)
    for (district, year), chunk in frame.groupby(["district", frame["month"].dt.year], sort=True):
        table = _records_for(chunk, rng, n_good + 1, labels)
        path = folder / str(district) / f"{year}.{suffix}"
        _write_table(table, path, fmt, encoding)
        files.append(path)
        n_take = min(
            len(table), int(np.ceil(duplicates_wanted * len(table) / max(total_records, 1)))
        )
        if n_take:
            take = rng.choice(len(table), size=n_take, replace=False)
            samples.extend(_as_text(table.take(pa.array(take))))
        n_good += len(table)
    if samples:
        samples = [samples[i] for i in rng.permutation(len(samples))]
    n_bad = round(bad_fraction * n_good)
    bad_file = None
    expected_quarantine: dict[str, int] = {}
    if n_bad:
        rows, expected_quarantine = _bad_rows(n_bad, frame, samples, rng, labels)
        bad_file = folder / "bad_rows.csv"
        pd.DataFrame(rows, columns=list(FIELD_NAMES)).to_csv(
            bad_file, index=False, encoding=encoding
        )
        n_bad = len(rows)
    expected = add_shares(frame[["district", "month", *COUNT_COLUMNS]].copy())
    expected["month"] = expected["month"].astype("datetime64[ns]")
    return RecordsManifest(
        folder=folder,
        good_files=tuple(files),
        bad_file=bad_file,
        n_good=n_good,
        n_bad=n_bad,
        expected=expected[list(OUTPUT_COLUMNS)].reset_index(drop=True),
        expected_quarantine=expected_quarantine,
        seed=seed,
    )


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m analysis.pipeline.records OUT [options]``.

    Parameters
    ----------
    argv
        Arguments; ``sys.argv[1:]`` when ``None``.

    Returns
    -------
    int
        Exit code.
    """
    from analysis.datasets import load_data

    parser = argparse.ArgumentParser(
        prog="python -m analysis.pipeline.records", description="write synthetic settlement records"
    )
    parser.add_argument("out", type=Path)
    parser.add_argument("--district", action="append", help="limit to these districts")
    parser.add_argument(
        "--scale",
        type=float,
        default=1.0,
        help="divide counts by this (e.g. 400: ~20 million settlements -> ~50k)",
    )
    parser.add_argument("--format", choices=["parquet", "csv"], default="parquet")
    parser.add_argument("--encoding", choices=["utf-8", "gb18030"], default="utf-8")
    parser.add_argument("--labels", choices=["zh", "en"], default="zh")
    parser.add_argument("--bad-fraction", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    frame = load_data("district_monthly").frame
    if args.district:
        frame = frame[frame["district"].isin(args.district)]
    if args.scale != 1.0:
        frame = scale_counts(frame, args.scale)
    manifest = write_records(
        args.out,
        frame,
        seed=args.seed,
        fmt=args.format,
        encoding=args.encoding,
        labels=args.labels,
        bad_fraction=args.bad_fraction,
    )
    print(
        f"wrote {manifest.n_good:,} good and {manifest.n_bad:,} bad records to {manifest.folder}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
