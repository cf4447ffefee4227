"""Identity: the one place where a code or a key is cleaned before it names a unit.

- :func:`normal_key`: the form in which headers and labels are compared;
- :func:`canonical_code`: the form of a county, institution or record code as written in a
  cell: Excel's text wrappers (``="420101"``) and apostrophe prefixes (``'420101``) removed,
  full-width digits folded, spaces removed, a whole number written as a float loses its
  ``.0``; scientific notation (an id Excel has rounded) gives ``None``;
- :func:`cell_code`: the same for one cell of a typed frame (numbers stored as floats too);
- :func:`admin_county`: the 6-digit county of an administrative division code written in its
  6-, 9- or 12-digit form (``420101``, ``420101000``, ``420101000000``);
- :func:`is_total_label`: a cell that names an aggregate (合计, 全县, 平均), never a unit;
- :func:`unify_codes`: one run, one form per unit. Two spellings of one county refuse the run,
  naming both forms with their files and rows, unless the user maps them; never two units.

Examples
--------
>>> canonical_code('="420101"'), canonical_code("'420101"), canonical_code(" ４２０１０１.0 ")
('420101', '420101', '420101')
>>> canonical_code("4.20101E+17") is None
True
>>> admin_county("420101000"), admin_county("420101000000"), admin_county("420101")
('420101', '420101', '420101')
>>> admin_county("420101003") is None, admin_county("A01") is None
(True, True)
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from analysis.errors import InputError

_SCIENTIFIC = re.compile(r"^[+-]?\d+(?:\.\d+)?[eE][+-]?\d+$")
_WHOLE_FLOAT = re.compile(r"^([+-]?\d+)\.0+$")
_EXCEL_TEXT = re.compile(r'^=\s*"(.*)"$')
ADMIN_LENGTHS: tuple[int, ...] = (6, 9, 12)
"""Lengths of one administrative division's code: county (6), township form (9), full
statistical division code (12); the longer forms of a county end in zeros."""


def normal_key(text: str) -> str:
    """The form headers and labels are compared in.

    Examples
    --------
    >>> normal_key(" 社区卫生服务中心（站） "), normal_key("Record ID")
    ('社区卫生服务中心(站)', 'recordid')
    """
    folded = unicodedata.normalize("NFKC", str(text))
    return "".join(folded.split()).lower()


def unwrap_cell(text: str) -> str:
    """A cell's text without Excel's text wrappers: ``="46.1"`` and ``'46.1`` give ``46.1``.

    Full-width characters are folded (NFKC) and surrounding spaces removed.

    Examples
    --------
    >>> unwrap_cell('="007"'), unwrap_cell("'46.1"), unwrap_cell("＇46.1"), unwrap_cell(" x ")
    ('007', '46.1', '46.1', 'x')
    """
    value = unicodedata.normalize("NFKC", str(text)).strip()
    match = _EXCEL_TEXT.match(value)
    if match:
        value = match.group(1).strip()
    if value[:1] in ("'", "\u2018", "\u2019"):
        value = value[1:].strip()
    return value


def canonical_code(text: str) -> str | None:
    """A code as text, or ``None`` when it is in scientific notation (refused by callers).

    Examples
    --------
    >>> canonical_code(" 420101.0 "), canonical_code("０４２"), canonical_code("4201 01")
    ('420101', '042', '420101')
    """
    value = "".join(unwrap_cell(text).split())
    if _SCIENTIFIC.match(value):
        return None
    match = _WHOLE_FLOAT.match(value)
    return match.group(1) if match else value


def cell_code(value: object, *, file: str, row: int | None, column: str) -> str:
    """The code in one typed-frame cell (``""`` when empty), refusing scientific notation.

    A float cell that is a whole number (``420101.0``, a code a spreadsheet stored as a number)
    gives its digits.

    Examples
    --------
    >>> cell_code(420101.0, file="a.csv", row=2, column="u"), cell_code("'007", file="a.csv",
    ...     row=3, column="u"), cell_code(float("nan"), file="a.csv", row=4, column="u")
    ('420101', '007', '')
    """
    if value is None or (isinstance(value, float) and value != value):
        return ""
    text = str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
    code = canonical_code(text)
    if code is None:
        raise InputError(
            f"{text!r} is in scientific notation: Excel has rounded this code; format the "
            "column as text in Excel and export again",
            file=file,
            row=row,
            column=column,
            zh=f"{text!r} 是科学计数法：Excel 已把这个编码四舍五入；请在 Excel 中将该列设为文本"
            "格式后重新导出",
        )
    return code


def admin_county(code: str) -> str | None:
    """The 6-digit county code of ``code`` in its 6-, 9- or 12-digit form, else ``None``.

    A 9- or 12-digit code names the county only when its digits after the sixth are zeros
    (``420101000``); ``420101003`` is a township, not a county, and gives ``None``.
    """
    if not code.isdigit() or len(code) not in ADMIN_LENGTHS:
        return None
    head, tail = code[:6], code[6:]
    if tail.strip("0"):
        return None
    return head


# Labels of aggregate rows and units (合计 = total, 小计 = subtotal, 全县 = the whole county,
# 平均 = average): compared in normal_key form without trailing punctuation, so "合 计",
# "合计：" and "Total" count; a label ending in 合计/总计/小计/汇总 ("门诊合计") counts too.
TOTAL_LABELS: frozenset[str] = frozenset(
    {
        "合计", "总计", "小计", "累计", "总和", "汇总", "总合计", "本页合计", "本页小计",
        "合计金额", "平均", "平均值", "均值", "全县", "全市", "全区", "全省", "全国",
        "全县合计", "全市合计", "全区合计", "全省合计", "全县总计", "全市总计",
        "total", "totals", "subtotal", "grandtotal", "sum", "average", "mean", "all", "overall",
    }
)  # fmt: skip
_TOTAL_END = re.compile(r"(合计|总计|小计|汇总)$")
TOTAL_HINT = r"计|全|均|总|(?i:total|sum|average|mean|all)"
"""A regular expression every total label matches: cells that do not are never checked."""


def is_total_label(text: object) -> bool:
    """Whether a cell names an aggregate (合计, 全县, 平均, Total ...), not one record or unit.

    Examples
    --------
    >>> is_total_label("合 计"), is_total_label(" 全市合计："), is_total_label('="Total"')
    (True, True, True)
    >>> is_total_label("门诊合计"), is_total_label("全县人民医院"), is_total_label("S0001")
    (True, False, False)
    """
    key = normal_key(unwrap_cell(str(text))).rstrip(":：.。")
    return key in TOTAL_LABELS or bool(_TOTAL_END.search(key))


@dataclass(frozen=True)
class CodeSeen:
    """Where a code was seen: for messages that name both spellings of one unit."""

    code: str
    file: str
    row: int | None = None
    column: str | None = None

    def where(self) -> str:
        """``file row N`` (or ``file``)."""
        return f"{self.file} row {self.row}" if self.row is not None else self.file

    def where_zh(self) -> str:
        """``file 第 N 行`` (or ``file``)."""
        return f"{self.file} 第 {self.row} 行" if self.row is not None else self.file


def unify_codes(
    seen: Iterable[CodeSeen],
    mapping: Mapping[str, str] | None = None,
    *,
    what: str = "county",
    fix: str = "write every file with one form of the code",
    fix_zh: str = "请把每个文件中的编码统一为一种写法",
) -> dict[str, str]:
    """Code as written -> the one code of its unit, for every code seen in one run.

    Codes are first cleaned by :func:`canonical_code`. ``mapping`` (the user's own, e.g. a
    ``--code-map``) sends a written code to a unit's code and wins. Otherwise two
    administrative forms of one county (``420101`` and ``420101000``) in one run refuse it.

    Parameters
    ----------
    seen
        Every occurrence worth naming (the first of each code per file is enough).
    mapping
        Written code -> code of the unit, supplied by the user.
    what
        The kind of unit, for the message (``county``, ``district``...).
    fix, fix_zh
        What the user can do, as the command's ``--help`` offers it (English, Chinese).

    Raises
    ------
    InputError
        When two forms of one administrative code appear without a mapping: the message
        names both forms, with the file and row of each.

    Examples
    --------
    >>> unify_codes([CodeSeen("420101", "a.csv", 2), CodeSeen("420102", "b.csv", 2)])
    {'420101': '420101', '420102': '420102'}
    >>> unify_codes([CodeSeen("420101", "a.csv", 2), CodeSeen("420101000", "b.csv", 5)])
    Traceback (most recent call last):
    ...
    analysis.errors.InputError: b.csv: row 5: county codes '420101' (a.csv row 2) and '420101000' (b.csv row 5) are two forms of one county; write every file with one form of the code
    >>> unify_codes([CodeSeen("420101", "a.csv", 2), CodeSeen("420101000", "b.csv", 5)],
    ...             mapping={"420101000": "420101"})
    {'420101': '420101', '420101000': '420101'}
    """
    mapping = {canonical_code(k) or k: canonical_code(v) or v for k, v in (mapping or {}).items()}
    first: dict[str, CodeSeen] = {}
    for item in seen:
        first.setdefault(item.code, item)
    out: dict[str, str] = {}
    by_county: dict[str, CodeSeen] = {}
    for code, item in first.items():
        if code in mapping:
            out[code] = mapping[code]
            continue
        out[code] = code
        county = admin_county(code)
        if county is None:
            continue
        other = by_county.get(county)
        if other is not None and other.code != code:
            a, b = sorted((other, item), key=lambda s: len(s.code))
            raise InputError(
                f"{what} codes {a.code!r} ({a.where()}) and {b.code!r} ({b.where()}) are two "
                f"forms of one {what}; {fix}",
                file=b.file,
                row=b.row,
                column=b.column,
                zh=f"编码 {a.code!r}（{a.where_zh()}）和 {b.code!r}（{b.where_zh()}）是同一行政区划"
                f"的两种写法，不能当作两个单位；{fix_zh}",
            )
        by_county[county] = item
    return out
