"""End to end: the real `paperbot run` process, over HTTP, against a rule-enforcing Bot API server."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.botapi import BOT, BotAPIServer

pytestmark = [pytest.mark.asyncio, pytest.mark.e2e]
TOKEN = "987654321:AAE2eTestTokenNeverLoggedAnywhere123"
ANN = {"id": 555, "is_bot": False, "first_name": "Ann", "language_code": "en"}
PRIVATE = {"id": 555, "type": "private", "first_name": "Ann"}
GROUP = {"id": -100777, "type": "supergroup", "title": "Readers"}


def message(text: str, chat: dict[str, Any] = PRIVATE, **extra: Any) -> dict[str, Any]:
    msg: dict[str, Any] = {"message_id": int(time.time() * 1000) % 1_000_000, "date": int(time.time()),
                           "chat": chat, "from": ANN, "text": text, **extra}
    if text.startswith("/"):
        msg["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    return {"message": msg}


@pytest.fixture()
async def server() -> AsyncIterator[BotAPIServer]:
    api = BotAPIServer(TOKEN)
    await api.start()
    yield api
    await api.stop()


@pytest.fixture()
async def bot(server: BotAPIServer, tmp_path: Path) -> AsyncIterator[subprocess.Popen[str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "PAPERBOT_", "WEBHOOK_"))}
    env.update(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=server.base_url, PAPERBOT_LOG_LEVEL="DEBUG",
               PAPERBOT_CACHE_DIR=str(tmp_path / "cache"), PYTHONUNBUFFERED="1")
    log = (tmp_path / "bot.log").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "bot", "run"], env=env, cwd=tmp_path, stdout=log,
                            stderr=subprocess.STDOUT, text=True)
    try:
        await server.wait_for("setMyCommands", count=2, timeout=30)
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        text = (tmp_path / "bot.log").read_text()
        assert TOKEN not in text, "the token leaked into the logs"
        assert TOKEN.split(":")[1] not in text


async def test_a_real_conversation(server: BotAPIServer, bot: subprocess.Popen[str]) -> None:
    commands = [p for m, p in server.calls if m == "setMyCommands"]
    assert {c["commands"][0]["command"] for c in commands} == {"paper"}

    server.push(message("/start"))
    [welcome] = await server.wait_for("sendMessage")
    assert "26" in welcome["text"]

    server.push(message("/paper medusa"))
    [card] = await server.wait_for("sendMessage")
    assert "2401.10774" in card["text"] and card["parse_mode"] == "HTML"
    data = [b.get("callback_data") for row in card["reply_markup"]["inline_keyboard"] for b in row]
    assert "abs:medusa" in data

    server.push({"callback_query": {"id": "1", "from": ANN, "chat_instance": "c", "data": "abs:medusa",
                                    "message": {"message_id": 10, "date": int(time.time()), "chat": PRIVATE,
                                                "from": BOT, "text": "card"}}})
    [edited] = await server.wait_for("editMessageText")
    assert "Medusa-1" in edited["text"]

    server.push(message("LLM论文"))
    [doc] = await server.wait_for("sendDocument")
    assert doc["document"]["filename"].endswith(".zip") and doc["document"]["bytes"] > 1000

    server.push(message("which paper released PRM800K"))
    [answer] = await server.wait_for("sendMessage")
    assert "Let’s Verify Step by Step" in answer["text"]

    server.push(message("/paper <b>unclosed & <script>"))
    [escaped] = await server.wait_for("sendMessage")
    assert "&lt;script&gt;" in escaped["text"]

    server.push(message("medusa " * 2000))
    await server.wait_for("sendMessage")

    server.push({"inline_query": {"id": "iq", "from": ANN, "query": "flash attention", "offset": ""}})
    [inline] = await server.wait_for("answerInlineQuery")
    assert inline["results"][0]["id"] == "flashattention-2"

    assert server.errors == [], server.errors
    assert bot.poll() is None


async def test_a_group_conversation(server: BotAPIServer, bot: subprocess.Popen[str]) -> None:
    server.push(message("/paper@PaperE2EBot gptq", GROUP))
    [card] = await server.wait_for("sendMessage")
    assert "GPTQ" in card["text"] and card["reply_parameters"]["message_id"] > 0

    server.push(message("anyone up for lunch?", GROUP))
    server.push(message("/list agent", GROUP))
    [listing] = await server.wait_for("sendMessage")
    assert "Gorilla" in listing["text"]  # the chatter before it got no reply
    assert len([m for m, _ in server.calls if m == "sendMessage"]) == 2

    server.push(message("谢谢", GROUP))
    await server.wait_for("sendMessage")
    server.push(message("谢谢", GROUP))
    server.push(message("@PaperE2EBot Medusa 是谁发表的", GROUP))
    [who] = await server.wait_for("sendMessage")
    assert "普林斯顿" in who["text"]  # and the second 谢谢 was held back by the cooldown
    assert server.errors == []


async def test_refused_calls_never_stop_the_bot(server: BotAPIServer, bot: subprocess.Popen[str]) -> None:
    original = server._check
    server._check = lambda method, params: "forced failure" if method == "sendMessage" else original(method, params)  # type: ignore[method-assign]
    server.push(message("/paper medusa"))
    await server.wait_for("sendMessage")
    await asyncio.sleep(0.3)
    server._check = original  # type: ignore[method-assign]
    server.errors.clear()
    server.push(message("/paper gptq"))
    [card] = await server.wait_for("sendMessage")
    assert "GPTQ" in card["text"] and bot.poll() is None
