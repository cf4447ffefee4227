"""Seeded synthetic settlement exports shaped like a county healthcare-security bureau's.

A bureau (医保局) exports settlement detail (结算明细) with Chinese headers, its own level and
scheme labels, GB18030 CSV files and ``.xlsx`` workbooks. This module writes such files from a
commented TOML config and a seed, so that the records -> series -> ITS -> report path can be
shown and tested on files that look like the real thing, and says what the series built from
them must be (:func:`expected_series`, computed from the generated rows, not by the pipeline).

Every assumption (counties, volumes, shares, costs, the reform, care outside the county) is in
the config (``data/synthetic/bureau_exports/config.toml``); nothing is calibrated to a real
county. Every row carries ``provenance = synthetic``.

``python -m analysis.synthetic.bureau_exports [--config FILE] [--out DIR]`` rewrites the files,
byte for byte the same for the same config and seed.

Examples
--------
>>> config = load_config()
>>> records = generate_records(config)
>>> list(records.columns[:4])
['结算流水号', '结算日期', '参保地', '医疗机构编码']
>>> bool(records["结算流水号"].is_unique), sorted(set(records["就诊类型"]))
(True, ['住院', '门诊'])
>>> series = expected_series(records, config)
>>> int(series["visits_total"].sum()) == int((records["就诊类型"] == "门诊").sum())
True
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis.registry import BUREAU_CONFIG as CONFIG_PATH
from analysis.registry import read_config

FOLDER: Path = CONFIG_PATH.parent

#: Output headers in file order: the bureau's Chinese names, then the provenance column.
HEADERS: tuple[str, ...] = (
    "结算流水号",
    "结算日期",
    "参保地",
    "医疗机构编码",
    "医疗机构名称",
    "机构等级",
    "就诊类型",
    "医疗总费用",
    "统筹基金支付",
    "险种类型",
    "就医地",
)
#: Fixed workbook timestamp, so the .xlsx bytes repeat.
_WORKBOOK_TIME = dt.datetime(2000, 1, 1)


def load_config(path: Path | None = None) -> dict[str, Any]:
    """Parse the generator's TOML config (the shipped one when ``path`` is ``None``)."""
    return read_config(path or CONFIG_PATH)


def months(config: dict[str, Any]) -> pd.DatetimeIndex:
    """First days of the generated settlement months."""
    gen = config["generator"]
    return pd.date_range(gen["first_month"] + "-01", gen["last_month"] + "-01", freq="MS")


def _institutions(county: dict[str, Any], config: dict[str, Any]) -> pd.DataFrame:
    short = county["name"].split("（")[0]
    rows = []
    for kind in config["institution_type"]:
        for i in range(int(kind["count"])):
            number = len(rows) + 1
            suffix = f"{i + 1}" if int(kind["count"]) > 1 else ""
            rows.append(
                {
                    "id": f"H{county['code']}{number:03d}",
                    "name": f"{short}{kind['name']}{suffix}",
                    "level": kind["level"],
                    "primary": kind["kind"] == "primary",
                    "outpatient_only": bool(kind.get("outpatient_only", False)),
                }
            )
    return pd.DataFrame(rows)


def primary_share(county: dict[str, Any], month: pd.Timestamp, config: dict[str, Any]) -> tuple:
    """Expected primary shares (outpatient, inpatient), percent, before noise."""
    shares, reform = config["shares"], config["reform"]
    first = months(config)[0]
    years = (month.year - first.year) + (month.month - first.month) / 12
    season = shares["seasonal_pp"] * np.cos(2 * np.pi * (month.month - 1) / 12)
    visit = county["primary_share"] + shares["drift_pp_per_year"] * years + season
    admission = county["admission_share"] + shares["drift_pp_per_year"] * years
    if county["code"] == reform["county"] and month >= pd.Timestamp(reform["month"] + "-01"):
        visit += reform["visit_share_change_pp"]
        admission += reform["admission_share_change_pp"]
    return visit, admission


def _settlements(
    rng: np.random.Generator,
    county: dict[str, Any],
    month: pd.Timestamp,
    service: str,
    share: float,
    n: int,
    places: pd.DataFrame,
    config: dict[str, Any],
) -> pd.DataFrame:
    outside_cfg, costs = config["care_outside"], config["costs"]
    outside = rng.random(n) < outside_cfg["fraction"]
    primary = ~outside & (rng.random(n) < np.clip(share, 0, 100) / 100)
    usable = places if service == "门诊" else places[~places["outpatient_only"]]
    prim, hosp = usable[usable["primary"]], usable[~usable["primary"]]
    pick_p = rng.integers(0, len(prim), n)
    pick_h = rng.integers(0, len(hosp), n)
    ids = np.where(primary, prim["id"].to_numpy()[pick_p], hosp["id"].to_numpy()[pick_h])
    names = np.where(primary, prim["name"].to_numpy()[pick_p], hosp["name"].to_numpy()[pick_h])
    levels = np.where(primary, prim["level"].to_numpy()[pick_p], hosp["level"].to_numpy()[pick_h])
    ids = np.where(outside, outside_cfg["institution_id"], ids)
    names = np.where(outside, outside_cfg["institution_name"], names)
    levels = np.where(outside, "三级甲等", levels)
    key = "outpatient" if service == "门诊" else "inpatient"
    median = np.where(primary, costs[f"{key}_primary_median"], costs[f"{key}_hospital_median"])
    cost = np.round(median * np.exp(rng.normal(0, costs["sigma"], n)), 2)
    ratio = np.where(primary, costs[f"{key}_primary_fund"], costs[f"{key}_hospital_fund"])
    fund = np.round(cost * ratio, 2)
    days = month.days_in_month
    dates = [month + pd.Timedelta(days=int(d)) for d in rng.integers(0, days, n)]
    employee = rng.random(n) < config["schemes"]["employee_fraction"]
    scheme = np.where(employee, config["schemes"]["employee"], config["schemes"]["resident"])
    return pd.DataFrame(
        {
            "结算日期": dates,
            "参保地": county["code"],
            "医疗机构编码": ids,
            "医疗机构名称": names,
            "机构等级": levels,
            "就诊类型": service,
            "医疗总费用": cost,
            "统筹基金支付": fund,
            "险种类型": scheme,
            "就医地": np.where(outside, outside_cfg["place"], county["code"]),
            "_primary": primary,
        }
    )


def generate_records(config: dict[str, Any]) -> pd.DataFrame:
    """Every synthetic settlement, one row each, sorted by date and id.

    Returns
    -------
    pandas.DataFrame
        :data:`HEADERS` columns (dates as ``datetime64``, amounts as floats with two
        decimals), a ``provenance`` column and a private ``_primary`` flag (the truth used by
        :func:`expected_series`; not written to the files).
    """
    rng = np.random.default_rng(int(config["generator"]["seed"]))
    noise = config["shares"]["noise_pp"]
    parts = []
    for county in config["county"]:
        places = _institutions(county, config)
        for month in months(config):
            visit, admission = primary_share(county, month, config)
            for service, mean, share in (
                ("门诊", county["visits"], visit + rng.normal(0, noise)),
                ("住院", county["admissions"], admission + rng.normal(0, noise)),
            ):
                n = int(rng.poisson(mean))
                parts.append(_settlements(rng, county, month, service, share, n, places, config))
    records = pd.concat(parts, ignore_index=True)
    records = records.sort_values(["结算日期", "参保地"], kind="stable").reset_index(drop=True)
    records.insert(0, "结算流水号", [f"JS{i + 1:08d}" for i in range(len(records))])
    records[config["generator"]["provenance_column"]] = "synthetic"
    return records


def expected_series(records: pd.DataFrame, config: dict[str, Any]) -> pd.DataFrame:
    """The monthly county series the records must give, computed here from the truth flags.

    Counts by the insured county (参保地) and settlement month; fund totals are the exact sums
    of 统筹基金支付 rounded to whole yuan, halves up (the series schema's definition, as SQL's
    ``round`` of a decimal does it).
    """
    frame = records.assign(month=records["结算日期"].dt.to_period("M").dt.to_timestamp())
    out = frame["就诊类型"] == "门诊"
    cents = (frame["统筹基金支付"] * 100).round().astype("int64")
    parts = {
        "visits_primary": out & frame["_primary"],
        "visits_total": out,
        "admissions_primary": ~out & frame["_primary"],
        "admissions_total": ~out,
    }
    table = pd.DataFrame({k: v.astype("int64") for k, v in parts.items()})
    table["fund_primary"] = cents.where(frame["_primary"], 0)
    table["fund_total"] = cents
    table["district"], table["month"] = frame["参保地"], frame["month"]
    series = table.groupby(["district", "month"], as_index=False).sum()
    for column in ("fund_primary", "fund_total"):  # exact cents, halves rounded up (SQL round)
        series[column] = (series[column] + 50) // 100
    return series


def _file_rows(records: pd.DataFrame, spec: dict[str, Any], config: dict[str, Any]):
    lo = pd.Timestamp(spec["first_month"] + "-01")
    hi = pd.Timestamp(spec["last_month"] + "-01") + pd.offsets.MonthEnd(0)
    chosen = records[(records["结算日期"] >= lo) & (records["结算日期"] <= hi)]
    return chosen[[*HEADERS, config["generator"]["provenance_column"]]]


def _write_csv(rows: pd.DataFrame, path: Path, encoding: str) -> None:
    text = rows.assign(
        结算日期=rows["结算日期"].dt.strftime("%Y-%m-%d"),
        医疗总费用=rows["医疗总费用"].map("{:.2f}".format),
        统筹基金支付=rows["统筹基金支付"].map("{:.2f}".format),
    )
    path.write_bytes(text.to_csv(index=False, lineterminator="\r\n").encode(encoding))


def _write_xlsx(rows: pd.DataFrame, path: Path, sheet: str) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False})
    book.set_properties({"created": _WORKBOOK_TIME, "author": "analysis.synthetic"})
    ws = book.add_worksheet(sheet)
    date_fmt, money = (
        book.add_format({"num_format": "yyyy-mm-dd"}),
        book.add_format({"num_format": "0.00"}),
    )
    ws.write_row(0, 0, list(rows.columns))
    for r, row in enumerate(rows.itertuples(index=False), start=1):
        for c, value in enumerate(row):
            if isinstance(value, pd.Timestamp):
                ws.write_datetime(r, c, value.to_pydatetime(), date_fmt)
            elif isinstance(value, float):
                ws.write_number(r, c, value, money)
            else:
                ws.write_string(r, c, str(value))
    book.close()


def write_exports(config: dict[str, Any], out: Path) -> list[Path]:
    """Write every file the config lists into ``out``; return their paths."""
    out.mkdir(parents=True, exist_ok=True)
    records = generate_records(config)
    written = []
    for spec in config["file"]:
        rows = _file_rows(records, spec, config)
        path = out / spec["name"]
        if spec["format"] == "csv":
            _write_csv(rows, path, spec.get("encoding", "utf-8"))
        elif spec["format"] == "xlsx":
            _write_xlsx(rows, path, spec.get("sheet", "Sheet1"))
        else:
            raise ValueError(f"file {spec['name']}: format {spec['format']!r} is csv or xlsx")
        written.append(path)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m analysis.synthetic.bureau_exports``: write the exports; return 0."""
    parser = argparse.ArgumentParser(
        prog="python -m analysis.synthetic.bureau_exports", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--config", type=Path, default=None, help="config TOML")
    parser.add_argument("--out", type=Path, default=None, help="folder (default: the shipped)")
    args = parser.parse_args(argv)
    config = load_config(args.config)
    for path in write_exports(config, args.out or FOLDER):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
