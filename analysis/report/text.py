"""Every sentence of the director's report, in Chinese and English, in one place.

Each entry is a ``(zh, en)`` pair; :func:`say` picks the languages of a report (``zh``, ``en``
or ``both``) and fills the ``{placeholders}``. Numbers are never typed here: they are passed
in by :mod:`analysis.report.content`.

Examples
--------
>>> say("title", "both", county="990101")
[('zh-CN', '990101 医保结算数据分析报告'), ('en', 'Settlement-data report for 990101')]
>>> say("title", "en", county="X")
[('en', 'Settlement-data report for X')]
"""

from __future__ import annotations

from typing import Literal

Lang = Literal["zh", "en", "both"]
LANGS: tuple[str, ...] = ("zh", "en", "both")
HTML_LANG = {"zh": "zh-CN", "en": "en"}

OUTCOME_NAMES: dict[str, tuple[str, str]] = {
    "visit_share": (
        "基层医疗机构门诊结算人次占比（%）",
        "Primary-care share of outpatient settlements (%)",
    ),
    "admission_share": (
        "基层医疗机构住院结算人次占比（%）",
        "Primary-care share of inpatient settlements (%)",
    ),
    "fund_share": ("基层医疗机构统筹基金支付占比（%）", "Primary-care share of fund payments (%)"),
}

TEXT: dict[str, tuple[str, str]] = {
    "title": ("{county} 医保结算数据分析报告", "Settlement-data report for {county}"),
    "subtitle": (
        "结果变量：{outcome_zh}；改革起始月份：{reform}",
        "Outcome: {outcome_en}; first reform month: {reform}",
    ),
    "no_reform": (
        "未给出改革日期：本报告只描述序列，不估计改革效果。",
        "No reform date was given: this report describes the series and estimates no effect.",
    ),
    "h_summary": ("要点", "Summary"),
    "h_series": ("月度序列", "The monthly series"),
    "h_its": ("中断时间序列（ITS）结果", "Interrupted time series (ITS)"),
    "h_did": ("双重差分（DiD）结果", "Difference-in-differences (DiD)"),
    "h_diagnostics": ("诊断", "Diagnostics"),
    "h_events": ("同期事件", "Coinciding events"),
    "h_support": ("这些数据能说明什么、不能说明什么", "What these data can and cannot support"),
    "h_inputs": ("输入文件", "Input files"),
    "h_reproduce": ("复现命令", "Command to reproduce this report"),
    "series_caption": (
        "图1  {county} 的{outcome_zh}（点），改革前趋势外推的反事实（虚线及其区间），"
        "以及对照县（灰线）。竖线为改革起始月份。",
        "Figure 1. {outcome_en} in {county} (points), the counterfactual extrapolated from the "
        "pre-reform trend (dashed, with its interval) and the comparison counties (grey). The "
        "vertical line is the first reform month.",
    ),
    "acf_caption": (
        "图2  ITS 模型残差的自相关函数。",
        "Figure 2. Autocorrelation of the ITS model's residuals.",
    ),
    "summary_its": (
        "改革起始月份，{outcome_zh}的水平变化为 {level}（{ci_pct}% 区间 {level_lo} 至 "
        "{level_hi}，p = {level_p}），月度斜率变化为 {slope}（区间 {slope_lo} 至 {slope_hi}）。",
        "At the first reform month the level of the outcome changed by {level} ({ci_pct}% "
        "interval {level_lo} to {level_hi}, p = {level_p}) and its monthly slope by {slope} "
        "(interval {slope_lo} to {slope_hi}).",
    ),
    "summary_did": (
        "与 {n_comparisons} 个对照县相比，DiD 估计值为 {did}（{did_interval}）。",
        "Against {n_comparisons} comparison counties the DiD estimate is {did} ({did_interval}).",
    ),
    "summary_unit": (
        "单位：百分点。区间方法见下表的“区间方法”列。",
        "Units: percentage points. The interval method of each estimate is in the table.",
    ),
    "its_model": (
        "模型：对 {n} 个月的{outcome_zh}做分段回归（高斯族），水平与斜率均可在改革月份变化，"
        "季节项为傅里叶 2 阶，误差为 AR(1)（Prais–Winsten 广义最小二乘，保留首个观测）。",
        "Model: segmented regression of the outcome over {n} months (Gaussian family), level "
        "and slope free to change at the reform month, Fourier seasonality of order 2, AR(1) "
        "errors (Prais–Winsten GLS keeping the first observation).",
    ),
    "its_notes": ("模型说明：{note}", "Note: {note}"),
    "did_model": (
        "面板：{county} 与 {n_comparisons} 个对照县，{n_periods} 个月；估计量：{estimator}（默认"
        "推断：处理单位很少时不使用聚类稳健区间）。",
        "Panel: {county} and {n_comparisons} comparison counties over {n_periods} months; "
        "estimator: {estimator} (default inference: no cluster-robust interval when few units "
        "are treated).",
    ),
    "did_placebo": (
        "安慰剂（空间）检验：把改革依次指派给每个对照县，{county} 的效应在 {n_units} 个县中的"
        "秩 p 值为 {p}（最小可达 {p_min}）。",
        "Placebo in space: with the reform assigned to each comparison county in turn, the "
        "rank p-value of {county}'s effect among {n_units} counties is {p} (smallest "
        "attainable {p_min}).",
    ),
    "no_interval": ("无有效区间：{reason}", "no valid interval: {reason}"),
    "no_comparisons": (
        "未给出对照县：没有 DiD 结果。单一县的序列无法把改革与同期事件区分开。",
        "No comparison counties were given: there is no DiD result. A single county's series "
        "cannot separate the reform from coinciding events.",
    ),
    "coverage": (
        "{county} 的序列：{first} 至 {last}，共 {months} 个月，无缺失月份；改革前 {pre} 个月，"
        "改革后 {post} 个月；单月分母（{den}）最小为 {min_den}。",
        "{county}'s series: {first} to {last}, {months} months, none missing; {pre} months "
        "before the reform and {post} from it; the smallest monthly denominator ({den}) is "
        "{min_den}.",
    ),
    "autocorrelation": (
        "残差自相关检验（{kind}）：Durbin–Watson = {dw}；Breusch–Godfrey（{lags} 阶）p = {bg}；"
        "Ljung–Box（{lags} 阶）p = {lb}。",
        "Residual autocorrelation ({kind}): Durbin–Watson = {dw}; Breusch–Godfrey ({lags} "
        "lags) p = {bg}; Ljung–Box ({lags} lags) p = {lb}.",
    ),
    "placebo_time": (
        "时间安慰剂检验：在改革前的每个可行月份假设一次“改革”，真实水平变化的经验 p 值为 "
        "{p_level}，斜率变化为 {p_slope}（共 {n} 个假日期）。",
        "Placebo in time: refitting with a fake reform at each feasible pre-reform month, the "
        "empirical p-value of the real level change is {p_level} and of the slope change "
        "{p_slope} ({n} fake dates).",
    ),
    "events_none": (
        "未提供事件文件：报告无法核对改革前后是否有其他政策、疫情或编码变化。",
        "No events file was given: the report cannot check for other policies, epidemics or "
        "coding changes near the reform.",
    ),
    "events_warning": (
        "以下事件与改革相距很近，模型没有单独刻画它们，估计的变化是改革与这些事件的合计：",
        "These events fall close to the reform and are not modelled separately: the "
        "estimated change is the sum of the reform's effect and theirs:",
    ),
    "events_clear": (
        "事件文件中没有与改革相距 {window} 个月以内的事件。",
        "No event in the events file falls within {window} months of the reform.",
    ),
    "can_1": (
        "能说明：{county} 参保人的医保结算中，基层医疗机构所占份额逐月如何变化，以及改革起始月份"
        "前后，这一份额相对于改革前趋势外推的变化。",
        "Can support: how the primary-care share of the settlements of {county}'s insured "
        "moved month by month, and how it changed at the first reform month relative to the "
        "extrapolated pre-reform trend.",
    ),
    "cannot_1": (
        "不能说明：单一县的序列无法把改革与同时发生的事件（其他政策、疫情、医保编码或结算规则"
        "的变化）区分开；ITS 的估计只在“改革月份没有别的变化”这一假设下是改革效果。",
        "Cannot support: a single county's series cannot separate the reform from events "
        "that coincide with it (other policies, epidemics, changes in coding or settlement "
        "rules); the ITS estimate is the reform's effect only if nothing else changed then.",
    ),
    "cannot_2": (
        "不能说明：基于结算数据的占比不是卫生统计中的诊疗人次占比。结算数据不含未参保者和未经"
        "医保结算的自费就诊；参保人在县外的就医（异地就医）计入参保地，而卫生统计按就诊发生地"
        "计数。",
        "Cannot support: a settlement-based share is not the health-statistics share of "
        "visits (诊疗人次). Settlements leave out uninsured visits and self-paid visits never "
        "settled through the insurance, and count the insured's care outside the county "
        "(异地就医) in their home county, while health statistics count visits where they "
        "take place.",
    ),
    "cannot_3": (
        "不能说明：DiD 的结论依赖平行趋势假设，并假定对照县在此期间没有自己的改革；只有一个"
        "改革县时，推断完全依赖对照县的数目（{n_units} 个县时，置换检验的最小 p 值为 {p_min}）。",
        "Cannot support: the DiD rests on parallel trends and assumes the comparison "
        "counties had no reform of their own in the period; with one reformed county its "
        "inference rests entirely on the number of comparison counties (with {n_units} "
        "counties the smallest attainable permutation p-value is {p_min}).",
    ),
    "cannot_4": (
        "不能说明：这些数据不涉及服务质量、健康结局或患者满意度。",
        "Cannot support: these data say nothing about quality of care, health outcomes or "
        "patient satisfaction.",
    ),
    "inputs_note": (
        "报告不含生成时间；同样的输入和命令生成逐字节相同的文件。",
        "The report carries no timestamp: the same inputs and command give byte-identical files.",
    ),
    "col_name": ("估计量", "estimate of"),
    "col_estimate": ("估计值", "estimate"),
    "col_interval": ("区间", "interval"),
    "col_p": ("p 值", "p-value"),
    "col_method": ("区间方法", "interval method"),
    "col_file": ("文件", "file"),
    "col_bytes": ("字节", "bytes"),
    "col_sha": ("SHA-256", "SHA-256"),
    "col_role": ("用途", "role"),
    "col_date": ("日期", "date"),
    "col_event": ("事件", "event"),
    "col_kind": ("类型", "kind"),
    "col_source": ("来源", "source"),
    "role_series": ("月度序列", "monthly series"),
    "role_events": ("事件表", "events"),
    "axis_month": ("月份", "month"),
    "legend_observed": ("观测值", "observed"),
    "legend_fitted": ("模型拟合", "fitted"),
    "legend_counterfactual": ("反事实", "counterfactual"),
    "legend_comparisons": ("对照县", "comparison counties"),
    "legend_reform": ("改革", "reform"),
}

ESTIMATE_NAMES: dict[str, tuple[str, str]] = {
    "level": ("水平变化", "level change"),
    "slope": ("斜率变化（每月）", "slope change (per month)"),
    "cumulative": ("累计效应（改革后各月之和）", "cumulative effect (sum over post months)"),
    "att": ("处理效应（改革县相对对照县的变化）", "effect on the reformed county (ATT)"),
}


def say(key: str, lang: str, **values: object) -> list[tuple[str, str]]:
    """The sentence ``key`` in the report's languages: ``[(html lang, text), ...]``."""
    zh, en = TEXT[key]
    chosen = {"zh": [("zh", zh)], "en": [("en", en)], "both": [("zh", zh), ("en", en)]}[lang]
    return [(HTML_LANG[code], text.format(**values)) for code, text in chosen]


def label(pair: tuple[str, str], lang: str) -> str:
    """One label in the report's languages, joined with `` / `` for ``both``.

    Examples
    --------
    >>> label(("月份", "month"), "both"), label(("月份", "month"), "zh")
    ('月份 / month', '月份')
    """
    zh, en = pair
    return {"zh": zh, "en": en, "both": f"{zh} / {en}"}[lang]


def column(key: str, lang: str) -> str:
    """A table header in the report's languages."""
    return label(TEXT[key], lang)
