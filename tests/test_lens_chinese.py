"""The Chinese of the drivers and outcomes boxes (``drivers_zh``, ``outcomes_claimed_zh``).

Each item is a short phrase copied from the paper, one per English item and in the same order,
so the four framework diagrams can show every box in Chinese with English below. A lens whose
English items cannot all be named by a phrase of the paper has that cell left empty, and its
boxes fall back to the English cell (see ``_items`` in analysis/plotting/framework_layouts.py).
"""

from __future__ import annotations

import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from analysis import frameworks as fw  # noqa: E402
from analysis.plotting import diagrams  # noqa: E402
from analysis.plotting.canvas import PAD_IN, bilingual, wrap_label  # noqa: E402

CJK = re.compile(r"[\u4e00-\u9fff]")
COLUMNS = ("drivers", "outcomes_claimed")
KIND = {"drivers": "driver", "outcomes_claimed": "outcome"}
CELLS = [(lens_id, column) for lens_id in fw.LENS_ORDER for column in COLUMNS]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def cw() -> fw.Crosswalk:
    return fw.load_crosswalk()


def chinese_items(lens, column: str) -> list[str]:
    return fw.split_cell(lens[f"{column}_zh"])


def box_texts(fig, kind: str) -> dict[str, str]:
    """Text drawn at the centre of each box of one kind, by node id."""
    out = {}
    for patch in diagrams.node_patches(fig, kind):
        x, y = patch.get_x() + patch.get_width() / 2, patch.get_y() + patch.get_height() / 2
        inside = [t.get_text() for t in fig.axes[0].texts if t.get_position() == (x, y)]
        out[patch.get_gid()] = inside[0] if inside else ""
    return out


def test_most_cells_have_chinese(cw):
    # Guards against the columns being dropped or emptied wholesale by a later edit.
    filled = [cell for cell in CELLS if chinese_items(cw.lens(cell[0]), cell[1])]
    assert len(filled) >= len(CELLS) // 2, filled


@pytest.mark.parametrize(("lens_id", "column"), CELLS)
def test_every_chinese_item_is_verbatim_in_its_paper(cw, lens_id, column, seeds):
    lens = cw.lens(lens_id)
    for phrase in chinese_items(lens, column):
        assert CJK.search(phrase), (lens_id, column, phrase)
        assert fw.quote_in_seed(lens["paper_id"], phrase), (lens_id, column, phrase)


@pytest.mark.parametrize(("lens_id", "column"), CELLS)
def test_chinese_items_match_the_english_one_for_one(cw, lens_id, column):
    lens = cw.lens(lens_id)
    chinese = chinese_items(lens, column)
    if chinese:
        assert len(chinese) == len(fw.split_cell(lens[column])), (lens_id, column)


@pytest.mark.parametrize(("lens_id", "column"), CELLS)
def test_chinese_items_are_the_papers_words_by_their_basis(cw, lens_id, column):
    lens = cw.lens(lens_id)
    expected = "paper" if chinese_items(lens, column) else ""
    assert (lens[f"{column}_zh_basis"] or "") == expected, (lens_id, column)


@pytest.mark.parametrize(("lens_id", "column"), CELLS)
def test_boxes_show_the_chinese_once_above_the_english(cw, lens_id, column):
    lens = cw.lens(lens_id)
    chinese = chinese_items(lens, column)
    english = [bilingual(item).splitlines()[-1] for item in fw.split_cell(lens[column])]
    texts = box_texts(diagrams.draw_framework(lens_id, cw), KIND[column])
    assert len(texts) == len(english)
    for i, en in enumerate(english):
        shown = fw.normalise_whitespace(texts[f"{KIND[column]}:{i}"])
        assert shown.endswith(fw.normalise_whitespace(en)), (lens_id, i, shown)
        if chinese:
            zh = fw.normalise_whitespace(chinese[i])
            assert shown.startswith(zh) and shown.count(zh) == 1, (lens_id, i, shown)


@pytest.mark.parametrize(("lens_id", "column"), CELLS)
def test_a_short_chinese_phrase_is_not_broken_across_lines(cw, lens_id, column):
    chinese = chinese_items(cw.lens(lens_id), column)
    fig = diagrams.draw_framework(lens_id, cw)
    patches = {p.get_gid(): p for p in diagrams.node_patches(fig, KIND[column])}
    for i, zh in enumerate(chinese):
        if len(zh) <= 10:
            width = patches[f"{KIND[column]}:{i}"].get_width() - 2 * PAD_IN
            assert len(wrap_label(zh, width)) == 1, (lens_id, zh, width)


def test_a_count_mismatch_is_refused_with_its_place(cw):
    lenses = cw.lenses.copy()
    row = lenses.index[lenses["lens_id"] == "holistic_anhui"][0]
    lenses.loc[row, "outcomes_claimed_zh"] = "整合式的连续性服务"
    broken = fw.Crosswalk(lenses, cw.mechanisms, cw.hypotheses)
    with pytest.raises(ValueError, match=r"lenses\.csv, lens holistic_anhui: outcomes_claimed_zh"):
        diagrams.draw_framework("holistic_anhui", broken)


def test_an_empty_cell_falls_back_to_the_english(cw):
    lenses = cw.lenses.copy()
    row = lenses.index[lenses["lens_id"] == "holistic_anhui"][0]
    lenses.loc[row, "outcomes_claimed_zh"] = ""
    fig = diagrams.draw_framework(
        "holistic_anhui", fw.Crosswalk(lenses, cw.mechanisms, cw.hypotheses)
    )
    english = fw.split_cell(lenses.loc[row, "outcomes_claimed"])
    shown = [fw.normalise_whitespace(t) for t in box_texts(fig, "outcome").values()]
    assert sorted(shown) == sorted(fw.normalise_whitespace(bilingual(e)) for e in english)
    assert not any(CJK.search(t) for t in shown)
