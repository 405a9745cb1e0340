"""The store's tables and its versioned migrations (append a step, never edit one)."""

from __future__ import annotations

import functools
from collections.abc import Callable

import sqlalchemy as sa

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
    sa.Column("at", sa.Float, nullable=False),
    # v5: instant | daily | weekly, and the exclusion keys joined by "|" (bot.conversation.exclusions)
    sa.Column("cadence", sa.Text, nullable=False, server_default="instant"),
    sa.Column("without_keys", sa.Text, nullable=False, server_default=""))
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
    # accepted -> (replaying, by another process ->) answered -> deleted when handled
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("owner", sa.Text), sa.Column("at", sa.Float, nullable=False),
    sa.Index("journal_status", "status", "at"))
owners = sa.Table(
    "owners", metadata,
    sa.Column("owner", sa.Text, primary_key=True), sa.Column("beat", sa.Float, nullable=False))
queries = sa.Table(
    "queries", metadata,
    sa.Column("at", sa.Float, nullable=False), sa.Column("chat_type", sa.Text, nullable=False),
    sa.Column("lang", sa.Text, nullable=False), sa.Column("query", sa.Text, nullable=False),
    sa.Column("kind", sa.Text, nullable=False), sa.Column("paper_id", sa.Text),
    sa.Column("hit", sa.Integer, nullable=False), sa.Column("user_id", sa.BigInteger),
    sa.Index("queries_at", "at"))

time_zones = sa.Table(
    "time_zones", metadata,
    sa.Column("user_id", sa.BigInteger, primary_key=True), sa.Column("zone", sa.Text, nullable=False))
# Papers a daily or weekly follow collected; `period` is set when a roundup takes them.
roundup_items = sa.Table(
    "roundup_items", metadata,
    sa.Column("user_id", sa.BigInteger, primary_key=True), sa.Column("kind", sa.Text, primary_key=True),
    sa.Column("value", sa.Text, primary_key=True), sa.Column("paper_id", sa.Text, primary_key=True),
    sa.Column("at", sa.Float, nullable=False), sa.Column("period", sa.Text),
    sa.Index("roundup_items_waiting", "period", "user_id"))
# The roundups' delivery log: one row per follow and period, whichever replica inserts it first.
roundups = sa.Table(
    "roundups", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("user_id", sa.BigInteger, nullable=False), sa.Column("kind", sa.Text, nullable=False),
    sa.Column("value", sa.Text, nullable=False), sa.Column("period", sa.Text, nullable=False),
    sa.Column("chat_id", sa.BigInteger, nullable=False),
    sa.Column("status", sa.Text, nullable=False),          # sending -> sent | dropped
    sa.Column("owner", sa.Text), sa.Column("at", sa.Float, nullable=False),
    sa.UniqueConstraint("user_id", "kind", "value", "period", name="roundups_once"))

Migration = Callable[[sa.Connection], None]


def _v1(conn: sa.Connection) -> None:
    metadata.create_all(conn, tables=[saves, subscriptions, languages, deliveries, cooldowns, file_ids])


def _v2(conn: sa.Connection) -> None:
    metadata.create_all(conn, tables=[journal])


def _v3(conn: sa.Connection) -> None:
    # The analytics table of an existing PAPERBOT_STATS_DB file has this very shape: kept as it is.
    metadata.create_all(conn, tables=[queries], checkfirst=True)


def _v4(conn: sa.Connection) -> None:
    metadata.create_all(conn, tables=[owners])


def _v5(conn: sa.Connection) -> None:
    # Follows gain a cadence and exclusions (old rows: instant, none); roundups and /tz. A new
    # database got both columns from v1, which creates the table as it is defined now.
    have = {c["name"] for c in sa.inspect(conn).get_columns("subscriptions")}
    for name, default in (("cadence", "'instant'"), ("without_keys", "''")):
        if name not in have:
            conn.execute(sa.text(f"ALTER TABLE subscriptions ADD COLUMN {name} TEXT NOT NULL DEFAULT {default}"))
    metadata.create_all(conn, tables=[time_zones, roundup_items, roundups])


# Versioned migrations, run in order at start by every engine; append, never edit.
MIGRATIONS: tuple[Migration, ...] = (_v1, _v2, _v3, _v4, _v5)


def create_newest(conn: sa.Connection) -> bool:
    """A database holding none of the store's tables gets the newest schema in one pass (what the
    migrations in order build, as each step creates its tables as they are defined now), without
    a check per table and step; False, and nothing done, if any table is there already."""
    tables = [t for t in metadata.sorted_tables if t is not schema_version]
    if set(sa.inspect(conn).get_table_names()) & {t.name for t in tables}:
        return False
    metadata.create_all(conn, tables=tables, checkfirst=False)
    conn.execute(schema_version.insert(), [{"version": v} for v in range(1, len(MIGRATIONS) + 1)])
    return True


@functools.cache
def newest_sqlite_script() -> str:
    """The newest schema as one SQLite script, in a transaction of its own, for a database that
    holds no table yet (a new file; in memory, what `chat`, `ask` and a test's bot keep): one call
    to the driver instead of a round trip through aiosqlite's thread per statement (opening an
    in-memory store: 15 -> 4 ms)."""
    from sqlalchemy.dialects import sqlite
    from sqlalchemy.schema import CreateIndex, CreateTable

    dialect = sqlite.dialect()
    statements = ["BEGIN"]
    for table in metadata.sorted_tables:
        statements.append(str(CreateTable(table).compile(dialect=dialect)).strip())
        statements += [str(CreateIndex(index).compile(dialect=dialect)).strip() for index in table.indexes]
    statements += [f"INSERT INTO schema_version (version) VALUES ({v})" for v in range(1, len(MIGRATIONS) + 1)]
    return ";\n".join([*statements, "COMMIT;\n"])
