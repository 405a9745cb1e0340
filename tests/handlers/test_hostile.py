"""Hostile and odd input through the real handlers: a safe reply or silence, never a crash,
and every piece of HTML sent is valid under Telegram's rules."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.settings import Settings
from bot.telegram.local import BOT_USER, PRIVATE_CHAT, USER, Call, LocalBot
from tests.html_rules import html_problem

pytestmark = pytest.mark.asyncio

ODD = [
    "",
    " \t\n ",
    "x" * 100_000,
    "medusa " * 15_000,
    "\x00\x01\x02medusa\x7f",
    "\u202emedusa\u202c",               # right-to-left override
    "\u200f\u200e\u2067gptq\u2069",      # direction marks and isolates
    "me\u200ddu\u200dsa",                # zero-width joiners
    "👩‍👩‍👧‍👦🚀🔥",                             # emoji only
    "<script>alert(1)</script>",
    "<b>unclosed <i>tags & entities &amp; &#x27;",
    "*bold* _italic_ [link](http://x) `code` ```pre```",
    "/paper <a href='javascript:alert(1)'>x</a>",
    "/paper " + "\ufaff" * 50,
    "/list <b>",
    "/start " + "a" * 300,
    "@PaperLocalBot",
    "LLM论文" * 500,
]


@pytest.fixture()
async def bot(settings: Settings) -> AsyncIterator[LocalBot]:
    async with LocalBot(settings) as local:
        yield local


def assert_safe(calls: list[Call]) -> None:
    for call in calls:
        assert call.method in {"sendMessage", "sendDocument", "sendChatAction", "editMessageText",
                               "answerCallbackQuery", "answerInlineQuery"}, call.method
        for key in ("text", "caption"):
            text = call.params.get(key)
            if text is not None:
                assert len(text) <= 4096
                assert html_problem(text) is None, text[:200]
        markup = call.params.get("reply_markup") or {}
        markup = json.loads(markup) if isinstance(markup, str) else markup
        for row in markup.get("inline_keyboard", []):
            for button in row:
                assert button.get("url") or len(button["callback_data"].encode()) <= 64


@pytest.mark.parametrize("text", ODD, ids=range(len(ODD)))
@pytest.mark.parametrize("group", [False, True])
async def test_odd_messages(bot: LocalBot, text: str, group: bool) -> None:
    assert_safe(await bot.say(text, group=group))


async def test_stale_and_forged_callbacks(bot: LocalBot) -> None:
    for data in ("abs:gone", "ls:o=nobody:0", "ls:*:99999", "dg:2023-ai-core:-5", "pick:", ":::", "x" * 64,
                 "abs:medusa:extra:parts", "ls:m=2023-13:0"):
        update = {"update_id": 1, "callback_query": {
            "id": "1", "from": USER, "chat_instance": "c", "data": data,
            "message": {"message_id": 3, "date": int(time.time()), "chat": PRIVATE_CHAT, "from": BOT_USER, "text": "x"}}}
        calls = await bot.process(update)
        assert calls and calls[0].method == "answerCallbackQuery"
        assert_safe(calls)


async def test_a_256_character_inline_query(bot: LocalBot) -> None:
    update = {"update_id": 2, "inline_query": {"id": "q", "from": USER, "query": "medusa " * 36 + "<b>", "offset": ""}}
    calls = await bot.process(update)
    assert [c.method for c in calls] == ["answerInlineQuery"]
    results = calls[0].params["results"]
    for result in json.loads(results) if isinstance(results, str) else results:
        assert html_problem(result["input_message_content"]["message_text"]) is None


async def test_edited_messages_and_channel_posts_get_silence(bot: LocalBot) -> None:
    msg: dict[str, Any] = {"message_id": 5, "date": int(time.time()), "chat": PRIVATE_CHAT, "from": USER,
                           "text": "/paper medusa", "edit_date": int(time.time()),
                           "entities": [{"type": "bot_command", "offset": 0, "length": 6}]}
    assert await bot.process({"update_id": 3, "edited_message": msg}) == []
    channel = {"id": -1009, "type": "channel", "title": "News"}
    post = dict(msg, chat=channel)
    post.pop("from")
    post.pop("edit_date")
    assert await bot.process({"update_id": 4, "channel_post": post}) == []


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=300))
async def test_any_text_is_safe(settings: Settings, text: str) -> None:  # type: ignore[misc]
    async with LocalBot(settings) as local:
        assert_safe(await local.say(text))
        assert_safe(await local.say("/paper " + text))


async def test_a_lone_surrogate_gets_a_reply(bot: LocalBot) -> None:
    """JSON can carry `\\ud800`; no UTF-8 text can: OpenCC raised, and the reader got nothing."""
    for text in ("/paper \ud800medusa", "medusa \udfff 是谁发表的"):
        calls = await bot.say(text)
        assert_safe(calls)
        [reply] = [c.params["text"] for c in calls if c.method == "sendMessage"]
        assert "Medusa" in reply and not any("\ud800" <= ch <= "\udfff" for ch in reply)
