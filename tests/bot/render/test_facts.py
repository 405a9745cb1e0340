"""A fact is one line quoting the paper, its figure in bold and its source named, then the card; a
name the catalog lacks is said to be absent, with the papers that mention it as buttons, never a card."""

from __future__ import annotations

from bot.conversation.absent import Absent
from bot.conversation.answer import answer_text
from bot.conversation.facts import FactAnswer
from bot.conversation.library import Library
from bot.render.facts import marked
from bot.render.locale import Lang
from bot.render.renderer import Renderer
from bot.render.reply import Reply
from bot.search.sentences import Quote
from tests.html_rules import html_problem


def replies(library: Library, text: str, lang: Lang) -> list[Reply]:
    found = answer_text(text, library, private=True)
    assert found is not None
    shown = Renderer(library.catalog, lang).answer(found)
    for r in shown:
        assert html_problem(r.text) is None and len(r.text) < 4096
        assert all(len(b.data.encode()) <= 64 for row in r.buttons for b in row if b.data)
    return shown


def test_the_quote_comes_first_with_its_figure_bold_then_the_card(library: Library) -> None:
    [r] = replies(library, "medusa-1 能加速多少倍", "zh")
    line, card = r.text.split("\n\n", 1)
    assert line.startswith("📌 <b>Medusa</b>（摘要）：“") and "<b>2.2 倍</b>" in line
    assert card.startswith('<b><a href="https://arxiv.org/abs/2401.10774">')


def test_an_english_reader_hears_where_an_answer_in_chinese_comes_from(library: Library) -> None:
    [r] = replies(library, "what context length was mixtral trained with", "en")
    assert r.text.startswith("📌 From <b>Mixtral of Experts</b>'s ") and "<b>32k" in r.text.split("\n\n", 1)[0]
    found = answer_text("what context length was mixtral trained with", library, private=True)
    assert isinstance(found, FactAnswer)
    quote = found.quote("en")
    assert quote is not None
    source = "Chinese abstract" if quote.lang == "zh" else "abstract"  # English once the catalog has it
    assert f"'s {source}: “" in r.text


def test_what_the_text_does_not_say_is_said_then_the_card(library: Library) -> None:
    [zh] = replies(library, "gemini ultra 有多少参数", "zh")
    [en] = replies(library, "How many GPUs were used to train Llama 2?", "en")
    assert zh.text.startswith("📌 <b>Gemini</b> 的摘要和简介里没有提到这一点。") and "arxiv.org/abs/2312.11805" in zh.text
    assert en.text.startswith("📌 The abstract of <b>Llama 2</b> does not say") and "arxiv.org/abs/2307.09288" in en.text


def test_which_paper_released_prm800k_is_answered_in_one_line_before_the_card(library: Library) -> None:
    [r] = replies(library, "which paper released PRM800K", "en")
    line, card = r.text.split("\n\n", 1)
    assert line.startswith("📌 From <b>Let's Verify Step by Step</b>'s ") and "<b>PRM800K</b>" in line
    assert card.startswith('<b><a href="https://arxiv.org/abs/2305.20050">')


def test_a_quote_is_escaped_and_only_its_figures_are_bold() -> None:
    quote = Quote("a <b> & 2.2x faster", ((8, 12),), "summary", "en", 1.0)
    assert marked(quote) == "a &lt;b&gt; &amp; <b>2.2x</b> faster"


def test_an_absent_name_is_said_plainly_with_the_papers_that_mention_it(library: Library) -> None:
    [zh] = replies(library, "GPT-4 的论文在不在", "zh")
    assert zh.text.startswith("「GPT-4」不在这个目录里。") and "arxiv.org" not in zh.text and "<a href" not in zh.text
    assert [b.data for row in zh.buttons for b in row] == ["pick:gorilla|zh"]
    [en] = replies(library, "do you have toolformer", "en")
    assert en.text.startswith("“toolformer” is not in this catalog.") and "/list" in en.text and not en.buttons


def test_an_absent_name_is_escaped() -> None:
    from bot.catalog.catalog import Catalog

    catalog = Catalog((), (), ())
    [r] = Renderer(catalog, "en").answer(Absent("<b>X&Y</b>"))
    assert r.text.startswith("“&lt;b&gt;X&amp;Y&lt;/b&gt;” is not in this catalog.")


def test_several_papers_get_one_quoted_line_each_and_their_cards_behind_buttons(library: Library) -> None:
    [r] = replies(library, "cogagent 和 llava-1.5 的模型各多大", "zh")
    first, second = r.text.split("\n\n")
    assert first.startswith("📌 <b>CogAgent</b>") and "<b>180 亿参数</b>" in first
    assert "<b>13B</b>" in second and "arxiv.org/abs" not in r.text
    assert [b.data for row in r.buttons for b in row] == ["pick:cogagent|zh", "pick:llava-1-5|zh"]
