"""Chinese cards are as short as English ones, labelled for what their buttons do."""

from __future__ import annotations

import re
import unicodedata

from bot.catalog.catalog import Catalog
from bot.render.locale import t
from bot.render.renderer import Renderer
from bot.render.summary import ZH_SUMMARY_CHARS, sentences, summary_sentence


def width(text: str) -> int:
    """Columns on a screen: a CJK character takes two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in re.sub(r"<[^>]+>", "", text))


def summary_of(card: str) -> str:
    return card.split("\n\n")[1].split("\n")[0]


def test_a_chinese_card_carries_one_sentence_not_the_abstract(catalog: Catalog) -> None:
    zh, en = Renderer(catalog, "zh"), Renderer(catalog, "en")
    for paper in catalog:
        card = zh.cards.card(paper).text
        if not paper.abstract_zh:
            continue
        summary = summary_of(card)
        assert len(sentences(summary)) == 1 and len(summary) <= ZH_SUMMARY_CHARS, (paper.id, summary)
        assert width(summary) <= 2 * ZH_SUMMARY_CHARS
        assert width(card) <= width(en.cards.card(paper).text) + 40, paper.id   # no wall of text
        expanded = zh.cards.card(paper, expanded=True).text
        assert len(expanded) > len(card) + 100            # the abstract is behind its button


def test_the_summary_sentence_says_what_the_paper_does() -> None:
    abstract = "近年来，大型语言模型进步很快。在本文中，我们提出了 Medusa，一种加速推理的方法。实验表明它有效。"
    assert summary_sentence(abstract, "Medusa") == "在本文中，我们提出了 Medusa，一种加速推理的方法。"
    assert summary_sentence("背景一句。我们提出一种新方法。", "X") == "我们提出一种新方法。"
    assert summary_sentence("只有一句背景", "X") == "只有一句背景"
    assert len(summary_sentence("很长" * 200 + "。", "X")) == ZH_SUMMARY_CHARS
    assert summary_sentence("", "X") == ""


def test_the_similar_button_says_similar_in_both_languages(catalog: Catalog) -> None:
    medusa = catalog.get("medusa")
    assert medusa is not None
    for lang in ("zh", "en"):
        [first, *_] = Renderer(catalog, lang).cards.card(medusa).buttons  # type: ignore[arg-type]
        [similar] = [b for b in first if b.data and b.data.startswith("sim:")]
        assert similar.text == t("btn_similar", lang)  # type: ignore[arg-type]
    assert "板块" not in t("btn_similar", "zh") and "相似" in t("btn_similar", "zh")   # not "same section"
