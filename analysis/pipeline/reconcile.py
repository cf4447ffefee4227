"""Run-level steps between normalising each file and the engine: what no single file can decide.

- **county codes**: one county written ``420101`` in one file and ``420101000`` or
  ``420101000000`` in another is one county. The forms are reconciled across the whole run
  with :func:`analysis.tables.identity.unify_codes`: the run is refused naming both forms,
  their files and rows, unless ``--code-map`` says which unit each written code is;
- **reversals** (冲销/退费/红冲): a settlement with a negative total voids (part of) an earlier
  one, named by the same ``record_id`` or by an original-id column (原结算流水号). It is
  netted against its original: a fully reversed settlement counts as zero visits and zero
  money, a partly refunded one keeps its visit with the net amounts. A reversal whose original
  is not in the input refuses the run;
- **unknown labels** (an institution level, service type or scheme the label map does not
  know) are not corrupt rows: dropping them could bias a share. They refuse the run with the
  list of labels, unless ``--labels`` maps them or ``--drop-unknown-labels true`` says to
  drop them; the rows dropped are then counted per county and month for the summary.

Both engines get the result, because it happens before the SQL.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analysis.errors import InputError
from analysis.pipeline.normalise import ROW, FileReport
from analysis.tables.identity import CodeSeen, unify_codes
from analysis.tables.mapping import LABEL_FIELDS, UNRATED

_KNOWN = {
    "institution_level": ("primary", "secondary", "tertiary"),
    "service_type": ("outpatient", "inpatient"),
    "scheme": ("employee", "resident"),
}
CODE_FIX = (
    "write every file with one form of the code, or say which county each written code is "
    'with --code-map FILE (CSV: written code, county code; or TOML: 420101000 = "420101")'
)
CODE_FIX_ZH = (
    "请统一各文件的编码写法，或用 --code-map 文件说明每个编码属于哪个县区（CSV：原编码,县区编码；"
    '或 TOML：420101000 = "420101"）'
)


@dataclass
class Reconciled:
    """What the run-level steps changed, for the summary."""

    codes: dict[str, str] = field(default_factory=dict)
    """Written county code -> the unit's code, where they differ."""
    reversals: list[tuple[str, int, str, str]] = field(default_factory=list)
    """(file, row, original record id, ``full`` or ``partial``) of each reversal netted."""
    dropped_labels: dict[tuple[str, str], int] = field(default_factory=dict)
    """(county, month ``YYYY-MM``) -> rows with unknown labels dropped (quarantined)."""


def _column(table: pa.Table, name: str) -> pa.Array:
    return table.column(name).combine_chunks()


def _remap(values: pa.Array, mapping: dict[str, str]) -> pa.Array:
    if not mapping or not len(values):
        return values
    encoded = pc.dictionary_encode(values)
    uniques = encoded.dictionary.to_pylist()
    mapped = pa.array([mapping.get(v, v) for v in uniques], pa.string())
    return pc.take(mapped, encoded.indices)


def unify_counties(
    tables: list[pa.Table], reports: list[FileReport], code_map: dict[str, str] | None
) -> tuple[list[pa.Table], dict[str, str]]:
    """County codes in one form per county across the run (see the module docstring).

    Raises
    ------
    InputError
        When two forms of one county appear and ``code_map`` does not map them.
    """
    seen = []
    for table, report in zip(tables, reports):
        codes = _column(table, "county_code")
        if not len(codes):
            continue
        encoded = pc.dictionary_encode(codes)
        uniques = encoded.dictionary.to_pylist()
        _, first = np.unique(
            np.asarray(encoded.indices.to_numpy(zero_copy_only=False)), return_index=True
        )
        rows = _column(table, ROW).to_numpy()
        header = next((h for h, f in report.rename.items() if f == "county_code"), None)
        seen += [
            CodeSeen(code, report.name, int(rows[i]), header)
            for code, i in zip(uniques, first)
            if code
        ]
    try:
        mapping = unify_codes(seen, code_map, fix=CODE_FIX)
    except InputError as error:
        raise InputError(
            error.message,
            file=error.file,
            row=error.row,
            column=error.column,
            zh=(error.message_zh or "").split("；")[0] + "；" + CODE_FIX_ZH,
        ) from error
    changed = {k: v for k, v in mapping.items() if k != v}
    treated = dict(code_map or {})
    out = []
    for table, report in zip(tables, reports):
        county = _remap(_column(table, "county_code"), changed)
        table = table.set_column(table.schema.get_field_index("county_code"), "county_code", county)
        if "treatment_county" in report.rename.values():
            at = _remap(_column(table, "treatment_county"), {**changed, **treated})
            table = table.set_column(
                table.schema.get_field_index("treatment_county"), "treatment_county", at
            )
            differs = pc.and_(pc.not_equal(at, ""), pc.not_equal(at, county))
            report.out_of_county = int(pc.sum(differs).as_py() or 0)
        out.append(table)
    return out, changed


def _decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text)
    except (InvalidOperation, TypeError):
        return None


def _text(value: Decimal) -> str:
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def net_reversals(
    tables: list[pa.Table], reports: list[FileReport]
) -> tuple[list[pa.Table], list[tuple[str, int, str, str]]]:
    """Net each reversal against the settlement it voids; drop the reversal rows.

    Raises
    ------
    InputError
        When a reversal's original is not in the input, its copies disagree, or the
        reversals of one settlement exceed it.
    """
    reversals: dict[str, list[tuple[int, int, Decimal, Decimal]]] = {}
    masks = []
    for t, table in enumerate(tables):
        total = _column(table, "total_cost")
        original = _column(table, "original_record_id")
        negative = pc.fill_null(pc.starts_with(total, "-"), False)
        marked = pc.not_equal(original, "")
        mask = np.asarray(pc.or_(negative, marked).to_numpy(zero_copy_only=False), bool)
        masks.append(mask)
        if not mask.any():
            continue
        ids = _column(table, "record_id")
        funds = _column(table, "fund_paid")
        for i in np.flatnonzero(mask):
            i = int(i)
            amounts = _decimal(total[i].as_py()), _decimal(funds[i].as_py())
            if amounts[0] is None or amounts[1] is None:
                mask[i] = False  # a malformed amount: the SQL quarantines the row
                continue
            target = original[i].as_py() or ids[i].as_py()
            reversals.setdefault(target, []).append((t, i, *amounts))
    if not reversals:
        return tables, []
    targets = pa.array(sorted(reversals), pa.string())
    originals: dict[str, list[tuple[int, int]]] = {}
    for t, table in enumerate(tables):
        hit = pc.is_in(_column(table, "record_id"), targets)
        where = np.flatnonzero(np.asarray(hit.to_numpy(zero_copy_only=False), bool))
        for i in where[~masks[t][where]]:
            originals.setdefault(_column(table, "record_id")[int(i)].as_py(), []).append(
                (t, int(i))
            )
    drop = [np.zeros(len(m), bool) | m for m in masks]
    amounts: list[dict[int, tuple[str, str]]] = [{} for _ in tables]
    netted = []
    for target, items in reversals.items():
        t, i, _, _ = items[0]
        report = reports[t]
        row = int(_column(tables[t], ROW)[i].as_py())
        id_header = next((h for h, f in report.rename.items() if f == "record_id"), None)
        copies = originals.get(target, [])
        if not copies:
            raise InputError(
                f"row {row} is a reversal (冲销/退费: a negative amount or an original id) of "
                f"record id {target!r}, but no settlement with that id is in the input, so it "
                "cannot be netted. Add the export holding the original settlement to --records "
                "(reversals are netted against their originals)",
                file=report.name,
                row=row,
                column=id_header,
                zh=f"第 {row} 行是对结算流水号 {target!r} 的冲销/退费（负金额或原流水号），但输入中"
                "没有该流水号的原结算，无法冲抵。请把含原结算的导出文件一并放入 --records"
                "（冲销记录与原结算相抵）",
            )
        contents = {
            tuple(str(tables[c].column(f)[j].as_py()) for f in tables[c].column_names if f != ROW)
            for c, j in copies
        }
        if len(contents) > 1:
            raise InputError(
                f"record id {target!r} has a reversal (row {row}) and several different "
                "settlements under that id, so which one it voids is unknown; correct the "
                "export so that one settlement carries the id",
                file=report.name,
                row=row,
                column=id_header,
                zh=f"结算流水号 {target!r} 有冲销记录（第 {row} 行），但该流水号下有多条内容不同"
                "的结算，无法确定冲销哪一条；请修正导出文件，使一个流水号只对应一条结算",
            )
        c, j = copies[0]
        total = _decimal(_column(tables[c], "total_cost")[j].as_py())
        fund = _decimal(_column(tables[c], "fund_paid")[j].as_py())
        if total is None or fund is None:
            continue  # a malformed original: the SQL quarantines it; the reversal goes too
        total += sum(r[2] for r in items)
        fund += sum(r[3] for r in items)
        if total < 0 or fund < 0:
            raise InputError(
                f"the reversals of record id {target!r} (first at row {row}) void more than "
                f"the settlement holds (net total {_text(total)}, net fund {_text(fund)}); "
                "correct the export (each reversal must match the settlement it voids)",
                file=report.name,
                row=row,
                column=id_header,
                zh=f"结算流水号 {target!r} 的冲销金额（首见第 {row} 行）超过原结算（冲抵后总费用 "
                f"{_text(total)}，基金支付 {_text(fund)}）；请修正导出文件，使冲销与原结算一致",
            )
        full = total == 0 and fund == 0
        for c, j in copies:
            if full:
                drop[c][j] = True
            else:
                amounts[c][j] = (_text(total), _text(fund))
        for t, i, _, _ in items:
            netted.append(
                (
                    reports[t].name,
                    int(_column(tables[t], ROW)[i].as_py()),
                    target,
                    "full" if full else "partial",
                )
            )
    out = []
    for table, gone, changed in zip(tables, drop, amounts):
        if changed:
            for name, k in (("total_cost", 0), ("fund_paid", 1)):
                values = np.asarray(_column(table, name).to_pylist(), dtype=object)
                for j, pair in changed.items():
                    values[j] = pair[k]
                table = table.set_column(
                    table.schema.get_field_index(name), name, pa.array(values, pa.string())
                )
        out.append(table.filter(pa.array(~gone)) if gone.any() else table)
    return out, sorted(netted)


def unknown_labels(
    tables: list[pa.Table], reports: list[FileReport], drop: bool
) -> dict[tuple[str, str], int]:
    """Refuse unknown labels, or (``drop``) count their rows per county and month.

    Raises
    ------
    InputError
        When a label is unknown and ``drop`` is false: every unknown label with its rows,
        and the file and first row of each.
    """
    found: Counter[tuple[str, str]] = Counter()
    where: dict[tuple[str, str], list[tuple[str, int | None]]] = {}
    for report in reports:
        for key, count in report.unknown_labels.items():
            found[key] += count
            row, column = report.label_rows.get(key, (None, key[0]))
            where.setdefault(key, []).append((report.name, row))
    if not found:
        return {}
    if not drop:
        listed = "; ".join(
            f"{column} {label!r}: {count:,} row(s) ("
            + ", ".join(
                f"{f} row {r}" if r is not None else f for f, r in where[(column, label)][:3]
            )
            + ")"
            for (column, label), count in sorted(found.items())
        )
        listed_zh = "；".join(
            f"{column} {label!r}：{count:,} 行（"
            + "，".join(
                f"{f} 第 {r} 行" if r is not None else f for f, r in where[(column, label)][:3]
            )
            + "）"
            for (column, label), count in sorted(found.items())
        )
        first = next(r for r in reports if r.unknown_labels)
        key = sorted(first.unknown_labels)[0]
        row, column = first.label_rows.get(key, (None, key[0]))
        raise InputError(
            f"labels the label map does not know: {listed}. Rows with an unknown label are not "
            "corrupt, and dropping them can change a county's shares, so the run stops. Map "
            "each label to a category with --labels LABELS.toml (e.g. [institution_level] "
            'secondary = ["县人民医院"]; 未定级 needs --institutions NAMES.csv or your own '
            "mapping), or drop these rows on purpose with --drop-unknown-labels true (the "
            "summary then lists the rows dropped per county and month)",
            file=first.name,
            row=row,
            column=column,
            zh=f"标签对照表中没有以下标签：{listed_zh}。含未知标签的行不是损坏的行，丢弃它们可能改变"
            "县区的占比，因此运行停止。请用 --labels LABELS.toml 把每个标签对应到类别（如 "
            '[institution_level] secondary = ["县人民医院"]；未定级 需要 --institutions '
            "NAMES.csv 或自行对照），或用 --drop-unknown-labels true 明确丢弃这些行（摘要会按县区"
            "和月份列出丢弃的行数）",
        )
    dropped: Counter[tuple[str, str]] = Counter()
    for table in tables:
        unknown = None
        for f in LABEL_FIELDS:
            values = _column(table, f)
            bad = pc.and_(
                pc.not_equal(values, ""),
                pc.invert(pc.is_in(values, pa.array(list(_KNOWN[f])))),
            )
            unknown = bad if unknown is None else pc.or_(unknown, bad)
        if unknown is None or not pc.any(unknown).as_py():
            continue
        counties = pc.filter(_column(table, "county_code"), unknown).to_pylist()
        months = pc.filter(_column(table, "settlement_date"), unknown).to_pylist()
        for county, day in zip(counties, months):
            dropped[(county, day[:7] if day[4:5] == "-" else "?")] += 1
    return dict(sorted(dropped.items()))


def dropped_label_effect(
    series: pd.DataFrame, dropped: dict[tuple[str, str], int]
) -> list[tuple[str, str, int, float | None, float, float]]:
    """What the rows dropped for unknown labels could have done to each visit share.

    For each (county, month) with ``n`` dropped rows: the visit share as counted, and the range
    it would lie in had every dropped row been an outpatient visit counted at no primary
    institution (low) or at a primary one (high). A narrow range says the drop cannot matter
    for that month; a wide one says the labels must be mapped before the share is used.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"district": ["420101"], "month": ["2024-03-01"],
    ...                   "visits_primary": [4], "visits_total": [8]})
    >>> dropped_label_effect(s, {("420101", "2024-03"): 2})
    [('420101', '2024-03', 2, 50.0, 40.0, 60.0)]
    """
    keyed = {
        (str(d), str(m)[:7]): (float(p), float(t))
        for d, m, p, t in zip(
            series["district"], series["month"], series["visits_primary"], series["visits_total"]
        )
    }
    out = []
    for (county, month), n in dropped.items():
        primary, total = keyed.get((county, month), (0.0, 0.0))
        share = 100 * primary / total if total else None
        out.append(
            (
                county,
                month,
                n,
                share,
                100 * primary / (total + n),
                100 * (primary + n) / (total + n),
            )
        )
    return out


__all__ = [
    "Reconciled",
    "UNRATED",
    "dropped_label_effect",
    "net_reversals",
    "unify_counties",
    "unknown_labels",
]
