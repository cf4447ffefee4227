"""Money units written in headers (``医疗总费用(万元)``) or declared in a map, and exact
conversion to yuan.

A bureau's summary sheets often state amounts in 万元 (10,000 yuan) or 千元 (1,000 yuan).
Reading such a column as yuan makes every sum 10^4 times too small without any visible
error, so a unit is taken from the header (or the user's ``[units]`` section of a header
map), travels with the column, and the values are converted exactly: the decimal point is
moved, never a float multiplication.

Examples
--------
>>> split_unit("医疗总费用(万元)"), split_unit("统筹基金支付（万元）"), split_unit("total_cost_wan")
(('医疗总费用', '万元'), ('统筹基金支付', '万元'), ('total_cost', '万元'))
>>> split_unit("医疗总费用"), split_unit("金额[千元]")
(('医疗总费用', None), ('金额', '千元'))
>>> unit_factor("万元"), unit_factor(" yuan "), unit_factor("千元")
(4, 0, 3)
>>> to_yuan("1.2345", "万元"), to_yuan("-0.5", "千元"), to_yuan("12", "元")
('12345', '-500', '12')
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

from analysis.errors import InputError

# Unit -> power of ten that turns it into yuan. Keys are in normal form (NFKC, no spaces,
# lower case); each spelling names its canonical unit.
_UNITS: dict[str, tuple[str, int]] = {
    "元": ("元", 0),
    "yuan": ("元", 0),
    "cny": ("元", 0),
    "rmb": ("元", 0),
    "千元": ("千元", 3),
    "thousandyuan": ("千元", 3),
    "kyuan": ("千元", 3),
    "万元": ("万元", 4),
    "wan": ("万元", 4),
    "wanyuan": ("万元", 4),
    "10kyuan": ("万元", 4),
}
UNITS: tuple[str, ...] = ("元", "千元", "万元")
"""The canonical units, as the summary names them."""

_TOKENS = "|".join(sorted((re.escape(k) for k in _UNITS), key=len, reverse=True))
# A unit at the end of a header: in brackets, after a separator or 单位:, or glued on
# (医疗总费用万元). ASCII spellings need a separator so that e.g. "yuan" inside a word is
# not taken for a unit.
_BRACKETED = re.compile(rf"^(.*?)[(\[【{{]\s*(?:单位[:：]?)?\s*({_TOKENS})\s*[)\]】}}]$")
_SEPARATED = re.compile(rf"^(.*?)(?:[_\-/:：]|单位[:：]?)\s*({_TOKENS})$")
_GLUED = re.compile(r"^(.*?[^\s_\-/:：])(万元|千元)$")


def _normal(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", str(text)).split()).lower()


def split_unit(header: str) -> tuple[str, str | None]:
    """``(header without its unit, canonical unit)``; the unit is ``None`` when none is written.

    Examples
    --------
    >>> split_unit("费用(单位:万元)"), split_unit("fund_paid (yuan)"), split_unit("元")
    (('费用', '万元'), ('fund_paid', '元'), ('元', None))
    """
    text = unicodedata.normalize("NFKC", str(header)).strip()
    for pattern in (_BRACKETED, _SEPARATED, _GLUED):
        match = pattern.match(text) if pattern is not _SEPARATED else pattern.match(text.lower())
        if match and match.group(1).strip():
            base = text[: len(match.group(1))].strip()
            return base, _UNITS[_normal(match.group(2))][0]
    return text, None


def unit_factor(unit: str) -> int:
    """Power of ten that turns an amount in ``unit`` into yuan.

    Raises
    ------
    InputError
        When ``unit`` is not a money unit this module knows.
    """
    key = _normal(unit)
    if key not in _UNITS:
        raise InputError(
            f"{unit!r} is not a money unit; use 元, 千元 or 万元",
            zh=f"{unit!r} 不是金额单位；请用 元、千元 或 万元",
        )
    return _UNITS[key][1]


def canonical_unit(unit: str) -> str:
    """The canonical spelling (元, 千元, 万元) of a unit; see :func:`unit_factor`."""
    unit_factor(unit)
    return _UNITS[_normal(unit)][0]


def to_yuan(amount: str, unit: str) -> str:
    """A plain decimal amount in ``unit``, exactly in yuan, without trailing zeros.

    Raises
    ------
    InputError
        When ``amount`` is not a plain decimal number or ``unit`` is unknown.
    """
    try:
        value = Decimal(amount).scaleb(unit_factor(unit))
    except InvalidOperation as error:
        raise InputError(f"{amount!r} is not a number", zh=f"{amount!r} 不是数字") from error
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
