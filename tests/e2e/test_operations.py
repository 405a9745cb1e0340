"""Running it for real: faults from Telegram, SIGTERM, the webhook, all over loopback HTTP."""

from __future__ import annotations

import asyncio
import json
import signal
import sqlite3
import subprocess
import time
from collections.abc import Callable
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


async def test_a_timeout_is_not_retried_and_the_bot_carries_on(server: BotAPIServer, bot: subprocess.Popen[str],
                                                               tmp_path: Path) -> None:
    server.faults["sendMessage"] = ["timeout"]
    server.push(message("/paper medusa"))
    deadline = time.monotonic() + 30
    while not server.errors_injected and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    assert server.errors_injected == ["sendMessage:timeout"]
    # Not a fixed sleep: on once the bot has given the call up (its log says so), and the
    # server's late answer to it is past.
    log = tmp_path / "bot.log"
    while "TimedOut" not in log.read_text() and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    assert "TimedOut" in log.read_text()
    await asyncio.wait_for(server.abandoned.wait(), 30)  # and the server's side of the call is over
    server.push(message("/paper gptq"))
    [after] = await server.wait_for("sendMessage", timeout=30)
    assert "GPTQ" in after["text"] and bot.poll() is None
    assert sum(1 for m, p in server.calls if m == "sendMessage" and "2401.10774" in p.get("text", "")) == 0


async def test_sigterm_finishes_in_flight_updates_and_loses_no_record(server: BotAPIServer, tmp_path: Path) -> None:
    running = RunningBot(server, tmp_path)
    await server.wait_for("setMyCommands", count=2, timeout=30)
    pushed = []
    for q in ("medusa", "gptq", "fa2", "moe", "blip2"):
        update = message(f"/paper {q}")
        server.push(update)
        pushed.append(update["update_id"])
    # SIGTERM only once the bot has confirmed all five (its next getUpdates asks past them):
    # before that, a reply in flight could still be lost with the process, by design.
    deadline = time.monotonic() + 20
    while server.confirmed <= max(pushed) and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
    assert server.confirmed > max(pushed)
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


async def test_a_second_sigterm_while_a_reply_is_in_flight_still_drains_it(server: BotAPIServer,
                                                                            tmp_path: Path) -> None:
    """The second signal lands for sure inside the drain (a reply is held there): the reply still
    goes out, its row is recorded and the process leaves the journal, as after one signal."""
    running = RunningBot(server, tmp_path)
    await server.wait_for("setMyCommands", count=2, timeout=30)
    server.hold("sendMessage")
    update = message("/paper medusa")
    server.push(update)
    await until(lambda: server.held >= 1 and server.confirmed > update["update_id"], 20, "the reply held")
    running.proc.send_signal(signal.SIGTERM)
    await until(lambda: "received stop signal" in running.log_path.read_text(), 20, "the drain begun")
    running.proc.send_signal(signal.SIGTERM)
    await until(lambda: "stop signal again" in running.log_path.read_text() or running.proc.poll() is not None,
                20, "the second signal seen")
    server.release()                            # the held call is lost; its retry goes through
    assert await asyncio.to_thread(running.stop, signal_sent=True) == 0
    [card] = [p for m, p in server.calls if m == "sendMessage"]
    assert "2401.10774" in card["text"]
    with sqlite3.connect(tmp_path / "stats.sqlite3") as db:
        assert db.execute("SELECT COUNT(*) FROM queries").fetchone()[0] == 1
    with sqlite3.connect(tmp_path / "store.sqlite3") as db:
        assert db.execute("SELECT COUNT(*) FROM owners").fetchone()[0] == 0, "the journal was not left"


async def until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s: {what}")
        await asyncio.sleep(0.01)


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def test_the_webhook_refuses_before_reading_and_never_buffers_big_bodies(server: BotAPIServer,
                                                                                tmp_path: Path) -> None:
    port = free_port()
    running = RunningBot(server, tmp_path, WEBHOOK_URL=f"http://127.0.0.1:{port}/telegram/hook",
                         WEBHOOK_LISTEN="127.0.0.1", WEBHOOK_PORT=str(port), WEBHOOK_SECRET="s3cret-Value_1")
    url = f"http://127.0.0.1:{port}/telegram/hook"
    try:
        await server.wait_for("setWebhook", timeout=30)
        await wait_for_port(port)
        before = _peak_rss_mb(running.proc.pid)
        big = b"x" * (40 << 20)

        async def attack(http: aiohttp.ClientSession, headers: dict[str, str]) -> int:
            try:
                async with http.post(url, data=big, headers={"Content-Type": "application/json", **headers}) as r:
                    return r.status
            except (aiohttp.ClientError, ConnectionError):
                return 0  # refused unread: the connection is closed under the sender

        async with aiohttp.ClientSession() as http:
            statuses = await asyncio.gather(*(attack(http, {}) for _ in range(6)),
                                            attack(http, {"X-Telegram-Bot-Api-Secret-Token": "s3cret-Value_1"}))
            assert all(s in (0, 413) for s in statuses)
            async with http.post(url, data=b"{not json", headers={
                    "Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": "s3cret-Value_1"}) as r:
                assert r.status == 400
            before_card = server.mark()
            async with http.post(url, data=json.dumps(dict(message("/paper gptq"), update_id=99)), headers={
                    "Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": "s3cret-Value_1"}) as r:
                assert r.status == 200
        [card] = await server.wait_for("sendMessage", timeout=20, since=before_card)
        assert "GPTQ" in card["text"]
        assert _peak_rss_mb(running.proc.pid) - before < 50, "the webhook buffered a refused body"
    finally:
        assert await asyncio.to_thread(running.stop) == 0


async def test_an_unreachable_bot_api_is_retried_and_a_wrong_token_exits(server: BotAPIServer, tmp_path: Path) -> None:
    dead = f"http://127.0.0.1:{free_port()}/bot"
    port = free_port()
    waiting = RunningBot(server, tmp_path / "retry", TELEGRAM_API_BASE_URL=dead,
                         WEBHOOK_URL=f"http://127.0.0.1:{port}/hook", WEBHOOK_LISTEN="127.0.0.1",
                         WEBHOOK_PORT=str(port))
    deadline = time.monotonic() + 30
    while "attempt 2" not in waiting.log_path.read_text() and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
    assert waiting.proc.poll() is None                                    # still trying, no traceback exit
    waiting.proc.send_signal(signal.SIGTERM)
    assert await asyncio.to_thread(waiting.stop, signal_sent=True) == 0
    log = waiting.log_path.read_text()
    assert "the Bot API is unreachable (attempt 1" in log and "attempt 2" in log and "Traceback" not in log

    wrong = RunningBot(server, tmp_path / "wrong", TELEGRAM_BOT_TOKEN="111111111:AAWrongTokenWrongTokenWrongTokenWrong1",
                       WEBHOOK_URL=f"http://127.0.0.1:{free_port()}/hook", WEBHOOK_LISTEN="127.0.0.1")
    code = await asyncio.to_thread(wrong.proc.wait, 30)
    wrong._log.close()
    assert code == 1 and "refused the bot token" in wrong.log_path.read_text()
