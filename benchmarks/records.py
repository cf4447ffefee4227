"""Bureau-export benchmark: 2 million settlement records as a bureau sends them -> series.

1. **GB18030 CSV with Chinese headers, 2 million rows** (结算流水号, 结算日期 written
   ``2023/1/5``, 参保地, 机构等级 as 三级甲等/乡镇卫生院/..., 险种类型 as full scheme names,
   amounts with two decimals; about 190 MB). ``python -m analysis series`` runs in a fresh
   subprocess (reading, header and label mapping, date/amount/code normalisation, all checks,
   quarantine file); wall time and the subprocess's peak resident memory (``getrusage``
   ``ru_maxrss`` of the child) are reported. Goal: <= 10 s.
2. **.xlsx.** One worksheet holds at most 1,048,576 rows, so 2 million records are at least
   two workbooks. Writing workbooks with xlsxwriter is itself slow (tens of seconds per
   million rows), so the benchmark writes ``XLSX_ROWS`` rows, times the same command on them,
   and reports the measured rows per second and the time for 2 million records extrapolated
   linearly from it (stated as extrapolated, not measured).

Generated files are cached under ``_build/bench/records`` and reused.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from analysis import paths

BENCH_DIR = paths.BUILD / "bench" / "records"
CSV_ROWS = 2_000_000
XLSX_ROWS = int(os.environ.get("RECORDS_BENCH_XLSX_ROWS", "200000"))
HEADER = (
    "结算流水号",
    "结算日期",
    "参保地",
    "医疗机构编码",
    "机构等级",
    "就诊类型",
    "医疗总费用",
    "统筹基金支付",
    "险种类型",
)
LEVELS = ("乡镇卫生院", "社区卫生服务中心", "村卫生室", "一级", "二级甲等", "二级乙等", "三级甲等")
SERVICES = ("门诊", "普通门诊", "门急诊", "住院")
SCHEMES = ("城乡居民基本医疗保险", "城镇职工基本医疗保险")


def records_table(n: int, seed: int = 14) -> pa.Table:
    """``n`` synthetic settlements, as text, written the way a bureau export writes them."""
    rng = np.random.default_rng(seed)
    counties = np.array([f"4201{i:02d}" for i in range(1, 9)])
    day = np.datetime64("2021-01-01") + rng.integers(0, 3 * 365, n).astype("timedelta64[D]")
    years = day.astype("datetime64[Y]").astype(int) + 1970
    months = day.astype("datetime64[M]").astype(int) % 12 + 1
    days = (day - day.astype("datetime64[M]")).astype(int) + 1
    date = np.char.add(
        np.char.add(np.char.add(years.astype(str), "/"), np.char.add(months.astype(str), "/")),
        days.astype(str),
    )
    total = rng.integers(1000, 900000, n)
    fund = (total * rng.uniform(0.3, 0.9, n)).astype("int64")

    def money(cents: np.ndarray) -> np.ndarray:
        return np.char.add(
            np.char.add((cents // 100).astype(str), "."),
            np.char.zfill((cents % 100).astype(str), 2),
        )

    return pa.table(
        {
            HEADER[0]: pa.array(np.char.add("JS", np.char.zfill(np.arange(n).astype(str), 10))),
            HEADER[1]: pa.array(date),
            HEADER[2]: pa.array(counties[rng.integers(0, len(counties), n)]),
            HEADER[3]: pa.array(np.char.add("H", rng.integers(1, 400, n).astype(str))),
            HEADER[4]: pa.array(np.array(LEVELS)[rng.integers(0, len(LEVELS), n)]),
            HEADER[5]: pa.array(np.array(SERVICES)[rng.integers(0, len(SERVICES), n)]),
            HEADER[6]: pa.array(money(total)),
            HEADER[7]: pa.array(money(fund)),
            HEADER[8]: pa.array(np.array(SCHEMES)[rng.integers(0, len(SCHEMES), n)]),
        }
    )


def write_gb18030_csv(path: Path, n: int) -> Path:
    """Write (once) ``n`` records as a GB18030 CSV with Chinese headers."""
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    utf8 = path.with_suffix(".utf8.tmp")
    pacsv.write_csv(records_table(n), utf8, write_options=pacsv.WriteOptions(quoting_style="none"))
    with (
        utf8.open("r", encoding="utf-8", newline="") as reader,
        path.open("w", encoding="gb18030", newline="") as writer,
    ):
        while text := reader.read(1 << 24):
            writer.write(text)
    utf8.unlink()
    return path


def write_xlsx(path: Path, n: int) -> tuple[Path, float]:
    """Write (once) ``n`` records as a workbook; return it and the seconds writing took."""
    if path.exists():
        return path, float("nan")
    import xlsxwriter

    path.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    table = records_table(n, seed=15)
    columns = [table.column(i).to_pylist() for i in range(table.num_columns)]
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = workbook.add_worksheet()
    sheet.write_row(0, 0, HEADER)
    for r, row in enumerate(zip(*columns), start=1):
        sheet.write_row(r, 0, row)
    workbook.close()
    return path, time.perf_counter() - start


_CHILD = (
    "import resource, sys\n"
    "from analysis.cli import main\n"
    "code = main(sys.argv[1:])\n"
    "usage = resource.getrusage(resource.RUSAGE_SELF)\n"
    "print('PEAK_KIB', usage.ru_maxrss, usage.ru_utime + usage.ru_stime, file=sys.stderr)\n"
    "sys.exit(code)\n"
)


def timed_series(records: Path, out: Path) -> dict[str, float]:
    """Run the ``series`` command in a fresh subprocess; wall time and its own peak RSS."""
    start = time.perf_counter()
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            _CHILD,
            "series",
            "--records",
            str(records),
            "--out",
            str(out),
            "--no-progress",
            "--missing-months",
            "keep-gaps",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"series failed on {records}: {done.stderr.strip()[:500]}")
    fields = next(line.split() for line in done.stderr.splitlines() if line.startswith("PEAK_KIB"))
    return {"seconds": seconds, "peak_mib": int(fields[1]) / 1024, "cpu_seconds": float(fields[2])}


def run() -> dict[str, float | str]:
    """Time both inputs; return the figures printed by ``make bench``."""
    figures_load = os.getloadavg()[0]
    csv_path = write_gb18030_csv(BENCH_DIR / f"records_{CSV_ROWS}.gb18030.csv", CSV_ROWS)
    figures: dict[str, float | str] = {"load average when started (cores shared)": figures_load}
    csv_run = timed_series(csv_path, BENCH_DIR / "out" / "csv_series.csv")
    figures["2M records, GB18030 CSV, Chinese headers -> series: wall s (goal <= 10)"] = csv_run[
        "seconds"
    ]
    figures["2M records, GB18030 CSV: peak RSS of the run, MiB"] = csv_run["peak_mib"]
    figures["2M records, GB18030 CSV: CPU s of the run (user+sys, all threads)"] = csv_run[
        "cpu_seconds"
    ]
    figures["GB18030 CSV size, MB"] = csv_path.stat().st_size / 1e6
    xlsx_path, writing = write_xlsx(BENCH_DIR / f"records_{XLSX_ROWS}.xlsx", XLSX_ROWS)
    xlsx_run = timed_series(xlsx_path, BENCH_DIR / "out" / "xlsx_series.csv")
    rate = XLSX_ROWS / xlsx_run["seconds"]
    figures[f"{XLSX_ROWS:,} records, .xlsx -> series: wall s (measured)"] = xlsx_run["seconds"]
    figures[f"{XLSX_ROWS:,} records, .xlsx: peak RSS of the run, MiB"] = xlsx_run["peak_mib"]
    figures[f"{XLSX_ROWS:,} records, .xlsx: CPU s of the run"] = xlsx_run["cpu_seconds"]
    figures[".xlsx records per second (measured)"] = rate
    figures["2M records as .xlsx (two 1M-row workbooks): s, extrapolated linearly"] = (
        CSV_ROWS / rate
    )
    if writing == writing:  # not NaN: the workbook was written in this run
        figures[f"writing the {XLSX_ROWS:,}-row workbook with xlsxwriter, s"] = writing
    return figures


if __name__ == "__main__":
    for metric, value in run().items():
        print(f"{metric:<70} {value:.4g}" if isinstance(value, float) else f"{metric} {value}")
