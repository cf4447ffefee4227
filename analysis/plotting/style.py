"""One deterministic figure style with Chinese glyphs from a pip-installed font.

Figures must look the same on a laptop, in CI and in Binder, so the CJK font comes from the
``mplfonts`` wheel (Noto Sans CJK SC, SIL Open Font License) rather than whatever the OS has.
Latin text uses DejaVu Sans, which ships inside matplotlib; matplotlib's per-glyph font
fallback takes 汉字 from Noto.

Two things would otherwise make figures differ between machines or builds:

- An OS copy of the same family (Debian's ``fonts-noto-cjk``, which the browser tests install
  so that screenshots show 汉字) is found first by matplotlib and silently replaces the
  bundled file. :func:`use_book_style` therefore keeps only the bundled file under that
  family name, in this process.
- The notebook (inline) backend would write 100 dpi PNGs carrying a ``Software`` version
  chunk. :func:`use_book_style` switches it to SVG (:data:`BOOK_FIGURE_FORMAT`), sharp at any
  zoom, with text as glyph paths (``svg.fonttype = "path"``, so 汉字 show without the reader
  having the font) and without the ``Date`` and ``Creator`` fields, so figure bytes (and the
  content-hashed file names in ``_images/``) depend on the drawing alone. Element ids use the
  fixed :data:`SVG_HASH_SALT`. Files saved explicitly should go through
  :func:`analysis.plotting.figure_files.save_figure`, which strips PNG, SVG and PDF metadata; PNGs
  saved without an explicit dpi are written at :data:`RASTER_DPI` (twice the screen's).

Examples
--------
>>> from analysis.plotting.style import use_book_style, cjk_font_path
>>> cjk_font_path().name
'NotoSansCJKsc-Regular.otf'
>>> use_book_style()
>>> import matplotlib
>>> matplotlib.rcParams["font.family"][:2]
['DejaVu Sans', 'Noto Sans CJK SC']
>>> from matplotlib import font_manager
>>> font_manager.findfont(font_manager.FontProperties(family="Noto Sans CJK SC")) == str(
...     cjk_font_path())
True
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

import matplotlib

CJK_FONT_FILE = "NotoSansCJKsc-Regular.otf"
CJK_FONT_FAMILY = "Noto Sans CJK SC"
LATIN_FONT_FAMILY = "DejaVu Sans"
# Fixed salt so SVG element ids, and therefore SVG bytes, repeat across builds.
SVG_HASH_SALT = "county-reform-compendium"
#: Format of every figure a book page displays: vector, so no page shows a blurred raster.
BOOK_FIGURE_FORMAT = "svg"
#: Resolution of PNG files saved without an explicit dpi: twice the 100 dpi of a screen figure.
RASTER_DPI = 200
# Metadata to leave out of inline figures (None removes matplotlib's default), per format.
INLINE_METADATA: dict[str, dict[str, str | None]] = {
    "svg": {"Date": None, "Creator": None},
    "png": {"Software": None},
    "retina": {"Software": None},
}


def cjk_font_path() -> Path:
    """Return the path of the bundled Noto Sans CJK SC font file.

    Returns
    -------
    pathlib.Path
        Location of the font inside the installed ``mplfonts`` package.
    """
    return Path(str(resources.files("mplfonts") / "fonts" / CJK_FONT_FILE))


@cache
def _register_cjk_font() -> None:
    from matplotlib import font_manager

    bundled = str(cjk_font_path())
    manager = font_manager.fontManager
    # Drop OS fonts that claim the same family so the bundled file is the one used.
    manager.ttflist = [
        entry
        for entry in manager.ttflist
        if entry.name != CJK_FONT_FAMILY or entry.fname == bundled
    ]
    if not any(entry.fname == bundled for entry in manager.ttflist):
        manager.addfont(bundled)  # also clears matplotlib's font lookup cache
    else:
        manager._findfont_cached.cache_clear()


def configure_inline_figures(fmt: str = BOOK_FIGURE_FORMAT) -> bool:
    """Make a notebook display figures as ``fmt`` without dates or version strings.

    Returns whether an IPython shell was configured (``False`` in plain Python).
    """
    try:
        from IPython import get_ipython
    except ImportError:  # plain Python: no inline backend to configure
        return False
    shell = get_ipython()
    if shell is None:
        return False
    try:
        from matplotlib_inline.backend_inline import select_figure_formats
        from matplotlib_inline.config import InlineBackend
    except ImportError:
        return False
    config = InlineBackend.instance(parent=shell)
    config.figure_formats = {fmt}
    # Metadata keys are format specific (SVG rejects "Software"), hence one format only.
    config.print_figure_kwargs = {
        **config.print_figure_kwargs,
        "metadata": dict(INLINE_METADATA[fmt]),
    }
    select_figure_formats(shell, {fmt}, **config.print_figure_kwargs)
    if fmt == "svg":
        _display_svg_as_written(shell, dict(config.print_figure_kwargs))
    return True


def _display_svg_as_written(shell, kwargs: dict) -> None:
    """Display SVG text exactly as myst-nb writes it to ``_images/`` (lines joined by newline,
    no trailing one), so a built file hashes like the cell output that produced it."""
    from IPython.core.pylabtools import print_figure
    from matplotlib.figure import Figure

    def svg(fig: Figure) -> str | None:
        text = print_figure(fig, fmt="svg", **kwargs)
        return None if text is None else "\n".join(text.splitlines())

    shell.display_formatter.formatters["image/svg+xml"].for_type(Figure, svg)


def use_book_style() -> None:
    """Apply the compendium's figure style to matplotlib's global settings.

    Registers the bundled CJK font (and makes it win over OS copies of the same family),
    sets a Latin-then-CJK font fallback chain, fixes the SVG hash salt and, inside a
    notebook, displays figures as SVG without date or version, so that repeated builds write
    byte-identical, sharp figures on any machine.
    """
    _register_cjk_font()
    matplotlib.rcParams.update(
        {
            "font.family": [LATIN_FONT_FAMILY, CJK_FONT_FAMILY],
            "axes.unicode_minus": False,
            "figure.dpi": 100,
            "savefig.dpi": RASTER_DPI,
            "figure.figsize": (7.0, 4.0),
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "svg.hashsalt": SVG_HASH_SALT,
            "svg.fonttype": "path",
            "pdf.fonttype": 42,
        }
    )
    configure_inline_figures()


#: The book's content column is about 7.5 to 9 inches wide; no figure should be wider.
CONTENT_WIDTH_IN = 9.0
#: Smallest font, in points, that a figure may show at the content width.
MIN_FONT_POINTS = 9.0


def small_texts(
    fig, min_points: float = MIN_FONT_POINTS, width_in: float = CONTENT_WIDTH_IN
) -> dict[str, float]:
    """Texts of ``fig`` that would read smaller than ``min_points`` at the page's width.

    A figure wider than ``width_in`` is shrunk to fit the column, and its fonts with it.

    Returns
    -------
    dict
        The first 40 characters of each text, with its size in points as read on the page.
    """
    from matplotlib.text import Text

    fig.canvas.draw()  # tick labels exist only once drawn
    scale = min(1.0, width_in / fig.get_figwidth())
    return {
        text.get_text()[:40]: round(text.get_fontsize() * scale, 1)
        for text in fig.findobj(Text)
        if text.get_visible()
        and text.get_text().strip()
        and text.get_fontsize() * scale < min_points
    }
