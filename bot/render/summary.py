"""The one sentence of a Chinese abstract that says what the paper does, for a short card.

Chinese abstracts often open with the field's background ("近年来，大型语言模型…"); the sentence
that names the paper or says "we propose" is the summary a reader wants under the title."""

from __future__ import annotations

import re

from bot.render.html import clip

ZH_SUMMARY_CHARS = 110   # a CJK character is two columns wide: about the width of the English summary
_SENTENCE_END = re.compile(r"(?<=[。！？；])|(?<=[.!?;])\s+")
_SAYS_WHAT = re.compile(r"我们(?:提出|介绍|引入|发布|开发|推出|展示|设计|构建)|本(?:文|报告)(?:提出|介绍)|在本文中|这项工作")


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text.replace("\n", " ")) if s and s.strip()]


def summary_sentence(abstract: str, name: str, limit: int = ZH_SUMMARY_CHARS) -> str:
    """The first sentence naming the paper or saying what it does, else the first one; clipped."""
    found = sentences(abstract)
    if not found:
        return ""
    key = name.casefold()
    best = next((s for s in found if key and key in s.casefold()), None) \
        or next((s for s in found if _SAYS_WHAT.search(s)), found[0])
    return clip(best, limit)
