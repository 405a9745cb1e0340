"""End to end: the real `paperbot run` process, over HTTP, against a rule-enforcing Bot API server."""

from __future__ import annotations

import asyncio
import subprocess
import time

import pytest

from tests.e2e.botapi import BOT, BotAPIServer
from tests.e2e.conftest import ANN, GROUP, PRIVATE, message

pytestmark = [pytest.mark.asyncio, pytest.mark.e2e]
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
    assert "abs:medusa|en" in data

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
    assert "Let's Verify Step by Step" in answer["text"]  # the title as arXiv writes it
    assert answer["text"].startswith("📌") and "<b>PRM800K</b>" in answer["text"].split("\n\n")[0]  # the line first

    server.push(message("GPT-4 的论文在不在"))
    [absent] = await server.wait_for("sendMessage")
    assert "不在这个目录里" in absent["text"] and "arxiv.org/abs" not in absent["text"]  # not GPTQ's card

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

    server.push(message("谢谢", GROUP))  # chatter: a thank-you to the group is not for the bot
    server.push(message("LLM论文", GROUP))
    await server.wait_for("sendDocument")
    server.push(message("LLM论文", GROUP))
    server.push(message("@PaperE2EBot Medusa 是谁发表的", GROUP))
    [who] = await server.wait_for("sendMessage")
    assert "普林斯顿" in who["text"]  # and the second LLM论文 was held back by the cooldown
    assert len([m for m, _ in server.calls if m == "sendDocument"]) == 1
    assert len([m for m, _ in server.calls if m == "sendMessage"]) == 4  # card, list, bundle text, answer
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
