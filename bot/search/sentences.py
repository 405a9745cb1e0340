"""Sentence retrieval within one paper: the sentence of its own text that answers a question.

A question about a paper's content ("medusa 能加速多少倍", "how many tokens was LLaMA trained on")
is answered by quoting the paper, never by making a number up. What an answering sentence must
carry is known from the kind of question: a speed-up carries "2.2×" / "2.2 倍", a duration "4 GPU
hours" / "约 1 天", a size "65B" / "180 亿", a data set a name ("GRIT"). Among the sentences of the
paper's texts (abstracts in both languages, summary, impact line) that carry such a figure, the
one sharing most of the question's content words wins; words are matched in both languages
through a small table of concepts (加速 = speed-up, 参数 = parameters, ...), so a Chinese question
finds an English sentence and the other way round. Pure functions, no I/O.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from bot.text import normalise, tokens

Figure = Literal["ratio", "percent", "duration", "params", "resolution", "tokens", "context", "count", "data", "money", "names", "named"]
Field = Literal["abstract", "summary", "impact"]
Lang = Literal["zh", "en"]

QUOTE_CHARS = {"zh": 130, "en": 260}  # a longer sentence is cut to its clauses around the figure
POSITION_BONUS = 0.3  # results come late in an abstract: a small tie-break
FIRST_KIND_BONUS = 0.6  # a figure of the kind asked first ("多少数据": data before counts)

# --- figures ------------------------------------------------------------------------------

# A number that is not part of a name ("PRM800K", "GPT-4", "A100", "Llama2-7B") or a reference ("[5]").
_NUM = r"(?<![A-Za-z0-9.\-\[/])\d+(?:,\d{3})*(?:\.\d+)?"
_MID = r"(?:\s*(?:%|％|x|×|倍|[BMKT]|亿|万))?"
_RANGE = rf"{_NUM}(?:{_MID}\s*(?:-|–|—|~|～|到|至|\bto\b)\s*\d+(?:,\d{{3}})*(?:\.\d+)?)?"
_ZH_NUMERAL = r"[一二两三四五六七八九十百千]+"
_EN_NUMBER = r"\b(?:a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\b"
_TIME_UNIT = r"(?:小时|天|周|星期|个月|分钟|\bhours?\b|\bdays?\b|\bweeks?\b|\bmonths?\b|\bminutes?\b)"
_TOKEN_UNIT = r"(?:tokens?\b|标记|词元|令牌|词库|字元)"
_URL = re.compile(r"(?:https?://|www\.|github\.com/)\S*$")
_CONTEXT_WORDS = re.compile(r"上下文|序列|输入|窗口|长度|context|sequence|input|window|length", re.IGNORECASE)
_DATA_WORDS = re.compile(r"数据|样本|示例|图像|图文|对|data|samples?|examples?|images?|pairs?|instructions?", re.IGNORECASE)

_FIGURES: dict[Figure, re.Pattern[str]] = {
    "ratio": re.compile(
        rf"{_RANGE}\s*(?:x|×|倍|-?fold\b|times\b)(?![A-Za-z0-9])|{_ZH_NUMERAL}倍|"
        r"\b(?:twice|double|triple|two-fold|three-fold)\b",
        re.IGNORECASE,
    ),
    "percent": re.compile(rf"{_RANGE}\s*(?:%|％|\bpercent\b)|百分之[\d一二三四五六七八九十百]+"),
    "duration": re.compile(rf"(?:{_RANGE}|{_EN_NUMBER}|{_ZH_NUMERAL}|半)\s*(?:个\s*)?(?:GPU\s*-?\s*)?{_TIME_UNIT}", re.IGNORECASE),
    "params": re.compile(rf"{_RANGE}\s*(?:[BM](?![A-Za-z0-9])|\bbillion\b|\bmillion\b|亿)(?:[- ]?param\w*|\s*个?参数)?"),
    "resolution": re.compile(r"(?<![A-Za-z0-9])\d+\s*[x×]\s*\d+(?![A-Za-z0-9])|(?<![A-Za-z0-9\-])\d+\s*px\b"),
    "tokens": re.compile(
        rf"(?:{_RANGE}\s*(?:[TBMK](?![A-Za-z0-9])|trillion|billion|万亿|亿)?|数?万亿|"
        rf"\btrillions?\b|\bbillions?\b)\s*(?:个\s*)?(?:of\s+)?{_TOKEN_UNIT}",
        re.IGNORECASE,
    ),
    "context": re.compile(rf"{_RANGE}\s*[kK](?![A-Za-z0-9])(?:\s*(?:个\s*)?{_TOKEN_UNIT})?"),
    "count": re.compile(
        rf"{_NUM}\s+of\s+\d+|{_RANGE}|{_ZH_NUMERAL}(?=\s*(?:个|种|项|类|条|行|位|阶段|层))|"
        r"\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\b"
    ),
    "data": re.compile(rf"{_RANGE}\s*(?:万|亿|[MK](?![A-Za-z0-9])|\bmillion\b|\bbillion\b|\bthousand\b)"),
    "money": re.compile(rf"\$\s?\d[\d,.]*\s*[KMB]?(?![A-Za-z])|{_RANGE}\s*万?\s*美元|{_RANGE}\s*dollars\b"),
    # A name as papers write one: CamelCase, capitals, or letters with digits (GRIT, APIBench, PRM800K).
    "names": re.compile(
        r"(?<![A-Za-z0-9])(?:[A-Z][a-z]+(?:[A-Z][A-Za-z]*)+|[A-Z]{2,}[A-Za-z0-9]*|"
        r"[A-Z][A-Za-z]*\d+[A-Za-z0-9]*)(?:-[A-Za-z0-9.]+)*(?<!\.)"
    ),
}
# Capitals that are words of the field, not names of a data set or benchmark.
_COMMON_CAPS_TEXT = """
llm llms api apis gpu gpus cpu ai nlp vlm vlms lmm lmms mllm lvlm lvlms gui sota dag icl rl rlhf ppo mlp sctd iq html
pc moe smoe flops dram gemm vqa lm lms ie eg gpt fp16 nvidia ram io ml qa url github https
"""
_COMMON_CAPS = frozenset(_COMMON_CAPS_TEXT.split())


@dataclass(frozen=True)
class Ask:
    """What a question wants from a sentence: a figure of one of these kinds, and its content words."""

    figures: tuple[Figure, ...]
    words: tuple[str, ...] = ()  # the question's content words, each in its own language
    nouns: tuple[str, ...] = ()  # what is counted ("labels", "类别"): a count stands next to one
    topic: str = ""  # a concept the sentence must hold ("dataset" for a data set's name)
    skip: str = ""  # the question's normal form: a name it holds is no answer to it


@dataclass(frozen=True)
class Passage:
    field: Field
    lang: Lang
    text: str


@dataclass(frozen=True)
class Quote:
    text: str  # the sentence, or its clauses around the figure, as written
    marks: tuple[tuple[int, int], ...]  # the figures in `text`, for bold
    field: Field
    lang: Lang
    score: float


def figures(text: str, kinds: Sequence[Figure], ask: Ask | None = None) -> list[tuple[int, int]]:
    """Where the figures of these kinds stand in the text, in order; of overlapping ones the longest
    ("78%" over "78"), and a bare count only where no figure of another kind stands."""
    found: list[tuple[int, int, bool]] = []
    spans = [(s, e, kind == "count") for kind in kinds for s, e in _figure_spans(text, kind, ask)]
    for start, end, bare in sorted(spans, key=lambda x: (x[0] - x[1], x[2], x[0])):
        if all(end <= s or e <= start for s, e, _ in found):
            found.append((start, end, bare))
    if any(not bare for _, _, bare in found):
        found = [f for f in found if not f[2]]
    return sorted((s, e) for s, e, _ in found)


def _figure_spans(text: str, kind: Figure, ask: Ask | None) -> list[tuple[int, int]]:
    if kind == "named":  # "which paper released PRM800K": the words asked about are the figure
        return [
            m.span()
            for w in (ask.words if ask else ())
            if len(w) >= 3 and not _is_cjk_word(w)
            for m in re.finditer(rf"(?<![a-z0-9]){re.escape(w)}(?![a-z0-9])", text.casefold())
        ]
    spans = []
    marks: list[int] | None = None  # the text's clause marks, found once and only for the kinds that read a clause
    for m in _FIGURES[kind].finditer(text):
        start, end = m.span()
        while start < end and text[start].isspace():
            start += 1
        if kind in ("tokens", "context", "data"):
            marks = clause_marks(text) if marks is None else marks
            clause = text[_clause_start(marks, start) : _clause_end(marks, end, len(text))]
            if kind == "tokens" and _CONTEXT_WORDS.search(clause):
                continue  # "a context of 32k tokens" is not what a model was trained on
            if kind == "context" and not _CONTEXT_WORDS.search(clause):
                continue
            if kind == "data" and not _DATA_WORDS.search(clause):
                continue
        if kind == "names":
            if _URL.search(text[max(0, start - 80) : end]):
                continue  # "github.com/OpenBMB/ToolBench" names a repository, not what was asked
            word = m.group(0).casefold()
            if word in _COMMON_CAPS or (ask is not None and f" {normalise(word)} " in f" {ask.skip} "):
                continue
        if start < end:
            spans.append((start, end))
    return spans


# --- sentences and clauses ----------------------------------------------------------------

_SENTENCE_END = re.compile(r"(?<=[。！？!?])|(?<=[.;；])(?<!\be\.g\.)(?<!\bi\.e\.)(?<!\bet al\.)(?<!\bvs\.)\s+(?=\S)|\n+")
_CLAUSE_MARK = re.compile(r"[，,;；:：](?!\d{3})")  # not the comma of "800,000"


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence; a decimal point or "e.g." ends none."""
    spans, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        if m.start() > start:
            spans.append((start, m.start()))
        start = m.end()
    if start < len(text):
        spans.append((start, len(text)))
    return [
        (s + len(text[s:e]) - len(text[s:e].lstrip()), e - (len(text[s:e]) - len(text[s:e].rstrip())))
        for s, e in spans
        if text[s:e].strip()
    ]


def clause_marks(text: str) -> list[int]:
    """Where clauses end: a comma, semicolon or colon outside brackets ("(Medusa-1, frozen backbone)"
    is one clause) and not inside a number ("800,000")."""
    marks, depth, seen = [], 0, 0
    for m in _CLAUSE_MARK.finditer(text):
        # The brackets open before the mark, counted on from the last mark (one pass over the text).
        at = m.start()
        depth += text.count("(", seen, at) + text.count("（", seen, at) - text.count(")", seen, at) - text.count("）", seen, at)
        seen = at
        if depth <= 0:
            marks.append(at)
    return marks


def _clause_start(marks: list[int], at: int) -> int:
    before = bisect_left(marks, at)
    return marks[before - 1] + 1 if before else 0


def _clause_end(marks: list[int], at: int, length: int) -> int:
    after = bisect_left(marks, at)
    return marks[after] if after < len(marks) else length


# --- content words in both languages ------------------------------------------------------

# Each concept: the words that mean it, in Chinese (anywhere) and English (word stems).
_CONCEPTS: dict[str, str] = {
    "speed": r"加速|提速|速度|快|\bspeed\w*|\bfast\w*|\baccelerat\w*|\blatency|延迟",
    "params": r"参数|\bparam\w*",
    "train": r"训练|\btrain\w*",
    "data": r"数据|语料|\bdata\b|\bcorp\w+",
    "dataset": r"数据集|\bdata ?sets?\b|\bcorpus",
    "label": r"标签|标注|\blabel\w*|\bannotat\w*",
    "code": r"代码|\bcode\b",
    "lines": r"行代码|\blines?\b",
    "category": r"类别|\bcategor\w*",
    "resolution": r"分辨率|像素|\bresolution|\bpixels?",
    "benchmark": r"基准|测试集|评测|\bbenchmark\w*",
    "context": r"上下文|\bcontext",
    "model": r"模型|\bmodels?\b",
    "base": r"基于|微调|基座|\bfine[- ]?tun\w*|\w-based\b|\bbased on\b|\bbuilt (?:on|upon)\b|\bon top of\b|\binitiali[sz]ed from\b",
    "accuracy": r"准确|精度|\baccura\w*",
    "memory": r"内存|显存|\bmemory|\bdram",
    "steps": r"步骤|步数|\bsteps?\b",
    "examples": r"样本|示例|\bexamples?\b|\bsamples?\b",
    "problems": r"题|\bproblems?\b",
    "score": r"得分|分数|\bscor\w*",
    "tokens": r"token|标记|令牌|词元|字元|词库",
    "peak": r"峰值|理论最大|\bpeak\b|\btheoretical",
    "hours": r"小时|\bhours?\b",
    "days": r"天|\bdays?\b",
    "gpu": r"\bgpus?\b|显卡",
    "api": r"\bapis?\b|接口",
    "proxy": r"代理|\bproxy",
    "cost": r"成本|预算|美元|\bcost\w*|\bbudget|\bdollars?|\$",
    "size": r"大小|规模|尺寸|\bsize\b|\bbig\b|\blarge\b",
    "improve": r"提升|提高|改善|优于|超越|超过|\bimprov\w*|\bbetter\b|\boutperform\w*|\bbeat\w*|\bsurpass\w*",
    "baseline": r"基线|\bbaselines?\b",
    "trainable": r"可训练|\btrainable",
    "distributed": r"分布式|\bdistributed",
    "offload": r"卸载|\boffload\w*",
    "input": r"输入|\binputs?\b",
    "active": r"激活|活动参数|\bactiv\w*",
    "collect": r"收集|\bcollect\w*",
    "source": r"来源|组成|\bsources?\b",
    "fewer": r"减少|更少|\bfewer\b|\bless\b|\breduc\w*",
    "solve": r"解决|解出|\bsolv\w*",
    "release": r"发布|提出|推出|引入|构建|介绍|\breleas\w*|\bintroduc\w*|\bpresent\w*|\bpropos\w*|\bconstruct\w*|\bbuil[dt]\b",
    "sota": r"最先进|技术水平|\bsota\b|\bstate of the art\b",
}
_CONCEPT_PATTERNS = {name: re.compile(p) for name, p in _CONCEPTS.items()}


def terms(text: str) -> frozenset[str]:
    """Content terms of a text: its search tokens (English words without a plural s, Chinese
    bigrams) and the concepts it names, so "加速" meets "speedup"."""
    plain = text.casefold()
    found = set(_words(text))
    found.update("@" + name for name, pattern in _CONCEPT_PATTERNS.items() if pattern.search(plain))
    return frozenset(found)


def shared(text: str, asked: frozenset[str]) -> frozenset[str]:
    """The terms of `asked` a text holds (`terms(text) & asked`, looking only for those)."""
    # The words are only read when a word (not only concepts) is asked about.
    words = _words(text) if any(not t.startswith("@") for t in asked) else frozenset()
    plain = text.casefold()
    return frozenset(t for t in asked if (_CONCEPT_PATTERNS[t[1:]].search(plain) if t.startswith("@") else t in words))


def _words(text: str) -> frozenset[str]:
    return frozenset(w[:-1] if len(w) > 3 and w.endswith("s") and w.isascii() else w for w in tokens(normalise(text)))


def _is_cjk_word(word: str) -> bool:
    return any("\u3400" <= c <= "\u9fff" for c in word)


# --- retrieval ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Candidate:
    passage: Passage
    start: int
    end: int
    order: float  # 0 (first sentence of its text) .. 1 (last)


def candidates(passages: Sequence[Passage]) -> list[_Candidate]:
    found = []
    for p in passages:
        spans = sentences(p.text)
        found += [_Candidate(p, s, e, n / max(1, len(spans) - 1)) for n, (s, e) in enumerate(spans)]
    return found


def quotes(passages: Sequence[Passage], ask: Ask) -> dict[Lang, Quote]:
    """The best quote in each language whose texts hold one (none: the texts do not say)."""
    pool = candidates(passages)
    asked = terms(" ".join(ask.words))
    if not asked and ask.figures == ("named",):
        return {}
    held = [shared(c.passage.text[c.start : c.end], asked) for c in pool]
    # Rarer terms weigh more: a word in every sentence says little.
    df: dict[str, int] = {}
    for found in held:
        for term in found:
            df[term] = df.get(term, 0) + 1
    weight = {term: math.log(1 + len(pool) / (1 + n)) for term, n in df.items()}
    best: dict[Lang, Quote] = {}
    for c, found in zip(pool, held, strict=True):
        quote = _quote(c, found, ask, asked, weight)
        if quote is not None and (c.passage.lang not in best or quote.score > best[c.passage.lang].score):
            best[c.passage.lang] = quote
    return best


def _quote(c: _Candidate, held: frozenset[str], ask: Ask, asked: frozenset[str], weight: dict[str, float]) -> Quote | None:
    text = c.passage.text[c.start : c.end]
    if ask.topic and not _CONCEPT_PATTERNS[ask.topic].search(text.casefold()):
        return None
    marks = figures(text, ask.figures, ask)
    if ask.nouns and "count" in ask.figures:
        marks = [m for m in marks if _near_noun(text, m, ask.nouns)] or [
            m for m in marks if not _FIGURES["count"].fullmatch(text[m[0] : m[1]])
        ]
    if not marks:
        return None
    score = sum(weight.get(t, 0.0) for t in held) + POSITION_BONUS * c.order
    if ask.figures == ("named",) and not held:
        return None
    if len(ask.figures) > 1 and figures(text, ask.figures[:1], ask):
        score += FIRST_KIND_BONUS
    if c.passage.field == "abstract":  # the paper's own words before the curator's
        score += 0.05
    return _clipped(text, marks, c.passage, score, asked)


def _near_noun(text: str, mark: tuple[int, int], nouns: Sequence[str]) -> bool:
    """Whether one of the counted nouns stands right after the number (or, in Chinese, just before it)."""
    after = text[mark[1] : mark[1] + 24].casefold()
    before = text[max(0, mark[0] - 8) : mark[0]].casefold()
    for noun in nouns:
        stem = noun[:-1] if len(noun) > 3 and noun.endswith("s") else noun
        if _is_cjk_word(noun):
            if any(noun[i : i + 2] in after[:16] or noun[i : i + 2] in before for i in range(max(1, len(noun) - 1))):
                return True
        elif re.search(rf"^\W*(?:\S+\W+){{0,4}}?{re.escape(stem)}", after):
            return True
    return False


def _clipped(text: str, marks: list[tuple[int, int]], passage: Passage, score: float, asked: frozenset[str]) -> Quote:
    """The sentence, or (when long) the clauses around its best-matching figure, with the marks moved."""
    limit = QUOTE_CHARS[passage.lang]
    if len(text) <= limit:
        return Quote(text, tuple(marks), passage.field, passage.lang, score)
    bounds = [0, *(m + 1 for m in clause_marks(text)), len(text)]
    clauses = [(bounds[i], bounds[i + 1]) for i in range(len(bounds) - 1) if bounds[i] < bounds[i + 1]]

    def clause_of(at: int) -> int:
        return next(i for i, (s, e) in enumerate(clauses) if s <= at < e)

    def clause_score(i: int) -> float:
        s, e = clauses[i]
        return len(shared(text[s:e], asked)) + sum(1 for m in marks if s <= m[0] < e)

    lo = hi = max((clause_of(m[0]) for m in marks), key=clause_score)
    while True:  # widen while the quote stays short: clauses with figures first, then what follows
        options = [i for i in (hi + 1, lo - 1) if 0 <= i < len(clauses) and clauses[max(hi, i)][1] - clauses[min(lo, i)][0] <= limit]
        if not options:
            break
        pick = max(options, key=lambda i: (any(clauses[i][0] <= m[0] < clauses[i][1] for m in marks), i > hi))
        lo, hi = min(lo, pick), max(hi, pick)
    start, end = clauses[lo][0], clauses[hi][1]
    while start < end and text[start].isspace():
        start += 1
    piece = text[start:end].rstrip(" ,，;；:：")
    head = "…" if start > 0 else ""
    tail = "…" if start + len(piece) < len(text.rstrip("。. ")) else ""
    kept = [(s - start + len(head), e - start + len(head)) for s, e in marks if start <= s and e <= start + len(piece)]
    return Quote(head + piece + tail, tuple(kept), passage.field, passage.lang, score)
