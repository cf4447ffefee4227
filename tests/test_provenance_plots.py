"""Provenance plot helpers: legend labels, distinct markers and line styles, titles."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pytest

from analysis.plotting.provenance import (
    STYLES,
    key_figure,
    mark_assumed,
    mark_public,
    mark_reading,
    mark_reported,
    plot_synthetic,
    provenance_classes,
    provenance_legend,
    synthetic_title,
)
from analysis.plotting.style import use_book_style


@pytest.fixture
def ax():
    use_book_style()
    fig, axes = plt.subplots()
    yield axes
    plt.close(fig)


def _render(ax) -> bytes:
    buffer = io.BytesIO()
    ax.figure.savefig(buffer, format="svg")
    return buffer.getvalue()


def test_mixed_chart_shows_each_class_in_legend(ax):
    plot_synthetic(ax, [2017, 2018, 2019], [43.0, 41.5, 40.1], label="visit share, Qianjiang")
    mark_reported(
        ax, [2017, 2022], [43.3, 36.9], label="visit share", source="Luo et al. 2025, §4.1.1"
    )
    mark_assumed(ax, [2024], [42.7], label="visit share (year assumed)")
    legend = provenance_legend(ax)
    labels = [t.get_text() for t in legend.get_texts()]
    assert labels == [
        "synthetic: visit share, Qianjiang",
        "reported: visit share [Luo et al. 2025, §4.1.1]",
        "assumed: visit share (year assumed)",
    ]
    assert "mixed" in legend.get_title().get_text()
    assert provenance_classes(ax) == {"synthetic", "reported", "assumed"}
    assert _render(ax).startswith(b"<?xml")


def test_reported_markers_are_labelled_with_values(ax):
    mark_reported(ax, [2017, 2022], [43.3, 36.9], label="visit share", source="Luo 2025")
    texts = sorted(t.get_text() for t in ax.texts)
    assert texts == ["36.9", "43.3"]


def test_classes_differ_by_marker_and_linestyle_not_colour_alone(ax):
    lines = [
        plot_synthetic(ax, [0, 1], [0, 1]),
        mark_reported(ax, [0], [1], label="r", source="s", annotate=False),
        mark_assumed(ax, [0, 1], [1, 2], label="a"),
        mark_public(ax, [0, 1], [2, 3], label="p", source="s"),
        mark_reading(ax, [0, 1], [3, 4], label="q", source="s"),
    ]
    signatures = {(line.get_marker(), line.get_linestyle()) for line in lines}
    assert len(signatures) == len(STYLES) == 5
    assumed = lines[2]
    assert assumed.get_markerfacecolor() == "none" and assumed.get_linestyle() == "--"


def test_style_overrides_cannot_remove_the_class_marker(ax):
    line = mark_assumed(ax, [0], [1], label="a", marker="o", linestyle="-", color="red")
    assert line.get_marker() == STYLES["assumed"]["marker"]
    assert line.get_linestyle() == "--"
    assert line.get_color() == "red"


def test_synthetic_label_always_says_synthetic(ax):
    for label in ("series", "Synthetic visit share", "control (synthetic)"):
        line = plot_synthetic(ax, [0, 1], [0, 1], label=label)
        assert "synthetic" in line.get_label().lower()
    legend = provenance_legend(ax)
    assert all("synthetic" in t.get_text().lower() for t in legend.get_texts())
    assert legend.get_title().get_text() == "Provenance"


def test_synthetic_title_prefix_is_idempotent():
    assert synthetic_title("Qianjiang") == "Synthetic data — Qianjiang"
    assert synthetic_title(synthetic_title("Qianjiang")) == "Synthetic data — Qianjiang"


def test_key_figure_shows_every_class(ax):
    legend = key_figure(ax)
    labels = [t.get_text().split(":")[0] for t in legend.get_texts()]
    assert labels == ["synthetic", "assumed", "public", "reading", "reported"]
    assert set(labels) == set(STYLES)


def test_reading_is_labelled_with_its_source_and_drawn_apart_from_reported(ax):
    reading = mark_reading(ax, [0], [100.0], label="returned share (全额)", source="Luo 2025")
    reported = mark_reported(ax, [1], [60.0], label="band 2", source="Luo 2025", annotate=False)
    assert reading.get_label() == "reading: returned share (全额) [Luo 2025]"
    assert reading.get_marker() != reported.get_marker()
    assert reading.get_markerfacecolor() == "none"
    assert provenance_classes(ax) == {"reading", "reported"}


def test_chapter_figures_label_synthetic_and_mixed_classes():
    from analysis.chapters.provenance import figure_anchors, figure_key

    figure = figure_anchors()
    try:
        assert figure.get_suptitle().startswith("Synthetic data — ")
        legend = figure.axes[0].get_legend()
        labels = [t.get_text() for t in legend.get_texts()]
        assert any(label.startswith("synthetic:") for label in labels)
        assert any(label.startswith("reported:") and "Luo" in label for label in labels)
        assert any(label.startswith("assumed:") for label in labels)
        assert provenance_classes(figure.axes[0]) == {"synthetic", "reported", "assumed"}
    finally:
        plt.close(figure)
    key = figure_key()
    try:
        assert provenance_classes(key.axes[0]) == set(STYLES)
    finally:
        plt.close(key)


def test_index_key_shows_every_class():
    from analysis.chapters.index import figure_provenance_key

    key = figure_provenance_key()
    try:
        assert provenance_classes(key.axes[0]) == set(STYLES)
    finally:
        plt.close(key)


def test_provenance_numbers_are_computed_from_the_data():
    from analysis.chapters import provenance
    from analysis.chapters.case import TREATED_DISTRICT
    from analysis.datasets import dataset_table, load_data

    values = provenance.numbers()
    assert all(key.startswith("prov-") and "_" not in key for key in values)
    assert values["prov-n-datasets"] == len(dataset_table())
    monthly = load_data("district_monthly").frame
    assert values["prov-n-months"] == monthly["month"].nunique()
    others = monthly.loc[monthly["district"] != TREATED_DISTRICT, "district"].nunique()
    assert values["prov-n-comparisons"] == others
    assert values["prov-n-matched"] == int(provenance.anchor_checks()["matches"].sum())


def test_every_glue_reference_of_the_page_is_glued():
    import re

    from analysis import paths
    from analysis.chapters import provenance

    text = (paths.BOOK / "data" / "provenance.md").read_text(encoding="utf-8")
    referenced = set(re.findall(r"\{glue:text\}`([^`]+)`", text))
    assert referenced and referenced <= set(provenance.numbers())
