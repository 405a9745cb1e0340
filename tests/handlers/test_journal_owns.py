"""A reply needs no question to the store while no other process can have taken its update's
row (the heartbeats held since before it was journalled); after a lapse, the store is asked,
and an update another process took is not answered here."""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from telegram import Bot, Update

from bot.store import owners as owners_mod
from bot.store.owners import HEARTBEAT, HOLD, LEASE
from bot.store.store import Store
from bot.store.tables import journal
from bot.telegram.local import message_update
from handlers import journal as journal_mod
from handlers.journal import CURRENT_UPDATE, AlreadyAnswered, JournalQueue

pytestmark = pytest.mark.asyncio


class Clock:
    """Wall and monotonic time, moved by the test (a freeze, a suspend)."""

    def __init__(self) -> None:
        self.wall, self.steady = time.time(), 1000.0

    def time(self) -> float:
        return self.wall

    def monotonic(self) -> float:
        return self.steady

    def advance(self, seconds: float, *, suspended: bool = False) -> None:
        self.wall += seconds
        if not suspended:   # a suspended machine's monotonic clock stands still
            self.steady += seconds


@pytest.fixture()
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    c = Clock()
    fake = SimpleNamespace(time=c.time, monotonic=c.monotonic)
    monkeypatch.setattr(owners_mod, "time", fake)
    monkeypatch.setattr(journal_mod, "time", fake)
    return c


async def test_a_process_owns_its_rows_only_while_its_heartbeats_hold(sqlite_store: Store, clock: Clock) -> None:
    owners = sqlite_store.owners
    assert not owners.owns(clock.steady)                       # no heartbeat yet
    start = clock.steady
    await owners.beat()
    assert not owners.owns(start - 1) and owners.owns(start)   # rows from before the first heartbeat are asked about
    clock.advance(HEARTBEAT + 0.5)
    assert owners.owns(start + HEARTBEAT + 0.5)
    await owners.beat()                                        # steady heartbeats: the hold goes on
    clock.advance(HEARTBEAT)
    assert owners.owns(start + HEARTBEAT + 0.5)
    clock.advance(LEASE * HOLD)                                # a freeze: no heartbeat for half a lease
    assert not owners.owns(start + HEARTBEAT + 0.5)
    await owners.beat()                                        # back: rows from before the lapse are asked about
    assert not owners.owns(start + HEARTBEAT + 0.5) and owners.owns(clock.steady)
    await owners.beat()
    clock.advance(LEASE, suspended=True)                       # a suspend: only the wall clock moved
    assert not owners.owns(clock.steady)
    await owners.beat()
    clock.advance(HEARTBEAT + 1)
    assert owners.owns(clock.steady)
    await owners.leave()
    assert not owners.owns(clock.steady)


async def test_a_reply_goes_without_a_store_round_trip_until_a_lapse_lets_another_process_take_it(
        sqlite_store: Store, clock: Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    store = sqlite_store
    queue = JournalQueue(store)
    bot = Bot("123:x")
    await store.owners.beat()
    asked: list[int] = []
    answer = store.journal.answer
    monkeypatch.setattr(store.journal, "answer", lambda update_id: asked.append(update_id) or answer(update_id))

    for update_id in (10, 11):
        await queue.put(Update.de_json(message_update("/paper medusa", group=False, update_id=update_id), bot))
    await store.journal.flush()
    assert sorted(queue.get_nowait().update_id for _ in range(2)) == [10, 11]
    token = CURRENT_UPDATE.set(10)
    try:
        await queue.before_call("sendMessage")
    finally:
        CURRENT_UPDATE.reset(token)
    assert asked == []                                          # its row is this process's: nothing asked

    # A freeze longer than the hold; meanwhile another process takes update 11's row.
    clock.advance(LEASE)
    async with store.db.write() as conn:
        await conn.execute(sa.update(journal).where(journal.c.update_id == 11).values(owner="replica-b",
                                                                                      status="replaying"))
    await store.owners.beat()                                   # heartbeats again, but the row is from before
    token = CURRENT_UPDATE.set(11)
    try:
        with pytest.raises(AlreadyAnswered):
            await queue.before_call("sendMessage")
    finally:
        CURRENT_UPDATE.reset(token)
    assert asked == [11]
