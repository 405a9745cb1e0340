"""The replies to "the thing asked for" through the real handlers: the entry and the abstract as
sent, and the abstract's page buttons editing the same message (#20)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.settings import Settings
from bot.telegram.local import LocalBot
from tests.handlers.test_handlers import assert_valid, buttons, callback, sent

pytestmark = pytest.mark.asyncio


@pytest.fixture()
async def bot(settings: Settings) -> AsyncIterator[LocalBot]:
    async with LocalBot(settings) as local:
        yield local


async def test_bibtex_and_abstract_requests_send_the_thing_itself(bot: LocalBot) -> None:
    [entry] = sent(await bot.say("cite gptq"))
    assert entry.params["text"].startswith("<pre>@misc{frantar2022gptq,")
    assert [b["callback_data"] for b in buttons(entry)] == ["pick:gptq|en"]
    [abstract] = sent(await bot.say("medusa 的摘要"))
    assert "典型" in abstract.params["text"] and "typical acceptance scheme" in abstract.params["text"]
    assert_valid([entry, abstract])


async def test_an_abstract_page_button_edits_the_message_in_place(bot: LocalBot) -> None:
    calls = await bot.process(callback("abp:kosmos-2:0|en"))
    assert [c.method for c in calls] == ["answerCallbackQuery", "editMessageText"]
    assert "Embodiment AI" in calls[-1].params["text"]
    assert_valid(calls)
    stale = await bot.process(callback("abp:no-such-paper:0|en"))
    assert [c.method for c in stale] == ["answerCallbackQuery"]
