"""The store on both engines: SQLite always, PostgreSQL from a real local server."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.store.engine import engine_url
from bot.store.records import MAX_SUBSCRIPTIONS, Claim, Subscription
from bot.store.store import Store

pytestmark = pytest.mark.asyncio
_names = itertools.count()


@pytest.fixture(params=["sqlite", "postgresql"])
async def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.sqlite3'}"
    from tests.postgres import fresh_database

    server = request.getfixturevalue("postgres_url")
    return await fresh_database(server, f"store_{next(_names)}")


@pytest.fixture()
async def store(url: str) -> AsyncIterator[Store]:
    s = Store(url, owner="replica-a")
    await s.open()
    yield s
    await s.close()


async def test_saves_toggle_and_list_in_order(store: Store) -> None:
    assert await store.toggle_save(1, "medusa") is True
    assert await store.toggle_save(1, "gptq") is True
    assert await store.saved(1) == ["medusa", "gptq"]
    assert await store.toggle_save(1, "medusa") is False
    assert await store.saved(1) == ["gptq"] and await store.saved(2) == []
    assert await store.saved_among(1, ["gptq", "medusa"]) == {"gptq"}


async def test_subscriptions_are_unique_limited_and_removable(store: Store) -> None:
    sub = Subscription(1, 1, "section", "agent", "Agents")
    assert await store.subscribe(sub) == "added" and await store.subscribe(sub) == "exists"
    for n in range(MAX_SUBSCRIPTIONS - 1):
        assert await store.subscribe(Subscription(1, 1, "topic", f"t{n}", f"t{n}")) == "added"
    assert await store.subscribe(Subscription(1, 1, "topic", "one more", "one more")) == "limit"
    assert len(await store.subscriptions_of(1)) == MAX_SUBSCRIPTIONS
    assert await store.unsubscribe(1, "section", "agent") == 1
    assert await store.unsubscribe(1) == MAX_SUBSCRIPTIONS - 1 and await store.subscriptions_of(1) == []


async def test_forget_deletes_everything_about_a_reader(store: Store) -> None:
    await store.toggle_save(7, "medusa")
    await store.subscribe(Subscription(7, 7, "org", "google", "Google"))
    await store.set_language(7, "en")
    await store.enqueue([(7, "gptq")])
    await store.toggle_save(8, "medusa")
    assert await store.forget(7) == 4
    assert (await store.saved(7), await store.subscriptions_of(7), await store.language(7)) == ([], [], None)
    assert await store.saved(8) == ["medusa"] and await store.delivered() == []


async def test_languages(store: Store) -> None:
    await store.set_language(3, "zh")
    assert await store.language(3) == "zh"
    await store.set_language(3, None)
    assert await store.language(3) is None


async def test_deliveries_are_logged_once_and_claimed_by_one_replica(store: Store, url: str) -> None:
    other = Store(url, owner="replica-b")
    await other.open()
    try:
        assert await store.enqueue([(1, "a"), (1, "b"), (2, "a")]) == 3
        assert await other.enqueue([(1, "a"), (2, "a"), (3, "c")]) == 1      # only (3, c) is new
        claims = await asyncio.gather(*(s.claim(1) for s in (store, other)))
        assert sorted(c is None for c in claims) == [False, True]            # exactly one replica has chat 1
        [mine] = [c for c in claims if c is not None]
        assert mine.paper_ids == ("a", "b")
        owner = store if claims[0] else other
        await owner.finish(mine, "sent")
        assert await store.pending_chats() == [2, 3]
        claim = await store.claim(2)
        assert claim == Claim(2, ("a",))
        await store.release(claim)                                          # flood control: back to pending
        assert await store.pending_chats() == [2, 3]
        await store.drop_chat(3)
        assert await store.pending_chats() == [2]
        statuses = {(c, p): s for c, p, s in await store.delivered()}
        assert statuses[(1, "a")] == "sent" and statuses[(3, "c")] == "dropped"
    finally:
        await other.close()


async def test_a_cooldown_holds_across_replicas(store: Store, url: str) -> None:
    other = Store(url, owner="replica-b")
    await other.open()
    try:
        results = await asyncio.gather(*(s.cooldown_allows(-100, "llm", 60) for s in (store, other, store, other)))
        assert sorted(results) == [False, False, False, True]
        assert await store.cooldown_allows(-100, "other-rule", 60) and await store.cooldown_allows(-200, "llm", 60)
        assert await store.cooldown_allows(-300, "x", 0) and await other.cooldown_allows(-300, "x", 0)
    finally:
        await other.close()


async def test_file_ids_are_shared_and_first_wins(store: Store) -> None:
    await store.remember_file_id("bundle:1", "first")
    await store.remember_file_id("bundle:1", "second")
    assert await store.file_id("bundle:1") == "first" and await store.file_id("nope") is None


async def test_migrations_run_once_and_reopen_cleanly(url: str) -> None:
    for _ in range(2):
        s = Store(url)
        await s.open()
        await s.toggle_save(1, "x")
        await s.close()
    s = Store(url)
    await s.open()
    assert await s.saved(1) == []  # toggled twice
    await s.close()


async def test_database_urls() -> None:
    assert engine_url("postgresql://u@h:5/db") == "postgresql+asyncpg://u@h:5/db"
    assert engine_url("sqlite:////var/x.db") == "sqlite+aiosqlite:////var/x.db"
    with pytest.raises(ValueError, match="DATABASE_URL"):
        engine_url("mysql://x")


async def test_the_journal_keeps_an_update_once_and_lets_only_its_owner_answer(store: Store, url: str) -> None:
    assert await store.journal.accept(10, '{"update_id": 10}') is True
    assert await store.journal.accept(10, '{"update_id": 10, "again": true}') is False   # Telegram's retry
    assert await store.journal.answer(10) is True                                        # mine
    assert await store.journal.answer(99) is True                                        # never journalled
    other = Store(url, owner="replica-b")
    await other.open()
    try:
        assert await other.journal.answer(10) is False                                   # not its row
        store.journal.close(10)
        await store.journal.flush()
        assert await store.journal.rows() == []
    finally:
        await other.close()


async def test_only_a_dead_owners_updates_are_replayed_and_once(store: Store, url: str) -> None:
    for n in (1, 2, 3):
        await store.journal.accept(n, f'{{"update_id": {n}}}')
    await store.journal.answer(2)                 # about to be sent when the process died: sent again
    await store.journal.answer(3)
    store.journal.answered(3)                     # sent before the crash: never sent again
    await store.owners.beat()
    replicas = [Store(url, owner=f"replica-{c}") for c in "bc"]
    for r in replicas:
        await r.open()
        await r.owners.beat()
    try:
        alive = await replicas[0].owners.alive()
        assert "replica-a" in alive
        assert await replicas[0].journal.claim_dead(alive) == []          # a live owner's rows stay its own
        await store.owners.leave()                                        # replica-a is gone
        views = [await r.owners.alive() for r in replicas]
        claims = await asyncio.gather(*(r.journal.claim_dead(v) for r, v in zip(replicas, views, strict=True)))
        assert sorted(claims) == [[], ['{"update_id": 1}', '{"update_id": 2}']]   # one replica, oldest first
        assert [(u, s) for u, s, _ in await store.journal.rows()] == [(1, "replaying"), (2, "replaying")]
        [replayer] = [r for r, c in zip(replicas, claims, strict=True) if c]
        [survivor] = [r for r in replicas if r is not replayer]
        assert await store.journal.answer(1) is False                     # the dead one's reply stays unsent
        await replayer.owners.leave()                                     # the replayer dies mid-replay
        assert await survivor.journal.claim_dead(await survivor.owners.alive()) == [
            '{"update_id": 1}', '{"update_id": 2}']                       # its claim died with it
    finally:
        for r in replicas:
            await r.close()


async def test_an_owner_without_a_heartbeat_within_the_lease_is_dead(store: Store, url: str) -> None:
    import sqlalchemy as sa

    from bot.store.owners import gone_from_this_host, new_owner_id
    from bot.store.tables import owners

    await store.owners.beat()
    assert "replica-a" in await store.owners.alive()
    async with store.db.write() as conn:
        await conn.execute(sa.update(owners).values(beat=0.0))
    other = Store(url, owner="replica-b")
    await other.open()
    try:
        assert "replica-a" not in await other.owners.alive()
    finally:
        await other.close()
    me = new_owner_id()
    host, pid, _ = me.split(":")
    assert gone_from_this_host(f"{host}:{pid}:beforeme", me)               # my pid, an earlier process
    assert gone_from_this_host(f"{host}:{2**22 + 17}:x", me)               # no such pid here
    assert not gone_from_this_host(f"{host}:1:x", me) and not gone_from_this_host(f"elsewhere:{pid}:x", me)


async def test_journal_writes_arriving_together_share_a_commit(store: Store) -> None:
    results = await asyncio.gather(*(store.journal.accept(n, "{}") for n in range(300)))
    assert all(results) and store.journal.commits < 30
    answers = await asyncio.gather(*(store.journal.answer(n) for n in range(300)))
    assert all(answers)
    for n in range(300):
        store.journal.close(n)
    await store.journal.flush()
    assert await store.journal.rows() == []


async def test_analytics_share_the_store_of_every_replica(url: str) -> None:
    from bot.store.stats import QueryRecord, StatsStore

    replicas = [StatsStore(url=url), StatsStore(url=url)]
    for stats in replicas:
        await stats.open()
    try:
        await replicas[0].record(QueryRecord("private", "en", "Medusa", "paper", "medusa", True))
        await replicas[1].record(QueryRecord("group", "zh", "medusa", "paper", "medusa", True))
        await replicas[1].record(QueryRecord("private", "en", "bitcoin", "not_found", None, False))
        await replicas[0].flush()
        report = await replicas[1].report()
        assert (report.today, report.top_queries[0], report.top_papers, report.top_misses) == \
            (3, ("medusa", 2), [("medusa", 2)], [("bitcoin", 1)])
    finally:
        for stats in replicas:
            await stats.close()


async def test_a_broadcast_cut_by_a_stop_resumes_without_sending_twice(store: Store, url: str) -> None:
    """A claim a dead replica left (it may have been sent) counts as sent; the rest still goes."""
    import sqlalchemy as sa

    from bot.store.tables import deliveries

    await store.enqueue([(1, "a"), (2, "a")])
    assert await store.claim(1) is not None                      # being sent when the process died
    async with store.db.write() as conn:                      # ...long enough ago
        await conn.execute(sa.update(deliveries).where(deliveries.c.chat_id == 1).values(at=0.0))
    restarted = Store(url, owner="after-restart")
    await restarted.open()
    try:
        assert await restarted.settle_stale() == 1
        assert await restarted.pending_chats() == [2]             # chat 1 is not pushed again
        assert await restarted.claim(1) is None and await restarted.claim(2) is not None
    finally:
        await restarted.close()


async def test_a_replayer_that_read_an_owner_as_dead_leaves_it_alone_once_it_has_beaten(store: Store, url: str) -> None:
    """Liveness is judged again in the claim's and the prune's own statements: a replayer's read
    from before an owner's heartbeat takes none of the rows that owner journals after it (their
    replies go without asking the store), and does not forget its heartbeat."""
    other = Store(url, owner="replica-b")
    await other.open()
    try:
        stale = await other.owners.liveness()                           # replica-a has never beaten: dead
        assert "replica-a" not in stale.alive
        await store.owners.beat()
        assert await store.journal.accept(7, "{}")
        assert await other.journal.claim_dead(stale) == []               # its own statement sees the heartbeat
        await other.owners.prune(stale)
        assert "replica-a" in await other.owners.alive()
        assert [(u, o) for u, _, o in await store.journal.rows()] == [(7, "replica-a")]
        assert await other.journal.claim_dead(stale.alive) == ["{}"]     # the read alone would have taken it
    finally:
        await other.close()
