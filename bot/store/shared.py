"""What replicas share besides readers' state: keyword cooldowns and the bundle's Telegram file_ids."""

from __future__ import annotations

import time

import sqlalchemy as sa

from bot.store.engine import Database
from bot.store.tables import cooldowns, file_ids


class Shared:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def cooldown_allows(self, chat_id: int, rule_id: str, seconds: float) -> bool:
        """True at most once per `seconds` for a (chat, rule), across every replica."""
        now = time.time()
        stmt = self.db.insert(cooldowns).values(chat_id=chat_id, rule_id=rule_id, until=now + seconds)
        stmt = stmt.on_conflict_do_update(index_elements=["chat_id", "rule_id"], set_={"until": now + seconds},
                                          where=cooldowns.c.until <= now).returning(cooldowns.c.until)
        async with self.db.write() as conn:
            return (await conn.execute(stmt)).first() is not None

    async def file_id(self, key: str) -> str | None:
        async with self.db.read() as conn:
            return (await conn.execute(sa.select(file_ids.c.file_id).where(file_ids.c.key == key))).scalar()

    async def remember_file_id(self, key: str, file_id: str) -> None:
        async with self.db.write() as conn:
            await conn.execute(self.db.insert(file_ids).values(key=key, file_id=file_id).on_conflict_do_nothing())
