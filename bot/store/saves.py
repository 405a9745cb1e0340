"""A reader's ⭐ saves."""

from __future__ import annotations

import time
from collections.abc import Sequence

import sqlalchemy as sa

from bot.store.engine import Database
from bot.store.tables import saves


class Saves:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def toggle(self, user_id: int, paper_id: str) -> bool:
        """Save the paper, or remove it when it was saved; the new state."""
        async with self.db.write() as conn:
            gone = await conn.execute(saves.delete().where(saves.c.user_id == user_id, saves.c.paper_id == paper_id))
            if gone.rowcount:
                return False
            await conn.execute(self.db.insert(saves).values(user_id=user_id, paper_id=paper_id, at=time.time())
                               .on_conflict_do_nothing())
            return True

    async def of(self, user_id: int) -> list[str]:
        """A card's ⭐ marks may wait for this (briefly): one call into the store (`Database.run`)."""
        query = sa.select(saves.c.paper_id).where(saves.c.user_id == user_id).order_by(saves.c.at, saves.c.paper_id)
        return await self.db.run(lambda conn: [r[0] for r in conn.execute(query)])

    async def among(self, user_id: int, paper_ids: Sequence[str]) -> set[str]:
        if not paper_ids:
            return set()
        async with self.db.read() as conn:
            rows = await conn.execute(sa.select(saves.c.paper_id).where(
                saves.c.user_id == user_id, saves.c.paper_id.in_(list(paper_ids))))
            return {r[0] for r in rows}
