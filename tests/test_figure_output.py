"""Figures as the book displays them: SVG (or a 2x PNG), never a 100 dpi raster, and
byte-identical between two displays. A page's figures go through IPython's display formatter
(myst-nb's ``glue`` calls it), so the test drives that formatter the way a kernel does."""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib
import pytest

from analysis.plotting.figure_files import is_sharp, png_pixel_size

matplotlib.use("module://matplotlib_inline.backend_inline")
import matplotlib.pyplot as plt  # noqa: E402
from IPython.core.interactiveshell import InteractiveShell  # noqa: E402

from analysis.plotting import style  # noqa: E402


@pytest.fixture(scope="module")
def shell() -> InteractiveShell:
    return InteractiveShell.instance()


@pytest.fixture(autouse=True)
def _book_style(shell):
    style.use_book_style()
    yield
    style.configure_inline_figures()  # leave the book's format behind, whatever a test set
    plt.close("all")


def _figure():
    fig, ax = plt.subplots(figsize=(9.0, 4.0))
    ax.plot(
        [2017, 2022], [43.3, 36.9], marker="o", label="基层医疗卫生机构诊疗人次占比 visit share"
    )
    ax.set_title("黔江 Qianjiang")
    ax.legend()
    return fig


def test_book_figures_display_as_svg(shell):
    fig = _figure()
    bundle, _ = shell.display_formatter.format(fig)
    assert "image/svg+xml" in bundle and "image/png" not in bundle
    assert is_sharp(bundle, fig.get_figwidth())


def test_svg_has_no_date_or_version_and_repeats(shell):
    fig = _figure()
    first, _ = shell.display_formatter.format(fig)
    second, _ = shell.display_formatter.format(fig)
    svg = first["image/svg+xml"]
    assert "<dc:date>" not in svg and "Matplotlib v" not in svg
    assert first["image/svg+xml"] == second["image/svg+xml"]


def test_svg_output_is_what_myst_nb_writes(shell):
    # myst-nb writes os.linesep.join(svg.splitlines()) to _images/; the cell output must match
    # byte for byte, or the built image would look like one no cell produced.
    bundle, _ = shell.display_formatter.format(_figure())
    svg = bundle["image/svg+xml"]
    assert svg == "\n".join(svg.splitlines()) and svg.rstrip().endswith("</svg>")


def test_chinese_is_drawn_as_glyph_paths(shell):
    # Text as paths: 汉字 show in an <img> without the reader having a CJK font.
    bundle, _ = shell.display_formatter.format(_figure())
    svg = bundle["image/svg+xml"]
    assert "<text" not in svg and "<path" in svg


def test_a_100_dpi_png_is_not_sharp(shell):
    # Control: what the book displayed before fails the check.
    assert style.configure_inline_figures("png")
    with matplotlib.rc_context({"figure.dpi": 100}):
        fig = _figure()
        bundle, _ = shell.display_formatter.format(fig)
    assert "image/png" in bundle and "image/svg+xml" not in bundle
    assert not is_sharp(bundle, fig.get_figwidth())


def test_a_2x_png_is_sharp():
    fig = _figure()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")  # savefig.dpi is the book's raster dpi
    width, _ = png_pixel_size(buffer.getvalue())
    assert width == fig.get_figwidth() * style.RASTER_DPI
    assert is_sharp({"image/png": buffer.getvalue()}, fig.get_figwidth())


@pytest.mark.book  # reads the shared full build
def test_built_figures_are_svg_without_dates(built_book: Path) -> None:
    images = built_book / "_images"
    svgs = sorted(images.glob("*.svg")) if images.exists() else []
    assert svgs, "no SVG figure in the built book"
    dated = [p.name for p in svgs if b"<dc:date>" in p.read_bytes()]
    assert not dated, f"built SVG figures carry a date: {dated}"


DRAW_DIAGRAM = r"""
import sys
import matplotlib
matplotlib.use("module://matplotlib_inline.backend_inline")
from IPython.core.interactiveshell import InteractiveShell
from analysis.plotting.diagrams import draw_framework

shell = InteractiveShell.instance()
fig = draw_framework("coproduction_g_county")  # applies the book style itself
bundle, _ = shell.display_formatter.format(fig)
sys.stdout.write(bundle["image/svg+xml"])
"""


def test_a_diagram_gives_the_same_svg_in_two_processes() -> None:
    import os
    import subprocess
    import sys

    def draw(seed: str) -> str:
        env = {**os.environ, "PYTHONHASHSEED": seed}
        run = subprocess.run(
            [sys.executable, "-c", DRAW_DIAGRAM],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        return run.stdout

    first, second = draw("1"), draw("2")
    assert first.startswith("<?xml") and 'id="' in first
    assert first == second
