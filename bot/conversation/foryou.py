"""Asking for recommendations in words: "推荐几篇", "recommend me something", "what should I
read next", also typed with a slip ("recomend me somthing", "waht shuold i read next").

Only a message that is nothing but such a request is one: "recommend papers like Medusa" or
"推荐几篇多模态的论文" name what they want, and understanding answers them as it always did.
No I/O: the handler reads the reader's saves and asks `bot.search.likeness` for the ranking.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz.distance import OSA
from rapidfuzz.process import extractOne

from bot.text import is_cjk, normalise


@dataclass(frozen=True)
class ForYouAnswer:
    """Recommendations from the reader's saves (the handler fills them in from the store)."""

    page: int = 0


# The words of an English request, to which a word typed with a slip is mended.
_WORDS = (
    "recommend",
    "recommendation",
    "recommendations",
    "recommended",
    "suggest",
    "suggestion",
    "suggestions",
    "something",
    "anything",
    "should",
    "read",
    "next",
    "what",
    "papers",
    "paper",
    "please",
    "some",
    "good",
)
_EN = re.compile(
    r"(?:please |pls |can you |could you |would you |hey |ok )*"
    r"(?:(?:recommend|suggest)(?: me| us)?(?: some| something| anything| a| one| a few| few| more| another| some more)?"
    r"(?: good| new)?(?: paper| papers| reading| to read| reads)?(?: to read| for me| please| next)*"
    r"|(?:any |some |your |give me |show me )*(?:recommendations?|suggestions?|recommended papers?)(?: for me| please)*"
    r"|what (?:should|shall|do|could|can) i read(?: next| now| today)?(?: please)?"
    r"|what (?:paper |papers )?(?:to read|should i read)(?: next)?"
    r"|(?:papers? )?for you|foryou|papers? for me)"
)
_ZH = re.compile(
    r"(?:请|请你|麻烦|可以|能不能|能否)?(?:给我|帮我|为我|给|替我)?(?:再|多)?(?:推荐|荐)(?:一下|几篇|一篇|两篇|三篇|点|些|一些|几个|下)?"
    r"(?:好的|好|新的|值得读的|值得看的)?(?:论文|文章|paper)?(?:吧|呢|吗|呀|啊|嘛|给我)*"
    r"|(?:有)?(?:什么|啥|哪些)(?:论文|文章)?(?:推荐|可以推荐|值得推荐)(?:的)?(?:论文|文章)?(?:吗|吧|呢)*"
    r"|(?:我)?(?:接下来|下一篇|下一步|然后|现在|今天)?(?:该|应该|可以)?(?:读|看)(?:什么|啥|哪篇|哪些)(?:论文|文章)?(?:好|呢|吧)*"
    r"|为你推荐|猜你喜欢|给我推荐"
)


def _mended(word: str) -> str:
    """The request word a longer word was meant to be (one slip in 4-6 letters, two beyond)."""
    if len(word) < 4 or word in _WORDS:
        return word
    found = extractOne(word, _WORDS, scorer=OSA.distance, score_cutoff=1 if len(word) <= 6 else 2)
    return found[0] if found else word


def asks_for_you(text: str) -> bool:
    """Whether the message, as a whole, asks for recommendations."""
    normal = normalise(text)
    if not normal or len(normal) > 80:
        return False
    if any(is_cjk(ch) for ch in normal):
        return bool(_ZH.fullmatch(normal.replace(" ", "")))
    return bool(_EN.fullmatch(" ".join(_mended(w) for w in normal.split())))
