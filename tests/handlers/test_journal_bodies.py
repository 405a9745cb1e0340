"""The journal keeps each update as Telegram sent it (getUpdates' answer, the webhook's body):
serialising python-telegram-bot's objects again cost 0.2 ms an update, a fifth of the journal's
cost on a card's path (#22 item 3)."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from telegram import Bot, Update

from bot.store.store import Store
from bot.store.tables import journal
from bot.telegram.local import message_update
from handlers.journal import JournalQueue

pytestmark = pytest.mark.asyncio


@pytest.fixture()
def store(sqlite_store: Store) -> Store:
    return sqlite_store


async def bodies(store: Store) -> dict[int, str]:
    async with store.db.read() as conn:
        return {r[0]: r[1] for r in await conn.execute(sa.select(journal.c.update_id, journal.c.body))}


async def test_polled_and_posted_updates_are_journalled_as_telegram_sent_them(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    def serialised_again(self: Update) -> str:
        raise AssertionError("the update was serialised again")

    queue = JournalQueue(store)
    raw = [message_update("/paper medusa", group=False, update_id=n) for n in (1, 2)]
    queue.remember(json.dumps({"ok": True, "result": raw}).encode())  # as SettlingRequest sees getUpdates
    bot = Bot("123:x")
    monkeypatch.setattr(Update, "to_json", serialised_again)
    await queue.put(Update.de_json(raw[0], bot))
    assert await queue.put_durable(Update.de_json(raw[1], bot), json.dumps(raw[1]))
    await store.journal.flush()
    assert [json.loads(body) for _, body in sorted((await bodies(store)).items())] == raw
    assert sorted(queue.get_nowait().update_id for _ in range(2)) == [1, 2]  # both handed over


async def test_an_update_without_its_body_is_still_journalled(store: Store) -> None:
    queue = JournalQueue(store)
    update = Update.de_json(message_update("hi", group=False, update_id=3), Bot("123:x"))
    await queue.put(update)
    await store.journal.flush()
    assert json.loads((await bodies(store))[3])["update_id"] == 3
