"""Two `paperbot run` replicas in webhook mode on one PostgreSQL, against the local Bot API
server: what a reader does through one is seen by the other, a cooldown holds across both,
the bundle is uploaded once, and a new paper is pushed once in total."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.catalog.curate import entries_yaml, insert_papers
from tests.e2e.botapi import BotAPIServer
from tests.e2e.conftest import ANN, GROUP, PRIVATE, RunningBot, free_port, message, wait_for_port
from tests.postgres import fresh_database

pytestmark = [pytest.mark.asyncio, pytest.mark.e2e]
DATA = Path(__file__).resolve().parents[2] / "data"
SECRET = "replica-secret_1"


async def post(port: int, update: dict[str, Any]) -> None:
    async with aiohttp.ClientSession() as http, http.post(
            f"http://127.0.0.1:{port}/hook", data=json.dumps(update),
            headers={"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": SECRET}) as response:
        assert response.status == 200


def numbered(update: dict[str, Any]) -> dict[str, Any]:
    return dict(update, update_id=int(time.time() * 1000) % 10**9)


async def test_two_replicas_share_one_postgresql(server: BotAPIServer, tmp_path: Path, postgres_url: str) -> None:
    database = await fresh_database(postgres_url, "replicas")
    catalog = tmp_path / "papers.yaml"
    catalog.write_bytes((DATA / "papers.yaml").read_bytes())
    ports = [free_port(), free_port()]
    replicas = []
    for n, port in enumerate(ports):
        folder = tmp_path / f"replica{n}"
        folder.mkdir()
        replicas.append(RunningBot(server, folder, WEBHOOK_URL=f"http://127.0.0.1:{port}/hook",
                                   WEBHOOK_LISTEN="127.0.0.1", WEBHOOK_PORT=str(port), WEBHOOK_SECRET=SECRET,
                                   DATABASE_URL=database, PAPERBOT_CATALOG=str(catalog),
                                   PAPERBOT_RELOAD_INTERVAL="1"))
    try:
        await server.wait_for("setWebhook", count=2, timeout=40)
        for port in ports:
            await wait_for_port(port)
        a, b = ports

        # A follow made through A is listed by B.
        await post(a, numbered(message("/subscribe agent")))
        await server.wait_for("sendMessage", timeout=20)
        mark = server.mark()
        await post(b, numbered(message("/subscriptions")))
        [listing] = await server.wait_for("sendMessage", timeout=20, since=mark)
        assert "Agents and tools" in listing["text"]

        # A save made through A shows on B's cards.
        press = {"callback_query": {"id": "cb1", "from": ANN, "chat_instance": "x", "data": "save:medusa",
                                    "message": {"message_id": 5, "date": int(time.time()), "chat": PRIVATE,
                                                "text": "card"}}}
        mark = server.mark()
        await post(a, numbered(press))
        await server.wait_for("answerCallbackQuery", timeout=20, since=mark)
        mark = server.mark()
        await post(b, numbered(message("/paper medusa")))
        [card] = await server.wait_for("sendMessage", timeout=20, since=mark)
        labels = [x["text"] for row in card["reply_markup"]["inline_keyboard"] for x in row]
        assert "★ Saved" in labels

        # The group keyword's cooldown holds across both replicas; the bundle is uploaded once.
        mark = server.mark()
        await post(a, numbered(message("LLM论文", GROUP)))
        await server.wait_for("sendDocument", timeout=30, since=mark)
        await post(b, numbered(message("LLM论文", GROUP)))
        await asyncio.sleep(2)
        assert len([m for m, _ in server.calls[mark:] if m == "sendDocument"]) == 1
        mark = server.mark()
        await post(b, numbered(message("LLM论文")))
        [again] = await server.wait_for("sendDocument", timeout=30, since=mark)
        assert isinstance(again["document"], str)                   # B reused A's upload by file_id

        # A new paper in the shared catalog: both replicas reload, the follower gets one push.
        entry = {"id": "agentbench", "title": "AgentBench: Evaluating LLMs as Agents", "authors": ["Xiao Liu"],
                 "arxiv": "2308.03688", "date": "2023-08", "section": "agent", "orgs": ["tsinghua"]}
        mark = server.mark()
        catalog.write_text(insert_papers(catalog.read_text(encoding="utf-8"), str(catalog), entries_yaml([entry])),
                           encoding="utf-8")
        [push] = await server.wait_for("sendMessage", timeout=40, since=mark)
        assert "AgentBench" in push["text"] and int(push["chat_id"]) == PRIVATE["id"]
        await asyncio.sleep(7)                                       # past both replicas' next push runs
        pushes = [p for m, p in server.calls[mark:] if m == "sendMessage" and "AgentBench" in p.get("text", "")]
        assert len(pushes) == 1
        assert not server.errors
    finally:
        for replica in replicas:
            assert await asyncio.to_thread(replica.stop) == 0
