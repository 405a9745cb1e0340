"""Two `paperbot run` replicas in webhook mode on one PostgreSQL, against the local Bot API
server: what a reader does through one is seen by the other, a cooldown holds across both,
the bundle is uploaded once, a new paper is pushed once in total, and a weekly roundup is
sent once across both and across a restart in the middle of its week."""

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


def replica(server: BotAPIServer, folder: Path, port: int, database: str, catalog: Path, **env: str) -> RunningBot:
    return RunningBot(server, folder, WEBHOOK_URL=f"http://127.0.0.1:{port}/hook", WEBHOOK_LISTEN="127.0.0.1",
                      WEBHOOK_PORT=str(port), WEBHOOK_SECRET=SECRET, DATABASE_URL=database,
                      PAPERBOT_CATALOG=str(catalog), PAPERBOT_RELOAD_INTERVAL="1", PAPERBOT_PUSH_INTERVAL="1", **env)


def logged(bots: list[RunningBot]) -> list[int]:
    """Where each replica's log stands now (see `runs_after`)."""
    return [len(bot.log_path.read_text()) for bot in bots]


async def runs_after(bots: list[RunningBot], marks: list[int], job: str) -> None:
    """Each replica has run `job` ("push" or "roundups") from start to end since its mark: two runs
    ended after it, so the second began after it (the first may have begun before)."""
    def done() -> bool:
        return all(bot.log_path.read_text()[mark:].count(f"{job}: run done") >= 2
                   for bot, mark in zip(bots, marks, strict=True))

    deadline = time.monotonic() + 30
    while not done():
        assert time.monotonic() < deadline, f"no two {job} runs on every replica within 30 s"
        await asyncio.sleep(0.05)


async def handled(database: str, update: dict[str, Any]) -> None:
    """A replica has handled this update: its journal row, durable before the webhook's 200, is closed."""
    import asyncpg

    conn = await asyncpg.connect(database)
    try:
        deadline = time.monotonic() + 20
        while await conn.fetchval("SELECT count(*) FROM journal WHERE update_id = $1", update["update_id"]):
            assert time.monotonic() < deadline, "the update was not handled within 20 s"
            await asyncio.sleep(0.05)
    finally:
        await conn.close()


async def collected(database: str) -> list[tuple[str, str | None]]:
    """The papers roundups collected, read straight from PostgreSQL: (paper, the period that took it)."""
    import asyncpg

    conn = await asyncpg.connect(database)
    try:
        return [(r["paper_id"], r["period"]) for r in await conn.fetch("SELECT paper_id, period FROM roundup_items")]
    finally:
        await conn.close()


async def restart(server: BotAPIServer, replicas: list[RunningBot], which: list[int], folders: list[Path],
                  ports: list[int], database: str, catalog: Path, **env: str) -> int:
    """Stop these replicas together, start them again (with `env`); the call-log mark from before they start."""
    codes = await asyncio.gather(*(asyncio.to_thread(replicas[n].stop) for n in which))
    assert list(codes) == [0] * len(which)
    mark = server.mark()
    for n in which:
        replicas[n] = replica(server, folders[n], ports[n], database, catalog, **env)
    await server.wait_for("setWebhook", count=len(which), timeout=40, since=mark)
    for n in which:
        await wait_for_port(ports[n])
    return mark


def sent_about(server: BotAPIServer, since: int, words: str) -> list[dict[str, Any]]:
    return [p for m, p in server.calls[since:] if m == "sendMessage" and words in p.get("text", "")]


async def test_two_replicas_share_one_postgresql(server: BotAPIServer, tmp_path: Path, postgres_url: str) -> None:
    database = await fresh_database(postgres_url, "replicas")
    catalog = tmp_path / "papers.yaml"
    catalog.write_bytes((DATA / "papers.yaml").read_bytes())
    ports = [free_port(), free_port()]
    folders = [tmp_path / "replica0", tmp_path / "replica1"]
    replicas = [replica(server, f, p, database, catalog) for f, p in zip(folders, ports, strict=True)]
    try:
        await server.wait_for("setWebhook", count=2, timeout=40)
        for port in ports:
            await wait_for_port(port)
        a, b = ports

        # A follow made through A is listed by B; a weekly one beside it.
        await post(a, numbered(message("/subscribe agent")))
        await server.wait_for("sendMessage", timeout=20)
        mark = server.mark()
        await post(a, numbered(message("/subscribe multimodal weekly")))
        [weekly] = await server.wait_for("sendMessage", timeout=20, since=mark)
        assert "Following “Multimodal”" in weekly["text"] and "each Monday at 09:00 (UTC)" in weekly["text"]
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
        repeated = numbered(message("LLM论文", GROUP))
        await post(b, repeated)
        await handled(database, repeated)
        assert len([m for m, _ in server.calls[mark:] if m == "sendDocument"]) == 1
        mark = server.mark()
        await post(b, numbered(message("LLM论文")))
        [again] = await server.wait_for("sendDocument", timeout=30, since=mark)
        assert isinstance(again["document"], str)                   # B reused A's upload by file_id

        # New papers in the shared catalog: both replicas reload, the follower gets one push of the
        # agent paper, and the multimodal one is kept (once) for the weekly roundup, not pushed.
        entry = {"id": "agentbench", "title": "AgentBench: Evaluating LLMs as Agents", "authors": ["Xiao Liu"],
                 "arxiv": "2308.03688", "date": "2023-08", "section": "agent", "orgs": ["tsinghua"]}
        vision = {"id": "vision-e2e", "title": "Seeing Further: A Vision-Language Model", "authors": ["Ada Lovelace"],
                  "arxiv": "2311.00001", "date": "2023-11", "section": "multimodal", "orgs": ["google"]}
        mark = server.mark()
        catalog.write_text(insert_papers(catalog.read_text(encoding="utf-8"), str(catalog),
                                         entries_yaml([entry, vision])), encoding="utf-8")
        [push] = await server.wait_for("sendMessage", timeout=40, since=mark)
        assert "AgentBench" in push["text"] and int(push["chat_id"]) == PRIVATE["id"]
        assert "Seeing Further" not in push["text"]
        await runs_after(replicas, logged(replicas), "push")         # a whole run more on each replica
        assert len(sent_about(server, mark, "AgentBench")) == 1
        assert await collected(database) == [("vision-e2e", None)]

        # A restart in the middle of the week: the paper stays collected and nothing is sent.
        start = await restart(server, replicas, [0], folders, ports, database, catalog)
        await runs_after(replicas[:1], [0], "roundups")             # the restarted replica's first runs
        assert sent_about(server, mark, "Seeing Further") == []
        assert await collected(database) == [("vision-e2e", None)]

        # Eight days on (PAPERBOT_CLOCK_OFFSET, set as both restart, rather than sleeping through a
        # week): the week has ended, and its roundup is sent once in all.
        start = await restart(server, replicas, [0, 1], folders, ports, database, catalog,
                              PAPERBOT_CLOCK_OFFSET=str(8 * 86400))
        [roundup] = await server.wait_for("sendMessage", timeout=30, since=start)
        assert "“Multimodal” this past week: 1 new paper" in roundup["text"] and "Seeing Further" in roundup["text"]
        assert int(roundup["chat_id"]) == PRIVATE["id"]
        await runs_after(replicas, logged(replicas), "roundups")     # a whole run more on each replica
        assert len(sent_about(server, start, "Seeing Further")) == 1
        [(paper, period)] = await collected(database)
        assert paper == "vision-e2e" and period is not None and period.startswith("weekly:")
        assert not server.errors
    finally:
        for n, bot in enumerate(replicas):
            code = await asyncio.to_thread(bot.stop)
            lines = [line for line in bot.log_path.read_text().splitlines() if "run done" not in line]
            print(f"--- replica {n}'s log, without its jobs' ends ---", *lines[-80:], sep="\n")  # shown on a failure
            assert code == 0

