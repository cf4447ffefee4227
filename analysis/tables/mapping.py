"""Header and label maps: bureau exports as they come, mapped onto the settlement schema.

The shipped header map's ``[fields]`` section names the schema's required fields
(:data:`FIELD_NAMES`); ``analysis.pipeline.schema`` types them and a test keeps the two equal.

Two TOML files ship with the package (``analysis/tables/mappings/``):

- ``headers.toml``: for each schema field, the headers that mean it (结算日期, 医疗总费用, ...);
  ``--columns map.toml`` replaces the list of each field it names;
- ``labels.toml``: for each labelled field, the labels that mean each category (三级甲等 ->
  tertiary, 城乡居民基本医疗保险 -> resident, ...); ``--labels labels.toml`` adds entries.

Headers and labels are compared after :func:`normal_key`: surrounding spaces trimmed, inner
spaces removed, lower case, full-width brackets and letters folded to half-width.

Examples
--------
>>> headers = load_header_map()
>>> plan = match_headers(["结算流水号", "结算日期", "参保地", "医疗机构编码", "机构等级",
...     "就诊类型", "医疗总费用", "统筹基金支付", "险种类型", "就医地"], headers, "a.csv")
>>> plan.rename["参保地"], plan.rename["就医地"]
('county_code', 'treatment_county')
>>> labels = load_label_map()
>>> labels.category("institution_level", "三级甲等"), labels.category("scheme", " 城乡居民基本医疗保险 ")
('tertiary', 'resident')
>>> labels.category("institution_level", "社区卫生服务中心（站）"), labels.category("institution_level", "未定级")
('primary', 'unrated')
"""

from __future__ import annotations

import dataclasses
import difflib
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from analysis.errors import InputError
from analysis.tables.identity import canonical_code, normal_key
from analysis.tables.units import canonical_unit, split_unit

MAPPINGS = Path(__file__).with_name("mappings")
DEFAULT_HEADERS = MAPPINGS / "headers.toml"
DEFAULT_LABELS = MAPPINGS / "labels.toml"
OPTIONAL_FIELDS: tuple[str, ...] = ("institution_name", "treatment_county", "original_record_id")
AMOUNT_FIELDS: tuple[str, ...] = ("total_cost", "fund_paid")
"""Fields whose header may carry a money unit (医疗总费用(万元)), see :mod:`.units`."""
LABEL_FIELDS: tuple[str, ...] = ("institution_level", "service_type", "scheme")
UNRATED = "unrated"


def _shipped_required() -> tuple[str, ...]:
    data = tomllib.loads(DEFAULT_HEADERS.read_text(encoding="utf-8"))
    return tuple(data["fields"])


FIELD_NAMES: tuple[str, ...] = _shipped_required()
"""Required schema fields, in order: the ``[fields]`` of the shipped header map."""


_WHAT_ZH = {"header map": "列名对照表", "label map": "标签对照表", "code map": "编码映射"}


def _load_toml(path: Path, what: str) -> dict[str, object]:
    try:
        return tomllib.loads(Path(path).read_text(encoding="utf-8-sig"))
    except FileNotFoundError as error:
        raise InputError(
            f"{what} file not found", file=path, zh=f"找不到{_WHAT_ZH.get(what, what)}文件"
        ) from error
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise InputError(
            f"not a valid TOML {what} file: {error}",
            file=path,
            zh=f"不是有效的 TOML {_WHAT_ZH.get(what, what)}文件：{error}",
        ) from error


def _string_lists(table: object, path: Path, section: str) -> dict[str, list[str]]:
    if not isinstance(table, dict):
        raise InputError(
            f'[{section}] must be a table of name = ["..."] lists',
            file=path,
            zh=f'[{section}] 应为 name = ["..."] 形式的列表组成的表',
        )
    out: dict[str, list[str]] = {}
    for key, value in table.items():
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise InputError(
                f'[{section}] {key} must be a list of text labels, e.g. {key} = ["..."]',
                file=path,
                zh=f'[{section}] {key} 应为文本标签的列表，如 {key} = ["..."]',
            )
        out[str(key)] = list(value)
    return out


@dataclass(frozen=True)
class HeaderMap:
    """Schema field -> the headers that mean it (in :func:`normal_key` form)."""

    fields: dict[str, tuple[str, ...]]
    sources: tuple[str, ...]
    units: dict[str, str] = dataclasses.field(default_factory=dict)
    """Amount field -> money unit declared in a ``[units]`` section (``total_cost = "万元"``)."""
    named: dict[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)
    """Field -> the headers the user's map (``--columns``) names for it, as written there:
    when none is in a file, the refusal quotes them rather than only the field."""

    def field_of(self, header: str) -> str | None:
        """The field a header maps to, if any."""
        key = normal_key(header)
        for name, names in self.fields.items():
            if key in names:
                return name
        return None

    def field_and_unit(self, header: str) -> tuple[str | None, str | None]:
        """The field a header maps to and the money unit written in it (``医疗总费用(万元)``).

        A header that maps as written keeps a unit written in it; one that does not is
        tried again without its unit, for the amount fields only.
        """
        name = self.field_of(header)
        base, unit = split_unit(header)
        if name is None and unit is not None:
            name = self.field_of(base)
            if name not in AMOUNT_FIELDS:
                return None, None
        return name, (unit if name in AMOUNT_FIELDS else None)


def load_header_map(override: str | Path | None = None) -> HeaderMap:
    """The shipped header map, with ``override``'s lists replacing the fields it names.

    Raises
    ------
    InputError
        When the override is missing, not TOML, or names an unknown field.
    """
    fields: dict[str, tuple[str, ...]] = {}
    units: dict[str, str] = {}
    named: dict[str, tuple[str, ...]] = {}
    sources = [str(DEFAULT_HEADERS)]
    paths = [DEFAULT_HEADERS] + ([Path(override)] if override is not None else [])
    for path in paths:
        data = _load_toml(path, "header map")
        known = set(FIELD_NAMES) | set(OPTIONAL_FIELDS)
        for section in ("fields", "optional"):
            for name, headers in _string_lists(data.get(section, {}), path, section).items():
                if name not in known:
                    close = difflib.get_close_matches(name, sorted(known), n=1)
                    hint = f" (did you mean {close[0]!r}?)" if close else ""
                    hint_zh = f"（是否应为 {close[0]!r}？）" if close else ""
                    raise InputError(
                        f"[{section}] names {name!r}, which is not a schema field{hint}; "
                        f"fields: {', '.join(sorted(known))}",
                        file=path,
                        zh=f"[{section}] 中的 {name!r} 不是数据结构中的字段{hint_zh}；"
                        f"可用字段：{', '.join(sorted(known))}",
                    )
                fields[name] = tuple(dict.fromkeys([normal_key(name), *map(normal_key, headers)]))
                if path is not DEFAULT_HEADERS:
                    named[name] = tuple(headers)
        units.update(_units_section(data.get("units", {}), path))
        unknown_sections = set(data) - {"fields", "optional", "units"}
        if unknown_sections:
            raise InputError(
                f"unknown section(s) {sorted(unknown_sections)}; use [fields], [optional] and "
                "[units]",
                file=path,
                zh=f"未知的节 {sorted(unknown_sections)}；请用 [fields]、[optional] 和 [units]",
            )
        if path is not DEFAULT_HEADERS:
            sources.append(str(path))
    return HeaderMap(fields, tuple(sources), units, named)


def _units_section(table: object, path: Path) -> dict[str, str]:
    """``[units] total_cost = "万元"``: the money unit of amount fields, checked."""
    if not isinstance(table, dict):
        raise InputError(
            '[units] must be a table such as total_cost = "万元"',
            file=path,
            zh='[units] 应为如 total_cost = "万元" 的表',
        )
    out = {}
    for name, unit in table.items():
        if name not in AMOUNT_FIELDS or not isinstance(unit, str):
            raise InputError(
                f"[units] {name} = {unit!r}: units are given for {', '.join(AMOUNT_FIELDS)} "
                'as text, e.g. total_cost = "万元"',
                file=path,
                zh=f"[units] {name} = {unit!r}：只能为 {', '.join(AMOUNT_FIELDS)} 指定单位，"
                '写成文本，如 total_cost = "万元"',
            )
        try:
            out[name] = canonical_unit(unit)
        except InputError as error:
            raise InputError(error.message, file=path, zh=error.message_zh) from error
    return out


@dataclass(frozen=True)
class HeaderPlan:
    """How one file's headers map onto the schema."""

    rename: dict[str, str]  # file header -> field
    missing: dict[str, str | None]  # required field -> closest header in the file
    units: dict[str, str] = dataclasses.field(default_factory=dict)
    """Amount field -> money unit (from the header text or the map's ``[units]``)."""
    named: dict[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)
    """Missing field -> the headers the user's map names for it (none of them in the file)."""
    map_file: str | None = None
    """The user's header map (``--columns``), for messages."""


def match_headers(
    headers: Sequence[str], header_map: HeaderMap, file: str | Path, row: int | None = None
) -> HeaderPlan:
    """Map a file's headers to schema fields; list unmapped required ones with a close header.

    Raises
    ------
    InputError
        When two headers of the file map to the same field (the file is ambiguous).
    """
    rename: dict[str, str] = {}
    seen: dict[str, str] = {}
    units: dict[str, str] = {}
    for header in headers:
        field, unit = header_map.field_and_unit(header)
        if field is None:
            continue
        declared = header_map.units.get(field)
        if unit is not None and declared is not None and unit != declared:
            raise InputError(
                f"header {header!r} says {unit} but the header map's [units] says "
                f"{field} = {declared!r}; correct the [units] entry of --columns",
                file=file,
                row=row,
                column=header,
                zh=f"列名 {header!r} 写明单位 {unit}，但 --columns 的 [units] 写 {field} = "
                f"{declared!r}；请修改 --columns 的 [units]",
            )
        if unit or declared:
            units[field] = unit or declared
        if field in seen:
            raise InputError(
                f"headers {seen[field]!r} and {header!r} both map to {field}; keep one, or "
                f'say which one with --columns (a TOML file: [fields] {field} = ["..."])',
                file=file,
                row=row,
                column=header,
                zh=f"列名 {seen[field]!r} 和 {header!r} 都对应 {field}；请保留一个，或用 --columns "
                f'指定（TOML 文件：[fields] {field} = ["..."]）',
            )
        seen[field] = header
        rename[header] = field
    missing: dict[str, str | None] = {}
    unused = [h for h in headers if h not in rename and h]
    for field in FIELD_NAMES:
        if field in seen:
            continue
        candidates = {normal_key(h): h for h in unused}
        best: tuple[float, str | None] = (0.0, None)
        for key, header in candidates.items():
            for known in header_map.fields[field]:
                score = difflib.SequenceMatcher(None, key, known).ratio()
                if score > best[0]:
                    best = (score, header)
        missing[field] = best[1] if best[0] >= 0.4 else None
    named = {f: header_map.named[f] for f in missing if header_map.named.get(f)}
    map_file = header_map.sources[-1] if len(header_map.sources) > 1 else None
    return HeaderPlan(rename, missing, units, named, map_file)


def missing_message(plan: HeaderPlan) -> tuple[str, str]:
    """English and Chinese text listing the unmapped required fields with the closest header.

    A field the user's map (``--columns``) names headers for is listed with those headers,
    quoted: the map, not the file, is then what most likely needs correcting.

    Examples
    --------
    >>> plan = HeaderPlan({}, {"fund_paid": "统筹基金支付"}, named={"fund_paid": ("基金支付额",)},
    ...                   map_file="map.toml")
    >>> print(missing_message(plan)[0])  # doctest: +NORMALIZE_WHITESPACE
    required column(s) not found: fund_paid (the header map map.toml names '基金支付额', which
    is not a header of this file; closest header: '统筹基金支付'). Correct the header map's
    [fields] entry (e.g. fund_paid = ["统筹基金支付"]) or rename the header
    """
    en, zh = [], []
    for field, close in plan.missing.items():
        close_en = f"closest header: {close!r}" if close else "no similar header"
        close_zh = f"最相近的列名：{close!r}" if close else "没有相近的列名"
        named = plan.named.get(field)
        if named:
            quoted = ", ".join(map(repr, named))
            source = plan.map_file or "--columns"
            en.append(
                f"{field} (the header map {source} names {quoted}, which "
                f"{'is' if len(named) == 1 else 'are'} not a header of this file; {close_en})"
            )
            zh.append(
                f"{field}（列名对照表 {source} 指定的 {quoted} 不是本文件的列名；{close_zh}）"
            )
        else:
            en.append(f"{field} ({close_en})")
            zh.append(f"{field}（{close_zh}）")
    if plan.named:
        field = next(iter(plan.named))
        close = plan.missing.get(field)
        entry = f'{field} = ["{close}"]' if close else f'{field} = ["..."]'
        return (
            "required column(s) not found: "
            + "; ".join(en)
            + f". Correct the header map's [fields] entry (e.g. {entry}) or rename the header",
            "找不到必需的列："
            + "；".join(zh)
            + f"。请修改列名对照表的 [fields] 条目（如 {entry}），或修改文件的列名",
        )
    return (
        "required column(s) not found: "
        + "; ".join(en)
        + '. Rename the header, or map it with --columns map.toml ([fields] name = ["header"])',
        "找不到必需的列：" + "；".join(zh) + "。请修改列名，或用 --columns map.toml 指定对应关系",
    )


@dataclass(frozen=True)
class LabelMap:
    """For each labelled field, label (in :func:`normal_key` form) -> category."""

    labels: dict[str, dict[str, str]]
    sources: tuple[str, ...]

    def category(self, field: str, label: str) -> str | None:
        """The category of a label, or ``None`` when unknown."""
        return self.labels[field].get(normal_key(label))

    def rows(self) -> list[tuple[str, str, str]]:
        """(field, label, category) for every accepted label, for documentation."""
        return [(f, label, c) for f, mapping in self.labels.items() for label, c in mapping.items()]


_CATEGORIES: dict[str, tuple[str, ...]] = {
    "institution_level": ("primary", "secondary", "tertiary", UNRATED),
    "service_type": ("outpatient", "inpatient"),
    "scheme": ("employee", "resident"),
}


def load_label_map(override: str | Path | None = None) -> LabelMap:
    """The shipped label map plus ``override``'s entries (which win on conflicts).

    Raises
    ------
    InputError
        When the override is not TOML or maps to a category the schema does not have.
    """
    labels: dict[str, dict[str, str]] = {field: {} for field in LABEL_FIELDS}
    sources = [str(DEFAULT_LABELS)]
    paths = [DEFAULT_LABELS] + ([Path(override)] if override is not None else [])
    for path in paths:
        data = _load_toml(path, "label map")
        for field, table in data.items():
            if field not in LABEL_FIELDS:
                raise InputError(
                    f"[{field}] is not a labelled field; use {', '.join(LABEL_FIELDS)}",
                    file=path,
                    zh=f"[{field}] 不是带标签的字段；请用 {', '.join(LABEL_FIELDS)}",
                )
            for category, names in _string_lists(table, path, field).items():
                if category not in _CATEGORIES[field]:
                    raise InputError(
                        f"[{field}] {category} is not a category; use "
                        f"{', '.join(_CATEGORIES[field])}",
                        file=path,
                        zh=f"[{field}] {category} 不是类别；请用 {', '.join(_CATEGORIES[field])}",
                    )
                for name in names:
                    labels[field][normal_key(name)] = category
        if path is not DEFAULT_LABELS:
            sources.append(str(path))
    return LabelMap(labels, tuple(sources))


def load_institutions(path: str | Path, labels: LabelMap) -> dict[str, str]:
    """Institution name -> level from a two-column CSV (name, level; any accepted label).

    Raises
    ------
    InputError
        When the file cannot be read, a level is unknown, or a name has two levels.
    """
    from analysis.tables.reading import read_table

    table = read_table(Path(path))
    if len(table.header) < 2:
        raise InputError(
            "the institutions file needs two columns: institution name, level",
            file=path,
            row=1,
            zh="机构文件需要两列：机构名称、等级",
        )
    out: dict[str, str] = {}
    for number, cells in zip(table.row_numbers, table.rows):
        name, level = (cells + ("", ""))[:2]
        if not name.strip():
            continue
        category = labels.category("institution_level", level)
        if category is None or category == UNRATED:
            raise InputError(
                f"level {level!r} of {name.strip()!r} is not a level (primary, secondary, "
                "tertiary or a label of the label map)",
                file=path,
                row=number,
                column=table.header[1],
                zh=f"{name.strip()!r} 的等级 {level!r} 不是等级（应为 primary、secondary、"
                "tertiary 或标签对照表中的标签）",
            )
        key = normal_key(name)
        if key in out and out[key] != category:
            raise InputError(
                f"{name.strip()!r} is listed with two different levels",
                file=path,
                row=number,
                zh=f"{name.strip()!r} 列出了两个不同的等级",
            )
        out[key] = category
    return out


def default_level_labels() -> dict[str, str]:
    """Level labels of the shipped map that name a level (no ``unrated``), lower case."""
    return _plain(load_label_map().labels["institution_level"])


def _plain(mapping: dict[str, str]) -> dict[str, str]:
    return {label: c for label, c in mapping.items() if c != UNRATED}


def shipped_labels(field: str) -> dict[str, str]:
    """The shipped map's labels of ``field`` (lower case) -> category, without ``unrated``."""
    return _plain(load_label_map().labels[field])


def header_rows(header_map: HeaderMap | None = None) -> list[tuple[str, str, bool]]:
    """(field, accepted header, required) rows for documentation (the chapter's table)."""
    header_map = header_map or load_header_map()
    return [
        (field, header, field in FIELD_NAMES)
        for field, headers in header_map.fields.items()
        for header in headers
    ]


def known_headers(header_map: HeaderMap) -> Iterable[str]:
    """Every accepted header (normal form), for finding the header row of a sheet."""
    for headers in header_map.fields.values():
        yield from headers


def load_code_map(path: str | Path) -> dict[str, str]:
    """Written code -> the code of its unit, from a two-column CSV or a TOML file.

    CSV: a header row, then one ``written code, unit code`` pair per row. TOML: pairs at the
    top level or in a ``[codes]`` section (``420101000 = "420101"``). Codes are cleaned with
    :func:`canonical_code` (``="420101"`` and ``'420101`` are ``420101``).

    Raises
    ------
    InputError
        When the file is missing or unreadable, a code is empty or in scientific notation, or
        one written code is mapped to two units.

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "codes.toml"
    >>> _ = p.write_text('[codes]\\n420101000 = "420101"\\n"\\'420102" = "420102"\\n')
    >>> load_code_map(p)
    {'420101000': '420101', '420102': '420102'}
    """
    path = Path(path)
    pairs: list[tuple[str, str, int | None]] = []
    if path.suffix.lower() == ".toml":
        data = _load_toml(path, "code map")
        table = data["codes"] if "codes" in data else data
        if (
            not isinstance(table, dict)
            or ("codes" in data and len(data) > 1)
            or any(isinstance(v, (dict, list)) for v in table.values())
        ):
            raise InputError(
                'a TOML code map holds written = "unit" pairs, at the top level or in [codes]',
                file=path,
                zh='TOML 编码映射应为 原编码 = "单位编码" 的键值对（顶层或 [codes] 节中）',
            )
        pairs = [(str(k), str(v), None) for k, v in table.items()]
    else:
        from analysis.tables.reading import read_table

        try:
            table = read_table(path)
        except FileNotFoundError as error:
            raise InputError(
                "code map file not found", file=path, zh="找不到编码映射文件"
            ) from error
        if len(table.header) < 2:
            raise InputError(
                "the code map needs two columns: written code, unit code",
                file=path,
                row=1,
                zh="编码映射需要两列：原编码、单位编码",
            )
        pairs = [
            ((c + ("", ""))[0], (c + ("", ""))[1], n) for n, c in zip(table.row_numbers, table.rows)
        ]
    out: dict[str, str] = {}
    for written, unit, row in pairs:
        a, b = canonical_code(written), canonical_code(unit)
        if not a or not b:
            raise InputError(
                f"code map entry {written!r} -> {unit!r}: both codes must be written out in "
                "full (not empty, not in scientific notation)",
                file=path,
                row=row,
                zh=f"编码映射 {written!r} -> {unit!r}：两个编码都须完整写出（不能为空或科学计数法）",
            )
        if a in out and out[a] != b:
            raise InputError(
                f"code {a!r} is mapped to both {out[a]!r} and {b!r}; keep one",
                file=path,
                row=row,
                zh=f"编码 {a!r} 同时映射到 {out[a]!r} 和 {b!r}；请只保留一个",
            )
        out[a] = b
    return out
