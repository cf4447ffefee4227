"""One diagram layout per paper: the shape each framework argues, filled from the crosswalk.

The connecting words on arrows and frames are the paper's own Chinese terms, kept in
:data:`PAPER_TERMS` with an English gloss; a test checks that each occurs verbatim in its
paper. Each layout refuses a crosswalk that lacks a row it places by name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
from matplotlib.figure import Figure

from analysis.frameworks import Crosswalk, short_citation, split_cell
from analysis.plotting.canvas import (
    FONT_SIZE,
    MAX_WIDTH_IN,
    Canvas,
    bilingual,
    box_height,
)


@dataclass(frozen=True)
class Term:
    """A connecting term of a paper's framework: verbatim Chinese and an English gloss."""

    paper_id: str
    zh: str
    en: str

    @property
    def label(self) -> str:
        return f"{self.zh}\n{self.en}"


#: The papers' own words for the parts of each framework that are not crosswalk rows.
#: ``…`` joins two verbatim fragments of one sentence.
PAPER_TERMS: dict[str, Term] = {
    "gc_process": Term(
        "yang2023", "动态、互动的共同生产过程", "a dynamic, interactive co-production process"
    ),
    "gc_service": Term("yang2023", "医保经办服务一体化", "integrated insurance handling service"),
    "gc_adjust": Term("yang2023", "策略调整和服务优化", "adjusts strategy and service"),
    "gc_assess": Term(
        "yang2023", "公众满意度作为…考核的重要参照指标", "satisfaction enters the assessment"
    ),
    "gc_iterate": Term("yang2023", "渐进式迭代", "iterative upgrades"),
    "ml_theory": Term("gong2024", "治理理念、治理主体和治理机制", "idea, actors, mechanisms"),
    "ml_mechanism": Term("gong2024", "四个维度", "four dimensions of the mechanism"),
    "ml_goal": Term("gong2024", "共同指向“健康”这一整体目标", "all point to one goal: health"),
    "ml_redefine": Term("gong2024", "重新厘定", "redefines the layers"),
    "ml_supplementary": Term("gong2024", "补充层", "supplementary layer"),
    "ml_basic": Term("gong2024", "基本层", "basic layer"),
    "ml_floor": Term("gong2024", "托底层", "safety-net layer"),
    "ah_service": Term("cui2021", "服务子系统", "service subsystem"),
    "ah_policy": Term("cui2021", "政策子系统", "policy subsystem"),
    "ah_service_how": Term("cui2021", "整合机制", "integration, vertical"),
    "ah_policy_how": Term("cui2021", "协调机制", "coordination, horizontal"),
    "ah_relations": Term("cui2021", "政策子系统与服务子系统的关系调整", "relations adjusted"),
    "ah_progressive": Term("cui2021", "互相递进", "each step builds on the last"),
    "ah_embedded": Term("cui2021", "互相嵌入并支撑", "mutually supporting"),
    "ah_delegate": Term("cui2021", "让渡", "powers delegated"),
    "ah_supervise": Term("cui2021", "加强监管", "supervision"),
    "ah_bundle": Term("cui2021", "打包支付", "bundled payment"),
    "qj_external": Term("luo2025", "外部嵌入", "external embedding"),
    "qj_internal": Term("luo2025", "内部嵌入", "internal embedding"),
    "qj_trinity": Term("luo2025", "价值理念—社会结构—制度环境", "value, structure, institutions"),
    "qj_loop": Term("luo2025", "预算约束—行为调节—收益反馈", "the closed incentive loop"),
    "qj_behaviour": Term("luo2025", "行为调节", "behaviour adjustment"),
    "qj_tradeoff": Term(
        "luo2025", "在成本控制与拓展服务之间作出理性权衡", "cost control vs more services"
    ),
    "qj_returns": Term("luo2025", "收益反馈", "returns fed back"),
    "qj_threshold": Term("luo2025", "最低门槛", "minimum threshold"),
}


def _title(cw: Crosswalk, lens_id: str) -> str:
    lens = cw.lens(lens_id)
    return f"{lens['lens_name_zh']} {lens['lens_name_en']} ({short_citation(lens['paper_id'])})"


def _items(lens: pd.Series, column: str) -> list[str]:
    """A lens's drivers or outcomes; Chinese from a ``<column>_zh`` cell when the data has one."""
    english = split_cell(lens[column])
    chinese = split_cell(lens.get(f"{column}_zh", ""))
    if not chinese:
        return [bilingual(item) for item in english]
    if len(chinese) != len(english):
        raise ValueError(
            f"data/frameworks/lenses.csv, lens {lens['lens_id']}: {column}_zh has "
            f"{len(chinese)} items but {column} has {len(english)}; give one Chinese phrase per "
            f"English item, in the same order, or leave {column}_zh empty"
        )
    # An English item may already carry its Chinese term, "demand (需求性动因)": show it once.
    return [f"{zh}\n{bilingual(en).splitlines()[-1]}" for zh, en in zip(chinese, english)]


def _mechanisms(cw: Crosswalk, lens_id: str, *needed: str) -> dict[str, pd.Series]:
    """A lens's mechanisms by id; refuse when a row the layout places by name is missing."""
    rows = {r["mechanism_id"]: r for _, r in cw.mechanisms_of(lens_id).iterrows()}
    missing = [m for m in needed if m not in rows]
    if missing:
        raise KeyError(
            f"{lens_id}: data/frameworks/mechanisms.csv lacks {missing}, which the diagram "
            "layout in analysis/plotting/diagrams.py places by name"
        )
    return rows


def _by_level(m: dict[str, pd.Series], lens_id: str, *levels: str) -> list[list[str]]:
    """Mechanism ids of each named level; refuse a level the layout needs but the data lacks."""
    found = [[k for k, r in m.items() if r["level"] == level] for level in levels]
    empty = [level for level, ids in zip(levels, found) if not ids]
    if empty:
        raise KeyError(
            f"{lens_id}: data/frameworks/mechanisms.csv has no mechanism at level {empty}, "
            "which the diagram layout in analysis/plotting/diagrams.py draws"
        )
    return found


def _mech_label(row: pd.Series) -> str:
    return f"{row['mechanism_zh']}\n{row['mechanism_en']}"


def _row_of_boxes(
    c: Canvas, ids: list[str], kind: str, texts: list[str], y: float, x0: float, x1: float
) -> float:
    """Boxes of equal height across [x0, x1] at top y; return the row height."""
    gap = 0.12
    n = max(1, len(ids))
    w = (x1 - x0 - gap * (n - 1)) / n
    h = max((box_height(t, w) for t in texts), default=0.3)
    for i, (node_id, text) in enumerate(zip(ids, texts)):
        c.box(node_id, kind, text, x0 + i * (w + gap), y, w, h)
    return h


#: Most driver or outcome boxes side by side: with more, a Chinese phrase of ten characters
#: no longer fits on one line of a box at page width and breaks mid-word.
MAX_ITEMS_PER_ROW = 4


def _rows_of_items(c: Canvas, ids: list[str], kind: str, texts: list[str], y: float) -> float:
    """Driver or outcome boxes in balanced rows of at most four; return the total height."""
    n_rows = -(-len(ids) // MAX_ITEMS_PER_ROW) or 1
    per_row = -(-len(ids) // n_rows) or 1
    top = y
    for start in range(0, max(1, len(ids)), per_row):
        row = slice(start, start + per_row)
        top += _row_of_boxes(c, ids[row], kind, texts[row], top, 0.1, c.width - 0.1) + 0.12
    return top - y - 0.12


def _drivers(c: Canvas, lens: pd.Series, y: float, heading: str) -> float:
    texts = _items(lens, "drivers")
    ids = [f"driver:{i}" for i in range(len(texts))]
    c.label(0.1, y + 0.12, heading, ha="left", fontstyle="normal", fontsize=FONT_SIZE + 0.5)
    h = _rows_of_items(c, ids, "driver", texts, y + 0.28)
    return y + 0.28 + h


def _outcomes(c: Canvas, lens: pd.Series, y: float, heading: str) -> tuple[float, list[str]]:
    texts = _items(lens, "outcomes_claimed")
    ids = [f"outcome:{i}" for i in range(len(texts))]
    c.label(0.1, y + 0.12, heading, ha="left", fontstyle="normal", fontsize=FONT_SIZE + 0.5)
    h = _rows_of_items(c, ids, "outcome", texts, y + 0.28)
    return y + 0.28 + h, ids


# --------------------------------------------------------------------------- one layout per paper


def _coproduction(cw: Crosswalk, lens_id: str, **_: object) -> Figure:
    needed = ("gc_value_goal", "gc_multi_party", "gc_performance_incentive", "gc_public_feedback")
    lens, m = cw.lens(lens_id), _mechanisms(cw, lens_id, *needed, "gc_technology")
    t = PAPER_TERMS
    c = Canvas(MAX_WIDTH_IN, _title(cw, lens_id))
    y = _drivers(c, lens, c.top, "动因 drivers (paper)")
    # The loop: structure produces the service, the public's feedback adjusts it and enters the
    # assessment, whose incentive acts on the service again.
    top = y + 0.45
    row1 = top + 1.15  # room inside the frame for the feedback arc over the top row
    w = 1.95
    xs = [0.3, 2.45, 4.6, 6.75]
    idea, struct = "mechanism:gc_value_goal", "mechanism:gc_multi_party"
    service, feedback = "process:gc_service", "mechanism:gc_public_feedback"
    h1 = max(
        box_height(_mech_label(m["gc_value_goal"]), w),
        box_height(_mech_label(m["gc_multi_party"]), w),
        box_height(t["gc_service"].label, w),
        box_height(_mech_label(m["gc_public_feedback"]), w),
    )
    c.box(idea, "mechanism", _mech_label(m["gc_value_goal"]), xs[0], row1, w, h1)
    c.box(struct, "mechanism", _mech_label(m["gc_multi_party"]), xs[1], row1, w, h1)
    c.box(service, "process", t["gc_service"].label, xs[2], row1, w, h1)
    c.box(feedback, "mechanism", _mech_label(m["gc_public_feedback"]), xs[3], row1, w, h1)
    row2 = row1 + h1 + 1.25
    perf, tech = "mechanism:gc_performance_incentive", "mechanism:gc_technology"
    h2 = max(
        box_height(_mech_label(m[k]), w) for k in ("gc_performance_incentive", "gc_technology")
    )
    c.box(perf, "mechanism", _mech_label(m["gc_performance_incentive"]), xs[1] + 1.0, row2, w, h2)
    c.box(tech, "mechanism", _mech_label(m["gc_technology"]), xs[0] + 0.2, row2, w, h2)
    c.arrow((c.width / 2, y), (c.width / 2, top), source_id="drivers", target_id="frame:process")
    c.arrow(idea, struct)
    c.arrow(struct, service)
    c.arrow(service, feedback)
    c.arrow(feedback, service, rad=0.9, linestyle="--")
    c.label(xs[3] - 0.1, row1 - 0.55, t["gc_adjust"].label)
    c.arrow(feedback, perf, rad=-0.25, linestyle="--")
    c.label(xs[3] + w / 2 - 0.1, row2 + 0.15, t["gc_assess"].label)
    c.arrow(perf, service)
    c.arrow(tech, service)
    c.label(xs[0] + w / 2 + 0.2, row2 - 0.35, t["gc_iterate"].label)
    frame_h = row2 + h2 + 0.45 - top
    c.frame(
        "process", 0.1, top, c.width - 0.2, frame_h, f"{t['gc_process'].zh} {t['gc_process'].en}"
    )
    bottom, _ = _outcomes(c, lens, top + frame_h + 0.3, "成效 outcomes claimed (paper)")
    c.arrow(
        (c.width / 2, top + frame_h),
        (c.width / 2, top + frame_h + 0.35),
        source_id="frame:process",
        target_id="outcomes",
    )
    end = c.legend(["driver", "mechanism", "process", "outcome"], bottom + 0.1)
    return c.finish(end)


def _multilevel(cw: Crosswalk, lens_id: str, schemes: pd.DataFrame | None = None, **_) -> Figure:
    lens, m = (
        cw.lens(lens_id),
        _mechanisms(cw, lens_id, "ml_holistic_idea", "ml_multi_actor", "ml_layering"),
    )
    t = PAPER_TERMS
    c = Canvas(MAX_WIDTH_IN, _title(cw, lens_id))
    y = _drivers(c, lens, c.top, "背景 drivers (paper)") + 0.45
    # Left: the theory (idea, actors, four mechanism dimensions). Right: the three layers.
    left_w, right_x = 4.0, 4.6
    right_w = c.width - right_x - 0.1
    dims = [k for k, r in m.items() if r["level"] == "mechanism"]
    h_idea = box_height(_mech_label(m["ml_holistic_idea"]), left_w - 0.3)
    h_actor = box_height(_mech_label(m["ml_multi_actor"]), left_w - 0.3)
    dim_w = (left_w - 0.3 - 0.12) / 2
    h_dim = max(box_height(_mech_label(m[k]), dim_w) for k in dims)
    rows_dim = -(-len(dims) // 2)
    left_h = 0.45 + h_idea + 0.3 + h_actor + 0.55 + rows_dim * (h_dim + 0.12) + 0.1
    c.frame("theory", 0.1, y, left_w, left_h, f"{t['ml_theory'].zh}\n{t['ml_theory'].en}")
    yy = y + 0.55
    c.box(
        "mechanism:ml_holistic_idea",
        "mechanism",
        _mech_label(m["ml_holistic_idea"]),
        0.25,
        yy,
        left_w - 0.3,
        h_idea,
    )
    yy += h_idea + 0.3
    c.box(
        "mechanism:ml_multi_actor",
        "mechanism",
        _mech_label(m["ml_multi_actor"]),
        0.25,
        yy,
        left_w - 0.3,
        h_actor,
    )
    yy += h_actor + 0.3
    c.label(0.25, yy + 0.08, f"{t['ml_mechanism'].zh} {t['ml_mechanism'].en}", ha="left")
    yy += 0.25
    for i, key in enumerate(dims):
        c.box(
            f"mechanism:{key}",
            "mechanism",
            _mech_label(m[key]),
            0.25 + (i % 2) * (dim_w + 0.12),
            yy + (i // 2) * (h_dim + 0.12),
            dim_w,
            h_dim,
        )
    c.arrow("mechanism:ml_holistic_idea", "mechanism:ml_multi_actor")
    # The layers, top to bottom as the paper's Figure 1 stacks them, with the authors' schemes.
    layer_key = {"ml_supplementary": "supplementary", "ml_basic": "basic", "ml_floor": "floor"}
    h_layering = box_height(_mech_label(m["ml_layering"]), right_w)
    c.box(
        "mechanism:ml_layering",
        "mechanism",
        _mech_label(m["ml_layering"]),
        right_x,
        y,
        right_w,
        h_layering,
    )
    yy = y + h_layering + 0.2
    layer_ids = []
    for term_key, layer in layer_key.items():
        names = []
        if schemes is not None:
            names = schemes.loc[schemes["authors_layer_en"] == layer, "scheme"].tolist()
        text = t[term_key].label + ("\n" + "、".join(names) if names else "")
        h = box_height(text, right_w - 0.4)
        node = f"process:{term_key}"
        c.box(node, "process", text, right_x + 0.2, yy, right_w - 0.4, h)
        layer_ids.append(node)
        yy += h + 0.12
    goal_y = max(yy, y + left_h) + 0.5
    goal = "process:ml_goal"
    c.box(goal, "process", t["ml_goal"].label, 2.5, goal_y, 4.0)
    for node in layer_ids:
        p = c.patches[node]
        c.arrow((p.get_x(), p.get_y() + p.get_height() / 2), goal, rad=0.25, source_id=node)
    c.arrow((0.1 + left_w, y + 0.3), "mechanism:ml_layering", source_id="frame:theory")
    c.label(4.3, y - 0.2, f"{t['ml_redefine'].zh} {t['ml_redefine'].en}")
    c.arrow((2.1, y + left_h), goal, source_id="frame:theory")
    bottom, _ = _outcomes(c, lens, goal_y + 0.75, "成效 outcomes claimed (paper)")
    end = c.legend(["driver", "mechanism", "process", "outcome"], bottom + 0.1)
    return c.finish(end)


def _anhui(cw: Crosswalk, lens_id: str, **_: object) -> Figure:
    lens, m = cw.lens(lens_id), _mechanisms(cw, lens_id)
    t = PAPER_TERMS
    c = Canvas(MAX_WIDTH_IN, _title(cw, lens_id))
    y = _drivers(c, lens, c.top, "困境 drivers (paper)") + 0.35
    (idea, *_), service, policy, relations = _by_level(
        m, lens_id, "idea", "service subsystem", "policy subsystem", "subsystem relations"
    )
    h = c.box(f"mechanism:{idea}", "mechanism", _mech_label(m[idea]), 2.5, y, 4.0)
    y += h + 0.45
    # Two parallel subsystems side by side; their relations in the column between them.
    panel_w, mid_x, mid_w = 3.0, 3.3, 2.4
    inner = panel_w - 0.3
    hs = [box_height(_mech_label(m[k]), inner) for k in (*service, *policy)]
    step = max(hs) + 0.35
    n = max(len(service), len(policy))
    panel_h = 0.75 + n * step + 0.25
    for x, keys, head, how, link in (
        (0.1, service, t["ah_service"], t["ah_service_how"], t["ah_progressive"]),
        (c.width - 0.1 - panel_w, policy, t["ah_policy"], t["ah_policy_how"], t["ah_embedded"]),
    ):
        c.frame(
            head.en.replace(" ", "-"),
            x,
            y,
            panel_w,
            panel_h,
            f"{head.zh} {head.en}\n{how.zh} {how.en}",
        )
        for i, key in enumerate(keys):
            c.box(
                f"mechanism:{key}",
                "mechanism",
                _mech_label(m[key]),
                x + 0.15,
                y + 0.75 + i * step,
                inner,
                max(hs),
            )
        for a, b in zip(keys, keys[1:]):
            c.arrow(f"mechanism:{a}", f"mechanism:{b}")
        c.label(x + panel_w / 2, y + panel_h - 0.13, f"{link.zh} {link.en}", fontsize=FONT_SIZE)
        c.arrow(f"mechanism:{idea}", (x + panel_w / 2, y), target_id=f"frame:{head.en}")
    c.label(c.width / 2, y + 0.2, t["ah_relations"].zh + "\n" + t["ah_relations"].en)
    rel_h = max(box_height(_mech_label(m[k]), mid_w) for k in relations)
    rel_step = (panel_h - 0.6) / max(1, len(relations))
    ry = [y + 0.6 + i * rel_step + (rel_step - rel_h) / 2 for i in range(len(relations))]
    for key, top in zip(relations, ry):
        c.box(f"mechanism:{key}", "mechanism", _mech_label(m[key]), mid_x, top, mid_w, rel_h)
    right_x = c.width - 0.1 - panel_w
    power = f"mechanism:{relations[0]}"
    incentive = f"mechanism:{relations[1]}" if len(relations) > 1 else None
    # Policy to service: powers delegated and money bundled; service back to policy: supervision.
    c.arrow(
        (right_x, ry[0] + rel_h * 0.3), power, source_id="frame:policy subsystem", target_id=power
    )
    c.arrow(
        power,
        (0.1 + panel_w, ry[0] + rel_h * 0.3),
        source_id=power,
        target_id="frame:service subsystem",
    )
    c.label(mid_x + mid_w / 2, ry[0] - 0.2, f"{t['ah_delegate'].zh} {t['ah_delegate'].en}")
    c.arrow(
        (0.1 + panel_w, ry[0] + rel_h * 0.8),
        (right_x, ry[0] + rel_h * 0.8),
        source_id="frame:service subsystem",
        target_id="frame:policy subsystem",
        linestyle="--",
        arrowstyle="<|-|>",
    )
    c.label(
        mid_x + mid_w / 2, ry[0] + rel_h + 0.12, f"{t['ah_supervise'].zh} {t['ah_supervise'].en}"
    )
    if incentive:
        c.arrow(
            (right_x, ry[1] + rel_h / 2),
            incentive,
            source_id="frame:policy subsystem",
            target_id=incentive,
        )
        c.arrow(
            incentive,
            (0.1 + panel_w, ry[1] + rel_h / 2),
            source_id=incentive,
            target_id="frame:service subsystem",
        )
        c.label(mid_x + mid_w / 2, ry[1] + rel_h + 0.14, f"{t['ah_bundle'].zh} {t['ah_bundle'].en}")
    bottom, _ = _outcomes(c, lens, y + panel_h + 0.45, "目标 outcomes claimed (paper)")
    for x in (0.1 + panel_w / 2, right_x + panel_w / 2):
        c.arrow(
            (x, y + panel_h), (x, y + panel_h + 0.5), source_id="subsystems", target_id="outcomes"
        )
    end = c.legend(["driver", "mechanism", "outcome"], bottom + 0.1)
    return c.finish(end)


def _embeddedness(cw: Crosswalk, lens_id: str, **_: object) -> Figure:
    lens, m = cw.lens(lens_id), _mechanisms(cw, lens_id)
    t = PAPER_TERMS
    c = Canvas(MAX_WIDTH_IN, _title(cw, lens_id))
    y = _drivers(c, lens, c.top, "背景 drivers (paper)") + 0.35
    external, internal, instruments = _by_level(
        m, lens_id, "external embedding", "internal embedding", "incentive instrument"
    )
    heads = (
        (
            "external",
            external,
            f"{t['qj_external'].zh} {t['qj_external'].en}: {t['qj_trinity'].zh}",
        ),
        ("internal", internal, f"{t['qj_internal'].zh} {t['qj_internal'].en}"),
    )
    tops = {}
    for name, keys, heading in heads:
        texts = [_mech_label(m[k]) for k in keys]
        w = (c.width - 0.5 - 0.12 * (len(keys) - 1)) / len(keys)
        h = max(box_height(tx, w) for tx in texts)
        c.frame(name, 0.1, y, c.width - 0.2, h + 0.55, heading)
        _row_of_boxes(
            c, [f"mechanism:{k}" for k in keys], "mechanism", texts, y + 0.4, 0.25, c.width - 0.25
        )
        tops[name] = (y, h + 0.55)
        y += h + 0.55 + 0.4
    c.arrow(
        (c.width / 2, tops["external"][0] + tops["external"][1]),
        (c.width / 2, tops["internal"][0]),
        source_id="frame:external",
        target_id="frame:internal",
    )
    # The closed loop: budget constraint -> behaviour adjustment -> returns fed back -> budget.
    loop_top = y + 0.05
    by_name = {k.removeprefix("qj_"): k for k in instruments}
    budget = f"mechanism:{by_name.get('budget_constraint', instruments[0])}"
    floor = f"mechanism:{by_name.get('service_floor', instruments[-1])}"
    returns = [f"mechanism:{k}" for k in instruments if f"mechanism:{k}" not in (budget, floor)]
    behaviour = "process:qj_behaviour"
    w = 2.4
    ly = loop_top + 0.5
    # The floor bounds behaviour from above left; the returns' arrows run back under it all.
    hf = c.box(floor, "mechanism", _mech_label(m[floor.split(":")[1]]), 0.3, ly, w)
    hb = c.box(budget, "mechanism", _mech_label(m[budget.split(":")[1]]), 0.3, ly + hf + 0.75, w)
    beh_text = f"{t['qj_behaviour'].zh} {t['qj_behaviour'].en}\n{t['qj_tradeoff'].label}"
    hbeh = c.box(behaviour, "process", beh_text, 3.3, ly + 0.25, w)
    c.arrow(floor, behaviour, arrowstyle="-[", mutation_scale=8)
    c.label(2.95, ly - 0.12, f"{t['qj_threshold'].zh} {t['qj_threshold'].en}")
    rx, ry = 6.3, ly
    c.label(rx + w / 2 - 0.1, ry + 0.05, f"{t['qj_returns'].zh} {t['qj_returns'].en}")
    for node in returns:
        hr = c.box(node, "mechanism", _mech_label(m[node.split(":")[1]]), rx, ry + 0.25, w - 0.1)
        ry += hr + 0.3
    c.arrow(budget, behaviour, rad=-0.2)
    for node in returns:
        c.arrow(behaviour, node)
        c.arrow(node, budget, rad=-0.3 if node == returns[-1] else -0.2, linestyle="--")
    loop_h = max(ry, ly + hf + 0.75 + hb, ly + 0.25 + hbeh) - loop_top + 0.55
    c.frame("loop", 0.1, loop_top, c.width - 0.2, loop_h, f"{t['qj_loop'].zh} {t['qj_loop'].en}")
    interest = c.patches[f"mechanism:{internal[-1]}"]
    c.arrow(
        f"mechanism:{internal[-1]}",
        (interest.get_x() + interest.get_width() / 2, loop_top),
        target_id="frame:loop",
    )
    bottom, _ = _outcomes(c, lens, loop_top + loop_h + 0.3, "成效 outcomes claimed (paper)")
    end = c.legend(["driver", "mechanism", "process", "outcome"], bottom + 0.1)
    return c.finish(end)


LAYOUTS: dict[str, Callable[..., Figure]] = {
    "coproduction_g_county": _coproduction,
    "holistic_multilevel": _multilevel,
    "holistic_anhui": _anhui,
    "embeddedness_qianjiang": _embeddedness,
}
