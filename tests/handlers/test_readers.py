"""Readers' saves, follows, language and privacy through the real handlers (store in memory)."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.settings import Settings
from bot.store.records import MAX_SUBSCRIPTIONS
from bot.telegram.local import BOT_USER, PRIVATE_CHAT, USER, Call, LocalBot
from tests.html_rules import html_problem

pytestmark = pytest.mark.asyncio


@pytest.fixture()
async def bot(settings: Settings) -> AsyncIterator[LocalBot]:
    async with LocalBot(settings) as local:
        yield local


def texts(calls: list[Call]) -> list[str]:
    out = [c.params.get("text", "") for c in calls if c.method == "sendMessage"]
    assert all(html_problem(t) is None for t in out)
    return out


def button_labels(call: Call) -> list[str]:
    markup = call.params.get("reply_markup") or {}
    markup = json.loads(markup) if isinstance(markup, str) else markup
    return [b["text"] for row in markup.get("inline_keyboard", []) for b in row]


def press(data: str, markup: dict[str, Any] | None = None) -> dict[str, Any]:
    message = {"message_id": 9, "date": int(time.time()), "chat": PRIVATE_CHAT, "from": BOT_USER, "text": "…"}
    if markup is not None:
        message["reply_markup"] = markup
    return {"update_id": int(time.time() * 1000) % 10**9, "callback_query": {
        "id": "cb", "from": USER, "chat_instance": "x", "data": data, "message": message}}


async def test_the_star_saves_and_unsaves_and_cards_show_the_state(bot: LocalBot) -> None:
    [card] = [c for c in await bot.say("/paper medusa") if c.method == "sendMessage"]
    assert "⭐ Save" in button_labels(card)
    markup = json.loads(card.params["reply_markup"]) if isinstance(card.params["reply_markup"], str) \
        else card.params["reply_markup"]
    calls = await bot.process(press("save:medusa", markup))
    [answer] = [c for c in calls if c.method == "answerCallbackQuery"]
    assert "Saved" in answer.params["text"]
    [edit] = [c for c in calls if c.method == "editMessageReplyMarkup"]
    assert "★ Saved" in button_labels(edit)
    again = next(c for c in await bot.say("/paper medusa") if c.method == "sendMessage")
    assert "★ Saved" in button_labels(again)                         # a later card knows
    assert "Medusa" in texts(await bot.say("/saved"))[0]
    calls = await bot.process(press("save:medusa", markup))
    assert "Removed" in next(c for c in calls if c.method == "answerCallbackQuery").params["text"]
    assert "Nothing saved yet" in texts(await bot.say("/saved"))[0]


async def test_saved_bib_is_a_file_of_real_citations(bot: LocalBot) -> None:
    await bot.process(press("save:gptq"))
    await bot.process(press("save:medusa"))
    [doc] = [c for c in await bot.say("/saved bib") if c.method == "sendDocument"]
    assert doc.files["document"][0] == "saved.bib" and doc.files["document"][1] > 300


async def test_forged_or_stale_star_is_answered_and_ignored(bot: LocalBot) -> None:
    for data in ("save:no-such-paper", "save:", "save:" + "x" * 80):
        calls = await bot.process(press(data))
        assert [c.method for c in calls] == ["answerCallbackQuery"]
    assert "Nothing saved yet" in texts(await bot.say("/saved"))[0]


async def test_follow_sections_orgs_authors_topics_and_nonsense(bot: LocalBot) -> None:
    assert "Following “Agents and tools”" in texts(await bot.say("/subscribe agent"))[0]
    assert "已关注「谷歌」" in texts(await bot.say("/subscribe 谷歌"))[0]
    assert "Following “Tri Dao”" in texts(await bot.say("/subscribe Tri Dao"))[0]
    assert "Following “speculative decoding”" in texts(await bot.say("/subscribe speculative decoding"))[0]
    assert "already follow" in texts(await bot.say("/subscribe agent"))[0]
    assert "Nothing in the catalog matches" in texts(await bot.say("/subscribe bitcoin price"))[0]
    assert "Usage" in texts(await bot.say("/subscribe"))[0]
    listing = texts(await bot.say("/subscriptions"))[0]
    assert listing.count("\n") == 4 and "section: <b>Agents and tools</b>" in listing
    assert texts(await bot.say("/unsubscribe 谷歌"))[0] == "已取消关注「谷歌」。"
    assert texts(await bot.say("/unsubscribe 1"))[0] == "Stopped following “Agents and tools”."   # named, not "1"
    assert "No such follow" in texts(await bot.say("/unsubscribe quantum chemistry"))[0]
    assert texts(await bot.say("/unsubscribe"))[0] == "Stopped following all 2: “Tri Dao”, “speculative decoding”."
    assert "follow nothing yet" in texts(await bot.say("/subscriptions"))[0]


async def test_more_than_the_limit_is_refused_politely(bot: LocalBot) -> None:
    store = bot.state.store
    assert store is not None
    from bot.store.records import Subscription

    for n in range(MAX_SUBSCRIPTIONS):
        await store.subscribe(Subscription(USER["id"], PRIVATE_CHAT["id"], "topic", f"t{n}", f"t{n}"))
    assert f"{MAX_SUBSCRIPTIONS} things already" in texts(await bot.say("/subscribe agent"))[0]


async def test_a_list_of_one_section_has_a_follow_button(bot: LocalBot) -> None:
    [listing] = [c for c in await bot.say("/list agent") if c.method == "sendMessage"]
    assert "🔔 Follow" in button_labels(listing)
    calls = await bot.process(press("sub:s=agent"))
    assert any("Following “Agents and tools”" in t for t in texts(calls))


async def test_lang_choice_is_kept_and_forget_deletes_everything(bot: LocalBot) -> None:
    assert "English" in texts(await bot.say("/lang en"))[0]
    card = texts(await bot.say("美杜莎"))[0]
    assert "Multiple Decoding Heads" in card and "发表" not in card     # English, though asked in Chinese
    assert "中文" in texts(await bot.say("/lang zh"))[0]
    assert "由" in texts(await bot.say("who wrote medusa"))[0]          # Chinese, though asked in English
    await bot.process(press("save:gptq"))
    await bot.say("/subscribe agent")
    forgot = texts(await bot.say("/forget"))[0]
    assert "（3 条）" in forgot                                          # still in the chosen language
    await bot.say("/lang en")
    assert "(1 record)" in texts(await bot.say("/forget"))[0]          # the /lang choice itself, one record
    assert "Nothing saved yet" in texts(await bot.say("/saved"))[0]
    assert "follow nothing yet" in texts(await bot.say("/subscriptions"))[0]
    assert "Usage" in texts(await bot.say("/lang fr"))[0]
    assert "anonymous" in texts(await bot.say("/privacy"))[0]
