"""The framework diagrams and chapter figures: legible at page width, bilingual, and shaped
after each paper (a feedback loop for co-production, parallel subsystems for Cui & Wang, the
incentive loop for Luo et al.), not one template."""

from __future__ import annotations

import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.text import Text  # noqa: E402

from analysis import frameworks as fw  # noqa: E402
from analysis.chapters import coproduction_g_county as gc  # noqa: E402
from analysis.chapters import embeddedness_qianjiang as qj  # noqa: E402
from analysis.chapters import holistic_anhui_medical_community as ah  # noqa: E402
from analysis.chapters import holistic_multilevel_security as ml  # noqa: E402
from analysis.chapters import reported_points as rp  # noqa: E402
from analysis.plotting import diagrams, style  # noqa: E402

CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN = re.compile(r"[A-Za-z]{3,}")

FIGURES = {
    "gc-framework": gc.figure_framework,
    "gc-network": gc.figure_network,
    "ml-framework": ml.figure_framework,
    "ml-timeline": ml.figure_timeline,
    "ml-schemes": ml.figure_schemes,
    "ah-framework": ah.figure_framework,
    "qj-framework": qj.figure_framework,
    "qj-reported": qj.figure_reported,
    "concept-map": lambda: diagrams.draw_concept_map(),
}


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def cw() -> fw.Crosswalk:
    return fw.load_crosswalk()


def visible_texts(fig) -> list[Text]:
    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_every_text_is_legible_at_page_width(name):
    fig = FIGURES[name]()
    assert fig.get_figwidth() <= style.CONTENT_WIDTH_IN
    small = style.small_texts(fig)
    assert not small, f"{name}: texts below {style.MIN_FONT_POINTS} pt at page width: {small}"


def test_the_legibility_check_can_fail():
    fig, ax = plt.subplots(figsize=(12, 3))
    ax.set_title("wide figure", fontsize=10)  # 10 pt shrunk to 7.5 pt at 9 in
    ax.set_xlabel("small", fontsize=8)
    assert style.small_texts(fig)["wide figure"] == 7.5
    assert style.small_texts(fig)["small"] == 6.0


def _cycles_through(edges: list[tuple[str, str]], node: str) -> list[str]:
    """Nodes ``node`` points to from which ``node`` can be reached again."""
    following: dict[str, set[str]] = {}
    for a, b in edges:
        following.setdefault(a, set()).add(b)

    def reaches(start: str) -> bool:
        seen, todo = set(), [start]
        while todo:
            current = todo.pop()
            if current == node:
                return True
            if current not in seen:
                seen.add(current)
                todo.extend(following.get(current, ()))
        return False

    return sorted(b for b in following.get(node, ()) if reaches(b))


def test_coproduction_feedback_closes_a_loop(cw):
    fig = diagrams.draw_framework("coproduction_g_county", cw)
    edges = diagrams.diagram_edges(fig)
    back = _cycles_through(edges, "mechanism:gc_public_feedback")
    assert "process:gc_service" in back, edges
    # feedback also enters the assessment, whose incentive acts on the service again
    assert ("mechanism:gc_public_feedback", "mechanism:gc_performance_incentive") in edges
    assert ("mechanism:gc_performance_incentive", "process:gc_service") in edges


def test_a_column_of_boxes_has_no_cycle():
    # Control: the old one-arrow-per-band template cannot pass the loop test.
    edges = [("a", "b"), ("b", "c"), ("c", "d")]
    assert _cycles_through(edges, "c") == []


def _extent(patches, axis: str) -> tuple[float, float]:
    if axis == "x":
        return min(p.get_x() for p in patches), max(p.get_x() + p.get_width() for p in patches)
    return min(p.get_y() for p in patches), max(p.get_y() + p.get_height() for p in patches)


def test_anhui_subsystems_are_side_by_side_and_linked(cw):
    fig = diagrams.draw_framework("holistic_anhui", cw)
    mech = cw.mechanisms_of("holistic_anhui")
    boxes = {p.get_gid(): p for p in diagrams.node_patches(fig, "mechanism")}

    def level(name: str):
        return [boxes[f"mechanism:{m}"] for m in mech.loc[mech["level"] == name, "mechanism_id"]]

    service, policy = level("service subsystem"), level("policy subsystem")
    (s_top, s_bottom), (p_top, p_bottom) = _extent(service, "y"), _extent(policy, "y")
    assert s_top < p_bottom and p_top < s_bottom, "subsystems drawn one after the other"
    (s_left, s_right), (p_left, p_right) = _extent(service, "x"), _extent(policy, "x")
    assert s_right < p_left or p_right < s_left, "subsystems overlap horizontally"
    # every relation box sits between the two and is joined to both subsystems
    edges = diagrams.diagram_edges(fig)
    for box in level("subsystem relations"):
        node = box.get_gid()
        assert any(a == node and "service" in b for a, b in edges)
        assert any(b == node and "policy" in a for a, b in edges)


def test_qianjiang_incentive_loop_is_closed(cw):
    fig = diagrams.draw_framework("embeddedness_qianjiang", cw)
    edges = diagrams.diagram_edges(fig)
    assert _cycles_through(edges, "mechanism:qj_budget_constraint") == ["process:qj_behaviour"]
    for node in ("mechanism:qj_surplus_incentive", "mechanism:qj_performance_feedback"):
        assert ("process:qj_behaviour", node) in edges
        assert (node, "mechanism:qj_budget_constraint") in edges
    # external embedding is drawn above internal embedding
    ext = [diagrams.node_patches(fig, "mechanism")]
    boxes = {p.get_gid(): p for p in ext[0]}
    assert boxes["mechanism:qj_value"].get_y() < boxes["mechanism:qj_resource_embedding"].get_y()


def test_gong_layers_all_point_to_health(cw):
    fig = ml.figure_framework()
    edges = diagrams.diagram_edges(fig)
    layers = [
        p.get_gid() for p in diagrams.node_patches(fig, "process") if "goal" not in p.get_gid()
    ]
    assert len(layers) == 3
    assert all((layer, "process:ml_goal") in edges for layer in layers)
    texts = " ".join(t.get_text() for t in visible_texts(fig))
    assert all(name in texts for name in ml.schemes()["scheme"])


@pytest.mark.parametrize("lens_id", fw.LENS_ORDER)
def test_paper_structure_boxes_are_bilingual(cw, lens_id):
    fig = diagrams.draw_framework(lens_id, cw)
    boxes = {p.get_gid(): p for p in diagrams.node_patches(fig)}
    for gid, patch in boxes.items():
        if not gid.startswith(("mechanism:", "process:")):
            continue  # drivers and outcomes: Chinese only where lenses.csv has a *_zh cell
        x, y = patch.get_x() + patch.get_width() / 2, patch.get_y() + patch.get_height() / 2
        inside = [t.get_text() for t in fig.axes[0].texts if t.get_position() == (x, y)]
        assert inside and CJK.search(inside[0]) and LATIN.search(inside[0]), (gid, inside)


def test_layouts_differ_between_papers(cw):
    shapes = set()
    for lens_id in fw.LENS_ORDER:
        fig = diagrams.draw_framework(lens_id, cw)
        shapes.add(
            tuple(
                sorted(
                    a.split(":")[0] + ">" + b.split(":")[0] for a, b in diagrams.diagram_edges(fig)
                )
            )
        )
    assert len(shapes) == len(fw.LENS_ORDER)


@pytest.mark.parametrize("key", sorted(diagrams.PAPER_TERMS))
def test_paper_terms_are_verbatim(key, seeds):
    term = diagrams.PAPER_TERMS[key]
    for fragment in term.zh.split("…"):
        assert fw.quote_in_seed(term.paper_id, fragment), (key, fragment)


def test_concept_map_is_bilingual_and_splits(cw):
    fig = diagrams.draw_concept_map(cw, lens_ids=("embeddedness_qianjiang",))
    mech = {p.get_gid() for p in diagrams.node_patches(fig, "mechanism")}
    assert mech == {
        f"mechanism:{m}" for m in cw.mechanisms_of("embeddedness_qianjiang")["mechanism_id"]
    }
    for patch in diagrams.node_patches(fig, "indicator") + diagrams.node_patches(fig, "analysis"):
        x, y = patch.get_x() + patch.get_width() / 2, patch.get_y() + patch.get_height() / 2
        inside = [t.get_text() for t in fig.axes[0].texts if t.get_position() == (x, y)]
        assert CJK.search(inside[0]) and LATIN.search(inside[0]), inside


def test_unknown_layout_is_refused(cw):
    with pytest.raises(KeyError, match="unknown lens"):
        diagrams.draw_framework("no_such_lens", cw)


def test_timeline_and_matrix_name_every_row_in_both_languages():
    docs = ml.documents()
    fig = ml.plot_policy_timeline(docs)
    rows = [t.get_text() for t in fig.axes[0].texts]
    assert len(rows) == len(docs)
    assert all(CJK.search(r) and LATIN.search(r) for r in rows)
    table = ml.schemes()
    fig = ml.plot_scheme_matrix(table)
    texts = [t.get_text() for t in fig.axes[0].texts]
    for scheme in table["scheme"]:
        assert ml.english(scheme, ml.TABLE2_EN, "test").replace(" ", "") in "".join(texts).replace(
            "\n", ""
        ).replace(" ", "")


def test_untranslated_cell_is_refused_with_its_place():
    table = ml.schemes().copy()
    table.loc[0, "organiser"] = "某新机构"
    with pytest.raises(KeyError, match=r"Table 2 row 1, organiser.*某新机构"):
        ml.plot_scheme_matrix(table)


def test_reported_points_one_function_all_classes_and_values():
    from analysis.chapters.case import reported_points
    from analysis.plotting.provenance import provenance_classes

    fig = qj.figure_reported()
    ax = fig.axes[0]
    points = reported_points()
    shown = {t.get_text() for t in ax.texts}
    assert {f"{v:.1f}" for v in points.loc[points["provenance"] == "reported", "value"]} <= shown
    assert provenance_classes(ax) == {"reported", "assumed"}
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert all(CJK.search(label) for label in labels if label.startswith("reported"))
    # the same function overlays the points on another axis without its decorations
    fig2, ax2 = plt.subplots()
    rp.plot_reported_points(ax2, series=("fund_share",), arithmetic=False, decorate=False)
    assert provenance_classes(ax2) == {"reported"} and ax2.get_legend() is None


def test_reported_points_draw_chinese_on_axes_made_before_the_style():
    import warnings

    with matplotlib.rc_context({"font.family": ["DejaVu Sans"]}):
        fig, ax = plt.subplots()  # axis labels and title made without the CJK font
        rp.plot_reported_points(ax)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fig.canvas.draw()
    missing = [str(w.message) for w in caught if "missing from font" in str(w.message)]
    assert not missing, missing[:3]


def test_a_layout_refuses_a_crosswalk_without_the_rows_it_places(cw):
    mech = cw.mechanisms
    no_policy = fw.Crosswalk(
        lenses=cw.lenses,
        mechanisms=mech.loc[mech["level"] != "policy subsystem"],
        hypotheses=cw.hypotheses,
    )
    with pytest.raises(KeyError, match=r"holistic_anhui.*policy subsystem"):
        diagrams.draw_framework("holistic_anhui", no_policy)
    no_feedback = fw.Crosswalk(
        lenses=cw.lenses,
        mechanisms=mech.loc[mech["mechanism_id"] != "gc_public_feedback"],
        hypotheses=cw.hypotheses,
    )
    with pytest.raises(KeyError, match="gc_public_feedback"):
        diagrams.draw_framework("coproduction_g_county", no_feedback)
