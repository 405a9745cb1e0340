"""A new database is created at the newest schema in one pass: the very schema the migrations
build step by step, on both engines; a database already holding a table takes the steps."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from bot.store.engine import engine_url
from bot.store.store import Store
from bot.store.tables import MIGRATIONS, create_newest, schema_version

pytestmark = pytest.mark.asyncio
_names = itertools.count()


@pytest.fixture(params=["sqlite", "postgresql"])
async def urls(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, str]:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'newest.sqlite3'}", f"sqlite:///{tmp_path / 'stepped.sqlite3'}"
    from tests.postgres import fresh_database

    server = request.getfixturevalue("postgres_url")
    n = next(_names)
    return await fresh_database(server, f"newest_{n}"), await fresh_database(server, f"stepped_{n}")


def _shape(conn: sa.Connection) -> dict[str, Any]:
    """Every table's columns (type, nullability, default), key, indexes and unique constraints."""
    seen = sa.inspect(conn)
    return {
        table: (
            [(c["name"], str(c["type"]), c["nullable"], c.get("default")) for c in seen.get_columns(table)],
            seen.get_pk_constraint(table)["constrained_columns"],
            sorted((i["name"], tuple(i["column_names"])) for i in seen.get_indexes(table)),
            sorted((u["name"], tuple(u["column_names"])) for u in seen.get_unique_constraints(table)),
        )
        for table in sorted(seen.get_table_names())
    }


def _versions(conn: sa.Connection) -> list[int]:
    return sorted(conn.execute(sa.select(schema_version.c.version)).scalars())


def _steps(conn: sa.Connection) -> None:
    """The migrations in order, as an old database met them."""
    schema_version.create(conn)
    for version, step in enumerate(MIGRATIONS, 1):
        step(conn)
        conn.execute(schema_version.insert().values(version=version))


async def _read(url: str, how: Any) -> Any:
    engine = create_async_engine(engine_url(url))
    try:
        async with engine.begin() as conn:
            return await conn.run_sync(how)
    finally:
        await engine.dispose()


async def test_a_new_database_gets_the_schema_the_migrations_build(urls: tuple[str, str]) -> None:
    newest, stepped = urls
    store = Store(newest)
    await store.open()  # a new database: created in one pass
    await store.close()

    await _read(stepped, _steps)
    assert await _read(newest, _shape) == await _read(stepped, _shape)
    assert await _read(newest, _versions) == await _read(stepped, _versions) == list(range(1, len(MIGRATIONS) + 1))


async def test_a_database_holding_a_table_is_migrated_step_by_step(urls: tuple[str, str]) -> None:
    """An analytics file (its `queries` table) opened as the store keeps its rows: no one-pass creation over it."""
    url, _ = urls
    engine = create_async_engine(engine_url(url))
    async with engine.begin() as conn:
        await conn.execute(
            sa.text(
                "CREATE TABLE queries (at FLOAT NOT NULL, chat_type TEXT NOT NULL, lang TEXT NOT NULL,"
                " query TEXT NOT NULL, kind TEXT NOT NULL, paper_id TEXT, hit INTEGER NOT NULL,"
                " user_id BIGINT)"
            )
        )
        await conn.execute(sa.text("INSERT INTO queries VALUES (1.0, 'private', 'en', 'medusa', 'paper', 'medusa', 1, 9)"))
        assert await conn.run_sync(create_newest) is False
    await engine.dispose()
    store = Store(url)
    await store.open()
    await store.close()
    rows = await _read(url, lambda conn: conn.execute(sa.text("SELECT query FROM queries")).scalars().all())
    assert rows == ["medusa"]
    assert await _read(url, _versions) == list(range(1, len(MIGRATIONS) + 1))


async def test_an_in_memory_store_gets_the_schema_the_migrations_build(tmp_path: Path) -> None:
    """`chat`, `ask` and a test's bot keep their store in memory, built from one script: the same
    shape and versions as a file that took the migrations in order."""
    stepped = f"sqlite:///{tmp_path / 'stepped.sqlite3'}"
    store = Store("sqlite:///:memory:")
    await store.open()
    try:
        async with store.db.write() as conn:
            in_memory = await conn.run_sync(lambda c: (_shape(c), _versions(c)))
    finally:
        await store.close()

    await _read(stepped, _steps)
    assert in_memory == (await _read(stepped, _shape), list(range(1, len(MIGRATIONS) + 1)))
