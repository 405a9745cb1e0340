"""A store call its caller stopped waiting for (`guarded`'s timeout) must not break the store."""

from __future__ import annotations

import asyncio

import pytest

from bot.store.records import guarded
from bot.store.store import Store

pytestmark = pytest.mark.asyncio


@pytest.fixture()
def store(sqlite_store: Store) -> Store:
    return sqlite_store


async def test_a_write_its_reader_stopped_waiting_for_never_locks_the_store(store: Store) -> None:
    # Timeouts from 0 to 4 ms land everywhere in a keyword cooldown's INSERT ... RETURNING; once
    # one was cancelled between the statement and its row, the file stayed write-locked.
    # The lock lasted while the unfinished statement lived: each write is tried right after.
    for n in range(80):
        await guarded("keyword cooldown", store.cooldown_allows(1, f"rule-{n}", 60.0), timeout=(n % 40) / 10_000)
        await asyncio.wait_for(store.owners.beat(), 4.0)  # a write after it goes through
    assert await asyncio.wait_for(store.journal.accept(1, "{}"), 4.0)
    assert await store.cooldown_allows(1, "rule-7", 60.0) is False  # every write landed
