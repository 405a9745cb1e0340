"""From a message to an Answer: questions, lists and counts with ANDed filters, comparisons,
yes/no checks, small talk, keyword rules, follow-ups in context, and what groups never hear."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.catalog import catalog as catalog_mod
from bot.catalog.keywords import load_keywords
from bot.conversation.answer import (
    ChatAnswer,
    CheckAnswer,
    ChoiceAnswer,
    CompareAnswer,
    CountAnswer,
    FallbackAnswer,
    KeywordAnswer,
    ListAnswer,
    NotFound,
    PaperAnswer,
    SimilarAnswer,
    answer_query,
    answer_text,
    next_context,
    similar,
)
from bot.conversation.library import Library
from bot.conversation.understand import ChatContext, ListFilter, When
from bot.search.engine import SearchIndex
from bot.search.index_cache import load_or_build
from tests.conftest import DATA


@pytest.mark.parametrize(("text", "paper_id", "focus"), [
    ("Medusa 是谁发表的", "medusa", "who"),
    ("Qwen-VL 是哪家的", "qwen-vl", "who"),
    ("谁发布了 mixtral", "mixtral", "who"),
    ("who published Mixtral", "mixtral", "who"),
    ("which lab released Gemini?", "gemini", "who"),
    ("mixtral was released by?", "mixtral", "who"),
    ("GPTQ 什么时候发表的", "gptq", "when"),
    ("when was LLaMA published", "llama", "when"),
    ("ReMax 的影响力", "remax", "impact"),
    ("why does FlashAttention-2 matter", "flashattention-2", "impact"),
    ("什么是投机解码", "speculative-decoding", "card"),
    ("what is lookahead decoding", "lookahead-decoding", "card"),
    ("BLIP-2 的摘要", "blip-2", "abstract"),   # #20: the whole abstract, not the card
    ("medusa pdf", "medusa", "links"),
    ("CogAgent 的代码", "cogagent", "code"),
    ("Gorilla 开源了吗", "gorilla", "code"),
    ("fa2", "flashattention-2", "card"),
    ("who published medsua", "medusa", "who"),
    ("用闪存跑大模型的论文", "llm-in-a-flash", "card"),
])
def test_questions_about_one_paper(library: Library, text: str, paper_id: str, focus: str) -> None:
    answer = answer_text(text, library, private=True)
    assert isinstance(answer, PaperAnswer), answer
    assert (answer.paper.id, answer.focus) == (paper_id, focus)


@pytest.mark.parametrize(("text", "wanted"), [
    ("2023年12月有哪些论文", ListFilter(when=When(2023, 12, 12))),
    ("Dec 2023 papers", ListFilter(when=When(2023, 12, 12))),
    ("list Google papers", ListFilter(org="google")),
    ("Meta 的论文都有哪些", ListFilter(org="meta")),
    ("有没有微软的论文", ListFilter(org="microsoft")),
    ("papers from tsinghua", ListFilter(org="tsinghua")),
    ("多模态相关的论文", ListFilter(section="multimodal")),
    ("list the alignment ones", ListFilter(section="alignment")),
    ("3月份的论文", ListFilter(when=When(2023, 3, 3))),   # the digest's year
    ("23年8月的", ListFilter(when=When(2023, 8, 8))),
    ("2024 年的论文", ListFilter(when=When(2024))),
    ("what was published in august?", ListFilter(when=When(2023, 8, 8))),
    ("下半年的论文", ListFilter(when=When(2023, 7, 12))),
    ("清华 2023年7月的论文", ListFilter(org="tsinghua", when=When(2023, 7, 7))),
    ("谷歌对齐方向的论文", ListFilter(section="alignment", org="google")),
])
def test_lists_with_filters_anded(library: Library, text: str, wanted: ListFilter) -> None:
    assert answer_text(text, library, private=True) == ListAnswer(wanted)


def test_list_filters_and_together(library: Library) -> None:
    catalog = library.catalog
    both = ListFilter(section="alignment", org="google").papers(catalog)
    assert [p.id for p in both] == ["tasklama", "fiat"]
    may = {p.id for p in ListFilter(when=When(2023, 5, 5)).papers(catalog)}
    assert may == {"doremi", "lets-verify-step-by-step", "gorilla", "speculative-decoding", "specinfer"}
    assert [p.id for p in ListFilter(org="google", when=When(2023, 12, 12)).papers(catalog)] == ["gemini"]


@pytest.mark.parametrize(("text", "wanted", "count"), [
    ("一共有多少篇论文", ListFilter(), 26),
    ("how many papers are there?", ListFilter(), 26),
    ("对齐板块有几篇", ListFilter(section="alignment"), 3),
    ("how many papers are from Meta", ListFilter(org="meta"), 3),
    ("谷歌12月的论文有几篇", ListFilter(org="google", when=When(2023, 12, 12)), 1),
])
def test_counts_honour_their_filters(library: Library, text: str, wanted: ListFilter, count: int) -> None:
    assert answer_text(text, library, private=True) == CountAnswer(wanted, count)


@pytest.mark.parametrize(("text", "ids"), [
    ("gptq跟llm in a flash区别在哪", ["gptq", "llm-in-a-flash"]),
    ("Kosmos-2 vs Qwen-VL", ["kosmos-2", "qwen-vl"]),
    ("compare Gemini with Mixtral", ["gemini", "mixtral"]),
    ("CogAgent 跟 Qwen-VL 哪个强", ["cogagent", "qwen-vl"]),
    ("llama vs llama 2", ["llama", "llama-2"]),
    ("tool learning vs gorilla", ["gorilla", "tool-learning"]),
])
def test_two_papers_and_a_compare_cue_make_a_comparison(library: Library, text: str, ids: list[str]) -> None:
    answer = answer_text(text, library, private=True)
    assert isinstance(answer, CompareAnswer)
    assert sorted(p.id for p in answer.papers) == sorted(ids)


@pytest.mark.parametrize(("text", "holds"), [
    ("Gemini 是谷歌的吗", True),
    ("Medusa 是清华的吗", False),
    ("is llama 2 by google?", False),
    ("did apple publish llm in a flash", True),
    ("medusa 是 2023 年的吗", False),
    ("specinfer 属于端侧吗", True),
    ("is cogagent a multimodal paper", False),
])
def test_yes_no_questions_get_yes_or_no(library: Library, text: str, holds: bool) -> None:
    answer = answer_text(text, library, private=True)
    assert isinstance(answer, CheckAnswer) and answer.holds is holds


@pytest.mark.parametrize(("text", "kind"), [
    ("嗨", "greeting"), ("早上好", "greeting"), ("hello bot", "greeting"), ("who are you?", "greeting"),
    ("how does this work?", "help"), ("怎么用", "help"), ("你能做什么", "help"),
    ("多谢了", "thanks"), ("好的感谢", "thanks"), ("cool thanks, bye", "thanks"), ("谢谢，很有帮助", "thanks"),
    ("再见", "goodbye"), ("see you", "goodbye"),
])
def test_small_talk_is_never_not_found(library: Library, text: str, kind: str) -> None:
    assert answer_text(text, library, private=True) == ChatAnswer(kind)  # type: ignore[arg-type]


@pytest.mark.parametrize("text", ["全部论文打包下载", "能发一下所有论文吗", "give me every pdf", "download everything",
                                  "LLM论文", "ｌｌｍ论文"])
def test_the_bundle_in_any_wording_is_the_bundle_rule(library: Library, text: str) -> None:
    answer = answer_text(text, library, private=True)
    assert isinstance(answer, KeywordAnswer) and answer.rule.id == "llm-papers"


def test_operator_rules_come_first_when_addressed(library: Library) -> None:
    contains = answer_text("请给我 2023 AI核心论文 的目录", library, private=True)
    assert isinstance(contains, KeywordAnswer) and contains.rule.id == "digest"
    thanks = answer_text("謝謝!", library, private=True)
    assert isinstance(thanks, KeywordAnswer) and thanks.rule.id == "thanks"


@pytest.mark.parametrize("text", ["昨天看了那个核心论文的整理", "thanks all!", "谢谢", "gemini 是谷歌的吧", "medusa"])
def test_unaddressed_group_chatter_fires_only_exact_keywords(library: Library, text: str) -> None:
    assert answer_text(text, library, private=False, addressed=False) is None


def test_the_exact_keyword_still_works_in_group_chatter(library: Library) -> None:
    answer = answer_text("LLM论文", library, private=False, addressed=False)
    assert isinstance(answer, KeywordAnswer) and answer.rule.id == "llm-papers"


def test_off_topic_and_unknown_names(library: Library) -> None:
    assert answer_text("今天股市怎么样", library, private=True) == FallbackAnswer()
    assert answer_text("write me a poem", library, private=True) == FallbackAnswer()
    assert answer_text("今天股市怎么样", library, private=False) == ChatAnswer("not_understood")
    assert answer_text("bitcoin", library, private=True) == NotFound("bitcoin")


def test_a_pronoun_with_nothing_shown_is_not_guessed(library: Library) -> None:
    assert answer_text("它是谁发的", library, private=True) == ChatAnswer("which_paper")
    assert answer_text("when was it published?", library, private=True) == ChatAnswer("which_paper")


def test_similar_is_nearest_by_text_not_the_section(library: Library) -> None:
    answer = answer_text("和 medusa 类似的论文", library, private=True)
    assert isinstance(answer, SimilarAnswer) and answer.paper.id == "medusa"
    ids = [p.id for p in answer.papers]
    assert "medusa" not in ids
    assert ids[0] in {"specinfer", "speculative-decoding", "lookahead-decoding"}


def test_similar_leaves_the_paper_out_of_a_catalog_served_from_the_cache(tmp_path: Path) -> None:
    """The cached catalog decodes a new Paper on every read: "itself" must go by id, not identity."""
    catalog_mod.load(DATA / "papers.yaml", tmp_path)                 # writes the cache
    served = catalog_mod.load(DATA / "papers.yaml", tmp_path)        # opens it, as `paperbot run` does
    assert served.store is not None and served.get("medusa") is not served.get("medusa")
    index = load_or_build(served, tmp_path)
    for paper in served:
        assert paper.id not in [p.id for p in similar(paper, index)], paper.id


def _after(library: Library, *texts: str) -> tuple[object, ChatContext]:
    context = ChatContext()
    answer: object = None
    for text in texts:
        answer = answer_text(text, library, context, private=True)
        context = next_context(context, answer, library.catalog)  # type: ignore[arg-type]
    return answer, context


@pytest.mark.parametrize(("texts", "expected"), [
    (["medusa", "它的论文链接呢"], PaperAnswer),
    (["who made cogagent", "and when did it come out?"], PaperAnswer),
    (["who made gptq", "and specinfer?"], PaperAnswer),
    (["/paper qwen-vl", "是阿里的吗"], CheckAnswer),
])
def test_follow_ups_about_the_paper_shown(library: Library, texts: list[str], expected: type) -> None:
    answer, _ = _after(library, *texts)
    assert isinstance(answer, expected), answer


def test_follow_up_keeps_the_question_and_the_paper(library: Library) -> None:
    assert _after(library, "medusa", "它的论文链接呢")[0] == PaperAnswer(library.catalog.get("medusa"), "links")  # type: ignore[arg-type]
    assert _after(library, "who made gptq", "and specinfer?")[0] == PaperAnswer(library.catalog.get("specinfer"), "who")  # type: ignore[arg-type]
    assert _after(library, "who made cogagent", "and when did it come out?")[0] == \
        PaperAnswer(library.catalog.get("cogagent"), "when")  # type: ignore[arg-type]


def test_list_follow_ups_switch_or_narrow(library: Library) -> None:
    assert _after(library, "谷歌的论文", "那 Meta 的呢")[0] == ListAnswer(ListFilter(org="meta"))
    assert _after(library, "agent 方向的论文", "其中清华的呢")[0] == ListAnswer(ListFilter(section="agent", org="tsinghua"))
    assert _after(library, "2023年5月的论文", "那6月呢")[0] == ListAnswer(ListFilter(when=When(2023, 6, 6)))
    assert _after(library, "list google papers", "how many of them?")[0] == CountAnswer(ListFilter(org="google"), 6)
    # A fresh request whose narrowing would empty the list is read as a new list.
    assert _after(library, "谷歌的论文", "多模态有哪些")[0] == ListAnswer(ListFilter(section="multimodal"))


def test_a_list_of_one_paper_is_that_paper(library: Library) -> None:
    answer, _ = _after(library, "苹果的论文", "什么时候发布的")
    assert answer == PaperAnswer(library.catalog.get("llm-in-a-flash"), "when")  # type: ignore[arg-type]


def test_paper_command_answers(index: SearchIndex) -> None:
    assert isinstance(answer_query("gptq", index), PaperAnswer)
    assert isinstance(answer_query("bitcoin", index), NotFound)
    tool = answer_query("tool", index)
    assert isinstance(tool, ChoiceAnswer) and {"tool-learning", "toolllm"} <= {p.id for p in tool.papers}


def test_keyword_rules_validate_with_lines(tmp_path: Path) -> None:
    from bot.catalog.yamlfile import DataError

    path = tmp_path / "k.yaml"
    path.write_text("rules:\n  - id: a\n    keywords: [x]\n    replies:\n      - {paper: nope}\n", encoding="utf-8")
    with pytest.raises(DataError) as info:
        load_keywords(path, paper_ids=["medusa"])
    assert str(info.value.problems[0]) == f"{path}:5: unknown paper 'nope'"
