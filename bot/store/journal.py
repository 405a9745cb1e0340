"""The update journal: an accepted update is kept until it is handled, so a stop or a crash
in between loses nothing (webhook: before the 200; polling: before the offset is confirmed)."""

from __future__ import annotations

import time

from bot.store.engine import Database
from bot.store.tables import journal

REPLAY_AFTER = 10.0   # an accepted update unhandled for this long was lost by a stop or a crash


class Journal:
    def __init__(self, db: Database, owner: str) -> None:
        self.db = db
        self.owner = owner

    async def accept(self, update_id: int, body: str) -> None:
        """Keep an accepted update until it is handled (Telegram's retries are not duplicated)."""
        async with self.db.write() as conn:
            await conn.execute(self.db.insert(journal).values(update_id=update_id, body=body, status="accepted",
                                                              owner=self.owner, at=time.time()).on_conflict_do_nothing())

    async def done(self, update_id: int) -> None:
        async with self.db.write() as conn:
            await conn.execute(journal.delete().where(journal.c.update_id == update_id))

    async def claim_unfinished(self, older_than: float = REPLAY_AFTER, before: float | None = None) -> list[str]:
        """Take the accepted updates nobody finished (oldest first) for this replica to handle:
        those older than `older_than` seconds, or (`before`) journalled before a moment, such as
        this process's start."""
        cutoff = before if before is not None else time.time() - older_than
        async with self.db.write() as conn:
            rows = await conn.execute(journal.update().where(
                journal.c.status == "accepted", journal.c.at < cutoff)
                .values(status="replaying", owner=self.owner).returning(journal.c.update_id, journal.c.body))
            return [body for _, body in sorted(rows.all())]
