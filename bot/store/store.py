"""Readers' state in one store: one engine (bot.store.engine) and a small repository per concern.

    store.saves      ⭐ saves                       (bot.store.saves)
    store.follows    follows and pushes' deliveries (bot.store.follows)
    store.roundups   daily/weekly roundups, their delivery log, /tz (bot.store.roundups)
    store.journal    the update journal             (bot.store.journal)
    store.owners     which processes are alive      (bot.store.owners)
    store.shared     cooldowns and file_ids         (bot.store.shared)
    store.languages  /lang choices                  (bot.store.languages)

The methods below are the calls handlers make; each goes to its repository. Only `forget`
spans several, in one transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from bot.store.engine import Database
from bot.store.follows import Follows
from bot.store.journal import Journal
from bot.store.languages import Languages
from bot.store.owners import Owners, new_owner_id
from bot.store.records import Claim, Subscription
from bot.store.roundups import Roundups
from bot.store.saves import Saves
from bot.store.shared import Shared
from bot.store.tables import deliveries, languages, roundup_items, roundups, saves, subscriptions, time_zones


class Store:
    """The store; `open()` connects and migrates, `close()` disposes of the engine."""

    def __init__(self, url: str, *, owner: str = "") -> None:
        self.url = url
        self.owner = owner or new_owner_id()
        self.db = Database(url)
        self.saves = Saves(self.db)
        self.follows = Follows(self.db, self.owner)
        self.roundups = Roundups(self.db, self.owner)
        self.journal = Journal(self.db, self.owner)
        self.shared = Shared(self.db)
        self.languages = Languages(self.db)
        self.owners = Owners(self.db, self.owner)

    @property
    def dialect(self) -> str:
        return self.db.dialect

    async def open(self) -> None:
        await self.db.open()
        self.journal.start()

    async def close(self) -> None:
        await self.journal.stop()
        await self.db.close()

    # --- saves --------------------------------------------------------------------------

    async def toggle_save(self, user_id: int, paper_id: str) -> bool:
        return await self.saves.toggle(user_id, paper_id)

    async def saved(self, user_id: int) -> list[str]:
        return await self.saves.of(user_id)

    async def saved_among(self, user_id: int, paper_ids: Sequence[str]) -> set[str]:
        return await self.saves.among(user_id, paper_ids)

    # --- follows and pushes -----------------------------------------------------------------

    async def subscribe(self, sub: Subscription) -> Literal["added", "exists", "updated", "limit"]:
        return await self.follows.subscribe(sub)

    async def subscriptions_of(self, user_id: int) -> list[Subscription]:
        return await self.follows.of(user_id)

    async def all_subscriptions(self) -> list[Subscription]:
        return await self.follows.all()

    async def unsubscribe(self, user_id: int, kind: str | None = None, value: str | None = None) -> int:
        return await self.follows.unsubscribe(user_id, kind, value)

    async def enqueue(self, pairs: Sequence[tuple[int, str]]) -> int:
        return await self.follows.enqueue(pairs)

    async def pending_chats(self, limit: int = 1000) -> list[int]:
        return await self.follows.pending_chats(limit)

    async def claim(self, chat_id: int) -> Claim | None:
        return await self.follows.claim(chat_id)

    async def finish(self, claim: Claim, status: Literal["sent", "dropped"]) -> None:
        await self.follows.finish(claim, status)

    async def release(self, claim: Claim) -> None:
        await self.follows.release(claim)

    async def settle_stale(self) -> int:
        return await self.follows.settle_stale()

    async def drop_chat(self, chat_id: int) -> None:
        await self.follows.drop_chat(chat_id)

    async def delivered(self) -> list[tuple[int, str, str]]:
        return await self.follows.delivered()

    # --- language -------------------------------------------------------------------------

    async def set_language(self, user_id: int, lang: str | None) -> None:
        await self.languages.set(user_id, lang)

    async def language(self, user_id: int) -> str | None:
        return await self.languages.of(user_id)

    async def chat_language(self, chat_id: int) -> str | None:
        """A push's language: the reader's /lang choice (a private chat's id is the reader's),
        else the language of the chat's latest follow."""
        chosen = await self.languages.of(chat_id)
        return chosen if chosen is not None else await self.follows.latest_language(chat_id)

    # --- cooldowns and file_ids -------------------------------------------------------------

    async def cooldown_allows(self, chat_id: int, rule_id: str, seconds: float) -> bool:
        return await self.shared.cooldown_allows(chat_id, rule_id, seconds)

    async def file_id(self, key: str) -> str | None:
        return await self.shared.file_id(key)

    async def remember_file_id(self, key: str, file_id: str) -> None:
        await self.shared.remember_file_id(key, file_id)

    # --- privacy --------------------------------------------------------------------------

    async def forget(self, user_id: int) -> int:
        """Delete everything stored about a reader (their private chat's pushes too); rows deleted."""
        deleted = 0
        async with self.db.write() as conn:
            for table in (saves, subscriptions, languages, time_zones, roundup_items, roundups):
                deleted += (await conn.execute(table.delete().where(table.c.user_id == user_id))).rowcount
            deleted += (await conn.execute(deliveries.delete().where(deliveries.c.chat_id == user_id))).rowcount
        return deleted
