"""Exclusions: "除了 Meta 以外的基座模型", "multimodal papers not from Microsoft", "没有开源代码".

A filter keeps what a message names and subtracts what it names after (or before) a word of
exclusion: 除了 / 以外 / 之外 / 除外 / 不是 / 非 / 没有 / not / except / other than / excluding /
without. `excluding` reads which of a message's entities are subtracted; follows with exclusions
reuse it. The subtracted entities travel as short keys ("o.meta", "s.agent", "p.gemini",
"g.rlhf", "r.2023-07~2023-07"), callback-safe. No I/O.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.catalog.catalog import Catalog, Selection, author_key
from bot.catalog.schema import Paper
from bot.conversation.ranges import Period

# What each kind of key subtracts: organisation, section, topic, author, paper, months.
KINDS = ("o", "s", "g", "a", "p", "r")

# A word of exclusion right before an entity ("除了 Meta", "not from google", "非谷歌的")...
_BEFORE = re.compile(r"(?:除了|除去|除开|排除|除|(?<![是有])不是|(?<!有)没有|不含|不包括|不要|非|"
                     r"\b(?:not(?: (?:from|by|in|of|about|on))?|except(?: for)?|other than|excluding|exclude|"
                     r"without|apart from|aside from|besides|but not|minus|non)(?: the| any)?)\s*$")
# ...or right after one ("CogAgent除外", "Meta 以外的", "清华和谷歌之外").
_AFTER = re.compile(r"^\s*(?:除外|以外|之外|外的|不算|不要|\bexcluded\b)")
# What may stand between two entities of one exclusion ("清华和谷歌", "google or microsoft").
_JOINED = re.compile(r"^\s*(?:和|与|跟|及|或|、|,|，|/|\bor\b|\band\b|\bnor\b)?\s*(?:the\s*)?$")
# Papers without a code link: "没有开源代码", "无代码", "without code", "no code".
_NO_CODE = re.compile(r"(?:(?<!有)没有|没|无|未|不)\s*(?:公开|放出|发布)?\s*(?:开源|代码|源码)|"
                      r"\b(?:without|no|lacking|missing)\s+(?:open[- ]?source\s+|public\s+|released\s+)?(?:code|repos?|implementation)\b|"
                      r"\bnot\s+open[- ]?sourced?\b|\bclosed[- ]source\b")
_WITH_CODE = re.compile(r"(?:有|带|附|开源了|公开了)\s*(?:开源)?\s*(?:代码|源码)|开源的|"
                        r"\b(?:with|has|have|having)\s+(?:open[- ]?source\s+|public\s+)?(?:code|repos?)\b|\bopen[- ]?sourced\b")

# The words of exclusion, taken out of the residual that is searched for names.
WORDS = re.compile(r"除了|除去|除开|排除|除外|以外|之外|不是|不含|不包括|非|"
                   r"\b(?:not|except|other than|excluding|exclude|without|apart from|aside from|besides|minus|non)\b|"
                   + _NO_CODE.pattern + "|" + _WITH_CODE.pattern)


def excluding(normal: str, spans: Sequence[tuple[int, int]]) -> list[bool]:
    """For each entity span of the (normalised) message, in order: whether it is subtracted.

    A span is subtracted when a word of exclusion stands right before it, or right after it,
    or when it is joined ("和", "or") to a subtracted neighbour: "除了清华和谷歌之外的agent" drops
    清华 and 谷歌 and keeps agent.
    """
    out = []
    for n, (start, end) in enumerate(spans):
        before = normal[spans[n - 1][1] if n else 0:start]
        out.append(bool(_BEFORE.search(before)) or bool(_AFTER.match(normal[end:])))
        if n and out[n - 1] and _JOINED.match(before):
            out[n] = True
    for n in range(len(spans) - 2, -1, -1):   # "清华和谷歌之外": the closing word reaches back
        if out[n + 1] and not out[n] and _JOINED.match(normal[spans[n][1]:spans[n + 1][0]]) \
                and _AFTER.match(normal[spans[n + 1][1]:]):
            out[n] = True
    return out


def time_excluded(plain: str, start: int, end: int) -> bool:
    """Whether a time written at plain[start:end] is subtracted ("不是2023年", "除了2023年7月的")."""
    return bool(_BEFORE.search(plain[max(0, start - 12):start])) or bool(_AFTER.match(plain[end:]))


def code_wanted(normal: str) -> bool | None:
    """False for "papers without code / 没有开源代码", True for "with code / 开源了代码", else None."""
    if _NO_CODE.search(normal):
        return False
    return True if _WITH_CODE.search(normal) else None


def valid(key: str) -> bool:
    kind, sep, value = key.partition(".")
    return bool(sep) and kind in KINDS and bool(value) and (kind != "r" or Period.from_key(value) is not None)


def excluded(keys: Sequence[str], catalog: Catalog) -> Selection:
    """The papers any of these keys names (what a filter subtracts)."""
    found: set[int] = set()
    for key in keys:
        kind, _, value = key.partition(".")
        found.update(_named(kind, value, catalog).positions)
    return Selection(catalog.papers, sorted(found))


def _named(kind: str, value: str, catalog: Catalog) -> Selection:
    if kind == "o":
        return catalog.by_org(value)
    if kind == "s":
        return catalog.in_section(value)
    if kind == "g":
        return catalog.tagged(value)
    if kind == "a":
        return catalog.by_author(value)
    if kind == "p":
        return Selection(catalog.papers, [catalog.position(value)] if catalog.get(value) is not None else [])
    period = Period.from_key(value)
    return catalog.between(period.first, period.last) if period else Selection(catalog.papers, [])


def narrowing(topic: str | None, code: bool | None, period: Period | None, catalog: Catalog) -> list[Selection]:
    """The selections a filter's topic, code and period parts keep (ANDed with its others)."""
    groups = []
    if topic:
        groups.append(catalog.tagged(topic))
    if code is not None:
        groups.append(catalog.with_code(code))
    if period:
        groups.append(catalog.between(period.first, period.last))
    return groups


def names(key: str, paper: Paper) -> bool:
    """Whether one key subtracts this paper: a follow's exclusions, read for a paper the
    catalog may not hold yet (a new one being pushed)."""
    kind, _, value = key.partition(".")
    if kind == "o":
        return value in paper.orgs
    if kind == "s":
        return paper.section == value
    if kind == "g":
        return value in paper.topics
    if kind == "a":
        return any(author_key(a) == value for a in paper.named_authors)
    if kind == "p":
        return paper.id == value
    period = Period.from_key(value) if kind == "r" else None
    return period is not None and period.holds(str(paper.date))
