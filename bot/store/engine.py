"""The store's engine: one connection pool per database, its dialect, and the migrations.

SQLAlchemy Core over two drivers: SQLite (aiosqlite, WAL) by default and PostgreSQL (asyncpg)
when DATABASE_URL says postgresql://. The repositories beside this module (saves, follows,
journal, shared, languages) each own one concern and reach the database only through
`read()` and `write()`: on SQLite every write transaction of this process goes through one
lock, so two transactions never overlap on the file ("database is locked") and a connection is
never shared by two of them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from bot.store.tables import MIGRATIONS, schema_version

log = logging.getLogger(__name__)


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


class Database:
    """One database: `open()` connects and migrates, `close()` disposes of the pool."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._engine: AsyncEngine | None = None
        self._writer = asyncio.Lock()   # SQLite only: one write transaction at a time

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
        async with self.write() as conn:
            await conn.run_sync(_migrate)

    async def close(self) -> None:
        if self._engine is not None:
            await self._engine.dispose()
            self._engine = None

    @contextlib.asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncConnection]:
        async with self.engine.connect() as conn:
            yield conn

    @contextlib.asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncConnection]:
        """One transaction, committed on leaving; on SQLite the only one of this process."""
        if self.dialect == "sqlite":
            async with self._writer, self.engine.begin() as conn:
                yield conn
        else:
            async with self.engine.begin() as conn:
                yield conn

    def insert(self, table: sa.Table) -> Any:
        """The dialect's INSERT, which knows ON CONFLICT."""
        if self.dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as pg_insert
            return pg_insert(table)
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert
        return sqlite_insert(table)


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
    for version, step in enumerate(MIGRATIONS, 1):
        if version > current:
            step(conn)
            conn.execute(schema_version.insert().values(version=version))
            log.info("store schema migrated to version %d", version)
