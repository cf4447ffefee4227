"""One deterministic figure style with Chinese glyphs from a pip-installed font.

Figures must look the same on a laptop, in CI and in Binder, so the CJK font comes from the
``mplfonts`` wheel (Noto Sans CJK SC, SIL Open Font License) rather than whatever the OS has.
Latin text uses DejaVu Sans, which ships inside matplotlib; matplotlib's per-glyph font
fallback takes 汉字 from Noto.

Examples
--------
>>> from analysis.plotting.style import use_book_style, cjk_font_path
>>> cjk_font_path().name
'NotoSansCJKsc-Regular.otf'
>>> use_book_style()
>>> import matplotlib
>>> matplotlib.rcParams["font.family"][:2]
['DejaVu Sans', 'Noto Sans CJK SC']
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

import matplotlib

CJK_FONT_FILE = "NotoSansCJKsc-Regular.otf"
CJK_FONT_FAMILY = "Noto Sans CJK SC"
# Fixed salt so SVG element ids, and therefore SVG bytes, repeat across builds.
SVG_HASH_SALT = "county-reform-compendium"


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

    font_manager.fontManager.addfont(str(cjk_font_path()))


def use_book_style() -> None:
    """Apply the compendium's figure style to matplotlib's global settings.

    Registers the CJK font, sets a Latin-then-CJK font fallback chain, strips volatile
    metadata from saved files, and fixes the SVG hash salt so repeated builds write
    byte-identical figures.
    """
    _register_cjk_font()
    matplotlib.rcParams.update(
        {
            "font.family": ["DejaVu Sans", CJK_FONT_FAMILY],
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
