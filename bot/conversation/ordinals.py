"""Pointing into the last reply: "第二篇", "the first one", "#3", "最后一篇", "这两篇"; typed paging
("下一页", "more", "next page"); and "他还有别的论文吗" / "their other papers" after an answer
about a paper. Pure functions over the normalised message. No I/O.
"""

from __future__ import annotations

import re

LAST = -1   # the ordinal of "the last one"
ALL = 0     # "这两篇 / both / 这几篇": every paper shown
ALL_MAX = 4  # ...of a list this short (a comparison's worth)

_ZH_DIGITS = {"一": 1, "二": 2, "两": 2, "俩": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_EN_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
                "eighth": 8, "ninth": 9, "tenth": 10, "1st": 1, "2nd": 2, "3rd": 3}
_EN_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10}

_ZH = re.compile(r"第\s*(十[一二三四五六七八九]|[一二两三四五六七八九十]|\d{1,3})\s*(?:篇|个|项|条|名|本|份)?"
                 r"(?!\s*(?:季|次|版|代|阶段|届|期|周|天|年|月|轮|半|作者|单位))")
_ZH_LAST = re.compile(r"最后(?:一|1)?\s*(?:篇|个|项|条)|倒数第\s*(?:一|1)\s*(?:篇|个)?|末尾那篇")
_ZH_ALL = re.compile(r"这(?:两|俩|几|些)\s*(?:篇|个)|它们俩|两篇都")
_EN = re.compile(r"\b(?:the\s+)?(first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|1st|2nd|3rd|\d{1,3}th)"
                 r"\s+(?:(?:(?!half\b|quarter\b|month\b)[\w-]+\s+){0,2}(?:paper|entry|item|result)s?|one|1)\b")
_EN_NUMBER = re.compile(r"(?:#|\bno\.?\s*|\bnumber\s+|\bnum\s+)(\d{1,3})\b|\b(?:paper|item|entry)\s+(\d{1,3})\b")
_EN_LAST = re.compile(r"\b(?:the\s+)?last\s+(?:(?:(?!half\b|quarter\b|month\b|year\b|week\b)[\w-]+\s+){0,2}"
                      r"(?:paper|entry|item)s?|one|1)\b")
_EN_ALL = re.compile(r"\b(?:both(?: of them)?|these two|those two|all of them|each of them)\b")

_NEXT = re.compile(r"^\s*(?:下一页|下页|后一页|翻页|往后翻|继续|更多|还有吗|还有呢|再来(?:点|一些|几篇)?|"
                   r"(?:show\s+)?more(?:\s+please)?|next(?:\s+page)?(?:\s+please)?|(?:the\s+)?rest|continue|"
                   r"show (?:me )?the next (?:page|ones)|keep going)\s*[?？!！。.]*\s*$")
_PREVIOUS = re.compile(r"^\s*(?:上一页|上页|前一页|往前翻|返回上一页|previous(?:\s+page)?|prev(?:\s+page)?|"
                       r"back|go back|last page)\s*[?？!！。.]*\s*$")

# "他还有别的论文吗", "他们还有其他论文吗", "any other papers by them?", "what else did they write?"
_OTHERS = re.compile(r"(?:他|她|他们|她们|作者|这些人|同一批人|这个团队|这帮人).{0,6}"
                     r"(?:别的|其他|其它|另外的|还有哪些|还写了|还发了|还做了)|"
                     r"(?:还有|还写了?|还发了?)(?:别的|其他|其它).{0,4}(?:论文|文章|工作)|"
                     r"\b(?:other|more)\s+(?:papers|works?|ones)\s+(?:by|from|of)\s+"
                     r"(?:them|him|her|the(?:se|ir)? authors?|the same authors?)\b|"
                     r"\btheir\s+other\s+(?:papers|works?)\b|\bwhat else (?:did|have|has) (?:they|he|she|the authors?)\b|"
                     r"\b(?:they|he|she) (?:also )?(?:wrote|write|written|published) (?:anything|something) else\b|"
                     r"\banything else (?:by|from) (?:them|him|her)\b")

# The words these cues are made of: taken out of the residual, which is searched for names.
WORDS = re.compile("|".join(p.pattern for p in (_ZH, _ZH_LAST, _ZH_ALL, _EN, _EN_NUMBER, _EN_LAST, _EN_ALL)))


def ordinal(normal: str) -> int | None:
    """Which paper of the last list a message points at: 1-based, LAST, ALL, or None."""
    if _ZH_ALL.search(normal) or _EN_ALL.search(normal):
        return ALL
    if _ZH_LAST.search(normal) or _EN_LAST.search(normal):
        return LAST
    if m := _ZH.search(normal):
        word = m.group(1)
        return int(word) if word.isdigit() else (10 + _ZH_DIGITS[word[1]] if len(word) == 2 else _ZH_DIGITS[word])
    if m := _EN.search(normal):
        word = m.group(1)
        return _EN_ORDINALS.get(word) or int(word[:-2])
    if m := _EN_NUMBER.search(normal):
        return int(m.group(1) or m.group(2))
    return None


_EN_WORD = r"(first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|last)"
_EN_PAIR = re.compile(rf"\b{_EN_WORD}(?:\s+one)?\s+(?:and|vs|versus|with|to|or)\s+(?:the\s+)?{_EN_WORD}\b")


def several(plain: str) -> list[int]:
    """Every place a message points at, in order, for a comparison: "第一篇和第三篇有什么区别",
    "compare the first and the last one", "#1 vs #3" (LAST for the last one)."""
    if m := _EN_PAIR.search(plain):
        return [LAST if w == "last" else _EN_ORDINALS[w] for w in m.groups()]
    found = [(m.start(), ordinal(m.group(0))) for pattern in (_ZH, _ZH_LAST, _EN_NUMBER) for m in pattern.finditer(plain)]
    return [n for _, n in sorted(found) if n is not None]


def page_step(normal: str) -> int:
    """+1 for a typed "next page / 下一页 / more", -1 for "previous page / 上一页", else 0."""
    if _NEXT.match(normal):
        return 1
    return -1 if _PREVIOUS.match(normal) else 0


def asks_for_others(normal: str) -> bool:
    """"他还有别的论文吗" / "their other papers": the other papers of the authors just shown."""
    return bool(_OTHERS.search(normal))
