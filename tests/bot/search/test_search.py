"""Search: normalisation, exact names, typo repair, the confidence verdict, negatives, robustness."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.search.engine import SearchIndex, search
from bot.search.lookup import allowed_edits
from bot.text import compact, normalise, tokens

BENCH = Path(__file__).resolve().parents[3] / "benchmarks" / "queries.tsv"


@pytest.mark.parametrize(("raw", "normal"), [
    ("FlashAttention-2", "flashattention 2"),
    ("ＬＬａＶＡ", "llava"),
    ("數據配比", "数据配比"),
    ("LLaVA v1.5", "llava 1.5"),
    ("llama two", "llama 2"),
    ("Let’s Verify", "lets verify"),
    ("Medusa是谁发表的", "medusa 是谁发表的"),
    ("a\u200db\u202e", "ab"),
    ("", ""),
])
def test_normalise(raw: str, normal: str) -> None:
    assert normalise(raw) == normal


def test_compact_forms_meet() -> None:
    assert compact("flash-attn2") == compact("flashattn 2") == "flashattn2"
    assert compact("llava1.5") == compact("llava 1.5")


def test_tokens_are_words_and_chinese_bigrams() -> None:
    assert tokens(normalise("投机解码 for LLM")) == ["投机", "机解", "解码", "llm"]
    assert tokens("量") == ["量"]


@pytest.mark.parametrize(("query", "paper_id"), [
    ("medusa", "medusa"), ("美杜莎", "medusa"), ("2401.10774", "medusa"), ("fa2", "flashattention-2"),
    ("moe", "mixtral"), ("llava 1.5", "llava-1-5"), ("LLaVA-1.5", "llava-1-5"), ("通義千問VL", "qwen-vl"),
    ("prm800k", "lets-verify-step-by-step"), ("kosmos 2", "kosmos-2"), ("code-llama", "code-llama"),
])
def test_names_and_aliases_answer_exactly(index: SearchIndex, query: str, paper_id: str) -> None:
    result = search(query, index)
    assert result.verdict == "answer" and result.best and result.best.id == paper_id


@pytest.mark.parametrize(("query", "paper_id"), [
    ("gorrilla", "gorilla"), ("cogagnet", "cogagent"), ("specualtive decoding", "speculative-decoding"),
    ("medsua", "medusa"), ("mixtrl", "mixtral"), ("flashatention 2", "flashattention-2"),
])
def test_typos_are_repaired(index: SearchIndex, query: str, paper_id: str) -> None:
    result = search(query, index)
    assert result.hits and result.hits[0].paper.id == paper_id


def test_edit_budget_scales_with_word_length() -> None:
    assert [allowed_edits("x" * n) for n in (2, 3, 4, 7, 8, 12)] == [0, 0, 1, 1, 2, 2]


def test_short_queries_never_match_fuzzily(index: SearchIndex) -> None:
    assert search("xyz", index).verdict == "none"
    assert search("fa3", index).verdict == "none"  # one letter from fa2, but too short to guess
    prefix = search("blip", index)
    assert prefix.best and prefix.best.id == "blip-2"


@pytest.mark.parametrize(("query", "paper_id"), [
    ("how to train an LLM on a 100k budget", "flm-101b"),
    ("visual language model for gui agents", "cogagent"),
    ("美杜莎 推理加速", "medusa"),
    ("用MLP进行对齐", "llava-1-5"),
])
def test_descriptions_find_the_paper(index: SearchIndex, query: str, paper_id: str) -> None:
    result = search(query, index)
    assert result.verdict == "answer" and result.best and result.best.id == paper_id


def test_an_ambiguous_query_asks(index: SearchIndex) -> None:
    result = search("llama", index)  # an alias of exactly one paper: answered
    assert result.verdict == "answer"
    result = search("speculative", index)  # one word two papers share: did you mean one of them?
    assert result.verdict == "ambiguous"
    assert {h.paper.id for h in result.hits[:2]} == {"speculative-decoding", "specinfer"}


@pytest.mark.parametrize("query", ["bitcoin price", "你好", "stable diffusion", "吃了吗", "gpt-4 technical report",
                                   "weather in beijing", "", "   ", "!!!", "的"])
def test_unrelated_queries_find_nothing(index: SearchIndex, query: str) -> None:
    result = search(query, index)
    assert result.verdict == "none" and result.hits == ()


def test_quality_on_the_benchmark_set(index: SearchIndex) -> None:
    rows = [line.split("\t") for line in BENCH.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]
    positives = [(q, e.strip()) for q, e in rows if e.strip() != "-"]
    negatives = [q for q, e in rows if e.strip() == "-"]
    hits = sum(1 for q, e in positives if (r := search(q, index)).hits and r.hits[0].paper.arxiv in e.split(","))
    assert hits / len(positives) >= 0.97, f"hit@1 {hits}/{len(positives)}"
    assert all(not search(q, index).hits for q in negatives)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=2000))
def test_no_string_makes_search_raise(index: SearchIndex, text: str) -> None:  # type: ignore[misc]
    result = search(text, index)
    assert result.verdict in ("answer", "ambiguous", "none")


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=500))
def test_binary_garbage_is_harmless(index: SearchIndex, raw: bytes) -> None:  # type: ignore[misc]
    search(raw.decode("utf-8", errors="replace"), index)
    search(raw.decode("latin-1"), index)


@pytest.mark.parametrize(("raw", "clean"), [
    ("\x1b[31mmedusa\x1b[0m", "medusa"), ("gp\x00tq", "gptq"), ("a\x07b\tc\nd", "ab\tc\nd"), ("\x9bx", "x"),
])
def test_control_characters_and_escape_sequences_are_dropped_on_input(raw: str, clean: str) -> None:
    from bot.text import clean_input

    assert clean_input(raw) == clean
