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

import textwrap
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
    return draw_framework(LENS, crosswalk(), schemes=schemes())


def figure_timeline() -> Figure:
    """Table 1 as a timeline (``fig-ml-timeline``)."""
    return plot_policy_timeline(documents())


def figure_schemes() -> Figure:
    """Table 2 as a matrix of layers (``fig-ml-schemes``)."""
    return plot_scheme_matrix(schemes())


def mechanisms() -> Markdown:
    """The lens's mechanisms in the paper's words."""
    return Markdown(fw.mechanism_markdown(crosswalk(), LENS))


#: The book's English renderings of Table 1's document names (keys without spaces).
DOCUMENT_EN: dict[str, str] = {
    "十四大报告": "Report to the 14th Party Congress",
    "十五大报告": "Report to the 15th Party Congress",
    "“十五”计划": "10th Five-Year Plan",
    "十六大报告": "Report to the 16th Party Congress",
    "“十一五”计划": "11th Five-Year Plan",
    "十七大报告": "Report to the 17th Party Congress",
    "“十二五”规划": "12th Five-Year Plan",
    "十八大报告": "Report to the 18th Party Congress",
    "“十三五”规划“健康中国2030”规划纲要": "13th Five-Year Plan; Healthy China 2030 outline",
    "“十三五”卫生与健康规划": "13th Five-Year Plan for health",
    "十九大报告": "Report to the 19th Party Congress",
    "关于深化医疗保障制度改革的意见": "Opinions on deepening medical-security reform",
    "“十四五”规划": "14th Five-Year Plan",
    "“十四五”全民医疗保障规划": "14th Five-Year Plan for universal medical security",
    "二十大报告": "Report to the 20th Party Congress",
}
#: The book's English renderings of Table 2's cells (schemes, organisers, funders, yes/no).
TABLE2_EN: dict[str, str] = {
    "职工、居民基本医保": "employee and resident basic insurance",
    "职工大额医疗补助": "employee large-expense subsidy",
    "职工大病医疗互助": "employee critical-illness mutual aid",
    "居民大病保险": "resident critical-illness insurance",
    "企业补充保险": "enterprise supplementary insurance",
    "商业健康保险": "commercial health insurance",
    "慈善医疗": "charitable medical aid",
    "医疗救助": "medical assistance",
    "政府": "government",
    "参保人": "the insured",
    "单位": "employers",
    "工会等": "trade unions etc.",
    "职工单位": "employers",
    "保险公司": "insurers",
    "公益组织": "charities",
    "社会捐赠": "donations",
    "是": "yes",
    "否": "no",
}
FONT_SIZE = 9.0


def english(cell: str, table: dict[str, str], where: str) -> str:
    """English for a printed cell (items joined by 、 translated one by one); refuse a gap.

    Examples
    --------
    >>> english("政府、参保人", TABLE2_EN, "Table 2")
    'government, the insured'
    """
    key = "".join(str(cell).split())
    if key in table:
        return table[key]
    parts = key.split("、")
    missing = [part for part in parts if part not in table]
    if missing:
        raise KeyError(
            f"{where}: no English rendering for {'、'.join(missing)!r}; add it to "
            "analysis/chapters/holistic_multilevel_security.py"
        )
    return ", ".join(table[part] for part in parts)


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
    "differs": "‡ 表格与正文不符 printed row disagrees with body text",
    "shift_unconfirmed": "? 或错行，未证实 row may be shifted (not confirmed)",
}


def statement_class(statement: str) -> str:
    """Classify a key statement by whether it names a multi-level *medical* security system."""
    text = statement.replace(" ", "")
    if "多层次医疗保障" in text or "多层次的医疗保障" in text:
        return "multi-level medical security"
    if "多层次" in text:
        return "multi-level, other wording"
    return "no multi-level wording"


STATEMENT_ZH = {
    "multi-level medical security": "多层次医疗保障",
    "multi-level, other wording": "其他“多层次”表述",
    "no multi-level wording": "无“多层次”表述",
}


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
        flag rows whose printed statement the body text contradicts or may contradict. Each
        document is named as printed, with the book's English rendering below.
    """
    use_book_style()
    docs = documents.reset_index(drop=True)
    n = len(docs)
    fig, ax = plt.subplots(figsize=(9.0, 0.5 * n + 2.6))
    year_min, year_max = int(docs["year"].min()) - 1, int(docs["year"].max()) + 1
    label_x = year_max + 1.5
    for i, row in docs.iterrows():
        y = n - i
        style = STATEMENT_CLASSES[statement_class(row["key_statement"])]
        ax.plot([row["year"]], [y], linestyle="none", zorder=3, **style)
        ax.plot([row["year"], label_x - 0.3], [y, y], linestyle=":", color="0.75", linewidth=0.8)
        check = str(row.get("body_text_check", "") or "")
        flag = {"differs": " ‡", "shift_unconfirmed": " ?"}.get(check, "")
        name_en = english(row["document"], DOCUMENT_EN, f"Table 1 row {i + 1}, document")
        ax.text(
            label_x,
            y,
            f"{int(row['year'])}  {row['document']}\n        {name_en}{flag}",
            va="center",
            fontsize=FONT_SIZE,
            linespacing=1.1,
        )
    ax.set_xlim(year_min, label_x + 17)
    ax.set_ylim(0.4, n + 0.6)
    ax.set_yticks([])
    ax.spines["left"].set_visible(False)
    ax.set_xticks([t for t in range(1990, year_max + 1, 5) if t >= year_min])
    ax.tick_params(labelsize=FONT_SIZE)
    ax.set_xlabel("文件年份 year of the document (as printed in Table 1)", fontsize=FONT_SIZE)
    ax.grid(axis="y", visible=False)
    handles = [
        Line2D(
            [],
            [],
            linestyle="none",
            label=f"关键表述 key statement: {STATEMENT_ZH[name]} {name}",
            **style,
        )
        for name, style in STATEMENT_CLASSES.items()
    ]
    handles += [Line2D([], [], linestyle="none", label=text) for text in CHECK_MARKS.values()]
    ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.1),
        ncol=1,
        fontsize=FONT_SIZE,
        frameon=False,
        title="报告值 reported: Gong & Wang 2024, 表1 Table 1",
        title_fontsize=FONT_SIZE,
    )
    ax.set_title(
        "“多层次”医疗保障体系的政策表述 Policy documents on a multi-level security system, "
        f"{int(docs['year'].min())}–{int(docs['year'].max())}",
        fontsize=FONT_SIZE + 1,
    )
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
        an arrow where the two differ. Cells are printed in Chinese with the book's English
        rendering below.
    """
    use_book_style()
    rows = schemes.reset_index(drop=True)
    n = len(rows)
    col_x = {key: 6.9 + 0.82 * i for i, (key, _) in enumerate(LAYERS)}
    unknown = (set(rows["current_layer_en"]) | set(rows["authors_layer_en"])) - set(col_x)
    if unknown:
        raise ValueError(f"unknown layers {sorted(unknown)}")
    fig, ax = plt.subplots(figsize=(9.0, 0.7 * n + 2.4))
    columns = {
        0.0: ("scheme", "项目\nscheme"),
        2.35: ("organiser", "举办主体\norganiser"),
        3.85: ("funding_source", "资金来源\nfunding"),
        5.6: ("compulsory_as_printed", "强制性\ncompulsory"),
    }
    for x, (_, text) in columns.items():
        ax.text(x, n + 0.9, text, fontsize=FONT_SIZE, fontstyle="italic", va="center")
    for key, label in LAYERS:
        ax.text(col_x[key], n + 0.9, label, fontsize=FONT_SIZE, ha="center", va="center")
    for i, row in rows.iterrows():
        y = n - i
        for x, (column, _) in columns.items():
            cell = str(row[column])
            ax.text(x, y + 0.14, cell, fontsize=FONT_SIZE, va="center")
            rendering = english(cell, TABLE2_EN, f"Table 2 row {i + 1}, {column}")
            width = {"scheme": 28, "organiser": 19, "funding_source": 25}.get(column, 8)
            ax.text(
                x,
                y - 0.2,
                "\n".join(textwrap.wrap(rendering, width)),
                fontsize=FONT_SIZE,
                va="center",
                color="0.3",
                linespacing=1.0,
            )
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
                xy=(x_new + 0.18, y),
                xytext=(x_now - 0.12, y),
                arrowprops={"arrowstyle": "-|>", "color": "black", "linewidth": 1.2},
            )
        if i < n - 1:
            ax.axhline(y - 0.5, color="0.9", linewidth=0.6)
    ax.set_xlim(-0.1, col_x["supplementary"] + 0.45)
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
            label="表2 现行层次 current layer as printed (Table 2)",
        ),
        Line2D(
            [],
            [],
            marker="o",
            markersize=11,
            markerfacecolor="none",
            markeredgecolor="black",
            linestyle="none",
            label="作者划分的层次 layer the authors assign (section 2.3)",
        ),
        Line2D(
            [],
            [],
            marker="o",
            markersize=11,
            markerfacecolor="0.6",
            markeredgecolor="black",
            linestyle="none",
            label="两者相同 both: layer unchanged",
        ),
    ]
    ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, 0.0),
        ncol=1,
        fontsize=FONT_SIZE,
        frameon=False,
        title="报告值 reported: Gong & Wang 2024",
        title_fontsize=FONT_SIZE,
    )
    ax.set_title(
        "八项医疗保障制度的分层 Eight medical-security schemes: current and authors' layering",
        fontsize=FONT_SIZE + 1,
    )
    fig.tight_layout()
    return fig
