"""Order and superlatives: earliest / latest / newest / oldest / 最早 / 最新 / 最晚 / 第一篇 /
最后; "which organisation / section / month has the most papers"; "sort by date". Pure
functions over the normalised message. No I/O.
"""

from __future__ import annotations

import re
from typing import Literal

Order = Literal["earliest", "latest"]
Dimension = Literal["org", "section", "month", "year", "author", "topic"]

_EARLIEST = re.compile(r"最早|最先|最老|最旧|最古老|最开始|最初|第一篇发|"
                       r"\b(?:earliest|oldest|first (?:published|released)|least recent)\b")
_LATEST = re.compile(r"最新|最晚|最近|最迟|最后发|最后发表|最后一篇发|"
                     r"\b(?:latest|newest|most recent|last (?:published|released)|youngest|freshest)\b")
_MOST = re.compile(r"最多|数量最多|最高产|发得最多|\b(?:the most|most papers|most prolific|largest number)\b")
_FEWEST = re.compile(r"最少|\b(?:the fewest|the least|fewest)\b")
_DIMENSIONS: tuple[tuple[Dimension, re.Pattern[str]], ...] = (
    ("section", re.compile(r"板块|部分|方向|类别|分类|\b(?:sections?|categor(?:y|ies)|areas?)\b")),
    ("month", re.compile(r"哪个月|哪月|月份|几月|\b(?:months?)\b")),
    ("year", re.compile(r"哪年|哪一年|年份|\b(?:years?)\b")),
    ("author", re.compile(r"作者|谁写|\b(?:authors?|who wrote)\b")),
    ("topic", re.compile(r"主题|话题|\b(?:topics?|subjects?)\b")),
    ("org", re.compile(r"机构|公司|单位|团队|组织|大学|实验室|哪家|谁家|"
                       r"\b(?:organi[sz]ations?|orgs?|compan(?:y|ies)|labs?|institutions?|universit(?:y|ies)|groups?|teams?)\b")),
)
_SORT = re.compile(r"按(?:时间|日期|发布时间|发表时间)(?:排序|排列|顺序)?|时间顺序|从早到晚|从旧到新|"
                   r"\b(?:sort(?:ed)?\b.{0,30}\bby (?:date|time)|order(?:ed)? by date|in date order|chronological(?:ly)?|"
                   r"oldest first)\b")

WORDS = re.compile("|".join(p.pattern for p in (_EARLIEST, _LATEST, _MOST, _FEWEST, _SORT)))


def order_asked(normal: str) -> Order | None:
    """"earliest" or "latest" when the message asks for one end of a list (not both)."""
    early, late = bool(_EARLIEST.search(normal)), bool(_LATEST.search(normal))
    if early == late:
        return None
    return "earliest" if early else "latest"


def both_ends(normal: str) -> bool:
    """"最早和最晚的论文分别是几月的": the catalog's time span."""
    return bool(_EARLIEST.search(normal)) and bool(_LATEST.search(normal))


def most_asked(normal: str) -> tuple[Dimension, bool] | None:
    """(what is ranked, fewest first) for "which organisation has the most papers"; else None."""
    most, fewest = bool(_MOST.search(normal)), bool(_FEWEST.search(normal))
    if not (most or fewest):
        return None
    dimension = next((d for d, pattern in _DIMENSIONS if pattern.search(normal)), None)
    return (dimension, fewest and not most) if dimension else None


def sort_asked(normal: str) -> bool:
    """"按时间排序 / sort by date": a list, which is shown oldest first."""
    return bool(_SORT.search(normal))
