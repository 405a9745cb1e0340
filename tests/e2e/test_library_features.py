"""End to end: ⭐ saves turned into recommendations (/foryou) and files a reference manager
imports (/saved ris, /saved csl), through the real `paperbot run` and a local Bot API server."""

from __future__ import annotations

import subprocess
import time

import pytest

from tests.e2e.botapi import BOT, BotAPIServer
from tests.e2e.conftest import ANN, PRIVATE, message

pytestmark = [pytest.mark.asyncio, pytest.mark.e2e]


def press(data: str) -> dict[str, object]:
    return {
        "callback_query": {
            "id": str(time.time_ns()),
            "from": ANN,
            "chat_instance": "c",
            "data": data,
            "message": {"message_id": 10, "date": int(time.time()), "chat": PRIVATE, "from": BOT, "text": "card"},
        }
    }


async def test_saves_become_recommendations_and_files(server: BotAPIServer, bot: subprocess.Popen[str]) -> None:
    server.push(message("/foryou"))
    [empty] = await server.wait_for("sendMessage")
    assert "Press ⭐" in empty["text"]

    for paper in ("medusa", "gemini"):
        server.push(press(f"save:{paper}|en"))
        await server.wait_for("answerCallbackQuery")
    server.push(message("recommend me something"))
    [picks] = await server.wait_for("sendMessage")
    assert "For you" in picks["text"] and picks["text"].count("close to your saved") == 3
    data = [b.get("callback_data") for row in picks["reply_markup"]["inline_keyboard"] for b in row]
    assert "fy::1|en" in data

    server.push(message("/saved ris"))
    [ris] = await server.wait_for("sendDocument")
    assert ris["document"]["filename"] == "saved.ris" and ris["document"]["bytes"] > 500
    server.push(message("/saved csl"))
    [csl] = await server.wait_for("sendDocument")
    assert csl["document"]["filename"] == "saved.json" and csl["document"]["bytes"] > 500
