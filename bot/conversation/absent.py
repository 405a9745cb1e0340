"""Names the catalog does not hold: "GPT-4 的论文在不在", "do you have toolformer", "有没有llama 3".

A message that asks for a paper by a name ("X 那篇", "the X paper", "X 有吗", "is X in the catalog")
gets "X is not in this catalog" when X names none of its papers, instead of the card of a paper
that only mentions X (Gorilla mentions GPT-4) or shares letters with it (GPTQ). X is read as a
name when it is one: a word with a version or size (GPT-4, Qwen2, GLM-130B, Mistral 7B), a word the
catalog has never seen (Mamba, DPO), one written with capitals by the reader or by the papers
that mention it (CogVLM, Flamingo, Chinchilla-70B), or a known name with a version no catalog
paper has (Llama 3). A typo of a catalog name ("medsua") is still that paper: search finds it by
name, and a slip never changes a number. No I/O.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from bot.catalog.schema import Paper
from bot.conversation import exclusions, ordinals, ranges, superlatives
from bot.search.engine import SearchIndex, SearchResult, search_normalised
from bot.text import STOPWORDS, Normal, normalise, simplify

if TYPE_CHECKING:
    from bot.conversation.understand import Reading, Span

RELATED = 3  # at most this many catalog papers that mention the name
NAME_WORDS = 6  # a longer stretch is a sentence, not a name

_PRESENT_ZH = r"在不在|在吗|有没有|有吗|有木有|收录了吗|收录了没|收录没|收录了|收录|收了没|收了吗|在目录|在库里|在这里吗"
_LATIN = r"[a-z0-9][a-z0-9 .]*?"
# Each frame holds the name in its group "x"; on the normal form (case folded, punctuation gone).
_FRAMES = tuple(
    re.compile(p)
    for p in (
        rf"(?:^|[^a-z0-9 ])\s*(?P<x>{_LATIN})\s*(?:的\s*)?(?:论文|文章|那篇|这篇)",
        rf"(?:^|[^a-z0-9 ])\s*(?P<x>{_LATIN})\s*(?:的\s*)?(?:{_PRESENT_ZH})",
        r"(?:有没有|有无|是否收录|收录了|收没收)\s*(?P<x>[a-z0-9][a-z0-9 .]*[a-z0-9])",
        r"(?:^|[^a-z0-9 ])有\s*(?P<x>[a-z0-9][a-z0-9 .]*[a-z0-9])\s*(?:的\s*)?(?:论文|文章)?\s*吗",
        r"^(?:do|does) (?:you|u|the catalog|this catalog|it) (?:have|hold|include|contain|cover|got) "
        r"(?:the |a |an |any )?(?P<x>.+?)(?: papers?)?(?: (?:here|there|pls|please|plz|in (?:it|here|the catalog)))*$",
        r"^(?:have you got|got) (?:the |a |an |any )?(?P<x>.+?)(?: papers?)?$",
        r"^(?:is|are) (?:the |a |an )?(?P<x>.+?)(?: papers?)? (?:in|inside|on|part of|included in) "
        r"(?:here|there|the catalog|your catalog|this catalog|the list|the digest|it|this|the collection)$",
        r"^(?:is|are) (?:the |a |an )?(?P<x>.+?)(?: papers?)? (?:included|here|there|covered|available)$",
        r"^(?:the |a )?(?P<x>.+?) paper(?: (?:pls|please|plz|here|link))*$",
        r"\bthe (?P<x>.+?) paper\b",
    )
)
_SIZE = re.compile(r"\d+(?:\.\d+)?[bmkt]")  # "34b": a size of a model family, not a new name
_NUMBER = re.compile(r"\d+(?:\.\d+)?[bmkt]?")
_LETTERS_DIGITS = re.compile(r"[a-z]{2,} ?\d")  # "gpt 4", "qwen 2", "glm 130b", "prm 800k"
_DIGITS = re.compile(r"\d+(?:\.\d+)?")
_REASONING_WORDS = (ordinals.WORDS, superlatives.WORDS, ranges.WORDS, exclusions.WORDS)
_FRAME_TEXT = "paper papers pls please plz the a an any here there link"
_FRAME_WORDS = frozenset(_FRAME_TEXT.split())
# English words no paper of a catalog need use, yet no name either ("no such paper here").
_PLAIN_TEXT = """such other another more same good best great nice cool real right wrong famous original whole full entire
main key big small old new your our their my"""
_PLAIN_WORDS = frozenset(_PLAIN_TEXT.split())


@dataclass(frozen=True)
class Absent:
    """A name the catalog does not hold, and the catalog papers whose text mentions it."""

    name: str
    related: tuple[Paper, ...] = ()


def absent(text: str, reading: Reading, index: SearchIndex, *, frames: bool = True) -> Absent | None:
    """The name the message asks for when no catalog paper is it; None when it names none, or one
    the catalog has. Without `frames` only a bare versioned name counts (`/paper gpt-4`)."""
    normal = reading.normal
    if ordinals.ordinal(simplify(text).casefold()) is not None:
        return None  # "the last multimodal paper", "the 2nd google paper": a place in a list
    found = _slot(normal) if frames else None
    if found is None:
        found = _bare(normal, reading)
    if found is None:
        return None
    start, end = found
    name = normal[start:end].strip()
    words = [w for w in name.split() if w not in STOPWORDS and w not in _FRAME_WORDS]
    if not words or len(words) > NAME_WORDS or re.search(r"[^a-z0-9 .]", name):
        return None
    found_by = _Lookup(name, index, reading.search)
    inside = [s for s in reading.spans if start <= s.start and s.end <= end]
    if inside:
        # A catalog name, or an organisation, section, topic asked about: unless a version follows
        # ("llama 3") or words no paper uses do ("the attention is all you need paper").
        if not _new_version(start, end, inside, normal, found_by) and (
            any(s.kind == "paper" for s in inside) or not _unheard(_outside(normal, start, end, inside), index)
        ):
            return None
    elif not _name_like(name, words, text, reading, found_by) or _known(found_by):
        return None
    return Absent(_as_written(name, text), _mentioning(found_by))


class _Lookup:
    """A name and what search finds for it, searched once and only when asked."""

    def __init__(self, name: str, index: SearchIndex, searched: Sequence[SearchResult] = ()) -> None:
        self.name, self.index, self.searched = name, index, searched

    @cached_property
    def result(self) -> SearchResult:
        # Understanding has often searched the very words already, as what no entity explained.
        done = next((r for r in self.searched if r.query == self.name), None)
        return done or search_normalised(self.name, Normal.of_normal(self.name), self.index, limit=RELATED)


def _slot(normal: str) -> tuple[int, int] | None:
    for frame in _FRAMES:
        m = frame.search(normal)
        if m and m.group("x").strip():
            s, e = m.span("x")
            return s + len(m.group("x")) - len(m.group("x").lstrip()), e
    return None


def _bare(normal: str, reading: Reading) -> tuple[int, int] | None:
    """A message that is only a name with a version or size ("GPT-4", "llama 3"): nothing else said."""
    if reading.cues or not normal.isascii() or len(normal.split()) > 4 or not _LETTERS_DIGITS.search(normal):
        return None
    return 0, len(normal)


def _new_version(start: int, end: int, inside: Sequence[Span], normal: str, found_by: _Lookup) -> bool:
    """A catalog name or organisation followed by a version no paper has ("llama 3", "mistral 7b")."""
    if len(inside) != 1 or inside[0].kind not in ("paper", "org") or normal[start : inside[0].start].strip():
        return False
    tail = normal[inside[0].end : end].strip()
    if not _NUMBER.fullmatch(tail):
        return False
    if inside[0].kind == "paper" and _SIZE.fullmatch(tail):
        return False  # "code llama 34b": a size of the family the catalog holds
    return not _known(found_by)


def _name_like(name: str, words: list[str], text: str, reading: Reading, found_by: _Lookup) -> bool:
    if _LETTERS_DIGITS.search(name):
        return True
    said = set(" ".join(reading.residual).split())
    content = [w for w in words if w in said or not said]
    if not content:
        return False
    if _unheard(content, found_by.index):
        return True
    if len(content) > 1:
        return False  # capitals in a description ("the GPT quantization paper") do not make it a name
    word = content[0]
    index = found_by.index
    if index.bm25.document_frequency(word) > max(2, len(index.catalog.papers) // 10):
        return False  # a word of the field ("LLM", "GPT"): papers about it, not one paper's name
    return word in _capitalised(simplify(text)) or _written_as_name(word, found_by.result)


def _outside(normal: str, start: int, end: int, inside: Sequence[Span]) -> list[str]:
    """The words of normal[start:end] that no entity span covers."""
    chars = list(normal[start:end])
    for s in inside:
        chars[s.start - start : s.end - start] = " " * (s.end - s.start)
    rest = "".join(chars)
    for words in _REASONING_WORDS:  # "the last multimodal paper", "the 2nd google paper"
        rest = words.sub(" ", rest)
    return [w for w in rest.split() if w not in STOPWORDS and w not in _FRAME_WORDS]


def _unheard(words: Sequence[str], index: SearchIndex) -> bool:
    """Whether a word is one no paper of the catalog uses ("need" of Attention Is All You Need)."""
    return any(len(w) >= 3 and not w.isdigit() and w not in _PLAIN_WORDS and index.bm25.term(w) is None for w in words)


def _capitalised(text: str) -> set[str]:
    """Words the reader wrote with a capital (not only the first word of an English sentence)."""
    found = re.findall(r"[A-Za-z][A-Za-z0-9]*", text)
    skip_first = text.isascii() and bool(found) and text.lstrip().startswith(found[0])
    return {w.casefold() for n, w in enumerate(found) if any(c.isupper() for c in (w[1:] if n == 0 and skip_first else w))}


def _written_as_name(word: str, result: SearchResult) -> bool:
    """Whether the papers found for the word write it with a capital (Chinchilla-70B, Flamingo80B)."""
    hits = result.hits[:RELATED]
    pattern = re.compile(rf"(?<![A-Za-z]){re.escape(word)}(?![a-z])", re.IGNORECASE)
    seen = [m.group(0) for h in hits for m in pattern.finditer(_texts(h.paper))]
    return bool(seen) and all(w[0].isupper() for w in seen)


def _known(found_by: _Lookup) -> bool:
    """Whether search finds a paper by this name (typed with a slip that keeps every number)."""
    result = found_by.result
    if result.verdict != "answer" or result.hits[0].why not in ("name", "arxiv"):
        return False
    paper = result.hits[0].paper
    numbers = set(_DIGITS.findall(" ".join(normalise(n) for n in (paper.title, paper.id, *paper.aliases))))
    return set(_DIGITS.findall(found_by.name)) <= numbers


def _texts(paper: Paper) -> str:
    return "\n".join((paper.title, paper.abstract_zh, paper.abstract_en, paper.summary_en, paper.impact_texts))


def _mentioning(found_by: _Lookup) -> tuple[Paper, ...]:
    """The catalog papers found for the name whose own text names it (Gorilla for GPT-4), at most RELATED."""
    name = f" {found_by.name} "
    return tuple(h.paper for h in found_by.result.hits if name in f" {normalise(_texts(h.paper))} ")[:RELATED]


def _as_written(name: str, text: str) -> str:
    """The name as the reader typed it ("GPT-4", "PaLM 2"), found again in the message."""
    parts = re.findall(r"[a-z]+|\d+(?:\.\d+)?", name)
    pattern = r"[\s\-_.·]*".join(re.escape(p) for p in parts)
    m = re.search(pattern, simplify(text), re.IGNORECASE) if parts else None
    return m.group(0) if m else name
