"""Asking for recommendations in words, also with slips; anything that names more is not one."""

from __future__ import annotations

import pytest

from bot.conversation.answer import ForYouAnswer, answer_text
from bot.conversation.foryou import asks_for_you
from bot.conversation.library import Library

ASKS = [
    "推荐几篇",
    "推荐几篇论文吧",
    "给我推荐一下",
    "有什么推荐的论文吗",
    "我接下来该读什么",
    "下一篇看什么",
    "推薦幾篇",
    "recommend me something",
    "Recommend me something!",
    "what should I read next?",
    "what to read next",
    "any recommendations?",
    "suggest a paper",
    "recommendations please",
    "for you",
    "recomend me somthing",
    "reccomend some papers",
    "waht shuold i read next",
    "what shoud I raed next",
]
NOT = [
    "recommend papers like medusa",
    "推荐几篇多模态的论文",
    "what is medusa",
    "medusa",
    "papers similar to specinfer",
    "what should i read about speculative decoding",
    "next",
    "下一页",
    "what next",
    "谢谢",
    "who published mixtral",
    "text",
    "read",
    "这篇讲了什么",
]


@pytest.mark.parametrize("text", ASKS)
def test_requests_for_recommendations(text: str, library: Library) -> None:
    assert asks_for_you(text)
    assert answer_text(text, library, private=True) == ForYouAnswer()


@pytest.mark.parametrize("text", NOT)
def test_messages_that_ask_something_else(text: str, library: Library) -> None:
    assert not asks_for_you(text)
    assert not isinstance(answer_text(text, library, private=True), ForYouAnswer)


def test_unaddressed_group_chatter_is_no_request(library: Library) -> None:
    assert answer_text("推荐几篇", library, private=False, addressed=False) is None
