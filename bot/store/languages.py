"""Readers' /lang choices."""

from __future__ import annotations

import sqlalchemy as sa

from bot.store.engine import Database
from bot.store.tables import languages


class Languages:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def set(self, user_id: int, lang: str | None) -> None:
        async with self.db.write() as conn:
            await conn.execute(languages.delete().where(languages.c.user_id == user_id))
            if lang is not None:
                await conn.execute(languages.insert().values(user_id=user_id, lang=lang))

    async def of(self, user_id: int) -> str | None:
        """A card may wait for this (briefly): one call into the store (`Database.run`)."""
        query = sa.select(languages.c.lang).where(languages.c.user_id == user_id)
        lang: str | None = await self.db.run(lambda conn: conn.execute(query).scalar())
        return lang
