"""Search analytics for the curator: every query, what was answered, hit or miss.

Stored in the readers' store (so several replicas on PostgreSQL share one table) or, with
PAPERBOT_STATS_DB, in its own SQLite file. A reply never waits for it: `record` puts the row in a
bounded in-process queue and returns; one writer task stores rows in batches. A full queue, a
full disk or a locked database costs a logged warning and a counter, never a delayed reply; on
shutdown the queue is flushed within a deadline. User ids are stored only when
STATS_STORE_USERS is set.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

MAX_QUERY = 500
QUEUE_SIZE = 10_000      # rows waiting for the writer; beyond this a row is counted and dropped
BATCH = 500              # rows per transaction
FLUSH_DEADLINE = 5.0     # seconds shutdown waits for queued rows


@dataclass(frozen=True)
class QueryRecord:
    chat_type: str
    lang: str
    query: str
    kind: str
    paper_id: str | None
    hit: bool
    user_id: int | None = None
    at: float = 0.0


@dataclass(frozen=True)
class Report:
    today: int
    week: int
    top_queries: list[tuple[str, int]]
    top_papers: list[tuple[str, int]]
    top_misses: list[tuple[str, int]]

    def lines(self) -> list[str]:
        def block(title: str, rows: list[tuple[str, int]]) -> list[str]:
            return [title] + ([f"  {n:>5}  {q}" for q, n in rows] or ["  (none)"])

        return [f"queries today: {self.today}", f"queries in the last 7 days: {self.week}",
                *block("top queries (7 days):", self.top_queries),
                *block("top papers (7 days):", self.top_papers),
                *block("top queries that found nothing (aliases to add):", self.top_misses)]


class StatsStore:
    """The analytics table, in the readers' store (PostgreSQL with several replicas) or in its
    own SQLite file (PAPERBOT_STATS_DB)."""

    def __init__(self, path: Path | None = None, *, store_users: bool = False, url: str | None = None) -> None:
        self.path = path
        self.url = url or f"sqlite:///{path}"
        self.where = str(path) if path else self.url.split("@")[-1]   # for messages: never a password
        self.store_users = store_users
        self.dropped = 0           # rows lost to a full queue or a database error
        self._store: Any = None
        self._queue: asyncio.Queue[dict[str, object]] | None = None
        self._writer: asyncio.Task[None] | None = None

    async def open(self) -> None:
        from bot.store.engine import Database

        store = Database(self.url)
        try:
            if self.path is not None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            await store.open()
        except Exception as exc:
            log.warning("search analytics are off: cannot open %s (%s)", self.where, exc)
            await store.close()
            return
        self._store = store
        self._queue = asyncio.Queue(QUEUE_SIZE)
        self._writer = asyncio.create_task(self._write_batches(), name="analytics-writer")

    async def close(self, deadline: float = FLUSH_DEADLINE) -> None:
        """Store what is queued (within `deadline` seconds), then close the database."""
        if self._queue is not None and self._writer is not None:
            try:
                await asyncio.wait_for(self._queue.join(), deadline)
            except TimeoutError:
                lost = self._queue.qsize()
                self.dropped += lost
                log.warning("analytics: %d queued queries not stored before the shutdown deadline", lost)
            self._writer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._writer
            self._queue = self._writer = None
        if self._store is not None:
            store, self._store = self._store, None
            await store.close()

    async def record(self, rec: QueryRecord) -> None:
        """Queue one query for the writer; returns at once whatever the database is doing."""
        if self._queue is None:
            return
        row: dict[str, object] = {
            "at": rec.at or time.time(), "chat_type": rec.chat_type, "lang": rec.lang, "query": rec.query[:MAX_QUERY],
            "kind": rec.kind, "paper_id": rec.paper_id, "hit": int(rec.hit),
            "user_id": rec.user_id if self.store_users else None}
        try:
            self._queue.put_nowait(row)
        except asyncio.QueueFull:
            self.dropped += 1
            if self.dropped % 1000 == 1:
                log.warning("analytics: queue full, %d queries dropped so far", self.dropped)

    async def flush(self) -> None:
        """Wait until every queued row has been handled (tests and reports)."""
        if self._queue is not None:
            await self._queue.join()

    async def _write_batches(self) -> None:
        from bot.store.tables import queries

        assert self._queue is not None
        queue = self._queue
        while True:
            rows = [await queue.get()]
            while len(rows) < BATCH and not queue.empty():
                rows.append(queue.get_nowait())
            try:
                async with self._store.write() as conn:
                    await conn.execute(queries.insert(), rows)
            except Exception as exc:
                self.dropped += len(rows)
                log.warning("could not record %d queries in %s: %s", len(rows), self.where, _short(exc))
            finally:
                for _ in rows:
                    queue.task_done()

    async def report(self, now: float | None = None, limit: int = 10) -> Report:
        import sqlalchemy as sa

        from bot.store.tables import queries

        now = now or time.time()
        await self.flush()
        if self._store is None:
            return Report(0, 0, [], [], [])
        day = dt.datetime.fromtimestamp(now).replace(hour=0, minute=0, second=0, microsecond=0).timestamp()
        week = now - 7 * 86400
        q = queries.c
        count = sa.func.count()

        def top(column: Any, *where: Any) -> Any:
            return (sa.select(column, count).where(q.at >= week, *where).group_by(column)
                    .order_by(count.desc(), column).limit(limit))

        try:
            async with self._store.read() as conn:
                async def number(since: float) -> int:
                    return int((await conn.execute(sa.select(count).select_from(queries).where(q.at >= since)))
                               .scalar_one())

                async def rows(stmt: Any) -> list[tuple[str, int]]:
                    return [(str(a), int(b)) for a, b in (await conn.execute(stmt)).all()]

                lowered = sa.func.lower(q.query)
                return Report(await number(day), await number(week), await rows(top(lowered)),
                              await rows(top(q.paper_id, q.kind == "paper")), await rows(top(lowered, q.hit == 0)))
        except Exception as exc:
            log.warning("could not read %s: %s", self.where, _short(exc))
            return Report(0, 0, [], [], [])

    async def purge_before(self, when: float) -> int:
        from bot.store.tables import queries

        if self._store is None:
            return 0
        await self.flush()
        async with self._store.write() as conn:
            return int((await conn.execute(queries.delete().where(queries.c.at < when))).rowcount)


def _short(exc: BaseException) -> str:
    """A driver error in one line (SQLAlchemy appends the statement and a link)."""
    return str(getattr(exc, "orig", None) or exc).splitlines()[0][:200]


def default_path() -> Path:
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "paperbot" / "stats.sqlite3"


def run_stats_cli(path: Path | None, *, store_users: bool, purge_before: str | None, url: str | None = None) -> int:
    """`paperbot stats`: the report, or a purge, from PAPERBOT_STATS_DB's file or the shared store."""
    async def main() -> int:
        store = StatsStore(path, store_users=store_users, url=url)
        await store.open()
        try:
            if purge_before:
                try:
                    when = dt.datetime.fromisoformat(purge_before).timestamp()
                except ValueError:
                    print(f"paperbot: --purge-before wants a date like 2026-01-31, not {purge_before!r}")
                    return 2
                print(f"removed {await store.purge_before(when)} queries recorded before {purge_before}")
                return 0
            for line in (await store.report()).lines():
                print(line)
            return 0
        finally:
            await store.close()

    if path is not None and not path.exists():
        print(f"no analytics yet: {path} does not exist (set PAPERBOT_STATS_DB)")
        return 0
    return asyncio.run(main())
