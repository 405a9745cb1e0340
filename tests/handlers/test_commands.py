"""Commands as a new reader meets them: /help lists every one, /list says when a date cannot be."""

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


@pytest.mark.parametrize(("arg", "line"), [
    ("2023-13", "There is no date “2023-13”: months run from 1 to 12"),
    ("2023年13月", "没有「2023年13月」这个日期"),
    ("2023-00", "There is no date “2023-00”"),
])
async def test_an_impossible_month_gets_a_clear_line_not_a_list(settings: Settings, arg: str, line: str) -> None:
    async with LocalBot(settings) as bot:
        [reply] = [c for c in await bot.say(f"/list {arg}") if c.method == "sendMessage"]
        assert line in reply.params["text"] and "reply_markup" not in reply.params   # no list, no pages
        [december] = [c for c in await bot.say("/list 2023-12") if c.method == "sendMessage"]
        assert "<b>2023-12</b> (3 papers)" in december.params["text"]
