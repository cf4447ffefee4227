"""Holistic governance of the multi-level security system
(``book/frameworks/holistic_multilevel_security.md``): Gong & Wang 2024, Tables 1 and 2.

All values are *reported*: they come from the registry's ``policy_documents`` and
``security_schemes`` datasets. Where the printed Table 1 disagrees with the paper's body
text (the ``body_text_check`` column), the timeline marks the row instead of silently
correcting it.

Examples
--------
>>> statement_class("健全多层次的医疗保障体系。")
'multi-level medical security'
>>> statement_class("可持续的多层次社会保障体系")
'multi-level, other wording'
>>> statement_class("健全全民医保体系。")
'no multi-level wording'
>>> numbers()["ml-n-schemes"] == len(schemes())
True
"""

from __future__ import annotations

from functools import cache
from typing import Any

import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import Markdown
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from analysis import frameworks as fw
from analysis.chapters.sources import crosswalk
from analysis.datasets import load_data
from analysis.plotting.diagrams import draw_framework
from analysis.plotting.style import use_book_style

LENS = "holistic_multilevel"


@cache
def documents() -> pd.DataFrame:
    """Gong & Wang's Table 1, as printed."""
    return load_data("policy_documents").frame


@cache
def schemes() -> pd.DataFrame:
    """Gong & Wang's Table 2, as printed."""
    return load_data("security_schemes").frame


def numbers() -> dict[str, Any]:
    """Every number the page glues: Table 1 and Table 2 counts and the lens's quote."""
    docs, table2 = documents(), schemes()
    classes = docs["key_statement"].map(statement_class)
    medical = classes == "multi-level medical security"
    moved = table2.loc[table2["current_layer_en"] != table2["authors_layer_en"], "scheme"]
    return {
        "ml-lens-quote": crosswalk().lens(LENS)["source_zh"],
        "ml-n-rows": len(docs),
        "ml-n-documents": int(docs["n_documents"].astype(int).sum()),
        "ml-first-year": int(docs["year"].min()),
        "ml-last-year": int(docs["year"].max()),
        "ml-first-medical-year": int(docs.loc[medical, "year"].min()),
        "ml-n-medical": int(medical.sum()),
        "ml-n-differs": int((docs["body_text_check"] == "differs").sum()),
        "ml-n-schemes": len(table2),
        "ml-n-moved": len(moved),
        "ml-moved-names": "、".join(moved),
        "ml-n-mech": len(crosswalk().mechanisms_of(LENS)),
    }


def figure_framework() -> Figure:
    """Gong and Wang's framework redrawn from the crosswalk (``fig-ml-framework``)."""
    return draw_framework(LENS, crosswalk())


def figure_timeline() -> Figure:
    """Table 1 as a timeline (``fig-ml-timeline``)."""
    return plot_policy_timeline(documents())


def figure_schemes() -> Figure:
    """Table 2 as a matrix of layers (``fig-ml-schemes``)."""
    return plot_scheme_matrix(schemes())


def mechanisms() -> Markdown:
    """The lens's mechanisms in the paper's words."""
    return Markdown(fw.mechanism_markdown(crosswalk(), LENS))


STATEMENT_CLASSES: dict[str, dict[str, object]] = {
    "multi-level medical security": {
        "marker": "o",
        "markerfacecolor": "black",
        "markeredgecolor": "black",
        "markersize": 9,
    },
    "multi-level, other wording": {
        "marker": "o",
        "markerfacecolor": "white",
        "markeredgecolor": "black",
        "markersize": 9,
    },
    "no multi-level wording": {
        "marker": "x",
        "markerfacecolor": "none",
        "markeredgecolor": "0.3",
        "markersize": 7,
    },
}
CHECK_MARKS = {
    "differs": "‡ printed row disagrees with body text",
    "shift_unconfirmed": "? row may be shifted (not confirmed)",
}


def statement_class(statement: str) -> str:
    """Classify a key statement by whether it names a multi-level *medical* security system."""
    text = statement.replace(" ", "")
    if "多层次医疗保障" in text or "多层次的医疗保障" in text:
        return "multi-level medical security"
    if "多层次" in text:
        return "multi-level, other wording"
    return "no multi-level wording"


def plot_policy_timeline(documents: pd.DataFrame) -> Figure:
    """Gong & Wang's Table 1 as a timeline: one row per printed document, in printed order.

    Parameters
    ----------
    documents
        ``load_data("policy_documents").frame``: needs ``year``, ``document``,
        ``key_statement`` and ``body_text_check``.

    Returns
    -------
    matplotlib.figure.Figure
        Marker fill shows what the printed key statement says about "multi-level"; ‡ and ?
        flag rows whose printed statement the body text contradicts or may contradict.
    """
    use_book_style()
    docs = documents.reset_index(drop=True)
    n = len(docs)
    fig, ax = plt.subplots(figsize=(8.0, 0.36 * n + 2.2))
    year_min, year_max = int(docs["year"].min()) - 1, int(docs["year"].max()) + 1
    label_x = year_max + 1.5
    for i, row in docs.iterrows():
        y = n - i
        style = STATEMENT_CLASSES[statement_class(row["key_statement"])]
        ax.plot([row["year"]], [y], linestyle="none", zorder=3, **style)
        ax.plot([row["year"], label_x - 0.3], [y, y], linestyle=":", color="0.75", linewidth=0.8)
        check = str(row.get("body_text_check", "") or "")
        flag = {"differs": " ‡", "shift_unconfirmed": " ?"}.get(check, "")
        ax.text(label_x, y, f"{int(row['year'])}  {row['document']}{flag}", va="center", fontsize=8)
    ax.set_xlim(year_min, label_x + 13)
    ax.set_ylim(0.3, n + 0.7)
    ax.set_yticks([])
    ax.spines["left"].set_visible(False)
    ax.set_xticks([t for t in range(1990, year_max + 1, 5) if t >= year_min])
    ax.set_xlabel("year of the document (as printed in Table 1)")
    ax.grid(axis="y", visible=False)
    handles = [
        Line2D([], [], linestyle="none", label=f"key statement: {name}", **style)
        for name, style in STATEMENT_CLASSES.items()
    ]
    handles += [Line2D([], [], linestyle="none", label=text) for text in CHECK_MARKS.values()]
    ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.14),
        ncol=2,
        fontsize=7.5,
        frameon=False,
        title="reported: Gong & Wang 2024, Table 1",
        title_fontsize=7.5,
    )
    ax.set_title("Policy documents on a multi-level security system, 1992-2022")
    fig.tight_layout()
    return fig


LAYERS: tuple[tuple[str, str], ...] = (
    ("floor", "托底层\nsafety net"),
    ("basic", "基本层\nbasic"),
    ("supplementary", "补充层\nsupplementary"),
)


def plot_scheme_matrix(schemes: pd.DataFrame) -> Figure:
    """Gong & Wang's Table 2 as a matrix: each scheme's current layer against the authors'.

    Parameters
    ----------
    schemes
        ``load_data("security_schemes").frame``: needs ``scheme``, ``organiser``,
        ``funding_source``, ``compulsory_as_printed``, ``current_layer_en`` and
        ``authors_layer_en``.

    Returns
    -------
    matplotlib.figure.Figure
        Grey squares: the current (printed) layer; open circles: the layer the authors assign;
        an arrow where the two differ.
    """
    use_book_style()
    rows = schemes.reset_index(drop=True)
    n = len(rows)
    col_x = {key: 6.3 + 1.25 * i for i, (key, _) in enumerate(LAYERS)}
    unknown = (set(rows["current_layer_en"]) | set(rows["authors_layer_en"])) - set(col_x)
    if unknown:
        raise ValueError(f"unknown layers {sorted(unknown)}")
    fig, ax = plt.subplots(figsize=(8.6, 0.42 * n + 1.6))
    headers = {0.0: "scheme", 2.25: "organiser", 3.55: "funding source", 5.15: "compulsory"}
    for x, text in headers.items():
        ax.text(x, n + 0.9, text, fontsize=8, fontstyle="italic", va="center")
    for key, label in LAYERS:
        ax.text(col_x[key], n + 0.9, label, fontsize=8, ha="center", va="center")
    for i, row in rows.iterrows():
        y = n - i
        ax.text(0.0, y, row["scheme"], fontsize=8, va="center")
        ax.text(2.25, y, row["organiser"], fontsize=8, va="center")
        ax.text(3.55, y, row["funding_source"], fontsize=8, va="center")
        ax.text(5.15, y, row["compulsory_as_printed"], fontsize=8, va="center")
        x_now, x_new = col_x[row["current_layer_en"]], col_x[row["authors_layer_en"]]
        ax.plot([x_now], [y], marker="s", markersize=11, color="0.6", linestyle="none")
        ax.plot(
            [x_new],
            [y],
            marker="o",
            markersize=15,
            markerfacecolor="none",
            markeredgecolor="black",
            markeredgewidth=1.6,
            linestyle="none",
        )
        if x_now != x_new:
            ax.annotate(
                "",
                xy=(x_new + 0.22, y),
                xytext=(x_now - 0.15, y),
                arrowprops={"arrowstyle": "-|>", "color": "black", "linewidth": 1.2},
            )
        if i < n - 1:
            ax.axhline(y - 0.5, color="0.9", linewidth=0.6)
    ax.set_xlim(-0.1, col_x["supplementary"] + 0.8)
    ax.set_ylim(0.3, n + 1.4)
    ax.axis("off")
    handles = [
        Line2D(
            [],
            [],
            marker="s",
            markersize=9,
            color="0.6",
            linestyle="none",
            label="current layer as printed (Table 2)",
        ),
        Line2D(
            [],
            [],
            marker="o",
            markersize=11,
            markerfacecolor="none",
            markeredgecolor="black",
            linestyle="none",
            label="layer the authors assign (section 2.3)",
        ),
        Line2D(
            [],
            [],
            marker="o",
            markersize=11,
            markerfacecolor="0.6",
            markeredgecolor="black",
            linestyle="none",
            label="both: layer unchanged",
        ),
    ]
    ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, 0.0),
        ncol=3,
        fontsize=7.5,
        frameon=False,
        title="reported: Gong & Wang 2024",
        title_fontsize=7.5,
    )
    ax.set_title("Eight medical-security schemes: current layering and the authors' layering")
    fig.tight_layout()
    return fig
