"""Lists that reason (#21): topics across sections, superlatives and rankings, exclusions, date
ranges read from the card's date, ordinals and paging into the last reply, and the digest itself."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.conversation.answer import Answer, ListAnswer, PaperAnswer, answer_text, next_context
from bot.conversation.exclusions import excluding
from bot.conversation.library import Library
from bot.conversation.list_answers import (
    RANKED_MAX,
    DigestAnswer,
    OthersAnswer,
    RankedAnswer,
    RankingAnswer,
    SuperlativeAnswer,
    ranked_positions,
)
from bot.conversation.ordinals import ALL, LAST, ordinal, page_step
from bot.conversation.ranges import Period, shift
from bot.conversation.understand import ChatContext, ListFilter, When, understand
from bot.render.renderer import Renderer
from bot.text import normalise


def ids(answer: Answer | None, library: Library) -> list[str]:
    """The paper ids an answer lists, in the order shown."""
    if isinstance(answer, ListAnswer):
        return [p.id for p in library.catalog.by_date(answer.filter.papers(library.catalog))]
    if isinstance(answer, SuperlativeAnswer | OthersAnswer | RankedAnswer):
        return [p.id for p in answer.papers]
    if isinstance(answer, PaperAnswer):
        return [answer.paper.id]
    raise AssertionError(f"not a list: {answer!r}")


def after(library: Library, *texts: str) -> Answer | None:
    """The answer to the last text, each earlier one having been answered in the same chat."""
    context = ChatContext()
    found: Answer | None = None
    for text in texts:
        found = answer_text(text, library, context, private=True)
        context = next_context(context, found, library.catalog)
    return found


# --- 1. topics ------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("投机解码相关的论文", {"speculative-decoding", "specinfer", "medusa", "lookahead-decoding"}),
    ("推測解碼有哪些工作", {"speculative-decoding", "specinfer", "medusa", "lookahead-decoding"}),
    ("speculative decoding papers", {"speculative-decoding", "specinfer", "medusa", "lookahead-decoding"}),
    ("RLHF 相关的", {"remax", "llama-2"}),
    ("papers that release a data set", {"lets-verify-step-by-step", "tasklama", "gorilla", "toolllm", "kosmos-2"}),
    ("多模态大模型有哪些", {"blip-2", "kosmos-2", "qwen-vl", "llava-1-5", "gemini", "cogagent"}),
])
def test_a_topic_lists_every_tagged_paper_across_sections(library: Library, text: str, expected: set[str]) -> None:
    answer = answer_text(text, library, private=True)
    assert isinstance(answer, ListAnswer) and answer.filter.topic is not None
    assert set(ids(answer, library)) == expected
    assert set(ids(answer, library)) == {p.id for p in library.catalog if answer.filter.topic in p.topics}


def test_a_topic_named_like_a_paper_is_still_that_paper_when_asked_about(library: Library) -> None:
    assert answer_text("什么是投机解码", library, private=True) == PaperAnswer(library.catalog.get("speculative-decoding"))  # type: ignore[arg-type]
    answer = answer_text("投机解码那篇的作者是谁", library, private=True)
    assert isinstance(answer, PaperAnswer) and answer.paper.id == "speculative-decoding"


def test_topics_combine_with_other_filters(library: Library) -> None:
    assert ids(answer_text("Google's multimodal models", library, private=True), library) == ["gemini"]
    assert ids(answer_text("2024年的投机解码论文", library, private=True), library) == ["medusa"]
    assert ids(answer_text("投机解码的论文，除了谷歌的", library, private=True), library) == ["specinfer", "medusa"]


def test_a_section_that_holds_none_of_the_rest_widens_to_its_topic(library: Library) -> None:
    assert ids(answer_text("Google's multimodal papers", library, private=True), library) == ["gemini"]
    assert ids(answer_text("清华的多模态论文", library, private=True), library) == ["cogagent"]
    assert len(ids(answer_text("多模态的论文", library, private=True), library)) == 4   # the section itself, when it answers
    assert not answer_text("is cogagent a multimodal paper", library, private=True).holds  # type: ignore[union-attr]


def test_a_topic_the_vocabulary_lacks_is_ranked_by_text_and_cut_where_scores_fall(library: Library) -> None:
    answer = answer_text("有哪些讲树结构验证的论文", library, private=True)
    assert isinstance(answer, RankedAnswer) and 2 <= len(answer.papers) <= RANKED_MAX
    assert answer.papers[0].id == "specinfer" and "关于" not in answer.query
    # The cut keeps only papers near the best score: a lower share never lists fewer.
    loose, strict = (ranked_positions("frozen image encoder", library.index, share) for share in (0.1, 0.9))
    assert set(strict) <= set(loose) and len(strict) < len(library.catalog)


def test_topics_are_followable(library: Library) -> None:
    from bot.conversation.follow import deliveries, target_of
    from bot.store.records import Subscription

    target = target_of("speculative decoding", library.index, library.gazetteer, "en")
    assert target is not None and (target.kind, target.value) == ("topic", "speculative-decoding")
    zh = target_of("推测解码", library.index, library.gazetteer, "zh")
    assert zh is not None and zh.value == "speculative-decoding" and zh.label == "投机解码"
    sub = Subscription(1, 10, "topic", target.value, target.label)
    papers = [library.catalog.get(i) for i in ("medusa", "gptq", "specinfer")]
    pushed = deliveries([sub], [p for p in papers if p], library.index, {t.id for t in library.topics})
    assert pushed == [(10, "medusa"), (10, "specinfer")]


# --- 2. order and superlatives ---------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("Meta 最早的", ["llama"]),
    ("谷歌最新的论文", ["gemini"]),
    ("latest multimodal paper", ["llava-1-5"]),
    ("2023年最晚的一篇", ["gemini", "cogagent", "llm-in-a-flash"]),   # a tie: every paper of 2023-12
    ("上半年最晚发表的是哪篇", ["kosmos-2"]),
    ("newest paper in the catalog?", ["mixtral", "medusa"]),
])
def test_superlatives_give_the_papers_whose_date_decides_it(library: Library, text: str, expected: list[str]) -> None:
    answer = answer_text(text, library, private=True)
    assert isinstance(answer, SuperlativeAnswer) and ids(answer, library) == expected


def test_a_superlative_over_the_last_list(library: Library) -> None:
    assert ids(after(library, "Meta 的论文", "其中最早的"), library) == ["llama"]
    assert ids(after(library, "microsoft papers", "which of them is the latest?"), library) == ["llava-1-5"]


def test_sort_by_date_is_the_list_oldest_first(library: Library) -> None:
    answer = after(library, "谷歌的论文", "按时间排序")
    assert isinstance(answer, ListAnswer) and answer.filter == ListFilter(org="google")
    assert ids(answer, library)[0] == "doremi" and ids(answer, library)[-1] == "gemini"
    assert ids(answer_text("sort the agent papers by date", library, private=True), library)[0] == "tool-learning"


@pytest.mark.parametrize(("text", "dimension", "leader", "count"), [
    ("which organisation has the most papers", "org", "google", 6),
    ("哪个板块论文最多", "section", "foundation", 9),
    ("which month had the most papers", "month", "2023-05", 5),
])
def test_rankings_name_the_leader_with_its_count(library: Library, text: str, dimension: str, leader: str,
                                                 count: int) -> None:
    answer = answer_text(text, library, private=True)
    assert isinstance(answer, RankingAnswer) and answer.dimension == dimension
    assert answer.rows[0] == (leader, count) and answer.rows[1][1] < count
    shown = Renderer(library.catalog, "en").answer(answer)[0].text
    assert f"({count} paper" in shown


# --- 3. exclusions ---------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("除了 Meta 以外的基座模型", {"doremi", "lets-verify-step-by-step", "flashattention-2", "flm-101b", "gemini", "mixtral"}),
    ("multimodal papers not from Microsoft", {"blip-2", "qwen-vl"}),
    ("哪些论文没有开源代码", {"lets-verify-step-by-step", "flm-101b", "gemini", "tasklama", "fiat",
                       "speculative-decoding", "llm-in-a-flash"}),
    ("papers without code", {"lets-verify-step-by-step", "flm-101b", "gemini", "tasklama", "fiat",
                             "speculative-decoding", "llm-in-a-flash"}),
    ("除了清华和谷歌之外的agent和对齐论文", {"gorilla", "remax"}),
    ("google papers other than gemini", {"doremi", "tasklama", "fiat", "speculative-decoding", "lookahead-decoding"}),
    ("清华的论文，CogAgent除外", {"tool-learning", "toolllm"}),
    ("不是2023年发表的论文", {"mixtral", "medusa"}),
    ("非谷歌的2023年5月论文", {"lets-verify-step-by-step", "gorilla", "specinfer"}),
])
def test_exclusions_subtract_from_the_filter(library: Library, text: str, expected: set[str]) -> None:
    answer = answer_text(text, library, private=True)
    assert (isinstance(answer, ListAnswer) and answer.filter.without) or answer.filter.code is False  # type: ignore[union-attr]
    assert set(ids(answer, library)) == expected


def test_excluding_marks_the_entities_a_word_of_exclusion_reaches() -> None:
    normal = normalise("除了清华和谷歌之外的agent和对齐论文")
    spans = [(normal.index(w), normal.index(w) + len(w)) for w in ("清华", "谷歌", "agent", "对齐")]
    assert excluding(normal, spans) == [True, True, False, False]
    normal = normalise("谷歌有没有多模态论文")   # "有没有" asks; it excludes nothing
    assert excluding(normal, [(0, 2), (normal.index("多模态"), normal.index("多模态") + 3)]) == [False, False]


def test_an_excluding_filter_round_trips_through_its_callback_key(library: Library) -> None:
    answer = answer_text("除了清华和谷歌之外的agent和对齐论文", library, private=True)
    assert isinstance(answer, ListAnswer)
    assert ListFilter.from_key(answer.filter.key) == answer.filter
    assert ListFilter.from_key("x=o.google|zz.bad") is None and ListFilter.from_key("c=2") is None


# --- 4. date ranges, the digest's year, the card's date ------------------------------------

@pytest.mark.parametrize(("text", "period"), [
    ("5月以前的论文", Period(None, "2023-04")),
    ("2023年6月之前的多模态论文", Period(None, "2023-05")),
    ("papers since october", Period("2023-10", None)),
    ("anything after august?", Period("2023-09", None)),
    ("截止到4月的论文", Period(None, "2023-04")),
    ("between march and may", Period("2023-03", "2023-05")),
    ("2023年11月到2024年1月", Period("2023-11", "2024-01")),
    ("2023年7月到9月", Period("2023-07", "2023-09")),
    ("下半年以前的端侧论文", Period(None, "2023-06")),
    ("tsinghua agent papers before july 2023", Period(None, "2023-06")),
])
def test_ranges_read_the_words_around_times(library: Library, text: str, period: Period) -> None:
    answer = answer_text(text, library, private=True)
    assert isinstance(answer, ListAnswer) and answer.filter.period == period and answer.filter.when is None


def test_two_months_joined_by_and_are_two_months_not_a_range(library: Library) -> None:
    request = understand("3月和5月的论文", library.index, library.gazetteer)
    assert request.filter.period is None


def test_a_period_without_a_year_is_the_digests_year(library: Library) -> None:
    answer = answer_text("上半年的论文", library, private=True)
    assert isinstance(answer, ListAnswer) and answer.filter.when == When(2023, 1, 6)
    assert "mixtral" not in ids(answer, library)


def test_every_time_filter_reads_the_cards_date(library: Library) -> None:
    assert [p.id for p in library.catalog.in_month(2024)] == ["mixtral", "medusa"]   # not Lookahead (arXiv 2024-02)
    assert "speculative-decoding" not in ids(answer_text("谷歌下半年的论文", library, private=True), library)
    assert not library.catalog.in_month(2022)   # GPTQ and Fast Inference were on arXiv in 2022; their cards say 2023


def test_shift_crosses_years() -> None:
    assert shift("2023-12", 1) == "2024-01" and shift("2023-01", -1) == "2022-12"


# --- 5. pointing into the last reply ---------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("第二篇", 2), ("第2个", 2), ("the first one", 1), ("the last one", LAST), ("#3", 3), ("最后一篇的摘要", LAST),
    ("这两篇分别是谁家的", ALL), ("第十一篇", 11), ("第二季度的论文", None), ("the first quarter", None),
])
def test_ordinals(text: str, expected: int | None) -> None:
    assert ordinal(text.casefold()) == expected


def test_ordinals_point_into_the_list_just_shown_in_date_order(library: Library) -> None:
    assert after(library, "Meta 的论文", "第二篇是什么时候发的") == PaperAnswer(library.catalog.get("llama-2"), "when")  # type: ignore[arg-type]
    assert ids(after(library, "agent papers", "#3"), library) == ["toolllm"]
    assert ids(after(library, "清华的论文", "the last one"), library) == ["cogagent"]
    first = after(library, "/list multimodal".removeprefix("/list "), "the first one's code?")
    assert first == PaperAnswer(library.catalog.get("blip-2"), "code")  # type: ignore[arg-type]
    assert ids(after(library, "agent 板块第一篇"), library) == ["tool-learning"]   # into a filter named with it
    # Similar papers are a list too.
    similar = after(library, "/paper medusa".removeprefix("/paper "), "有类似的吗", "第一篇")
    assert isinstance(similar, PaperAnswer) and similar.paper.id != "medusa"


def test_ordinals_in_a_comparison(library: Library) -> None:
    from bot.conversation.answer import CompareAnswer

    answer = after(library, "Meta 的论文", "第一篇和第三篇有什么区别")
    assert isinstance(answer, CompareAnswer) and [p.id for p in answer.papers] == ["llama", "code-llama"]
    answer = after(library, "agent papers", "compare the first and the last one")
    assert isinstance(answer, CompareAnswer) and [p.id for p in answer.papers] == ["tool-learning", "cogagent"]


def test_an_ordinal_with_nothing_shown_is_no_paper(library: Library) -> None:
    assert not isinstance(answer_text("第二篇是什么时候发的", library, private=True), PaperAnswer)


@pytest.mark.parametrize("typed", ["下一页", "更多", "more", "next page", "Next page please"])
def test_typed_paging_is_the_next_button(library: Library, typed: str) -> None:
    assert page_step(normalise(typed)) == 1
    answer = after(library, "2023年的论文", typed)
    assert isinstance(answer, ListAnswer) and answer.page == 1 and answer.filter.when == When(2023)
    page = Renderer(library.catalog, "zh").answer(answer)[0].text
    assert "SpecInfer" in page and "BLIP-2" not in page   # the ninth paper shown opens page 2
    back = after(library, "2023年的论文", typed, typed, "上一页")
    assert isinstance(back, ListAnswer) and back.page == 1


def test_their_other_papers_after_an_author_answer(library: Library) -> None:
    answer = after(library, "FlashAttention-2 是谁写的", "他还有别的论文吗")
    assert isinstance(answer, OthersAnswer) and ids(answer, library) == ["medusa"] and "Tri Dao" in answer.authors
    assert {"llama-2", "code-llama"} <= set(ids(after(library, "who wrote llama?", "any other papers by them?"), library))
    assert ids(after(library, "Medusa 谁写的", "what else did they write?"), library) == ["flashattention-2"]


# --- 6. the digest itself --------------------------------------------------------------------

@pytest.mark.parametrize("text", ["这个合集有哪些板块", "how many sections does the digest have", "what is this digest",
                                  "论文的时间跨度是多久", "这份目录是从哪来的", "最早和最晚的论文分别是几月的"])
def test_questions_about_the_digest(library: Library, text: str) -> None:
    answer = answer_text(text, library, private=True)
    assert isinstance(answer, DigestAnswer) and answer.digest is not None
    shown = Renderer(library.catalog, "zh", library.digests).answer(answer)[0].text
    for part in ("2023 AI核心论文", "26", "5 个板块", "基座", "对齐", "端侧", "多模态", "2023-01", "2024-01", "WeChat"):
        assert part in shown, part


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_digests_span_names_the_first_and_last_paper_in_date_order(library: Library, lang: str) -> None:
    dated = library.catalog.by_date(library.catalog.everything())
    renderer = Renderer(library.catalog, lang, library.digests)
    shown = renderer.answer(answer_text("what is this digest", library, private=True))[0].text
    span = next(line for line in shown.splitlines() if "2023-01" in line)
    first, last = renderer.kit.name(dated[0]), renderer.kit.name(dated[-1])
    assert first != last and first in span and last in span and span.index(first) < span.index(last)


def test_lists_are_shown_oldest_first_with_each_papers_section(library: Library) -> None:
    reply = Renderer(library.catalog, "en").answer(ListAnswer(ListFilter(org="google")))[0]
    lines = [line for line in reply.text.splitlines() if line[:1].isdigit()]
    assert [line.split(" · ")[1] for line in lines] == sorted(line.split(" · ")[1] for line in lines)
    assert lines[0].startswith("1. <b>DoReMi") and "<i>Foundation models</i>" in lines[0]
    assert all(len((b.data or "").encode()) <= 64 for row in reply.buttons for b in row)


def test_a_list_title_says_what_it_leaves_out(library: Library) -> None:
    wanted = replace(ListFilter(section="foundation"), without=("o.meta", "p.gemini", "r.2023-07~2023-07"))
    text = Renderer(library.catalog, "zh").answer(ListAnswer(wanted))[0].text
    assert text.startswith("<b>基座 · 不含 Meta、Gemini、2023-07</b>（4 篇）")


def test_a_time_filter_says_what_arxiv_dates_otherwise_but_never_lists_it(library: Library) -> None:
    answer = answer_text("papers from 2022", library, private=True)
    assert isinstance(answer, ListAnswer) and not answer.filter.papers(library.catalog)
    text = Renderer(library.catalog, "en").answer(answer)[0].text
    assert "No papers match" in text and "GPTQ (card 2023-03, arXiv 2022-10)" in text
    march = Renderer(library.catalog, "en").answer(answer_text("2023年3月的论文", library, private=True))[0].text
    assert "GPTQ" in march and "ℹ️" not in march   # listed by its card's month; arXiv's 2022-10 is no other month here


def test_the_arxiv_note_keeps_to_the_rest_of_the_filter(library: Library) -> None:
    """"ETH papers from 2022" notes GPTQ (arXiv 2022-10, card 2023-03); Google's from 2022 do not."""
    eth = Renderer(library.catalog, "en").answer(ListAnswer(ListFilter(org="eth-zurich", when=When(2022))))[0].text
    google = Renderer(library.catalog, "en").answer(ListAnswer(ListFilter(org="google", when=When(2022))))[0].text
    assert "GPTQ (card 2023-03, arXiv 2022-10)" in eth and "arXiv 2022-10" not in google
