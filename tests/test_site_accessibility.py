"""Accessibility of the built pages: figures, tables, language, and greyscale provenance.

Each figure a chapter draws must be a numbered ``<figure>`` with a caption and real alt text
(myst-nb falls back to the image's own path as ``alt``, which a screen reader would read
out: that counts as missing). Tables need header cells, pages a language, and the three
provenance styles must stay apart when printed in grey.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.collections import Collection  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402

from site_helpers import IMAGE_SUFFIX, article, read_soup, toc_docnames  # noqa: E402

# Smallest grey-level difference (0..1, ITU-R 601 luma) that still reads apart in print.
MIN_GREY_DIFFERENCE = 0.1


def meaningful_alt(alt: str | None, src: str) -> bool:
    """Tell whether ``alt`` describes an image rather than naming its file.

    Examples
    --------
    >>> meaningful_alt("Visit share, 2017-2024", "../_images/ab.png")
    True
    >>> meaningful_alt("../_images/ab.png", "../_images/ab.png")
    False
    >>> meaningful_alt("  ", "x.png")
    False
    """
    text = (alt or "").strip()
    return bool(text) and text != src and not IMAGE_SUFFIX.search(text) and "_images/" not in text


def figure_problems(html: Path) -> list[str]:
    """List the images of a page's content that lack a figure, caption, number or alt text."""
    soup = read_soup(html)
    problems = []
    for image in soup.find_all("img"):
        if not (image.get("alt") or "").strip():
            problems.append(f"<img src={image.get('src')}> has no alt text")
    content = article(soup)
    for image in content.find_all("img"):
        src = image.get("src", "")
        if "_static/" in src:  # theme icons (e.g. the Binder logo) are not figures
            continue
        label = src.rsplit("/", 1)[-1][:16]
        if not meaningful_alt(image.get("alt"), src):
            problems.append(f"image {label}: alt text is missing or just the file name")
        figure = image.find_parent("figure")
        caption = figure.find("figcaption") if figure else None
        if figure is None:
            problems.append(f"image {label}: not inside a <figure> (uncaptioned output?)")
        elif caption is None or not caption.get_text(strip=True):
            problems.append(f"image {label}: <figure> without a caption")
        elif caption.select_one(".caption-number") is None:
            problems.append(f"image {label}: caption is not numbered (missing :name:?)")
    return problems


def table_problems(html: Path) -> list[str]:
    """List the content tables of a page that have no header row."""
    problems = []
    for number, table in enumerate(article(read_soup(html)).find_all("table"), start=1):
        head = table.find("thead")
        if head is None or head.find("th") is None:
            first_row = table.find("tr")
            if first_row is None or first_row.find("th") is None:
                problems.append(f"table {number} has no header row")
    return problems


def test_checks_catch_an_uncaptioned_output(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(
        '<html lang="en"><body><article class="bd-article">'
        '<div class="cell_output"><img alt="../_images/ab.png" src="../_images/ab.png"></div>'
        '<figure id="fig-x"><img alt="Visit share" src="../_images/cd.png">'
        '<figcaption><p><span class="caption-number">Fig. 1 </span>Visits.</p></figcaption>'
        "</figure><table><tr><td>1</td></tr></table></article></body></html>",
        encoding="utf-8",
    )
    assert len(figure_problems(page)) == 2
    assert table_problems(page) == ["table 1 has no header row"]


@pytest.mark.book  # reads the shared full build
def test_every_figure_has_caption_number_and_alt_text(built_book: Path) -> None:
    problems = [
        f"{name}: {problem}"
        for name in toc_docnames()
        for problem in figure_problems(built_book / f"{name}.html")
    ]
    assert not problems, "\n".join(problems)


@pytest.mark.book  # reads the shared full build
def test_every_table_has_a_header_row(built_book: Path) -> None:
    problems = [
        f"{name}: {problem}"
        for name in toc_docnames()
        for problem in table_problems(built_book / f"{name}.html")
    ]
    assert not problems, "\n".join(problems)


def grey_level(colour, alpha: float | None = None) -> float:
    """Luma (0 black .. 1 white) of a colour drawn on white paper, as printed in grey.

    Transparency is composited over white, as the figure background is.

    Examples
    --------
    >>> round(grey_level("white"), 3), round(grey_level("black"), 3)
    (1.0, 0.0)
    >>> round(grey_level("black", alpha=0.5), 3)
    0.5
    """
    red, green, blue, own_alpha = to_rgba(colour)
    opacity = own_alpha * (1.0 if alpha is None else alpha)
    luma = 0.299 * red + 0.587 * green + 0.114 * blue
    return opacity * luma + (1.0 - opacity)


def _style_of(artists: list) -> dict:
    """Shape, line, fill and grey level of what one provenance helper drew."""
    for artist in artists:
        if isinstance(artist, Line2D):
            marker = artist.get_marker()
            has_line = artist.get_linestyle() not in ("None", "none", "", " ")
            face = artist.get_markerfacecolor()
            filled = (
                marker not in (None, "None", "none", "")
                and (face not in ("none", "None") and to_rgba(face)[3] > 0)
                and artist.get_fillstyle() != "none"
            )
            colour = artist.get_color() if has_line else artist.get_markeredgecolor()
            return {
                "marker": str(marker),
                "line": artist.get_linestyle() if has_line else "",
                "filled": filled,
                "grey": grey_level(colour, artist.get_alpha()),
            }
        if isinstance(artist, Collection):
            faces = artist.get_facecolors()
            edges = artist.get_edgecolors()
            filled = len(faces) > 0 and faces[0][3] > 0
            colour = faces[0] if filled else (edges[0] if len(edges) else "black")
            paths = artist.get_paths()
            shape = paths[0].vertices.round(2).tobytes().hex()[:32] if paths else ""
            styles = artist.get_linestyle()
            return {
                "marker": shape,
                "line": str(styles[0]) if styles else "",
                "filled": filled,
                "grey": grey_level(colour, artist.get_alpha()),
            }
    raise AssertionError(f"no line or marker drawn: {artists}")


def _draw_each_provenance() -> dict[str, dict]:
    from analysis.plotting import provenance

    styles = {}
    drawers = {
        "reported": lambda ax: provenance.mark_reported(
            ax, [2017, 2022], [43.3, 36.9], label="reported", source="luo2025"
        ),
        "synthetic": lambda ax: provenance.plot_synthetic(
            ax, [2017, 2018, 2019], [40.0, 39.0, 38.5]
        ),
        "assumed": lambda ax: provenance.mark_assumed(ax, [2024], [38.0], label="assumed"),
    }
    if hasattr(provenance, "mark_public"):  # optional fourth class
        drawers["public"] = lambda ax: provenance.mark_public(
            ax, [2019, 2020], [41.0, 40.0], label="public", source="yearbook"
        )
    for kind, draw in drawers.items():
        fig, ax = plt.subplots()
        before = set(ax.get_children())
        draw(ax)
        new = [artist for artist in ax.get_children() if artist not in before]
        styles[kind] = _style_of([a for a in new if isinstance(a, Line2D | Collection)])
        plt.close(fig)
    return styles


def test_provenance_styles_differ_beyond_colour() -> None:
    styles = _draw_each_provenance()
    kinds = sorted(styles)
    for index, first in enumerate(kinds):
        for second in kinds[index + 1 :]:
            a, b = styles[first], styles[second]
            shape_a = (a["marker"], a["line"], a["filled"])
            shape_b = (b["marker"], b["line"], b["filled"])
            assert shape_a != shape_b, f"{first} and {second} differ only by colour: {a} {b}"


def test_provenance_styles_differ_in_grey() -> None:
    styles = _draw_each_provenance()
    kinds = sorted(styles)
    for index, first in enumerate(kinds):
        for second in kinds[index + 1 :]:
            gap = abs(styles[first]["grey"] - styles[second]["grey"])
            assert gap >= MIN_GREY_DIFFERENCE - 1e-9, (
                f"{first} and {second} print as nearly the same grey "
                f"({styles[first]['grey']:.2f} vs {styles[second]['grey']:.2f})"
            )
