"""/foryou through the real handlers: featured papers and a hint without saves; with saves,
three unsaved papers a page, each naming the saved paper it is close to, Prev/Next editing the
message, in the reader's language."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.render.reply import MAX_CALLBACK
from bot.settings import Settings
from bot.telegram.local import Call, LocalBot
from tests.handlers.test_readers import press, texts

pytestmark = pytest.mark.asyncio


@pytest.fixture()
async def bot(settings: Settings) -> AsyncIterator[LocalBot]:
    async with LocalBot(settings) as local:
        yield local


def buttons(call: Call) -> list[dict[str, Any]]:
    markup = call.params.get("reply_markup") or {}
    markup = json.loads(markup) if isinstance(markup, str) else markup
    return [b for row in markup.get("inline_keyboard", []) for b in row]


def sent(calls: list[Call]) -> Call:
    [call] = [c for c in calls if c.method in ("sendMessage", "editMessageText")]
    return call


async def test_without_saves_the_digests_picks_and_how_to_save(bot: LocalBot) -> None:
    reply = sent(await bot.say("/foryou"))
    assert "Press ⭐" in reply.params["text"] and "Medusa" in reply.params["text"]
    assert [b["text"] for b in buttons(reply)][:1] == ["Medusa"]
    zh = sent(await bot.say("推荐几篇"))
    assert "点卡片上的 ⭐" in zh.params["text"]


async def test_saves_give_three_close_unsaved_papers_a_page(bot: LocalBot) -> None:
    for paper in ("medusa", "gemini"):
        await bot.process(press(f"save:{paper}"))
    reply = sent(await bot.say("recommend me something"))
    text = reply.params["text"]
    assert text.startswith("✨ For you: papers close to your 2 saved")
    lines = [line for line in text.split("\n") if re.match(r"\d+\. ", line)]
    assert len(lines) == 3 and not any("Medusa:" in line or "Gemini:" in line for line in lines)  # never a save
    assert "1. <b>SpecInfer" in text and text.count("↳ close to your saved <b>") == 3
    assert "close to your saved <b>Medusa</b>" in text
    data = [b["callback_data"] for b in buttons(reply) if "callback_data" in b]
    assert all(len(d.encode()) <= MAX_CALLBACK for d in data) and "fy::1|en" in data
    assert texts([reply]) and len(text) < 4096
    page2 = sent(await bot.process(press("fy::1|en")))
    assert page2.method == "editMessageText" and "4. <b>" in page2.params["text"] and "page 2/" in page2.params["text"]
    assert "close to your saved <b>Gemini</b>" in text + page2.params["text"]  # each save finds its own


async def test_in_chinese_and_from_a_typo(bot: LocalBot) -> None:
    await bot.process(press("save:gptq"))
    zh = sent(await bot.say("推荐几篇"))
    assert "为你推荐" in zh.params["text"] and "与你收藏的 <b>GPTQ</b> 相近" in zh.params["text"]
    assert "fy::1|zh" in [b.get("callback_data") for b in buttons(zh)]
    en = sent(await bot.say("waht shuold i read next"))
    assert "For you" in en.params["text"]


async def test_a_store_that_is_down_says_try_again(bot: LocalBot, monkeypatch: pytest.MonkeyPatch) -> None:
    store = bot.state.store
    assert store is not None

    async def broken(user_id: int) -> list[str]:
        raise OSError("database is down")

    monkeypatch.setattr(store, "saved", broken)
    assert "try again later" in sent(await bot.say("/foryou")).params["text"]


async def test_help_and_the_command_menu_name_it(bot: LocalBot) -> None:
    from bot.telegram.app import MENU

    assert "foryou" in MENU
    assert "/foryou" in sent(await bot.say("/help")).params["text"]
    zh = sent(await bot.say("怎么用")).params["text"]
    assert "/foryou" in zh and "/saved ris" in zh
