"""Draw values so their provenance is visible: reported, public, reading, assumed or synthetic.

Each class has its own marker *and* line style (not colour alone), so a chart printed in
greyscale still shows which is which:

========== ======================== ===================== ==============================
class      marker                   line                  legend label starts with
========== ======================== ===================== ==============================
reported   filled circle, annotated none                  ``reported: ... [source]``
public     filled square            dotted                ``public: ... [source]``
reading    hollow triangle          dash-dot              ``reading: ... [source]``
assumed    hollow diamond           dashed                ``assumed: ...``
synthetic  none                     solid, thin           ``synthetic: ...``
========== ======================== ===================== ==============================

A *reading* is a value the book derives from a paper's words rather than one the paper prints
as a number: 全额 ("in full") read as 100 %, 自行承担 ("borne by the group itself") read as 0 %
shared. It keeps the paper as its source but must not look like a printed number.

Every artist drawn here is tagged with its class (``artist.get_gid() == "provenance-<class>"``),
so :func:`provenance_legend` can build a legend whose title says the chart mixes classes, and a
test can ask which classes a chart shows (:func:`provenance_classes`).

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import matplotlib.pyplot as plt
>>> fig, ax = plt.subplots()
>>> _ = plot_synthetic(ax, [2017, 2018], [40.0, 39.0], label="visit share")
>>> _ = mark_reported(ax, [2017], [43.3], label="visit share", source="Luo et al. 2025")
>>> sorted(provenance_classes(ax))
['reported', 'synthetic']
>>> [t.get_text() for t in provenance_legend(ax).get_texts()]
['synthetic: visit share', 'reported: visit share [Luo et al. 2025]']
>>> synthetic_title("Monthly visit share")
'Synthetic data — Monthly visit share'
>>> plt.close(fig)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.legend import Legend
from matplotlib.lines import Line2D

ProvenanceClass = Literal["reported", "public", "reading", "assumed", "synthetic"]
GID_PREFIX = "provenance-"
SYNTHETIC_PREFIX = "Synthetic data — "

STYLES: dict[str, dict[str, Any]] = {
    "reported": {
        "marker": "o",
        "linestyle": "none",
        "color": "black",
        "markersize": 8,
        "markerfacecolor": "black",
        "zorder": 5,
    },
    "public": {
        "marker": "s",
        "linestyle": ":",
        "color": "0.25",
        "markersize": 6,
        "markerfacecolor": "0.25",
        "zorder": 4,
    },
    "reading": {
        "marker": "^",
        "linestyle": "-.",
        "color": "0.15",
        "markersize": 8,
        "markerfacecolor": "none",
        "markeredgewidth": 1.5,
        "zorder": 5,
    },
    "assumed": {
        "marker": "D",
        "linestyle": "--",
        "color": "0.35",
        "markersize": 7,
        "markerfacecolor": "none",
        "markeredgewidth": 1.5,
        "zorder": 4,
    },
    "synthetic": {
        "marker": "",
        "linestyle": "-",
        "color": "C0",
        "linewidth": 1.2,
        "alpha": 0.9,
        "zorder": 2,
    },
}


def _tag(artist: Artist, provenance: str) -> None:
    artist.set_gid(GID_PREFIX + provenance)


def _prefixed(provenance: str, label: str) -> str:
    return label if label.lower().startswith(provenance) else f"{provenance}: {label}"


def _draw(
    ax: Axes,
    x: Sequence[Any],
    y: Sequence[float],
    provenance: str,
    label: str,
    overrides: dict[str, Any],
) -> Line2D:
    # Colour may be overridden; marker and line style may not, so classes stay distinguishable.
    style = {
        **STYLES[provenance],
        **{k: v for k, v in overrides.items() if k not in ("marker", "linestyle", "ls")},
    }
    (line,) = ax.plot(list(x), list(y), label=label, **style)
    _tag(line, provenance)
    return line


def mark_reported(
    ax: Axes,
    x: Sequence[Any],
    y: Sequence[float],
    label: str,
    source: str,
    *,
    annotate: bool = True,
    fmt: str = "{:.1f}",
    **kwargs: Any,
) -> Line2D:
    """Draw reported values as filled, labelled markers; the legend names the source.

    Parameters
    ----------
    ax
        Target axes.
    x, y
        Positions and reported values.
    label
        What the values are, e.g. "visit share, Qianjiang".
    source
        Citation shown in the legend, e.g. "Luo et al. 2025, §4.1.1".
    annotate
        Write each value next to its marker.
    fmt
        Format of the annotation.
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.plot` (not ``marker``/``linestyle``).

    Returns
    -------
    matplotlib.lines.Line2D
    """
    line = _draw(ax, x, y, "reported", f"{_prefixed('reported', label)} [{source}]", kwargs)
    if annotate:
        for xi, yi in zip(x, y):
            text = ax.annotate(
                fmt.format(yi),
                (xi, yi),
                textcoords="offset points",
                xytext=(6, 6),
                fontsize=9,
                color=line.get_color(),
            )
            _tag(text, "reported")
    return line


def mark_public(
    ax: Axes, x: Sequence[Any], y: Sequence[float], label: str, source: str, **kwargs: Any
) -> Line2D:
    """Draw values from a citable public source (squares, dotted line).

    Parameters
    ----------
    ax, x, y, label, source, **kwargs
        As for :func:`mark_reported`.

    Returns
    -------
    matplotlib.lines.Line2D
    """
    return _draw(ax, x, y, "public", f"{_prefixed('public', label)} [{source}]", kwargs)


def mark_reading(
    ax: Axes, x: Sequence[Any], y: Sequence[float], label: str, source: str, **kwargs: Any
) -> Line2D:
    """Draw the book's numeric readings of a paper's words: hollow triangles, dash-dot line.

    Parameters
    ----------
    ax, x, y, **kwargs
        As for :func:`mark_reported`.
    label
        What was read, e.g. "surplus above 10 % returned (全额 read as 100 %)".
    source
        Where the words are printed, e.g. "Luo et al. 2025, §4.1.2".

    Returns
    -------
    matplotlib.lines.Line2D
    """
    return _draw(ax, x, y, "reading", f"{_prefixed('reading', label)} [{source}]", kwargs)


def mark_assumed(
    ax: Axes, x: Sequence[Any], y: Sequence[float], label: str, **kwargs: Any
) -> Line2D:
    """Draw assumed values: hollow diamonds joined by a dashed line.

    Parameters
    ----------
    ax
        Target axes.
    x, y
        Positions and values.
    label
        What is assumed, e.g. "visit share in 2024 (year assumed)".
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.plot` (not ``marker``/``linestyle``).

    Returns
    -------
    matplotlib.lines.Line2D
    """
    return _draw(ax, x, y, "assumed", _prefixed("assumed", label), kwargs)


def plot_synthetic(
    ax: Axes, x: Sequence[Any], y: Sequence[float], label: str = "series", **kwargs: Any
) -> Line2D:
    """Draw a synthetic series as a thin solid line whose legend label says "synthetic".

    Parameters
    ----------
    ax
        Target axes.
    x, y
        Positions and values.
    label
        Series name; "synthetic: " is prefixed unless already there.
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.plot` (not ``marker``/``linestyle``).

    Returns
    -------
    matplotlib.lines.Line2D
    """
    if "synthetic" in label.lower() and not label.lower().startswith("synthetic"):
        text = label
    else:
        text = _prefixed("synthetic", label)
    return _draw(ax, x, y, "synthetic", text, kwargs)


def provenance_classes(ax: Axes) -> set[str]:
    """Provenance classes drawn on ``ax`` by the helpers of this module."""
    found = set()
    for artist in ax.get_children():
        gid = artist.get_gid() or ""
        if gid.startswith(GID_PREFIX):
            found.add(gid.removeprefix(GID_PREFIX))
    return found


def provenance_legend(ax: Axes, **kwargs: Any) -> Legend:
    """Legend of the provenance-tagged artists; its title warns when classes are mixed.

    Parameters
    ----------
    ax
        Axes drawn with this module's helpers.
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.legend`.

    Returns
    -------
    matplotlib.legend.Legend
    """
    handles = [a for a in ax.get_lines() if (a.get_gid() or "").startswith(GID_PREFIX)]
    classes = provenance_classes(ax)
    title = (
        "Provenance (mixed: " + ", ".join(c for c in STYLES if c in classes) + ")"
        if len(classes) > 1
        else "Provenance"
    )
    kwargs.setdefault("fontsize", 9)
    kwargs.setdefault("title_fontsize", 9)
    return ax.legend(
        handles=handles, labels=[h.get_label() for h in handles], title=title, **kwargs
    )


def synthetic_title(text: str) -> str:
    """Prefix a figure title so it says the data are synthetic.

    Examples
    --------
    >>> synthetic_title("Synthetic data — x")
    'Synthetic data — x'
    """
    return text if text.startswith(SYNTHETIC_PREFIX) else SYNTHETIC_PREFIX + text


def key_figure(ax: Axes) -> Legend:
    """Draw the key to every figure in the book: one legend entry per provenance class.

    The sample artists have no visible data (NaN values), so only the legend shows.

    Parameters
    ----------
    ax
        Empty axes; its frame and ticks are hidden.

    Returns
    -------
    matplotlib.legend.Legend
    """
    nothing = [float("nan"), float("nan")]
    plot_synthetic(ax, [0, 1], nothing, label="seeded generator output, never observed")
    mark_assumed(ax, [0, 1], nothing, label="stated assumption, not a measurement")
    mark_public(ax, [0, 1], nothing, label="citable public statistic", source="citation")
    mark_reading(
        ax, [0, 1], nothing, label="the book's reading of a paper's words", source="paper, section"
    )
    mark_reported(
        ax, [0, 1], nothing, label="printed in a paper", source="paper, section", annotate=False
    )
    ax.set_axis_off()
    return provenance_legend(ax, loc="center", fontsize=10, title_fontsize=10)
