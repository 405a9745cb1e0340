"""Understanding: a message and the chat's context -> a Request (what is asked, about what).

Entities first, intent second. The message is normalised once; every catalog entity in it is
found by its span (papers by name, alias or title through the search index's exact names,
organisations and sections by their names, times in any written form); what no entity and no
cue word explains is the residual, searched piece by piece for papers named loosely or with
typos. The intent then comes from cue words (a zh/en data table), never from templates whose
leftovers become the subject. No I/O and no Telegram here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

from bot.catalog.catalog import Catalog, Selection
from bot.catalog.schema import Paper, Topic
from bot.catalog.topics import topic_names
from bot.conversation import about_digest, absent, asked, exclusions, facts, ordinals, ranges, superlatives
from bot.conversation.names_found import NameFinder
from bot.conversation.ranges import Period, find_period
from bot.search.engine import ARXIV, SearchIndex, SearchResult, search_normalised
from bot.text import STOPWORDS, Normal, is_cjk, normalise, simplify, squeeze

Intent = Literal["card", "who", "when", "what", "impact", "links", "code", "similar", "check", "compare", "bibtex", "abstract",
                 "list", "count", "bundle", "greeting", "help", "thanks", "goodbye",
                 "digest", "page", "others", "earliest", "latest", "most", "ranked", "fact", "absent"]
PAPER_QUESTIONS: frozenset[str] = frozenset({"who", "when", "what", "impact", "links", "code", "similar", "check",
                                             "bibtex", "abstract"})   # the last two: conversation/asked.py
SOCIAL_ORDER = ("thanks", "goodbye", "help", "greeting")  # "谢谢，很有帮助" is a thank-you
SOCIAL: frozenset[str] = frozenset(SOCIAL_ORDER)
MAX_NAME_WORDS = 6       # the longest paper name looked up as one span of words
MAX_CJK_NAME = 10        # ...and of Chinese characters
SOCIAL_CHARS = 40        # "thanks" inside a longer message is not a thank-you note


# --- times ------------------------------------------------------------------------------

@dataclass(frozen=True)
class When:
    """A span of months: one month, a quarter, a half, or a whole year; `year` None is any year."""

    year: int | None
    first: int = 1
    last: int = 12

    @property
    def key(self) -> str:
        year = str(self.year) if self.year else "*"
        if (self.first, self.last) == (1, 12):
            return year
        if self.first == self.last:
            return f"{year}-{self.first:02d}"
        return f"{year}-{self.first:02d}..{self.last:02d}"

    @classmethod
    def from_key(cls, key: str) -> When | None:
        m = re.fullmatch(r"(\*|\d{4})(?:-(\d\d)(?:\.\.(\d\d))?)?", key)
        if not m:
            return None
        year = None if m.group(1) == "*" else int(m.group(1))
        first = int(m.group(2)) if m.group(2) else 1
        last = int(m.group(3)) if m.group(3) else first if m.group(2) else 12
        if not 1 <= first <= last <= 12 or (year is None and (first, last) == (1, 12)):
            return None
        return cls(year, first, last)

    def months(self) -> range:
        return range(self.first, self.last + 1)


_MONTH_EN = {"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
             "oct": 10, "nov": 11, "dec": 12}
_ZH_NUM = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10,
           "十一": 11, "十二": 12}
_YEAR4 = r"(?<![\d.])(20\d\d)(?![\d]|\.\d)"
_YEAR_ZH = r"(?<![\d.])(20\d\d|\d\d)\s*年"
_MONTH_NUM = r"(1[0-2]|0?[1-9])"
_MONTH_ZH = r"(十[一二]|[一二三四五六七八九十]|1[0-2]|0?[1-9])\s*月份?"
_MONTH_WORD = (r"\b(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
               r"sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b\.?")
# Each pattern names what it found: y (year), m (month number), mz (Chinese month), mw (English
# month word), h (half: 1/2), q (quarter), rel (this/last year). Longer forms first.
_TIME_PATTERNS = [re.compile(p) for p in (
    rf"(?<![\d.])(?P<y>20\d\d)\s*[-./]\s*(?P<m>{_MONTH_NUM})(?!\d)\s*月?份?",
    rf"(?:{_YEAR_ZH}|{_YEAR4})\s*(?P<mz>{_MONTH_ZH[1:]}",
    rf"(?:(?P<y>20\d\d)\s*)?(?P<mw>{_MONTH_WORD[3:]}(?:\s*,?\s*(?P<y2>20\d\d)(?!\d))?",
    rf"(?:{_YEAR_ZH}|{_YEAR4})?\s*的?(?P<h>上半年|下半年|前半年|后半年)",
    rf"(?:(?:{_YEAR_ZH}|{_YEAR4})\s*)?(?:第\s*)?(?P<q>[一二三四1-4])\s*季度",
    r"\b(?P<hq>[hq][1-4])\b(?:\s*(?:of\s*)?(?P<y3>20\d\d)(?!\d))?",
    r"\b(?P<half>first|second) half(?: of)?(?:\s*(?P<y4>20\d\d)(?!\d))?",
    r"\b(?P<qw>first|second|third|fourth|1st|2nd|3rd|4th) quarter(?: of)?(?:\s*(?P<y5>20\d\d)(?!\d))?",
    rf"(?P<mz2>{_MONTH_ZH})",
    r"(?P<rel>今年|去年|this year|last year)",
    _YEAR_ZH,
    _YEAR4,
)]
_YEAR_IN = re.compile(r"(?<!\d)(20\d\d)(?!\d)|(?<!\d)(\d\d)\s*年")
# "may" is a month only beside a year or after in/from/of/since: "may I ask" is not.
_MAY_CONTEXT = re.compile(r"\b(in|from|of|since|during|and|to|until|till|through|before|after|by)\s+$")
_QUARTER_WORDS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4}


def _year(text: str | None) -> int | None:
    if not text:
        return None
    return int(text) if len(text) == 4 else 2000 + int(text)


def find_times(plain: str, latest_year: int) -> tuple[list[When], list[tuple[int, int]]]:
    """Times written in the (simplified, case-folded) text, and their spans.

    A year written apart from a month ("2023年 12月", "december 2023") joins it; "今年" / "this
    year" is the catalog's latest year.
    """
    return merge_times(time_pieces(plain, latest_year))


TimePiece = tuple[int, int, int | None, int, int]   # start, end, year, first month, last month


def time_pieces(plain: str, latest_year: int) -> list[TimePiece]:
    """Each time written in the text, where it is, in order (`find_times` joins them)."""
    pieces: list[TimePiece] = []
    taken: list[tuple[int, int]] = []
    for pattern in _TIME_PATTERNS:
        for m in pattern.finditer(plain):
            if any(m.start() < e and s < m.end() for s, e in taken) or not m.group(0).strip():
                continue
            g = {k: v for k, v in m.groupdict().items() if v}
            written = _YEAR_IN.search(m.group(0))
            year = _year(g.get("y") or g.get("y2") or g.get("y3") or g.get("y4") or g.get("y5")
                         or (written.group(1) or written.group(2) if written else None))
            first, last = 1, 12
            if "m" in g:
                first = last = int(g["m"])
            elif "mz" in g or "mz2" in g:
                word = re.sub(r"\s*月份?$", "", g.get("mz") or g["mz2"])
                first = last = int(word) if word.isdigit() else _ZH_NUM[word]
            elif "mw" in g:
                word = g["mw"].rstrip(".")
                if word == "may" and year is None and not _MAY_CONTEXT.search(plain[:m.start()]):
                    continue
                first = last = _MONTH_EN[word[:3]]
            elif "h" in g or "half" in g:
                second = g.get("h", "") in ("下半年", "后半年") or g.get("half") == "second"
                first, last = (7, 12) if second else (1, 6)
            elif "q" in g or "qw" in g:
                q = _QUARTER_WORDS[g["qw"]] if "qw" in g else int(g["q"]) if g["q"].isdigit() else _ZH_NUM[g["q"]]
                first, last = 3 * q - 2, 3 * q
            elif "hq" in g:
                n = int(g["hq"][1])
                if g["hq"][0] == "h" and n > 2:
                    continue
                first, last = ((7, 12) if n == 2 else (1, 6)) if g["hq"][0] == "h" else (3 * n - 2, 3 * n)
            elif "rel" in g:
                year = latest_year - (g["rel"] in ("去年", "last year"))
            elif year is None:
                continue
            if year is not None and not 2000 <= year <= 2099:
                continue
            pieces.append((m.start(), m.end(), year, first, last))
            taken.append((m.start(), m.end()))
    return sorted(pieces)


def merge_times(pieces: list[TimePiece]) -> tuple[list[When], list[tuple[int, int]]]:
    """The times pieces name together, and their spans."""
    if not pieces:
        return [], []
    years = [p[2] for p in pieces if p[2] is not None]
    months = [p for p in pieces if (p[3], p[4]) != (1, 12)]
    if months:  # a year written apart ("2023年 下半年") applies to the months named without one
        times = [When(p[2] if p[2] is not None else (years[0] if years else None), p[3], p[4]) for p in months]
    else:
        times = [When(y) for y in dict.fromkeys(years)]
    return times, [(p[0], p[1]) for p in pieces]


# --- list filters -----------------------------------------------------------------------

@dataclass(frozen=True)
class ListFilter:
    """Which papers a list shows: every field given must hold (ANDed). `key` is callback-safe."""

    section: str | None = None
    org: str | None = None
    when: When | None = None
    author: str | None = None   # catalog.author_key of the name
    topic: str | None = None
    code: bool | None = None    # True: with a code link; False: without one
    period: Period | None = None   # a range of months ("before June"), beside or instead of `when`
    without: tuple[str, ...] = ()  # what is subtracted: exclusions.Excluded keys ("o.meta", "p.gemini")

    @property
    def empty(self) -> bool:
        return self == _EVERYTHING

    @property
    def key(self) -> str:
        parts = [f"s={self.section}" if self.section else "", f"o={self.org}" if self.org else "",
                 f"t={self.when.key}" if self.when else "", f"a={self.author}" if self.author else "",
                 f"g={self.topic}" if self.topic else "", f"c={int(self.code)}" if self.code is not None else "",
                 f"r={self.period.key}" if self.period else "", f"x={'|'.join(self.without)}" if self.without else ""]
        return ",".join(p for p in parts if p) or "*"

    @classmethod
    def from_key(cls, key: str) -> ListFilter | None:
        if key == "*":
            return cls()
        fields: dict[str, str] = {}
        for part in key.split(","):
            name, sep, value = part.partition("=")
            if not sep or not value or name not in ("s", "o", "t", "a", "g", "c", "r", "x") or name in fields:
                return None
            fields[name] = value
        when = When.from_key(fields["t"]) if "t" in fields else None
        period = Period.from_key(fields["r"]) if "r" in fields else None
        without = tuple(fields["x"].split("|")) if "x" in fields else ()
        if ("t" in fields and when is None) or ("r" in fields and period is None) \
                or fields.get("c", "0") not in ("0", "1") or not all(map(exclusions.valid, without)):
            return None
        code = fields["c"] == "1" if "c" in fields else None
        return cls(fields.get("s"), fields.get("o"), when, fields.get("a"), fields.get("g"), code, period, without)

    def merged(self, newer: ListFilter) -> ListFilter:
        """This filter with whatever `newer` names replaced; a month without a year keeps ours."""
        when = newer.when
        if when is not None and when.year is None and self.when is not None and self.when.year is not None:
            when = replace(when, year=self.when.year)
        timed = when is not None or newer.period is not None   # a new time replaces both kinds of ours
        return ListFilter(newer.section or self.section, newer.org or self.org, when or (None if timed else self.when),
                          newer.author or self.author, newer.topic or self.topic,
                          self.code if newer.code is None else newer.code,
                          newer.period or (None if timed else self.period),
                          tuple(dict.fromkeys((*self.without, *newer.without))))

    def papers(self, catalog: Catalog) -> Selection:
        """The papers that pass every part of the filter, in catalog order (read when shown)."""
        if self.empty:
            return catalog.everything()
        if (known := catalog.selections.get(self.key)) is not None:
            return known
        groups: list[Selection] = []
        if self.section:
            groups.append(catalog.in_section(self.section))
        if self.org:
            groups.append(catalog.by_org(self.org))
        if self.when:
            groups.append(catalog.in_months(self.when.year, self.when.months()))
        if self.author:
            groups.append(catalog.by_author(self.author))
        groups += exclusions.narrowing(self.topic, self.code, self.period, catalog)
        dropped = exclusions.excluded(self.without, catalog) if self.without else None
        return catalog.remember(self.key, catalog.matching(groups, without=dropped))


_EVERYTHING = ListFilter()


# --- cue words: the intent table --------------------------------------------------------

def _cues(zh: str, en: str) -> re.Pattern[str]:
    """zh cues match anywhere; en cues are whole words of the normal form (apostrophes dropped)."""
    parts = [p for p in (zh, rf"\b(?:{en})\b" if en else "") if p]
    return re.compile("|".join(parts))


# The order is the precedence when several cues are present.
CUES: dict[str, re.Pattern[str]] = {
    "bundle": _cues(r"压缩包|打包|合集|论文包|全集|zip", r"zip|bundle|archive"),
    **asked.CUES,   # a BibTeX entry, the whole abstract: before "links" (全文) and "what" (摘要)
    "compare": _cues(r"区别|不同|差别|差异|对比|比较|比一比|比起来|哪个好|哪个强|哪个更|谁更|优劣|(?:和|跟|与).{1,30}比",
                     r"vs|versus|compare[ds]?|comparison|difference|differ|different|better|newer|older|"
                     r"which is (?:better|newer|older|faster)"),
    "count": _cues(r"多少篇|几篇|几个|多少个|有多少|一共多少|总共多少|多少论文|共多少|数量",
                   r"how many|number of|count"),
    "similar": _cues(r"类似|相似|相近|同类|像.{1,30}(?:这样|一样|那样)", r"similar|more like|papers like|related to|alternatives?"),
    "who": _cues(r"谁|哪家|哪个(?:公司|机构|团队|单位|大学|实验室|组织)|什么(?:公司|机构|团队|单位)|出自|发表单位|发布单位|作者|"
                 r"机构|单位|团队|出品|来自哪|哪里的",
                 r"who|whos|whom|which (?:company|org|organisation|organization|lab|team|group|university|institution)|"
                 r"authors?|publisher|organi[sz]ation|org|affiliations?|made by|behind|from which|where\b.{1,40}\bfrom|"
                 r"(?:released|published|made|developed|written|created|proposed) by$|by$"),
    "when": _cues(r"什么时候|啥时候|何时|哪年|哪一年|几月|哪个月|哪月|时间|日期|多久|几号",
                  r"when|what year|which year|which month|date|how old|how recent|release months?|publication months?"),
    "code": _cues(r"代码|源码|开源|github|仓库|实现",
                  r"code|source|github|repo|repository|open source|opensource|implementation"),
    "links": _cues(r"链接|地址|pdf|原文|下载|网址|主页|网站|arxiv|编号|全文",
                   r"link|links|url|pdf|download|arxiv|website|homepage|project page|paper page"),
    "impact": _cues(r"影响|意义|贡献|亮点|重要性|为什么重要|地位", r"impact|significance|matter|matters|important|contribution|why"),
    "what": _cues(r"什么是|是什么|是啥|啥是|讲了|讲的|讲讲|讲什么|介绍|干嘛|干什么|做什么|摘要|简介|总结|解释|说了什么|原理|那篇",
                  r"what is|whats|what are|explain|describe|tell me about|summary|summari[sz]e|abstract|overview|"
                  r"about|what does"),
    "list": _cues(r"有哪些|哪些|有什么|有啥|列出|列一下|列举|列表|都有|发了什么|发了啥|清单|有没有",
                  r"list|show|which papers|what papers|any|anything|all"),
    "help": _cues(r"怎么用|如何使用|怎么使用|使用说明|使用方法|帮助|能做什么|能干什么|能干嘛|会干啥|会做什么|会什么|有什么功能|"
                  r"有啥功能|功能|怎么查|如何查|教程|指令|命令|咋用",
                  r"help|what can you do|how do i use|how to use|how does (?:this|it) work|how do (?:you|i)|commands?|"
                  r"usage|instructions"),
    "greeting": _cues(r"你好|您好|嗨|哈喽|哈啰|早上好|早安|上午好|中午好|下午好|晚上好|在吗|在不在|大家好|你是谁|你是什么|机器人",
                      r"hi|hello|hey|hiya|yo|howdy|greetings|good (?:morning|afternoon|evening|day)|who are you|"
                      r"what are you|what is this bot|whats this bot|what is this"),
    "thanks": _cues(r"谢|感谢|辛苦", r"thanks?|thank you|thank u|thx|ty|cheers|appreciated?"),
    "goodbye": _cues(r"再见|拜拜|回头见|下次见|晚安|886", r"bye|goodbye|see you|see ya|good night|cya"),
}
_CHECK = re.compile(r"吗\s*$|是不是|是否|有没有|属于|^(?:is|was|are|were|did|does|do|has|have)\b")
_BUNDLE_ALL = _cues(r"全部|所有|全体|整套|\d+\s*篇|二十六篇", r"all|every|everything|whole|entire")
_BUNDLE_GET = _cues(r"下载|发|给我|要|pdf|送|获取", r"download|send|give|pdfs?|get")
_FOLLOW_UP = _cues(r"呢|^那|其中|这些|里面|只看|只要|仅", r"and|what about|how about|only|just|of them|among|those|these")
_PRONOUN = _cues(r"它|这篇|那篇|该论文|这个|那个|他们|上面", r"it|its|this|that|this one|that one|them|they")
_LIST_NOUN = _cues(r"论文|文章|工作", r"papers?|works?|ones|publications?")
# Words that say how something is asked, not what about: removed from the residual before it is searched.
_FILLER = _cues(r"的|了|吗|呢|吧|啊|呀|嘛|哦|么|请问|请|帮我|给我|我想|我要|想知道|一下|论文|文章|是|有|还有|那|这|它|都|也|就|"
                r"相关|方向|板块|部分|领域|方面|发表|发布|提出|出的|做的|写的|出来|入选|篇|个|一共|总共|哪|和|跟|与|及|"
                r"上的|什么|啥|下|能|可以|不|又|再|呗|哈|多少|在哪|在哪里|哪里",
                r"please|paper|papers|ones?|work|works|published|publish|released|release|made|make|proposed|"
                r"introduced|come|came|out|can|could|would|you|me|about|tell|give|want|need|know|like|get|"
                r"pls|plz|hey|ok|okay|so|just|also|some|any|anything|all|there|here|now|new|see|"
                r"s|u|ur|im|id|yes|no|wrote|write|written|by|from|is|are|was|were|the|a|an|it|its|this|that|them|they|"
                r"those|these|of|many|much|how|what|which|do|does|did|wheres|whats|whos|hows")


def cues_in(normal: str) -> list[str]:
    """The intents whose cue words the (masked) normal text holds, in precedence order.

    Small talk is read first and taken out, so "who are you" is no who-question and "有什么功能"
    no list."""
    social = [name for name in SOCIAL_ORDER if CUES[name].search(normal)]
    for name in social:
        normal = CUES[name].sub(" ", normal)
    return [name for name, pattern in CUES.items() if name not in SOCIAL and pattern.search(normal)] + social


# --- entities ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: Literal["paper", "org", "section", "author", "topic"]
    ids: tuple[str, ...]


class Gazetteer:
    """Organisation, section and author names of one catalog, compiled once into one pattern.

    An author is found by the full name, or by a surname of four letters or more that no other
    author of the catalog shares ("papers by Touvron"); "Li" or "Wang" alone name no one.
    """

    def __init__(self, catalog: Catalog, topics: Sequence[Topic] = (), year: int | None = None,
                 titles: tuple[str, ...] = ()) -> None:
        self.topics = {t.id: t for t in topics}
        self.year = year or catalog.latest_year   # what a month or season without a year means
        self.titles = tuple(simplify(t).casefold() for t in titles)   # "2023 AI核心论文是什么"
        # The topic that spans a section across sections (multimodal models beyond 多模态): a
        # section that holds none of what else was asked ("Google's multimodal papers") widens to it.
        self.widening = {s.id: wide for s in catalog.sections if (wide := _widest(catalog, s.id, topics))}
        names: dict[str, tuple[Literal["org", "section", "author", "topic"], str]] = {}
        for normal, org in catalog.org_names.items():
            names.setdefault(normal, ("org", org))
        for normal, section in catalog.section_names.items():
            names.setdefault(normal, ("section", section))
        for topic in topics:
            for name in topic_names(topic):
                names.setdefault(normalise(name), ("topic", topic.id))
        surnames: dict[str, set[str]] = {}
        for key in catalog.authors:
            full = key.replace("+", " ")
            if " " in full:
                names.setdefault(full, ("author", key))
                surnames.setdefault(full.rsplit(" ", 1)[1], set()).add(key)
        for surname, keys in surnames.items():
            if len(keys) == 1 and len(surname) >= 4 and surname not in STOPWORDS:
                names.setdefault(surname, ("author", next(iter(keys))))
        self.names = names
        # Latin names are whole words; an organisation's also as "googles" (Google's).
        self.finder = NameFinder.build({name: kind == "org" for name, (kind, _) in names.items()})

    def widened(self, filt: ListFilter, catalog: Catalog) -> ListFilter:
        """The filter with its section widened to that section's topic, when the section gives nothing."""
        wide = self.widening.get(filt.section or "")
        if wide and filt.topic is None and not filt.papers(catalog):
            return replace(filt, section=None, topic=wide)
        return filt

    def spans(self, normal: str) -> Iterable[Span]:
        for start, end in self.finder.spans(normal):
            found = normal[start:end]
            kind, ident = self.names.get(found) or self.names[found[:-1]]
            yield Span(start, end, kind, (ident,))




def _widest(catalog: Catalog, section: str, topics: Sequence[Topic]) -> str | None:
    """The smallest topic tagging every paper of a section and some beyond it, if any."""
    inside = set(catalog.in_section(section).positions)
    wider = [(len(tagged), t.id) for t in topics
             if inside and inside < (tagged := set(catalog.tagged(t.id).positions))]
    return min(wider)[1] if wider else None


def paper_spans(message: Normal, index: SearchIndex) -> Iterable[Span]:
    """Every span of words (and of Chinese characters) that is exactly a paper's name."""
    words = message.spans
    papers = index.catalog.papers
    for i in range(len(words)):
        joined = ""
        for j in range(i, min(i + MAX_NAME_WORDS, len(words))):
            joined += words[j][2]
            key = squeeze(joined)
            if len(key) >= 3 and key in index.exact and key not in STOPWORDS:
                yield Span(words[i][0], words[j][1], "paper", tuple(papers[k].id for k in index.exact[key]))
        word = words[i][2]
        if is_cjk(word[0]) and len(word) > 2:  # a name inside a run of Chinese ("美杜莎跟投机解码")
            for a in range(len(word)):
                for b in range(a + 2, min(a + MAX_CJK_NAME, len(word)) + 1):
                    if (a, b) != (0, len(word)) and word[a:b] in index.exact:
                        yield Span(words[i][0] + a, words[i][0] + b, "paper",
                                   tuple(papers[k].id for k in index.exact[word[a:b]]))


def choose(spans: Iterable[Span]) -> list[Span]:
    """Non-overlapping spans, longest first (leftmost on ties): "llama 2" beats "llama"."""
    chosen: list[Span] = []
    for span in sorted(spans, key=lambda s: (s.start - s.end, s.start)):
        if all(span.end <= c.start or c.end <= span.start for c in chosen):
            chosen.append(span)
    return sorted(chosen, key=lambda s: s.start)


# --- the request ------------------------------------------------------------------------

@dataclass(frozen=True)
class ChatContext:
    """What the chat was last shown: the papers of a card or comparison, the filter of a list,
    and the question last answered ("and medusa?" asks it again)."""

    papers: tuple[str, ...] = ()
    filter: ListFilter | None = None
    intent: str = ""
    page: int = 0                 # the page of the list shown ("下一页" turns it)
    listed: tuple[str, ...] = ()  # a short list shown without a filter (similar, tied, ranked papers)


@dataclass(frozen=True)
class Request:
    text: str
    intent: Intent | None                 # None: nothing asked that we understand
    papers: tuple[Paper, ...] = ()        # named in the message (or, for a follow-up, the chat's)
    filter: ListFilter = field(default_factory=ListFilter)  # organisation, section, time named
    cues: tuple[str, ...] = ()
    suggestions: tuple[Paper, ...] = ()   # a loose mention that matched several papers
    unmatched: str = ""                   # a name-like residual that matched nothing
    from_context: bool = False            # papers or filter came from the chat's context
    pronoun_without_context: bool = False
    page: int = 0                         # "page": the page of the filter's list asked for
    ranking: tuple[str, bool] | None = None   # "most": (what is ranked, fewest first)
    query: str = ""                       # "ranked": words no topic names, ranked by text
    fact: facts.FactQuestion | None = None       # "fact": what the message asks of the paper's text
    missing: absent.Absent | None = None  # "absent": a name the catalog does not hold


@dataclass(frozen=True)
class Reading:
    """The entities of one message, before the chat's context is applied."""

    normal: str
    papers: tuple[Paper, ...]
    filter: ListFilter
    cues: tuple[str, ...]
    residual: tuple[str, ...]   # the pieces no entity or cue explains
    fillers: bool               # whether anything besides entities and the residual was said
    search: tuple[SearchResult, ...]
    # A paper named by a word that also names a topic ("投机解码"): the topic, for list questions.
    alias_topic: str | None = None
    alias_papers: tuple[str, ...] = ()
    spans: tuple[Span, ...] = ()   # the entities found, where they stand in `normal`


def read(text: str, index: SearchIndex, gazetteer: Gazetteer) -> Reading:
    """Find every entity and cue in a message: the one place a message is normalised."""
    catalog = index.catalog
    plain = simplify(text).casefold()
    papers: list[Paper] = []
    arxiv = [p for m in ARXIV.finditer(plain) if (p := catalog.with_arxiv(m.group(1))) is not None]
    if arxiv:
        plain = ARXIV.sub(" ", plain)
        papers += arxiv
    pieces = time_pieces(plain, catalog.latest_year)
    dropped = [exclusions.time_excluded(plain, p[0], p[1]) for p in pieces]
    kept_pieces = [p for p, d in zip(pieces, dropped, strict=True) if not d]
    times, _ = merge_times(kept_pieces)
    year = next((p[2] for p in pieces if p[2] is not None), gazetteer.year)
    period = find_period(plain, [(p[0], p[1]) for p in kept_pieces], [_bounds(p, year) for p in kept_pieces])
    without = [f"r.{Period(*_bounds(p, year)).key}" for p, d in zip(pieces, dropped, strict=True) if d]
    time_spans = [(p[0], p[1]) for p in pieces]
    for start, end in reversed(time_spans):
        plain = plain[:start] + " , " + plain[end:]
    message = Normal.of(plain)
    normal = message.text
    found = [*paper_spans(message, index), *gazetteer.spans(normal)]
    # A topic's name holding a paper's ("混合专家模型" holds 混合专家, Mixtral) names that paper too.
    inner = {(s.start, s.end): p for s in found if s.kind == "topic"
             for p in found if p.kind == "paper" and s.start <= p.start and p.end <= s.end}
    chosen = [replace(inner[(s.start, s.end)], start=s.start, end=s.end) if (s.start, s.end) in inner else s
              for s in choose(found)]
    topic_at = {(s.start, s.end): s.ids[0] for s in found if s.kind == "topic"}
    aliased = [s for s in chosen if s.kind == "paper" and (s.start, s.end) in topic_at]
    alias_topic = topic_at[(aliased[0].start, aliased[0].end)] if aliased else None
    flags = exclusions.excluding(normal, [(s.start, s.end) for s in chosen])
    spans = [s for s, f in zip(chosen, flags, strict=True) if not f]
    without += [f"{_EXCLUDED_KIND[s.kind]}.{i}" for s, f in zip(chosen, flags, strict=True) if f for i in s.ids[:1]]
    orgs = [i for s in spans if s.kind == "org" for i in s.ids]
    sections = list(dict.fromkeys(i for s in spans if s.kind == "section" for i in s.ids))
    authors = [i for s in spans if s.kind == "author" for i in s.ids]
    topics = [i for s in spans if s.kind == "topic" for i in s.ids]
    for s in spans:
        if s.kind == "paper":
            papers += [p for i in s.ids if (p := catalog.get(i)) is not None]
    masked = normal
    for s in reversed(chosen):
        masked = masked[:s.start] + " , " + masked[s.end:]
    cues = cues_in(masked)
    residual, fillers = _residual(masked)
    searched: list[SearchResult] = []
    # Loose mentions matter only where no paper is named, or beside one in a comparison
    # ("tool learning vs gorilla"): elsewhere the residual is not searched at all.
    for piece in residual if not papers or "compare" in cues else ():
        result = search_normalised(piece, Normal.of_normal(piece), index, limit=3)
        if result.verdict != "none":
            searched.append(result)
    unique = tuple(dict.fromkeys(papers))
    if len(sections) > 1:   # "agent和对齐论文": one of several sections is every other one left out
        without += [f"s.{s.id}" for s in catalog.sections if s.id not in sections]
    filt = ListFilter(sections[0] if len(sections) == 1 else None, orgs[0] if orgs else None,
                      times[0] if times and period is None else None, authors[0] if authors else None,
                      topics[0] if topics else None, exclusions.code_wanted(normal), period,
                      tuple(dict.fromkeys(without)))
    return Reading(normal, unique, filt, tuple(cues), residual, fillers or bool(time_spans),
                   tuple(searched), alias_topic, tuple(i for s in aliased for i in s.ids), tuple(chosen))


_EXCLUDED_KIND = {"org": "o", "section": "s", "topic": "g", "author": "a", "paper": "p"}


def _bounds(piece: TimePiece, year: int) -> tuple[str, str]:
    """A time piece's first and last month, "YYYY-MM", in `year` when it names none."""
    y = piece[2] if piece[2] is not None else year
    return f"{y:04d}-{piece[3]:02d}", f"{y:04d}-{piece[4]:02d}"


_SEPARATORS = re.compile(r"\s*,\s*|\b(?:vs|versus|and|or|with|to|than)\b|(?:和|跟|与|及|还是|对比|比较|或)")


_REASONING_WORDS = (exclusions.WORDS, ranges.WORDS, ordinals.WORDS, superlatives.WORDS)


def _residual(masked: str) -> tuple[tuple[str, ...], bool]:
    """The pieces of text left between entities once cue and filler words are gone; and whether
    any cue or filler word was there (a bare name has none)."""
    pieces = []
    removed = False
    for chunk in _SEPARATORS.split(masked):
        kept = chunk
        for name, pattern in CUES.items():
            if name != "bundle":
                kept = pattern.sub(" ", kept)
        kept = _FILLER.sub(" ", kept)
        for words in _REASONING_WORDS:
            kept = words.sub(" ", kept)
        kept = " ".join(w for w in kept.split() if w not in STOPWORDS)
        removed = removed or _content(kept) != _content(chunk)
        if _meaningful(kept):
            pieces.append(kept)
    return tuple(pieces), removed


_LATIN_RUN = re.compile(r"[a-z0-9]{2,}")


def _meaningful(piece: str) -> bool:
    """Two Chinese characters or a Latin word of two letters: a lone "发" left by "什么时候发的" is not."""
    return sum(map(is_cjk, piece)) >= 2 or bool(_LATIN_RUN.search(piece))


def _content(text: str) -> str:
    return "".join(text.split())


def understand(text: str, index: SearchIndex, gazetteer: Gazetteer, context: ChatContext | None = None) -> Request:
    """What a message asks, with the chat's context filling in what it leaves out.

    The decisions, in order: the bundle; a comparison; a list or count by filters (the chat's
    last filter narrowed or switched by an elliptical follow-up); a question about the papers
    named (or, when none is named, the paper last shown); small talk; did-you-mean; nothing.
    """
    context = context or ChatContext()
    reasoned = _reasoned(text, read(text, index, gazetteer), context, index, gazetteer)
    if isinstance(reasoned, Request):
        return reasoned
    r = reasoned
    if (missing := absent.absent(text, r, index)) is not None:   # "GPT-4 的论文在不在"
        # The filter stays: "most cited multimodal paper", "AAAI 的论文" are answered by standing.py.
        return Request(text, "absent", (), dated(r.filter, gazetteer.year), r.cues, missing=missing)
    catalog = index.catalog
    cues = set(r.cues)
    social = next((c for c in SOCIAL_ORDER if c in cues), None)
    social = social if len(_content(text)) <= SOCIAL_CHARS else None
    # In small talk only a name mentions a paper: a word found in some paper's text ("later" in a
    # summary, "nice" one letter from an author's name) does not turn "ok, see you later" into a card.
    loose = tuple(dict.fromkeys(s.hits[0].paper for s in r.search
                                if s.verdict == "answer" and (social is None or s.hits[0].why != "ranked")))
    papers = r.papers or loose
    suggestions = () if papers or not r.search else tuple(h.paper for h in r.search[0].hits)
    in_context = tuple(p for i in context.papers if (p := catalog.get(i)) is not None)
    elliptical = bool(_FOLLOW_UP.search(r.normal)) or not _LIST_NOUN.search(r.normal)
    listy = "list" in cues or bool(_LIST_NOUN.search(r.normal))
    check = bool(_CHECK.search(r.normal)) and not r.filter.empty
    question = next((c for c in r.cues if c in PAPER_QUESTIONS), None)

    def request(intent: Intent | None, chosen: tuple[Paper, ...] = (), filt: ListFilter | None = None,
                *, from_context: bool = False) -> Request:
        return Request(text, intent, chosen, dated(filt or ListFilter(), gazetteer.year), r.cues, suggestions,
                       from_context=from_context)

    if "bundle" in cues or (not r.papers and r.filter.empty and _BUNDLE_ALL.search(r.normal)
                            and _BUNDLE_GET.search(r.normal)):
        return request("bundle")
    if "compare" in cues:
        chosen = tuple(dict.fromkeys((*r.papers, *loose)))
        if len(chosen) == 1 and in_context and in_context[0] != chosen[0]:
            return request("compare", (in_context[0], *chosen), from_context=True)
        if len(chosen) >= 2:
            return request("compare", chosen[:4])

    if (fact := _fact(r, loose, in_context, context, catalog)) is not None:   # "medusa 能加速多少倍"
        about, fact_question = fact
        return replace(request("fact", about, from_context=about[0] in in_context and about[0] not in papers),
                       fact=fact_question)
    # A claim about the paper last shown: "是阿里的吗", "is it from 2023?"
    if not r.papers and check and in_context and not listy and (not loose or _PRONOUN.search(r.normal)):
        return request("check", in_context[:1], r.filter, from_context=True)
    # Lists and counts: filters named, or a list/count asked of the chat's last list.
    loose_paper = bool(loose) and not listy and "count" not in cues
    if not r.papers and not loose_paper and (not r.filter.empty or "count" in cues
                                             or ("list" in cues and question is None)):
        filt, from_context = r.filter, False
        if context.filter is not None and elliptical and (not r.filter.empty or not r.residual):
            merged = context.filter.merged(r.filter)
            if r.filter.empty or merged.papers(catalog) or not r.filter.papers(catalog):
                filt, from_context = merged, merged != r.filter
        filt = gazetteer.widened(dated(filt, gazetteer.year), catalog)
        if "count" in cues:
            return request("count", (), filt, from_context=from_context)
        if not filt.empty or (not r.residual and social is None):
            return request("list", (), filt, from_context=from_context)
    # Words no topic names, asked as a list ("papers on chain of thought"): ranked by text.
    if not papers and r.residual and r.filter.empty and social is None and question is None \
            and ("list" in cues or _TOPIC_LIST.search(r.normal)):
        query = _TOPIC_FILLER.sub(" ", " ".join(r.residual)).strip()
        if query:
            return Request(text, "ranked", (), ListFilter(), r.cues, query=query)
    if papers:
        if check and question in (None, "who", "when"):
            return request("check", papers[:1], r.filter)
        if question is None and context.intent in PAPER_QUESTIONS - {"check"} and _FOLLOW_UP.search(r.normal) \
                and len(papers) == 1:
            question = context.intent
        return request(question or "card", papers)  # type: ignore[arg-type]
    # A question about "it", or with nothing but question words: about the paper last shown.
    if question is not None and social is None and (_PRONOUN.search(r.normal) or not r.residual):
        if in_context:
            return request(question, in_context[:1], from_context=True)  # type: ignore[arg-type]
        return Request(text, question, (), ListFilter(), r.cues, pronoun_without_context=True)  # type: ignore[arg-type]
    if social is not None:
        return request(social)  # type: ignore[arg-type]
    if suggestions:
        return request("card")
    # A bare name that matched nothing is "not found"; a sentence about anything else is off-topic.
    bare = r.residual and not r.fillers and not r.cues and any(c.isascii() and c.isalnum() for c in "".join(r.residual))
    unmatched = " ".join(r.residual) if bare else ""
    return Request(text, None, (), ListFilter(), r.cues, unmatched=unmatched)


_NOT_FACTS = frozenset({"who", "links", "code", "similar", "compare", "bundle", "impact"})


def _fact(r: Reading, loose: tuple[Paper, ...], in_context: tuple[Paper, ...], context: ChatContext,
          catalog: Catalog) -> tuple[tuple[Paper, ...], facts.FactQuestion] | None:
    """The paper a question of fact is about (or the papers it names), and the question; None when
    it asks none.
    Another question's cue outside the fact's own words ("GPTQ 代码在哪") decides for that one."""
    question = facts.question_of(r.normal)
    if question is None:
        return None
    rest = list(r.normal)   # the message without its entities and the fact's own words ("几行代码")
    for start, end in (*((s.start, s.end) for s in r.spans), question.span):
        rest[start:end] = " " * (end - start)
    words = "".join(rest)
    for noun in question.nouns:
        words = words.replace(noun, " ")
    if set(cues_in(words)) & _NOT_FACTS:
        return None
    about = in_context if in_context and context.intent != "list" and _PRONOUN.search(r.normal) else ()
    about = about or r.papers or loose
    if not about and r.filter.topic and r.filter == ListFilter(topic=r.filter.topic):
        picked = r.filter.papers(catalog)   # "过程监督模型…": a topic of one paper
        about = (picked[0],) if len(picked) == 1 else ()
    if not about and in_context and context.intent != "list" and not r.residual and r.filter.empty:
        about = in_context   # "训练要多久" after a card; "Meta 的论文有哪些" asks for a list instead
    if len(about) > 1 and about == r.papers:   # "Medusa 和 Lookahead 分别能加速多少"
        return about[:facts.SEVERAL], question
    return ((about[0],), question) if len(about) == 1 else None


# A topic's name asked as a list ("投机解码相关的论文", "speculative decoding papers"), not as one paper.
_TOPIC_LIST = _cues(r"论文|文章|工作|相关|有哪些|哪些|方面|方向", r"papers|works|ones|list|which|any|related")
_ONE_PAPER = _cues(r"哪篇|哪一篇|那篇|这篇|该论文", r"which paper|what paper|the paper|that paper|this paper")
_TOPIC_FILLER = _cues(r"关于|有关|涉及|讲|研究|相关|方法|方面", r"on|about|regarding|related|topic")
_SHOWN_TOGETHER = _FOLLOW_UP   # "其中最早的", "which of them is the latest?": over the last list


def dated(filt: ListFilter, year: int) -> ListFilter:
    """The filter with a month or season written without a year put in `year` (the digest's)."""
    if filt.when is not None and filt.when.year is None:
        return replace(filt, when=replace(filt.when, year=year))
    return filt


def shown(context: ChatContext, catalog: Catalog) -> Selection | None:
    """The papers of the chat's last list, in the order shown (oldest first), or None."""
    if context.listed:
        return Selection(catalog.papers, [catalog.position(i) for i in context.listed if catalog.get(i) is not None])
    if context.filter is not None:
        return catalog.by_date(context.filter.papers(catalog))
    return None


def _reasoned(text: str, r: Reading, context: ChatContext, index: SearchIndex, gazetteer: Gazetteer
              ) -> Request | Reading:
    """What reasons over lists: the digest itself, typed paging, the authors' other papers,
    ordinals into the last list, superlatives and rankings; else the reading, with an ordinal's
    paper put in as if named and a topic that shares a paper's name read as the topic in a list."""
    catalog = index.catalog
    in_context = tuple(p for i in context.papers if (p := catalog.get(i)) is not None)
    filt = dated(r.filter, gazetteer.year)
    if not r.papers and (about_digest.about_digest(r.normal, simplify(text).casefold(), gazetteer.titles)
                         or (superlatives.both_ends(r.normal) and r.filter.empty)):
        return Request(text, "digest", cues=r.cues)
    step = ordinals.page_step(r.normal)
    if step and context.filter is not None and not r.papers:
        return Request(text, "page", filter=context.filter, cues=r.cues, from_context=True,
                       page=max(0, context.page + step))
    if ordinals.asks_for_others(r.normal) and (r.papers or in_context):
        return Request(text, "others", r.papers[:1] or in_context[:1], cues=r.cues, from_context=not r.papers)
    if r.alias_topic and (not r.filter.empty or _TOPIC_LIST.search(r.normal)) and not _ONE_PAPER.search(r.normal) \
            and not any(c in PAPER_QUESTIONS or c in ("compare", "bundle") for c in r.cues):
        r = replace(r, papers=tuple(p for p in r.papers if p.id not in r.alias_papers),
                    filter=replace(r.filter, topic=r.filter.topic or r.alias_topic))
        filt = dated(r.filter, gazetteer.year)
    plain = simplify(text).casefold()   # before normalising: "#3" keeps its "#"
    n = ordinals.ordinal(plain)
    if n is not None and not r.papers:
        listed = catalog.by_date(filt.papers(catalog)) if not filt.empty else shown(context, catalog)
        several = ordinals.several(plain) if "compare" in r.cues else []
        if listed and len(several) >= 2:   # "第一篇和第三篇有什么区别"
            chosen = tuple(dict.fromkeys(listed[-1] if k == ordinals.LAST else listed[k - 1]
                                         for k in several if k == ordinals.LAST or 0 < k <= len(listed)))
            if len(chosen) >= 2:
                return replace(r, papers=chosen, filter=ListFilter(), alias_topic=None)
        if listed:
            picked = (tuple(listed) if len(listed) <= ordinals.ALL_MAX else ()) if n == ordinals.ALL else \
                (listed[-1],) if n == ordinals.LAST else (listed[n - 1],) if n <= len(listed) else ()
            if picked:
                return replace(r, papers=picked, filter=ListFilter(), alias_topic=None)
    if superlatives.sort_asked(r.normal) and not r.papers:   # lists are shown oldest first already
        over_last = context.filter is not None and r.filter.empty
        wanted = context.filter if over_last and context.filter is not None else filt
        return Request(text, "list", filter=wanted, cues=r.cues, from_context=over_last)
    ranking = superlatives.most_asked(r.normal)
    order = superlatives.order_asked(r.normal)
    if (ranking or order) and not r.papers:
        over_last = context.filter is not None and (r.filter.empty or bool(_SHOWN_TOGETHER.search(r.normal)))
        if over_last and context.filter is not None:
            filt = dated(context.filter.merged(r.filter), gazetteer.year)
        filt = gazetteer.widened(filt, catalog)
        if ranking:
            return Request(text, "most", filter=filt, cues=r.cues, from_context=over_last, ranking=ranking)
        assert order is not None
        return Request(text, order, filter=filt, cues=r.cues, from_context=over_last)
    return r


_ALL = _cues(r"全部|所有|全体", r"all|everything|every")


def list_filter(text: str, index: SearchIndex, gazetteer: Gazetteer) -> ListFilter | None:
    """The filter `/list TEXT` asks for ("google 2023年12月", "agent"); None when TEXT names none."""
    found = read(text, index, gazetteer)
    if not found.filter.empty:
        return dated(found.filter, gazetteer.year)
    if found.alias_topic:   # "/list 投机解码": the topic, not the paper of that name
        return ListFilter(topic=found.alias_topic)
    return ListFilter() if not found.residual or _ALL.search(found.normal) else None
