"""Pushes: new papers reach exactly the followers they match, once, at a bounded rate."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from telegram.error import Forbidden, RetryAfter

from bot.catalog.curate import entries_yaml, insert_papers
from bot.conversation.follow import Pacer, Patience
from bot.settings import Settings
from bot.store.records import Subscription
from bot.telegram.local import LocalBot
from handlers.common import renderer
from handlers.push import push_pending

pytestmark = pytest.mark.asyncio
DATA = Path(__file__).resolve().parents[2] / "data"
NEW = {"id": "agentbench", "title": "AgentBench: Evaluating LLMs as Agents", "authors": ["Xiao Liu", "Hao Yu"],
       "arxiv": "2308.03688", "date": "2023-08", "section": "agent", "orgs": ["tsinghua"],
       "summary_en": "A benchmark of LLMs acting as agents in eight environments."}


@pytest.fixture()
async def bot(settings: Settings, tmp_path: Path) -> AsyncIterator[LocalBot]:
    catalog = tmp_path / "papers.yaml"
    catalog.write_bytes((DATA / "papers.yaml").read_bytes())
    async with LocalBot(settings.model_copy(update={"catalog": catalog})) as local:
        yield local


class Sender:
    """Records pushes; raises what a chat is scripted to raise."""

    def __init__(self, failures: dict[int, Exception] | None = None) -> None:
        self.sent: list[tuple[int, str]] = []
        self.failures = failures or {}

    async def __call__(self, chat_id: int, text: str, markup: Any) -> None:
        if chat_id in self.failures:
            raise self.failures.pop(chat_id)
        self.sent.append((chat_id, text))


class Clock:
    def __init__(self) -> None:
        self.now = 0.0
        self.sends: list[float] = []

    def time(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


async def add_paper_and_reload(bot: LocalBot, entry: dict[str, Any]) -> None:
    path = bot.state.settings.catalog
    path.write_text(insert_papers(path.read_text(encoding="utf-8"), str(path), entries_yaml([entry])),
                    encoding="utf-8")
    assert await bot.state.refresh(force=True) == []


async def run(bot: LocalBot, sender: Sender, pacer: Pacer | None = None, patience: Patience | None = None) -> Any:
    store = bot.state.store
    assert store is not None
    context: Any = type("Ctx", (), {"state": bot.state})()

    async def language(chat_id: int) -> Any:
        return "en" if await store.chat_language(chat_id) == "en" else "zh"

    return await push_pending(store, lambda lang: renderer(context, lang), language, sender,
                              pacer or Pacer(1000.0), bot.state.library.catalog.get, patience or bot.state.push_patience)


async def follow(bot: LocalBot, user: int, chat: int, kind: str, value: str, lang: str = "en") -> None:
    assert bot.state.store is not None
    await bot.state.store.subscribe(Subscription(user, chat, kind, value, value, lang))  # type: ignore[arg-type]


async def test_a_new_paper_reaches_each_matching_follower_once(bot: LocalBot) -> None:
    await follow(bot, 1, 1, "section", "agent")
    await follow(bot, 1, 1, "org", "tsinghua")                 # two follows, still one message
    await follow(bot, 2, -500, "topic", "agent benchmark", "zh")
    await follow(bot, 3, 3, "org", "google")                   # does not match
    await follow(bot, 4, 4, "author", "xiao+liu")
    await add_paper_and_reload(bot, NEW)
    sender = Sender()
    outcome = await run(bot, sender)
    assert sorted(c for c, _ in sender.sent) == [-500, 1, 4] and outcome.sent == 3
    text = dict(sender.sent)[1]
    assert "AgentBench" in text and "new paper" in text
    assert "新论文" in dict(sender.sent)[-500]                  # the language the follower used
    again = Sender()
    await run(bot, again)
    assert again.sent == []                                     # nothing twice
    assert bot.state.store is not None
    await add_paper_and_reload(bot, NEW | {"id": "agentbench-2", "arxiv": "2308.03689", "title": "AgentBench 2"})
    await run(bot, third := Sender())
    assert sorted(c for c, _ in third.sent) == [-500, 1, 4]      # the topic matches "AgentBench 2" too


async def test_a_blocked_chat_loses_its_follows_and_flood_control_defers(bot: LocalBot) -> None:
    await follow(bot, 1, 1, "section", "agent")
    await follow(bot, 2, 2, "section", "agent")
    await add_paper_and_reload(bot, NEW)
    sender = Sender({1: Forbidden("Forbidden: bot was blocked by the user"), 2: RetryAfter(dt.timedelta(seconds=0))})
    outcome = await run(bot, sender)
    assert (outcome.dropped, outcome.deferred, outcome.sent) == (1, 1, 0)
    store = bot.state.store
    assert store is not None
    assert await store.subscriptions_of(1) == [] and len(await store.subscriptions_of(2)) == 1
    await run(bot, later := Sender())
    assert [c for c, _ in later.sent] == [2]                    # the deferred push goes out next run


async def test_flood_control_ends_the_run_and_the_next_run_sends_all(bot: LocalBot) -> None:
    """After a 429 nothing more goes out in that run (Telegram would refuse it too)."""
    for chat in (1, 2, 3):
        await follow(bot, chat, chat, "section", "agent")
    await add_paper_and_reload(bot, NEW)
    sender = Sender({1: RetryAfter(dt.timedelta(seconds=0))})   # the run's first send is refused
    outcome = await run(bot, sender)
    assert sender.sent == [] and (outcome.sent, outcome.deferred) == (0, 1)
    await run(bot, later := Sender())
    assert sorted(c for c, _ in later.sent) == [1, 2, 3]


async def test_pushes_never_exceed_the_rate(bot: LocalBot) -> None:
    for user in range(1, 61):
        await follow(bot, user, user, "section", "agent")
    await add_paper_and_reload(bot, NEW)
    clock = Clock()
    times: list[float] = []
    sender = Sender()

    async def timed(chat_id: int, text: str, markup: Any) -> None:
        times.append(clock.now)
        await sender(chat_id, text, markup)

    await run(bot, timed, Pacer(25.0, clock.time, clock.sleep))  # type: ignore[arg-type]
    assert len(sender.sent) == 60
    assert all(b - a >= 1 / 25 - 1e-9 for a, b in itertools.pairwise(times))
    assert max(sum(1 for t in times if s <= t < s + 1) for s in times) <= 25


async def test_a_push_run_longer_than_a_readers_store_deadline_is_not_cut_short(
        bot: LocalBot, monkeypatch: pytest.MonkeyPatch) -> None:
    """The job's run has no reader waiting on it: a paced run past the store's deadline sends every
    claimed push instead of being cancelled with claims taken (which only went out once stale)."""
    from bot.store import records
    from handlers.common import PaperContext
    from handlers.push import push_job

    for user in range(1, 9):
        await follow(bot, user, user, "section", "agent")
    await add_paper_and_reload(bot, NEW)
    monkeypatch.setattr(records, "TIMEOUT", 0.05)   # the deadline a reader's store call gets
    bot.state.push_pacer = Pacer(40.0)               # eight sends take ~0.2 s, four deadlines
    mark = len(bot.request.calls)
    await push_job(PaperContext(bot.app))  # type: ignore[arg-type]
    chats = sorted(int(c.params["chat_id"]) for c in bot.request.calls[mark:] if c.method == "sendMessage")
    assert chats == list(range(1, 9))


async def test_new_papers_the_store_could_not_take_at_the_reload_are_pushed_after_it(
        bot: LocalBot, monkeypatch: pytest.MonkeyPatch) -> None:
    store = bot.state.store
    assert store is not None
    await follow(bot, 1, 1, "section", "agent")
    real = store.all_subscriptions

    async def down() -> Any:
        raise OSError("connection refused")
    monkeypatch.setattr(store, "all_subscriptions", down)
    await add_paper_and_reload(bot, NEW)                        # served, but nothing could be logged
    await run(bot, early := Sender())
    assert early.sent == []
    monkeypatch.setattr(store, "all_subscriptions", real)
    assert await bot.state.refresh() is None                    # the next check: no file changed
    await run(bot, sender := Sender())
    assert [c for c, _ in sender.sent] == [1] and "AgentBench" in sender.sent[0][1]
    await bot.state.refresh()
    await run(bot, again := Sender())
    assert again.sent == []                                     # logged once


async def test_a_push_of_a_paper_this_replica_has_not_loaded_yet_waits_for_its_reload(bot: LocalBot) -> None:
    # Another replica reloaded first and logged the push; this one's push run comes before its
    # own reload: it gives the push back, sends it once it has the paper, and drops only a push
    # of a paper still unknown past its patience (the paper left the catalog).
    store = bot.state.store
    assert store is not None
    clock = Clock()
    patience = Patience(grace=60.0, clock=clock.time)
    await follow(bot, 1, 1, "section", "agent")
    await store.enqueue([(1, "agentbench"), (1, "left-the-catalog")])
    await run(bot, early := Sender(), patience=patience)
    assert early.sent == [] and sorted(s for _, _, s in await store.delivered()) == ["pending", "pending"]
    clock.now += 30
    await add_paper_and_reload(bot, NEW)
    await run(bot, sender := Sender(), patience=patience)
    assert [c for c, _ in sender.sent] == [1] and "AgentBench" in sender.sent[0][1]
    assert dict((p, s) for _, p, s in await store.delivered()) == {"agentbench": "sent", "left-the-catalog": "pending"}
    clock.now += 31
    await run(bot, late := Sender(), patience=patience)
    assert late.sent == []
    assert dict((p, s) for _, p, s in await store.delivered()) == {"agentbench": "sent", "left-the-catalog": "dropped"}
