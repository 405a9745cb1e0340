"""Citation counts and venues on cards, and the standing replies: escaped, in the reader's language,
saying when and where a count was read, and saying so when there is none yet."""

from __future__ import annotations

import pytest

from bot.conversation.answer import answer_text
from bot.conversation.library import Library
from bot.render.renderer import Renderer
from tests.bot.cited import cited_library
from tests.html_rules import html_problem


@pytest.fixture(scope="module")
def cited(tmp_path_factory: pytest.TempPathFactory) -> Library:
    return cited_library(tmp_path_factory.mktemp("cited"))


def reply(library: Library, text: str, lang: str) -> str:
    found = answer_text(text, library, private=True)
    assert found is not None
    [r] = Renderer(library.catalog, lang).answer(found)  # type: ignore[arg-type]
    assert html_problem(r.text) is None and len(r.text) < 4096
    return r.text


def test_a_card_shows_the_count_with_its_source_and_month_and_the_venue(cited: Library) -> None:
    doremi = cited.catalog.get("doremi")
    assert doremi is not None
    en = Renderer(cited.catalog, "en").cards.card(doremi).text
    zh = Renderer(cited.catalog, "zh").cards.card(doremi).text
    assert "📈 200 citations · Semantic Scholar, 2026-12" in en and "🏆 NeurIPS 2023" in en
    assert "📈 被引 200 次 · Semantic Scholar，2026-12" in zh and "🏆 NeurIPS 2023" in zh
    llama = cited.catalog.get("llama")
    assert llama is not None and "📈 12,000 citations" in Renderer(cited.catalog, "en").cards.card(llama).text


def test_a_card_without_a_count_or_venue_has_neither_line(library: Library) -> None:
    flash = library.catalog.get("llm-in-a-flash")
    assert flash is not None
    text = Renderer(library.catalog, "en").cards.card(flash).text
    assert "📈" not in text and "🏆" not in text


def test_the_most_cited_answer_and_its_ranking(cited: Library) -> None:
    text = reply(cited, "most cited multimodal paper", "en")
    assert text.startswith("The most cited is <b>Improved Baselines with Visual Instruction Tuning</b>: 📈 5,000 citations")
    assert "<b>Multimodal</b> by citations (Semantic Scholar, 2026-12):" in text
    assert text.index("BLIP-2") < text.index("Qwen-VL") < text.index("Kosmos-2")
    zh = reply(cited, "被引最多的论文", "zh")
    assert "按被引次数排序" in zh and "1. <b>LLaMA</b> · 📈 12,000" in zh


def test_without_counts_the_answer_says_so(library: Library) -> None:
    assert "no citation counts yet" in reply(library, "most cited papers", "en")
    assert "还没有被引次数" in reply(library, "被引最多的论文", "zh")
    assert "no citation count for <b>Medusa</b> yet" in reply(library, "How many citations does Medusa have?", "en")


def test_where_and_which_venue_replies(library: Library) -> None:
    assert reply(library, "Where was Medusa published?", "en").startswith("<b>Medusa</b> was published at ICML 2024.")
    assert "发表于 ICML 2024" in reply(library, "Medusa 发表在哪个会议", "zh")
    assert "no venue for <b>LLM in a flash</b>" in reply(library, "where was LLM in a flash published", "en")
    text = reply(library, "which papers were at NeurIPS", "en")
    assert text.startswith("Papers at <b>NeurIPS</b> (2)") and "DoReMi" in text and "Gorilla" in text
    assert "No paper in the catalog was published at <b>NeurIPS 2031</b>" in reply(library, "NeurIPS 2031 papers", "en")
