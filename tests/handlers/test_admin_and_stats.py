"""Search analytics, admin commands and live catalog reloads, through the real handlers."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.catalog import catalog as catalog_mod
from bot.catalog.mapped import is_mapped
from bot.search.engine import SearchIndex
from bot.settings import Settings
from bot.telegram.local import GROUP_CHAT, USER, LocalBot
from handlers import admin
from handlers.common import PaperContext

pytestmark = pytest.mark.asyncio


def with_stats(settings: Settings, tmp_path: Path, **extra: object) -> Settings:
    return settings.model_copy(update={"stats_db": tmp_path / "stats.sqlite3", **extra})


def rows(path: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as db:
        return db.execute("SELECT chat_type, lang, query, kind, paper_id, hit, user_id FROM queries").fetchall()


async def test_every_query_is_recorded_without_user_ids(settings: Settings, tmp_path: Path) -> None:
    cfg = with_stats(settings, tmp_path)
    async with LocalBot(cfg) as bot:
        await bot.say("/paper medusa")
        await bot.say("Medusa 是谁发表的")
        await bot.say("/paper bitcoin price")
        await bot.say("anyone up for lunch?", group=True)  # chatter: not a query
    assert rows(cfg.stats_db) == [  # type: ignore[arg-type]
        ("private", "en", "medusa", "paper", "medusa", 1, None),
        ("private", "zh", "Medusa 是谁发表的", "paper", "medusa", 1, None),
        ("private", "en", "bitcoin price", "not_found", None, 0, None),
    ]


async def test_user_ids_only_when_asked(settings: Settings, tmp_path: Path) -> None:
    cfg = with_stats(settings, tmp_path, stats_store_users=True)
    async with LocalBot(cfg) as bot:
        await bot.say("/paper gptq")
    assert rows(cfg.stats_db)[0][-1] == USER["id"]  # type: ignore[arg-type]


async def test_stats_for_admins_and_silence_for_others(settings: Settings, tmp_path: Path) -> None:
    cfg = with_stats(settings, tmp_path, admin_ids=[USER["id"]])
    async with LocalBot(cfg) as bot:
        for q in ("/paper medusa", "/paper medusa", "/paper nothing-like-this"):
            await bot.say(q)
        [report] = [c for c in await bot.say("/stats") if c.method == "sendMessage"]
        text = report.params["text"]
        assert "queries today: 3" in text and "medusa" in text and "nothing-like-this" in text
    async with LocalBot(with_stats(settings, tmp_path)) as bot:
        assert await bot.say("/stats") == [] and await bot.say("/stats", group=True) == []
        assert await bot.say("/reload", group=True) == []


async def test_a_broken_database_costs_a_warning_not_a_reply(settings: Settings, tmp_path: Path,
                                                             caplog: pytest.LogCaptureFixture) -> None:
    blocked = tmp_path / "not-a-db"
    blocked.mkdir()
    cfg = settings.model_copy(update={"stats_db": blocked})
    async with LocalBot(cfg) as bot:
        calls = await bot.say("/paper medusa")
    assert [c.method for c in calls] == ["sendMessage"]
    assert "analytics are off" in caplog.text


async def test_a_locked_database_costs_a_warning_not_a_reply(settings: Settings, tmp_path: Path,
                                                             caplog: pytest.LogCaptureFixture) -> None:
    """The reply goes out at once while the database is locked; the writer's failure is a
    warning and a counted row, and later rows are stored again once the lock is gone."""
    import time

    cfg = with_stats(settings, tmp_path)
    async with LocalBot(cfg) as bot:
        await bot.say("/paper gptq")
        assert bot.state.stats is not None
        await bot.state.stats.flush()
        holder = sqlite3.connect(cfg.stats_db, timeout=0)  # type: ignore[arg-type]
        holder.execute("BEGIN EXCLUSIVE")
        try:
            started = time.monotonic()
            calls = await bot.say("/paper medusa")
            assert time.monotonic() - started < 1.0      # not the database's 2 s busy timeout
            await asyncio.wait_for(bot.state.stats.flush(), 10)
        finally:
            holder.rollback()
            holder.close()
        assert bot.state.stats.dropped == 1
        await bot.say("/paper fa2")
    assert [c.method for c in calls] == ["sendMessage"]
    assert "could not record 1 queries" in caplog.text
    assert [r[2] for r in rows(cfg.stats_db)] == ["gptq", "fa2"]  # type: ignore[arg-type]


async def test_purge_and_the_cli(settings: Settings, tmp_path: Path) -> None:
    cfg = with_stats(settings, tmp_path)
    async with LocalBot(cfg) as bot:
        await bot.say("/paper medusa")
    env = dict(os.environ, PAPERBOT_STATS_DB=str(cfg.stats_db))
    shown = subprocess.run([sys.executable, "-m", "bot", "stats"], capture_output=True, text=True, env=env,
                           timeout=60)
    assert shown.returncode == 0 and "queries today: 1" in shown.stdout and "medusa" in shown.stdout
    purged = subprocess.run([sys.executable, "-m", "bot", "stats", "--purge-before", "2999-01-01"],
                            capture_output=True, text=True, env=env, timeout=60)
    assert "removed 1 queries" in purged.stdout
    assert rows(cfg.stats_db) == []  # type: ignore[arg-type]


async def test_edited_files_are_reloaded_and_broken_edits_reported_to_admins(settings: Settings,
                                                                            tmp_path: Path) -> None:
    catalog = tmp_path / "papers.yaml"
    good = settings.catalog.read_text(encoding="utf-8")
    catalog.write_text(good, encoding="utf-8")
    cfg = settings.model_copy(update={"catalog": catalog, "admin_ids": [USER["id"], 42]})
    async with LocalBot(cfg) as bot:
        context = PaperContext(bot.app)
        assert await bot.state.refresh() is None  # nothing changed
        catalog.write_text(good.replace("aliases: [美杜莎,", "aliases: [海蛇女, 美杜莎,"), encoding="utf-8")
        os.utime(catalog, ns=(1, 1))
        before = bot.state.library
        await admin.watch_files(context)
        assert bot.state.library is not before
        [card] = [c for c in await bot.say("/paper 海蛇女") if c.method == "sendMessage"]
        assert "Medusa" in card.params["text"]

        catalog.write_text(good.replace("arxiv: '2401.10774'", "arxiv: 'broken'"), encoding="utf-8")
        os.utime(catalog, ns=(2, 2))
        start = len(bot.request.calls)
        await admin.watch_files(context)
        told = [c for c in bot.request.calls[start:] if c.method == "sendMessage"]
        assert [c.params["chat_id"] for c in told] == [USER["id"], 42]
        assert f"{catalog}:" in told[0].params["text"] and "malformed value" in told[0].params["text"]
        [still] = [c for c in await bot.say("/paper 海蛇女") if c.method == "sendMessage"]
        assert "2401.10774" in still.params["text"]  # the last good version is served


async def test_queries_during_a_rebuild_use_the_old_index(settings: Settings, tmp_path: Path) -> None:
    catalog = tmp_path / "papers.yaml"
    catalog.write_text(settings.catalog.read_text(encoding="utf-8"), encoding="utf-8")
    async with LocalBot(settings.model_copy(update={"catalog": catalog})) as bot:
        os.utime(catalog, ns=(3, 3))
        rebuild = asyncio.create_task(bot.state.refresh())
        calls = await bot.say("/paper gptq")  # the event loop is free while the index builds
        assert "GPTQ" in calls[0].params["text"]
        assert await rebuild == []


async def test_group_admin_commands_stay_hidden(settings: Settings, tmp_path: Path) -> None:
    async with LocalBot(with_stats(settings, tmp_path)) as bot:
        for command in ("/stats", "/reload", "/stats@PaperLocalBot"):
            assert await bot.say(command, group=True) == []
    assert GROUP_CHAT["type"] == "supergroup"


async def test_inline_queries_are_recorded_too(settings: Settings, tmp_path: Path) -> None:
    cfg = with_stats(settings, tmp_path)
    async with LocalBot(cfg) as bot:
        for n, text in enumerate(("medusa", "", "nothing like this at all")):
            await bot.process({"update_id": 50 + n, "inline_query": {"id": str(n), "from": USER, "query": text,
                                                                     "offset": ""}})
    assert rows(cfg.stats_db) == [  # type: ignore[arg-type]
        ("inline", "en", "medusa", "paper", "medusa", 1, None),
        ("inline", "en", "nothing like this at all", "not_found", None, 0, None),
    ]


async def test_a_reload_builds_in_a_worker_process_and_serves_the_mapped_result(
        settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    catalog = tmp_path / "papers.yaml"
    good = settings.catalog.read_text(encoding="utf-8")
    catalog.write_text(good, encoding="utf-8")
    async with LocalBot(settings.model_copy(update={"catalog": catalog})) as bot:
        def no_build_here(*args: object, **kwargs: object) -> None:
            raise AssertionError("a reload parsed or built in the serving process")
        # The serving process may only map what the worker wrote.
        monkeypatch.setattr(SearchIndex, "build", no_build_here)
        monkeypatch.setattr(catalog_mod, "validate", no_build_here)
        catalog.write_text(good.replace("aliases: [美杜莎,", "aliases: [海蛇女, 美杜莎,"), encoding="utf-8")
        os.utime(catalog, ns=(4, 4))
        assert await bot.state.refresh() == []
        served = bot.state.library
        assert served.catalog.store is not None and is_mapped(served.index.bm25.indices)
        [card] = [c for c in await bot.say("/paper 海蛇女") if c.method == "sendMessage"]
        assert "Medusa" in card.params["text"]


async def test_without_a_worker_process_a_reload_still_happens(settings: Settings, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch,
                                                               caplog: pytest.LogCaptureFixture) -> None:
    from bot import workers as workers_mod

    catalog = tmp_path / "papers.yaml"
    good = settings.catalog.read_text(encoding="utf-8")
    catalog.write_text(good, encoding="utf-8")
    async with LocalBot(settings.model_copy(update={"catalog": catalog})) as bot:
        class NoProcesses:
            def __init__(self, *args: object, **kwargs: object) -> None:
                raise OSError(11, "Resource temporarily unavailable")
        monkeypatch.setattr(workers_mod, "ProcessPoolExecutor", NoProcesses)
        catalog.write_text(good.replace("aliases: [美杜莎,", "aliases: [海蛇女, 美杜莎,"), encoding="utf-8")
        os.utime(catalog, ns=(5, 5))
        assert await bot.state.refresh() == []
        assert "reload worker unavailable" in caplog.text
        [card] = [c for c in await bot.say("/paper 海蛇女") if c.method == "sendMessage"]
        assert "Medusa" in card.params["text"]


async def test_a_reload_that_broke_for_no_fault_of_the_files_is_tried_again_and_reported_once(
        settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from concurrent.futures.process import BrokenProcessPool

    from bot.telegram import state as state_mod

    catalog = tmp_path / "papers.yaml"
    good = settings.catalog.read_text(encoding="utf-8")
    catalog.write_text(good, encoding="utf-8")
    cfg = settings.model_copy(update={"catalog": catalog, "admin_ids": [42]})
    async with LocalBot(cfg) as bot:
        context = PaperContext(bot.app)
        breaks = [BrokenProcessPool("the worker was killed"), BrokenProcessPool("the worker was killed")]
        real = state_mod.compile_in_worker

        async def flaky(cfg: Settings) -> None:
            if breaks:
                raise breaks.pop()
            await real(cfg)
        monkeypatch.setattr(state_mod, "compile_in_worker", flaky)
        catalog.write_text(good.replace("aliases: [美杜莎,", "aliases: [海蛇女, 美杜莎,"), encoding="utf-8")
        os.utime(catalog, ns=(6, 6))
        start = len(bot.request.calls)
        for _ in range(3):                       # broke, broke again (not told twice), then served
            await admin.watch_files(context)
        told = [c for c in bot.request.calls[start:] if c.method == "sendMessage"]
        assert len(told) == 1 and "BrokenProcessPool" in told[0].params["text"]
        [card] = [c for c in await bot.say("/paper 海蛇女") if c.method == "sendMessage"]
        assert "Medusa" in card.params["text"]
        assert await bot.state.refresh() is None  # served: nothing more to do


async def test_a_reload_worker_is_never_a_fork_of_the_serving_process() -> None:
    from bot.workers import worker_context

    # A fork would copy the event loop and the threads' locks mid-use; a fork server starts clean.
    assert worker_context().get_start_method() in ("forkserver", "spawn")
