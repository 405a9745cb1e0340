"""Search analytics for the curator: every query, what was answered, hit or miss.

Stored in SQLite (WAL) through aiosqlite. A reply never waits for it: `record` puts the row in a
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
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

import aiosqlite

from bot.answer import (
    Answer,
    BundleAnswer,
    ChatAnswer,
    CheckAnswer,
    ChoiceAnswer,
    CompareAnswer,
    CountAnswer,
    FallbackAnswer,
    KeywordAnswer,
    ListAnswer,
    NotFound,
    PaperAnswer,
    SimilarAnswer,
)

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS queries (
    at REAL NOT NULL,           -- unix time
    chat_type TEXT NOT NULL,    -- private, group, supergroup, inline, local
    lang TEXT NOT NULL,
    query TEXT NOT NULL,
    kind TEXT NOT NULL,         -- paper, list, choice, not_found, keyword, count, compare, bundle, chat, inline
    paper_id TEXT,
    hit INTEGER NOT NULL,
    user_id INTEGER
);
CREATE INDEX IF NOT EXISTS queries_at ON queries(at);
"""
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


def describe(answer: Answer | None) -> tuple[str, str | None, bool]:
    """(kind, paper id, hit) of an answer, for the record."""
    if isinstance(answer, PaperAnswer | CheckAnswer | SimilarAnswer):
        return "paper", answer.paper.id, True
    if isinstance(answer, CompareAnswer):
        return "compare", answer.papers[0].id, True
    if isinstance(answer, BundleAnswer):
        return "bundle", None, True
    if isinstance(answer, ChatAnswer):
        return "chat", None, answer.kind not in ("not_understood", "which_paper")
    if isinstance(answer, ListAnswer):
        return "list", None, True
    if isinstance(answer, ChoiceAnswer):
        return "choice", answer.papers[0].id if answer.papers else None, answer.found
    if isinstance(answer, KeywordAnswer):
        return "keyword", answer.rule.id, True
    if isinstance(answer, CountAnswer):
        return "count", None, True
    if isinstance(answer, NotFound | FallbackAnswer) or answer is None:
        return "not_found", None, False
    return type(answer).__name__, None, True


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
    def __init__(self, path: Path, *, store_users: bool = False) -> None:
        self.path = path
        self.store_users = store_users
        self.dropped = 0           # rows lost to a full queue or a database error
        self._db: aiosqlite.Connection | None = None
        self._lock = asyncio.Lock()
        self._queue: asyncio.Queue[tuple[object, ...]] | None = None
        self._writer: asyncio.Task[None] | None = None

    async def open(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            connection = aiosqlite.connect(self.path, timeout=2.0)
            # A daemon thread: a second SIGTERM during shutdown must not leave the process hanging on it.
            thread = getattr(connection, "_thread", None)
            if thread is not None:
                thread.daemon = True
            self._db = await connection
            await self._db.execute("PRAGMA journal_mode=WAL")
            await self._db.execute("PRAGMA synchronous=NORMAL")
            await self._db.executescript(SCHEMA)
            await self._db.commit()
        except (OSError, sqlite3.Error) as exc:
            log.warning("search analytics are off: cannot open %s (%s)", self.path, exc)
            self._db = None
            return
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
        if self._db is not None:
            db, self._db = self._db, None
            try:
                await db.close()
            except sqlite3.Error as exc:
                log.warning("closing the analytics database failed: %s", exc)

    async def record(self, rec: QueryRecord) -> None:
        """Queue one query for the writer; returns at once whatever the database is doing."""
        if self._queue is None:
            return
        user = rec.user_id if self.store_users else None
        row = (rec.at or time.time(), rec.chat_type, rec.lang, rec.query[:MAX_QUERY], rec.kind, rec.paper_id,
               int(rec.hit), user)
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
        assert self._queue is not None
        queue = self._queue
        while True:
            rows = [await queue.get()]
            while len(rows) < BATCH and not queue.empty():
                rows.append(queue.get_nowait())
            try:
                if self._db is not None:
                    async with self._lock:
                        await self._db.executemany("INSERT INTO queries VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
                        await self._db.commit()
            except (sqlite3.Error, ValueError) as exc:
                self.dropped += len(rows)
                log.warning("could not record %d queries in %s: %s", len(rows), self.path, exc)
                with contextlib.suppress(sqlite3.Error, ValueError):
                    if self._db is not None:
                        await self._db.rollback()
            finally:
                for _ in rows:
                    queue.task_done()

    async def report(self, now: float | None = None, limit: int = 10) -> Report:
        now = now or time.time()
        await self.flush()
        if self._db is None:
            return Report(0, 0, [], [], [])
        day = dt.datetime.fromtimestamp(now).replace(hour=0, minute=0, second=0, microsecond=0).timestamp()
        week = now - 7 * 86400

        async def rows(sql: str, *args: object) -> list[tuple[str, int]]:
            assert self._db is not None
            async with self._db.execute(sql, args) as cursor:
                return [(str(a), int(b)) for a, b in await cursor.fetchall()]

        async def count(since: float) -> int:
            assert self._db is not None
            async with self._db.execute("SELECT COUNT(*) FROM queries WHERE at >= ?", (since,)) as cursor:
                row = await cursor.fetchone()
                return int(row[0]) if row else 0

        group = "GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ?"
        try:
            return Report(
                await count(day), await count(week),
                await rows(f"SELECT lower(query), COUNT(*) FROM queries WHERE at >= ? {group}", week, limit),
                await rows(f"SELECT paper_id, COUNT(*) FROM queries WHERE at >= ? AND kind = 'paper' {group}",
                           week, limit),
                await rows(f"SELECT lower(query), COUNT(*) FROM queries WHERE at >= ? AND hit = 0 {group}",
                           week, limit))
        except sqlite3.Error as exc:
            log.warning("could not read %s: %s", self.path, exc)
            return Report(0, 0, [], [], [])

    async def purge_before(self, when: float) -> int:
        if self._db is None:
            return 0
        async with self._lock:
            cursor = await self._db.execute("DELETE FROM queries WHERE at < ?", (when,))
            await self._db.commit()
            return cursor.rowcount


def default_path() -> Path:
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "paperbot" / "stats.sqlite3"


def run_stats_cli(path: Path, *, store_users: bool, purge_before: str | None) -> int:
    async def main() -> int:
        store = StatsStore(path, store_users=store_users)
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

    if not path.exists():
        print(f"no analytics yet: {path} does not exist (set PAPERBOT_STATS_DB)")
        return 0
    return asyncio.run(main())
