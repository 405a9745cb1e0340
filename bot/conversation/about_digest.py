"""Questions about the digest itself: which sections it has, how many papers, the time span it
covers, what it is and where it comes from ("这个合集有哪些板块", "what is this digest",
"论文的时间跨度是多久"). Pure functions over the normalised message. No I/O.
"""

from __future__ import annotations

import re

# The digest as a thing: "这个合集", "这份目录", "the digest", "this collection".
_DIGEST = re.compile(r"合集|目录|这份|这个列表|整个|收录|公众号|文章|digest|collection|catalog(?:ue)?|this list|this bot's papers")
# What is asked about it.
_SECTIONS = re.compile(r"(?:哪些|哪几个|几个|多少个?|什么|有啥)\s*(?:板块|部分|分类|类别|栏目)|板块(?:有哪些|都有什么|是什么|叫什么)|"
                       r"\b(?:what|which|how many) (?:sections|categories|parts)\b|\bsections (?:are there|does it have)\b|"
                       r"\bwhat sections\b|\blist (?:the )?sections\b")
_SPAN = re.compile(r"时间跨度|时间范围|跨度|覆盖(?:哪几年|哪些年|的时间|什么时间)|哪几年|收录到什么时候|最新收录到|到什么时候|从什么时候|"
                   r"\b(?:time span|time range|date range|which years|what years|span|cover(?:s|ed)? (?:which|what) (?:years|period))\b|"
                   r"\bhow (?:recent|far back)\b")
_WHAT = re.compile(r"(?:这个|这份|该)?(?:合集|目录|digest)(?:是什么|是啥|叫什么|是哪来的|从哪来|哪来的|出自哪|来源|介绍)|"
                   r"从哪来|哪来的|来源是|出处|"
                   r"\bwhat(?:s| is) (?:this|the) (?:digest|collection|catalog)\b|"
                   r"\b(?:digest|collection|catalog)(?:s)? (?:called|name|about|source)\b|"
                   r"\bwhere (?:is|does|do) (?:this|the|these) .{0,20}(?:from|come from)\b|\babout (?:this|the) digest\b")


def about_digest(normal: str, plain: str, titles: tuple[str, ...]) -> bool:
    """Whether a message asks about the digest itself (its sections, size, span or origin), or
    names a digest by its title with a question ("2023 AI核心论文是什么"). `plain` is the message
    simplified and case-folded, as `titles` are (the normal form has its years taken out)."""
    if any(t and t in plain for t in titles):
        return True
    if _SECTIONS.search(normal) or _WHAT.search(normal):
        return True
    return bool(_SPAN.search(normal)) and (bool(_DIGEST.search(normal)) or "论文" in normal or "paper" in normal)
