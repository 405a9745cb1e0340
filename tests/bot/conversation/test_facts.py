"""Facts quoted from a paper's own text ("medusa 能加速多少倍", "how long does llava-1.5 take to
train"): the sentence that answers, its figure marked, from the paper asked about; or "the text
does not say". Never a number the text does not hold, never another paper's sentence."""

from __future__ import annotations

import re

import pytest

from bot.catalog.schema import Paper
from bot.conversation.answer import CountAnswer, ListAnswer, PaperAnswer, answer_text, next_context
from bot.conversation.facts import FactAnswer, SeveralFacts, passages, question_of
from bot.conversation.library import Library
from bot.conversation.understand import ChatContext
from bot.text import normalise


def fact(text: str, library: Library, context: ChatContext | None = None) -> FactAnswer:
    found = answer_text(text, library, context, private=True)
    assert isinstance(found, FactAnswer), (text, found)
    return found


def own_words(paper: Paper) -> str:
    return "\n".join(p.text for p in passages(paper))


@pytest.mark.parametrize(
    ("text", "paper", "figure"),
    [
        ("medusa-1 能加速多少倍", "medusa", "2.2 倍"),
        ("how much faster is Medusa-2?", "medusa", "2.3-3.6x"),
        ("PRM800K 有多少条标签", "lets-verify-step-by-step", "800,000"),
        ("how many step-level labels does PRM800K have", "lets-verify-step-by-step", "800,000"),
        ("GPTQ 在 A6000 上能快多少", "gptq", "4.5 倍"),
        ("code llama humaneval 得分多少", "code-llama", "67%"),  # arXiv's latest version says 53%: each text its own
        ("llava1.5 训练要多久", "llava-1-5", "1 天"),  # a duration, not a date
        ("how long does llava-1.5 take to train", "llava-1-5", "a day"),
        ("FLM-101B 用了多少 token 训练", "flm-101b", "0.31T 标记"),
        ("cogagent 支持多大分辨率的输入", "cogagent", "1120×1120"),
        ("how big is cogagent", "cogagent", "18B-parameter"),
        ("ReMax 只要几行代码", "remax", "6"),  # "代码" counts lines here, it asks for no link
        ("kosmos-2 的数据集叫什么名字", "kosmos-2", "GRIT"),
        ("过程监督模型在MATH上解出了多少题", "lets-verify-step-by-step", "78%"),  # found by what it is about
        ("FlashAttention-2 能达到理论峰值的百分之多少", "flashattention-2", "50-73%"),  # not FlashAttention-1's 25-40%
        ("what context length was mixtral trained with", "mixtral", "32k"),
        ("how much did FLM-101B cost to train", "flm-101b", "100"),
        ("what base model is gorilla built on", "gorilla", "LLaMA"),
        ("toolllm 用的什么模型", "toolllm", "LLaMA"),  # not "OpenBMB" of its repository's URL
    ],
)
def test_a_fact_is_quoted_from_the_papers_own_text(library: Library, text: str, paper: str, figure: str) -> None:
    found = fact(text, library)
    assert found.paper.id == paper
    reader = "en" if text.isascii() else "zh"
    quote = found.quote(reader)
    assert quote is not None
    # the reader's language when its texts hold the answer ("what context length…": only Chinese does)
    assert quote.lang == reader or not any(figure in p.text for p in passages(found.paper) if p.lang == reader)
    marked = [quote.text[s:e] for s, e in quote.marks]
    assert any(figure in m for m in marked), (quote.text, marked)
    # the quote is the paper's own sentence (or its clauses), every figure in it is the paper's
    words = own_words(found.paper)
    assert all(piece in words for piece in quote.text.split("…") if piece)
    assert all(m in words for m in marked)


@pytest.mark.parametrize(
    "text",
    [
        "gemini ultra 有多少参数",
        "How many GPUs were used to train Llama 2?",
        "medusa 训练要多少小时",
        "how many tokens was mixtral trained on",  # its texts give a 32k-token context, not training tokens
    ],
)
def test_what_the_text_does_not_say_is_not_made_up(library: Library, text: str) -> None:
    assert fact(text, library).quotes == ()


@pytest.mark.parametrize(
    ("text", "paper", "name"),
    [
        ("which paper released PRM800K", "lets-verify-step-by-step", "PRM800K"),
        ("哪篇论文提出了 Q-Former", "blip-2", "Q-Former"),  # (test_answer.py had these as plain cards)
        ("which paper introduced ToolBench", "toolllm", "ToolBench"),
    ],
)
def test_which_paper_released_it_quotes_the_sentence_that_says_so(library: Library, text: str, paper: str, name: str) -> None:
    found = fact(text, library)
    assert found.paper.id == paper
    for lang in ("zh", "en"):
        quote = found.quote(lang)  # type: ignore[arg-type]
        assert quote is not None and [quote.text[s:e] for s, e in quote.marks] == [name]
        assert re.search(r"发布|提出|构建|\b(?:release|introduce|present|propose|construct|buil[dt])", quote.text, re.I), quote.text


def test_a_follow_up_asks_the_paper_just_shown(library: Library) -> None:
    shown = answer_text("llava 1.5", library, private=True)
    context = next_context(ChatContext(), shown, library.catalog)
    found = fact("它训练要多久", library, context)
    assert found.paper.id == "llava-1-5" and found.quotes
    assert next_context(context, found, library.catalog).papers == ("llava-1-5",)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Medusa 是谁发表的", "who"),
        ("GPTQ 代码在哪", "code"),
        ("GPTQ 什么时候发表的", "when"),
        ("medusa 有几个作者", "who"),  # the catalog's record, not the text
    ],
)
def test_other_questions_about_a_paper_keep_their_answer(library: Library, text: str, kind: str) -> None:
    found = answer_text(text, library, private=True)
    assert isinstance(found, PaperAnswer) and found.focus == kind


@pytest.mark.parametrize("text", ["how many papers are from Meta", "对齐板块有几篇", "谷歌有多少篇论文"])
def test_counting_papers_is_no_fact(library: Library, text: str) -> None:
    assert isinstance(answer_text(text, library, private=True), CountAnswer)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("medusa 能加速多少倍", "amount"),
        ("llava 训练要多久", "duration"),
        ("how long does it take to train", "duration"),
        ("how big is cogagent", "size"),
        ("mixtral 的上下文多长", "context"),
        ("which data set does kosmos-2 build", "dataset"),
        ("which paper introduced PRM800K", "source"),
        ("medusa 讲了什么", None),
        ("what is prm800k", None),
    ],
)
def test_the_kind_of_question(text: str, kind: str | None) -> None:
    found = question_of(normalise(text))
    assert (found.kind if found else None) == kind


def test_several_papers_named_get_their_facts_in_the_order_named(library: Library) -> None:
    found = answer_text("Medusa 和 Lookahead 分别能加速多少", library, private=True)
    assert isinstance(found, SeveralFacts) and [p.id for p in found.papers] == ["medusa", "lookahead-decoding"]
    marks = [[q.text[s:e] for s, e in q.marks] for a in found.answers for q in a.quotes if q.lang == "zh"]
    assert "2.2 倍" in marks[0] and "1.8 倍" in marks[1]
    assert next_context(ChatContext(), found, library.catalog).listed == ("medusa", "lookahead-decoding")


def test_a_list_asked_after_a_card_is_no_fact_about_it(library: Library) -> None:
    context = next_context(ChatContext(), answer_text("gptq", library, private=True), library.catalog)
    assert isinstance(answer_text("Meta 的论文有哪些", library, context, private=True), ListAnswer)
