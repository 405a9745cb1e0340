"""Understanding: times in every written form, entity spans (overlapping, several in one
message, never swallowing the words around them), the cue table, and the filter keys."""

from __future__ import annotations

import pytest

from bot.conversation.library import Library
from bot.conversation.understand import ChatContext, ListFilter, When, cues_in, find_times, read, understand

LATEST = 2024  # the shipped catalog's newest year: "this year" / 今年


@pytest.mark.parametrize(("text", "expected"), [
    ("2023-12", When(2023, 12, 12)),
    ("2023.10 的论文", When(2023, 10, 10)),
    ("2023/05", When(2023, 5, 5)),
    ("2023年12月", When(2023, 12, 12)),
    ("2023 年 7 月", When(2023, 7, 7)),
    ("23年10月", When(2023, 10, 10)),
    ("5月", When(None, 5, 5)),
    ("5月份的", When(None, 5, 5)),
    ("12月份发表的", When(None, 12, 12)),
    ("十二月", When(None, 12, 12)),
    ("二月", When(None, 2, 2)),
    ("十一月的论文", When(None, 11, 11)),
    ("december", When(None, 12, 12)),
    ("Dec 2023", When(2023, 12, 12)),
    ("sept 2023 papers", When(2023, 9, 9)),
    ("january, 2024", When(2024, 1, 1)),
    ("papers from may", When(None, 5, 5)),
    ("2024", When(2024)),
    ("24年", When(2024)),
    ("上半年", When(None, 1, 6)),
    ("2023年下半年", When(2023, 7, 12)),
    ("23年下半年", When(2023, 7, 12)),
    ("H1 2023", When(2023, 1, 6)),
    ("h2", When(None, 7, 12)),
    ("Q3", When(None, 7, 9)),
    ("2023 q4", When(2023, 10, 12)),
    ("第一季度", When(None, 1, 3)),
    ("2023年第四季度", When(2023, 10, 12)),
    ("second half of 2023", When(2023, 7, 12)),
    ("this year", When(LATEST)),
    ("今年", When(LATEST)),
    ("去年12月", When(LATEST - 1, 12, 12)),
])
def test_times_in_every_written_form(text: str, expected: When) -> None:
    times, spans = find_times(text.casefold(), LATEST)
    assert times == [expected] and spans


@pytest.mark.parametrize("text", ["may I ask something", "2312.11805", "FLM-101B", "PRM800K", "llama 2", "gpt-4",
                                  "16000+ APIs", "几月份发的", "三个月", "qwen vl", "1+1等于几", "2005.14165"])
def test_numbers_that_are_not_times(text: str) -> None:
    assert find_times(text.casefold(), LATEST) == ([], [])


def test_when_keys_round_trip_and_reject_nonsense() -> None:
    for when in (When(2023), When(2023, 12, 12), When(None, 5, 5), When(2023, 7, 12), When(None, 1, 6)):
        assert When.from_key(when.key) == when
    for bad in ("*", "2023-13", "2023-09..03", "x", "2023-1", ""):
        assert When.from_key(bad) is None


def test_filter_keys_round_trip_and_reject_forgeries() -> None:
    wanted = ListFilter("agent", "tsinghua", When(None, 7, 12))
    assert wanted.key == "s=agent,o=tsinghua,t=*-07..12" and ListFilter.from_key(wanted.key) == wanted
    assert ListFilter.from_key("*") == ListFilter()
    by = ListFilter(org="meta", author="hugo+touvron")
    assert ListFilter.from_key(by.key) == by
    for bad in ("x=1", "s=", "s=a,s=b", "t=2023-13", "o", "a="):
        assert ListFilter.from_key(bad) is None


def test_a_month_without_a_year_keeps_the_year_it_follows() -> None:
    assert ListFilter(when=When(2023, 5, 5)).merged(ListFilter(when=When(None, 6, 6))) == ListFilter(when=When(2023, 6, 6))
    assert ListFilter(org="google").merged(ListFilter(org="meta")) == ListFilter(org="meta")
    assert ListFilter(section="agent").merged(ListFilter(org="tsinghua")) == ListFilter("agent", "tsinghua")


@pytest.mark.parametrize(("text", "papers"), [
    ("gptq跟llm in a flash区别在哪", ["gptq", "llm-in-a-flash"]),
    ("美杜莎跟投机解码啥区别", ["medusa", "speculative-decoding"]),
    ("llama vs llama 2", ["llama", "llama-2"]),            # overlapping: "llama 2" is not also "llama"
    ("code llama vs llama2", ["code-llama", "llama-2"]),   # overlapping the other way round
    ("通义千问VL是谁发的", ["qwen-vl"]),                    # the paper alias beats the organisation 通义
    ("2312.11805 是什么", ["gemini"]),
    ("混合专家模型是什么", ["mixtral"]),
])
def test_papers_found_by_their_spans(library: Library, text: str, papers: list[str]) -> None:
    found = read(text, library.index, library.gazetteer)
    assert [p.id for p in found.papers] == papers


@pytest.mark.parametrize(("text", "wanted"), [
    ("Meta 的论文都有哪些", ListFilter(org="meta")),
    ("多模态相关的论文", ListFilter(section="multimodal")),
    ("有没有微软的论文", ListFilter(org="microsoft")),
    ("list the alignment ones", ListFilter(section="alignment")),
    ("Apple's work", ListFilter(org="apple")),
    ("list microsoft's papers", ListFilter(org="microsoft")),
    ("清华 2023年7月的论文", ListFilter(org="tsinghua", when=When(2023, 7, 7))),
    ("谷歌对齐方向", ListFilter(section="alignment", org="google")),
    ("cogagent", ListFilter()),  # "agent" inside a name is no section
    ("papers by Touvron", ListFilter(author="hugo+touvron")),     # a surname no other author has
    ("Tri Dao 的论文", ListFilter(author="tri+dao")),
    ("Meta 的 Hugo Touvron 写了哪些", ListFilter(org="meta", author="hugo+touvron")),
    ("li 的论文", ListFilter()),                                  # "Li" alone names no one
])
def test_extra_words_never_leak_into_entities(library: Library, text: str, wanted: ListFilter) -> None:
    assert read(text, library.index, library.gazetteer).filter == wanted


def test_small_talk_cues_are_read_first() -> None:
    assert cues_in("who are you") == ["greeting"]
    assert cues_in("有什么功能") == ["help"]
    assert cues_in("谢谢 很有帮助") == ["thanks", "help"]
    assert "who" in cues_in("谁发布了") and "compare" in cues_in("a vs b")


@pytest.mark.parametrize(("text", "intent", "papers"), [
    ("nice, cheers", "thanks", []),          # "nice" is one letter from an author's name
    ("ok, see you later", "goodbye", []),    # "later" is in one paper's summary
    ("thanks, gptq", "card", ["gptq"]),      # a name still names its paper
])
def test_in_small_talk_only_a_name_mentions_a_paper(library: Library, text: str, intent: str,
                                                   papers: list[str]) -> None:
    found = understand(text, library.index, library.gazetteer)
    assert (found.intent, [p.id for p in found.papers]) == (intent, papers)


def test_context_fills_in_only_what_the_message_leaves_out(library: Library) -> None:
    shown = ChatContext(("medusa",), ListFilter(org="google"), "who")
    assert [p.id for p in understand("什么时候发的", library.index, library.gazetteer, shown).papers] == ["medusa"]
    named = understand("gptq 什么时候发的", library.index, library.gazetteer, shown)
    assert [p.id for p in named.papers] == ["gptq"] and not named.from_context
    nothing = understand("什么时候发的", library.index, library.gazetteer, ChatContext())
    assert nothing.pronoun_without_context and not nothing.papers


@pytest.mark.parametrize("wanted", [ListFilter(section="base", when=When(2023)), ListFilter(org="meta"),
                                    ListFilter(section="agent", when=When(None, 7, 12)), ListFilter(org="nobody")])
def test_a_filter_lists_what_holds_every_part_once(library: Library, wanted: ListFilter) -> None:
    catalog = library.catalog
    months = set(wanted.when.months()) if wanted.when else set()

    def holds(p: object) -> bool:
        from bot.catalog.schema import Paper
        assert isinstance(p, Paper)
        dated = [(int(d[:4]), int(d[5:7])) for d in (p.date, p.arxiv_date) if d]
        return ((wanted.section is None or p.section == wanted.section) and (wanted.org is None or wanted.org in p.orgs)
                and (wanted.when is None or any((wanted.when.year in (None, y)) and m in months for y, m in dated)))

    found = wanted.papers(catalog)
    assert [p.id for p in found] == [p.id for p in catalog if holds(p)]
    assert wanted.papers(catalog) is found   # computed once, then kept for the catalog version
