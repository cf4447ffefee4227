"""Pages stay thin: short code cells that call chapter modules, one glue-key scheme."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from analysis import paths

PAGES = sorted(p for p in paths.BOOK.rglob("*.md") if "_build" not in p.parts)
CODE_CELL = re.compile(r"```\{code-cell\}[^\n]*\n(.*?)```", re.DOTALL)
GLUE_REFERENCE = re.compile(r"\{glue:(?:text|any|md|math)?\}`([^`]+)`|```\{glue:figure\}\s+(\S+)")
KEY = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)+")
MAX_CELL_LINES = 10


def _code_lines(cell: str) -> list[str]:
    return [line for line in cell.splitlines() if line.strip() and not line.startswith(":")]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(paths.BOOK)))
def test_no_code_cell_is_longer_than_ten_lines(page: Path) -> None:
    for cell in CODE_CELL.findall(page.read_text(encoding="utf-8")):
        assert len(_code_lines(cell)) <= MAX_CELL_LINES, f"{page}: long cell\n{cell}"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(paths.BOOK)))
def test_glue_keys_follow_one_scheme(page: Path) -> None:
    keys = [
        (text or figure).split(":", 1)[0]
        for text, figure in GLUE_REFERENCE.findall(page.read_text(encoding="utf-8"))
    ]
    bad = [key for key in keys if not KEY.fullmatch(key)]
    assert not bad, f"{page}: glue keys outside the lowercase-hyphen scheme: {bad}"
    prefixes = {key.removeprefix("fig-").split("-", 1)[0] for key in keys}
    assert len(prefixes) <= 1, f"{page}: glue keys with several page prefixes: {prefixes}"


def test_the_checks_see_cells_and_keys() -> None:
    text = (paths.BOOK / "evidence" / "its_qianjiang.md").read_text(encoding="utf-8")
    assert CODE_CELL.findall(text)
    assert GLUE_REFERENCE.findall(text)
