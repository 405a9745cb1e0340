"""From a message to an Answer: keyword rules, questions (who/when/what/…), lists, search.

Intents are data: each is a name and patterns that capture the subject. The first intent
whose pattern matches decides what is asked; the subject then goes through `search`.
Anything not understood falls back to a plain search. No I/O and no HTML here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from bot.catalog import Catalog
from bot.keywords import KeywordRules
from bot.schema import KeywordRule, Paper
from bot.search import SearchIndex, SearchResult, search
from bot.text import normalise, simplify

Focus = Literal["card", "who", "when", "what", "impact", "links"]


@dataclass(frozen=True)
class ListFilter:
    """Which papers a list shows; `key` is its short, callback-safe form (s=agent, o=google, m=2023-12)."""

    kind: Literal["all", "section", "org", "month", "year"] = "all"
    value: str = ""

    @property
    def key(self) -> str:
        return "*" if self.kind == "all" else f"{self.kind[0]}={self.value}"

    @classmethod
    def from_key(cls, key: str) -> ListFilter | None:
        if key == "*":
            return cls()
        kinds = {"s": "section", "o": "org", "m": "month", "y": "year"}
        kind, sep, value = key.partition("=")
        return cls(kinds[kind], value) if sep and kind in kinds and value else None  # type: ignore[arg-type]

    def papers(self, catalog: Catalog) -> Sequence[Paper]:
        if self.kind == "section":
            return catalog.in_section(self.value)
        if self.kind == "org":
            return catalog.by_org(self.value)
        if self.kind in ("month", "year"):
            year, _, month = self.value.partition("-")
            return catalog.in_month(int(year), int(month) if month else None)
        return catalog.papers


@dataclass(frozen=True)
class PaperAnswer:
    paper: Paper
    focus: Focus = "card"


@dataclass(frozen=True)
class ListAnswer:
    filter: ListFilter
    page: int = 0


@dataclass(frozen=True)
class ChoiceAnswer:
    """Did-you-mean (ambiguous) or not-found-with-suggestions."""

    query: str
    papers: tuple[Paper, ...]
    found: bool


@dataclass(frozen=True)
class NotFound:
    query: str


@dataclass(frozen=True)
class CountAnswer:
    pass


@dataclass(frozen=True)
class KeywordAnswer:
    rule: KeywordRule


@dataclass(frozen=True)
class FallbackAnswer:
    """Nothing matched in a private chat: the keyword file's fallback reply."""


Answer = PaperAnswer | ListAnswer | ChoiceAnswer | NotFound | CountAnswer | KeywordAnswer | FallbackAnswer


@dataclass(frozen=True)
class Intent:
    name: str
    patterns: tuple[re.Pattern[str], ...] = field(default_factory=tuple)


def _intent(name: str, *patterns: str) -> Intent:
    return Intent(name, tuple(re.compile(p, re.IGNORECASE) for p in patterns))


_Q = r"(?P<q>.+?)"
_END = r"\s*[?？!！。.]*\s*$"
# Order matters: the more specific questions come first.
INTENTS: tuple[Intent, ...] = (
    _intent("count", r"(一共|总共|共|总计)?有?多少篇", r"\bhow many papers\b", r"\bnumber of papers\b"),
    _intent("list",
            r"^(list|show|browse)( me)?( all)?( the)? " + _Q + r"( papers?)?" + _END,
            r"^(all )?papers? (from|by|of|in) " + _Q + _END,
            r"^" + _Q + r"\s*(发表|发布)?的?(有哪些|有什么|哪些)(论文|文章)?" + _END,
            r"^" + _Q + r"\s*的(全部|所有)?(论文|文章)" + _END,
            r"^(列出|列举|查看)\s*" + _Q + r"(的)?(论文|文章)?" + _END),
    _intent("which",
            r"^which (paper|work|model|one) (released|introduced|proposed|presented|has|built|created|is about|"
            r"did|describes|uses) " + _Q + _END,
            r"^(哪篇|哪一篇)(论文|文章)?(发布|提出|介绍|构建|公开|是关于)了?" + _Q + _END,
            r"^" + _Q + r"\s*是哪篇(论文|文章)?(发布|提出|介绍)?的?" + _END),
    _intent("who",
            r"^(who|which (lab|company|organi[sz]ation|team|group|university|institution))\s+"
            r"(published|released|made|wrote|developed|created|built|proposed|is behind|did) " + _Q + _END,
            r"^who (is|was|are) behind " + _Q + _END,
            r"^" + _Q + r"\s*(是)?(谁|哪家|哪个(公司|机构|团队|单位|大学|实验室)|哪里)(发表|发布|提出|做|写|开发)?的?(吗)?" + _END,
            r"^" + _Q + r"\s*的?(发表单位|作者|机构|单位)(是)?(谁|什么|哪)?" + _END,
            r"^(publisher|authors?|organi[sz]ation) of " + _Q + _END),
    _intent("when",
            r"^when (was|were|did|is) " + _Q + r"( (published|released|out|come out|appear(ed)?))?" + _END,
            r"^" + _Q + r"\s*(是)?(什么时候|何时|哪年|哪个月)(发表|发布|出来|提出)?的?" + _END,
            r"^" + _Q + r"\s*的?(发布|发表)(时间|日期)" + _END),
    _intent("impact",
            r"^why (does|is|did) " + _Q + r" (matter|important|significant)" + _END,
            r"^(impact|significance|contribution) of " + _Q + _END,
            r"^" + _Q + r"\s*的?(影响力|影响|贡献|意义|亮点)(是什么|有哪些)?" + _END),
    _intent("links",
            r"^(link|links|pdf|code|repo|github|url)s? (for|of|to) " + _Q + _END,
            r"^" + _Q + r"\s*的?(链接|pdf|代码|论文地址|下载|原文|github)(在哪)?" + _END,
            r"^" + _Q + r" (pdf|code|link|links|github|repo)" + _END),
    _intent("what",
            r"^(什么是|啥是|何为|介绍一下|介绍|解释一下|解释)\s*" + _Q + _END,
            r"^" + _Q + r"\s*(是什么|是啥|讲了什么|讲的是什么|说了什么|是做什么的)" + _END,
            r"^" + _Q + r"\s*的?(摘要|简介|介绍|总结)" + _END,
            r"^(what('s| is| are| was)|explain|describe|summari[sz]e|tell me about|summary of|abstract of) "
            + _Q + _END,
            r"^" + _Q + r" (summary|abstract)" + _END),
)

_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)}
_YM_PATTERNS = (
    re.compile(r"(?P<y>20\d\d)\s*(年|[-./])\s*(?P<m>1[0-2]|0?[1-9])\s*月?"),
    re.compile(r"(?P<mn>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+(?P<y>20\d\d)"),
)
_YEAR = re.compile(r"(?<!\d)(?P<y>20\d\d)\s*年?(?!\d)")


def parse_filter(text: str, catalog: Catalog) -> ListFilter | None:
    """A list filter named in free text: a month, a year, an organisation or a section."""
    plain = simplify(text).casefold()
    for pattern in _YM_PATTERNS:
        m = pattern.search(plain)
        if m:
            month = int(m.group("m")) if "m" in m.groupdict() and m.group("m") else _MONTHS[m.group("mn")[:3]]
            return ListFilter("month", f"{int(m.group('y')):04d}-{month:02d}")
    m = _YEAR.search(plain)
    if m:
        return ListFilter("year", m.group("y"))
    normal = normalise(text)
    if not normal:
        return ListFilter()
    for words in (normal, normal.removesuffix(" papers"), normal.removesuffix(" paper")):
        if words in catalog.org_names:
            return ListFilter("org", catalog.org_names[words])
        if words in catalog.section_names:
            return ListFilter("section", catalog.section_names[words])
    if normal in ("all", "全部", "所有", "everything"):
        return ListFilter()
    return None


def match_intent(text: str) -> tuple[str, str] | None:
    """(intent name, subject) for a question, or None."""
    plain = simplify(text).strip()
    for intent in INTENTS:
        for pattern in intent.patterns:
            m = pattern.search(plain)
            if m:
                subject = (m.groupdict().get("q") or "").strip(" \t\"'“”‘’「」《》")
                return intent.name, subject
    return None


def from_search(result: SearchResult, focus: Focus = "card") -> Answer:
    if result.verdict == "answer" and result.hits:
        return PaperAnswer(result.hits[0].paper, focus)
    if result.verdict == "ambiguous":
        return ChoiceAnswer(result.query, tuple(h.paper for h in result.hits[:3]), True)
    return NotFound(result.query)


def answer_query(query: str, index: SearchIndex, focus: Focus = "card") -> Answer:
    """`/paper QUERY`: the card, did-you-mean, or not found."""
    return from_search(search(query, index, limit=3), focus)


def answer_text(text: str, index: SearchIndex, keywords: KeywordRules, *, private: bool) -> Answer | None:
    """A plain message: a keyword rule, a question, or a search. None means stay silent."""
    rule = keywords.match(text)
    if rule is not None:
        return KeywordAnswer(rule)
    catalog = index.catalog
    intent = match_intent(text)
    if intent is not None:
        name, subject = intent
        if name == "count":
            return CountAnswer()
        if name == "list":
            wanted = parse_filter(subject, catalog)
            if wanted is not None:
                return ListAnswer(wanted)
        elif subject:
            result = search(subject, index, limit=3)
            if result.verdict != "none" or name != "what":
                return from_search(result, "card" if name == "which" else name)  # type: ignore[arg-type]
    wanted = parse_filter(text, catalog) if _looks_like_list(text) else None
    if wanted is not None:
        return ListAnswer(wanted)
    result = search(text, index, limit=3)
    if result.verdict != "none":
        return from_search(result)
    return FallbackAnswer() if private else None


_LIST_WORDS = re.compile(r"论文|文章|papers?\b|有哪些|list\b", re.IGNORECASE)


def _looks_like_list(text: str) -> bool:
    plain = simplify(text).casefold()
    return bool(_LIST_WORDS.search(plain)) or any(p.search(plain) for p in _YM_PATTERNS)
