"""Roundups: daily and weekly follows collect new papers, and the delivery log sends each
follow's period once; readers' time zones (/tz) beside them.

Two replicas agree through the database alone: a paper is collected once per follow (an insert
that does nothing on conflict) and a period's roundup is claimed by inserting its log row under
a unique key (follow, period) in the same transaction that takes the period's papers, so
whichever replica inserts first sends it and the other one, or a restarted one, never does.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import sqlalchemy as sa

from bot.store.engine import Database
from bot.store.follows import subscription_of
from bot.store.records import Collected, Roundup, Subscription
from bot.store.tables import roundup_items, roundups, subscriptions, time_zones

SENDING_STALE = 600.0   # a claim older than this belonged to a replica that died while sending

Follow = tuple[int, str, str]   # user_id, kind, value: one follow


class Roundups:
    def __init__(self, db: Database, owner: str) -> None:
        self.db = db
        self.owner = owner

    async def collect(self, items: Sequence[tuple[Follow, str]], at: float) -> int:
        """Keep new papers for their follows' next roundup; one already kept (by any replica) is skipped."""
        rows = [{"user_id": u, "kind": k, "value": v, "paper_id": p, "at": at, "period": None}
                for (u, k, v), p in dict.fromkeys(items)]
        added = 0
        async with self.db.write() as conn:
            for start in range(0, len(rows), 1000):
                result = await conn.execute(self.db.insert(roundup_items).on_conflict_do_nothing()
                                            .returning(roundup_items.c.paper_id), rows[start:start + 1000])
                added += len(result.all())
        return added

    async def waiting(self, limit: int = 2000) -> list[Collected]:
        """Follows with collected papers no roundup took yet, with the reader's zone and the oldest paper's time."""
        item = roundup_items.c
        oldest = (sa.select(item.user_id, item.kind, item.value, sa.func.min(item.at).label("oldest"))
                  .where(item.period.is_(None)).group_by(item.user_id, item.kind, item.value)
                  .order_by(sa.func.min(item.at)).limit(limit).subquery())
        query = (sa.select(subscriptions, oldest.c.oldest, time_zones.c.zone)
                 .join(oldest, sa.and_(subscriptions.c.user_id == oldest.c.user_id,
                                       subscriptions.c.kind == oldest.c.kind, subscriptions.c.value == oldest.c.value))
                 .outerjoin(time_zones, time_zones.c.user_id == subscriptions.c.user_id))
        async with self.db.read() as conn:
            rows = (await conn.execute(query)).all()
        return sorted((Collected(subscription_of(r), r.zone, float(r.oldest)) for r in rows), key=lambda c: c.oldest)

    async def claim(self, sub: Subscription, period: str, end: float, now: float) -> Roundup | None:
        """Log this follow's roundup of `period` (papers collected before `end`) and take its papers,
        in one transaction; None when the period is logged already (another replica, an earlier
        run). Papers collected into a logged period late (a replica's clock behind) move to the
        period under way, so they are sent once, later, never lost."""
        user_id, kind, value = sub.follow
        item = roundup_items.c
        mine = (item.user_id == user_id, item.kind == kind, item.value == value, item.period.is_(None), item.at < end)
        async with self.db.write() as conn:
            logged = await conn.execute(self.db.insert(roundups).values(
                user_id=user_id, kind=kind, value=value, period=period, chat_id=sub.chat_id, status="sending",
                owner=self.owner, at=now).on_conflict_do_nothing().returning(roundups.c.id))
            row = logged.first()
            if row is None:
                await conn.execute(roundup_items.update().where(*mine).values(at=now))
                return None
            taken = await conn.execute(roundup_items.update().where(*mine).values(period=period)
                                       .returning(item.paper_id, item.at))
            papers = tuple(p for p, _ in sorted(taken.all(), key=lambda r: (r[1], r[0])))
        return Roundup(int(row[0]), sub, period, papers)

    async def finish(self, roundup: Roundup, status: Literal["sent", "dropped"]) -> None:
        async with self.db.write() as conn:
            await conn.execute(roundups.update().where(roundups.c.id == roundup.id, roundups.c.owner == self.owner)
                               .values(status=status))

    async def release(self, roundup: Roundup) -> None:
        """Give a claim back (Telegram refused the message, so it was not sent): the log row goes and
        the period's papers wait again, for the next run to claim and send."""
        user_id, kind, value = roundup.sub.follow
        item = roundup_items.c
        async with self.db.write() as conn:
            gone = await conn.execute(roundups.delete().where(roundups.c.id == roundup.id,
                                                              roundups.c.owner == self.owner,
                                                              roundups.c.status == "sending"))
            if gone.rowcount:
                await conn.execute(roundup_items.update().where(
                    item.user_id == user_id, item.kind == kind, item.value == value, item.period == roundup.period)
                    .values(period=None))

    async def settle_stale(self, now: float) -> int:
        """Roundups a stopped replica was sending count as sent: a reader never gets one twice."""
        async with self.db.write() as conn:
            done = await conn.execute(roundups.update().where(
                roundups.c.status == "sending", roundups.c.at < now - SENDING_STALE).values(status="sent"))
            return int(done.rowcount)

    async def papers_of(self, roundup_id: int) -> tuple[Follow, int, str, tuple[str, ...]] | None:
        """A logged roundup's (follow, chat, period, papers), for its page buttons; None when unknown."""
        async with self.db.read() as conn:
            log = (await conn.execute(sa.select(roundups).where(roundups.c.id == roundup_id))).first()
            if log is None:
                return None
            item = roundup_items.c
            rows = await conn.execute(sa.select(item.paper_id).where(
                item.user_id == log.user_id, item.kind == log.kind, item.value == log.value,
                item.period == log.period).order_by(item.at, item.paper_id))
            follow = (int(log.user_id), str(log.kind), str(log.value))
            return follow, int(log.chat_id), str(log.period), tuple(r[0] for r in rows)

    async def log(self) -> list[tuple[int, str, str, str, str]]:
        """Every logged roundup (user, kind, value, period, status), for tests and operators."""
        async with self.db.read() as conn:
            rows = await conn.execute(sa.select(roundups.c.user_id, roundups.c.kind, roundups.c.value,
                                                roundups.c.period, roundups.c.status).order_by(roundups.c.id))
            return [(r[0], r[1], r[2], r[3], r[4]) for r in rows]

    # --- time zones -----------------------------------------------------------------------

    async def set_zone(self, user_id: int, zone: str) -> None:
        async with self.db.write() as conn:
            await conn.execute(self.db.insert(time_zones).values(user_id=user_id, zone=zone)
                               .on_conflict_do_update(index_elements=["user_id"], set_={"zone": zone}))

    async def zone(self, user_id: int) -> str | None:
        async with self.db.read() as conn:
            found: Any = (await conn.execute(sa.select(time_zones.c.zone)
                                             .where(time_zones.c.user_id == user_id))).scalar()
            return None if found is None else str(found)
