"""The one normal form of a text: each derived form agrees with the function it stands for, and
a message is normalised once on its way through understanding and search."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import bot.text
from bot.conversation.library import Library
from bot.conversation.understand import understand
from bot.search.engine import SearchIndex, search
from bot.text import Normal, is_cjk, normalise, squeeze, tokens, word_spans, words


@given(st.text(max_size=60))
def test_every_derived_form_agrees_with_its_function(raw: str) -> None:
    q = Normal.of(raw)
    assert q.text == normalise(raw)
    assert list(q.spans) == word_spans(q.text)
    assert list(q.words) == words(q.text)
    assert list(q.tokens) == tokens(q.text)
    assert q.compact == squeeze(q.text)
    assert (q.script == "latin") == (not is_cjk(q.text))


@pytest.mark.parametrize(("raw", "script"), [
    ("FlashAttention-2", "latin"), ("投机解码", "cjk"), ("Medusa是谁发表的", "mixed"), ("", "latin"),
])
def test_script(raw: str, script: str) -> None:
    assert Normal.of(raw).script == script


@pytest.fixture()
def counted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every text normalised or split into words from here on (`normalise` is cached, so its
    callers are counted, not its cache misses)."""
    calls: list[str] = []
    normalise_, spans_ = bot.text.normalise, bot.text.word_spans

    def normalise_counted(text: str) -> str:
        calls.append(text)
        return normalise_(text)

    def spans_counted(text: str) -> list[tuple[int, int, str]]:
        calls.append(text)
        return spans_(text)

    monkeypatch.setattr(bot.text, "normalise", normalise_counted)
    monkeypatch.setattr(bot.text, "word_spans", spans_counted)
    return calls


@pytest.mark.parametrize("query", ["speculative decoding", "flash atention 2", "lamma", "投机解码 的论文"])
def test_search_normalises_the_query_once(index: SearchIndex, counted: list[str], query: str) -> None:
    search(query, index)
    assert len(counted) == 2  # normalised once, split once


def test_understanding_normalises_a_message_once(library: Library, counted: list[str]) -> None:
    # The residual piece "lamma" is searched: a text of its own, already in the normal form.
    request = understand("Lamma vs Medusa", library.index, library.gazetteer)
    assert request.intent == "compare"
    assert counted == ["lamma vs medusa", "lamma vs medusa", "lamma"]  # normalised, split; the piece split
