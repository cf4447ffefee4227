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
- PNGs written by the notebook (inline) backend carry a ``Software`` text chunk naming the
  matplotlib version; the inline backend is told to write none, so figure bytes (and hence
  the content-hashed file names in ``_images/``) depend on the drawing alone. Files saved
  explicitly should go through :func:`analysis.build.figures.save_figure`, which strips
  PNG, SVG and PDF metadata.

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
# PNG text chunks to leave out of inline figures (None removes matplotlib's default).
INLINE_PNG_METADATA: dict[str, str | None] = {"Software": None}
_PNG_FORMATS = {"png", "retina", "png2x"}


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


def _strip_inline_png_metadata() -> None:
    """Tell the IPython inline backend to write PNGs without version text chunks."""
    try:
        from IPython import get_ipython
    except ImportError:  # plain Python: no inline backend to configure
        return
    shell = get_ipython()
    if shell is None:
        return
    try:
        from matplotlib_inline.backend_inline import select_figure_formats
        from matplotlib_inline.config import InlineBackend
    except ImportError:
        return
    config = InlineBackend.instance(parent=shell)
    formats = set(config.figure_formats)
    # Metadata keys are format specific (SVG rejects "Software"): only touch PNG-only setups.
    if not formats or not formats <= _PNG_FORMATS:
        return
    config.print_figure_kwargs = {
        **config.print_figure_kwargs,
        "metadata": dict(INLINE_PNG_METADATA),
    }
    select_figure_formats(shell, formats, **config.print_figure_kwargs)


def use_book_style() -> None:
    """Apply the compendium's figure style to matplotlib's global settings.

    Registers the bundled CJK font (and makes it win over OS copies of the same family),
    sets a Latin-then-CJK font fallback chain, fixes the SVG hash salt and, inside a
    notebook, drops the version text chunk from inline PNGs, so that repeated builds write
    byte-identical figures on any machine.
    """
    _register_cjk_font()
    matplotlib.rcParams.update(
        {
            "font.family": [LATIN_FONT_FAMILY, CJK_FONT_FAMILY],
            "axes.unicode_minus": False,
            "figure.dpi": 100,
            "savefig.dpi": 100,
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
    _strip_inline_png_metadata()
