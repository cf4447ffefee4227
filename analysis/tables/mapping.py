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

import difflib
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from analysis.errors import InputError
from analysis.tables.identity import normal_key

MAPPINGS = Path(__file__).with_name("mappings")
DEFAULT_HEADERS = MAPPINGS / "headers.toml"
DEFAULT_LABELS = MAPPINGS / "labels.toml"
OPTIONAL_FIELDS: tuple[str, ...] = ("institution_name", "treatment_county")
LABEL_FIELDS: tuple[str, ...] = ("institution_level", "service_type", "scheme")
UNRATED = "unrated"


def _shipped_required() -> tuple[str, ...]:
    data = tomllib.loads(DEFAULT_HEADERS.read_text(encoding="utf-8"))
    return tuple(data["fields"])


FIELD_NAMES: tuple[str, ...] = _shipped_required()
"""Required schema fields, in order: the ``[fields]`` of the shipped header map."""


def _load_toml(path: Path, what: str) -> dict[str, object]:
    try:
        return tomllib.loads(Path(path).read_text(encoding="utf-8-sig"))
    except FileNotFoundError as error:
        raise InputError(f"{what} file not found", file=path) from error
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise InputError(f"not a valid TOML {what} file: {error}", file=path) from error


def _string_lists(table: object, path: Path, section: str) -> dict[str, list[str]]:
    if not isinstance(table, dict):
        raise InputError(f'[{section}] must be a table of name = ["..."] lists', file=path)
    out: dict[str, list[str]] = {}
    for key, value in table.items():
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise InputError(
                f'[{section}] {key} must be a list of text labels, e.g. {key} = ["..."]',
                file=path,
            )
        out[str(key)] = list(value)
    return out


@dataclass(frozen=True)
class HeaderMap:
    """Schema field -> the headers that mean it (in :func:`normal_key` form)."""

    fields: dict[str, tuple[str, ...]]
    sources: tuple[str, ...]

    def field_of(self, header: str) -> str | None:
        """The field a header maps to, if any."""
        key = normal_key(header)
        for name, names in self.fields.items():
            if key in names:
                return name
        return None


def load_header_map(override: str | Path | None = None) -> HeaderMap:
    """The shipped header map, with ``override``'s lists replacing the fields it names.

    Raises
    ------
    InputError
        When the override is missing, not TOML, or names an unknown field.
    """
    fields: dict[str, tuple[str, ...]] = {}
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
                    raise InputError(
                        f"[{section}] names {name!r}, which is not a schema field{hint}; "
                        f"fields: {', '.join(sorted(known))}",
                        file=path,
                    )
                fields[name] = tuple(dict.fromkeys([normal_key(name), *map(normal_key, headers)]))
        unknown_sections = set(data) - {"fields", "optional"}
        if unknown_sections:
            raise InputError(
                f"unknown section(s) {sorted(unknown_sections)}; use [fields] and [optional]",
                file=path,
            )
        if path is not DEFAULT_HEADERS:
            sources.append(str(path))
    return HeaderMap(fields, tuple(sources))


@dataclass(frozen=True)
class HeaderPlan:
    """How one file's headers map onto the schema."""

    rename: dict[str, str]  # file header -> field
    missing: dict[str, str | None]  # required field -> closest header in the file


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
    for header in headers:
        field = header_map.field_of(header)
        if field is None:
            continue
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
    return HeaderPlan(rename, missing)


def missing_message(plan: HeaderPlan) -> tuple[str, str]:
    """English and Chinese text listing the unmapped required fields with the closest header."""
    en, zh = [], []
    for field, close in plan.missing.items():
        if close is None:
            en.append(f"{field} (no similar header)")
            zh.append(f"{field}（没有相近的列名）")
        else:
            en.append(f"{field} (closest header: {close!r})")
            zh.append(f"{field}（最相近的列名：{close!r}）")
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
                    f"[{field}] is not a labelled field; use {', '.join(LABEL_FIELDS)}", file=path
                )
            for category, names in _string_lists(table, path, field).items():
                if category not in _CATEGORIES[field]:
                    raise InputError(
                        f"[{field}] {category} is not a category; use "
                        f"{', '.join(_CATEGORIES[field])}",
                        file=path,
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
            )
        key = normal_key(name)
        if key in out and out[key] != category:
            raise InputError(
                f"{name.strip()!r} is listed with two different levels", file=path, row=number
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
