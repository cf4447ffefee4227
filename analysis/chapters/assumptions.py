"""Assumptions and what they imply (``book/data/assumptions.md``).

The calibration of Qianjiang's synthetic series combines reported values (claims) with assumed
settings (``data/synthetic/assumptions.toml``). This module lists what the combination implies
(:func:`analysis.synthetic.calibration.implied_quantities`) and reruns the generator and the
interrupted-time-series main model under alternative post-reform fund shares, so the page can
show how much of the fund-share result, and of hypothesis H1's "sign as predicted", is put in
by the assumed shares. Alternatives are written to temporary assumption files; the committed
file is never touched.

Examples
--------
>>> values = numbers()
>>> values["asm-hosp-pre"], values["asm-hosp-2023"], values["asm-hosp-2024"]
('6.6', '1.0', '0.0')
>>> [a.key for a in ALTERNATIVES]
['committed', 'pregrowth', 'flat', 'trend']
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure
from pandas.io.formats.style import Styler

from analysis.chapters.case import REFORM_YEAR, TREATED_DISTRICT, TREATED_NAME
from analysis.chapters.its_qianjiang import main_spec
from analysis.datasets import add_shares, load_data
from analysis.its.fit import fit_its
from analysis.plotting.provenance import mark_assumed, mark_reported, provenance_legend
from analysis.plotting.style import use_book_style
from analysis.synthetic import generate
from analysis.synthetic.calibration import (
    OTHERS,
    PRIMARY,
    SHARE_LABELS,
    annual_totals,
    closed_form_fund_path,
    fund_share_path_continuing_trend,
    fund_share_path_for_other_growth,
    implied_quantities,
    measure_label,
    non_primary,
    other_fund_growth_pre_reform,
    with_treated_settings,
    write_config,
)
from analysis.synthetic.config import (
    Anchors,
    assumptions_table,
    load_config,
    read_anchors,
    treated_settings,
)

FUND = "fund_share"
NOTE = (
    "Only the filled circles are reported. Every other value is assumed, or implied by the "
    "assumptions together with the reported values; none is observed."
)
SOURCE = "Luo et al. 2025, §4.1"
#: The settings of the treated district shown first on the page: the ones the fund-share and
#: volume implications follow from.
KEY_SECTION = f"treated.{TREATED_DISTRICT}"


@cache
def config() -> dict[str, Any]:
    """The committed assumptions."""
    return load_config()


@cache
def anchors() -> Anchors:
    """The reported anchors."""
    return read_anchors(config())


def reform_years() -> list[int]:
    """Years from the reform to the end of the synthetic data."""
    return sorted(int(y) for y in treated_settings(config())["fund_share_post"])


# ------------------------------------------------------------------ alternatives


@dataclass(frozen=True)
class Alternative:
    """One post-reform fund-share assumption a reader can switch to."""

    key: str
    label: str
    assumption: str
    shares: Callable[[], dict[int, float]]


def _committed_shares() -> dict[int, float]:
    return {int(y): float(v) for y, v in treated_settings(config())["fund_share_post"].items()}


def _pre_growth_shares() -> dict[int, float]:
    growth = other_fund_growth_pre_reform(config(), anchors())
    return fund_share_path_for_other_growth(anchors(), dict.fromkeys(reform_years(), growth))


def _flat_shares() -> dict[int, float]:
    growth = anchors().fund_growth_pct
    return fund_share_path_for_other_growth(anchors(), dict.fromkeys(reform_years(), growth))


def _trend_shares() -> dict[int, float]:
    return fund_share_path_continuing_trend(anchors(), reform_years())


ALTERNATIVES: tuple[Alternative, ...] = (
    Alternative(
        "committed",
        "(a) committed shares",
        "the post-reform fund shares of the committed assumptions file",
        _committed_shares,
    ),
    Alternative(
        "pregrowth",
        "(b) hospitals keep pre-reform growth",
        "hospitals' revenue keeps growing at its implied pre-reform rate",
        _pre_growth_shares,
    ),
    Alternative(
        "flat",
        "(c) hospitals grow like primary care",
        "hospitals' revenue grows at primary care's reported rate: the share is flat",
        _flat_shares,
    ),
    Alternative(
        "trend",
        "(d) share keeps its pre-reform decline",
        "the fund share continues the straight line through the two reported points",
        _trend_shares,
    ),
)


def alternative_config(alternative: Alternative) -> dict[str, Any]:
    """The committed assumptions with this alternative's post-reform fund shares."""
    shares = {str(y): float(v) for y, v in alternative.shares().items()}
    return with_treated_settings(config(), fund_share_post=shares)


def generate_alternative(alternative: Alternative) -> pd.DataFrame:
    """Qianjiang's synthetic monthly rows generated under the alternative, with shares."""
    with tempfile.TemporaryDirectory() as tmp:
        path = write_config(alternative_config(alternative), Path(tmp) / "assumptions.toml")
        monthly = generate(config_path=path).district_monthly
    rows = monthly[monthly["district"] == TREATED_DISTRICT].copy()
    rows["month"] = pd.to_datetime(rows["month"])
    return add_shares(rows).reset_index(drop=True)


@dataclass(frozen=True)
class AlternativeResult:
    """What one alternative implies and what the ITS main model estimates under it."""

    alternative: Alternative
    shares: dict[int, float]
    annual: pd.DataFrame
    level: Any
    slope: Any

    @property
    def other_growth(self) -> dict[int, float]:
        """Hospitals' insurance-revenue growth in each reform year, percent."""
        other = non_primary(self.annual, "fund")
        return {y: 100 * (other.loc[y] / other.loc[y - 1] - 1) for y in self.shares}


@cache
def results() -> dict[str, AlternativeResult]:
    """Every alternative, generated and fitted with the ITS chapter's main model."""
    out = {}
    for alt in ALTERNATIVES:
        monthly = generate_alternative(alt)
        fit = fit_its(monthly, main_spec(FUND))
        annual = annual_totals(monthly, TREATED_DISTRICT)
        out[alt.key] = AlternativeResult(
            alt, alt.shares(), annual, fit.effects["level"], fit.effects["slope"]
        )
    return out


def h1_sign(level: Any) -> str:
    """Hypothesis H1 predicts a rise in the fund share: the sign of the level change, when its
    interval excludes zero."""
    if level.ci_lower <= 0 <= level.ci_upper:
        return "no clear sign"
    return "as predicted" if level.estimate > 0 else "against prediction"


# ------------------------------------------------------------------ numbers and tables


def _f(value: float, digits: int = 1) -> str:
    # Adding 0.0 turns IEEE negative zero into zero for display.
    return f"{round(value, digits) + 0.0:.{digits}f}"


@cache
def implied() -> pd.DataFrame:
    """The implied quantities of the committed calibration."""
    return implied_quantities(committed_monthly(), anchors(), config())


@cache
def committed_monthly() -> pd.DataFrame:
    """The committed synthetic monthly file (all districts), as loaded."""
    return load_data("district_monthly").frame


def _implied_value(quantity_start: str, years: str) -> float:
    table = implied()
    row = table[table["quantity"].str.startswith(quantity_start) & (table["years"] == years)]
    return float(row["value"].iloc[0])


def _alternative_numbers() -> dict[str, str]:
    out: dict[str, str] = {}
    last = max(reform_years())
    base = anchors().fund_share[REFORM_YEAR - 1]
    for key, res in results().items():
        prefix = f"asm-alt-{key}"
        out[f"{prefix}-share-{last}"] = _f(res.shares[last])
        out[f"{prefix}-change"] = _f(res.shares[last] - base)
        for year, growth in res.other_growth.items():
            out[f"{prefix}-hosp-{year}"] = _f(growth)
        out[f"{prefix}-level"] = _f(res.level.estimate, 2)
        out[f"{prefix}-slope"] = _f(12 * res.slope.estimate, 2)
        out[f"{prefix}-sign"] = h1_sign(res.level)
    return out


def numbers() -> dict[str, str]:
    """Every number the page glues."""
    pre_span = f"{min(anchors().fund_share)}-{REFORM_YEAR - 1}"
    others = measure_label("fund", OTHERS)
    out = {
        "asm-n-settings": str(len(assumptions_table())),
        "asm-n-implied": str(len(implied())),
        "asm-hosp-pre": _f(_implied_value(others, pre_span)),
        "asm-primary-fund-pre": _f(_implied_value(measure_label("fund", PRIMARY), pre_span)),
        "asm-fund-growth": _f(anchors().fund_growth_pct, 0),
        "asm-share-last-pre": _f(anchors().fund_share[REFORM_YEAR - 1]),
        "asm-total-growth": _f(100 * treated_settings(config())["fund_total_growth"], 0),
        "asm-visits-primary-first": _f(
            _implied_value(measure_label("visits", PRIMARY), str(REFORM_YEAR))
        ),
        "asm-visits-other-first": _f(
            _implied_value(measure_label("visits", OTHERS), str(REFORM_YEAR))
        ),
        "asm-adm-share-post": _f(
            _implied_value(SHARE_LABELS["admission_share"], str(anchors().post_year))
        ),
        "asm-post-year": str(anchors().post_year),
        "asm-closed-gap": f"{closed_form_gap():.1e}",
        "asm-fund-growth-zh": _source_words(anchors().claim_ids["fund_growth_annual"]),
        "asm-share-zh": _clause(anchors().claim_ids[f"fund_share_{REFORM_YEAR - 1}"]),
    }
    for year in reform_years():
        out[f"asm-hosp-{year}"] = _f(_implied_value(others, str(year)))
        out[f"asm-share-{year}"] = _f(_committed_shares()[year])
    alternatives = _alternative_numbers()
    trend_first = results()["trend"].other_growth[REFORM_YEAR]
    out["asm-trend-ratio"] = _f(trend_first / float(out["asm-hosp-pre"]))
    return out | alternatives


def _source_words(claim_id: str) -> str:
    claims = load_data("claims").frame.set_index("claim_id")
    return str(claims.at[claim_id, "source_zh"])


def _clause(claim_id: str) -> str:
    """The clause of a claim's source sentence that holds its printed value."""
    claims = load_data("claims").frame.set_index("claim_id")
    printed = str(claims.at[claim_id, "value_as_printed"])
    clauses = str(claims.at[claim_id, "source_zh"]).replace("；", ";").split(";")
    return next(c for c in clauses if printed in c).rstrip("。")


def closed_form_gap() -> float:
    """Largest gap (percentage points of growth) between the closed form and the synthetic
    totals for hospitals' yearly insurance-revenue growth."""
    closed = closed_form_fund_path(config(), anchors())["fund_other"].pct_change()
    synthetic = non_primary(annual_totals(committed_monthly()), "fund").pct_change()
    return float((100 * (closed - synthetic)).abs().max())


def table_key_assumptions() -> Styler:
    """The treated district's assumed settings, with the assumption each states."""
    table = assumptions_table()
    rows = table[table["section"] == KEY_SECTION][["setting", "value", "explanation"]]
    return rows.rename(columns={"explanation": "stated assumption"}).style.hide(axis="index")


def table_all_assumptions() -> Styler:
    """Every assumed setting with its comment. The anchors section is left out: it names the
    reported claims the generator is calibrated to, which the claims ledger lists."""
    table = assumptions_table().rename(columns={"explanation": "stated assumption"})
    return table[table["section"] != "anchors"].style.hide(axis="index")


def table_implied() -> Styler:
    """The implied quantities, one decimal, with what each follows from."""
    table = implied().rename(
        columns={
            "reported_claims": "reported claims",
            "assumed_settings": "assumed settings",
        }
    )
    return table.style.hide(axis="index").format({"value": "{:.1f}"})


def alternatives_frame() -> pd.DataFrame:
    """One row per alternative: shares, hospitals' growth, ITS estimates and H1's sign."""
    rows = []
    for res in results().values():
        row: dict[str, object] = {"alternative": res.alternative.label}
        for year, share in res.shares.items():
            row[f"fund share {year} (%)"] = _f(share)
        for year, growth in res.other_growth.items():
            row[f"hospitals' growth {year} (%)"] = _f(growth)
        lvl, slp = res.level, res.slope
        row["ITS level change (pp)"] = (
            f"{_f(lvl.estimate, 2)} [{_f(lvl.ci_lower, 2)}, {_f(lvl.ci_upper, 2)}]"
        )
        row["ITS slope change (pp/yr)"] = (
            f"{_f(12 * slp.estimate, 2)} [{_f(12 * slp.ci_lower, 2)}, {_f(12 * slp.ci_upper, 2)}]"
        )
        row["H1 sign (synthetic data)"] = h1_sign(lvl)
        rows.append(row)
    return pd.DataFrame(rows)


def table_alternatives() -> Styler:
    """The alternatives side by side (synthetic data, assumed shares)."""
    return alternatives_frame().style.hide(axis="index")


# ------------------------------------------------------------------ figure


def _hospital_growth_path(res: AlternativeResult) -> pd.Series:
    other = non_primary(res.annual, "fund")
    return 100 * other.pct_change().dropna()


def figure_alternatives(keys: Sequence[str] | None = None) -> Figure:
    """Fund-share paths and hospitals' implied revenue growth under each alternative
    (``fig-asm-alternatives``); every post-reform value is assumed or implied, none observed.

    Parameters
    ----------
    keys
        Alternatives to draw (all when ``None``); colours stay with their alternative.
    """
    use_book_style()
    unknown = set(keys or ()) - set(results())
    if unknown:
        raise KeyError(f"unknown alternatives {sorted(unknown)}; known: {list(results())}")
    fig, (left, right) = plt.subplots(1, 2, figsize=(9.0, 6.4))
    last_pre = REFORM_YEAR - 1
    points = anchors().fund_share
    pre = results()["committed"].annual.loc[:last_pre, FUND]
    mark_assumed(
        left, pre.index, pre.values, "between the reported points: straight line", color="0.5"
    )
    mark_reported(left, sorted(points), [points[y] for y in sorted(points)], "fund share", SOURCE)
    for i, res in enumerate(results().values()):
        if keys is not None and res.alternative.key not in keys:
            continue
        years = [last_pre, *res.shares]
        shares = [points[last_pre], *res.shares.values()]
        mark_assumed(left, years, shares, res.alternative.label, color=f"C{i}")
        growth = _hospital_growth_path(res)
        post = growth[growth.index >= last_pre]
        mark_assumed(right, post.index, post.values, res.alternative.label, color=f"C{i}")
    committed = _hospital_growth_path(results()["committed"])
    before = committed[committed.index <= last_pre]
    mark_assumed(right, before.index, before.values, "before the reform (implied)", color="0.5")
    growth = anchors().fund_growth_pct
    mark_reported(
        right,
        [REFORM_YEAR + 0.5],
        [growth],
        "primary-care fund, average growth",
        SOURCE,
        fmt="{:.0f}",
    )
    left.set_ylabel("primary-care fund share (%)")
    right.set_ylabel("growth over previous year (%)")
    for ax in (left, right):
        ax.axvline(REFORM_YEAR - 0.5, color="0.6", linewidth=0.8, linestyle=":")
        ax.set_xlabel("year")
        provenance_legend(ax, fontsize=9, loc="upper center", bbox_to_anchor=(0.5, -0.14))
    left.set_title(f"{TREATED_NAME}: fund share, reported and assumed")
    right.set_title("Rest of the denominator (mostly hospitals): implied growth")
    fig.text(0.01, 0.005, NOTE, fontsize=9, color="0.3", ha="left", va="bottom")
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    return fig


def interactive_alternatives() -> Any:
    """A selector over the alternatives that redraws the figure and the table row (Binder).

    Returns
    -------
    ipywidgets.VBox
        The selector and the output area.
    """
    import ipywidgets as widgets
    from IPython.display import display

    options = [(a.label, a.key) for a in ALTERNATIVES]
    selector = widgets.SelectMultiple(
        options=options, value=[options[0][1]], description="assumption", rows=len(options)
    )
    out = widgets.Output()
    table = alternatives_frame().set_index("alternative")

    def redraw(change: Any = None) -> None:
        out.clear_output(wait=True)
        keys = list(selector.value)
        with out:
            if not keys:
                print("Select at least one assumption.")
                return
            fig = figure_alternatives(keys)
            display(fig)
            plt.close(fig)
            labels = [a.label for a in ALTERNATIVES if a.key in keys]
            display(table.loc[labels])

    selector.observe(redraw, names="value")
    redraw()
    return widgets.VBox([selector, out])
