"""Phrases built from a list or a count, in the reader's language."""

from __future__ import annotations

from collections.abc import Sequence

from bot.render.locale import Lang, t


def quoted_list(labels: Sequence[str], lang: Lang, *, most: int = 5) -> str:
    """Escaped labels quoted the way each language quotes a name, the first `most` of them:
    “Agents”, “Tri Dao” and 2 more · 「智能体」、「谷歌」 等 2 个."""
    shown = [t("quoted", lang, label=label) for label in labels[:most]]
    more = len(labels) - len(shown)
    return t("list_sep", lang).join(shown) + (t("and_more", lang, n=more) if more > 0 else "")


def plural_s(count: int) -> str:
    """English's plural ending for `count` things (the Chinese strings have no {s})."""
    return "" if count == 1 else "s"
