"""The thing asked for (#20): a BibTeX entry or the whole abstract in any wording, as a follow-up
or by ordinal; one answer per paper when several are named; Traditional Chinese words."""

from __future__ import annotations

import pytest

from bot.conversation.answer import Answer, CountAnswer, KeywordAnswer, PaperAnswer, answer_text, next_context
from bot.conversation.asked import SeveralAnswer
from bot.conversation.library import Library
from bot.conversation.standing import CitedAnswer
from bot.conversation.understand import ChatContext


def play(library: Library, *texts: str) -> Answer | None:
    """Each message in the same chat; the answer to the last."""
    context, found = ChatContext(), None
    for text in texts:
        found = answer_text(text, library, context, private=True)
        context = next_context(context, found, library.catalog)
    return found


@pytest.mark.parametrize(
    ("text", "paper_id"),
    [
        ("medusa 的 bibtex", "medusa"),
        ("怎么引用llama2啊", "llama-2"),
        ("cite gptq", "gptq"),
        ("FlashAttention-2 引用格式", "flashattention-2"),
        ("bibtex for mixtral pls", "mixtral"),
        ("给我qwen-vl的bib", "qwen-vl"),
        ("citation for the doremi paper?", "doremi"),
        ("引用 kosmos2", "kosmos-2"),
        ("how do i cite llava 1.5", "llava-1-5"),
        ("toolllm 引文格式", "toolllm"),
        ("投机解码那篇怎么引", "speculative-decoding"),
        ("bibtx gptq", "gptq"),  # a slip of the keyboard
        ("citaion for medusa", "medusa"),
        ("BLIP2 bibtex 谢谢", "blip-2"),  # a thank-you after the name does not make it small talk
        ("Mixtral 的引用格式", "mixtral"),  # Traditional script, the same words
        ("LLaVA-1.5 的 BibTeX 引用", "llava-1-5"),
    ],
)
def test_a_bibtex_request_gets_the_entry(library: Library, text: str, paper_id: str) -> None:
    assert answer_text(text, library, private=True) == PaperAnswer(library.catalog.get(paper_id), "bibtex")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text", ["Medusa 被引多少次", "被引最多的论文", "most cited paper", "medusa citations", "how many citations does gptq have"]
)
def test_a_citation_count_question_is_no_bibtex_request(library: Library, text: str) -> None:
    found = answer_text(text, library, private=True)
    assert not (isinstance(found, PaperAnswer) and found.focus == "bibtex"), found
    assert isinstance(found, CitedAnswer | PaperAnswer)


@pytest.mark.parametrize(
    ("text", "paper_id"),
    [
        ("doremi 的摘要", "doremi"),
        ("FlashAttention-2 原文摘要发一下", "flashattention-2"),
        ("mixtral摘要全文", "mixtral"),
        ("tasklama 的abstract给我看看", "tasklama"),
        ("gorila 摘要", "gorilla"),  # a typo in the name
        ("推测解码那篇的摘要", "speculative-decoding"),
        ("medusa full abstract pls", "medusa"),
        ("abstract of gptq", "gptq"),
        ("speculative decoding paper abstract", "speculative-decoding"),
        ("show me the abstract of SpecInfer", "specinfer"),
        ("kosmos-2 abstarct", "kosmos-2"),
        ("Kosmos-2 的摘要", "kosmos-2"),
    ],
)
def test_an_abstract_request_gets_the_abstract(library: Library, text: str, paper_id: str) -> None:
    assert answer_text(text, library, private=True) == PaperAnswer(library.catalog.get(paper_id), "abstract")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("turns", "paper_id", "focus"),
    [
        (("/paper gptq", "它的bibtex"), "gptq", "bibtex"),
        (("llava 1.5", "cite it"), "llava-1-5", "bibtex"),
        (("medusa", "abstract please"), "medusa", "abstract"),
        (("specinfer", "摘要", "再给我它的引用"), "specinfer", "bibtex"),
        (("Meta 的论文", "第三篇的 bibtex"), "code-llama", "bibtex"),  # oldest first: LLaMA, Llama 2, Code Llama
        (("对齐方向的论文", "第三篇的摘要"), "remax", "abstract"),
        (("端侧论文", "最后一篇的摘要"), "medusa", "abstract"),
        (("/list multimodal", "#2 abstract"), "kosmos-2", "abstract"),
    ],
)
def test_a_follow_up_asks_for_the_paper_just_shown(library: Library, turns: tuple[str, ...], paper_id: str, focus: str) -> None:
    turns = tuple(t.removeprefix("/paper ").removeprefix("/list ") for t in turns)
    assert play(library, *turns) == PaperAnswer(library.catalog.get(paper_id), focus)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "ids", "focus"),
    [
        ("kosmos-2 cogagent qwen-vl 分别是谁家的", ["kosmos-2", "cogagent", "qwen-vl"], "who"),
        ("Medusa、GPTQ、SpecInfer 分别是谁家的", ["medusa", "gptq", "specinfer"], "who"),
        ("when were medusa and specinfer published", ["medusa", "specinfer"], "when"),
        ("when were BLIP-2 and Kosmos-2 published", ["blip-2", "kosmos-2"], "when"),
        ("doremi跟flm-101b都是什么时候发的", ["doremi", "flm-101b"], "when"),
        ("remax and fiat, who made them?", ["remax", "fiat"], "who"),
        ("toolllm 和 gorilla 的代码地址", ["toolllm", "gorilla"], "code"),
        ("llama, llama 2 的 arxiv 编号", ["llama", "llama-2"], "links"),
        ("release months of toolllm, gorilla and cogagent?", ["toolllm", "gorilla", "cogagent"], "when"),
        ("who published TaskLAMA, ReMax and Tool Learning", ["tasklama", "remax", "tool-learning"], "who"),
        ("medusa 和 gptq 的 bibtex", ["medusa", "gptq"], "bibtex"),
    ],
)
def test_several_papers_get_one_answer_each_in_the_order_named(library: Library, text: str, ids: list[str], focus: str) -> None:
    found = answer_text(text, library, private=True)
    assert isinstance(found, SeveralAnswer), found
    assert [p.id for p in found.papers] == ids and found.focus == focus


def test_both_papers_of_a_two_paper_list(library: Library) -> None:
    found = play(library, "2024年的论文", "这两篇分别是谁家的")
    assert isinstance(found, SeveralAnswer) and found.focus == "who"
    assert {p.id for p in found.papers} == {"mixtral", "medusa"}
    assert play(library, "kosmos-2 和 qwen-vl 是哪家的", "第二篇的bibtex") == PaperAnswer(library.catalog.get("qwen-vl"), "bibtex")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "paper_id", "focus"),
    [
        ("給我 GPTQ 的程式碼", "gptq", "code"),
        ("Medusa 原始程式碼", "medusa", "code"),
        ("GPTQ 的作者是誰", "gptq", "who"),
        ("Gemini 是哪家公司發表的", "gemini", "who"),
        ("ReMax 是哪間學校的", "remax", "who"),
        ("Qwen-VL 什麼時候發表的", "qwen-vl", "when"),
        ("FlashAttention-2 的論文連結", "flashattention-2", "links"),
        ("Kosmos-2 的摘要", "kosmos-2", "abstract"),
        ("Mixtral 的引用格式", "mixtral", "bibtex"),
    ],
)
def test_traditional_chinese_words_mean_what_simplified_ones_do(library: Library, text: str, paper_id: str, focus: str) -> None:
    assert answer_text(text, library, private=True) == PaperAnswer(library.catalog.get(paper_id), focus)  # type: ignore[arg-type]


@pytest.mark.parametrize("text", ["請給我論文壓縮檔", "給我論文壓縮檔", "全部論文打包下載"])
def test_the_bundle_in_traditional_words(library: Library, text: str) -> None:
    found = answer_text(text, library, private=True)
    assert isinstance(found, KeywordAnswer) and any(item.bundle for item in found.rule.replies), found


def test_a_count_in_traditional_words(library: Library) -> None:
    found = answer_text("對齊板塊有幾篇", library, private=True)
    assert isinstance(found, CountAnswer) and found.count == 3
