"""The parts of a list's title that say its topic, its range of months, whether it has code,
and what it leaves out ("话题：投机解码 · 不含 谷歌")."""

from __future__ import annotations

from bot.catalog.schema import Topic
from bot.conversation.ranges import Period
from bot.conversation.understand import ListFilter
from bot.render.kit import Kit
from bot.render.locale import Lang, t


def topic_name(topic: Topic | None, topic_id: str, lang: Lang) -> str:
    return (topic.zh if lang == "zh" else topic.en) if topic else topic_id


def period_label(period: Period, lang: Lang) -> str:
    """"2023-06 之前" / "before 2023-06", "2023-10 起" / "since 2023-10", "2023-07 – 2023-09"."""
    if period.first and period.last:
        return f"{period.first} – {period.last}"
    if period.last:
        return t("period_until", lang, month=period.last)
    return t("period_since", lang, month=period.first or "")


def title_parts(wanted: ListFilter, kit: Kit, topics: dict[str, Topic]) -> list[str]:
    """What a list's title says beyond section, organisation, author and month."""
    lang, catalog = kit.lang, kit.catalog
    parts = []
    if wanted.topic:
        parts.append(t("topic_label", lang, name=topic_name(topics.get(wanted.topic), wanted.topic, lang)))
    if wanted.period:
        parts.append(period_label(wanted.period, lang))
    if wanted.code is not None:
        parts.append(t("with_code" if wanted.code else "without_code", lang))
    names = []
    for key in wanted.without:
        kind, _, value = key.partition(".")
        if kind == "o":
            org = catalog.org_by_id.get(value)
            names.append(org.name(lang) if org else value)
        elif kind == "s":
            section = catalog.section_by_id.get(value)
            names.append((section.zh if lang == "zh" else section.en) if section else value)
        elif kind == "g":
            names.append(topic_name(topics.get(value), value, lang))
        elif kind == "a":
            names.append(catalog.authors.get(value, value))
        elif kind == "p":
            paper = catalog.get(value)
            names.append(paper.short_name if paper else value)
        elif (period := Period.from_key(value)) is not None:
            names.append(period_label(period, lang) if period.first != period.last or not period.first
                         else period.first)
    if names:
        parts.append(t("without", lang, names=("、" if lang == "zh" else ", ").join(names)))
    return parts
