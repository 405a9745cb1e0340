"""Load: 10,000 mixed updates (commands, keywords, questions, inline queries, callbacks)
through the real Application and handlers, concurrently, against the in-process backend.

    python benchmarks/load.py [--updates 10000] [--catalog PATH]

Prints throughput, p50/p99 handling time, and resident memory after a warm-up batch of the same
size and after the measured batch (flat memory: the two are close).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from telegram import Update  # noqa: E402

from bot.settings import Settings  # noqa: E402
from bot.telegram.local import BOT_USER, GROUP_CHAT, PRIVATE_CHAT, USER, LocalBot, message_update  # noqa: E402

TEXTS = ["/paper medusa", "/paper medsua", "/paper fa2", "LLM论文", "Medusa 是谁发表的", "which paper released PRM800K",
         "2023年12月有哪些论文", "list Google papers", "/list", "/list agent", "/help", "什么是投机解码", "/random",
         "how to train an llm on a 100k budget", "anyone up for lunch?", "/paper bitcoin price", "/digest", "谢谢"]
CALLBACKS = ["abs:medusa", "ls:*:1", "sim:gptq", "pick:gemini", "dg:2023-ai-core:2", "bib:llama"]
INLINE = ["medusa", "flash attention", "", "量化", "llava 1.5"]


def updates(n: int) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for i in range(n):
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


def rss_mb() -> float:
    with open(f"/proc/{os.getpid()}/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


async def run(settings: Settings, n: int) -> dict[str, float]:
    async with LocalBot(settings, keep_calls=False) as bot:
        app = bot.app
        limit = asyncio.Semaphore(max(app.update_processor.max_concurrent_updates, 1))
        timings: list[float] = []

        async def handle(data: dict[str, Any]) -> None:
            async with limit:
                update = Update.de_json(data, app.bot)
                start = time.perf_counter()
                await app.process_update(update)
                timings.append(time.perf_counter() - start)

        # Warm-up with a whole batch: bundle built, caches and the allocator's pools filled.
        await asyncio.gather(*(handle(u) for u in updates(n)))
        timings.clear()
        warm = rss_mb()
        batch = updates(n)
        start = time.perf_counter()
        await asyncio.gather(*(handle(u) for u in batch))
        elapsed = time.perf_counter() - start
        return {"papers": len(bot.state.library.catalog), "updates": n, "per_second": n / elapsed,
                "p50": statistics.median(timings) * 1000, "p99": statistics.quantiles(timings, n=100)[98] * 1000,
                "rss_warm": warm, "rss_end": rss_mb(), "calls": bot.request.count}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--updates", type=int, default=10_000)
    parser.add_argument("--catalog", action="append", help="catalog(s) to measure (default: shipped, 100k synthetic)")
    args = parser.parse_args()
    catalogs = [Path(c) for c in args.catalog] if args.catalog else [ROOT / "data" / "papers.yaml"]
    if not args.catalog:
        from benchmarks.synthetic import generated

        catalogs.append(generated(100_000))
    print("| papers | updates | updates/s | p50 handling (ms) | p99 handling (ms) | RSS after warm-up (MB) "
          "| RSS at the end (MB) | Bot API calls |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for catalog in catalogs:
        settings = Settings(PAPERBOT_CATALOG=catalog, PAPERBOT_CACHE_DIR=Path(tempfile.gettempdir()) / "paperbot-bench",
                            PAPERBOT_KEYWORD_COOLDOWN=0)  # type: ignore[call-arg]
        r = asyncio.run(run(settings, args.updates))
        print(f"| {r['papers']:,} | {r['updates']:,} | {r['per_second']:,.0f} | {r['p50']:.2f} | {r['p99']:.2f} "
              f"| {r['rss_warm']:.0f} | {r['rss_end']:.0f} | {r['calls']:,} |")


if __name__ == "__main__":
    main()
