"""A push of one new paper to 10,000 followers, against a recording backend.

    python benchmarks/broadcast.py [FOLLOWERS]      (default 10000)

The pacing runs on a simulated clock (its sleeps advance the clock instead of waiting), so the
run shows the broadcast's real duration at the configured rate without spending it; the wall
time is the CPU and database work. Beside it, the same broadcast with no pacing at all: the
baseline a naive loop would have, which breaks Telegram's limit.
"""

from __future__ import annotations

import asyncio
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.conversation.follow import Pacer, Patience, deliveries  # noqa: E402
from bot.conversation.library import load_library  # noqa: E402
from bot.render.renderer import Renderer  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.store.records import Subscription  # noqa: E402
from bot.store.store import Store  # noqa: E402
from handlers.push import push_pending  # noqa: E402


class SimClock:
    def __init__(self) -> None:
        self.now = 0.0

    def time(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


async def broadcast(followers: int, rate: float | None) -> dict[str, Any]:
    settings = Settings()
    library = load_library(settings)
    paper = library.catalog.get("cogagent")
    assert paper is not None
    with tempfile.TemporaryDirectory() as folder:
        store = Store(f"sqlite:///{folder}/bench.sqlite3")
        await store.open()
        for start in range(0, followers, 1000):
            for user in range(start + 1, min(start + 1000, followers) + 1):
                await store.subscribe(Subscription(user, user, "section", "agent", "Agents", "en"))
        t = time.perf_counter()
        pairs = deliveries(await store.all_subscriptions(), [paper], library.index)
        await store.enqueue(pairs)
        enqueue = time.perf_counter() - t
        clock = SimClock()
        sent: list[tuple[int, float]] = []

        async def send(chat_id: int, text: str, markup: Any) -> None:
            sent.append((chat_id, clock.now))

        renderer = Renderer(library.catalog, "en")
        pacer = Pacer(rate or 1e12, clock.time, clock.sleep)  # one pace across runs, as the bot keeps it
        t = time.perf_counter()
        while await store.pending_chats(1):
            await push_pending(store, lambda lang: renderer, _en, send, pacer, library.catalog.get, Patience())
        wall = time.perf_counter() - t
        await store.close()
    times = [s for _, s in sent]
    window = 0
    j = 0
    for i in range(len(times)):  # the most sends in any one-second window
        while times[i] - times[j] >= 1.0 - 1e-9:  # float steps of 1/rate add up to a hair under 1 s
            j += 1
        window = max(window, i - j + 1)
    return {"sent": len(sent), "duplicates": len(sent) - len({c for c, _ in sent}), "simulated": clock.now,
            "wall": wall, "enqueue": enqueue, "max_per_second": window,
            "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


async def _en(_: int) -> Any:
    return "en"


def main(followers: int) -> None:
    print("| followers | pacing | messages sent | duplicates | most sends in any 1 s | broadcast time at that pace (s) "
          "| wall time (s) | enqueue (s) | peak RSS (MB) |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    for label, rate in (("paperbot, 25/s", 25.0), ("no pacing (baseline)", None)):
        r = asyncio.run(broadcast(followers, rate))
        print(f"| {followers:,} | {label} | {r['sent']:,} | {r['duplicates']} | {r['max_per_second']:,} | "
              f"{r['simulated']:.1f} | {r['wall']:.1f} | {r['enqueue']:.2f} | {r['rss']:.0f} |")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
