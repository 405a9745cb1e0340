"""Roundups' delivery log on both engines: each follow's period is claimed once, whichever
replica asks first and however often; papers are collected once; the v5 migration keeps old follows."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.store.records import Subscription
from bot.store.store import Store

pytestmark = pytest.mark.asyncio
_names = itertools.count()
WEEKLY = Subscription(1, 1, "section", "multimodal", "Multimodal", "en", "weekly", ("o.microsoft",))


@pytest.fixture(params=["sqlite", "postgresql"])
async def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.sqlite3'}"
    from tests.postgres import fresh_database

    return await fresh_database(request.getfixturevalue("postgres_url"), f"roundups_{next(_names)}")


@pytest.fixture()
async def stores(url: str) -> AsyncIterator[tuple[Store, Store]]:
    a, b = Store(url, owner="replica-a"), Store(url, owner="replica-b")
    await a.open()
    await b.open()
    yield a, b
    await a.close()
    await b.close()


async def test_a_follow_keeps_its_cadence_and_exclusions(stores: tuple[Store, Store]) -> None:
    a, _ = stores
    assert await a.subscribe(WEEKLY) == "added"
    assert await a.subscriptions_of(1) == [WEEKLY]
    assert await a.subscribe(WEEKLY) == "exists"
    daily = Subscription(1, 1, "section", "multimodal", "Multimodal", "en", "daily", ())
    assert await a.subscribe(daily) == "updated"
    assert await a.subscriptions_of(1) == [daily]


async def test_each_period_is_claimed_once_across_replicas(stores: tuple[Store, Store]) -> None:
    a, b = stores
    await a.subscribe(WEEKLY)
    follow = WEEKLY.follow
    assert await a.roundups.collect([(follow, "p1"), (follow, "p2")], at=100.0) == 2
    assert await b.roundups.collect([(follow, "p1")], at=101.0) == 0          # the other replica saw it too
    [waiting] = await b.roundups.waiting()
    assert (waiting.sub, waiting.oldest, waiting.zone) == (WEEKLY, 100.0, None)
    claims = await asyncio.gather(*(s.roundups.claim(WEEKLY, "weekly:2026-11-30", 200.0, 300.0)
                                    for s in (a, b, a, b)))
    [won] = [c for c in claims if c is not None]
    assert won.paper_ids == ("p1", "p2") and won.period == "weekly:2026-11-30"
    assert await a.roundups.claim(WEEKLY, "weekly:2026-11-30", 200.0, 400.0) is None   # a restart, later
    assert await a.roundups.waiting() == []
    store = (a, b)[claims.index(won) % 2]
    await store.roundups.finish(won, "sent")
    assert await a.roundups.log() == [(1, "section", "multimodal", "weekly:2026-11-30", "sent")]
    assert await b.roundups.papers_of(won.id) == (follow, 1, "weekly:2026-11-30", ("p1", "p2"))


async def test_a_paper_collected_late_into_a_logged_period_goes_in_the_next_one(stores: tuple[Store, Store]) -> None:
    a, b = stores
    await a.subscribe(WEEKLY)
    await a.roundups.collect([(WEEKLY.follow, "p1")], at=100.0)
    first = await a.roundups.claim(WEEKLY, "weekly:1", 200.0, 200.0)
    assert first is not None and first.paper_ids == ("p1",)
    await b.roundups.collect([(WEEKLY.follow, "late")], at=150.0)        # a replica whose clock is behind
    assert await b.roundups.claim(WEEKLY, "weekly:1", 200.0, 250.0) is None
    [waiting] = await a.roundups.waiting()
    assert waiting.oldest == 250.0                                      # moved to the period under way
    second = await a.roundups.claim(WEEKLY, "weekly:2", 300.0, 300.0)
    assert second is not None and second.paper_ids == ("late",)


async def test_stopping_a_follow_drops_what_it_collected_and_forget_drops_it_all(stores: tuple[Store, Store]) -> None:
    a, _ = stores
    await a.subscribe(WEEKLY)
    await a.roundups.set_zone(1, "Europe/Berlin")
    await a.roundups.set_zone(1, "UTC+8")
    assert await a.roundups.zone(1) == "UTC+8"
    await a.roundups.collect([(WEEKLY.follow, "p1")], at=1.0)
    assert await a.unsubscribe(1, "section", "multimodal") == 1
    assert await a.roundups.waiting() == []
    await a.subscribe(WEEKLY)
    await a.roundups.collect([(WEEKLY.follow, "p2")], at=1.0)
    claim = await a.roundups.claim(WEEKLY, "weekly:1", 2.0, 2.0)
    assert claim is not None
    assert await a.forget(1) == 4          # the follow, the zone, the collected paper, the roundup
    assert await a.roundups.zone(1) is None and await a.roundups.log() == []


async def test_a_released_claim_is_claimed_again_with_its_papers(stores: tuple[Store, Store]) -> None:
    a, b = stores
    await a.subscribe(WEEKLY)
    await a.roundups.collect([(WEEKLY.follow, "p1")], at=1.0)
    claim = await a.roundups.claim(WEEKLY, "weekly:1", 2.0, 2.0)
    assert claim is not None
    await b.roundups.release(claim)                                     # not b's claim: nothing changes
    assert await a.roundups.claim(WEEKLY, "weekly:1", 2.0, 3.0) is None
    await a.roundups.release(claim)
    again = await b.roundups.claim(WEEKLY, "weekly:1", 2.0, 4.0)
    assert again is not None and again.paper_ids == ("p1",)


async def test_a_stale_claim_counts_as_sent(stores: tuple[Store, Store]) -> None:
    a, b = stores
    await a.subscribe(WEEKLY)
    await a.roundups.collect([(WEEKLY.follow, "p1")], at=1.0)
    assert await a.roundups.claim(WEEKLY, "weekly:1", 2.0, 2.0) is not None   # then replica a dies
    assert await b.roundups.settle_stale(now=100.0) == 0
    assert await b.roundups.settle_stale(now=10_000.0) == 1
    assert await b.roundups.log() == [(1, "section", "multimodal", "weekly:1", "sent")]


async def test_the_v5_migration_keeps_old_follows_as_instant(url: str) -> None:
    """A store written by the version before (schema 4, follows without cadence) opens and migrates."""
    from sqlalchemy.ext.asyncio import create_async_engine

    from bot.store.engine import engine_url

    engine = create_async_engine(engine_url(url))
    async with engine.begin() as conn:
        await conn.execute(sa.text("CREATE TABLE schema_version (version INTEGER NOT NULL)"))
        await conn.execute(sa.text("INSERT INTO schema_version VALUES (1), (2), (3), (4)"))
        await conn.execute(sa.text(
            "CREATE TABLE subscriptions (user_id BIGINT NOT NULL, kind TEXT NOT NULL, value TEXT NOT NULL, "
            "chat_id BIGINT NOT NULL, label TEXT NOT NULL, lang TEXT DEFAULT 'zh' NOT NULL, at FLOAT NOT NULL, "
            "PRIMARY KEY (user_id, kind, value))"))
        await conn.execute(sa.text("INSERT INTO subscriptions VALUES (9, 'org', 'google', 9, 'Google', 'en', 1.0)"))
    await engine.dispose()
    store = Store(url)
    await store.open()
    try:
        assert await store.subscriptions_of(9) == [Subscription(9, 9, "org", "google", "Google", "en")]
        assert await store.roundups.waiting() == []
    finally:
        await store.close()
