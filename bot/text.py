"""Text normalisation and tokenisation shared by the catalog, search, intents and keyword rules.

One normal form everywhere: NFKC (full-width letters), Traditional -> Simplified Chinese,
case folding, punctuation and hyphens to spaces. Tokens are English words and numbers plus
Chinese character bigrams, which beat word segmentation on short, jargon-heavy queries.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import opencc

from bot.vocabulary import mainland

_T2S = opencc.OpenCC("t2s")

# Control and format characters (zero-width joiners, RTL marks) carry no meaning for a query.
_INVISIBLE = dict.fromkeys(c for c in range(0x20) if c not in (0x09, 0x0A, 0x0D))
_INVISIBLE.update(dict.fromkeys([0x7F, 0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x2060, 0xFEFF,
                                 0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069]))

_HAS_INVISIBLE = re.compile("[" + "".join(re.escape(chr(c)) for c in _INVISIBLE) + "]")
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_VERSION = re.compile(r"\bv(?=\d)")                   # v1.5 -> 1.5
_APOSTROPHE = re.compile(r"(?<=\w)['’](?=\w)")        # let's -> lets
_LETTER_DIGIT = re.compile(r"([a-z])(?=\d)")            # llama2 -> llama 2 (100k stays whole)
_PUNCT = re.compile(rf"[^\w{_CJK}.]+|(?<!\d)\.|\.(?!\d)|_")
# Chinese next to anything else gets a space between (each pattern consumes its first
# character: much faster than a pure lookaround that is tried at every position).
_SPLIT_SCRIPT = (re.compile(rf"([{_CJK}])(?=[^\s{_CJK}])"), re.compile(rf"([^\s{_CJK}])(?=[{_CJK}])"))
_SPACES = re.compile(r"\s+")
_WORD = re.compile(rf"[{_CJK}]+|[^\s{_CJK}]+")
_IS_CJK = re.compile(rf"[{_CJK}]")

NUMBER_WORDS = {"one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
                "seven": "7", "eight": "8", "nine": "9", "ten": "10"}
_NUMBER_WORD = re.compile(r"\b(?:" + "|".join(NUMBER_WORDS) + r")\b")
# Joins many texts into one for batch processing: an unassigned CJK compatibility code point,
# never found in real text, that every step keeps as it is.
SEPARATOR = "\ufaff"

# Words that say nothing about which paper is meant; they still count for intents.
_STOPWORDS_TEXT = """
a an the of on in for to and or with by is are was were be it its this that what which who
how when where do does did paper papers about from at as me show find i you my your please
tell any some
"""
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())


# C0 and C1 control characters (ESC sequences, bells, NULs) but tab and newline: a reader never
# means them, a reply must never echo them, and one inside a query must not stop it matching.
# Lone surrogates too: JSON can carry `\ud800`, but no UTF-8 text (OpenCC's, Telegram's) can.
_CONTROL = re.compile("\x1b\\[[0-9;?]*[ -/]*[@-~]|\x1b[@-_]|[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_input(text: str) -> str:
    """A message as the bot reads it: terminal escape sequences and control characters removed."""
    return _CONTROL.sub("", text) if _CONTROL.search(text) else text


def _nfkc(text: str) -> str:
    # The check is much cheaper than the rewrite, and most text passes it.
    return text if unicodedata.is_normalized("NFKC", text) else unicodedata.normalize("NFKC", text)


def simplify(text: str) -> str:
    """NFKC, invisible characters removed, Traditional -> Simplified, Taiwan's words -> the mainland's
    (bot/vocabulary.py: 程式碼 is 代码). Case and spacing kept. Long catalog texts, already
    simplified, skip the words (`prepare_joined`)."""
    simple = _simplify_normalized(_nfkc(text))
    return simple if simple.isascii() else mainland(simple)


def _simplify_normalized(text: str) -> str:
    if _HAS_INVISIBLE.search(text):
        text = text.translate(_INVISIBLE)
    # Any non-ASCII text goes through OpenCC: it also knows the CJK extension planes.
    if text.isascii():
        return text
    try:
        return str(_T2S.convert(text))
    except UnicodeEncodeError:   # a lone surrogate that reached here without clean_input
        return str(_T2S.convert(_SURROGATE.sub("", text)))


def prepare_joined(texts: Iterable[str]) -> str:
    """Texts joined by SEPARATOR (removed from the texts themselves), simplified, case-folded,
    apostrophes inside words dropped: the index-side form of long texts, tokenised without the
    spacing rules of `normalise`, which only short texts need. NFKC goes text by text, so one
    full-width bracket does not rewrite a whole batch."""
    return _prepare_normalized(SEPARATOR.join(_nfkc(t).replace(SEPARATOR, "") for t in texts))


def _prepare_normalized(text: str) -> str:
    text = _simplify_normalized(text).casefold()
    return _APOSTROPHE.sub("", text) if "'" in text or "’" in text else text


def _normal_spacing(text: str) -> str:
    """Every step of `normalise` but the final collapsing of white space."""
    text = simplify(text).casefold()
    text = _VERSION.sub("", text)
    if "'" in text or "’" in text:
        text = _APOSTROPHE.sub("", text)
    text = _LETTER_DIGIT.sub(r"\1 ", text)
    text = _PUNCT.sub(" ", text)
    for split in _SPLIT_SCRIPT:
        text = split.sub(r"\1 ", text)
    return _NUMBER_WORD.sub(lambda m: NUMBER_WORDS[m.group(0)], text)


@lru_cache(maxsize=65536)
def normalise(text: str) -> str:
    """The one normal form: simplified, case-folded, punctuation and hyphens to single spaces."""
    return " ".join(_normal_spacing(text).split())


def normalise_many(texts: list[str]) -> list[str]:
    """`normalise` of many texts in one pass over their concatenation (for building indexes)."""
    parts = _normal_spacing(f" {SEPARATOR} ".join(texts)).split(SEPARATOR)
    if len(parts) != len(texts):  # a text held the separator itself: do them one by one
        return [normalise(t) for t in texts]
    return [" ".join(part.split()) for part in parts]


def compact(text: str) -> str:
    """The normal form without spaces or dots: `flash-attn2` ~ `flashattn2`, `llava 1.5` ~ `llava1.5`."""
    return squeeze(normalise(text))


def squeeze(normal: str) -> str:
    """The compact form of an already normalised text."""
    return normal.replace(" ", "").replace(".", "")


def is_cjk(text: str) -> bool:
    return bool(_IS_CJK.search(text))


def cjk_share(text: str) -> float:
    letters = [c for c in text if c.isalpha()]
    return sum(1 for c in letters if _IS_CJK.match(c)) / len(letters) if letters else 0.0


def word_spans(normal: str) -> list[tuple[int, int, str]]:
    """(start, end, word) of each run `words` returns: where in the text each one stands."""
    return [(m.start(), m.end(), m.group(0)) for m in _WORD.finditer(normal)]


def words(normal: str) -> list[str]:
    """The runs of a normalised text: Latin words/numbers and whole CJK runs."""
    return _WORD.findall(normal)


def tokens(normal: str) -> list[str]:
    """Search tokens of a normalised text: Latin words (not stopwords) and CJK bigrams.

    A lone CJK character is kept as a unigram so one-character queries still work.
    """
    found = words(normal)
    return _tokens_of(found, [bool(_IS_CJK.match(w)) for w in found])


def _tokens_of(found: Iterable[str], cjk: Iterable[bool]) -> list[str]:
    out: list[str] = []
    for w, chinese in zip(found, cjk, strict=True):
        if chinese:
            out.extend([w] if len(w) == 1 else [w[i:i + 2] for i in range(len(w) - 1)])
        elif w not in STOPWORDS:
            out.append(w)
    return out


Script = Literal["latin", "cjk", "mixed"]


@dataclass(frozen=True)
class Normal:
    """A text in the one normal form with everything derived from it, computed once: understanding
    makes one per message (and per residual piece it searches), search takes it as it is."""

    text: str                                 # `normalise` of the text
    spans: tuple[tuple[int, int, str], ...]   # `word_spans` of it
    words: tuple[str, ...]                    # `words` of it
    tokens: tuple[str, ...]                   # `tokens` of it
    compact: str                              # `squeeze` of it
    script: Script                            # "latin" when it holds no Chinese at all

    @classmethod
    def of(cls, text: str) -> Normal:
        """The normal form of any text."""
        return cls.of_normal(normalise(text))

    @classmethod
    def of_normal(cls, normal: str) -> Normal:
        """The derived forms of a text that is already normalised."""
        spans = tuple(word_spans(normal))
        found = tuple(w for _, _, w in spans)
        cjk = [bool(_IS_CJK.match(w)) for w in found]
        script: Script = "latin" if not any(cjk) else "cjk" if all(cjk) else "mixed"
        return cls(normal, spans, found, tuple(_tokens_of(found, cjk)), squeeze(normal), script)
