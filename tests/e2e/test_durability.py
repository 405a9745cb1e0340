"""Every accepted update is answered exactly once, through SIGKILLs and a live backlog.

The process is SIGKILLed with a backlog in flight (as a supervisor does after its stop
timeout), restarted on the same store, killed again in the middle of its replay, and restarted
once more; each update is a private chat of its own, so "exactly once" is one reply per chat.
The test Bot API server holds replies past a count, unrecorded (a slow network), so that a kill
lands while replies are waiting to go out rather than in the few milliseconds a reply needs
from Telegram's receipt to its `answered` mark (that window is measured by benchmarks/faults.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import sqlite3
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.telegram.app import CONCURRENT_UPDATES
from tests.e2e.botapi import BotAPIServer
from tests.e2e.conftest import RunningBot, free_port, message, unmarked, wait_for_port

pytestmark = [pytest.mark.asyncio, pytest.mark.e2e]
BACKLOG = 100
MARKED = 2.0   # seconds a sent reply's mark may take before the kill (see kill_while_replies_wait)
# Replies held at a kill: every one of the bot's CONCURRENT_UPDATES slots waits on one, so no
# reply it sent can still sit unread in the server's socket. (One that did would be read after the
# kill, and recorded once the server releases: a reply on the wire at the instant of a SIGKILL,
# the window no bot can close without asking Telegram, which benchmarks/faults.py measures.)
HELD = CONCURRENT_UPDATES
FIRST_CHAT = 10_000


def backlog(count: int, first: int = FIRST_CHAT) -> list[dict[str, Any]]:
    return [message("/paper gptq", chat={"id": first + n, "type": "private", "first_name": "Ann"})
            for n in range(count)]


def replies(server: BotAPIServer) -> Counter[int]:
    return Counter(int(p["chat_id"]) for m, p in server.calls if m == "sendMessage")


def journal_rows(store: Path) -> int:
    with sqlite3.connect(store) as db:
        return int(db.execute("SELECT count(*) FROM journal").fetchone()[0])


async def until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s: {what}")
        await asyncio.sleep(0.01)


def kill(running: RunningBot) -> None:
    running.proc.send_signal(signal.SIGKILL)
    running.proc.wait(timeout=20)
    running._log.close()


async def kill_while_replies_wait(server: BotAPIServer, running: RunningBot, answered: int, store: Path) -> None:
    """Kill once replies are being held, MARKED seconds at most after the ones that went out:
    a reply Telegram received whose `answered` mark has not committed by then is sent again by
    the replay, and the test fails. The bot bounds that window (a reply's first request to its
    mark's commit, milliseconds when the event loop is not buried under a backlog); with PTB's
    256 updates at once it was seconds, and this kill found those replies unmarked."""
    await until(lambda: server.held >= HELD, 30, "replies waiting to go out")
    with contextlib.suppress(AssertionError):
        # `answered`, not the replies recorded so far: the server counts a reply past its hold
        # before it records it, so the last ones may not be in its log yet.
        await until(lambda: sum(replies(server).values()) == answered and unmarked(store) <= BACKLOG - answered, MARKED,
                    "the sent replies marked")
    kill(running)
    assert sum(replies(server).values()) == answered


async def assert_exactly_once(server: BotAPIServer, last: RunningBot, store: Path, count: int) -> None:
    await server.wait_for("sendMessage", count=count, since=0, timeout=60)
    assert await asyncio.to_thread(last.stop) == 0       # drained and stopped: nothing more can come
    got = replies(server)
    assert sorted(got) == list(range(FIRST_CHAT, FIRST_CHAT + count)), "an update was never answered"
    assert set(got.values()) == {1}, f"answered twice: {[c for c, n in got.items() if n > 1]}"
    assert journal_rows(store) == 0, "journal rows left behind after a clean stop"


async def replay_starts_soon(server: BotAPIServer, launch: Callable[[], RunningBot]) -> RunningBot:
    """A restart replays at once, before it takes anything new, not at a later periodic job."""
    started = time.monotonic()
    running = launch()
    # The log, not the next sendMessage: one the killed process had on the wire may land after its death.
    await until(lambda: "Application started" in running.log_path.read_text(), 20, "the restart")
    assert time.monotonic() - started < 15
    log = running.log_path.read_text()
    assert 0 <= log.find("replaying ") < log.find("Application started"), "the replay waited for the application"
    return running


async def survive_two_kills(server: BotAPIServer, tmp_path: Path, deliver: Callable[[RunningBot], Awaitable[None]],
                            **env: str) -> None:
    store = tmp_path / "store.sqlite3"
    env["DATABASE_URL"] = f"sqlite:///{store}"
    first = RunningBot(server, tmp_path / "one", **env)
    await server.wait_for("setMyCommands", count=2, timeout=30)
    server.hold("sendMessage", after=10)
    await deliver(first)
    await kill_while_replies_wait(server, first, 10, store)

    server.hold("sendMessage", after=30)          # the restart answers 30, then dies mid-replay
    second = await replay_starts_soon(server, lambda: RunningBot(server, tmp_path / "two", **env))
    await kill_while_replies_wait(server, second, 40, store)

    server.release()
    third = await replay_starts_soon(server, lambda: RunningBot(server, tmp_path / "three", **env))
    await assert_exactly_once(server, third, store, BACKLOG)


async def test_polling_backlog_survives_two_kills_answered_once(server: BotAPIServer, tmp_path: Path) -> None:
    async def deliver(_: RunningBot) -> None:
        pushed = [server.push(u) or u["update_id"] for u in backlog(BACKLOG)]
        # Telegram counts them delivered once the bot asks past them: their rows are durable.
        await until(lambda: server.confirmed > max(pushed), 20, "the backlog confirmed")

    await survive_two_kills(server, tmp_path, deliver)


async def test_webhook_backlog_survives_two_kills_answered_once(server: BotAPIServer, tmp_path: Path) -> None:
    port = free_port()
    env = dict(WEBHOOK_URL=f"http://127.0.0.1:{port}/hook", WEBHOOK_LISTEN="127.0.0.1", WEBHOOK_PORT=str(port),
               WEBHOOK_SECRET="durable-secret")

    async def deliver(_: RunningBot) -> None:
        await wait_for_port(port)

        async def post(http: aiohttp.ClientSession, n: int, update: dict[str, Any]) -> int:
            body = json.dumps(dict(update, update_id=50_000 + n))
            async with http.post(f"http://127.0.0.1:{port}/hook", data=body, headers={
                    "Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": "durable-secret"}) as r:
                return r.status

        async with aiohttp.ClientSession() as http:  # all at once: a backlog, whatever the machine's speed
            statuses = await asyncio.gather(*(post(http, n, u) for n, u in enumerate(backlog(BACKLOG))))
        assert statuses == [200] * BACKLOG   # each 200 only once its row is durable

    await survive_two_kills(server, tmp_path, deliver, **env)


async def test_a_live_backlog_is_answered_once_across_heartbeats(server: BotAPIServer, tmp_path: Path) -> None:
    """Updates still queued in the live process are its own: no heartbeat's replay takes them."""
    store = tmp_path / "store.sqlite3"
    running = RunningBot(server, tmp_path / "one", DATABASE_URL=f"sqlite:///{store}")
    await server.wait_for("setMyCommands", count=2, timeout=30)
    count = 200   # at Telegram's 30 messages a second, longer than two heartbeats
    for update in backlog(count):
        server.push(update)
    await assert_exactly_once(server, running, store, count)


async def test_a_kill_inside_a_reply_does_not_send_its_start_again(server: BotAPIServer, tmp_path: Path) -> None:
    """The bundle's reply is a line, then the zip: killed while the zips wait, the restart must
    not send the lines again (a reply's first request marks the update answered), and must answer
    the updates still queued behind them once."""
    store = tmp_path / "store.sqlite3"
    env = {"DATABASE_URL": f"sqlite:///{store}"}
    first = RunningBot(server, tmp_path / "one", **env)
    await server.wait_for("setMyCommands", count=2, timeout=30)
    server.hold("sendDocument")
    count = 2 * HELD   # every slot holds a zip at the kill; as many wait behind them, accepted, not begun
    bundles = [message("LLM论文", chat={"id": FIRST_CHAT + n, "type": "private", "first_name": "Ann"}) for n in range(count)]
    pushed = [server.push(u) or u["update_id"] for u in bundles]
    await until(lambda: server.confirmed > max(pushed), 20, "the updates confirmed (their rows durable)")
    await until(lambda: server.held >= HELD, 30, "zips waiting to go out")
    await server.wait_for("sendMessage", count=HELD, since=0, timeout=30)
    await until(lambda: unmarked(store) == count - HELD, MARKED, "the sent lines marked")
    assert sum(replies(server).values()) == HELD
    kill(first)
    server.release()
    second = RunningBot(server, tmp_path / "two", **env)
    await until(lambda: "Application started" in second.log_path.read_text(), 30, "the restart")
    assert await asyncio.to_thread(second.stop) == 0          # whatever it replayed is handled by now
    got = replies(server)
    assert len(got) == count and set(got.values()) == {1}, f"sent again: {[c for c, n in got.items() if n > 1]}"
    assert journal_rows(store) == 0
