"""Command-line options generated from the spec dataclasses that the Python API takes.

A spec is a frozen dataclass (``ITSSpec``, ``DiDSpec``, ...). Each field may carry
``metadata=option(...)`` with its help text, flag, choices or a text parser; :func:`add_spec_options`
turns every field into an argparse option and :func:`spec_from_args` builds the spec back from
the parsed arguments. A new field in a spec is therefore on the command line at once, and a
test can check that no field is missing.

Also here: the one way every command turns refusals into exit codes (:func:`run_guarded`).
Every command reads its tables through the input layer, :mod:`analysis.tables`.

Examples
--------
>>> import argparse
>>> from dataclasses import dataclass, field
>>> from analysis.options import option
>>> @dataclass(frozen=True)
... class Spec:
...     outcome: str = field(metadata=option("outcome column"))
...     alpha: float = field(default=0.05, metadata=option("one minus coverage"))
...     controls: tuple[str, ...] = field(default=(), metadata=option("control columns"))
>>> parser = argparse.ArgumentParser()
>>> flags = add_spec_options(parser, Spec)
>>> flags
{'outcome': '--outcome', 'alpha': '--alpha', 'controls': '--controls'}
>>> spec_from_args(Spec, parser.parse_args(["--outcome", "y", "--controls", "a", "b"]))
Spec(outcome='y', alpha=0.05, controls=('a', 'b'))
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import types
import typing
from collections.abc import Callable
from typing import Any, Literal

from analysis.errors import (
    EXIT_INPUT_REFUSED,
    EXIT_OK,
    EXIT_USAGE,
    LANGUAGES,
    InputError,
    UsageError,
    as_flags,
    chosen_language,
    language,
    set_language,
)


def _unwrap_optional(tp: Any) -> tuple[Any, bool]:
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(args) == 1:
            return args[0], True
    return tp, False


def _to_bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in {"1", "true", "yes", "y", "on"}:
        return True
    if lowered in {"0", "false", "no", "n", "off"}:
        return False
    raise argparse.ArgumentTypeError(f"expected true or false, got {text!r}")


def _scalar_type(tp: Any) -> tuple[Callable[[str], Any] | None, tuple[str, ...] | None]:
    if typing.get_origin(tp) is Literal:
        values = typing.get_args(tp)
        return type(values[0]), tuple(str(v) for v in values)
    if tp in (int, float, str):
        return tp, None
    if tp is bool:
        return _to_bool, None
    return None, None


def spec_fields(spec_cls: type) -> list[dataclasses.Field[Any]]:
    """The fields of ``spec_cls`` that appear on the command line."""
    return [f for f in dataclasses.fields(spec_cls) if f.metadata.get("cli", True)]


def add_spec_options(
    parser: argparse.ArgumentParser, spec_cls: type, *, group_title: str | None = None
) -> dict[str, str]:
    """Add one option per field of ``spec_cls``; return field name -> flag.

    Fields without a default are required options. ``tuple[...]`` fields take one or more
    values (repeatable). ``bool`` fields take ``true``/``false``.
    """
    hints = typing.get_type_hints(spec_cls)
    target = parser.add_argument_group(group_title) if group_title else parser
    flags: dict[str, str] = {}
    for f in spec_fields(spec_cls):
        meta = dict(f.metadata)
        flag = meta.get("flag") or "--" + f.name.replace("_", "-")
        flags[f.name] = flag
        tp, optional = _unwrap_optional(hints[f.name])
        # argparse formats help with %: a literal one (e.g. "%d/%m/%Y") would crash --help
        kwargs: dict[str, Any] = {"dest": f.name, "help": meta.get("help", "").replace("%", "%%")}
        has_default = not (
            f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        )
        if typing.get_origin(tp) is tuple:
            inner = typing.get_args(tp)[0]
            convert, choices = _scalar_type(inner)
            kwargs.update(nargs="+", action="extend")
            convert = meta.get("parse") or convert
        else:
            convert, choices = _scalar_type(tp)
            convert = meta.get("parse") or convert
        if convert is None:
            raise TypeError(f"{spec_cls.__name__}.{f.name}: give option(parse=...) for type {tp}")
        kwargs["type"] = convert
        choices = meta.get("choices") or choices
        if choices:
            kwargs["choices"] = (
                list(choices) if convert in (str, None) else [convert(c) for c in choices]
            )
        if meta.get("metavar"):
            kwargs["metavar"] = meta["metavar"]
        if has_default:
            kwargs["default"] = argparse.SUPPRESS
            default = f.default if f.default is not dataclasses.MISSING else f.default_factory()
            if default not in (None, (), ""):
                shown = _show_default(default).replace("%", "%%")
                kwargs["help"] = f"{kwargs['help']} (default: {shown})"
        else:
            kwargs["required"] = True
        if optional and not has_default:
            kwargs["required"] = False
        target.add_argument(flag, **kwargs)
    return flags


def _show_default(value: Any) -> str:
    if isinstance(value, tuple):
        return " ".join(str(v) for v in value)
    return str(value)


def spec_from_args(spec_cls: type, args: argparse.Namespace, **extra: Any) -> Any:
    """Build ``spec_cls`` from parsed arguments; fields not given keep their defaults."""
    given = {f.name: getattr(args, f.name) for f in spec_fields(spec_cls) if hasattr(args, f.name)}
    for name, value in list(given.items()):
        if isinstance(value, list):
            given[name] = tuple(value)
    given.update(extra)
    return spec_cls(**given)


def add_lang_option(parser: argparse.ArgumentParser) -> None:
    """Add ``--lang zh|en`` (language of refusal messages; default from the locale)."""
    parser.add_argument(
        "--lang",
        choices=LANGUAGES,
        default=None,
        help="language of error messages: zh (中文) or en (default: from LC_ALL/LANG)",
    )


def with_source(error: InputError, source: str | os.PathLike[str] | None) -> InputError:
    """``error`` naming ``source`` when it names no file (the command's data file).

    Examples
    --------
    >>> str(with_source(InputError("'abc' is not a number", row=4, column="y"), "a.csv"))
    "a.csv: row 4, column 'y': 'abc' is not a number"
    """
    if source is not None and error.file is None:
        error.file = str(source)
        error.args = (error._located(),)
    return error


def run_guarded(
    action: Callable[[], str],
    flags: dict[str, str] | None = None,
    *,
    lang: str | None = None,
    source: str | os.PathLike[str] | None = None,
) -> int:
    """Run ``action``; print its output and return the exit code of the shared convention.

    0 done; 1 input refused (one ``error:`` line naming file, row and column); 2 usage error.
    Python argument names in messages are rewritten to ``flags``. Refusals are printed in
    ``lang`` (``zh`` or ``en``), else in the language of :func:`analysis.errors.language`
    (``--lang`` of the command, or the locale). ``source`` is the command's data file: a
    refusal that names no file is said to be about it.
    """
    flags = flags or {}
    previous = chosen_language()
    if lang is not None:
        set_language(lang)
    chosen = language()
    try:
        output = action()
    except UsageError as error:
        label = "错误" if chosen == "zh" else "error"
        print(f"{label}: {as_flags(error.localised(chosen), flags)}", file=sys.stderr)
        return EXIT_USAGE
    except InputError as error:
        text = with_source(error, source).localised(chosen).strip() or type(error).__name__
        label = "错误" if chosen == "zh" else "error"
        print(f"{label}: {as_flags(text, flags)}", file=sys.stderr)
        return EXIT_INPUT_REFUSED
    finally:
        # one command's --lang must not leak into the next call in the same process
        set_language(previous)
    if output:
        print(output)
    return EXIT_OK
