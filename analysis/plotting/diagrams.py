"""Framework diagrams, each laid out after its own paper's structure, drawn from the crosswalk.

Every mechanism box is a row of ``data/frameworks/mechanisms.csv`` and every driver and outcome
box an item of ``data/frameworks/lenses.csv`` (see :mod:`analysis.frameworks`), so a change to
the crosswalk changes the diagram. The *arrangement* follows each paper, because the four papers
argue different shapes, and one template would misstate three of them:

* Yang et al. 2023 (co-production): a loop. The public's feedback (公众反馈调试机制) adjusts the
  service and enters the performance assessment, which acts on the service again.
* Gong & Wang 2024: the theory's idea, actors and mechanisms beside the three layers
  (托底层、基本层、补充层) that all point to one goal, health.
* Cui & Wang 2021: two parallel subsystems (服务子系统, 政策子系统) side by side, joined by the
  adjusted relations between them (power and incentives).
* Luo et al. 2025: external embedding over internal embedding, and the closed incentive loop
  预算约束—行为调节—收益反馈.

The connecting words on arrows and frames are the paper's own Chinese terms, kept in
:data:`PAPER_TERMS` with an English gloss; a test checks that each occurs verbatim in its paper.
Boxes carry a ``gid`` equal to their node id (``"mechanism:qj_value"``) and arrows a ``gid``
``"edge:<source>-><target>"``, so tests, and readers of the SVG, can find nodes and edges
(:func:`node_patches`, :func:`diagram_edges`). Kinds of box differ by line style and fill, not
colour alone, so the diagrams read in greyscale. Every text is at least :data:`FONT_SIZE` points
on a figure at most :data:`MAX_WIDTH_IN` inches wide, so it stays legible at the book's page width.

matplotlib patches are used instead of graphviz so the build needs no system binary.

Examples
--------
>>> from analysis.frameworks import load_crosswalk
>>> cw = load_crosswalk()
>>> fig = draw_framework("coproduction_g_county", cw)
>>> ("mechanism:gc_public_feedback", "process:gc_service") in diagram_edges(fig)
True
>>> bool(fig.get_figwidth() <= MAX_WIDTH_IN)
True
>>> import matplotlib.pyplot as plt; plt.close(fig)
"""

from __future__ import annotations

from matplotlib.figure import Figure

from analysis.frameworks import Crosswalk, Node, concept_map_data, load_crosswalk, short_citation
from analysis.plotting.canvas import (
    FONT_SIZE,
    KIND_NAMES,
    KIND_STYLE,
    MAX_WIDTH_IN,
    Canvas,
    bilingual,
    box_height,
    diagram_edges,
    node_patches,
    wrap_label,
)
from analysis.plotting.framework_layouts import LAYOUTS, PAPER_TERMS, Term

__all__ = [
    "FONT_SIZE",
    "KIND_NAMES",
    "KIND_STYLE",
    "LAYOUTS",
    "MAX_WIDTH_IN",
    "PAPER_TERMS",
    "Term",
    "bilingual",
    "diagram_edges",
    "draw_concept_map",
    "draw_framework",
    "node_patches",
    "wrap_label",
]


def draw_framework(lens_id: str, crosswalk: Crosswalk | None = None, **context: object) -> Figure:
    """Draw one lens's analytic framework in the shape its paper argues.

    Parameters
    ----------
    lens_id
        A ``lens_id`` of ``data/frameworks/lenses.csv``.
    crosswalk
        Loaded crosswalk; read from the registry when omitted.
    **context
        Extra data a layout can show, e.g. ``schemes`` (Gong & Wang's Table 2) for the layers.

    Returns
    -------
    matplotlib.figure.Figure
        One box per driver, mechanism and outcome (``gid`` node ids); arrows carry
        ``edge:`` gids (:func:`diagram_edges`).

    Raises
    ------
    KeyError
        For a lens id the crosswalk lacks, or one without a layout here.
    """
    cw = crosswalk or load_crosswalk()
    cw.lens(lens_id)
    if lens_id not in LAYOUTS:
        raise KeyError(f"no diagram layout for lens {lens_id!r}; add one to LAYOUTS")
    return LAYOUTS[lens_id](cw, lens_id, **context)


#: Chinese names beside the concept map's English indicator and analysis labels.
CONCEPT_MAP_ZH: dict[str, str] = {
    "indicator:visit_share": "基层诊疗人次占比",
    "indicator:admission_share": "基层住院人数占比",
    "indicator:fund_share": "基层医保基金收入占比",
    "indicator:other": "其他指标",
    "analysis:its": "间断时间序列",
    "analysis:did": "双重差分",
    "analysis:none": "本书数据无法检验",
}


def draw_concept_map(crosswalk: Crosswalk | None = None, lens_ids: tuple[str, ...] = ()) -> Figure:
    """Draw mechanisms → observable indicators → analyses, for all lenses or the ones named.

    Mechanisms are grouped by lens (headed by the lens name); each is joined to the series
    that would show it working, and each series to the analyses of this book that can test it.
    ``lens_ids`` draws a part of the map, so a page can split it into legible pieces.
    """
    cw = crosswalk or load_crosswalk()
    diagram = concept_map_data(cw)
    (_, mechs), (_, indicators), (_, analyses) = diagram.layers
    if lens_ids:
        mechs = tuple(n for n in mechs if n.group in lens_ids)
    kept = {n.node_id for n in mechs}
    edges = [(s, d) for s, d in diagram.edges if not s.startswith("mechanism:") or s in kept]
    reached = {d for s, d in edges if s in kept}
    indicators = tuple(n for n in indicators if n.node_id in reached)
    reached |= {d for s, d in edges if s in reached}
    analyses = tuple(n for n in analyses if n.node_id in reached)
    x_m, w_m, x_i, w_i, x_a, w_a = 0.1, 3.9, 4.45, 2.1, 6.85, 2.05
    c = Canvas(MAX_WIDTH_IN, "机制 → 可观测指标 → 分析\n" + diagram.title)
    names = dict(
        zip(
            cw.lenses["lens_id"],
            cw.lenses["lens_name_zh"]
            + " "
            + cw.lenses["lens_name_en"]
            + " ("
            + cw.lenses["paper_id"].map(short_citation)
            + ")",
        )
    )
    y = c.top + 0.1
    group = None
    exits: dict[str, tuple[float, float]] = {}
    for node in mechs:
        if node.group != group:
            group = node.group
            c.label(
                x_m,
                y + 0.14,
                names.get(group, group),
                ha="left",
                fontstyle="normal",
                fontsize=FONT_SIZE + 0.5,
            )
            y += 0.32
        h = c.box(node.node_id, node.kind, node.label, x_m, y, w_m)
        exits[node.node_id] = (x_m + w_m, y + h / 2)
        y += h + 0.08
    bottom = y

    def column(nodes: tuple[Node, ...], x: float, w: float) -> None:
        step = (bottom - c.top - 0.2) / max(1, len(nodes))
        for k, node in enumerate(nodes):
            text = f"{CONCEPT_MAP_ZH.get(node.node_id, '')}\n{node.label}".strip()
            h = box_height(text, w)
            c.box(node.node_id, node.kind, text, x, c.top + 0.2 + step * (k + 0.5) - h / 2, w, h)

    column(indicators, x_i, w_i)
    column(analyses, x_a, w_a)
    for src, dst in edges:
        if src not in c.patches or dst not in c.patches:
            continue
        untestable = dst.endswith((":other", ":none"))
        if src.startswith("mechanism:"):
            lw, colour, ls = (0.6, "#aaaaaa", ":") if untestable else (0.8, "#555555", "-")
            # Leave from the box's right edge, so lines run between the columns, not over boxes.
            c.arrow(
                exits[src],
                dst,
                source_id=src,
                color=colour,
                linewidth=lw,
                linestyle=ls,
                mutation_scale=9,
            )
        else:
            lw, colour, ls = (1.0, "#888888", ":") if untestable else (1.5, "#222222", "-")
            c.arrow(src, dst, color=colour, linewidth=lw, linestyle=ls, mutation_scale=11)
    end = c.legend(["mechanism", "indicator", "analysis"], bottom + 0.15)
    return c.finish(end)
