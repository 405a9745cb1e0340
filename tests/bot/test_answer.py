"""Intents in both languages, list filters, keyword rules and the fallback."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.answer import (
    ChoiceAnswer,
    CountAnswer,
    FallbackAnswer,
    KeywordAnswer,
    ListAnswer,
    ListFilter,
    NotFound,
    PaperAnswer,
    answer_query,
    answer_text,
    match_intent,
)
from bot.catalog import Catalog
from bot.keywords import KeywordRules, load_keywords
from bot.search import SearchIndex
from tests.conftest import DATA


@pytest.fixture(scope="module")
def rules() -> KeywordRules:
    return load_keywords(DATA / "keywords.yaml")


@pytest.mark.parametrize(("text", "paper_id", "focus"), [
    ("Medusa 是谁发表的", "medusa", "who"),
    ("Qwen-VL 是哪家的", "qwen-vl", "who"),
    ("who published Mixtral", "mixtral", "who"),
    ("which lab released Gemini?", "gemini", "who"),
    ("GPTQ 什么时候发表的", "gptq", "when"),
    ("when was LLaMA published", "llama", "when"),
    ("ReMax 的影响力", "remax", "impact"),
    ("why does FlashAttention-2 matter", "flashattention-2", "impact"),
    ("什么是投机解码", "speculative-decoding", "what"),
    ("what is lookahead decoding", "lookahead-decoding", "what"),
    ("BLIP-2 的摘要", "blip-2", "what"),
    ("medusa pdf", "medusa", "links"),
    ("CogAgent 的代码", "cogagent", "links"),
    ("which paper released PRM800K", "lets-verify-step-by-step", "card"),
    ("哪篇论文提出了 Q-Former", "blip-2", "card"),
    ("fa2", "flashattention-2", "card"),
])
def test_questions(index: SearchIndex, rules: KeywordRules, text: str, paper_id: str, focus: str) -> None:
    answer = answer_text(text, index, rules, private=True)
    assert isinstance(answer, PaperAnswer), answer
    assert (answer.paper.id, answer.focus) == (paper_id, focus)


@pytest.mark.parametrize(("text", "kind", "value"), [
    ("2023年12月有哪些论文", "month", "2023-12"),
    ("Dec 2023 papers", "month", "2023-12"),
    ("list Google papers", "org", "google"),
    ("谷歌的论文", "org", "google"),
    ("papers from tsinghua", "org", "tsinghua"),
    ("多模态有哪些论文", "section", "multimodal"),
    ("list agent papers", "section", "agent"),
    ("2024年的论文", "year", "2024"),
])
def test_lists(index: SearchIndex, rules: KeywordRules, text: str, kind: str, value: str) -> None:
    answer = answer_text(text, index, rules, private=True)
    assert answer == ListAnswer(ListFilter(kind, value))  # type: ignore[arg-type]


def test_google_and_guge_list_the_same_papers(catalog: Catalog) -> None:
    assert list(ListFilter("org", "google").papers(catalog)) == [p for p in catalog if "google" in p.orgs]
    may = {p.id for p in ListFilter("month", "2023-05").papers(catalog)}
    assert {"doremi", "gorilla", "specinfer"} <= may


@pytest.mark.parametrize("text", ["一共有多少篇论文", "how many papers are there?"])
def test_counts(index: SearchIndex, rules: KeywordRules, text: str) -> None:
    assert isinstance(answer_text(text, index, rules, private=True), CountAnswer)


@pytest.mark.parametrize("text", ["LLM论文", "llm论文", "LLM 论文", "ｌｌｍ论文"])
def test_the_bundle_keyword(index: SearchIndex, rules: KeywordRules, text: str) -> None:
    answer = answer_text(text, index, rules, private=True)
    assert isinstance(answer, KeywordAnswer) and answer.rule.id == "llm-papers"


def test_contains_and_regex_rules(index: SearchIndex, rules: KeywordRules) -> None:
    contains = answer_text("请给我 2023 AI核心论文 的目录", index, rules, private=True)
    assert isinstance(contains, KeywordAnswer) and contains.rule.id == "digest"
    thanks = answer_text("謝謝!", index, rules, private=True)
    assert isinstance(thanks, KeywordAnswer) and thanks.rule.id == "thanks"


def test_unrelated_text_falls_back_in_private_and_is_silent_in_groups(index: SearchIndex, rules: KeywordRules) -> None:
    assert isinstance(answer_text("anyone up for lunch?", index, rules, private=True), FallbackAnswer)
    assert answer_text("anyone up for lunch?", index, rules, private=False) is None


def test_paper_command_answers(index: SearchIndex) -> None:
    assert isinstance(answer_query("gptq", index), PaperAnswer)
    assert isinstance(answer_query("bitcoin", index), NotFound)
    assert isinstance(answer_query("tool", index), ChoiceAnswer | PaperAnswer)


def test_intents_are_data() -> None:
    assert match_intent("Medusa 是谁发表的") == ("who", "Medusa")
    assert match_intent("just some words") is None


def test_keyword_rules_validate_with_lines(tmp_path: Path) -> None:
    from bot.yamlfile import DataError

    path = tmp_path / "k.yaml"
    path.write_text("rules:\n  - id: a\n    keywords: [x]\n    replies:\n      - {paper: nope}\n", encoding="utf-8")
    with pytest.raises(DataError) as info:
        load_keywords(path, paper_ids=["medusa"])
    assert str(info.value.problems[0]) == f"{path}:5: unknown paper 'nope'"
