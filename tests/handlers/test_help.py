"""/help lists every command a reader can use, in both languages (the menu is built from the same handlers)."""

from __future__ import annotations

import re

import pytest
from telegram.ext import CommandHandler

from bot.settings import Settings
from bot.telegram.local import LocalBot

pytestmark = pytest.mark.asyncio


@pytest.mark.parametrize("language_code", ["en", "zh"])
async def test_help_names_every_command_but_the_admins(settings: Settings, language_code: str) -> None:
    async with LocalBot(settings) as bot:
        commands = [h.commands for group in bot.app.handlers.values() for h in group
                    if isinstance(h, CommandHandler) and h.callback.__module__ != "handlers.admin"]
        [reply] = [c for c in await bot.say("/help", language_code=language_code) if c.method == "sendMessage"]
    named = set(re.findall(r"/([a-z_]+)", reply.params["text"]))
    assert len(commands) >= 13
    missing = [sorted(names) for names in commands if not names & named]   # one of each command's names
    assert missing == []
    assert "/reload" not in reply.params["text"] and len(reply.params["text"]) < 4096
