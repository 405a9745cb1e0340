"""A reader's /lang choice wins over the language of each message, and survives a restart."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import Settings
from bot.telegram.local import LocalBot

pytestmark = pytest.mark.asyncio


async def text_of(bot: LocalBot, message: str) -> str:
    return next(c.params["text"] for c in await bot.say(message) if c.method == "sendMessage")


async def test_lang_en_then_chinese_messages_get_english_even_after_a_restart(settings: Settings, tmp_path: Path) -> None:
    cfg = settings.model_copy(update={"database_url": f"sqlite:///{tmp_path / 'readers.sqlite3'}"})
    async with LocalBot(cfg) as bot:
        english, chinese = await text_of(bot, "medusa"), await text_of(bot, "美杜莎")
        assert english != chinese                                   # unchosen, each message picks its language
        await bot.say("/lang en")
        assert await text_of(bot, "美杜莎") == english                # the same card as for an English message
        assert "was published by" in await text_of(bot, "它是谁发表的")
    async with LocalBot(cfg) as bot:                                # a restart reads the choice from the store
        assert await text_of(bot, "美杜莎") == english
        await bot.say("/lang auto")
        assert await text_of(bot, "美杜莎") == chinese
