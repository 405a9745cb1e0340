"""Accepted updates survive a kill: with a backlog in flight the process is SIGKILLed (as a
supervisor does after its stop timeout), restarted on the same store, and every accepted update
is answered in the end, in polling and in webhook mode."""

from __future__ import annotations

import asyncio
import json
import signal
import time
from pathlib import Path

import aiohttp
import pytest

from tests.e2e.botapi import BotAPIServer
from tests.e2e.conftest import RunningBot, free_port, message, wait_for_port

pytestmark = [pytest.mark.asyncio, pytest.mark.e2e]
BACKLOG = 100


def answered(server: BotAPIServer) -> set[str]:
    return {p["text"].split("\n")[0] for m, p in server.calls if m == "sendMessage"}


async def wait_answered(server: BotAPIServer, count: int, timeout: float) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = sum(1 for m, _ in server.calls if m == "sendMessage")
        if done >= count:
            return done
        await asyncio.sleep(0.2)
    return sum(1 for m, _ in server.calls if m == "sendMessage")


def kill(running: RunningBot) -> None:
    running.proc.send_signal(signal.SIGKILL)
    running.proc.wait(timeout=20)
    running._log.close()


async def test_polling_backlog_survives_a_kill(server: BotAPIServer, tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    first = RunningBot(server, tmp_path / "one", DATABASE_URL=store)
    await server.wait_for("setMyCommands", count=2, timeout=30)
    pushed = []
    for n in range(BACKLOG):
        update = message(f"/paper gptq {n}")
        server.push(update)
        pushed.append(update["update_id"])
    deadline = time.monotonic() + 20
    while server.confirmed <= max(pushed) and time.monotonic() < deadline:  # Telegram now counts them delivered
        await asyncio.sleep(0.01)
    kill(first)
    before = sum(1 for m, _ in server.calls if m == "sendMessage")
    assert before < BACKLOG, "the backlog drained before the kill: the test proves nothing"
    second = RunningBot(server, tmp_path / "two", DATABASE_URL=store)
    try:
        assert await wait_answered(server, BACKLOG, 60) >= BACKLOG
    finally:
        second.stop()


async def test_webhook_backlog_survives_a_kill(server: BotAPIServer, tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    port = free_port()
    env = dict(WEBHOOK_URL=f"http://127.0.0.1:{port}/hook", WEBHOOK_LISTEN="127.0.0.1", WEBHOOK_PORT=str(port),
               WEBHOOK_SECRET="durable-secret", DATABASE_URL=store)
    first = RunningBot(server, tmp_path / "one", **env)
    await server.wait_for("setWebhook", timeout=30)
    await wait_for_port(port)
    async def post(http: aiohttp.ClientSession, n: int) -> int:
        body = json.dumps(dict(message(f"/paper gptq {n}"), update_id=50_000 + n))
        async with http.post(f"http://127.0.0.1:{port}/hook", data=body, headers={
                "Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": "durable-secret"}) as r:
            return r.status

    async with aiohttp.ClientSession() as http:  # all at once: a backlog, whatever the machine's speed
        assert await asyncio.gather(*(post(http, n) for n in range(BACKLOG))) == [200] * BACKLOG
    kill(first)
    assert sum(1 for m, _ in server.calls if m == "sendMessage") < BACKLOG
    second = RunningBot(server, tmp_path / "two", **env)
    try:
        assert await wait_answered(server, BACKLOG, 60) >= BACKLOG
    finally:
        second.stop()
