"""PostgreSQL frozen (SIGSTOP) under the real `paperbot run`: cards are answered within a second
while the store hangs, a follow says "try again", and once it thaws nothing was lost or answered
twice. FREEZE is a few seconds here (longer than the store's 3 s timeout, so every kind of
waiting is crossed); benchmarks/faults.py freezes it for the issue's 20 s."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest

from tests.e2e.botapi import BotAPIServer
from tests.e2e.conftest import RunningBot, message
from tests.postgres import fresh_database

pytestmark = [pytest.mark.asyncio, pytest.mark.e2e]
FREEZE = 5.0
FIRST_CHAT = 20_000


def _parent(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


async def server_processes(url: str) -> list[int]:
    """The PostgreSQL server's postmaster and every process it started, but for the backend of
    the connection this asked through (it is exiting: stopped or not, it is gone soon)."""
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        own = int(await conn.fetchval("SELECT pg_backend_pid()"))
        postmaster = _parent(own)
    finally:
        await conn.close()
    children = []
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) != own:
            try:
                if _parent(int(entry)) == postmaster:
                    children.append(int(entry))
            except (OSError, IndexError, ValueError):
                continue
    return [postmaster, *children]


def _signal(pid: int, signum: signal.Signals) -> None:
    # A backend already inside its exit is not stopped by SIGSTOP; the postmaster, continued
    # first, reaps it, so it may be gone by the time SIGCONT comes to it (a CI failure).
    with suppress(ProcessLookupError):
        os.kill(pid, signum)


@contextmanager
def frozen(pids: list[int]) -> Iterator[None]:
    for pid in pids:
        _signal(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        for pid in pids:
            _signal(pid, signal.SIGCONT)


def chat(n: int) -> dict[str, object]:
    return {"id": FIRST_CHAT + n, "type": "private", "first_name": "Ann"}


async def answered_in(server: BotAPIServer, text: str, n: int) -> tuple[float, str]:
    since, start = server.mark(), time.monotonic()
    server.push(message(text, chat=chat(n)))
    [reply] = await server.wait_for("sendMessage", since=since, timeout=15)
    return time.monotonic() - start, str(reply["text"])


async def test_a_frozen_postgresql_costs_cards_nothing_and_loses_nothing(server: BotAPIServer, tmp_path: Path, postgres_url: str) -> None:
    database = await fresh_database(postgres_url, "frozen")
    running = RunningBot(server, tmp_path, DATABASE_URL=database)
    try:
        await server.wait_for("setMyCommands", count=2, timeout=30)
        _, followed = await answered_in(server, "/subscribe agent", 0)
        assert "agent" in followed.lower()
        pids = await server_processes(postgres_url)
        cards: list[float] = []
        with frozen(pids):
            start = time.monotonic()
            await asyncio.sleep(0.5)
            n = 1
            while time.monotonic() - start < FREEZE - 1:
                took, card = await answered_in(server, "/paper gptq", n)  # a new reader each time
                assert "GPTQ" in card
                cards.append(took)
                n += 1
                await asyncio.sleep(0.2)
            took, refused = await answered_in(server, "/subscribe gptq", 0)
            assert "try again" in refused and took < 5
        assert len(cards) >= 5 and max(cards) < 1.0, cards
        # Thawed: the store takes what waited; what was followed before is still there.
        _, listed = await answered_in(server, "/subscriptions", 0)
        assert "agent" in listed.lower() and "gptq" not in listed.lower()
    finally:
        assert await asyncio.to_thread(running.stop) == 0
    got = Counter(int(p["chat_id"]) for m, p in server.calls if m == "sendMessage")
    assert got.pop(FIRST_CHAT) == 3 and set(got.values()) == {1}, got  # one reply per update
    assert sorted(c - FIRST_CHAT for c in got) == list(range(1, len(cards) + 1))
    import asyncpg

    conn = await asyncpg.connect(database)
    try:
        assert await conn.fetchval("SELECT count(*) FROM journal") == 0
    finally:
        await conn.close()
