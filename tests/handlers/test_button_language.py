"""A button answers in the language of the message it is on, whatever the reader's Telegram language."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.settings import Settings
from bot.telegram.local import USER, LocalBot, Shown, _callback_update, pressable, replies_of

pytestmark = pytest.mark.asyncio


@pytest.fixture()
async def bot(settings: Settings) -> AsyncIterator[LocalBot]:
    async with LocalBot(settings) as local:
        yield local


async def card_of(bot: LocalBot, text: str, language_code: str | None = None) -> Shown:
    return [c.shown for c in await bot.say(text, language_code=language_code) if c.shown is not None][-1]


async def press(bot: LocalBot, card: Shown, verb: str,
                language_code: str | None = None) -> tuple[list[dict], str]:  # type: ignore[type-arg]
    data = next(d for d in pressable(card) if d.startswith(verb + ":"))
    update = _callback_update(data, False, 1, card)
    if language_code:
        update["callback_query"]["from"] = {**USER, "language_code": language_code}
    calls = await bot.process(update)
    toast = next((c.params.get("text", "") for c in calls if c.method == "answerCallbackQuery"), "")
    return replies_of(calls), toast


async def test_the_buttons_of_a_chinese_card_answer_in_chinese(bot: LocalBot) -> None:
    card = await card_of(bot, "美杜莎")                        # Chinese, from a reader with no Telegram language
    [expanded], _ = await press(bot, card, "abs")
    assert "收起" in str(expanded["buttons"]) and "Less" not in str(expanded["buttons"])
    [near], _ = await press(bot, card, "sim")
    assert "与 <b>Medusa</b> 内容相近的论文" in near["text"]
    [starred], toast = await press(bot, card, "save")
    assert toast.startswith("已收藏") and "★ 已收藏" in str(starred["buttons"])
    [picked], _ = await press(bot, near_as_shown(near, card), "pick")     # a paper of the Chinese list
    assert "📚 端侧" in picked["text"] and "摘要" in str(picked["buttons"])


async def test_the_buttons_of_an_english_card_answer_in_english_for_a_chinese_reader(bot: LocalBot) -> None:
    card = await card_of(bot, "/paper medusa", language_code="zh-hans")
    assert "Abstract" in str(card.markup)                      # the reader wrote English: an English card
    [expanded], _ = await press(bot, card, "abs", language_code="zh-hans")
    assert "Less" in str(expanded["buttons"]) and "收起" not in str(expanded["buttons"])


async def test_a_chinese_list_pages_in_chinese(bot: LocalBot) -> None:
    listing = await card_of(bot, "/list 2023年")
    assert "第 1/" in listing.text
    [page], _ = await press(bot, listing, "ls")
    assert "第 2/" in page["text"] and "page" not in page["text"]


def near_as_shown(reply: dict, like: Shown) -> Shown:  # type: ignore[type-arg]
    """A reply of `replies_of` as the message it is (for pressing its buttons)."""
    rows = [[{"text": b["text"], "callback_data": b["data"]} for b in row if b["data"]] for row in reply["buttons"]]
    return Shown(like.chat_id, like.message_id + 1, reply["text"], reply["parse_mode"], {"inline_keyboard": rows})
