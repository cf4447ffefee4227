"""Boxes, frames and arrows on an axes measured in inches: the drawing layer of the diagrams.

Sizes are in inches and fonts in points, so a diagram laid out here keeps every text at least
:data:`FONT_SIZE` points on a figure at most :data:`MAX_WIDTH_IN` inches wide, legible at the
book's page width. Boxes carry a ``gid`` equal to their node id and arrows a ``gid``
``"edge:<source>-><target>"`` (:func:`node_patches`, :func:`diagram_edges`).
"""

from __future__ import annotations

import re
import unicodedata

import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Patch

from analysis.plotting.style import use_book_style

#: Smallest font used anywhere in a diagram (points).
FONT_SIZE = 9.0
TITLE_SIZE = 11.0
#: Widest diagram (inches): the book's content column is about 7.5 to 9 inches wide.
MAX_WIDTH_IN = 9.0
LINE_HEIGHT_IN = 0.18
PAD_IN = 0.07

#: Box style per node kind: face colour, edge line style, edge width.
KIND_STYLE: dict[str, dict[str, object]] = {
    "driver": {"facecolor": "#eeeeee", "linestyle": "--", "linewidth": 0.9},
    "mechanism": {"facecolor": "#ffffff", "linestyle": "-", "linewidth": 1.4},
    "process": {"facecolor": "#fbf7e6", "linestyle": (0, (4, 1, 1, 1)), "linewidth": 1.1},
    "outcome": {"facecolor": "#dde8f3", "linestyle": ":", "linewidth": 1.2},
    "indicator": {"facecolor": "#f6ecd9", "linestyle": "-.", "linewidth": 1.0},
    "analysis": {"facecolor": "#dbeedd", "linestyle": "-", "linewidth": 2.0},
}
KIND_NAMES = {
    "driver": "驱动因素 driver (paper)",
    "mechanism": "机制 mechanism (paper's name)",
    "process": "过程 step the paper names",
    "outcome": "成效 outcome claimed (paper)",
    "indicator": "指标 observable indicator (this book)",
    "analysis": "分析 analysis in this book",
}


_EN_THEN_ZH = re.compile(r"^(?P<en>[^(（]+?)\s*[(（](?P<zh>[^)）]*[\u4e00-\u9fff][^)）]*)[)）]$")


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
    max_units = max(4.0, width_in * 72.0 / (font_size * 0.58))
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
                        cut = max(1, i)
                        break
                lines.append(current[:cut])
                current = current[cut:]
        if current:
            lines.append(current)
    return lines or [""]


def bilingual(text: str) -> str:
    """Put a cell's Chinese term first and its English below: "demand (需求性动因)" -> two lines.

    Examples
    --------
    >>> bilingual("demand (需求性动因)")
    '需求性动因\\ndemand'
    >>> bilingual("no Chinese here")
    'no Chinese here'
    """
    match = _EN_THEN_ZH.match(text.strip())
    return f"{match['zh']}\n{match['en']}" if match else text


def box_height(text: str, width_in: float, font_size: float = FONT_SIZE) -> float:
    """Height (inches) of a box ``width_in`` wide holding ``text`` wrapped."""
    lines = wrap_label(text, width_in - 2 * PAD_IN, font_size)
    return len(lines) * LINE_HEIGHT_IN * font_size / FONT_SIZE + 2 * PAD_IN


class Canvas:
    """An axes measured in inches from the top-left corner, for laying out boxes and arrows."""

    def __init__(self, width_in: float, title: str) -> None:
        use_book_style()
        self.width = min(width_in, MAX_WIDTH_IN)
        self.fig = plt.figure(figsize=(self.width, 4.0))
        self.ax = self.fig.add_axes((0, 0, 1, 1))
        self.ax.axis("off")
        self.patches: dict[str, FancyBboxPatch] = {}
        lines = wrap_label(title, self.width - 0.3, TITLE_SIZE)
        self.ax.text(
            self.width / 2,
            0.12,
            "\n".join(lines),
            ha="center",
            va="top",
            fontsize=TITLE_SIZE,
        )
        self.top = 0.2 + len(lines) * LINE_HEIGHT_IN * TITLE_SIZE / FONT_SIZE

    def box(
        self,
        node_id: str,
        kind: str,
        text: str,
        x: float,
        y: float,
        w: float,
        h: float | None = None,
        fontsize: float = FONT_SIZE,
    ) -> float:
        """Draw a box with its top-left corner at (x, y); return its height."""
        lines = wrap_label(text, w - 2 * PAD_IN, fontsize)
        h = h or len(lines) * LINE_HEIGHT_IN * fontsize / FONT_SIZE + 2 * PAD_IN
        patch = FancyBboxPatch(
            (x, y),
            w,
            h,
            boxstyle="round,pad=0,rounding_size=0.05",
            edgecolor="#333333",
            zorder=2,
            **KIND_STYLE[kind],
        )
        patch.set_gid(node_id)
        self.ax.add_patch(patch)
        self.patches[node_id] = patch
        self.ax.text(
            x + w / 2,
            y + h / 2,
            "\n".join(lines),
            ha="center",
            va="center",
            fontsize=fontsize,
            linespacing=1.15,
            zorder=3,
        )
        return h

    def frame(self, name: str, x: float, y: float, w: float, h: float, heading: str) -> None:
        """An unfilled rounded frame around a group, its heading inside the top edge."""
        patch = FancyBboxPatch(
            (x, y),
            w,
            h,
            boxstyle="round,pad=0,rounding_size=0.08",
            facecolor="#f7f7f7",
            edgecolor="#777777",
            linewidth=1.0,
            linestyle="-",
            zorder=0,
        )
        patch.set_gid(f"frame-{name}")
        self.ax.add_patch(patch)
        heading = "\n".join(
            line for part in heading.split("\n") for line in wrap_label(part, w - 0.2)
        )
        self.ax.text(
            x + 0.08, y + 0.06, heading, ha="left", va="top", fontsize=FONT_SIZE + 0.5, zorder=3
        )

    def label(self, x: float, y: float, text: str, ha: str = "center", **kwargs) -> None:
        """A free text (arrow or group label), on a white ground so lines do not cross it."""
        self.ax.text(
            x,
            y,
            text,
            ha=ha,
            va="center",
            fontsize=kwargs.pop("fontsize", FONT_SIZE),
            fontstyle=kwargs.pop("fontstyle", "italic"),
            bbox={"facecolor": "white", "edgecolor": "none", "pad": 1.0, "alpha": 0.9},
            zorder=4,
            **kwargs,
        )

    def _centre(self, node: str | tuple[float, float]) -> tuple[float, float]:
        if isinstance(node, tuple):
            return node
        p = self.patches[node]
        return (p.get_x() + p.get_width() / 2, p.get_y() + p.get_height() / 2)

    def arrow(
        self,
        source: str | tuple[float, float],
        target: str | tuple[float, float],
        *,
        rad: float = 0.0,
        source_id: str | None = None,
        target_id: str | None = None,
        **style,
    ) -> FancyArrowPatch:
        """An arrow between two boxes (clipped at their edges) or points; tagged with its ends."""
        props = {"arrowstyle": "-|>", "mutation_scale": 14, "color": "#333333", "linewidth": 1.3}
        props.update(style)
        arrow = FancyArrowPatch(
            self._centre(source),
            self._centre(target),
            patchA=self.patches.get(source) if isinstance(source, str) else None,
            patchB=self.patches.get(target) if isinstance(target, str) else None,
            connectionstyle=f"arc3,rad={rad}",
            shrinkA=2,
            shrinkB=2,
            zorder=1,
            **props,
        )
        src = source_id or (source if isinstance(source, str) else "point")
        dst = target_id or (target if isinstance(target, str) else "point")
        arrow.set_gid(f"edge:{src}->{dst}")
        self.ax.add_patch(arrow)
        return arrow

    def legend(self, kinds: list[str], y: float) -> float:
        """The key to box kinds, below everything else; return the new bottom."""
        order = [k for k in KIND_STYLE if k in kinds]
        per_row = 3
        self.ax.legend(
            handles=[
                Patch(edgecolor="#333333", label=KIND_NAMES[k], **KIND_STYLE[k]) for k in order
            ],
            loc="upper center",
            bbox_to_anchor=(self.width / 2, y),
            bbox_transform=self.ax.transData,
            ncol=per_row,
            fontsize=FONT_SIZE,
            frameon=False,
            handlelength=2.2,
        )
        rows = -(-len(order) // per_row)
        return y + 0.12 + rows * 0.3

    def finish(self, height: float) -> Figure:
        """Fix the figure's height so one data unit is one inch."""
        self.fig.set_size_inches(self.width, height)
        self.ax.set_xlim(0, self.width)
        self.ax.set_ylim(height, 0)
        return self.fig


def node_patches(fig: Figure, kind: str | None = None) -> list[FancyBboxPatch]:
    """Boxes of a diagram figure, optionally only those of one kind (by ``gid`` prefix)."""
    out = []
    for ax in fig.axes:
        for patch in ax.patches:
            gid = patch.get_gid() or ""
            if (
                ":" in gid
                and not gid.startswith("edge:")
                and (kind is None or gid.startswith(f"{kind}:"))
            ):
                out.append(patch)
    return out


def diagram_edges(fig: Figure) -> list[tuple[str, str]]:
    """The ``(source, target)`` node ids of every arrow of a diagram figure."""
    edges = []
    for ax in fig.axes:
        for patch in ax.patches:
            gid = patch.get_gid() or ""
            if gid.startswith("edge:"):
                source, _, target = gid.removeprefix("edge:").partition("->")
                edges.append((source, target))
    return edges
