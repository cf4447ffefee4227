"""English renderings keep the papers' hedges, bases and definitions (issue 15, finding 5).

A referee found "more than 70 %" for 70%以上 (以上 includes the bound: "70 % or more"), "about
three years" for 3年多 ("more than three years"), "the strongest incentive" for 较强的激励作用
("a fairly strong incentive"), 相较于2022年 ("compared with 2022") merged with 同比 ("year on
year"), and the fund share's denominator stated three ways. The checks here are general: they
read the hedge from the Chinese next to each quoted number and ask the English beside it (a
claim's gloss, a mechanism's description, a hypothesis statement, a chapter's prose with its glue
values filled in) to carry the matching hedge. The hedge conventions follow ordinary Chinese
statistical usage: 以上 and 以下 include the bound, 多 and 余 exceed it, 约 and 左右 approximate it,
近 falls just short of it (but 近三年 is "the last three years").
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass

import pandas as pd
import pytest

from analysis import frameworks as fw
from analysis import paths
from analysis.datasets import load_data

NUMBER = r"(?P<num>\d+(?:\.\d+)?|[一两二三四五六七八九十百千万]+)"
UNIT = r"\s?(?P<unit>%|个百分点|年|个工作日|人次|家|个|份)?"
PREFIX = r"(?P<pre>约|近|超过|超出|高于|大于|逾|低于|不足)?\s?"
SUFFIX = r"\s?(?P<suf>以上|以下|以内|左右|多|余)?"
HEDGED_NUMBER = re.compile(PREFIX + NUMBER + UNIT + SUFFIX)

CHINESE_DIGITS = {"一": 1, "两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8}
CHINESE_DIGITS |= {"九": 9, "十": 10}
ENGLISH_WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven"}
ENGLISH_WORDS |= {8: "eight", 9: "nine", 10: "ten"}


@dataclass(frozen=True)
class Hedge:
    """What a Chinese hedge obliges the English to say, and what it forbids just before it."""

    kind: str
    required: str
    forbidden: str | None = None


OR_MORE = Hedge(
    "or more (以上)", r"or more|at least|or above|and above|or over", r"more than|over|about"
)
MORE_THAN = Hedge(
    "more than (多/余/超过)",
    r"more than|over|above|beyond|exceed",
    r"about|around|approximately|roughly|nearly",
)
ABOUT = Hedge("about (约/左右)", r"about|around|approximately|roughly|some")
NEARLY = Hedge("nearly (近)", r"nearly|almost|close to|just under", r"more than|over")
WITHIN = Hedge("within (以内)", r"within|up to|at most|no more than")
OR_LESS = Hedge("or less (以下)", r"or less|or below|at most|up to", r"less than|below|under")
BELOW = Hedge("below (低于/不足)", r"below|less than|under|short of")

#: 较 + adjective: the English must not turn the comparative degree into a superlative.
COMPARATIVE = re.compile(r"较为?(?P<adj>强|大|高|好|多|快|彻底|低|少)")
SUPERLATIVES = {
    "强": r"strongest|most (?:strong|powerful)",
    "大": r"largest|biggest|greatest",
    "高": r"highest",
    "好": r"best",
    "多": r"most",
    "快": r"fastest",
    "彻底": r"most thorough|completely",
    "低": r"lowest",
    "少": r"fewest|least",
}
BASE_ADJECTIVES = {"强": "strong", "大": "large|big|great", "高": "high", "彻底": "thorough"}
MODERATORS = r"fairly|relatively|comparatively|rather|quite"


@dataclass(frozen=True)
class Quoted:
    """One hedged number in the Chinese: its value, unit and hedge."""

    value: float
    unit: str
    hedge: Hedge
    text: str


def _value(token: str) -> float | None:
    if re.fullmatch(r"\d+(?:\.\d+)?", token):
        return float(token)
    if len(token) == 1 and token in CHINESE_DIGITS:
        return float(CHINESE_DIGITS[token])
    return None


def _hedge(prefix: str | None, suffix: str | None, after: str) -> Hedge | None:
    if prefix in ("超过", "超出", "高于", "大于", "逾"):
        return MORE_THAN  # 超出10%以上: "beyond 10 %"; the 以上 repeats the 超出
    if suffix == "以上":
        return OR_MORE
    if suffix in ("多", "余"):
        return MORE_THAN
    if prefix == "约" or suffix == "左右":
        return ABOUT
    if prefix == "近" and not after.startswith("年"):
        return NEARLY
    if suffix == "以内":
        return WITHIN
    if suffix == "以下":
        return OR_LESS
    if prefix in ("低于", "不足"):
        return BELOW
    return None


def hedged_numbers(chinese: str) -> list[Quoted]:
    """Every number in ``chinese`` that carries a hedge."""
    found = []
    for m in HEDGED_NUMBER.finditer(chinese):
        value = _value(m.group("num"))
        unit = (m.group("unit") or "").strip()
        after = chinese[m.end("num") :]
        if m.group("pre") == "近" and re.match(
            r"[一两二三四五六七八九十\d]+年", chinese[m.start("num") :]
        ):
            continue  # 近三年: "the last three years", not "nearly three years"
        hedge = _hedge(m.group("pre"), m.group("suf"), after)
        if value is not None and hedge is not None:
            found.append(Quoted(value, unit, hedge, m.group(0)))
    return found


def _number_forms(value: float) -> list[str]:
    forms = [f"{value:g}", f"{value:,.0f}" if value == int(value) else f"{value:g}"]
    if value == int(value) and int(value) in ENGLISH_WORDS:
        forms.append(ENGLISH_WORDS[int(value)])
    return sorted(set(forms), key=len, reverse=True)


UNIT_WORDS = {
    "%": r"\s?(?:%|per ?cent)",
    "个百分点": r"\s?(?:percentage[- ]points?|points?|pp)",
    "年": r"[\s-]+years?",
    "个工作日": r"\s+working days?",
}


def english_mentions(english: str, quoted: Quoted, unitless: bool) -> list[re.Match[str]]:
    """Where the English states the quoted number (with its unit, when the unit is known)."""
    unit = UNIT_WORDS.get(quoted.unit)
    if unit is None and not (unitless and quoted.value >= 100):
        return []  # a bare small number ("3") would match too much unrelated text
    number = "|".join(re.escape(f) for f in _number_forms(quoted.value))
    pattern = rf"(?<![\d.,])(?:{number})(?![\d,]|\.\d){unit or ''}"
    return list(re.finditer(pattern, english, flags=re.IGNORECASE))


def _ambiguous(chinese: str, quoted: Quoted) -> bool:
    """Whether ``quoted``'s number also occurs in ``chinese`` with another hedge or none."""
    same = [
        m
        for m in HEDGED_NUMBER.finditer(chinese)
        if _value(m.group("num")) == quoted.value and (m.group("unit") or "").strip() == quoted.unit
    ]
    return any(m.group(0) != quoted.text for m in same)


def hedge_problems(chinese: str, english: str, quoted_as_printed: str = "") -> list[str]:
    """Every hedge of ``chinese`` that ``english`` drops or contradicts; empty when faithful.

    A hedged number is checked wherever the English states it with its unit. The claim's own
    number (``quoted_as_printed``, the value as printed) is checked even without a unit, and
    when the English never states it, the hedge must still appear somewhere in the English.
    """
    problems = []
    own = hedged_numbers(quoted_as_printed) if quoted_as_printed else []
    for quoted in dict.fromkeys(hedged_numbers(chinese) + own):
        is_own = quoted in own or quoted.text in quoted_as_printed
        if not is_own and _ambiguous(chinese, quoted):
            continue  # the same number is printed with another hedge: which one is meant?
        mentions = english_mentions(english, quoted, unitless=is_own)
        if is_own and not mentions:
            if not re.search(rf"\b(?:{quoted.hedge.required})\b", english, re.IGNORECASE):
                problems.append(f"{quoted.text}: no '{quoted.hedge.kind}' in {english!r}")
            continue
        for m in mentions:
            window = english[max(0, m.start() - 30) : m.end() + 15]
            before = english[max(0, m.start() - 14) : m.start()]
            if not re.search(rf"\b(?:{quoted.hedge.required})\b", window, re.IGNORECASE):
                problems.append(f"{quoted.text}: '{m.group(0)}' lacks '{quoted.hedge.kind}'")
            forbidden = quoted.hedge.forbidden
            if forbidden and re.search(rf"\b(?:{forbidden})\b", before, re.IGNORECASE):
                problems.append(f"{quoted.text}: '{before}{m.group(0)}' contradicts the hedge")
    for m in COMPARATIVE.finditer(chinese):
        adjective = m.group("adj")
        if re.search(rf"\b(?:{SUPERLATIVES[adjective]})\b", english, re.IGNORECASE):
            problems.append(f"{m.group(0)} (comparative) rendered as a superlative")
        base = BASE_ADJECTIVES.get(adjective)
        if base and re.search(rf"\b(?:{base})\b", english, re.IGNORECASE):
            if not re.search(rf"\b(?:{MODERATORS})\b", english, re.IGNORECASE):
                problems.append(f"{m.group(0)}: '{base}' without fairly/relatively")
    return problems


# --------------------------------------------------------------------------- the checker fails


@pytest.mark.parametrize(
    ("chinese", "english", "printed"),
    [
        ("使得结算审核时间减少了 70% 以上", "Settlement review time fell by more than 70%.", ""),
        ("经过3年多的努力", "The paper reports the network after about three years.", ""),
        (
            "整合型的筹资模式能够对机构参与协同产生较强的激励作用",
            "It is the strongest incentive.",
            "",
        ),
        ("累计开展农事防治服务200余人次", "About 200 contacts in total.", "200余"),
        ("老年人口占比高达30%以上", "Older people are 30% of the population.", ""),
        ("约 5 个工作日", "Completed in 5 working days.", ""),
    ],
)
def test_the_referees_slips_are_caught(chinese, english, printed):
    assert hedge_problems(chinese, english, printed)


@pytest.mark.parametrize(
    ("chinese", "english"),
    [
        ("使得结算审核时间减少了 70% 以上", "Settlement review time fell by 70% or more."),
        ("经过3年多的努力", "After more than three years of work."),
        ("产生较强的激励作用", "It gives a fairly strong incentive."),
        (
            "以近三年基层医疗卫生机构最高核拨费用为基数",
            "The highest payment of the last three years.",
        ),
        ("超出10%以上的部分,全额返还基金账户", "Surplus beyond 10% is returned in full."),
    ],
)
def test_faithful_renderings_pass(chinese, english):
    assert hedge_problems(chinese, english) == []


# --------------------------------------------------------------------------- the data


def _claims() -> pd.DataFrame:
    return load_data("claims").frame


def test_claim_glosses_keep_their_hedges():
    problems = [
        f"{r.claim_id}: {p}"
        for r in _claims().itertuples()
        for p in hedge_problems(r.source_zh, r.gloss_en, r.value_as_printed)
    ]
    assert not problems, "\n".join(problems)


def test_mechanism_and_lens_glosses_keep_their_hedges():
    cw = fw.load_crosswalk()
    problems = [
        f"{r.mechanism_id}: {p}"
        for r in cw.mechanisms.itertuples()
        for text in (r.mechanism_en, r.description_en)
        for p in hedge_problems(r.source_zh, text)
    ]
    english = [c for c in fw.DESCRIPTIVE_COLUMNS if c != "theorists"]
    problems += [
        f"{lens['lens_id']}: {p}"
        for _, lens in cw.lenses.iterrows()
        for column in english
        for p in hedge_problems(lens["source_zh"], lens[column])
    ]
    assert not problems, "\n".join(problems)


def test_hypothesis_statements_keep_the_hedges_of_their_mechanisms():
    cw = fw.load_crosswalk()
    quotes = dict(zip(cw.mechanisms["mechanism_id"], cw.mechanisms["source_zh"]))
    problems = [
        f"{r.hypothesis_id}: {p}"
        for r in cw.hypotheses.itertuples()
        for m in fw.split_cell(r.mechanism_ids)
        for p in hedge_problems(quotes[m], r.statement_en)
    ]
    assert not problems, "\n".join(problems)


BASE_YEAR = re.compile(r"相较于(?P<year>\d{4})年")


def _clause(source: str, printed: str) -> str:
    for clause in re.split(r"[,，;；。]", source):
        if printed and printed in clause:
            return clause
    return ""


def test_compared_with_2022_and_year_on_year_stay_distinct():
    checked = 0
    for r in _claims().itertuples():
        base = BASE_YEAR.search(r.source_zh)
        clause = _clause(r.source_zh, r.value_as_printed)
        if not clause or not (base or "同比" in clause):
            continue
        checked += 1
        if "同比" in clause:
            assert re.search(r"year[- ]on[- ]year", r.gloss_en), r.claim_id
            assert not re.search(r"compared with \d{4}", r.gloss_en), r.claim_id
        else:
            assert f"compared with {base['year']}" in r.gloss_en.lower(), r.claim_id
            assert not re.search(r"year[- ]on[- ]year", r.gloss_en), r.claim_id
    assert checked >= 3


def test_the_fund_share_definition_is_the_papers_words(seeds):
    assert fw.FUND_SHARE_ZH in fw.seed_text("luo2025")


def test_the_fund_share_is_defined_in_the_papers_words_everywhere_in_the_data():
    claims = _claims().set_index("claim_id")
    for claim_id in ("qj_fund_share_2017", "qj_fund_share_2022"):
        assert fw.FUND_SHARE_ZH in claims.at[claim_id, "source_zh"]
        assert fw.FUND_SHARE_EN in claims.at[claim_id, "gloss_en"].lower()
        assert claims.at[claim_id, "quantity"] == fw.FUND_SHARE_EN
    cw = fw.load_crosswalk()
    texts = [
        *cw.hypotheses["statement_en"],
        *cw.mechanisms["observable_indicator"],
        *fw.SERIES_LABELS.values(),
        *_claims()["gloss_en"],
    ]
    wrong = [t for t in texts if OTHER_FUND_SHARE_WORDING.search(t)]
    assert not wrong, wrong


#: Wordings that give the fund share another denominator than all institutions' revenue.
OTHER_FUND_SHARE_WORDING = re.compile(
    r"share of (?:the county's |the )?insurance[- ]fund revenue", re.IGNORECASE
)


# --------------------------------------------------------------------------- the prose

#: This helper's pages and the chapter module that glues their numbers.
PAGES = {
    "frameworks/side_by_side": "side_by_side",
    "frameworks/coproduction_g_county": "coproduction_g_county",
    "frameworks/holistic_multilevel_security": "holistic_multilevel_security",
    "frameworks/holistic_anhui_medical_community": "holistic_anhui_medical_community",
    "frameworks/embeddedness_qianjiang": "embeddedness_qianjiang",
    "data/claims_ledger": "claims_ledger",
}
GLUE = re.compile(r"\{glue:text\}`(?P<key>[^`:]+)(?::(?P<fmt>[^`]+))?`")


def rendered_prose(page: str) -> str:
    """The page's Markdown without code cells, its glue references filled in with their values."""
    text = (paths.BOOK / f"{page}.md").read_text(encoding="utf-8")
    text = re.sub(r"```.*?```", "", text, flags=re.S)
    values = importlib.import_module(f"analysis.chapters.{PAGES[page]}").numbers()

    def fill(m: re.Match[str]) -> str:
        value = values.get(m["key"], m["key"])
        return format(value, m["fmt"]) if m["fmt"] else str(value)

    return GLUE.sub(fill, text)


def _sentences(text: str) -> list[str]:
    flat = re.sub(r"\s+", " ", text)
    return re.split(r"(?<=[.!?])\s+(?=[A-Z*(])", flat)


@pytest.mark.parametrize("page", sorted(PAGES))
def test_prose_keeps_the_hedges_of_the_claims_it_uses(page):
    prose = rendered_prose(page)
    used = _claims()[_claims()["used_in"].str.contains(f"book/{page}", regex=False)]
    problems = [
        f"{r.claim_id}: {p}"
        for r in used.itertuples()
        for p in hedge_problems(r.value_as_printed, prose, r.value_as_printed)
        if "no '" not in p  # the page need not state every claim it draws on
    ]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("page", sorted(PAGES))
def test_prose_keeps_year_on_year_apart_from_compared_with_a_year(page):
    prose = _sentences(rendered_prose(page))
    problems = []
    for r in _claims().itertuples():
        clause = _clause(r.source_zh, r.value_as_printed)
        if "同比" not in clause or r.value == "" or pd.isna(r.value):
            continue
        number = re.escape(f"{float(r.value):g}")
        for sentence in prose:
            if re.search(rf"(?<![\d.]){number}\s?%", sentence):
                if not re.search(r"year[- ]on[- ]year|同比", sentence, re.IGNORECASE):
                    problems.append(f"{r.claim_id} without 'year on year': {sentence}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("page", sorted(PAGES))
def test_prose_states_no_other_fund_share_denominator(page):
    prose = re.sub(r"\s+", " ", rendered_prose(page))
    assert not OTHER_FUND_SHARE_WORDING.search(prose)


@pytest.mark.parametrize("page", sorted(PAGES))
def test_prose_names_no_code_identifiers(page):
    prose = re.sub(r"\{[a-z:]+\}`[^`]*`", "", rendered_prose(page))
    codes = re.findall(r"`([^`]+)`", prose)
    identifiers = [c for c in codes if re.fullmatch(r"[a-z]+_[a-z0-9_]+", c)]
    identifiers += re.findall(r"\b(?:visit|admission|fund)_share\b|\bqj_[a-z_]+", prose)
    assert not identifiers, identifiers
