"""Facts quoted from a paper's own text: "medusa 能加速多少倍", "how long does llava-1.5 take to train".

`question_of` reads the kind of question from a message (how much faster, how long, how big, how many
of what, which data set / benchmark / model, which paper released X); `fact_answer` looks in the
paper's texts (bot/search/sentences.py) for the sentence that answers it, in both languages.
An answer is a quote or nothing: a number is never made up, and a sentence of another paper is
never looked at. "要多久 / how long does it take" is a duration, not a date. No I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.catalog.schema import Paper
from bot.search.sentences import Ask, Figure, Lang, Passage, Quote, quotes
from bot.text import normalise, simplify, tokens

# (kind, cue, figures an answer carries, concept the sentence must name); the first cue found decides.
_KINDS: tuple[tuple[str, str, tuple[Figure, ...], str], ...] = (
    ("context", r"上下文|\bcontext\b", ("context",), ""),
    (
        "duration",
        r"多久|多长时间|多少时间|(?:多少|几)\s*个?\s*(?:gpu\s*)?(?:小时|天|周|个月)|\bhow long\b|"
        r"\bhow much time\b|\bhow many (?:gpu )?(?:hours|days|weeks|months)\b|\btakes? to train\b",
        ("duration",),
        "",
    ),
    (
        "money",
        r"多少钱|花了多少|成本多少|多少成本|预算|\bhow much\b.*\b(?:cost|costs|spent|spend|money)\b|\bbudget\b|"
        r"\bwhat did\b.*\bcost\b|\btraining cost\b",
        ("money",),
        "",
    ),
    ("tokens", r"(?:多少|几)\s*个?\s*(?:token|标记|词元)|(?:token|标记|词元)\s*(?:数|数量)|\bhow many tokens\b", ("tokens",), ""),
    (
        "amount",
        r"(?:快|大|高|少|多|强|好|提升|提高|加速|减少|降低|节省|省)了?\s*多少|多少倍|几倍|加速比|"
        r"\bhow much (?:faster|bigger|larger|better|more|less|fewer|higher|lower|smaller|quicker)\b|"
        r"\bhow many (?:fewer|more|times)\b|\bhow (?:fast|quick)\b|\bspeed ?ups?\b",
        ("ratio", "percent"),
        "",
    ),
    ("percent", r"百分之多少|百分比|多少\s*%|准确率|正确率|得分|分数|\bscores?\b|\baccuracy\b|\bpercent(?:age)?\b", ("percent",), ""),
    (
        "size",
        r"多大|规模|参数量|(?:多少|几)\s*个?\s*参数|\bhow (?:big|large)\b|\bhow many param\w*|"
        r"\bparameter count\b|\bmodel size\b|分辨率|\bresolution\b",
        ("params", "resolution"),
        "",
    ),
    (
        "data",
        r"多少\s*(?:条|个)?\s*数据|数据量|数据规模|\bhow much data\b|"
        r"\bhow many (?:examples|samples|images|pairs|instructions)\b",
        ("data", "count", "tokens"),
        "",
    ),
    (
        "dataset",
        r"(?:什么|哪个|哪些|啥)\s*数据集|数据集\s*(?:叫|是|名)|\b(?:which|what) data ?sets?\b|"
        r"\bdata ?sets? (?:name|called)\b|\bname of the data ?set\b",
        ("names",),
        "data",
    ),
    ("benchmark", r"(?:什么|哪个|哪些|啥)\s*(?:基准|测试集|评测)|\b(?:which|what) benchmarks?\b", ("names",), "benchmark"),
    (
        "model",
        r"(?:基于|用的|用了|采用)\s*(?:什么|哪个|哪种)\s*(?:模型|基座)|\b(?:which|what) (?:base )?model\b|"
        r"\bbased on (?:which|what)\b",
        ("names",),
        "base",
    ),
    ("names", r"哪些来源|来源是|(?:包括|包含)哪些|\b(?:which|what) sources\b|\bincludes? which\b", ("names",), ""),
    ("count", r"(?:多少|几)(?!\s*(?:篇|论文))|\bhow many\b(?! (?:papers|works|of them|of those))|\bnumber of\b", ("count", "percent"), ""),
)
_RESOLUTION = re.compile(r"分辨率|\bresolution\b|像素|\bpixels?\b")
SEVERAL = 4  # papers answered at once, one line each
_KIND_PATTERNS = tuple((kind, re.compile(cue), figs, topic) for kind, cue, figs, topic in _KINDS)
# "which paper released PRM800K": the sentence that says so, the name asked about in bold.
_WHICH_PAPER = re.compile(r"哪篇|哪一篇|哪个论文|哪项工作|\b(?:which|what) (?:paper|work|one)\b")
_RELEASED = re.compile(
    r"发布|提出|引入|推出|公开|开源了|\b(?:released?|introduced?|proposed?|presented?|created?|built|"
    r"came up with|published)\b"
)
# Counting these is a question about the catalog's records (authors, citations, papers), not the text.
_RECORDS = re.compile(
    r"作者|引用|被引|(?:多少|几)\s*篇|论文数|板块|机构|\bauthors?\b|\bcit(?:e|ed|ations?)\b|"
    r"\bhow many papers\b|\bsections?\b|\borgani[sz]ations?\b"
)
_EN_NOUNS = re.compile(
    r"\b(?:how many|number of)\s+((?:[a-z0-9]+\s+){0,2}?[a-z0-9]+)"
    r"(?=\s+(?:does|did|do|is|are|was|were|has|have|had|in|on|of|for|can|could|would|will|it|they)\b|$)"
)
_EN_NOUN_FIRST = re.compile(r"\b(?:how many|number of)\s+((?:[a-z0-9]+\s*){1,3})")
_ZH_NOUNS = re.compile(r"(?:多少|几)\s*(个|条|行|种|项|类|次|张|道|位|组|层|名)?\s*([\u4e00-\u9fff]{1,4})")
_NOT_NOUN = re.compile(r"^(?:的|了|吗|呢|啊|是|有|呀)")
# A Chinese bigram with one of these says how something is asked ("能达", "值的"), not what about.
_FUNCTION_CHARS = set("多少几吗呢啊么什哪谁的了是在有能要会把被和与及或就都也还吧呀")
_QUESTION_TEXT = """how many much what which does did do is are was were the a an of on in it its they
there have has had can could would will long big large fast number"""
_QUESTION_WORDS = frozenset(_QUESTION_TEXT.split())
_PAPER_WORDS = frozenset(("paper", "papers", "work", "one"))


@dataclass(frozen=True)
class FactQuestion:
    """The kind of fact a message asks about a paper, and what an answer must carry."""

    kind: str
    figures: tuple[Figure, ...]
    span: tuple[int, int]  # where the question's cue stands in the normal text
    nouns: tuple[str, ...] = ()  # what is counted ("labels", "类别")
    topic: str = ""


@dataclass(frozen=True)
class FactAnswer:
    """A fact about one paper: the quote that answers it in each language that has one (none:
    the paper's texts do not say)."""

    paper: Paper
    kind: str
    quotes: tuple[Quote, ...] = ()

    def quote(self, lang: Lang) -> Quote | None:
        """The reader's language when its text answers, else the other language's."""
        return next((q for q in self.quotes if q.lang == lang), self.quotes[0] if self.quotes else None)


@dataclass(frozen=True)
class SeveralFacts:
    """The same fact asked of several papers ("Medusa 和 Lookahead 分别能加速多少"), in the order named."""

    answers: tuple[FactAnswer, ...]

    @property
    def papers(self) -> tuple[Paper, ...]:
        return tuple(a.paper for a in self.answers)


def question_of(normal: str) -> FactQuestion | None:
    """The fact a (normalised) message asks for, or None when it asks none."""
    if _RECORDS.search(normal):
        return None
    for kind, pattern, figs, topic in _KIND_PATTERNS:
        m = pattern.search(normal)
        if m is None:
            continue
        nouns = _nouns(normal) if kind == "count" else ()
        if kind == "count" and any(_RECORDS.search(n) for n in nouns):
            return None
        return FactQuestion(kind, figs, m.span(), nouns, topic)
    which = _WHICH_PAPER.search(normal)
    if which and _RELEASED.search(normal):
        return FactQuestion("source", ("named",), which.span())
    return None


def _nouns(normal: str) -> tuple[str, ...]:
    found: list[str] = []
    m = _EN_NOUNS.search(normal) or _EN_NOUN_FIRST.search(normal)
    if m:
        found += [w for w in m.group(1).split() if w not in _QUESTION_WORDS]
    for z in _ZH_NOUNS.finditer(normal):
        measure, run = z.group(1), z.group(2)
        if run and not _NOT_NOUN.match(run):
            found.append(run)
        if measure and measure not in ("个", "名", "位"):
            found.append(measure)
    return tuple(dict.fromkeys(found))


def content_words(normal: str) -> tuple[str, ...]:
    """The words of a question a sentence should share: no question words, no "多少" bigrams."""
    return tuple(dict.fromkeys(t for t in tokens(normal) if t not in _QUESTION_WORDS and not (set(t) & _FUNCTION_CHARS)))


def passages(paper: Paper) -> list[Passage]:
    """Everything the catalog holds of a paper's own words, by where it comes from."""
    found = [
        Passage("abstract", "zh", paper.abstract_zh),
        Passage("abstract", "en", paper.abstract_en),
        Passage("summary", "en", paper.summary_en),
    ]
    if paper.impact:
        found += [Passage("impact", "zh", paper.impact.zh), Passage("impact", "en", paper.impact.en)]
    return [p for p in found if p.text.strip()]


def facts_answer(papers: tuple[Paper, ...], text: str, question: FactQuestion) -> FactAnswer | SeveralFacts:
    """The fact for one paper, or for each of several named together."""
    found = tuple(fact_answer(p, text, question) for p in papers)
    return found[0] if len(found) == 1 else SeveralFacts(found)


def fact_answer(paper: Paper, text: str, question: FactQuestion) -> FactAnswer:
    """The quote of this paper's text that answers the question, per language."""
    normal = normalise(text)
    # The paper's own name is in most of its sentences and tells none of them apart; a variant's
    # mark ("2" of Medusa-2, an alias) still does.
    own = {t for n in (paper.title, paper.short_name, paper.id) for t in tokens(normalise(n))}
    words = tuple(w for w in content_words(normal) if w not in own)
    if question.kind == "source":  # the names asked about as written: "PRM800K", not "prm 800k"
        written = re.findall(r"[a-z0-9][a-z0-9.\-]*[a-z0-9]", simplify(text).casefold())
        names = tuple(w for w in written if w not in _QUESTION_WORDS and not _RELEASED.fullmatch(w) and w not in _PAPER_WORDS)
        words = (*names, "发布") if names else ()  # ...in a sentence that says it was released (any language)
    figs = question.figures
    if question.kind == "size" and _RESOLUTION.search(normal):
        figs = ("resolution",)
    ask = Ask(figs, words, question.nouns, question.topic, skip=normal)
    found = quotes(passages(paper), ask)
    return FactAnswer(paper, question.kind, tuple(q for lang in ("zh", "en") if (q := found.get(lang))))
