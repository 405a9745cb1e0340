"""The store under a busy event loop: hundreds of handlers ready at once make every turn of the
loop long, and a store call that needs the loop once per statement (aiosqlite hands each
result back through it) then takes seconds (#22 item 3: a group commit of 2,000 operations took
14-35 s during load.py's SQLite row). On a SQLite file a commit, and a card's quick reads, ask
the loop once, however many statements they make."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable
from typing import Any

import pytest

from bot.store.store import Store

pytestmark = pytest.mark.asyncio

TURN = 0.05  # seconds each turn of the loop spends in handlers (blocking, as CPU work is)
# Turns a group commit may take (its window, the thread, the callbacks' hops: 8-9; 40 when each
# statement went through the loop), and a read (2; 13 before).
COMMIT_TURNS = 15
READ_TURNS = 6


@pytest.fixture()
def store(sqlite_store: Store) -> Store:
    return sqlite_store


async def turns_taken(action: Awaitable[Any]) -> int:
    """How many turns of a busy loop `action` takes to finish."""
    turns = 0
    done = False

    async def handlers() -> None:
        nonlocal turns
        while not done:
            turns += 1
            time.sleep(TURN)  # the point: a turn the loop spends busy
            await asyncio.sleep(0)

    busy = asyncio.create_task(handlers())
    try:
        await action
    finally:
        done = True
        await busy
    return turns


async def test_a_group_commit_asks_a_busy_loop_once(store: Store) -> None:
    journal = store.journal
    assert await journal.accept(-1, "{}")  # the statements compiled, the connection made
    journal.close(-1)
    # One group: every update accepted, decided, marked and closed (each kind a statement).
    accepts = [journal.accept(n, f'{{"update_id": {n}}}') for n in range(500)]
    answers = [journal.answer(n) for n in range(500)]
    for n in range(500):
        journal.answered(n)
        journal.close(n)
    assert await turns_taken(asyncio.gather(*accepts, *answers)) <= COMMIT_TURNS
    assert all(a.result() for a in accepts + answers) and journal.commits == 2
    await journal.flush()
    assert await journal.rows() == []


async def test_a_cards_quick_reads_ask_a_busy_loop_once(store: Store) -> None:
    await store.set_language(7, "en")
    await store.toggle_save(7, "medusa")
    assert await store.language(7) == "en" and await store.saved(7) == ["medusa"]
    assert await turns_taken(store.language(7)) <= READ_TURNS
    assert await turns_taken(store.saved(7)) <= READ_TURNS
