"""Follows (subscriptions) and the delivery log of pushes.

Everything several replicas must agree on is decided by the database in one statement (an
insert that does nothing on conflict, an update that claims rows), never by reading then
writing, so two replicas on one PostgreSQL push a paper once.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any, Literal

import sqlalchemy as sa

from bot.store.engine import Database
from bot.store.records import MAX_SUBSCRIPTIONS, Claim, Subscription
from bot.store.tables import deliveries, roundup_items, subscriptions

SENDING_STALE = 600.0   # a claim older than this belonged to a replica that died mid-broadcast


class Follows:
    def __init__(self, db: Database, owner: str) -> None:
        self.db = db
        self.owner = owner

    async def subscribe(self, sub: Subscription) -> Literal["added", "exists", "updated", "limit"]:
        """A new follow, or an existing one given another cadence or other exclusions ("updated")."""
        without = "|".join(sub.without)
        async with self.db.write() as conn:
            same = (subscriptions.c.user_id == sub.user_id, subscriptions.c.kind == sub.kind,
                    subscriptions.c.value == sub.value)
            changed = await conn.execute(subscriptions.update().where(
                *same, sa.or_(subscriptions.c.cadence != sub.cadence, subscriptions.c.without_keys != without))
                .values(cadence=sub.cadence, without_keys=without, chat_id=sub.chat_id, lang=sub.lang))
            if changed.rowcount:
                return "updated"
            count = (await conn.execute(sa.select(sa.func.count()).select_from(subscriptions)
                                        .where(subscriptions.c.user_id == sub.user_id))).scalar_one()
            if count >= MAX_SUBSCRIPTIONS:
                return "limit"
            done = await conn.execute(self.db.insert(subscriptions).values(
                user_id=sub.user_id, kind=sub.kind, value=sub.value, chat_id=sub.chat_id, label=sub.label,
                lang=sub.lang, at=time.time(), cadence=sub.cadence, without_keys=without).on_conflict_do_nothing())
            return "added" if done.rowcount else "exists"

    async def of(self, user_id: int) -> list[Subscription]:
        async with self.db.read() as conn:
            rows = await conn.execute(sa.select(subscriptions).where(subscriptions.c.user_id == user_id)
                                      .order_by(subscriptions.c.at))
            return [subscription_of(r) for r in rows]

    async def all(self) -> list[Subscription]:
        async with self.db.read() as conn:
            return [subscription_of(r) for r in await conn.execute(sa.select(subscriptions))]

    async def unsubscribe(self, user_id: int, kind: str | None = None, value: str | None = None) -> int:
        """Stop one follow (or all); the papers its roundup was collecting go with it."""
        query = subscriptions.delete().where(subscriptions.c.user_id == user_id)
        waiting = roundup_items.delete().where(roundup_items.c.user_id == user_id, roundup_items.c.period.is_(None))
        if kind is not None and value is not None:
            query = query.where(subscriptions.c.kind == kind, subscriptions.c.value == value)
            waiting = waiting.where(roundup_items.c.kind == kind, roundup_items.c.value == value)
        async with self.db.write() as conn:
            await conn.execute(waiting)
            return int((await conn.execute(query)).rowcount)

    async def latest_language(self, chat_id: int) -> str | None:
        """The language of the chat's latest follow."""
        async with self.db.read() as conn:
            return (await conn.execute(sa.select(subscriptions.c.lang).where(subscriptions.c.chat_id == chat_id)
                                       .order_by(subscriptions.c.at.desc()).limit(1))).scalar()

    # --- deliveries -------------------------------------------------------------------------

    async def enqueue(self, pairs: Sequence[tuple[int, str]]) -> int:
        """Log (chat, paper) deliveries as pending; one already logged (by any replica) is skipped."""
        if not pairs:
            return 0
        now = time.time()
        rows = [{"chat_id": c, "paper_id": p, "status": "pending", "owner": None, "at": now}
                for c, p in dict.fromkeys(pairs)]
        added = 0
        async with self.db.write() as conn:
            for start in range(0, len(rows), 1000):
                # RETURNING counts the rows this call inserted (a driver's rowcount for many rows may be -1).
                result = await conn.execute(self.db.insert(deliveries).on_conflict_do_nothing()
                                            .returning(deliveries.c.chat_id), rows[start:start + 1000])
                added += len(result.all())
        return added

    async def pending_chats(self, limit: int = 1000) -> list[int]:
        async with self.db.read() as conn:
            rows = await conn.execute(sa.select(deliveries.c.chat_id).where(deliveries.c.status == "pending")
                                      .group_by(deliveries.c.chat_id).order_by(deliveries.c.chat_id).limit(limit))
            return [r[0] for r in rows]

    async def claim(self, chat_id: int) -> Claim | None:
        """Take this chat's pending deliveries for this replica; None when another replica has them."""
        async with self.db.write() as conn:
            rows = await conn.execute(
                deliveries.update().where(deliveries.c.chat_id == chat_id, deliveries.c.status == "pending")
                .values(status="sending", owner=self.owner, at=time.time()).returning(deliveries.c.paper_id))
            papers = tuple(sorted(r[0] for r in rows))
        return Claim(chat_id, papers) if papers else None

    async def finish(self, claim: Claim, status: Literal["sent", "dropped"]) -> None:
        async with self.db.write() as conn:
            await conn.execute(deliveries.update().where(
                deliveries.c.chat_id == claim.chat_id, deliveries.c.paper_id.in_(claim.paper_ids),
                deliveries.c.owner == self.owner).values(status=status, at=time.time()))

    async def release(self, claim: Claim) -> None:
        """Give a claim back (flood control): the deliveries are pending again."""
        async with self.db.write() as conn:
            await conn.execute(deliveries.update().where(
                deliveries.c.chat_id == claim.chat_id, deliveries.c.paper_id.in_(claim.paper_ids),
                deliveries.c.owner == self.owner).values(status="pending", owner=None))

    async def settle_stale(self) -> int:
        """Claims left by a replica that stopped mid-broadcast: they may have been sent, so they
        count as sent (a reader never gets a push twice; at worst one is lost)."""
        async with self.db.write() as conn:
            done = await conn.execute(deliveries.update().where(
                deliveries.c.status == "sending", deliveries.c.at < time.time() - SENDING_STALE)
                .values(status="sent"))
            return int(done.rowcount)

    async def drop_chat(self, chat_id: int) -> None:
        """A chat that blocked the bot or is gone: its subscriptions and pending pushes go."""
        async with self.db.write() as conn:
            gone = sa.exists().where(subscriptions.c.chat_id == chat_id, subscriptions.c.user_id == roundup_items.c.user_id,
                                     subscriptions.c.kind == roundup_items.c.kind,
                                     subscriptions.c.value == roundup_items.c.value)
            await conn.execute(roundup_items.delete().where(gone, roundup_items.c.period.is_(None)))
            await conn.execute(subscriptions.delete().where(subscriptions.c.chat_id == chat_id))
            await conn.execute(deliveries.update().where(deliveries.c.chat_id == chat_id,
                                                         deliveries.c.status == "pending").values(status="dropped"))

    async def delivered(self) -> list[tuple[int, str, str]]:
        async with self.db.read() as conn:
            rows = await conn.execute(sa.select(deliveries.c.chat_id, deliveries.c.paper_id, deliveries.c.status)
                                      .order_by(deliveries.c.chat_id, deliveries.c.paper_id))
            return [(r[0], r[1], r[2]) for r in rows]


def subscription_of(row: Any) -> Subscription:
    return Subscription(row.user_id, row.chat_id, row.kind, row.value, row.label, row.lang, row.cadence,
                        tuple(k for k in row.without_keys.split("|") if k))
