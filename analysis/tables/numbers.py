"""The one rule for a numeric cell, as analysts write numbers in spreadsheets.

A cell is a number when, after :func:`analysis.tables.identity.unwrap_cell` (Excel's ``="46.1"``
and ``'46.1`` wrappers removed, full-width characters such as ``４６.１`` folded), what is left
is a plain decimal number, optionally with

- thousands separators in groups of three (``1,234.50``);
- a currency mark before or after it: ``¥``/``￥``, ``元``, ``RMB``, ``CNY`` (``RMB 1234.50``,
  ``CNY 1,234.50``, ``1,234.50元``). Scaled money units (``万元``, ``千元``) are *not* numbers
  here: reading ``1.5万元`` as 1.5 would be wrong by 10,000;
- a trailing percent sign (``45.3%``): the value is the number as written (45.3) and the cell
  is on the percent scale, which :func:`parse_number` reports so the column can be recorded.

Anything else (``abc``, ``NaN``, ``inf``, ``1,23``, ``--``) is not a number, and refusals say
so in those words (``'abc' is not a number``), never "missing".

Examples
--------
>>> [parse_number(t).value for t in ("'46.1", '="46.1"', "４６.１", "RMB 1234.50", "CNY 1,234.50")]
[46.1, 46.1, 46.1, 1234.5, 1234.5]
>>> parse_number("45.3%")
Number(value=45.3, percent=True, plain='45.3')
>>> parse_number("abc") is None, parse_number("1.5万元") is None, parse_number("nan") is None
(True, True, True)
>>> not_a_number("abc")
"'abc' is not a number"
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from analysis.tables.identity import unwrap_cell

_CURRENCY = r"(?:¥|元|RMB|CNY|人民币)"
_PLAIN = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")
_GROUPED = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
_BEFORE = re.compile(rf"^{_CURRENCY}\s*", re.IGNORECASE)
_AFTER = re.compile(rf"\s*{_CURRENCY}$", re.IGNORECASE)


@dataclass(frozen=True)
class Number:
    """A cell read as a number: its value as written, and whether it carried ``%``."""

    value: float
    percent: bool = False
    plain: str = ""
    """The number as plain text (``1234.50`` for ``¥1,234.50``), for exact integer reading."""


def parse_number(cell: object) -> Number | None:
    """The number a cell holds, or ``None`` when it holds none (see the module rule).

    Numbers that are already numbers (not text) are returned as they are, when finite.

    Examples
    --------
    >>> [parse_number(t).plain for t in ("1,234", "¥ -12.5", "12.5 元", "＋３")]
    ['1234', '-12.5', '12.5', '+3']
    >>> parse_number("1,23") is None, parse_number("") is None, parse_number("5%%") is None
    (True, True, True)
    """
    if isinstance(cell, bool):
        return None
    if isinstance(cell, (int, float)):
        return Number(float(cell), plain=str(cell)) if math.isfinite(float(cell)) else None
    text = unwrap_cell(str(cell))
    percent = text.endswith("%")
    if percent:
        text = text[:-1].rstrip()
    if not percent:
        stripped = _AFTER.sub("", _BEFORE.sub("", text))
        # a currency mark on both sides (¥12元) is a typo, not a format
        if stripped != text and (_BEFORE.search(stripped) or _AFTER.search(stripped)):
            return None
        text = stripped
    if _GROUPED.match(text):
        text = text.replace(",", "")
    if not _PLAIN.match(text):
        return None
    value = float(text)
    return Number(value, percent, text) if math.isfinite(value) else None


def not_a_number(cell: object) -> str:
    """The words of a refusal for a cell that is not a number (the cell quoted as written)."""
    return f"{str(cell).strip()!r} is not a number"


def not_a_number_zh(cell: object) -> str:
    """:func:`not_a_number` in Chinese."""
    return f"{str(cell).strip()!r} 不是数字"
