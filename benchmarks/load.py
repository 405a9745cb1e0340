"""Load: 10,000 mixed updates (commands, keywords, questions, inline queries, callbacks)
through the real Application, its update queue and handlers, concurrently, against the
in-process backend; with the store off, on SQLite (a file, the journal on: every update
journalled, group-committed, answered and closed as `paperbot run` does) and on PostgreSQL.

    python benchmarks/load.py [--updates 10000] [--catalog PATH] [--no-postgres]

Each row: throughput, then the CPU time the measured batch cost this process (every thread: the
store's too) per update and as updates per CPU-second beside the store-off row's (on a shared
machine the wall clock says more about the neighbours than about the bot), p50/p99 from an
update entering the queue to its handlers finishing,
resident memory after a warm-up batch of the same size and after the measured batch (flat
memory: the two are close), the journal's commits, and the store's warnings logged meanwhile
(a "database is locked" or a failed journal close would show there). The store rows are held to
#22's bar: within 20% of the store-off row of the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from telegram import Update  # noqa: E402

from bot.settings import Settings  # noqa: E402
from bot.telegram.local import (  # noqa: E402
    BOT_USER,
    GROUP_CHAT,
    LOCAL_TOKEN,
    PRIVATE_CHAT,
    USER,
    RecordingRequest,
    message_update,
)
from handlers.journal import JournalQueue  # noqa: E402

TEXTS = ["/paper medusa", "/paper medsua", "/paper fa2", "LLM论文", "Medusa 是谁发表的", "which paper released PRM800K",
         "2023年12月有哪些论文", "list Google papers", "/list", "/list agent", "/help", "什么是投机解码", "/random",
         "how to train an llm on a 100k budget", "anyone up for lunch?", "/paper bitcoin price", "/digest", "谢谢"]
CALLBACKS = ["abs:medusa", "ls:*:1", "sim:gptq", "pick:gemini", "dg:2023-ai-core:2", "bib:llama"]
INLINE = ["medusa", "flash attention", "", "量化", "llava 1.5"]


def rss_mb() -> float:
    with open(f"/proc/{os.getpid()}/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


class Warnings(logging.Handler):
    """Counts the store's and the journal's warnings (and worse) while a row runs."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0
        self.first: str | None = None

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith(("bot.store", "handlers.journal")):
            self.count += 1
            self.first = self.first or record.getMessage()[:200]


async def run(settings: Settings, n: int, url: str | None) -> dict[str, Any]:
    from bot.telegram.app import build_application, new_state

    state = new_state(settings, with_store=url is not None, database_url=url)
    state.journal_replay = url is not None   # as `paperbot run`: every update through the journal
    request = RecordingRequest(keep=False)
    app = build_application(state, LOCAL_TOKEN, request=request, rate_limit=False)
    await app.initialize()
    if state.store is not None:
        from bot.store.owners import HEARTBEAT
        from bot.telegram.app import heartbeat_job

        await state.store.open()
        await state.store.owners.beat()
        # As `paperbot run`: the heartbeats that keep this process's journal rows its own.
        assert app.job_queue is not None
        app.job_queue.run_repeating(heartbeat_job, interval=HEARTBEAT, first=HEARTBEAT)
    began: dict[int, float] = {}
    timings: list[float] = []
    finished = asyncio.Event()
    process = app.process_update

    async def timed(update: object) -> None:
        await process(update)
        if isinstance(update, Update) and update.update_id in began:
            timings.append(time.perf_counter() - began.pop(update.update_id))
            if not began:
                finished.set()

    app.process_update = timed  # type: ignore[method-assign]
    await app.start()

    async def batch(first: int) -> tuple[float, float]:
        """Seconds of wall clock and of CPU the batch took, the parse before it not counted."""
        raw = updates(n, first)
        parsed = [Update.de_json(u, app.bot) for u in raw]   # as getUpdates hands them over
        answer = json.dumps({"ok": True, "result": raw}).encode()
        finished.clear()
        cpu, start = time.process_time(), time.perf_counter()
        if isinstance(app.update_queue, JournalQueue):
            app.update_queue.remember(answer)   # as the getUpdates connection does (journal bodies)
        for update in parsed:
            began[update.update_id] = time.perf_counter()
            await app.update_queue.put(update)
        await finished.wait()
        if state.store is not None:
            await state.store.journal.flush()   # the batch's marks and closes are its cost too
        return time.perf_counter() - start, time.process_time() - cpu

    warnings = Warnings()
    logging.getLogger().addHandler(warnings)
    try:
        await batch(0)   # warm-up with a whole batch: bundle built, caches and the allocator's pools filled
        timings.clear()
        warm = rss_mb()
        commits = state.store.journal.commits if state.store is not None else 0
        elapsed, cpu = await batch(n)
        if state.store is not None:
            commits = state.store.journal.commits - commits
            left = len(await state.store.journal.rows())
        else:
            left = 0
    finally:
        logging.getLogger().removeHandler(warnings)
        await app.stop()
        if state.store is not None:
            await state.store.close()
        await app.shutdown()
    return {"papers": len(state.library.catalog), "updates": n, "per_second": n / elapsed, "cpu_ms": cpu / n * 1000,
            "p50": statistics.median(timings) * 1000, "p99": statistics.quantiles(timings, n=100)[98] * 1000,
            "rss_warm": warm, "rss_end": rss_mb(), "calls": request.count, "commits": commits, "left": left,
            "warnings": warnings.count, "first_warning": warnings.first}


def updates(n: int, first: int = 0) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for i in range(first, first + n):
        kind = i % 10
        if kind < 6:
            out.append(message_update(TEXTS[i % len(TEXTS)], group=kind == 5, update_id=i))
        elif kind < 8:
            chat = GROUP_CHAT if kind == 7 else PRIVATE_CHAT
            out.append({"update_id": i, "callback_query": {
                "id": str(i), "from": USER, "chat_instance": "c", "data": CALLBACKS[i % len(CALLBACKS)],
                "message": {"message_id": 7, "date": int(time.time()), "chat": chat, "from": BOT_USER, "text": "x"}}})
        else:
            out.append({"update_id": i, "inline_query": {"id": str(i), "from": USER,
                                                          "query": INLINE[i % len(INLINE)], "offset": ""}})
    return out


@contextlib.contextmanager
def postgres(wanted: bool) -> Iterator[str | None]:
    """A throwaway PostgreSQL 15 on 127.0.0.1 (tests/postgres.py), or None when there is none."""
    if not wanted:
        yield None
        return
    from tests.postgres import postgres_server

    try:
        server = postgres_server()
        url = server.__enter__()
    except BaseException as exc:   # pytest's skip when PostgreSQL is not installed
        print(f"(no PostgreSQL row: {exc})", file=sys.stderr)
        yield None
        return
    try:
        yield url
    finally:
        server.__exit__(None, None, None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--updates", type=int, default=10_000)
    parser.add_argument("--catalog", action="append", help="catalog(s) to measure (default: shipped, 100k synthetic)")
    parser.add_argument("--no-postgres", action="store_true", help="skip the PostgreSQL rows")
    args = parser.parse_args()
    catalogs = [Path(c) for c in args.catalog] if args.catalog else [ROOT / "data" / "papers.yaml"]
    if not args.catalog:
        from benchmarks.synthetic import generated

        catalogs.append(generated(100_000))
    print(f"{args.updates:,} updates per row after a warm-up batch of as many; {os.cpu_count()} cores, shared")
    print("| papers | store | updates/s | vs store off | CPU per update (ms) | updates per CPU-s | vs store off (CPU) "
          "| p50 (ms) | p99 (ms) | RSS after warm-up (MB) "
          "| RSS at the end (MB) | Bot API calls | journal commits | rows left | store warnings |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    work = Path(tempfile.mkdtemp(prefix="paperbot-load-"))
    with postgres(not args.no_postgres) as pg:
        for catalog in catalogs:
            settings = Settings(PAPERBOT_CATALOG=catalog, PAPERBOT_CACHE_DIR=Path(tempfile.gettempdir()) / "paperbot-bench",
                                PAPERBOT_KEYWORD_COOLDOWN=0)  # type: ignore[call-arg]
            stores: list[tuple[str, str | None]] = [("off", None), ("SQLite", f"sqlite:///{work / catalog.stem}.sqlite3")]
            if pg:
                stores.append(("PostgreSQL", asyncio.run(_fresh(pg, f"load_{catalog.stem}".replace("-", "_")))))
            off = off_cpu = 0.0
            for name, url in stores:
                r = asyncio.run(run(settings, args.updates, url))
                off, off_cpu = off or r["per_second"], off_cpu or r["cpu_ms"]
                print(f"| {r['papers']:,} | {name} | {r['per_second']:,.0f} | {r['per_second'] / off:.0%} "
                      f"| {r['cpu_ms']:.2f} | {1000 / r['cpu_ms']:,.0f} | {off_cpu / r['cpu_ms']:.0%} "
                      f"| {r['p50']:.2f} | {r['p99']:.2f} | {r['rss_warm']:.0f} | {r['rss_end']:.0f} | {r['calls']:,} "
                      f"| {r['commits']:,} | {r['left']} | {r['warnings']} |", flush=True)
                if r["first_warning"]:
                    print(f"  (first warning: {r['first_warning']})", file=sys.stderr)


async def _fresh(server: str, name: str) -> str:
    from tests.postgres import fresh_database

    return await fresh_database(server, name)


if __name__ == "__main__":
    main()
