"""Readers' state in one store: saves, subscriptions, language choices, the delivery log of
pushes, keyword cooldowns and the bundle's Telegram file_ids.

One async interface over SQLAlchemy Core, two engines: SQLite (aiosqlite, WAL) by default and
PostgreSQL (asyncpg) when DATABASE_URL says postgresql://. Everything several replicas must
agree on is decided by the database in one statement (an insert that does nothing on conflict,
an update that claims rows), never by reading then writing, so two replicas on one PostgreSQL
push a paper once and hold one cooldown.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bot.store.records import MAX_SUBSCRIPTIONS, Claim, Kind, Subscription, guarded

__all__ = ["MAX_SUBSCRIPTIONS", "Claim", "Kind", "Store", "Subscription", "engine_url", "guarded"]
log = logging.getLogger(__name__)

SENDING_STALE = 600.0   # a claim older than this belonged to a replica that died mid-broadcast

metadata = sa.MetaData()
schema_version = sa.Table("schema_version", metadata, sa.Column("version", sa.Integer, nullable=False))
saves = sa.Table(
    "saves", metadata,
    sa.Column("user_id", sa.BigInteger, primary_key=True), sa.Column("paper_id", sa.Text, primary_key=True),
    sa.Column("at", sa.Float, nullable=False))
subscriptions = sa.Table(
    "subscriptions", metadata,
    sa.Column("user_id", sa.BigInteger, primary_key=True), sa.Column("kind", sa.Text, primary_key=True),
    sa.Column("value", sa.Text, primary_key=True), sa.Column("chat_id", sa.BigInteger, nullable=False),
    sa.Column("label", sa.Text, nullable=False), sa.Column("lang", sa.Text, nullable=False, server_default="zh"),
    sa.Column("at", sa.Float, nullable=False))
languages = sa.Table(
    "languages", metadata,
    sa.Column("user_id", sa.BigInteger, primary_key=True), sa.Column("lang", sa.Text, nullable=False))
deliveries = sa.Table(
    "deliveries", metadata,
    sa.Column("chat_id", sa.BigInteger, primary_key=True), sa.Column("paper_id", sa.Text, primary_key=True),
    sa.Column("status", sa.Text, nullable=False),          # pending -> sending -> sent | dropped
    sa.Column("owner", sa.Text), sa.Column("at", sa.Float, nullable=False),
    sa.Index("deliveries_status", "status", "chat_id"))
cooldowns = sa.Table(
    "cooldowns", metadata,
    sa.Column("chat_id", sa.BigInteger, primary_key=True), sa.Column("rule_id", sa.Text, primary_key=True),
    sa.Column("until", sa.Float, nullable=False))
file_ids = sa.Table(
    "file_ids", metadata, sa.Column("key", sa.Text, primary_key=True), sa.Column("file_id", sa.Text, nullable=False))
journal = sa.Table(
    "journal", metadata,
    sa.Column("update_id", sa.BigInteger, primary_key=True), sa.Column("body", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False),           # accepted -> (replaying ->) deleted when handled
    sa.Column("owner", sa.Text), sa.Column("at", sa.Float, nullable=False),
    sa.Index("journal_status", "status", "at"))
queries = sa.Table(
    "queries", metadata,
    sa.Column("at", sa.Float, nullable=False), sa.Column("chat_type", sa.Text, nullable=False),
    sa.Column("lang", sa.Text, nullable=False), sa.Column("query", sa.Text, nullable=False),
    sa.Column("kind", sa.Text, nullable=False), sa.Column("paper_id", sa.Text),
    sa.Column("hit", sa.Integer, nullable=False), sa.Column("user_id", sa.BigInteger),
    sa.Index("queries_at", "at"))
REPLAY_AFTER = 10.0   # an accepted update unhandled for this long was lost by a stop or a crash

Migration = Callable[[sa.Connection], None]


def _v1(conn: sa.Connection) -> None:
    metadata.create_all(conn, tables=[saves, subscriptions, languages, deliveries, cooldowns, file_ids])


def _v2(conn: sa.Connection) -> None:
    metadata.create_all(conn, tables=[journal])


def _v3(conn: sa.Connection) -> None:
    # The analytics table of an existing PAPERBOT_STATS_DB file has this very shape: kept as it is.
    metadata.create_all(conn, tables=[queries], checkfirst=True)


# Versioned migrations, run in order at start by every engine; append, never edit.
MIGRATIONS: tuple[Migration, ...] = (_v1, _v2, _v3)


def default_url() -> str:
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "paperbot"
    return f"sqlite:///{base / 'paperbot.sqlite3'}"


def engine_url(url: str) -> str:
    """DATABASE_URL as SQLAlchemy's async drivers want it."""
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+asyncpg://" + url.split("://", 1)[1]
    if url.startswith("sqlite:///"):
        return "sqlite+aiosqlite:///" + url.removeprefix("sqlite:///")
    if url.startswith(("postgresql+asyncpg://", "sqlite+aiosqlite://")):
        return url
    raise ValueError(f"DATABASE_URL must start with sqlite:/// or postgresql:// (got {url.split(':', 1)[0]}:)")


class Store:
    """The store; `open()` connects and migrates, `close()` disposes of the engine."""

    def __init__(self, url: str, *, owner: str = "") -> None:
        self.url = url
        self.owner = owner or f"{os.uname().nodename}:{os.getpid()}"
        self._engine: AsyncEngine | None = None

    @property
    def engine(self) -> AsyncEngine:
        if self._engine is None:
            raise RuntimeError("the store is not open")
        return self._engine

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    async def open(self) -> None:
        url = engine_url(self.url)
        if url.startswith("sqlite"):
            path = url.removeprefix("sqlite+aiosqlite:///")
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
        if url.endswith(":memory:"):  # one shared connection, or every query sees another empty database
            from sqlalchemy.pool import StaticPool

            self._engine = create_async_engine(url, poolclass=StaticPool)
        else:
            self._engine = create_async_engine(url, pool_pre_ping=url.startswith("postgresql"))
        if self.dialect == "sqlite":
            sa.event.listen(self._engine.sync_engine, "connect", _sqlite_pragmas)
        async with self.engine.begin() as conn:
            await conn.run_sync(_migrate)

    async def close(self) -> None:
        if self._engine is not None:
            await self._engine.dispose()
            self._engine = None

    def _insert(self, table: sa.Table) -> Any:
        if self.dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as pg_insert
            return pg_insert(table)
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert
        return sqlite_insert(table)

    # --- saves --------------------------------------------------------------------------

    async def toggle_save(self, user_id: int, paper_id: str) -> bool:
        """Save the paper, or remove it when it was saved; the new state."""
        async with self.engine.begin() as conn:
            gone = await conn.execute(saves.delete().where(saves.c.user_id == user_id, saves.c.paper_id == paper_id))
            if gone.rowcount:
                return False
            await conn.execute(self._insert(saves).values(user_id=user_id, paper_id=paper_id, at=time.time())
                               .on_conflict_do_nothing())
            return True

    async def saved(self, user_id: int) -> list[str]:
        async with self.engine.connect() as conn:
            rows = await conn.execute(sa.select(saves.c.paper_id).where(saves.c.user_id == user_id)
                                      .order_by(saves.c.at, saves.c.paper_id))
            return [r[0] for r in rows]

    async def saved_among(self, user_id: int, paper_ids: Sequence[str]) -> set[str]:
        if not paper_ids:
            return set()
        async with self.engine.connect() as conn:
            rows = await conn.execute(sa.select(saves.c.paper_id).where(
                saves.c.user_id == user_id, saves.c.paper_id.in_(list(paper_ids))))
            return {r[0] for r in rows}

    # --- subscriptions --------------------------------------------------------------------

    async def subscribe(self, sub: Subscription) -> Literal["added", "exists", "limit"]:
        async with self.engine.begin() as conn:
            count = (await conn.execute(sa.select(sa.func.count()).select_from(subscriptions)
                                        .where(subscriptions.c.user_id == sub.user_id))).scalar_one()
            if count >= MAX_SUBSCRIPTIONS:
                return "limit"
            done = await conn.execute(self._insert(subscriptions).values(
                user_id=sub.user_id, kind=sub.kind, value=sub.value, chat_id=sub.chat_id, label=sub.label,
                lang=sub.lang, at=time.time()).on_conflict_do_nothing())
            return "added" if done.rowcount else "exists"

    async def subscriptions_of(self, user_id: int) -> list[Subscription]:
        async with self.engine.connect() as conn:
            rows = await conn.execute(sa.select(subscriptions).where(subscriptions.c.user_id == user_id)
                                      .order_by(subscriptions.c.at))
            return [_sub(r) for r in rows]

    async def all_subscriptions(self) -> list[Subscription]:
        async with self.engine.connect() as conn:
            return [_sub(r) for r in await conn.execute(sa.select(subscriptions))]

    async def unsubscribe(self, user_id: int, kind: str | None = None, value: str | None = None) -> int:
        query = subscriptions.delete().where(subscriptions.c.user_id == user_id)
        if kind is not None and value is not None:
            query = query.where(subscriptions.c.kind == kind, subscriptions.c.value == value)
        async with self.engine.begin() as conn:
            return int((await conn.execute(query)).rowcount)

    # --- language -------------------------------------------------------------------------

    async def set_language(self, user_id: int, lang: str | None) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(languages.delete().where(languages.c.user_id == user_id))
            if lang is not None:
                await conn.execute(languages.insert().values(user_id=user_id, lang=lang))

    async def chat_language(self, chat_id: int) -> str | None:
        """A push's language: the reader's /lang choice (a private chat's id is the reader's),
        else the language of the chat's latest follow."""
        chosen = await self.language(chat_id)
        if chosen is not None:
            return chosen
        async with self.engine.connect() as conn:
            return (await conn.execute(sa.select(subscriptions.c.lang).where(subscriptions.c.chat_id == chat_id)
                                       .order_by(subscriptions.c.at.desc()).limit(1))).scalar()

    async def language(self, user_id: int) -> str | None:
        async with self.engine.connect() as conn:
            return (await conn.execute(sa.select(languages.c.lang).where(languages.c.user_id == user_id))).scalar()

    # --- privacy --------------------------------------------------------------------------

    async def forget(self, user_id: int) -> int:
        """Delete everything stored about a reader (their private chat's pushes too); rows deleted."""
        deleted = 0
        async with self.engine.begin() as conn:
            for table in (saves, subscriptions, languages):
                deleted += (await conn.execute(table.delete().where(table.c.user_id == user_id))).rowcount
            deleted += (await conn.execute(deliveries.delete().where(deliveries.c.chat_id == user_id))).rowcount
        return deleted

    # --- pushes ---------------------------------------------------------------------------

    async def enqueue(self, pairs: Sequence[tuple[int, str]]) -> int:
        """Log (chat, paper) deliveries as pending; one already logged (by any replica) is skipped."""
        if not pairs:
            return 0
        now = time.time()
        rows = [{"chat_id": c, "paper_id": p, "status": "pending", "owner": None, "at": now}
                for c, p in dict.fromkeys(pairs)]
        added = 0
        async with self.engine.begin() as conn:
            for start in range(0, len(rows), 1000):
                # RETURNING counts the rows this call inserted (a driver's rowcount for many rows may be -1).
                result = await conn.execute(self._insert(deliveries).on_conflict_do_nothing()
                                            .returning(deliveries.c.chat_id), rows[start:start + 1000])
                added += len(result.all())
        return added

    async def pending_chats(self, limit: int = 1000) -> list[int]:
        async with self.engine.connect() as conn:
            rows = await conn.execute(sa.select(deliveries.c.chat_id).where(deliveries.c.status == "pending")
                                      .group_by(deliveries.c.chat_id).order_by(deliveries.c.chat_id).limit(limit))
            return [r[0] for r in rows]

    async def claim(self, chat_id: int) -> Claim | None:
        """Take this chat's pending deliveries for this replica; None when another replica has them."""
        async with self.engine.begin() as conn:
            rows = await conn.execute(
                deliveries.update().where(deliveries.c.chat_id == chat_id, deliveries.c.status == "pending")
                .values(status="sending", owner=self.owner, at=time.time()).returning(deliveries.c.paper_id))
            papers = tuple(sorted(r[0] for r in rows))
        return Claim(chat_id, papers) if papers else None

    async def finish(self, claim: Claim, status: Literal["sent", "dropped"]) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(deliveries.update().where(
                deliveries.c.chat_id == claim.chat_id, deliveries.c.paper_id.in_(claim.paper_ids),
                deliveries.c.owner == self.owner).values(status=status, at=time.time()))

    async def release(self, claim: Claim) -> None:
        """Give a claim back (flood control): the deliveries are pending again."""
        async with self.engine.begin() as conn:
            await conn.execute(deliveries.update().where(
                deliveries.c.chat_id == claim.chat_id, deliveries.c.paper_id.in_(claim.paper_ids),
                deliveries.c.owner == self.owner).values(status="pending", owner=None))

    async def settle_stale(self) -> int:
        """Claims left by a replica that stopped mid-broadcast: they may have been sent, so they
        count as sent (a reader never gets a push twice; at worst one is lost)."""
        async with self.engine.begin() as conn:
            done = await conn.execute(deliveries.update().where(
                deliveries.c.status == "sending", deliveries.c.at < time.time() - SENDING_STALE)
                .values(status="sent"))
            return int(done.rowcount)

    async def drop_chat(self, chat_id: int) -> None:
        """A chat that blocked the bot or is gone: its subscriptions and pending pushes go."""
        async with self.engine.begin() as conn:
            await conn.execute(subscriptions.delete().where(subscriptions.c.chat_id == chat_id))
            await conn.execute(deliveries.update().where(deliveries.c.chat_id == chat_id,
                                                         deliveries.c.status == "pending").values(status="dropped"))

    async def delivered(self) -> list[tuple[int, str, str]]:
        async with self.engine.connect() as conn:
            rows = await conn.execute(sa.select(deliveries.c.chat_id, deliveries.c.paper_id, deliveries.c.status)
                                      .order_by(deliveries.c.chat_id, deliveries.c.paper_id))
            return [(r[0], r[1], r[2]) for r in rows]

    # --- shared state of replicas ------------------------------------------------------------

    async def cooldown_allows(self, chat_id: int, rule_id: str, seconds: float) -> bool:
        """True at most once per `seconds` for a (chat, rule), across every replica."""
        now = time.time()
        stmt = self._insert(cooldowns).values(chat_id=chat_id, rule_id=rule_id, until=now + seconds)
        stmt = stmt.on_conflict_do_update(index_elements=["chat_id", "rule_id"], set_={"until": now + seconds},
                                          where=cooldowns.c.until <= now).returning(cooldowns.c.until)
        async with self.engine.begin() as conn:
            return (await conn.execute(stmt)).first() is not None

    # --- the update journal (webhook mode) -------------------------------------------------

    async def journal(self, update_id: int, body: str) -> None:
        """Keep an accepted update until it is handled (Telegram's retries are not duplicated)."""
        async with self.engine.begin() as conn:
            await conn.execute(self._insert(journal).values(update_id=update_id, body=body, status="accepted",
                                                            owner=self.owner, at=time.time()).on_conflict_do_nothing())

    async def journal_done(self, update_id: int) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(journal.delete().where(journal.c.update_id == update_id))

    async def claim_unfinished(self, older_than: float = REPLAY_AFTER, before: float | None = None) -> list[str]:
        """Take the accepted updates nobody finished (oldest first) for this replica to handle:
        those older than `older_than` seconds, or (`before`) journalled before a moment, such as
        this process's start."""
        cutoff = before if before is not None else time.time() - older_than
        async with self.engine.begin() as conn:
            rows = await conn.execute(journal.update().where(
                journal.c.status == "accepted", journal.c.at < cutoff)
                .values(status="replaying", owner=self.owner).returning(journal.c.update_id, journal.c.body))
            return [body for _, body in sorted(rows.all())]

    async def file_id(self, key: str) -> str | None:
        async with self.engine.connect() as conn:
            return (await conn.execute(sa.select(file_ids.c.file_id).where(file_ids.c.key == key))).scalar()

    async def remember_file_id(self, key: str, file_id: str) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(self._insert(file_ids).values(key=key, file_id=file_id).on_conflict_do_nothing())


def _sub(row: Any) -> Subscription:
    return Subscription(row.user_id, row.chat_id, row.kind, row.value, row.label, row.lang)


def _sqlite_pragmas(dbapi_connection: Any, _: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=2000")
    cursor.close()


def _migrate(conn: sa.Connection) -> None:
    """Bring the schema to the newest version; on PostgreSQL one replica at a time."""
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(7405117)"))
    schema_version.create(conn, checkfirst=True)
    current = conn.execute(sa.select(sa.func.max(schema_version.c.version))).scalar() or 0
    for version, step in enumerate(MIGRATIONS, 1):
        if version > current:
            step(conn)
            conn.execute(schema_version.insert().values(version=version))
            log.info("store schema migrated to version %d", version)
