"""The parts of a list's title that say its topic, its range of months, whether it has code,
and what it leaves out ("话题：投机解码 · 不含 谷歌"); and the note under a time filter's list
about papers arXiv dates otherwise."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from bot.conversation.ranges import Period
from bot.conversation.understand import ListFilter
from bot.render.kit import Kit
from bot.render.locale import Lang, t


def period_label(period: Period, lang: Lang) -> str:
    """"2023-06 之前" / "before 2023-06", "2023-10 起" / "since 2023-10", "2023-07 – 2023-09"."""
    if period.first and period.last:
        return f"{period.first} – {period.last}"
    if period.last:
        return t("period_until", lang, month=period.last)
    return t("period_since", lang, month=period.first or "")


def title_parts(wanted: ListFilter, kit: Kit) -> list[str]:
    """What a list's title says beyond section, organisation, author and month."""
    lang = kit.lang
    parts = []
    if wanted.topic:
        parts.append(t("topic_label", lang, name=kit.named("g", wanted.topic)))
    if wanted.period:
        parts.append(period_label(wanted.period, lang))
    if wanted.code is not None:
        parts.append(t("with_code" if wanted.code else "without_code", lang))
    names = []
    for key in wanted.without:
        kind, _, value = key.partition(".")
        period = Period.from_key(value) if kind == "r" else None
        if period is None:
            names.append(kit.named(kind, value))
        else:
            names.append(period.first if period.first and period.first == period.last else period_label(period, lang))
    if names:
        parts.append(t("without", lang, names=("、" if lang == "zh" else ", ").join(names)))
    return parts

NOTED = 5   # an arXiv note names at most this many papers


def arxiv_note(wanted: ListFilter, kit: Kit) -> str:
    """For a time filter: the papers it leaves out although arXiv first posted them in that time
    ("GPTQ: card 2023-03, arXiv 2022-10"), since every filter reads the card's date."""
    months = _months(wanted)
    if months is None:
        return ""
    rest = replace(wanted, when=None, period=None)
    posted = kit.catalog.posted_between(*months).array()
    if not rest.empty:
        posted = posted[_among(posted, rest.papers(kit.catalog).array())]
    if not len(posted):
        return ""
    unlisted = posted[~_among(posted, wanted.papers(kit.catalog).array())]
    shown = [kit.catalog.papers[int(i)] for i in unlisted[:NOTED]]
    if not shown:
        return ""
    sep = "；" if kit.lang == "zh" else "; "
    papers = sep.join(t("arxiv_dated", kit.lang, name=kit.name(p), date=p.date, arxiv=p.arxiv_date) for p in shown)
    return t("arxiv_note", kit.lang, papers=papers)


def _among(positions: np.ndarray, selected: np.ndarray) -> np.ndarray:
    """Which of `positions` a filter's selection holds (its positions ascend, in catalog order):
    a binary search each, not a set of the 100,000 papers "not by Meta" leaves."""
    at = np.searchsorted(selected, positions)
    return (at < len(selected)) & (selected[np.minimum(at, len(selected) - 1)] == positions) if len(selected) \
        else np.zeros(len(positions), dtype=bool)


def _months(wanted: ListFilter) -> tuple[str | None, str | None] | None:
    if wanted.period is not None:
        return wanted.period.first, wanted.period.last
    if wanted.when is not None and wanted.when.year is not None:
        y = wanted.when.year
        return f"{y:04d}-{wanted.when.first:02d}", f"{y:04d}-{wanted.when.last:02d}"
    return None
