"""The one exception family for refused input, shared by every engine and command.

Every engine raises a subclass of :class:`InputError` when the data or arguments it was given
cannot produce a right answer, so callers can tell a refusal from a bug. The command line turns
an :class:`InputError` into one ``error:`` line and exit status 1, a :class:`UsageError` into
exit status 2, and lets anything else surface as the bug it is.

Messages use the caller's vocabulary: Python argument names in the API (``outcome='visits'``),
and the command line rewrites them to its flags (``--outcome``) through :func:`as_flags`.

Examples
--------
>>> str(InputError("value -3 is below 0", file="a.csv", row=4, column="visits"))
"a.csv: row 4, column 'visits': value -3 is below 0"
>>> str(InputError("no rows"))
'no rows'
>>> issubclass(UsageError, InputError)
False

Messages for input errors come in English and Chinese (``--lang zh|en``; the default follows
the locale: ``LC_ALL``, ``LC_MESSAGES`` or ``LANG`` starting with ``zh`` gives Chinese). The
location prefix is always translated; a message raised with ``zh=`` text shows that text in
Chinese (the settlement pipeline's messages all carry it), others stay in English.

>>> InputError("value -3 is below 0", file="a.csv", row=4, column="visits",
...            zh="数值 -3 小于 0").localised("zh")
"文件 a.csv，第 4 行，列 'visits'：数值 -3 小于 0"
"""

from __future__ import annotations

import os
import re
from pathlib import Path

EXIT_OK = 0
EXIT_INPUT_REFUSED = 1
EXIT_USAGE = 2


class InputError(ValueError):
    """Input that cannot give a right answer: the message says where and what to do.

    Parameters
    ----------
    message
        What is wrong, in words the data owner can act on.
    file, row, column
        Where, when known. ``row`` is the row number as a spreadsheet shows it (header = 1).
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        row: int | None = None,
        column: str | None = None,
        zh: str | None = None,
    ) -> None:
        self.message = message
        self.message_zh = zh
        self.file = None if file is None else str(file)
        self.row = row
        self.column = column
        super().__init__(self._located())

    def _located(self) -> str:
        return locate(self.message, self.file, self.row, self.column, "en")

    def localised(self, lang: str | None = None) -> str:
        """The message in ``lang`` (``"zh"`` or ``"en"``; default :func:`language`)."""
        lang = lang or language()
        if lang != "zh":
            return str(self)
        message = self.message_zh or self.message
        if self.file is None and self.row is None and self.column is None:
            return message if self.message_zh else translate_located(str(self))
        return locate(message, self.file, self.row, self.column, "zh")


LANGUAGES = ("zh", "en")
_language: str | None = None


def set_language(lang: str | None) -> None:
    """Choose the language of refusal messages (``None``: back to the locale's)."""
    global _language
    if lang is not None and lang not in LANGUAGES:
        raise UsageError(
            f"--lang {lang!r}: choose zh or en", zh=f"--lang {lang!r}：请选择 zh 或 en"
        )
    _language = lang


def chosen_language() -> str | None:
    """The language set by :func:`set_language`, or ``None`` when the locale decides."""
    return _language


def language() -> str:
    """``"zh"`` or ``"en"``: the one set, else from ``LC_ALL``/``LC_MESSAGES``/``LANG``.

    Examples
    --------
    >>> import os
    >>> old = os.environ.get("LC_ALL")
    >>> os.environ["LC_ALL"] = "zh_CN.UTF-8"; language()
    'zh'
    >>> os.environ["LC_ALL"] = "C.UTF-8"; language()
    'en'
    >>> _ = os.environ.pop("LC_ALL") if old is None else os.environ.update(LC_ALL=old)
    """
    if _language is not None:
        return _language
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name)
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


def locate(
    message: str,
    file: str | None,
    row: int | None,
    column: str | None,
    lang: str = "en",
) -> str:
    """``message`` with its location prefix in ``lang``.

    Examples
    --------
    >>> locate("bad", "a.csv", 3, "x", "en"), locate("坏", "a.csv", 3, None, "zh")
    ("a.csv: row 3, column 'x': bad", '文件 a.csv，第 3 行：坏')
    """
    where = []
    if lang == "zh":
        if row is not None:
            where.append(f"第 {row} 行")
        if column is not None:
            where.append(f"列 {column!r}")
        prefix = "，".join(where)
        if file is not None:
            prefix = f"文件 {file}，{prefix}" if prefix else f"文件 {file}"
        return f"{prefix}：{message}" if prefix else message
    if row is not None:
        where.append(f"row {row}")
    if column is not None:
        where.append(f"column {column!r}")
    prefix = ", ".join(where)
    if file is not None:
        prefix = f"{file}: {prefix}" if prefix else file
    return f"{prefix}: {message}" if prefix else message


_LOCATED_LINE = re.compile(
    r"^(?P<file>[^\n:]+?): (?:row (?P<row>\d+))?(?:, )?"
    r"(?:column (?P<column>'[^']*'))?: (?P<message>.*)$"
)


def translate_located(text: str) -> str:
    """Translate the location prefixes of English ``FILE: row N, column 'C': ...`` lines.

    Used for messages that were joined before reaching the command line (the validator's
    problem lists). The message after the prefix stays as written.

    Examples
    --------
    >>> translate_located("a.csv: row 4, column 'visits': value -3 is below 0")
    "文件 a.csv，第 4 行，列 'visits'：value -3 is below 0"
    """
    out = []
    for line in text.splitlines():
        match = _LOCATED_LINE.match(line)
        if match and (match.group("row") or match.group("column")):
            column = match.group("column")
            out.append(
                locate(
                    match.group("message"),
                    match.group("file"),
                    int(match.group("row")) if match.group("row") else None,
                    column[1:-1] if column else None,
                    "zh",
                )
            )
        else:
            out.append(line)
    return "\n".join(out)


class UsageError(Exception):
    """Arguments that contradict each other or name nothing (exit status 2 on the CLI).

    Parameters
    ----------
    message
        What is wrong with the arguments, in English.
    zh
        The same in Simplified Chinese, printed under ``--lang zh`` (:meth:`localised`).

    Examples
    --------
    >>> error = UsageError("--leads 1: honest needs at least 2", zh="--leads 1：honest 至少需要 2")
    >>> str(error), error.localised("zh"), error.localised("en")
    ('--leads 1: honest needs at least 2', '--leads 1：honest 至少需要 2', '--leads 1: honest needs at least 2')
    """

    def __init__(self, message: str, *, zh: str | None = None) -> None:
        self.message = message
        self.message_zh = zh
        super().__init__(message)

    def localised(self, lang: str | None = None) -> str:
        """The message in ``lang`` (``"zh"`` or ``"en"``; default :func:`language`); English
        when no Chinese text was given."""
        lang = lang or language()
        return self.message_zh if (lang == "zh" and self.message_zh) else self.message


_ARGUMENT = re.compile(r"\b([a-z][a-z0-9_]*)= ?")


def as_flags(message: str, arguments: dict[str, str]) -> str:
    """Rewrite ``name=`` mentions of Python arguments into the command line's flags.

    Parameters
    ----------
    message
        A message written with Python argument names.
    arguments
        Python argument name -> flag, e.g. ``{"first_treated": "--first-treated"}``.

    Examples
    --------
    >>> as_flags("first_treated='g' is not a column", {"first_treated": "--first-treated"})
    "--first-treated 'g' is not a column"
    >>> as_flags("partial_year= is for annual panels", {"partial_year": "--partial-year"})
    '--partial-year is for annual panels'
    """

    def swap(match: re.Match[str]) -> str:
        name = match.group(1)
        return f"{arguments[name]} " if name in arguments else match.group(0)

    return _ARGUMENT.sub(swap, message)
