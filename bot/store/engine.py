"""The store's engine: one connection pool per database, its dialect, and the migrations.

SQLAlchemy Core over two drivers: SQLite (aiosqlite, WAL) by default and PostgreSQL (asyncpg)
when DATABASE_URL says postgresql://. The repositories beside this module (saves, follows,
journal, shared, languages) each own one concern and reach the database only through
`read()` and `write()`.

SQLite: this process writes through one connection, one transaction at a time (a lock), so two
write transactions never overlap ("database is locked", "cannot commit transaction - SQL
statements in progress"); reads have a pool of their own connections, so a card's quick read
never queues behind a group commit (in memory, where each connection is another database, reads
take the writer's connection and its lock). WAL, so readers never wait for the writer. The
file is watched: removed or replaced while the bot runs (its directory deleted), every later
write is refused (`StoreGone`) instead of confirmed into a deleted file.

On a SQLite file, what a busy event loop must not slow (the journal's group commits, a card's
quick reads) goes through `run(fn)`: `fn` makes its statements on a plain sqlite3 connection in a
thread of the store's own and the loop is asked once, when it is done. Through aiosqlite every
statement is handed back through the loop (three or four times each), and with hundreds of
handlers ready every turn of the loop is long: a commit of 2,000 operations took 14-35 s so.
Those writes hold the same lock as the others, so the process still writes one transaction at
a time.

PostgreSQL: a pool, with connect, statement and pool timeouts, so a frozen server costs a
caller seconds, never forever. `stalled()` says how long the oldest call in flight has waited:
what must not wait for a hung store (a card) goes on without it.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import os
import time
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from bot.store.shm import ShmGuard
from bot.store.tables import MIGRATIONS, create_newest, newest_sqlite_script, schema_version

log = logging.getLogger(__name__)

T = TypeVar("T")


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


CONNECT_TIMEOUT = 5.0     # PostgreSQL: seconds to connect, and to wait for a pooled connection
STATEMENT_TIMEOUT = 10.0  # PostgreSQL: seconds one statement may take


class StoreGone(RuntimeError):
    """The SQLite file was removed or replaced while the bot ran: nothing more is written to it."""


class Database:
    """One database: `open()` connects and migrates, `close()` disposes of the pool."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._engine: AsyncEngine | None = None    # SQLite: the writer's one connection
        self._reader: AsyncEngine | None = None    # SQLite: the readers' pool (the writer's, in memory)
        self._one = asyncio.Lock()   # SQLite only: one transaction at a time on the writer's connection
        self._busy: dict[int, float] = {}   # calls in flight: when each began
        self._ids = itertools.count()
        self._file: tuple[str, int, int] | None = None   # SQLite: (path, device, inode) at open
        self.gone: str | None = None   # why writes are refused (the file went away), once it did
        # SQLite file: `run`'s plain connections, and the threads they are used on (the writer's one).
        self._plain: dict[bool, tuple[sa.Engine, ThreadPoolExecutor]] = {}
        self.shm: ShmGuard | None = None   # SQLite in a file: its -shm kept whole (bot.store.shm)

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
        if url.startswith("sqlite"):
            # The writer's one connection and the readers' pool (see the module's docstring).
            from sqlalchemy.pool import StaticPool

            self._engine = create_async_engine(url, poolclass=StaticPool)
            self._reader = self._engine if url.endswith(":memory:") else create_async_engine(url)
            for engine in {self._engine, self._reader}:
                sa.event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        else:
            self._engine = create_async_engine(url, pool_pre_ping=True, pool_timeout=CONNECT_TIMEOUT,
                                               connect_args={"timeout": CONNECT_TIMEOUT,
                                                             "command_timeout": STATEMENT_TIMEOUT})
        async with self.write() as conn:
            if url.startswith("sqlite") and not await conn.run_sync(lambda c: sa.inspect(c).get_table_names()):
                raw = await conn.get_raw_connection()
                await raw.driver_connection.executescript(newest_sqlite_script())  # type: ignore[union-attr]
            else:
                await conn.run_sync(_migrate)
        self._file = _identity(url)
        if self._file is not None:
            from sqlalchemy.pool import StaticPool

            plain = "sqlite:///" + url.removeprefix("sqlite+aiosqlite:///")
            # Connections move between the readers' threads; the writer's stays on its one thread.
            args = {"connect_args": {"check_same_thread": False}}
            writer = sa.create_engine(plain, poolclass=StaticPool, **args)
            reader = sa.create_engine(plain, pool_size=2, **args)
            for plain_engine in (writer, reader):
                sa.event.listen(plain_engine, "connect", _sqlite_pragmas)
            self._plain = {True: (writer, ThreadPoolExecutor(1, "store-writer")),
                           False: (reader, ThreadPoolExecutor(2, "store-reader"))}
            self.shm = ShmGuard(self._file[0])
            self.shm.arm()

    async def close(self) -> None:
        plain, self._plain = self._plain, {}
        for engine, threads in plain.values():
            await asyncio.to_thread(threads.shutdown)   # a statement under way finishes first
            engine.dispose()
        if self._reader is not None and self._reader is not self._engine:
            await self._reader.dispose()
        if self._engine is not None:
            await self._engine.dispose()
        self._engine = self._reader = None
        if self.shm is not None:
            self.shm.close()

    def stalled(self) -> float:
        """Seconds the oldest store call in flight has been waiting (0 when none is)."""
        return time.monotonic() - min(self._busy.values()) if self._busy else 0.0

    def check(self) -> str | None:
        """SQLite: is the file still the one opened? Once it is not, why (kept in `gone`). Its
        -shm, if truncated, is given its size back first (bot.store.shm)."""
        if self.shm is not None:
            self.shm.check()
        if self.gone is None and self._file is not None:
            path, device, inode = self._file
            try:
                st = os.stat(path)
            except OSError:
                self.gone = f"the store's file {path} was removed while the bot ran"
            else:
                if (st.st_dev, st.st_ino) != (device, inode):
                    self.gone = f"the store's file {path} was replaced while the bot ran"
            if self.gone is not None:
                log.error("store: %s; saves and follows are refused until a restart", self.gone)
        return self.gone

    @contextlib.asynccontextmanager
    async def _timed(self) -> AsyncIterator[None]:
        key = next(self._ids)
        self._busy[key] = time.monotonic()
        try:
            yield
        finally:
            del self._busy[key]

    @contextlib.asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncConnection]:
        if self.shm is not None:
            self.shm.check()
        async with self._timed():
            if self._reader is not None and self._reader is self._engine:   # SQLite in memory
                async with self._one, self.engine.connect() as conn:
                    yield conn
            else:
                async with (self._reader or self.engine).connect() as conn:
                    yield conn

    @contextlib.asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncConnection]:
        """One transaction, committed on leaving; on SQLite the only one of this process."""
        async with self._timed():
            if self.dialect == "sqlite":
                async with self._one:
                    if self.check() is not None:
                        raise StoreGone(self.gone)
                    async with self.engine.begin() as conn:
                        yield conn
            else:
                async with self.engine.begin() as conn:
                    yield conn

    async def run(self, fn: Callable[[sa.Connection], T], *, write: bool = False) -> T:
        """`fn` over one connection, in one transaction when `write`: on a SQLite file on a
        thread of the store's (the loop is asked once); elsewhere through the async connection."""
        if self.shm is not None and not write:   # a write's check() looks at it
            self.shm.check()
        plain = self._plain.get(write)
        if plain is None:
            async with (self.write() if write else self.read()) as conn:
                return await conn.run_sync(fn)
        engine, threads = plain
        loop = asyncio.get_running_loop()
        key = next(self._ids)
        self._busy[key] = time.monotonic()
        if write:
            try:
                await self._one.acquire()
            except BaseException:
                del self._busy[key]
                raise
            if self.check() is not None:
                del self._busy[key]
                self._one.release()
                raise StoreGone(self.gone)

        def finished() -> None:
            # Once the thread is done, not when the caller stops waiting (a timeout): no other
            # transaction may start beside one still under way.
            self._busy.pop(key, None)
            if write:
                self._one.release()

        work = threads.submit(_transaction if write else _connected, engine, fn)
        work.add_done_callback(lambda _: loop.call_soon_threadsafe(finished))
        return await asyncio.wrap_future(work)

    def insert(self, table: sa.Table) -> Any:
        """The dialect's INSERT, which knows ON CONFLICT."""
        if self.dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as pg_insert
            return pg_insert(table)
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert
        return sqlite_insert(table)


def _transaction(engine: sa.Engine, fn: Callable[[sa.Connection], T]) -> T:
    with engine.begin() as conn:
        return fn(conn)


def _connected(engine: sa.Engine, fn: Callable[[sa.Connection], T]) -> T:
    with engine.connect() as conn:
        return fn(conn)


def _identity(url: str) -> tuple[str, int, int] | None:
    """(path, device, inode) of a SQLite file, to notice it being removed or replaced."""
    path = url.removeprefix("sqlite+aiosqlite:///")
    if not url.startswith("sqlite") or not path or path == ":memory:":
        return None
    st = os.stat(path)
    return os.path.abspath(path), st.st_dev, st.st_ino


def _sqlite_pragmas(dbapi_connection: Any, _: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def _migrate(conn: sa.Connection) -> None:
    """Bring the schema to the newest version; on PostgreSQL one replica at a time."""
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(7405117)"))
    schema_version.create(conn, checkfirst=True)
    current = conn.execute(sa.select(sa.func.max(schema_version.c.version))).scalar() or 0
    if current == 0 and create_newest(conn):
        log.info("store schema created at version %d", len(MIGRATIONS))
        return
    for version, step in enumerate(MIGRATIONS, 1):
        if version > current:
            step(conn)
            conn.execute(schema_version.insert().values(version=version))
            log.info("store schema migrated to version %d", version)
