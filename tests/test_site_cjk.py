"""Chinese glyphs in figures: from the pip-installed font, and never missing.

Three levels: the style resolves the CJK family to the bundled file even when the OS has
its own Noto CJK (the browser tests install one); a figure with Chinese text renders with
warnings as errors (and, as a control, the same figure without the CJK font does warn);
and the executed chapters of the built book carry no missing-glyph warning.
"""

from __future__ import annotations

import io
import json
import logging
import re
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib import font_manager  # noqa: E402
from matplotlib.ft2font import FT2Font  # noqa: E402

from analysis import paths  # noqa: E402
from analysis.plotting.style import (  # noqa: E402
    CJK_FONT_FAMILY,
    LATIN_FONT_FAMILY,
    cjk_font_path,
    use_book_style,
)
from site_helpers import is_notebook_page, toc_docnames  # noqa: E402

MISSING_GLYPH = re.compile(
    r"Glyph \d+ .*missing from (current )?font|missing from font", re.IGNORECASE
)
CHINESE_SAMPLE = "基层医疗卫生机构诊疗人次占比（%）：医保基金、县域医共体、打包付费，2017—2022年"
CJK_CHAR = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")


def _render_with(text: str, families: list[str]) -> list[str]:
    """Draw ``text`` to PNG and SVG; return every missing-glyph warning raised."""
    use_book_style()
    found: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if MISSING_GLYPH.search(record.getMessage()):
                found.append(record.getMessage())

    handler = Collect()
    logging.getLogger("matplotlib").addHandler(handler)
    try:
        with (
            warnings.catch_warnings(record=True) as caught,
            matplotlib.rc_context({"font.family": families}),
        ):
            warnings.simplefilter("always")
            fig, ax = plt.subplots()
            ax.set_title(text)
            ax.set_xlabel(text[:8])
            ax.plot([2017, 2022], [43.3, 36.9], label=text[8:20])
            ax.legend()
            for fmt in ("png", "svg"):
                fig.savefig(io.BytesIO(), format=fmt)
            plt.close(fig)
        found += [
            str(warning.message) for warning in caught if MISSING_GLYPH.search(str(warning.message))
        ]
    finally:
        logging.getLogger("matplotlib").removeHandler(handler)
    return found


def test_cjk_font_comes_from_a_pip_package() -> None:
    font = cjk_font_path()
    assert font.is_file()
    assert "site-packages" in font.parts, font
    assert not str(font).startswith(("/usr/share/fonts", "/usr/local/share/fonts"))


def test_style_resolves_cjk_family_to_the_bundled_file() -> None:
    use_book_style()
    properties = font_manager.FontProperties(family=CJK_FONT_FAMILY)
    assert font_manager.findfont(properties, fallback_to_default=False) == str(cjk_font_path())
    chain = font_manager.fontManager._find_fonts_by_props(
        font_manager.FontProperties(family=[LATIN_FONT_FAMILY, CJK_FONT_FAMILY])
    )
    assert [Path(path).name for path in chain] == ["DejaVuSans.ttf", cjk_font_path().name]


def test_chinese_text_renders_without_missing_glyphs() -> None:
    assert _render_with(CHINESE_SAMPLE, [LATIN_FONT_FAMILY, CJK_FONT_FAMILY]) == []


def test_missing_glyphs_are_detected_without_the_cjk_font() -> None:
    # Control: the check above can fail.
    assert _render_with(CHINESE_SAMPLE, [LATIN_FONT_FAMILY])


def _data_characters() -> set[str]:
    characters: set[str] = set()
    for path in paths.DATA.rglob("*"):
        if path.is_file() and path.suffix in {".csv", ".toml", ".json", ".yml", ".yaml", ".md"}:
            characters |= set(CJK_CHAR.findall(path.read_text(encoding="utf-8", errors="ignore")))
    return characters


def test_bundled_font_covers_every_chinese_character_in_the_data() -> None:
    characters = _data_characters() | set(CJK_CHAR.findall(CHINESE_SAMPLE))
    font = FT2Font(str(cjk_font_path()))
    missing = sorted(char for char in characters if font.get_char_index(ord(char)) == 0)
    assert not missing, f"characters the CJK font cannot draw: {''.join(missing)}"


def _output_texts(output: dict) -> list[str]:
    texts = []
    if output.get("output_type") == "stream":
        text = output.get("text", "")
        texts.append("".join(text) if isinstance(text, list) else text)
    for mime in ("text/plain", "text/html"):
        value = output.get("data", {}).get(mime)
        if value:
            texts.append("".join(value) if isinstance(value, list) else value)
    if output.get("output_type") == "error":
        texts.append(output.get("evalue", ""))
    return texts


@pytest.mark.book  # reads the shared full build
def test_built_chapters_have_no_missing_glyph_warnings(built_book: Path) -> None:
    executed = paths.BUILD / "jupyter_execute"
    expected = [name for name in toc_docnames() if is_notebook_page(name)]
    notebooks = {name: executed / f"{name}.ipynb" for name in expected}
    absent = [name for name, path in notebooks.items() if not path.exists()]
    assert not absent, f"no executed notebook for {absent}: the scan would miss them"
    problems = []
    for name, path in notebooks.items():
        notebook = json.loads(path.read_text(encoding="utf-8"))
        for index, cell in enumerate(notebook["cells"]):
            for output in cell.get("outputs", []):
                for text in _output_texts(output):
                    problems += [
                        f"{name} cell {index}: {line.strip()}"
                        for line in text.splitlines()
                        if MISSING_GLYPH.search(line)
                    ]
    for name in expected:
        page = (built_book / f"{name}.html").read_text(encoding="utf-8")
        problems += [f"{name}.html: {match.group(0)}" for match in MISSING_GLYPH.finditer(page)]
    assert not problems, "missing-glyph warnings in the build:\n" + "\n".join(problems)
