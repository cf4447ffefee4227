"""Lay a computed :class:`~analysis.report.content.Report` out as one self-contained HTML file.

Everything is inside the file: the CSS, the figures (inline SVG whose text is drawn as paths
in the pip-installed Noto Sans CJK SC font) and the tables. It names no external resource: no
CDN, no web font, no script, so it opens the same offline, in mainland China, or attached to
an e-mail. Body text uses a CJK font-family stack (the reader's own Noto Sans CJK / Source Han
Sans / PingFang / Microsoft YaHei). There is no timestamp, so the same inputs give the same
bytes.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable

from analysis.datasets import SHARE_PAIRS
from analysis.estimates import Estimate
from analysis.report.content import EVENT_WINDOW, Report, shown_p_value, valid_interval
from analysis.report.figures import acf_figure, series_figure
from analysis.report.text import (
    ESTIMATE_NAMES,
    HTML_LANG,
    OUTCOME_NAMES,
    TEXT,
    column,
    label,
    say,
)

FONT_STACK = (
    '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "PingFang SC", '
    '"Hiragino Sans GB", "Microsoft YaHei", "WenQuanYi Micro Hei", system-ui, sans-serif'
)
CSS = f"""
body {{ font-family: {FONT_STACK}; max-width: 60rem; margin: 2rem auto; padding: 0 1rem;
       line-height: 1.6; color: #1a1a1a; }}
h1 {{ font-size: 1.6rem; margin-bottom: 0.2rem; }}
h2 {{ font-size: 1.2rem; border-bottom: 1px solid #ccc; margin-top: 2rem; }}
p[lang="en"], span[lang="en"].sub {{ color: #333; }}
table {{ border-collapse: collapse; margin: 0.8rem 0; font-size: 0.9rem; }}
th, td {{ border: 1px solid #ccc; padding: 0.25rem 0.5rem; text-align: left;
         vertical-align: top; }}
th {{ background: #f2f2f2; }}
td.num {{ text-align: right; font-variant-numeric: tabular-nums; }}
figure {{ margin: 1rem 0; }}
figure svg {{ max-width: 100%; height: auto; }}
code, pre {{ font-family: "Noto Sans Mono CJK SC", "DejaVu Sans Mono", monospace;
            font-size: 0.85rem; }}
pre {{ background: #f6f6f6; padding: 0.6rem; white-space: pre-wrap; word-break: break-all; }}
.warn {{ background: #fff4e5; border-left: 4px solid #c55a11; padding: 0.3rem 0.8rem; }}
"""


def fmt(x: float, digits: int = 2) -> str:
    """A number for the report (``—`` when missing).

    Examples
    --------
    >>> fmt(1.23456), fmt(float("nan")), fmt(-0.0004, 3), fmt(float("-inf"))
    ('1.23', '—', '-0.000', '−∞')
    """
    if x is None or math.isnan(float(x)):
        return "—"
    if math.isinf(float(x)):
        return "∞" if x > 0 else "−∞"
    return f"{float(x):.{digits}f}"


def fmt_p(p: float) -> str:
    """A p-value: three decimals, ``< 0.001`` below that.

    Examples
    --------
    >>> fmt_p(0.04321), fmt_p(0.00001), fmt_p(float("nan"))
    ('0.043', '< 0.001', '—')
    """
    if p is None or not math.isfinite(float(p)):
        return "—"
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def paragraphs(pairs: Iterable[tuple[str, str]], css: str = "") -> str:
    """``<p lang=...>`` for each ``(lang, text)``."""
    klass = f' class="{css}"' if css else ""
    return "\n".join(f'<p lang="{code}"{klass}>{_e(text)}</p>' for code, text in pairs)


def heading(key: str, lang: str, anchor: str) -> str:
    """A section heading in the report's languages."""
    spans = " ".join(f'<span lang="{code}">{_e(text)}</span>' for code, text in say(key, lang))
    return f'<h2 id="{anchor}">{spans}</h2>'


def table(headers: list[str], rows: list[list[str]], numeric: Iterable[int] = ()) -> str:
    """An HTML table of already formatted cells."""
    numeric = set(numeric)
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "".join(
        "<tr>"
        + "".join(
            f"<td{' class=num' if i in numeric else ''}>{_e(cell)}</td>"
            for i, cell in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def interval_text(estimate: Estimate, lang: str, digits: int = 2) -> str:
    """``[lo, hi]`` when valid, otherwise the reason there is none."""
    if valid_interval(estimate):
        return f"[{fmt(estimate.ci_lower, digits)}, {fmt(estimate.ci_upper, digits)}]"
    reason = estimate.interval_method or "—"
    return " / ".join(text for _, text in say("no_interval", lang, reason=reason))


def estimate_rows(estimates: Iterable[Estimate], lang: str) -> list[list[str]]:
    """Rows of an estimates table: name, estimate, interval, p-value, method."""
    rows = []
    for e in estimates:
        name = label(ESTIMATE_NAMES[e.name], lang) if e.name in ESTIMATE_NAMES else e.name
        digits = 3 if e.name == "slope" else 2
        p = shown_p_value(e)
        rows.append(
            [
                name,
                fmt(e.estimate, digits),
                interval_text(e, lang, digits),
                fmt_p(p),
                e.interval_method,
            ]
        )
    return rows


def estimate_headers(lang: str) -> list[str]:
    """Headers of an estimates table."""
    keys = ("col_name", "col_estimate", "col_interval", "col_p", "col_method")
    return [column(k, lang) for k in keys]


def _summary(report: Report, lang: str) -> str:
    spec = report.spec
    if report.its is None:
        return paragraphs(say("no_reform", lang))
    level, slope = report.its.effects["level"], report.its.effects["slope"]
    values = {
        "outcome_zh": OUTCOME_NAMES[spec.outcome][0],
        "level": fmt(level.estimate),
        "level_lo": fmt(level.ci_lower),
        "level_hi": fmt(level.ci_upper),
        "level_p": fmt_p(level.p_value),
        "slope": fmt(slope.estimate, 3),
        "slope_lo": fmt(slope.ci_lower, 3),
        "slope_hi": fmt(slope.ci_upper, 3),
        "ci_pct": f"{100 * (1 - level.alpha):g}",
    }
    out = [paragraphs(say("summary_its", lang, **values))]
    if report.did is not None:
        headline = report.did.estimates()[0]
        out.append(
            paragraphs(
                say(
                    "summary_did",
                    lang,
                    n_comparisons=len(spec.comparisons),
                    did=fmt(headline.estimate),
                    did_interval=interval_text(headline, lang),
                )
            )
        )
    else:
        out.append(paragraphs(say("no_comparisons", lang), "warn"))
    out.append(paragraphs(say("summary_unit", lang)))
    return "\n".join(out)


def _its_section(report: Report, lang: str) -> str:
    if report.its is None:
        return ""
    spec, its = report.spec, report.its
    parts = [heading("h_its", lang, "its")]
    parts.append(
        paragraphs(say("its_model", lang, n=its.n, outcome_zh=OUTCOME_NAMES[spec.outcome][0]))
    )
    parts.append(table(estimate_headers(lang), estimate_rows(its.estimates(), lang), (1,)))
    for note in its.not_estimable:
        parts.append(paragraphs(say("its_notes", lang, note=note), "warn"))
    return "\n".join(parts)


def _did_section(report: Report, lang: str) -> str:
    if report.did is None:  # the summary says why there is none
        return ""
    parts = [heading("h_did", lang, "did")]
    run, spec = report.did, report.spec
    parts.append(
        paragraphs(
            say(
                "did_model",
                lang,
                county=spec.county,
                n_comparisons=len(spec.comparisons),
                n_periods=run.panel.n_periods,
                estimator=run.method_name,
            )
        )
    )
    parts.append(table(estimate_headers(lang), estimate_rows(run.estimates(), lang), (1,)))
    for note in run.summary_notes():
        parts.append(paragraphs([(HTML_LANG["en"], note)]))
    return "\n".join(parts)


def _diagnostics(report: Report, lang: str) -> str:
    spec, county = report.spec, report.county_series
    parts = [heading("h_diagnostics", lang, "diagnostics")]
    den = county[SHARE_PAIRS[spec.outcome][1]]
    first = report.first_month
    pre = int((county["month"] < first).sum()) if first is not None else len(county)
    parts.append(
        paragraphs(
            say(
                "coverage",
                lang,
                county=spec.county,
                first=f"{county['month'].iloc[0]:%Y-%m}",
                last=f"{county['month'].iloc[-1]:%Y-%m}",
                months=len(county),
                pre=pre,
                post=len(county) - pre,
                min_den=f"{int(den.min()):,}",
                den=SHARE_PAIRS[spec.outcome][1],
            )
        )
    )
    acf = report.autocorrelation
    if acf is not None:
        parts.append(
            paragraphs(
                say(
                    "autocorrelation",
                    lang,
                    kind=acf.residual_kind,
                    dw=fmt(acf.durbin_watson),
                    bg=fmt_p(acf.breusch_godfrey_p),
                    lb=fmt_p(acf.ljung_box_p),
                    lags=acf.lags,
                )
            )
        )
        figure = acf_figure(report)
        if figure:
            caption = paragraphs(say("acf_caption", lang))
            parts.append(
                f'<figure id="figure-acf">{figure}<figcaption>{caption}</figcaption></figure>'
            )
    if report.placebo_time is not None:
        placebo = report.placebo_time
        parts.append(
            paragraphs(
                say(
                    "placebo_time",
                    lang,
                    p_level=fmt_p(placebo.p_level),
                    p_slope=fmt_p(placebo.p_slope),
                    n=len(placebo.table),
                )
            )
        )
    if report.did_placebo is not None:
        result = report.did_placebo
        n_units = result.panel.n_units
        p = result.estimates()[0].p_value
        parts.append(
            paragraphs(
                say(
                    "did_placebo",
                    lang,
                    county=spec.county,
                    n_units=n_units,
                    p=fmt_p(p),
                    p_min=fmt(1 / n_units, 3),
                )
            )
        )
    return "\n".join(parts)


def _events(report: Report, lang: str) -> str:
    parts = [heading("h_events", lang, "events")]
    if report.events is None:
        return "\n".join([*parts, paragraphs(say("events_none", lang), "warn")])
    if report.event_warnings:
        parts.append(paragraphs(say("events_warning", lang), "warn"))
        parts.append(
            "<ul>" + "".join(f'<li lang="en">{_e(w)}</li>' for w in report.event_warnings) + "</ul>"
        )
    elif report.first_month is not None:
        parts.append(paragraphs(say("events_clear", lang, window=EVENT_WINDOW)))
    headers = [column(k, lang) for k in ("col_date", "col_event", "col_kind", "col_source")]
    parts.append(table(headers, report.events.astype(str).values.tolist()))
    return "\n".join(parts)


def _support(report: Report, lang: str) -> str:
    spec = report.spec
    n_units = 1 + len(spec.comparisons)
    parts = [heading("h_support", lang, "support")]
    parts.append(paragraphs(say("can_1", lang, county=spec.county)))
    parts.append(paragraphs(say("cannot_1", lang)))
    parts.append(paragraphs(say("cannot_2", lang)))
    if spec.comparisons:
        parts.append(paragraphs(say("cannot_3", lang, n_units=n_units, p_min=fmt(1 / n_units, 3))))
    parts.append(paragraphs(say("cannot_4", lang)))
    return "\n".join(parts)


def _inputs(report: Report, lang: str) -> str:
    parts = [heading("h_inputs", lang, "inputs")]
    headers = [column(k, lang) for k in ("col_file", "col_role", "col_bytes", "col_sha")]
    rows = [
        [f.path, label(TEXT[f"role_{f.role}"], lang), f"{f.bytes:,}", f.sha256]
        for f in report.inputs
    ]
    parts.append(table(headers, rows, (2,)))
    parts.append(paragraphs(say("inputs_note", lang)))
    parts.append(heading("h_reproduce", lang, "reproduce"))
    parts.append(f"<pre><code>{_e(report.spec.command())}</code></pre>")
    return "\n".join(parts)


def render(report: Report) -> str:
    """The report as one HTML document (text)."""
    spec, lang = report.spec, report.spec.lang
    document_lang = "en" if lang == "en" else "zh-CN"
    title = " / ".join(t for _, t in say("title", lang, county=spec.county))
    reform = f"{report.first_month:%Y-%m}" if report.first_month is not None else "—"
    zh, en = OUTCOME_NAMES[spec.outcome]
    subtitle = paragraphs(say("subtitle", lang, outcome_zh=zh, outcome_en=en, reform=reform))
    caption = paragraphs(
        say("series_caption", lang, county=spec.county, outcome_zh=zh, outcome_en=en)
    )
    body = [
        f"<header><h1>{_e(title)}</h1>{subtitle}</header>",
        heading("h_summary", lang, "summary"),
        _summary(report, lang),
        heading("h_series", lang, "series"),
        f'<figure id="figure-series">{series_figure(report)}<figcaption>{caption}</figcaption></figure>',
        _its_section(report, lang),
        _did_section(report, lang),
        _diagnostics(report, lang),
        _events(report, lang),
        _support(report, lang),
        _inputs(report, lang),
    ]
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{document_lang}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        + "\n".join(part for part in body if part)
        + "\n</body>\n</html>\n"
    )
