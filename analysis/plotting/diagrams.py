"""Framework diagrams drawn from the crosswalk data with plain matplotlib boxes and arrows.

Nothing here is a picture of the papers' figures: every box is a row of
``data/frameworks/*.csv`` (see :mod:`analysis.frameworks`), so a change to the crosswalk
changes the diagram. matplotlib patches are used instead of graphviz so the build needs no
system binary, and each box carries a ``gid`` equal to its node id (``"mechanism:qj_value"``)
so tests, and readers of the SVG, can find one node per mechanism.

Kinds of box are told apart by line style and fill, not colour alone, so the diagrams read in
greyscale.

Examples
--------
>>> from analysis.frameworks import load_crosswalk
>>> cw = load_crosswalk()
>>> fig = draw_concept_map(cw)
>>> n = len(node_patches(fig, "mechanism"))
>>> n == len(cw.mechanisms)
True
>>> import matplotlib.pyplot as plt; plt.close(fig)
"""

from __future__ import annotations

import unicodedata

import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Patch

from analysis.frameworks import (
    Crosswalk,
    Diagram,
    Node,
    concept_map_data,
    framework_diagram_data,
    load_crosswalk,
)
from analysis.plotting.style import use_book_style

FONT_SIZE = 7.5
LINE_HEIGHT_IN = 0.155
PAD_IN = 0.07

#: Box style per node kind: face colour, edge line style, edge width.
KIND_STYLE: dict[str, dict[str, object]] = {
    "driver": {"facecolor": "#eeeeee", "linestyle": "--", "linewidth": 0.9},
    "mechanism": {"facecolor": "#ffffff", "linestyle": "-", "linewidth": 1.4},
    "outcome": {"facecolor": "#dde8f3", "linestyle": ":", "linewidth": 1.2},
    "indicator": {"facecolor": "#f6ecd9", "linestyle": "-.", "linewidth": 1.0},
    "analysis": {"facecolor": "#dbeedd", "linestyle": "-", "linewidth": 2.0},
}
KIND_NAMES = {
    "driver": "driver (paper)",
    "mechanism": "mechanism (paper's name)",
    "outcome": "outcome claimed (paper)",
    "indicator": "observable indicator (this book)",
    "analysis": "analysis in this book",
}


def _display_width(text: str) -> float:
    """Width in 'Latin character' units: wide (CJK) characters count as two."""
    return sum(2.0 if unicodedata.east_asian_width(ch) in "WF" else 1.0 for ch in text)


def wrap_label(text: str, width_in: float, font_size: float = FONT_SIZE) -> list[str]:
    """Wrap a mixed Chinese/English label to fit a box ``width_in`` inches wide.

    Examples
    --------
    >>> wrap_label("资源嵌入 resource embedding", 0.8)
    ['资源嵌入', 'resource', 'embedding']
    """
    max_units = max(4.0, width_in * 72.0 / (font_size * 0.56))
    lines: list[str] = []
    for paragraph in text.split("\n"):
        words, current = paragraph.split(" "), ""
        for word in words:
            candidate = f"{current} {word}".strip()
            if _display_width(candidate) <= max_units or not current:
                current = candidate
            else:
                lines.append(current)
                current = word
            while _display_width(current) > max_units and len(current) > 1:
                # Chinese has no spaces: cut by display width.
                cut, units = 0, 0.0
                for i, ch in enumerate(current):
                    units += _display_width(ch)
                    if units > max_units:
                        cut = i
                        break
                lines.append(current[:cut])
                current = current[cut:]
        if current:
            lines.append(current)
    return lines or [""]


def _box(
    ax, node: Node, x: float, y: float, w: float, lines: list[str], height: float | None = None
) -> float:
    """Draw one node with its top-left corner at (x, y); return its height."""
    h = height or len(lines) * LINE_HEIGHT_IN + 2 * PAD_IN
    style = KIND_STYLE[node.kind]
    patch = FancyBboxPatch(
        (x, y - h), w, h, boxstyle="round,pad=0,rounding_size=0.05", edgecolor="#333333", **style
    )
    patch.set_gid(node.node_id)
    ax.add_patch(patch)
    ax.text(
        x + w / 2,
        y - h / 2,
        "\n".join(lines),
        ha="center",
        va="center",
        fontsize=FONT_SIZE,
        linespacing=1.15,
    )
    return h


def node_patches(fig: Figure, kind: str | None = None) -> list[FancyBboxPatch]:
    """Boxes of a diagram figure, optionally only those of one kind (by ``gid`` prefix)."""
    out = []
    for ax in fig.axes:
        for patch in ax.patches:
            gid = patch.get_gid() or ""
            if ":" in gid and (kind is None or gid.startswith(f"{kind}:")):
                out.append(patch)
    return out


def draw_diagram_bands(diagram: Diagram, width_in: float = 9.0, label_in: float = 1.35) -> Figure:
    """Draw layered nodes as horizontal bands, top to bottom, with arrows between bands."""
    use_book_style()
    gap_x, gap_y = 0.12, 0.32
    usable = width_in - label_in - 0.1
    placed: list[tuple[str, list[tuple[Node, float, list[str]]], float]] = []
    for name, nodes in diagram.layers:
        n = max(1, len(nodes))
        w = (usable - gap_x * (n - 1)) / n
        wrapped = [(node, w, wrap_label(node.label, w - 2 * PAD_IN)) for node in nodes]
        band_h = (
            max((len(lines) for _, _, lines in wrapped), default=1) * LINE_HEIGHT_IN + 2 * PAD_IN
        )
        placed.append((name, wrapped, band_h))
    title_h = 0.35
    height = title_h + sum(h for *_, h in placed) + gap_y * (len(placed) - 1) + 0.45
    fig = plt.figure(figsize=(width_in, height))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, width_in)
    ax.set_ylim(0, height)
    ax.axis("off")
    ax.text(
        width_in / 2,
        height - 0.17,
        diagram.title,
        ha="center",
        va="center",
        fontsize=FONT_SIZE + 2.5,
    )
    y = height - title_h
    for i, (name, wrapped, band_h) in enumerate(placed):
        ax.text(
            0.05,
            y - band_h / 2,
            "\n".join(wrap_label(name, label_in - 0.1)),
            ha="left",
            va="center",
            fontsize=FONT_SIZE + 0.5,
            fontstyle="italic",
        )
        x = label_in
        for node, w, lines in wrapped:
            _box(ax, node, x, y, w, lines, height=band_h)
            x += w + gap_x
        if i < len(placed) - 1:
            mid = label_in + usable / 2
            ax.add_patch(
                FancyArrowPatch(
                    (mid, y - band_h - 0.03),
                    (mid, y - band_h - gap_y + 0.03),
                    arrowstyle="-|>",
                    mutation_scale=12,
                    color="#333333",
                    linewidth=1.2,
                )
            )
        y -= band_h + gap_y
    kinds = sorted({node.kind for node in diagram.nodes}, key=list(KIND_STYLE).index)
    ax.add_artist(
        ax.legend(
            handles=[
                Patch(edgecolor="#333333", label=KIND_NAMES[k], **KIND_STYLE[k]) for k in kinds
            ],
            loc="lower center",
            ncol=len(kinds),
            fontsize=FONT_SIZE,
            frameon=False,
            handlelength=2.5,
        )
    )
    return fig


def draw_framework(lens_id: str, crosswalk: Crosswalk | None = None) -> Figure:
    """Draw one lens's analytic framework from the crosswalk: drivers, levels, outcomes.

    Parameters
    ----------
    lens_id
        A ``lens_id`` of ``data/frameworks/lenses.csv``.
    crosswalk
        Loaded crosswalk; read from the registry when omitted.

    Returns
    -------
    matplotlib.figure.Figure
        One box per driver, mechanism and outcome; boxes carry ``gid`` node ids.
    """
    cw = crosswalk or load_crosswalk()
    return draw_diagram_bands(framework_diagram_data(cw, lens_id))


def draw_concept_map(crosswalk: Crosswalk | None = None) -> Figure:
    """Draw mechanisms → observable indicators → analyses for all four lenses.

    Mechanisms are grouped by lens (headed by the lens name); each is joined to the series
    that would show it working, and each series to the analyses of this book that can test it.
    """
    use_book_style()
    cw = crosswalk or load_crosswalk()
    diagram = concept_map_data(cw)
    (_, mechs), (_, indicators), (_, analyses) = diagram.layers
    x_m, w_m, x_i, w_i, x_a, w_a = 0.1, 4.3, 5.35, 2.05, 8.1, 2.0
    width = x_a + w_a + 0.1
    names = dict(
        zip(cw.lenses["lens_id"], cw.lenses["lens_name_en"] + " (" + cw.lenses["paper_id"] + ")")
    )
    rows: list[tuple[str, object]] = []
    for node in mechs:
        if not rows or rows[-1][0] == "node" and rows[-1][1].group != node.group:
            rows.append(("header", node.group))
        rows.append(("node", node))
    row_h = [
        0.26
        if kind == "header"
        else len(wrap_label(obj.label, w_m - 2 * PAD_IN)) * LINE_HEIGHT_IN + 2 * PAD_IN + 0.06
        for kind, obj in rows
    ]
    height = sum(row_h) + 0.9
    fig = plt.figure(figsize=(width, height))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.axis("off")
    ax.text(width / 2, height - 0.2, diagram.title, ha="center", fontsize=FONT_SIZE + 2.5)
    anchors: dict[str, tuple[float, float]] = {}
    y = height - 0.45
    for (kind, obj), h in zip(rows, row_h):
        if kind == "header":
            ax.text(
                x_m,
                y - 0.15,
                names.get(obj, obj),
                fontsize=FONT_SIZE + 1,
                fontstyle="italic",
                va="center",
            )
        else:
            lines = wrap_label(obj.label, w_m - 2 * PAD_IN)
            bh = _box(ax, obj, x_m, y - 0.03, w_m, lines)
            anchors[obj.node_id] = (x_m + w_m, y - 0.03 - bh / 2)
        y -= h
    top, bottom = height - 0.6, 0.6

    def column(nodes: tuple[Node, ...], x: float, w: float) -> None:
        step = (top - bottom) / max(1, len(nodes))
        for k, node in enumerate(nodes):
            lines = wrap_label(node.label, w - 2 * PAD_IN)
            yc = top - step * (k + 0.5)
            bh = len(lines) * LINE_HEIGHT_IN + 2 * PAD_IN
            _box(ax, node, x, yc + bh / 2, w, lines)
            anchors[node.node_id + "@in"] = (x, yc)
            anchors[node.node_id] = (x + w, yc)

    column(indicators, x_i, w_i)
    column(analyses, x_a, w_a)
    for src, dst in diagram.edges:
        (x0, y0), (x1, y1) = anchors[src], anchors[dst + "@in"]
        untestable = dst.endswith((":other", ":none"))
        if src.startswith("mechanism:"):
            lw, colour, ls = (0.5, "#aaaaaa", ":") if untestable else (0.8, "#555555", "-")
        else:
            lw, colour, ls = (1.0, "#888888", ":") if untestable else (1.5, "#222222", "-")
        ax.add_patch(
            FancyArrowPatch(
                (x0, y0),
                (x1, y1),
                arrowstyle="-|>",
                mutation_scale=7,
                color=colour,
                linewidth=lw,
                linestyle=ls,
                shrinkA=0,
                shrinkB=1,
            )
        )
    ax.add_artist(
        ax.legend(
            handles=[
                Patch(edgecolor="#333333", label=KIND_NAMES[k], **KIND_STYLE[k])
                for k in ("mechanism", "indicator", "analysis")
            ],
            loc="lower center",
            ncol=3,
            fontsize=FONT_SIZE,
            frameon=False,
            handlelength=2.5,
        )
    )
    return fig
