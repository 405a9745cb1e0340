"""Running it for real: faults from Telegram, SIGTERM, the webhook, all over loopback HTTP."""

from __future__ import annotations

import asyncio
import json
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import aiohttp
import pytest

from tests.e2e.botapi import BotAPIServer
from tests.e2e.conftest import RunningBot, free_port, message, wait_for_port

pytestmark = [pytest.mark.asyncio, pytest.mark.e2e]


async def test_flood_control_server_errors_and_cut_connections_are_retried(
        server: BotAPIServer, bot: subprocess.Popen[str]) -> None:
    server.faults["sendMessage"] = ["429", "500", "drop"]
    server.push(message("/paper medusa"))
    [card] = await server.wait_for("sendMessage", timeout=30)
    assert "2401.10774" in card["text"]
    assert server.errors_injected == ["sendMessage:429", "sendMessage:500", "sendMessage:drop"]

    server.faults["getUpdates"] = ["500", "drop"]
    await asyncio.sleep(0.5)
    server.push(message("/paper gptq"))
    [after] = await server.wait_for("sendMessage", timeout=40)
    assert "GPTQ" in after["text"] and bot.poll() is None


async def test_a_timeout_is_not_retried_and_the_bot_carries_on(server: BotAPIServer,
                                                               bot: subprocess.Popen[str]) -> None:
    server.faults["sendMessage"] = ["timeout"]
    server.push(message("/paper medusa"))
    deadline = time.monotonic() + 30
    while not server.errors_injected and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    assert server.errors_injected == ["sendMessage:timeout"]
    await asyncio.sleep(9)  # past the client's read timeout and the server's late answer
    server.push(message("/paper gptq"))
    [after] = await server.wait_for("sendMessage", timeout=30)
    assert "GPTQ" in after["text"] and bot.poll() is None
    assert sum(1 for m, p in server.calls if m == "sendMessage" and "2401.10774" in p.get("text", "")) == 0


async def test_sigterm_finishes_in_flight_updates_and_loses_no_record(server: BotAPIServer, tmp_path: Path) -> None:
    running = RunningBot(server, tmp_path)
    await server.wait_for("setMyCommands", count=2, timeout=30)
    for q in ("medusa", "gptq", "fa2", "moe", "blip2"):
        server.push(message(f"/paper {q}"))
    deadline = time.monotonic() + 20
    while server.delivered < 5 and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
    running.proc.send_signal(signal.SIGTERM)
    code = await asyncio.to_thread(running.stop, signal_sent=True)
    assert code == 0
    assert len([m for m, _ in server.calls if m == "sendMessage"]) == 5
    with sqlite3.connect(tmp_path / "stats.sqlite3") as db:
        assert db.execute("SELECT COUNT(*) FROM queries").fetchone()[0] == 5


async def test_the_webhook_refuses_a_wrong_secret_and_serves_the_right_one(server: BotAPIServer,
                                                                         tmp_path: Path) -> None:
    port = free_port()
    running = RunningBot(server, tmp_path, WEBHOOK_URL=f"http://127.0.0.1:{port}/telegram/hook",
                         WEBHOOK_LISTEN="127.0.0.1", WEBHOOK_PORT=str(port), WEBHOOK_SECRET="s3cret-Value_1")
    try:
        [hook] = await server.wait_for("setWebhook", timeout=30)
        assert hook["url"] == f"http://127.0.0.1:{port}/telegram/hook" and hook["secret_token"] == "s3cret-Value_1"
        await wait_for_port(port)
        update = dict(message("/paper medusa"), update_id=7001)
        url = f"http://127.0.0.1:{port}/telegram/hook"
        async with aiohttp.ClientSession() as http:
            for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}):
                async with http.post(url, data=json.dumps(update), headers={"Content-Type": "application/json",
                                                                            **headers}) as refused:
                    assert refused.status == 403
            await asyncio.sleep(0.3)
            assert not [m for m, _ in server.calls if m == "sendMessage"]
            before = server.mark()
            async with http.post(url, data=json.dumps(update), headers={
                    "Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": "s3cret-Value_1"}) as ok:
                assert ok.status == 200
        [card] = await server.wait_for("sendMessage", timeout=20, since=before)
        assert "2401.10774" in card["text"]
    finally:
        assert await asyncio.to_thread(running.stop) == 0


async def test_a_second_sigterm_during_shutdown_never_leaves_it_hanging(server: BotAPIServer, tmp_path: Path) -> None:
    running = RunningBot(server, tmp_path)
    await server.wait_for("setMyCommands", count=2, timeout=30)
    server.push(message("/paper medusa"))
    await server.wait_for("sendMessage", timeout=20)
    running.proc.send_signal(signal.SIGTERM)
    await asyncio.sleep(0.05)
    running.proc.send_signal(signal.SIGTERM)
    start = time.monotonic()
    await asyncio.to_thread(running.stop, signal_sent=True)
    assert time.monotonic() - start < 15
    with sqlite3.connect(tmp_path / "stats.sqlite3") as db:
        assert db.execute("SELECT COUNT(*) FROM queries").fetchone()[0] == 1
